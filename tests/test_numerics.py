"""Tests of gdregress._numerics: the shared constants and the small numerical helpers.

References, all independent of gdregress: ``math.hypot`` and mpmath at 60 digits for norms;
exact rational arithmetic (``fractions.Fraction``, into which every float converts without
error, and whose ``float()`` rounds correctly) for powers of two and weights; ``np.frexp`` for
what a power of two is; ``numpy.linalg.matrix_rank`` for the rank rule; and hand-made singular
values on both sides of each tolerance.
"""

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from _budget import budget
from _exact import rounded
from hypothesis import given
from hypothesis import strategies as st

from gdregress._numerics import (
    EPS,
    SAFE_SQUARES,
    TINY,
    UNSCALED_RANGE,
    WEIGHT_RANGE,
    digits_lost,
    normalised_weights,
    numerical_rank,
    power_of_two_scale,
    rank_tolerance,
    require_positive_weight_sum,
    safe_norm,
    times_power_of_two,
)

MAX = float(np.finfo(np.float64).max)


def is_power_of_two(values) -> bool:
    mantissa, _ = np.frexp(np.asarray(values, dtype=np.float64))
    return bool(np.all(mantissa == 0.5))


# Magnitudes of 2**1023 and more (up to 1.8e308) get the largest finite power of two and are
# tested on their own; the properties' domain stops short of them.
BELOW_2_1023 = 2.0**1023 * (1 - EPS / 2)


# --- constants -----------------------------------------------------------------------------


def test_constants_are_the_float64_facts_they_name():
    assert EPS == 2.0**-52 == np.finfo(np.float64).eps
    assert TINY == 2.0**-1022 == np.finfo(np.float64).tiny
    assert is_power_of_two([*UNSCALED_RANGE, *WEIGHT_RANGE, SAFE_SQUARES])
    # Squares and products of columns inside UNSCALED_RANGE stay normal and finite, with room
    # for 2**400 rows in a sum, and well above the sums that SAFE_SQUARES calls safe.
    low, high = UNSCALED_RANGE
    assert low * low >= SAFE_SQUARES and high * high * 2.0**400 < MAX


# --- safe_norm -----------------------------------------------------------------------------


def mp_norm(values) -> float:
    with mpmath.workdps(60):
        return float(mpmath.sqrt(mpmath.fsum(mpmath.mpf(float(v)) ** 2 for v in values)))


@pytest.mark.parametrize(
    "values",
    [
        [3.0, 4.0],
        [1.0, 1.0, 1.0, 1.0],
        [3e200, 4e200],
        [3e-200, 4e-200],
        [-1e200, 1e-200, 7e199],
        [1e-300, 2e-310, 5e-324],
        [1e308, 1e307],
        [1e154, 1e154],
        [1e-162, 3e-162, 0.0],
        [0.1] * 1000,
    ],
    ids=[
        "3-4",
        "four-ones",
        "1e200",
        "1e-200",
        "mixed-1e±200",
        "subnormal",
        "near-max",
        "squares-overflow",
        "squares-subnormal",
        "thousand",
    ],
)
def test_safe_norm_equals_hypot_and_mpmath(values):
    with np.errstate(all="ignore"):
        norm = safe_norm(np.array(values))
    reference = mp_norm(values)
    assert math.isfinite(norm)
    tolerance = 2 * (len(values) + 2) * EPS
    assert norm == pytest.approx(reference, rel=tolerance, abs=0)
    assert norm == pytest.approx(math.hypot(*values), rel=tolerance, abs=0)


@budget(300)
@given(
    exponents=st.lists(st.floats(-300, 300), min_size=1, max_size=8),
    mantissas=st.lists(st.floats(-1, 1), min_size=8, max_size=8),
)
def test_safe_norm_of_any_sizes_is_the_norm_to_rounding(exponents, mantissas):
    values = [m * 10.0**e for m, e in zip(mantissas, exponents, strict=False)]
    with np.errstate(all="ignore"):
        norm = safe_norm(np.array(values))
    assert norm == pytest.approx(mp_norm(values), rel=2 * (len(values) + 2) * EPS, abs=0)


def test_safe_norm_of_nothing_and_of_zeros_is_zero():
    assert safe_norm(np.zeros(0)) == 0.0
    assert safe_norm(np.zeros((2, 3))) == 0.0


