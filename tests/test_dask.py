"""Fits of dask collections on a real dask.distributed cluster equal the in-memory fits.

A LocalCluster of two worker processes is started once for the session. The data sets are
written as many CSV and Parquet partitions in a temporary folder, read back with
dask.dataframe and fitted on the cluster; the reference is the in-memory fit of the same
files read by pandas (the same parser, so the same float64 values). Where the reference is
itself approximate (ill-conditioned designs), the tolerance follows from the condition number.
"""

import json
import re
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

import dask  # noqa: E402  (after the skips: dask is an optional extra)

from gdregress import (  # noqa: E402
    AnalyticLeastSquares,
    GradientDescentRegressor,
    IllConditionedWarning,
)
from gdregress._statistics import LeastSquaresStatistics  # noqa: E402

ESTIMATORS = [AnalyticLeastSquares, GradientDescentRegressor]
FEATURES = ["tv", "radio", "newspaper"]
RTOL = 1e-10

# Partition sizes: uneven, one of a single row, so merges see very different weights.
SIZES = [1500, 1, 800, 2300, 950, 1200, 640, 1777]


@pytest.fixture(scope="session")
def cluster():
    """Two worker processes with one thread each; no dashboard, loopback only."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
    ) as local_cluster:
        yield local_cluster


@pytest.fixture(scope="session")
def client(cluster):
    with distributed.Client(cluster, set_as_default=False) as session_client:
        yield session_client


@pytest.fixture
def on_cluster(client):
    """Make the cluster the active scheduler for the test."""
    with client.as_current():
        yield client


def _frame(n_rows: int, seed: int) -> pd.DataFrame:
    """Budgets on very different scales and offsets, two targets, and positive weights."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, 3)) * [50.0, 0.3, 2000.0] + [150.0, 25.0, 1e5]
    noise = rng.normal(size=(n_rows, 2))
    return pd.DataFrame(
        {
            **dict(zip(FEATURES, X.T, strict=True)),
            "sales": X @ [0.045, 0.19, -0.001] + 2.9 + noise[:, 0],
            "profit": X @ [-0.01, 1.5, 0.0003] - 40.0 + 5 * noise[:, 1],
            "weight": rng.uniform(0.0, 3.0, n_rows),
        }
    )


@pytest.fixture(scope="module")
def partitioned(tmp_path_factory):
    """The data set as many CSV and Parquet files; returns their folders and the whole."""
    folder = tmp_path_factory.mktemp("partitioned")
    (folder / "csv").mkdir()
    (folder / "parquet").mkdir()
    for i, size in enumerate(SIZES):
        part = _frame(size, seed=i)
        part.to_csv(folder / "csv" / f"part-{i:03d}.csv", index=False)
        part.to_parquet(folder / "parquet" / f"part-{i:03d}.parquet", index=False)
    files = sorted((folder / "csv").glob("*.csv"))
    whole = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
    return folder, whole


def _assert_same_fit(got, want, rtol=RTOL):
    """Every coefficient and intercept agrees to ``rtol``, relative to itself."""
    np.testing.assert_allclose(got.coef_, want.coef_, rtol=rtol, atol=0)
    np.testing.assert_allclose(got.intercept_, want.intercept_, rtol=rtol, atol=0)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_fit_of_csv_partitions_on_the_cluster_equals_the_in_memory_fit(
    estimator, partitioned, on_cluster, client
):
    folder, whole = partitioned
    df = dd.read_csv(str(folder / "csv" / "*.csv"))
    assert df.npartitions == len(SIZES)
    with distributed.get_task_stream(client) as stream:
        model = estimator().fit(df[FEATURES], df["sales"], sample_weight=df["weight"])
    reference = estimator().fit(whole[FEATURES], whole["sales"], sample_weight=whole["weight"])

    _assert_same_fit(model, reference)
    assert model.feature_names_in_.tolist() == FEATURES
    assert model.n_features_in_ == 3
    assert model.statistics_.n_rows == sum(SIZES)
    np.testing.assert_allclose(model.statistics_.weight_sum, whole["weight"].sum(), rtol=1e-13)
    # The blocks were computed by the worker processes, both of them.
    workers = {task["worker"] for task in stream.data}
    assert workers == set(client.scheduler_info()["workers"])


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_fit_of_parquet_partitions_with_two_targets(estimator, partitioned, on_cluster):
    folder, whole = partitioned
    df = dd.read_parquet(str(folder / "parquet"))
    targets = ["sales", "profit"]
    model = estimator().fit(df[FEATURES], df[targets])
    reference = estimator().fit(whole[FEATURES], whole[targets])
    assert model.coef_.shape == (2, 3)
    _assert_same_fit(model, reference)
    assert model.feature_names_in_.tolist() == FEATURES


