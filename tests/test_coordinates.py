"""Tests of gdregress._coordinates: every conversion between the user's units and the solvers'.

References, all independent of gdregress: exact rational arithmetic (``fractions.Fraction``,
into which every float converts without error, and whose ``float()`` rounds correctly), and
the user's cost written out from the raw rows in Fractions,
:math:`L(w, b) = \\sum_i v_i (x_i \\cdot w + b - y_i)^2 / (2 \\sum_i v_i)`. The chain rule
ties it to the cost of the scaled statistics (``gdregress._statistics.compute_statistics``
and ``gdregress.cost.LeastSquaresCost``, whose own tests are in test_statistics.py and
test_cost.py): :math:`L(w, b) = s^2 L'(w \\odot x_{scale} / s, b / s)` with
:math:`s = y_{scale}`, checked here by central differences of that composition as well.

The units' conversions are multiplications by powers of two, so each to/from pair must be an
exact round trip wherever the converted value is a normal float64, and each conversion must be
the exact product rounded once. The coordinates (centred on the exact means, scaled) are
checked against the same exact user's cost: parameters, costs, covariances, rows and
predictions.
"""

import math
from fractions import Fraction

import numpy as np
import pytest
from _budget import budget
from _exact import rounded
from hypothesis import given
from hypothesis import strategies as st

from gdregress._coordinates import Centre, Coordinates, Units
from gdregress._statistics import compute_statistics
from gdregress.cost import LeastSquaresCost

TINY = float(np.finfo(np.float64).tiny)
MAX = float(np.finfo(np.float64).max)


def normal_or_zero(fraction: Fraction) -> bool:
    """Whether an exact value is 0 or a normal float64 (so a power of two keeps it exact)."""
    return fraction == 0 or TINY <= abs(fraction) <= MAX


def units_of(x_exponents, y_exponents) -> Units:
    return Units(np.ldexp(1.0, np.array(x_exponents)), np.ldexp(1.0, np.array(y_exponents)))


# --- units in general ----------------------------------------------------------------------


def test_identity_units_convert_nothing():
    units = Units.identity(3, 2)
    assert units.is_identity
    coef, intercept = np.arange(6.0).reshape(3, 2), np.array([7.0, 8.0])
    user = units.coef_to_user(coef, intercept)
    np.testing.assert_array_equal(user[0], coef)
    np.testing.assert_array_equal(user[1], intercept)
    np.testing.assert_array_equal(units.cost_to_user(np.array([0.5, 2.0])), [0.5, 2.0])


def test_the_weights_scale_alone_converts_nothing():
    assert Units(np.ones(2), np.ones(1), weight_scale=2.0**600).is_identity
    assert not units_of([0, 300], [0]).is_identity
    assert not units_of([0], [-400]).is_identity


def test_statistics_of_extreme_columns_have_power_of_two_units():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 3)) * np.array([1e200, 1.0, 1e-150])
    y = rng.normal(size=6) * 1e-120
    units = Units.of(compute_statistics(X, y))
    mantissa, _ = np.frexp(np.r_[units.x_scale, units.y_scale])
    assert np.all(mantissa == 0.5)
    assert units.x_scale[1] == 1.0
    assert 0.5 <= np.max(np.abs(X[:, 0])) / units.x_scale[0] < 1
    assert 0.5 <= np.max(np.abs(y)) / units.y_scale[0] < 1


# --- exact round trips (hypothesis) --------------------------------------------------------

exponents = st.integers(-1000, 1000)
finite = st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True)


@st.composite
def scaled_parameters(draw):
    """Units of d features and t targets (powers of two 2**-1000..2**1000), coefficients
    (d, t) and intercepts (t,) of any finite size."""
    d, t = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    x_exp = draw(st.lists(exponents, min_size=d, max_size=d))
    y_exp = draw(st.lists(exponents, min_size=t, max_size=t))
    coef = np.array(draw(st.lists(finite, min_size=d * t, max_size=d * t))).reshape(d, t)
    intercept = np.array(draw(st.lists(finite, min_size=t, max_size=t)))
    return x_exp, y_exp, coef, intercept


