"""Momentum: GradientDescentRegressor's defaults against the plain descent, LinearRegression and
AnalyticLeastSquares, side by side, on the designs of issue 22.

Run it with the project's own dependencies::

    python benchmarks/bench_momentum.py              # every design, 5 rounds (~15 min)
    python benchmarks/bench_momentum.py --rounds 3 --only sparse
    python benchmarks/bench_momentum.py --plain-statistics   # also the plain descent forced
                                                             # onto the one-hot statistics (slow)

Designs (seeded):

* one-hot: 200,000 rows, a city among 2,000 evenly used categories (one-hot, sparse) and two
  numeric columns: a size, independent of the city, and an income, the city's mean income
  (normal, 50 ± 15) plus an individual's variation of 1. The income is nearly a combination of
  the one-hot columns: that is what makes the standardised design ill-conditioned, as columns
  that describe a category are in real data. (With only independent numeric columns,
  ``--only one-hot-independent``, the plain descent takes 12 steps.)
* sparse 10⁵ × 10⁴: 10 standard-normal nonzeros a row in uniformly random columns.
* dense κ ≈ 10⁴: 100,000 rows × 50 correlated columns (of different scales and offsets) whose
  standardised Hessian, the correlation matrix, has condition number about 10⁴, its
  eigenvalues spread geometrically; the statistics route.

Each round fits every estimator once, in turn, so that a busy spell slows all alike; the table
gives the best time and the spread over the rounds (min–max), the steps, the relative
optimality ‖X_cᵀr‖/(‖X_c‖_F‖r‖) of the fitted line (0 at the minimum; rounding keeps it near
1e-16) and, for the descents, the largest difference from AnalyticLeastSquares' fit: of the
coefficients, relative to the largest ("coef"; on a design of full rank: the one-hot columns
beside an intercept are not, and there each solver has its own minimum norm), and of the
fitted values, relative to the spread of y ("fit"). The plain descent
(``momentum=0``, today's descent before momentum) is run once, outside the rounds, where it
takes more than a few seconds. Benchmarks measure; the tests assert correctness.
"""

from __future__ import annotations

import argparse
import gc
import time
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.preprocessing import OneHotEncoder

from gdregress import AnalyticLeastSquares, GradientDescentRegressor

ESTIMATORS = {
    "LinearRegression": LinearRegression,
    "AnalyticLeastSquares": AnalyticLeastSquares,
    "GradientDescentRegressor()": GradientDescentRegressor,
}
PLAIN = "GradientDescentRegressor(momentum=0)"


def one_hot(n: int = 200_000, categories: int = 2_000, *, independent=False, seed: int = 0):
    """The one-hot design of the module's docstring, as CSR, and its target."""
    rng = np.random.default_rng(seed)
    city = rng.integers(0, categories, n)
    size = rng.standard_normal(n)
    income = rng.normal(50.0, 15.0, categories)[city] + rng.standard_normal(n)
    if independent:
        income = rng.normal(50.0, 15.0, n)
    cities = OneHotEncoder().fit_transform(city[:, None])
    X = sp.hstack([cities, sp.csr_matrix(np.column_stack([size, income]))]).tocsr()
    y = rng.standard_normal(categories)[city] + 2.0 * size + 0.05 * income
    return X, y + 0.3 * rng.standard_normal(n)


def sparse(n: int = 100_000, d: int = 10_000, seed: int = 0):
    """bench_wide.py's sparse design: 10 standard-normal nonzeros a row."""
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(n), 10)
    X = sp.csr_matrix(
        (rng.standard_normal(n * 10), (rows, rng.integers(0, d, n * 10))), shape=(n, d)
    )
    return X, np.asarray(X @ rng.standard_normal(d)) + 3.0 + 0.1 * rng.standard_normal(n)


