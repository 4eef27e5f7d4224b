"""A fit on a Dask cluster
========================

Fit a line to data partitioned across a dask.distributed cluster.

Starts a LocalCluster (two worker processes) unless given the address of a running
scheduler, writes a data set as Parquet partitions in a folder, reads it back lazily with
dask.dataframe and fits it with both estimators. Every partition's statistics are computed on
the worker that reads it and merged up a tree; only those few numbers reach this process.

    python examples/dask_cluster.py [OUTPUT_FOLDER]                 # a LocalCluster
    python examples/dask_cluster.py --scheduler tcp://scheduler:8786 --data s3://bucket/ads

On a real cluster the data folder must be one every worker can read (S3, GCS, HDFS, NFS...).
The figure, ``dask_cluster.png`` in the output folder (else the current one), shows a sample
of one partition with the fitted plane seen along each feature.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from pathlib import Path

import dask.array as da
import dask.dataframe as dd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster

from gdregress import AnalyticLeastSquares, GradientDescentRegressor

FEATURES = ["tv", "radio", "newspaper"]
TRUE_COEF = np.array([0.045, 0.19, -0.001])
FIGURE = "dask_cluster.png"


def write_dataset(folder: str, n_rows: int, n_partitions: int) -> None:
    """Advertising-like budgets and sales, generated on the workers, one file per partition."""
    rng = da.random.default_rng(42)
    rows = -(-n_rows // n_partitions)
    budgets = rng.uniform(0.0, 1.0, (n_rows, 3), chunks=(rows, 3)) * [300.0, 50.0, 115.0]
    sales = budgets @ TRUE_COEF + 2.9 + rng.normal(0.0, 1.6, n_rows, chunks=rows)
    frame = dd.from_dask_array(da.hstack([budgets, sales[:, None]]), columns=[*FEATURES, "sales"])
    frame.to_parquet(folder, write_index=False)


def fit_both(df: dd.DataFrame):
    """Fit both estimators to the lazy DataFrame, print their planes; return the last one."""
    for estimator in (AnalyticLeastSquares(), GradientDescentRegressor()):
        started = time.perf_counter()
        estimator.fit(df[FEATURES], df["sales"])
        seconds = time.perf_counter() - started
        line = " ".join(
            f"{'−' if c < 0 else '+'} {abs(c):.4f}·{name}"
            for c, name in zip(estimator.coef_, estimator.feature_names_in_, strict=True)
        )
        print(f"{type(estimator).__name__} ({seconds:.2f} s):")
        print(f"  sales = {estimator.intercept_:.4f} {line}")
        print(f"  rows: {estimator.statistics_.n_rows:,}")
    return estimator


def draw(estimator, sample, path: Path) -> None:
    """The fitted plane seen along each feature: partial residuals of a sample of rows."""
    figure, axes = plt.subplots(1, 3, figsize=(14, 4.3), layout="constrained", sharey=True)
    X, y = sample[FEATURES].to_numpy(), sample["sales"].to_numpy()
    for j, (ax, name) in enumerate(zip(axes, FEATURES, strict=True)):
        others = np.delete(np.arange(len(FEATURES)), j)
        partial = y - X[:, others] @ estimator.coef_[others] - estimator.intercept_
        ax.plot(X[:, j], partial, ".", ms=2, alpha=0.35, color="tab:blue", label="rows")
        grid = np.linspace(X[:, j].min(), X[:, j].max(), 2)
        fitted, true = estimator.coef_[j], TRUE_COEF[j]
        ax.plot(grid, fitted * grid, color="tab:red", lw=2, label=f"fitted slope {fitted:.4f}")
        ax.plot(grid, true * grid, "k--", lw=1, label=f"true slope {true:g}")
        ax.set_xlabel(f"{name} budget")
        ax.legend(loc="upper left", fontsize="small")
    axes[0].set_ylabel("sales less the other features' part")
    figure.suptitle(
        f"{len(sample):,} rows of the first partition; the slopes are fitted to all "
        f"{estimator.statistics_.n_rows:,} rows on the cluster"
    )
    figure.savefig(path)
    plt.close(figure)
    print(f"saved {path}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", default=".", help="where to save the figure")
    parser.add_argument("--scheduler", help="address of a running scheduler, tcp://host:8786")
    parser.add_argument("--data", help="folder for the Parquet files (default: a temporary one)")
    parser.add_argument("--rows", type=float, default=2e6)
    parser.add_argument("--partitions", type=int, default=20)
    args = parser.parse_args(argv)

    with contextlib.ExitStack() as stack:
        if args.scheduler:
            client = stack.enter_context(Client(args.scheduler))
        else:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=2, threads_per_worker=1, dashboard_address=None, host="127.0.0.1"
                )
            )
            client = stack.enter_context(Client(cluster))
        print(f"cluster: {len(client.scheduler_info()['workers'])} workers")
        data = args.data or stack.enter_context(tempfile.TemporaryDirectory())

        write_dataset(data, int(args.rows), args.partitions)
        df = dd.read_parquet(data)
        where = args.data or "a temporary folder"  # whose path means nothing to a reader
        print(f"data: {df.npartitions} Parquet partitions in {where}")
        estimator = fit_both(df)

        # The statistics fix the cost, so the residuals need no second pass: L = MSE / 2.
        rmse = np.sqrt(2 * estimator.loss_curve_[-1])
        print(f"root-mean-square residual: {rmse:.4f} (the noise's standard deviation is 1.6)")
        # Predictions stay on the cluster until asked for: a lazy dask array.
        predicted = estimator.predict(df[FEATURES])
        print(f"predict: a lazy {type(predicted).__name__}; its first rows:", end=" ")
        print(predicted.blocks[0].compute()[:3].round(3))
        sample = df.partitions[0].compute().sample(n=2000, random_state=0)
        draw(estimator, sample, Path(args.folder) / FIGURE)


if __name__ == "__main__":
    main()
