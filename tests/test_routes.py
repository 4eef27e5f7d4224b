"""Every consumer on every route: a fit over the rows (the operator) is a first-class fit.

The operator route (LSMR, the short side, the matrix-free descent) forms no d×d statistics.
Its summary reads the rows again and must equal the statistics route's on the same data; its
plots draw what needs no statistics; the command fits wide files and says in one line why there
is no inference. Truth: the statistics route's own summary (itself checked against statsmodels
in test_inference.py), and the command's contract (exit 0 or 2, never a traceback).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from matplotlib.figure import Figure

from gdregress import AnalyticLeastSquares, GradientDescentRegressor
from gdregress.cli import main
from gdregress.plotting import plot_fit, plot_loss_curve, plot_summary


def _one_hot(n_rows=6000, n_categories=60, seed=0):
    """A tall sparse one-hot design (evenly used categories, the first dropped) beside two
    numeric columns, and a target with noise."""
    rng = np.random.default_rng(seed)
    categories = rng.integers(0, n_categories, n_rows)
    numeric = rng.normal(size=(n_rows, 2))
    one_hot = scipy.sparse.csr_matrix(
        (np.ones(n_rows), (np.arange(n_rows), categories)), shape=(n_rows, n_categories)
    )[:, 1:]
    X = scipy.sparse.hstack([one_hot, scipy.sparse.csr_matrix(numeric)]).tocsr()
    effects = rng.normal(size=n_categories)
    y = effects[categories] + numeric @ [1.5, -0.5] + rng.normal(size=n_rows)
    return X, y, rng.uniform(0.5, 2.0, n_rows)


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC3"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_summary_over_the_rows_equals_the_statistics_routes(cov_type, weighted):
    X, y, w = _one_hot()
    w = w if weighted else None
    over_rows = AnalyticLeastSquares(solver="operator").fit(X, y, sample_weight=w)
    assert over_rows.solver_ == "LSMR" and over_rows.statistics_ is None
    from_statistics = AnalyticLeastSquares(solver="statistics").fit(X, y, sample_weight=w)
    got = over_rows.summary(cov_type=cov_type, X=X, y=y, sample_weight=w)
    expected = from_statistics.summary(cov_type=cov_type, X=X, y=y, sample_weight=w)
    # LSMR stops at a relative optimality of 1e-12: its coefficients differ from the
    # statistics route's by about 1e-11 of their norm (measured 4e-11 of the largest, κ ≈ 10),
    # so the 1e-8 holds normwise with two digits to spare; a coefficient near 0
    # (3.6e-3 here) is compared to that norm, not to itself. The standard errors depend on X
    # alone and agree to rounding.
    size = float(np.max(np.abs(expected.coef_table["coef"])))
    table = got.coef_table
    np.testing.assert_allclose(table["coef"], expected.coef_table["coef"], atol=1e-8 * size)
    np.testing.assert_allclose(table["std_err"], expected.coef_table["std_err"], rtol=1e-10)
    t_size = float(np.max(np.abs(expected.coef_table["t_value"])))
    np.testing.assert_allclose(table["t_value"], expected.coef_table["t_value"], atol=1e-8 * t_size)
    pd.testing.assert_frame_equal(got.cov, expected.cov, rtol=1e-8, atol=1e-14)
    assert got.r2 == pytest.approx(expected.r2, rel=1e-10)
    assert got.f_statistic == pytest.approx(expected.f_statistic, rel=1e-8)
    assert got.rse == pytest.approx(expected.rse, rel=1e-10)


def test_a_matrix_free_descents_summary_is_that_of_its_own_coefficients():
    X, y, _ = _one_hot(n_rows=3000, n_categories=20)
    descent = GradientDescentRegressor(solver="operator", tol=1e-13).fit(X, y)
    assert descent.solver_ == "matrix-free descent" and descent.statistics_ is None
    closed = AnalyticLeastSquares(solver="statistics").fit(X, y).summary()
    got = descent.summary(X=X, y=y)
    # Stopped at a relative optimality of 1e-13: coefficients within about 1e-11 of the
    # minimum; 1e-7 leaves four digits for the condition number of this design.
    pd.testing.assert_frame_equal(got.coef_table, closed.coef_table, rtol=1e-7, atol=1e-10)


def test_without_the_rows_a_summary_over_the_rows_is_refused_in_one_line():
    X, y, _ = _one_hot(n_rows=500, n_categories=10)
    model = AnalyticLeastSquares(solver="operator").fit(X, y)
    with pytest.raises(ValueError, match=r"summary\(X=X, y=y\)") as refused:
        model.summary()
    assert "\n" not in str(refused.value)


def test_plots_of_the_fit_and_the_losses_work_over_the_rows():
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 10, 80)
    y = 2.0 * x + 1.0 + rng.normal(size=80)
    for model in (
        AnalyticLeastSquares(solver="operator").fit(x[:, None], y),
        GradientDescentRegressor(solver="operator").fit(x[:, None], y),
    ):
        assert model.statistics_ is None
        ax = plot_fit(model, x[:, None], y, ax=Figure().subplots())
        (line,) = [ln for ln in ax.get_lines() if ln.get_gid() == "fitted line"]
        ends = line.get_xydata()
        np.testing.assert_allclose(ends[:, 1], model.predict(ends[:, :1]), rtol=1e-12)
    ax = plot_loss_curve(model, ax=Figure().subplots())  # the descent's own values
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), model.loss_curve_)
    figure = plot_summary(model, x[:, None], y)  # the fit and the losses; no cost surface
    assert len(figure.axes) == 2


@pytest.mark.parametrize(
    ("n_rows", "n_columns", "sparse_like"),
    [(40, 200, False), (30, 30, False), (60, 5, False), (50, 120, True), (3, 8, True)],
)
@pytest.mark.parametrize("method", ["analytic", "gd"])
def test_the_command_fits_wide_files_and_never_shows_a_traceback(
    tmp_path, capsys, n_rows, n_columns, sparse_like, method
):
    rng = np.random.default_rng(n_rows * 1000 + n_columns)
    X = rng.normal(size=(n_rows, n_columns))
    if sparse_like:
        X[rng.uniform(size=X.shape) < 0.9] = 0.0
    frame = pd.DataFrame(X, columns=[f"c{j}" for j in range(n_columns)])
    frame["y"] = X[:, 0] - X[:, 1] + rng.normal(size=n_rows) * 0.1
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False)
    argv = ["fit", str(path), "--y", "y", "--method", method]
    status = main(argv + (["--max-iter", "3000"] if method == "gd" else []))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert status == 0, err
    assert "line:" in out or "coefficients" in out
    if n_rows <= n_columns + 1:  # no inference: one line says why
        notes = [line for line in out.splitlines() if line.startswith("note: no standard")]
        assert len(notes) == 1 and "more rows than parameters" in notes[0]
