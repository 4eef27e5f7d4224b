"""The threads of a pass over the data, and BLAS held to one thread while they run.

A pass over the rows (the statistics, the operator's products) is bound by memory bandwidth,
not arithmetic: it shares its ranges of rows among a few threads of its own, each calling BLAS
on one thread. Both the statistics and the operator take their threads and their hold on BLAS
from here, started or found once per process.
"""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor

from threadpoolctl import ThreadpoolController

__all__ = ["THREADS", "blas_controller", "one_blas_thread", "thread_pool"]

#: Threads for a pass over the data: memory bandwidth, not arithmetic, limits it.
THREADS = min(os.cpu_count() or 1, 8)

_pool: tuple[int, ThreadPoolExecutor] | None = None


def thread_pool() -> ThreadPoolExecutor:
    """Threads for the ranges beyond the caller's, started once per process.

    Starting threads costs about a millisecond a fit. A process forked from this one has the
    pool's object but not its threads, so each process makes its own.

    Returns
    -------
    concurrent.futures.ThreadPoolExecutor
        ``THREADS - 1`` workers (at least one); the caller works on the first range itself.
    """
    global _pool
    if _pool is None or _pool[0] != os.getpid():
        _pool = (
            os.getpid(),
            ThreadPoolExecutor(max(THREADS - 1, 1), thread_name_prefix="gdregress"),
        )
    return _pool[1]


@functools.cache
def blas_controller() -> ThreadpoolController:
    """The BLAS libraries loaded, found once: a fresh search costs about a millisecond."""
    return ThreadpoolController()


def one_blas_thread():
    """A context with BLAS on one thread.

    For the threads of a pass (each its own BLAS call), and for the iterations over an
    operator: their vector operations are short (n or d numbers), and a threaded BLAS spends
    more waking its threads than computing (measured: 41 ms against 7 µs for the norm of
    20,000 numbers on a busy 2-core machine).
    """
    return blas_controller().limit(limits=1, user_api="blas")