def test_dask_arrays_with_differently_chunked_targets_and_weights(partitioned, on_cluster):
    _, whole = partitioned
    X, y, w = whole[FEATURES].to_numpy(), whole["sales"].to_numpy(), whole["weight"].to_numpy()
    # X in 9 row blocks and 2 column blocks; y and w cut elsewhere: fit aligns them.
    X_dask = da.from_array(X, chunks=(1100, 2))
    model = AnalyticLeastSquares().fit(
        X_dask, da.from_array(y, chunks=3000), sample_weight=da.from_array(w, chunks=777)
    )
    _assert_same_fit(model, AnalyticLeastSquares().fit(X, y, sample_weight=w))
    assert not hasattr(model, "feature_names_in_")
    # y in memory is cut like X.
    model = GradientDescentRegressor().fit(X_dask, y)
    _assert_same_fit(model, GradientDescentRegressor().fit(X, y))


def _recording_scheduler(results: list, graphs: list):
    """A synchronous scheduler that records the graph it runs and what it hands back."""

    def get(dsk, keys, **kwargs):
        graphs.append(dict(getattr(dsk, "__dask_graph__", lambda: dsk)()))
        out = dask.get(dsk, keys, **kwargs)
        results.append(out)
        return out

    return get


def test_only_the_statistics_reach_the_client_and_each_file_is_read_once(partitioned):
    folder, whole = partitioned
    df = dd.read_csv(str(folder / "csv" / "*.csv"))
    results, graphs = [], []
    with dask.config.set(scheduler=_recording_scheduler(results, graphs)):
        model = AnalyticLeastSquares().fit(df[FEATURES], df["sales"], sample_weight=df["weight"])

    (computed,) = results  # one computation
    flat = list(pd.core.common.flatten(computed))
    # The statistics, and the four numbers of the weights the likelihood needs (read in the
    # same pass: the count of positive weights, the sum of their logs, their extremes).
    assert len(flat) == 2 and isinstance(flat[0], LeastSquaresStatistics)
    assert flat[0] == model.statistics_ or flat[0].n_rows == model.statistics_.n_rows
    assert flat[1] == model.fit_record_.weight_logs
    assert flat[1].log_sum == pytest.approx(np.sum(np.log(whole["weight"])), rel=1e-12)
    # X, y and the weights come from one read of every file, not one read each.
    (graph,) = graphs
    reads = [key for key in graph if "read" in str(key[0] if isinstance(key, tuple) else key)]
    assert len(reads) == len(SIZES)
    _assert_same_fit(
        model,
        AnalyticLeastSquares().fit(whole[FEATURES], whole["sales"], sample_weight=whole["weight"]),
    )


