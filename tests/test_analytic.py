"""Tests of AnalyticLeastSquares: the lecture's lines, scikit-learn's conventions, bad input.

References: the lecture's numbers (power lines), the published least-squares fits of the
Advertising data (9 decimals), exact rational arithmetic (``_exact``), numpy.linalg.lstsq and
scikit-learn's LinearRegression.
"""

import pickle
import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from _exact import exact_lstsq
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV

from gdregress import AnalyticLeastSquares
from gdregress.datasets import load_tv_advertising


def centred_lstsq(X, y, w=None):
    """The minimum-norm least-squares solution by numpy.linalg.lstsq on the centred design."""
    w = np.ones(X.shape[0]) if w is None else np.asarray(w, dtype=np.float64)
    x_mean = w @ X / w.sum()
    y_mean = w @ y / w.sum()
    root = np.sqrt(w)[:, None] if y.ndim == 2 else np.sqrt(w)
    coef = np.linalg.lstsq((X - x_mean) * np.sqrt(w)[:, None], (y - y_mean) * root, rcond=None)[0]
    return coef, y_mean - x_mean @ coef


# --- the lecture's numbers -----------------------------------------------------------------


def test_power_lines_line_is_the_lecture_line(power_lines):
    X, y = power_lines
    model = AnalyticLeastSquares().fit(X, y)
    assert model.coef_.shape == (1,)
    assert model.coef_[0] == pytest.approx(0.5, abs=1e-12)
    assert model.intercept_ == pytest.approx(7 / 3, abs=1e-12)
    # E(m, b) = Σ (m xᵢ + b − yᵢ)² at the optimum is 25/6.
    E = float(np.sum((model.predict(X) - y) ** 2))
    assert E == pytest.approx(25 / 6, rel=1e-12)
    assert exact_lstsq(X, y) == [Fraction(1, 2), Fraction(7, 3)]  # the reference agrees
    assert model.solver_ == "QR with refinement"  # small data: the accurate route always


def test_tv_line_has_the_published_digits(tv):
    X, y = tv
    model = AnalyticLeastSquares().fit(X, y)
    assert round(model.intercept_, 9) == 7.032593549
    assert round(float(model.coef_[0]), 9) == 0.047536640
    exact = exact_lstsq(X, y)
    assert model.coef_[0] == pytest.approx(float(exact[0]), rel=1e-14)
    assert model.intercept_ == pytest.approx(float(exact[1]), rel=1e-14)


def test_all_media_fit_has_the_published_digits(media):
    X, y = media
    model = AnalyticLeastSquares().fit(X, y)
    assert round(model.intercept_, 9) == 2.938889369
    assert [round(float(c), 9) for c in model.coef_] == [0.045764645, 0.188530017, -0.001037493]


@pytest.mark.parametrize("all_media", [False, True])
def test_rank_and_singular_values_equal_linear_regression_on_advertising(all_media):
    X, y = load_tv_advertising(all_media=all_media, return_X_y=True)
    model = AnalyticLeastSquares().fit(X, y)
    reference = LinearRegression().fit(X, y)
    assert model.rank_ == reference.rank_ == X.shape[1]
    np.testing.assert_allclose(model.singular_, reference.singular_, rtol=1e-10)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-12)
    assert model.intercept_ == pytest.approx(reference.intercept_, rel=1e-12)
    assert model.n_features_in_ == X.shape[1]
    assert model.solver_ == "QR with refinement"  # small data: the accurate route always


# --- rank-deficient designs ----------------------------------------------------------------


def _rank_deficient(kind):
    rng = np.random.default_rng(0)
    if kind == "duplicated column":
        x = rng.normal(size=(12, 2))
        return np.column_stack([x, x[:, 0]]), rng.normal(size=12)
    if kind == "constant column":
        x = rng.normal(size=(12, 2))
        return np.column_stack([x, np.full(12, 3.0)]), rng.normal(size=12)
    if kind == "dependent combination":
        x = rng.normal(size=(12, 3))
        return np.column_stack([x, x[:, 0] - 2 * x[:, 2]]), rng.normal(size=12)
    if kind == "fewer rows than columns":
        return rng.normal(size=(4, 6)), rng.normal(size=4)
    raise AssertionError(kind)


