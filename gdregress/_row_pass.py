r"""The inference's pass over the rows of the fit, given again: one leaf, one merge.

``summary(X=X, y=y)``, ``influence`` and the robust covariances read the data of the fit once
more, as the source reads it (chunks of rows in memory, a map-reduce over the blocks of a
Dask collection). Each block gives its :class:`RowSums` — its statistics (to refuse data
that are not the fit's), :math:`\sum_i w_i r_i^2`, and what the caller asks for — and the
blocks merge in their order:

- ``"gram"``: the Gram matrix of the rows in the factor's coordinates (an ill-conditioned
  design's correction of :math:`R^{-1}`);
- ``"HC0"`` … ``"HC3"``: the meat :math:`\sum_i \omega_i w_i^2 u_i u_i^\top` per target;
- ``"HAC"``, ``"cluster"``: the scores' lagged or grouped sums (:mod:`gdregress._robust`);
- with ``residuals``, the residuals' sums of powers, Durbin–Watson's steps and the quantile
  sketch (:mod:`gdregress._diagnostics`).

The residuals are those of the model's line at the columns' exact mean
(:class:`~gdregress._coordinates.Centre`), in double-double; the rows :math:`u_i = a_i F` where
the design is orthonormal, in double-double too when it is ill-conditioned.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _compensated
from ._diagnostics import ResidualSums
from ._numerics import times_power_of_two
from ._quantiles import bracket_counts, merge_bracket_counts
from ._robust import GroupSums, LaggedSums
from ._statistics import LeastSquaresStatistics, compute_statistics, merge_statistics

__all__ = [
    "CHUNK_NUMBERS",
    "RowSums",
    "pass_over_rows",
    "read_brackets",
    "require_same_data",
    "row_residuals",
]

# Numbers per chunk of rows in the passes over the rows: memory O(chunk·d).
CHUNK_NUMBERS = 2**16
# Statistics of the data given again must equal the fitted ones to this relative tolerance
# (different chunkings of the same rows differ by rounding, about 1e-15).
_SAME_DATA_RTOL = 1e-8


@dataclass(frozen=True)
class RowSums:
    """One run of rows' part of the pass (see the module's docstring).

    Attributes
    ----------
    statistics : LeastSquaresStatistics
    rss : ndarray of shape (t,)
    matrix : ndarray or None
        The Gram matrix (p, p) or the HC meat (t, p, p).
    robust : LaggedSums, GroupSums or None
    residuals : ResidualSums or None
    """

    statistics: LeastSquaresStatistics
    rss: np.ndarray
    matrix: np.ndarray | None = None
    robust: Any = None
    residuals: ResidualSums | None = None

    def merge(self, later: RowSums) -> RowSums:
        """This run followed by ``later``."""
        return RowSums(
            merge_statistics(self.statistics, later.statistics),
            self.rss + later.rss,
            None if self.matrix is None else self.matrix + later.matrix,
            None if self.robust is None else self.robust.merge(later.robust),
            None if self.residuals is None else self.residuals.merge(later.residuals),
        )


def _merge(first: RowSums, second: RowSums) -> RowSums:
    return first.merge(second)


def row_residuals(X, y, sample_weight, weight_scale, *, fit):
    """The rows of a block in the statistics' units, their weights there, and their
    residuals :math:`r_i` (n, t) from the model's line, exactly to rounding."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    y = y.reshape(-1, 1) if y.ndim == 1 else y
    units = fit.coordinates.units
    residuals = None
    if fit.centre is not None:  # in the user's units, then divided by y's powers of two
        residuals = fit.centre.residuals(X, y) / units.y_scale
    X_scaled, y_scaled, _ = units.rows_to_scaled(X, y)
    weights = None
    if sample_weight is not None:
        weights = times_power_of_two(
            np.asarray(sample_weight, dtype=np.float64), weight_scale, units.weight_scale
        )
    if residuals is None:
        residuals = _compensated.residual(
            y_scaled, X_scaled, fit.coef, fit.intercept, np.zeros_like(y_scaled)
        )
    return X_scaled, weights, residuals


def weighted_residuals(residuals: np.ndarray, weights) -> np.ndarray:
    """statsmodels' ``wresid``: :math:`\\sqrt{w_i}\\,r_i` (the residuals without weights)."""
    return residuals if weights is None else residuals * np.sqrt(weights)[:, None]


