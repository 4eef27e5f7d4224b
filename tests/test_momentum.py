"""Momentum in GradientDescentRegressor (issue 22).

``momentum=0`` is the plain descent as it was before momentum existed; ``"auto"`` (conjugate
gradients) reaches the closed form in far fewer steps; unstable heavy balls are refused with
their limit named; ``tol`` means the same on the statistics and matrix-free routes; and what
the descent promises (its record, warm starts, warnings) holds with momentum.

References, independent of the solver: the paths recorded by the code before momentum
(``tests/data/plain_paths.npz``, written by ``tests/data/record_plain_paths.py`` at commit
e431554), the lecture's numbers, numpy (eigenvalues, lstsq on the centred design),
AnalyticLeastSquares (the closed form), and the cost computed from the rows. The descent
engine's momentum is tested against closed forms in ``test_optimize.py``.
"""

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from gdregress import AnalyticLeastSquares, DivergenceError, GradientDescentRegressor

DATA = Path(__file__).parent / "data"
RECORDED = np.load(DATA / "plain_paths.npz")


def _recorder():
    """tests/data/record_plain_paths.py, which defines the recorded descents."""
    spec = importlib.util.spec_from_file_location(
        "record_plain_paths", DATA / "record_plain_paths.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RUNS = _recorder().estimator_runs()
ENGINE_RUNS = _recorder().engine_runs()


def ill_conditioned(n=5000, d=20, kappa=1e4, seed=0):
    """Correlated columns of different scales whose correlation matrix has condition number
    near ``kappa`` (eigenvalues geometric before the rescaling to a unit diagonal)."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((d, d)))
    covariance = (basis * np.geomspace(1.0, 1.0 / kappa, d)) @ basis.T
    spread = np.sqrt(np.diag(covariance))
    X = rng.standard_normal((n, d)) @ np.linalg.cholesky(covariance / np.outer(spread, spread)).T
    X = X * rng.uniform(0.5, 20.0, d) + rng.uniform(-5.0, 5.0, d)
    return X, X @ rng.standard_normal(d) + 1.0 + 0.5 * rng.standard_normal(n)


def sparse_design(n=3000, d=300, seed=0):
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(n), 5)
    X = sp.csr_matrix((rng.standard_normal(n * 5), (rows, rng.integers(0, d, n * 5))), (n, d))
    return X, X @ rng.standard_normal(d) + 0.1 * rng.standard_normal(n) + 3.0


def standardised_kappa(X):
    """The condition number of the correlation matrix of X's columns, by numpy."""
    values = np.linalg.eigvalsh(np.corrcoef(X, rowvar=False))
    return values[-1] / values[0]


def standardised_error(X, y, model, reference):
    """‖v − v*‖ / std(y): the distance of the fit's standardised coefficients (and intercept
    at the columns' means) from the reference's, relative to the spread of y."""
    X = X.toarray() if sp.issparse(X) else X
    mean, spread = X.mean(axis=0), X.std(axis=0)

    def standardised(fit):
        return np.r_[fit.coef_ * spread, fit.intercept_ + mean @ fit.coef_]

    return np.linalg.norm(standardised(model) - standardised(reference)) / np.std(y)


# --- momentum=0: the plain descent, as recorded before momentum ----------------------------------


@pytest.mark.parametrize("name", sorted(RUNS))
def test_momentum_0_is_the_plain_descent_recorded_before_momentum(name):
    X, y, parameters = RUNS[name]
    model = GradientDescentRegressor(**parameters, momentum=0).fit(X, y)
    assert model.n_iter_ == RECORDED[f"{name}.n_iter"] and model.momentum_ == 0.0
    # Equal bit for bit when the statistics are. Another machine's BLAS, or another order of
    # the sums, may round their last bits otherwise (relative error ε), and a contracting
    # descent carries that into its iterates at most κ·ε of the largest (the perturbed
    # gradient's error over the smallest curvature): 1e-13 of the largest value, or 16·κ·ε
    # on the ill-conditioned runs (κ = 1.1e5 for the TV data in dollars: 4e-10).
    dense = X.toarray() if sp.issparse(X) else X
    curvatures = np.linalg.svd(np.column_stack([dense, np.ones(X.shape[0])]), compute_uv=False) ** 2
    curvatures = curvatures[curvatures > 1e-12 * curvatures[0]]  # over the range (wide runs)
    kappa = curvatures[0] / curvatures[-1]
    margin = max(1e-13, 16 * kappa * np.finfo(float).eps)
    for key, value in (("path", model.path_), ("loss", model.loss_curve_), ("coef", model.coef_)):
        recorded = RECORDED[f"{name}.{key}"]
        np.testing.assert_allclose(value, recorded, rtol=0, atol=margin * np.max(np.abs(recorded)))


@pytest.mark.parametrize("name", sorted(ENGINE_RUNS))
def test_the_engine_without_momentum_is_the_descent_recorded_before_momentum(name):
    # Element-wise arithmetic only (no matrix product): equal bit for bit on any machine.
    np.testing.assert_array_equal(ENGINE_RUNS[name], RECORDED[f"{name}.path"])


def test_the_recorded_descents_are_the_lectures():
    # The lecture's numbers (seed/worked-examples.md): the power lines by the estimator at
    # α = 0.06 on L = E/6 (the lecture's α = 0.01 on E), eˣ − log x from 0.05 at α = 0.005,
    # and the sauna from (0.5, 0.6) at α = 0.05.
    lines = RECORDED["lines_rate_0.06.path"]
    np.testing.assert_allclose(lines[1], [0.42, 0.2], rtol=1e-14)
    np.testing.assert_array_equal(lines[2].round(4), [0.6984, 0.3376])
    np.testing.assert_allclose(lines[-1], [0.5, 7 / 3], rtol=1e-9)
    np.testing.assert_array_equal(
        RECORDED["engine_exp_log.path"][:3, 0].round(4), [0.05, 0.1447, 0.1735]
    )
    sauna = RECORDED["engine_sauna.path"]
    np.testing.assert_array_equal(sauna[1:3].round(4), [[0.5057, 0.6047], [0.5115, 0.6095]])
    np.testing.assert_allclose(sauna[-1], [4.0, 4.0], atol=1e-6)


# --- "auto": conjugate gradients with the auto learning rate, the plain descent otherwise ---


def test_auto_is_conjugate_gradients_and_a_chosen_learning_rate_keeps_the_plain_descent(media):
    X, y = media
    auto = GradientDescentRegressor().fit(X, y)
    # Conjugate gradients: a step and a β per iteration, the first β 0 (no last step yet);
    # 4 standardised parameters, so at most 4 steps in exact arithmetic.
    assert auto.n_iter_ <= 5 and auto.momentum_.shape == auto.learning_rate_.shape == (
        auto.n_iter_,
    )
    assert auto.momentum_[0] == 0.0 and np.all(auto.momentum_[1:] > 0)
    closed = AnalyticLeastSquares().fit(X, y)
    np.testing.assert_allclose(auto.coef_, closed.coef_, rtol=1e-10)
    for rate in (0.5, "exact"):
        chosen = GradientDescentRegressor(learning_rate=rate).fit(X, y)
        plain = GradientDescentRegressor(learning_rate=rate, momentum=0).fit(X, y)
        assert chosen.momentum_ == 0.0
        np.testing.assert_array_equal(chosen.path_, plain.path_)


def test_an_ill_conditioned_design_takes_ten_times_fewer_steps_to_the_closed_form():
    X, y = ill_conditioned()
    kappa = standardised_kappa(X)
    assert 5e3 < kappa < 2e4  # the design is what the test says
    closed = AnalyticLeastSquares().fit(X, y)
    auto = GradientDescentRegressor().fit(X, y)
    plain = GradientDescentRegressor(momentum=0, max_iter=10**6).fit(X, y)
    # Polyak's heavy ball at its optimal β for this κ, with the auto step 2(1 + β)/(L + λ).
    root = np.sqrt(kappa)
    heavy = GradientDescentRegressor(momentum=((root - 1) / (root + 1)) ** 2).fit(X, y)
    assert auto.converged_ and plain.converged_ and heavy.converged_
    # Plain descent needs about κ/2 steps per factor e, the heavy ball √κ/2, conjugate
    # gradients fewer still (measured: 1.4e5, 1.5e3 and 1.9e2); the margins are wide.
    assert 10 * auto.n_iter_ <= heavy.n_iter_ and 10 * heavy.n_iter_ <= plain.n_iter_
    assert plain.n_iter_ > kappa  # steps against the theoretical rate: more than κ
    scale = np.max(np.abs(closed.coef_))
    for model in (auto, heavy):
        np.testing.assert_allclose(model.coef_, closed.coef_, rtol=0, atol=1e-8 * scale)


def test_conjugate_gradients_on_the_data_take_the_steps_they_take_on_the_statistics():
    # Matrix-free (CGLS) and on the statistics (conjugate directions): the same iteration in
    # exact arithmetic, at a condition number (about 4) where rounding does not part them.
    X, y = sparse_design()
    statistics = GradientDescentRegressor(solver="statistics", tol=1e-9).fit(X, y)
    operator = GradientDescentRegressor(solver="operator", tol=1e-9).fit(X, y)
    assert abs(statistics.n_iter_ - operator.n_iter_) <= 1
    common = min(statistics.n_iter_, operator.n_iter_)
    np.testing.assert_allclose(
        operator.learning_rate_[:common], statistics.learning_rate_[:common], rtol=1e-6
    )
    # L_max from the conjugate gradients' own coefficients, from below, near the statistics'.
    assert operator.max_curvature_ <= statistics.max_curvature_ * (1 + 1e-9)
    assert operator.max_curvature_ == pytest.approx(statistics.max_curvature_, rel=0.05)


# --- unstable momentum is refused, naming the limit -------------------------------------------


def test_an_unstable_heavy_ball_is_refused_naming_its_limit(power_lines):
    X, y = power_lines
    design = np.column_stack([X, np.ones(len(X))])
    max_curvature = np.linalg.eigvalsh(design.T @ design / len(X))[-1]  # L = E/6: 33.28/6
    limit = 2 * (1 + 0.5) / max_curvature
    with pytest.raises(DivergenceError) as refused:
        GradientDescentRegressor(standardize=False, learning_rate=limit * 1.001, momentum=0.5).fit(
            X, y
        )
    message = str(refused.value)
    assert "learning_rate=0.5414" in message and "momentum=0.5" in message
    assert f"2(1 + 0.5)/L_max = {limit:.6g}" in message
    assert refused.value.stable_limit == pytest.approx(limit, rel=1e-12)
    below = GradientDescentRegressor(standardize=False, learning_rate=limit * 0.9, momentum=0.5)
    below.fit(X, y)
    assert below.converged_ and below.coef_[0] == pytest.approx(0.5, rel=1e-9)


def test_an_unstable_heavy_ball_is_refused_on_the_matrix_free_route():
    X, y = sparse_design(seed=1)
    probe = GradientDescentRegressor(solver="operator", learning_rate=1e-6, max_iter=1, tol=None)
    max_curvature = probe.fit(X, y).max_curvature_  # Lanczos, to 1e-4
    with pytest.raises(DivergenceError, match=r"2\(1 \+ 0.9\)/L_max") as refused:
        GradientDescentRegressor(
            solver="operator", learning_rate=1.01 * 3.8 / max_curvature, momentum=0.9
        ).fit(X, y)
    assert refused.value.stable_limit == pytest.approx(3.8 / max_curvature, rel=1e-9)


@pytest.mark.parametrize("momentum", [1.0, -0.1, 1.5, "fast", None])
def test_momentum_outside_0_to_1_is_refused(momentum, power_lines):
    with pytest.raises(InvalidParameterError, match="'momentum' parameter"):
        GradientDescentRegressor(momentum=momentum).fit(*power_lines)


def test_momentum_false_and_the_exact_step_with_momentum_are_refused(power_lines):
    # scikit-learn's interval takes False for 0: refused as learning_rate's True and False are.
    with pytest.raises(InvalidParameterError, match="momentum must be a number, got bool"):
        GradientDescentRegressor(momentum=False).fit(*power_lines)
    with pytest.raises(ValueError, match="learning_rate='exact' is the plain descent's line"):
        GradientDescentRegressor(learning_rate="exact", momentum=0.5).fit(*power_lines)


# --- one meaning of tol on both routes ------------------------------------------------------------


@pytest.mark.parametrize("momentum", ["auto", 0, 0.5])
@pytest.mark.parametrize("tol", [1e-5, 1e-8])
def test_tol_bounds_the_standardised_coefficients_alike_on_both_routes(momentum, tol):
    # A dense design of condition number about 300: the statistics route (exact λ_min) and
    # the matrix-free one (λ_min by Lanczos or the conjugate gradients' Ritz values, from
    # above) both stop once the standardised coefficients are within tol·std(y) of the
    # minimum. The old matrix-free rule, a relative optimality of tol, allowed errors
    # √p·κ·(1 − R²)^½ ≈ 10³ times larger here.
    X, y = ill_conditioned(n=3000, d=40, kappa=300, seed=2)
    reference = AnalyticLeastSquares().fit(X, y)
    errors = {}
    for solver in ("statistics", "operator"):
        model = GradientDescentRegressor(solver=solver, tol=tol, momentum=momentum, max_iter=10**6)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            model.fit(X, y)
        errors[solver] = standardised_error(X, y, model, reference)
    # The closed form itself is exact to ~1e-13 here; λ_min estimated from above may
    # loosen the matrix-free bound a little: a margin of 2.
    assert errors["statistics"] <= tol and errors["operator"] <= 2 * tol, errors


# --- what the descent promises, with momentum ---------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"solver": "statistics"},
        {"solver": "operator"},
        {"solver": "statistics", "momentum": 0.8, "learning_rate": 0.2},
        {"solver": "operator", "momentum": 0.8, "learning_rate": 0.2},
    ],
)
def test_the_record_of_a_descent_with_momentum(params):
    X, y = sparse_design(seed=3)
    model = GradientDescentRegressor(**params).fit(X, y)
    # (path_ keeps every iterate but on the matrix-free route, where it keeps no more numbers
    # than X stores: path_iterations_ says which.)
    kept = model.path_iterations_
    assert model.converged_ and kept[0] == 0 and kept[-1] == model.n_iter_
    assert len(kept) == len(model.path_)
    if params["solver"] == "statistics":
        np.testing.assert_array_equal(kept, np.arange(model.n_iter_ + 1))
    np.testing.assert_array_equal(model.path_[0], np.zeros(X.shape[1] + 1))
    np.testing.assert_array_equal(model.path_[-1], np.r_[model.coef_, model.intercept_])
    assert model.gradient_norms_.shape == model.loss_curve_.shape == (model.n_iter_ + 1,)
    # loss_curve_ is the half-MSE of the rows at every iterate of path_.
    residuals = y[:, None] - X @ model.path_[:, :-1].T - model.path_[:, -1]
    np.testing.assert_allclose(
        model.loss_curve_[kept], np.mean(residuals**2, axis=0) / 2, rtol=1e-9
    )
    if "momentum" in params:  # the heavy ball: its fixed pair
        assert model.learning_rate_ == 0.2 and model.momentum_ == 0.8
    else:  # conjugate gradients: a pair per step, the cost falling at every one
        assert model.learning_rate_.shape == model.momentum_.shape == (model.n_iter_,)
        assert np.all(np.diff(model.loss_curve_) <= 1e-13 * model.loss_curve_[0])
    closed = AnalyticLeastSquares(solver="statistics").fit(X, y)
    np.testing.assert_allclose(model.coef_, closed.coef_, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("solver", ["statistics", "operator"])
def test_a_warm_start_with_momentum_starts_at_the_fit(solver):
    X, y = sparse_design(seed=4)
    model = GradientDescentRegressor(solver=solver, warm_start=True).fit(X, y)
    first = model.coef_.copy()
    model.fit(X, y)
    np.testing.assert_allclose(model.path_[0, :-1], first)
    assert model.n_iter_ <= 1


def test_a_descent_with_momentum_out_of_steps_says_what_to_change():
    X, y = ill_conditioned()
    with pytest.warns(ConvergenceWarning, match=r"its square root \(with momentum\)") as caught:
        GradientDescentRegressor(max_iter=5).fit(X, y)
    assert "use AnalyticLeastSquares" in str(caught[0].message)
    with pytest.warns(ConvergenceWarning, match="use a larger learning rate") as caught:
        slow = GradientDescentRegressor(standardize=False, learning_rate=1e-9, momentum=0.5)
        slow.set_params(max_iter=5).fit(X, y)
    assert "stable below" in str(caught[0].message)
    operator = GradientDescentRegressor(solver="operator", max_iter=2)
    with pytest.warns(ConvergenceWarning, match="matrix-free descent by conjugate gradients"):
        operator.fit(*sparse_design())
    assert not operator.converged_ and operator.n_iter_ == 2


def test_a_heavy_ball_beyond_its_limit_diverges_on_the_matrix_free_route(monkeypatch):
    # The limit is refused before the first step from Lanczos's L_max; were that estimate
    # half the truth, the run itself must find the divergence: the cost rising along steps
    # whose curvature exceeds 2(1 + β)/α — not the cost's rising alone, which a converging
    # heavy ball does too.
    from gdregress import _operator_descent

    X, y = sparse_design(seed=5)
    true = GradientDescentRegressor(solver="operator", learning_rate=1e-6, max_iter=1, tol=None)
    max_curvature = true.fit(X, y).max_curvature_
    monkeypatch.setattr(_operator_descent, "_max_curvature", lambda *args: max_curvature / 2)
    unstable = GradientDescentRegressor(
        solver="operator", learning_rate=1.5 * 3.8 / max_curvature, momentum=0.9
    )
    with pytest.raises(DivergenceError, match="The cost rose for 5 steps in a row"):
        unstable.fit(X, y)
    # Polyak's pair for the curvatures of an ill-conditioned design (λ_min, L_max of the
    # standardised design by numpy), whose cost rises for runs of steps while it converges:
    # not divergence.
    X, y = ill_conditioned(n=3000, d=40, kappa=1e3, seed=6)
    values = np.linalg.eigvalsh(np.corrcoef(X, rowvar=False))
    root = np.sqrt(values[-1] / values[0])
    beta = ((root - 1) / (root + 1)) ** 2
    rate = 4 / (np.sqrt(values[-1]) + np.sqrt(values[0])) ** 2
    converging = GradientDescentRegressor(solver="operator", learning_rate=rate, momentum=beta)
    converging.fit(X, y)
    assert converging.converged_ and converging.solver_ == "matrix-free descent"
    # (Measured: the cost rose at 33 of its 595 steps, five in a row at most — what the plain
    # descent's rule calls divergence.)
    assert np.sum(np.diff(converging.loss_curve_) > 0) >= 20


@pytest.mark.parametrize("solver", ["statistics", "operator"])
def test_tol_0_stops_conjugate_gradients_where_rounding_holds_the_gradient(solver):
    # No accuracy asked beyond rounding: the rounding floors stop the descent, converged, in
    # about as many steps as tol=1e-12 takes (the floors are near that accuracy here).
    X, y = sparse_design(seed=7)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = GradientDescentRegressor(solver=solver, tol=0).fit(X, y)
    assert model.converged_ and model.n_iter_ < 100
    closed = AnalyticLeastSquares(solver="statistics").fit(X, y)
    np.testing.assert_allclose(model.coef_, closed.coef_, rtol=1e-9, atol=1e-11)
