"""The ``gdregress`` command: fit the least-squares line and print it.

``gdregress`` (or ``python -m gdregress``) with no arguments fits the bundled TV-advertising
data, sales on TV budget, in closed form, and prints the fitted line, its cost and R².
``--method gd`` fits it by gradient descent instead. User errors exit with status 2 and one
line on stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

import numpy as np

from . import __version__
from ._statistics import compute_statistics
from .cost import LeastSquaresCost

__all__ = ["main"]


class _OneLineErrors(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr and exit status 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _OneLineErrors(
        prog="gdregress",
        description=(
            "Fit the least-squares line y = m·x + b to the bundled TV-advertising data "
            "(sales on TV budget), in closed form or by gradient descent."
        ),
    )
    parser.add_argument("--version", action="version", version=f"gdregress {__version__}")
    subcommands = parser.add_subparsers(dest="command", parser_class=_OneLineErrors)
    fit = subcommands.add_parser("fit", help="fit the line and print it (the default)")
    for command in (parser, fit):
        command.add_argument(
            "--method",
            choices=["analytic", "gd"],
            default="analytic",
            help="closed form (analytic, the default) or gradient descent (gd)",
        )
    return parser


def _describe_line(coef: np.ndarray, intercept: float, names: Sequence[str]) -> str:
    if len(coef) == 1:
        sign = "-" if intercept < 0 else "+"
        return f"{names[0]} → y = {coef[0]:.4f}·x {sign} {abs(intercept):.4f}"
    terms = " ".join(
        f"{'-' if c < 0 else '+'} {abs(c):.6g}·{n}" for c, n in zip(coef, names, strict=True)
    )
    return f"y = {intercept:.6g} {terms}"


def _fit(method: str) -> str:
    from .datasets import load_tv_advertising
    from .linear_model import AnalyticLeastSquares, GradientDescentRegressor

    data = load_tv_advertising()
    X, y = data.data, data.target
    model = AnalyticLeastSquares() if method == "analytic" else GradientDescentRegressor()
    started = time.perf_counter()
    model.fit(X, y)
    elapsed = time.perf_counter() - started
    cost = LeastSquaresCost(compute_statistics(X, y)).value(model.coef_, model.intercept_)
    lines = [
        f"data: {len(y)} rows of the TV-advertising data (ISLR), target {data.target_names[0]}",
        f"method: {'closed form' if method == 'analytic' else 'gradient descent'}",
        f"line: {_describe_line(model.coef_, model.intercept_, data.feature_names)}",
        f"cost L = 1/(2n)·Σ(m·x + b − y)²: {cost:.6g}",
        f"R²: {model.score(X, y):.6f}",
    ]
    if method == "gd":
        lines.append(
            f"iterations: {model.n_iter_}, learning rate: {np.mean(model.learning_rate_):.4g}"
        )
    lines.append(f"fit time: {elapsed * 1e3:.2f} ms")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``gdregress`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status: 0 on success, 2 for a user error.

    Examples
    --------
    >>> main(["fit"])  # doctest: +ELLIPSIS
    data: 200 rows of the TV-advertising data (ISLR), target sales
    method: closed form
    line: TV → y = 0.0475·x + 7.0326
    ...
    0
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    print(_fit(args.method))
    return 0


if __name__ == "__main__":
    sys.exit(main())
