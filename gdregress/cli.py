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

This module holds the commands and the entry point, :func:`main`; the pieces they use are
``_cli_parser`` (the arguments), ``_cli_data`` (the bundled table or the CSV file),
``_cli_fit`` (the estimator, fitted at once or streamed), ``_cli_report`` (what is printed)
and ``_cli_plot`` (``--plot`` and ``--animate``).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence

# Only what parsing the arguments needs is imported here: ``gdregress --help`` and
# ``--version`` answer at once. Each command imports what it uses (numpy, pandas,
# scikit-learn) when it runs.
from ._cli_parser import build_parser
from ._messages import InputError, one_line

# typing.TYPE_CHECKING without importing typing (a few ms of the command's start).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._cli_data import CommandData

__all__ = ["comparison_table", "main"]

#: Files larger than this many bytes are streamed when ``--chunksize`` is not given.
STREAM_BYTES = 256 * 2**20
# A streamed chunk holds about 64 MiB of float64 numbers.
_STREAM_CHUNK_NUMBERS = 2**23


#: The subcommands; a first argument that is none of them is ``fit``'s CSV file.
COMMANDS = ("fit", "compare")


def _looks_like_a_command(word: str) -> bool:
    """Whether ``word``, first on the command line, was meant as a subcommand.

    ``gdregress data.csv`` is ``gdregress fit data.csv``: a word that names an existing path,
    or has a folder separator or a file extension, is a file. Any other word (``compar``,
    ``fitt``, ``help``) is a command that does not exist, not a file that does not exist.
    """
    from pathlib import PurePath

    if word.startswith("-") or os.path.exists(word):
        return False
    has_folder = os.sep in word or "/" in word or (os.altsep is not None and os.altsep in word)
    return not has_folder and not PurePath(word).suffix


def _unknown_command(word: str) -> str:
    import difflib

    commands = " and ".join(COMMANDS)
    close = difflib.get_close_matches(word, COMMANDS, n=1)
    if close:
        return f"unknown command '{word}' (did you mean '{close[0]}'?); the commands are {commands}"
    return (
        f"unknown command '{word}': the commands are {commands} (and a CSV file is named with "
        f"its extension, such as {word}.csv)"
    )


