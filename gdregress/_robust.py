r"""The meat of the sandwich covariances that need more than one row at a time: HAC, cluster.

HC0–HC3 sum :math:`\omega_i\,u_i u_i^\top` row by row. Two covariances of statsmodels sum
products of *several* rows' scores :math:`g_i = w_i r_i u_i` (:math:`u_i` the row where the
design is orthonormal, as for HC0–HC3; :math:`r_i` the residual, :math:`w_i` the weight):

- ``"HAC"`` (Newey and West): :math:`S = \sum_i g_i g_i^\top + \sum_{l=1}^{L} k_l \sum_i
  (g_i g_{i-l}^\top + g_{i-l} g_i^\top)` with Bartlett's weights :math:`k_l = 1 - l/(L + 1)`
  and, by default, :math:`L = \lfloor 4 (n/100)^{2/9} \rfloor` (statsmodels' ``S_hac_simple``;
  no small-sample correction, statsmodels' default). The rows are in time order: the order
  given, the blocks of a Dask collection in theirs.
- ``"cluster"`` (one-way, CRV1): :math:`S = \sum_g s_g s_g^\top` with :math:`s_g` the sum of the
  scores of group :math:`g`, times :math:`\frac{G}{G - 1}\frac{n - 1}{n - p}` (statsmodels'
  ``cov_cluster`` with ``use_correction=True``); t and F then take :math:`G - 1` degrees of
  freedom (statsmodels' ``df_correction``).

Both are read in blocks of rows and merged exactly: HAC keeps each block's first and last
:math:`L` scores, so that the lagged products across a boundary are added when two
neighbouring blocks merge; cluster keeps the sums per group label.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "COV_TYPES",
    "GroupSums",
    "LaggedSums",
    "check_maxlags",
    "default_maxlags",
    "inference_df",
    "meat_correction",
]

COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "HAC", "cluster")


def default_maxlags(n_rows: int) -> int:
    """statsmodels' (and Newey and West's) rule: :math:`\\lfloor 4 (n/100)^{2/9} \\rfloor`."""
    return math.floor(4 * (n_rows / 100.0) ** (2.0 / 9.0))


def check_maxlags(maxlags, n_rows: int) -> int:
    """``maxlags`` as an int from 0 to n − 1 (None: :func:`default_maxlags`), or a ValueError."""
    if maxlags is None:
        return default_maxlags(n_rows)
    if isinstance(maxlags, bool) or not isinstance(maxlags, int | np.integer) or maxlags < 0:
        raise ValueError(
            f"maxlags must be a whole number of rows ≥ 0 (the highest lag of the HAC "
            f"covariance), got {maxlags!r}; None takes floor(4·(n/100)^(2/9)) = "
            f"{default_maxlags(n_rows)}."
        )
    if maxlags >= n_rows:
        raise ValueError(f"maxlags={maxlags} needs more than {maxlags} rows; there are {n_rows}.")
    return int(maxlags)


def _bartlett(maxlags: int) -> np.ndarray:
    return 1.0 - np.arange(maxlags + 1) / (maxlags + 1.0)


def _products(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """:math:`\\sum_i a_i b_i^\\top + b_i a_i^\\top` per target, rows (n, t, p) → (t, p, p)."""
    product = np.einsum("itj,itk->tjk", later, earlier)
    return product + product.transpose(0, 2, 1)


@dataclass(frozen=True)
class LaggedSums:
    """One run of rows' part of HAC's :math:`S` (lags within the run), and its first and
    last ``maxlags`` scores, shape (m, t, p), for the lags across its ends."""

    matrix: np.ndarray
    head: np.ndarray
    tail: np.ndarray
    maxlags: int

    @classmethod
    def of(cls, scores: np.ndarray, maxlags: int) -> LaggedSums:
        """The sums of one block of scores (n, t, p), rows in time order."""
        weights = _bartlett(maxlags)
        matrix = np.einsum("itj,itk->tjk", scores, scores)
        for lag in range(1, min(maxlags, len(scores) - 1) + 1):
            matrix += weights[lag] * _products(scores[lag:], scores[:-lag])
        n = len(scores)
        return cls(matrix, scores[: min(maxlags, n)], scores[n - min(maxlags, n) :], maxlags)

    def merge(self, later: LaggedSums) -> LaggedSums:
        """The sums of this run followed by ``later``: the lags that cross the boundary join
        a row of this run's tail to one of the next run's head."""
        weights, maxlags = _bartlett(self.maxlags), self.maxlags
        matrix = self.matrix + later.matrix
        tail, head = self.tail, later.head
        for lag in range(1, maxlags + 1):
            position = np.arange(lag)  # in the head; its partner is `lag` rows earlier
            partner = len(tail) - lag + position
            valid = (partner >= 0) & (position < len(head))
            if np.any(valid):
                pair = _products(head[position[valid]], tail[partner[valid]])
                matrix = matrix + weights[lag] * pair
        rows = np.concatenate([self.head, later.head])
        ends = np.concatenate([self.tail, later.tail])
        return LaggedSums(
            matrix, rows[:maxlags], ends[len(ends) - min(maxlags, len(ends)) :], maxlags
        )


@dataclass(frozen=True)
class GroupSums:
    """The scores summed per group label: ``labels`` (G,), ``sums`` (G, t, p)."""

    labels: np.ndarray
    sums: np.ndarray

    @classmethod
    def of(cls, scores: np.ndarray, groups) -> GroupSums:
        """The sums of one block of scores (n, t, p) by its rows' group labels."""
        codes, labels = pd.factorize(np.asarray(groups).ravel())
        if len(codes) != len(scores):
            raise ValueError(
                f"groups has {len(codes)} labels in a block of {len(scores)} rows: give one "
                "label per row of X, cut into the same blocks."
            )
        if np.any(codes < 0):
            raise ValueError(
                "groups has missing values (NaN or None): every row needs the label of its "
                "cluster; drop those rows from the fit or give them a label of their own."
            )
        return cls(np.asarray(labels), _summed(codes, len(labels), scores))

    def merge(self, other: GroupSums) -> GroupSums:
        """Both blocks' sums, a label seen in both summed once."""
        codes, labels = pd.factorize(np.concatenate([self.labels, other.labels]))
        return GroupSums(
            np.asarray(labels), _summed(codes, len(labels), np.concatenate([self.sums, other.sums]))
        )

    @property
    def n_groups(self) -> int:
        return len(self.labels)

    def meat(self) -> np.ndarray:
        """:math:`\\sum_g s_g s_g^\\top` per target, (t, p, p)."""
        return np.einsum("gtj,gtk->tjk", self.sums, self.sums)


def _summed(codes: np.ndarray, n_labels: int, scores: np.ndarray) -> np.ndarray:
    sums = np.zeros((n_labels, *scores.shape[1:]))
    np.add.at(sums, codes, scores)
    return sums


def meat_correction(cov_type: str, n_rows: int, n_params: int, n_groups: int = 0) -> float:
    """statsmodels' small-sample factor: HC1's :math:`n/(n - p)`; cluster's
    :math:`\\frac{G}{G-1}\\frac{n-1}{n-p}`; 1 for the others (HAC's default is none)."""
    if cov_type == "HC1":
        return n_rows / (n_rows - n_params)
    if cov_type == "cluster":
        return n_groups / (n_groups - 1) * (n_rows - 1) / (n_rows - n_params)
    return 1.0


def inference_df(cov_type: str, df_resid: int, n_groups: int = 0) -> int:
    """The degrees of freedom of t and F: :math:`G - 1` for cluster (statsmodels'
    ``df_correction``), else :math:`n - p`."""
    return n_groups - 1 if cov_type == "cluster" else df_resid
