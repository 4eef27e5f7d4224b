"""Tests of gdregress._statistics: one pass in chunks, mergeable, exact to rounding.

The reference is a direct two-pass computation in exact rational arithmetic
(``_exact.exact_statistics``): the float64 data convert to Fractions without error, so the
reference has no rounding at all.
"""

import functools
import itertools
from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse
from _budget import budget
from _exact import exact_statistics
from hypothesis import given
from hypothesis import strategies as st

from gdregress._statistics import LeastSquaresStatistics, compute_statistics, merge_statistics

FIELDS = ("x_mean", "y_mean", "xx", "xy", "yy")


def as_float(values) -> np.ndarray:
    """Nested lists of Fractions as a float64 array (each entry rounded once)."""
    return np.array(values, dtype=object).astype(np.float64)


def assert_matches_exact(stats, exact, rtol):
    """Every statistic agrees with the exact one to ``rtol``, relative to its natural scale.

    A centred cross-product can be small by cancellation; its natural scale is the
    Cauchy-Schwarz bound ``sqrt(xx_jj · xx_kk)`` (and ``sqrt(xx_jj · yy_k)``). A mean's scale
    is its magnitude plus the spread of its column.
    """
    S = exact["weight_sum"]
    assert stats.weight_sum == pytest.approx(float(S), rel=rtol)
    xx_diag = np.array([float(exact["xx"][j][j]) for j in range(len(exact["xx"]))])
    yy = as_float(exact["yy"])
    for name, scale in [
        ("x_mean", np.abs(as_float(exact["x_mean"])) + np.sqrt(xx_diag / float(S))),
        ("y_mean", np.abs(as_float(exact["y_mean"])) + np.sqrt(yy / float(S))),
        ("xx", np.sqrt(np.outer(xx_diag, xx_diag))),
        ("xy", np.sqrt(np.outer(xx_diag, yy))),
        ("yy", yy),
    ]:
        got = getattr(stats, name)
        want = exact[name]
        error = np.abs(
            np.array(
                [
                    float(Fraction(float(g)) - w)
                    for g, w in zip(got.ravel(), _flat(want), strict=True)
                ]
            )
        ).reshape(got.shape)
        assert np.all(error <= rtol * scale), (name, got, as_float(want), error / scale)


def _flat(values):
    return [v for row in values for v in row] if isinstance(values[0], list) else list(values)


def assert_same_statistics(a, b, rtol, atol=0.0, n_rows=True):
    """Two statistics agree entry by entry (``n_rows`` too unless told otherwise)."""
    if n_rows:
        assert a.n_rows == b.n_rows
    assert a.weight_sum == pytest.approx(b.weight_sum, rel=rtol)
    for name in FIELDS:
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=rtol, atol=atol)


def integer_data(seed, n=23, d=3, t=2):
    rng = np.random.default_rng(seed)
    X = rng.integers(-50, 50, size=(n, d)).astype(np.float64)
    y = rng.integers(-1000, 1000, size=(n, t)).astype(np.float64)
    return X, y


