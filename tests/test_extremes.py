"""Legal extremes, fitted correctly or refused clearly; and the learning-rate sweep.

Oracles, all independent of gdregress:

- multiplying data by a power of two rounds nothing, so the exact least-squares fit (in
  Fractions, ``_exact``) of the unscaled data gives the fit of the scaled data exactly:
  X·2^a and y·2^b must give coef·2^(b−a) and intercept·2^b;
- the same for weights: multiplying every weight by 2^k changes nothing;
- a constant feature gets weight 0 with an intercept, and acts as the intercept without one;
- a single sample and a constant target have fits that can be written down;
- for the learning rate, the largest curvature of the cost from numpy's eigenvalues: a fixed
  step converges below 2/L_max and diverges above.

test_analytic.py checks AnalyticLeastSquares on random features of size 1e160 and 1e-170
against LinearRegression; the grid here covers 1e±150 to 1e±310 in X, y and both, for both
estimators, with and without an intercept, against the exact oracle.
Cases marked xfail are defects; each reason says what happens and what should.
"""

import math
import warnings

import numpy as np
import pytest
from _exact import exact_lstsq, exact_minimum_norm
from sklearn.exceptions import ConvergenceWarning

from gdregress import (
    AnalyticLeastSquares,
    DivergenceError,
    GradientDescentRegressor,
    IllConditionedWarning,
    gradient_descent,
)
from gdregress.datasets import load_tv_advertising

ESTIMATORS = [AnalyticLeastSquares, GradientDescentRegressor]
# Relative agreement asked of a fit with the exact one: the closed form keeps nearly every
# digit on this small problem; the descent stops at 1e-12 of the spread of y.
RTOL = {AnalyticLeastSquares: 1e-12, GradientDescentRegressor: 1e-9}

RNG = np.random.default_rng(0)
X0 = RNG.normal(size=(8, 2))
Y0 = X0 @ np.array([1.5, -2.0]) + 0.3 + 0.1 * RNG.normal(size=8)

LOG2_10 = math.log2(10)
TINIEST_EXPONENT = np.finfo(np.float64).minexp  # frexp exponents of normal floats lie in
LARGEST_EXPONENT = np.finfo(np.float64).maxexp  # (minexp, maxexp]


def exact_fit(X, y, sample_weight=None, fit_intercept=True):
    """The exact least-squares fit of the float64 data as floats: (coef, intercept)."""
    theta = [float(v) for v in exact_lstsq(X, y, sample_weight, fit_intercept=fit_intercept)]
    d = np.shape(X)[1]
    return np.array(theta[:d]), (theta[d] if fit_intercept else 0.0)


