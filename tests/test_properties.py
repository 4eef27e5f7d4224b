"""Property-based tests (hypothesis) of both estimators: invariances that any correct fit has.

For random well-conditioned problems (1 to 4 features, one or two targets, unit, integer or
real weights), with each estimator and a few of its settings:

- permuting the rows changes nothing;
- a row of weight 2 fits as the row twice;
- scaling a feature by c divides its coefficient by c (bit for bit when c is a power of two);
- adding a constant to y adds it to the intercept and leaves the slopes alone;
- the default descent, the exact line search and the descent without an intercept equal the
  closed form on weighted and multi-target data (the unweighted single-target case is in
  test_gradient_descent_regressor.py);
- partial_fit over any split into chunks equals fit;
- fit leaves its inputs unchanged, and fitting twice gives bit-for-bit the same result;
- pickle and clone round-trip a fitted model bit for bit.

References are the invariances themselves and, for correctness, numpy.linalg.lstsq. The number
of examples is small by default (the CI budget); ``HYPOTHESIS_PROFILE=long`` runs 20 times as
many.
"""

import itertools
import pickle
import warnings

import numpy as np
import pandas as pd
from _budget import budget
from hypothesis import assume, given
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from gdregress import AnalyticLeastSquares, GradientDescentRegressor

# --- problems and estimators ---------------------------------------------------------------

ESTIMATORS = [
    ("AnalyticLeastSquares", {}),
    ("AnalyticLeastSquares", {"fit_intercept": False}),
    ("GradientDescentRegressor", {}),
    ("GradientDescentRegressor", {"learning_rate": "exact"}),
    ("GradientDescentRegressor", {"fit_intercept": False}),
]
CLASSES = {
    "AnalyticLeastSquares": AnalyticLeastSquares,
    "GradientDescentRegressor": GradientDescentRegressor,
}

# Agreement asked of two fits of the same problem, in units of the spread of y (and of each
# feature): the closed form keeps about 14 digits on these designs (condition number ≤ 100);
# the descent stops at 1e-12 of the spread of y in its own coordinates, within rounding.
RTOL = {"AnalyticLeastSquares": 1e-11, "GradientDescentRegressor": 1e-8}


def make(spec):
    name, params = spec
    return CLASSES[name](**params)


estimators = st.sampled_from(ESTIMATORS)


def _weighted_condition(X, w, fit_intercept):
    """Condition number of the column-standardised weighted design (centred with an intercept)."""
    w = np.ones(len(X)) if w is None else w
    if fit_intercept:
        X = X - w @ X / w.sum()
    scale = np.sqrt(w @ X**2 / w.sum())
    if np.any(scale == 0):
        return np.inf
    return np.linalg.cond(np.sqrt(w)[:, None] * X / scale)


@st.composite
def problems(draw, weighted=True, targets=True):
    """A well-conditioned least-squares problem: (X, y, sample_weight)."""
    d = draw(st.integers(1, 4))
    n = draw(st.integers(d + 3, 40))
    t = draw(st.sampled_from([0, 1, 2])) if targets else 0  # 0: y is 1-D
    seed = draw(st.integers(0, 2**32 - 1))
    log_scales = np.array(draw(st.lists(st.floats(-3, 3), min_size=d, max_size=d)))
    offsets = np.array(draw(st.lists(st.floats(-3, 3), min_size=d, max_size=d)))
    log_noise = draw(st.floats(-4, 0))
    weight_kind = draw(st.sampled_from([None, "integer", "real"])) if weighted else None
    rng = np.random.default_rng(seed)
    Z = offsets + rng.uniform(-1.0, 1.0, size=(n, d))
    X = Z * 10.0**log_scales
    slopes = rng.normal(size=(d, max(t, 1)))
    Y = Z @ slopes + 10 * rng.normal(size=max(t, 1)) + 10**log_noise * rng.normal(size=(n, 1))
    y = Y[:, 0] if t == 0 else Y
    w = {
        None: None,
        "integer": rng.integers(1, 4, size=n).astype(np.float64),
        "real": rng.uniform(0.2, 5.0, size=n),
    }[weight_kind]
    # Well-conditioned with and without an intercept, so that every setting is fair game: the
    # descent needs about cond² iterations per factor e, well within max_iter at 30.
    assume(_weighted_condition(X, w, True) <= 30 and _weighted_condition(X, w, False) <= 30)
    return X, y, w


