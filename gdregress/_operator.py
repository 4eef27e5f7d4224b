"""The design as a linear operator: the matrix-free representation of the data.

The d×d statistics cost :math:`O(d^2)` memory and at least :math:`O(d^3)` to solve; for wide or
sparse designs (one-hot encodings, text features) that is the whole cost of a fit. The
operator route never forms them: it reads the data through matrix–vector products with the
centred, column-scaled, weighted design

.. math::

    M\\,\\theta = W^{1/2}\\Big( (X - \\mathbf 1\\,\\mathrm{shift}^\\top)\\,
    \\mathrm{diag}(\\mathrm{scale})^{-1} v + c\\,\\mathbf 1 \\Big),
    \\qquad \\theta = (v, c),

where the shift (the weighted column means, for the centred design) is applied implicitly:
a sparse X stays sparse. Each product costs :math:`O(\\mathrm{nnz} + n + d)`; memory is
:math:`O(\\mathrm{nnz} + n + d)`.

The column moments it needs (weighted means and spreads) are computed here exactly, in two
passes over the nonzeros with sums in float64 (float32 data included), and with columns and
targets beyond about 1e±90 divided by powers of two first (as the statistics route's
:class:`~gdregress._coordinates.Units`), so that no square leaves float64's range.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, replace

import numpy as np
import scipy.linalg
import scipy.sparse
from scipy.sparse.linalg import LinearOperator

from ._numerics import (
    CONSTANT_COLUMN_TOLERANCE,
    UNSCALED_RANGE,
    column_magnitudes,
    power_of_two_scale,
)
from ._threads import THREADS, thread_pool

__all__ = ["DesignOperator", "design_operator", "gram_of_rows"]

# Nonzeros (or dense numbers) per chunk for the moment passes: temporaries stay ~8 MiB.
_CHUNK_NUMBERS = 1 << 20
# Stored numbers per range of rows below which the products stay on the caller's thread:
# handing a range to another thread costs tens of microseconds, a product of 2¹⁸ numbers
# about half a millisecond.
_PARALLEL_MIN_NUMBERS = 1 << 18


@dataclass(frozen=True)
class DesignOperator:
    r"""The design :math:`M` of the module's docstring, with its targets.

    Attributes
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        float64, in the units' scale (a copy only where the data were float32 or had
        columns beyond about 1e±90).
    shift, scale : ndarray of shape (n_features,)
        Per column, in the units' scale; ``scale`` is 1 where a column is inactive.
    active : ndarray of bool, shape (n_features,)
        Columns that vary (with an intercept) or are not all zero (without).
    root_weights : ndarray of shape (n_samples,) or None
        :math:`W^{1/2}`, None for unit weights.
    targets : ndarray of shape (n_samples, n_targets)
        :math:`W^{1/2} y` in the units' scale (y centred on ``y_mean`` when ``centred_targets``).
    y_mean : ndarray of shape (n_targets,)
        Weighted means of the targets, in the units' scale.
    weight_sum : float
    x_scale, y_scale : ndarray of shape (n_features,) and (n_targets,)
    weight_scale : float
        The powers of two the columns, y and the weights were divided by.
    column_sizes : ndarray of shape (n_features,)
        The columns' root mean squares (in the units' scale).
    with_intercept : bool
        Whether :math:`\theta` has the intercept's column :math:`W^{1/2}\mathbf 1`.
    centred_targets : bool
        Whether ``targets`` are centred (a solver without the intercept's column then fits
        the intercept from the means).
    column_norms : ndarray of shape (n_features,)
        Squared norms of the columns of :math:`M` over S (1 for an active standardised
        column, 0 for an inactive one).
    """

    X: object
    shift: np.ndarray
    scale: np.ndarray
    active: np.ndarray
    root_weights: np.ndarray | None
    targets: np.ndarray
    y_mean: np.ndarray
    weight_sum: float
    x_scale: np.ndarray
    y_scale: np.ndarray
    weight_scale: float
    with_intercept: bool
    centred_targets: bool
    column_norms: np.ndarray
    column_sizes: np.ndarray

    @property
    def row_ranges(self) -> list[tuple[int, int, object, object]]:
        """The rows cut into one range per thread, as (start, stop, X[start:stop], its
        transpose) — views of X, made once — or one range when X is too small for threads
        to pay (a sparse transpose is made once too: scipy's costs milliseconds)."""
        if "_row_ranges" not in self.__dict__:
            object.__setattr__(self, "_row_ranges", _row_ranges(self.X))
        return self.__dict__["_row_ranges"]

    def __post_init__(self) -> None:
        # Sizes, fixed with the design: rows, features, active columns, θ's length.
        n_active = int(self.active.sum())
        object.__setattr__(self, "n_rows", self.X.shape[0])
        object.__setattr__(self, "n_features", self.X.shape[1])
        object.__setattr__(self, "n_active", n_active)
        object.__setattr__(self, "n_parameters", n_active + int(self.with_intercept))

    @property
    def nnz(self) -> int:
        return _stored(self.X)

    def matvec(self, theta: np.ndarray) -> np.ndarray:
        """:math:`M\\theta` for θ of shape (n_parameters,) or (n_parameters, t)."""
        k = self.n_active
        columns = np.zeros((self.n_features, *theta.shape[1:]))
        columns[self.active] = _divided(theta[:k], self.scale[self.active])
        product = self._product(columns)
        offset = self.shift @ columns
        if self.with_intercept:
            offset = offset - theta[k]
        product = np.asarray(product) - offset
        return product if self.root_weights is None else _times_rows(product, self.root_weights)

    def rmatvec(self, residual: np.ndarray) -> np.ndarray:
        """:math:`M^\\top r` for r of shape (n_samples,) or (n_samples, t)."""
        if self.root_weights is not None:
            residual = _times_rows(residual, self.root_weights)
        total = residual.sum(axis=0)
        gradient = self._transposed_product(residual)[self.active]
        gradient = gradient - np.multiply.outer(self.shift[self.active], total)
        gradient = _divided(gradient, self.scale[self.active])
        return np.concatenate([gradient, total[None]]) if self.with_intercept else gradient

    def _product(self, columns: np.ndarray) -> np.ndarray:
        """:math:`X c`, each range of rows on its own thread (numpy and scipy's sparse
        kernels release the GIL; the products are bound by memory, which two cores read
        faster than one)."""
        ranges = self.row_ranges
        if len(ranges) == 1:
            return np.asarray(self.X @ columns)
        product = np.empty((self.n_rows, *columns.shape[1:]))

        def part(start, stop, rows, _):
            product[start:stop] = rows.dot(columns)  # dot, not @: it releases the GIL

        _in_parallel(part, ranges)
        return product

    def _transposed_product(self, residual: np.ndarray) -> np.ndarray:
        """:math:`X^\\top r`, as the sum over the ranges of rows (in their order: the same
        rounding on every call)."""
        ranges = self.row_ranges
        if len(ranges) == 1:
            return np.asarray(ranges[0][3] @ residual)
        parts = _in_parallel(
            lambda start, stop, _, transposed: np.asarray(transposed.dot(residual[start:stop])),
            ranges,
        )
        return functools.reduce(np.add, parts)

    def gram_operator(self) -> LinearOperator:
        """:math:`M^\\top M / S`, the Hessian of the cost in these coordinates."""
        p = self.n_parameters
        return LinearOperator(
            (p, p),
            matvec=lambda v: self.rmatvec(self.matvec(np.ravel(v))) / self.weight_sum,
            dtype=np.float64,
        )

    def dense_rows(self) -> np.ndarray:
        """:math:`W^{1/2}(X - 1\\,\\mathrm{shift}^\\top)\\,\\mathrm{diag}(\\mathrm{scale})^{-1}` on
        the active columns of a dense design: one C-ordered copy (without the intercept's
        column), for the solvers of its short side."""
        if scipy.sparse.issparse(self.X):
            raise TypeError("dense_rows is for dense designs (sparse ones stay sparse).")
        active = self.active
        X = self.X if np.all(active) else self.X[:, active]
        rows = X - self.shift[active]
        if np.any(self.scale[active] != 1.0):
            rows /= self.scale[active]
        if self.root_weights is not None:
            rows *= self.root_weights[:, None]
        return rows

    def row_gram(self) -> np.ndarray:
        """:math:`MM^\\top` (n×n) of a dense design, for a descent on its rows: the Gram matrix
        of :meth:`dense_rows`, plus :math:`W^{1/2}1\\,(W^{1/2}1)^\\top` for the intercept's
        column."""
        gram = gram_of_rows(self.dense_rows())
        if self.with_intercept:
            root = np.ones(self.n_rows) if self.root_weights is None else self.root_weights
            gram += np.outer(root, root)
        return gram

    def squared_frobenius(self) -> float:
        """:math:`\\|M\\|_F^2`: the columns' squared norms, and S for the intercept's."""
        return self.weight_sum * (float(np.sum(self.column_norms)) + self.with_intercept)

    def standardized(self) -> DesignOperator:
        """The same design with its active columns divided by their spread (unit norms/S)."""
        spread = np.sqrt(self.column_norms) * self.scale
        return replace(
            self,
            scale=np.where(self.active, spread, 1.0),
            column_norms=np.where(self.active, 1.0, 0.0),
        )

    def column_norm_ratio(self) -> float:
        """Largest over smallest norm of the active columns (1 without any)."""
        norms = np.sqrt(self.column_norms[self.active])
        return float(norms.max() / norms.min()) if norms.size else 1.0

    def split(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """θ (n_parameters, t) as the active columns' parameters (k, t) and the line's value
        at the shift (t,): θ's intercept where the operator has its column; without it, the
        targets' means if they were centred (the intercept fits them), else 0."""
        k = self.n_active
        if self.with_intercept:
            return theta[:k], theta[k]
        return theta[:k], self.y_mean if self.centred_targets else np.zeros(theta.shape[1])

    def join(self, v: np.ndarray, value: np.ndarray) -> np.ndarray:
        """The inverse of :meth:`split`: θ (n_parameters, t)."""
        return np.vstack([v, value[None]]) if self.with_intercept else v


def design_operator(
    X,
    y: np.ndarray,
    root_weights: np.ndarray | None,
    weight_scale: float,
    *,
    centre: bool,
    standardize: bool,
    with_intercept: bool,
    centred_targets: bool,
) -> DesignOperator:
    """Build the operator of validated data (X float32 or float64, dense or CSR/CSC).

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples, n_targets)
    root_weights : ndarray of shape (n_samples,) or None
        Square roots of the (normalised) weights; rows of weight 0 contribute nothing.
    weight_scale : float
        The power of two the weights were divided by.
    centre : bool
        Shift the columns by their weighted means (the centred design, with an intercept).
    standardize : bool
        Divide the columns by their weighted spread (root mean square without centring);
        else only by the powers of two that keep them in range.
    with_intercept : bool
        Give θ the intercept's column.
    centred_targets : bool
        Centre the targets on their weighted means (for a solver that fits the intercept
        from the means).
    """
    X = _float64(X)
    ranges = _row_ranges(X)  # the moment passes run on them too, one thread a range
    y = np.asarray(y, dtype=np.float64)
    weights = None if root_weights is None else root_weights**2
    x_scale = power_of_two_scale(_magnitudes_of_columns(X, ranges))
    y_scale = power_of_two_scale(np.max(np.abs(y), axis=0, initial=0.0))
    if np.any(x_scale != 1.0):  # columns beyond 1e±90: a copy divided by powers of two
        X = X.multiply(1.0 / x_scale).tocsr() if scipy.sparse.issparse(X) else X / x_scale
        ranges = _row_ranges(X)
    y = y / y_scale
    weight_sum = float(np.sum(weights)) if weights is not None else float(X.shape[0])
    means = _weighted_column_sums(X, weights) / weight_sum
    y_mean = (y.T @ weights if weights is not None else y.sum(axis=0)) / weight_sum
    shift = means if centre else np.zeros_like(means)
    spread = np.sqrt(_weighted_squares_about(X, weights, shift, ranges) / weight_sum)
    if centre:
        active = spread > CONSTANT_COLUMN_TOLERANCE * np.abs(means)
    else:
        active = spread > 0.0
    scale = np.where(active, spread, 1.0) if standardize else np.ones_like(spread)
    targets = y - y_mean if centred_targets else y
    if root_weights is not None:
        targets = targets * root_weights[:, None]
    design = DesignOperator(
        X=X,
        shift=shift,
        scale=scale,
        active=active,
        # (NaN or inf in a column stays in its norm: the source names it.)
        column_norms=np.where(active, (spread / scale) ** 2, spread * 0.0),
        root_weights=root_weights,
        targets=targets,
        y_mean=y_mean,
        weight_sum=weight_sum,
        column_sizes=np.hypot(spread, means) if centre else spread,
        x_scale=x_scale,
        y_scale=y_scale,
        weight_scale=weight_scale,
        with_intercept=with_intercept,
        centred_targets=centred_targets,
    )
    object.__setattr__(design, "_row_ranges", ranges)
    return design


def gram_of_rows(A: np.ndarray) -> np.ndarray:
    """:math:`AA^\\top` (symmetric, n×n) of a C-ordered A, by BLAS's symmetric rank-k product
    on all cores (:math:`A^\\top` is Fortran-ordered: no copy)."""
    if not A.size:
        return np.zeros((A.shape[0],) * 2)
    upper = scipy.linalg.blas.dsyrk(1.0, A.T, trans=1)
    return np.triu(upper) + np.triu(upper, 1).T


def _float64(X):
    """X in float64, a sparse one as canonical CSR (copied only when it is not).

    float32 data are converted once, so that every product and sum is in float64.
    """
    if not scipy.sparse.issparse(X):
        return X if X.dtype == np.float64 else X.astype(np.float64)
    converted = X.astype(np.float64, copy=False).tocsr(copy=False)
    if not converted.has_canonical_format:  # duplicate entries would count apart
        converted = converted.copy() if converted is X else converted
        converted.sum_duplicates()
    return converted


def _magnitudes_of_columns(X, ranges) -> np.ndarray:
    """Per column, the largest magnitude — for sparse data, 1 for all when every stored
    number lies in :data:`~gdregress._numerics.UNSCALED_RANGE` (no column needs a scale)."""
    if not scipy.sparse.issparse(X):
        return column_magnitudes(X)
    extremes = _in_parallel(lambda start, stop, rows, _: _stored_extremes(rows.data), ranges)
    smallest = min(low for low, _ in extremes)
    largest = max(high for _, high in extremes)
    if largest == 0.0 or (smallest >= UNSCALED_RANGE[0] and largest <= UNSCALED_RANGE[1]):
        return np.ones(X.shape[1])
    return column_magnitudes(X)


def _stored_extremes(data: np.ndarray) -> tuple[float, float]:
    """The smallest nonzero and the largest magnitude of stored numbers, chunk by chunk."""
    smallest, largest = np.inf, 0.0
    for start in range(0, data.size, _CHUNK_NUMBERS):  # no copy of the data
        magnitudes = np.abs(data[start : start + _CHUNK_NUMBERS])
        largest = max(largest, float(magnitudes.max()))
        nonzero = magnitudes[magnitudes > 0]
        smallest = min(smallest, float(nonzero.min())) if nonzero.size else smallest
    return smallest, largest


def _weighted_column_sums(X, weights: np.ndarray | None) -> np.ndarray:
    """:math:`X^\\top w` (column sums without weights), accumulated in float64."""
    if weights is None:
        return np.asarray(X.sum(axis=0)).ravel()
    return np.asarray(X.T @ weights).ravel()


def _weighted_squares_about(X, weights: np.ndarray | None, shift: np.ndarray, ranges) -> np.ndarray:
    """:math:`\\sum_i w_i (x_{ij} - \\mathrm{shift}_j)^2` per column, without cancellation.

    Dense: the shifted squares chunk by chunk. Sparse: over the nonzeros, plus the implicit
    zeros' :math:`\\mathrm{shift}^2` times their weight, so that no uncentred square is
    subtracted from another. Each range of rows on its own thread; their sums add in order.
    """

    def in_range(start, stop, rows, _):
        return _squares_in_rows(rows, None if weights is None else weights[start:stop], shift)

    parts = _in_parallel(in_range, ranges)
    total = functools.reduce(np.add, (squares for squares, _ in parts))
    if not scipy.sparse.issparse(X):
        return total
    weight_sum = float(np.sum(weights)) if weights is not None else float(X.shape[0])
    weight_in_column = functools.reduce(np.add, (stored for _, stored in parts))
    return total + shift**2 * np.maximum(weight_sum - weight_in_column, 0.0)


def _squares_in_rows(X, weights: np.ndarray | None, shift: np.ndarray):
    """Per column, the weighted squares about ``shift`` of the rows' stored numbers, and
    (sparse) the weight of the rows that store one (None dense)."""
    n, d = X.shape
    total = np.zeros(d)
    if not scipy.sparse.issparse(X):
        rows = max(1, _CHUNK_NUMBERS // max(d, 1))
        for start in range(0, n, rows):
            block = (X[start : start + rows] - shift) ** 2
            w = None if weights is None else weights[start : start + rows]
            total += block.sum(axis=0) if w is None else w @ block
        return total, None
    weight_in_column = np.zeros(d)
    indptr, indices, data = X.indptr, X.indices, X.data
    step = max(1, n * _CHUNK_NUMBERS // max(X.nnz, 1))
    for start in range(0, n, step):
        stop = min(n, start + step)
        lo, hi = indptr[start], indptr[stop]
        columns = indices[lo:hi]
        squares = (data[lo:hi] - shift[columns]) ** 2
        if weights is None:  # no row of a nonzero needed
            total += np.bincount(columns, weights=squares, minlength=d)
            weight_in_column += np.bincount(columns, minlength=d)
            continue
        w = weights[np.repeat(np.arange(start, stop), np.diff(indptr[start : stop + 1]))]
        total += np.bincount(columns, weights=w * squares, minlength=d)
        weight_in_column += np.bincount(columns, weights=w, minlength=d)
    return total, weight_in_column


def _row_ranges(X) -> list[tuple[int, int, object, object]]:
    """Contiguous ranges of rows with about equal numbers stored, one per thread.

    Each is (start, stop, X[start:stop], its transpose). Sparse ranges are CSR matrices over
    slices of X's arrays (only their row pointers are new), their transposes CSC matrices
    over the same arrays; dense ones are views: no copy of the data.
    """
    n = X.shape[0]
    count = min(THREADS, n, max(1, _stored(X) // _PARALLEL_MIN_NUMBERS))
    if count <= 1:
        return [(0, n, X, X.T)]
    if not scipy.sparse.issparse(X):
        bounds = np.linspace(0, n, count + 1).astype(int)
        return [(lo, hi, X[lo:hi], X[lo:hi].T) for lo, hi in itertools.pairwise(bounds)]
    # Cut where the cumulative count of nonzeros passes each multiple of nnz/count.
    marks = np.linspace(0, X.nnz, count + 1)[1:-1]
    bounds = [0, *np.searchsorted(X.indptr, marks).tolist(), n]
    ranges = []
    for lo, hi in itertools.pairwise(bounds):
        if hi <= lo:
            continue
        a, b = X.indptr[lo], X.indptr[hi]
        arrays = (X.data[a:b], X.indices[a:b], X.indptr[lo : hi + 1] - a)
        rows = _compressed(scipy.sparse.csr_matrix, (hi - lo, X.shape[1]), arrays)
        ranges.append(
            (lo, hi, rows, _compressed(scipy.sparse.csc_matrix, rows.shape[::-1], arrays))
        )
    return ranges


def _compressed(kind, shape, arrays):
    """A CSR or CSC matrix over the given arrays, uncopied: they are set on an empty matrix,
    as scipy's constructor (and ``.T``) copies a slice less than half of its array."""
    matrix = kind(shape, dtype=arrays[0].dtype)
    matrix.data, matrix.indices, matrix.indptr = arrays
    return matrix


def _stored(X) -> int:
    return int(X.nnz) if scipy.sparse.issparse(X) else int(np.prod(X.shape))


def _in_parallel(function, ranges) -> list:
    """``function(start, stop, rows, transposed)`` for every range: the first on this
    thread, the others in the pool; the results in the ranges' order."""
    others = [thread_pool().submit(function, *extent) for extent in ranges[1:]]
    return [function(*ranges[0])] + [other.result() for other in others]


def _divided(values: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return values / scale.reshape((-1,) + (1,) * (values.ndim - 1))


def _times_rows(values: np.ndarray, factors: np.ndarray) -> np.ndarray:
    return values * factors.reshape((-1,) + (1,) * (values.ndim - 1))
