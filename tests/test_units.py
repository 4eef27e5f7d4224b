"""Tests of gdregress._units: the conversions between the statistics' units and the user's.

References, all independent of gdregress: exact rational arithmetic (``fractions.Fraction``,
into which every float converts without error, and whose ``float()`` rounds correctly), and
the user's cost written out from the raw rows in Fractions,
:math:`L(w, b) = \\sum_i v_i (x_i \\cdot w + b - y_i)^2 / (2 \\sum_i v_i)`. The chain rule
ties it to the cost of the scaled statistics (``gdregress._statistics.compute_statistics``
and ``gdregress.cost.LeastSquaresCost``, whose own tests are in test_statistics.py and
test_cost.py): :math:`L(w, b) = s^2 L'(w \\odot x_{scale} / s, b / s)` with
:math:`s = y_{scale}`, checked here by central differences of that composition as well.

Every conversion is multiplication by a power of two, so each to/from pair must be an exact
round trip wherever the converted value is a normal float64, and each conversion must be the
exact product rounded once.
"""

import math
from fractions import Fraction

import numpy as np
import pytest
from _budget import budget
from _exact import rounded
from hypothesis import given
from hypothesis import strategies as st

from gdregress._statistics import compute_statistics
from gdregress._units import Units
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
    units = compute_statistics(X, y).units
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


def round_trips(first, second, *arrays):
    """Whether ``second(first(arrays))`` gives every entry back exactly wherever ``first``
    made it a normal float64 (a power of two changes no digit of such a value)."""
    middle = first(*arrays)
    back = second(*middle)
    for original, there, returned in zip(arrays, middle, back, strict=True):
        normal = (np.abs(there) >= TINY) & (np.abs(there) <= MAX) | (original == 0)
        np.testing.assert_array_equal(returned[normal], original[normal])


@budget(200)
@given(scaled_parameters())
def test_gradients_to_the_users_units_and_back_round_trip_exactly(parameters):
    x_exp, y_exp, grad_coef, grad_intercept = parameters
    units = units_of(x_exp, y_exp)
    round_trips(units.gradient_to_user, units.gradient_from_user, grad_coef, grad_intercept)
    round_trips(units.gradient_from_user, units.gradient_to_user, grad_coef, grad_intercept)


@budget(200)
@given(
    x_exp=st.lists(exponents, min_size=1, max_size=3),
    y_exp=exponents,
    values=st.lists(finite, min_size=16, max_size=16),
    fit_intercept=st.booleans(),
)
def test_hessians_to_the_users_units_and_back_round_trip_exactly(
    x_exp, y_exp, values, fit_intercept
):
    units = units_of(x_exp, [y_exp])
    p = len(x_exp) + int(fit_intercept)
    H = np.array(values[: p * p]).reshape(p, p)
    to_user = lambda H: (units.hessian_to_user(H, fit_intercept),)  # noqa: E731
    from_user = lambda H: (units.hessian_from_user(H, fit_intercept),)  # noqa: E731
    round_trips(to_user, from_user, H)
    round_trips(from_user, to_user, H)


@budget(200)
@given(y_exp=st.lists(exponents, min_size=1, max_size=3), data=st.data())
def test_costs_to_the_users_units_are_times_y_scale_squared_and_round_trip(y_exp, data):
    costs = np.array(
        data.draw(st.lists(st.floats(0, MAX), min_size=len(y_exp), max_size=len(y_exp)))
    )
    units = units_of([0], y_exp)
    user = units.cost_to_user(costs)
    back = units.cost_from_user(user)
    for j, cost in enumerate(costs):
        exact = Fraction(cost) * Fraction(2) ** (2 * y_exp[j])
        if cost == 0 or (cost >= TINY and normal_or_zero(exact)):
            assert user[j] == exact  # a power of two: exact
            assert back[j] == cost
        elif exact > MAX:
            assert user[j] == math.inf


@pytest.mark.parametrize("y_exponent", [600, 1000, -600, 0])
def test_a_zero_cost_is_zero_in_any_units(y_exponent):
    units = units_of([0], [y_exponent])
    user = units.cost_to_user(np.array([0.0]))
    assert user[0] == 0.0 and not np.isnan(user[0])  # y_scale² may be inf; 0·inf is NaN
    assert units.cost_from_user(np.array([0.0]))[0] == 0.0


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


def scaled_problem(x_exponents, y_exponent):
    X, y, weights = case_data(x_exponents, y_exponent)
    statistics = compute_statistics(X, y, weights)
    units = statistics.units
    cost = LeastSquaresCost(statistics)
    rng = np.random.default_rng(11)
    coef = rng.normal(size=len(x_exponents)) * 3  # in the scaled units: far from the minimum
    intercept = float(rng.normal() * 3)
    user_coef, user_intercept = units.coef_to_user(coef[:, None], np.array([intercept]))
    return X, y, weights, units, cost, coef, intercept, user_coef[:, 0], float(user_intercept[0])


