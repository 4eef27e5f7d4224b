"""Tests of gdregress.plotting: what each picture draws, checked against independent numbers.

Figures are rendered with the Agg backend. The assertions are on the drawn data: the path has
every iterate (``n_iter_ + 1`` points, equal to ``path_``), the line's ends are the model's
predictions, the contours span the path, the minimum is numpy's polyfit line, and the saved
file is a PNG of sensible size. ``import gdregress`` must not import matplotlib.
"""

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from gdregress import AnalyticLeastSquares, GradientDescentRegressor, gradient_descent  # noqa: E402
from gdregress.datasets import load_tv_advertising  # noqa: E402
from gdregress.plotting import (  # noqa: E402
    plot_cost_surface,
    plot_descents,
    plot_fit,
    plot_learning_rates,
    plot_loss_curve,
    plot_sauna,
    plot_summary,
)

ROOT = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def plain_descent(power_lines):
    """The lecture's descent of the power lines' cost in (m, b), with α = 0.1."""
    X, y = power_lines
    return GradientDescentRegressor(standardize=False, learning_rate=0.1).fit(X, y)


def _axes():
    return Figure().subplots()


def _line(ax, gid):
    lines = [line for line in ax.get_lines() if line.get_gid() == gid]
    assert len(lines) == 1, [line.get_gid() for line in ax.get_lines()]
    return lines[0]


def _contours(ax):
    sets = [c for c in ax.collections if c.get_gid() == "cost contours"]
    assert len(sets) == 1
    return sets[0]


def _polyfit(X, y):
    m, b = np.polyfit(X[:, 0], y, 1)
    return m, b, 0.5 * np.mean((m * X[:, 0] + b - y) ** 2)


# plot_fit


def test_fit_line_ends_are_the_predictions_at_the_ends_of_the_data():
    X, y = load_tv_advertising(return_X_y=True)
    model = AnalyticLeastSquares().fit(X, y)
    ax = plot_fit(model, X, y, ax=_axes())
    line = _line(ax, "fitted line")
    xs, ys = line.get_data()
    np.testing.assert_array_equal(xs, [X.min(), X.max()])
    np.testing.assert_allclose(ys, model.predict([[X.min()], [X.max()]]), rtol=1e-15)
    m, b, _ = _polyfit(X, y)
    np.testing.assert_allclose(ys, [m * X.min() + b, m * X.max() + b], rtol=1e-12)
    points = ax.collections[0].get_offsets()
    np.testing.assert_array_equal(points, np.column_stack([X[:, 0], y]))
    assert line.get_label() == "y = 0.04754·x + 7.033"


def test_fit_takes_names_from_a_dataframe_and_labels_from_the_caller():
    X, y = load_tv_advertising(return_X_y=True, as_frame=True)
    model = GradientDescentRegressor().fit(X, y)
    ax = plot_fit(model, X, y, ax=_axes())
    assert _line(ax, "fitted line").get_label() == "sales = 0.04754·TV + 7.033"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("TV", "sales")
    ax = plot_fit(model, X, y, ax=_axes(), xlabel="TV budget (k$)", ylabel="sales (k units)")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("TV budget (k$)", "sales (k units)")


def test_fit_with_several_features_draws_observed_against_predicted():
    X, y = load_tv_advertising(all_media=True, return_X_y=True)
    model = AnalyticLeastSquares().fit(X, y)
    ax = plot_fit(model, X, y, ax=_axes())
    np.testing.assert_allclose(
        ax.collections[0].get_offsets(), np.column_stack([model.predict(X), y])
    )
    xs, ys = _line(ax, "fitted line").get_data()
    np.testing.assert_array_equal(xs, ys)  # the diagonal, predicted = observed
    assert "3 features" in ax.get_title()


def test_fit_needs_a_fitted_model(power_lines):
    with pytest.raises(ValueError, match=r"not fitted\): call fit\(X, y\) first"):
        plot_fit(AnalyticLeastSquares(), *power_lines, ax=_axes())


# plot_loss_curve


