"""Time and memory of a least-squares fit: gdregress against the machine's floor and its peers.

Run it with the project's own dependencies (statsmodels is measured when it is installed)::

    python benchmarks/bench_fit.py                  # the three tall designs, a few minutes
    python benchmarks/bench_fit.py --quick          # a tenth of the rows
    python benchmarks/bench_fit.py --no-sgd         # without the slow SGDRegressor rows
    python benchmarks/bench_fit.py --dask           # also on a dask cluster, one worker per core
    python benchmarks/bench_fit.py --baseline DIR   # also the gdregress of DIR (an older
                                                    # checkout), side by side: before → after

Data: y = X·w + 7 + noise with X uniform on [0, 300], 10⁷ × 1, 10⁶ × 20 and 2·10⁵ × 100.

The floor is what any fit must do at least, measured by numpy on the same data: one read of X
(``X.sum(axis=0)``) and, with more than one feature, BLAS's own Gram matrix ``X.T @ X`` (on
BLAS's threads), the larger of the two. "× floor" is each time over the floor's. A fit also
reads y, at 10⁷ × 1 as much data again: the row "one read of X and y" (``X.sum(axis=0)`` and
``y.sum()``) shows what that costs, beside the floor.

The machine may be shared, so every time is taken in rounds that time every method once (the
floor, the closed form, the descent, the floor, ...): a busy spell slows all methods alike
instead of the few measured during it. The tables give the best of the rounds (9 by default;
3 for the peers, 1 for the slowest) and the median. Peak extra memory is the peak of
Python-tracked allocations (numpy's included) during one fit, as a multiple of the size of X
and y; "rel. diff" is the largest relative difference of the coefficients and intercept from
scikit-learn's LinearRegression. "partial_fit in 10 chunks" fits the same rows chunk by chunk
(10 contiguous slices); "× in memory" is its time, and a dask fit's (the same data in 10
blocks, persisted on a LocalCluster of one single-threaded worker process per core), over the
in-memory fit's; dask's own column sums of the same blocks (over the in-memory closed form)
show what dask itself costs a fit, its scheduler's round trips. Benchmarks measure; the tests,
not this script, assert correctness.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import itertools
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.stats
from sklearn.linear_model import LinearRegression, SGDRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import gdregress

Fit = Callable[[np.ndarray, np.ndarray], np.ndarray]  # returns (coef..., intercept) or None

DESIGNS = [(10**7, 1), (10**6, 20), (2 * 10**5, 100)]
CHUNKS = 10  # for partial_fit, and the blocks of the dask collections


def _parameters(model) -> np.ndarray:
    final = model[-1] if hasattr(model, "steps") else model
    coef, intercept = np.ravel(final.coef_), np.ravel(final.intercept_)
    if hasattr(model, "steps"):  # undo the scaler, to compare in the user's units
        scaler = model[0]
        coef = coef / scaler.scale_
        intercept = intercept - scaler.mean_ @ coef
    return np.r_[coef, intercept]


def _estimator(make) -> Fit:
    return lambda X, y: _parameters(make().fit(X, y))


def _partial(make) -> Fit:
    """``make()`` fitted by ``partial_fit`` over CHUNKS contiguous slices of the rows."""

    def fit(X, y):
        model = make()
        bounds = np.linspace(0, len(y), CHUNKS + 1).astype(int)
        for start, stop in itertools.pairwise(bounds):
            model.partial_fit(X[start:stop], y[start:stop])
        return _parameters(model)

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


def _read(X, y):
    """One read of X: the least any fit must do."""
    X.sum(axis=0)


def _read_both(X, y):
    """One read of X and of y: what a fit reads (beside the floor, not part of it)."""
    X.sum(axis=0)
    y.sum()


def _dask_read(X, y):
    """One read of the blocks on the cluster: what dask itself costs a fit."""
    import dask

    dask.compute(X.sum(axis=0), y.sum())


def _gram(X, y):
    """BLAS's Gram matrix of X: the least a fit by the normal equations must do."""
    X.T @ X


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


