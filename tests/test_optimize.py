"""Tests of gdregress.optimize: the lecture's descents, divergence, and the scipy protocol.

The truth each test checks against comes from outside the optimizer: the numbers the lecture
prints, exact rational arithmetic, scipy's numerical differentiation, scipy's Lambert W, and
numpy's linear solver.
"""

import contextlib
import itertools
import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal
from scipy.differentiate import derivative, jacobian
from scipy.optimize import OptimizeWarning, minimize
from scipy.special import lambertw

import gdregress.optimize
from gdregress.optimize import (
    _NON_FINITE,
    _OVERSHOT,
    _ROSE,
    _SQRT_EPS,
    DescentStatus,
    _DivergenceWatch,
    _History,
    gradient_descent,
    minimize_gradient_descent,
)

# --- the lecture's functions and their hand-written derivatives ------------------------------


def exp_minus_log(x):
    """f(x) = eˣ − log x, x > 0."""
    return np.exp(x) - np.log(x)


def exp_minus_log_prime(x):
    """f′(x) = eˣ − 1/x."""
    return np.exp(x) - 1 / x


def sauna(p):
    """T(x, y) = 85 − (1/90)·x²(x − 6)·y²(y − 6)."""
    x, y = p
    return 85 - x**2 * (x - 6) * y**2 * (y - 6) / 90


def sauna_grad(p):
    """(∂T/∂x, ∂T/∂y) = −(1/90)·(x(3x − 12)·y²(y − 6), x²(x − 6)·y(3y − 12))."""
    x, y = p
    return -np.array([x * (3 * x - 12) * y**2 * (y - 6), x**2 * (x - 6) * y * (3 * y - 12)]) / 90


def bowl(p):
    """f(x, y) = x² + y²."""
    return p[0] ** 2 + p[1] ** 2


def bowl_grad(p):
    """(2x, 2y)."""
    return np.array([2 * p[0], 2 * p[1]])


def cubic(p):
    """f(x, y) = 3x²y³."""
    return 3 * p[0] ** 2 * p[1] ** 3


def cubic_grad(p):
    """(6xy³, 9x²y²)."""
    x, y = p
    return np.array([6 * x * y**3, 9 * x**2 * y**2])


def power_lines(p):
    """E(m, b) = 14m² + 3b² + 38 + 12mb − 42m − 20b, the lecture's expanded sum of squares."""
    m, b = p
    return 14 * m**2 + 3 * b**2 + 38 + 12 * m * b - 42 * m - 20 * b


def power_lines_grad(p):
    """(28m + 12b − 42, 6b + 12m − 20)."""
    m, b = p
    return np.array([28 * m + 12 * b - 42, 6 * b + 12 * m - 20])


def stretched_bowl_grad(p):
    """Gradient of x² + 10y²; its largest curvature is 20, so steps above 2/20 = 0.1 diverge."""
    return np.array([2.0, 20.0]) * p


def stretched_bowl(p):
    return p[0] ** 2 + 10 * p[1] ** 2


OMEGA = lambertw(1).real  # the minimizer of eˣ − log x solves eˣ = 1/x, i.e. x = W(1)