def test_loss_curve_is_the_excess_cost_of_every_iterate_on_a_log_scale(power_lines, plain_descent):
    _, y = power_lines
    ax = plot_loss_curve(plain_descent, ax=_axes())
    line = _line(ax, "loss curve")
    k, drawn = line.get_data()
    assert len(k) == plain_descent.n_iter_ + 1
    np.testing.assert_array_equal(k, np.arange(plain_descent.n_iter_ + 1))
    least = 25 / 36  # E(1/2, 7/3)/(2·3) = (25/6)/6
    floor = 8 * np.finfo(float).eps * least
    np.testing.assert_allclose(
        drawn, np.maximum(plain_descent.loss_curve_ - least, floor), rtol=1e-9, atol=1e-15
    )
    assert drawn[0] == pytest.approx(0.5 * np.mean(y**2) - least, rel=1e-12)
    assert ax.get_yscale() == "log"
    assert "L* = 0.694444" in ax.get_ylabel()


def test_loss_curve_of_a_descent_result():
    def f(x):
        return np.exp(x) - np.log(x)

    result = gradient_descent(lambda x: np.exp(x) - 1 / x, 0.05, learning_rate=0.005, fun=f)
    omega = 0.5671432904097838
    ax = plot_loss_curve(result, ax=_axes(), minimum=f(omega), label="α = 0.005")
    k, drawn = _line(ax, "loss curve").get_data()
    assert len(k) == result.nit + 1
    assert drawn[0] == pytest.approx(f(0.05) - f(omega))
    assert ax.get_legend().get_texts()[0].get_text() == "α = 0.005"
    ax = plot_loss_curve(result, ax=_axes())  # no minimum: the values themselves
    np.testing.assert_array_equal(_line(ax, "loss curve").get_ydata(), result.fun_values)


def test_loss_curve_of_something_else_is_a_type_error():
    with pytest.raises(TypeError, match="needs a fitted GradientDescentRegressor"):
        plot_loss_curve(AnalyticLeastSquares().fit([[1], [2]], [1, 2]), ax=_axes())


# plot_cost_surface


def test_cost_surface_path_has_every_iterate_and_the_contours_span_it(plain_descent):
    ax = plot_cost_surface(plain_descent, ax=_axes())
    path = _line(ax, "descent path").get_xydata()
    # 2,234 steps, more than the panel has pixels: iterates drawn thinned, the ends kept. (Not
    # asserted to the step: the last gradient is 0.4% below the stopping bound and another
    # BLAS kernel moves it by 0.1%, so another machine may stop a step either side.)
    assert plain_descent.n_iter_ > 2 * 402 and len(path) <= 402
    np.testing.assert_array_equal(path[[0, -1]], plain_descent.path_[[0, -1]])
    assert all((plain_descent.path_ == point).all(axis=1).any() for point in path)
    # The contours are computed over a window holding the path and the minimum.
    vertices = np.vstack([p.vertices for p in _contours(ax).get_paths() if len(p.vertices)])
    low, high = vertices.min(axis=0), vertices.max(axis=0)
    assert np.all(path.min(axis=0) >= low) and np.all(path.max(axis=0) <= high)
    (m_low, m_high), (b_low, b_high) = ax.get_xlim(), ax.get_ylim()
    assert m_low < 0 < 0.5 < m_high and b_low < 0 < 7 / 3 < b_high


def test_cost_surface_levels_are_above_the_minimum_and_the_star_is_the_polyfit_line(power_lines):
    X, y = power_lines
    m, b, least = _polyfit(X, y)
    ax = plot_cost_surface(AnalyticLeastSquares().fit(X, y), ax=_axes())
    levels = _contours(ax).levels
    assert levels.min() > least and np.all(np.diff(levels) > 0)
    star = next(line for line in ax.get_lines() if line.get_marker() == "*")
    np.testing.assert_allclose(star.get_xydata()[0], [m, b], rtol=1e-12)
    assert "descent path" not in [line.get_gid() for line in ax.get_lines()]
    assert ax.get_title() == "The cost surface L(m, b) and its minimum"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("slope m", "intercept b")


def test_cost_surface_draws_more_paths(power_lines, plain_descent):
    X, y = power_lines
    standardised = GradientDescentRegressor().fit(X, y)
    ax = plot_cost_surface(
        plain_descent, ax=_axes(), paths={"standardised": standardised.path_}, colorbar=False
    )
    labels = [line.get_label() for line in ax.get_lines()]
    assert f"descent: {plain_descent.n_iter_:,} steps" in labels and "standardised" in labels
    with pytest.raises(ValueError, match=r"shape \(n, 2\); got shape \(3,\)"):
        plot_cost_surface(plain_descent, ax=_axes(), paths={"bad": [1, 2, 3]})