def test_safe_norm_of_a_matrix_is_its_frobenius_norm():
    M = np.array([[3e200, 0.0], [0.0, 4e200]])
    with np.errstate(all="ignore"):
        assert safe_norm(M) == pytest.approx(5e200, rel=4 * EPS)


@pytest.mark.parametrize(
    ("values", "expected"),
    [([1.0, np.nan], np.nan), ([1.0, np.inf], np.inf), ([-np.inf, 1e300], np.inf)],
    ids=["nan", "inf", "minus-inf"],
)
def test_safe_norm_propagates_nan_and_inf(values, expected):
    with np.errstate(all="ignore"):
        norm = safe_norm(np.array(values))
    if math.isnan(expected):
        assert math.isnan(norm)
    else:
        assert norm == expected


# --- power_of_two_scale --------------------------------------------------------------------


@pytest.mark.parametrize(
    "largest",
    [0.0, 1.0, 5.0, 1e-90, 1e90, UNSCALED_RANGE[0], UNSCALED_RANGE[1], 2.0**-299, 2.0**299],
)
def test_power_of_two_scale_is_one_inside_the_unscaled_range(largest):
    assert power_of_two_scale(np.array([largest]))[0] == 1.0


@pytest.mark.parametrize(
    "largest",
    [1e200, 1e-200, 2.0**300 * (1 + EPS), 2.0**-301, 1e307, 2.0**1023 * (1 - EPS), 2.0**-1022],
)
def test_power_of_two_scale_brings_a_normal_column_into_half_to_one(largest):
    scale = power_of_two_scale(np.array([largest]))[0]
    assert is_power_of_two(scale)
    assert 0.5 <= largest / scale < 1.0
    assert Fraction(largest) / Fraction(scale) == Fraction(largest / scale)  # exact


@pytest.mark.parametrize("largest", [5e-324, 2.0**-1060, 2.0**-1023, 1e-310])
def test_power_of_two_scale_of_a_subnormal_column_is_the_smallest_normal_power(largest):
    scale = power_of_two_scale(np.array([largest]))[0]
    assert scale == 2.0**-1022
    assert math.isfinite(1.0 / scale)
    assert 2.0**-52 <= largest / scale < 1.0
    assert Fraction(largest) / Fraction(scale) == Fraction(largest / scale)  # exact


@budget(300)
@given(st.lists(st.floats(0, BELOW_2_1023, allow_subnormal=True), min_size=1, max_size=6))
def test_power_of_two_scale_of_any_column_magnitudes(largest):
    largest = np.array(largest)
    scale = power_of_two_scale(largest)
    assert scale.shape == largest.shape
    assert is_power_of_two(scale)
    inside = (largest == 0) | ((largest >= UNSCALED_RANGE[0]) & (largest <= UNSCALED_RANGE[1]))
    assert np.all(scale[inside] == 1.0)
    scaled = largest[~inside] / scale[~inside]
    assert np.all((scaled < 1.0) & (scaled >= np.where(largest[~inside] < TINY, 2.0**-52, 0.5)))


@pytest.mark.parametrize("largest", [2.0**1023, 1e308, MAX])
def test_power_of_two_scale_of_the_largest_floats_is_finite(largest):
    scale = power_of_two_scale(np.array([largest]))[0]
    assert math.isfinite(scale) and is_power_of_two(scale)
    assert scale == 2.0**1023  # the largest finite power of two: the column lies in [1, 2)
    assert 1.0 <= largest / scale < 2.0


# --- times_power_of_two --------------------------------------------------------------------


def test_times_power_of_two_does_not_underflow_on_the_way():
    # A slope of 1e-235, times a y scale of 2**-300, divided by an x scale of 2**-389: the
    # product on the way, 1e-325, is below the subnormals; the answer is 1e-235·2**89.
    value = times_power_of_two(1e-235, 2.0**-300, 2.0**-389)
    assert Fraction(float(value)) == Fraction(1e-235) * 2**89
    with np.errstate(under="ignore"):
        naive = np.float64(1e-235) * 2.0**-300 / 2.0**-389
    assert naive != value  # multiplying in turn loses it


