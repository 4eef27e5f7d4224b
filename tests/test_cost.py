"""Tests of gdregress.cost: the half-MSE cost, its derivatives and the lecture's E(m, b).

References: the lecture's power-line numbers, direct formulas evaluated in exact rational
arithmetic on the raw rows (never on gdregress's statistics), scipy.differentiate for the
numerical gradient, and numpy.linalg.eigvalsh of a Hessian built from the raw design.
"""

from fractions import Fraction

import numpy as np
import pytest
import scipy.differentiate
from _exact import fractions_of

from gdregress._statistics import LeastSquaresStatistics, compute_statistics
from gdregress.cost import ExpandedQuadratic, LeastSquaresCost

POWER_X = np.array([[1.0], [2.0], [3.0]])
POWER_Y = np.array([2.0, 5.0, 3.0])


def lecture_E(m, b):
    """The lecture's E(m, b) = 14m² + 3b² + 38 + 12mb − 42m − 20b."""
    return 14 * m * m + 3 * b * b + 38 + 12 * m * b - 42 * m - 20 * b


def lecture_grad_E(m, b):
    """The lecture's ∇E = (28m + 12b − 42, 6b + 12m − 20)."""
    return 28 * m + 12 * b - 42, 6 * b + 12 * m - 20


@pytest.fixture
def power_cost():
    return LeastSquaresCost(compute_statistics(POWER_X, POWER_Y))


# --- the lecture's power lines -------------------------------------------------------------


def test_expanded_quadratic_has_the_lecture_coefficients_exactly(power_cost):
    q = power_cost.expanded_quadratic()
    assert isinstance(q, ExpandedQuadratic)
    assert (q.mm, q.bb, q.const, q.mb, q.m, q.b) == (14.0, 3.0, 38.0, 12.0, -42.0, -20.0)


def test_expanded_quadratic_prints_as_the_lecture_writes_it(power_cost):
    assert str(power_cost.expanded_quadratic()) == "E(m, b) = 14m² + 3b² + 38 + 12mb - 42m - 20b"


def test_lecture_minimum_value_is_25_over_6(power_cost):
    # The lecture's arithmetic, checked exactly first.
    assert lecture_E(Fraction(1, 2), Fraction(7, 3)) == Fraction(25, 6)
    q = power_cost.expanded_quadratic()
    assert q(0.5, 7 / 3) == pytest.approx(25 / 6, rel=1e-14)
    # E = 2n·L with n = 3.
    assert 2 * 3 * power_cost.value([0.5], 7 / 3) == pytest.approx(25 / 6, rel=1e-14)


@pytest.mark.parametrize(
    ("m", "b"), [(0.0, 0.0), (0.5, 7 / 3), (1.0, 1.0), (-2.0, 3.5), (10.0, -4.0), (0.25, 0.75)]
)
def test_gradient_of_E_is_the_lecture_gradient(power_cost, m, b):
    want_m, want_b = lecture_grad_E(Fraction(m), Fraction(b))
    q = power_cost.expanded_quadratic()
    got_m, got_b = q.gradient(m, b)
    assert got_m == pytest.approx(float(want_m), abs=1e-12)
    assert got_b == pytest.approx(float(want_b), abs=1e-12)
    grad_coef, grad_intercept = power_cost.gradient([m], b)
    assert 2 * 3 * grad_coef[0] == pytest.approx(float(want_m), abs=1e-12)
    assert 2 * 3 * grad_intercept == pytest.approx(float(want_b), abs=1e-12)
    assert q(m, b) == pytest.approx(float(lecture_E(Fraction(m), Fraction(b))), rel=1e-14)
    assert 2 * 3 * power_cost.value([m], b) == pytest.approx(
        float(lecture_E(Fraction(m), Fraction(b))), rel=1e-13
    )


def test_gradient_vanishes_at_the_lecture_optimum(power_cost):
    grad_coef, grad_intercept = power_cost.gradient([0.5], 7 / 3)
    assert abs(grad_coef[0]) < 1e-14
    assert abs(grad_intercept) < 1e-14


def test_power_lines_hessian_is_the_lecture_second_derivatives_over_2n(power_cost):
    # ∂²E/∂m² = 28, ∂²E/∂m∂b = 12, ∂²E/∂b² = 6, and E = 6·L.
    np.testing.assert_allclose(power_cost.hessian * 6, [[28.0, 12.0], [12.0, 6.0]], rtol=1e-15)
    assert power_cost.max_curvature == pytest.approx((17 + np.sqrt(265)) / 6, rel=1e-14)


def test_expanded_quadratic_needs_one_feature_and_one_target():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="one feature and one target"):
        LeastSquaresCost(
            compute_statistics(rng.normal(size=(5, 2)), rng.normal(size=5))
        ).expanded_quadratic()
    with pytest.raises(ValueError, match="one feature and one target"):
        LeastSquaresCost(
            compute_statistics(rng.normal(size=(5, 1)), rng.normal(size=(5, 2)))
        ).expanded_quadratic()