def test_cost_surface_needs_one_feature():
    X, y = load_tv_advertising(all_media=True, return_X_y=True)
    with pytest.raises(ValueError, match=r"has 3 features, 1 targets.*Fit it on one column"):
        plot_cost_surface(AnalyticLeastSquares().fit(X, y), ax=_axes())


# plot_learning_rates, plot_descents, plot_sauna


def test_learning_rates_too_small_just_right_too_large(power_lines):
    X, y = power_lines
    axes = plot_learning_rates(X, y, max_iter=200)
    titles = [ax.get_title() for ax in axes]
    assert [title.split(":")[0] for title in titles] == ["too small", "just right", "too large"]
    # L's Hessian is [[14/3, 2], [2, 1]]: L_max = (17 + √265)/6, the limit 2/L_max.
    limit = 12 / (17 + np.sqrt(265))
    assert "α = 0.0361 = 0.1 × 2/L_max" in titles[0] and f"{0.1 * limit:.3g}" == "0.0361"
    paths = [_line(ax, "descent path").get_xydata() for ax in axes]
    minimum = np.array([0.5, 7 / 3])
    start = np.linalg.norm(minimum)
    assert np.linalg.norm(paths[0][-1] - minimum) > 0.2 * start  # crawling
    assert len(paths[0]) == 201
    assert np.linalg.norm(paths[1][-1] - minimum) < 1e-3 * start  # arrived
    distances = np.linalg.norm(paths[2] - minimum, axis=1)
    assert np.all(np.diff(distances) > 0)  # every step further from the minimum
    assert len(paths[2]) < 20  # divergence is detected within a few steps


def test_descents_of_a_function_of_two_variables():
    ax = plot_descents(
        lambda p: p[0] ** 2 + 10 * p[1] ** 2,
        lambda p: np.array([2 * p[0], 20 * p[1]]),
        [(2, 1), (-2, 0.5)],
        ax=_axes(),
        learning_rate=0.05,
        xlim=(-3, 3),
        ylim=(-2, 2),
        value_label="f(x, y) = x² + 10y²",
    )
    lines = [line for line in ax.get_lines() if line.get_gid() == "descent path"]
    reference = gradient_descent(
        lambda p: np.array([2 * p[0], 20 * p[1]]), [2, 1], learning_rate=0.05
    )
    np.testing.assert_array_equal(lines[0].get_xydata(), reference.path)
    assert lines[1].get_label().startswith("(-2, 0.5) → (-0.00, 0.00)")
    assert ax.figure.axes[-1].get_ylabel() == "f(x, y) = x² + 10y²"


def test_descents_with_momentum_and_a_long_path_thinned():
    # Polyak's heavy ball on x² + 10y² (curvatures 2 and 20, κ = 10) beside the plain
    # descent: the same engine's paths, drawn; the heavy ball's legend names β.
    root = np.sqrt(10)
    alpha, beta = 4 / (np.sqrt(2) + np.sqrt(20)) ** 2, ((root - 1) / (root + 1)) ** 2
    ax = plot_descents(
        lambda p: p[0] ** 2 + 10 * p[1] ** 2,
        lambda p: np.array([2 * p[0], 20 * p[1]]),
        [(2, 1)],
        ax=_axes(),
        learning_rate=alpha,
        momentum=beta,
        xlim=(-3, 3),
        ylim=(-2, 2),
        labels=("m", "b"),
        aspect="auto",
    )
    reference = gradient_descent(
        lambda p: np.array([2 * p[0], 20 * p[1]]), [2, 1], learning_rate=alpha, momentum=beta
    )
    (line,) = [line for line in ax.get_lines() if line.get_gid() == "descent path"]
    np.testing.assert_array_equal(line.get_xydata(), reference.path)
    assert ax.get_legend().get_title().get_text() == f"start → end, α = {alpha:g}, β = {beta:g}"
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_aspect()) == ("m", "b", "auto")
    # A path of more than 400 iterates: its first 12 steps as a line, then 400 points at most.
    ax = plot_descents(
        lambda p: p[0] ** 2 + 1000 * p[1] ** 2,
        lambda p: np.array([2 * p[0], 2000 * p[1]]),
        [(2, 1)],
        ax=_axes(),
        learning_rate=0.0009,
        xlim=(-3, 3),
        ylim=(-2, 2),
        max_iter=3000,
        levels=np.geomspace(1e-3, 1e3, 13),
    )
    (points,) = [line for line in ax.get_lines() if line.get_gid() == "descent path"]
    # (400 step numbers spaced geometrically, the repeats among the first ones dropped.)
    assert points.get_linestyle() == "None" and 100 < len(points.get_xydata()) <= 402
    assert 13 in [len(line.get_xydata()) for line in ax.get_lines()]  # the head: 12 steps
    np.testing.assert_array_equal(points.get_xydata()[-1], ax.get_lines()[-1].get_xydata()[0])


