"""Every bad input, for both estimators, and the message it gets.

A bad input must raise ValueError or TypeError (never another exception, a RuntimeWarning, a
NaN coefficient or a silent fit), and the message must name the problem and, where there is
one, the fix. Each case below states the input and the message it must match.

Already checked elsewhere, and not repeated here: AnalyticLeastSquares.fit with NaN or
infinity in X or y, empty X, no features, 3-D X, mismatched lengths, negative, NaN or
all-zero weights and weights of the wrong length, a string column or target, a bad
fit_intercept (test_analytic.py); GradientDescentRegressor's negative, zero or unknown learning
rate, max_iter of 0, -5 or 10.5, negative tol, non-boolean standardize, warm_start with other
features (test_gradient_descent_regressor.py); predict before fit, and predict on a DataFrame
with renamed or reordered columns (both); partial_fit chunks with other features, targets or
column names (test_partial_fit.py). Legal extremes (huge or tiny values and weights) are
in test_extremes.py.

Cases marked xfail are defects: the reason says what the message is now and what it should be.
"""

import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from sklearn.utils._param_validation import InvalidParameterError

from gdregress import AnalyticLeastSquares, GradientDescentRegressor

ESTIMATORS = [AnalyticLeastSquares, GradientDescentRegressor]

RNG = np.random.default_rng(7)
X = RNG.normal(size=(8, 2))
Y = X @ np.array([1.5, -2.0]) + 0.5 + 0.1 * RNG.normal(size=8)
W = np.ones(8)
FRAME = pd.DataFrame(X, columns=["TV", "radio"])


def replaced(array, index, value, dtype=None):
    """A copy of ``array`` with one entry replaced."""
    array = np.array(array, dtype=dtype if dtype is not None else np.asarray(array).dtype)
    array[index] = value
    return array


def frame_with(column, values):
    """FRAME with one more column."""
    return FRAME.assign(**{column: values})


def case(
    case_id, X, y, w=None, match="", *, xfail=None, covered=False, error=(ValueError, TypeError)
):
    """A bad input to fit: ``covered`` cases are checked for AnalyticLeastSquares elsewhere."""
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return case_id, (X, y, w, match, error, marks, covered)


