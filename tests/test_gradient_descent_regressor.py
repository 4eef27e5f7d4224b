"""Tests of GradientDescentRegressor: the lecture's descent, its step sizes, scikit-learn's API.

References, all independent of gdregress's solver: the lecture's numbers (the power lines,
∇E = (28m + 12b − 42, 6b + 12m − 20)), exact rational arithmetic (``fractions``,
``_exact``), the published least-squares fits of the Advertising data, numpy (eigenvalues,
lstsq), scikit-learn (LinearRegression, r2_score) and AnalyticLeastSquares, the closed form.
"""

import pickle
import re
import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from _budget import budget
from _exact import exact_lstsq, exact_lstsq_mp
from hypothesis import assume, given
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.utils._param_validation import InvalidParameterError

import gdregress
import gdregress.linear_model
from gdregress import AnalyticLeastSquares, DivergenceError, GradientDescentRegressor
from gdregress.datasets import load_tv_advertising

# --- data and independent references -------------------------------------------------------


def grad_E(m, b):
    """The lecture's gradient of E(m, b) = 14m² + 3b² + 38 + 12mb − 42m − 20b."""
    return 28 * m + 12 * b - 42, 6 * b + 12 * m - 20


def E(m, b):
    """The lecture's sum of squares of the power lines, expanded."""
    return 14 * m * m + 3 * b * b + 38 + 12 * m * b - 42 * m - 20 * b


def theta(model):
    """(coef..., intercept) of a fitted single-target model."""
    return np.r_[model.coef_, model.intercept_]


def design(X, fit_intercept=True):
    """The design matrix A = [X, 1] (or X without an intercept)."""
    return np.column_stack([X, np.ones(len(X))]) if fit_intercept else np.asarray(X)


def raw_max_curvature(X, fit_intercept=True):
    """Largest eigenvalue of the Hessian (1/n)·AᵀA of the half-MSE in the user's units."""
    A = design(X, fit_intercept)
    return float(np.linalg.eigvalsh(A.T @ A / len(A))[-1])


def standardized_curvatures(X):
    """Eigenvalues of blockdiag(corr(X), 1): the Hessian in standardised units."""
    d = X.shape[1]
    H = np.eye(d + 1)
    H[:d, :d] = np.atleast_2d(np.corrcoef(X, rowvar=False))
    return np.linalg.eigvalsh(H)


def standardized_max_curvature(X):
    """Largest eigenvalue of blockdiag(corr(X), 1): the Hessian in standardised units."""
    return float(standardized_curvatures(X)[-1])


def raw_curvatures(X, fit_intercept=True):
    """Eigenvalues of the Hessian (1/n)·AᵀA of the half-MSE in the user's units."""
    A = design(X, fit_intercept)
    return np.linalg.eigvalsh(A.T @ A / len(A))


def half_mse(X, y, coef, intercept, sample_weight=None):
    """L(w, b) = Σ sᵢ (xᵢ·w + b − yᵢ)² / (2 Σ sᵢ), straight from the data."""
    r = X @ coef + intercept - y
    s = np.ones(len(y)) if sample_weight is None else sample_weight
    return float(np.sum(s * r * r) / (2 * np.sum(s)))


def relative_error(estimate, reference, floor=1e-6):
    """Norm-wise relative error with a small absolute floor."""
    estimate, reference = np.asarray(estimate), np.asarray(reference)
    return float(np.linalg.norm(estimate - reference) / (np.linalg.norm(reference) + floor))


# The least-squares fits of the Advertising data to 9 decimals, as test_analytic.py pins them
# (ISLR's Tables 3.1 and 3.9 print 0.0475, 7.0325 and 0.046, 0.189, -0.001, 2.939).
TV_LINE = (0.047536640, 7.032593549)
MEDIA_PLANE = (0.045764645, 0.188530017, -0.001037493, 2.938889369)


# --- the lecture's descent: the power lines ------------------------------------------------


def test_defaults_find_the_lecture_line(power_lines):
    X, y = power_lines
    model = GradientDescentRegressor().fit(X, y)
    assert model.coef_[0] == pytest.approx(0.5, rel=1e-10)
    assert model.intercept_ == pytest.approx(7 / 3, rel=1e-10)
    # E at the optimum is the lecture's 25/6, and L = E / (2n) = E / 6.
    assert model.loss_curve_[-1] == pytest.approx(25 / 36, rel=1e-12)
    assert model.converged_ is True