def test_sauna_descents_end_where_the_lecture_says():
    ax = plot_sauna(ax=_axes())
    paths = {
        line.get_label().split(" → ")[0]: line.get_xydata()
        for line in ax.get_lines()
        if line.get_gid() == "descent path"
    }
    np.testing.assert_allclose(paths["(0.5, 0.6)"][1], [0.5057, 0.6047], atol=5e-5)
    np.testing.assert_allclose(paths["(0.5, 0.6)"][-1], [4, 4], atol=1e-6)
    np.testing.assert_array_equal(paths["(3, 0)"], [[3, 0]])  # ∇T = 0 on the wall
    # The wall x = 6 is not flat (∇T(6, 1) = (2, 0)): the descent walks in from it.
    np.testing.assert_allclose(paths["(6, 1)"][-1], [4, 4], atol=1e-6)
    for path in paths.values():  # each step moves x and y towards 4: none leaves the room
        assert ((path >= 0) & (path <= 6)).all()
    assert ax.figure.axes[-1].get_ylabel() == "temperature T (°C)"
    assert (ax.get_xlim(), ax.get_ylim()) == ((-0.4, 6.9), (-0.4, 6.9))


# plot_summary and the saved file


@pytest.mark.parametrize(
    ("make", "panels"),
    [
        (lambda: GradientDescentRegressor(standardize=False, learning_rate=0.1), 3),
        (AnalyticLeastSquares, 2),
    ],
    ids=["descent", "closed-form"],
)
def test_summary_panels(power_lines, make, panels):
    X, y = power_lines
    figure = plot_summary(make().fit(X, y), X, y, title="The power lines")
    titled = [ax for ax in figure.axes if ax.get_label() != "<colorbar>"]
    assert len(titled) == panels
    assert figure.get_suptitle() == "The power lines"


def test_summary_with_several_features_leaves_out_the_cost_surface():
    X, y = load_tv_advertising(all_media=True, return_X_y=True)
    figure = plot_summary(GradientDescentRegressor().fit(X, y), X, y)
    assert [ax.get_title() for ax in figure.axes] == [
        "Observed against predicted (3 features)",
        "The loss curve",
    ]


def test_saved_figure_is_a_png_of_sensible_size(tmp_path, plain_descent, power_lines):
    path = tmp_path / "summary.png"
    plot_summary(plain_descent, *power_lines).savefig(path)
    content = path.read_bytes()
    assert content.startswith(PNG_MAGIC)
    assert 20_000 < len(content) < 1_000_000
    height, width, _ = plt.imread(path).shape
    assert 1200 < width < 2400 and 350 < height < 700  # three panels side by side