FIT_CASES = dict(
    [
        # NaN and infinity in X, y and the weights
        case(
            "nan-X",
            replaced(X, (1, 1), np.nan),
            Y,
            match=r"Input X contains NaN: column 1 of X has no value in row 1 \(",
            covered=True,
        ),
        case(
            "+inf-X",
            replaced(X, (2, 0), np.inf),
            Y,
            match=r"Input X contains infinity: column 0 of X holds inf in row 2 \(",
            covered=True,
        ),
        case(
            "-inf-X",
            replaced(X, (3, 1), -np.inf),
            Y,
            match="Input X contains infinity: column 1 of X holds -inf in row 3",
        ),
        case(
            "nan-y",
            X,
            replaced(Y, 3, np.nan),
            match="Input y contains NaN: y has no value in row 3",
            covered=True,
        ),
        case(
            "+inf-y",
            X,
            replaced(Y, 0, np.inf),
            match="Input y contains infinity: y holds inf in row 0",
        ),
        case("-inf-y", X, replaced(Y, 0, -np.inf), match="Input y contains infinity", covered=True),
        case(
            "nan-w",
            X,
            Y,
            replaced(W, 5, np.nan),
            match="sample_weight contains NaN: sample_weight has no value in row 5",
            covered=True,
        ),
        case("+inf-w", X, Y, replaced(W, 5, np.inf), match="sample_weight holds inf in row 5"),
        case("-inf-w", X, Y, replaced(W, 5, -np.inf), match="sample_weight contains infinity"),
        case(
            "nan-in-a-dataframe",
            frame_with("press", replaced(W, 2, np.nan)),
            Y,
            match="X contains NaN: column 'press' of X has no value in row 2",
        ),
        case(
            "pd.NA-in-a-nullable-column",
            frame_with("press", pd.array([1.0, None, *W[2:]], dtype="Float64")),
            Y,
            match="X contains NaN: column 'press' of X has no value in row 1",
        ),
        case(
            "None-in-an-object-array",
            replaced(X, (0, 0), None, dtype=object),
            Y,
            match="X contains NaN",
        ),
        case("None-in-y", X, [None, *Y[1:]], match="y contains NaN: y has no value in row 0"),
        case("overflowing-text", np.array([["1e400"], ["2"]] * 4), Y, match="X.*written as text"),
        # non-numeric, boolean, complex and mixed columns
        case(
            "strings-in-X",
            X.astype(str).astype(object) + "x",
            Y,
            match=r"X\b.*(encode|numeric)",
        ),
        case(
            "string-column",
            frame_with("city", list("abcdefgh")),
            Y,
            match=r"'city'.*not numeric.*encode",
        ),
        case(
            "mixed-column",
            frame_with("press", [1.0, 2.0, "n/a", 4.0, 5.0, 6.0, 7.0, 8.0]),
            Y,
            match=r"'press'.*not numeric.*encode",
        ),
        case(
            "category-column",
            frame_with("region", pd.Categorical(list("abababab"))),
            Y,
            match=r"'region'.*not numeric.*encode",
        ),
        case(
            "period-column",
            frame_with("day", pd.period_range("2024-01-01", periods=8, freq="D")),
            Y,
            match=r"'day'.*(not numeric|dates).*(encode|convert)",
        ),
        case(
            "pd.NA-in-an-object-column",
            frame_with("press", pd.Series([1.0, pd.NA, *W[2:]], dtype=object)),
            Y,
            match=r"X contains (NaN|missing)",
        ),
        case("dict-as-X", {"TV": 1.0}, Y, match=r"X\b.*(array|numeric)"),
        case("strings-in-y", X, list("abcdefgh"), match=r"y must be numeric.*convert the target"),
        case("category-y", X, pd.Categorical(list("abababab")), match=r"y must be numeric"),
        case(
            "strings-in-w",
            X,
            Y,
            list("abcdefgh"),
            match=r"sample_weight.*(numeric|number)",
        ),
        case("boolean-X", X > 0, Y, match=r"X has only boolean columns.*astype\(float\)"),
        case("boolean-dataframe", FRAME > 0, Y, match=r"only boolean columns.*astype\(float\)"),
        case("boolean-y", X, Y > 0, match=r"y is boolean.*classifier"),
        case(
            "datetime-column",
            pd.DataFrame({"day": pd.date_range("2024-01-01", periods=8)}),
            Y,
            match=r"'day' holds dates.*convert it",
        ),
        case(
            "timedelta-column",
            pd.DataFrame({"wait": pd.to_timedelta(np.arange(8), unit="s")}),
            Y,
            match=r"'wait' holds dates or durations.*convert it",
        ),
        case("complex-X", X + 1j, Y, match=r"X is complex.*real part"),
        case("complex-y", X, Y + 0j, match=r"\by\b.*complex|complex.*\by\b"),
        case(
            "complex-w",
            X,
            Y,
            W + 1j,
            match=r"sample_weight is complex.*real part",
        ),
        # empty, 1-D, 3-D, ragged and mismatched input
        case("empty-X", np.empty((0, 2)), np.empty(0), match=r"0 sample\(s\)", covered=True),
        case(
            "empty-lists",
            [],
            [],
            match=r"(?s)Expected 2D array.*Reshape your data",
            error=ValueError,
        ),
        case("empty-rows-and-columns", np.empty((0, 0)), np.empty(0), match=r"0 sample\(s\)"),
        case("empty-dataframe", pd.DataFrame(), [], match=r"0 sample\(s\)"),
        case("no-targets", X, np.empty((8, 0)), match=r"0 feature\(s\) \(shape=\(8, 0\)\)"),
        case("1-D-X", X[:, 0], Y, match=r"(?s)Expected 2D array.*reshape\(-1, 1\)"),
        case("scalar-X", 3.0, Y, match=r"Expected 2D array, got scalar"),
        case("scalar-y", X, 3.0, match=r"at least 1 dimension"),
        case("None-y", X, None, match=r"requires y to be passed.*pass the targets"),
        case("None-X", None, Y, match=r"X is missing \(None\): pass the features"),
        case("3-D-X", np.ones((8, 2, 2)), Y, match="dim 3", covered=True),
        case("3-D-y", X, np.ones((8, 1, 1)), match="dim 3"),
        case("2-D-w", X, Y, np.ones((8, 1)), match="Sample weights must be 1D"),
        case("ragged-X", [[1.0, 2.0], [3.0]], [1.0, 2.0], match=r"\bX\b.*ragged|row"),
        case("ragged-y", X[:2], [[1.0, 2.0], [3.0]], match=r"\by\b.*ragged|row"),
        case(
            "ragged-w",
            X[:2],
            Y[:2],
            [[1.0], [1.0, 2.0]],
            match=r"sample_weight.*ragged",
        ),
        case(
            "y-shorter", X, Y[:7], match=r"inconsistent numbers of samples: \[8, 7\]", covered=True
        ),
        case("y-longer", X, np.r_[Y, 1.0], match=r"inconsistent numbers of samples: \[8, 9\]"),
        case(
            "w-shorter",
            X,
            Y,
            np.ones(7),
            match=r"sample_weight.shape == \(7,\), expected \(8,\)",
            covered=True,
        ),
        case("w-longer", X, Y, np.ones(9), match=r"sample_weight.shape == \(9,\), expected \(8,\)"),
        # weights
        case(
            "negative-w",
            X,
            Y,
            replaced(W, 4, -1.0),
            match="Negative values.*sample_weight",
            covered=True,
        ),
        case(
            "tiny-negative-w", X, Y, replaced(W, 4, -1e-300), match="Negative values.*sample_weight"
        ),
        case(
            "all-zero-w",
            X,
            Y,
            np.zeros(8),
            match="at least one non-zero",
            covered=True,
        ),
    ]
)