@budget(300)
@given(
    value=st.floats(-MAX, MAX, allow_subnormal=True),
    numerator=st.integers(-1074, 1023),
    denominator=st.integers(-1074, 1023),
)
def test_times_power_of_two_is_the_exact_product_rounded_once(value, numerator, denominator):
    with np.errstate(over="ignore", under="ignore"):
        result = times_power_of_two(value, 2.0**numerator, 2.0**denominator)
    exact = Fraction(value) * Fraction(2) ** (numerator - denominator)
    assert float(result) == rounded(exact)


def test_times_power_of_two_broadcasts_columns_and_targets():
    values = np.array([[1.0, 3.0], [5.0, 7.0]])
    numerator = np.array([[2.0**-600, 2.0**10]])  # per target
    denominator = np.array([[2.0**-700], [2.0**400]])  # per feature
    result = times_power_of_two(values, numerator, denominator)
    for i in range(2):
        for j in range(2):
            exact = Fraction(values[i, j]) * Fraction(numerator[0, j]) / Fraction(denominator[i, 0])
            assert Fraction(result[i, j]) == exact


# --- normalised_weights --------------------------------------------------------------------


def test_no_weights_stay_none_with_a_scale_of_one():
    assert normalised_weights(None) == (None, 1.0)


@pytest.mark.parametrize(
    "weights",
    [[1.0, 2.0], [0.0, 3.0, 0.5], [WEIGHT_RANGE[1], 1.0], [WEIGHT_RANGE[0], 0.0], [1e-70], [0.0]],
    ids=["ones", "with-zeros", "at-the-top", "at-the-bottom", "small", "zero"],
)
def test_weights_within_range_are_returned_as_they_are(weights):
    weights = np.array(weights)
    returned, scale = normalised_weights(weights)
    assert returned is weights
    assert scale == 1.0


def check_exact_normalisation(weights, returned, scale):
    assert is_power_of_two(scale)
    assert 0.5 <= np.max(returned) < 1.0
    for w, r in zip(weights, returned, strict=True):
        exact = Fraction(w) / Fraction(scale)
        assert Fraction(r) == exact or (r == rounded(exact) and exact < Fraction(TINY))


@pytest.mark.parametrize(
    "weights",
    [
        [2.0**1020, 2.0**1019],
        [1e300, 3e299, 0.0],
        [1e307, 1.0],
        [2.0**501, 2.0**501],
        [2.0**-501, 3 * 2.0**-520],
        [1e-200, 0.0, 7e-201],
        [2.0**-1070, 3 * 2.0**-1072, 5e-324],
    ],
    ids=["2**1020", "1e300", "1e307", "just-above", "just-below", "1e-200", "subnormal"],
)
def test_extreme_weights_are_a_power_of_two_times_the_returned_ones_exactly(weights):
    weights = np.array(weights)
    returned, scale = normalised_weights(weights)
    assert returned is not weights
    assert scale != 1.0
    for w, r in zip(weights, returned, strict=True):
        assert Fraction(scale) * Fraction(r) == Fraction(w)  # no digit lost, none rounded
    check_exact_normalisation(weights, returned, scale)


@pytest.mark.parametrize("largest", [2.0**1023, 1e308, MAX])
def test_the_largest_float_weights_are_normalised_too(largest):
    weights = np.array([largest, 1.0])
    returned, scale = normalised_weights(weights)
    assert math.isfinite(scale)
    for w, r in zip(weights, returned, strict=True):
        assert Fraction(scale) * Fraction(r) == Fraction(w)


@budget(300)
@given(st.lists(st.floats(0, BELOW_2_1023, allow_subnormal=True), min_size=1, max_size=6))
def test_any_weights_are_normalised_exactly_or_rounded_once(weights):
    weights = np.array(weights)
    returned, scale = normalised_weights(weights)
    largest = np.max(weights)
    if largest == 0 or WEIGHT_RANGE[0] <= largest <= WEIGHT_RANGE[1]:
        assert returned is weights and scale == 1.0
    else:
        # Each weight is divided exactly, but weights below the largest by more than the
        # normal range round once, as any float64 quotient would.
        check_exact_normalisation(weights, returned, scale)


# --- require_positive_weight_sum -----------------------------------------------------------


@pytest.mark.parametrize("weight_sum", [0.0, -0.0, -1.0, math.nan, -math.inf])
def test_a_weight_sum_that_is_not_positive_is_refused_saying_what_to_do(weight_sum):
    with pytest.raises(ValueError) as info:
        require_positive_weight_sum(weight_sum)
    message = str(info.value)
    assert "Sample weights must contain at least one non-zero number" in message
    assert "sum to 0" in message
    assert "Give at least one row a positive weight." in message