def test_importing_gdregress_does_not_import_matplotlib(tmp_path):
    code = (
        "import sys, gdregress, gdregress.cli, gdregress.plotting; "
        "print(sorted(m for m in sys.modules if m.startswith('matplotlib')))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"


@pytest.mark.parametrize("size", [1e-100, 1e100])
def test_cost_surface_is_in_the_data_units_whatever_their_scale(power_lines, size):
    # The fit's statistics hold x beyond 1e±90 divided by a power of two; the surface, its
    # minimum and the path are drawn in the data's units all the same.
    X, y = power_lines
    model = GradientDescentRegressor().fit(X * size, y)
    ax = plot_cost_surface(model, ax=_axes())
    star = next(line for line in ax.get_lines() if line.get_marker() == "*")
    np.testing.assert_allclose(star.get_xydata()[0], [0.5 / size, 7 / 3], rtol=1e-9)
    path = next(line for line in ax.get_lines() if line.get_gid() == "descent path")
    np.testing.assert_allclose(path.get_xydata(), model.path_, rtol=1e-12)
    (m_low, m_high), (b_low, b_high) = ax.get_xlim(), ax.get_ylim()
    assert m_low <= model.path_[:, 0].min() and model.path_[:, 0].max() <= m_high
    assert b_low <= model.path_[:, 1].min() and model.path_[:, 1].max() <= b_high
    # The contours are levels of the data's cost, above its least value E/(2n) = (25/6)/6.
    levels = _contours(ax).levels
    assert levels.min() > 25 / 36 and levels.max() < 100 * 25 / 36


def test_the_closed_form_minimum_is_read_from_the_model(power_lines):
    # A closed-form fit's coefficients are the minimum: the star is the model's own numbers.
    X, y = power_lines
    model = AnalyticLeastSquares().fit(X, y)
    ax = plot_cost_surface(model, ax=_axes())
    star = next(line for line in ax.get_lines() if line.get_marker() == "*")
    np.testing.assert_array_equal(star.get_xydata()[0], [model.coef_[0], model.intercept_])


def test_a_descent_stopped_short_is_drawn_against_the_true_minimum(power_lines):
    # The descent's record holds where it stopped; the star and L* are the exact minimum,
    # m = 1/2, b = 7/3, L* = E/(2n) = (25/6)/6.
    X, y = power_lines
    with pytest.warns(UserWarning, match="did not converge"):
        model = GradientDescentRegressor(standardize=False, learning_rate=0.1, max_iter=20)
        model.fit(X, y)
    ax = plot_cost_surface(model, ax=_axes())
    star = next(line for line in ax.get_lines() if line.get_marker() == "*")
    np.testing.assert_allclose(star.get_xydata()[0], [0.5, 7 / 3], rtol=1e-12)
    assert np.linalg.norm(model.path_[-1] - [0.5, 7 / 3]) > 1e-3
    assert "L* = 0.694444" in plot_loss_curve(model, ax=_axes()).get_ylabel()


@pytest.mark.parametrize("plot", [plot_cost_surface, plot_loss_curve])
def test_data_whose_squares_leave_float64_is_refused_with_the_remedy(power_lines, plot):
    X, y = power_lines
    model = GradientDescentRegressor().fit(X * 1e160, y)
    with pytest.raises(ValueError, match=rf"{plot.__name__} .*1e±150\).*rescale x or y"):
        plot(model, ax=_axes())


# Pictures that a new user found wanting: each test would have caught its defect.


@pytest.fixture(scope="module")
def long_plain_descent(tv):
    """The TV data descended in dollars: 20,000 steps that zigzag across a narrow valley."""
    X, y = tv
    return GradientDescentRegressor(standardize=False, max_iter=20_000, tol=None).fit(X, y)


def test_a_path_of_more_steps_than_pixels_is_drawn_as_thinned_points(long_plain_descent):
    ax = plot_cost_surface(long_plain_descent, ax=_axes())
    path = _line(ax, "descent path")
    points = path.get_xydata()
    width_in_pixels = ax.get_window_extent().width
    assert path.get_linestyle() == "None" and len(points) < width_in_pixels
    full = long_plain_descent.path_
    np.testing.assert_array_equal(points[[0, -1]], full[[0, -1]])
    # Every point drawn is an iterate, and both sides of the zigzag are shown.
    steps = [int(np.flatnonzero((full == point).all(axis=1))[0]) for point in points]
    assert {step % 2 for step in steps[1:-1]} == {0, 1}


def test_an_unconverged_line_is_not_called_the_least_squares_line(tv, long_plain_descent):
    X, y = tv
    ax = plot_fit(long_plain_descent, X, y, ax=_axes())
    assert not long_plain_descent.converged_
    assert ax.get_title() == "The data and the line after 20,000 steps (not converged)"
    converged = GradientDescentRegressor().fit(X, y)
    assert plot_fit(converged, X, y, ax=_axes()).get_title() == (
        "The data and the least-squares line"
    )


def _inside_the_figure(figure, artists) -> bool:
    """Whether the drawn artists lie within the figure's area (as savefig writes it)."""
    figure.canvas.draw()
    bounds = figure.bbox
    for artist in artists:
        box = artist.get_window_extent()
        if box.x0 < bounds.x0 - 1 or box.x1 > bounds.x1 + 1 or box.y0 < bounds.y0 - 1:
            return False
        if box.y1 > bounds.y1 + 1:
            return False
    return True


def test_a_long_title_of_the_summary_figure_is_wrapped_to_fit(power_lines, plain_descent):
    X, y = power_lines
    title = "sales on TV: 200 rows of '" + "/a/very/long/folder" * 12 + "/advertising.csv'"
    figure = plot_summary(plain_descent, X, y, title=title)
    suptitle = figure.get_suptitle()
    assert "\n" in suptitle
    assert suptitle.replace("\n", "").replace(" ", "") == title.replace(" ", "")
    assert _inside_the_figure(figure, [figure._suptitle])


def test_the_legend_of_descents_is_inside_a_plainly_saved_figure(tmp_path):
    ax = plot_descents(
        lambda p: p[0] ** 2 + p[1] ** 2,
        lambda p: 2 * np.asarray(p),
        [(2, 1), (-2, 1), (1, -2)],
        ax=Figure().subplots(),
        learning_rate=0.1,
        xlim=(-3, 3),
        ylim=(-3, 3),
    )
    ax.figure.savefig(tmp_path / "descents.png")  # no bbox_inches="tight"
    texts = ax.get_legend().get_texts()
    assert len(texts) == 3 and _inside_the_figure(ax.figure, texts)


def test_the_middle_learning_rate_arrives_on_data_in_dollars(tv):
    # The TV budgets in dollars make the cost's condition number about 1e5: the middle
    # panel's rate needs hundreds of thousands of steps, which it is given.
    X, y = tv
    axes = plot_learning_rates(X, y, axes=Figure().subplots(1, 3))
    titles = [ax.get_title().split(":")[0] for ax in axes]
    assert titles == ["too small", "just right", "too large"]
    slope, intercept = np.polyfit(X[:, 0], y, 1)
    minimum = np.array([slope, intercept])
    end = _line(axes[1], "descent path").get_xydata()[-1]
    assert np.linalg.norm(end - minimum) <= 1e-3 * np.linalg.norm(minimum)


def test_stable_paths_in_closed_form_are_the_descents_iterates(power_lines):
    X, y = power_lines
    (ax,) = plot_learning_rates(X, y, [0.2], axes=[_axes()], max_iter=300)
    reference = gradient_descent(
        lambda p: np.array([28 * p[0] + 12 * p[1] - 42, 6 * p[1] + 12 * p[0] - 20]) / 6,
        [0.0, 0.0],
        learning_rate=0.2,
        max_iter=300,
        tol=None,
    )
    np.testing.assert_allclose(_line(ax, "descent path").get_xydata(), reference.path, atol=1e-12)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_cost_surface_confidence_region_is_the_ellipse_of_statsmodels_covariance(weighted, tv):
    """The region's edge is where (θ − θ*)ᵀ cov⁻¹ (θ − θ*) = p·F(1 − α; p, n − p), for the
    closed form and for a descent stopped far from the minimum alike."""
    sm = pytest.importorskip("statsmodels.api")
    from scipy import stats

    X, y = tv
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y)) if weighted else None
    reference = (
        sm.WLS(y, sm.add_constant(X), weights=w) if weighted else sm.OLS(y, sm.add_constant(X))
    ).fit()
    inverse = np.linalg.inv(reference.cov_params()[[1, 0]][:, [1, 0]])  # (m, b) order
    edge = 2 * stats.f.ppf(0.9, 2, len(y) - 2)
    stopped = GradientDescentRegressor(standardize=False, learning_rate=1e-5, max_iter=50, tol=None)
    for model in (AnalyticLeastSquares(), stopped):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the stopped descent did not converge
            model.fit(X, y, sample_weight=w)
        ax = plot_cost_surface(model, ax=_axes(), confidence=0.9)
        (patch,) = [p for p in ax.patches if p.get_gid() == "confidence region"]
        offsets = patch.get_xy() - reference.params[[1, 0]]
        distances = np.einsum("ni,ij,nj->n", offsets, inverse, offsets)
        np.testing.assert_allclose(distances, edge, rtol=1e-9)
        assert "90% confidence region for (m, b)" in [t.get_text() for t in ax.get_legend().texts]
        # The window holds the region.
        (m_low, m_high), (b_low, b_high) = ax.get_xlim(), ax.get_ylim()
        points = patch.get_xy()
        assert m_low < points[:, 0].min() and points[:, 0].max() < m_high
        assert b_low < points[:, 1].min() and points[:, 1].max() < b_high