def _polynomial_data(degree: int, n_rows: int = 6000, seed: int = 3):
    """Powers of x on [1, 2]: a design whose condition number grows fast with the degree."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(1.0, 2.0, n_rows)
    X = np.column_stack([x**k for k in range(1, degree + 1)])
    y = X @ rng.normal(size=degree) + 3.0 + 1e-3 * rng.normal(size=n_rows)
    return X, y


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_moderately_ill_conditioned_design_takes_the_tall_skinny_qr_route(
    fit_intercept, on_cluster
):
    X, y = _polynomial_data(degree=3)
    w = np.random.default_rng(4).uniform(0.0, 2.0, len(y))
    reference = AnalyticLeastSquares(fit_intercept=fit_intercept).fit(X, y, sample_weight=w)
    assert reference.solver_ == "QR with refinement"  # past the normal equations' limit
    frame = pd.DataFrame(X, columns=["x", "x2", "x3"]).assign(y=y, w=w)
    df = dd.from_pandas(frame, npartitions=7)
    with warnings.catch_warnings():
        warnings.simplefilter("error", IllConditionedWarning)
        model = AnalyticLeastSquares(fit_intercept=fit_intercept).fit(
            df[["x", "x2", "x3"]], df["y"], sample_weight=df["w"]
        )
    assert model.solver_ == "tall-skinny QR"
    np.testing.assert_allclose(model.condition_number_, reference.condition_number_, rtol=1e-8)
    np.testing.assert_allclose(model.singular_, reference.singular_, rtol=1e-10)
    _assert_same_fit(model, reference)


def test_badly_conditioned_design_warns_and_the_qr_keeps_the_digits_it_promises(on_cluster):
    X, y = _polynomial_data(degree=5)
    reference = AnalyticLeastSquares().fit(X, y)
    condition = reference.condition_number_
    assert 1e4 < condition < 1e8
    X_dask, y_dask = da.from_array(X, chunks=900), da.from_array(y, chunks=900)
    expected = re.escape(f"condition number about {condition:.3g}")
    with pytest.warns(IllConditionedWarning, match=expected):
        model = AnalyticLeastSquares().fit(X_dask, y_dask)
    assert model.solver_ == "tall-skinny QR"
    # The QR's error is about eps·cond; the statistics alone (partial_fit) lose eps·cond².
    _assert_same_fit(model, reference, rtol=100 * np.finfo(float).eps * condition)
    with pytest.warns(IllConditionedWarning):
        from_statistics = AnalyticLeastSquares().partial_fit(X_dask, y_dask)
    error = np.max(np.abs(from_statistics.coef_ - reference.coef_) / np.abs(reference.coef_))
    assert error > 100 * np.max(np.abs(model.coef_ - reference.coef_) / np.abs(reference.coef_))


def test_rank_deficient_design_gets_the_minimum_norm_solution(partitioned, on_cluster):
    _, whole = partitioned
    X = whole[["tv", "radio"]].to_numpy()
    X = np.column_stack([X, 2 * X[:, 0] - X[:, 1]])  # the third column repeats the others
    y = whole["sales"].to_numpy()
    reference = AnalyticLeastSquares().fit(X, y)
    model = AnalyticLeastSquares().fit(da.from_array(X, chunks=2000), da.from_array(y, 2000))
    assert model.solver_ == reference.solver_ == "minimum norm"
    assert model.rank_ == reference.rank_ == 2
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-8)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, rtol=1e-8)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_partial_fit_of_dask_partitions_equals_fit(estimator, partitioned, on_cluster):
    folder, whole = partitioned
    df = dd.read_parquet(str(folder / "parquet"))
    model = estimator()
    for chunk in (df.partitions[:3], df.partitions[3:]):
        model.partial_fit(chunk[FEATURES], chunk["sales"], sample_weight=chunk["weight"])
    reference = estimator().fit(whole[FEATURES], whole["sales"], sample_weight=whole["weight"])
    _assert_same_fit(model, reference)


def test_predict_on_dask_collections_is_lazy_and_equals_in_memory(partitioned, on_cluster):
    folder, whole = partitioned
    df = dd.read_csv(str(folder / "csv" / "*.csv"))
    one = AnalyticLeastSquares().fit(df[FEATURES], df["sales"])
    two = AnalyticLeastSquares().fit(df[FEATURES], df[["sales", "profit"]])
    for model, shape in [(one, (len(whole),)), (two, (len(whole), 2))]:
        predicted = model.predict(df[FEATURES])
        assert isinstance(predicted, da.Array)
        computed = predicted.compute()
        assert computed.shape == shape
        np.testing.assert_allclose(computed, model.predict(whole[FEATURES]), rtol=1e-13)
    X = da.from_array(whole[FEATURES].to_numpy(), chunks=1000)
    fitted_on_array = AnalyticLeastSquares().fit(X, whole["sales"].to_numpy())
    np.testing.assert_allclose(
        fitted_on_array.predict(X).compute(),
        fitted_on_array.predict(whole[FEATURES].to_numpy()),
        rtol=1e-13,
    )


def _small_frame():
    pdf = _frame(400, seed=11)
    return pdf, dd.from_pandas(pdf, npartitions=4)


def test_non_numeric_columns_are_named(on_cluster):
    pdf, _ = _small_frame()
    pdf["city"] = "Paris"
    df = dd.from_pandas(pdf, npartitions=4)
    with pytest.raises(ValueError, match=r"X must be numeric, but has 'city'"):
        AnalyticLeastSquares().fit(df[[*FEATURES, "city"]], df["sales"])
    with pytest.raises(ValueError, match=r"y must be numeric"):
        AnalyticLeastSquares().fit(df[FEATURES], df["city"])


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        # The column by name and the row over all partitions (row 250 is in the third).
        ("radio", np.nan, "Input X contains NaN: column 'radio' of X has no value in row 250"),
        ("tv", np.inf, "Input X contains infinity: column 'tv' of X holds inf in row 250"),
        ("sales", np.nan, "Input y contains NaN: y has no value in row 250"),
        ("weight", np.inf, "sample_weight contains infinity: sample_weight holds inf in row 250"),
        ("weight", -1.0, "Negative values in data passed to `sample_weight`"),
    ],
)
def test_bad_values_in_one_partition_raise_a_clear_error(column, value, message, on_cluster):
    pdf, _ = _small_frame()
    pdf.loc[250, column] = value
    df = dd.from_pandas(pdf, npartitions=4)
    with pytest.raises(ValueError, match=message):
        GradientDescentRegressor().fit(df[FEATURES], df["sales"], sample_weight=df["weight"])


def test_a_value_whose_square_overflows_in_one_partition_fits_as_in_memory(on_cluster):
    """Each block scales its columns by powers of two before squaring; the merge rescales."""
    pdf, _ = _small_frame()
    pdf.loc[250, "tv"] = 1e200
    df = dd.from_pandas(pdf, npartitions=4)
    for estimator in (AnalyticLeastSquares, GradientDescentRegressor):
        on_dask = estimator().fit(df[FEATURES], df["sales"], sample_weight=df["weight"])
        in_memory = estimator().fit(pdf[FEATURES], pdf["sales"], sample_weight=pdf["weight"])
        np.testing.assert_allclose(on_dask.coef_, in_memory.coef_, rtol=1e-8)
        assert on_dask.intercept_ == pytest.approx(in_memory.intercept_, rel=1e-8)


def test_mismatched_rows_and_partitions_raise(on_cluster):
    pdf, df = _small_frame()
    with pytest.raises(ValueError, match="same partitions of rows, but have 4, 3"):
        AnalyticLeastSquares().fit(df[FEATURES], df["sales"].repartition(npartitions=3))
    X = da.from_array(pdf[FEATURES].to_numpy(), chunks=100)
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[400, 399\]"):
        AnalyticLeastSquares().fit(X, da.from_array(pdf["sales"].to_numpy()[:-1], chunks=100))
    other = dd.from_pandas(pdf.iloc[:-4], npartitions=4)  # same partition count, fewer rows
    with pytest.raises(ValueError, match=r"A block of rows has 100 / 99 rows in X / y"):
        AnalyticLeastSquares().fit(df[FEATURES], other["sales"])
    with pytest.raises(ValueError, match="X is in memory"):
        AnalyticLeastSquares().fit(pdf[FEATURES], df["sales"])
    with pytest.raises(ValueError, match="Expected a 2-D X"):
        AnalyticLeastSquares().fit(df["tv"], df["sales"])


def test_partial_fit_checks_the_columns_of_every_chunk(on_cluster):
    _, df = _small_frame()
    model = AnalyticLeastSquares().partial_fit(df[FEATURES], df["sales"])
    with pytest.raises(ValueError, match="feature names should match"):
        model.partial_fit(df[["tv", "radio", "weight"]], df["sales"])
    with (
        pytest.warns(UserWarning, match="does not have valid feature names"),
        pytest.raises(ValueError, match="X has 2 features"),
    ):
        model.partial_fit(df[["tv", "radio"]].to_dask_array(), df["sales"])
    with pytest.raises(ValueError, match="every chunk must have the same targets"):
        model.partial_fit(df[FEATURES], df[["sales", "profit"]])


def test_importing_gdregress_does_not_import_dask():
    probe = "import sys, json, gdregress; print(json.dumps('dask' in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) is False
