r"""Coordinates: the one place where the user's units and the solvers' coordinates meet.

Every solver works in the same coordinates. The data are first taken to the statistics' units:
each column (and y) beyond about 1e±90 divided by a power of two (:class:`Units`, exact), so
that no square leaves float64's range. Then, for a fit with an intercept, each active column is
centred on its exact mean and divided by its scale (its spread, standardised): the parameters
are

.. math::

    v = \mathrm{scale} \odot w', \qquad v_b = b' + (\mathrm{shift} + \mathrm{shift_{low}})
    \cdot w',

with :math:`w', b'` the coefficients and intercept in the statistics' units, so :math:`v_b` is
the line's value at the columns' mean. A fit's :class:`Coordinates` is built once, from the
statistics (:meth:`Coordinates.of_statistics`) or from the moments of the operator over the
rows (:meth:`Coordinates.of_moments`), and converts parameters, covariances, costs, rows and
predictions; no conversion is defined anywhere else. Powers of two are applied as exponents,
so that nothing representable is lost on the way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import _compensated
from ._numerics import EPS, TINY, exponent_of, times_power_of_two

__all__ = ["Centre", "Coordinates", "Units", "user_unit_statistics"]

# Numbers per chunk of rows when predicting in the centred form: the shifted copy stays small.
_PREDICT_CHUNK_NUMBERS = 2**18


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
    def of(cls, stats) -> Units:
        """The powers of two of a :class:`~gdregress._statistics.LeastSquaresStatistics`."""
        return cls(stats.x_scale, stats.y_scale, stats.weight_scale)

    @classmethod
    def identity(cls, n_features: int, n_targets: int) -> Units:
        """Units that convert nothing."""
        return cls(np.ones(n_features), np.ones(n_targets))

    @property
    def is_identity(self) -> bool:
        """Whether no column is scaled (the weights' scale changes no conversion here)."""
        return bool(np.all(self.x_scale == 1.0) and np.all(self.y_scale == 1.0))

    def rows_to_scaled(self, X: np.ndarray, y: np.ndarray, sample_weight=None, columns=None):
        """Rows of data in these units: ``X / x_scale``, ``y / y_scale`` and the weights
        divided by ``weight_scale``, exactly (powers of two).

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

    def coef_to_user(self, coef, intercept) -> tuple[np.ndarray, np.ndarray]:
        """``(coef (..., d, t), intercept (..., t))`` in the user's units, unchecked."""
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

    def cost_to_user(self, per_target: np.ndarray) -> np.ndarray:
        """Costs per target, shape (..., t), in the units of y: times ``y_scale²``.

        ``y_scale`` twice, as ``y_scale²`` may itself be inf (y beyond about 1e154 makes the
        cost inf), and a zero cost times inf would be NaN.
        """
        with np.errstate(over="ignore"):
            return per_target * self.y_scale * self.y_scale


@dataclass(frozen=True)
class Coordinates:
    r"""The user's units ⇄ the solvers' centred, scaled coordinates, for one fit.

    Attributes
    ----------
    units : Units
        The statistics' powers of two.
    shift, shift_low : ndarray of shape (n_features,)
        The centre, in the statistics' units: the columns' exact mean as a double-double
        number with an intercept (0 without centring).
    scale : ndarray of shape (n_features,)
        What each column is divided by (1 where it is inactive or not standardised).
    active : ndarray of bool, shape (n_features,)
        Columns that vary (with an intercept) or are not all zero (without); an inactive
        column's coefficient is 0.
    fit_intercept : bool
    column_sizes : ndarray of shape (n_features,) or None
        Root mean squares of the columns (statistics' units): what a term of the predictions
        weighs, to tell a coefficient lost to underflow from a harmless one.
    """

    units: Units
    shift: np.ndarray
    scale: np.ndarray
    active: np.ndarray
    fit_intercept: bool
    shift_low: np.ndarray | None = None
    column_sizes: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.shift_low is None:
            object.__setattr__(self, "shift_low", np.zeros_like(self.shift))

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def of_statistics(cls, stats, fit_intercept: bool) -> Coordinates:
        """The standardising coordinates of a fit from its statistics: centred on the exact
        means (with an intercept), each active column divided by its weighted spread (root
        mean square without an intercept)."""
        S = stats.weight_sum
        if fit_intercept:
            shift, shift_low = stats.x_mean, stats.x_mean_low
            # compute_statistics gives a constant column (in the rows of positive weight)
            # an exact spread of 0, however skewed the weights that make others' tiny.
            squares = np.diag(stats.xx)
        else:
            shift, shift_low = np.zeros_like(stats.x_mean), None
            squares = np.diag(stats.uncentred_xx())
        scale = np.sqrt(np.maximum(squares, 0.0) / S) if S > 0 else np.zeros_like(shift)
        active = scale > 0.0
        spread = np.sqrt(np.maximum(np.diag(stats.xx), 0.0) / S) if S > 0 else scale
        return cls(
            units=Units.of(stats),
            shift=shift,
            scale=np.where(active, scale, 1.0),
            active=active,
            fit_intercept=fit_intercept,
            shift_low=shift_low,
            column_sizes=np.hypot(spread, stats.x_mean),
        )

    @classmethod
    def of_operator(cls, design) -> Coordinates:
        """The coordinates of a :class:`~gdregress._operator.DesignOperator`: its shift and
        scale (plain float64 means: the operator route keeps no double-double ones)."""
        return cls(
            units=Units(design.x_scale, design.y_scale, design.weight_scale),
            shift=design.shift,
            scale=design.scale,
            active=design.active,
            fit_intercept=design.with_intercept or design.centred_targets,
            column_sizes=design.column_sizes,
        )

    def with_scale(self, scale: np.ndarray) -> Coordinates:
        """The same centre, the active columns divided by ``scale`` instead."""
        return replace(self, scale=np.where(self.active, scale, 1.0))

    def as_user_units(self) -> Coordinates:
        """No centring and no scaling beyond undoing the statistics' powers of two: the
        coordinates of the lecture's descent, in the user's own units."""
        d = self.shift.size
        return Coordinates(
            units=self.units,
            shift=np.zeros(d),
            scale=1.0 / self.units.x_scale,
            active=np.ones(d, dtype=bool),
            fit_intercept=self.fit_intercept,
            column_sizes=self.column_sizes,
        )

    @property
    def n_features(self) -> int:
        return self.shift.size

    @property
    def n_active(self) -> int:
        return int(self.active.sum())

    @property
    def n_parameters(self) -> int:
        """Parameters per target in these coordinates: the active columns and the intercept."""
        return self.n_active + int(self.fit_intercept)

    # --- parameters -----------------------------------------------------------------------

    def to_scaled_units(self, v, v_b) -> tuple[np.ndarray, np.ndarray]:
        """Parameters ``v (k, ...)`` and ``v_b (...)`` in the statistics' units: coefficients
        ``(n_features, ...)`` (0 for inactive columns) and intercepts."""
        v = np.asarray(v, dtype=np.float64)
        coef = np.zeros((self.n_features, *v.shape[1:]))
        coef[self.active] = v / _along(self.scale[self.active], v.ndim)
        # The shift's two parts in the reverse order of from_scaled_units: a round trip is
        # exact where the low part is below the intercept's rounding (it is, but for offsets).
        intercept = v_b - np.tensordot(self.shift, coef, axes=(0, 0))
        return coef, intercept - np.tensordot(self.shift_low, coef, axes=(0, 0))

    def from_scaled_units(self, coef, intercept) -> tuple[np.ndarray, np.ndarray]:
        """The inverse of :meth:`to_scaled_units` (the active columns' parameters only)."""
        coef = np.asarray(coef, dtype=np.float64)
        v_b = intercept + np.tensordot(self.shift_low, coef, axes=(0, 0))
        v_b = v_b + np.tensordot(self.shift, coef, axes=(0, 0))
        return coef[self.active] * _along(self.scale[self.active], coef.ndim), v_b

    def to_user(self, v, v_b, *, check: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Parameters in these coordinates, ``v (k, [m,] t)``, ``v_b ([m,] t)``, in the user's
        units: coefficients ``(n_features, [m,] t)`` and intercepts.

        A parameter that underflows there (to a subnormal or 0) loses digits, which is
        harmless when its share of the predictions is below their rounding; otherwise, and
        when one overflows, no float64 line fits the data and ``check`` makes it a
        ValueError (``check=False`` converts a descent's early iterates as they come).
        """
        coef, intercept = self.to_scaled_units(v, v_b)
        if coef.ndim == 3:  # many points (a path): (d, m, t) → (m, d, t) for the units
            coef = np.moveaxis(coef, 1, 0)
        return self.scaled_units_to_user(coef, intercept, check=check)

    def scaled_units_to_user(self, coef, intercept, *, check: bool = True):
        """Coefficients ``(..., d, t)`` and intercepts ``(..., t)`` in the statistics' units,
        in the user's (see :meth:`to_user`)."""
        user_coef, user_intercept = self.units.coef_to_user(coef, intercept)
        if check:
            self._require_representable(coef, intercept, user_coef, user_intercept)
        return user_coef, user_intercept

    def from_user(self, coef, intercept) -> tuple[np.ndarray, np.ndarray]:
        """User coefficients ``(n_features, t)`` and intercepts ``(t,)`` in these coordinates."""
        scaled_coef, scaled_intercept = self.units.coef_from_user(coef, intercept)
        return self.from_scaled_units(scaled_coef, scaled_intercept)

    def _require_representable(self, coef, intercept, user_coef, user_intercept) -> None:
        lost_coef = (coef != 0) & ~(np.abs(user_coef) >= TINY)
        lost_intercept = (intercept != 0) & ~(np.abs(user_intercept) >= TINY)
        if (np.any(lost_coef) or np.any(lost_intercept)) and self.column_sizes is not None:
            terms = np.abs(coef) * self.column_sizes[:, None]
            rounding = EPS * (np.sum(terms, axis=-2) + np.abs(intercept))
            lost_coef &= terms > rounding[..., None, :]
            lost_intercept &= np.abs(intercept) > rounding
        overflow = not (np.all(np.isfinite(user_coef)) and np.all(np.isfinite(user_intercept)))
        if overflow or np.any(lost_coef) or np.any(lost_intercept):
            raise ValueError(
                "The least-squares coefficients of this data are beyond the range of "
                "float64 (y of magnitude 1e200 on X of magnitude 1e-200, say, gives slopes "
                "near 1e400; the reverse, 1e-400). Rescale X or y (divide or multiply by a "
                "power of 10) and refit."
            )

    # --- statistics, costs and covariances --------------------------------------------------

    def statistics(self, stats):
        """The statistics of the active columns in these coordinates, without a pass over
        the data. Centred on the exact mean, their means are 0 and the intercept is the
        line's value there."""
        shift, scale = self.shift[self.active], self.scale[self.active]
        return replace(
            stats,
            x_mean=(stats.x_mean[self.active] - shift) / scale,
            x_mean_low=np.where(shift == 0.0, stats.x_mean_low[self.active], 0.0) / scale,
            xx=stats.xx[np.ix_(self.active, self.active)] / np.outer(scale, scale),
            xy=stats.xy[self.active] / scale[:, None],
            # One power of two per column kept, so that the units match the k columns.
            x_scale=stats.x_scale[self.active],
        )

    def cost_to_user(self, per_target: np.ndarray) -> np.ndarray:
        """Costs per target (..., t) of these coordinates in the units of y."""
        return self.units.cost_to_user(per_target)

    def jacobian(self) -> np.ndarray:
        r""":math:`\partial\theta'/\partial v` (p×p, features then the intercept): slopes
        divided by the scales, the intercept less the shifts times the slopes."""
        scale, shift = self.scale[self.active], self.shift[self.active]
        k, p = self.n_active, self.n_parameters
        jacobian = np.zeros((p, p))
        jacobian[:k, :k] = np.diag(1.0 / scale)
        if self.fit_intercept:
            jacobian[k, :k] = -shift / scale
            jacobian[k, k] = 1.0
        return jacobian

    def covariance_to_user(self, t: int, *, half=None, matrix=None):
        r"""A covariance of these coordinates' parameters as the user's: the covariance
        (features then the intercept, all columns active here) and the standard errors.

        ``half`` is :math:`H` with :math:`M = HH^\top` (then :math:`JMJ^\top = (JH)(JH)^\top`,
        positive semidefinite to rounding), or ``matrix`` is :math:`M`, in the statistics'
        units of target ``t``. The powers of two of the columns and of y are applied last, as
        exponents, so that standard errors beyond 1e±154, whose squares float64 cannot hold,
        keep their digits.
        """
        jacobian = self.jacobian()
        if half is not None:
            product = jacobian @ half
            inner = product @ product.T
        else:
            inner = jacobian @ matrix @ jacobian.T
        exponent = exponent_of(self.units.x_scale[self.active])
        if self.fit_intercept:
            exponent = np.append(exponent, 0)
        y_exponent = int(exponent_of(self.units.y_scale)[t])
        with np.errstate(over="ignore", under="ignore"):
            cov = np.ldexp(inner, 2 * y_exponent - exponent[:, None] - exponent[None, :])
            std_err = np.ldexp(np.sqrt(np.maximum(np.diag(inner), 0.0)), y_exponent - exponent)
        return cov, std_err

    # --- rows -----------------------------------------------------------------------------

    def design_block(self, X, y, root_weights=None, y_mean=None):
        r"""Rows in these coordinates: :math:`W^{1/2}[Z,\ 1]` (the ones column with an
        intercept) and the targets :math:`W^{1/2}(y - \bar y)` (centred with an intercept,
        given ``y_mean``), for the R factor and Dask's blocks alike.

        ``X`` holds the active columns and ``y`` the targets, both in the statistics' units
        (:meth:`Units.rows_to_scaled`).
        """
        Z = (X - self.shift[self.active]) / self.scale[self.active]
        columns = [Z, np.ones((X.shape[0], 1))] if self.fit_intercept else [Z]
        A = np.hstack(columns)
        targets = y - y_mean if self.fit_intercept and y_mean is not None else y
        if root_weights is not None:
            A *= root_weights[:, None]
            targets = targets * root_weights[:, None]
        return A, targets

    def rows_times(self, X, factor, *, accurate: bool) -> np.ndarray:
        r"""Rows :math:`a = [Z,\ 1]` of X (active columns, statistics' units) times ``factor``
        (p × m), shape (n, m).

        ``accurate`` takes :math:`Z` exactly (as double-double numbers) and sums the products
        in double-double (:func:`~gdregress._compensated.shifted_product`): rows of an
        ill-conditioned design times :math:`R^{-1}` cancel to eps·κ in float64.
        """
        k = self.n_active
        offset = factor[k] if self.fit_intercept else np.zeros(factor.shape[1])
        shift, scale = self.shift[self.active], self.scale[self.active]
        if accurate:
            return _compensated.shifted_product(X, shift, scale, factor[:k], offset)
        return ((X - shift) / scale) @ factor[:k] + offset

    def centre(self, value) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The centre and the line's value there (``v_b``, statistics' units) in the user's
        units, for :class:`Centre`; None without an intercept, or where they leave float64's
        range (data beyond about 1e±300: predictions then take ``X @ coef_ + intercept_``)."""
        if not self.fit_intercept:
            return None
        with np.errstate(over="ignore", under="ignore"):
            point = times_power_of_two(self.shift, self.units.x_scale, 1.0)
            point_low = times_power_of_two(self.shift_low, self.units.x_scale, 1.0)
            value = times_power_of_two(np.asarray(value, float), self.units.y_scale, 1.0)
        if not all(np.all(np.isfinite(a)) for a in (point, point_low, value)):
            return None
        return point, point_low, value


def _along(values: np.ndarray, ndim: int) -> np.ndarray:
    """``values`` (k,) shaped to broadcast along the first axis of an ndim array."""
    return values.reshape((-1,) + (1,) * (ndim - 1))


def user_unit_statistics(stats, what: str):
    """The statistics with no column scaled: those of the data as given.

    Raises
    ------
    ValueError
        Naming ``what`` needs them, when the squares of the data leave float64's range
        (values beyond about 1e±150).
    """
    if Units.of(stats).is_identity:
        return stats
    with np.errstate(over="ignore", under="ignore"):
        unscaled = stats.rescaled(np.ones(stats.n_features), np.ones(stats.n_targets))
    underflowed = np.any((np.diag(unscaled.xx) == 0) & (np.diag(stats.xx) > 0))
    if not unscaled.is_finite() or underflowed:
        raise ValueError(
            f"{what} works in the data's units, but the squares of this data leave "
            "float64's range (values beyond about 1e±150): rescale x or y (by a power of "
            "10) and fit again."
        )
    return unscaled


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
    coef, intercept : ndarray of shape (n_features, n_targets) and (n_targets,)
        The line's coefficients: a model whose ``coef_`` or ``intercept_`` were set by hand
        since predicts from those instead (:meth:`holds_for`).
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
        """Whether a model's ``coef_`` and ``intercept_`` (scikit-learn's shapes) are this
        line's."""
        coef = np.asarray(coef)
        coef = coef[:, None] if coef.ndim == 1 else coef.T
        return np.array_equal(coef, self.coef) and np.array_equal(
            np.atleast_1d(intercept), self.intercept
        )

    def predict(self, X: np.ndarray) -> np.ndarray:
        """:math:`\\hat y(\\bar x) + (X - \\bar x)\\,w`, chunk by chunk of rows, shape (n, t)
        (X dense, float32 or float64)."""
        coef = self.coef
        offset = self.value - self.point_low @ coef
        out = np.empty((X.shape[0], coef.shape[1]))
        rows = max(1, _PREDICT_CHUNK_NUMBERS // max(X.shape[1], 1))
        for start in range(0, X.shape[0], rows):
            block = np.subtract(X[start : start + rows], self.point, dtype=np.float64)
            np.add(block @ coef, offset, out=out[start : start + rows])
        return out

    def residuals(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """:math:`y - \\hat y` row by row in double-double precision, shape (n, t).

        ``X`` (n, d) and ``y`` (n, t) in the user's units; the differences ``X − point`` are
        taken exactly, so no digit of the residuals is lost to the columns' offsets.
        """
        coef = self.coef
        if self.low is None:
            return _compensated.centred_residual(y, X, self.point, self.point_low, coef, self.value)
        # The double-double solution itself: exact, where the mean (one float64 sum) is not.
        intercept = self.intercept
        low_coef, low_intercept = self.low  # (of order eps·|ŷ|: float64 is enough for them)
        plain = _compensated.residual(y, X, coef, intercept, np.zeros_like(y))
        return plain - (X @ low_coef + low_intercept)
