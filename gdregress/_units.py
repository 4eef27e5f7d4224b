"""The user's units and the solvers' scaled units, and every conversion between them.

The statistics hold each column divided by a power of two when its magnitude is beyond about
1e±90 (``x_scale``, ``y_scale``), and the weights divided by one when they are extreme
(``weight_scale``), so that no square or product leaves float64's range. Solvers work in
those scaled units; the solution records they return are in the user's units, converted here
and nowhere else. Every conversion is exact (``ldexp``, rounded once), and comes in a pair.

For one target, with :math:`D_x = \\mathrm{diag}(x_{scale})` and :math:`s = y_{scale}`, the
user's parameters and cost are :math:`w = s D_x^{-1} w'`, :math:`b = s\\,b'` and
:math:`L(w, b) = s^2 L'(w', b')`, so gradients map by :math:`\\nabla_w L = s D_x^{-1}
\\nabla_{w'} L'` and Hessians by :math:`\\nabla^2 L = D_x^{-1} \\nabla^2 L' D_x^{-1}` (with a 1
for the intercept).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._numerics import exponent_of, times_power_of_two

__all__ = ["Units"]


@dataclass(frozen=True)
class Units:
    """Powers of two the data were divided by before squaring.

    Attributes
    ----------
    x_scale : ndarray of shape (n_features,)
    y_scale : ndarray of shape (n_targets,)
    weight_scale : float
        The weights' power of two. The cost is normalised by the weights' sum, so it changes
        no coefficient, cost or gradient; only the sum of the weights itself is in its units.
    """

    x_scale: np.ndarray
    y_scale: np.ndarray
    weight_scale: float = 1.0

    @classmethod
    def identity(cls, n_features: int, n_targets: int) -> Units:
        """Units that convert nothing."""
        return cls(np.ones(n_features), np.ones(n_targets))

    @property
    def is_identity(self) -> bool:
        """Whether no column is scaled (the weights' scale changes no conversion here)."""
        return bool(np.all(self.x_scale == 1.0) and np.all(self.y_scale == 1.0))

    # --- rows ------------------------------------------------------------------------------

    def rows_to_scaled(self, X: np.ndarray, y: np.ndarray, sample_weight=None, columns=None):
        """Rows of data in the statistics' units: ``X / x_scale``, ``y / y_scale`` and the
        weights divided by ``weight_scale``, exactly (powers of two).

        ``columns`` (a boolean mask or indices) selects the columns of X given. Returns the
        inputs themselves where their scales are 1 (no copy).
        """
        x_scale = self.x_scale if columns is None else self.x_scale[columns]
        if np.any(x_scale != 1.0):
            X = X / x_scale
        if np.any(self.y_scale != 1.0):
            y = y / self.y_scale
        if sample_weight is not None and self.weight_scale != 1.0:
            sample_weight = times_power_of_two(sample_weight, 1.0, self.weight_scale)
        return X, y, sample_weight

    # --- coefficients and intercepts ---------------------------------------------------------

    def coef_to_user(self, coef, intercept) -> tuple[np.ndarray, np.ndarray]:
        """Scaled ``(coef (..., d, t), intercept (..., t))`` in the user's units, unchecked.

        Values beyond float64's range become inf or underflow; the statistics' check
        (:meth:`~gdregress._statistics.LeastSquaresStatistics.to_user_units`) judges them.
        """
        with np.errstate(over="ignore", under="ignore"):
            return (
                times_power_of_two(coef, self.y_scale[None, :], self.x_scale[:, None]),
                times_power_of_two(intercept, self.y_scale, 1.0),
            )

    def coef_from_user(self, coef, intercept) -> tuple[np.ndarray, np.ndarray]:
        """The inverse of :meth:`coef_to_user`."""
        with np.errstate(over="ignore", under="ignore"):
            return (
                times_power_of_two(coef, self.x_scale[:, None], self.y_scale[None, :]),
                times_power_of_two(intercept, 1.0, self.y_scale),
            )

    # --- costs ---------------------------------------------------------------------------

    def cost_to_user(self, per_target: np.ndarray) -> np.ndarray:
        """Costs per target, shape (..., t), in the units of y: times ``y_scale²``.

        ``y_scale`` twice, as ``y_scale²`` may itself be inf (y beyond about 1e154 makes the
        cost inf), and a zero cost times inf would be NaN.
        """
        with np.errstate(over="ignore"):
            return per_target * self.y_scale * self.y_scale

    def cost_from_user(self, per_target: np.ndarray) -> np.ndarray:
        """The inverse of :meth:`cost_to_user`."""
        with np.errstate(under="ignore"):
            return per_target / self.y_scale / self.y_scale

    # --- gradients and Hessians ------------------------------------------------------------

    def gradient_to_user(self, grad_coef, grad_intercept) -> tuple[np.ndarray, np.ndarray]:
        """A gradient ``(d, t), (t,)`` of the scaled cost as the gradient of the user's cost.

        The coefficients' components are multiplied by ``x_scale·y_scale``, the intercept's
        by ``y_scale``: the chain rule through :math:`w' = D_x w / s`, times :math:`s^2`.
        The exponents are added, so no product of scales leaves float64's range on the way.
        """
        exponent = exponent_of(self.x_scale)[:, None] + exponent_of(self.y_scale)[None, :]
        with np.errstate(over="ignore", under="ignore"):
            return (
                np.ldexp(grad_coef, exponent),
                np.ldexp(grad_intercept, exponent_of(self.y_scale)),
            )

    def gradient_from_user(self, grad_coef, grad_intercept) -> tuple[np.ndarray, np.ndarray]:
        """The inverse of :meth:`gradient_to_user`."""
        exponent = exponent_of(self.x_scale)[:, None] + exponent_of(self.y_scale)[None, :]
        with np.errstate(over="ignore", under="ignore"):
            return (
                np.ldexp(grad_coef, -exponent),
                np.ldexp(grad_intercept, -exponent_of(self.y_scale)),
            )

    def _hessian_exponent(self, fit_intercept: bool) -> np.ndarray:
        """Per entry of a Hessian (features, then the intercept), the exponent of D·H·D."""
        exponent = exponent_of(self.x_scale)
        if fit_intercept:
            exponent = np.append(exponent, 0)
        return exponent[:, None] + exponent[None, :]

    def hessian_to_user(self, hessian: np.ndarray, fit_intercept: bool) -> np.ndarray:
        """The Hessian (one target; features then the intercept) of the user's cost.

        :math:`D_x H' D_x`: y's scale cancels (the cost's :math:`s^2` against the
        parameters' :math:`1/s^2`).
        """
        with np.errstate(over="ignore", under="ignore"):
            return np.ldexp(hessian, self._hessian_exponent(fit_intercept))

    def hessian_from_user(self, hessian: np.ndarray, fit_intercept: bool) -> np.ndarray:
        """The inverse of :meth:`hessian_to_user`."""
        with np.errstate(over="ignore", under="ignore"):
            return np.ldexp(hessian, -self._hessian_exponent(fit_intercept))


# Numbers per chunk of rows when predicting in the centred form: the shifted copy stays small.
_PREDICT_CHUNK_NUMBERS = 2**18


@dataclass(frozen=True)
class Centre:
    r"""A point of a fitted line, in the user's units: its value at the columns' exact mean.

    A line with an intercept passes through :math:`(\bar x, \hat y(\bar x))`, and
    :math:`\hat y(x) = \hat y(\bar x) + (x - \bar x)\cdot w` keeps the digits that
    :math:`x \cdot w + b` loses when the columns lie far from 0 against their spread: for
    Unix times (x = 1.7e9 ± 50) the intercept is near :math:`-10^{10}`, and one rounding of
    it moves every prediction by 1e-6. The mean is kept as a double-double number
    (``point + point_low``), so that ``x − point`` is exact (Sterbenz) and ``point_low`` a
    correction of its own size.

    Attributes
    ----------
    point, point_low : ndarray of shape (n_features,)
        The columns' mean, in two parts.
    value : ndarray of shape (n_targets,)
        The line's value there, per target.
    coef, intercept : ndarray
        The ``coef_`` and ``intercept_`` the centre belongs to: a model whose attributes
        were set by hand predicts from them instead (:meth:`holds_for`).
    low : tuple (ndarray of shape (n_features, n_targets), ndarray of shape (n_targets,)) or None
        What ``coef_`` and ``intercept_`` leave of a solution known to twice float64's
        precision (the closed form's refined route): residuals are then those of that
        solution, computed from it in double-double.
    """

    point: np.ndarray
    point_low: np.ndarray
    value: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    low: tuple | None = None

    def holds_for(self, coef, intercept) -> bool:
        """Whether ``coef_`` and ``intercept_`` are still those this centre was made with."""
        return np.array_equal(coef, self.coef) and np.array_equal(intercept, self.intercept)

    def predict(self, X: np.ndarray, coef: np.ndarray) -> np.ndarray:
        """:math:`\\hat y(\\bar x) + (X - \\bar x)\\,w`, chunk by chunk of rows, shape (n, t).

        ``coef`` is (n_features, n_targets); X dense, float32 or float64.
        """
        offset = self.value - self.point_low @ coef
        out = np.empty((X.shape[0], coef.shape[1]))
        rows = max(1, _PREDICT_CHUNK_NUMBERS // max(X.shape[1], 1))
        for start in range(0, X.shape[0], rows):
            block = np.subtract(X[start : start + rows], self.point, dtype=np.float64)
            np.add(block @ coef, offset, out=out[start : start + rows])
        return out

    def residuals(self, X: np.ndarray, y: np.ndarray, coef: np.ndarray) -> np.ndarray:
        """:math:`y - \\hat y` row by row in double-double precision, shape (n, t).

        ``X`` (n, d) and ``y`` (n, t) in the user's units; the differences ``X − point`` are
        taken exactly, so no digit of the residuals is lost to the columns' offsets.
        """
        from ._compensated import centred_residual, residual

        if self.low is None:
            return centred_residual(y, X, self.point, self.point_low, coef, self.value)
        # The double-double solution itself: exact, where the mean (one float64 sum) is not.
        intercept = np.atleast_1d(np.asarray(self.intercept, dtype=np.float64))
        low_coef, low_intercept = self.low  # (of order eps·|ŷ|: float64 is enough for them)
        return residual(y, X, coef, intercept, np.zeros_like(y)) - (X @ low_coef + low_intercept)


def centre_of_line(
    x_mean: np.ndarray, x_mean_low: np.ndarray, value: np.ndarray, units: Units
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The centre's mean and value in the user's units, from the statistics' units.

    Powers of two, exact; None where they leave float64's range (data beyond about 1e±300),
    where predictions fall back to ``X @ coef_ + intercept_``.
    """
    with np.errstate(over="ignore", under="ignore"):
        point = times_power_of_two(x_mean, units.x_scale, 1.0)
        point_low = times_power_of_two(x_mean_low, units.x_scale, 1.0)
        value = times_power_of_two(value, units.y_scale, 1.0)
    if not all(np.all(np.isfinite(a)) for a in (point, point_low, value)):
        return None
    return point, point_low, value
