r"""An animated gradient descent: the path on the cost contours beside the line in the data.

:func:`animate_descent` (public as :func:`gdregress.plotting.animate_descent`) draws, frame by
frame, what the lecture draws step by step: on the left the iterates :math:`(m_k, b_k)` walking
down the contours of :math:`L(m, b)`, on the right the line :math:`y = m_k x + b_k` they stand
for, moving through the data points towards the least-squares line. The contours, the minimum
and the thinning of a long path are those of :func:`~gdregress.plotting.plot_cost_surface`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import _cost_drawing as drawing

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.animation import FuncAnimation
    from matplotlib.figure import Figure

__all__ = ["animate_descent"]

#: Fewest frames: a descent of fewer steps moves along its steps in this many frames.
MIN_FRAMES = 10


def animate_descent(
    model,
    X,
    y,
    *,
    figure: Figure | None = None,
    max_frames: int = 60,
    interval: int = 100,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> FuncAnimation:
    r"""Animate a gradient descent: its path on the cost contours beside its line in the data.

    Each frame shows one iterate :math:`\theta_k = (m_k, b_k)` of the descent
    :math:`\theta_{k+1} = \theta_k - \alpha \nabla L(\theta_k)`: on the left the path so far
    on the contours of the cost

    .. math::

        L(m, b) = \frac{1}{2n} \sum_i (m x_i + b - y_i)^2

    with the minimum starred, on the right the line :math:`y = m_k x + b_k` through the data,
    beside the least-squares line (dashed). A descent of more iterates than ``max_frames``
    is thinned to ``max_frames`` of them, spaced geometrically in the step number (the first
    steps move most), always with the first and the last; one of fewer than
    :data:`MIN_FRAMES` (10) iterates moves along its steps in 10 frames.

    Parameters
    ----------
    model : GradientDescentRegressor
        Fitted with an intercept on one feature and one target; its ``path_`` is drawn.
    X : array-like of shape (n_samples, 1)
        The points to draw (all of the training data, or a sample of it).
    y : array-like of shape (n_samples,)
    figure : matplotlib Figure, optional
        Where to draw; its contents are replaced (default: a new pyplot figure).
    max_frames : int, default=60
        Most iterates shown, at least 10.
    interval : int, default=100
        Milliseconds between two frames.
    xlabel, ylabel : str, optional
        Labels of the data's axes; by default the column names the model was fitted with,
        else ``x`` and ``y``.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        Save it with ``save("descent.gif", writer="pillow")``; in a notebook,
        ``IPython.display.HTML(animation.to_jshtml())`` plays it.

    Raises
    ------
    ValueError
        If the model is not a fitted descent of one feature's line, or X has not one column.

    See Also
    --------
    plot_cost_surface : The whole path at once, on the same contours.

    Examples
    --------
    The lecture's power lines, descended in the data's units with :math:`\alpha = 0.1`
    (2,234 steps, shown as 12 of them):

    >>> import os, tempfile
    >>> from matplotlib.figure import Figure
    >>> from PIL import Image
    >>> from gdregress import GradientDescentRegressor
    >>> from gdregress.datasets import load_power_lines
    >>> X, y = load_power_lines(return_X_y=True)
    >>> model = GradientDescentRegressor(standardize=False, learning_rate=0.1).fit(X, y)
    >>> animation = animate_descent(model, X, y, figure=Figure(dpi=40), max_frames=12)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "descent.gif")
    ...     animation.save(path, writer="pillow")
    ...     with Image.open(path) as gif:
    ...         print(gif.n_frames)
    12
    """
    from matplotlib.animation import FuncAnimation

    cost = drawing.one_feature_cost(model, "animate_descent")
    path = getattr(model, "path_", None)
    if path is None:
        raise ValueError(
            f"animate_descent draws the steps of gradient descent, and {type(model).__name__} "
            "takes none: fit a GradientDescentRegressor (standardize=False descends in the "
            "data's units, as the lecture does)"
        )
    if int(max_frames) < MIN_FRAMES:
        raise ValueError(f"max_frames must be at least {MIN_FRAMES}, got {max_frames!r}")
    y_name = getattr(y, "name", None)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).ravel()
    if X.ndim != 2 or X.shape[1] != 1 or len(X) != len(y) or not len(y):
        raise ValueError(
            "animate_descent draws y against one feature: X must have one column and as "
            f"many rows as y; got X of shape {X.shape} and {len(y)} values of y"
        )
    names = getattr(model, "feature_names_in_", None)
    labels = (
        xlabel or (str(names[0]) if names is not None else "x"),
        ylabel or (y_name if isinstance(y_name, str) else "y"),
    )
    positions = frame_positions(len(path), int(max_frames))
    if figure is None:
        import matplotlib.pyplot as plt

        figure = plt.figure(figsize=(11, 4.6), layout="constrained")
    else:
        figure.clear()
        if figure.get_layout_engine() is None:
            figure.set_layout_engine("constrained")
    draw = _Frames(figure, model, cost, np.asarray(path), X[:, 0], y, labels)
    return FuncAnimation(figure, draw, frames=positions, init_func=draw.start, interval=interval)


def frame_positions(n_rows: int, max_frames: int) -> np.ndarray:
    """The rows of a path of ``n_rows`` iterates that the frames show, as floats.

    Every row when there are between :data:`MIN_FRAMES` and ``max_frames``; ``max_frames``
    of them otherwise, geometrically spaced in the row number with the first steps filled
    in, always the first and the last; fewer than :data:`MIN_FRAMES` rows: evenly spaced
    fractional rows (a frame between two iterates shows the point on the step between them).
    """
    if n_rows < MIN_FRAMES:
        return np.linspace(0.0, n_rows - 1.0, MIN_FRAMES)
    if n_rows <= max_frames:
        return np.arange(n_rows, dtype=np.float64)
    chosen = {0, n_rows - 1, *np.geomspace(1, n_rows - 1, max_frames - 1).astype(int).tolist()}
    for row in range(1, n_rows):  # spaced rows round alike near the start: fill those in
        if len(chosen) >= max_frames:
            break
        chosen.add(row)
    return np.array(sorted(chosen), dtype=np.float64)


class _Frames:
    """The two panels of the animation, and the drawing of one frame (a row of the path)."""

    def __init__(self, figure, model, cost, path, x, y, labels) -> None:
        self.figure, self.model, self.cost, self.path = figure, model, cost, path
        self.x_ends = np.array([x.min(), x.max()])
        self.iterations = getattr(model, "path_iterations_", np.arange(len(path)))
        self.rows, options, self.head_steps = drawing.path_style(len(path))
        theta, least = drawing.cost_minimum(model, cost)
        left, self.right = figure.subplots(1, 2)
        self._draw_cost(left, theta, least, options)
        self._draw_data(self.right, x, y, theta, labels)

    def _draw_cost(self, ax, theta, least: float, options: dict) -> None:
        """The contours of L(m, b), the start and the minimum; the path and its point empty."""
        path = self.path
        window = drawing.cost_window(np.vstack([theta, path]), self.cost, theta, least)
        drawing.cost_contours(ax, self.cost, least, window, 14, colorbar=False)
        ax.plot(
            *theta,
            "*",
            color="black",
            mfc="gold",
            ms=14,
            zorder=7,  # above the iterate that reaches it
            label=f"minimum: m = {drawing.number(theta[0])}, b = {drawing.number(theta[1])}",
        )
        ax.plot(
            *path[0],
            "o",
            color=drawing.PATH_COLOR,
            mfc="white",
            mew=2,
            ms=8,
            zorder=4,
            label=f"start: m = {drawing.number(path[0, 0])}, b = {drawing.number(path[0, 1])}",
        )
        (self.head,) = ax.plot([], [], color=drawing.PATH_COLOR, lw=1, zorder=3)
        (self.trail,) = ax.plot([], [], color=drawing.PATH_COLOR, ms=4, zorder=3, **options)
        (self.point,) = ax.plot(
            [], [], "o", color=drawing.PATH_COLOR, ms=9, zorder=6, label="iterate"
        )
        self.trail.set_gid("descent path")
        ax.set_title("The cost L(m, b) and the descent's path")
        ax.legend(loc="best", fontsize="small")

    def _draw_data(self, ax, x, y, theta, labels) -> None:
        """The data and the least-squares line; the iterate's line empty. The y-axis spans
        the data and the lines of the start, the end and the minimum."""
        n = len(y)
        ax.scatter(
            x,
            y,
            color=drawing.DATA_COLOR,
            zorder=2,
            label=f"{n:,} point{'s' * (n != 1)}",
            **drawing.points_style(n),
        )
        ends = self.x_ends
        (least_squares,) = ax.plot(
            ends,
            theta[0] * ends + theta[1],
            ls="--",
            color="0.35",
            lw=1.5,
            zorder=2,
            label="least-squares line",
        )
        (self.line,) = ax.plot(
            [], [], color=drawing.LINE_COLOR, lw=2.5, zorder=3, label="the iterate's line"
        )
        self.line.set_gid("descent line")
        least_squares.set_gid("least-squares line")
        lines = [theta, self.path[0], self.path[-1]]
        tops = np.concatenate([y, *(m * ends + b for m, b in lines)])
        spread = np.ptp(tops) or 1.0
        ax.set_ylim(tops.min() - 0.08 * spread, tops.max() + 0.08 * spread)
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])
        ax.legend(loc="best", fontsize="small")
        ax.grid(alpha=0.3)

    def start(self):
        """The first frame (FuncAnimation's init_func), and the layout of every frame.

        The layout engine places the panels once, around the first frame's titles, and is
        then turned off: laid out again for every frame, a frame took twice as long to draw.
        """
        artists = self(0.0)
        if self.figure.get_layout_engine() is not None:
            self.figure.draw_without_rendering()
            self.figure.set_layout_engine("none")
        return artists

    def __call__(self, position: float):
        """Draw the frame at ``position``, a row of the path (between two rows: on the step)."""
        row = int(position)
        point = self.path[row]
        if position > row:  # between iterate row and row + 1
            point = point + (position - row) * (self.path[row + 1] - point)
        done = self.rows[self.rows <= row]
        trail = np.vstack([self.path[done], point])
        self.trail.set_data(trail[:, 0], trail[:, 1])
        head = self.path[: min(row, self.head_steps) + 1] if self.head_steps else self.path[:0]
        self.head.set_data(head[:, 0], head[:, 1])
        self.point.set_data([point[0]], [point[1]])
        m, b = point
        self.line.set_data(self.x_ends, m * self.x_ends + b)
        value = float(self.cost.value(np.array([m]), b))
        total = int(self.model.n_iter_)
        step = f"iterate {self.iterations[row]:,}"
        if position > row:
            step = f"on the step from {step} to {self.iterations[row + 1]:,}"
        self.figure.suptitle(f"Gradient descent, {step} of {total:,}: L = {value:.6g}")
        self.right.set_title(drawing.line_text(m, b))
        return self.trail, self.head, self.point, self.line