def test_plain_descent_is_the_lecture_iteration_in_exact_arithmetic(power_lines):
    X, y = power_lines
    model = GradientDescentRegressor(standardize=False, learning_rate=0.01).fit(X, y)
    assert model.learning_rate_ == 0.01
    # θ_{k+1} = θ_k − α·∇L(θ_k) with L = E/6, from (0, 0), in Fractions.
    alpha = Fraction(0.01)  # the float 0.01, exactly
    m, b = Fraction(0), Fraction(0)
    rows, losses = [], []
    for _ in range(50):
        rows.append((m, b))
        losses.append(E(m, b) / 6)
        gm, gb = grad_E(m, b)
        m, b = m - alpha * gm / 6, b - alpha * gb / 6
    exact_rows = np.array([[float(m), float(b)] for m, b in rows])
    np.testing.assert_allclose(model.path_[:50], exact_rows, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(model.loss_curve_[:50], [float(v) for v in losses], rtol=1e-12)
    # The second row by hand: (0, 0) − 0.01·(−42, −20)/6 = (0.07, 1/30).
    np.testing.assert_allclose(model.path_[1], [0.07, 1 / 30], rtol=1e-14)
    # And the descent ends at the lecture's minimum (1/2, 7/3).
    np.testing.assert_allclose(theta(model), [0.5, 7 / 3], rtol=1e-9)


def test_every_plain_step_follows_the_lecture_gradient(power_lines):
    X, y = power_lines
    model = GradientDescentRegressor(standardize=False, learning_rate=0.1).fit(X, y)
    # Every step of the whole path: row k+1 = row k − α·∇E(row k)/6 (floating point).
    m, b = model.path_[:-1, 0], model.path_[:-1, 1]
    gm, gb = grad_E(m, b)
    expected = np.column_stack([m - 0.1 * gm / 6, b - 0.1 * gb / 6])
    np.testing.assert_allclose(model.path_[1:], expected, rtol=1e-12, atol=1e-14)
    # The gradient norms recorded are those of ∇L = ∇E / 6 (the descent's coordinates).
    np.testing.assert_allclose(
        model.gradient_norms_, np.hypot(*grad_E(*model.path_.T)) / 6, rtol=1e-9, atol=1e-13
    )


def test_statistics_are_computed_once_and_the_data_never_read_again(power_lines, monkeypatch):
    X, y = (a.copy() for a in power_lines)
    calls = []
    original = gdregress._sources.compute_statistics

    def counting_and_poisoning(X_seen, y_seen, *args, **kwargs):
        calls.append(X_seen.shape)
        statistics = original(X_seen, y_seen, *args, **kwargs)
        # Any later read of the data by the descent would now see NaN.
        X_seen[...] = np.nan
        y_seen[...] = np.nan
        return statistics

    monkeypatch.setattr(gdregress._sources, "compute_statistics", counting_and_poisoning)
    model = GradientDescentRegressor(standardize=False, learning_rate=0.01).fit(X, y)
    assert calls == [(3, 1)]
    assert model.n_iter_ > 10_000  # thousands of iterations, one pass over the data
    np.testing.assert_allclose(theta(model), [0.5, 7 / 3], rtol=1e-9)
    assert np.all(np.isfinite(model.path_))


# --- learning_rate="auto" and "exact" ------------------------------------------------------


@pytest.mark.parametrize("dataset", ["power_lines", "tv", "media"])
@pytest.mark.parametrize("standardize", [False, True])
def test_auto_learning_rate_is_the_best_fixed_step_from_the_exact_curvatures(
    dataset, standardize, request
):
    X, y = request.getfixturevalue(dataset)
    model = GradientDescentRegressor(standardize=standardize, max_iter=5, tol=None, momentum=0)
    model.fit(X, y)
    curvatures = standardized_curvatures(X) if standardize else raw_curvatures(X)
    assert model.max_curvature_ == pytest.approx(curvatures[-1], rel=1e-10)
    # 2/(L_max + λ_min): the fixed step with the fastest worst-case contraction.
    assert model.learning_rate_ == pytest.approx(2 / (curvatures[-1] + curvatures[0]), rel=1e-8)
    assert model.learning_rate_ < 2 / model.max_curvature_  # stable


def test_raw_curvature_of_the_power_lines_is_the_lecture_hessian(power_lines):
    X, y = power_lines
    model = GradientDescentRegressor(standardize=False).fit(X, y)
    # Hessian of L = E/6 is [[28, 12], [12, 6]] / 6; its largest eigenvalue in closed form.
    trace, det = Fraction(34, 6), Fraction(28 * 6 - 144, 36)
    largest = (float(trace) + np.sqrt(float(trace**2 - 4 * det))) / 2
    assert model.max_curvature_ == pytest.approx(largest, rel=1e-13)


def test_float_learning_rate_is_used_as_given(tv):
    X, y = tv
    model = GradientDescentRegressor(learning_rate=0.5).fit(X, y)
    assert model.learning_rate_ == 0.5
    # One standardised feature: H = I, so the gradient shrinks by exactly (1 − α) per step.
    ratios = model.gradient_norms_[1:6] / model.gradient_norms_[:5]
    np.testing.assert_allclose(ratios, 0.5, rtol=1e-12)


def test_exact_line_search_first_step_by_hand(power_lines):
    X, y = power_lines
    model = GradientDescentRegressor(standardize=False, learning_rate="exact").fit(X, y)
    # At (0, 0): g = ∇E/6 = (−7, −10/3), H = [[28, 12], [12, 6]]/6; α₀ = gᵀg / gᵀHg.
    g = [Fraction(-42, 6), Fraction(-20, 6)]
    H = [[Fraction(28, 6), Fraction(12, 6)], [Fraction(12, 6), Fraction(6, 6)]]
    Hg = [H[0][0] * g[0] + H[0][1] * g[1], H[1][0] * g[0] + H[1][1] * g[1]]
    alpha0 = (g[0] ** 2 + g[1] ** 2) / (g[0] * Hg[0] + g[1] * Hg[1])
    assert alpha0 == Fraction(541, 2998)
    assert model.learning_rate_.shape == (model.n_iter_,)
    assert model.learning_rate_[0] == pytest.approx(float(alpha0), rel=1e-14)
    np.testing.assert_allclose(
        model.path_[1], [float(-alpha0 * g[0]), float(-alpha0 * g[1])], rtol=1e-14
    )
    # Every exact step is the minimiser along the gradient: the new gradient is orthogonal
    # to the old one (checked with the lecture's ∇E).
    G = np.column_stack(grad_E(*model.path_.T))
    inner = np.sum(G[1:6] * G[:5], axis=1)
    assert np.all(np.abs(inner) <= 1e-10 * np.sum(G[:5] ** 2, axis=1))
    np.testing.assert_allclose(theta(model), [0.5, 7 / 3], rtol=1e-10)


# --- defaults just work on raw data --------------------------------------------------------


@pytest.mark.parametrize(
    ("all_media", "published"), [(False, TV_LINE), (True, MEDIA_PLANE)], ids=["TV", "media"]
)
def test_defaults_reach_the_closed_form_on_the_tv_data_without_warning(all_media, published):
    X, y = load_tv_advertising(all_media=all_media, return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = GradientDescentRegressor().fit(X, y)
    reference = theta(AnalyticLeastSquares().fit(X, y))
    np.testing.assert_allclose(theta(model), reference, rtol=1e-8, atol=0)  # per coefficient
    np.testing.assert_allclose(theta(model).round(9), published, rtol=0, atol=1.5e-9)
    assert model.n_iter_ <= 300
    assert model.converged_ is True
    assert model.path_.shape == (model.n_iter_ + 1, X.shape[1] + 1)
    assert model.loss_curve_.shape == model.gradient_norms_.shape == (model.n_iter_ + 1,)
    np.testing.assert_array_equal(model.path_[0], np.zeros(X.shape[1] + 1))
    np.testing.assert_array_equal(model.path_[-1], theta(model))


def test_one_standardised_feature_takes_one_step(tv):
    X, y = tv
    model = GradientDescentRegressor().fit(X, y)
    # blockdiag(corr(x), 1) is the identity: α = 1/L_max = 1 lands on the minimum.
    assert model.n_iter_ == 1
    assert model.max_curvature_ == pytest.approx(1.0, rel=1e-14)
    np.testing.assert_allclose(theta(model), [float(v) for v in exact_lstsq(X, y)], rtol=1e-13)


def test_defaults_converge_on_a_moderately_ill_conditioned_polynomial_design():
    x = np.linspace(0.0, 1.0, 40)
    X = np.column_stack([x, x**2, x**3])
    y = np.sin(3 * x) + 0.1 * np.cos(17 * x)
    condition = np.linalg.cond(np.corrcoef(X, rowvar=False))
    assert 1e3 <= condition <= 1e4  # standardising leaves it ill-conditioned
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = GradientDescentRegressor().fit(X, y)
    reference = np.array([float(v) for v in exact_lstsq_mp(X, y)])
    assert model.converged_ is True
    assert relative_error(theta(model), reference) <= 1e-6
    assert relative_error(theta(model), theta(AnalyticLeastSquares().fit(X, y))) <= 1e-6
    np.testing.assert_allclose(theta(model), reference, rtol=1e-6)  # per coefficient, too


def random_problem(n, d, log_scales, offsets, slopes, intercept, log_noise, seed):
    """Features uniform on [offset, offset + 1]·scale, a plane through them, and noise."""
    rng = np.random.default_rng(seed)
    scale = 10.0 ** np.array(log_scales[:d])
    X = (np.array(offsets[:d]) + rng.uniform(0.0, 1.0, size=(n, d))) * scale
    y = X @ (np.array(slopes[:d]) / scale) + intercept + 10**log_noise * rng.normal(size=n)
    return X, y


@budget(60)
@given(
    n=st.integers(3, 60),
    d=st.integers(1, 4),
    log_scales=st.lists(st.floats(-3, 3), min_size=4, max_size=4),
    offsets=st.lists(st.floats(-3, 3), min_size=4, max_size=4),
    slopes=st.lists(st.floats(-3, 3), min_size=4, max_size=4),
    intercept=st.floats(-10, 10),
    log_noise=st.floats(-3, 0),
    seed=st.integers(0, 2**32 - 1),
)
def test_defaults_equal_the_closed_form_on_random_well_conditioned_problems(
    n, d, log_scales, offsets, slopes, intercept, log_noise, seed
):
    assume(n >= d + 2)
    X, y = random_problem(n, d, log_scales, offsets, slopes, intercept, log_noise, seed)
    condition = np.linalg.cond(np.atleast_2d(np.corrcoef(X, rowvar=False)))
    assume(np.isfinite(condition) and condition <= 30)  # moderate, and no degenerate column
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = GradientDescentRegressor().fit(X, y)
    reference = AnalyticLeastSquares().fit(X, y)
    assert model.converged_ is True
    assert relative_error(theta(model), theta(reference)) <= 1e-8


def test_defaults_reach_1e_8_on_a_small_well_conditioned_problem():
    X, y = random_problem(4, 2, [2.0, -1.0], [1.0, 0.0], [1.0, 0.0], 0.0, -3.0, seed=0)
    assert np.linalg.cond(np.corrcoef(X, rowvar=False)) < 12
    model = GradientDescentRegressor().fit(X, y)
    exact = [float(v) for v in exact_lstsq(X, y)]
    np.testing.assert_allclose(theta(AnalyticLeastSquares().fit(X, y)), exact, rtol=1e-12)
    assert model.converged_ is True
    assert relative_error(theta(model), exact) <= 1e-8


def test_slopes_do_not_depend_on_the_origin_of_y(media):
    X, y = media
    shifted = y + 1e4
    model = GradientDescentRegressor().fit(X, shifted)
    reference = AnalyticLeastSquares().fit(X, shifted)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-8, atol=0)


# --- max_iter, tol and the ConvergenceWarning ----------------------------------------------


def test_max_iter_before_tol_warns_naming_what_to_change(power_lines):
    X, y = power_lines
    model = GradientDescentRegressor(standardize=False, learning_rate=0.01, max_iter=100)
    with pytest.warns(ConvergenceWarning) as record:
        model.fit(X, y)
    assert len(record) == 1
    message = str(record[0].message)
    assert "GradientDescentRegressor" in message
    assert "max_iter" in message and "100" in message
    assert "learning rate" in message
    # The gradient norm it reports is that of ∇L = ∇E/6 at the last iterate, by hand.
    m, b = model.path_[-1]
    norm = float(np.hypot(*grad_E(m, b)) / 6)
    assert f"{norm:.3g}" in message
    assert model.n_iter_ == 100
    assert model.converged_ is False


def test_convergence_warning_points_at_the_callers_line(power_lines):
    X, y = power_lines
    model = GradientDescentRegressor(standardize=False, learning_rate=0.01, max_iter=10)
    with pytest.warns(ConvergenceWarning) as record:
        model.fit(X, y)
    assert record[0].filename == __file__


def test_tol_none_runs_exactly_max_iter_without_warning(power_lines):
    X, y = power_lines
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = GradientDescentRegressor(tol=None, max_iter=37).fit(X, y)
    assert model.n_iter_ == 37
    assert model.path_.shape == (38, 2)
    assert model.loss_curve_.shape == (38,)
    # Long after convergence the iterates stay at the lecture's minimum.
    np.testing.assert_allclose(theta(model), [0.5, 7 / 3], rtol=1e-12)


# --- divergence ----------------------------------------------------------------------------


def test_divergent_learning_rate_raises_quickly_with_the_stable_limit(power_lines, monkeypatch):
    X, y = power_lines
    seen = []
    original = gdregress._descent.gradient_descent

    def recording(*args, **kwargs):
        result = original(*args, **kwargs)
        seen.append(result.nit)
        return result

    monkeypatch.setattr(gdregress._descent, "gradient_descent", recording)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow RuntimeWarning on the way
        with pytest.raises(DivergenceError) as info:
            GradientDescentRegressor(standardize=False, learning_rate=0.5).fit(X, y)
    assert isinstance(info.value, ValueError)
    assert info.value.learning_rate == 0.5
    # 2/L_max with L_max the largest eigenvalue of [[28, 12], [12, 6]]/6, independently.
    assert info.value.stable_limit == pytest.approx(2 / raw_max_curvature(X), rel=1e-12)
    # L_max is known before the first step: a rate above 2/L_max is refused without one.
    assert seen == []


def test_divergence_error_is_exported():
    assert gdregress.DivergenceError is DivergenceError
    assert "DivergenceError" in gdregress.__all__
    assert issubclass(DivergenceError, ValueError)


def test_divergence_error_carries_the_rate_and_the_limit_through_pickle(power_lines):
    X, y = power_lines
    with pytest.raises(DivergenceError) as info:
        GradientDescentRegressor(standardize=False, learning_rate=0.5).fit(X, y)
    error = info.value
    assert error.learning_rate == 0.5
    assert error.stable_limit == pytest.approx(2 / raw_max_curvature(X), rel=1e-12)
    # Exceptions cross process boundaries (joblib, dask) pickled: the attributes go along.
    restored = pickle.loads(pickle.dumps(error))
    assert (restored.learning_rate, restored.stable_limit) == (0.5, error.stable_limit)
    assert str(restored) == str(error)


@pytest.mark.parametrize(
    ("learning_rate", "standardize"),
    [(0.5, False), (1e-3, False), (10.0, True), (2.0000001, True)],
    ids=["power-lines-raw", "tv-raw", "tv-standardized", "tv-just-above-2"],
)
def test_the_divergence_message_states_the_rate_and_the_limit_of_its_attributes(
    power_lines, tv, learning_rate, standardize
):
    # The message is part of the interface: a reader must find in it the numbers a program
    # reads from the attributes. This is the one test that reads numbers out of the message.
    X, y = power_lines if learning_rate == 0.5 else tv
    with pytest.raises(DivergenceError) as info:
        GradientDescentRegressor(standardize=standardize, learning_rate=learning_rate).fit(X, y)
    error = info.value
    message = str(error)
    rate = re.search(r"learning_rate=([^\s:]+):", message)
    limit = re.search(r"2/L_max = (\d+(?:\.\d+)?(?:e[-+]?\d+)?)", message)
    assert rate and limit, message
    assert float(rate.group(1)) == error.learning_rate  # the shortest repr: exact
    assert float(limit.group(1)) == pytest.approx(error.stable_limit, rel=1e-5)
    # The rounded numbers of the message still tell the rate from the limit.
    assert (float(rate.group(1)) > float(limit.group(1))) == (learning_rate > error.stable_limit)
    assert f"below {error.stable_limit:.6g}" in message
    assert ("in standardised coordinates" in message) == standardize


def test_learning_rate_just_below_the_limit_converges(power_lines):
    X, y = power_lines
    limit = 2 / raw_max_curvature(X)
    model = GradientDescentRegressor(standardize=False, learning_rate=0.95 * limit).fit(X, y)
    np.testing.assert_allclose(theta(model), [0.5, 7 / 3], rtol=1e-9)
    with pytest.raises(DivergenceError):
        GradientDescentRegressor(standardize=False, learning_rate=1.05 * limit).fit(X, y)


# The sweep of the issue, on the TV data (sales on TV budget). In standardised coordinates
# the Hessian is the identity (stable below 2); in raw units it is (1/n)·AᵀA with A = [x, 1]
# (stable below 2/L_max ≈ 6.9e-5).
SWEEP = [
    pytest.param(1e-6, True, "crawls", id="1e-6-standardized"),
    pytest.param(1e-3, True, "converges", id="1e-3-standardized"),
    pytest.param(1.0, True, "one step", id="1-standardized"),
    pytest.param(10.0, True, "diverges", id="10-standardized"),
    pytest.param(1000.0, True, "diverges", id="1000-standardized"),
    pytest.param(1e-6, False, "crawls", id="1e-6-raw"),
    pytest.param(1e-3, False, "diverges", id="1e-3-raw"),
    pytest.param(1.0, False, "diverges", id="1-raw"),
    pytest.param(10.0, False, "diverges", id="10-raw"),
    pytest.param(1000.0, False, "diverges", id="1000-raw"),
]


@pytest.mark.parametrize(("learning_rate", "standardize", "outcome"), SWEEP)
def test_learning_rate_sweep_on_the_tv_data(tv, learning_rate, standardize, outcome):
    X, y = tv
    reference = theta(AnalyticLeastSquares().fit(X, y))
    limit = 2 / (standardized_max_curvature(X) if standardize else raw_max_curvature(X))
    if not standardize:
        assert 6.8e-5 < limit < 7.0e-5  # the raw TV budgets: 2/L_max = 6.907e-5
    model = GradientDescentRegressor(learning_rate=learning_rate, standardize=standardize)
    if outcome == "diverges":
        assert learning_rate > limit
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(DivergenceError) as info:
                model.fit(X, y)
        assert info.value.stable_limit == pytest.approx(limit, rel=1e-12)
        assert info.value.learning_rate == learning_rate
        return
    if outcome == "crawls":
        with pytest.warns(ConvergenceWarning, match="max_iter=100000"):
            model.fit(X, y)
        assert model.n_iter_ == model.max_iter
        assert model.converged_ is False
        assert np.all(np.isfinite(model.path_))
        assert np.all(np.diff(model.loss_curve_) <= 0)  # the loss never rose
        assert model.loss_curve_[-1] < model.loss_curve_[0]
        assert relative_error(theta(model), reference) > 0.5  # nowhere near yet
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(X, y)
    assert model.converged_ is True
    np.testing.assert_allclose(theta(model), reference, rtol=1e-8)
    losses = model.loss_curve_
    assert np.all(np.diff(losses) <= 1e-14 * losses[0])  # non-increasing up to rounding
    if outcome == "one step":
        assert model.n_iter_ == 1
    else:
        # H = I: every component of the gradient shrinks by exactly (1 − α) per step, so the
        # number of steps for each to reach its bound, tol·λ_min·std(y)/sqrt(2) (λ_min = 1;
        # two bounds that size keep the norm within tol·std(y)), is known in advance. From
        # θ = 0 the gradient is −q: the standardised slope's −cov(x, y)/std(x) and −mean(y).
        x = X[:, 0]
        g0 = np.abs([np.mean((x - x.mean()) * (y - y.mean())) / np.std(x), np.mean(y)])
        assert np.hypot(*g0) == pytest.approx(model.gradient_norms_[0], rel=1e-12)
        target = 1e-12 * np.std(y) / np.sqrt(2)
        predicted = int(np.ceil(np.log(target / g0.max()) / np.log1p(-learning_rate)))
        # Within 0.1%: near the end the gradient (5e-12) carries rounding of eps·‖q‖ ≈ 3e-15.
        assert abs(model.n_iter_ - predicted) <= max(1, 1e-3 * predicted)
        assert model.n_iter_ > 20_000


# --- warm start ----------------------------------------------------------------------------


def test_warm_start_continues_from_the_previous_fit(media):
    X, y = media
    model = GradientDescentRegressor(warm_start=True, max_iter=5, tol=None)
    model.fit(X, y)
    first = theta(model)
    model.fit(X, y)
    np.testing.assert_allclose(model.path_[0], first, rtol=1e-12)
    cold = GradientDescentRegressor(warm_start=False, max_iter=5, tol=None).fit(X, y)
    cold.fit(X, y)
    np.testing.assert_array_equal(cold.path_[0], np.zeros(4))


@pytest.mark.parametrize("standardize", [False, True])
def test_warm_start_twice_k_equals_one_run_of_2k(power_lines, standardize):
    X, y = power_lines
    params = {"standardize": standardize, "learning_rate": 0.01, "tol": None}
    model = GradientDescentRegressor(warm_start=True, max_iter=40, **params)
    model.fit(X, y)
    model.fit(X, y)
    once = GradientDescentRegressor(max_iter=80, **params).fit(X, y)
    np.testing.assert_allclose(theta(model), theta(once), rtol=1e-12)
    np.testing.assert_allclose(model.path_, once.path_[40:], rtol=1e-12)


def test_warm_start_with_other_features_raises(media):
    X, y = media
    model = GradientDescentRegressor(warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="warm_start"):
        model.fit(X[:, :2], y)


# --- sample weights ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [{}, {"learning_rate": "exact"}, {"standardize": False, "learning_rate": 5e-5}],
    ids=["auto", "exact", "raw"],
)
def test_integer_weight_equals_repeating_the_row_iterate_by_iterate(media, params):
    X, y = media
    k = np.random.default_rng(2).integers(0, 4, size=len(y))
    params = {"max_iter": 300, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the raw descent crawls
        weighted = GradientDescentRegressor(**params).fit(X, y, sample_weight=k)
        repeated = GradientDescentRegressor(**params).fit(np.repeat(X, k, 0), np.repeat(y, k))
    assert weighted.n_iter_ == repeated.n_iter_
    np.testing.assert_allclose(weighted.path_, repeated.path_, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-10)


def test_weight_zero_drops_the_row(media):
    X, y = media
    w = np.ones(len(y))
    w[[3, 50, 199]] = 0.0
    kept = w > 0
    weighted = GradientDescentRegressor().fit(X, y, sample_weight=w)
    dropped = GradientDescentRegressor().fit(X[kept], y[kept])
    np.testing.assert_allclose(weighted.path_, dropped.path_, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(theta(weighted), theta(dropped), rtol=1e-10)


def test_weighted_power_lines_equal_the_exact_weighted_solution(power_lines):
    X, y = power_lines
    w = np.array([2.0, 1.0, 3.0])
    model = GradientDescentRegressor().fit(X, y, sample_weight=w)
    m, b = exact_lstsq(X, y, w)
    np.testing.assert_allclose(theta(model), [float(m), float(b)], rtol=1e-10)
    for k in (0, 1, model.n_iter_):
        coef, intercept = model.path_[k, :1], model.path_[k, 1]
        assert model.loss_curve_[k] == pytest.approx(half_mse(X, y, coef, intercept, w), rel=1e-12)


# --- the loss curve and the path ----------------------------------------------------------


@pytest.mark.parametrize("standardize", [False, True])
def test_loss_curve_is_the_cost_of_each_iterate_on_the_data(media, standardize):
    X, y = media
    params = {"learning_rate": 1e-5} if not standardize else {"learning_rate": 0.3}
    model = GradientDescentRegressor(standardize=standardize, max_iter=200, tol=None, **params)
    model.fit(X, y)
    assert model.loss_curve_.shape == (201,)
    for k in (0, 1, 2, 17, 100, 200):
        coef, intercept = model.path_[k, :3], model.path_[k, 3]
        direct = 0.5 * np.mean((X @ coef + intercept - y) ** 2)
        assert model.loss_curve_[k] == pytest.approx(direct, rel=1e-11)
    assert model.loss_curve_[0] == pytest.approx(0.5 * np.mean(y**2), rel=1e-14)


def test_gradient_norms_are_in_the_standardised_coordinates(media):
    X, y = media
    model = GradientDescentRegressor(max_iter=10, tol=None).fit(X, y)
    mean, std = X.mean(axis=0), X.std(axis=0)
    Z = np.column_stack([(X - mean) / std, np.ones(len(y))])
    for k in (0, 1, 5, 10):
        coef, intercept = model.path_[k, :3], model.path_[k, 3]
        v = np.r_[coef * std, intercept + mean @ coef]  # the same line, standardised
        gradient = Z.T @ (Z @ v - y) / len(y)
        assert model.gradient_norms_[k] == pytest.approx(np.linalg.norm(gradient), rel=1e-9)


def test_without_intercept_equals_lstsq_and_keeps_a_zero_intercept_column(media):
    X, y = media
    model = GradientDescentRegressor(fit_intercept=False).fit(X, y)
    coef = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-8)
    assert model.intercept_ == 0.0
    assert model.path_.shape == (model.n_iter_ + 1, 4)
    np.testing.assert_array_equal(model.path_[:, 3], 0.0)
    # Without an intercept the columns are only scaled, to a unit root mean square.
    largest = np.linalg.eigvalsh(_uncentred_correlation(X))[-1]
    assert model.max_curvature_ == pytest.approx(largest, rel=1e-10)


def _uncentred_correlation(X):
    """XᵀX scaled to a unit diagonal: the Hessian without an intercept, standardised."""
    G = X.T @ X
    d = np.sqrt(np.diag(G))
    return G / np.outer(d, d)


def test_raw_descent_without_intercept_on_the_power_lines(power_lines):
    X, y = power_lines
    model = GradientDescentRegressor(standardize=False, fit_intercept=False).fit(X, y)
    # L(m) = Σ (m x − y)² / 6: curvature Σx²/3 = 14/3, minimum Σxy/Σx² = 21/14.
    assert model.max_curvature_ == pytest.approx(14 / 3, rel=1e-14)
    assert model.coef_[0] == pytest.approx(1.5, rel=1e-14)
    assert model.n_iter_ == 1


# --- several targets -----------------------------------------------------------------------


def test_multi_output_equals_fitting_each_column(media):
    X, y = media
    Y = np.column_stack([y, 2 * y - X[:, 0] / 10 + 1, np.sin(X[:, 1])])
    model = GradientDescentRegressor().fit(X, Y)
    assert model.coef_.shape == (3, 3)
    assert model.intercept_.shape == (3,)
    assert model.path_.shape == (model.n_iter_ + 1, 3, 4)
    assert model.predict(X).shape == (200, 3)
    reference = LinearRegression().fit(X, Y)
    for j in range(3):
        single = GradientDescentRegressor().fit(X, Y[:, j])
        assert relative_error(theta(single), np.r_[model.coef_[j], model.intercept_[j]]) < 1e-8
        np.testing.assert_allclose(model.coef_[j], reference.coef_[j], rtol=1e-7)
    np.testing.assert_allclose(model.path_[-1, :, :3], model.coef_)
    np.testing.assert_allclose(model.path_[-1, :, 3], model.intercept_)


def test_multi_output_fixed_steps_follow_each_column_s_own_path(media):
    X, y = media
    Y = np.column_stack([y, np.cos(X[:, 2] / 50)])
    params = {"max_iter": 30, "tol": None, "learning_rate": 0.5}
    model = GradientDescentRegressor(**params).fit(X, Y)
    for j in range(2):
        single = GradientDescentRegressor(**params).fit(X, Y[:, j])
        np.testing.assert_allclose(model.path_[:, j, :], single.path_, rtol=1e-12, atol=1e-14)
    # The cost of several targets is the sum of theirs.
    separate = [GradientDescentRegressor(**params).fit(X, Y[:, j]).loss_curve_ for j in range(2)]
    np.testing.assert_allclose(model.loss_curve_, separate[0] + separate[1], rtol=1e-12)


# --- attributes and input forms ------------------------------------------------------------


def test_dataframe_input_records_feature_names(media):
    X, y = load_tv_advertising(all_media=True, return_X_y=True, as_frame=True)
    model = GradientDescentRegressor().fit(X, y)
    assert list(model.feature_names_in_) == ["TV", "radio", "newspaper"]
    assert model.n_features_in_ == 3
    np.testing.assert_allclose(theta(model), MEDIA_PLANE, rtol=0, atol=1.5e-9)
    with pytest.raises(ValueError, match="feature names"):
        model.predict(X[["radio", "TV", "newspaper"]])


def test_numpy_input_has_no_feature_names(media):
    X, y = media
    model = GradientDescentRegressor().fit(X, y)
    assert model.n_features_in_ == 3
    assert not hasattr(model, "feature_names_in_")


def test_predict_and_score_agree_with_scikit_learn(media):
    X, y = media
    model = GradientDescentRegressor().fit(X[:150], y[:150])
    prediction = model.predict(X[150:])
    np.testing.assert_allclose(prediction, X[150:] @ model.coef_ + model.intercept_, rtol=1e-15)
    reference = LinearRegression().fit(X[:150], y[:150])
    np.testing.assert_allclose(prediction, reference.predict(X[150:]), rtol=1e-9)
    assert model.score(X[150:], y[150:]) == pytest.approx(r2_score(y[150:], prediction), rel=1e-14)


def test_predict_before_fit_raises():
    with pytest.raises(NotFittedError):
        GradientDescentRegressor().predict([[1.0]])


def test_float32_input_is_fitted_in_float64(tv):
    X, y = tv
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    model = GradientDescentRegressor().fit(X32, y32)
    assert model.coef_.dtype == np.float64
    exact = exact_lstsq(X32.astype(np.float64), y32.astype(np.float64))
    np.testing.assert_allclose(theta(model), [float(v) for v in exact], rtol=1e-12)


# --- bad parameters ------------------------------------------------------------------------


BAD_PARAMETERS = [
    pytest.param({"learning_rate": -0.1}, "learning_rate", id="negative-rate"),
    pytest.param({"learning_rate": 0.0}, "learning_rate", id="zero-rate"),
    pytest.param({"learning_rate": "fast"}, "learning_rate", id="unknown-rate"),
    pytest.param({"max_iter": 0}, "max_iter", id="max-iter-0"),
    pytest.param({"max_iter": -5}, "max_iter", id="max-iter-negative"),
    pytest.param({"max_iter": 10.5}, "max_iter", id="max-iter-float"),
    pytest.param({"tol": -1e-6}, "tol", id="negative-tol"),
    pytest.param({"standardize": "yes"}, "standardize", id="standardize-string"),
]


@pytest.mark.parametrize(("params", "name"), BAD_PARAMETERS)
def test_bad_parameters_raise_a_helpful_value_error(power_lines, params, name):
    X, y = power_lines
    with pytest.raises(InvalidParameterError) as info:
        GradientDescentRegressor(**params).fit(X, y)
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert f"'{name}' parameter of GradientDescentRegressor must be" in message
    if name == "learning_rate":
        assert "'auto'" in message and "'exact'" in message  # the valid options are listed


# --- scikit-learn compatibility ------------------------------------------------------------


def test_grid_search_over_the_learning_rate(media):
    X, y = media
    grid = {"learning_rate": ["auto", "exact", 0.5, 1.0]}
    search = GridSearchCV(GradientDescentRegressor(), grid, cv=5).fit(X, y)
    reference = cross_validate(LinearRegression(), X, y, cv=5)["test_score"].mean()
    # Every learning rate converges to the same line, so every score is the closed form's.
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], reference, rtol=1e-10)
    assert search.best_params_["learning_rate"] in grid["learning_rate"]
    assert isinstance(search.best_estimator_, GradientDescentRegressor)
    np.testing.assert_allclose(theta(search.best_estimator_), MEDIA_PLANE, rtol=0, atol=1.5e-9)