@contextlib.contextmanager
def no_warnings():
    """A context in which any warning is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# --- the hand-written derivatives against scipy's numerical differentiation ------------------


@pytest.mark.parametrize("x", [0.05, 0.1447, 0.5, 1.0, 2.0])
def test_derivative_of_exp_minus_log(x):
    # Steps of at most x/8 keep the 8th-order central difference inside the domain x > 0.
    numerical = derivative(exp_minus_log, x, initial_step=x / 8)
    assert numerical.success
    assert_allclose(exp_minus_log_prime(x), numerical.df, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    ("function", "gradient"),
    [(sauna, sauna_grad), (bowl, bowl_grad), (cubic, cubic_grad), (power_lines, power_lines_grad)],
)
@pytest.mark.parametrize("point", [(0.5, 0.6), (2.0, 3.0), (5.5, 1.2), (-1.5, 4.5), (3.7, 0.3)])
def test_partial_derivatives_against_scipy_jacobian(function, gradient, point):
    numerical = jacobian(function, np.array(point))
    assert numerical.success.all()
    assert_allclose(gradient(point), numerical.df, rtol=1e-9, atol=1e-12)


def test_lecture_gradient_of_the_bowl_and_the_expanded_sum_of_squares():
    assert_array_equal(bowl_grad((2, 3)), [4, 6])
    # E(m, b) expanded, as the lecture does, equals the sum of squares for (1, 2), (2, 5), (3, 3).
    for m, b in [(Fraction(1, 2), Fraction(7, 3)), (Fraction(-3, 7), Fraction(5, 11))]:
        squares = (m + b - 2) ** 2 + (2 * m + b - 5) ** 2 + (3 * m + b - 3) ** 2
        assert power_lines((m, b)) == squares


# --- the lecture's descents -------------------------------------------------------------------


def test_exp_minus_log_descent_matches_the_lecture():
    res = gradient_descent(exp_minus_log_prime, 0.05, learning_rate=0.005, fun=exp_minus_log)
    # The iterates and gradients the lecture prints (worked-examples.md), to 4 decimals.
    assert_array_equal(res.path[:3, 0].round(4), [0.05, 0.1447, 0.1735])
    slopes = [exp_minus_log_prime(x) for x in res.path[:3, 0]]
    assert_array_equal(np.round(slopes, 4), [-18.9487, -5.7530, -4.5739])
    assert_array_equal(res.grad_norms[:3].round(4), [18.9487, 5.7530, 4.5739])
    # The slide's −5.7552 is f′ at the rounded 0.1447, as worked-examples.md notes.
    assert round(exp_minus_log_prime(0.1447), 4) == -5.7552
    # It ends at the omega constant W(1) = 0.5671432904…, where f = eᵂ − log W = 1/W + W.
    assert res.success and res.status == 0
    assert abs(res.x - OMEGA) < 1e-8
    assert res.fun == pytest.approx(1 / OMEGA + OMEGA, rel=1e-14)
    assert isinstance(res.x, float) and isinstance(res.jac, float)
    assert abs(res.jac) <= 1e-8
    assert res.path.shape == (res.nit + 1, 1)
    assert res.fun_values.shape == res.grad_norms.shape == (res.nit + 1,)


def test_every_recorded_iterate_is_one_step_from_the_last():
    # 757 iterates: the history outgrows its first allocation and must be copied intact.
    res = gradient_descent(exp_minus_log_prime, 0.05, learning_rate=0.005, fun=exp_minus_log)
    assert res.nit > 300
    x = res.path[:, 0]
    assert_array_equal(x[1:], x[:-1] - 0.005 * exp_minus_log_prime(x[:-1]))
    assert_array_equal(res.grad_norms, np.abs(exp_minus_log_prime(x)))
    assert_array_equal(res.fun_values, exp_minus_log(x))
    assert res.njev == res.nfev == res.nit + 1


def test_sauna_descent_matches_the_lecture():
    res = gradient_descent(sauna_grad, [0.5, 0.6], learning_rate=0.05, fun=sauna)
    assert_array_equal(res.path[:3].round(4), [[0.5, 0.6], [0.5057, 0.6047], [0.5115, 0.6095]])
    gradients = [sauna_grad(p) for p in res.path[:3]]
    expected = [[-0.1134, -0.0935], [-0.1162, -0.0961], [-0.1191, -0.0989]]
    assert_array_equal(np.round(gradients, 4), expected)
    assert_allclose(res.grad_norms[:3], np.linalg.norm(expected, axis=1), atol=1e-4)
    # ∂T/∂x(0.5, 0.6) is negative (a slide prints +0.1134): x grew from 0.5 to 0.5057.
    assert res.path[1, 0] > res.path[0, 0]
    # It reaches the coolest point (4, 4), T = 85 − (1/90)·16·(−2)·16·(−2) = 3313/45.
    coolest = 85 - Fraction(1, 90) * 16 * (4 - 6) * 16 * (4 - 6)
    assert coolest == Fraction(3313, 45)
    assert res.success and res.status == 0
    assert_allclose(res.x, [4, 4], rtol=0, atol=1e-8)
    assert res.fun == pytest.approx(float(coolest), abs=1e-12)
    assert round(res.fun, 4) == 73.6222


def test_sauna_growing_gradient_is_not_divergence():
    # Leaving the flat corner, the gradient grows for many steps without reversing.
    with no_warnings():
        res = gradient_descent(sauna_grad, [0.5, 0.6], learning_rate=0.05, fun=sauna)
    assert res.status == 0
    assert res.grad_norms.max() > 20 * res.grad_norms[0]
    assert np.all(np.diff(res.grad_norms[:30]) > 0)
    assert np.all(np.diff(res.fun_values) <= 0)


def test_sauna_start_on_the_hot_edge_stays_there():
    # On the edge y = 0 both partials vanish (each has a factor y): a stationary point, T = 85.
    res = gradient_descent(sauna_grad, [3.0, 0.0], learning_rate=0.05, fun=sauna)
    assert res.success and res.nit == 0
    assert_array_equal(res.x, [3.0, 0.0])
    assert res.fun == 85
    assert res.path.shape == (1, 2)


def test_sauna_start_beyond_the_hot_wall_ends_on_the_edge_x_equals_zero():
    # Above y = 6, x = 0 is a valley of T along x (T = 85 + x²·|…|): the descent slides into it
    # and stops on the hot edge, at a stationary point that is not the coolest one.
    res = gradient_descent(sauna_grad, [0.5, 6.5], learning_rate=0.05, fun=sauna)
    assert res.success
    assert abs(res.x[0]) < 1e-7
    assert 6 < res.x[1] < 6.5
    assert res.fun == pytest.approx(85, abs=1e-12)
    assert np.all(np.diff(res.fun_values) <= 0)


def test_sauna_start_outside_the_square_runs_away():
    # For x, y < 0, T falls without bound; the descent leaves the square for good and ends when
    # the numbers overflow, reported as divergence, without a floating-point warning.
    with no_warnings():
        res = gradient_descent(sauna_grad, [-0.5, -0.5], learning_rate=0.05, fun=sauna)
    assert res.status == 2 and not res.success
    assert np.all(res.path[1:] < -0.5)
    assert np.all(np.diff(res.fun_values) < 0)
    assert res.fun < -1e90
    assert "unbounded below" in res.message
    assert np.isfinite(res.path).all()


def test_bowl_descent_ends_at_the_origin():
    res = gradient_descent(bowl_grad, [2, 3], learning_rate=0.1, fun=bowl)
    assert_array_equal(res.path[1], [2 - 0.1 * 4, 3 - 0.1 * 6])
    assert res.success
    assert_allclose(res.x, [0, 0], rtol=0, atol=1e-8)


def test_power_lines_descent_ends_at_the_least_squares_line():
    # Setting both partials to 0: m = 1/2, b = 7/3, E = 25/6 (exact, by Cramer's rule).
    det = Fraction(28 * 6 - 12 * 12)
    m, b = Fraction(42 * 6 - 12 * 20) / det, Fraction(28 * 20 - 12 * 42) / det
    assert (m, b) == (Fraction(1, 2), Fraction(7, 3))
    # |x − x*| ≤ ‖∇E‖ / λmin with λmin ≈ 0.72, so a gradient below 1e-10 pins x to 1e-9.
    res = gradient_descent(power_lines_grad, [0, 0], learning_rate=0.02, fun=power_lines, tol=1e-10)
    assert res.success
    assert_allclose(res.x, [float(m), float(b)], rtol=0, atol=1e-9)
    assert res.fun == pytest.approx(float(power_lines((m, b))), abs=1e-12)
    assert power_lines((m, b)) == Fraction(25, 6)


def test_start_at_a_stationary_point_takes_no_step():
    calls = []
    res = gradient_descent(bowl_grad, [0.0, 0.0], learning_rate=0.1, callback=calls.append)
    assert res.success and res.nit == 0 and calls == []
    assert res.path.shape == (1, 2) and res.grad_norms.tolist() == [0.0]


# --- divergence ----------------------------------------------------------------------------


@pytest.mark.parametrize("with_fun", [False, True])
def test_too_large_learning_rate_on_a_quadratic_stops_at_once(with_fun):
    fun = stretched_bowl if with_fun else None
    with no_warnings():
        res = gradient_descent(stretched_bowl_grad, [1.0, 1.0], learning_rate=0.2, fun=fun)
    assert res.status == 2 and not res.success
    assert res.nit == 5  # every step overshoots: the y-part is multiplied by 1 − 0.2·20 = −3
    assert "learning rate 0.2 is too large" in res.message
    assert_allclose(res.path[:, 1], (-3.0) ** np.arange(6))
    # The curvature along the last step is the larger eigenvalue, 20: steps must be below 0.1.
    assert "2 / 20 = 0.1" in res.message


def test_divergence_shows_late_when_the_unstable_direction_starts_small():
    with no_warnings():
        res = gradient_descent(stretched_bowl_grad, [1.0, 1e-6], learning_rate=0.2)
    assert res.status == 2 and res.nit < 30


@pytest.mark.parametrize("patience", [1, 2, 7])
def test_patience_is_the_number_of_overshooting_steps(patience):
    res = gradient_descent(stretched_bowl_grad, [1, 1], learning_rate=0.2, patience=patience)
    assert res.status == 2 and res.nit == patience


def test_exp_minus_log_with_a_large_rate_leaves_the_domain():
    # x₁ = 0.05 + 18.9487 = 18.9987; x₂ = x₁ − e^x₁ < 0, where log x is NaN.
    with no_warnings():
        res = gradient_descent(exp_minus_log_prime, 0.05, learning_rate=1, fun=exp_minus_log)
    assert res.status == 2 and not res.success
    assert res.nit == 1 and res.x == pytest.approx(0.05 + 18.948728903623977, rel=1e-15)
    assert "not finite" in res.message and "learning rate 1 is too large" in res.message
    assert res.path.shape == (2, 1) and res.njev == res.nfev == 3


def test_gradient_returning_nan_outside_the_domain_is_divergence():
    def slope(x):
        return math.exp(x) - 1 / x if x > 0 else math.nan

    with no_warnings():
        res = gradient_descent(slope, 0.05, learning_rate=1)
    assert res.status == 2 and "gradient was not finite" in res.message


def test_gradient_raising_outside_the_domain_propagates():
    # f(x) = x log x − 2x, f′(x) = log x − 1; with α = 50 the second step lands at x < 0.
    with pytest.raises(ValueError, match="math domain error"):
        gradient_descent(lambda x: math.log(x) - 1, 0.1, learning_rate=50)


def test_a_cost_that_keeps_rising_is_divergence():
    # The gradient (a constant here) gives no sign of trouble; the cost (10 − k)² at xₖ = −k
    # falls to 0 at k = 10, then rises: five rises in a row end the descent at k = 15.
    res = gradient_descent(lambda x: 1.0, 0.0, learning_rate=1, fun=lambda x: (x + 10) ** 2)
    assert res.status == 2 and res.nit == 15
    assert "cost rose for 5 consecutive steps" in res.message
    assert res.fun == 25


def test_rounding_noise_near_the_minimum_is_not_divergence():
    # With tol = 0 the descent reaches the rounding floor and jitters there for thousands of
    # steps, at a learning rate close to the stable limit 2/λmax; started cold or at the
    # minimum itself, it must run to max_iter, not be called divergent.
    rng = np.random.default_rng(0)
    d = 20
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    a = (q * np.linspace(1, 10, d)) @ q.T
    b = 1e3 * rng.normal(size=d)

    def grad(x):
        return a @ x - b

    for x0 in (np.zeros(d), np.linalg.solve(a, b)):
        res = gradient_descent(grad, x0, learning_rate=1.99 / 10, tol=0.0, max_iter=4000)
        assert res.status == 1, res.message
    # ... while a rate above 2/λmax, started at the minimum, is caught as the error grows.
    res = gradient_descent(grad, np.linalg.solve(a, b), learning_rate=2.2 / 10, tol=0.0)
    assert res.status == 2 and res.nit < 500


def test_sauna_with_a_rate_unstable_at_the_minimum_diverges():
    # At (4, 4) the Hessian is (384/90)·I, so steps above 2·90/384 ≈ 0.469 overshoot it.
    assert gradient_descent(sauna_grad, [0.5, 0.6], learning_rate=0.45).status == 0
    res = gradient_descent(sauna_grad, [0.5, 0.6], learning_rate=0.5)
    assert res.status == 2 and res.nit < 50


def test_floating_point_error_state_is_restored():
    before = np.geterr()
    seen = []
    gradient_descent(
        stretched_bowl_grad, [1, 1], learning_rate=0.2, callback=lambda r: seen.append(np.geterr())
    )
    with pytest.raises(ZeroDivisionError):
        gradient_descent(lambda x: 1 / 0, 1.0, learning_rate=0.1)
    assert np.geterr() == before
    assert seen and all(state == before for state in seen)  # the callback runs under ours


# --- stopping rules ----------------------------------------------------------------------------


def test_max_iter_reached():
    res = gradient_descent(exp_minus_log_prime, 0.05, learning_rate=0.005, max_iter=10)
    assert res.status == 1 and not res.success and res.nit == 10
    assert res.path.shape == (11, 1)
    assert "max_iter=10" in res.message
    assert f"{res.grad_norms[-1]:.3g}" in res.message
    assert "Raise max_iter or the learning rate" in res.message


def test_tol_none_runs_exactly_max_iter_steps():
    converged = gradient_descent(bowl_grad, [2, 3], learning_rate=0.25)
    assert converged.nit < 50
    res = gradient_descent(bowl_grad, [2, 3], learning_rate=0.25, tol=None, max_iter=50)
    assert res.success and res.status == 0 and res.nit == 50
    assert "tol=None" in res.message
    assert_array_equal(res.path[-1], np.array([2.0, 3.0]) * 0.5**50)


def test_loose_tol_stops_early():
    res = gradient_descent(exp_minus_log_prime, 0.05, learning_rate=0.005, tol=1e-2)
    assert res.success and res.grad_norms[-1] <= 1e-2 < res.grad_norms[-2]


def test_a_tolerance_per_variable_holds_each_component_to_its_own_bound():
    # ∇f = (p − m)·c with m = (1, 1e-6), c = (1, 0.01), α = 0.5: the errors shrink by 1/2 and
    # by 0.995 per step. One norm of 1e-8 is met while y is at 13% of its minimum (its
    # gradient starts at 1e-8); bounds (1e-8, 1e-16) hold y to 1e-14, i.e. 1e-8 relative.
    minimum = np.array([1.0, 1e-6])

    def grad(p):
        return np.array([1.0, 0.01]) * (p - minimum)

    one_norm = gradient_descent(grad, [0.0, 0.0], learning_rate=0.5, tol=1e-8)
    assert one_norm.success and abs(one_norm.x[1] / minimum[1] - 1) > 0.8
    res = gradient_descent(grad, [0.0, 0.0], learning_rate=0.5, tol=np.array([1e-8, 1e-16]))
    assert res.success and "every component" in res.message
    assert np.all(np.abs(res.jac) <= [1e-8, 1e-16])
    assert np.any(np.abs(grad(res.path[-2])) > [1e-8, 1e-16])  # and not one step earlier
    # |x₁ − m₁| = |∇₁|/0.01 ≤ 1e-14 = 1e-8·m₁ is the stopping rule itself (9.996e-9 of m₁ at
    # the stop), not a measurement: elementwise IEEE arithmetic, the same on every machine.
    assert_allclose(res.x, minimum, rtol=1e-8)
    # Steps to reach 1e-16 from 1e-8 at 0.995 per step, computed in advance.
    assert res.nit == int(np.ceil(np.log(1e-8) / np.log(0.995)))


def test_a_tolerance_per_variable_names_the_component_that_missed_it():
    res = gradient_descent(bowl_grad, [2, 3], learning_rate=0.25, tol=[1.0, 0.0], max_iter=5)
    assert res.status == 1 and not res.success
    assert "component 1 of the gradient" in res.message and "its tolerance 0" in res.message
    assert f"{res.grad_norms[-1]:.3g}" in res.message


# --- callback -------------------------------------------------------------------------------


def test_callback_receives_each_iterate():
    seen = []
    res = gradient_descent(
        sauna_grad, [0.5, 0.6], learning_rate=0.05, fun=sauna, callback=seen.append
    )
    assert [r.nit for r in seen] == list(range(1, res.nit + 1))
    assert_array_equal([r.x for r in seen], res.path[1:])
    assert_array_equal([r.fun for r in seen], res.fun_values[1:])
    assert_array_equal(seen[-1].jac, res.jac)


def test_callback_raising_stop_iteration_stops():
    def stop_after_three(intermediate_result):
        if intermediate_result.nit == 3:
            raise StopIteration

    res = gradient_descent(bowl_grad, [2, 3], learning_rate=0.1, callback=stop_after_three)
    assert res.status == 3 and not res.success and res.nit == 3
    assert "StopIteration" in res.message


def test_callback_cannot_disturb_the_descent():
    def vandal(intermediate_result):
        intermediate_result.x[:] = 1e9
        intermediate_result.jac[:] = 0

    quiet = gradient_descent(sauna_grad, [0.5, 0.6], learning_rate=0.05)
    res = gradient_descent(sauna_grad, [0.5, 0.6], learning_rate=0.05, callback=vandal)
    assert_array_equal(res.path, quiet.path)


# --- step-size rules and extra arguments --------------------------------------------------------


def test_exact_line_search_rule():
    hessian = np.diag([2.0, 20.0])

    def line_search(x, g):
        return (g @ g) / (g @ hessian @ g)

    res = gradient_descent(
        stretched_bowl_grad, [1.0, 1.0], learning_rate=line_search, fun=stretched_bowl
    )
    assert res.success
    assert_allclose(res.x, [0, 0], atol=1e-8)
    # An exact line search makes each gradient orthogonal to the previous one.
    g = np.array([stretched_bowl_grad(p) for p in res.path])
    cosines = np.einsum("ij,ij->i", g[1:], g[:-1]) / (res.grad_norms[1:] * res.grad_norms[:-1])
    assert np.abs(cosines).max() < 1e-8
    assert np.all(np.diff(res.fun_values) < 0)


def test_line_search_in_one_variable_lands_in_one_step():
    types = set()

    def line_search(x, g):
        types.add((type(x), type(g)))
        return 1 / 6  # the exact step for 3x², whose second derivative is 6

    res = gradient_descent(lambda x: 6 * x, 2.5, learning_rate=line_search)
    assert res.nit == 1 and res.x == 0.0
    assert types == {(np.float64, np.float64)}


def test_step_rule_returning_a_bad_step_is_an_error():
    with pytest.raises(ValueError, match=r"learning_rate\(x, g\) returned -0.1 at step 1"):
        gradient_descent(bowl_grad, [1, 1], learning_rate=lambda x, g: -0.1)


def test_args_reach_grad_and_fun():
    def grad(x, centre, scale):
        return scale * (x - centre)

    def fun(x, centre, scale):
        return scale * ((x - centre) @ (x - centre)) / 2

    res = gradient_descent(grad, [0.0, 0.0], learning_rate=0.5, fun=fun, args=([1.0, -2.0], 1.0))
    assert_allclose(res.x, [1, -2], atol=1e-8)
    assert res.fun == pytest.approx(0, abs=1e-15)


def test_no_cost_without_fun():
    res = gradient_descent(bowl_grad, [2, 3], learning_rate=0.1)
    assert "fun" not in res and "fun_values" not in res and res.nfev == 0


# --- parameter validation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"learning_rate": 0}, ValueError, "learning_rate must be a positive finite number"),
        ({"learning_rate": -0.1}, ValueError, "positive finite number; got -0.1"),
        ({"learning_rate": math.nan}, ValueError, "positive finite number; got nan"),
        ({"learning_rate": math.inf}, ValueError, "positive finite number; got inf"),
        ({"learning_rate": "0.1"}, TypeError, "learning_rate must be a positive number or a call"),
        ({"learning_rate": True}, TypeError, "got bool True"),
        ({"learning_rate": 0.1, "max_iter": 0}, ValueError, "max_iter must be at least 1"),
        ({"learning_rate": 0.1, "max_iter": 1e4}, TypeError, "10_000 rather than 1e4"),
        ({"learning_rate": 0.1, "tol": -1e-8}, ValueError, "tol must be a finite number >= 0"),
        ({"learning_rate": 0.1, "tol": math.nan}, ValueError, "tol must be a finite number"),
        ({"learning_rate": 0.1, "tol": "small"}, TypeError, "tol must be a non-negative number"),
        ({"learning_rate": 0.1, "tol": [1e-8]}, ValueError, r"shape \(2,\), like x0"),
        ({"learning_rate": 0.1, "tol": [1e-8, -1.0]}, ValueError, "finite numbers >= 0"),
        ({"learning_rate": 0.1, "tol": [1e-8, math.inf]}, ValueError, "finite numbers >= 0"),
        ({"learning_rate": 0.1, "tol": ["a", "b"]}, TypeError, "an array of dtype"),
        ({"learning_rate": 0.1, "patience": 0}, ValueError, "patience must be at least 1"),
        ({"learning_rate": 0.1, "patience": 2.5}, TypeError, "patience must be an integer"),
        ({"learning_rate": 0.1, "fun": 3}, TypeError, "fun must be a callable or None"),
        ({"learning_rate": 0.1, "callback": "print"}, TypeError, "callback must be a callable"),
    ],
)
def test_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        gradient_descent(bowl_grad, [2, 3], **kwargs)


@pytest.mark.parametrize(
    ("x0", "error", "match"),
    [
        ([[1.0, 2.0], [3.0, 4.0]], ValueError, r"scalar or a 1-D array; got .* shape \(2, 2\)"),
        ([], ValueError, "x0 is empty"),
        ([1.0, math.nan], ValueError, "x0 must be finite"),
        (1 + 2j, TypeError, "x0 must be real"),
        ("abc", TypeError, "x0 must be a real number or a 1-D array"),
    ],
)
def test_bad_starting_points(x0, error, match):
    with pytest.raises(error, match=match):
        gradient_descent(bowl_grad, x0, learning_rate=0.1)


def test_bad_functions():
    with pytest.raises(TypeError, match="grad must be a callable"):
        gradient_descent(None, [1, 2], learning_rate=0.1)
    with pytest.raises(TypeError, match=r"grad must return an array of shape \(2,\)"):
        gradient_descent(lambda p: np.ones(3), [1, 2], learning_rate=0.1)
    with pytest.raises(TypeError, match="grad must return a scalar, as x0 is a scalar"):
        gradient_descent(lambda x: np.ones(2), 1.0, learning_rate=0.1)
    with pytest.raises(TypeError, match="fun must return a scalar"):
        gradient_descent(bowl_grad, [1, 2], learning_rate=0.1, fun=lambda p: p)
    with pytest.raises(ValueError, match="gradient at x0 is not finite"):
        gradient_descent(lambda x: math.nan, 1.0, learning_rate=0.1)


def test_numeric_types_are_accepted():
    res = gradient_descent(bowl_grad, np.array([2, 3]), learning_rate=np.float32(0.25), max_iter=5)
    assert res.path.dtype == np.float64 and res.nit == 5


# --- scipy.optimize.minimize(method=minimize_gradient_descent) ----------------------------------


def test_minimize_gives_the_same_descent():
    direct = gradient_descent(sauna_grad, [0.5, 0.6], learning_rate=0.05, fun=sauna)
    res = minimize(
        sauna,
        [0.5, 0.6],
        jac=sauna_grad,
        method=minimize_gradient_descent,
        options={"learning_rate": 0.05},
    )
    assert res.success
    assert_array_equal(res.x, direct.x)
    assert_array_equal(res.path, direct.path)
    assert res.fun == direct.fun


def test_minimize_with_jac_true():
    calls = []

    def sauna_and_grad(p):
        calls.append(1)
        return sauna(p), sauna_grad(p)

    direct = gradient_descent(sauna_grad, [0.5, 0.6], learning_rate=0.05, fun=sauna)
    for run in (
        lambda: minimize(
            sauna_and_grad,
            [0.5, 0.6],
            jac=True,
            method=minimize_gradient_descent,
            options={"learning_rate": 0.05},
        ),
        lambda: minimize_gradient_descent(sauna_and_grad, [0.5, 0.6], jac=True, learning_rate=0.05),
    ):
        calls.clear()
        res = run()
        assert_array_equal(res.path, direct.path)
        assert res.fun == direct.fun
        assert len(calls) == res.nit + 1  # the cost and the gradient come from one call


def test_minimize_passes_tol_and_maxiter():
    options = {"learning_rate": 0.005}
    loose = minimize(
        exp_minus_log,
        0.05,
        jac=exp_minus_log_prime,
        method=minimize_gradient_descent,
        tol=1e-3,
        options=options,
    )
    assert loose.success and loose.grad_norms[-1] <= 1e-3 < loose.grad_norms[-2]
    short = minimize(
        exp_minus_log,
        0.05,
        jac=exp_minus_log_prime,
        method=minimize_gradient_descent,
        options={**options, "maxiter": 10},
    )
    assert short.status == 1 and short.nit == 10
    assert short.x.shape == (1,)  # minimize makes x0 a 1-D array


def test_minimize_callbacks_in_both_scipy_styles():
    iterates, results = [], []

    def by_x(xk):
        iterates.append(xk)

    def by_result(intermediate_result):
        results.append(intermediate_result)

    for callback in (by_x, by_result):
        res = minimize(
            sauna,
            [0.5, 0.6],
            jac=sauna_grad,
            method=minimize_gradient_descent,
            callback=callback,
            options={"learning_rate": 0.05},
        )
    assert_array_equal(iterates, res.path[1:])
    assert_array_equal([r.x for r in results], res.path[1:])
    assert [r.nit for r in results] == list(range(1, res.nit + 1))


def test_minimize_callback_stop_iteration():
    def stop(intermediate_result):
        raise StopIteration

    res = minimize(
        bowl,
        [2, 3],
        jac=bowl_grad,
        method=minimize_gradient_descent,
        callback=stop,
        options={"learning_rate": 0.1},
    )
    assert res.status == 3 and not res.success and res.nit == 1


def test_minimize_needs_a_gradient_and_a_learning_rate():
    for jac in (None, False, "2-point"):
        with pytest.raises(ValueError, match="Gradient descent needs the gradient"):
            minimize(
                bowl,
                [2, 3],
                jac=jac,
                method=minimize_gradient_descent,
                options={"learning_rate": 0.1},
            )
    with pytest.raises(ValueError, match="needs a learning rate"):
        minimize(bowl, [2, 3], jac=bowl_grad, method=minimize_gradient_descent)


def test_minimize_rejects_bounds_and_warns_on_unknown_options(capsys):
    with pytest.raises(ValueError, match="unconstrained"):
        minimize(
            bowl,
            [2, 3],
            jac=bowl_grad,
            method=minimize_gradient_descent,
            bounds=[(0, 1), (0, 1)],
            options={"learning_rate": 0.1},
        )
    with pytest.raises(ValueError, match="max_iter or maxiter"):
        minimize(
            bowl,
            [2, 3],
            jac=bowl_grad,
            method=minimize_gradient_descent,
            options={"learning_rate": 0.1, "max_iter": 5, "maxiter": 5},
        )
    with pytest.warns(OptimizeWarning, match="nesterov"):
        res = minimize(
            bowl,
            [2, 3],
            jac=bowl_grad,
            method=minimize_gradient_descent,
            options={"learning_rate": 0.1, "nesterov": True, "disp": True},
        )
    assert res.success and capsys.readouterr().out.strip() == res.message


# --- the outcome's status ---------------------------------------------------------------------


def stop_at_two(intermediate_result):
    if intermediate_result.nit == 2:
        raise StopIteration


@pytest.mark.parametrize(
    ("options", "status", "number"),
    [
        ({"learning_rate": 0.05}, DescentStatus.CONVERGED, 0),
        ({"learning_rate": 0.05, "tol": None, "max_iter": 4}, DescentStatus.CONVERGED, 0),
        ({"learning_rate": 0.1, "max_iter": 3}, DescentStatus.MAX_ITER, 1),
        ({"learning_rate": 0.2}, DescentStatus.DIVERGED, 2),
        ({"learning_rate": 0.01, "callback": stop_at_two}, DescentStatus.STOPPED, 3),
    ],
)
def test_status_is_a_descent_status_equal_to_its_number(options, status, number):
    res = gradient_descent(stretched_bowl_grad, [1.0, 1.0], **options)
    assert type(res.status) is DescentStatus and res.status is status
    assert res.status == number and int(res.status) == number
    assert res.success is (number == 0)
    options = dict(options)
    callback = options.pop("callback", None)
    via_scipy = minimize(
        stretched_bowl, [1.0, 1.0], jac=stretched_bowl_grad, callback=callback,
        method=minimize_gradient_descent, options=options,
    )  # fmt: skip
    assert type(via_scipy.status) is DescentStatus and via_scipy.status is status


def test_descent_status_is_exported_with_the_documented_numbers():
    assert "DescentStatus" in gdregress.optimize.__all__
    assert {s.name: int(s) for s in DescentStatus} == {
        "CONVERGED": 0,
        "MAX_ITER": 1,
        "DIVERGED": 2,
        "STOPPED": 3,
    }


# --- the divergence rules, one step at a time ------------------------------------------------


def steps_of_6x_squared(x0, n, alpha):
    """The arguments of _DivergenceWatch.check for n steps on f(x) = 6x², f'(x) = 12x, no cost.

    With α = 0.25, x ↦ x − 3x = −2x: each step reverses the gradient and doubles it; the
    curvature along it is 12 and α·12 = 3 > 2.
    """
    x = [x0]
    for _ in range(n):
        x.append(x[-1] - alpha * 12 * x[-1])

    def at(x):  # ‖x‖, the gradient, its norm and the cost (none: 0)
        return abs(x), np.array([12 * x]), 12 * abs(x), 0.0

    return [(alpha, *at(old), *at(new)) for old, new in itertools.pairwise(x)]


def test_watch_calls_divergence_after_patience_overshooting_steps():
    watch = _DivergenceWatch(patience=3)
    said, runs = [], []
    for step in steps_of_6x_squared(1.0, 3, alpha=0.25):  # x: 1, -2, 4, -8
        said.append(watch.check(*step))
        runs.append(watch.overshoots)
    assert said == [None, None, _OVERSHOT] and _OVERSHOT == "overshot"
    assert runs == [1, 2, 3] and watch.rises == 0
    # κ = (1 − g_new·g / ‖g‖²) / α = (1 − (−24·12) / 144) / 0.25 = 3 / 0.25 = 12, f'' of 6x².
    assert watch.curvature == 12.0


def test_watch_a_gradient_growing_along_its_direction_ends_the_overshoot_run():
    watch = _DivergenceWatch(patience=2)
    (step,) = steps_of_6x_squared(1.0, 1, alpha=0.25)
    assert watch.check(*step) is None and watch.overshoots == 1
    # g = 1 → 3 along the same direction: κ = (1 − 3·1 / 1) / 1 = −2, no overshoot.
    assert watch.check(1.0, 0.0, np.array([1.0]), 1.0, 0.0, 1.0, np.array([3.0]), 3.0, 0.0) is None
    assert watch.overshoots == 0 and watch.curvature == -2.0


def test_watch_calls_divergence_after_patience_rising_costs():
    # The constant gradient 1 with step 1 walks x = −9, −10, −11, −12 on f = (x + 10)²:
    # the cost falls 1 → 0, then rises 0 → 1 → 4. The gradient never grows.
    watch = _DivergenceWatch(patience=2)
    g = np.array([1.0])
    xs = [-9.0, -10.0, -11.0, -12.0]
    said, runs = [], []
    for old, new in itertools.pairwise(xs):
        said.append(
            watch.check(1.0, abs(old), g, 1.0, (old + 10) ** 2, abs(new), g, 1.0, (new + 10) ** 2)
        )
        runs.append(watch.rises)
    assert said == [None, None, _ROSE] and _ROSE == "rose"
    assert runs == [0, 1, 2] and watch.overshoots == 0 and math.isnan(watch.curvature)


def test_watch_does_not_count_a_step_below_sqrt_eps_times_x():
    assert _SQRT_EPS == 2.0**-26  # √(2⁻⁵²), exactly
    # From x with ‖x‖ = 1 the gradient 2⁻²⁶ reverses to −1 and the cost rises: with α = 1 the
    # step's length α·‖g‖ = 2⁻²⁶ is exactly √ε·‖x‖, too short to count (the test is strict).
    tiny = (1.0, 1.0, np.array([2.0**-26]), 2.0**-26, 0.0, 1.0, np.array([-1.0]), 1.0, 5.0)
    watch = _DivergenceWatch(patience=2)
    (step,) = steps_of_6x_squared(1.0, 1, alpha=0.25)
    assert watch.check(*step) is None and watch.overshoots == 1
    assert watch.check(*tiny) is None
    assert watch.overshoots == 0 and watch.rises == 0 and watch.curvature == 12.0
    # Twice as long, the same step counts for both rules: κ = (1 + 1 / 2⁻²⁵) / 1 = 1 + 2²⁵.
    watch = _DivergenceWatch(patience=1)
    longer = (1.0, 1.0, np.array([2.0**-25]), 2.0**-25, 0.0, 1.0, np.array([-1.0]), 1.0, 5.0)
    assert watch.check(*longer) is _OVERSHOT
    assert watch.overshoots == 1 and watch.rises == 1 and watch.curvature == 1.0 + 2.0**25


@pytest.mark.parametrize(
    ("xnorm_new", "gnorm_new", "f_new"),
    [(math.inf, 1.0, 0.0), (1.0, math.nan, 0.0), (1.0, 1.0, -math.inf), (1e308, 1e308, 0.0)],
)
def test_watch_calls_a_non_finite_step_divergent_and_leaves_the_runs(xnorm_new, gnorm_new, f_new):
    watch = _DivergenceWatch(patience=5)
    (step,) = steps_of_6x_squared(1.0, 1, alpha=0.25)
    watch.check(*step)
    g = np.array([24.0])
    said = watch.check(0.25, 2.0, g, 24.0, 0.0, xnorm_new, -2 * g, gnorm_new, f_new)
    assert said is _NON_FINITE and _NON_FINITE == "non-finite"
    assert watch.overshoots == 1 and watch.rises == 0 and watch.curvature == 12.0


def test_history_doubles_up_to_max_iter_plus_one_rows():
    history = _History(np.array([0.0, 0.0]), 1.0, 0.0, max_iter=600, has_fun=True)
    assert len(history.path) == 257
    lengths = {}
    for i in range(1, 601):
        history.record(i, np.array([i, -i]), i / 2, -i)
        lengths[i] = len(history.path)
    # Full at 257 rows, it doubles when row 257 comes, and stops at 601 when row 514 does.
    assert [lengths[i] for i in (256, 257, 513, 514, 600)] == [257, 514, 514, 601, 601]
    path, grad_norms, fun_values = history.until(600)
    assert_array_equal(path[:, 0], np.arange(601)) and assert_array_equal(path[:, 1], -path[:, 0])
    assert_array_equal(grad_norms, [1.0, *(np.arange(1, 601) / 2)])
    assert_array_equal(fun_values, -np.arange(601))
    assert _History(np.zeros(2), 1.0, 0.0, max_iter=3, has_fun=False).until(0)[2] is None


# --- property: convex quadratics ------------------------------------------------------------


@st.composite
def convex_quadratics(draw):
    """½xᵀAx − bᵀx with A symmetric positive definite, eigenvalues in [1, 10], d ≤ 5."""
    d = draw(st.integers(1, 5))
    eigenvalues = draw(arrays(np.float64, d, elements=st.floats(1, 10)))
    rotation, _ = np.linalg.qr(draw(arrays(np.float64, (d, d), elements=st.floats(-1, 1))))
    a = rotation @ np.diag(eigenvalues) @ rotation.T
    b = draw(arrays(np.float64, d, elements=st.floats(-10, 10)))
    return (a + a.T) / 2, b


@settings(deadline=None, max_examples=60)
@given(convex_quadratics())
def test_descent_solves_convex_quadratics(problem):
    a, b = problem
    largest = np.linalg.eigvalsh(a).max()
    res = gradient_descent(
        lambda x: a @ x - b,
        np.zeros(len(b)),
        learning_rate=1 / largest,
        fun=lambda x: x @ a @ x / 2 - b @ x,
        tol=1e-9,
    )
    assert res.success, res.message
    assert_allclose(res.x, np.linalg.solve(a, b), rtol=0, atol=1e-6)
    # With α = 1/λmax every step lowers the cost; allow only rounding in evaluating it.
    rounding = 1e-12 * (1 + np.abs(res.fun_values).max())
    assert np.all(np.diff(res.fun_values) <= rounding)


# --- momentum ---------------------------------------------------------------------------------


def polyak(kappa):
    """The heavy ball's optimal pair on curvatures [1, κ]: α = 4/(1 + √κ)², β = ρ², with the
    rate ρ = (√κ − 1)/(√κ + 1) (Polyak, 1964)."""
    root = math.sqrt(kappa)
    rho = (root - 1) / (root + 1)
    return 4 / (1 + root) ** 2, rho**2, rho


@pytest.mark.parametrize("kappa", [100.0, 1e4])
def test_the_heavy_ball_takes_its_closed_form_steps_on_a_quadratic_of_known_condition(kappa):
    # On f = ½(x² + κy²) from (1, 1) with Polyak's pair, each coordinate's error follows
    # e_{k+1} = (1 + β − αλ)e_k − βe_{k−1}, whose roots are double: ρ for λ = 1, −ρ for λ = κ.
    # The first step (no last step to repeat) fixes e_k = (±ρ)^k·(1 + c·k), with
    # c = 2/(√κ + 1) along x and 2√κ/(√κ + 1) along y (by hand; the recurrence agrees).
    alpha, beta, rho = polyak(kappa)
    curvatures = np.array([1.0, kappa])
    steps = int(12 * math.sqrt(kappa))
    result = gradient_descent(
        lambda p: curvatures * p, [1.0, 1.0], learning_rate=alpha, momentum=beta, tol=None,
        max_iter=steps,
    )  # fmt: skip
    k = np.arange(40 * steps)
    root = math.sqrt(kappa)
    expected = np.column_stack(
        [rho**k * (1 + 2 * k / (root + 1)), (-rho) ** k * (1 + 2 * root * k / (root + 1))]
    )
    # Rounding of 1e-16 per step, carried by a double root: within 1e-11 of the start's size.
    assert_allclose(result.path, expected[: steps + 1], rtol=0, atol=1e-11)
    # Steps to a gradient of 1e-10: from the closed form, about √κ/2 per factor e (plain
    # descent at its best fixed step 2/(1 + κ) needs κ/2: its error is ((κ−1)/(κ+1))^k).
    gradients = np.linalg.norm(expected * curvatures, axis=1)
    predicted = int(np.argmax(gradients <= 1e-10))
    momentum_steps = gradient_descent(
        lambda p: curvatures * p, [1.0, 1.0], learning_rate=alpha, momentum=beta, tol=1e-10
    ).nit
    plain_rate = (kappa - 1) / (kappa + 1)
    plain_predicted = math.ceil(math.log(1e-10 / math.hypot(1, kappa)) / math.log(plain_rate))
    plain_steps = gradient_descent(
        lambda p: curvatures * p, [1.0, 1.0], learning_rate=2 / (1 + kappa), tol=1e-10,
        max_iter=10**6,
    ).nit  # fmt: skip
    assert abs(momentum_steps - predicted) <= 1 and abs(plain_steps - plain_predicted) <= 1
    assert plain_steps / momentum_steps > math.sqrt(kappa) / 2


def test_conjugate_directions_meet_the_chebyshev_bound_on_a_quadratic_of_known_condition():
    # ‖e_k‖_H ≤ 2ρ^k‖e_0‖_H, ρ = (√κ − 1)/(√κ + 1), for conjugate gradients on any quadratic of
    # condition κ; 100 curvatures at Chebyshev points of [1, κ], where the bound is nearly
    # attained. (In floating point, conjugacy erodes, but the curvatures the descent meets
    # stay in [1, κ]: Greenbaum 1989. The margin 1e-6 is for the rounding of the errors.)
    from gdregress._momentum import ConjugateDirections

    kappa, d = 1e3, 100
    nodes = np.cos((2 * np.arange(d) + 1) * np.pi / (2 * d))
    curvatures = 1 + (kappa - 1) * (1 + nodes) / 2
    minimum = np.random.default_rng(0).standard_normal(d)
    rule = ConjugateDirections(lambda v: curvatures * v)
    result = gradient_descent(
        lambda p: curvatures * (p - minimum), np.zeros(d), learning_rate=None, momentum=rule,
        tol=1e-10,
    )  # fmt: skip
    energy = np.sqrt(((result.path - minimum) ** 2) @ curvatures)
    rho = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    assert np.all(energy <= 2 * rho ** np.arange(len(energy)) * energy[0] * (1 + 1e-6))
    # So ‖g_k‖ ≤ √κ·2ρ^k‖g_0‖·... steps to 1e-10 at most ln(2√κ‖g_0‖/1e-10)/ln(1/ρ) ≈ 455,
    # against plain descent's ≈ κ/2·ln(...) ≈ 14,000.
    bound = math.log(2 * math.sqrt(kappa) * result.grad_norms[0] / 1e-10) / -math.log(rho)
    assert result.success and result.nit <= bound
    assert len(rule.steps) == result.nit and rule.memories[0] == 0.0  # one pair per step


def test_conjugate_directions_end_in_two_steps_on_two_variables():
    # The lecture's E(m, b), a quadratic in two variables: conjugate gradients reach its
    # minimum (1/2, 7/3) in two steps, to rounding (the power lines' Hessian [[28, 12], [12, 6]]).
    from gdregress._momentum import ConjugateDirections

    hessian = np.array([[28.0, 12.0], [12.0, 6.0]])
    rule = ConjugateDirections(lambda v: hessian @ v)
    result = gradient_descent(
        power_lines_grad, [0.0, 0.0], learning_rate=None, momentum=rule, tol=1e-12,
    )  # fmt: skip
    assert result.nit == 2
    assert_allclose(result.x, [0.5, 7 / 3], rtol=1e-14)
    # The first step is the exact line search along −∇E(0, 0) = (42, 20): α = |g|²/gᵀHg.
    g = np.array([-42.0, -20.0])
    assert rule.steps[0] == pytest.approx(g @ g / (g @ hessian @ g), rel=1e-15)


def test_a_heavy_ball_whose_cost_rises_while_it_converges_is_not_divergence():
    # Polyak's pair on ½(x² + 10⁴y²) from (0, 1): along y the error is (−ρ)^k(1 + 1.98k),
    # which grows for about 50 steps before it shrinks; the cost rises all that while.
    alpha, beta, _ = polyak(1e4)
    result = gradient_descent(
        lambda p: np.array([1.0, 1e4]) * p, [0.0, 1.0], learning_rate=alpha, momentum=beta,
        fun=lambda p: (p[0] ** 2 + 1e4 * p[1] ** 2) / 2, tol=1e-8,
    )  # fmt: skip
    rises = np.diff(result.fun_values) > 0
    longest = max(len(list(run)) for value, run in itertools.groupby(rises) if value)
    assert result.success and longest > 40


def test_an_unstable_heavy_ball_diverges_naming_its_limit():
    # On ½(x² + 10y²), β = 0.5: stable below α = 2(1 + β)/10 = 0.3. At 0.32 the mode along y
    # has the real root 1 + β − 3.2 − ... < −1 and grows; the curvature along the steps tends
    # to 10.
    grad = lambda p: np.array([1.0, 10.0]) * p  # noqa: E731
    result = gradient_descent(grad, [1.0, 1.0], learning_rate=0.32, momentum=0.5)
    assert result.status == DescentStatus.DIVERGED
    assert "asks for steps below 2(1 + 0.5) / 10 = 0.3" in result.message
    stable = gradient_descent(grad, [1.0, 1.0], learning_rate=0.297, momentum=0.5, tol=1e-10)
    assert stable.success


def test_momentum_zero_is_the_plain_descent_bit_for_bit():
    plain = gradient_descent(sauna_grad, [0.5, 0.6], learning_rate=0.05)
    zero = gradient_descent(sauna_grad, [0.5, 0.6], learning_rate=0.05, momentum=0.0)
    assert_array_equal(plain.path, zero.path)
    assert_array_equal(plain.grad_norms, zero.grad_norms)


def test_a_momentum_rule_of_one_variable_sees_numbers():
    seen = []

    def rule(x, g, s):
        seen.append((type(x), type(g), type(s)))
        return 0.25, 0.5

    result = gradient_descent(lambda x: 2 * (x - 3), 0.0, learning_rate=None, momentum=rule)
    assert result.success and result.x == pytest.approx(3.0, abs=1e-8)
    assert set(seen) == {(np.float64, np.float64, np.float64)}


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"learning_rate": 0.1, "momentum": 1.0}, ValueError, r"momentum must be in \[0, 1\)"),
        ({"learning_rate": 0.1, "momentum": -0.1}, ValueError, "got -0.1"),
        ({"learning_rate": 0.1, "momentum": math.nan}, ValueError, "got nan"),
        ({"learning_rate": 0.1, "momentum": "fast"}, TypeError, "got str 'fast'"),
        ({"learning_rate": 0.1, "momentum": True}, TypeError, "got bool True"),
        ({"learning_rate": None}, TypeError, "learning_rate=None is for a momentum rule"),
        (
            {"learning_rate": 0.1, "momentum": lambda x, g, s: (0.1, 0.0)},
            TypeError,
            "pass learning_rate=None with it",
        ),
        (
            {"learning_rate": None, "momentum": lambda x, g, s: (-0.1, 0.0)},
            ValueError,
            r"returned \(alpha, beta\) = \(-0.1, 0.0\) at step 1",
        ),
        (
            {"learning_rate": None, "momentum": lambda x, g, s: 0.1},
            TypeError,
            "must return two numbers",
        ),
    ],
)
def test_bad_momentum(kwargs, error, match):
    with pytest.raises(error, match=match):
        gradient_descent(bowl_grad, [2, 3], **kwargs)


def test_minimize_passes_momentum():
    options = {"learning_rate": 0.02, "momentum": 0.5}
    res = minimize(bowl, [2.0, 3.0], jac=bowl_grad, method=minimize_gradient_descent,
                   options=options)  # fmt: skip
    direct = gradient_descent(bowl_grad, [2.0, 3.0], fun=bowl, **options)
    assert_array_equal(res.path, direct.path) and res.nit < 100
