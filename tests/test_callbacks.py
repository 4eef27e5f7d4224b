"""scikit-learn's callbacks (``sklearn.callback``) on both estimators.

References: the same descent fitted without callbacks (its ``path_``, iterate by iterate),
scikit-learn's own ProgressBar, Pipeline and GridSearchCV, and the block arithmetic
(``max_iter`` split into at most 100 blocks) counted by hand.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from gdregress import AnalyticLeastSquares, GradientDescentRegressor
from gdregress.optimize import gradient_descent

pytest.importorskip("sklearn.callback")


class Recorder:
    """Records every hook call; ``stop_at`` makes a block end at that iteration stop the fit."""

    def __init__(self, stop_at=None):
        self.stop_at = stop_at
        self.calls = []  # (hook, estimator name, task name, n_iter_ or None)

    def setup(self, estimator, context):
        self.calls.append(("setup", context.estimator_name, context.task_name, None))

    def on_fit_task_begin(self, estimator, context):
        self.calls.append(("begin", context.estimator_name, context.task_name, None))

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        n_iter = getattr(fitted_estimator, "n_iter_", None)
        self.calls.append(("end", context.estimator_name, context.task_name, n_iter))
        if context.task_name.startswith("iterations"):
            self.coefs = [*getattr(self, "coefs", []), fitted_estimator.coef_.copy()]
            return self.stop_at is not None and n_iter >= self.stop_at
        return False

    def teardown(self, estimator, context):
        self.calls.append(("teardown", context.estimator_name, context.task_name, None))

    def blocks(self, estimator_name="GradientDescentRegressor"):
        """The iteration count at the end of each block of iterations."""
        return [
            n_iter
            for hook, name, task, n_iter in self.calls
            if hook == "end" and name == estimator_name and task.startswith("iterations")
        ]


class AutoRecorder(Recorder):
    """The recorder, propagated by meta-estimators to their sub-estimators."""

    max_propagation_depth = None


def _plain_descent(**params):
    """The lecture's descent in the user's units on the TV data: slow, thousands of steps."""
    return GradientDescentRegressor(standardize=False, learning_rate=5e-5, **params)


def test_one_subtask_per_block_and_the_same_descent(tv):
    X, y = tv
    reference = _plain_descent(max_iter=2_500, tol=None).fit(X, y)
    recorder = Recorder()
    model = _plain_descent(max_iter=2_500, tol=None).set_callbacks(recorder)
    model.fit(X, y)
    # 2,500 iterations in blocks of 25: 100 blocks, each ending at a multiple of 25.
    assert recorder.blocks() == list(range(25, 2_501, 25))
    np.testing.assert_array_equal(model.path_, reference.path_)
    for n_iter, coef in zip(recorder.blocks(), recorder.coefs, strict=True):
        np.testing.assert_array_equal(coef, reference.path_[n_iter, :-1])
    hooks = [call[0] for call in recorder.calls]
    assert hooks[0] == "setup" and hooks[-1] == "teardown"
    assert hooks.count("begin") == hooks.count("end") == 101  # the fit and its blocks


def test_a_block_cut_short_by_convergence_is_ended(tv):
    X, y = tv
    recorder = Recorder()
    model = GradientDescentRegressor(learning_rate="exact").set_callbacks(recorder).fit(X, y)
    # max_iter=100,000 makes blocks of 1,000; a descent of a few steps ends inside the first.
    assert model.converged_ and 0 < model.n_iter_ < 1_000
    assert recorder.blocks() == [model.n_iter_]


def test_on_fit_task_end_true_stops_the_descent(tv):
    X, y = tv
    reference = _plain_descent(max_iter=3_000)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        reference.fit(X, y)
    model = _plain_descent(max_iter=3_000).set_callbacks(Recorder(stop_at=600))
    with pytest.warns(ConvergenceWarning, match=r"stopped after 600 iterations") as caught:
        model.fit(X, y)
    message = str(caught[0].message)
    assert "Recorder" in message and "on_fit_task_end" in message
    assert model.n_iter_ == 600 and not model.converged_
    np.testing.assert_array_equal(model.path_, reference.path_[:601])
    assert model.coef_[0] == reference.path_[600, 0]


def test_partial_fit_reports_its_descent(tv):
    X, y = tv
    recorder = Recorder()
    model = _plain_descent(max_iter=200, tol=None).set_callbacks(recorder)
    model.partial_fit(X[:100], y[:100]).partial_fit(X[100:], y[100:])
    assert recorder.blocks() == [2 * k for k in range(1, 101)] * 2


def test_analytic_least_squares_reports_its_fit(tv):
    recorder = Recorder()
    AnalyticLeastSquares().set_callbacks(recorder).fit(*tv)
    assert [call[:3] for call in recorder.calls] == [
        ("setup", "AnalyticLeastSquares", "fit"),
        ("begin", "AnalyticLeastSquares", "fit"),
        ("end", "AnalyticLeastSquares", "fit"),
        ("teardown", "AnalyticLeastSquares", "fit"),
    ]


def test_fits_without_callbacks_open_no_task(tv, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a fit without callbacks opened a callback task")

    monkeypatch.setattr(GradientDescentRegressor, "_init_callback_context", refuse)
    monkeypatch.setattr(AnalyticLeastSquares, "_init_callback_context", refuse)
    GradientDescentRegressor().fit(*tv)
    AnalyticLeastSquares().fit(*tv)


def test_callbacks_on_a_pipeline_reach_the_estimator(tv):
    X, y = tv
    recorder = AutoRecorder()
    pipeline = make_pipeline(StandardScaler(), GradientDescentRegressor(learning_rate=0.1))
    pipeline.set_callbacks(recorder).fit(X, y)
    assert recorder.blocks() == [pipeline[-1].n_iter_]  # fewer than the 1,000 of a block


def test_callbacks_on_a_grid_search_reach_every_fit(tv):
    X, y = tv
    recorder = AutoRecorder()
    search = GridSearchCV(
        GradientDescentRegressor(max_iter=300), {"learning_rate": [0.1, 0.5]}, cv=2
    )
    search.set_callbacks(recorder).fit(X, y)
    fits = [c for c in recorder.calls if c[:3] == ("end", "GradientDescentRegressor", "fit")]
    assert len(fits) == 2 * 2 + 1  # two rates on two folds, and the refit
    assert len(recorder.blocks()) >= len(fits)


def test_progress_bar_with_rich(tv, capsys):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    X, y = tv
    reference = _plain_descent(max_iter=1_000, tol=None).fit(X, y)
    model = _plain_descent(max_iter=1_000, tol=None).set_callbacks(ProgressBar()).fit(X, y)
    np.testing.assert_array_equal(model.coef_, reference.coef_)
    assert "GradientDescentRegressor - fit" in capsys.readouterr().out


def test_gradient_descent_calls_back_every_k_steps():
    steps = []
    result = gradient_descent(
        lambda x: 2 * x,
        [1.0],
        learning_rate=0.01,
        max_iter=95,
        tol=None,
        callback=lambda r: steps.append(r.nit),
        callback_every=10,
    )
    assert result.nit == 95 and steps == list(range(10, 91, 10))
    with pytest.raises(ValueError, match="callback_every must be at least 1"):
        gradient_descent(lambda x: x, 1.0, learning_rate=0.1, callback_every=0)


def test_no_warning_from_a_converged_descent_with_callbacks(tv):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GradientDescentRegressor().set_callbacks(Recorder()).fit(*tv)


def test_the_matrix_free_descent_reports_its_blocks_and_stops_on_request():
    import scipy.sparse as sp

    rng = np.random.default_rng(16)
    n, d = 2000, 300
    rows = np.repeat(np.arange(n), 5)
    X = sp.csr_matrix((rng.standard_normal(n * 5), (rows, rng.integers(0, d, n * 5))), (n, d))
    y = X @ rng.standard_normal(d) + 1.0
    params = dict(solver="operator", learning_rate=0.02, max_iter=400, tol=None)
    reference = GradientDescentRegressor(**params).fit(X, y)
    recorder = Recorder()
    model = GradientDescentRegressor(**params).set_callbacks(recorder).fit(X, y)
    assert model.solver_ == "matrix-free descent"
    assert recorder.blocks() == list(range(4, 401, 4))  # 400 iterations in blocks of 4
    np.testing.assert_array_equal(model.coef_, reference.coef_)
    # (path_ is thinned on this route: the iterate at 40 is that of a 40-step descent.)
    at_40 = GradientDescentRegressor(**{**params, "max_iter": 40}).fit(X, y)
    np.testing.assert_array_equal(recorder.coefs[9], at_40.coef_)
    stopping = Recorder(stop_at=100)
    with pytest.warns(ConvergenceWarning, match="stopped after 100 iterations"):
        stopped = GradientDescentRegressor(**params).set_callbacks(stopping).fit(X, y)
    assert stopped.n_iter_ == 100 and not stopped.converged_
    at_100 = GradientDescentRegressor(**{**params, "max_iter": 100}).fit(X, y)
    np.testing.assert_array_equal(stopped.coef_, at_100.coef_)


def test_the_descent_on_the_short_side_reports_its_blocks_in_the_users_coefficients():
    rng = np.random.default_rng(17)
    X = rng.standard_normal((300, 1200))
    y = X @ rng.standard_normal(1200) + 1.0
    params = dict(learning_rate=0.05, max_iter=200, tol=None)
    recorder = Recorder()
    model = GradientDescentRegressor(**params).set_callbacks(recorder).fit(X, y)
    assert model.solver_ == "descent on the short side"
    blocks = recorder.blocks()
    assert blocks[-1] == 200 and 40 in blocks and np.all(np.diff(blocks) == blocks[0])
    # θ is formed from the n numbers the steps update only where asked for: a block's end.
    at_40 = GradientDescentRegressor(**{**params, "max_iter": 40}).fit(X, y)
    at_block = recorder.coefs[blocks.index(40)]
    # Two roundings of θ = Mᵀu, 300 terms each: they differ by ~4 eps of the largest
    # coefficient (1e-15 measured), which is 4e-13 of a coefficient 2000 times smaller;
    # 1e-13 of the largest leaves two digits whatever the smallest one is.
    largest = np.abs(at_40.coef_).max()
    np.testing.assert_allclose(at_block, at_40.coef_, rtol=0, atol=1e-13 * largest)
    stopping = Recorder(stop_at=100)
    with pytest.warns(ConvergenceWarning, match="stopped after 100 iterations"):
        stopped = GradientDescentRegressor(**params).set_callbacks(stopping).fit(X, y)
    assert stopped.n_iter_ == 100 and stopped.path_iterations_[-1] == 100
    at_100 = GradientDescentRegressor(**{**params, "max_iter": 100}).fit(X, y)
    largest = np.abs(at_100.coef_).max()  # (as at 40; equal here, bit for bit)
    np.testing.assert_allclose(stopped.coef_, at_100.coef_, rtol=0, atol=1e-13 * largest)


@pytest.mark.parametrize(
    "params",
    [
        {"solver": "operator"},  # conjugate gradients over the data (momentum="auto")
        {"solver": "statistics"},  # conjugate directions on the statistics
        {"solver": "statistics", "learning_rate": 0.1, "momentum": 0.8},  # the heavy ball
    ],
)
def test_a_descent_with_momentum_reports_its_blocks_and_stops_where_asked(params):
    import scipy.sparse as sp

    rng = np.random.default_rng(18)
    n, d = 2000, 300
    rows = np.repeat(np.arange(n), 5)
    X = sp.csr_matrix((rng.standard_normal(n * 5), (rows, rng.integers(0, d, n * 5))), (n, d))
    y = X @ rng.standard_normal(d) + 1.0 + 0.1 * rng.standard_normal(n)
    params = {**params, "max_iter": 40, "tol": None}
    reference = GradientDescentRegressor(**params).fit(X, y)
    recorder = Recorder()
    model = GradientDescentRegressor(**params).set_callbacks(recorder).fit(X, y)
    assert recorder.blocks() == list(range(1, 41))  # 40 iterations in blocks of 1
    np.testing.assert_array_equal(model.coef_, reference.coef_)
    stopping = Recorder(stop_at=10)
    with pytest.warns(ConvergenceWarning, match="stopped after 10 iterations"):
        stopped = GradientDescentRegressor(**params).set_callbacks(stopping).fit(X, y)
    at_10 = GradientDescentRegressor(**{**params, "max_iter": 10}).fit(X, y)
    assert stopped.n_iter_ == 10 and not stopped.converged_
    np.testing.assert_allclose(stopped.coef_, at_10.coef_, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(stopped.momentum_, at_10.momentum_)
