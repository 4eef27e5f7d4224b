r"""Pictures of least squares and of gradient descent, with matplotlib.

Each function draws on the Axes it is given (or on new ones) and returns them:

- :func:`plot_fit`: the data with the fitted line (observed against predicted for several
  features);
- :func:`plot_loss_curve`: the cost at every iteration of a descent, on a log scale;
- :func:`plot_cost_surface`: the contours of the cost :math:`L(m, b)` with the descent's path,
  the lecture's picture;
- :func:`plot_learning_rates`: the same descent with learning rates too small, just right and
  too large, side by side;
- :func:`plot_descents`: descents of any function of two variables from several starts, on
  its contours; :func:`plot_sauna` draws the lecture's sauna with it;
- :func:`plot_summary`: the first three as one figure (``gdregress fit --plot``);
- :func:`plot_diagnostics`: R's four diagnostic panels of a fitted line
  (``gdregress fit --plot-diagnostics``);
- :func:`animate_descent`: the descent frame by frame, its path on the contours beside its
  line in the data (``gdregress fit --animate``).

matplotlib is an optional dependency (``pip install 'gdregress[plot]'``); it is imported only
when a function here is called, never by ``import gdregress``. The costs are computed from a
fitted model's ``statistics_``, so no function here reads the data again except to scatter it.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._animation import animate_descent
from ._coordinates import user_unit_statistics
from ._cost_drawing import (
    DATA_COLOR,
    LINE_COLOR,
    PATH_COLOR,
    check_fitted,
    cost_contours,
    cost_minimum,
    cost_window,
    draw_path,
    line_text,
    number,
    one_feature_cost,
    path_style,
    points_style,
)
from ._diagnostic_plots import plot_diagnostics
from .cost import LeastSquaresCost
from .optimize import DescentStatus

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "animate_descent",
    "plot_cost_surface",
    "plot_descents",
    "plot_diagnostics",
    "plot_fit",
    "plot_learning_rates",
    "plot_loss_curve",
    "plot_sauna",
    "plot_summary",
]

_EPS = np.finfo(np.float64).eps


def _new_axes(ax, **subplot_kw) -> Axes:
    """The given Axes, or new ones on a new pyplot figure."""
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - the error says how to install it
        raise ImportError(
            "gdregress.plotting needs matplotlib: pip install 'gdregress[plot]'"
        ) from None
    _, ax = plt.subplots(layout="constrained", **subplot_kw)
    return ax


def plot_fit(
    model, X, y, ax: Axes | None = None, *, xlabel: str | None = None, ylabel: str | None = None
) -> Axes:
    """Draw the data and the fitted line.

    With one feature: the points :math:`(x_i, y_i)` and the line :math:`y = m x + b` across
    the range of x. With several features there is no line to draw, so the points are the
    observed :math:`y_i` against the predicted :math:`\\hat y_i`, with the diagonal
    :math:`\\hat y = y` where a perfect fit would put them.

    Parameters
    ----------
    model : AnalyticLeastSquares or GradientDescentRegressor
        Fitted, with one target.
    X : array-like of shape (n_samples, n_features)
        The points to draw (all of the training data, or a sample of it).
    y : array-like of shape (n_samples,)
    ax : matplotlib Axes, optional
        Where to draw (default: new Axes on a new figure).
    xlabel, ylabel : str, optional
        Axis labels; by default the column names the model was fitted with, else ``x``
        and ``y``.

    Returns
    -------
    matplotlib Axes
        The line is the Line2D with gid ``"fitted line"``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from gdregress import AnalyticLeastSquares
    >>> from gdregress.datasets import load_power_lines
    >>> X, y = load_power_lines(return_X_y=True)
    >>> ax = plot_fit(AnalyticLeastSquares().fit(X, y), X, y, ax=Figure().subplots())
    >>> ax.get_legend_handles_labels()[1]
    ['3 points', 'y = 0.5·x + 2.333']
    """
    check_fitted(model, "plot_fit")
    ax = _new_axes(ax)
    names = getattr(model, "feature_names_in_", None)
    # A sparse X (a one-hot design) is predicted as it is; its one column, drawn, is dense.
    sparse = hasattr(X, "toarray") and X.shape[1] > 1
    X_array = X if sparse else np.asarray(X.toarray() if hasattr(X, "toarray") else X, float)
    y_name = getattr(y, "name", None)
    y_name = y_name if isinstance(y_name, str) else "y"
    y = np.asarray(y, dtype=np.float64).ravel()
    n = len(y)
    style = points_style(n)
    points = f"{n:,} point{'s' if n != 1 else ''}"
    if X_array.shape[1] == 1:
        x = X_array[:, 0]
        ends = np.array([[x.min()], [x.max()]])
        prediction = model.predict(_like_fit(model, ends))
        ax.scatter(x, y, color=DATA_COLOR, label=points, zorder=2, **style)
        (line,) = ax.plot(
            ends[:, 0],
            prediction,
            color=LINE_COLOR,
            lw=2.5,
            label=line_text(
                float(model.coef_[0]),
                float(model.intercept_),
                str(names[0]) if names is not None else "x",
                y_name,
            ),
            zorder=3,
        )
        line.set_gid("fitted line")
        ax.set_xlabel(xlabel or (str(names[0]) if names is not None else "x"))
        ax.set_ylabel(ylabel or y_name)
        ax.set_title(_fit_title(model))
    else:
        prediction = model.predict(X_array if sparse else _like_fit(model, X_array))
        ax.scatter(prediction, y, color=DATA_COLOR, label=points, zorder=2, **style)
        low = min(prediction.min(), y.min())
        high = max(prediction.max(), y.max())
        (line,) = ax.plot(
            [low, high], [low, high], color=LINE_COLOR, lw=2, label="predicted = observed"
        )
        line.set_gid("fitted line")
        target = ylabel or y_name
        ax.set_xlabel(f"predicted: {target}")
        ax.set_ylabel(f"observed: {target}")
        ax.set_title(f"Observed against predicted ({X_array.shape[1]} features)")
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    return ax


def _fit_title(model) -> str:
    """ "The data and the least-squares line", unless a descent stopped short of it."""
    if getattr(model, "converged_", True):
        return "The data and the least-squares line"
    steps = model.n_iter_
    return f"The data and the line after {steps:,} step{'s' * (steps != 1)} (not converged)"


def _like_fit(model, X: np.ndarray):
    """X as the model saw it in fit: a DataFrame with the same columns if it had names."""
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        return X
    import pandas as pd

    return pd.DataFrame(X, columns=names)


def plot_loss_curve(
    descent, ax: Axes | None = None, *, minimum: float | None = None, label: str | None = None
) -> Axes:
    r"""Draw the cost at every iterate of a descent, on a log scale.

    For a :class:`~gdregress.GradientDescentRegressor` it draws the excess cost
    :math:`L(\theta_k) - L^*` over the least cost :math:`L^*` (computed from the model's
    statistics in closed form): on a log scale a fixed learning rate then shows as a straight
    line, whose slope is the rate of convergence. Values below the rounding error of
    :math:`L^*` are drawn at that level, with a dotted line marking it.

    Parameters
    ----------
    descent : GradientDescentRegressor or OptimizeResult
        A fitted regressor (its ``loss_curve_``), or the result of
        :func:`~gdregress.gradient_descent` called with ``fun`` (its ``fun_values``).
    ax : matplotlib Axes, optional
        Where to draw (default: new Axes on a new figure). Call again with the same Axes to
        compare descents.
    minimum : float, optional
        The least value of the function, to draw the excess over it. For a regressor it is
        computed; for an OptimizeResult without it the values themselves are drawn (on a log
        scale if they are all positive).
    label : str, optional
        The legend's entry for this curve.

    Returns
    -------
    ax : matplotlib Axes
        The Axes drawn on; its curve is the Line2D with gid ``"loss curve"``.

    Examples
    --------
    The lecture's plain descent on the power lines, drawn on a figure of its own:

    >>> from gdregress import GradientDescentRegressor
    >>> model = GradientDescentRegressor(standardize=False, learning_rate=0.1)
    >>> model = model.fit([[1], [2], [3]], [2, 5, 3])
    >>> from matplotlib.figure import Figure
    >>> ax = plot_loss_curve(model, ax=Figure().subplots())
    >>> ax.get_yscale(), len(ax.get_lines()[0].get_xdata()) == model.n_iter_ + 1
    ('log', True)
    """
    if hasattr(descent, "loss_curve_"):
        values = np.asarray(descent.loss_curve_, dtype=np.float64)
        check_fitted(descent, "plot_loss_curve")
        if minimum is None and descent.statistics_ is not None:  # L*, from the statistics
            stats = user_unit_statistics(descent.statistics_, "plot_loss_curve")
            _, minimum = cost_minimum(descent, LeastSquaresCost(stats, descent.fit_intercept))
        # (A descent over the rows keeps no statistics: its values themselves are drawn.)
        name, point = "L", "θₖ"
    elif getattr(descent, "fun_values", None) is not None:
        values = np.asarray(descent.fun_values, dtype=np.float64)
        name, point = "f", "xₖ"
    else:
        raise TypeError(
            "plot_loss_curve needs a fitted GradientDescentRegressor, or the result of "
            "gdregress.gradient_descent(..., fun=f) (which records the values of f); got "
            f"{type(descent).__name__}"
        )
    from matplotlib.ticker import MaxNLocator

    ax = _new_axes(ax)
    k = np.arange(len(values))
    marker = "o" if len(values) <= 60 else None
    if minimum is not None:
        floor = 8 * _EPS * max(abs(minimum), 1e-300)
        excess = values - minimum
        shown = np.maximum(excess, floor)
        (line,) = ax.plot(k, shown, marker=marker, ms=4, label=label)
        if np.any(excess < floor):
            ax.axhline(floor, color="0.5", ls=":", lw=1)
            ax.annotate(
                f"rounding level of {name}*",
                (0, floor),
                xycoords=("axes fraction", "data"),
                xytext=(4, 4),
                textcoords="offset points",
                color="0.4",
                fontsize="small",
            )
        ax.set_ylabel(f"{name}({point}) − {name}*   ({name}* = {minimum:.6g})")
        ax.set_yscale("log")
    else:
        (line,) = ax.plot(k, values, marker=marker, ms=4, label=label)
        ax.set_ylabel(f"{name}({point})")
        if np.all(values > 0):
            ax.set_yscale("log")
    line.set_gid("loss curve")
    ax.set_xlabel("iteration k")
    ax.set_title("The loss curve")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3, which="both" if ax.get_yscale() == "log" else "major")
    if label is not None:
        ax.legend(loc="best")
    return ax


def plot_cost_surface(
    model,
    ax: Axes | None = None,
    *,
    paths: Mapping[str, Any] | None = None,
    n_levels: int = 14,
    colorbar: bool = True,
    confidence: float | None = None,
) -> Axes:
    r"""Draw the contours of the cost :math:`L(m, b)` and the descent's path on them.

    The lecture's picture: the cost of the line :math:`y = m x + b`,
    :math:`L(m, b) = \frac{1}{2n}\sum_i (m x_i + b - y_i)^2`, as contour lines over the
    plane of :math:`(m, b)`, with every iterate of gradient descent, the start circled and
    the minimum (the closed form) starred. Contour levels are spaced geometrically in
    :math:`L - L^*`, so the ellipses around the minimum show at every scale. The window spans
    the paths and the minimum.

    Parameters
    ----------
    model : AnalyticLeastSquares or GradientDescentRegressor
        Fitted on one feature with an intercept. A GradientDescentRegressor's ``path_`` is
        drawn; for an AnalyticLeastSquares only the minimum is.
    ax : matplotlib Axes, optional
        Where to draw (default: new Axes on a new figure).
    paths : mapping of str to array of shape (n, 2), optional
        More paths in :math:`(m, b)` to draw, by legend label (for instance another descent's
        ``path_``).
    n_levels : int, default=14
        Number of contour lines.
    colorbar : bool, default=True
        Whether to add a colour bar of the levels.
    confidence : float, optional
        Also shade the joint confidence region of (m, b) at this level (0.95, say): a
        contour of the cost itself, :math:`\{\theta : L(\theta) - L^* \le
        p\,\hat\sigma^2 F_{1-\alpha}(p, n - p) / (2S)\}` with :math:`p = 2`,
        :math:`\alpha = 1 -` ``confidence``, :math:`\hat\sigma` the residual standard
        error and :math:`S` the sum of the weights (n without weights); the ellipse of
        statsmodels' ``cov_params``. The window then holds it.

    Returns
    -------
    matplotlib Axes
        The model's path is the Line2D with gid ``"descent path"`` (every iterate, or, for
        more than 400, 400 of them as points); the contours are the ContourSet with gid
        ``"cost contours"``; the confidence region is the Polygon with gid
        ``"confidence region"``.

    Examples
    --------
    The lecture's power lines, descended with :math:`\alpha = 0.1` from (0, 0):

    >>> from matplotlib.figure import Figure
    >>> from gdregress import GradientDescentRegressor
    >>> from gdregress.datasets import load_power_lines
    >>> X, y = load_power_lines(return_X_y=True)
    >>> model = GradientDescentRegressor(standardize=False, learning_rate=0.1).fit(X, y)
    >>> ax = plot_cost_surface(model, ax=Figure().subplots())
    >>> path = [line for line in ax.get_lines() if line.get_gid() == "descent path"][0]
    >>> model.n_iter_, len(path.get_xdata()) < 500  # more steps than pixels: thinned
    (2234, True)
    """
    cost = one_feature_cost(model, "plot_cost_surface")
    theta, least = cost_minimum(model, cost)
    drawn: dict[str, np.ndarray] = {}
    own = getattr(model, "path_", None)
    if own is not None:
        steps = model.n_iter_
        drawn[f"descent: {steps:,} step{'s' if steps != 1 else ''}"] = np.asarray(own)
    for label, path in (paths or {}).items():
        path = np.asarray(path, dtype=np.float64)
        if path.ndim != 2 or path.shape[1] != 2:
            raise ValueError(
                f"paths[{label!r}] must be an array of (m, b) points, shape (n, 2); "
                f"got shape {path.shape}"
            )
        drawn[label] = path
    ax = _new_axes(ax)
    region = None if confidence is None else _confidence_region(cost, theta, least, confidence)
    extra = [] if region is None else [region]
    points = np.vstack([theta[None, :], *drawn.values(), *extra])
    cost_contours(ax, cost, least, cost_window(points, cost, theta, least), n_levels, colorbar)
    if region is not None:
        from matplotlib.patches import Polygon

        label = f"{confidence:.0%} confidence region for (m, b)"
        patch = Polygon(region, closed=True, fc="tab:red", ec="tab:red", alpha=0.3, label=label)
        patch.set_gid("confidence region")
        ax.add_patch(patch)
    colors = [PATH_COLOR, "tab:orange", "tab:purple", "tab:brown", "tab:pink"]
    for i, (label, path) in enumerate(drawn.items()):
        gid = "descent path" if own is not None and i == 0 else None
        draw_path(ax, path, label, colors[i % len(colors)], gid)
    ax.plot(
        *theta,
        "*",
        color="black",
        ms=14,
        mfc="gold",
        zorder=5,
        label=f"minimum: m = {number(theta[0])}, b = {number(theta[1])}, L* = {least:.4g}",
    )
    ax.set_title(
        "The cost surface L(m, b) and the descent"
        if own is not None or paths
        else "The cost surface L(m, b) and its minimum"
    )
    ax.legend(loc="best", fontsize="small")
    return ax


def _confidence_region(cost: LeastSquaresCost, theta, least: float, confidence: float):
    r"""The boundary of the joint confidence region of (m, b), 200 points of an ellipse.

    :math:`\tfrac12 (\theta - \theta^*)^\top H (\theta - \theta^*) = \Delta L`, H the
    cost's Hessian and ΔL from :func:`~gdregress._inference.confidence_region_excess`:
    :math:`\theta = \theta^* + \sqrt{2\Delta L}\,L^{-\top} u` for :math:`H = LL^\top`
    and u on the unit circle. It is the region of the least-squares line (a descent that
    stopped short of it has a larger cost, but the same data).
    """
    from ._inference import confidence_region_excess

    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (0.95, say), got {confidence!r}")
    excess = confidence_region_excess(least, cost.statistics.n_rows, 2, 1.0 - confidence)
    angles = np.linspace(0.0, 2 * np.pi, 200)
    circle = np.stack([np.cos(angles), np.sin(angles)])
    lower = np.linalg.cholesky(cost.hessian)
    return theta + (np.sqrt(2 * excess) * np.linalg.solve(lower.T, circle)).T


def plot_summary(
    model,
    X,
    y,
    *,
    xlabel: str | None = None,
    ylabel: str | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the data with the line, the loss curve and the cost surface, side by side.

    The figure of ``gdregress fit --plot``. The loss curve needs a descent (a
    GradientDescentRegressor) and the cost surface one feature; panels that do not apply
    are left out.

    Parameters
    ----------
    model : AnalyticLeastSquares or GradientDescentRegressor
        Fitted, with one target.
    X : array-like of shape (n_samples, n_features)
        The points to scatter.
    y : array-like of shape (n_samples,)
    xlabel, ylabel : str, optional
        Labels of the data's axes.
    title : str, optional
        The figure's title.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure, not registered with pyplot (save it with ``savefig``).

    Examples
    --------
    >>> from gdregress import GradientDescentRegressor
    >>> from gdregress.datasets import load_power_lines
    >>> X, y = load_power_lines(return_X_y=True)
    >>> model = GradientDescentRegressor(standardize=False, learning_rate=0.1).fit(X, y)
    >>> figure = plot_summary(model, X, y)
    >>> for ax in figure.axes:
    ...     print(ax.get_title() or ax.get_label())
    The data and the least-squares line
    The loss curve
    The cost surface L(m, b) and the descent
    <colorbar>
    """
    from matplotlib.figure import Figure

    check_fitted(model, "plot_summary")
    stats = model.statistics_
    loss = hasattr(model, "loss_curve_")
    surface = (  # the cost surface needs the statistics (a fit over the rows keeps none)
        stats is not None and stats.n_features == 1 and stats.n_targets == 1
    ) and model.fit_intercept
    n_panels = 1 + loss + surface
    figure = Figure(figsize=(5.2 * n_panels + 0.6 * surface, 4.6), layout="constrained")
    axes = list(np.atleast_1d(figure.subplots(1, n_panels)))
    plot_fit(model, X, y, ax=axes.pop(0), xlabel=xlabel, ylabel=ylabel)
    if loss:
        plot_loss_curve(model, ax=axes.pop(0))
    if surface:
        plot_cost_surface(model, ax=axes.pop(0))
    if title:
        figure.suptitle(_wrapped(title, figure, "large"))
    return figure


