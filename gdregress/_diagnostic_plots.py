r"""R's ``plot(lm)``: the four panels that say whether a fitted line is any good.

- **Residuals vs Fitted**: a pattern (a curve, a funnel) is what the line missed;
- **Normal Q-Q**: the standardized residuals against the normal's quantiles;
- **Scale-Location**: :math:`\sqrt{|t_i|}` against the fitted values: a rising trend is
  heteroskedasticity;
- **Residuals vs Leverage**: the standardized residuals against the leverages, with the
  contours of Cook's distance 0.5 and 1, beyond which a row moves the line.

Each panel labels its three most extreme rows by their index, as R does, and draws R's
smoother (a lowess, here evaluated on a grid) where R draws one. The numbers come from
:meth:`~gdregress.AnalyticLeastSquares.influence` and ``predict``, so they are the fit's, in
its centred coordinates. Re-exported by :mod:`gdregress.plotting`.
"""

from __future__ import annotations

import math

import numpy as np

from ._cost_drawing import DATA_COLOR, LINE_COLOR, check_fitted, points_style

__all__ = ["plot_diagnostics"]

# Points the smoother fits on at most (a random sample beyond), and where it evaluates.
_SMOOTH_POINTS, _SMOOTH_GRID = 20_000, 100
_COOK_LEVELS = (0.5, 1.0)
_NOTE_COLOR = "#d62728"


def plot_diagnostics(model, X, y, sample_weight=None, *, figure=None, labels: int = 3):
    r"""Draw R's four diagnostic panels of a fitted line (``plot(lm)``).

    Residuals vs Fitted, Normal Q-Q (standardized residuals :math:`t_i =
    e_i/(\hat\sigma\sqrt{1-h_i})`), Scale-Location (:math:`\sqrt{|t_i|}`), and Residuals vs
    Leverage with the contours of Cook's distance at 0.5 and 1; the ``labels`` most extreme
    rows of each panel (largest :math:`|e_i|`, :math:`|t_i|`, Cook's distance) named by
    their index. With weights, the residuals are :math:`\sqrt{w_i}\,r_i` and rows of weight
    0 are left out, as R leaves them.

    Parameters
    ----------
    model : AnalyticLeastSquares or GradientDescentRegressor
        Fitted, with one target.
    X, y, sample_weight : array-like or dask collections
        The data of the fit (its influence needs them all; a Dask collection is computed).
    figure : matplotlib Figure, optional
        Where to draw (default: a new one, not registered with pyplot).
    labels : int, default=3
        Rows to name in each panel.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from gdregress import AnalyticLeastSquares
    >>> from gdregress.datasets import load_tv_advertising
    >>> X, y = load_tv_advertising(return_X_y=True, as_frame=True)
    >>> figure = plot_diagnostics(AnalyticLeastSquares().fit(X, y), X, y)
    >>> [ax.get_title() for ax in figure.axes]
    ['Residuals vs Fitted', 'Normal Q-Q', 'Scale-Location', 'Residuals vs Leverage']
    """
    from matplotlib.figure import Figure

    check_fitted(model, "plot_diagnostics")
    if np.ndim(model.coef_) != 1:
        raise ValueError(
            "plot_diagnostics draws one target's residuals; fit one target (a 1-D y), or "
            "plot each column of y with a model of its own."
        )
    rows = _rows(model, X, y, sample_weight)
    figure = figure or Figure(figsize=(10, 8.6), layout="constrained")
    axes = figure.subplots(2, 2).ravel()
    fitted, residual, standard = rows["fitted"], rows["residual"], rows["standard"]
    _panel(axes[0], fitted, residual, rows, np.abs(residual), labels, smooth=True)
    axes[0].axhline(0.0, color="0.5", ls=":", lw=1)
    axes[0].set(title="Residuals vs Fitted", xlabel="Fitted values", ylabel="Residuals")
    _qq_panel(axes[1], standard, rows, labels)
    _panel(axes[2], fitted, np.sqrt(np.abs(standard)), rows, np.abs(standard), labels, smooth=True)
    axes[2].set(title="Scale-Location", xlabel="Fitted values", ylabel="√|Standardized residuals|")
    _leverage_panel(axes[3], rows, labels, model)
    return figure


def _rows(model, X, y, sample_weight) -> dict:
    """Fitted values, residuals √w·r, standardized residuals, leverages, Cook's distances and
    index labels of the rows of positive weight."""
    import pandas as pd

    frame = model.influence(X, y, sample_weight=sample_weight)
    fitted = model.predict(X)
    if hasattr(frame, "compute"):  # Dask: everything is drawn, so everything is computed
        import dask

        frame, fitted, y, sample_weight = dask.compute(frame, fitted, y, sample_weight)
    y = np.asarray(y, dtype=np.float64).ravel()
    fitted = np.asarray(fitted, dtype=np.float64).ravel()
    weights = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    keep = weights > 0
    index = frame.index if isinstance(frame, pd.DataFrame) else np.arange(len(y))
    return {
        "fitted": fitted[keep],
        "residual": ((y - fitted) * np.sqrt(weights))[keep],
        "standard": frame["resid_studentized_internal"].to_numpy()[keep],
        "hat": frame["hat"].to_numpy()[keep],
        "cook": frame["cooks_distance"].to_numpy()[keep],
        "names": [str(name) for name in np.asarray(index)[keep]],
    }


