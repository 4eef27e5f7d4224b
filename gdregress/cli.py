"""The ``gdregress`` command: fit a least-squares line to a CSV file, compare, draw.

``gdregress fit [CSV]`` fits y = m·x + b (or y = X·w + b) in closed form or by gradient
descent and prints the line, its cost, R², RMSE and the fit time; without a CSV file it fits
the bundled TV-advertising data, sales on TV budget. ``gdregress compare [CSV]``
cross-validates the two estimators of gdregress against scikit-learn's. ``gdregress`` alone,
or with only options, is ``gdregress fit``.

Big files are streamed: read in chunks through ``partial_fit``, which merges the exact
statistics of every chunk, so a file larger than memory gets the same line as one read at
once. Work that takes more than a second reports its progress on stderr. A user's mistake —
a missing file, an unknown or non-numeric column, a bad number, a diverging learning rate —
exits with status 2 and one line on stderr saying what to fix.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from ._csv import CSVTable, InputError, choose_columns
from ._progress import Progress
from .cost import LeastSquaresCost

__all__ = ["comparison_table", "main"]

#: Files larger than this many bytes are streamed when ``--chunksize`` is not given.
STREAM_BYTES = 256 * 2**20
# A streamed chunk holds about 64 MiB of float64 numbers.
_STREAM_CHUNK_NUMBERS = 2**23
# Rows per chunk when a file is read into memory (chunks only to report progress).
_READ_ROWS = 100_000
# Rows kept for the scatter plot of a streamed file.
_PLOT_ROWS = 10_000

_BUNDLED = "the TV-advertising data (ISLR)"
# Axis labels with units for the bundled data's columns.
_BUNDLED_LABELS = {
    "TV": "TV advertising budget (thousands of dollars)",
    "radio": "radio advertising budget (thousands of dollars)",
    "newspaper": "newspaper advertising budget (thousands of dollars)",
    "sales": "sales (thousands of units)",
}


class _OneLineErrors(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr and exit status 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see {self.prog} --help)\n")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


# Types of the options: a bad value is one line saying what a good one looks like.


def _integer(text: str, least: int, what: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        value = None
    if value is None or value < least:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
    return value


def _max_iter(text: str) -> int:
    return _integer(text, 1, "a whole number of iterations of at least 1, such as 10000")


def _folds(text: str) -> int:
    return _integer(text, 2, "a number of folds of at least 2, such as 5")


def _chunksize(text: str) -> int:
    return _integer(text, 0, "a number of rows such as 1000000 (or 0: read the file at once)")


def _real(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _learning_rate(text: str) -> str | float:
    if text in ("auto", "exact"):
        return text
    value = _real(text)
    if value is None or value <= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a learning rate: give a positive number such as 0.1, or auto "
            "(the best fixed step for the data), or exact (a line search at every step)"
        )
    return value


def _tolerance(text: str) -> float:
    value = _real(text)
    if value is None or value < 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a tolerance: give a number ≥ 0, such as 1e-9"
        )
    return value


def _build_parser() -> argparse.ArgumentParser:
    parser = _OneLineErrors(
        prog="gdregress",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Fit the least-squares line y = m·x + b (or y = X·w + b) to a CSV file, in closed\n"
            "form or by gradient descent, and compare with scikit-learn. Without a CSV file,\n"
            "the bundled TV-advertising data: sales on TV budget."
        ),
        epilog=(
            "examples:\n"
            "  gdregress                                   the TV line, in closed form\n"
            "  gdregress fit --method gd --plot descent.png\n"
            "  gdregress fit data.csv --x size rooms --y price --json\n"
            "  gdregress fit huge.csv.gz --chunksize 1000000\n"
            "  gdregress compare --cv 10\n\n"
            "Work that takes more than a second reports its progress on stderr. A mistake in\n"
            "the input exits with status 2 and one line on stderr saying what to fix."
        ),
    )
    parser.add_argument("--version", action="version", version=f"gdregress {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_OneLineErrors)
    fit = commands.add_parser(
        "fit",
        help="fit the line and print it (the default command)",
        description="Fit the least-squares line and print it, its cost, R², RMSE and fit time.",
    )
    compare = commands.add_parser(
        "compare",
        help="cross-validate gdregress's estimators against scikit-learn's",
        description=(
            "Cross-validate AnalyticLeastSquares, GradientDescentRegressor, scikit-learn's "
            "LinearRegression and SGDRegressor (after a StandardScaler): R² and RMSE on the "
            "held-out folds, mean and standard deviation, and the fit time."
        ),
    )
    for command in (fit, compare):
        command.add_argument(
            "csv",
            nargs="?",
            metavar="CSV",
            help="a CSV file with a header line (default: the bundled TV-advertising data)",
        )
        command.add_argument(
            "--x",
            nargs="+",
            metavar="COL",
            help="the feature columns (default: every column but the target; TV for the "
            "bundled data). Put the CSV file before --x",
        )
        command.add_argument(
            "--y",
            metavar="COL",
            help="the target column (default: the last column; sales for the bundled data)",
        )
        command.add_argument("--json", action="store_true", help="print one JSON object")
    fit.add_argument(
        "--method",
        choices=["analytic", "gd"],
        default="analytic",
        help="closed form (analytic, the default) or gradient descent (gd)",
    )
    fit.add_argument(
        "--learning-rate",
        type=_learning_rate,
        metavar="auto|exact|FLOAT",
        help="gd: the step α (default auto: the best fixed step 2/(L_max + λ_min))",
    )
    fit.add_argument(
        "--max-iter", type=_max_iter, metavar="N", help="gd: most iterations (default 100000)"
    )
    fit.add_argument(
        "--tol",
        type=_tolerance,
        metavar="T",
        help="gd: stop when the coefficients are within T·std(y) of the minimum (default 1e-12)",
    )
    fit.add_argument(
        "--no-standardize",
        dest="standardize",
        action="store_false",
        default=None,
        help="gd: descend in the data's own units, as the lecture does (slow when the "
        "columns have different scales)",
    )
    fit.add_argument(
        "--chunksize",
        type=_chunksize,
        metavar="N",
        help="stream the CSV file N rows at a time through partial_fit, in constant memory "
        f"(default: files above {STREAM_BYTES // 2**20} MiB are streamed in chunks of about "
        f"{8 * _STREAM_CHUNK_NUMBERS // 2**20} MiB of numbers; 0 reads the file at once)",
    )
    fit.add_argument(
        "--plot",
        metavar="FILE.png",
        help="draw the data with the line, the loss curve (gd) and the cost surface L(m, b) "
        "with the descent's path (one feature) side by side (needs matplotlib: "
        "pip install 'gdregress[plot]')",
    )
    compare.add_argument(
        "--cv", type=_folds, default=5, metavar="K", help="number of folds (default 5)"
    )
    return parser


# The data: the bundled table or a CSV file, and the columns chosen.


@dataclass
class _Data:
    description: str  # "the TV-advertising data (ISLR)" or "'data.csv'"
    features: list[str]
    target: str
    table: CSVTable | None = None  # None for the bundled data
    bundled: Any = None  # the bundled DataFrame

    def labels(self) -> tuple[str, str]:
        """Axis labels for the feature (one) and the target, with units when known."""
        units = _BUNDLED_LABELS if self.table is None else {}
        x = self.features[0] if len(self.features) == 1 else "x"
        return units.get(x, x), units.get(self.target, self.target)

    def read(self) -> tuple[np.ndarray, np.ndarray]:
        """All rows in memory, with a progress line for a long read."""
        if self.table is None:
            X = self.bundled[self.features].to_numpy(dtype=np.float64)
            return X, self.bundled[self.target].to_numpy(dtype=np.float64)
        table = self.table
        with Progress(lambda _: f"reading {_read_state(table)}"):
            return table.read(self.features, self.target, _READ_ROWS)

    def chunks(self, rows: int):
        """``(X, y)`` for every ``rows`` rows: the file's chunks, or slices of the bundled data."""
        if self.table is not None:
            yield from self.table.chunks(self.features, self.target, rows)
            return
        X, y = self.read()
        for start in range(0, len(y), rows):
            yield X[start : start + rows], y[start : start + rows]

    def progress(self) -> str:
        return _read_state(self.table) if self.table is not None else self.description


