"""A one-line progress report on stderr for the command's long work; silent for short work.

The work runs in the calling thread and updates :attr:`Progress.state`; a daemon thread looks
at the clock every :data:`POLL` seconds and reports only once the work has run :data:`DELAY`
seconds: it then rewrites one line on stderr (a terminal) every :data:`TERMINAL_INTERVAL`
seconds, or appends a line every :data:`LOG_INTERVAL` seconds (a file or pipe), until the work
ends. Nothing is printed for work shorter than :data:`DELAY`. What counts is the work itself:
the command imports the modules a piece of work needs before it starts the report, so that a
3-row cross-validation does not report the two seconds of importing scikit-learn.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["Progress"]

#: Seconds of work before the first report: shorter work prints nothing.
DELAY = 1.0
#: Seconds between two rewrites of the line on a terminal.
TERMINAL_INTERVAL = 0.25
#: Seconds between two lines when stderr is a file or a pipe.
LOG_INTERVAL = 10.0
#: Seconds between two looks at the clock by the reporting thread.
POLL = 0.05


def _seconds(elapsed: float) -> str:
    if elapsed < 60:
        return f"{elapsed:.0f} s"
    minutes, seconds = divmod(int(elapsed), 60)
    return f"{minutes} min {seconds:02d} s"


class Progress:
    """Report on stderr what a long piece of work is doing, as one line.

    Parameters
    ----------
    describe : callable
        ``describe(state)`` returns the text of the report (without the elapsed time) for the
        current :attr:`state`; it runs in the reporting thread.
    stream : text file, optional
        Where to report (default: ``sys.stderr`` at the time of ``__enter__``).
    clock : callable, optional
        Seconds as a float, for the elapsed time (default: :func:`time.perf_counter`).

    Examples
    --------
    >>> with Progress(lambda rows: f"reading: {rows:,} rows") as progress:
    ...     for chunk in range(3):
    ...         progress.state = 1000 * (chunk + 1)
    """

    def __init__(
        self,
        describe: Callable[[object], str],
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.describe = describe
        self.state: object = 0
        self._stream = stream
        self._clock = clock
        self._done = threading.Event()
        # tick() runs in the reporting thread, and in tests also in the caller's: one at a time.
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._width = 0
        self._last_report: float | None = None
        self._started = 0.0

    def __enter__(self) -> Progress:
        self._stream = self._stream or sys.stderr
        self._started = self._clock()
        self._thread = threading.Thread(target=self._report, name="gdregress-progress")
        self._thread.daemon = True
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        if self._last_report is not None:
            elapsed = self._clock() - self._started
            end = "" if exc_info[0] is None else " (stopped)"
            self._write(f"{self.describe(self.state)}: {_seconds(elapsed)}{end}", final=True)

    def _is_terminal(self) -> bool:
        isatty = getattr(self._stream, "isatty", None)
        return bool(isatty and isatty())

    def _report(self) -> None:
        # A tick at once, then one per POLL seconds until the work is done.
        while True:
            self.tick()
            if self._done.wait(POLL):
                return

    def tick(self) -> None:
        """Write the report if the work has run :data:`DELAY` seconds and the last report is
        an interval old (the reporting thread calls this every :data:`POLL` seconds)."""
        with self._lock:
            now = self._clock()
            if now - self._started < DELAY:
                return
            interval = TERMINAL_INTERVAL if self._is_terminal() else LOG_INTERVAL
            if self._last_report is not None and now - self._last_report < interval:
                return
            self._write(f"{self.describe(self.state)} … {_seconds(now - self._started)}")
            self._last_report = now

    def _write(self, text: str, final: bool = False) -> None:
        line = f"gdregress: {text}"
        if self._is_terminal():
            padding = " " * max(0, self._width - len(line))
            self._width = len(line)
            self._stream.write(f"\r{line}{padding}{chr(10) if final else ''}")
        else:
            self._stream.write(line + "\n")
        self._stream.flush()