def fit_params():
    for case_id, (X_, y_, w_, match, error, marks, covered) in FIT_CASES.items():
        for estimator in ESTIMATORS:
            if covered and estimator is AnalyticLeastSquares:
                continue
            yield pytest.param(
                estimator,
                X_,
                y_,
                w_,
                match,
                error,
                id=f"{estimator.__name__}-{case_id}",
                marks=marks,
            )


@pytest.mark.parametrize(("estimator", "X", "y", "w", "match", "error"), list(fit_params()))
def test_bad_input_to_fit_raises_a_message_naming_the_problem(estimator, X, y, w, match, error):
    with pytest.raises(error, match=match):
        estimator().fit(X, y, sample_weight=w)


@pytest.mark.parametrize(("estimator", "X", "y", "w", "match", "error"), list(fit_params()))
def test_bad_input_to_partial_fit_raises_the_same_message(estimator, X, y, w, match, error):
    with pytest.raises(error, match=match):
        estimator().partial_fit(X, y, sample_weight=w)


# --- predict -------------------------------------------------------------------------------


def predict_cases():
    missing = FRAME[["TV"]]
    extra = frame_with("press", W)
    yield (
        "missing-column",
        missing,
        ValueError,
        r"feature names should match(.|\n)*missing:\n- radio",
        None,
    )
    yield (
        "extra-column",
        extra,
        ValueError,
        r"feature names should match(.|\n)*unseen at fit time:\n- press",
        None,
    )
    yield (
        "other-column",
        FRAME.rename(columns={"radio": "Radio"}),
        ValueError,
        r"unseen at fit time:\n- Radio",
        None,
    )
    yield "integer-column-names", pd.DataFrame(X), ValueError, r"feature names", None
    yield (
        "wrong-width-array",
        X[:, :1],
        ValueError,
        "X has 1 features, but .* is expecting 2 features",
        None,
    )
    yield "nan", FRAME.where(FRAME > 1.0), ValueError, "Input X contains NaN", None  # predict
    yield "inf", FRAME.where(FRAME > 1.0, np.inf), ValueError, "Input X contains infinity", None
    yield "1-D", X[0], ValueError, r"(?s)Expected 2D array.*reshape\(1, -1\)", None
    yield "3-D", np.ones((2, 2, 2)), ValueError, "dim 3", None
    yield "empty", FRAME.iloc[:0], ValueError, r"0 sample\(s\)", None
    yield "strings", FRAME.astype(str) + "x", ValueError, r"'TV'.*(encode|numeric)", None
    yield "complex", FRAME + 1j, ValueError, r"\bX\b.*complex|complex.*\bX\b", None
    yield "ragged", [[1.0, 2.0], [3.0]], ValueError, r"ragged|row", None


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize(
    ("X_new", "error", "match"),
    [
        pytest.param(
            X_new,
            error,
            match,
            id=case_id,
            marks=[pytest.mark.xfail(strict=True, reason=reason)] if reason else [],
        )
        for case_id, X_new, error, match, reason in predict_cases()
    ],
)
def test_predict_on_bad_input_raises_a_message_naming_the_problem(estimator, X_new, error, match):
    model = estimator().fit(FRAME if isinstance(X_new, pd.DataFrame) else X, Y)
    with pytest.raises(error, match=match):
        model.predict(X_new)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_columns_that_are_not_names_are_refused_naming_both_sets_of_columns(estimator):
    model = estimator().fit(FRAME, Y)
    message = r"X has the columns 0, 1, but \w+ was fitted on 'TV', 'radio'.*X.to_numpy\(\)"
    with pytest.raises(ValueError, match=message):
        model.predict(pd.DataFrame(X))
    with pytest.raises(ValueError, match=message):
        model.partial_fit(pd.DataFrame(X), Y)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_an_array_after_a_fit_on_a_dataframe_keeps_scikit_learns_warning(estimator):
    """An array has no columns to compare: scikit-learn warns, and the columns go by position."""
    model = estimator().fit(FRAME, Y)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        predicted = model.predict(X)
    # The same columns by position; the product's rounding may differ by an ulp between the
    # array's row-major and the frame's column-major layout.
    np.testing.assert_allclose(predicted, model.predict(FRAME), rtol=1e-14, atol=0)


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize(
    ("X_bad", "match"),
    [
        pytest.param(
            [[[1.0], [2.0]], [[3.0, 4.0], [5.0, 6.0]]],
            r"X is ragged: row 1, column 0 has 2 values, row 0, column 0 has 1 value",
            id="ragged-inside-rows",
        ),
        pytest.param(
            [[1.0, 2.0], 3.0],
            r"X is ragged: row 1 has a single value, row 0 has 2 values",
            id="a-number-for-a-row",
        ),
        pytest.param(
            replaced(np.ones((100_000, 1)), (99_999, 0), "n/a", dtype=object),
            r"X is not numeric \(object\): row 99999, column 0 holds 'n/a'",
            id="a-string-in-the-last-row",
        ),
        pytest.param(
            frame_with("press", [{"a": 1}, *W[1:]]),
            r"X column 'press' is not numeric \(object\): row 0 holds \{'a': 1\}; encode it",
            id="a-dict-in-a-column",
        ),
    ],
)
def test_the_place_of_the_bad_value_is_named(estimator, X_bad, match):
    y = Y if len(X_bad) == len(Y) else np.ones(len(X_bad))
    with pytest.raises(ValueError, match=match):
        estimator().fit(X_bad, y)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_numbers_held_as_objects_fit_as_numbers(estimator):
    """The search for a bad value runs only when the conversion fails: these convert."""
    expected = estimator().fit(X, Y)
    as_objects = estimator().fit(X.astype(object), Y)
    np.testing.assert_allclose(as_objects.coef_, expected.coef_, rtol=1e-12)


