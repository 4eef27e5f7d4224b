"""Wide and sparse designs: the operator route (LSMR, the short side, the matrix-free descent),
the cost model that chooses it, and the refusals where statistics cannot go.

Truth: numpy's lstsq on the centred dense design (the minimum-norm solution), scikit-learn's
LinearRegression, the same rows repeated for weights, float64 fits of float32 numbers.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from gdregress import (
    AnalyticLeastSquares,
    DivergenceError,
    GradientDescentRegressor,
    _operator_descent,
)
from gdregress._cost_model import plan_route, route_costs
from gdregress._sources import OPERATOR, ROWS, STATISTICS

# The closed form's names for the short side: QR, and the normal equations when well conditioned.
SHORT_SIDE = (
    "minimum norm by QR of the short side",
    "minimum norm by normal equations of the short side",
)


def sparse_design(n, d, per_row=5, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(n), per_row)
    columns = rng.integers(0, d, n * per_row)
    X = sp.csr_matrix((rng.standard_normal(n * per_row), (rows, columns)), shape=(n, d))
    y = X @ rng.standard_normal(d) + 0.1 * rng.standard_normal(n) + 3.0
    return X.astype(dtype), y


def centred_lstsq(X, y, weights=None, fit_intercept=True):
    """The minimum-norm least-squares fit of the centred (weighted) dense design."""
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    w = np.ones(len(y)) if weights is None else weights
    x_mean = w @ X / w.sum() if fit_intercept else np.zeros(X.shape[1])
    y_mean = w @ y / w.sum() if fit_intercept else 0.0
    root = np.sqrt(w)[:, None]
    coef = np.linalg.lstsq(root * (X - x_mean), root[:, 0] * (y - y_mean), rcond=None)[0]
    return coef, y_mean - x_mean @ coef


def relative_optimality(X, y, coef, intercept):
    """‖X_cᵀr‖ / (‖X_c‖_F ‖r‖), the measure of the issue, on the centred design."""
    X = X.toarray() if sp.issparse(X) else X
    Xc = X - X.mean(axis=0)
    r = y - X @ coef - intercept
    return np.linalg.norm(Xc.T @ r) / (np.linalg.norm(Xc) * np.linalg.norm(r))


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_lsmr_equals_lstsq_on_a_sparse_design(fit_intercept, weighted):
    X, y = sparse_design(2000, 250)
    weights = np.random.default_rng(1).uniform(0.1, 3.0, 2000) if weighted else None
    model = AnalyticLeastSquares(fit_intercept=fit_intercept, solver="operator")
    model.fit(X, y, sample_weight=weights)
    coef, intercept = centred_lstsq(X, y, weights, fit_intercept)
    assert model.solver_ == "LSMR" and model.statistics_ is None
    # LSMR stops once the relative optimality is 1e-12: with this design's condition
    # number (about 3) the coefficients then agree with lstsq's to about 1e-10.
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-8, atol=1e-9)
    assert model.intercept_ == pytest.approx(intercept if fit_intercept else 0.0, abs=1e-9)
    if fit_intercept and not weighted:
        assert relative_optimality(X, y, model.coef_, model.intercept_) <= 1e-12


def test_auto_takes_the_operator_for_sparse_wide_data_and_statistics_for_tall_narrow():
    X, y = sparse_design(20_000, 2_000)
    assert AnalyticLeastSquares().fit(X, y).solver_ == "LSMR"
    assert GradientDescentRegressor().fit(X, y).solver_ == "matrix-free descent"
    rng = np.random.default_rng(0)
    tall = rng.standard_normal((50_000, 5))  # beyond small data: the normal equations
    assert AnalyticLeastSquares().fit(tall, tall @ np.ones(5)).solver_ == "normal equations"
    assert _plan(sp.csr_matrix(tall)).representation == "statistics"
    wide_dense = _plan(rng.standard_normal((300, 3000)))
    assert (wide_dense.representation, wide_dense.short_side) == ("operator", True)
    small = _plan(rng.standard_normal((5, 80)))  # 400 numbers: statistics, always accurate
    assert (small.representation, small.accurate) == ("statistics", "always")


def _plan(X, *, solver="auto", closed_form=True):
    offers = frozenset({STATISTICS, OPERATOR, ROWS})
    costs = route_costs(X, 1)
    return plan_route(offers, X.shape[1], 1, costs, solver=solver, closed_form=closed_form)


def test_the_route_plan_says_what_it_chose_and_why():
    rng = np.random.default_rng(1)
    X, _ = sparse_design(20_000, 2_000)
    plan = _plan(X)
    assert plan.representation == "operator" and plan.fallback == "statistics"
    assert "flops" in plan.reason and plan.max_iterations >= 100
    descent = _plan(rng.standard_normal((300, 3000)), closed_form=False)
    assert descent.representation == "operator"  # the descent iterates on the rows
    streamed = plan_route(frozenset({STATISTICS}), 5, 1, None, solver="auto", closed_form=True)
    assert (streamed.representation, streamed.accurate) == ("statistics", "never")
    with pytest.raises(ValueError, match="solver='operator' is for arrays in memory"):
        plan_route(frozenset({STATISTICS, ROWS}), 5, 1, None, solver="operator", closed_form=True)
    chunks = plan_route(frozenset({STATISTICS}), 5, 1, None, solver="operator", closed_form=True)
    assert chunks.representation == "statistics"  # partial_fit: the statistics are all there is


def test_forced_routes_agree():
    X, y = sparse_design(4000, 300, seed=3)
    by_statistics = AnalyticLeastSquares(solver="statistics").fit(X, y)
    by_operator = AnalyticLeastSquares(solver="operator").fit(X, y)
    assert by_statistics.solver_ == "normal equations"
    np.testing.assert_allclose(by_operator.coef_, by_statistics.coef_, rtol=1e-9, atol=1e-11)
    descent = GradientDescentRegressor(solver="operator").fit(X, y)
    np.testing.assert_allclose(descent.coef_, by_statistics.coef_, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("weighted", [False, True])
def test_short_side_is_lstsq_minimum_norm(weighted):
    rng = np.random.default_rng(4)
    X = rng.standard_normal((200, 1000)) * rng.uniform(0.1, 10.0, 1000)
    y = rng.standard_normal(200)
    weights = rng.uniform(0.0, 2.0, 200) if weighted else None
    if weighted:
        weights[:5] = 0.0
    model = AnalyticLeastSquares().fit(X, y, sample_weight=weights)
    assert model.solver_ in SHORT_SIDE
    kept = slice(None) if weights is None else weights > 0
    coef, intercept = centred_lstsq(X[kept], y[kept], None if weights is None else weights[kept])
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-8, atol=1e-12)
    assert model.intercept_ == pytest.approx(intercept, rel=1e-8)
    assert model.rank_ == int(np.sum(kept if weighted else np.ones(200, bool))) - 1


def test_one_hot_pipeline_scores_equal_linear_regression():
    rng = np.random.default_rng(5)
    n, categories = 6000, 1500
    import pandas as pd

    frame = pd.DataFrame(
        {
            "city": rng.integers(0, categories, n).astype(str),
            "size": rng.standard_normal(n),
            "age": rng.uniform(0, 50, n),
        }
    )
    effects = rng.standard_normal(categories)
    y = effects[frame["city"].astype(int)] + 2.0 * frame["size"] - 0.1 * frame["age"]
    y = y + 0.3 * rng.standard_normal(n)

    def pipeline(estimator):
        encode = ColumnTransformer(
            [
                ("city", OneHotEncoder(handle_unknown="ignore"), ["city"]),
                ("numbers", StandardScaler(), ["size", "age"]),
            ]
        )
        return make_pipeline(encode, estimator)

    ours = cross_val_score(pipeline(AnalyticLeastSquares()), frame, y, cv=3)
    theirs = cross_val_score(pipeline(LinearRegression()), frame, y, cv=3)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    fitted = pipeline(AnalyticLeastSquares()).fit(frame, y)[-1]
    assert fitted.solver_ == "LSMR"


def test_rank_deficient_one_hot_keeps_the_minimum_norm_in_the_users_units():
    rng = np.random.default_rng(6)
    n, k = 800, 30
    codes = rng.integers(0, k, n)
    X = sp.csr_matrix((np.ones(n), (np.arange(n), codes)), shape=(n, k))  # columns sum to 1
    y = rng.standard_normal(k)[codes] + 0.1 * rng.standard_normal(n)
    model = AnalyticLeastSquares(solver="operator").fit(X, y)
    dense = X.toarray()
    coef, intercept = centred_lstsq(dense, y)
    np.testing.assert_allclose(model.coef_, coef, atol=1e-9)
    assert model.intercept_ == pytest.approx(intercept, rel=1e-10)
    # Its statistics-route twin: the same minimum norm.
    by_statistics = AnalyticLeastSquares(solver="statistics").fit(X, y)
    np.testing.assert_allclose(model.coef_, by_statistics.coef_, atol=1e-9)
    np.testing.assert_allclose(
        model.predict(X), LinearRegression().fit(dense, y).predict(dense), atol=1e-9
    )


@pytest.mark.parametrize("solver", ["statistics", "operator"])
@pytest.mark.parametrize("layout", ["csr", "csc"])
def test_float32_sparse_sums_accumulate_in_float64(solver, layout):
    rng = np.random.default_rng(7)
    n = 200_000
    values = np.where(rng.random(n) < 0.5, 0.0, rng.uniform(1000.0, 1001.0, n))
    X32 = sp.csr_matrix(values.astype(np.float32)[:, None]).asformat(layout)
    y = (3.0 * X32.toarray()[:, 0].astype(np.float64) + rng.standard_normal(n)).astype(np.float32)
    exact = AnalyticLeastSquares(solver="statistics").fit(X32.astype(np.float64), y.astype(float))
    model = AnalyticLeastSquares(solver=solver).fit(X32, y)
    assert model.coef_[0] == pytest.approx(exact.coef_[0], rel=1e-11)
    assert model.intercept_ == pytest.approx(exact.intercept_, rel=1e-10, abs=1e-9)


@pytest.mark.parametrize("estimator", [AnalyticLeastSquares, GradientDescentRegressor])
def test_a_weight_of_two_is_the_row_twice_on_the_operator_route(estimator):
    X, y = sparse_design(1500, 200, seed=8)
    weights = np.ones(1500)
    weights[:300] = 2.0
    weighted = estimator(solver="operator").fit(X, y, sample_weight=weights)
    repeated = estimator(solver="operator").fit(
        sp.vstack([X, X[:300]]).tocsr(), np.concatenate([y, y[:300]])
    )
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-8, atol=1e-10)
    assert weighted.intercept_ == pytest.approx(repeated.intercept_, rel=1e-9)


def test_extreme_column_magnitudes_on_the_operator_route():
    X, y = sparse_design(2000, 100, seed=9)
    X = X.tocsc()
    scale = np.where(np.arange(100) % 2, 1e120, 1e-120)  # beyond 1e±90: powers of two
    extreme = sp.csr_matrix(X @ sp.diags(scale))
    plain = AnalyticLeastSquares(solver="operator").fit(X.tocsr(), y)
    for estimator in (AnalyticLeastSquares, GradientDescentRegressor):
        model = estimator(solver="operator").fit(extreme, y * 1e100)
        np.testing.assert_allclose(model.coef_ * scale / 1e100, plain.coef_, rtol=1e-8)
        assert model.intercept_ / 1e100 == pytest.approx(plain.intercept_, rel=1e-9)


def test_non_finite_data_on_the_operator_route_are_named():
    X, y = sparse_design(500, 50)
    X = X.tolil()
    X[3, 4] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        AnalyticLeastSquares(solver="operator").fit(X.tocsr(), y)


def test_partial_fit_and_forced_statistics_refuse_what_memory_cannot_hold():
    X = sp.csr_matrix((2, 2_000_000))
    y = np.array([1.0, 2.0])
    for fit in (
        lambda: AnalyticLeastSquares().partial_fit(X, y),
        lambda: GradientDescentRegressor(solver="statistics").fit(X, y),
    ):
        with pytest.raises(ValueError, match=r"GiB.*(fit\(X, y\)|solver='operator')"):
            fit()


def test_dask_refuses_statistics_too_large():
    da = pytest.importorskip("dask.array")
    X = da.zeros((4, 2_000_000), chunks=(2, 2_000_000))
    y = da.ones(4, chunks=2)
    with pytest.raises(ValueError, match="GiB"):
        AnalyticLeastSquares().fit(X, y)
    with pytest.raises(ValueError, match="solver='operator' is for arrays in memory"):
        AnalyticLeastSquares(solver="operator").fit(X, y)


def test_matrix_free_descent_keeps_its_promises():
    X, y = sparse_design(3000, 300, seed=10)
    reference = AnalyticLeastSquares(solver="operator").fit(X, y)
    model = GradientDescentRegressor(solver="operator").fit(X, y)
    assert model.converged_ and model.solver_ == "matrix-free descent"
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-7, atol=1e-9)
    # loss_curve_ is the user's half-MSE at the recorded iterates, and never rises.
    assert np.all(np.diff(model.loss_curve_) <= 1e-15 * model.loss_curve_[0])
    last = model.path_[-1]
    residual = y - X @ last[:-1] - last[-1]
    assert model.loss_curve_[-1] == pytest.approx(np.mean(residual**2) / 2, rel=1e-9)
    np.testing.assert_array_equal(model.path_iterations_, np.arange(model.n_iter_ + 1))
    # A fixed rate at the stable limit is refused before the first step, naming 2/L_max
    # (estimated to 1e-4 for fixed rates; the exact step reports it to 1e-2).
    probe = GradientDescentRegressor(solver="operator", learning_rate=1e-6, max_iter=1, tol=None)
    limit = 2.0 / probe.fit(X, y).max_curvature_
    assert model.max_curvature_ == pytest.approx(2.0 / limit, rel=1e-2)
    with pytest.raises(DivergenceError) as refused:
        GradientDescentRegressor(solver="operator", learning_rate=limit * 1.01).fit(X, y)
    assert refused.value.stable_limit == pytest.approx(limit)
    slow = GradientDescentRegressor(solver="operator", learning_rate=limit * 0.01, max_iter=5)
    with pytest.warns(ConvergenceWarning, match="matrix-free descent"):
        slow.fit(X, y)
    assert not slow.converged_ and slow.n_iter_ == 5


def test_the_path_of_a_wide_descent_is_thinned(monkeypatch):
    monkeypatch.setattr(_operator_descent, "PATH_BUDGET", 301 * 8)
    X, y = sparse_design(2000, 300, seed=11)
    model = GradientDescentRegressor(solver="operator", learning_rate=0.05).fit(X, y)
    steps = model.path_iterations_
    assert model.path_.shape == (len(steps), 301) and len(steps) <= 9
    assert steps[0] == 0 and steps[-1] == model.n_iter_ and np.all(np.diff(steps) > 0)
    assert np.allclose(model.path_[-1, :-1], model.coef_)


def test_warm_start_on_the_operator_route_starts_at_the_fit():
    X, y = sparse_design(2000, 300, seed=12)
    model = GradientDescentRegressor(solver="operator", warm_start=True).fit(X, y)
    first = model.coef_.copy()
    model.fit(X, y)
    np.testing.assert_allclose(model.path_[0, :-1], first)
    assert model.n_iter_ <= 2


def test_float32_dask_blocks_accumulate_in_float64():
    da = pytest.importorskip("dask.array")
    import dask

    rng = np.random.default_rng(13)
    n = 200_000
    values = np.where(rng.random(n) < 0.5, 0.0, rng.uniform(1000.0, 1001.0, n))
    X32 = values.astype(np.float32)[:, None]
    y32 = (3.0 * X32[:, 0].astype(np.float64) + rng.standard_normal(n)).astype(np.float32)
    exact = AnalyticLeastSquares().fit(X32.astype(np.float64), y32.astype(np.float64))
    with dask.config.set(scheduler="synchronous"):
        model = AnalyticLeastSquares().fit(
            da.from_array(X32, chunks=(25_000, 1)), da.from_array(y32, chunks=25_000)
        )
    assert model.coef_[0] == pytest.approx(exact.coef_[0], rel=1e-11)
    assert model.intercept_ == pytest.approx(exact.intercept_, rel=1e-10, abs=1e-9)


def test_columns_of_very_different_sizes_are_standardised_for_lsmr():
    X, y = sparse_design(3000, 40, seed=14)
    scale = np.logspace(-60, 60, 40)
    skewed = sp.csr_matrix(X @ sp.diags(scale))
    model = AnalyticLeastSquares(solver="operator").fit(skewed, y)
    reference = AnalyticLeastSquares(solver="statistics").fit(skewed, y)
    assert model.solver_ == "LSMR"
    np.testing.assert_allclose(model.coef_ * scale, reference.coef_ * scale, rtol=1e-9, atol=1e-12)


def test_plots_draw_fits_over_the_rows_and_the_cost_surface_says_what_it_needs():
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from gdregress.plotting import plot_cost_surface, plot_loss_curve, plot_summary

    X, y = sparse_design(2000, 300, seed=15)
    descent = GradientDescentRegressor(solver="operator").fit(X, y)
    figure = plot_summary(descent, X, y)  # the fit and the losses: no statistics needed
    assert len(figure.axes) == 2
    ax = plot_loss_curve(descent, ax=Figure().subplots())
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), descent.loss_curve_)
    with pytest.raises(ValueError, match=r"over the data itself.*solver='statistics'"):
        plot_cost_surface(descent, ax=Figure().subplots())
    minimum = AnalyticLeastSquares(solver="operator").fit(X, y)
    residual = y - minimum.predict(X)
    ax = plot_loss_curve(descent, minimum=np.mean(residual**2) / 2, ax=Figure().subplots())
    assert len(ax.get_lines()[0].get_xdata()) == descent.n_iter_ + 1


def test_short_side_with_constant_columns_that_leave_it_tall():
    rng = np.random.default_rng(17)
    X = np.ones((200, 1000))
    X[:, :100] = rng.standard_normal((200, 100))  # 900 constant columns: 100 vary
    y = X[:, :100] @ rng.standard_normal(100) + rng.standard_normal(200)
    model = AnalyticLeastSquares(solver="operator").fit(X, y)
    coef, intercept = centred_lstsq(X[:, :100], y)
    np.testing.assert_allclose(model.coef_[:100], coef, rtol=1e-10)
    assert model.intercept_ == pytest.approx(intercept, rel=1e-10)
    assert not np.any(model.coef_[100:]) and model.rank_ == 100


def test_an_ill_conditioned_design_gives_lsmr_up_for_the_statistics():
    # Singular values from 1 down to 1e-6, mixed by random rotations: after scaling the
    # columns, LSMR needs thousands of iterations; the statistics cost about 160.
    rng = np.random.default_rng(18)
    left = np.linalg.qr(rng.standard_normal((4000, 300)))[0]
    right = np.linalg.qr(rng.standard_normal((300, 300)))[0]
    X = (left * np.geomspace(1.0, 1e-6, 300)) @ right.T
    y = X @ rng.standard_normal(300) + 1e-3 * rng.standard_normal(4000)
    assert _plan(X).representation == "operator"
    model = AnalyticLeastSquares().fit(X, y)
    assert model.solver_ == "QR with refinement" and model.statistics_ is not None
    reference = AnalyticLeastSquares(solver="statistics").fit(X, y)
    np.testing.assert_array_equal(model.coef_, reference.coef_)
    with pytest.warns(ConvergenceWarning, match="LSMR did not reach full precision"):
        AnalyticLeastSquares(solver="operator").fit(X, y)


# The short side without an SVD, the descent on the short side, products on threads.


def test_short_side_solves_by_substitution_and_falls_back_to_the_svd_when_rows_repeat():
    rng = np.random.default_rng(19)  # beyond small data (10⁵ numbers): the operator route
    X = rng.standard_normal((150, 800)) * rng.uniform(0.5, 2.0, 800) + 5.0
    y = X @ rng.standard_normal(800) + rng.standard_normal(150)
    model = AnalyticLeastSquares().fit(X, y)
    coef, intercept = centred_lstsq(X, y)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-9, atol=1e-12)
    assert model.intercept_ == pytest.approx(intercept, rel=1e-9)
    # Well conditioned: the short side's normal equations (AAᵀ, 149 × 149), refined once.
    assert model.solver_ == "minimum norm by normal equations of the short side"
    assert model.rank_ == 149 and model.singular_ is None
    assert 1.0 <= model.condition_number_ < 100.0
    # Singular values from 1 to 1e-6: AAᵀ (condition 1e12) is left for QR, whose R is
    # still solved by substitution.
    left = np.linalg.qr(rng.standard_normal((150, 150)))[0]
    right = np.linalg.qr(rng.standard_normal((800, 150)))[0]
    skewed = (left * np.geomspace(1.0, 1e-6, 150)) @ right.T
    model = AnalyticLeastSquares(fit_intercept=False).fit(skewed, y)
    assert model.solver_ == "minimum norm by QR of the short side" and model.singular_ is None
    coef, _ = centred_lstsq(skewed, y, fit_intercept=False)
    np.testing.assert_allclose(model.coef_, coef, rtol=0, atol=1e-8 * np.abs(coef).max())
    # Rows repeated with other targets: R is singular, its SVD gives lstsq's minimum norm.
    repeated = np.vstack([X, X[:50]])
    other_y = np.concatenate([y, y[:50] + rng.standard_normal(50)])
    model = AnalyticLeastSquares().fit(repeated, other_y)
    coef, intercept = centred_lstsq(repeated, other_y)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-8, atol=1e-11)
    assert model.intercept_ == pytest.approx(intercept, rel=1e-8)
    assert model.rank_ == 149 and model.singular_.shape == (200,)
    np.testing.assert_allclose(
        model.singular_[:149],
        np.linalg.svd(repeated - repeated.mean(axis=0), compute_uv=False)[:149],
        rtol=1e-10,
    )


def test_short_side_without_an_intercept_is_lstsq_minimum_norm():
    rng = np.random.default_rng(20)
    X = rng.standard_normal((120, 900)) + 2.0
    y = rng.standard_normal(120)
    model = AnalyticLeastSquares(fit_intercept=False).fit(X, y)
    coef, _ = centred_lstsq(X, y, fit_intercept=False)
    assert model.solver_ in SHORT_SIDE and model.rank_ == 120
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(model.predict(X), y, atol=1e-10)  # wide: an exact fit


def _descents_both_ways(monkeypatch, X, y, **params):
    """The same descent stepping through MMᵀ and through M (the cost model overruled)."""
    from dataclasses import replace

    from gdregress import linear_model

    chosen = route_costs

    def fit(on_rows):
        monkeypatch.setattr(
            linear_model,
            "source_costs",
            lambda source: replace(chosen(source.X, source.n_targets), descent_on_rows=on_rows),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return GradientDescentRegressor(**params).fit(X, y)

    return fit(True), fit(False)


@pytest.mark.parametrize(
    "params",
    [
        {"tol": 1e-8},
        # Fixed numbers of steps: a wide design is fitted exactly in the end, and where the
        # residual reaches rounding the two ways' roundings decide the last step.
        {"learning_rate": 0.05, "max_iter": 300, "tol": None},
        {"fit_intercept": False, "max_iter": 200, "tol": None, "momentum": 0},
        {"standardize": False, "max_iter": 200, "tol": None, "momentum": 0},
        # Conjugate gradients (the default), stopped well before the exact fit: past it, their
        # coefficients (and the L_max they estimate) are rounding.
        {"max_iter": 12, "tol": None},
        {"learning_rate": 0.05, "momentum": 0.8, "max_iter": 100, "tol": None},
    ],
)
def test_the_descent_on_the_short_side_takes_the_same_steps(monkeypatch, params):
    rng = np.random.default_rng(21)
    X = rng.standard_normal((200, 700)) * rng.uniform(0.2, 3.0, 700) + rng.uniform(-2, 2, 700)
    Y = np.column_stack([X @ rng.standard_normal(700), rng.standard_normal(200)])
    rows, columns = _descents_both_ways(monkeypatch, X, Y, **params)
    assert rows.solver_ == "descent on the short side"
    assert columns.solver_ == "matrix-free descent"
    assert rows.n_iter_ == columns.n_iter_
    assert rows.max_curvature_ == pytest.approx(columns.max_curvature_, rel=2e-3)
    np.testing.assert_array_equal(rows.path_iterations_, columns.path_iterations_)
    scale = np.max(np.abs(columns.path_))
    np.testing.assert_allclose(rows.path_, columns.path_, rtol=0, atol=1e-9 * scale)
    np.testing.assert_allclose(
        rows.loss_curve_, columns.loss_curve_, rtol=1e-9, atol=1e-13 * columns.loss_curve_[0]
    )
    np.testing.assert_allclose(
        rows.gradient_norms_,
        columns.gradient_norms_,
        rtol=1e-6,
        atol=1e-9 * rows.gradient_norms_[0],
    )


def test_the_descent_on_the_short_side_is_chosen_by_cost_and_keeps_its_promises():
    rng = np.random.default_rng(22)
    X = rng.standard_normal((300, 1200))
    y = X @ rng.standard_normal(1200) + 1.0
    assert route_costs(X, 1).descent_on_rows
    assert not route_costs(rng.standard_normal((3000, 1200)), 1).descent_on_rows  # tall
    assert not route_costs(sp.random(300, 1200, density=0.5, format="csr"), 1).descent_on_rows
    model = GradientDescentRegressor(tol=1e-8).fit(X, y)
    assert model.solver_ == "descent on the short side" and model.converged_
    # Wide: the descent interpolates; from 0 it stays in the row space, so it ends at the
    # minimum-norm interpolant of the standardised design.
    np.testing.assert_allclose(model.predict(X), y, atol=1e-8 * np.abs(y).max())
    probe = GradientDescentRegressor(learning_rate=1e-6, max_iter=1, tol=None).fit(X, y)
    limit = 2.0 / probe.max_curvature_
    with pytest.raises(DivergenceError):
        GradientDescentRegressor(learning_rate=limit * 1.01).fit(X, y)
    warm = GradientDescentRegressor(tol=1e-8, warm_start=True).fit(X, y)
    warm.fit(X, y)
    assert warm.n_iter_ <= 2 and warm.solver_ == "descent on the short side"
    with pytest.warns(ConvergenceWarning, match="descent on the short side.*QR of its short side"):
        GradientDescentRegressor(tol=1e-12, max_iter=3).fit(X, y)


@pytest.mark.parametrize("layout", ["dense", "csr", "sparse with empty rows"])
def test_products_on_threads_equal_the_products_on_one(monkeypatch, layout):
    from gdregress import _operator
    from gdregress._sources import ArraySource

    rng = np.random.default_rng(23)
    if layout == "dense":
        X = rng.standard_normal((500, 40))
    else:
        X = sp.random(500, 40, density=0.2, format="csr", random_state=23)
        if layout == "sparse with empty rows":
            X = sp.vstack([X[:100], sp.csr_matrix((300, 40)), X[100:]], format="csr")
    y = rng.standard_normal((X.shape[0], 2))
    weights = rng.uniform(0.5, 2.0, X.shape[0])
    design = ArraySource(X, y, weights).operator(
        centre=True, standardize=True, with_intercept=True, centred_targets=False
    )
    theta = rng.standard_normal((design.n_parameters, 2))
    residual = rng.standard_normal((X.shape[0], 2))
    one = (design.matvec(theta), design.rmatvec(residual))
    monkeypatch.setattr(_operator, "_PARALLEL_MIN_NUMBERS", 1)
    monkeypatch.setattr(_operator, "THREADS", 3)
    ranges = _operator._row_ranges(design.X)
    assert len(ranges) == 3 and sum(stop - start for start, stop, *_ in ranges) == X.shape[0]
    object.__setattr__(design, "_row_ranges", ranges)
    np.testing.assert_allclose(design.matvec(theta), one[0], rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(design.rmatvec(residual), one[1], rtol=1e-13, atol=1e-12)
    if sp.issparse(X):  # the ranges share X's arrays: no copy of the data
        for _, _, rows, transposed in ranges:
            assert np.shares_memory(rows.data, design.X.data)
            assert np.shares_memory(transposed.indices, design.X.indices)


@pytest.mark.parametrize("seed", range(6))
def test_short_side_matches_lstsq_on_awkward_wide_designs(seed):
    # Offsets far above the spread, columns of very different sizes, repeated rows, weights
    # of 0 and several targets. Truth: lstsq's minimum norm on the centred, weighted design
    # *without* the offsets (centring removes them exactly; numpy's centring of the shifted
    # columns loses their digits, and its lstsq then keeps a rounding singular value).
    rng = np.random.default_rng(100 + seed)
    n, d = rng.integers(60, 160), rng.integers(700, 1200)
    X = rng.standard_normal((n, d)) * np.logspace(-3, 3, d)[rng.permutation(d)]
    if seed % 2:
        X[: n // 4] = X[n // 4 : 2 * (n // 4)]  # repeated rows: R near singular
    shifted = X + rng.choice([0.0, 1e4], d) * np.abs(X).max(axis=0)
    Y = rng.standard_normal((n, 2))
    weights = rng.choice([0.0, 0.5, 1.0, 3.0], n) if seed % 3 == 0 else None
    model = AnalyticLeastSquares(solver="operator").fit(shifted, Y, sample_weight=weights)
    assert model.solver_ in SHORT_SIDE
    if seed % 2:  # repeated rows make AAᵀ singular: QR (and the SVD of its factor) decides
        assert model.solver_ == "minimum norm by QR of the short side"
    kept = slice(None) if weights is None else weights > 0
    for t in range(2):
        coef, intercept = centred_lstsq(
            X[kept], Y[kept, t], None if weights is None else weights[kept]
        )
        np.testing.assert_allclose(model.coef_[t], coef, rtol=0, atol=1e-8 * np.abs(coef).max())
        fitted = model.predict(shifted[kept])[:, t]
        reference = X[kept] @ coef + intercept
        np.testing.assert_allclose(fitted, reference, rtol=0, atol=1e-8 * np.abs(Y).max())


def test_lsmr_takes_the_published_iterates_and_stops_on_the_exact_frobenius_norm():
    from scipy.sparse.linalg import lsmr as scipy_lsmr

    from gdregress._lsmr import lsmr

    rng = np.random.default_rng(24)
    A = sp.random(300, 80, density=0.1, random_state=24, format="csr") + sp.eye(300, 80)
    b = rng.standard_normal(300)
    frobenius = float(np.sqrt(A.multiply(A).sum()))

    def ours(b, tol, max_iter):
        return lsmr(lambda v: A @ v, lambda u: A.T @ u, b, 80, frobenius=frobenius, tol=tol,
                    max_iter=max_iter)  # fmt: skip

    # The iterates of Fong and Saunders' algorithm (scipy's implementation), step for step.
    for k in (1, 2, 5, 20):
        reference = scipy_lsmr(A, b, atol=0.0, btol=0.0, conlim=0.0, maxiter=k)[0]
        result = ours(b, 0.0, k)
        assert result.iterations == k and not result.stopped
        np.testing.assert_allclose(
            result.x, reference, rtol=0, atol=1e-10 * np.abs(reference).max()
        )
    # Stopped on its test, the measured relative optimality is within the tolerance.
    for tol in (1e-6, 1e-10, 1e-12):
        result = ours(b, tol, 500)
        r = b - A @ result.x
        measured = np.linalg.norm(A.T @ r) / (frobenius * np.linalg.norm(r))
        assert result.stopped and measured <= tol
    # A consistent system stops on its residual; a zero target at x = 0 at once, and one
    # orthogonal to the range (to rounding) near it.
    exact = A @ rng.standard_normal(80)
    consistent = ours(exact, 1e-12, 500)
    assert consistent.stopped
    # The test is on LSQR's residual, a lower bound of LSMR's: the residual at the stop is
    # 0.6e-11 of b here, and up to 1.2e-11 over 200 other seeds; 1e-10 leaves a digit.
    assert np.linalg.norm(A @ consistent.x - exact) <= 1e-10 * np.linalg.norm(exact)
    zero = ours(np.zeros(300), 1e-12, 10)
    assert zero.iterations == 0 and not np.any(zero.x)
    left, _ = np.linalg.qr(A.toarray(), mode="complete")
    orthogonal = ours(left[:, -1], 1e-12, 10)
    assert orthogonal.stopped and np.abs(orthogonal.x).max() <= 1e-12
