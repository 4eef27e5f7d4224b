"""Momentum: GradientDescentRegressor's defaults against the plain descent, LinearRegression and
AnalyticLeastSquares, side by side, on the designs of issue 22.

Run it with the project's own dependencies::

    python benchmarks/bench_momentum.py              # every design, 5 rounds (~15 min)
    python benchmarks/bench_momentum.py --rounds 3 --only sparse
    python benchmarks/bench_momentum.py --plain-statistics   # also the plain descent forced
                                                             # onto the one-hot statistics (slow)
    python benchmarks/bench_momentum.py --methods  # the candidates for momentum="auto"

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

``--methods`` measures what ``momentum="auto"`` chooses between. On the statistics: the plain
descent (``momentum=0``), Polyak's heavy ball (``momentum=((√κ − 1)/(√κ + 1))²``, its step
2(1 + β)/(L_max + λ_min)) and conjugate directions (``"auto"``), on the dense design at
κ = 10² to 10⁵. Matrix-free: conjugate gradients (``"auto"``), the plain descent's exact steps
(``momentum=0``), and Nesterov's accelerated gradient with adaptive restart (O'Donoghue and
Candès, 2015; written out below on the centred, standardised design, with L_max from scipy's
eigsh), run to the relative optimality conjugate gradients reached; products with X or its
transpose counted (conjugate gradients: two a step, and one every 50 steps to refresh the
residual; the plain descent's Lanczos runs for L_max and λ_min, not counted, add more).
"""

from __future__ import annotations

import argparse
import gc
import time
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp

# The optimality measure of the wide benchmarks (this folder is on the path of a script run
# from it): the gradient over the design and residual scales.
from bench_wide import relative_optimality
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


def statistics_methods(kappas=(1e2, 1e3, 1e4, 1e5)) -> pd.DataFrame:
    rows = []
    for kappa in kappas:
        X, y = ill_conditioned(n=20_000, kappa=kappa)
        root = np.sqrt(kappa)
        candidates = {
            "plain (momentum=0)": {"momentum": 0, "max_iter": 1_000_000},
            "heavy ball (Polyak's β)": {"momentum": ((root - 1) / (root + 1)) ** 2},
            "conjugate directions (auto)": {},
        }
        for label, params in candidates.items():
            model, seconds = timed(lambda p=params: GradientDescentRegressor(**p), X, y)
            rows.append(
                {
                    "κ": f"{kappa:.0e}",
                    "method": label,
                    "steps": model.n_iter_,
                    "converged": model.converged_,
                    "fit s": seconds,
                }
            )
    return pd.DataFrame(rows)


def standardised_operator(X):
    """The centred, standardised design [(X − mean)/std, 1] as a LinearOperator, and the
    columns' spreads."""
    from scipy.sparse.linalg import LinearOperator

    n, d = X.shape
    mean = np.asarray(X.mean(axis=0)).ravel()
    if sp.issparse(X):
        spread = np.sqrt(np.asarray(X.multiply(X).mean(axis=0)).ravel() - mean**2)
    else:
        spread = X.std(axis=0)
    spread = np.where(spread > 0, spread, 1.0)

    def matvec(v):
        v = np.ravel(v)
        coef = v[:d] / spread
        return np.asarray(X @ coef).ravel() - mean @ coef + v[d]

    def rmatvec(r):
        r = np.ravel(r)
        return np.r_[(np.asarray(X.T @ r).ravel() - mean * r.sum()) / spread, r.sum()]

    operator = LinearOperator((n, d + 1), matvec=matvec, rmatvec=rmatvec, dtype=np.float64)
    return operator, spread


def nesterov_with_restart(X, y, target: float, max_iter: int = 5_000):
    """Nesterov's accelerated gradient on ½‖Mθ − y‖²/n with the gradient restart of
    O'Donoghue and Candès (momentum forgotten when the step goes uphill of the last
    gradient), until the relative optimality of X is at most ``target``; returns (steps,
    products with X or its transpose)."""
    from scipy.sparse.linalg import LinearOperator, eigsh

    M, spread = standardised_operator(X)
    n, d = X.shape
    counted = {"products": 0}

    def gram(v):
        counted["products"] += 2
        return M.rmatvec(M.matvec(v)) / n

    largest = float(
        eigsh(LinearOperator((d + 1,) * 2, matvec=gram), k=1, tol=1e-3, return_eigenvectors=False)[
            0
        ]
    )
    frobenius = np.sqrt(n * np.sum(spread**2))  # ‖X_c‖_F
    theta = previous = np.zeros(d + 1)
    k = 0
    for step in range(max_iter):
        point = theta + k / (k + 3) * (theta - previous)
        residual = M.matvec(point) - y
        gradient = M.rmatvec(residual)
        counted["products"] += 2
        if np.linalg.norm(gradient[:d] * spread) <= target * frobenius * np.linalg.norm(residual):
            return step, counted["products"]
        previous, theta = theta, point - gradient / (n * largest)
        k = 0 if gradient @ (theta - previous) > 0 else k + 1  # the restart
    return max_iter, counted["products"]


def operator_methods(names=("one-hot 200,000 × (2,000 + 2)", "sparse 10⁵ × 10⁴")):
    rows = []

    def row(name, method, steps, products, seconds, optimality):
        rows.append(
            {
                "design": name,
                "method": method,
                "steps": steps,
                "products": products,
                "fit s": seconds,
                "rel. opt.": optimality,
            }
        )

    for name in names:
        X, y = DESIGNS[name]()
        auto, seconds = timed(GradientDescentRegressor, X, y)
        reached = relative_optimality(X, y, auto.coef_, auto.intercept_)
        products = 2 * auto.n_iter_ + auto.n_iter_ // 50
        row(name, "conjugate gradients (auto)", auto.n_iter_, products, seconds, reached)
        plain, seconds = timed(lambda: GradientDescentRegressor(momentum=0), X, y)
        optimality = relative_optimality(X, y, plain.coef_, plain.intercept_)
        row(name, "plain, exact steps (momentum=0)", plain.n_iter_, np.nan, seconds, optimality)
        start = time.perf_counter()
        steps, products = nesterov_with_restart(X, y, max(reached, 1e-14))
        optimality = reached if steps < 5_000 else np.nan  # not reached in 5,000 steps
        seconds = time.perf_counter() - start
        row(name, "Nesterov with adaptive restart", steps, products, seconds, optimality)
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
    parser.add_argument(
        "--methods", action="store_true", help="the candidates for momentum='auto', per route"
    )
    args = parser.parse_args(argv)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    if args.methods:
        for table in (statistics_methods(), operator_methods()):
            print(table.to_string(index=False, float_format=lambda v: f"{v:.3g}"), flush=True)
        return
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