def ill_conditioned(n: int = 100_000, d: int = 50, kappa: float = 1e4, seed: int = 0):
    """Columns whose correlation matrix has condition number about ``kappa`` (its eigenvalues
    geometric from 1 to 1/kappa before the rescaling to unit diagonal), on scales of 0.5 to
    20 and offsets of ±5."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((d, d)))
    covariance = (basis * np.geomspace(1.0, 1.0 / kappa, d)) @ basis.T
    spread = np.sqrt(np.diag(covariance))
    correlation = covariance / np.outer(spread, spread)
    X = rng.standard_normal((n, d)) @ np.linalg.cholesky(correlation).T
    X = X * rng.uniform(0.5, 20.0, d) + rng.uniform(-5.0, 5.0, d)
    return X, X @ rng.standard_normal(d) + 1.0 + 0.5 * rng.standard_normal(n)


DESIGNS = {
    "one-hot 200,000 × (2,000 + 2)": one_hot,
    "one-hot-independent 200,000 × (2,000 + 2)": lambda: one_hot(independent=True),
    "sparse 10⁵ × 10⁴": sparse,
    "dense 10⁵ × 50, κ ≈ 10⁴": ill_conditioned,
}


def relative_optimality(X, y, coef, intercept) -> float:
    r = y - np.asarray(X @ coef).ravel() - intercept
    mean = np.asarray(X.mean(axis=0)).ravel()
    gradient = np.asarray(X.T @ r).ravel() - mean * r.sum()
    if sp.issparse(X):
        frobenius = np.sqrt(X.multiply(X).sum() - X.shape[0] * np.sum(mean**2))
    else:
        frobenius = np.linalg.norm(X - mean)
    return float(np.linalg.norm(gradient) / (frobenius * np.linalg.norm(r)))


def timed(make, X, y):
    gc.collect()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = make().fit(X, y)
    return model, time.perf_counter() - start


def run_design(name: str, rounds: int, plain_statistics: bool) -> pd.DataFrame:
    X, y = DESIGNS[name]()
    times = {label: [] for label in ESTIMATORS}
    fitted = {}
    for _ in range(rounds):
        for label, make in ESTIMATORS.items():
            fitted[label], seconds = timed(make, X, y)
            times[label].append(seconds)
    # The plain descent once (it can take minutes); on the dense design, with room to converge.
    plain = {"momentum": 0, "max_iter": 1_000_000 if "dense" in name else 100_000}
    fitted[PLAIN], seconds = timed(lambda: GradientDescentRegressor(**plain), X, y)
    times[PLAIN] = [seconds]
    if plain_statistics and "one-hot" in name:
        label = f"{PLAIN} on the statistics"
        make = lambda: GradientDescentRegressor(momentum=0, solver="statistics")  # noqa: E731
        fitted[label], seconds = timed(make, X, y)
        times[label] = [seconds]
        label = "GradientDescentRegressor() on the statistics"
        make = lambda: GradientDescentRegressor(solver="statistics")  # noqa: E731
        fitted[label], seconds = timed(make, X, y)
        times[label] = [seconds]
    base = min(times["LinearRegression"])
    closed = fitted["AnalyticLeastSquares"]
    full_rank = not sp.issparse(X) or "one-hot" not in name
    rows = []
    for label, model in fitted.items():
        descent = "Gradient" in label
        rows.append(
            {
                "design": name,
                "estimator": label,
                "route": getattr(model, "solver_", "lsqr" if sp.issparse(X) else "lstsq"),
                "best s": min(times[label]),
                "spread s": f"{min(times[label]):.3g}–{max(times[label]):.3g}",
                "× LR": min(times[label]) / base,
                "steps": model.n_iter_ if descent else np.nan,
                "rel. opt.": relative_optimality(X, y, model.coef_, model.intercept_),
                "coef vs closed": (
                    float(np.max(np.abs(model.coef_ - closed.coef_)) / np.max(np.abs(closed.coef_)))
                    if descent and full_rank
                    else np.nan
                ),
                "fit vs closed": (
                    float(np.max(np.abs(model.predict(X) - closed.predict(X))) / np.std(y))
                    if descent
                    else np.nan
                ),
            }
        )
    return pd.DataFrame(rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", help="a substring of the designs' names")
    parser.add_argument(
        "--plain-statistics",
        action="store_true",
        help="also the descents forced onto the one-hot design's statistics (minutes)",
    )
    args = parser.parse_args(argv)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    for name in DESIGNS:
        if args.only and args.only not in name:
            continue
        if not args.only and "independent" in name:
            continue
        table = run_design(name, args.rounds, args.plain_statistics)
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3g}"), flush=True)
        print()


if __name__ == "__main__":
    main()