def spreads(X, y, fit_intercept):
    """The spread of each feature and of each target: standard deviation, or RMS."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(y, dtype=np.float64).reshape(len(X), -1)
    if fit_intercept:
        return X.std(axis=0), Y.std(axis=0)
    return np.sqrt(np.mean(X**2, axis=0)), np.sqrt(np.mean(Y**2, axis=0))


def parameters(model):
    """coef_ as (n_targets, n_features) and intercept_ as (n_targets,)."""
    return np.atleast_2d(model.coef_), np.atleast_1d(model.intercept_)


def assert_same_line(a, b, X, y, fit_intercept, rtol):
    """Two fits (coef, intercept) agree: slopes in units of spread(y)/spread(x), predictions
    in units of spread(y)."""
    (coef_a, b_a), (coef_b, b_b) = a, b
    x_spread, y_spread = spreads(X, y, fit_intercept)
    y_spread = np.where(y_spread > 0, y_spread, 1.0)
    slope_error = np.abs(coef_a - coef_b) * x_spread / y_spread[:, None]
    assert np.all(slope_error <= rtol), f"slopes differ by {slope_error.max():.3g} spreads"
    X = np.asarray(X, dtype=np.float64)
    prediction_a = X @ coef_a.T + b_a
    prediction_b = X @ coef_b.T + b_b
    error = np.abs(prediction_a - prediction_b) / y_spread
    assert np.all(error <= rtol), f"predictions differ by {error.max():.3g} spreads"


def fit(spec, X, y, w=None):
    """Fit a fresh estimator; a descent that runs out of iterations fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return make(spec).fit(X, y, sample_weight=w)


def lstsq_line(X, y, w, fit_intercept):
    """The weighted least-squares fit by numpy.linalg.lstsq, as (coef (t, d), intercept (t,))."""
    w = np.ones(len(X)) if w is None else w
    Y = np.asarray(y).reshape(len(X), -1)
    # Columns divided by powers of two near their size (exact), so that lstsq's accuracy
    # depends on the design, not on the units of its columns.
    scale = np.ldexp(1.0, np.frexp(np.max(np.abs(X), axis=0))[1])
    A = np.column_stack([X / scale, np.ones(len(X))]) if fit_intercept else X / scale
    root = np.sqrt(w)[:, None]
    theta = np.linalg.lstsq(A * root, Y * root, rcond=None)[0]
    d = X.shape[1]
    intercept = theta[d] if fit_intercept else np.zeros(Y.shape[1])
    return (theta[:d] / scale[:, None]).T, intercept


# --- invariances ---------------------------------------------------------------------------


@budget(40)
@given(problem=problems(), spec=estimators, seed=st.integers(0, 2**32 - 1))
def test_permuting_the_rows_changes_nothing(problem, spec, seed):
    X, y, w = problem
    order = np.random.default_rng(seed).permutation(len(X))
    fit_intercept = spec[1].get("fit_intercept", True)
    model = fit(spec, X, y, w)
    permuted = fit(spec, X[order], y[order], None if w is None else w[order])
    assert_same_line(parameters(model), parameters(permuted), X, y, fit_intercept, RTOL[spec[0]])
    # And both are the least-squares fit.
    assert_same_line(
        parameters(model), lstsq_line(X, y, w, fit_intercept), X, y, fit_intercept, 1e-8
    )


@budget(40)
@given(problem=problems(), spec=estimators, data=st.data())
def test_a_row_of_weight_two_fits_as_the_row_twice(problem, spec, data):
    X, y, w = problem
    w = np.ones(len(X)) if w is None else w
    doubled = data.draw(st.lists(st.integers(0, len(X) - 1), min_size=1, max_size=3, unique=True))
    weights = w.copy()
    weights[doubled] *= 2
    repeated = np.r_[np.arange(len(X)), doubled]
    fit_intercept = spec[1].get("fit_intercept", True)
    weighted = fit(spec, X, y, weights)
    twice = fit(spec, X[repeated], y[repeated], w[repeated])
    assert_same_line(parameters(weighted), parameters(twice), X, y, fit_intercept, RTOL[spec[0]])


@budget(40)
@given(
    problem=problems(),
    spec=estimators,
    data=st.data(),
    c=st.one_of(st.floats(1e-3, 1e3), st.floats(-1e3, -1e-3)),
)
def test_scaling_a_feature_by_c_divides_its_coefficient_by_c(problem, spec, data, c):
    X, y, w = problem
    j = data.draw(st.integers(0, X.shape[1] - 1))
    scaled = X.copy()
    scaled[:, j] *= c
    fit_intercept = spec[1].get("fit_intercept", True)
    model = fit(spec, X, y, w)
    coef, intercept = parameters(fit(spec, scaled, y, w))
    coef = coef.copy()
    coef[:, j] *= c  # back to the units of the unscaled feature
    assert_same_line(parameters(model), (coef, intercept), X, y, fit_intercept, RTOL[spec[0]])


