"""Tests of gdregress.plotting.animate_descent: the frames, what the last one draws, the GIF.

References: the lecture's power lines, whose least-squares line is y = x/2 + 7/3 (the closed
form, exact fractions), the regressor's own ``path_`` for the iterates, and Pillow reading the
GIF back: its frame count, and frames compared pixel by pixel.
"""

import itertools

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")
matplotlib.use("Agg")

from matplotlib.animation import FuncAnimation  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from gdregress import AnalyticLeastSquares, GradientDescentRegressor  # noqa: E402
from gdregress._animation import MIN_FRAMES, frame_positions  # noqa: E402
from gdregress.plotting import animate_descent  # noqa: E402


@pytest.fixture(scope="module")
def plain_descent(power_lines):
    """The lecture's descent of the power lines' cost in (m, b), from (0, 0) with α = 0.1."""
    X, y = power_lines
    return GradientDescentRegressor(standardize=False, learning_rate=0.1).fit(X, y)


def _frames(path):
    """The GIF's frames as RGB arrays, read back by Pillow."""
    with Image.open(path) as gif:
        frames = []
        for k in range(gif.n_frames):
            gif.seek(k)
            frames.append(np.asarray(gif.convert("RGB")))
    return frames


def _line(ax, gid):
    (line,) = [line for line in ax.get_lines() if line.get_gid() == gid]
    return line


@pytest.mark.parametrize(
    "n_rows, max_frames, expected",
    [
        (2, 60, np.linspace(0, 1, 10)),  # one step: 10 frames along it
        (5, 60, np.linspace(0, 4, 10)),
        (10, 60, np.arange(10)),  # every iterate
        (60, 60, np.arange(60)),
    ],
)
def test_frame_positions_of_short_paths(n_rows, max_frames, expected):
    np.testing.assert_array_equal(frame_positions(n_rows, max_frames), expected)


@pytest.mark.parametrize("n_rows", [61, 100, 2235, 100_001])
@pytest.mark.parametrize("max_frames", [10, 12, 60])
def test_frame_positions_thin_a_long_path_keeping_its_ends(n_rows, max_frames):
    rows = frame_positions(n_rows, max_frames)
    assert len(rows) == max_frames >= MIN_FRAMES
    assert rows[0] == 0 and rows[-1] == n_rows - 1  # the start and where the descent stopped
    assert np.all(np.diff(rows) > 0) and np.all(rows == np.round(rows))  # iterates, in order
    assert rows[1] == 1  # the first step, which moves most, is always shown
    if n_rows == 2235 and max_frames == 60:  # geometric spacing: dense at the start
        assert np.all(rows[:10] == np.arange(10)) and rows[-2] > 0.85 * n_rows


def test_the_gif_shows_the_descent_frame_by_frame(plain_descent, power_lines, tmp_path):
    X, y = power_lines
    figure = Figure(figsize=(8, 3.5), dpi=50)
    animation = animate_descent(plain_descent, X, y, figure=figure, max_frames=12)
    assert isinstance(animation, FuncAnimation)
    target = tmp_path / "descent.gif"
    animation.save(target, writer="pillow")
    frames = _frames(target)
    assert len(frames) == 12 and frames[0].shape == (175, 400, 3)
    assert np.any(frames[0] != frames[-1])
    # The figure is left at the last frame: the path's end and its line.
    left, right = figure.axes
    assert (left.get_xlabel(), left.get_ylabel()) == ("slope m", "intercept b")
    assert (right.get_xlabel(), right.get_ylabel()) == ("x", "y")
    m, b = plain_descent.path_[-1]
    trail = _line(left, "descent path").get_xydata()
    np.testing.assert_array_equal(trail[0], [0.0, 0.0])  # from the start (0, 0) ...
    np.testing.assert_array_equal(trail[-1], [m, b])  # ... to the last iterate
    line = _line(right, "descent line")
    np.testing.assert_allclose(line.get_xdata(), [1.0, 3.0])  # across the data's x
    np.testing.assert_allclose(line.get_ydata(), [m + b, 3 * m + b])
    # The dashed line is the closed form's, y = x/2 + 7/3, solved from the statistics of three
    # small integers: to rounding (rtol 1e-12 leaves a thousand ulps).
    least_squares = _line(right, "least-squares line").get_ydata()
    np.testing.assert_allclose(least_squares, [1 / 2 + 7 / 3, 3 / 2 + 7 / 3], rtol=1e-12)
    # Converged to the lecture's line y = x/2 + 7/3 (tol 1e-12 of std(y) on the coefficients).
    np.testing.assert_allclose([m, b], [0.5, 7 / 3], rtol=1e-9)
    assert figure.get_suptitle().startswith("Gradient descent, iterate 2,234 of 2,234: L = ")
    assert right.get_title() == "y = 0.5·x + 2.333"


def test_a_one_step_descent_moves_along_its_step_in_ten_frames(tv, tmp_path):
    X, y = tv
    model = GradientDescentRegressor().fit(X, y)  # standardised: one step to the minimum
    assert model.n_iter_ == 1
    figure = Figure(figsize=(8, 3.5), dpi=40)
    animation = animate_descent(model, X, y, figure=figure)
    target = tmp_path / "one_step.gif"
    animation.save(target, writer="pillow")
    frames = _frames(target)
    assert len(frames) == MIN_FRAMES
    assert all(np.any(a != b) for a, b in itertools.pairwise(frames))  # it moves


def test_axis_labels_are_the_column_names_or_given(power_lines, tmp_path):
    pd = pytest.importorskip("pandas")
    X, y = power_lines
    frame = pd.DataFrame({"distance": X[:, 0]})
    target = pd.Series(y, name="cost")
    model = GradientDescentRegressor(standardize=False, learning_rate=0.3).fit(frame, target)
    figure = Figure(dpi=30)
    animation = animate_descent(model, frame, target, figure=figure, max_frames=10)
    animation.save(tmp_path / "labels.gif", writer="pillow")
    right = figure.axes[1]
    assert (right.get_xlabel(), right.get_ylabel()) == ("distance", "cost")
    figure = Figure(dpi=30)
    animation = animate_descent(
        model, frame, target, figure=figure, max_frames=10, xlabel="km", ylabel="€"
    )
    animation.save(tmp_path / "given.gif", writer="pillow")
    assert (figure.axes[1].get_xlabel(), figure.axes[1].get_ylabel()) == ("km", "€")


def test_refusals_say_what_to_fit(power_lines, media):
    X, y = power_lines
    closed = AnalyticLeastSquares().fit(X, y)
    with pytest.raises(ValueError, match="AnalyticLeastSquares takes none: fit a Gradient"):
        animate_descent(closed, X, y, figure=Figure())
    with pytest.raises(ValueError, match="needs a fitted AnalyticLeastSquares or Gradient"):
        animate_descent(GradientDescentRegressor(), X, y, figure=Figure())
    wide = GradientDescentRegressor().fit(*media)
    with pytest.raises(ValueError, match="one feature and one target, but this one has 3"):
        animate_descent(wide, *media, figure=Figure())
    descent = GradientDescentRegressor().fit(X, y)
    with pytest.raises(ValueError, match=r"X must have one column .* shape \(3, 2\)"):
        animate_descent(descent, np.hstack([X, X]), y, figure=Figure())
    with pytest.raises(ValueError, match="max_frames must be at least 10, got 5"):
        animate_descent(descent, X, y, figure=Figure(), max_frames=5)