def _read_state(table: CSVTable) -> str:
    return f"{table.name}: {table.fraction_read:.0%} ({table.rows_read:,} rows)"


def _data(args: argparse.Namespace) -> _Data:
    if args.csv is None:
        from .datasets import load_tv_advertising

        frame = load_tv_advertising(all_media=True, as_frame=True).frame
        features, target = choose_columns(
            frame.columns, args.x, args.y, _BUNDLED, default_features=["TV"], default_target="sales"
        )
        return _Data(_BUNDLED, features, target, bundled=frame)
    table = CSVTable(args.csv)
    features, target = choose_columns(table.columns, args.x, args.y, f"'{args.csv}'")
    return _Data(f"'{args.csv}'", features, target, table=table)


def _stream_rows(args: argparse.Namespace, data: _Data) -> int | None:
    """Rows per chunk when the file is streamed, or None to read it at once."""
    if args.chunksize == 0:
        return None
    if args.chunksize is not None:
        return args.chunksize
    if data.table is None or data.table.size <= STREAM_BYTES:
        return None
    return max(1000, _STREAM_CHUNK_NUMBERS // (len(data.features) + 1))


# fit


@dataclass
class _Fit:
    model: Any
    n_rows: int
    seconds: float
    X: np.ndarray  # the rows to draw: all, or the first _PLOT_ROWS of a streamed file
    y: np.ndarray
    chunks: int = 0  # 0 when read at once
    iterations: int = 0  # gd: all iterations, over every chunk
    notes: tuple[str, ...] = ()


def _estimator(args: argparse.Namespace):
    from .linear_model import AnalyticLeastSquares, GradientDescentRegressor

    if args.method == "analytic":
        given = [
            option
            for option, value in (
                ("--learning-rate", args.learning_rate),
                ("--max-iter", args.max_iter),
                ("--tol", args.tol),
                ("--no-standardize", args.standardize),
            )
            if value is not None
        ]
        if given:
            raise InputError(
                f"{given[0]} is an option of gradient descent, but the method is the closed "
                f"form: add --method gd, or leave out {given[0]}"
            )
        return AnalyticLeastSquares()
    options = {
        "learning_rate": args.learning_rate,
        "max_iter": args.max_iter,
        "tol": args.tol,
        "standardize": args.standardize,
    }
    return GradientDescentRegressor(**{k: v for k, v in options.items() if v is not None})


def _run_fit(model, data: _Data, rows: int | None, method: str) -> _Fit:
    """Fit in memory, or stream the file through ``partial_fit``; record warnings as notes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        if rows is None:
            X, y = data.read()
            limit = (
                f" (at most {model.max_iter:,} iterations)" if hasattr(model, "max_iter") else ""
            )
            with Progress(lambda _: f"fitting by {method} on {len(y):,} rows{limit}"):
                started = time.perf_counter()
                _call(model.fit, X, y)
                seconds = time.perf_counter() - started
            fit = _Fit(model, len(y), seconds, X, y, iterations=getattr(model, "n_iter_", 0))
        else:
            fit = _stream(model, data, rows, method)
    fit.notes = _notes(caught)
    return fit


def _stream(model, data: _Data, rows: int, method: str) -> _Fit:
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
    return _Fit(model, n_rows, seconds, sample_X, sample_y, chunks, iterations)


def _call(fit, X, y) -> None:
    """Run ``fit(X, y)``; a ValueError there is the data's or the options' fault."""
    from .exceptions import DivergenceError

    try:
        fit(X, y)
    except DivergenceError as exc:
        # The estimator's message names its Python parameter; name the command's option.
        message = _one_line(exc).split(". (")[0].rstrip(".")
        message = message.replace("learning_rate='auto'", "--learning-rate auto")
        message = message.replace("learning_rate=", "--learning-rate ")
        raise InputError(f"{message}.") from None
    except ValueError as exc:
        raise InputError(_one_line(exc)) from None


def _notes(caught) -> tuple[str, ...]:
    """The messages of the warnings worth a line, once each; convergence has its own line."""
    from sklearn.exceptions import ConvergenceWarning

    notes: dict[str, None] = {}
    for warning in caught:
        if issubclass(warning.category, UserWarning) and not issubclass(
            warning.category, ConvergenceWarning
        ):
            notes[_one_line(warning.message)] = None
    return tuple(notes)


def _number(value: float) -> str:
    """A coefficient: four decimals for moderate numbers, else four significant digits."""
    if value == 0 or 1e-2 <= abs(value) < 1e5:
        return f"{value:.4f}"
    return f"{value:.4g}"


def _line(coef: np.ndarray, intercept: float, features: Sequence[str], target: str) -> str:
    def term(c: float, name: str, first: bool) -> str:
        sign = ("−" if c < 0 else "") if first else ("− " if c < 0 else "+ ")
        return f"{sign}{_number(abs(c))}{'·' + name if name else ''}"

    if len(coef) == 1:
        return f"{features[0]} → y = {term(coef[0], 'x', True)} {term(intercept, '', False)}"
    terms = [term(c, name, i == 0) for i, (c, name) in enumerate(zip(coef, features, strict=True))]
    return f"{target} = {' '.join(terms)} {term(intercept, '', False)}"


def _summary(fit: _Fit, data: _Data, method: str) -> dict[str, Any]:
    """What the fit found, as plain numbers: the cost from the statistics, R², RMSE."""
    model = fit.model
    stats = model.statistics_
    # The statistics may hold columns beyond 1e±90 divided by powers of two: the cost is
    # taken in their units, and R² (a ratio) there too; L and the RMSE scale back by y_scale.
    coef, intercept = stats.from_user_units(
        np.reshape(model.coef_, (-1, 1)), np.atleast_1d(model.intercept_)
    )
    least_squares = LeastSquaresCost(stats, model.fit_intercept)
    scaled_cost = least_squares.value(coef[:, 0], intercept[0])
    cost = float(least_squares.value_path(coef[None], intercept[None], data_units=True)[0])
    y_scale = float(stats.y_scale[0])
    # From the statistics: Σ(residual²) = 2n·L and Σ(y − ȳ)² = S_yy, so that a streamed file,
    # never held in memory, gets the same numbers as one read at once.
    spread = float(stats.yy[0])
    r2 = 1.0 - 2.0 * stats.weight_sum * scaled_cost / spread if spread > 0 else math.nan
    summary: dict[str, Any] = {
        "data": data.description.strip("'"),
        "rows": fit.n_rows,
        "features": list(data.features),
        "target": data.target,
        "method": method,
        "coef": dict(zip(data.features, map(float, model.coef_), strict=True)),
        "intercept": float(model.intercept_),
        "cost": cost,
        "r2": r2,
        "rmse": math.sqrt(2.0 * scaled_cost) * y_scale,
        "fit_time_s": fit.seconds,
        "chunks": fit.chunks or None,
    }
    if method == "analytic":
        summary["solver"] = model.solver_
    else:
        rate = model.learning_rate_
        summary.update(
            iterations=fit.iterations,
            iterations_last_chunk=int(model.n_iter_) if fit.chunks else None,
            learning_rate=model.learning_rate if isinstance(model.learning_rate, str) else None,
            # "exact" records one step per iteration, none when the start is the minimum.
            step=float(rate)
            if np.ndim(rate) == 0
            else (float(np.mean(rate)) if len(rate) else None),
            stable_below=2.0 / model.max_curvature_,
            standardized=bool(model.standardize),
            converged=bool(model.converged_),
        )
    summary["notes"] = list(fit.notes)
    return summary


def _text(summary: dict[str, Any], fit: _Fit, data: _Data) -> str:
    model = fit.model
    gd = summary["method"] == "gd"
    where = (
        "in standardised coordinates" if gd and summary["standardized"] else "in the data's units"
    )
    method = f"gradient descent, {where}" if gd else f"closed form ({summary['solver']})"
    read = f", streamed in {fit.chunks:,} chunks" if fit.chunks else ""
    lines = [
        f"data: {fit.n_rows:,} rows of {data.description}, target {data.target}{read}",
        f"method: {method}",
    ]
    if len(data.features) <= 4:
        lines.append(f"line: {_line(model.coef_, model.intercept_, data.features, data.target)}")
    else:
        width = max(len(name) for name in [*data.features, "intercept"])
        lines.append(f"line: {data.target} = Σ w·x + b, with")
        for name, value in [*summary["coef"].items(), ("intercept", summary["intercept"])]:
            lines.append(f"  {name:<{width}}  {value: .6g}")
    residual = "m·x + b − y" if len(data.features) == 1 else "x·w + b − y"
    r2 = (
        "undefined (the target is constant)"
        if math.isnan(summary["r2"])
        else f"{summary['r2']:.6f}"
    )
    lines += [
        f"cost L = 1/(2n)·Σ({residual})²: {summary['cost']:.6g}",
        f"R²: {r2}",
        f"RMSE: {summary['rmse']:.6g}",
    ]
    if gd:
        if summary["learning_rate"] == "exact":
            step = "exact line search" + (
                f", mean step {summary['step']:.4g}" if summary["step"] is not None else ", no step"
            )
        else:
            chosen = "auto, " if summary["learning_rate"] == "auto" else ""
            step = f"{summary['step']:.6g} ({chosen}stable below {summary['stable_below']:.6g})"
        converged = "yes" if summary["converged"] else "no — " + _not_converged_hint(model)
        chunks = (
            f" over {fit.chunks:,} chunks ({summary['iterations_last_chunk']:,} in the last)"
            if fit.chunks
            else ""
        )
        lines.append(
            f"iterations: {summary['iterations']:,}{chunks}, learning rate: {step}, "
            f"converged: {converged}"
        )
    lines.append(f"fit time: {_duration(summary['fit_time_s'])}")
    lines += [f"note: {note}" for note in summary["notes"]]
    return "\n".join(lines)


def _not_converged_hint(model) -> str:
    remedies = ["raise --max-iter"]
    if not isinstance(model.learning_rate, str):
        remedies.append(f"a larger --learning-rate (below {2.0 / model.max_curvature_:.4g})")
    if not model.standardize:
        remedies.append("drop --no-standardize")
    return f"max_iter={model.max_iter:,} reached; {', or '.join(remedies)}"


def _duration(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _json(summary: dict[str, Any]) -> str:
    def finite(value):
        return None if isinstance(value, float) and not math.isfinite(value) else value

    return json.dumps({key: finite(value) for key, value in summary.items()}, ensure_ascii=False)


# --plot


def _check_plot_target(path: str) -> Path:
    """Fail before the fit, not after it, if the figure cannot be written."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise InputError(
            "--plot needs matplotlib, which is not installed: pip install 'gdregress[plot]'"
        ) from None
    target = Path(path)
    formats = Figure().canvas.get_supported_filetypes()
    suffix = target.suffix.lower().lstrip(".")
    if suffix not in formats:
        raise InputError(
            f"--plot {path}: matplotlib writes {', '.join('.' + f for f in sorted(formats))} "
            "files; name the figure FILE.png, for example"
        )
    folder = target.parent
    if not folder.is_dir():
        raise InputError(f"--plot {path}: the folder '{folder}' does not exist; create it first")
    return target


