"""A fit on a dask.distributed cluster: gdregress against dask-ml, time and accuracy.

Run it with the dask extra (and dask-ml, if it is to be measured)::

    python benchmarks/bench_dask.py                         # 10⁸ rows × 3 in 100 partitions
    python benchmarks/bench_dask.py --rows 1e6 --features 1 # the issue's dask-ml figures
    python benchmarks/bench_dask.py --scheduler tcp://scheduler:8786   # a real cluster

The data, y = X·w + 7 + noise with standard normal X, are generated on the workers of a
LocalCluster (2 worker processes, 1 thread each, unless --scheduler is given) and persisted
there, so no fit pays for generating or moving them. Each fit is timed as the best of a few
runs (dask-ml's solvers once each: they are slow).

Accuracy is measured against a reference computed from the same data in extended precision:
every partition sums the Gram matrix of [X, 1, y] in numpy.longdouble on its worker, the
client adds them and solves the normal equations in exact rational arithmetic. With standard
normal features that system is well conditioned, so the reference carries ~18 digits.
Separately, at --exact-rows rows (10⁷ by default, which fit in memory), the distributed fit is
compared with the in-memory fit of the same data, computed to the client. Benchmarks measure;
the tests, not this script, assert correctness.
"""

from __future__ import annotations

import argparse
import contextlib
import time
import warnings
from fractions import Fraction

import dask
import dask.array as da
import numpy as np
import pandas as pd
from distributed import Client, LocalCluster, get_client, wait

from gdregress import AnalyticLeastSquares, GradientDescentRegressor

DASK_ML_SOLVERS = ["lbfgs", "admm", "gradient_descent"]


