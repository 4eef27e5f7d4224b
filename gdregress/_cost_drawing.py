"""The pieces of the pictures of a line's cost L(m, b), shared by the still and the moving ones.

:mod:`gdregress.plotting` draws the cost surface and the descent's path with them, and
:func:`gdregress.plotting.animate_descent` (in ``_animation``) draws them frame by frame: the
fitted cost in the data's units, its minimum, the window that frames a path, the contours and
the way a long path is thinned. matplotlib is imported only inside the functions that draw.
"""

from __future__ import annotations

import numpy as np

from ._coordinates import user_unit_statistics
from .cost import LeastSquaresCost

__all__ = [
    "DATA_COLOR",
    "LINE_COLOR",
    "PATH_COLOR",
    "check_fitted",
    "cost_contours",
    "cost_minimum",
    "cost_window",
    "draw_path",
    "fitted_statistics",
    "line_text",
    "number",
    "one_feature_cost",
    "path_style",
    "points_style",
]

PATH_COLOR = "tab:red"
LINE_COLOR = "tab:red"
DATA_COLOR = "tab:blue"


def points_style(n: int) -> dict:
    """The size and opacity of ``n`` scattered data points: big and solid for a few, small
    and faint for many, so that dense regions show."""
    return {
        "s": 60 if n <= 20 else 25 if n <= 1000 else 6,
        "alpha": 1.0 if n <= 300 else max(0.08, min(1.0, 300 / n)),
    }


def number(value: float) -> str:
    return f"{value:.4g}"


def line_text(slope: float, intercept: float, x: str = "x", y: str = "y") -> str:
    sign = "−" if intercept < 0 else "+"
    return f"{y} = {number(slope)}·{x} {sign} {number(abs(intercept))}"


def check_fitted(model, what: str) -> None:
    """Refuse anything but a fitted estimator of gdregress, saying what it needs."""
    if not hasattr(model, "fit_record_"):
        raise ValueError(
            f"{what} needs a fitted AnalyticLeastSquares or GradientDescentRegressor; got "
            f"{type(model).__name__}{' (not fitted)' if hasattr(model, 'fit') else ''}: call "
            "fit(X, y) first"
        )


def fitted_statistics(model, what: str):
    """The fit's statistics, which the cost's drawings need, or a one-line refusal for a fit
    over the rows (the matrix-free route keeps none)."""
    check_fitted(model, what)
    if model.statistics_ is None:
        raise ValueError(
            f"{what} draws the cost from the fitted statistics, but this model was fitted "
            f"over the data itself (solver_={model.solver_!r}, for a wide or sparse design) "
            "and keeps none. Refit it with solver='statistics' to plot it."
        )
    return model.statistics_


def one_feature_cost(model, what: str) -> LeastSquaresCost:
    """The cost L(m, b) of a model fitted on one feature, one target, with an intercept."""
    stats = fitted_statistics(model, what)
    if stats.n_features != 1 or stats.n_targets != 1 or not model.fit_intercept:
        raise ValueError(
            f"{what} draws L(m, b), the cost of a line y = m·x + b: it needs a model fitted "
            f"with an intercept on one feature and one target, but this one has "
            f"{stats.n_features} features, {stats.n_targets} targets and "
            f"fit_intercept={model.fit_intercept}. Fit it on one column of X."
        )
    # The plots' costs and paths are in the data's units, as the model's coefficients are.
    return LeastSquaresCost(user_unit_statistics(stats, what), fit_intercept=True)


def cost_minimum(model, cost: LeastSquaresCost) -> tuple[np.ndarray, float]:
    """The minimiser (coefficients..., intercept) of the model's cost and the least cost L*.

    A closed-form fit's coefficients are the minimum: they are read from the model. A
    descent's are where it stopped, near the minimum but not at it.
    """
    from .linear_model import AnalyticLeastSquares

    if isinstance(model, AnalyticLeastSquares):
        theta = np.append(model.coef_, model.intercept_)
    else:
        theta = _descent_minimum(cost)
    return theta, cost.value(theta[:-1], theta[-1])


def _descent_minimum(cost: LeastSquaresCost) -> np.ndarray:
    """The minimiser (coefficients..., intercept) of a descended cost, in closed form."""
    # Solved again from the statistics because a descent's record (coef_, loss_curve_)
    # holds where it stopped, not the least cost: the loss curve draws L(θₖ) − L*, which
    # needs L* to rounding, and the cost surface stars the true minimum. Read it from the
    # record instead once the descent records its least cost.
    from ._closed_form import solve_least_squares

    solution = solve_least_squares(cost.statistics, fit_intercept=cost.fit_intercept)
    return np.append(solution.coef[:, 0], solution.intercept[0])