@pytest.mark.parametrize(("x_exponents", "y_exponent"), CASES)
def test_cost_to_user_is_the_users_cost_in_exact_arithmetic(x_exponents, y_exponent):
    X, y, weights, units, cost, coef, intercept, user_coef, user_intercept = scaled_problem(
        x_exponents, y_exponent
    )
    value, _, _ = exact_user_cost(X, y, weights, user_coef, user_intercept)
    converted = units.cost_to_user(np.array([cost.value(coef, intercept)]))[0]
    assert converted == pytest.approx(float(value), rel=1e-12)


@pytest.mark.parametrize(("x_exponents", "y_exponent"), CASES)
def test_gradient_to_user_is_the_gradient_of_the_users_cost(x_exponents, y_exponent):
    X, y, weights, units, cost, coef, intercept, user_coef, user_intercept = scaled_problem(
        x_exponents, y_exponent
    )
    _, gradient, _ = exact_user_cost(X, y, weights, user_coef, user_intercept)
    grad_coef, grad_intercept = cost.gradient(coef, intercept)
    user_grad_coef, user_grad_intercept = units.gradient_to_user(
        np.asarray(grad_coef)[:, None], np.array([grad_intercept])
    )
    converted = [*user_grad_coef[:, 0], user_grad_intercept[0]]
    for got, exact in zip(converted, gradient, strict=True):
        assert got == pytest.approx(float(exact), rel=1e-9)


@pytest.mark.parametrize(("x_exponents", "y_exponent"), CASES)
def test_gradient_to_user_agrees_with_central_differences_of_the_composed_cost(
    x_exponents, y_exponent
):
    # L_user(w, b) = s²·L'(w·x_scale/s, b/s), the scaled cost from the statistics; each
    # argument is formed exactly in Fractions and rounded once.
    _, _, _, units, cost, coef, intercept, user_coef, user_intercept = scaled_problem(
        x_exponents, y_exponent
    )
    s = Fraction(units.y_scale[0])
    x_scale = [Fraction(v) for v in units.x_scale]

    def user_cost(w, b):
        scaled = [float(Fraction(wj) * xj / s) for wj, xj in zip(w, x_scale, strict=True)]
        return float(s * s * Fraction(cost.value(np.array(scaled), float(Fraction(b) / s))))

    grad_coef, grad_intercept = cost.gradient(coef, intercept)
    user_grad_coef, user_grad_intercept = units.gradient_to_user(
        np.asarray(grad_coef)[:, None], np.array([grad_intercept])
    )
    parameters = [*user_coef, user_intercept]
    # Steps of 1e-3 in the scaled units: s/x_scale for a slope, s for the intercept.
    steps = [float(Fraction(1, 1000) * s / xj) for xj in x_scale] + [float(s / 1000)]
    for k, (step, got) in enumerate(
        zip(steps, [*user_grad_coef[:, 0], user_grad_intercept[0]], strict=True)
    ):
        up, down = list(parameters), list(parameters)
        up[k] += step
        down[k] -= step
        difference = (user_cost(up[:-1], up[-1]) - user_cost(down[:-1], down[-1])) / (2 * step)
        # Central differences of a quadratic are exact but for the rounding of the two costs:
        # a component too small to move the cost beyond that shows as a difference of 0.
        rounding = 8 * np.finfo(float).eps * user_cost(parameters[:-1], parameters[-1]) / step
        assert got == pytest.approx(difference, rel=1e-6, abs=rounding), k


@pytest.mark.parametrize(("x_exponents", "y_exponent"), CASES)
def test_hessian_to_user_is_the_hessian_of_the_users_cost(x_exponents, y_exponent):
    X, y, weights, units, cost, _, _, user_coef, user_intercept = scaled_problem(
        x_exponents, y_exponent
    )
    _, _, hessian = exact_user_cost(X, y, weights, user_coef, user_intercept)
    converted = units.hessian_to_user(cost.hessian, fit_intercept=True)
    for i, j in np.ndindex(converted.shape):
        assert converted[i, j] == pytest.approx(float(hessian[i][j]), rel=1e-9), (i, j)
    d = len(x_exponents)
    without = units.hessian_to_user(LeastSquaresCost(cost.statistics, False).hessian, False)
    for i, j in np.ndindex(without.shape):
        assert without[i, j] == pytest.approx(float(hessian[i][j]), rel=1e-9), (i, j)
    assert without.shape == (d, d)