def make_data(n_rows: int, n_features: int, n_partitions: int, seed: int = 0):
    """X and y generated and persisted on the workers; returns them and the true parameters."""
    rng = da.random.default_rng(seed)
    rows = -(-n_rows // n_partitions)
    X = rng.standard_normal((n_rows, n_features), chunks=(rows, n_features))
    coef = np.linspace(1.5, -2.0, n_features) if n_features > 1 else np.array([1.5])
    noise = rng.standard_normal(n_rows, chunks=rows)
    y = X @ coef + 7.0 + noise
    X, y = dask.persist(X, y)
    if _has_client():
        wait([X, y])
    return X, y, np.r_[coef, 7.0]


def _has_client() -> bool:
    try:
        get_client()
    except ValueError:
        return False
    return True


def _gram_longdouble(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Gram matrix of [X, 1, y] in extended precision, for one block (run on a worker)."""
    A = np.empty((X.shape[0], X.shape[1] + 2), dtype=np.longdouble)
    A[:, :-2] = X
    A[:, -2] = 1
    A[:, -1] = y
    return np.einsum("ij,ik->jk", A, A)


def reference_solution(X, y) -> np.ndarray:
    """(coef..., intercept) from the extended-precision normal equations, solved exactly."""
    blocks = [
        dask.delayed(_gram_longdouble)(xb, yb)
        for xb, yb in zip(X.to_delayed().ravel(), y.to_delayed().ravel(), strict=True)
    ]
    gram = np.sum(dask.compute(*blocks), axis=0, dtype=np.longdouble)
    p = gram.shape[0] - 1
    # Exact rational Gaussian elimination on the (d+1)×(d+1) system G θ = b.
    a = [[Fraction(*gram[i, j].as_integer_ratio()) for j in range(p)] for i in range(p)]
    b = [Fraction(*gram[i, p].as_integer_ratio()) for i in range(p)]
    for k in range(p):
        for i in range(k + 1, p):
            factor = a[i][k] / a[k][k]
            for j in range(k, p):
                a[i][j] -= factor * a[k][j]
            b[i] -= factor * b[k]
    theta = [Fraction(0)] * p
    for i in reversed(range(p)):
        theta[i] = (b[i] - sum(a[i][j] * theta[j] for j in range(i + 1, p))) / a[i][i]
    return np.array([float(t) for t in theta])


def _parameters(model) -> np.ndarray:
    return np.r_[np.ravel(model.coef_), np.ravel(model.intercept_)]


def timed(fit, repeats: int):
    """Best wall time of ``fit()`` over ``repeats`` runs, and its last result."""
    best, result = np.inf, None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fit()
        best = min(best, time.perf_counter() - started)
    return best, result


def relative_error(got: np.ndarray, want: np.ndarray) -> float:
    """Largest relative error of any coefficient or the intercept."""
    return float(np.max(np.abs(got - want) / np.abs(want)))


def run(n_rows, n_features, n_partitions, *, repeats, solvers) -> pd.DataFrame:
    started = time.perf_counter()
    X, y, truth = make_data(n_rows, n_features, n_partitions)
    print(
        f"{n_rows:,} rows × {n_features} in {X.numblocks[0]} partitions "
        f"({(X.nbytes + y.nbytes) / 2**30:.2f} GiB) generated and persisted in "
        f"{time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    reference = reference_solution(X, y)
    print(f"extended-precision reference in {time.perf_counter() - started:.1f} s")

    rows = []

    def record(name, seconds, parameters):
        rows.append((name, seconds, parameters))
        error = (
            ""
            if parameters is None
            else f", rel. error {relative_error(parameters, reference):.3g}"
        )
        print(f"  {name}: {seconds:.3f} s{error}", flush=True)

    # A read of every partition, and nothing else: the floor of any distributed fit.
    seconds, _ = timed(lambda: dask.compute(X.sum(axis=0), y.sum()), repeats + 1)
    record("one read: column sums of X and y (the floor)", seconds, None)
    for name, make in [
        ("gdregress AnalyticLeastSquares", AnalyticLeastSquares),
        ("gdregress GradientDescentRegressor", GradientDescentRegressor),
    ]:
        seconds, model = timed(lambda make=make: make().fit(X, y), repeats)
        record(name, seconds, _parameters(model))

    if solvers:
        try:
            from dask_ml.linear_model import LinearRegression
        except ImportError:
            print("dask-ml is not installed: its solvers are not measured")
            solvers = []
    for solver in solvers:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # dask-ml's deprecation warnings
            seconds, model = timed(lambda s=solver: LinearRegression(solver=s).fit(X, y), 1)
        record(f"dask-ml LinearRegression(solver={solver!r})", seconds, _parameters(model))

    ours = rows[1][1]
    table = pd.DataFrame(
        [
            {
                "method": name,
                "wall time (s)": seconds,
                "× AnalyticLeastSquares": seconds / ours,
                "rel. error vs reference": np.nan if p is None else relative_error(p, reference),
            }
            for name, seconds, p in rows
        ]
    ).set_index("method")
    print(f"reference (coef..., intercept): {reference}")
    print(f"generating (coef..., intercept): {truth} (differs by the noise: a sanity check)")
    return table


def exactness(n_rows: int, n_features: int, n_partitions: int) -> pd.DataFrame:
    """The distributed fit against the in-memory fit of the same data, computed to the client."""
    X, y, _ = make_data(n_rows, n_features, n_partitions, seed=1)
    X_local, y_local = dask.compute(X, y)
    rows = []
    for make in (AnalyticLeastSquares, GradientDescentRegressor):
        distributed_fit = _parameters(make().fit(X, y))
        in_memory_fit = _parameters(make().fit(X_local, y_local))
        rows.append(
            {
                "estimator": make.__name__,
                "rel. difference, distributed vs in memory": relative_error(
                    distributed_fit, in_memory_fit
                ),
            }
        )
    del X_local, y_local
    return pd.DataFrame(rows).set_index("estimator")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=float, default=1e8)
    parser.add_argument("--features", type=int, default=3)
    parser.add_argument("--partitions", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of our fits")
    parser.add_argument(
        "--dask-ml",
        nargs="*",
        default=DASK_ML_SOLVERS,
        metavar="SOLVER",
        help=f"dask-ml solvers to measure (default: {' '.join(DASK_ML_SOLVERS)}; none: skip)",
    )
    parser.add_argument(
        "--exact-rows",
        type=float,
        default=1e7,
        help="rows of the distributed-versus-in-memory comparison (0: skip)",
    )
    parser.add_argument("--scheduler", help="address of a running scheduler, tcp://host:8786")
    parser.add_argument(
        "--local", action="store_true", help="no cluster: dask's threaded scheduler in-process"
    )
    args = parser.parse_args(argv)
    pd.set_option("display.width", 160)
    pd.set_option("display.max_columns", None)
    pd.set_option("display.max_colwidth", 60)
    pd.set_option("display.float_format", lambda v: f"{v:.3g}")

    with contextlib.ExitStack() as stack:
        if args.local:
            client = None
        elif args.scheduler:
            client = stack.enter_context(Client(args.scheduler))
        else:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
                )
            )
            client = stack.enter_context(Client(cluster))
        if client is None:
            print("no cluster: dask's threaded scheduler in this process")
        else:
            workers = client.scheduler_info()["workers"].values()
            threads = sum(w["nthreads"] for w in workers)
            print(f"cluster: {len(workers)} worker processes, {threads} threads")
        print(
            run(
                int(args.rows),
                args.features,
                args.partitions,
                repeats=args.repeats,
                solvers=args.dask_ml,
            )
        )
        if args.exact_rows:
            n = int(args.exact_rows)
            print(f"\nexactness at {n:,} rows × {args.features} in {args.partitions} partitions")
            print(exactness(n, args.features, args.partitions))


if __name__ == "__main__":
    main()