def _stream_rows(args: argparse.Namespace, data: CommandData) -> int | None:
    """Rows per chunk when the file is streamed, or None to read it at once."""
    if args.chunksize == 0:
        return None
    if args.chunksize is not None:
        return args.chunksize
    if data.table is None or data.table.size <= STREAM_BYTES:
        return None
    return max(1000, _STREAM_CHUNK_NUMBERS // (len(data.features) + 1))


def _fit_command(args: argparse.Namespace) -> None:
    from ._cli_data import command_data
    from ._cli_fit import estimator, run_fit
    from ._cli_plot import (
        check_animation,
        check_animation_target,
        check_diagnostics,
        check_plot_target,
        save_animation,
        save_diagnostics,
        save_plot,
    )
    from ._cli_report import summary, summary_json, summary_text

    model = estimator(args)
    target = check_plot_target(args.plot) if args.plot else None
    panels = args.plot_diagnostics
    panels = check_plot_target(panels, "--plot-diagnostics") if panels else None
    movie = check_animation_target(args.animate, args.method) if args.animate else None
    data = command_data(args)
    rows = _stream_rows(args, data)
    if movie is not None:
        check_animation(data, rows)
    if panels is not None:
        check_diagnostics(rows)
    method_name = "gradient descent" if args.method == "gd" else "the closed form"
    fit = run_fit(model, data, rows, method_name)
    found = summary(fit, data, args.method)
    saved = []  # where the files went: the JSON's keys, or the text's last lines
    if target is not None:
        save_plot(fit, data, target)
        found["plot"] = str(target)
        saved.append(f"saved the plot to {target}")
    if panels is not None:
        save_diagnostics(fit, data, panels)
        found["plot_diagnostics"] = str(panels)
        saved.append(f"saved the diagnostic plots to {panels}")
    if movie is not None:
        save_animation(fit, data, movie)
        found["animation"] = str(movie)
        saved.append(f"saved the animation to {movie}")
    print(summary_json(found) if args.json else "\n".join([summary_text(found, fit, data), *saved]))


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
        One row per model; columns ``r2_mean``, ``r2_std``, ``rmse_mean``, ``rmse_std``
        (standard deviations over the folds, ddof=1) and ``fit_time_s`` (mean per fold, in
        seconds): the keys of ``gdregress compare --json``.

    Examples
    --------
    >>> from gdregress.cli import comparison_table
    >>> from gdregress.datasets import load_tv_advertising
    >>> X, y = load_tv_advertising(return_X_y=True)
    >>> table = comparison_table(X, y)
    >>> table[["r2_mean", "rmse_mean"]].round(4)  # doctest: +NORMALIZE_WHITESPACE
                              r2_mean  rmse_mean
    model
    AnalyticLeastSquares       0.5966     3.2347
    GradientDescentRegressor   0.5966     3.2347
    LinearRegression           0.5966     3.2347
    SGDRegressor (scaled)      0.5967     3.2346
    """
    return _cross_validate(_comparison_models(random_state), X, y, cv, random_state)


def _comparison_models(random_state: int) -> dict:
    """The four models of the comparison, by name (importing scikit-learn's modules)."""
    from sklearn.linear_model import LinearRegression, SGDRegressor
    from sklearn.model_selection import cross_validate  # noqa: F401 - imported for _cross_validate
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from .linear_model import AnalyticLeastSquares, GradientDescentRegressor

    return {
        "AnalyticLeastSquares": AnalyticLeastSquares(),
        "GradientDescentRegressor": GradientDescentRegressor(),
        "LinearRegression": LinearRegression(),
        "SGDRegressor (scaled)": make_pipeline(
            StandardScaler(), SGDRegressor(random_state=random_state)
        ),
    }


def _cross_validate(models: dict, X, y, cv: int, random_state: int):
    """The comparison table of ``models``: R² and RMSE on held-out folds, and the fit time."""
    import pandas as pd
    from sklearn.model_selection import KFold, cross_validate

    folds = KFold(n_splits=cv, shuffle=True, random_state=random_state)
    scoring = {"r2": "r2", "rmse": "neg_root_mean_squared_error"}
    rows = {}
    for name, model in models.items():
        scores = cross_validate(model, X, y, cv=folds, scoring=scoring)
        r2, rmse = scores["test_r2"], -scores["test_rmse"]
        rows[name] = {
            "r2_mean": r2.mean(),
            "r2_std": r2.std(ddof=1),
            "rmse_mean": rmse.mean(),
            "rmse_std": rmse.std(ddof=1),
            "fit_time_s": scores["fit_time"].mean(),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    return table


def _compare_command(args: argparse.Namespace) -> None:
    from ._cli_data import command_data
    from ._cli_report import comparison_json, comparison_text
    from ._progress import Progress

    data = command_data(args)
    X, y = data.read()
    if len(y) < args.cv:
        raise InputError(
            f"--cv {args.cv}: {args.cv} folds need at least {args.cv} rows, and "
            f"{data.description} has {len(y)}; use a smaller --cv"
        )
    # Imported before the progress report starts: importing scikit-learn's models and
    # model_selection takes about two seconds, which a 3-row cross-validation would report.
    models = _comparison_models(random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        with Progress(lambda _: f"cross-validating 4 models on {len(y):,} rows"):
            try:
                table = _cross_validate(models, X, y, args.cv, random_state=0)
            except ValueError as exc:
                raise InputError(one_line(exc)) from None
    notes = list(dict.fromkeys(f"{w.category.__name__}: {one_line(w.message)}" for w in caught))
    report = comparison_json if args.json else comparison_text
    print(report(table, data, len(y), args.cv, notes))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``gdregress`` command.

    ``gdregress fit [CSV] [--x COL ...] [--y COL] [--method analytic|gd] [--learning-rate
    auto|exact|FLOAT] [--max-iter N] [--tol T] [--no-standardize] [--chunksize N]
    [--plot FILE.png] [--animate FILE.gif] [--json]`` fits the line; ``gdregress compare
    [CSV] [--x COL ...] [--y COL] [--cv K] [--json]`` cross-validates. Without a command,
    ``fit``; a first word that is neither a command nor a file is an unknown command.

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
    method: closed form (QR with refinement)
    line: TV → y = 0.0475·x + 7.0326
    cost L = 1/(2n)·Σ(m·x + b − y)²: 5.25633
    R²: 0.611875
    RMSE: 3.24232
    coefficients:
                  Estimate Std. Error t value Pr(>|t|)
      (Intercept)  7.03259   0.457843   15.36   <2e-16 ***
      TV           0.04754   0.002691   17.67   <2e-16 ***
    residual standard error: 3.259 on 198 degrees of freedom, adjusted R²: 0.609915
    F-statistic: 312.1 on 1 and 198 DF,  p-value: < 2.2e-16
    Residuals:
        Min      1Q  Median      3Q     Max
    -8.3860 -1.9545 -0.1913  2.0671  7.2124
    Log-Likelihood: -519.05    AIC:              1042.09    BIC:           1048.69
    Durbin-Watson:    1.935    Omnibus:            0.531    Prob(Omnibus):   0.767
    Skew:            -0.089    Jarque-Bera (JB):   0.669    Prob(JB):        0.716
    Kurtosis:         2.779    Cond. No.:          1.000
    Cond. No. of the centred, column-scaled design.
    fit time: ...
    0
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(stream_bytes=STREAM_BYTES, chunk_bytes=8 * _STREAM_CHUNK_NUMBERS)
    if not args_list or args_list[0] not in {*COMMANDS, "-h", "--help", "--version"}:
        if args_list and _looks_like_a_command(args_list[0]):
            parser.error(_unknown_command(args_list[0]))
        args_list.insert(0, "fit")
    args = parser.parse_args(args_list)
    try:
        if args.command == "compare":
            _compare_command(args)
        else:
            _fit_command(args)
    except InputError as exc:
        parser.exit(2, f"gdregress {args.command}: error: {one_line(exc)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
