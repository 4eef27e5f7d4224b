r"""Exact quantiles of values read in blocks, in bounded memory: a sketch, then brackets.

R's ``summary.lm`` prints the residuals' quantiles (type 7: :math:`h = (n - 1)q`, the order
statistics :math:`x_{(\lfloor h\rfloor)}` and :math:`x_{(\lfloor h\rfloor + 1)}`
interpolated). Order statistics need the values, not sums of them, so over blocks that do
not fit in memory together (a Dask collection) they are found in two passes:

1. Each block gives a :class:`QuantileSketch`: its sorted values with, for each, how many
   values of the block it stands for below and above (:math:`1` and :math:`1` while every
   value is kept). Sketches merge by concatenation; past :data:`SKETCH_SIZE` values a merge
   keeps every few and hands the counts of those it drops to its neighbours. The counts stay
   true bounds: :math:`U(a) = \sum_{v_s < a} \mathrm{up}_s \ge \#\{x < a\}` and
   :math:`L(b) = \sum_{v_s \le b} \mathrm{low}_s \le \#\{x \le b\}`.
2. Where the merged sketch kept every value it *is* the data, and the quantiles are read off
   it. Otherwise each wanted order statistic :math:`r` lies in a bracket
   :math:`[a, b]` with :math:`U(a) \le r` and :math:`L(b) \ge r + 1`; one more pass counts the
   values below :math:`a` and collects those inside (a few times ``n / SKETCH_SIZE`` of them),
   and the order statistic is picked exactly from them.

Nothing is approximate: the result equals ``numpy.quantile`` of all the values (method
"linear", R's type 7), whatever the blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "QUANTILES",
    "SKETCH_SIZE",
    "QuantileSketch",
    "bracket_counts",
    "merge_bracket_counts",
    "quantiles_of",
]

# R's residual quantiles: Min, 1Q, Median, 3Q, Max.
QUANTILES = (0.0, 0.25, 0.5, 0.75, 1.0)
# Values a merged sketch keeps at most: below it the sketch holds every value (one pass);
# beyond it, the brackets hold about depth·n/SKETCH_SIZE values each (depth: merge levels).
SKETCH_SIZE = 2**15


@dataclass(frozen=True)
class QuantileSketch:
    """Sorted values, each standing for ``low`` values at or below it and ``up`` values
    from it up to the next one kept; ``n`` values in all."""

    values: np.ndarray
    low: np.ndarray
    up: np.ndarray
    n: int

    @classmethod
    def of(cls, values: np.ndarray) -> QuantileSketch:
        """The sketch of one block of values: all of them."""
        values = np.sort(np.asarray(values, dtype=np.float64))
        ones = np.ones(values.size, dtype=np.int64)
        return cls(values, ones, ones.copy(), values.size)

    @property
    def complete(self) -> bool:
        """Whether the sketch holds every value (then it is the data, sorted)."""
        return self.values.size == self.n

    def merge(self, other: QuantileSketch) -> QuantileSketch:
        """The sketch of both blocks' values, thinned to :data:`SKETCH_SIZE`."""
        values = np.concatenate([self.values, other.values])
        order = np.argsort(values, kind="stable")
        merged = QuantileSketch(
            values[order],
            np.concatenate([self.low, other.low])[order],
            np.concatenate([self.up, other.up])[order],
            self.n + other.n,
        )
        return merged.thinned(SKETCH_SIZE)

    def thinned(self, size: int) -> QuantileSketch:
        """About ``size`` of the values (the first and the last always): a dropped value's
        ``up`` goes to the kept value before it and its ``low`` to the kept value after it,
        so that both bounds stay true (only looser)."""
        m = self.values.size
        if m <= size:
            return self
        keep = np.unique(np.r_[np.arange(0, m, -(-m // size)), m - 1])
        # Each value's up joins the last kept value at or before it; its low the first kept
        # value at or after it.
        up = np.add.reduceat(self.up, keep)
        low_groups = np.r_[0, keep[:-1] + 1]
        low = np.add.reduceat(self.low, low_groups)
        return QuantileSketch(self.values[keep], low, up, self.n)

    def order_statistics(self, ranks: np.ndarray):
        """For each 0-based rank, the sorted value if the sketch is complete, else a bracket
        ``(a, b)`` that holds it; returns ``(values or None, a, b)``."""
        if self.complete:
            return self.values[ranks], None, None
        # U at each kept value (values strictly below it), L at each (values at or below).
        above = np.concatenate([[0], np.cumsum(self.up)])  # U(v) after the values < v
        below = np.cumsum(self.low)
        first = np.searchsorted(self.values, self.values, side="left")  # values < v_s
        upper = above[first]
        last = np.searchsorted(self.values, self.values, side="right") - 1
        lower = below[last]
        a = np.array([self.values[np.nonzero(upper <= r)[0][-1]] for r in ranks])
        b = np.array([self.values[np.nonzero(lower >= r + 1)[0][0]] for r in ranks])
        return None, a, b


def type7_ranks(n: int, quantiles=QUANTILES):
    """R's type 7: for each q, the ranks ``floor(h)`` and ``floor(h) + 1`` (capped at n − 1)
    and the fraction ``h − floor(h)``, with :math:`h = (n - 1)q`."""
    h = (n - 1) * np.asarray(quantiles, dtype=np.float64)
    lower = np.floor(h).astype(np.int64)
    return lower, np.minimum(lower + 1, n - 1), h - lower


def quantiles_of(sketches, read_brackets, quantiles=QUANTILES) -> list[np.ndarray]:
    """The quantiles of the values each sketch was made of, exactly.

    ``read_brackets(brackets)`` makes the second pass where a sketch is not complete: for a
    list of ``(a, b)`` arrays of bracket ends (empty for a complete sketch), it returns per
    sketch the count of values below each ``a`` and the values in ``[a, b]``
    (:func:`bracket_counts` merged by :func:`merge_bracket_counts`).
    """
    m = len(quantiles)
    plans = []
    for sketch in sketches:
        low_rank, high_rank, fraction = type7_ranks(max(sketch.n, 1), quantiles)
        values, a, b = sketch.order_statistics(np.concatenate([low_rank, high_rank]))
        # A bracket [a of the lower rank, b of the upper] holds both order statistics.
        ends = (np.empty(0), np.empty(0)) if values is not None else (a[:m], b[m:])
        plans.append((low_rank, high_rank, fraction, values, ends))
    read = None
    if any(plan[3] is None for plan in plans):
        read = read_brackets([plan[4] for plan in plans])
    results = []
    for i, (low_rank, high_rank, fraction, values, _) in enumerate(plans):
        if sketches[i].n == 0:
            results.append(np.full(m, np.nan))
            continue
        if values is None:
            counts, inside = read[i]
            inside = [np.sort(values_in) for values_in in inside]
            ranks = np.r_[low_rank, high_rank]
            values = np.array([inside[j % m][rank - counts[j % m]] for j, rank in enumerate(ranks)])
        low, high = values[:m], values[m:]
        # R's type 7 as numpy's "linear" method interpolates (from the nearer end).
        step = high - low
        results.append(
            np.where(fraction >= 0.5, high - step * (1 - fraction), low + step * fraction)
        )
    return results


def bracket_counts(values: np.ndarray, a: np.ndarray, b: np.ndarray):
    """One block's part of the second pass: per bracket, the values below ``a`` and the
    values in ``[a, b]``."""
    values = np.asarray(values, dtype=np.float64)
    counts = np.array([int(np.count_nonzero(values < lo)) for lo in a], dtype=np.int64)
    inside = [values[(values >= lo) & (values <= hi)] for lo, hi in zip(a, b, strict=True)]
    return counts, inside


def merge_bracket_counts(first, second):
    """Two blocks' :func:`bracket_counts` as one."""
    return first[0] + second[0], [
        np.concatenate([x, y]) for x, y in zip(first[1], second[1], strict=True)
    ]