def check_pair(to_user, from_user, x_exp, y_exp, coef, intercept):
    """``to_user`` multiplies coef[i, j] by 2**(y_j − x_i) and intercept[j] by 2**y_j, each
    rounded once; ``from_user`` undoes it exactly wherever the converted value is normal."""
    user_coef, user_intercept = to_user(coef, intercept)
    back_coef, back_intercept = from_user(user_coef, user_intercept)
    for i, j in np.ndindex(coef.shape):
        exact = Fraction(coef[i, j]) * Fraction(2) ** (y_exp[j] - x_exp[i])
        assert user_coef[i, j] == rounded(exact), (i, j)
        if normal_or_zero(exact):
            assert back_coef[i, j] == coef[i, j], (i, j)
    for j in range(len(intercept)):
        exact = Fraction(intercept[j]) * Fraction(2) ** y_exp[j]
        assert user_intercept[j] == rounded(exact), j
        if normal_or_zero(exact):
            assert back_intercept[j] == intercept[j], j


@budget(200)
@given(scaled_parameters())
def test_coefficients_to_the_users_units_and_back_are_exact(parameters):
    x_exp, y_exp, coef, intercept = parameters
    units = units_of(x_exp, y_exp)
    check_pair(units.coef_to_user, units.coef_from_user, x_exp, y_exp, coef, intercept)


@budget(200)
@given(scaled_parameters())
def test_the_users_coefficients_to_scaled_units_and_back_are_exact(parameters):
    x_exp, y_exp, coef, intercept = parameters
    units = units_of(x_exp, y_exp)
    # The inverse pair: 2**(x_i − y_j) and 2**−y_j, undone by coef_to_user.
    check_pair(
        units.coef_from_user,
        units.coef_to_user,
        [-e for e in x_exp],
        [-e for e in y_exp],
        coef,
        intercept,
    )


@budget(200)
@given(y_exp=st.lists(exponents, min_size=1, max_size=3), data=st.data())
def test_costs_to_the_users_units_are_times_y_scale_squared_and_round_trip(y_exp, data):
    costs = np.array(
        data.draw(st.lists(st.floats(0, MAX), min_size=len(y_exp), max_size=len(y_exp)))
    )
    units = units_of([0], y_exp)
    user = units.cost_to_user(costs)
    for j, cost in enumerate(costs):
        exact = Fraction(cost) * Fraction(2) ** (2 * y_exp[j])
        if cost == 0 or (cost >= TINY and normal_or_zero(exact)):
            assert user[j] == exact  # a power of two: exact
        elif exact > MAX:
            assert user[j] == math.inf


@pytest.mark.parametrize("y_exponent", [600, 1000, -600, 0])
def test_a_zero_cost_is_zero_in_any_units(y_exponent):
    units = units_of([0], [y_exponent])
    user = units.cost_to_user(np.array([0.0]))
    assert user[0] == 0.0 and not np.isnan(user[0])  # y_scale² may be inf; 0·inf is NaN


def test_a_cost_whose_units_square_overflows_is_inf_without_a_warning():
    units = units_of([0], [600])
    assert units.cost_to_user(np.array([1.0]))[0] == math.inf
    assert units.cost_to_user(np.array([2.0**-1000]))[0] == 2.0**200


# --- the chain rule, against the user's cost in exact arithmetic -------------------------

# Small data sets, with the column and target sizes (powers of ten) that decide the units:
# beyond about 1e±90 a column is divided by a power of two.
CASES = [
    pytest.param((0, 0), 0, id="identity"),
    pytest.param((0, 0), 120, id="y-1e120"),
    pytest.param((0, 0), -100, id="y-1e-100"),
    pytest.param((100, 0), -100, id="x-1e100-y-1e-100"),
    pytest.param((-120, 50), 0, id="x-1e-120"),
    pytest.param((130, -95), 95, id="x-1e130-1e-95-y-1e95"),
]


def case_data(x_exponents, y_exponent, weighted=True):
    rng = np.random.default_rng(7)
    n, d = 7, len(x_exponents)
    Z = rng.normal(size=(n, d)) + rng.uniform(-2, 2, size=d)  # means away from 0
    X = Z * 10.0 ** np.array(x_exponents, dtype=float)
    y = (Z @ rng.normal(size=d) + 1.5 + 0.3 * rng.normal(size=n)) * 10.0**y_exponent
    weights = rng.uniform(0.5, 2.0, size=n) if weighted else None
    return X, y, weights


