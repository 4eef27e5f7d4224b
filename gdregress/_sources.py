"""Data sources: the few operations the solvers need from the data, once per kind of input.

A solver never reads rows itself. It asks a source for

* :meth:`statistics` — the one-pass, mergeable sums that fix the cost exactly;
* :meth:`r_factor` — the R factor of the centred, column-scaled, weighted design (with the
  targets' projections), for the accurate route of the closed form;
* :meth:`operator` — the centred, column-scaled, weighted design as a linear operator
  (matrix–vector products, never a d×d matrix), for wide or sparse designs: arrays in
  memory only.

:class:`ArraySource` serves numpy arrays and scipy.sparse matrices in memory;
:class:`gdregress._dask.DaskSource` serves Dask collections, computing the same quantities
block by block where the data lives and merging them up a tree. Weights are normalised once,
by :func:`~gdregress._numerics.normalised_weights`, for both.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.sparse

from ._numerics import normalised_weights
from ._operator import DesignOperator, design_operator
from ._statistics import LeastSquaresStatistics, compute_statistics
from ._validation import require_finite

__all__ = [
    "OPERATOR",
    "ROWS",
    "STATISTICS",
    "ArraySource",
    "DataSource",
    "RFactor",
    "Refinement",
    "StatisticsSource",
    "WeightLogs",
    "padded_to_square",
]

# What a source can offer (its ``offers``): the one-pass statistics, the design as an operator
# over the rows in memory, and its rows read again (the accurate route's R factor, the robust
# covariances' second pass; by blocks on Dask). The route plan reads these, not the source's
# type.
STATISTICS, OPERATOR, ROWS = "statistics", "operator", "rows"


@dataclass(frozen=True)
class Refinement:
    """What iterative refinement needs beyond R: the rows and the thin Q (memory only).

    Attributes
    ----------
    X, y : ndarray
        The active columns and the targets of the rows of positive weight, in the units
        of the statistics.
    weights, root_weights : ndarray or None
        Their weights (None for unit weights) and square roots.
    q, r : ndarray
        The thin QR factors of :math:`W^{1/2}[Z,\\ 1]` (the ones column with an intercept).
    """

    X: np.ndarray
    y: np.ndarray
    weights: np.ndarray | None
    root_weights: np.ndarray | None
    q: np.ndarray
    r: np.ndarray


@dataclass(frozen=True)
class RFactor:
    r"""The R factor of the centred, column-scaled, weighted design and the targets.

    For :math:`W^{1/2}\,[Z,\ 1,\ y - y_{shift}] = Q\begin{pmatrix} R & R_y \\ 0 & \cdot
    \end{pmatrix}` with :math:`Z` the active columns, centred and scaled (units of the
    statistics) and the ones column only with an intercept, every route solves
    :math:`R\,\theta = R_y` for the scaled coefficients (and, with an intercept, a
    correction to :math:`y_{shift}` that the centring's rounding leaves).

    Attributes
    ----------
    r_design : ndarray of shape (p, p)
        :math:`R`, with rows of zeros below the rank a few rows allow (p = k + 1 with an
        intercept, else k).
    r_targets : ndarray of shape (p, n_targets)
        :math:`R_y = Q^\top W^{1/2} (y - y_{shift})`, likewise.
    refinement : Refinement or None
        The data for iterative refinement, where the rows are at hand.
    """

    r_design: np.ndarray
    r_targets: np.ndarray
    refinement: Refinement | None = None


@dataclass(frozen=True)
class WeightLogs:
    r"""What the likelihood of a weighted fit needs beyond the statistics, merged exactly.

    WLS's log-likelihood adds :math:`\tfrac12\sum_i \log w_i`; rows of weight 0 are left
    out of it (R's ``logLik``: statsmodels' would be :math:`-\infty`), so their count is
    kept too. Read in the statistics' pass (a Dask fit) or from the weights in memory.

    Attributes
    ----------
    n_positive : int
        Rows of positive weight.
    log_sum : float
        :math:`\sum_{w_i > 0} \log w_i`, the weights in the user's units.
    smallest, largest : float
        The extreme weights (1 and 1 without weights): whether the weights vary.
    """

    n_positive: int
    log_sum: float
    smallest: float
    largest: float

    @classmethod
    def of(cls, weights, weight_scale: float, n_rows: int) -> WeightLogs:
        """The weights of a block (divided by ``weight_scale``, a power of two), or None for
        ``n_rows`` rows of weight 1."""
        if weights is None:
            return cls(n_rows, 0.0, 1.0 if n_rows else math.inf, 1.0 if n_rows else -math.inf)
        weights = np.asarray(weights, dtype=np.float64)
        positive = weights[weights > 0]
        log_sum = float(np.sum(np.log(positive))) + positive.size * math.log(weight_scale)
        smallest = float(np.min(weights, initial=math.inf)) * weight_scale
        return cls(
            positive.size,
            log_sum,
            smallest,
            float(np.max(weights, initial=-math.inf)) * weight_scale,
        )

    def merge(self, other: WeightLogs) -> WeightLogs:
        """Both blocks' weights."""
        return WeightLogs(
            self.n_positive + other.n_positive,
            self.log_sum + other.log_sum,
            min(self.smallest, other.smallest),
            max(self.largest, other.largest),
        )


def padded_to_square(r: np.ndarray) -> np.ndarray:
    """An R factor of fewer rows than columns, with rows of zeros appended (a square R)."""
    missing = max(0, r.shape[1] - r.shape[0])
    return np.vstack([r, np.zeros((missing, r.shape[1]))]) if missing else r


class DataSource(Protocol):
    """What a solver may ask of the data (see the module's docstring)."""

    def statistics(self) -> LeastSquaresStatistics: ...

    def r_factor(self, coordinates, statistics: LeastSquaresStatistics) -> RFactor: ...

    def operator(
        self, *, centre: bool, standardize: bool, with_intercept: bool, centred_targets: bool
    ) -> DesignOperator: ...


class StatisticsSource:
    """Statistics alone — ``partial_fit``'s, merged over every chunk seen: no rows to read.

    Parameters
    ----------
    statistics : LeastSquaresStatistics
    weight_logs : WeightLogs, optional
        Those of every chunk seen, merged.
    """

    offers = frozenset({STATISTICS})

    def __init__(
        self, statistics: LeastSquaresStatistics, weight_logs: WeightLogs | None = None
    ) -> None:
        self._statistics = statistics
        self._weight_logs = weight_logs
        self.n_features, self.n_targets = statistics.n_features, statistics.n_targets

    def statistics(self) -> LeastSquaresStatistics:
        return self._statistics

    def weight_logs(self) -> WeightLogs | None:
        return self._weight_logs


class ArraySource:
    """Validated arrays in memory (numpy, or scipy.sparse X), never copied whole.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        float64 or float32, already validated.
    y : ndarray of shape (n_samples, n_targets)
    sample_weight : ndarray of shape (n_samples,) or None
        Non-negative; divided here by a power of two when extreme (the fit does not change).
    feature_names : sequence of str, optional
        The columns' names, for the message that names a NaN's column.
    groups : array-like of shape (n_samples,), optional
        A label per row (the clusters of a cluster-robust covariance), given to
        :meth:`map_reduce`'s leaf with each chunk (``groups=``).
    """

    offers = frozenset({STATISTICS, OPERATOR, ROWS})

    def __init__(
        self,
        X,
        y: np.ndarray,
        sample_weight: np.ndarray | None = None,
        feature_names=None,
        groups=None,
    ) -> None:
        self.X = X
        self.y = y
        self.feature_names = feature_names
        self.sample_weight, self.weight_scale = normalised_weights(sample_weight)
        self.n_features, self.n_targets = X.shape[1], y.shape[1]
        self.groups = groups

    def with_groups(self, groups) -> ArraySource:
        """The same rows, each with its label (one per row, in memory)."""
        labels = np.asarray(groups)
        if labels.ndim != 1 or len(labels) != self.X.shape[0]:
            raise ValueError(
                f"groups must hold one label per row of X ({self.X.shape[0]}), got shape "
                f"{labels.shape}."
            )
        source = copy.copy(self)
        source.groups = labels
        return source

    def weight_logs(self) -> WeightLogs:
        """See :class:`WeightLogs`."""
        return WeightLogs.of(self.sample_weight, self.weight_scale, self.X.shape[0])

    def map_reduce(self, leaf, merge, *, rows_per_chunk: int):
        """``leaf(X, y, sample_weight, weight_scale)`` on chunks of rows (sparse chunks made
        dense, one at a time: memory O(chunk·d)), merged in row order by ``merge``.

        The merges form a balanced tree over the chunks, in their order (a stack of runs of
        equal size, as a binary counter): each result takes part in O(log n) merges, not
        O(n) — what keeps a merge that thins its operands (the residuals' quantile sketch)
        as close to the data as on Dask's tree of blocks, and sums as accurate.
        """
        X, y, weights = self.X, self.y, self.sample_weight
        runs: list = []  # (level, merged result of 2**level chunks), in row order
        for start in range(0, X.shape[0], max(1, rows_per_chunk)):
            chunk = slice(start, start + rows_per_chunk)
            block = X[chunk]
            block = block.toarray() if scipy.sparse.issparse(block) else block
            w = None if weights is None else weights[chunk]
            labels = {} if self.groups is None else {"groups": self.groups[chunk]}
            run = (0, leaf(block, y[chunk], w, self.weight_scale, **labels))
            while runs and runs[-1][0] == run[0]:
                level, earlier = runs.pop()
                run = (level + 1, merge(earlier, run[1]))
            runs.append(run)
        total = runs.pop()[1] if runs else None
        while runs:
            total = merge(runs.pop()[1], total)
        return total

    def map_rows(self, leaf, columns: list[str], *, rows_per_chunk: int = 2**12):
        """``leaf(X, y, sample_weight, weight_scale)`` on chunks of rows, each giving an
        array of a row per row and a column per name: a pandas DataFrame of all rows."""
        import pandas as pd

        def concatenated(first, second):
            return np.concatenate([first, second])

        rows = self.map_reduce(leaf, concatenated, rows_per_chunk=rows_per_chunk)
        return pd.DataFrame(rows, columns=columns)

    def statistics(self) -> LeastSquaresStatistics:
        """The statistics in one pass; NaN, inf or overflow found from them, then named.

        Finiteness is read off the statistics instead of a pass of its own: NaN or inf
        anywhere makes them non-finite, and only then is the data searched.
        """
        stats = compute_statistics(
            self.X, self.y, self.sample_weight, weight_scale=self.weight_scale
        )
        if not stats.is_finite():
            self._refuse_non_finite()
        return stats

    def operator(
        self, *, centre: bool, standardize: bool, with_intercept: bool, centred_targets: bool
    ) -> DesignOperator:
        """The design as a linear operator (see :func:`~gdregress._operator.design_operator`).

        NaN or inf in the data show as a non-finite moment, and are then named.
        """
        root_weights = None if self.sample_weight is None else np.sqrt(self.sample_weight)
        with np.errstate(over="ignore", invalid="ignore"):
            design = design_operator(
                self.X,
                self.y,
                root_weights,
                self.weight_scale,
                centre=centre,
                standardize=standardize,
                with_intercept=with_intercept,
                centred_targets=centred_targets,
            )
        moments = (design.shift, design.column_norms, design.targets, design.y_mean)
        if not all(np.all(np.isfinite(values)) for values in moments):
            self._refuse_non_finite()
        return design

    def _refuse_non_finite(self):
        """Name NaN or inf in X or y (its column and first row); else the data are finite
        but their squares overflow."""
        require_finite(self.X, "X", self.feature_names)
        require_finite(self.y[:, 0] if self.y.shape[1] == 1 else self.y, "y")
        raise ValueError(
            "The data are finite but too large: their squares overflow float64 "
            f"(largest |X| = {abs(self.X).max():.3g}, largest |y| = "
            f"{np.max(np.abs(self.y)):.3g}). Rescale X or y (for example divide by a power "
            "of 10) and refit."
        )

    def r_factor(self, coordinates, statistics: LeastSquaresStatistics) -> RFactor:
        """QR of the rows in the fit's coordinates (:math:`W^{1/2}[Z,\\ 1]`, by
        :meth:`~gdregress._coordinates.Coordinates.design_block`), with the targets projected
        on Q.

        Rows of weight 0 take no part. The accurate route works on a dense copy of the
        active design in any case, which is why it is taken only when the statistics show an
        ill-conditioned design.
        """
        X, y, weights = self.X, self.y, self.sample_weight
        if weights is not None:
            rows = weights > 0
            X, y, weights = X[rows], y[rows], weights[rows]
            if np.all(weights == 1.0):
                weights = None
        active = coordinates.active
        X = X[:, active]
        X = X.toarray() if scipy.sparse.issparse(X) else np.asarray(X, dtype=np.float64)
        X, y, _ = coordinates.units.rows_to_scaled(
            X, np.asarray(y, dtype=np.float64), columns=active
        )
        root_weights = None if weights is None else np.sqrt(weights)
        A, targets = coordinates.design_block(X, y, root_weights, statistics.y_mean)
        q, r = np.linalg.qr(A)
        p = A.shape[1]
        r_targets = np.vstack([q.T @ targets, np.zeros((max(0, p - q.shape[1]), y.shape[1]))])
        return RFactor(
            r_design=padded_to_square(r),
            r_targets=r_targets,
            refinement=Refinement(X, y, weights, root_weights, q, r),
        )