# --- R's diagnostic panels ------------------------------------------------------------------


def _named(ax) -> set:
    return {text.get_text() for text in ax.texts if text.get_text() not in ("0.5", "1")}


def test_diagnostics_draw_r_s_four_panels_with_the_worst_rows_named(tv):
    from scipy import stats

    from gdregress.plotting import plot_diagnostics

    X, y = load_tv_advertising(return_X_y=True, as_frame=True)
    model = AnalyticLeastSquares().fit(X, y)
    figure = plot_diagnostics(model, X, y)
    fitted_ax, qq_ax, scale_ax, leverage_ax = figure.axes
    assert [ax.get_title() for ax in figure.axes] == [
        "Residuals vs Fitted", "Normal Q-Q", "Scale-Location", "Residuals vs Leverage"
    ]  # fmt: skip
    residuals = y - model.predict(X)
    points = fitted_ax.collections[0].get_offsets()
    np.testing.assert_allclose(points[:, 0], model.predict(X), rtol=1e-12)
    np.testing.assert_allclose(points[:, 1], residuals, rtol=1e-9, atol=1e-12)
    # The worst three by |residual| (R's default id.n = 3): ISLR's markets 35, 178 and 25.
    worst = set(map(str, residuals.abs().nlargest(3).index))
    assert _named(fitted_ax) == worst == {"35", "178", "25"}
    # Q-Q: the sorted standardized residuals against the normal at R's ppoints (n > 10).
    frame = model.influence(X, y)
    qq = qq_ax.collections[0].get_offsets()
    n = len(y)
    expected_x = stats.norm.ppf((np.arange(1, n + 1) - 0.5) / n)
    order = np.argsort(qq[:, 1])
    np.testing.assert_allclose(qq[order, 0], expected_x, rtol=1e-12)
    np.testing.assert_allclose(np.sort(qq[:, 1]), np.sort(frame["resid_studentized_internal"]))
    scale = scale_ax.collections[0].get_offsets()
    np.testing.assert_allclose(scale[:, 1], np.sqrt(np.abs(frame["resid_studentized_internal"])))
    # Cook's distance 0.5 and 1: t = ±√(D·p·(1 − h)/h), p = 2; worst three by Cook's D.
    contours = [line for line in leverage_ax.get_lines() if line.get_linestyle() == "--"]
    levels = []
    for line in contours:
        h, t = line.get_data()
        levels.append(float(np.round(t[-1] ** 2 * h[-1] / (2 * (1 - h[-1])), 12)))
        np.testing.assert_allclose(np.abs(t), np.sqrt(levels[-1] * 2 * (1 - h) / h), rtol=1e-12)
    assert sorted(levels) == [0.5, 0.5, 1.0, 1.0]  # each level above and below 0
    assert _named(leverage_ax) == set(map(str, frame["cooks_distance"].nlargest(3).index))