def _sums_of_rows(
    X, y, sample_weight, weight_scale, groups=None, *, fit, what: str, residuals: bool, maxlags=0
) -> RowSums:
    """One block's :class:`RowSums` (``sample_weight`` already divided by
    ``weight_scale``, a power of two); ``groups``: the block's cluster labels."""
    stats = compute_statistics(
        np.asarray(X, dtype=np.float64),
        np.asarray(y, dtype=np.float64).reshape(len(X), -1),
        sample_weight,
        n_threads=1,
        weight_scale=weight_scale,
    )
    X, weights, r = row_residuals(X, y, sample_weight, weight_scale, fit=fit)
    squares = r**2 if weights is None else r**2 * weights[:, None]
    part = RowSums(stats, np.sum(squares, axis=0))
    if residuals:
        part = RowSums(stats, part.rss, residuals=ResidualSums.of(weighted_residuals(r, weights)))
    if what == "rss":
        return part
    if what == "gram":
        u = fit.rows(X)
        weighted = u if weights is None else u * weights[:, None]
        return RowSums(stats, part.rss, weighted.T @ u, residuals=part.residuals)
    u = fit.whitened_rows(X)
    if what in ("HAC", "cluster"):
        scores = (r if weights is None else r * weights[:, None])[:, :, None] * u[:, None, :]
        robust = LaggedSums.of(scores, maxlags) if what == "HAC" else GroupSums.of(scores, groups)
        return RowSums(stats, part.rss, robust=robust, residuals=part.residuals)
    weighted = u if weights is None else u * weights[:, None]
    omega = squares if weights is None else squares * weights[:, None]  # w²r²
    if what in ("HC2", "HC3"):
        leverage = np.sum(weighted * u, axis=1)
        power = 1 if what == "HC2" else 2
        omega = omega / (1.0 - leverage)[:, None] ** power
    meat = np.einsum("it,ij,ik->tjk", omega, u, u)
    return RowSums(stats, part.rss, meat, residuals=part.residuals)


def _rows_per_chunk(source) -> int:
    return max(1, CHUNK_NUMBERS // (source.n_features + source.n_targets + 1))


def pass_over_rows(fit, source, what: str, *, residuals: bool = False, maxlags: int = 0):
    """:class:`RowSums` of all the rows given, as the source reads them: chunks of rows in
    memory (memory O(chunk·d)), a map-reduce over the blocks of a Dask collection."""
    leaf = functools.partial(
        _sums_of_rows, fit=fit, what=what, residuals=residuals, maxlags=maxlags
    )
    return source.map_reduce(leaf, _merge, rows_per_chunk=_rows_per_chunk(source))


def _bracket_leaf(X, y, sample_weight, weight_scale, groups=None, *, fit, brackets):
    _, weights, r = row_residuals(X, y, sample_weight, weight_scale, fit=fit)
    e = weighted_residuals(r, weights)
    return [bracket_counts(e[:, t], a, b) for t, (a, b) in enumerate(brackets)]


def _merge_brackets(first, second):
    return [merge_bracket_counts(a, b) for a, b in zip(first, second, strict=True)]


def read_brackets(fit, source, brackets):
    """The quantile sketch's second pass (:mod:`gdregress._quantiles`): per target, for its
    brackets ``(a, b)``, the weighted residuals below each ``a`` and those inside."""
    leaf = functools.partial(_bracket_leaf, fit=fit, brackets=brackets)
    return source.map_reduce(leaf, _merge_brackets, rows_per_chunk=_rows_per_chunk(source))


def require_same_data(fitted: LeastSquaresStatistics, given: LeastSquaresStatistics) -> None:
    """Refuse data whose statistics are not those of the fit (to rounding)."""
    problem = None
    if given.n_rows != fitted.n_rows:
        problem = f"{given.n_rows} rows, where the model was fitted on {fitted.n_rows}"
    else:
        with np.errstate(over="ignore", under="ignore"):
            given = given.rescaled(fitted.x_scale, fitted.y_scale, fitted.weight_scale)
        x_spread = np.sqrt(np.maximum(np.diag(fitted.xx), 0.0))
        y_spread = np.sqrt(np.maximum(fitted.yy, 0.0))
        S = fitted.weight_sum
        checks = {
            "the sum of the weights": (given.weight_sum, fitted.weight_sum, abs(S)),
            "the means of X": (
                given.x_mean,
                fitted.x_mean,
                np.abs(fitted.x_mean) + x_spread / np.sqrt(S),
            ),
            "the means of y": (
                given.y_mean,
                fitted.y_mean,
                np.abs(fitted.y_mean) + y_spread / np.sqrt(S),
            ),
            "the cross-products of X": (given.xx, fitted.xx, np.outer(x_spread, x_spread)),
            "the cross-products of X and y": (given.xy, fitted.xy, np.outer(x_spread, y_spread)),
            "the spread of y": (given.yy, fitted.yy, fitted.yy),
        }
        for name, (a, b, size) in checks.items():
            if not np.all(np.abs(a - b) <= _SAME_DATA_RTOL * size):
                problem = f"{name} differ"
                break
    if problem is not None:
        raise ValueError(
            f"The data given are not the data the model was fitted on ({problem}). The robust "
            "covariances and the residuals' diagnostics read the rows of the fit again: pass "
            "the same X, y and sample_weight as to fit (after partial_fit, all its chunks "
            "together, in their order)."
        )