def _save_plot(fit: _Fit, data: _Data, target: Path) -> None:
    from .plotting import plot_summary

    xlabel, ylabel = data.labels()
    shown = len(fit.y)
    title = f"{data.target} on {', '.join(data.features)}: {fit.n_rows:,} rows of "
    title += data.description.strip("'")
    if shown < fit.n_rows:
        title += f" (the first {shown:,} drawn)"
    figure = plot_summary(fit.model, fit.X, fit.y, xlabel=xlabel, ylabel=ylabel, title=title)
    try:
        figure.savefig(target)
    except OSError as exc:
        raise InputError(f"--plot: cannot write '{target}': {exc.strerror or exc}") from None


def _fit_command(args: argparse.Namespace) -> None:
    model = _estimator(args)
    target = _check_plot_target(args.plot) if args.plot else None
    data = _data(args)
    rows = _stream_rows(args, data)
    method_name = "gradient descent" if args.method == "gd" else "the closed form"
    fit = _run_fit(model, data, rows, method_name)
    summary = _summary(fit, data, args.method)
    if target is not None:
        _save_plot(fit, data, target)
        summary["plot"] = str(target)
    print(_json(summary) if args.json else _text(summary, fit, data))


# compare


def comparison_table(X, y, *, cv: int = 5, random_state: int = 0):
    """Cross-validate gdregress's estimators against scikit-learn's, as a table.

    The four models — :class:`~gdregress.AnalyticLeastSquares`,
    :class:`~gdregress.GradientDescentRegressor`, scikit-learn's
    :class:`~sklearn.linear_model.LinearRegression`, and its
    :class:`~sklearn.linear_model.SGDRegressor` after a
    :class:`~sklearn.preprocessing.StandardScaler` (stochastic gradient descent needs scaled
    features) — are fitted on the same shuffled folds and scored on the held-out fold.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    cv : int, default=5
        Number of folds.
    random_state : int, default=0
        Seed of the shuffle of the rows into folds (and of SGDRegressor).

    Returns
    -------
    pandas.DataFrame
        One row per model; columns ``R² mean``, ``R² std``, ``RMSE mean``, ``RMSE std``
        (standard deviations over the folds, ddof=1) and ``fit time (ms)`` (mean per fold).

    Examples
    --------
    >>> from gdregress.cli import comparison_table
    >>> from gdregress.datasets import load_tv_advertising
    >>> X, y = load_tv_advertising(return_X_y=True)
    >>> table = comparison_table(X, y)
    >>> table[["R² mean", "RMSE mean"]].round(4)  # doctest: +NORMALIZE_WHITESPACE
                              R² mean  RMSE mean
    model
    AnalyticLeastSquares       0.5966     3.2347
    GradientDescentRegressor   0.5966     3.2347
    LinearRegression           0.5966     3.2347
    SGDRegressor (scaled)      0.5967     3.2346
    """
    import pandas as pd
    from sklearn.linear_model import LinearRegression, SGDRegressor
    from sklearn.model_selection import KFold, cross_validate
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from .linear_model import AnalyticLeastSquares, GradientDescentRegressor

    models = {
        "AnalyticLeastSquares": AnalyticLeastSquares(),
        "GradientDescentRegressor": GradientDescentRegressor(),
        "LinearRegression": LinearRegression(),
        "SGDRegressor (scaled)": make_pipeline(
            StandardScaler(), SGDRegressor(random_state=random_state)
        ),
    }
    folds = KFold(n_splits=cv, shuffle=True, random_state=random_state)
    scoring = {"r2": "r2", "rmse": "neg_root_mean_squared_error"}
    rows = {}
    for name, model in models.items():
        scores = cross_validate(model, X, y, cv=folds, scoring=scoring)
        r2, rmse = scores["test_r2"], -scores["test_rmse"]
        rows[name] = {
            "R² mean": r2.mean(),
            "R² std": r2.std(ddof=1),
            "RMSE mean": rmse.mean(),
            "RMSE std": rmse.std(ddof=1),
            "fit time (ms)": 1e3 * scores["fit_time"].mean(),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    return table


def _compare_command(args: argparse.Namespace) -> None:
    data = _data(args)
    X, y = data.read()
    if len(y) < args.cv:
        raise InputError(
            f"--cv {args.cv}: {args.cv} folds need at least {args.cv} rows, and "
            f"{data.description} has {len(y)}; use a smaller --cv"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        with Progress(lambda _: f"cross-validating 4 models on {len(y):,} rows"):
            try:
                table = comparison_table(X, y, cv=args.cv)
            except ValueError as exc:
                raise InputError(_one_line(exc)) from None
    notes_list = list(
        dict.fromkeys(f"{w.category.__name__}: {_one_line(w.message)}" for w in caught)
    )
    if args.json:
        print(
            json.dumps(
                {
                    "data": data.description.strip("'"),
                    "rows": len(y),
                    "features": data.features,
                    "target": data.target,
                    "folds": args.cv,
                    "table": table.reset_index().to_dict(orient="records"),
                    "notes": notes_list,
                },
                ensure_ascii=False,
            )
        )
        return
    formats = {
        "R² mean": "{:.4f}".format,
        "R² std": "{:.4f}".format,
        "RMSE mean": "{:.4g}".format,
        "RMSE std": "{:.3g}".format,
        "fit time (ms)": "{:.2f}".format,
    }
    print(
        f"{args.cv}-fold cross-validation (rows shuffled, seed 0) of {data.target} on "
        f"{', '.join(data.features)}, {len(y):,} rows of {data.description}"
    )
    print(table.rename_axis(None).to_string(formatters=formats, col_space=10))
    print("R² and RMSE on the held-out fold: mean and standard deviation over the folds.")
    for note in notes_list:
        print(f"note: {note}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``gdregress`` command.

    ``gdregress fit [CSV] [--x COL ...] [--y COL] [--method analytic|gd] [--learning-rate
    auto|exact|FLOAT] [--max-iter N] [--tol T] [--no-standardize] [--chunksize N]
    [--plot FILE.png] [--json]`` fits the line; ``gdregress compare [CSV] [--x COL ...]
    [--y COL] [--cv K] [--json]`` cross-validates. Without a command, ``fit``.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0, the exit status of success.

    Raises
    ------
    SystemExit
        With status 2 and one line on stderr for a user's mistake (status 0 for
        ``--help`` and ``--version``).

    Examples
    --------
    >>> main(["fit"])  # doctest: +ELLIPSIS
    data: 200 rows of the TV-advertising data (ISLR), target sales
    method: closed form (normal equations)
    line: TV → y = 0.0475·x + 7.0326
    cost L = 1/(2n)·Σ(m·x + b − y)²: 5.25633
    R²: 0.611875
    RMSE: 3.24232
    fit time: ...
    0
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] not in {"fit", "compare", "-h", "--help", "--version"}:
        args_list.insert(0, "fit")
    parser = _build_parser()
    args = parser.parse_args(args_list)
    try:
        if args.command == "compare":
            _compare_command(args)
        else:
            _fit_command(args)
    except InputError as exc:
        parser.exit(2, f"gdregress {args.command}: error: {_one_line(exc)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