def _panel(ax, x, y, rows, extremity, labels: int, *, smooth: bool) -> None:
    """Points, R's smoother, and the most extreme rows named."""
    ax.scatter(x, y, color=DATA_COLOR, **points_style(len(x)))
    if smooth and len(x) > 3:
        grid, curve = _lowess(x, y)
        ax.plot(grid, curve, color=LINE_COLOR, lw=1.5)
    _name(ax, x, y, rows["names"], extremity, labels)
    ax.grid(alpha=0.3)


def _name(ax, x, y, names, extremity, labels: int) -> None:
    finite = np.where(np.isfinite(extremity), extremity, -np.inf)
    for i in np.argsort(finite)[::-1][:labels]:
        if np.isfinite(x[i]) and np.isfinite(y[i]):
            ax.annotate(
                names[i], (x[i], y[i]), xytext=(4, 2), textcoords="offset points", fontsize=8
            )


def _qq_panel(ax, standard, rows, labels: int) -> None:
    """The standardized residuals against the normal's quantiles at R's ``ppoints``, and the
    line through the quartiles (R's ``qqline``)."""
    from scipy import stats

    n = len(standard)
    shift = 3 / 8 if n <= 10 else 1 / 2
    theoretical = stats.norm.ppf((np.arange(1, n + 1) - shift) / (n + 1 - 2 * shift))
    order = np.argsort(standard)
    x = np.empty(n)
    x[order] = theoretical
    _panel(ax, x, standard, rows, np.abs(standard), labels, smooth=False)
    quartiles = np.quantile(standard[np.isfinite(standard)], [0.25, 0.75])
    normal = stats.norm.ppf([0.25, 0.75])
    slope = (quartiles[1] - quartiles[0]) / (normal[1] - normal[0])
    ax.axline((normal[0], quartiles[0]), slope=slope, color="0.5", ls="--", lw=1)
    ax.set(title="Normal Q-Q", xlabel="Theoretical quantiles", ylabel="Standardized residuals")


def _leverage_panel(ax, rows, labels: int, model) -> None:
    """The standardized residuals against the leverages, with Cook's distance's contours
    :math:`t = \\pm\\sqrt{D\\,p\\,(1 - h)/h}` at D = 0.5 and 1."""
    hat, standard = rows["hat"], rows["standard"]
    inside = hat < 1  # R leaves out rows of leverage one, whose residuals are 0/0
    _panel(
        ax,
        hat[inside],
        standard[inside],
        _subset(rows, inside),
        rows["cook"][inside],
        labels,
        smooth=True,
    )
    p = len(np.atleast_1d(model.coef_)) + int(model.fit_intercept)
    top = float(np.max(hat[inside], initial=0.0)) * 1.05 or 1.0
    positive = hat[inside & (hat > 0)]
    low = min(float(np.min(positive, initial=top)), top / 100)
    h = np.linspace(low, top, 101)
    for level in _COOK_LEVELS:
        bound = np.sqrt(level * p * (1 - h) / h)
        for sign in (1, -1):
            line = ax.plot(h, sign * bound, color=_NOTE_COLOR, ls="--", lw=1)[0]
        ax.annotate(
            f"{level:g}",
            (h[-1], bound[-1]),
            fontsize=8,
            color=_NOTE_COLOR,
            xytext=(2, 0),
            textcoords="offset points",
        )
    line.set_label("Cook's distance")
    span = np.nanmax(np.abs(standard[inside]), initial=1.0) * 1.15
    ax.set_ylim(-span, span)
    ax.set_xlim(0, top)
    ax.legend(loc="lower left", fontsize=8)
    ax.set(title="Residuals vs Leverage", xlabel="Leverage", ylabel="Standardized residuals")


def _subset(rows: dict, mask) -> dict:
    return {**rows, "names": [name for name, keep in zip(rows["names"], mask, strict=True) if keep]}


def _lowess(x, y, frac: float = 2 / 3, iterations: int = 3):
    """R's ``lowess`` (local linear fits on the nearest ``frac`` of the points with tricube
    weights, then ``iterations`` robustifying passes with bisquare weights), evaluated on a
    grid of x and on at most :data:`_SMOOTH_POINTS` points."""
    finite = np.isfinite(x) & np.isfinite(y)
    x, y = x[finite], y[finite]
    if len(x) > _SMOOTH_POINTS:
        keep = np.random.default_rng(0).choice(len(x), _SMOOTH_POINTS, replace=False)
        x, y = x[keep], y[keep]
    grid = np.linspace(x.min(), x.max(), _SMOOTH_GRID)
    k = max(2, math.ceil(frac * len(x)))
    robustness = np.ones(len(x))
    for iteration in range(iterations + 1):
        curve = np.array([_local_line(x, y, at, k, robustness) for at in grid])
        if iteration == iterations:
            return grid, curve
        residual = y - np.interp(x, grid, curve)
        scale = 6 * np.median(np.abs(residual))
        if scale == 0:
            return grid, curve
        robustness = np.clip(1 - (residual / scale) ** 2, 0, None) ** 2
    return grid, curve


def _local_line(x, y, at: float, k: int, robustness) -> float:
    distance = np.abs(x - at)
    reach = np.partition(distance, k - 1)[k - 1]
    weights = (
        np.clip(1 - (distance / reach) ** 3, 0, None) ** 3 * robustness
        if reach > 0
        else ((distance == 0) * robustness)
    )
    total = weights.sum()
    if total == 0:
        return float(np.nan)
    mean_x, mean_y = weights @ x / total, weights @ y / total
    spread = weights @ (x - mean_x) ** 2
    slope = weights @ ((x - mean_x) * (y - mean_y)) / spread if spread > 0 else 0.0
    return float(mean_y + slope * (at - mean_x))