RANK_DEFICIENT = [
    "duplicated column",
    "constant column",
    "dependent combination",
    "fewer rows than columns",
]


@pytest.mark.parametrize("kind", RANK_DEFICIENT)
def test_rank_deficient_design_gives_the_minimum_norm_solution(kind):
    X, y = _rank_deficient(kind)
    model = AnalyticLeastSquares().fit(X, y)
    reference = LinearRegression().fit(X, y)
    coef, intercept = centred_lstsq(X, y)
    assert np.all(np.isfinite(model.coef_))
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-10, atol=1e-12)
    assert model.intercept_ == pytest.approx(intercept, rel=1e-10, abs=1e-12)
    assert model.rank_ == reference.rank_
    assert model.singular_.shape == reference.singular_.shape
    np.testing.assert_allclose(
        model.singular_, reference.singular_, rtol=1e-10, atol=1e-12 * reference.singular_[0]
    )


@pytest.mark.parametrize("kind", ["duplicated column", "fewer rows than columns"])
def test_rank_deficient_design_without_intercept_is_lstsq(kind):
    X, y = _rank_deficient(kind)
    model = AnalyticLeastSquares(fit_intercept=False).fit(X, y)
    reference = LinearRegression(fit_intercept=False).fit(X, y)
    coef, _, rank, singular = np.linalg.lstsq(X, y, rcond=None)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-10, atol=1e-12)
    assert model.intercept_ == 0.0
    assert model.rank_ == rank == reference.rank_
    np.testing.assert_allclose(model.singular_, singular, rtol=1e-10, atol=1e-12 * singular[0])


def test_weighted_rank_and_singular_values_equal_linear_regression(media):
    X, y = media
    w = np.random.default_rng(1).uniform(0.5, 3.0, size=X.shape[0])
    model = AnalyticLeastSquares().fit(X, y, sample_weight=w)
    reference = LinearRegression().fit(X, y, sample_weight=w)
    assert model.rank_ == reference.rank_
    np.testing.assert_allclose(model.singular_, reference.singular_, rtol=1e-10)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-11)


# --- sample weights ------------------------------------------------------------------------


def test_integer_weights_equal_repeating_rows(media):
    X, y = media
    k = np.random.default_rng(2).integers(1, 5, size=X.shape[0])
    weighted = AnalyticLeastSquares().fit(X, y, sample_weight=k)
    repeated = AnalyticLeastSquares().fit(np.repeat(X, k, axis=0), np.repeat(y, k))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-10)
    assert weighted.intercept_ == pytest.approx(repeated.intercept_, rel=1e-10)


def test_weight_zero_drops_the_row(media):
    X, y = media
    w = np.ones(X.shape[0])
    dropped = [0, 17, 199]
    w[dropped] = 0.0
    kept = np.setdiff1d(np.arange(X.shape[0]), dropped)
    weighted = AnalyticLeastSquares().fit(X, y, sample_weight=w)
    without = AnalyticLeastSquares().fit(X[kept], y[kept])
    np.testing.assert_allclose(weighted.coef_, without.coef_, rtol=1e-10)
    assert weighted.intercept_ == pytest.approx(without.intercept_, rel=1e-10)


def test_weighted_power_lines_equal_the_exact_weighted_solution(power_lines):
    X, y = power_lines
    w = np.array([2.0, 1.0, 3.0])
    model = AnalyticLeastSquares().fit(X, y, sample_weight=w)
    m, b = exact_lstsq(X, y, w)
    # By hand: S = 6, x̄ = 13/6, ȳ = 3, Sxx = 29/6, Sxy = 2, so m = 12/29, b = 3 − 13/6·m.
    assert (m, b) == (Fraction(12, 29), Fraction(61, 29))
    assert model.coef_[0] == pytest.approx(float(m), rel=1e-13)
    assert model.intercept_ == pytest.approx(float(b), rel=1e-13)


# --- targets, intercept, prediction --------------------------------------------------------


