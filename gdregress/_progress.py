"""A one-line progress report on stderr for the command's long work; silent for short work.

The work runs in the calling thread and updates :attr:`Progress.state`; a daemon thread
waits :data:`DELAY` seconds, and only if the work is still running then rewrites one line on
stderr (a terminal) or appends a line every :data:`LOG_INTERVAL` seconds (a file or pipe),
until the work ends. Nothing is printed for work shorter than :data:`DELAY`.
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

    Examples
    --------
    >>> with Progress(lambda rows: f"reading: {rows:,} rows") as progress:
    ...     for chunk in range(3):
    ...         progress.state = 1000 * (chunk + 1)
    """

    def __init__(self, describe: Callable[[object], str], stream: TextIO | None = None) -> None:
        self.describe = describe
        self.state: object = 0
        self._stream = stream
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._width = 0
        self._reported = False
        self._started = 0.0

    def __enter__(self) -> Progress:
        self._stream = self._stream or sys.stderr
        self._started = time.perf_counter()
        self._thread = threading.Thread(target=self._report, name="gdregress-progress")
        self._thread.daemon = True
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        if self._reported:
            elapsed = time.perf_counter() - self._started
            end = "" if exc_info[0] is None else " (stopped)"
            self._write(f"{self.describe(self.state)}: {_seconds(elapsed)}{end}", final=True)

    def _is_terminal(self) -> bool:
        isatty = getattr(self._stream, "isatty", None)
        return bool(isatty and isatty())

    def _report(self) -> None:
        if self._done.wait(DELAY):
            return
        interval = TERMINAL_INTERVAL if self._is_terminal() else LOG_INTERVAL
        while True:
            elapsed = time.perf_counter() - self._started
            self._write(f"{self.describe(self.state)} … {_seconds(elapsed)}")
            self._reported = True
            if self._done.wait(interval):
                return

    def _write(self, text: str, final: bool = False) -> None:
        line = f"gdregress: {text}"
        if self._is_terminal():
            padding = " " * max(0, self._width - len(line))
            self._width = len(line)
            self._stream.write(f"\r{line}{padding}{chr(10) if final else ''}")
        else:
            self._stream.write(line + "\n")
        self._stream.flush()