def float_data(seed, n=29, d=3, t=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * np.geomspace(0.1, 10.0, d) + np.linspace(5.0, -3.0, d)
    y = X @ rng.normal(size=(d, t)) + rng.normal(size=(n, t)) + 2.0
    return X, y


# --- one pass in chunks, against the exact two-pass computation ----------------------------


@pytest.mark.parametrize("chunk_rows", [1, 2, 7, None])
@pytest.mark.parametrize("make_data", [integer_data, float_data], ids=["integers", "floats"])
def test_chunked_statistics_equal_the_exact_two_pass_ones(make_data, chunk_rows):
    X, y = make_data(0)
    stats = compute_statistics(X, y, chunk_rows=chunk_rows)
    assert stats.n_rows == X.shape[0]
    assert stats.weight_sum == X.shape[0]
    assert_matches_exact(stats, exact_statistics(X, y), rtol=1e-13)


@pytest.mark.parametrize("chunk_rows", [1, 2, 7, None])
def test_weighted_chunked_statistics_equal_the_exact_ones(chunk_rows):
    X, y = float_data(1)
    weights = np.random.default_rng(1).uniform(0.0, 3.0, size=X.shape[0])
    weights[[2, 11]] = 0.0
    stats = compute_statistics(X, y, weights, chunk_rows=chunk_rows)
    assert stats.n_rows == X.shape[0]  # rows of weight 0 are counted
    assert_matches_exact(stats, exact_statistics(X, y, weights), rtol=1e-13)


def test_results_do_not_depend_on_chunk_rows():
    X, y = float_data(2, n=50)
    weights = np.random.default_rng(2).uniform(0.5, 2.0, size=50)
    default = compute_statistics(X, y, weights)
    for chunk_rows in (1, 2, 7, 49, 50, 51):
        assert_same_statistics(
            compute_statistics(X, y, weights, chunk_rows=chunk_rows),
            default,
            rtol=1e-13,
            atol=1e-12,
        )


def test_power_lines_statistics_are_the_lecture_sums():
    # (1, 2), (2, 5), (3, 3): mean x 2, mean y 10/3, Sxx = 2, Sxy = 1, Syy = 14/3.
    stats = compute_statistics(np.array([[1.0], [2.0], [3.0]]), np.array([2.0, 5.0, 3.0]))
    assert (stats.n_rows, stats.weight_sum) == (3, 3.0)
    assert stats.x_mean.tolist() == [2.0]
    assert stats.y_mean[0] == pytest.approx(10 / 3, rel=1e-15)
    assert stats.xx.tolist() == [[2.0]]
    assert stats.xy[0, 0] == pytest.approx(1.0, rel=1e-15)
    assert stats.yy[0] == pytest.approx(14 / 3, rel=1e-15)
    # The lecture's raw sums: Σx² = 14, Σxy = 21, Σy² = 38.
    assert stats.uncentred_xx()[0, 0] == pytest.approx(14.0, rel=1e-15)
    assert stats.uncentred_xy()[0, 0] == pytest.approx(21.0, rel=1e-15)
    assert stats.uncentred_yy()[0] == pytest.approx(38.0, rel=1e-15)


def test_shapes_and_dtypes_for_one_and_several_targets():
    X, y = float_data(3, d=4, t=3)
    one = compute_statistics(X, y[:, 0])
    several = compute_statistics(X, y)
    assert (one.n_features, one.n_targets) == (4, 1)
    assert (several.n_features, several.n_targets) == (4, 3)
    assert several.x_mean.shape == (4,)
    assert several.y_mean.shape == (3,)
    assert several.xx.shape == (4, 4)
    assert several.xy.shape == (4, 3)
    assert several.yy.shape == (3,)
    for name in FIELDS:
        assert getattr(several, name).dtype == np.float64


def test_multi_target_statistics_are_those_of_each_target():
    X, y = float_data(4, t=3)
    several = compute_statistics(X, y, chunk_rows=5)
    assert_matches_exact(several, exact_statistics(X, y), rtol=1e-13)
    for k in range(3):
        single = compute_statistics(X, y[:, k], chunk_rows=5)
        np.testing.assert_allclose(single.xx, several.xx, rtol=1e-14)
        np.testing.assert_allclose(single.xy[:, 0], several.xy[:, k], rtol=1e-14)
        np.testing.assert_allclose(single.yy[0], several.yy[k], rtol=1e-14)
        np.testing.assert_allclose(single.y_mean[0], several.y_mean[k], rtol=1e-14)


# --- merging -------------------------------------------------------------------------------


def _parts(seed):
    X, y = float_data(seed, n=30)
    w = np.random.default_rng(seed).uniform(0.1, 2.0, size=30)
    cuts = [(0, 4), (4, 17), (17, 30)]
    return X, y, w, [compute_statistics(X[i:j], y[i:j], w[i:j]) for i, j in cuts]


def test_merge_is_associative():
    X, y, w, (a, b, c) = _parts(5)
    left = merge_statistics(merge_statistics(a, b), c)
    right = merge_statistics(a, merge_statistics(b, c))
    assert_same_statistics(left, right, rtol=1e-13, atol=1e-12)
    assert_matches_exact(left, exact_statistics(X, y, w), rtol=1e-13)


def test_merge_is_commutative():
    X, y, w, (a, b, c) = _parts(6)
    assert_same_statistics(merge_statistics(a, b), merge_statistics(b, a), rtol=1e-14, atol=1e-13)
    whole = merge_statistics(merge_statistics(c, a), b)
    assert_matches_exact(whole, exact_statistics(X, y, w), rtol=1e-13)


def test_merge_with_empty_is_the_identity():
    X, y, _, (a, _, _) = _parts(7)
    empty = LeastSquaresStatistics.empty(X.shape[1], y.shape[1])
    assert (empty.n_rows, empty.weight_sum) == (0, 0.0)
    for merged in (merge_statistics(empty, a), merge_statistics(a, empty)):
        assert merged.n_rows == a.n_rows
        assert merged.weight_sum == a.weight_sum
        for name in FIELDS:
            np.testing.assert_array_equal(getattr(merged, name), getattr(a, name))
    both = merge_statistics(empty, empty)
    assert both.n_rows == 0
    assert both.weight_sum == 0.0


def test_statistics_of_no_rows_are_empty():
    X, y = float_data(8)
    stats = compute_statistics(X[:0], y[:0])
    assert stats.n_rows == 0
    assert stats.weight_sum == 0.0
    assert_same_statistics(stats, LeastSquaresStatistics.empty(3, 2), rtol=0.0)


def test_a_chunk_of_zero_weights_counts_rows_but_adds_nothing():
    X, y = float_data(9, n=12)
    w = np.ones(12)
    w[:5] = 0.0  # the whole first chunk has weight 0
    stats = compute_statistics(X, y, w, chunk_rows=5)
    assert stats.n_rows == 12
    assert stats.weight_sum == 7.0
    assert_matches_exact(stats, exact_statistics(X[5:], y[5:]), rtol=1e-13)


@pytest.mark.parametrize(
    ("features", "targets"), [((3, 2), (4, 2)), ((3, 2), (3, 1)), ((3, 1), (2, 2))]
)
def test_merging_statistics_of_different_columns_raises(features, targets):
    a = LeastSquaresStatistics.empty(features[0], features[1])
    b = LeastSquaresStatistics.empty(targets[0], targets[1])
    with pytest.raises(ValueError, match="same columns"):
        merge_statistics(a, b)
    X, y = float_data(10, d=3, t=2)
    with pytest.raises(ValueError, match="features"):
        merge_statistics(compute_statistics(X, y), compute_statistics(X[:, :2], y))


@budget(60)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 60),
    cuts=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6),
    weighted=st.booleans(),
)
def test_splitting_rows_anywhere_and_merging_equals_the_whole(seed, n, cuts, weighted):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * rng.uniform(0.1, 100.0, size=3) + rng.normal(size=3) * 50
    y = rng.normal(size=(n, 2)) * 10 + 7
    w = rng.uniform(0.0, 5.0, size=n) if weighted else None
    points = sorted({0, n, *(int(c * n) for c in cuts)})
    merged = LeastSquaresStatistics.empty(3, 2)
    for i, j in itertools.pairwise(points):
        part = compute_statistics(X[i:j], y[i:j], None if w is None else w[i:j])
        merged = merge_statistics(merged, part)
    whole = compute_statistics(X, y, w)
    assert merged.n_rows == whole.n_rows == n
    assert merged.weight_sum == pytest.approx(whole.weight_sum, rel=1e-12)
    # Relative to each statistic's natural scale (see assert_matches_exact).
    xx_diag = np.diag(whole.xx)
    spread = np.sqrt(xx_diag / whole.weight_sum)
    scales = {
        "x_mean": np.abs(whole.x_mean) + spread,
        "y_mean": np.abs(whole.y_mean) + np.sqrt(whole.yy / whole.weight_sum),
        "xx": np.sqrt(np.outer(xx_diag, xx_diag)),
        "xy": np.sqrt(np.outer(xx_diag, whole.yy)),
        "yy": whole.yy,
    }
    for name, scale in scales.items():
        error = np.abs(getattr(merged, name) - getattr(whole, name))
        assert np.all(error <= 1e-10 * scale), name