def test_multi_output_equals_fitting_each_column(media):
    X, y = media
    Y = np.column_stack([y, 2 * y - X[:, 0] / 10 + 1, np.sin(X[:, 1])])
    model = AnalyticLeastSquares().fit(X, Y)
    reference = LinearRegression().fit(X, Y)
    assert model.coef_.shape == reference.coef_.shape == (3, 3)
    assert np.shape(model.intercept_) == np.shape(reference.intercept_) == (3,)
    for k in range(3):
        single = AnalyticLeastSquares().fit(X, Y[:, k])
        np.testing.assert_allclose(model.coef_[k], single.coef_, rtol=1e-12, atol=1e-15)
        assert model.intercept_[k] == pytest.approx(single.intercept_, rel=1e-12)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-10, atol=1e-14)
    assert model.predict(X).shape == (200, 3)


def test_shapes_follow_linear_regression(media):
    X, y = media
    one = AnalyticLeastSquares().fit(X, y)
    assert one.coef_.shape == (3,)
    assert isinstance(one.intercept_, float)
    assert one.predict(X).shape == (200,)
    column = AnalyticLeastSquares().fit(X, y[:, None])
    reference = LinearRegression().fit(X, y[:, None])
    assert column.coef_.shape == reference.coef_.shape == (1, 3)
    assert np.shape(column.intercept_) == np.shape(reference.intercept_) == (1,)
    assert column.predict(X).shape == reference.predict(X).shape == (200, 1)
    no_intercept = AnalyticLeastSquares(fit_intercept=False).fit(X, y[:, None])
    assert np.shape(no_intercept.intercept_) == (1,)
    assert no_intercept.intercept_[0] == 0.0


def test_without_intercept_equals_lstsq(media):
    X, y = media
    model = AnalyticLeastSquares(fit_intercept=False).fit(X, y)
    coef = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-12)
    assert model.intercept_ == 0.0
    exact = exact_lstsq(X[:20], y[:20], fit_intercept=False)
    small = AnalyticLeastSquares(fit_intercept=False).fit(X[:20], y[:20])
    np.testing.assert_allclose(small.coef_, [float(c) for c in exact], rtol=1e-13)


def test_predict_and_score(media):
    X, y = media
    model = AnalyticLeastSquares().fit(X[:150], y[:150])
    prediction = model.predict(X[150:])
    np.testing.assert_allclose(prediction, X[150:] @ model.coef_ + model.intercept_, rtol=1e-15)
    reference = LinearRegression().fit(X[:150], y[:150])
    np.testing.assert_allclose(prediction, reference.predict(X[150:]), rtol=1e-12)
    assert model.score(X[150:], y[150:]) == pytest.approx(r2_score(y[150:], prediction), rel=1e-14)
    assert model.score(X, y) == pytest.approx(reference.score(X, y), rel=1e-12)


def test_predict_before_fit_raises():
    with pytest.raises(NotFittedError):
        AnalyticLeastSquares().predict([[1.0]])


def test_predict_with_the_wrong_number_of_features_raises(media):
    X, y = media
    model = AnalyticLeastSquares().fit(X, y)
    with pytest.raises(ValueError, match="3 features"):
        model.predict(X[:, :2])


def test_dataframe_records_feature_names_and_checks_them():
    X, y = load_tv_advertising(all_media=True, return_X_y=True, as_frame=True)
    model = AnalyticLeastSquares().fit(X, y)
    assert list(model.feature_names_in_) == ["TV", "radio", "newspaper"]
    np.testing.assert_allclose(
        model.predict(X), X.to_numpy() @ model.coef_ + model.intercept_, rtol=1e-15
    )
    renamed = X.rename(columns={"newspaper": "print"})
    with pytest.raises(ValueError, match="feature names"):
        model.predict(renamed)
    with pytest.raises(ValueError, match="feature names"):
        model.predict(X[["radio", "TV", "newspaper"]])