@budget(30)
@given(problem=problems(), spec=estimators, data=st.data(), k=st.integers(-60, 60))
def test_scaling_a_feature_by_a_power_of_two_is_exact(problem, spec, data, k):
    # Multiplying by 2^k rounds nothing, and every step of either fit commutes with it.
    X, y, w = problem
    j = data.draw(st.integers(0, X.shape[1] - 1))
    c = np.ldexp(1.0, k) * data.draw(st.sampled_from([1.0, -1.0]))
    scaled = X.copy()
    scaled[:, j] *= c
    model = fit(spec, X, y, w)
    other = fit(spec, scaled, y, w)
    expected = np.array(model.coef_, copy=True)
    expected[..., j] /= c
    np.testing.assert_array_equal(other.coef_, expected)
    np.testing.assert_array_equal(other.intercept_, model.intercept_)


@budget(40)
@given(
    problem=problems(),
    spec=st.sampled_from([s for s in ESTIMATORS if s[1].get("fit_intercept", True)]),
    shift=st.floats(-1e4, 1e4),
)
def test_adding_a_constant_to_y_adds_it_to_the_intercept(problem, spec, shift):
    X, y, w = problem
    model = fit(spec, X, y, w)
    moved = fit(spec, X, y + shift, w)
    coef, intercept = parameters(model)
    # Rounding y + shift perturbs each value by eps·|shift|: allow for it.
    _, y_spread = spreads(X, y, True)
    rtol = RTOL[spec[0]] * (1 + abs(shift) / y_spread.min())
    assert_same_line((coef, intercept + shift), parameters(moved), X, y, True, rtol)
    assert_same_line((coef, intercept), (parameters(moved)[0], intercept), X, y, True, rtol)


@budget(40)
@given(
    problem=problems(),
    params=st.sampled_from([{}, {"learning_rate": "exact"}, {"fit_intercept": False}]),
)
def test_descent_equals_the_closed_form_on_weighted_and_multi_target_data(problem, params):
    X, y, w = problem
    fit_intercept = params.get("fit_intercept", True)
    descent = fit(("GradientDescentRegressor", params), X, y, w)
    closed = fit(("AnalyticLeastSquares", {"fit_intercept": fit_intercept}), X, y, w)
    assert descent.converged_ is True
    assert_same_line(parameters(descent), parameters(closed), X, y, fit_intercept, 1e-8)
    assert_same_line(
        parameters(closed), lstsq_line(X, y, w, fit_intercept), X, y, fit_intercept, 1e-10
    )


# --- partial_fit ---------------------------------------------------------------------------


