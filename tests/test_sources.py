"""Data sources (gdregress/_sources.py and DaskSource in gdregress/_dask.py) agree with each other.

The in-memory and the Dask source offer the same operations, the statistics and the R factor of
the centred, scaled design; every route that reads them must decide alike. The truths here are
the fit with the weights' common power of two taken out (which cannot change the fit), and the
singular values a design was built with.
"""

import warnings

import numpy as np
import pytest
import scipy.linalg

from gdregress import AnalyticLeastSquares, GradientDescentRegressor
from gdregress._closed_form import Route, solve_least_squares
from gdregress._numerics import rank_tolerance
from gdregress._sources import ArraySource

da = pytest.importorskip("dask.array")


def _on_dask(estimator, X, y, w, rows_per_block):
    """``estimator`` fitted on X, y and w as dask arrays cut into blocks of rows."""
    chunks = (rows_per_block, X.shape[1])
    return estimator.fit(
        da.from_array(X, chunks=chunks),
        da.from_array(y, chunks=rows_per_block),
        sample_weight=da.from_array(w, chunks=rows_per_block),
    )


def _tv_like(n_rows=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 300, size=(n_rows, 2))
    y = 7 + X @ [0.05, 0.2] + rng.normal(0, 3, n_rows)
    w = rng.uniform(0.5, 2.0, n_rows)
    return X, y, w


@pytest.mark.parametrize("exponent", [1020, -1020, 600, -1060])
@pytest.mark.parametrize("estimator", [AnalyticLeastSquares, GradientDescentRegressor])
def test_dask_fit_with_extreme_weights_equals_the_in_memory_fit(estimator, exponent):
    """Weights of 2^±1020 overflow (or lose digits as subnormals) unless normalised; the
    normalisation is a power of two, so the fit is that of the moderate weights exactly."""
    X, y, w = _tv_like()
    extreme = np.ldexp(w, exponent)
    # Subnormal weights are rounded as they are stored: the truth is those weights, scaled.
    moderate = estimator().fit(X, y, sample_weight=np.ldexp(extreme, -exponent))
    in_memory = estimator().fit(X, y, sample_weight=extreme)
    on_dask = _on_dask(estimator(), X, y, extreme, rows_per_block=97)
    for fit in (in_memory, on_dask):
        np.testing.assert_allclose(fit.coef_, moderate.coef_, rtol=1e-12)
        assert fit.intercept_ == pytest.approx(moderate.intercept_, rel=1e-12)


def test_blocks_whose_weights_differ_by_powers_of_two_merge_exactly():
    """Each block (and each partial_fit chunk) normalises its own weights; the statistics
    record the factor, and the merge brings both to the larger one."""
    X, y, w = _tv_like(n_rows=300, seed=1)
    w = w.copy()
    w[:150] = np.ldexp(w[:150], 600)
    w[150:] = np.ldexp(w[150:], 590)  # 2^10 lighter, both beyond the normal range
    whole = AnalyticLeastSquares().fit(X, y, sample_weight=np.ldexp(w, -590))
    chunked = AnalyticLeastSquares()
    chunked.partial_fit(X[:150], y[:150], sample_weight=w[:150])
    chunked.partial_fit(X[150:], y[150:], sample_weight=w[150:])
    on_dask = _on_dask(AnalyticLeastSquares(), X, y, w, rows_per_block=150)
    for fit in (chunked, on_dask):
        np.testing.assert_allclose(fit.coef_, whole.coef_, rtol=1e-12)
        assert fit.intercept_ == pytest.approx(whole.intercept_, rel=1e-12)


def _design_with_singular_values(ratio, n_rows=1000, seed=2):
    """A centred design of two columns of equal spread whose scaled singular values are 1 and
    ``ratio`` (so that its column scaling keeps them), and a target on it."""
    rng = np.random.default_rng(seed)
    basis = rng.normal(size=(n_rows, 2))
    basis -= basis.mean(axis=0)
    u, _ = np.linalg.qr(basis)
    rotation = np.array([[1.0, 1.0], [1.0, -1.0]]) / np.sqrt(2)
    X = np.sqrt(n_rows) * (u * [1.0, ratio]) @ rotation.T + [5.0, -3.0]
    y = X @ [1.0, 2.0] + rng.normal(size=n_rows)
    return X, y