@pytest.mark.parametrize("weight_sum", [5e-324, 1.0, 1e300, math.inf])
def test_a_positive_weight_sum_passes(weight_sum):
    assert require_positive_weight_sum(weight_sum) is None


# --- the rank rule -------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "p"), [(1, 1), (3, 2), (100, 3), (10**6, 4), (5, 50), (0, 0)])
def test_rank_tolerance_is_numpys_matrix_rank_default(n, p):
    assert rank_tolerance(n, p) == max(n, p, 1) * np.finfo(np.float64).eps


@pytest.mark.parametrize(("n", "p"), [(3, 2), (100, 3), (10**6, 4), (5, 50)])
def test_numerical_rank_counts_singular_values_above_the_tolerance(n, p):
    t = rank_tolerance(n, p)
    above, below = 1.01 * t, 0.99 * t
    assert numerical_rank(np.array([1.0, above, below]), n, p) == 2
    assert numerical_rank(np.array([below, 1.0, above]), n, p) == 2  # any order
    assert numerical_rank(np.array([2.0**40, 2.0**40 * above]), n, p) == 2  # relative
    assert numerical_rank(np.array([2.0**40, 2.0**40 * below]), n, p) == 1
    assert numerical_rank(np.array([3.0, 3.0, 3.0]), n, p) == 3
    assert numerical_rank(np.array([1.0, t]), n, p) == 1  # at the tolerance: rounding


def test_numerical_rank_of_nothing_or_of_zeros_is_zero():
    assert numerical_rank(np.zeros(0), 10, 0) == 0
    assert numerical_rank(np.zeros(3), 10, 3) == 0


@pytest.mark.parametrize(("n", "p"), [(3, 2), (100, 3), (1000, 8), (10**6, 4)])
def test_from_gram_the_tolerance_is_the_square_root_of_p_eps(n, p):
    gram = math.sqrt(p * EPS)
    assert gram > rank_tolerance(n, p)  # these shapes: the Gram matrix's resolution decides
    s = np.array([1.0, 1.01 * gram, 0.99 * gram, 1.01 * rank_tolerance(n, p)])
    assert numerical_rank(s, n, p) == 4
    assert numerical_rank(s, n, p, from_gram=True) == 2


def test_from_gram_a_tall_design_keeps_the_larger_tolerance():
    n, p = 10**9, 2
    t = rank_tolerance(n, p)
    assert t > math.sqrt(p * EPS)
    s = np.array([1.0, 1.01 * t, 0.99 * t])
    assert numerical_rank(s, n, p, from_gram=True) == numerical_rank(s, n, p) == 2


@pytest.mark.parametrize("seed", range(6))
def test_numerical_rank_equals_numpys_matrix_rank(seed):
    rng = np.random.default_rng(seed)
    n, p = int(rng.integers(2, 40)), int(rng.integers(1, 8))
    k = min(n, p)
    t = rank_tolerance(n, p)
    # Singular values well above, or well below, the tolerance, in a diagonal n×p matrix.
    s = np.where(rng.random(k) < 0.5, rng.uniform(1e-3, 1, k), rng.uniform(0, 0.5 * t, k))
    s[0] = 1.0
    A = np.zeros((n, p))
    A[np.arange(k), np.arange(k)] = s
    assert numerical_rank(s, n, p) == np.linalg.matrix_rank(A)


# --- digits_lost ---------------------------------------------------------------------------


@pytest.mark.parametrize("k", range(31))
def test_digits_lost_for_a_condition_of_ten_to_the_k_is_k_up_to_16(k):
    # log10(eps) + 16 = 0.35: a Gram condition of 10**k loses k digits of float64's 16.
    assert digits_lost(10.0**k) == min(k, 16)


def test_digits_lost_grows_with_the_condition_and_stays_in_0_to_16():
    conditions = np.logspace(0, 40, 401)
    lost = [digits_lost(c) for c in conditions]
    assert lost == sorted(lost)
    assert lost[0] == 0 and lost[-1] == 16
    assert digits_lost(math.inf) == 16
    assert digits_lost(math.nan) == 16