@pytest.mark.parametrize(
    "where",
    ["X-frame", "X-array", "X-list", "y-array", "y-series", "y-list", "w-list"],
)
def test_numbers_written_as_text_are_refused_alike_in_x_y_and_weights(where):
    """Text is never read as numbers: a CSV column read as text says so, whichever input."""
    text = [repr(float(v)) for v in X[:, 0]]
    X_, y_, w_ = X, Y, None
    if where == "X-frame":
        X_ = FRAME.assign(TV=text)
    elif where == "X-array":
        X_ = np.array(text)[:, None]
    elif where == "X-list":
        X_ = [[v] for v in text]
    elif where == "y-array":
        y_ = np.array([repr(float(v)) for v in Y])
    elif where == "y-series":
        y_ = pd.Series([repr(float(v)) for v in Y], dtype=object)
    elif where == "y-list":
        y_ = [repr(float(v)) for v in Y]
    else:
        w_ = ["1.0"] * len(Y)
    name = where.split("-")[0].replace("w", "sample_weight")
    with pytest.raises(ValueError, match=rf"{name}\b.*written as text.*pandas\.to_numeric"):
        AnalyticLeastSquares().fit(X_, y_, sample_weight=w_)


# --- parameters ----------------------------------------------------------------------------


def _invalid(name, estimator="GradientDescentRegressor"):
    return rf"The '{name}' parameter of {estimator} must be"


