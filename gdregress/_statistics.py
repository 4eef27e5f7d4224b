"""The one-pass, mergeable statistics that fix a weighted least-squares cost.

For least squares every quantity the lecture computes (the cost, its partial derivatives, the
point where they vanish, each descent step) depends on the data only through a few sums. This
module computes them in one pass over the rows, chunk by chunk, and merges the sums of two
chunks into the sums of both; nothing else in gdregress reads the data for a fit.

The sums are kept centred, because centred sums do not cancel: the uncentred ``Σ wᵢ xᵢ²`` of
budgets near 1e6 with a spread of 1 would lose twelve digits to the mean.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse

from ._chunk_sums import NARROW, ChunkReducer, sums_and_gram
from ._compensated import two_sum
from ._numerics import (
    CONSTANT_COLUMN_TOLERANCE,
    column_magnitudes,
    normalised_weights,
    power_of_two_scale,
)
from ._threads import THREADS, one_blas_thread, thread_pool

__all__ = ["LeastSquaresStatistics", "compute_statistics", "merge_statistics"]

# Bytes per chunk of the shifted copy: it stays in cache and never approaches the size of the
# data. Narrow data (at most NARROW columns with the targets) is reduced by a dot product per
# pair of columns, a Python call for every few numbers of a row, which like longer chunks than
# BLAS's Gram product does (but still within the core's own cache: 4 MiB made it a third
# slower).
_CHUNK_BYTES = 2**19
_NARROW_CHUNK_BYTES = 2**20
# Tasks the pass is cut into, for the threads to share: enough that a thread slowed by the
# machine's other work holds the others up by at most a few percent.
_TASKS = 32
# Data of at least this many numbers is reduced with BLAS held to one thread per thread of ours.
_SERIAL_BLAS_NUMBERS = 2**16


@dataclass(frozen=True)
class LeastSquaresStatistics:
    r"""Weighted, centred sums that determine the half-MSE cost exactly.

    For rows :math:`x_i \in \mathbb{R}^d`, targets :math:`y_i \in \mathbb{R}^t` and weights
    :math:`w_i \ge 0`, with :math:`S = \sum_i w_i`:

    .. math::

        \bar x = \frac{1}{S}\sum_i w_i x_i, \qquad
        \bar y = \frac{1}{S}\sum_i w_i y_i,

        S_{xx} = \sum_i w_i (x_i - \bar x)(x_i - \bar x)^\top, \quad
        S_{xy} = \sum_i w_i (x_i - \bar x)(y_i - \bar y)^\top, \quad
        S_{yy} = \sum_i w_i (y_i - \bar y)^{\circ 2}.

    Attributes
    ----------
    n_rows : int
        Number of rows seen (rows of weight 0 included).
    weight_sum : float
        :math:`S`, the sum of the weights (the number of rows with unit weights).
    x_mean : ndarray of shape (n_features,)
    y_mean : ndarray of shape (n_targets,)
    xx : ndarray of shape (n_features, n_features)
        Centred weighted cross-product matrix :math:`S_{xx}`.
    xy : ndarray of shape (n_features, n_targets)
        Centred weighted cross-products :math:`S_{xy}` of the features with the targets.
    yy : ndarray of shape (n_targets,)
        Centred weighted sum of squares :math:`S_{yy}` of each target.
    x_scale, y_scale : ndarray of shape (n_features,) and (n_targets,)
        Powers of two the columns were divided by before squaring; all the sums above are
        those of :math:`x / x_{scale}` and :math:`y / y_{scale}`. They are 1 unless a column's
        magnitude is beyond about :math:`10^{\pm 90}`, where squares and products would
        overflow or underflow float64 (:class:`~gdregress._coordinates.Units`).
    weight_scale : float
        The power of two the weights were divided by (1 unless they are beyond about
        :math:`2^{\pm 500}`); ``weight_sum`` and the centred sums are those of the divided
        weights. The cost is normalised by the weights' sum, so it does not change.
    x_mean_low : ndarray of shape (n_features,)
        What ``x_mean`` leaves out: ``x_mean + x_mean_low`` is the mean to about twice
        float64's precision (a double-double number). Columns far from 0 against their
        spread (Unix times, 1.7e9 ± 50) need it: one rounding of their mean, 1e-7 there, is
        a shift of the fitted line that predictions and residuals would inherit.
    """

    n_rows: int
    weight_sum: float
    x_mean: np.ndarray
    y_mean: np.ndarray
    xx: np.ndarray
    xy: np.ndarray
    yy: np.ndarray
    x_scale: np.ndarray | None = None
    y_scale: np.ndarray | None = None
    weight_scale: float = 1.0
    x_mean_low: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.x_scale is None:
            object.__setattr__(self, "x_scale", np.ones(self.x_mean.shape[0]))
        if self.y_scale is None:
            object.__setattr__(self, "y_scale", np.ones(self.y_mean.shape[0]))
        if self.x_mean_low is None:
            object.__setattr__(self, "x_mean_low", np.zeros(self.x_mean.shape[0]))

    def rescaled(
        self, x_scale: np.ndarray, y_scale: np.ndarray, weight_scale: float | None = None
    ) -> LeastSquaresStatistics:
        """The same statistics with the columns (and weights) divided by other powers of two.

        Exact, but for sums that leave float64's range: in the user's units (scales of 1)
        the squares of data beyond about 1e±154 overflow or underflow.
        """
        fx = self.x_scale / x_scale
        fy = self.y_scale / y_scale
        fw = 1.0 if weight_scale is None else self.weight_scale / weight_scale
        return replace(
            self,
            weight_sum=self.weight_sum * fw,
            x_mean=self.x_mean * fx,
            x_mean_low=self.x_mean_low * fx,
            y_mean=self.y_mean * fy,
            xx=self.xx * np.outer(fx, fx) * fw,
            xy=self.xy * np.outer(fx, fy) * fw,
            yy=self.yy * fy**2 * fw,
            x_scale=np.asarray(x_scale, dtype=np.float64),
            y_scale=np.asarray(y_scale, dtype=np.float64),
            weight_scale=self.weight_scale if weight_scale is None else float(weight_scale),
        )

    @property
    def n_features(self) -> int:
        """Number of features :math:`d`."""
        return self.x_mean.shape[0]

    @property
    def n_targets(self) -> int:
        """Number of targets :math:`t`."""
        return self.y_mean.shape[0]

    @classmethod
    def empty(cls, n_features: int, n_targets: int = 1) -> LeastSquaresStatistics:
        """The statistics of no rows: the identity of :func:`merge_statistics`."""
        return cls(
            n_rows=0,
            weight_sum=0.0,
            x_mean=np.zeros(n_features),
            y_mean=np.zeros(n_targets),
            xx=np.zeros((n_features, n_features)),
            xy=np.zeros((n_features, n_targets)),
            yy=np.zeros(n_targets),
        )

    def is_finite(self) -> bool:
        """Whether every sum is finite (NaN or inf in the data, or an overflow, make it not)."""
        return bool(
            np.isfinite(self.weight_sum)
            and all(
                np.all(np.isfinite(a))
                for a in (self.x_mean, self.y_mean, self.xx, self.xy, self.yy)
            )
        )

    def uncentred_xx(self) -> np.ndarray:
        r"""The uncentred :math:`\sum_i w_i x_i x_i^\top = S_{xx} + S\,\bar x \bar x^\top`."""
        return self.xx + self.weight_sum * np.outer(self.x_mean, self.x_mean)

    def uncentred_xy(self) -> np.ndarray:
        r"""The uncentred :math:`\sum_i w_i x_i y_i^\top = S_{xy} + S\,\bar x \bar y^\top`."""
        return self.xy + self.weight_sum * np.outer(self.x_mean, self.y_mean)

    def uncentred_yy(self) -> np.ndarray:
        r"""The uncentred :math:`\sum_i w_i y_i^{\circ 2} = S_{yy} + S\,\bar y^{\circ 2}`."""
        return self.yy + self.weight_sum * self.y_mean**2


# One-pass sums of shifted data lose about log10(1 + mean²/variance) digits to cancellation;
# below this ratio that is under 0.005 digits, so one pass is as good as two.
_ONE_PASS_MAX_MEAN_RATIO = 1e-2
# Rows of the pilot, whose mean is the shift. The pass needs it within a tenth of the spread
# of every column (_ONE_PASS_MAX_MEAN_RATIO); the mean of n random rows is within 0.1 of it
# when |z| < 0.1·√n, which at 4096 rows means |z| < 6.4: a second pass for 100 columns of
# random rows is then a chance of 1e-8 (at 650 rows, 1e-2 per column: a pass in two wasted).
_PILOT_ROWS = 4096
# Sparse products are not shifted: allow them to lose up to one digit (mean² ≤ 9·variance).
_SPARSE_MAX_MEAN_RATIO = 0.9


def _dense_rows(X, rows: slice) -> np.ndarray:
    """Rows of X as a dense array: a view for an array, one dense chunk for sparse X."""
    block = X[rows]
    return block.toarray() if scipy.sparse.issparse(block) else block


def _shifted_sums(X, y2, sample_weight, x_shift, y_shift, chunk_rows, x_scale, y_scale, n_threads):
    """Weight sum, column sums and Gram matrix of ``[X/x_scale − x_shift, y/y_scale − y_shift]``.

    One pass. The rows are cut into tasks of whole chunks (up to _TASKS), which the threads
    (numpy and BLAS release the GIL) take one after the other as they finish: a thread that
    the machine's other work slows takes fewer, instead of holding the others up. The sums of
    the tasks add up in the tasks' order, so they are the same, to the last bit, on any
    number of threads.
    """
    n_rows = X.shape[0]
    n_chunks = -(-n_rows // chunk_rows)
    n_tasks = min(max(1, n_chunks // 4), _TASKS)  # (a task of a few chunks: it costs 30 µs)
    n_threads = min(n_threads or THREADS, n_tasks)
    bounds = [min(n_rows, task * n_chunks // n_tasks * chunk_rows) for task in range(n_tasks + 1)]
    x_scale = None if np.all(x_scale == 1.0) else x_scale
    y_scale = None if np.all(y_scale == 1.0) else y_scale
    reducer = functools.partial(
        ChunkReducer, X, y2, sample_weight, x_shift, y_shift, chunk_rows, x_scale, y_scale
    )
    tasks = iter(range(n_tasks))  # shared: each next() is atomic under the GIL
    parts = [None] * n_tasks

    def work() -> None:
        reduce = reducer()  # buffers of its own, reused across its tasks
        for task in tasks:
            parts[task] = reduce(bounds[task], bounds[task + 1])

    # One BLAS thread per thread of ours: BLAS's own threads would compete with them (and, on
    # a dask worker, with the blocks beside). Small data is spared the switch (0.1 ms): BLAS
    # does not start threads for products so small.
    large = n_rows * (X.shape[1] + y2.shape[1]) >= _SERIAL_BLAS_NUMBERS
    with one_blas_thread() if large else contextlib.nullcontext():
        others = [thread_pool().submit(work) for _ in range(n_threads - 1)]
        work()
        for other in others:
            if not other.cancel():  # (a pool busy with another fit has nothing left to do)
                other.result()
    weight_sum = sum(part[0] for part in parts)
    return (weight_sum, *sums_and_gram([part[1] for part in parts]))


def merge_statistics(
    a: LeastSquaresStatistics, b: LeastSquaresStatistics
) -> LeastSquaresStatistics:
    r"""Merge the statistics of two disjoint sets of rows into those of their union.

    The pairwise update of Chan, Golub and LeVeque (1979): with :math:`S = S_a + S_b` and
    :math:`\delta = \bar x_b - \bar x_a`,

    .. math::

        \bar x = \bar x_a + \frac{S_b}{S}\,\delta, \qquad
        S_{xx} = S_{xx,a} + S_{xx,b} + \frac{S_a S_b}{S}\,\delta\delta^\top,

    and likewise for the cross-products with y and the sums of squares of y. Merging is
    exact in exact arithmetic and stable in floating point, so chunked, streamed and
    distributed fits all give the in-memory result.

    Parameters
    ----------
    a, b : LeastSquaresStatistics
        Statistics of two disjoint sets of rows with the same features and targets.

    Returns
    -------
    LeastSquaresStatistics
        The statistics of all rows of ``a`` and ``b``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0], [2.0], [3.0]]); y = np.array([2.0, 5.0, 3.0])
    >>> whole = compute_statistics(X, y)
    >>> parts = merge_statistics(compute_statistics(X[:1], y[:1]),
    ...                          compute_statistics(X[1:], y[1:]))
    >>> bool(np.allclose(parts.xx, whole.xx) and np.allclose(parts.xy, whole.xy))
    True
    >>> float(whole.xx[0, 0]), float(whole.xy[0, 0])
    (2.0, 1.0)
    """
    if a.x_mean.shape != b.x_mean.shape or a.y_mean.shape != b.y_mean.shape:
        raise ValueError(
            f"Cannot merge statistics of {a.n_features} features and {a.n_targets} targets "
            f"with statistics of {b.n_features} features and {b.n_targets} targets: "
            "every chunk must have the same columns."
        )
    if (
        np.any(a.x_scale != b.x_scale)
        or np.any(a.y_scale != b.y_scale)
        or a.weight_scale != b.weight_scale
    ):
        # Both to the larger powers of two: what the smaller ones lose to underflow is below
        # the rounding of the larger sums.
        x_scale, y_scale = np.maximum(a.x_scale, b.x_scale), np.maximum(a.y_scale, b.y_scale)
        weight_scale = max(a.weight_scale, b.weight_scale)
        with np.errstate(under="ignore"):
            a = a.rescaled(x_scale, y_scale, weight_scale)
            b = b.rescaled(x_scale, y_scale, weight_scale)
    n_rows = a.n_rows + b.n_rows
    if b.weight_sum == 0.0:
        return replace(a, n_rows=n_rows)
    if a.weight_sum == 0.0:
        return replace(b, n_rows=n_rows)
    weight_sum = a.weight_sum + b.weight_sum
    share_b = b.weight_sum / weight_sum
    coupling = a.weight_sum * share_b  # S_a·S_b / S
    # The difference of the double-double means, exact but for one rounding: it is of the
    # size of the spread, however far both lie from 0.
    high, low = two_sum(b.x_mean, -a.x_mean)
    dx = high + (low + (b.x_mean_low - a.x_mean_low))
    x_mean, low = two_sum(a.x_mean, share_b * dx)
    x_mean, x_mean_low = two_sum(x_mean, low + a.x_mean_low)
    dy = b.y_mean - a.y_mean
    return LeastSquaresStatistics(
        n_rows=n_rows,
        weight_sum=weight_sum,
        x_mean=x_mean,
        x_mean_low=x_mean_low,
        y_mean=a.y_mean + share_b * dy,
        xx=a.xx + b.xx + coupling * np.outer(dx, dx),
        xy=a.xy + b.xy + coupling * np.outer(dx, dy),
        yy=a.yy + b.yy + coupling * dy**2,
        x_scale=a.x_scale,
        y_scale=a.y_scale,
        weight_scale=a.weight_scale,
    )


def _sparse_statistics(X, y2, sample_weight) -> LeastSquaresStatistics | None:
    """The statistics of a sparse X from sparse products, without densifying it.

    Centring is algebra on the sums: :math:`S_{xx} = \\sum w x x^\\top - S \\bar x
    \\bar x^\\top`, and :math:`S_{xy} = \\sum w\\, x (y - \\bar y)` with y (dense)
    centred first. The uncentred products cancel when a column's mean is large against its
    spread, which sparse columns (mostly zeros) rarely have; ``None`` tells the caller to
    take the exact dense route chunk by chunk instead.
    """
    X = X.tocsr() if X.format not in ("csr", "csc") else X
    # float32 products would accumulate in float32: convert once (O(nnz)).
    X = X.astype(np.float64, copy=False)
    y2 = np.asarray(y2, dtype=np.float64)
    if sample_weight is None:
        weight_sum = float(X.shape[0])
        Xw = X
        y_mean = y2.mean(axis=0)
        yc = y2 - y_mean
        yw = yc
    else:
        weight_sum = float(sample_weight.sum())
        if weight_sum == 0.0:
            return replace(LeastSquaresStatistics.empty(X.shape[1], y2.shape[1]), n_rows=X.shape[0])
        Xw = X.multiply(sample_weight[:, None]).tocsr()
        y_mean = sample_weight @ y2 / weight_sum
        yc = y2 - y_mean
        yw = yc * sample_weight[:, None]
    x_mean = np.asarray(Xw.sum(axis=0)).ravel() / weight_sum
    gram = np.asarray((X.T @ Xw).todense())
    if np.any(x_mean**2 > _SPARSE_MAX_MEAN_RATIO * np.diag(gram) / weight_sum):
        return None
    return LeastSquaresStatistics(
        n_rows=X.shape[0],
        weight_sum=weight_sum,
        x_mean=x_mean,
        y_mean=np.asarray(y_mean, dtype=np.float64),
        xx=gram - weight_sum * np.outer(x_mean, x_mean),
        xy=np.asarray(X.T @ yw),
        yy=np.einsum("ij,ij->j", yw, yc),
    )


def compute_statistics(
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray | None = None,
    *,
    chunk_rows: int | None = None,
    n_threads: int | None = None,
    weight_scale: float = 1.0,
) -> LeastSquaresStatistics:
    r"""Compute the least-squares statistics of a data set in one pass over its rows.

    The rows are read in chunks, each shifted by the mean of the first 4096 rows (the pilot)
    into reused buffers (which up-cast float32 one chunk at a time: the sums accumulate in
    float64) and reduced by BLAS products, on one thread per core. Shifted data have a mean
    near 0, so their uncentred sums do not cancel; if the statistics show that the pilot
    misjudged the mean (|mean| above a tenth of the spread), a second pass shifts by the true
    mean. Memory beyond the data: one chunk per thread.

    Columns of magnitude beyond about :math:`10^{\pm 90}` are divided by a power of two
    (exactly) before squaring, so that no square or product overflows or underflows; the
    statistics record the scales (``x_scale``, ``y_scale``). Non-finite statistics mean NaN
    or inf in the data.

    A column constant in the rows of positive weight gets its value as mean and a spread of
    exactly 0, so that the cost knows it constant however skewed the weights. Where the
    statistics cannot tell (a spread within rounding of the mean), that column alone is
    read once more; other data never pay for it.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Features, float64 or float32, already validated.
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        Targets.
    sample_weight : ndarray of shape (n_samples,), optional
        Non-negative weights; ``None`` means a weight of 1 for every row.
    chunk_rows : int, optional
        Rows per chunk; by default 0.5 MiB of float64 per chunk (1 MiB for at most four
        columns with the targets).
    n_threads : int, optional
        Threads for the pass; by default one per core, up to 8 (a dask worker that already
        runs blocks side by side passes 1).
    weight_scale : float, default=1.0
        The power of two ``sample_weight`` was already divided by. Extreme weights are
        divided by another here (:func:`~gdregress._numerics.normalised_weights`); the
        statistics record the product, so that chunks and blocks normalised apart merge
        exactly.

    Returns
    -------
    LeastSquaresStatistics

    Examples
    --------
    The lecture's three power-line points:

    >>> import numpy as np
    >>> stats = compute_statistics(np.array([[1.0], [2.0], [3.0]]), np.array([2.0, 5.0, 3.0]))
    >>> stats.weight_sum, float(stats.x_mean[0]), float(stats.xx[0, 0])
    (3.0, 2.0, 2.0)
    """
    y2 = y.reshape(-1, 1) if y.ndim == 1 else y
    n_rows, n_features = X.shape
    n_targets = y2.shape[1]
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
    sample_weight, extra_scale = normalised_weights(sample_weight)
    weight_scale = weight_scale * extra_scale
    if chunk_rows is None:
        width = n_features + n_targets
        chunk_bytes = _NARROW_CHUNK_BYTES if width <= NARROW else _CHUNK_BYTES
        # ... and at most 1/16 of the rows, so the buffers (one per thread) stay a small
        # fraction of the data however small it is. A partial_fit chunk of 10⁶ × 1 then
        # still gets nearly full chunks: at 1/32 the pass's two threads, waiting for the GIL
        # at every one of twice as many calls, took 1.3× as long (10 chunks of 10⁷ × 1).
        chunk_rows = max(256, min(chunk_bytes // (8 * width), n_rows // 16))
    if n_rows == 0:
        return LeastSquaresStatistics.empty(n_features, n_targets)
    stats = _scaled_statistics(X, y2, sample_weight, chunk_rows, n_threads)
    if weight_scale != 1.0:
        stats = replace(stats, weight_scale=weight_scale)
    return stats


def _scaled_statistics(X, y2, sample_weight, chunk_rows, n_threads) -> LeastSquaresStatistics:
    """The statistics, with the columns scaled that need it and constant columns made exact."""
    pilot = slice(0, _PILOT_ROWS)
    x_scale = power_of_two_scale(column_magnitudes(X[pilot]))
    y_scale = power_of_two_scale(column_magnitudes(y2[pilot]))
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is detected, not warned
        stats = _shifted_statistics(X, y2, sample_weight, chunk_rows, x_scale, y_scale, n_threads)
    if not stats.is_finite():
        # A later chunk much larger than the pilot overflowed: scale by the largest
        # magnitudes of all rows (one more pass, for such data only). NaN or inf in the data
        # stay non-finite, for the caller to report.
        x_scale = power_of_two_scale(column_magnitudes(X))
        y_scale = power_of_two_scale(column_magnitudes(y2))
        if np.all(np.isfinite(x_scale)) and np.all(np.isfinite(y_scale)):
            with np.errstate(over="ignore", invalid="ignore"):
                stats = _shifted_statistics(
                    X, y2, sample_weight, chunk_rows, x_scale, y_scale, n_threads
                )
    if stats.weight_sum > 0:  # (NaN statistics compare False: never suspect)
        suspects = np.flatnonzero(_maybe_constant(stats))
        if suspects.size:  # rare: constant columns, or weights skewed by 1e25 and more
            stats = _with_constant_columns(stats, X, sample_weight, suspects, chunk_rows)
    return stats


def _maybe_constant(stats: LeastSquaresStatistics) -> np.ndarray:
    """Columns whose weighted spread is too small for the statistics to tell them constant.

    A column of zeros (an empty column of sparse data, say) has exact statistics already:
    a mean and a spread of exactly 0 leave no other possibility.
    """
    diagonal = np.diag(stats.xx)
    spread = np.sqrt(np.maximum(diagonal, 0.0) / stats.weight_sum)
    zeros = (diagonal == 0.0) & (stats.x_mean == 0.0)
    return (spread <= CONSTANT_COLUMN_TOLERANCE * np.abs(stats.x_mean)) & ~zeros


def _with_constant_columns(stats, X, sample_weight, columns, chunk_rows):
    """The statistics with the given columns' sums made exact where the data are constant.

    One more pass, over those columns in the rows of positive weight. A column whose
    values there are all equal gets that value as its mean and exact zeros for its centred
    sums, so that merges keep it constant and the cost sees it as such (exactly, whatever
    the weights); a column that varies keeps its statistics.
    """
    lowest = np.full(columns.size, np.inf)
    highest = np.full(columns.size, -np.inf)
    for start in range(0, X.shape[0], chunk_rows):
        rows = slice(start, start + chunk_rows)
        block = X[rows][:, columns]  # sparse X: only these columns are made dense
        block = block.toarray() if scipy.sparse.issparse(block) else block
        if sample_weight is not None:
            block = block[sample_weight[rows] > 0]
        lowest = np.minimum(lowest, np.min(block, axis=0, initial=np.inf))
        highest = np.maximum(highest, np.max(block, axis=0, initial=-np.inf))
    constant = columns[lowest == highest]
    if not constant.size:
        return stats
    x_mean, xx, xy = stats.x_mean.copy(), stats.xx.copy(), stats.xy.copy()
    x_mean_low = stats.x_mean_low.copy()
    x_mean[constant] = lowest[lowest == highest] / stats.x_scale[constant]  # exact
    x_mean_low[constant] = 0.0
    xx[constant, :] = xx[:, constant] = xy[constant] = 0.0
    return replace(stats, x_mean=x_mean, x_mean_low=x_mean_low, xx=xx, xy=xy)


def _mean_of(block, scale) -> np.ndarray:
    """The float64 mean of ``block / scale``'s columns (divided first: a sum of values near the
    largest float would overflow)."""
    if np.any(scale != 1.0):
        block = block / scale
    # A product with ones (BLAS) where numpy's mean loops along each row: any value near the
    # mean will do for a shift.
    return np.ones(block.shape[0]) @ block / block.shape[0]


def _shifted_statistics(X, y2, sample_weight, chunk_rows, x_scale, y_scale, n_threads):
    """The statistics of ``X / x_scale`` and ``y / y_scale``, shifted by a pilot mean."""
    n_rows, n_features = X.shape
    n_targets = y2.shape[1]
    if scipy.sparse.issparse(X) and np.all(x_scale == 1.0) and np.all(y_scale == 1.0):
        stats = _sparse_statistics(X, y2, sample_weight)
        if stats is not None:
            return stats
        X = X.tocsr()  # the exact fallback reads row chunks

    # Sum the data shifted by the mean of the pilot rows: the shifted data have a mean near 0,
    # so their uncentred sums lose no digits to cancellation, and one pass suffices. Should
    # the pilot misjudge the mean (sorted data, say), the statistics show it and a second
    # pass shifts by the true mean.
    pilot = slice(0, _PILOT_ROWS)
    x_shift, y_shift = _mean_of(_dense_rows(X, pilot), x_scale), _mean_of(y2[pilot], y_scale)
    for _ in range(2):
        weight_sum, sums, gram = _shifted_sums(
            X, y2, sample_weight, x_shift, y_shift, chunk_rows, x_scale, y_scale, n_threads
        )
        if weight_sum == 0.0:
            return replace(LeastSquaresStatistics.empty(n_features, n_targets), n_rows=n_rows)
        mean = sums / weight_sum
        if not np.all(mean**2 <= _ONE_PASS_MAX_MEAN_RATIO * np.diag(gram) / weight_sum):
            x_shift = x_shift + mean[:n_features]
            y_shift = y_shift + mean[n_features:]
            continue
        break
    centred = gram - weight_sum * np.outer(mean, mean)
    d = n_features
    # The shift and the shifted data's mean are the mean as a double-double number, exactly.
    x_mean, x_mean_low = two_sum(x_shift, mean[:d])
    return LeastSquaresStatistics(
        n_rows=n_rows,
        weight_sum=weight_sum,
        x_mean=x_mean,
        x_mean_low=x_mean_low,
        y_mean=y_shift + mean[d:],
        xx=centred[:d, :d],
        xy=centred[:d, d:],
        yy=np.diag(centred)[d:].copy(),
        x_scale=x_scale,
        y_scale=y_scale,
    )