def test_diagnostics_of_weighted_rows_leave_out_rows_of_weight_zero(tv):
    from gdregress.plotting import plot_diagnostics

    X, y = tv
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    w[:20] = 0.0
    model = AnalyticLeastSquares().fit(X, y, sample_weight=w)
    figure = plot_diagnostics(model, X, y, sample_weight=w)
    points = figure.axes[0].collections[0].get_offsets()
    assert len(points) == 180  # R drops them too
    residuals = (y - model.predict(X)) * np.sqrt(w)
    np.testing.assert_allclose(points[:, 1], residuals[20:], rtol=1e-9, atol=1e-12)


def test_diagnostics_need_one_target(tv):
    from gdregress.plotting import plot_diagnostics

    X, y = tv
    Y = np.column_stack([y, 2 * y])
    with pytest.raises(ValueError, match="one target"):
        plot_diagnostics(AnalyticLeastSquares().fit(X, Y), X, Y)


def test_diagnostics_figure_saves_as_a_png(tmp_path, tv):
    from gdregress.plotting import plot_diagnostics

    X, y = tv
    target = tmp_path / "diagnostics.png"
    plot_diagnostics(GradientDescentRegressor().fit(X, y), X, y).savefig(target)
    assert target.read_bytes()[:8] == PNG_MAGIC and target.stat().st_size > 20_000