# --- weights -------------------------------------------------------------------------------


def test_integer_weight_equals_repeating_the_row():
    X, y = float_data(11, n=15)
    k = np.random.default_rng(11).integers(1, 5, size=15)
    weighted = compute_statistics(X, y, k.astype(np.float64), chunk_rows=4)
    repeated = compute_statistics(np.repeat(X, k, axis=0), np.repeat(y, k, axis=0), chunk_rows=4)
    assert weighted.weight_sum == repeated.weight_sum == k.sum()
    assert_same_statistics(weighted, repeated, rtol=1e-12, atol=1e-11, n_rows=False)
    assert weighted.n_rows == 15
    assert repeated.n_rows == k.sum()


def test_weight_zero_equals_dropping_the_row():
    X, y = float_data(12, n=15)
    w = np.ones(15)
    dropped = [0, 6, 14]
    w[dropped] = 0.0
    kept = np.setdiff1d(np.arange(15), dropped)
    with_zeros = compute_statistics(X, y, w, chunk_rows=4)
    without = compute_statistics(X[kept], y[kept], chunk_rows=4)
    assert with_zeros.weight_sum == without.weight_sum == 12
    assert_same_statistics(with_zeros, without, rtol=1e-13, atol=1e-12, n_rows=False)


def test_unit_weights_equal_no_weights():
    X, y = float_data(13)
    assert_same_statistics(
        compute_statistics(X, y, np.ones(X.shape[0])),
        compute_statistics(X, y),
        rtol=1e-14,
        atol=1e-14,
    )


# --- float32 and large offsets -------------------------------------------------------------


