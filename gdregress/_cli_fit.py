"""The fit of ``gdregress fit``: the estimator the options ask for, fitted at once or streamed.

A file read at once is fitted with ``fit``; a streamed one chunk by chunk with
``partial_fit``, which merges the exact statistics of every chunk, keeping the first rows for
the figure. Warnings worth a line become the fit's notes; a ValueError of the estimator (a
diverging learning rate, data it cannot fit) is an :class:`~gdregress._csv.InputError` that
names the command's option.
"""

from __future__ import annotations

import argparse
import math
import re
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._cli_data import CommandData
from ._csv import InputError, one_line
from ._progress import Progress

__all__ = ["Fit", "estimator", "run_fit"]

# Rows kept for the scatter plot of a streamed file.
_PLOT_ROWS = 10_000


@dataclass
class Fit:
    """A fitted model and what the command says about its fit."""

    model: Any
    n_rows: int
    seconds: float
    X: np.ndarray  # the rows to draw: all, or the first _PLOT_ROWS of a streamed file
    y: np.ndarray
    chunks: int = 0  # 0 when read at once
    iterations: int = 0  # gd: all iterations, over every chunk
    notes: tuple[str, ...] = ()


def estimator(args: argparse.Namespace):
    """The estimator of ``--method``, with the options of gradient descent that were given."""
    from .linear_model import AnalyticLeastSquares, GradientDescentRegressor

    options = {
        "--learning-rate": ("learning_rate", args.learning_rate),
        "--momentum": ("momentum", args.momentum),
        "--max-iter": ("max_iter", args.max_iter),
        "--tol": ("tol", args.tol),
        "--no-standardize": ("standardize", args.standardize),
    }
    given = {option: pair for option, pair in options.items() if pair[1] is not None}
    if args.method == "gd":
        model = GradientDescentRegressor(**dict(given.values()))
        if hasattr(model, "set_callbacks"):  # scikit-learn >= 1.9: the progress line's count
            model.set_callbacks(IterationCount())
        return model
    if given:
        option = next(iter(given))
        raise InputError(
            f"{option} is an option of gradient descent, but the method is the closed "
            f"form: add --method gd, or leave out {option}"
        )
    return AnalyticLeastSquares()


