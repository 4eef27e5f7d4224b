"""partial_fit chunk by chunk equals fit of all rows at once, to 1e-10 (the descent: 1e-9).

The chunks come from ``pandas.read_csv(..., chunksize=...)`` over the bundled advertising CSV
and from random splits of random data (hypothesis chooses the split points), with sample
weights and two targets. The reference is ``fit`` on all rows, which has its own tests
against exact arithmetic; here the statistics are merged exactly (Chan, Golub and LeVeque),
so the two must agree to rounding. Chunks that do not match the earlier ones are refused.
"""

import importlib.resources
import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from _budget import budget
from hypothesis import given
from hypothesis import strategies as st

from gdregress import AnalyticLeastSquares, GradientDescentRegressor, IllConditionedWarning
from gdregress.datasets import _data_dir

ESTIMATORS = [AnalyticLeastSquares, GradientDescentRegressor]
# The closed form agrees to rounding (1e-14 measured). A stream and a fit descend from different
# starts and stop at different iterates, each within tol/λ_min = 1e-12/0.65 spreads of the
# minimum: 3e-12 spreads apart is 7e-10 of newspaper's coefficient (0.4% of a spread; 6e-11
# measured), so the descent is held to 1e-9.
RTOL = {AnalyticLeastSquares: 1e-10, GradientDescentRegressor: 1e-9}
MEDIA = ["TV", "radio", "newspaper"]


@pytest.fixture(scope="module")
def advertising_csv():
    """The path of the bundled advertising CSV (200 markets: TV, radio, newspaper, sales)."""
    with importlib.resources.as_file(_data_dir() / "advertising.csv") as path:
        yield path


def _assert_same_fit(got, want):
    rtol = RTOL[type(want)]
    np.testing.assert_allclose(got.coef_, want.coef_, rtol=rtol, atol=0)
    np.testing.assert_allclose(got.intercept_, want.intercept_, rtol=rtol, atol=0)


def _stream(model, chunks, features, target, weights=None):
    """partial_fit ``model`` on every chunk of a read_csv iterator; return the model."""
    for chunk in chunks:
        w = None if weights is None else weights[chunk.index]
        model.partial_fit(chunk[features], chunk[target], sample_weight=w)
    return model


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("chunksize", [7, 50, 64, 199])
def test_partial_fit_over_read_csv_chunks_equals_fit(estimator, chunksize, advertising_csv):
    whole = pd.read_csv(advertising_csv)
    reference = estimator().fit(whole[MEDIA], whole["sales"])
    chunks = pd.read_csv(advertising_csv, chunksize=chunksize)
    model = _stream(estimator(), chunks, MEDIA, "sales")
    _assert_same_fit(model, reference)
    assert model.statistics_.n_rows == 200
    assert model.feature_names_in_.tolist() == MEDIA


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_row_by_row_over_one_feature(estimator, advertising_csv):
    """chunksize=1: the first chunk is a single point, the second a line through two."""
    whole = pd.read_csv(advertising_csv)
    reference = estimator().fit(whole[["TV"]], whole["sales"])
    model = _stream(estimator(), pd.read_csv(advertising_csv, chunksize=1), ["TV"], "sales")
    _assert_same_fit(model, reference)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_weighted_two_target_stream_equals_fit(estimator, advertising_csv):
    whole = pd.read_csv(advertising_csv)
    weights = pd.Series(np.random.default_rng(5).uniform(0.0, 4.0, len(whole)))
    weights[::17] = 0.0  # rows of weight 0 drop out of both fits alike
    targets = ["sales", "newspaper"]
    reference = estimator().fit(whole[["TV", "radio"]], whole[targets], sample_weight=weights)
    chunks = pd.read_csv(advertising_csv, chunksize=33)
    model = _stream(estimator(), chunks, ["TV", "radio"], targets, weights)
    assert model.coef_.shape == (2, 2)
    _assert_same_fit(model, reference)
    np.testing.assert_allclose(model.statistics_.weight_sum, weights.sum(), rtol=1e-14)


