"""The statistics pass (gdregress._statistics) reads the data once and copies none of it.

Memory, dtypes, sparse input, threads and imports; the statistics' values are tested in
test_statistics.py.

Speed is measured by benchmarks/bench_fit.py, never here; these tests check the properties
that make it fast and that can be checked exactly: how much memory a fit allocates beyond the
data (tracemalloc sees numpy's allocations), that float32 data is not up-cast as a whole, that
sparse data is not densified, and that the one-pass statistics keep their digits whatever the
order of the rows.
"""

import subprocess
import sys
import tracemalloc
from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse
from _exact import exact_statistics
from sklearn.linear_model import LinearRegression

import gdregress._statistics
from gdregress import AnalyticLeastSquares, GradientDescentRegressor
from gdregress._statistics import compute_statistics

ESTIMATORS = [AnalyticLeastSquares, GradientDescentRegressor]


def peak_allocation(function) -> int:
    """Peak bytes allocated (and tracked by tracemalloc) while ``function()`` runs."""
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def tall():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 300, size=(1_000_000, 4))
    y = X @ np.array([0.5, -1.0, 2.0, 0.25]) + 7 + rng.standard_normal(len(X))
    return X, y


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("layout", ["C", "F", "float32"])
def test_a_fit_allocates_less_than_a_tenth_of_the_data(tall, estimator, layout, monkeypatch):
    X, y = tall
    if layout == "F":
        X = np.asfortranarray(X)
    elif layout == "float32":
        X = X.astype(np.float32)
    data_bytes = X.nbytes + y.nbytes
    # Each thread of the pass holds a float64 copy of a chunk of at most n/64 rows: 0.018 of
    # the data per thread here (0.03 for float32 data), so the peak grows with the machine's
    # cores: 0.036 and 0.061 on two, 0.11 to 0.22 on eight. The pass on two threads whatever
    # the machine: the bound is the same everywhere, with 39% to spare.
    monkeypatch.setattr(gdregress._statistics, "THREADS", 2)
    model = estimator()
    peak = peak_allocation(lambda: model.fit(X, y))
    assert peak <= 0.1 * data_bytes, f"{peak / data_bytes:.3f} × the data"
    reference = LinearRegression().fit(X.astype(np.float64), y)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-8)


def test_float32_data_gives_the_float64_statistics_of_the_same_values(tall):
    X, y = tall
    X32 = X[:50_000].astype(np.float32)
    from_32 = compute_statistics(X32, y[:50_000])
    from_64 = compute_statistics(X32.astype(np.float64), y[:50_000])
    assert from_32.xx.dtype == np.float64
    np.testing.assert_allclose(from_32.xx, from_64.xx, rtol=1e-14)
    np.testing.assert_allclose(from_32.xy, from_64.xy, rtol=1e-14)


@pytest.mark.parametrize("sort", [False, True], ids=["shuffled", "sorted"])
def test_one_pass_keeps_every_digit_at_a_large_offset_in_any_row_order(sort):
    """The pilot chunk's mean is the shift; sorted rows make it a poor guess (second pass)."""
    rng = np.random.default_rng(3)
    x = 1e8 + rng.uniform(0, 1, size=3000)
    if sort:
        x = np.sort(x)
    X = x[:, None]
    y = (2 * x - 2e8 + rng.standard_normal(3000))[:, None]
    stats = compute_statistics(X, y, chunk_rows=100)
    exact = exact_statistics(X, y)
    for name in ("xx", "xy", "yy"):
        ours = np.asarray(getattr(stats, name), dtype=float).ravel()
        truth = np.array([float(v) for v in np.ravel(exact[name])])
        np.testing.assert_allclose(ours, truth, rtol=1e-13)
    assert stats.x_mean[0] == pytest.approx(float(sum(map(Fraction, x)) / len(x)), rel=1e-15)


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("weighted", [False, True])
def test_sparse_data_fits_like_the_dense_data(estimator, fmt, weighted):
    rng = np.random.default_rng(4)
    X = scipy.sparse.random(5000, 12, density=0.05, format=fmt, random_state=rng)
    y = X @ rng.normal(size=12) + 3 + 0.1 * rng.standard_normal(5000)
    w = rng.integers(0, 4, size=5000).astype(float) if weighted else None
    sparse_fit = estimator().fit(X, y, sample_weight=w)
    dense_fit = estimator().fit(X.toarray(), y, sample_weight=w)
    np.testing.assert_allclose(sparse_fit.coef_, dense_fit.coef_, rtol=1e-8, atol=1e-12)
    assert sparse_fit.intercept_ == pytest.approx(dense_fit.intercept_, rel=1e-10)
    np.testing.assert_allclose(sparse_fit.predict(X), dense_fit.predict(X.toarray()), rtol=1e-10)