def exact_user_cost(X, y, weights, coef, intercept):
    """The user's half-MSE, its gradient and Hessian at (coef, intercept), in Fractions."""
    rows = [[Fraction(v) for v in row] for row in X]
    ys = [Fraction(v) for v in y]
    vs = [Fraction(v) for v in (np.ones(len(y)) if weights is None else weights)]
    w = [Fraction(c) for c in coef]
    b = Fraction(intercept)
    total = sum(vs)
    residuals = [
        sum(a * c for a, c in zip(row, w, strict=True)) + b - t
        for row, t in zip(rows, ys, strict=True)
    ]
    value = sum(v * r * r for v, r in zip(vs, residuals, strict=True)) / (2 * total)
    design = [[*row, Fraction(1)] for row in rows]
    gradient = [
        sum(v * a[k] * r for v, a, r in zip(vs, design, residuals, strict=True)) / total
        for k in range(len(w) + 1)
    ]
    hessian = [
        [
            sum(v * a[k] * a[m] for v, a in zip(vs, design, strict=True)) / total
            for m in range(len(w) + 1)
        ]
        for k in range(len(w) + 1)
    ]
    return value, gradient, hessian


def coordinates_problem(x_exponents, y_exponent):
    """Statistics and coordinates of a case, a point (v, v_b) in the coordinates, and that
    point in the user's units."""
    X, y, weights = case_data(x_exponents, y_exponent)
    statistics = compute_statistics(X, y, weights)
    coordinates = Coordinates.of_statistics(statistics, fit_intercept=True)
    rng = np.random.default_rng(11)
    v = rng.normal(size=(len(x_exponents), 1)) * 3  # far from the minimum
    v_b = rng.normal(size=1) * 3
    user_coef, user_intercept = coordinates.to_user(v, v_b)
    return X, y, weights, statistics, coordinates, v, v_b, user_coef, user_intercept


@pytest.mark.parametrize(("x_exponents", "y_exponent"), CASES)
def test_the_cost_in_the_coordinates_is_the_users_cost_in_exact_arithmetic(x_exponents, y_exponent):
    X, y, weights, statistics, coordinates, v, v_b, coef, intercept = coordinates_problem(
        x_exponents, y_exponent
    )
    value, _, _ = exact_user_cost(X, y, weights, coef[:, 0], float(intercept[0]))
    cost = LeastSquaresCost(coordinates.statistics(statistics))
    converted = coordinates.cost_to_user(np.array([cost.value(v[:, 0], float(v_b[0]))]))[0]
    # Both sides are the cost at the same line (the conversion rounds each parameter once,
    # about 1e-16 of terms that cancel to the cost within a factor of 10³ here).
    assert converted == pytest.approx(float(value), rel=1e-11)


@pytest.mark.parametrize(("x_exponents", "y_exponent"), CASES)
def test_parameters_to_the_users_units_and_back(x_exponents, y_exponent):
    *_, statistics, coordinates, v, v_b, coef, intercept = coordinates_problem(
        x_exponents, y_exponent
    )
    # Exactly: w = y_scale·v / (scale·x_scale), b = y_scale·(v_b − (shift + low)·v/scale).
    s, scale = Fraction(statistics.y_scale[0]), coordinates.scale
    shift = [
        Fraction(a) + Fraction(b)
        for a, b in zip(coordinates.shift, coordinates.shift_low, strict=True)
    ]
    slopes = [Fraction(v[j, 0]) / Fraction(scale[j]) for j in range(len(scale))]
    exact_coef = [s * w / Fraction(xs) for w, xs in zip(slopes, statistics.x_scale, strict=True)]
    exact_b = s * (Fraction(v_b[0]) - sum(a * w for a, w in zip(shift, slopes, strict=True)))
    for got, exact in zip(coef[:, 0], exact_coef, strict=True):
        assert got == pytest.approx(float(exact), rel=4e-16)  # two roundings
    # The intercept cancels (the means are away from 0): rounding relative to its terms.
    terms = s * (
        abs(Fraction(v_b[0])) + sum(abs(a * w) for a, w in zip(shift, slopes, strict=True))
    )
    assert abs(Fraction(intercept[0]) - exact_b) <= 8 * np.finfo(float).eps * terms
    back_v, back_b = coordinates.from_user(coef, intercept)
    np.testing.assert_allclose(back_v, v, rtol=1e-15)
    np.testing.assert_allclose(back_b, v_b, rtol=1e-12)