@pytest.mark.parametrize("all_media", [False, True])
def test_float32_input_gives_the_float64_answer(all_media):
    X, y = load_tv_advertising(all_media=all_media, return_X_y=True)
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    model32 = AnalyticLeastSquares().fit(X32, y32)
    # float32 data is exact in float64: the same problem, so the same answer.
    model64 = AnalyticLeastSquares().fit(X32.astype(np.float64), y32.astype(np.float64))
    assert model32.coef_.dtype == np.float64
    np.testing.assert_allclose(model32.coef_, model64.coef_, rtol=1e-12)
    assert model32.intercept_ == pytest.approx(model64.intercept_, rel=1e-12)
    # And close to the fit of the unrounded data.
    original = AnalyticLeastSquares().fit(X, y)
    np.testing.assert_allclose(model32.coef_, original.coef_, rtol=1e-5)


def test_float32_ill_conditioned_design_gives_the_float64_answer():
    x = np.linspace(1.0, 2.0, 40, dtype=np.float32)
    X32 = np.column_stack([x**k for k in range(1, 6)]).astype(np.float32)
    y32 = np.cos(3 * x).astype(np.float32)
    model32 = AnalyticLeastSquares().fit(X32, y32)
    model64 = AnalyticLeastSquares().fit(X32.astype(np.float64), y32.astype(np.float64))
    assert model32.solver_ == model64.solver_ == "QR with refinement"
    np.testing.assert_allclose(model32.coef_, model64.coef_, rtol=1e-12)
    assert model32.intercept_ == pytest.approx(model64.intercept_, rel=1e-12)


# --- scikit-learn compatibility ------------------------------------------------------------


def test_grid_search_over_fit_intercept(media):
    X, y = media
    grid = {"fit_intercept": [False, True]}
    ours = GridSearchCV(AnalyticLeastSquares(), grid, cv=5).fit(X, y)
    theirs = GridSearchCV(LinearRegression(), grid, cv=5).fit(X, y)
    assert ours.best_params_ == theirs.best_params_ == {"fit_intercept": True}
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], rtol=1e-12
    )
    assert isinstance(ours.best_estimator_, AnalyticLeastSquares)
    assert ours.best_estimator_.intercept_ == pytest.approx(2.938889369, abs=1e-9)


def test_clone_gives_an_unfitted_copy_with_the_same_parameters(media):
    X, y = media
    model = AnalyticLeastSquares(fit_intercept=False).fit(X, y)
    copy = clone(model)
    assert copy is not model
    assert copy.get_params() == {"fit_intercept": False, "solver": "auto"}
    assert not hasattr(copy, "coef_")
    with pytest.raises(NotFittedError):
        copy.predict(X)
    np.testing.assert_array_equal(copy.fit(X, y).coef_, model.coef_)


def test_pickle_round_trip(media):
    X, y = media
    model = AnalyticLeastSquares().fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.coef_, model.coef_)
    assert restored.intercept_ == model.intercept_
    assert (restored.rank_, restored.solver_) == (model.rank_, model.solver_)
    np.testing.assert_array_equal(restored.singular_, model.singular_)
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))


# --- bad input -----------------------------------------------------------------------------


def _good():
    rng = np.random.default_rng(3)
    return rng.normal(size=(8, 2)), rng.normal(size=8)


def _with(array, index, value):
    array = array.copy()
    array[index] = value
    return array


X_GOOD, Y_GOOD = _good()

BAD_INPUT = [
    pytest.param(_with(X_GOOD, (1, 1), np.nan), Y_GOOD, None, "X contains NaN", id="nan-X"),
    pytest.param(_with(X_GOOD, (2, 0), np.inf), Y_GOOD, None, "X contains infinity", id="inf-X"),
    pytest.param(X_GOOD, _with(Y_GOOD, 3, np.nan), None, "y contains NaN", id="nan-y"),
    pytest.param(X_GOOD, _with(Y_GOOD, 0, -np.inf), None, "y contains infinity", id="inf-y"),
    pytest.param(np.empty((0, 2)), np.empty(0), None, "0 sample", id="empty-X"),
    pytest.param(np.empty((8, 0)), Y_GOOD, None, "0 feature", id="no-features"),
    pytest.param(np.ones((8, 2, 2)), Y_GOOD, None, "dim 3", id="3-D-X"),
    pytest.param(X_GOOD, Y_GOOD[:7], None, "inconsistent numbers of samples", id="lengths"),
    pytest.param(
        X_GOOD, Y_GOOD, _with(np.ones(8), 4, -1.0), "Negative values.*sample_weight", id="neg-w"
    ),
    pytest.param(X_GOOD, Y_GOOD, _with(np.ones(8), 5, np.nan), "sample_weight.*NaN", id="nan-w"),
    pytest.param(X_GOOD, Y_GOOD, np.zeros(8), "at least one non-zero", id="all-zero-w"),
    pytest.param(X_GOOD, Y_GOOD, np.ones(7), r"sample_weight.shape", id="w-length"),
]