def _wrapped(text: str, figure, fontsize: str) -> str:
    """``text`` broken into lines as wide as the figure, so that a long title is not cut."""
    import textwrap

    from matplotlib.font_manager import FontProperties

    points = FontProperties(size=fontsize).get_size_in_points()
    # An average character is about 0.6 em wide (DejaVu Sans, lower case and digits).
    width = int(figure.get_figwidth() * 72 / (0.6 * points))
    return "\n".join(textwrap.wrap(text, width=max(width, 20)))


def plot_learning_rates(
    X,
    y,
    learning_rates: Sequence[float] | None = None,
    axes: Sequence[Axes] | None = None,
    *,
    max_iter: int | None = None,
) -> np.ndarray:
    r"""Descend the cost of a line with several learning rates, one panel each.

    The same plain descent of :math:`L(m, b)` from :math:`(0, 0)`, in the data's own units,
    with each learning rate. Too small, it crawls and is still far from the minimum at the
    end; at or above :math:`2 / L_{max}`, with :math:`L_{max}` the largest curvature of the
    cost, it overshoots the valley further at every step and diverges; in between it
    arrives. Each panel's title says which happened: "just right" when the descent came
    within 0.1 % of its starting distance from the minimum, "too large" when it diverged,
    "too small" otherwise.

    A stable fixed step on a quadratic multiplies the error by :math:`(I - \alpha H)` at
    every step, so its iterates are computed in closed form, :math:`\theta_k = \theta^* +
    (I - \alpha H)^k (\theta_0 - \theta^*)`, however many steps it takes (raw features make
    it hundreds of thousands); a diverging one is run by :func:`~gdregress.gradient_descent`,
    which stops it within a few steps.

    Parameters
    ----------
    X : array-like of shape (n_samples, 1)
    y : array-like of shape (n_samples,)
    learning_rates : sequence of float, optional
        Default: 0.1, 0.8 and 1.05 times the stability limit :math:`2 / L_{max}`.
    axes : sequence of matplotlib Axes, optional
        One per learning rate (default: a new figure with a row of panels).
    max_iter : int, optional
        Steps of each descent. By default, as many as the second learning rate (the middle
        panel) needs to arrive, so that it does on any data.

    Returns
    -------
    ndarray of matplotlib Axes
        Each holds its descent's path as the Line2D with gid ``"descent path"``.

    Examples
    --------
    >>> from gdregress.datasets import load_power_lines
    >>> X, y = load_power_lines(return_X_y=True)
    >>> axes = plot_learning_rates(X, y)
    >>> [ax.get_title().split(":")[0] for ax in axes]
    ['too small', 'just right', 'too large']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    from .linear_model import AnalyticLeastSquares

    model = AnalyticLeastSquares().fit(X, y)
    cost = one_feature_cost(model, "plot_learning_rates")
    limit = 2.0 / cost.max_curvature
    if learning_rates is None:
        learning_rates = [0.1 * limit, 0.8 * limit, 1.05 * limit]
    learning_rates = [float(rate) for rate in learning_rates]
    axes = _learning_rate_axes(axes, len(learning_rates))
    theta, least = cost_minimum(model, cost)
    start = np.zeros(2)
    if max_iter is None:
        middle = learning_rates[min(1, len(learning_rates) - 1)]
        max_iter = _steps_to_arrive(cost, middle, start - theta)
    paths = [_fixed_step_path(cost, theta, start, rate, max_iter) for rate in learning_rates]
    # One window for all panels: the start, the minimum and the descents that did not
    # diverge; a diverging path leaves it, as it should.
    kept = [path for path, diverged in paths if not diverged]
    window = cost_window(np.vstack([start[None, :], *kept]), cost, theta, least)
    distance0 = np.linalg.norm(start - theta)
    for ax, rate, (path, diverged) in zip(axes, learning_rates, paths, strict=True):
        cost_contours(ax, cost, least, window, 12, colorbar=False)
        remaining = np.linalg.norm(path - theta, axis=1) / distance0
        arrived = np.flatnonzero(remaining <= 1e-3)
        steps = len(path) - 1
        if diverged:
            verdict = f"too large: diverges in {steps} steps"
        elif arrived.size:
            verdict = f"just right: there in {arrived[0]:,} steps"
        else:
            verdict = f"too small: {remaining[-1]:.0%} of the way to go after {steps:,} steps"
        draw_path(ax, path, "descent from (0, 0)", gid="descent path")
        ax.plot(*theta, "*", color="black", mfc="gold", ms=14, zorder=5, label="minimum")
        ax.set_title(f"{verdict}\nα = {rate:.3g} = {rate / limit:.3g} × 2/L_max", fontsize="medium")
        ax.legend(loc="upper right", fontsize="small")
    return axes


def _learning_rate_axes(axes, n: int) -> np.ndarray:
    """The given Axes, one per learning rate, or a new row of ``n`` panels."""
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(
            1, n, figsize=(4.6 * n, 4.6), layout="constrained", sharex=True, sharey=True
        )
    axes = np.asarray(axes, dtype=object).ravel()
    if len(axes) != n:
        raise ValueError(f"give one Axes per learning rate: {n} learning rates, {len(axes)} Axes")
    return axes


def _steps_to_arrive(cost: LeastSquaresCost, rate: float, error0: np.ndarray) -> int:
    """Steps after which a fixed step ``rate`` is within 0.1 % of the start's distance from
    the minimum, with some to spare (at least 20; 200 when the rate does not converge).

    The error's component along an eigenvector of curvature λ shrinks by |1 − rate·λ| per
    step; the slowest component that the start has decides.
    """
    curvatures, vectors = np.linalg.eigh(cost.hessian)
    factors = np.abs(1.0 - rate * curvatures)
    present = np.abs(vectors.T @ error0) > 1e-12 * np.linalg.norm(error0)
    slowest = float(np.max(factors[present], initial=0.0))
    if slowest >= 1.0:
        return 200
    if slowest == 0.0:
        return 20
    return max(20, int(np.ceil(1.2 * np.log(1e-3) / np.log(slowest))))


def _fixed_step_path(cost: LeastSquaresCost, theta, start, rate: float, steps: int):
    """``(path, diverged)``: the iterates of a fixed step from ``start``.

    Below 2/L_max in closed form, θ* + V·diag((1 − rate·λ)^k)·Vᵀ·(θ₀ − θ*) for k = 0 …
    ``steps``; at or above it by :func:`~gdregress.gradient_descent`, which stops a
    diverging descent after a few steps.
    """
    from .optimize import gradient_descent

    if rate * cost.max_curvature < 2.0:
        curvatures, vectors = np.linalg.eigh(cost.hessian)
        k = np.arange(steps + 1)[:, None]
        with np.errstate(under="ignore"):
            powers = (1.0 - rate * curvatures)[None, :] ** k
        return theta + (powers * (vectors.T @ (start - theta))) @ vectors.T, False

    def gradient(p):
        grad_m, grad_b = cost.gradient(p[:1], p[1])
        return np.array([grad_m[0], grad_b])

    def value(p):
        return cost.value(p[:1], p[1])

    result = gradient_descent(
        gradient, start, learning_rate=rate, max_iter=steps, tol=None, fun=value
    )
    return result.path, result.status == DescentStatus.DIVERGED


def plot_descents(
    fun: Callable[[np.ndarray], Any],
    grad: Callable[[np.ndarray], Any],
    starts: Sequence[Sequence[float]],
    ax: Axes | None = None,
    *,
    learning_rate: float,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    max_iter: int = 10_000,
    value_label: str = "f(x, y)",
    cmap: str = "viridis",
    levels: int | Sequence[float] = 24,
    momentum: float = 0.0,
    labels: tuple[str, str] = ("x", "y"),
    aspect: str | float = "equal",
) -> Axes:
    """Draw a function of two variables as filled contours, and descents from several starts.

    Every start is descended with :func:`~gdregress.gradient_descent` at the same learning
    rate (and momentum); its path is drawn from a circle (the start) to a cross (where it
    stopped), and the legend says where each ended.

    Parameters
    ----------
    fun : callable
        ``fun(p)`` for ``p = (x, y)``; it must accept arrays x and y of any shape.
    grad : callable
        ``grad(p)``, the gradient at the point ``p``, an array of shape (2,).
    starts : sequence of (x, y)
        The starting points.
    ax : matplotlib Axes, optional
        Where to draw (default: new Axes on a new figure).
    learning_rate : float
        The step α of every descent.
    xlim, ylim : (float, float)
        The window drawn.
    max_iter : int, default=10_000
        Most steps of each descent.
    value_label : str, default="f(x, y)"
        The colour bar's label.
    cmap : str, default="viridis"
        The colour map of the contours.
    levels : int or sequence of float, default=24
        The number of filled contour levels, or the levels; values beyond the levels take
        the colours of the ends. Given levels are coloured band by band, evenly through the
        colour map, so that geometric levels (for a valley whose walls rise steeply) show as
        well as even ones.
    momentum : float, default=0.0
        The heavy ball's :math:`\beta` of every descent: 0 is the plain descent, a number in
        (0, 1) repeats that fraction of the last step (see :func:`~gdregress.gradient_descent`).
    labels : (str, str), default=("x", "y")
        The names of the two variables, on the axes.
    aspect : "equal", "auto" or float, default="equal"
        The axes' aspect: "equal" draws a round bowl round; "auto" fills the axes, for
        variables on different scales (a slope and an intercept).

    Returns
    -------
    matplotlib Axes
        The paths are the Line2D objects with gid ``"descent path"``, in the order of
        ``starts``, each with every iterate (``nit + 1`` points) and a legend label that says
        where it ended. A path of more than 400 iterates is drawn as
        :func:`plot_cost_surface` draws one: its first 12 steps as a line, then 400 points
        spaced geometrically in the step number (a line through every iterate of a long
        zig-zag would fill the valley with a solid band).

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> ax = plot_descents(lambda p: p[0] ** 2 + p[1] ** 2, lambda p: 2 * np.asarray(p),
    ...                    [(2, 3)], ax=Figure().subplots(), learning_rate=0.5,
    ...                    xlim=(-3, 3), ylim=(-3, 3))
    >>> ax.get_lines()[0].get_xydata()  # α = 1/2 on x² + y²: one step to the minimum
    array([[2., 3.],
           [0., 0.]])

    With momentum, a step also repeats β of the last one: from (2, 3) at α = 1/4 and β = 1/2,
    the second step is −α∇f(1, 1.5) + β·(−1, −1.5) = (−1, −1.5):

    >>> ax = plot_descents(lambda p: p[0] ** 2 + p[1] ** 2, lambda p: 2 * np.asarray(p),
    ...                    [(2, 3)], ax=Figure().subplots(), learning_rate=0.25, momentum=0.5,
    ...                    xlim=(-3, 3), ylim=(-3, 3), max_iter=2, aspect="auto")
    >>> ax.get_lines()[0].get_xydata()
    array([[2. , 3. ],
           [1. , 1.5],
           [0. , 0. ]])
    """
    from .optimize import gradient_descent

    ax = _new_axes(ax)
    root = ax.figure.figure  # the Figure itself, also for Axes on a SubFigure
    if root.get_layout_engine() is None:
        # The legend goes below the Axes: without a layout engine a plain savefig would cut it.
        root.set_layout_engine("constrained")
    x = np.linspace(*xlim, 301)
    y = np.linspace(*ylim, 301)
    XX, YY = np.meshgrid(x, y)
    values = np.asarray(fun(np.array([XX, YY])), dtype=np.float64)
    norm = None
    if not isinstance(levels, numbers.Integral):
        from matplotlib.colors import BoundaryNorm

        norm = BoundaryNorm(levels, ncolors=256, extend="both")
    filled = ax.contourf(XX, YY, values, levels=levels, cmap=cmap, norm=norm, extend="both")
    ax.contour(XX, YY, values, levels=filled.levels, colors="white", linewidths=0.4, alpha=0.6)
    bar = ax.figure.colorbar(filled, ax=ax, pad=0.02)
    bar.set_label(value_label)
    for i, start in enumerate(starts):
        result = gradient_descent(
            grad,
            np.asarray(start, dtype=np.float64),
            learning_rate=learning_rate,
            max_iter=max_iter,
            fun=fun,
            momentum=momentum,
        )
        path = result.path
        color = f"C{i % 10}" if i % 10 != 3 else "black"
        diverged = result.status == DescentStatus.DIVERGED
        end = "diverged" if diverged else f"({path[-1, 0]:.2f}, {path[-1, 1]:.2f})"
        steps = f"{result.nit} step{'s' if result.nit != 1 else ''}"
        label = f"({start[0]:g}, {start[1]:g}) → {end}, {steps}"
        if path_style(len(path))[2]:  # long: its first steps as a line, then thinned points
            draw_path(ax, path, label, color, gid="descent path")
        else:
            (line,) = ax.plot(path[:, 0], path[:, 1], color=color, lw=2, zorder=3, label=label)
            line.set_gid("descent path")
            ax.plot(*path[0], "o", color=color, mfc="white", mew=2, ms=8, zorder=4)
        ax.plot(*path[-1], "X", color=color, mec="white", ms=10, zorder=4)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect(aspect)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    memory = f", β = {momentum:g}" if momentum else ""
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncol=2,
        fontsize="small",
        title=f"start → end, α = {learning_rate:g}{memory}",
    )
    return ax


def _sauna(p):
    x, y = p[0], p[1]
    return 85 - x**2 * (x - 6) * y**2 * (y - 6) / 90


def _sauna_gradient(p):
    x, y = p
    return -np.array([x * (3 * x - 12) * y**2 * (y - 6), x**2 * (x - 6) * y * (3 * y - 12)]) / 90


def plot_sauna(
    ax: Axes | None = None,
    *,
    starts: Sequence[Sequence[float]] = ((0.5, 0.6), (6, 1), (5.5, 5.5), (0.4, 5.5), (3, 0)),
    learning_rate: float = 0.05,
) -> Axes:
    r"""Draw the lecture's sauna and descents of its temperature from several starts.

    The temperature :math:`T(x, y) = 85 - \frac{1}{90} x^2 (x - 6)\, y^2 (y - 6)` (°C) on
    the floor :math:`0 \le x, y \le 6` is 85 °C along the walls and coolest at
    :math:`(4, 4)`, 73.6 °C. Inside the room a step with :math:`\alpha = 0.05` moves each
    of :math:`x` and :math:`y` towards 4 without passing it (by at most 0.64), so a descent
    that starts inside stays inside and walks to :math:`(4, 4)` (slowly from near the corner
    :math:`(0, 0)`, where :math:`T` is flat). On the walls :math:`x = 0` and :math:`y = 0`
    both partial derivatives vanish (each has a factor :math:`x` and one of :math:`y`): a
    descent that starts there stays put at 85 °C, on a stationary point that is not the
    coolest. On the walls :math:`x = 6` and :math:`y = 6` the gradient is not zero (at
    :math:`(6, 4)` it is :math:`(12.8, 0)`): :math:`T` rises beyond them, and a descent that
    starts there walks into the room. Outside the walls the formula goes on, but there is
    no sauna: the figure greys it out.

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Where to draw (default: new Axes on a new figure).
    starts : sequence of (x, y), optional
        The starting points.
    learning_rate : float, default=0.05
        The step α.

    Returns
    -------
    matplotlib Axes
        As :func:`plot_descents` returns them.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = plot_sauna(ax=Figure().subplots())
    >>> for line in ax.get_lines():
    ...     if line.get_gid() == "descent path":
    ...         print(line.get_label())
    (0.5, 0.6) → (4.00, 4.00), 155 steps
    (6, 1) → (4.00, 4.00), 102 steps
    (5.5, 5.5) → (4.00, 4.00), 86 steps
    (0.4, 5.5) → (4.00, 4.00), 107 steps
    (3, 0) → (3.00, 0.00), 0 steps
    """
    from matplotlib.patches import Rectangle

    ax = _new_axes(ax, figsize=(7.5, 8.6))
    ax = plot_descents(
        _sauna,
        _sauna_gradient,
        starts,
        ax,
        learning_rate=learning_rate,
        xlim=(-0.4, 6.9),
        ylim=(-0.4, 6.9),
        value_label="temperature T (°C)",
        cmap="coolwarm",
        levels=np.linspace(73.5, 85.5, 17),
    )
    # Outside the walls the formula goes on, but there is no sauna: grey it out.
    for corner, width, height in [
        ((-1, -1), 9, 1),
        ((-1, 6), 9, 2),
        ((-1, 0), 1, 6),
        ((6, 0), 2, 6),
    ]:
        ax.add_patch(Rectangle(corner, width, height, fc="white", ec="none", alpha=0.55, zorder=1))
    ax.add_patch(
        Rectangle(
            (0, 0), 6, 6, fill=False, ec="black", lw=1.5, ls="--", zorder=2, label="the walls"
        )
    )
    ax.plot(4, 4, "*", color="black", mfc="gold", ms=16, zorder=5)
    ax.annotate(
        "coolest: T(4, 4) = 73.6 °C",
        (4, 4),
        xytext=(4, 6.45),  # above the room: the descents converge on the star from every side
        ha="center",
        va="center",
        fontsize="small",
        arrowprops={"arrowstyle": "-", "color": "black"},
    )
    ax.set_title("The sauna: T(x, y) = 85 − x²(x − 6)·y²(y − 6)/90")
    ax.set_xlabel("position x")
    ax.set_ylabel("position y")
    return ax
