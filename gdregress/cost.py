"""The half-MSE cost of a line (or hyperplane), exactly, from the statistics.

The cost the lecture descends is

.. math::

    L(w, b) = \\frac{1}{2S} \\sum_i w_i (x_i \\cdot w + b - y_i)^2, \\qquad S = \\sum_i w_i,

which with unit weights is the lecture's :math:`\\frac{1}{2n}\\sum_i (m x_i + b - y_i)^2`. It
is a quadratic in :math:`(w, b)` whose coefficients are the statistics of
:mod:`gdregress._statistics`, so its value, gradient and Hessian cost :math:`O(d^2)` whatever
the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ._numerics import FLAT_CURVATURE, require_positive_weight_sum
from ._statistics import LeastSquaresStatistics

__all__ = ["ExpandedQuadratic", "LeastSquaresCost"]


@dataclass(frozen=True)
class ExpandedQuadratic:
    """The sum of squares of a one-feature fit, written out as the lecture writes it.

    :math:`E(m, b) = a_{mm} m^2 + a_{bb} b^2 + c + a_{mb}\\,mb + a_m m + a_b b`, where
    :math:`E = \\sum_i w_i (m x_i + b - y_i)^2 = 2S\\,L(m, b)`.
    """

    mm: float
    bb: float
    const: float
    mb: float
    m: float
    b: float

    def __call__(self, m: float, b: float) -> float:
        """The value :math:`E(m, b)`."""
        return (
            self.mm * m * m
            + self.bb * b * b
            + self.const
            + self.mb * m * b
            + self.m * m
            + self.b * b
        )

    def gradient(self, m: float, b: float) -> tuple[float, float]:
        """The partial derivatives :math:`(\\partial E/\\partial m, \\partial E/\\partial b)`."""
        return (2 * self.mm * m + self.mb * b + self.m, 2 * self.bb * b + self.mb * m + self.b)

    def __str__(self) -> str:
        terms = [
            (self.mm, "m²"),
            (self.bb, "b²"),
            (self.const, ""),
            (self.mb, "mb"),
            (self.m, "m"),
            (self.b, "b"),
        ]
        parts = []
        for coefficient, name in terms:
            if coefficient == 0:
                continue
            magnitude = f"{abs(coefficient):.6g}"
            if name and magnitude == "1":
                magnitude = ""
            if parts:
                parts.append(f"{'-' if coefficient < 0 else '+'} {magnitude}{name}")
            else:
                parts.append(f"{'-' if coefficient < 0 else ''}{magnitude}{name}")
        return "E(m, b) = " + (" ".join(parts) if parts else "0")


class LeastSquaresCost:
    r"""The half-MSE cost :math:`L(w, b)` as a quadratic known from the statistics.

    With the centred statistics :math:`S, \bar x, \bar y, S_{xx}, S_{xy}, S_{yy}` and the
    residual of the means :math:`e = \bar x \cdot w + b - \bar y`,

    .. math::

        L(w, b) = \frac{1}{2S}\left(w^\top S_{xx} w - 2 w^\top S_{xy} + S_{yy}\right)
                  + \tfrac12 e^2,

        \nabla_w L = \frac{1}{S}(S_{xx} w - S_{xy}) + e\,\bar x, \qquad
        \partial L / \partial b = e,

        \nabla^2 L = \begin{pmatrix} S_{xx}/S + \bar x \bar x^\top & \bar x \\
                     \bar x^\top & 1 \end{pmatrix}.

    Without an intercept, :math:`b = 0` and the Hessian is the top-left block. For several
    targets the costs of the targets add up; coefficients then have shape
    ``(n_features, n_targets)`` and intercepts ``(n_targets,)``.

    Parameters
    ----------
    statistics : LeastSquaresStatistics
        The statistics of the data.
    fit_intercept : bool, default=True
        Whether :math:`b` is a parameter; if not, it is held at 0.

    Examples
    --------
    The lecture's power lines, (1, 2), (2, 5), (3, 3):

    >>> import numpy as np
    >>> from gdregress._statistics import compute_statistics
    >>> stats = compute_statistics(np.array([[1.0], [2.0], [3.0]]), np.array([2.0, 5.0, 3.0]))
    >>> cost = LeastSquaresCost(stats)
    >>> print(cost.expanded_quadratic())
    E(m, b) = 14m² + 3b² + 38 + 12mb - 42m - 20b
    >>> round(2 * 3 * cost.value([0.5], 7 / 3), 6)  # E(1/2, 7/3) = 25/6
    4.166667
    """

    def __init__(self, statistics: LeastSquaresStatistics, fit_intercept: bool = True) -> None:
        require_positive_weight_sum(statistics.weight_sum)  # else the cost is 0/0
        self.statistics = statistics
        self.fit_intercept = fit_intercept

    @property
    def n_parameters(self) -> int:
        """Number of parameters per target: the features, plus one for the intercept."""
        return self.statistics.n_features + int(self.fit_intercept)

    def _as_targets(self, coef, intercept) -> tuple[np.ndarray, np.ndarray, bool]:
        """Coefficients as (n_features, n_targets), intercepts as (n_targets,)."""
        coef = np.asarray(coef, dtype=np.float64)
        one_target = coef.ndim == 1
        coef2 = coef[:, None] if one_target else coef
        b = intercept if self.fit_intercept else 0.0
        intercept2 = np.broadcast_to(np.asarray(b, dtype=np.float64), (coef2.shape[1],))
        return coef2, intercept2, one_target

    def value(self, coef, intercept=0.0) -> float:
        """The cost :math:`L(w, b)`, summed over targets.

        Parameters
        ----------
        coef : array-like of shape (n_features,) or (n_features, n_targets)
        intercept : float or array-like of shape (n_targets,), default=0.0
            Ignored without an intercept.
        """
        coef2, intercept2, _ = self._as_targets(coef, intercept)
        return float(self.value_path(coef2[None], intercept2[None])[0])

    def gradient(self, coef, intercept=0.0) -> tuple[np.ndarray, np.ndarray | float]:
        """The gradient :math:`(\\nabla_w L, \\partial L/\\partial b)`.

        Parameters
        ----------
        coef : array-like of shape (n_features,) or (n_features, n_targets)
        intercept : float or array-like of shape (n_targets,), default=0.0

        Returns
        -------
        grad_coef : ndarray, the shape of ``coef``
        grad_intercept : float or ndarray of shape (n_targets,)
            0 without an intercept.
        """
        coef2, intercept2, one_target = self._as_targets(coef, intercept)
        theta = np.vstack([coef2, intercept2[None, :]]) if self.fit_intercept else coef2
        g = self.hessian @ theta - self.linear_term
        d = self.statistics.n_features
        grad_coef = g[:d]
        grad_intercept = g[d] if self.fit_intercept else np.zeros(coef2.shape[1])
        if one_target:
            return grad_coef[:, 0], float(grad_intercept[0])
        return grad_coef, grad_intercept

    @cached_property
    def hessian(self) -> np.ndarray:
        """The Hessian of :math:`L` in :math:`(w, b)` (one target), shape (p, p).

        ``p = n_features + 1`` with an intercept (the last row and column are b's), else
        ``n_features``. It does not depend on (w, b): the cost is a quadratic.
        """
        stats = self.statistics
        top = stats.xx / stats.weight_sum + np.outer(stats.x_mean, stats.x_mean)
        if not self.fit_intercept:
            return top
        d = stats.n_features
        H = np.empty((d + 1, d + 1))
        H[:d, :d] = top
        H[:d, d] = H[d, :d] = stats.x_mean
        H[d, d] = 1.0
        return H

    @cached_property
    def linear_term(self) -> np.ndarray:
        """The vector :math:`q` with :math:`\\nabla L(\\theta) = H\\theta - q`, shape (p, t).

        :math:`\\theta` stacks the coefficients and (with an intercept) the intercept, as the
        rows of :attr:`hessian` do: :math:`q = (\\sum_i w_i x_i y_i / S,\\ \\bar y)`. With it
        an iteration of gradient descent is one small matrix product.
        """
        stats = self.statistics
        top = stats.uncentred_xy() / stats.weight_sum
        if not self.fit_intercept:
            return top
        return np.vstack([top, stats.y_mean[None, :]])

    def value_path(
        self, coefs: np.ndarray, intercepts: np.ndarray, *, per_target: bool = False
    ) -> np.ndarray:
        """The cost at many points at once, e.g. every iterate of a descent.

        Parameters
        ----------
        coefs : ndarray of shape (n_points, n_features, n_targets)
        intercepts : ndarray of shape (n_points, n_targets)
            Ignored without an intercept.
        per_target : bool, default=False
            Return each target's cost instead of their sum.

        Returns
        -------
        ndarray of shape (n_points,), or (n_points, n_targets) with ``per_target``
            In the statistics' units (y divided by its power of two, 1 unless y is beyond
            1e±90; :meth:`~gdregress._coordinates.Coordinates.cost_to_user` converts them).
        """
        stats = self.statistics
        spread = np.einsum("nit,ij,njt->nt", coefs, stats.xx, coefs) - 2 * np.einsum(
            "nit,it->nt", coefs, stats.xy
        )
        e = np.einsum("i,nit->nt", stats.x_mean, coefs) - stats.y_mean
        if self.fit_intercept:
            e = e + intercepts
        values = (spread + stats.yy) / (2 * stats.weight_sum) + 0.5 * e**2
        # A sum of squares: at an exact fit rounding can leave a tiny negative number.
        values = np.maximum(values, 0.0)
        return values if per_target else np.sum(values, axis=1)

    @cached_property
    def curvatures(self) -> np.ndarray:
        """The eigenvalues of the Hessian, smallest first: the curvatures of the cost."""
        if self.hessian.size == 0:
            return np.zeros(1)
        return np.linalg.eigvalsh(self.hessian)

    @property
    def max_curvature(self) -> float:
        """The largest curvature :math:`L_{max}`: the largest eigenvalue of the Hessian.

        The gradient is :math:`L_{max}`-Lipschitz, so a fixed step :math:`\\alpha` descends
        exactly when :math:`0 < \\alpha < 2/L_{max}`.
        """
        return float(self.curvatures[-1])

    @cached_property
    def min_curvature(self) -> float:
        """The smallest curvature that is not zero to rounding: the smallest positive eigenvalue.

        Directions of zero curvature (collinear features) take no part in the descent; along
        the others the cost is at least this curved, so :math:`\\|\\theta - \\theta^*\\|
        \\le \\|\\nabla L(\\theta)\\| / \\lambda_{min}`.

        The statistics fix every entry of the Hessian to rounding relative to itself, not to
        :math:`L_{max}`: with raw features of size 1e6 beside the intercept's 1, the
        intercept's curvature is 1e-12 of :math:`L_{max}` (1e-30 at 1e15), yet known to
        every digit. So flatness is judged on the Hessian with unit diagonal,
        :math:`A = D^{-1} H D^{-1}` (:math:`D^2` the diagonal of :math:`H`), whose eigenvalues
        below ``FLAT_CURVATURE`` (:math:`10^{-12}`) times :math:`p` of its largest are
        rounding; and the smallest positive curvature is
        :math:`1 / \\lambda_{max}(D^{-1} A^{+} D^{-1})`, which keeps its digits where the
        smallest eigenvalue of :math:`H` itself would be lost to those of
        :math:`L_{max}`. (Standardised, :math:`D = I`.)
        """
        hessian = self.hessian
        scale = np.sqrt(np.diag(hessian))
        curved = scale > 0.0
        if not np.any(curved):
            return 0.0
        outer = np.outer(scale[curved], scale[curved])
        values, vectors = np.linalg.eigh(hessian[np.ix_(curved, curved)] / outer)
        kept = values > values[-1] * values.size * FLAT_CURVATURE
        inverse = (vectors[:, kept] / values[kept]) @ vectors[:, kept].T / outer
        return float(1.0 / np.linalg.eigvalsh(inverse)[-1])

    def expanded_quadratic(self) -> ExpandedQuadratic:
        """The sum of squares :math:`E(m, b) = 2S\\,L(m, b)` written out, for one feature.

        Its coefficients are the raw sums :math:`\\sum w x^2, S, \\sum w y^2, 2\\sum w x,
        -2\\sum w x y, -2\\sum w y`, recovered from the centred statistics.
        """
        stats = self.statistics
        if stats.n_features != 1 or stats.n_targets != 1:
            raise ValueError(
                "The expanded quadratic E(m, b) is written for one feature and one target; "
                f"these statistics have {stats.n_features} features and "
                f"{stats.n_targets} targets."
            )
        S = stats.weight_sum
        sum_x = S * stats.x_mean[0]
        sum_y = S * stats.y_mean[0]
        return ExpandedQuadratic(
            mm=float(stats.uncentred_xx()[0, 0]),
            bb=S,
            const=float(stats.uncentred_yy()[0]),
            mb=float(2 * sum_x),
            m=float(-2 * stats.uncentred_xy()[0, 0]),
            b=float(-2 * sum_y),
        )