BAD_PARAMETERS = [
    pytest.param(
        {"learning_rate": np.nan}, _invalid("learning_rate") + r".*Got nan", id="rate-nan"
    ),
    pytest.param(
        {"learning_rate": np.inf}, _invalid("learning_rate") + r".*Got inf", id="rate-inf"
    ),
    pytest.param({"learning_rate": -np.inf}, _invalid("learning_rate"), id="rate--inf"),
    pytest.param({"learning_rate": -1e-12}, _invalid("learning_rate"), id="rate-tiny-negative"),
    pytest.param({"learning_rate": "0.1"}, _invalid("learning_rate") + r".*'auto'", id="rate-text"),
    pytest.param(
        {"learning_rate": "Auto"}, _invalid("learning_rate") + r".*'auto'", id="rate-case"
    ),
    pytest.param({"learning_rate": None}, _invalid("learning_rate"), id="rate-None"),
    pytest.param({"learning_rate": [0.1]}, _invalid("learning_rate"), id="rate-list"),
    pytest.param({"learning_rate": True}, _invalid("learning_rate") + r".*bool", id="rate-True"),
    pytest.param({"max_iter": 1e4}, _invalid("max_iter") + r" an int", id="max-iter-1e4"),
    pytest.param({"max_iter": None}, _invalid("max_iter"), id="max-iter-None"),
    pytest.param({"max_iter": "100"}, _invalid("max_iter"), id="max-iter-text"),
    pytest.param({"max_iter": True}, _invalid("max_iter") + r".*bool", id="max-iter-True"),
    pytest.param({"tol": np.nan}, _invalid("tol") + r".*Got nan", id="tol-nan"),
    pytest.param({"tol": np.inf}, _invalid("tol") + r".*Got inf", id="tol-inf"),
    pytest.param({"tol": "1e-3"}, _invalid("tol"), id="tol-text"),
    pytest.param({"tol": True}, _invalid("tol") + r".*bool", id="tol-True"),
    pytest.param({"fit_intercept": "no"}, _invalid("fit_intercept"), id="fit-intercept-text"),
    pytest.param({"fit_intercept": 1}, _invalid("fit_intercept"), id="fit-intercept-1"),
    pytest.param({"warm_start": 1}, _invalid("warm_start"), id="warm-start-1"),
    pytest.param({"standardize": None}, _invalid("standardize"), id="standardize-None"),
]


@pytest.mark.parametrize(("params", "match"), BAD_PARAMETERS)
def test_bad_parameters_of_the_descent_raise_naming_the_parameter_and_its_range(params, match):
    with pytest.raises((ValueError, TypeError), match=match) as info:
        GradientDescentRegressor(**params).fit(X, Y)
    if isinstance(info.value, InvalidParameterError):  # the value it got is named
        assert re.search(r"Got |not the boolean", str(info.value)), str(info.value)