@budget(40)
@given(problem=problems(), spec=st.sampled_from([s for s in ESTIMATORS if s[1]]), data=st.data())
def test_partial_fit_over_any_split_equals_fit(problem, spec, data):
    # test_partial_fit.py splits one design for the default estimators; here random designs
    # and weights, with the other settings (no intercept, the exact line search).
    X, y, w = problem
    n = len(X)
    # Any cut points: a chunk, even the first, may be a single row.
    cuts = data.draw(st.lists(st.integers(1, n - 1), max_size=4, unique=True))
    bounds = [0, *sorted(cuts), n]
    model = make(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a small chunk may be ill-conditioned on its own
        for start, stop in itertools.pairwise(bounds):
            chunk = slice(start, stop)
            model.partial_fit(X[chunk], y[chunk], None if w is None else w[chunk])
    whole = fit(spec, X, y, w)
    fit_intercept = spec[1].get("fit_intercept", True)
    assert model.statistics_.n_rows == n
    assert_same_line(parameters(model), parameters(whole), X, y, fit_intercept, 1e-8)


# --- inputs, determinism, pickle and clone -------------------------------------------------


def _input_forms(X, y, w, form):
    """The same data as the user might hand it over."""
    if form == "C":
        return np.ascontiguousarray(X), y, w
    if form == "F":
        return np.asfortranarray(X), y, w
    if form == "float32":
        return X.astype(np.float32), y.astype(np.float32), w
    if form == "strided":  # a view of every other column of a wider array
        wide = np.repeat(X, 2, axis=1)
        return wide[:, ::2], y, w
    if form == "read-only":
        X, y = X.copy(), y.copy()
        X.flags.writeable = y.flags.writeable = False
        return X, y, w
    if form == "pandas":
        frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
        target = pd.Series(y, name="y") if y.ndim == 1 else pd.DataFrame(y)
        return frame, target, None if w is None else pd.Series(w)
    if form == "lists":
        return X.tolist(), y.tolist(), None if w is None else w.tolist()
    raise AssertionError(form)


def _snapshot(value):
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.copy(deep=True)
    if isinstance(value, np.ndarray):
        return value.copy(), value.dtype, value.flags.writeable, value.flags.f_contiguous
    return pickle.dumps(value)


def _assert_unchanged(before, value):
    if isinstance(value, pd.DataFrame):
        pd.testing.assert_frame_equal(value, before)
    elif isinstance(value, pd.Series):
        pd.testing.assert_series_equal(value, before)
    elif isinstance(value, np.ndarray):
        copy, dtype, writeable, f_contiguous = before
        np.testing.assert_array_equal(value, copy, strict=True)
        assert (value.dtype, value.flags.writeable, value.flags.f_contiguous) == (
            dtype,
            writeable,
            f_contiguous,
        )
    else:
        assert pickle.dumps(value) == before


FITTED_ATTRIBUTES = {
    "AnalyticLeastSquares": ["coef_", "intercept_", "rank_", "singular_", "solver_"],
    "GradientDescentRegressor": [
        "coef_",
        "intercept_",
        "n_iter_",
        "path_",
        "loss_curve_",
        "gradient_norms_",
        "learning_rate_",
        "converged_",
    ],
}


def assert_identical(a, b, name):
    for attribute in FITTED_ATTRIBUTES[name]:
        np.testing.assert_array_equal(getattr(a, attribute), getattr(b, attribute), strict=True)


@budget(40)
@given(
    problem=problems(),
    spec=estimators,
    form=st.sampled_from(["C", "F", "float32", "strided", "read-only", "pandas", "lists"]),
)
def test_fit_leaves_its_inputs_unchanged_and_twice_gives_the_same_result(problem, spec, form):
    X, y, w = _input_forms(*problem, form)
    before = [_snapshot(v) for v in (X, y, w)]
    model = fit(spec, X, y, w)
    first = pickle.loads(pickle.dumps(model))
    model.predict(X)
    model.score(X, y, sample_weight=w)
    model.fit(X, y, sample_weight=w)  # the same estimator, again
    fresh = fit(spec, X, y, w)
    chunked = make(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chunked.partial_fit(X, y, sample_weight=w)
    for snapshot, value in zip(before, (X, y, w), strict=True):
        _assert_unchanged(snapshot, value)
    assert_identical(model, first, spec[0])
    assert_identical(fresh, first, spec[0])


@budget(30)
@given(problem=problems(), spec=estimators, chunked=st.booleans())
def test_pickle_and_clone_round_trip(problem, spec, chunked):
    X, y, w = problem
    if chunked:
        model = make(spec)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for rows in (slice(0, len(X) // 2), slice(len(X) // 2, None)):
                model.partial_fit(X[rows], y[rows], None if w is None else w[rows])
    else:
        model = fit(spec, X, y, w)
    restored = pickle.loads(pickle.dumps(model))
    assert_identical(restored, model, spec[0])
    assert restored.get_params() == model.get_params()
    np.testing.assert_array_equal(restored.predict(X), model.predict(X), strict=True)
    for name in ("weight_sum", "x_mean", "y_mean", "xx", "xy", "yy"):
        np.testing.assert_array_equal(
            getattr(restored.statistics_, name), getattr(model.statistics_, name)
        )
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "coef_")
    if not chunked:
        assert_identical(copy.fit(X, y, sample_weight=w), model, spec[0])


def test_a_descent_at_the_minimum_to_rounding_stops_there():
    # y ≈ -25 ± 0.4 without an intercept, condition number 188: near the minimum the steepest
    # direction's error alternates sign and its roundings add up (the gradient stalled at
    # 4.4e-13, above a floor of 2.9e-13, for all 100_000 iterations); the rounding floor
    # now counts that amplification, 1/(2 - α·L_max).
    X = np.array(
        [
            [2.2739233746429086, 2.5395734275277406],
            [1.0819470478723894, 2.033055271057058],
            [2.626540478400545, 3.8255111545554437],
            [2.2132715515343597, 3.458993121967997],
            [2.087249982930846, 3.8701448475755367],
        ]
    )
    y = np.array(
        [
            -24.781427420485752,
            -25.08655065825444,
            -25.461537711133687,
            -25.03109608765674,
            -24.707599988008074,
        ]
    )
    w = np.array(
        [
            2 * 0.796559727197907,
            3.4189971905294256,
            3.3065096555564004,
            3.1538485351100185,
            2.0416522604570404,
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = GradientDescentRegressor(fit_intercept=False).fit(X, y, sample_weight=w)
    assert model.n_iter_ < 20_000
    closed = AnalyticLeastSquares(fit_intercept=False).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(model.coef_, closed.coef_, rtol=1e-10)


def test_estimator_list_is_complete():
    # Every public estimator is under test here.
    import gdregress

    public = {
        name
        for name in gdregress.__all__
        if isinstance(getattr(gdregress, name), type) and hasattr(getattr(gdregress, name), "fit")
    }
    assert public == set(CLASSES)