def fit_quietly(model, X, y, sample_weight=None):
    """Fit, turning every warning into an error (a RuntimeWarning is one under pytest too)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return model.fit(X, y, sample_weight=sample_weight)


# --- magnitudes ----------------------------------------------------------------------------

MAGNITUDES = [
    # (log10 |X|, log10 |y|): 1e±150 must fit today; beyond, fit by scaling or refuse
    (150, 0),
    (-150, 0),
    (0, 150),
    (0, -150),
    (150, 150),
    (-150, -150),
    (-150, 150),  # y ~ 1e150 with X ~ 1e-150: slopes ~ 1e300
    (150, -150),
    (160, 0),  # (AnalyticLeastSquares: see test_analytic.py)
    (200, 0),
    (300, 0),
    (-160, 0),
    (-200, 0),
    (-300, 0),
    (-310, -300),  # subnormal features
    (0, 160),
    (0, 200),
    (0, 300),
    (0, -160),
    (0, -200),
    (0, -300),
    (300, 300),
    (-300, -300),
    (-100, 200),  # slopes ~ 1e300: representable, y² is not
    (200, -100),  # slopes ~ 1e-300
    (-200, 100),
    (100, -200),
    (-160, 160),  # slopes ~ 1e320: not representable, so a clear error
    (160, -160),  # slopes ~ 1e-320: subnormal, every digit lost: a clear error
    (-300, 300),
    (300, -300),
]


def representable(values, power):
    """Whether every value·2^power is a normal float64 (with room to spare at the top)."""
    exponents = [math.frexp(float(v))[1] + power for v in values]
    return all(TINIEST_EXPONENT < e < LARGEST_EXPONENT - 2 for e in exponents)


def magnitude_params():
    slopes = {
        fit_intercept: exact_fit(X0, Y0, fit_intercept=fit_intercept)[0]
        for fit_intercept in (True, False)
    }
    for exponent_x, exponent_y in MAGNITUDES:
        a, b = round(exponent_x * LOG2_10), round(exponent_y * LOG2_10)
        for estimator in ESTIMATORS:
            if estimator is AnalyticLeastSquares and (exponent_x, exponent_y) == (160, 0):
                continue  # test_analytic.py's
            for fit_intercept in (True, False):
                fits = representable(slopes[fit_intercept], b - a)
                yield pytest.param(
                    estimator,
                    fit_intercept,
                    a,
                    b,
                    fits,
                    id=f"{estimator.__name__}-X~1e{exponent_x}-y~1e{exponent_y}"
                    f"{'' if fit_intercept else '-no-intercept'}",
                )


@pytest.mark.parametrize(
    ("estimator", "fit_intercept", "a", "b", "representable"), list(magnitude_params())
)
def test_extreme_magnitudes_fit_exactly_or_are_refused_clearly(
    estimator, fit_intercept, a, b, representable
):
    X, y = np.ldexp(X0, a), np.ldexp(Y0, b)
    model = estimator(fit_intercept=fit_intercept)
    if not representable:
        # The slopes overflow or fall below the normal range: no float64 line fits this data.
        with pytest.raises(ValueError, match=r"[Rr]escale"):
            fit_quietly(model, X, y)
        return
    fit_quietly(model, X, y)
    # The oracle: the exact fit of the stored data scaled back by 2^-a, 2^-b (exact, even for
    # subnormal data, whose lost digits are lost in both).
    coef, intercept = exact_fit(np.ldexp(X, -a), np.ldexp(y, -b), fit_intercept=fit_intercept)
    np.testing.assert_allclose(np.ldexp(model.coef_, a - b), coef, rtol=RTOL[estimator])
    assert math.ldexp(model.intercept_, -b) == pytest.approx(intercept, rel=RTOL[estimator])
    assert np.all(np.isfinite(model.predict(X)))
    if estimator is GradientDescentRegressor:
        assert not np.any(np.isnan(model.loss_curve_))  # (inf beyond y ~ 1e154: see below)


# --- constant features, a single sample, a constant target ---------------------------------


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "value", [0.0, 3.0, -(2.0**498), 2.0**-498, 2.0**664, 2.0**-664, 2.0**997], ids=str
)
def test_a_constant_feature_gets_weight_zero_with_an_intercept(estimator, value):
    X = np.column_stack([X0[:, 0], np.full(8, value), X0[:, 1]])
    model = fit_quietly(estimator(), X, Y0)
    assert model.coef_[1] == 0.0
    coef, intercept = exact_fit(X0, Y0)
    np.testing.assert_allclose(model.coef_[[0, 2]], coef, rtol=RTOL[estimator])
    assert model.intercept_ == pytest.approx(intercept, rel=RTOL[estimator])


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "value",
    [
        3.0,
        2.0**498,
        -(2.0**-498),
        2.0**664,
        -(2.0**-664),
        2.0**997,
    ],
    ids=str,
)
def test_a_constant_feature_is_the_intercept_without_one(estimator, value):
    X = np.column_stack([X0[:, 0], np.full(8, value)])
    model = fit_quietly(estimator(fit_intercept=False), X, Y0)
    slope, intercept = exact_fit(X0[:, :1], Y0)
    assert model.coef_[0] == pytest.approx(slope[0], rel=RTOL[estimator])
    assert model.coef_[1] * value == pytest.approx(intercept, rel=RTOL[estimator])


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("scale", [0, 498, -498], ids=lambda k: f"x~2^{k}")
def test_a_single_sample_is_fitted_exactly(estimator, fit_intercept, scale):
    x = np.ldexp(np.array([[3.0, -1.5]]), scale)
    y = np.array([2.5])
    model = fit_quietly(estimator(fit_intercept=fit_intercept), x, y)
    if fit_intercept:
        np.testing.assert_array_equal(model.coef_, [0.0, 0.0])
        assert model.intercept_ == 2.5
    else:
        # Any line through the point: the fit must pass through it.
        assert model.predict(x)[0] == pytest.approx(2.5, rel=1e-12)
        if estimator is AnalyticLeastSquares:  # the minimum-norm one, x·y/‖x‖², as promised
            # A backward-stable solve of one row (condition 1) is within a few n·eps: 1.5 eps
            # measured, and 16 eps (3.6e-15) leaves a digit for another LAPACK's roundings.
            expected = x[0] * 2.5 / (x[0] @ x[0])
            np.testing.assert_allclose(model.coef_, expected, rtol=16 * np.finfo(float).eps)


@pytest.mark.parametrize(
    "estimator",
    ESTIMATORS,
)
def test_all_zero_features_without_an_intercept_give_zero_coefficients(estimator):
    # Nothing to descend: GradientDescentRegressor skips the descent, as lstsq gives 0.
    model = fit_quietly(estimator(fit_intercept=False), np.zeros((5, 2)), np.arange(5.0))
    np.testing.assert_array_equal(model.coef_, [0.0, 0.0])
    np.testing.assert_array_equal(model.predict(np.ones((1, 2))), [0.0])


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(
    ("estimator", "value"),
    [
        (estimator, value)
        for estimator in ESTIMATORS
        for value in (0.0, 5.0, -(2.0**498), 2.0**-498, 2.0**997, -(2.0**997), 2.0**-997)
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else str(v),
)
def test_a_constant_target_is_fitted_exactly(estimator, value, fit_intercept):
    # Beyond y ~ 1e154 the loss curve is inf where the cost is not 0, and never NaN (0·inf).
    y = np.full(8, value)
    model = fit_quietly(estimator(fit_intercept=fit_intercept), X0, y)
    if fit_intercept:
        np.testing.assert_array_equal(model.coef_, [0.0, 0.0])
        assert model.intercept_ == pytest.approx(value, rel=1e-15, abs=0)
    else:
        # The fit of y = c is c times the fit of y = 1.
        coef, _ = exact_fit(X0, np.ones(8), fit_intercept=False)
        np.testing.assert_allclose(model.coef_, coef * value, rtol=RTOL[estimator])


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("scale", [1.0, 1e9, 1e50])
def test_an_underdetermined_design_is_interpolated_whatever_its_column_scales(estimator, scale):
    # lstsq (and LinearRegression) cut the small columns at 1e50 and miss the points.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 3)) * [1.0, 1.0, scale]
    y = rng.normal(size=2)
    model = fit_quietly(estimator(fit_intercept=False), X, y)
    # The closed form interpolates to a few eps (4 measured); the descent to its stopping
    # tolerance, 1e-12 of the spread (2.5e-13 measured): RTOL is 1e-9 for it, as above.
    np.testing.assert_allclose(model.predict(X), y, rtol=RTOL[estimator])
    if estimator is AnalyticLeastSquares:  # the minimum norm in the user's units
        exact = [float(w) for w in exact_minimum_norm(X, y)]
        np.testing.assert_allclose(model.coef_, exact, rtol=1e-13)


@pytest.mark.parametrize("scale", [1.0, 1e9, 1e50])
def test_an_underdetermined_design_from_statistics_alone_gets_the_same_minimum_norm(scale):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 3)) * [1.0, 1.0, scale]
    y = rng.normal(size=2)
    with pytest.warns(IllConditionedWarning):  # partial_fit keeps no data: the pseudo-inverse
        model = AnalyticLeastSquares(fit_intercept=False).partial_fit(X, y)
    exact = [float(w) for w in exact_minimum_norm(X, y)]
    np.testing.assert_allclose(model.coef_, exact, rtol=1e-13)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_a_harmless_subnormal_coefficient_does_not_refuse_the_fit(estimator):
    # The second column is 2^280 times the first: the minimum-norm slope of the first,
    # about 2^-1040, is subnormal, but its share of every prediction is 2^-560.
    X = np.array([[1.0, 2.0**280], [2.0, 2.0**281]])
    y = np.array([2.0**-480, 2.0**-479])
    model = fit_quietly(estimator(fit_intercept=False), X, y)
    np.testing.assert_allclose(model.predict(X), y, rtol=1e-12)
    if estimator is AnalyticLeastSquares:  # to the subnormal's last bits
        exact = [float(w) for w in exact_minimum_norm(X[:1], y[:1])]
        assert abs(model.coef_[0] - exact[0]) <= 2.0**-1074
        assert model.coef_[1] == pytest.approx(exact[1], rel=1e-15)


# --- weights -------------------------------------------------------------------------------

WEIGHTS = RNG.integers(1, 4, size=8).astype(np.float64)


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("power", [-1000, -500, 500, 1000, 1020, -1060, -1070])
def test_multiplying_every_weight_by_a_power_of_two_changes_nothing(estimator, power):
    reference = estimator().fit(X0, Y0, sample_weight=WEIGHTS)
    model = fit_quietly(estimator(), X0, Y0, np.ldexp(WEIGHTS, power))
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=RTOL[estimator])
    assert model.intercept_ == pytest.approx(reference.intercept_, rel=RTOL[estimator])


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("ratio", [1e10, 1e20, 1e30])
def test_weights_spanning_many_orders_of_magnitude_give_the_exact_fit(estimator, ratio):
    # At 1e20 the weighted spread of y is 1e-10 of its mean: the descent's stopping test must
    # not let the intercept's rounding floor (eps·|mean y|) excuse the slopes' gradients; at
    # 1e30 every column's weighted spread is below 1e3·eps of its mean, yet no column is
    # constant.
    w = np.ones(8)
    w[0] = ratio
    model = fit_quietly(estimator(), X0, Y0, w)
    coef, intercept = exact_fit(X0, Y0, w)  # the heavy row is fitted all but exactly
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-8)
    assert model.intercept_ == pytest.approx(intercept, rel=1e-8)


def test_a_raw_descent_whose_path_underflows_in_the_users_units_still_fits():
    X = np.array([[6.89665261e100], [1.46219277e101]])
    y = np.array([3.44867673e-107, 4.42697938e-107])
    model = GradientDescentRegressor(standardize=False, max_iter=1, tol=None)
    fit_quietly(model, X, y)
    assert np.all(np.isfinite(model.coef_)) and np.isfinite(model.intercept_)


# --- partial_fit: singular and empty chunks ------------------------------------------------


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_partial_fit_starting_with_a_singular_chunk_ends_at_the_fit(estimator, fit_intercept):
    model = estimator(fit_intercept=fit_intercept)
    first = 1 if not fit_intercept else 2  # fewer rows than parameters
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning)  # ill-conditioned, on the way
        model.partial_fit(X0[:first], Y0[:first])
        model.partial_fit(X0[first:], Y0[first:])
    coef, intercept = exact_fit(X0, Y0, fit_intercept=fit_intercept)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-9)
    assert model.intercept_ == pytest.approx(intercept, rel=1e-9)


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("power", [600, -600, 1000, -1000])
def test_partial_fit_of_extreme_chunks_equals_the_exact_fit(estimator, power):
    X, y = np.ldexp(X0, power), np.ldexp(Y0, power)
    model = estimator()
    for rows in (slice(0, 3), slice(3, 5), slice(5, 8)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # a chunk ill-conditioned on its own
            warnings.simplefilter("error", RuntimeWarning)
            model.partial_fit(X[rows], y[rows])
    coef, intercept = exact_fit(X0, Y0)
    np.testing.assert_allclose(model.coef_, coef, rtol=RTOL[estimator])
    assert math.ldexp(model.intercept_, -power) == pytest.approx(intercept, rel=RTOL[estimator])


def test_rows_of_very_different_sizes_fit_exactly_whole_or_in_chunks():
    # Half the rows ~1, half ~2^600: the exact fit is dominated by neither.
    X, y = X0.copy(), Y0.copy()
    X[4:], y[4:] = np.ldexp(X[4:], 600), np.ldexp(y[4:], 600)
    coef, intercept = exact_fit(X, y)
    for estimator in ESTIMATORS:
        whole = fit_quietly(estimator(), X, y)
        chunked = estimator().partial_fit(X[:4], y[:4]).partial_fit(X[4:], y[4:])
        for model in (whole, chunked):
            np.testing.assert_allclose(model.coef_, coef, rtol=RTOL[estimator])
            assert model.intercept_ == pytest.approx(intercept, rel=RTOL[estimator], abs=0)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_partial_fit_with_a_later_chunk_of_zero_weights_ends_at_the_fit(estimator):
    model = estimator().partial_fit(X0[:4], Y0[:4]).partial_fit(X0[4:], Y0[4:], np.zeros(4))
    coef, intercept = exact_fit(X0[:4], Y0[:4])
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-9)
    assert model.intercept_ == pytest.approx(intercept, rel=1e-9)
    assert model.statistics_.n_rows == 8


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_partial_fit_refuses_a_first_chunk_without_weight_and_the_stream_goes_on(estimator):
    # No positive weight in all rows seen is a clear error, which leaves the model unfitted.
    model = estimator()
    with pytest.raises(ValueError, match=r"weights of all rows seen sum to 0"):
        model.partial_fit(X0[:4], Y0[:4], sample_weight=np.zeros(4))
    assert not hasattr(model, "coef_")
    model.partial_fit(X0[4:], Y0[4:])
    coef, intercept = exact_fit(X0[4:], Y0[4:])
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-9)
    assert model.intercept_ == pytest.approx(intercept, rel=1e-9)


# --- the learning-rate sweep ---------------------------------------------------------------


@pytest.fixture(scope="module")
def tv():
    X, y = load_tv_advertising(return_X_y=True)
    line = exact_fit(X, y)
    # The largest curvature of L = 1/(2n)·Σ(m·x + b − y)², by numpy: in the user's units the
    # Hessian is AᵀA/n with A = [x, 1]; standardised, it is the identity (one feature).
    A = np.column_stack([X, np.ones(len(X))])
    limits = {False: 2 / np.linalg.eigvalsh(A.T @ A / len(X))[-1], True: 2.0}
    return X, y, line, limits


@pytest.mark.parametrize("standardize", [True, False], ids=["standardized", "raw"])
@pytest.mark.parametrize("exponent", range(-12, 13), ids=lambda e: f"1e{e}")
def test_learning_rate_sweep_converges_warns_or_raises_the_divergence_error(
    tv, exponent, standardize
):
    X, y, (coef, intercept), limits = tv
    learning_rate = 10.0**exponent
    limit = limits[standardize]
    # max_iter 10_000 rather than 100_000 keeps the sweep to seconds; every outcome still
    # occurs (test_gradient_descent_regressor.py runs a few rates with the default).
    model = GradientDescentRegressor(
        learning_rate=learning_rate, standardize=standardize, max_iter=10_000
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.fit(X, y)
        except DivergenceError as error:
            assert learning_rate > limit  # divergence only above the stable limit
            assert error.learning_rate == learning_rate
            assert error.stable_limit == pytest.approx(limit, rel=1e-12)
            assert not caught
            return
    assert learning_rate < limit  # below it, no divergence
    assert all(issubclass(w.category, ConvergenceWarning) for w in caught), [
        str(w.message) for w in caught
    ]
    losses = model.loss_curve_
    assert np.all(np.isfinite(model.path_)) and np.all(np.isfinite(losses))
    assert np.all(np.diff(losses) <= 1e-14 * losses[0])  # the loss never rose
    if caught:  # ran out of iterations
        assert len(caught) == 1 and "max_iter=10000" in str(caught[0].message)
        assert model.n_iter_ == model.max_iter and model.converged_ is False
        assert losses[-1] < losses[0]
    else:
        assert model.converged_ is True
        np.testing.assert_allclose(
            np.r_[model.coef_, model.intercept_], [*coef, intercept], rtol=1e-8
        )


@pytest.mark.parametrize(("learning_rate", "max_iter"), [(2.0, 1000), (10.0, 1), (10.0, 3)])
def test_a_learning_rate_at_or_above_the_stable_limit_raises_at_once(tv, learning_rate, max_iter):
    X, y, _, _ = tv
    model = GradientDescentRegressor(learning_rate=learning_rate, max_iter=max_iter)
    with pytest.raises(DivergenceError, match=r"stable learning rate"):
        fit_quietly(model, X, y)


def test_the_divergence_error_tells_the_rate_from_the_limit(tv):
    X, y, _, _ = tv
    with pytest.raises(DivergenceError) as info:
        GradientDescentRegressor(learning_rate=2.0000001).fit(X, y)
    assert "learning_rate=2.0000001" in str(info.value)


def _raw_case(scale, fit_intercept):
    if not fit_intercept:
        return np.array([[scale]]), np.array([1.0])
    rng = np.random.default_rng(1)
    z = rng.normal(size=50)
    return (z * scale)[:, None], 2 * z + 0.1 * rng.normal(size=50)


@pytest.mark.parametrize(
    ("scale", "fit_intercept"), [(6.9e12, False), (1e6, True), (1e15, True)], ids=str
)
def test_a_raw_descent_on_large_features_converges_or_says_it_did_not(scale, fit_intercept):
    # The raw descent's stopping rule is measured in standardised coordinates: large features
    # do not stop it at once (x = 6.9e12, y = 1: coef_ 1.45e-13, not 0); and the intercept's
    # curvature, 1e-12 of L_max at scale 1e6, is not taken for rounding.
    X, y = _raw_case(scale, fit_intercept)
    coef, intercept = exact_fit(X, y, fit_intercept=fit_intercept)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = GradientDescentRegressor(standardize=False, fit_intercept=fit_intercept)
        model.fit(X, y)
    if model.converged_:
        assert not caught
        assert model.coef_[0] == pytest.approx(coef[0], rel=1e-6, abs=0)
        assert model.intercept_ == pytest.approx(intercept, rel=1e-6, abs=0)
    else:
        assert [w.category for w in caught] == [ConvergenceWarning]


# --- the descent engine at extreme sizes ---------------------------------------------------


@pytest.mark.parametrize("x0", [1e-170, 1e160])
def test_gradient_descent_measures_tiny_and_huge_gradients(x0):
    # The norm scales before squaring: sqrt(g·g) would underflow to 0 below ~1e-162 (a false
    # convergence at x0) and overflow above ~1e154 (a finite gradient called not finite).
    # f(x) = x², gradient 2x, stable below α = 1; α = 0.25 halves x at every step.
    result = gradient_descent(lambda x: 2 * x, x0, learning_rate=0.25, tol=1e-300, max_iter=50)
    assert result.grad_norms[0] == 2 * x0
    assert result.nit == 50
    assert result.x == pytest.approx(x0 * 0.5**50, rel=1e-12)


@pytest.mark.parametrize("tol", [1e-12, None])
def test_a_raw_descent_to_a_huge_solution_runs(tol):
    # x ~ 1e-72, y ~ 1e82: nothing is rescaled, the slope is ~1.5e154, and its square
    # overflows; every norm of the descent and of its tolerance scales before squaring.
    X = np.array([[6.89665261e-73], [1.3e-72]])
    y = np.array([-1.06043075e82, -2e82])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = GradientDescentRegressor(fit_intercept=False, standardize=False, tol=tol)
        model.fit(X, y)
    assert np.all(np.isfinite(model.coef_))
    assert model.loss_curve_[-1] <= model.loss_curve_[0]


@pytest.mark.parametrize("small", [-6.82636716e-92, 3.78053351e-137])
def test_a_raw_descent_uses_the_users_units_whatever_the_scale_of_a_column(small):
    # The statistics divide the small column by a power of two; the raw descent undoes it, so
    # max_curvature_, the learning rate and its stable limit 2/L_max are the user's (1e-137,
    # whose square 1e-273 is a normal number, was kept scaled: found by the long fuzz run).
    X = np.array([[0.892547892, -0.343819956, small, 0.892547892, -0.180232786]])
    y = np.array([0.47806014])
    user_curvature = np.linalg.eigvalsh(X.T @ X)[-1]  # AᵀA/n with n = 1, no intercept
    model = GradientDescentRegressor(
        fit_intercept=False, standardize=False, learning_rate=1.0, max_iter=100, tol=None
    )
    fit_quietly(model, X, y)
    assert 1.0 < 2 / user_curvature  # the rate is stable for the user's cost
    assert model.max_curvature_ == pytest.approx(user_curvature, rel=1e-12)
    assert np.all(np.diff(model.loss_curve_) <= 1e-15 * model.loss_curve_[0])


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_a_raw_descent_whose_gradient_squared_would_overflow_runs(fit_intercept):
    # x ~ 1e13 and y ~ 1e141: every square of the data is finite, but the gradient x·y is
    # ~1e154 and its square is not, unless the data are scaled first.
    X = np.array([[1e13], [2e13], [4e13]])
    y = np.array([1.0, 3.0, 4.0]) * 1e141
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = GradientDescentRegressor(standardize=False, fit_intercept=fit_intercept)
        model.fit(X, y)
    assert np.all(np.isfinite(model.coef_)) and np.isfinite(model.intercept_)
    assert model.loss_curve_[-1] <= model.loss_curve_[0]


def test_an_exact_line_search_whose_gradient_squares_overflow_still_steps():
    # Raw units, one sample [0.69, -2.6e51], y = 2.8e51: the gradient is ~7e102 and gᵀHg
    # ~ 1e308·3 overflows, so the exact step gᵀg / gᵀHg came out 0 and the fit was refused
    # (found by the long fuzz run). The step is the same ratio of g / max|g|.
    X, y = np.array([[6.89665261e-01, -2.64925874e51]]), np.array([2.81785152e51])
    model = GradientDescentRegressor(
        fit_intercept=False, learning_rate="exact", standardize=False, max_iter=1, tol=None
    ).fit(X, y)
    # One exact step along the gradient of a rank-one cost reaches the interpolating line.
    np.testing.assert_allclose(model.predict(X), y, rtol=1e-12)
    assert model.learning_rate_[0] > 0


def test_an_exact_line_search_over_targets_of_different_scales_minimises_the_users_loss():
    # Two targets near 1e91, divided by different powers of two in the statistics: the exact
    # step must minimise the user's loss (the targets' costs in their own units), or the loss
    # rises (found by the long fuzz run). The same data at 1e-90 times the size is not scaled.
    X = np.array([[-0.47702871], [-0.73280595], [0.14313147], [0.0585066]])
    Y = np.array(
        [
            [8.03211045e90, -1.63684053e91],
            [-5.24914559e90, -1.50916430e91],
            [-7.25357522e90, -1.47502247e91],
            [1.23652891e89, -3.04783666e91],
        ]
    )
    w = np.array([1.0, 0.0, 2.0, 1.0])
    fits = []
    for scale in (1.0, 2.0**-600):  # exact: the same problem in other units
        model = GradientDescentRegressor(
            learning_rate="exact", max_iter=10, standardize=False, tol=None
        )
        fits.append(fit_quietly(model, X, Y * scale, w))
    large, small = fits
    assert np.all(np.diff(large.loss_curve_) <= 0)
    np.testing.assert_allclose(large.learning_rate_, small.learning_rate_, rtol=1e-12)
    np.testing.assert_allclose(large.coef_ * 2.0**-600, small.coef_, rtol=1e-12)


def test_coefficients_come_back_to_the_users_units_in_one_rounding():
    # x ~ 1e-118 and y ~ 4e-91 are divided by 2**-389 and 2**-300; one raw step gives slopes
    # x·y = 2.8e-208, which went through 1e-235 · 2**-300 (an underflow) before the division
    # by 2**-389 brought them back, and the fit was refused (found by the long fuzz run).
    X, y = np.full((1, 3), 6.89665261e-118), np.array([4.09753589e-91])
    model = GradientDescentRegressor(
        fit_intercept=False, standardize=False, learning_rate=1.0, max_iter=1, tol=None
    )
    fit_quietly(model, X, y)
    np.testing.assert_allclose(model.coef_, X[0] * y[0], rtol=1e-14)  # θ₁ = α·x·y, n = 1