def load_baseline(folder: str):
    """The gdregress package of ``folder`` (an older checkout), imported beside this one."""
    init = Path(folder) / "gdregress" / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        "gdregress_baseline", init, submodule_search_locations=[str(init.parent)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["gdregress_baseline"] = module
    spec.loader.exec_module(module)
    return module


def on_workers(client, X, y):
    """X and y as dask arrays of CHUNKS blocks of rows, held by the cluster's workers."""
    import dask.array as da

    bounds = np.linspace(0, len(y), CHUNKS + 1).astype(int)
    pieces = list(itertools.pairwise(bounds))
    blocks_X = client.scatter([X[start:stop] for start, stop in pieces])
    blocks_y = client.scatter([y[start:stop] for start, stop in pieces])

    def stacked(blocks, shape_of, dtype):
        parts = zip(blocks, pieces, strict=True)
        return da.concatenate([da.from_delayed(b, shape_of(j - i), dtype) for b, (i, j) in parts])

    return (
        stacked(blocks_X, lambda rows: (rows, X.shape[1]), X.dtype),
        stacked(blocks_y, lambda rows: (rows,), y.dtype),
    )


def methods(n_features: int, args, baseline, client) -> list[tuple[str, Fit, int, str]]:
    """(name, fit, repeats, what it is measured against) for one design."""
    ours, peers, slow = args.repeats, min(args.repeats, args.peer_repeats), 1
    closed, descent = gdregress.AnalyticLeastSquares, gdregress.GradientDescentRegressor
    fits = [("floor: one read of X (X.sum(axis=0))", _read, ours, "")]
    if n_features > 1:
        fits.append(("floor: BLAS's Gram matrix X.T @ X", _gram, ours, ""))
    fits.append(("  beside it: one read of X and y", _read_both, ours, ""))
    fits += [
        ("scikit-learn LinearRegression", _estimator(LinearRegression), peers, ""),
        ("gdregress AnalyticLeastSquares", _estimator(closed), ours, ""),
        ("gdregress GradientDescentRegressor", _estimator(descent), ours, ""),
        ("gdregress AnalyticLeastSquares, float32 X", _estimator(closed), ours, "float32"),
        (f"  partial_fit in {CHUNKS} chunks", _partial(closed), ours, "closed"),
        (f"  partial_fit in {CHUNKS} chunks ", _partial(descent), ours, "descent"),
    ]
    if client is not None:
        workers = len(client.scheduler_info()["workers"])
        where = f"  on dask ({workers} workers, {CHUNKS} blocks)"
        fits += [("  dask's own column sums of the blocks", _dask_read, ours, "dask read")]
        fits += [(where, _estimator(closed), ours, "dask closed")]
        fits += [(where + " ", _estimator(descent), ours, "dask descent")]
    if baseline is not None:
        fits += [
            ("baseline AnalyticLeastSquares", _estimator(baseline.AnalyticLeastSquares), ours, ""),
            (
                "baseline GradientDescentRegressor",
                _estimator(baseline.GradientDescentRegressor),
                ours,
                "",
            ),
        ]
    fits.append(("numpy.linalg.lstsq", _lstsq, peers, ""))
    if n_features == 1:
        fits += [
            ("scipy.stats.linregress", _linregress, peers, ""),
            ("numpy.polyfit (degree 1)", _polyfit, peers, ""),
        ]
    if importlib.util.find_spec("statsmodels") is not None:
        fits.append(("statsmodels OLS", _statsmodels, slow, ""))
    if args.sgd:
        sgd = _estimator(lambda: make_pipeline(StandardScaler(), SGDRegressor(tol=1e-3)))
        fits.append(("SGDRegressor after StandardScaler (tol 1e-3)", sgd, slow, ""))
    return fits


def run_design(n_rows: int, n_features: int, args, baseline=None, client=None) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 300, size=(n_rows, n_features))
    true_coef = rng.uniform(-1, 1, size=n_features)
    y = X @ true_coef + 7 + rng.standard_normal(n_rows)
    data = {"": (X, y), "float32": (X.astype(np.float32), y)}  # cast once, outside the timing
    if client is not None:
        data["dask read"] = data["dask closed"] = data["dask descent"] = on_workers(client, X, y)
    fits = methods(n_features, args, baseline, client)
    inputs = [data.get(against, (X, y)) for _, _, _, against in fits]
    peaks, results = zip(
        *(peak_memory(fit, *xy) for (_, fit, _, _), xy in zip(fits, inputs, strict=True)),
        strict=True,
    )
    times: list[list[float]] = [[] for _ in fits]
    for round_ in range(max(k for _, _, k, _ in fits)):
        for (_, fit, k, _), xy, seconds in zip(fits, inputs, times, strict=True):
            if round_ < k:
                seconds.append(wall_time(fit, *xy))
    best = {name: min(seconds) for (name, *_), seconds in zip(fits, times, strict=True)}
    floor = max(best[name] for name, *_ in fits if name.startswith("floor"))
    reference = results[next(i for i, f in enumerate(fits) if "LinearRegression" in f[0])]
    in_memory = {
        "closed": best["gdregress AnalyticLeastSquares"],
        "descent": best["gdregress GradientDescentRegressor"],
    }
    in_memory["read"] = in_memory["closed"]
    table = []
    for (name, _, _, against), (Xi, yi), peak, result, seconds in zip(
        fits, inputs, peaks, results, times, strict=True
    ):
        kind = against.split()[-1] if against else ""
        table.append(
            {
                "method": name,
                "time (ms)": min(seconds) * 1e3,
                "median (ms)": float(np.median(seconds)) * 1e3,
                "× floor": min(seconds) / floor,
                "× LinearRegression": min(seconds) / best["scikit-learn LinearRegression"],
                "× in memory": min(seconds) / in_memory[kind] if kind in in_memory else np.nan,
                "peak extra memory (× data)": (
                    np.nan if against.startswith("dask") else peak / (Xi.nbytes + yi.nbytes)
                ),
                "rel. diff": (
                    np.nan
                    if result is None
                    else float(np.max(np.abs(result - reference) / np.abs(reference)))
                ),
            }
        )
    return pd.DataFrame(table).set_index("method")


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
    parser.add_argument("--no-sgd", dest="sgd", action="store_false", help="skip SGDRegressor")
    parser.add_argument("--repeats", type=int, default=9, help="rounds (gdregress, the floor)")
    parser.add_argument("--peer-repeats", type=int, default=3, help="rounds for the peers")
    parser.add_argument("--dask", action="store_true", help="also fit on a dask LocalCluster")
    parser.add_argument("--baseline", metavar="DIR", help="also time DIR/gdregress")
    parser.add_argument(
        "--designs", default="0,1,2", help="which of 10⁷×1, 10⁶×20, 2·10⁵×100 (0,1,2)"
    )
    args = parser.parse_args(argv)
    baseline = load_baseline(args.baseline) if args.baseline else None
    client = None
    if args.dask:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(
            n_workers=os.cpu_count(), threads_per_worker=1, dashboard_address=None
        )
        client = Client(cluster)
    scale = 10 if args.quick else 1
    for index in map(int, args.designs.split(",")):
        n_rows, n_features = DESIGNS[index]
        n_rows //= scale
        print(f"\n{n_rows:,} rows × {n_features} feature{'s' * (n_features > 1)}", flush=True)
        table = run_design(n_rows, n_features, args, baseline, client)
        print(table.to_string(float_format=lambda v: f"{v:.3g}", na_rep=""), flush=True)
    if client is not None:
        client.close()
        cluster.close()
    seconds, heavy = import_time()
    print(
        f"\nimport gdregress: {seconds * 1e3:.0f} ms; optional modules imported: {heavy or 'none'}"
    )


if __name__ == "__main__":
    main()