@pytest.mark.parametrize("side", [0.5, 2.0], ids=["below", "above"])
def test_the_rank_is_decided_alike_at_the_borderline_in_memory_and_on_dask(side):
    n_rows = 1000
    ratio = side * rank_tolerance(n_rows, 2)
    X, y = _design_with_singular_values(ratio, n_rows)
    # The design is what it claims: its scaled singular values are 1 and ratio.
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    singular = scipy.linalg.svdvals(Z / np.sqrt(n_rows))
    assert singular[1] / singular[0] == pytest.approx(ratio, rel=0.05)

    expected_rank = 2 if side > 1 else 1
    in_memory = AnalyticLeastSquares().fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a full-rank Dask fit this ill-conditioned warns
        on_dask = AnalyticLeastSquares().fit(
            da.from_array(X, chunks=(250, 2)), da.from_array(y, chunks=250)
        )
    assert in_memory.rank_ == on_dask.rank_ == expected_rank
    expected_route = Route.MINIMUM_NORM if expected_rank == 1 else None
    if expected_route:
        assert in_memory.solver_ == on_dask.solver_ == expected_route
    else:
        assert in_memory.solver_ == Route.REFINED_QR
        assert on_dask.solver_ == Route.TALL_SKINNY_QR


@pytest.mark.parametrize("side", [0.5, 2.0], ids=["below", "above"])
def test_the_statistics_route_applies_the_rule_at_the_resolution_of_the_gram_matrix(side):
    """From the statistics alone (partial_fit) singular values below sqrt(p·eps) cannot be
    told from 0: the same rule, its tolerance raised to that resolution."""
    n_rows = 1000
    ratio = side * np.sqrt(2 * np.finfo(float).eps)
    X, y = _design_with_singular_values(ratio, n_rows)
    with pytest.warns(Warning):  # ill-conditioned, and the data is not at hand
        from_statistics = AnalyticLeastSquares().partial_fit(X, y)
    assert from_statistics.solver_ == Route.PSEUDO_INVERSE
    assert from_statistics.rank_ == (2 if side > 1 else 1)
    # With the rows at hand the same design is of full rank: far above max(n, p)·eps.
    assert AnalyticLeastSquares().fit(X, y).rank_ == 2


def test_array_source_r_factor_is_that_of_the_centred_scaled_design():
    X, y, w = _tv_like(n_rows=50, seed=3)
    source = ArraySource(X, y[:, None], w)
    stats = source.statistics()
    from gdregress._coordinates import Coordinates

    design = Coordinates.of_statistics(stats, True)
    factor = source.r_factor(design, stats)
    Z = (X - design.shift) / design.scale * np.sqrt(w)[:, None]
    # R of the same design up to the signs of its rows: RᵀR = ZᵀZ.
    r_z = factor.r_design[:2, :2]  # the block of Z; the ones column follows it
    np.testing.assert_allclose(r_z.T @ r_z, Z.T @ Z, rtol=1e-12)
    solution = solve_least_squares(stats, data=source)
    reference = np.linalg.lstsq(
        np.column_stack([X, np.ones(50)]) * np.sqrt(w)[:, None], y * np.sqrt(w), rcond=None
    )[0]
    np.testing.assert_allclose(solution.coef[:, 0], reference[:2], rtol=1e-12)


def test_array_source_normalises_extreme_weights_once_and_records_the_factor():
    X, y, w = _tv_like(n_rows=20, seed=4)
    source = ArraySource(X, y[:, None], np.ldexp(w, 1000))
    stats = source.statistics()
    assert stats.weight_scale == 2.0 ** np.frexp(np.ldexp(w.max(), 1000))[1]
    np.testing.assert_array_equal(source.sample_weight * stats.weight_scale, np.ldexp(w, 1000))
    assert stats.weight_sum * stats.weight_scale == pytest.approx(np.ldexp(w.sum(), 1000))


def test_weights_inside_their_range_times_squares_inside_theirs_do_not_overflow():
    """Weights just inside the weight range times squares of columns just inside the unscaled
    range used to overflow (2**499·2**598): the ranges are now chosen so that they cannot."""
    X, y, w = _tv_like(n_rows=60, seed=5)
    X = X * 1e88  # largest near 3e90, inside 2**300
    reference = AnalyticLeastSquares().fit(X, y, sample_weight=w)
    heavy = AnalyticLeastSquares().fit(X, y, sample_weight=np.ldexp(w, 498))
    np.testing.assert_allclose(heavy.coef_, reference.coef_, rtol=1e-12)
    assert heavy.intercept_ == pytest.approx(reference.intercept_, rel=1e-12)


@pytest.mark.parametrize("largest", [2.0**1023, 1.7e308])
def test_a_column_near_the_largest_float_fits_like_a_moderate_one(largest):
    X, y, _ = _tv_like(n_rows=40, seed=6)
    X = X / X.max() * largest
    reference = AnalyticLeastSquares().fit(X / largest, y)
    fit = AnalyticLeastSquares().fit(X, y)
    np.testing.assert_allclose(fit.coef_ * largest, reference.coef_, rtol=1e-12)
    assert fit.intercept_ == pytest.approx(reference.intercept_, rel=1e-12)
