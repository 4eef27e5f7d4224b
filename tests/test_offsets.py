"""Columns far from 0 against their spread (Unix times, large identifiers) keep their digits.

For x = x₀ + 0…49 the intercept is near −3·x₀, and ``X @ coef_ + intercept_`` cancels: one
rounding of the intercept (1e-6 at x₀ = 1.7e9, 1e-4 at 1e12) moves every prediction. The fit
keeps the columns' mean as a double-double number and predicts, and computes the robust
covariances' residuals, from the line's value there.

Truth: the exact least-squares fit of the float64 data in Fractions; statsmodels on the same
data without the offset (the slope, its standard errors and the residuals do not depend on it).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn.exceptions import DataConversionWarning

from gdregress import AnalyticLeastSquares, GradientDescentRegressor

OFFSETS = [1.7e9, 1e12]


def _data(offset: float, weighted: bool):
    rng = np.random.default_rng(7)
    k = np.arange(50.0)
    # Noise on a grid of quarters: y exact in float64 whatever the offset.
    y = 3.0 * k - 17.0 + np.round(rng.normal(size=50) * 4) / 4
    w = rng.uniform(0.5, 2.0, size=50).round(3) if weighted else None
    return (offset + k)[:, None], y, w, k


def _exact_fitted(x, y, w):
    """The exact fitted values of the float64 data, and the spread of y."""
    xs, ys = [Fraction(float(v)) for v in x], [Fraction(float(v)) for v in y]
    ws = [Fraction(1)] * len(xs) if w is None else [Fraction(float(v)) for v in w]
    total = sum(ws)
    mx = sum(a * b for a, b in zip(ws, xs, strict=True)) / total
    my = sum(a * b for a, b in zip(ws, ys, strict=True)) / total
    sxx = sum(c * (a - mx) ** 2 for a, c in zip(xs, ws, strict=True))
    sxy = sum(c * (a - mx) * (b - my) for a, b, c in zip(xs, ys, ws, strict=True))
    slope = sxy / sxx
    return np.array([float(my + (a - mx) * slope) for a in xs]), float(np.std(y))


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("estimator", [AnalyticLeastSquares, GradientDescentRegressor])
def test_predictions_at_large_offsets_are_the_exact_fitted_values(estimator, offset, weighted):
    X, y, w, _ = _data(offset, weighted)
    exact, spread = _exact_fitted(X[:, 0], y, w)
    model = estimator().fit(X, y, sample_weight=w)
    error = np.max(np.abs(model.predict(X) - exact)) / spread
    # The bound, 1e-9 of the spread: the centred form is exact to a few roundings of
    # the predictions (about 1e-15 here), six digits of margin on any machine; the plain
    # X @ coef_ + intercept_ is off by 1e-8 (1.7e9) to 1e-5 (1e12).
    assert error <= 1e-9, error
    # The attributes keep scikit-learn's meaning: the same line, to the intercept's rounding.
    plain = X @ model.coef_ + model.intercept_
    assert np.max(np.abs(plain - exact)) <= 64 * np.spacing(abs(model.intercept_))


@pytest.mark.parametrize("offset", OFFSETS)
def test_predictions_after_partial_fit_keep_the_offsets_digits(offset):
    X, y, w, _ = _data(offset, True)
    exact, spread = _exact_fitted(X[:, 0], y, w)
    model = AnalyticLeastSquares()
    for rows in np.array_split(np.arange(50), [3, 11, 30]):
        model.partial_fit(X[rows], y[rows], sample_weight=w[rows])
    # Chunks merge their double-double means exactly (Chan, Golub and LeVeque, in two parts).
    assert np.max(np.abs(model.predict(X) - exact)) / spread <= 1e-9


@pytest.mark.parametrize("cov_type", ["HC0", "HC1", "HC2", "HC3"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("offset", OFFSETS)
def test_robust_slope_errors_at_offsets_equal_statsmodels_without_them(offset, weighted, cov_type):
    X, y, w, k = _data(offset, weighted)
    model = AnalyticLeastSquares().fit(X, y, sample_weight=w)
    summary = model.summary(cov_type=cov_type, X=X, y=y, sample_weight=w)
    design = sm.add_constant(k)
    reference = (sm.OLS(y, design) if w is None else sm.WLS(y, design, weights=w)).fit(
        cov_type=cov_type
    )
    relative = abs(summary.coef_table["std_err"].iloc[1] / reference.bse[1] - 1)
    # The 1e-9: statsmodels on the un-offset data is exact to ~1e-15 (k = 0…49 is
    # well conditioned) and so is this; the residuals from the rounded intercept were off by
    # 2e-9 (1.7e9) and 6e-6 (1e12).
    assert relative <= 1e-9, relative


def test_integers_beyond_float64s_resolution_are_said_to_lose_their_digits():
    # Nanosecond timestamps: float64 holds integers exactly only up to 2**53 ≈ 9e15, so
    # 1.7e18 + 0…49 all become 1.7e18 and the column is constant.
    X = (np.int64(1_700_000_000_000_000_000) + np.arange(50, dtype=np.int64))[:, None]
    y = np.arange(50.0)
    with pytest.warns(DataConversionWarning, match="2\\*\\*53.*Subtract a reference"):
        model = AnalyticLeastSquares().fit(X, y)
    assert model.coef_[0] == 0.0  # the float64 column does not vary: nothing to fit


def test_integers_beyond_two_to_the_53_that_float64_holds_well_enough_fit_quietly(recwarn):
    # Seconds in nanoseconds (steps of 1e9): float64's rounding (256) is 4e-7 of a step.
    X = (np.int64(1_700_000_000_000_000_000) + 10**9 * np.arange(50, dtype=np.int64))[:, None]
    y = 2.0 * np.arange(50.0) + 1.0
    model = AnalyticLeastSquares().fit(X, y)
    assert not [w for w in recwarn if issubclass(w.category, DataConversionWarning)]
    np.testing.assert_allclose(model.coef_[0], 2e-9, rtol=1e-6)
