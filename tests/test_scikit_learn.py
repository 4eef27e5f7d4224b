"""Both estimators as scikit-learn estimators: its own checks, pipelines, cross-validation.

Estimator-specific uses (grid searches over their own parameters, clone and pickle of their
own attributes) are in test_analytic.py and test_gradient_descent_regressor.py.
"""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from gdregress import AnalyticLeastSquares, GradientDescentRegressor

# The closed form agrees with LinearRegression to rounding; the default descent stops within
# tol = 1e-12 of the spread of y, a little less close.
AGREEMENT = [
    pytest.param(AnalyticLeastSquares, 1e-12, id="AnalyticLeastSquares"),
    pytest.param(GradientDescentRegressor, 1e-10, id="GradientDescentRegressor"),
]


@parametrize_with_checks(
    [
        AnalyticLeastSquares(),
        AnalyticLeastSquares(fit_intercept=False),
        GradientDescentRegressor(),
        GradientDescentRegressor(fit_intercept=False),
        GradientDescentRegressor(learning_rate="exact"),
        # The operator route (wide and sparse designs), forced on the checks' small data.
        AnalyticLeastSquares(solver="operator"),
        AnalyticLeastSquares(solver="operator", fit_intercept=False),
        GradientDescentRegressor(solver="operator"),
    ],
    expected_failed_checks=lambda estimator: {},
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize(("estimator", "rtol"), AGREEMENT)
def test_pipeline_with_standard_scaler_equals_linear_regression_pipeline(media, estimator, rtol):
    X, y = media
    ours = make_pipeline(StandardScaler(), estimator()).fit(X[:150], y[:150])
    theirs = make_pipeline(StandardScaler(), LinearRegression()).fit(X[:150], y[:150])
    np.testing.assert_allclose(ours.predict(X[150:]), theirs.predict(X[150:]), rtol=rtol)
    np.testing.assert_allclose(ours[-1].coef_, theirs[-1].coef_, rtol=10 * rtol)


@pytest.mark.parametrize(("estimator", "rtol"), AGREEMENT)
def test_cross_validate_equals_linear_regression(media, estimator, rtol):
    X, y = media
    cv = KFold(n_splits=5, shuffle=True, random_state=0)
    scoring = ["r2", "neg_mean_squared_error"]
    ours = cross_validate(estimator(), X, y, cv=cv, scoring=scoring)
    theirs = cross_validate(LinearRegression(), X, y, cv=cv, scoring=scoring)
    for key in ("test_r2", "test_neg_mean_squared_error"):
        np.testing.assert_allclose(ours[key], theirs[key], rtol=rtol)
    assert np.all(ours["test_r2"] > 0.8)