def test_sparse_data_is_not_densified():
    rng = np.random.default_rng(5)
    X = scipy.sparse.random(200_000, 50, density=0.002, format="csr", random_state=rng)
    y = X @ rng.normal(size=50) + rng.standard_normal(200_000)
    dense_bytes = X.shape[0] * X.shape[1] * 8
    # Both routes hold a few vectors of n numbers besides the nonzeros (the statistics route
    # two, 3.2 MB, 0.8 of the 0.05·dense it was held to; the operator route four): allow six,
    # 14 MB in all, still a sixth of the 80 MB a dense copy would take.
    peak = peak_allocation(lambda: AnalyticLeastSquares(solver="statistics").fit(X, y))
    assert peak < 0.05 * dense_bytes + 6 * y.nbytes
    peak = peak_allocation(lambda: AnalyticLeastSquares().fit(X, y))  # the operator route
    assert peak < 0.05 * dense_bytes + 6 * y.nbytes


def test_sparse_columns_with_a_large_offset_take_the_exact_route():
    """Uncentred sparse products would cancel; the statistics fall back to dense chunks."""
    rng = np.random.default_rng(6)
    dense = 1e6 + rng.uniform(0, 1, size=(2000, 3))
    y = dense @ np.array([1.0, 2.0, 3.0]) + rng.standard_normal(2000)
    sparse_fit = AnalyticLeastSquares().fit(scipy.sparse.csr_matrix(dense), y)
    dense_fit = AnalyticLeastSquares().fit(dense, y)
    np.testing.assert_allclose(sparse_fit.coef_, dense_fit.coef_, rtol=1e-10)


def test_import_gdregress_imports_neither_matplotlib_nor_dask():
    code = (
        "import sys, gdregress; "
        "print(','.join(m for m in ('matplotlib', 'dask', 'distributed') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _statistics_in_threads(X, y):
    """The statistics of X, y over four ranges of rows, one per thread."""
    stats = compute_statistics(X, y, chunk_rows=256, n_threads=4)
    return stats.x_mean, stats.xx, stats.xy


def test_threaded_statistics_work_in_threads_and_in_a_forked_process():
    # The pass keeps its threads between fits; a forked child inherits the pool but not its
    # threads, and must start its own rather than wait for ever.
    import multiprocessing
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(3)
    X = rng.uniform(0, 300, size=(4096, 2))
    y = X @ [1.5, -2.0] + rng.standard_normal(4096)
    expected = _statistics_in_threads(X, y)  # starts the pool in this process
    with ThreadPoolExecutor(3) as callers:  # several fits at once share the pool
        for result in callers.map(lambda _: _statistics_in_threads(X, y), range(6)):
            for got, want in zip(result, expected, strict=True):
                np.testing.assert_array_equal(got, want)
    with multiprocessing.get_context("fork").Pool(1) as child:
        result = child.apply_async(_statistics_in_threads, (X, y)).get(timeout=60)
    for got, want in zip(result, expected, strict=True):
        np.testing.assert_array_equal(got, want)