def test_expanded_quadratic_of_weighted_data_is_the_weighted_sum_of_squares():
    w = np.array([2.0, 1.0, 3.0])
    cost = LeastSquaresCost(compute_statistics(POWER_X, POWER_Y, w))
    q = cost.expanded_quadratic()
    # Σ wᵢ (m xᵢ + b − yᵢ)² written out by hand: Σwx² = 2 + 4 + 27, Σw = 6, Σwy² = 8 + 25 + 27,
    # 2Σwx = 26, −2Σwxy = −2(4 + 10 + 27), −2Σwy = −2(4 + 5 + 9).
    assert (q.mm, q.bb, q.const, q.mb, q.m, q.b) == (33.0, 6.0, 60.0, 26.0, -82.0, -36.0)


# --- value, gradient and Hessian against exact direct formulas -----------------------------


def random_problem(seed, n=9, d=2, t=1, weighted=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * 3 + rng.normal(size=d) * 5
    Y = X @ rng.normal(size=(d, t)) + rng.normal(size=(n, t)) + 1.5
    w = rng.uniform(0.0, 4.0, size=n) if weighted else None
    coef = rng.normal(size=(d, t))
    intercept = rng.normal(size=t)
    return X, Y, w, coef, intercept


def exact_direct(X, Y, w, coef, intercept, fit_intercept):
    """L, ∇L and ∇²L from their definitions on the raw rows, in Fractions.

    L = 1/(2S) Σᵢ wᵢ ‖xᵢ·W + b − yᵢ‖², ∇_W L = (1/S) Σᵢ wᵢ xᵢ rᵢᵀ, ∂L/∂b = (1/S) Σᵢ wᵢ rᵢ,
    ∇²L = (1/S) Σᵢ wᵢ aᵢ aᵢᵀ with aᵢ = (xᵢ, 1) (or xᵢ without an intercept).
    """
    xs, ys = fractions_of(X), fractions_of(Y)
    W, b = fractions_of(coef), fractions_of(intercept)
    n, d, t = X.shape[0], X.shape[1], Y.shape[1]
    ws = [Fraction(1)] * n if w is None else fractions_of(w)
    if not fit_intercept:
        b = [Fraction(0)] * t
    S = sum(ws)
    r = [
        [sum(xs[i][j] * W[j][k] for j in range(d)) + b[k] - ys[i][k] for k in range(t)]
        for i in range(n)
    ]
    value = sum(ws[i] * r[i][k] ** 2 for i in range(n) for k in range(t)) / (2 * S)
    grad_coef = [
        [sum(ws[i] * xs[i][j] * r[i][k] for i in range(n)) / S for k in range(t)] for j in range(d)
    ]
    grad_b = [sum(ws[i] * r[i][k] for i in range(n)) / S for k in range(t)]
    a = [[*xs[i], Fraction(1)] if fit_intercept else xs[i] for i in range(n)]
    p = len(a[0])
    hessian = [
        [sum(ws[i] * a[i][j] * a[i][k] for i in range(n)) / S for k in range(p)] for j in range(p)
    ]
    return value, grad_coef, grad_b, hessian


def to_float(values):
    return np.array(values, dtype=object).astype(np.float64)


CASES = [
    pytest.param(True, False, id="intercept"),
    pytest.param(False, False, id="no-intercept"),
    pytest.param(True, True, id="intercept-weights"),
    pytest.param(False, True, id="no-intercept-weights"),
]


@pytest.mark.parametrize(("fit_intercept", "weighted"), CASES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_value_gradient_hessian_equal_the_exact_direct_formulas(seed, fit_intercept, weighted):
    X, Y, w, coef, intercept = random_problem(seed, weighted=weighted)
    cost = LeastSquaresCost(compute_statistics(X, Y[:, 0], w), fit_intercept=fit_intercept)
    value, grad_coef, grad_b, hessian = exact_direct(X, Y, w, coef, intercept, fit_intercept)

    assert cost.value(coef[:, 0], intercept[0]) == pytest.approx(float(value), rel=1e-13)

    got_coef, got_b = cost.gradient(coef[:, 0], intercept[0])
    assert got_coef.shape == (X.shape[1],)
    # The gradient's natural scale: the size of the terms it sums, (1/S) Σ wᵢ |xᵢ| |rᵢ|.
    scale = np.sqrt(2 * float(value)) * (np.abs(X).max() + 1)
    np.testing.assert_allclose(got_coef, to_float(grad_coef)[:, 0], rtol=1e-12, atol=1e-13 * scale)
    if fit_intercept:
        assert got_b == pytest.approx(float(grad_b[0]), rel=1e-12, abs=1e-13 * scale)
    else:
        assert got_b == 0.0

    p = X.shape[1] + int(fit_intercept)
    assert cost.hessian.shape == (p, p)
    assert cost.n_parameters == p
    np.testing.assert_allclose(cost.hessian, to_float(hessian), rtol=1e-13, atol=1e-14)


def test_intercept_is_ignored_without_an_intercept():
    X, Y, _, coef, _ = random_problem(3)
    cost = LeastSquaresCost(compute_statistics(X, Y[:, 0]), fit_intercept=False)
    assert cost.value(coef[:, 0], 0.0) == cost.value(coef[:, 0], 123.0)
    np.testing.assert_array_equal(
        cost.gradient(coef[:, 0], 0.0)[0], cost.gradient(coef[:, 0], 9.0)[0]
    )


@pytest.mark.parametrize("weighted", [False, True])
def test_multi_target_value_and_gradient_equal_the_exact_direct_formulas(weighted):
    X, Y, w, coef, intercept = random_problem(4, n=11, d=3, t=2, weighted=weighted)
    cost = LeastSquaresCost(compute_statistics(X, Y, w))
    value, grad_coef, grad_b, _ = exact_direct(X, Y, w, coef, intercept, True)
    assert cost.value(coef, intercept) == pytest.approx(float(value), rel=1e-13)
    got_coef, got_b = cost.gradient(coef, intercept)
    assert got_coef.shape == (3, 2)
    assert np.shape(got_b) == (2,)
    scale = np.sqrt(2 * float(value)) * (np.abs(X).max() + 1)
    np.testing.assert_allclose(got_coef, to_float(grad_coef), rtol=1e-12, atol=1e-13 * scale)
    np.testing.assert_allclose(got_b, to_float(grad_b), rtol=1e-12, atol=1e-13 * scale)
    # The costs of the targets add up.
    single = [
        LeastSquaresCost(compute_statistics(X, Y[:, k], w)).value(coef[:, k], intercept[k])
        for k in range(2)
    ]
    assert cost.value(coef, intercept) == pytest.approx(sum(single), rel=1e-14)


# --- the gradient against scipy's numerical differentiation --------------------------------


@pytest.mark.parametrize(("fit_intercept", "weighted"), CASES)
def test_gradient_equals_scipy_numerical_jacobian_of_the_value(fit_intercept, weighted):
    X, Y, w, coef, intercept = random_problem(5, n=15, d=3, weighted=weighted)
    cost = LeastSquaresCost(compute_statistics(X, Y[:, 0], w), fit_intercept=fit_intercept)
    d = X.shape[1]

    def value(theta):
        # scipy.differentiate evaluates at many points at once: theta has shape (p, ...).
        flat = theta.reshape(theta.shape[0], -1)
        out = [
            cost.value(flat[:d, k], flat[d, k] if fit_intercept else 0.0)
            for k in range(flat.shape[1])
        ]
        return np.array(out).reshape(theta.shape[1:])

    theta = np.r_[coef[:, 0], intercept] if fit_intercept else coef[:, 0]
    result = scipy.differentiate.jacobian(value, theta)
    assert np.all(result.success)
    got_coef, got_b = cost.gradient(coef[:, 0], intercept[0])
    want = np.r_[got_coef, got_b] if fit_intercept else got_coef
    np.testing.assert_allclose(result.df, want, rtol=1e-8, atol=1e-9)


# --- the largest curvature -----------------------------------------------------------------


@pytest.mark.parametrize(("fit_intercept", "weighted"), CASES)
def test_max_curvature_is_the_largest_eigenvalue_of_the_raw_design_hessian(fit_intercept, weighted):
    rng = np.random.default_rng(6)
    X = rng.normal(size=(50, 4)) * [1.0, 2.0, 5.0, 0.5] + [3.0, -1.0, 0.0, 10.0]
    y = rng.normal(size=50)
    w = rng.uniform(0.0, 2.0, size=50) if weighted else np.ones(50)
    cost = LeastSquaresCost(
        compute_statistics(X, y, w if weighted else None), fit_intercept=fit_intercept
    )
    A = np.column_stack([X, np.ones(50)]) if fit_intercept else X
    H = (A * w[:, None]).T @ A / w.sum()  # Hᵢⱼ = (1/S) Σ w aᵢ aⱼ
    np.testing.assert_allclose(cost.hessian, H, rtol=1e-12, atol=1e-13)
    assert cost.max_curvature == pytest.approx(np.linalg.eigvalsh(H)[-1], rel=1e-12)


# --- no data -------------------------------------------------------------------------------


def test_cost_of_zero_weight_sum_raises():
    with pytest.raises(ValueError, match="sum of the sample weights is 0"):
        LeastSquaresCost(LeastSquaresStatistics.empty(2))
    zero_weights = compute_statistics(POWER_X, POWER_Y, np.zeros(3))
    assert zero_weights.weight_sum == 0.0
    with pytest.raises(ValueError, match="sum of the sample weights is 0"):
        LeastSquaresCost(zero_weights, fit_intercept=False)