def _problem(n_rows: int, n_targets: int, weighted: bool, seed: int):
    """Well-conditioned data in which every feature matters.

    The columns have very different scales and offsets, and each coefficient is of the order
    of 1/scale, so every feature moves y by about as much, and the intercept is of the order
    of the offsets' share of y: the descent's tolerance, relative to the spread of y, then
    bounds the relative error of every coefficient and of the intercept.
    """
    rng = np.random.default_rng(seed)
    scale = np.array([1.0, 30.0, 0.02])
    X = rng.normal(size=(n_rows, 3)) * scale + [0.0, 500.0, -1.0]
    coef = rng.uniform(0.5, 2.0, (3, n_targets)) * rng.choice([-1, 1], (3, n_targets))
    coef /= scale[:, None]
    y = X @ coef + rng.uniform(20.0, 60.0, n_targets) + 0.1 * rng.normal(size=(n_rows, n_targets))
    y = y[:, 0] if n_targets == 1 else y
    w = rng.uniform(0.0, 3.0, n_rows) if weighted else None
    return X, y, w


@budget(25)
@given(
    first=st.integers(1, 20),
    cuts=st.lists(st.integers(21, 79), max_size=6, unique=True),
    n_targets=st.sampled_from([1, 2]),
    weighted=st.booleans(),
    seed=st.integers(0, 2**16),
)
@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_partial_fit_over_any_split_points_equals_fit(
    estimator, first, cuts, n_targets, weighted, seed
):
    # Any chunk may be a single row: the first chunks' designs are singular, which the
    # closed form solves from the statistics with a warning, until the rows suffice.
    X, y, w = _problem(80, n_targets, weighted, seed)
    bounds = [0, first, *sorted(cuts), 80]
    model = estimator()
    for start, stop in itertools.pairwise(bounds):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", IllConditionedWarning)
            model.partial_fit(X[start:stop], y[start:stop], None if w is None else w[start:stop])
    _assert_same_fit(model, estimator().fit(X, y, sample_weight=w))


def test_descent_continues_from_the_current_coefficients(advertising_csv):
    chunks = list(pd.read_csv(advertising_csv, chunksize=100))
    model = GradientDescentRegressor().partial_fit(chunks[0][MEDIA], chunks[0]["sales"])
    start = np.r_[model.coef_, model.intercept_]
    model.partial_fit(chunks[1][MEDIA], chunks[1]["sales"])
    assert np.all(start != 0)
    # Not from zero: from the fit, carried through the new chunk's standardisation and back,
    # a few roundings per coefficient (bit for bit on OpenBLAS's Haswell kernels, an ulp
    # apart on its Katmai ones): 1e-13 leaves two digits over 10 eps.
    np.testing.assert_allclose(model.path_[0], start, rtol=1e-13, atol=0)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_fit_after_partial_fit_starts_afresh(estimator, advertising_csv):
    whole = pd.read_csv(advertising_csv)
    model = estimator().partial_fit(whole[MEDIA][:100], whole["sales"][:100])
    model.fit(whole[MEDIA][100:], whole["sales"][100:])
    _assert_same_fit(model, estimator().fit(whole[MEDIA][100:], whole["sales"][100:]))
    assert model.statistics_.n_rows == 100


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_mismatched_chunks_are_refused_and_leave_the_model_unchanged(estimator):
    X, y, _ = _problem(60, 2, False, seed=1)
    model = estimator().partial_fit(X[:30], y[:30])
    before = (model.coef_.copy(), model.intercept_.copy(), model.statistics_)

    with pytest.raises(ValueError, match=r"X has 2 features, but .* is expecting 3 features"):
        model.partial_fit(X[30:, :2], y[30:])
    with pytest.raises(ValueError, match=r"y has 1 target.*had 2 .*same targets"):
        model.partial_fit(X[30:], y[30:, :1])
    with pytest.raises(ValueError, match=r"y has 1 target.*as a 1-D array.*same targets"):
        model.partial_fit(X[30:], y[30:, 0])
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    named = estimator().partial_fit(frame[:30], y[:30])
    with pytest.raises(ValueError, match="feature names should match"):
        named.partial_fit(frame[30:].rename(columns={"c": "d"}), y[30:])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the refusals left nothing half-done behind
        np.testing.assert_array_equal(model.coef_, before[0])
        np.testing.assert_array_equal(model.intercept_, before[1])
        assert model.statistics_ is before[2]
    model.partial_fit(X[30:], y[30:])  # a matching chunk is still welcome
    _assert_same_fit(model, estimator().fit(X, y))
