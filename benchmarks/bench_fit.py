"""Time and memory of a least-squares fit: gdregress against its peers, side by side.

Run it with the project's own dependencies (statsmodels is measured when it is installed)::

    python benchmarks/bench_fit.py                 # the two shapes of the README, ~1 minute
    python benchmarks/bench_fit.py --quick         # a tenth of the rows
    python benchmarks/bench_fit.py --no-sgd        # without the slow SGDRegressor rows

Data: y = X·w + 7 + noise with X uniform on [0, 300]. Each fit is timed as the best (and the
median) of a few runs, taken in rounds that time every method once; peak extra memory is the
peak of Python-tracked allocations (numpy's included) during one fit, as a multiple of the size
of X and y; "rel. diff" is the largest relative difference of the coefficients and intercept
from scikit-learn's LinearRegression. Benchmarks measure; the tests, not this script, assert
correctness.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd
import scipy.stats
from sklearn.linear_model import LinearRegression, SGDRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from gdregress import AnalyticLeastSquares, GradientDescentRegressor

Fit = Callable[[np.ndarray, np.ndarray], np.ndarray]  # returns (coef..., intercept)


def _estimator(make) -> Fit:
    def fit(X, y):
        model = make().fit(X, y)
        final = model[-1] if hasattr(model, "steps") else model
        coef, intercept = np.ravel(final.coef_), np.ravel(final.intercept_)
        if hasattr(model, "steps"):  # undo the scaler, to compare in the user's units
            scaler = model[0]
            coef = coef / scaler.scale_
            intercept = intercept - scaler.mean_ @ coef
        return np.r_[coef, intercept]

    return fit


def _lstsq(X, y):
    design = np.column_stack([X, np.ones(len(y))])
    return np.linalg.lstsq(design, y, rcond=None)[0]


def _linregress(X, y):
    result = scipy.stats.linregress(X[:, 0], y)
    return np.r_[result.slope, result.intercept]


def _polyfit(X, y):
    return np.polyfit(X[:, 0], y, 1)


def _statsmodels(X, y):
    import statsmodels.api as sm

    params = sm.OLS(y, sm.add_constant(X, prepend=False)).fit().params
    return np.asarray(params)


def _floor(X, y):
    """One read of X and y: the least any fit must do."""
    return np.r_[X.sum(axis=0), y.sum()]


def peak_memory(fit: Fit, X, y) -> tuple[float, np.ndarray]:
    """Peak extra memory (bytes) of one ``fit(X, y)`` and its result (also a warm-up run)."""
    gc.collect()
    tracemalloc.start()
    result = fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, result


def wall_time(fit: Fit, X, y) -> float:
    """Wall time (s) of one ``fit(X, y)``."""
    gc.collect()
    started = time.perf_counter()
    fit(X, y)
    return time.perf_counter() - started


def run_shape(n_rows: int, n_features: int, *, sgd: bool, repeats: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 300, size=(n_rows, n_features))
    true_coef = rng.uniform(-1, 1, size=n_features)
    y = X @ true_coef + 7 + rng.standard_normal(n_rows)

    X32 = X.astype(np.float32)  # cast once, outside the timing
    # (name, fit, repeats, X to fit); the float32 row differs from the others by X's rounding
    fits: list[tuple[str, Fit, int, np.ndarray]] = [
        ("one read of X and y (numpy sums): the floor", _floor, repeats, X),
        ("scikit-learn LinearRegression", _estimator(LinearRegression), repeats, X),
        ("gdregress AnalyticLeastSquares", _estimator(AnalyticLeastSquares), repeats, X),
        ("gdregress GradientDescentRegressor", _estimator(GradientDescentRegressor), repeats, X),
        (
            "gdregress AnalyticLeastSquares, float32 X",
            _estimator(AnalyticLeastSquares),
            repeats,
            X32,
        ),
        ("numpy.linalg.lstsq", _lstsq, repeats, X),
    ]
    if n_features == 1:
        fits += [
            ("scipy.stats.linregress", _linregress, repeats, X),
            ("numpy.polyfit (degree 1)", _polyfit, repeats, X),
        ]
    if importlib.util.find_spec("statsmodels") is not None:
        fits.append(("statsmodels OLS", _statsmodels, 1, X))
    if sgd:
        sgd_pipeline = _estimator(lambda: make_pipeline(StandardScaler(), SGDRegressor(tol=1e-3)))
        fits.append(("SGDRegressor after StandardScaler (tol 1e-3)", sgd_pipeline, 1, X))

    peaks, results = zip(*(peak_memory(fit, data, y) for _, fit, _, data in fits), strict=True)
    # Round robin: each round times every method once, so a busy spell of a shared machine
    # slows all of them alike instead of the few measured during it.
    times: list[list[float]] = [[] for _ in fits]
    for round_ in range(max(k for _, _, k, _ in fits)):
        for (_, fit, k, data), seconds in zip(fits, times, strict=True):
            if round_ < k:
                seconds.append(wall_time(fit, data, y))
    rows = []
    for (name, _, _, data), peak, result, seconds in zip(fits, peaks, results, times, strict=True):
        rows.append(
            {
                "method": name,
                "time (ms)": min(seconds) * 1e3,
                "median (ms)": float(np.median(seconds)) * 1e3,
                "peak extra memory (× data)": peak / (data.nbytes + y.nbytes),
                "result": result,
            }
        )
    linear_regression = next(r for r in rows if r["method"].startswith("scikit-learn Linear"))
    reference, baseline = linear_regression["result"], linear_regression["time (ms)"] / 1e3
    for row in rows:
        row["× LinearRegression"] = row["time (ms)"] / (baseline * 1e3)
        result = row.pop("result")
        if row["method"].startswith("one read"):
            row["rel. diff"] = np.nan
        else:
            row["rel. diff"] = float(np.max(np.abs(result - reference) / np.abs(reference)))
    table = pd.DataFrame(rows).set_index("method")
    columns = ["time (ms)", "median (ms)", "× LinearRegression", "peak extra memory (× data)"]
    return table[[*columns, "rel. diff"]]


def import_time() -> tuple[float, list[str]]:
    """Seconds to ``import gdregress`` in a fresh interpreter, and heavy optional modules seen."""
    code = (
        "import sys, time; t = time.perf_counter(); import gdregress; "
        "print(time.perf_counter() - t); "
        "print(','.join(m for m in ('matplotlib', 'dask') if m in sys.modules))"
    )
    best = np.inf
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split("\n")
        best = min(best, float(out[0]))
    return best, [m for m in out[1].split(",") if m]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the rows")
    parser.add_argument("--no-sgd", action="store_true", help="skip SGDRegressor (slow)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per method")
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    for n_rows, n_features in [(10**7 // scale, 1), (10**6 // scale, 20)]:
        print(f"\n{n_rows:,} rows × {n_features} feature{'s' * (n_features > 1)}")
        table = run_shape(n_rows, n_features, sgd=not args.no_sgd, repeats=args.repeats)
        print(table.to_string(float_format=lambda v: f"{v:.3g}"))
    seconds, heavy = import_time()
    print(
        f"\nimport gdregress: {seconds * 1e3:.0f} ms; optional modules imported: {heavy or 'none'}"
    )


if __name__ == "__main__":
    main()