@pytest.mark.parametrize("value", [None, 1, "False"])
def test_bad_fit_intercept_of_the_closed_form_raises(value):
    with pytest.raises(
        InvalidParameterError, match=_invalid("fit_intercept", "AnalyticLeastSquares")
    ):
        AnalyticLeastSquares(fit_intercept=value).fit(X, Y)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_unknown_parameter_raises_listing_the_valid_ones(estimator):
    with pytest.raises(TypeError, match="unexpected keyword argument 'alpha'"):
        estimator(alpha=1.0)
    with pytest.raises(ValueError, match=r"Invalid parameter 'alpha'.*Valid parameters are: \["):
        estimator().set_params(alpha=1.0)


# Where a NaN or an infinity is: the column (by name when there is one) and the first row.


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_the_first_non_finite_row_is_named_in_sparse_X_and_in_a_target(estimator):
    bad = replaced(X, (6, 1), np.inf)
    bad[4, 0] = np.nan  # the first row with a non-finite value, in column 0
    with pytest.raises(ValueError, match=r"column 0 of X has no value in row 4 \("):
        estimator().fit(scipy.sparse.csr_matrix(bad), Y)
    targets = np.column_stack([Y, replaced(Y, 2, -np.inf)])
    with pytest.raises(ValueError, match=r"infinity: target 1 of y holds -inf in row 2 \("):
        estimator().fit(X, targets)


def test_valid_data_are_not_searched_for_non_finite_values(monkeypatch):
    import gdregress._messages
    import gdregress._validation

    def refuse(values):
        raise AssertionError("valid data were searched for NaN")

    monkeypatch.setattr(gdregress._messages, "first_non_finite", refuse)
    monkeypatch.setattr(gdregress._validation, "first_non_finite", refuse)
    for estimator in ESTIMATORS:
        estimator().fit(FRAME, Y, sample_weight=W)


@pytest.mark.parametrize(
    ("X_in", "y_in", "taken"),
    [
        pytest.param(np.ones((3, 2)), np.ones(3), True, id="float64"),
        pytest.param(np.ones((3, 2), np.float32), np.ones((3, 1)), True, id="float32-2d-y"),
        pytest.param(np.ones((3, 2), order="F"), np.ones(3, np.float32), True, id="F-order"),
        pytest.param(np.ones((3, 2), np.float16), np.ones(3), False, id="float16-converted"),
        pytest.param(np.ones((3, 2), int), np.ones(3), False, id="integers-converted"),
        pytest.param(np.ones((3, 2)), np.ones(3, int), False, id="integer-y"),
        pytest.param(np.ones((3, 2)).tolist(), np.ones(3), False, id="list"),
        pytest.param(np.ones((0, 2)), np.ones(0), False, id="no-rows"),
        pytest.param(np.ones((3, 0)), np.ones(3), False, id="no-columns"),
        pytest.param(np.ones((3, 2)), np.ones((3, 0)), False, id="no-targets"),
        pytest.param(np.ones((3, 2, 1)), np.ones(3), False, id="3-d"),
        pytest.param(np.ones((3, 2)).view(np.recarray), np.ones(3), False, id="subclass"),
    ],
)
def test_only_data_the_conversion_would_leave_as_it_is_skip_it(X_in, y_in, taken):
    """The shortcut past scikit-learn's conversion takes plain float arrays only; the rest
    (and every refusal) goes the way it always did."""
    from gdregress._validation import already_converted

    assert already_converted(X_in, y_in) is taken


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_plain_arrays_are_checked_for_their_features_and_fit_as_lists_do(estimator):
    """Past the conversion, a float array is still checked for its number of features and its
    lack of names, and fits exactly as the same numbers given as lists."""
    model = estimator().fit(X, Y)
    np.testing.assert_array_equal(estimator().fit(X.tolist(), Y.tolist()).coef_, model.coef_)
    assert model.n_features_in_ == X.shape[1] and not hasattr(model, "feature_names_in_")
    with pytest.raises(ValueError, match=r"X has 1 features, but \w+ is expecting 2"):
        model.partial_fit(X[:, :1], Y)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        estimator().fit(FRAME, Y).partial_fit(X, Y)