@pytest.mark.parametrize(("X", "y", "sample_weight", "message"), BAD_INPUT)
def test_bad_input_raises_a_value_error_naming_the_problem(X, y, sample_weight, message):
    with pytest.raises(ValueError, match=message):
        AnalyticLeastSquares().fit(X, y, sample_weight=sample_weight)


def test_string_columns_in_a_dataframe_raise():
    X = pd.DataFrame({"TV": [1.0, 2.0, 3.0, 4.0], "city": ["a", "b", "c", "d"]})
    with pytest.raises((ValueError, TypeError), match=r"X column 'city' is not numeric.*encode it"):
        AnalyticLeastSquares().fit(X, [1.0, 2.0, 3.0, 5.0])


def test_string_target_raises():
    with pytest.raises(ValueError, match=r"y must be numeric.*convert the target to numbers"):
        AnalyticLeastSquares().fit([[1.0], [2.0]], ["a", "b"])


def test_bad_parameter_raises():
    with pytest.raises(ValueError, match="fit_intercept"):
        AnalyticLeastSquares(fit_intercept="yes").fit(X_GOOD, Y_GOOD)


# --- nothing returns NaN -------------------------------------------------------------------


def _edge_cases():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(6, 2)), rng.normal(size=6)
    return [
        pytest.param(X[:1], y[:1], None, id="one-row"),
        pytest.param(np.ones((5, 2)), y[:5], None, id="all-constant-columns"),
        pytest.param(np.column_stack([X[:, 0], np.zeros(6)]), y, None, id="zero-column"),
        pytest.param(np.repeat(X[:1], 6, axis=0), y, None, id="identical-rows"),
        pytest.param(X, y, np.array([0.0, 0.0, 2.0, 0.0, 0.0, 0.0]), id="one-weighted-row"),
        pytest.param(X, np.full(6, 1e6), None, id="constant-target"),
        pytest.param(X * 1e-150, y, None, id="tiny-features"),
        pytest.param(X * 1e150, y * 1e-10, None, id="huge-features"),
    ]


@pytest.mark.parametrize(("X", "y", "sample_weight"), _edge_cases())
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_degenerate_data_gives_finite_coefficients_like_linear_regression(
    X, y, sample_weight, fit_intercept
):
    model = AnalyticLeastSquares(fit_intercept=fit_intercept).fit(X, y, sample_weight=sample_weight)
    reference = LinearRegression(fit_intercept=fit_intercept).fit(X, y, sample_weight=sample_weight)
    assert np.all(np.isfinite(model.coef_))
    assert np.isfinite(model.intercept_)
    np.testing.assert_allclose(
        model.predict(X), reference.predict(X), rtol=1e-9, atol=1e-9 * (1 + np.abs(y).max())
    )


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_features_whose_squares_underflow_are_still_fitted(fit_intercept):
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(6, 2)) * 1e-170, rng.normal(size=6)
    model = AnalyticLeastSquares(fit_intercept=fit_intercept).fit(X, y)
    reference = LinearRegression(fit_intercept=fit_intercept).fit(X, y)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-9)
    np.testing.assert_allclose(model.predict(X), reference.predict(X), rtol=1e-9)


def test_features_whose_squares_overflow_fit_without_runtime_warnings():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(6, 2)) * 1e160, rng.normal(size=6)
    reference = LinearRegression().fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        model = AnalyticLeastSquares().fit(X, y)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-9)