def cost_window(
    points: np.ndarray, cost: LeastSquaresCost, theta: np.ndarray, least: float, pad: float = 0.12
) -> np.ndarray:
    """[[m_low, m_high], [b_low, b_high]]: the points and an ellipse around the minimum.

    The ellipse {L ≤ L* + ΔL} around the minimum ``theta``, where the cost is ``least``, has
    the extent sqrt(2·ΔL·(H⁻¹)ᵢᵢ) in coordinate i; with ΔL a twentieth of L* it keeps the
    innermost contours whole, and with ΔL = L* it frames a lone minimum (a closed-form fit,
    no path).
    """
    lone = len(points) <= 1
    if least > 0:
        excess = least if lone else 0.05 * least
    else:  # a perfect fit: measure against the cost at the first point instead
        excess = max(float(cost.value(points[:1, 0], points[0, 1])), 1.0) * (1 if lone else 0.05)
    reach = np.sqrt(2 * excess * np.abs(np.diag(np.linalg.pinv(cost.hessian))))
    low = np.minimum(points.min(axis=0), theta - reach)
    high = np.maximum(points.max(axis=0), theta + reach)
    margin = pad * (high - low)
    return np.stack([low - margin, high + margin], axis=1)


def cost_contours(
    ax, cost: LeastSquaresCost, least: float, window: np.ndarray, n_levels: int, colorbar: bool
):
    """Contours of L(m, b) over the window, at levels geometric in L − L*, L* = ``least``."""
    from matplotlib.colors import BoundaryNorm

    m = np.linspace(*window[0], 241)
    b = np.linspace(*window[1], 241)
    M, B = np.meshgrid(m, b)
    values = cost.value_path(M.reshape(-1, 1, 1), B.reshape(-1, 1)).reshape(M.shape)
    excess = values - least
    top = float(np.max(excess))
    levels = least + top * np.geomspace(1e-4, 0.9, n_levels)
    norm = BoundaryNorm(levels, ncolors=256, extend="both")
    contours = ax.contour(M, B, values, levels=levels, cmap="viridis_r", norm=norm, linewidths=1)
    contours.set_gid("cost contours")
    if colorbar:
        bar = ax.figure.colorbar(contours, ax=ax, format="%.4g", pad=0.02)
        bar.set_label("cost L(m, b)")
    ax.set_xlim(*window[0])
    ax.set_ylim(*window[1])
    ax.set_xlabel("slope m")
    ax.set_ylabel("intercept b")
    return contours


# A path of more iterates than this is drawn thinned, as points: a line through every iterate
# of a long zigzag fills the valley with a solid band that hides the contours.
_MOST_POINTS = 400
# The first steps of a thinned path, drawn as a line: they show how the zigzag starts.
_HEAD_STEPS = 12


def path_style(n: int) -> tuple[np.ndarray, dict, int]:
    """How a path of ``n`` iterates is drawn: the rows shown, the Line2D's options, and how
    many first steps get a line of their own (0 for none).

    Up to ``_MOST_POINTS`` iterates, every one, joined by a line. A longer path (more steps
    than the panel has pixels) is drawn as ``_MOST_POINTS`` points spaced geometrically in
    the step number — dense where the steps are long, at the start — and its first
    ``_HEAD_STEPS`` steps as a line.
    """
    if n <= _MOST_POINTS:
        every = None if n <= 80 else max(1, n // 40)
        options = {"lw": 1.5, "marker": "o" if every is None else ".", "markevery": every}
        return np.arange(n), options, 0
    steps = np.geomspace(1, n - 1, _MOST_POINTS).astype(int)
    rows = np.unique(np.concatenate([[0], steps, [n - 1]]))
    return rows, {"ls": "none", "marker": "."}, _HEAD_STEPS


def draw_path(ax, path: np.ndarray, label: str, color: str = PATH_COLOR, gid: str | None = None):
    """Draw a path of iterates as :func:`path_style` says, the start circled; returns its
    Line2D (gid ``gid``)."""
    rows, options, head_steps = path_style(len(path))
    if head_steps:
        head = path[: head_steps + 1]
        ax.plot(head[:, 0], head[:, 1], color=color, lw=1, zorder=3)
    shown = path[rows]
    (line,) = ax.plot(shown[:, 0], shown[:, 1], color=color, ms=4, label=label, zorder=3, **options)
    if gid is not None:
        line.set_gid(gid)
    ax.plot(*path[0], "o", color=color, mfc="white", mew=2, ms=8, zorder=4)
    return line