def run_fit(model, data: CommandData, rows: int | None, method: str) -> Fit:
    """Fit in memory, or stream the file through ``partial_fit``; record warnings as notes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        if rows is None:
            fit = _fit_at_once(model, data, method)
            fit.notes = _notes(caught)
        else:
            fit, per_chunk = _stream(model, data, rows, method, caught)
            fit.notes = _stream_notes(per_chunk, model) + _notes(caught)
    return fit


class IterationCount:
    """A scikit-learn callback that counts the descent's iterations, for the progress line.

    The descent reports to it once per block of iterations (a hundredth of ``max_iter``).
    """

    def __init__(self) -> None:
        self.n_iter = 0

    def setup(self, estimator, context) -> None:
        self.n_iter = 0

    def on_fit_task_begin(self, estimator, context) -> None:
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None) -> bool:
        if context.task_name.startswith("iterations"):  # a block, not the whole fit
            self.n_iter = fitted_estimator.n_iter_
        return False

    def teardown(self, estimator, context) -> None:
        pass


def _fitting(model, method: str, rows: int):
    """The progress line of a fit: its iterations so far, when a callback counts them."""
    counts = [c for c in getattr(model, "_skl_callbacks", ()) if isinstance(c, IterationCount)]
    if not counts:
        return lambda _: f"fitting by {method} on {rows:,} rows"
    count, limit = counts[0], model.max_iter
    return lambda _: (
        f"fitting by {method} on {rows:,} rows: {count.n_iter:,} of at most {limit:,} iterations"
    )


def _fit_at_once(model, data: CommandData, method: str) -> Fit:
    X, y = data.read()
    with Progress(_fitting(model, method, len(y))):
        started = time.perf_counter()
        _call(model.fit, X, y)
        seconds = time.perf_counter() - started
    return Fit(model, len(y), seconds, X, y, iterations=getattr(model, "n_iter_", 0))


def _stream(model, data: CommandData, rows: int, method: str, caught: list):
    """Fit chunk by chunk; the warnings of each ``partial_fit`` are taken out of ``caught``
    (which keeps the others, of reading the file) and returned, one list per chunk."""
    seconds, chunks, iterations, n_rows = 0.0, 0, 0, 0
    kept_X: list[np.ndarray] = []
    kept_y: list[np.ndarray] = []
    kept = 0
    per_chunk: list[list] = []
    with Progress(lambda _: f"streaming {data.progress()}, fitting by {method}"):
        for X, y in data.chunks(rows):
            n_rows += len(y)
            before = len(caught)
            started = time.perf_counter()
            _call(model.partial_fit, X, y)
            seconds += time.perf_counter() - started
            per_chunk.append(caught[before:])
            del caught[before:]
            chunks += 1
            iterations += getattr(model, "n_iter_", 0)
            if kept < _PLOT_ROWS:
                kept_X.append(X[: _PLOT_ROWS - kept].copy())
                kept_y.append(y[: _PLOT_ROWS - kept].copy())
                kept += len(kept_y[-1])
    sample_X, sample_y = np.concatenate(kept_X), np.concatenate(kept_y)
    return Fit(model, n_rows, seconds, sample_X, sample_y, chunks, iterations), per_chunk


def _call(fit, X, y) -> None:
    """Run ``fit(X, y)``; a ValueError there is the data's or the options' fault."""
    from .exceptions import DivergenceError

    try:
        fit(X, y)
    except DivergenceError as exc:
        # The estimator's message names its Python parameter; name the command's option.
        message = one_line(exc).split(". (")[0].rstrip(".")
        message = message.replace("learning_rate='auto'", "--learning-rate auto")
        message = message.replace("learning_rate=", "--learning-rate ")
        message = message.replace("momentum=", "--momentum ")
        raise InputError(f"{message}.") from None
    except ValueError as exc:
        raise InputError(one_line(exc)) from None


def _worth_a_line(warning) -> bool:
    """A UserWarning, but not a ConvergenceWarning: the report has a line on convergence."""
    from sklearn.exceptions import ConvergenceWarning

    category = warning.category
    return issubclass(category, UserWarning) and not issubclass(category, ConvergenceWarning)


def _notes(caught) -> tuple[str, ...]:
    """The messages of the warnings worth a line, once each."""
    return tuple(dict.fromkeys(one_line(w.message) for w in caught if _worth_a_line(w)))


# Numbers in a message ("condition number about 3.39e+05", "16 of its 16 digits"): two
# chunks warn alike when their messages differ only in them.
_NUMBER = re.compile(r"[-+]?(?:\d[\d,]*\.?\d*(?:e[-+]?\d+)?|inf|nan)")


def _stream_notes(per_chunk: list[list], model) -> tuple[str, ...]:
    """The notes of a streamed fit: each kind of warning once, with the chunks it came from.

    Every ``partial_fit`` solves again from the statistics of all rows read so far, so the
    warnings of the last chunk are the result's; they are shown with the number of chunks
    that warned alike. An IllConditionedWarning of earlier chunks only (the first, few rows,
    say) was about a fit that the last one replaced: one line of history says so. Other
    warnings of earlier chunks (about their rows) stay notes, with their count.
    """
    from .exceptions import IllConditionedWarning

    kinds: dict[tuple, list] = {}  # kind → [latest message, chunks, in the last chunk]
    for i, caught in enumerate(per_chunk):
        seen = set()
        for warning in filter(_worth_a_line, caught):
            message = one_line(warning.message)
            kind = (warning.category, _NUMBER.sub("#", message))
            entry = kinds.setdefault(kind, [message, 0, False])
            entry[0] = message
            entry[1] += kind not in seen
            entry[2] = entry[2] or i == len(per_chunk) - 1
            seen.add(kind)
    total = len(per_chunk)
    notes = []
    for (category, _), (message, count, in_last) in kinds.items():
        if in_last or not issubclass(category, IllConditionedWarning):
            counted = total > 1 and (count > 1 or not in_last)
            notes.append(_with_count(message, count, total) if counted else message)
            continue
        condition = getattr(model, "condition_number_", math.nan)
        notes.append(
            f"while streaming: after {count} of the {total} chunks, the fit of the rows read so "
            "far was ill-conditioned; the final fit of all rows is not"
            + (f" (condition number about {condition:.3g})" if math.isfinite(condition) else "")
        )
    return tuple(notes)


def _with_count(message: str, count: int, total: int) -> str:
    """``message`` with "(in 3 of 10 chunks)" before its final full stop."""
    body, stop = (message[:-1], ".") if message.endswith(".") else (message, "")
    return f"{body} (in {count} of {total} chunks){stop}"
