"""Many features: gdregress against LinearRegression on wide and sparse designs, side by side.

Run it with the project's own dependencies::

    python benchmarks/bench_wide.py            # every design of the README's table (~5 min)
    python benchmarks/bench_wide.py --quick    # without the 10⁶ × 10⁵ design
    python benchmarks/bench_wide.py --only onehot

Designs (seeded): sparse CSR with 10 standard-normal nonzeros per row in uniformly random
columns; dense standard normal; y = X·w + 3 + noise. "onehot" is
``cross_val_score(make_pipeline(ColumnTransformer([OneHotEncoder(handle_unknown="ignore")`` on
a 20,000-category column, ``StandardScaler`` on two numeric ones``]), estimator), cv=5)``.

Each fit is timed in rounds that run every estimator once (so a busy spell slows all alike),
reporting the best time and its ratio to LinearRegression's best. "rel. opt." is the relative
optimality ‖X_cᵀr‖/(‖X_c‖_F‖r‖) of the fitted line (0 at the exact minimum; rounding puts it
near 1e-16); "vs lstsq" the largest difference of the coefficients from numpy's minimum-norm
lstsq on the centred design, relative to their largest (dense designs only). "peak memory" is
the peak of Python-tracked allocations (numpy's and scipy's included) during one fit, as a
multiple of the size of X. Benchmarks measure; the tests assert correctness.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from gdregress import AnalyticLeastSquares, GradientDescentRegressor

ESTIMATORS = {
    "LinearRegression": LinearRegression,
    # At the precision AnalyticLeastSquares reaches (its sparse solver's default is 1e-6).
    "LinearRegression(tol=1e-12)": lambda: LinearRegression(tol=1e-12),
    "AnalyticLeastSquares": AnalyticLeastSquares,
    "GradientDescentRegressor": lambda: GradientDescentRegressor(tol=1e-8),
}

DESIGNS = {
    "sparse 20,000 × 2,000": ("sparse", 20_000, 2_000),
    "sparse 50,000 × 20,000": ("sparse", 50_000, 20_000),
    "sparse 10⁵ × 10⁴": ("sparse", 100_000, 10_000),
    "sparse 10⁶ × 10⁵": ("sparse", 1_000_000, 100_000),
    "dense 5,000 × 2,000": ("dense", 5_000, 2_000),
    "dense 1,000 × 3,000": ("dense", 1_000, 3_000),
}


def make_design(kind: str, n: int, d: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    if kind == "sparse":
        rows = np.repeat(np.arange(n), 10)
        X = sp.csr_matrix(
            (rng.standard_normal(n * 10), (rows, rng.integers(0, d, n * 10))), shape=(n, d)
        )
    else:
        X = rng.standard_normal((n, d))
    y = np.asarray(X @ rng.standard_normal(d)) + 3.0 + 0.1 * rng.standard_normal(n)
    return X, y


def size_of(X) -> int:
    if sp.issparse(X):
        return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    return X.nbytes


def relative_optimality(X, y, coef, intercept) -> float:
    r = y - np.asarray(X @ coef).ravel() - intercept
    mean = np.asarray(X.mean(axis=0)).ravel()
    gradient = np.asarray(X.T @ r).ravel() - mean * r.sum()
    if sp.issparse(X):
        frobenius = np.sqrt(X.multiply(X).sum() - X.shape[0] * np.sum(mean**2))
    else:
        frobenius = np.linalg.norm(X - mean)
    return float(np.linalg.norm(gradient) / (frobenius * np.linalg.norm(r)))


def against_lstsq(X, y, coef) -> float:
    if sp.issparse(X):
        return np.nan
    centred = X - X.mean(axis=0)
    reference = np.linalg.lstsq(centred, y - y.mean(), rcond=None)[0]
    return float(np.max(np.abs(coef - reference)) / np.max(np.abs(reference)))


def peak_memory(make, X, y) -> float:
    gc.collect()
    tracemalloc.start()
    make().fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / size_of(X)


def run_design(name: str, rounds: int) -> pd.DataFrame:
    kind, n, d = DESIGNS[name]
    X, y = make_design(kind, n, d)
    times = {label: [] for label in ESTIMATORS}
    fitted = {}
    for _ in range(rounds):
        for label, make in ESTIMATORS.items():
            gc.collect()
            start = time.perf_counter()
            fitted[label] = make().fit(X, y)
            times[label].append(time.perf_counter() - start)
    base = min(times["LinearRegression"])
    rows = []
    for label, make in ESTIMATORS.items():
        model = fitted[label]
        rows.append(
            {
                "design": name,
                "estimator": label,
                "route": getattr(model, "solver_", "lsqr" if kind == "sparse" else "lstsq (gelsd)"),
                "best s": min(times[label]),
                "× LR": min(times[label]) / base,
                "rel. opt.": relative_optimality(X, y, model.coef_, model.intercept_),
                "vs lstsq": against_lstsq(X, y, model.coef_),
                "peak memory × X": peak_memory(make, X, y) if rounds else np.nan,
            }
        )
    return pd.DataFrame(rows)


def one_hot_frame(n: int = 200_000, categories: int = 20_000, seed: int = 0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "city": rng.integers(0, categories, n).astype(str),
            "size": rng.standard_normal(n),
            "age": rng.uniform(0, 50, n),
        }
    )
    effects = rng.standard_normal(categories)
    y = effects[frame["city"].astype(int)] + 2.0 * frame["size"] - 0.1 * frame["age"]
    return frame, y + 0.3 * rng.standard_normal(n)


def run_one_hot(rounds: int) -> pd.DataFrame:
    frame, y = one_hot_frame()

    def pipeline(make):
        encode = ColumnTransformer(
            [
                ("city", OneHotEncoder(handle_unknown="ignore"), ["city"]),
                ("numbers", StandardScaler(), ["size", "age"]),
            ]
        )
        return make_pipeline(encode, make())

    times = {label: [] for label in ("LinearRegression", "AnalyticLeastSquares")}
    scores = {}
    for _ in range(rounds):
        for label in times:
            start = time.perf_counter()
            scores[label] = cross_val_score(pipeline(ESTIMATORS[label]), frame, y, cv=5)
            times[label].append(time.perf_counter() - start)
    base = min(times["LinearRegression"])
    reference = scores["LinearRegression"]
    return pd.DataFrame(
        [
            {
                "design": "one-hot pipeline, 200,000 rows, 20,000 categories, 5-fold CV",
                "estimator": label,
                "best s": min(times[label]),
                "× LR": min(times[label]) / base,
                "largest score difference": float(np.max(np.abs(scores[label] - reference))),
            }
            for label in times
        ]
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the 10⁶ × 10⁵ design")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="a substring of the designs to run ('onehot' too)")
    args = parser.parse_args(argv)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    for name in DESIGNS:
        if args.only and args.only not in name:
            continue
        if args.quick and "10⁶" in name:
            continue
        rounds = 1 if "10⁶" in name else args.rounds
        print(run_design(name, rounds).to_string(index=False, float_format=lambda v: f"{v:.3g}"))
        print(flush=True)
    if not args.only or args.only == "onehot":
        print(run_one_hot(args.rounds).to_string(index=False, float_format=lambda v: f"{v:.3g}"))


if __name__ == "__main__":
    main()
