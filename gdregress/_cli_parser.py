"""The arguments of the ``gdregress`` command: argparse, one builder per subcommand.

``gdregress fit`` and ``gdregress compare`` share the data's arguments (the CSV file, the
columns, ``--json``); ``fit`` adds the method, the options of gradient descent and the output
options (streaming, the figure and the animation); ``compare`` the number of folds. A usage
mistake is one line on stderr and exit status 2, and a bad value says what a good one looks
like.
"""

from __future__ import annotations

import argparse
import math

from . import __version__
from ._messages import one_line

__all__ = ["build_parser"]

_DESCRIPTION = (
    "Fit the least-squares line y = m·x + b (or y = X·w + b) to a CSV file, in closed\n"
    "form or by gradient descent, and compare with scikit-learn. Without a CSV file,\n"
    "the bundled TV-advertising data: sales on TV budget."
)
_EXAMPLES = (
    "examples:\n"
    "  gdregress                                   the TV line, in closed form\n"
    "  gdregress fit --method gd --plot descent.png\n"
    "  gdregress fit --method gd --no-standardize --animate descent.gif\n"
    "  gdregress fit data.csv --x size rooms --y price --json\n"
    "  gdregress fit huge.csv.gz --chunksize 1000000\n"
    "  gdregress compare --cv 10\n\n"
    "Work that takes more than a second reports its progress on stderr. A mistake in\n"
    "the input exits with status 2 and one line on stderr saying what to fix."
)


class OneLineErrors(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr and exit status 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see {self.prog} --help)\n")


def build_parser(*, stream_bytes: int, chunk_bytes: int) -> argparse.ArgumentParser:
    """The parser of ``gdregress [fit|compare] ...``.

    Parameters
    ----------
    stream_bytes : int
        Files larger than this are streamed when ``--chunksize`` is not given (for the help).
    chunk_bytes : int
        About how many bytes of numbers a streamed chunk holds (for the help).
    """
    parser = OneLineErrors(
        prog="gdregress",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_DESCRIPTION,
        epilog=_EXAMPLES,
    )
    parser.add_argument("--version", action="version", version=f"gdregress {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=OneLineErrors)
    _add_fit_command(commands, stream_bytes, chunk_bytes)
    _add_compare_command(commands)
    return parser


def _add_fit_command(commands, stream_bytes: int, chunk_bytes: int) -> None:
    fit = commands.add_parser(
        "fit",
        help="fit the line and print it (the default command)",
        description="Fit the least-squares line and print it, its cost, R², RMSE and fit time.",
    )
    _add_data_arguments(fit)
    fit.add_argument(
        "--method",
        choices=["analytic", "gd"],
        default="analytic",
        help="closed form (analytic, the default) or gradient descent (gd)",
    )
    _add_descent_options(fit)
    _add_output_options(fit, stream_bytes, chunk_bytes)


def _add_compare_command(commands) -> None:
    compare = commands.add_parser(
        "compare",
        help="cross-validate gdregress's estimators against scikit-learn's",
        description=(
            "Cross-validate AnalyticLeastSquares, GradientDescentRegressor, scikit-learn's "
            "LinearRegression and SGDRegressor (after a StandardScaler): R² and RMSE on the "
            "held-out folds, mean and standard deviation, and the fit time."
        ),
    )
    _add_data_arguments(compare)
    compare.add_argument(
        "--cv", type=_folds, default=5, metavar="K", help="number of folds (default 5)"
    )


def _add_data_arguments(command: argparse.ArgumentParser) -> None:
    """The CSV file, its columns and ``--json``: the same for every subcommand."""
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


def _add_descent_options(fit: argparse.ArgumentParser) -> None:
    """The options of gradient descent; each defaults to None, "not given"."""
    fit.add_argument(
        "--learning-rate",
        type=_learning_rate,
        metavar="auto|exact|FLOAT",
        help="gd: the step α (default auto: conjugate gradients' steps; with --momentum 0, "
        "the best fixed step 2/(L_max + λ_min))",
    )
    fit.add_argument(
        "--momentum",
        type=_momentum,
        metavar="auto|FLOAT",
        help="gd: the fraction β in [0, 1) of the last step repeated (default auto: conjugate "
        "gradients with --learning-rate auto, else 0, the lecture's plain descent)",
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


def _add_output_options(fit: argparse.ArgumentParser, stream_bytes: int, chunk_bytes: int):
    """How the file is read (``--chunksize``) and the figures drawn (``--plot``, ``--animate``)."""
    fit.add_argument(
        "--chunksize",
        type=_chunksize,
        metavar="N",
        help="stream the CSV file N rows at a time through partial_fit, in constant memory "
        f"(default: files above {stream_bytes // 2**20} MiB are streamed in chunks of about "
        f"{chunk_bytes // 2**20} MiB of numbers; 0 reads the file at once)",
    )
    fit.add_argument(
        "--plot",
        metavar="FILE.png",
        help="draw the data with the line, the loss curve (gd) and the cost surface L(m, b) "
        "with the descent's path (one feature) side by side (needs matplotlib: "
        "pip install 'gdregress[plot]')",
    )
    fit.add_argument(
        "--plot-diagnostics",
        metavar="FILE.png",
        help="draw R's four diagnostic panels of the line: residuals against fitted values, "
        "normal Q-Q, scale-location, residuals against leverage with Cook's distance "
        "(needs the rows at once, and matplotlib: pip install 'gdregress[plot]')",
    )
    fit.add_argument(
        "--animate",
        metavar="FILE.gif",
        help="gd, one feature: write an animated GIF of the descent, its path on the contours "
        "of the cost L(m, b) beside its line moving through the data (at most 60 frames; "
        "needs matplotlib and Pillow: pip install 'gdregress[plot]'). The closed form takes "
        "no steps: --animate needs --method gd",
    )


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


def _momentum(text: str) -> str | float:
    if text == "auto":
        return text
    value = _real(text)
    if value is None or not 0 <= value < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a momentum: give a number in [0, 1) such as 0.9 (0 is the "
            "plain descent), or auto"
        )
    return value


def _tolerance(text: str) -> float:
    value = _real(text)
    if value is None or value < 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a tolerance: give a number ≥ 0, such as 1e-9"
        )
    return value
