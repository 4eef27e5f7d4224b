"""The fit of ``gdregress fit``: the estimator the options ask for, fitted at once or streamed.

A file read at once is fitted with ``fit``; a streamed one chunk by chunk with
``partial_fit``, which merges the exact statistics of every chunk, keeping the first rows for
the figure. Warnings worth a line become the fit's notes; a ValueError of the estimator (a
diverging learning rate, data it cannot fit) is an :class:`~gdregress._csv.InputError` that
names the command's option.
"""

from __future__ import annotations

import argparse
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
        else:
            fit = _stream(model, data, rows, method)
    fit.notes = _notes(caught)
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


def _stream(model, data: CommandData, rows: int, method: str) -> Fit:
    seconds, chunks, iterations, n_rows = 0.0, 0, 0, 0
    kept_X: list[np.ndarray] = []
    kept_y: list[np.ndarray] = []
    kept = 0
    with Progress(lambda _: f"streaming {data.progress()}, fitting by {method}"):
        for X, y in data.chunks(rows):
            n_rows += len(y)
            started = time.perf_counter()
            _call(model.partial_fit, X, y)
            seconds += time.perf_counter() - started
            chunks += 1
            iterations += getattr(model, "n_iter_", 0)
            if kept < _PLOT_ROWS:
                kept_X.append(X[: _PLOT_ROWS - kept].copy())
                kept_y.append(y[: _PLOT_ROWS - kept].copy())
                kept += len(kept_y[-1])
    sample_X, sample_y = np.concatenate(kept_X), np.concatenate(kept_y)
    return Fit(model, n_rows, seconds, sample_X, sample_y, chunks, iterations)


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
        raise InputError(f"{message}.") from None
    except ValueError as exc:
        raise InputError(one_line(exc)) from None


def _notes(caught) -> tuple[str, ...]:
    """The messages of the warnings worth a line, once each; convergence has its own line."""
    from sklearn.exceptions import ConvergenceWarning

    notes: dict[str, None] = {}
    for warning in caught:
        if issubclass(warning.category, UserWarning) and not issubclass(
            warning.category, ConvergenceWarning
        ):
            notes[one_line(warning.message)] = None
    return tuple(notes)