def test_clone_gives_an_unfitted_copy_with_the_same_parameters(media):
    X, y = media
    params = {
        "learning_rate": 0.25,
        "max_iter": 500,
        "tol": 1e-10,
        "fit_intercept": True,
        "standardize": True,
        "warm_start": False,
        "solver": "statistics",
        "momentum": 0.5,
    }
    model = GradientDescentRegressor(**params).fit(X, y)
    copy = clone(model)
    assert copy is not model
    assert copy.get_params() == params
    assert not hasattr(copy, "coef_")
    with pytest.raises(NotFittedError):
        copy.predict(X)
    copy.fit(X, y)
    np.testing.assert_array_equal(copy.path_, model.path_)


def test_pickle_round_trip(media):
    X, y = media
    model = GradientDescentRegressor(learning_rate="exact").fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    for name in ("coef_", "path_", "loss_curve_", "gradient_norms_", "learning_rate_"):
        np.testing.assert_array_equal(getattr(restored, name), getattr(model, name))
    assert restored.intercept_ == model.intercept_
    assert restored.n_iter_ == model.n_iter_
    assert restored.get_params() == model.get_params()
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))


def test_string_columns_in_a_dataframe_raise():
    X = pd.DataFrame({"TV": [1.0, 2.0, 3.0, 4.0], "city": ["a", "b", "c", "d"]})
    with pytest.raises(ValueError, match=r"X column 'city' is not numeric.*encode it"):
        GradientDescentRegressor().fit(X, [1.0, 2.0, 3.0, 5.0])


def test_a_rate_within_rounding_of_the_stable_limit_does_not_claim_convergence():
    # Two equal columns, no intercept: L_max = 2 to rounding, so learning_rate=1 multiplies the
    # error along the steepest direction by about -1 at every step. The rounding floor used to
    # count 1/(2 - α·L_max) ~ 1e15 roundings and called a gradient of 4 converged after one step
    # (found by the long fuzz run); no more roundings add up than steps are run.
    x = np.float16([0.69, 1.46, 0.93, 0.29, 1.18, 2.13, 1.77, 0.12, -0.44]).astype(float)
    X, y = np.column_stack([x, x]), -3 * x + np.cos(np.arange(9))
    model = GradientDescentRegressor(fit_intercept=False, learning_rate=1.0, max_iter=1, tol=0.0)
    with pytest.warns(ConvergenceWarning, match="max_iter=1 "):
        model.fit(X, y)
    assert model.converged_ is False