@pytest.mark.parametrize(("x_exponents", "y_exponent"), CASES)
def test_a_covariance_to_the_users_units_is_jacobian_times_it(x_exponents, y_exponent):
    *_, statistics, coordinates, _, _, _, _ = coordinates_problem(x_exponents, y_exponent)
    rng = np.random.default_rng(3)
    half = rng.normal(size=(coordinates.n_parameters,) * 2)
    cov, std_err = coordinates.covariance_to_user(0, half=half)
    # Exactly: θ_user = D·J·v with J the Jacobian of the scaled parameters and D the powers
    # of two (x_scale⁻¹·y_scale for the slopes, y_scale for the intercept).
    J = [[Fraction(a) for a in row] for row in coordinates.jacobian()]
    s = Fraction(statistics.y_scale[0])
    D = [s / Fraction(x) for x in statistics.x_scale] + [s]
    H = [[Fraction(a) for a in row] for row in half]
    p = len(D)
    JH = [[D[i] * sum(J[i][m] * H[m][c] for m in range(p)) for c in range(p)] for i in range(p)]
    for i, j in np.ndindex(p, p):
        exact = sum(JH[i][c] * JH[j][c] for c in range(p))
        size = sum(abs(JH[i][c] * JH[j][c]) for c in range(p))
        if size > MAX:  # beyond float64: inf, never NaN
            assert abs(cov[i, j]) == math.inf or abs(exact) <= MAX
            continue
        if size < TINY / np.finfo(float).eps:  # below float64's normal range: underflows
            continue
        assert abs(Fraction(cov[i, j]) - exact) <= 8 * p * np.finfo(float).eps * size
    for i in range(p):  # the standard errors keep their digits where their squares cannot
        exact = math.sqrt(float(sum(JH[i][c] * JH[i][c] for c in range(p)) / D[i] ** 2))
        assert std_err[i] == pytest.approx(exact * float(D[i]), rel=1e-14)


def test_rows_in_the_coordinates_times_a_factor_are_exact_in_double_double():
    # A quintic on [2, 3]: rows times R⁻¹ cancel by about κ ≈ 1e6 in float64.
    x = np.linspace(2, 3, 30)
    X = np.column_stack([x**k for k in range(1, 6)])
    statistics = compute_statistics(X, np.cos(3 * x))
    coordinates = Coordinates.of_statistics(statistics, True)
    A, _ = coordinates.design_block(X, np.zeros((30, 1)))
    factor = np.linalg.inv(np.linalg.qr(A, mode="r"))
    accurate = coordinates.rows_times(X, factor, accurate=True)
    plain = coordinates.rows_times(X, factor, accurate=False)
    exact = np.array(
        [
            [
                float(
                    sum(
                        (Fraction(X[i, j]) - Fraction(coordinates.shift[j]))
                        / Fraction(coordinates.scale[j])
                        * Fraction(factor[j, c])
                        for j in range(5)
                    )
                    + Fraction(factor[5, c])
                )
                for c in range(6)
            ]
            for i in range(30)
        ]
    )
    size = np.max(np.abs(exact))
    assert np.max(np.abs(accurate - exact)) <= 4 * np.finfo(float).eps * size
    assert np.max(np.abs(plain - exact)) > 100 * np.max(np.abs(accurate - exact))


def test_a_centre_predicts_and_takes_residuals_exactly_far_from_zero():
    x = 1e12 + np.arange(20.0)
    y = 3.0 * np.arange(20.0) + 0.25 * (np.arange(20) % 3)
    statistics = compute_statistics(x[:, None], y)
    coordinates = Coordinates.of_statistics(statistics, True)
    slope = 3.0 + 1.0 / 64
    value = statistics.y_mean
    point, low, value = coordinates.centre(value)
    coef = np.array([[slope]])
    centre = Centre(point, low, value, coef=coef, intercept=np.zeros(1))
    mean = sum(Fraction(v) for v in x) / 20
    exact = [Fraction(value[0]) + (Fraction(v) - mean) * Fraction(slope) for v in x]
    predicted = centre.predict(x[:, None])[:, 0]
    residuals = centre.residuals(x[:, None], y[:, None])[:, 0]
    for k in range(20):
        assert abs(Fraction(predicted[k]) - exact[k]) <= np.spacing(abs(float(exact[k])))
        assert residuals[k] == pytest.approx(float(Fraction(y[k]) - exact[k]), abs=1e-13)