@pytest.mark.parametrize("chunk_rows", [3, None])
def test_float32_input_accumulates_in_float64(chunk_rows):
    rng = np.random.default_rng(14)
    n = 5000
    X32 = (1000.0 + rng.normal(size=(n, 2))).astype(np.float32)
    y32 = (X32 @ np.array([1.5, -2.0], dtype=np.float32) + 0.25).astype(np.float32)
    stats32 = compute_statistics(X32, y32, chunk_rows=chunk_rows)
    stats64 = compute_statistics(
        X32.astype(np.float64), y32.astype(np.float64), chunk_rows=chunk_rows
    )
    for name in FIELDS:
        assert getattr(stats32, name).dtype == np.float64
        np.testing.assert_allclose(getattr(stats32, name), getattr(stats64, name), rtol=1e-15)
    # The float32 data, summed exactly: a float32 accumulation would have lost ~4 digits.
    exact_mean = sum(Fraction(float(v)) for v in X32[:, 0]) / n
    assert stats32.x_mean[0] == pytest.approx(float(exact_mean), rel=1e-15)


@pytest.mark.parametrize("chunk_rows", [1, 7, None])
def test_large_offsets_keep_the_centred_sums_accurate(chunk_rows):
    rng = np.random.default_rng(15)
    n = 40
    # x ≈ 1e8 with a spread of about 1; float64 holds these with a resolution of 1.5e-8.
    X = 1e8 + rng.uniform(0.0, 1.0, size=(n, 2))
    y = (3e8 + rng.uniform(0.0, 2.0, size=n))[:, None]
    stats = compute_statistics(X, y, chunk_rows=chunk_rows)
    exact = exact_statistics(X, y)
    assert_matches_exact(stats, exact, rtol=1e-12)
    # The test has teeth: the textbook Σx² − n·x̄² loses most digits on this data.
    naive = (X[:, 0] ** 2).sum() - n * X[:, 0].mean() ** 2
    assert abs(naive - float(exact["xx"][0][0])) > 1e-4 * abs(float(exact["xx"][0][0]))


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("chunk_rows", [1, 3, None])
def test_a_constant_column_has_its_value_as_mean_and_exactly_zero_spread(chunk_rows, sparse):
    # 0.1 is not a dyadic number, so sums of it round; rows of weight 0 do not count.
    rng = np.random.default_rng(16)
    X = np.column_stack([rng.normal(size=20), np.full(20, 0.1), rng.normal(size=20)])
    X[[3, 8], 1] = [5.0, -7.0]
    y = rng.normal(size=(20, 2))
    weights = rng.uniform(0.5, 2.0, size=20)
    weights[[3, 8]] = 0.0
    data = scipy.sparse.csr_matrix(X) if sparse else X
    whole = compute_statistics(data, y, weights, chunk_rows=chunk_rows)
    merged = merge_statistics(
        compute_statistics(data[:7], y[:7], weights[:7]),
        compute_statistics(data[7:], y[7:], weights[7:]),
    )
    for stats in (whole, merged):
        assert stats.x_mean[1] == 0.1
        assert np.all(stats.xx[1] == 0.0) and np.all(stats.xx[:, 1] == 0.0)
        assert np.all(stats.xy[1] == 0.0)
        assert_matches_exact(stats, exact_statistics(X, y, weights), rtol=1e-13)


def test_a_column_that_varies_only_in_rows_outweighed_by_1e30_is_not_constant():
    # Its weighted spread is 1e-15 of its mean, the size of rounding: only the data tell.
    X, y = float_data(17, n=9, d=2, t=1)
    weights = np.ones(9)
    weights[0] = 1e30
    stats = compute_statistics(X, y, weights)
    exact = exact_statistics(X, y, weights)
    assert np.all(np.sqrt(np.diag(stats.xx) / stats.weight_sum) < 1e-13 * np.abs(stats.x_mean))
    assert_matches_exact(stats, exact, rtol=1e-12)


def test_large_offsets_merging_separate_statistics_stays_within_the_data_resolution():
    """Statistics computed apart (each shifted by its own first row) and then merged.

    compute_statistics shifts all chunks of one call by the same row, so it keeps every digit
    (above). Statistics computed separately carry means rounded to ulp(1e8) = 1.5e-8, and the
    merge inherits that: errors stay of the order of the data's own resolution.
    """
    rng = np.random.default_rng(15)
    X = 1e8 + rng.uniform(0.0, 1.0, size=(40, 2))
    y = (3e8 + rng.uniform(0.0, 2.0, size=40))[:, None]
    exact = exact_statistics(X, y)
    for size in (1, 2, 7):
        parts = [compute_statistics(X[i : i + size], y[i : i + size]) for i in range(0, 40, size)]
        merged = functools.reduce(merge_statistics, parts)
        assert_matches_exact(merged, exact, rtol=1e-6)
