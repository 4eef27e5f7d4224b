"""The inner loop of the statistics pass: one range of rows, chunk by chunk.

:func:`gdregress._statistics.compute_statistics` cuts the rows into tasks and hands each to a
:class:`ChunkReducer` on one of its threads. A reducer shifts each chunk of rows into buffers
of its thread (in cache, reused between fits) and adds up their products with BLAS; the
products of the tasks then add up, in order, into the column sums and the Gram matrix of the
shifted data (:func:`sums_and_gram`). Nothing here reads a row twice or copies the data.
"""

from __future__ import annotations

import threading

import numpy as np
import scipy.sparse

__all__ = ["NARROW", "ChunkReducer", "sums_and_gram"]

# Data of at most this many columns with the targets is laid out column by column.
NARROW = 4
# Up to this many columns (ones included) their products are matrix-vector products, one
# per row of the upper triangle: BLAS's symmetric product (syrk) is slower for so few.
_PAIRWISE_COLUMNS = 12
# From this many features, X stored row by row is shifted into one buffer with y and the ones
# (one syrk for every product): a row's shift is then a loop long enough, where fewer columns
# are shifted faster as one flat loop into a buffer of their own (and multiplied by y apart).
_ROW_GRAM_FEATURES = 48

_scratch = threading.local()


def _scratch_array(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """This thread's reused array ``name`` of ``shape`` (contents undefined).

    The chunk buffers are kept between fits, one set per thread: a fresh megabyte costs its
    page faults at every fit, which partial_fit and a dask worker's blocks pay many times.
    """
    arrays = _scratch.__dict__.setdefault("arrays", {})
    array = arrays.get(name)
    if array is None or array.shape != shape:
        array = arrays[name] = np.empty(shape)
    return array


def _shift_into(block, scale, shift, out) -> None:
    """``out = block / scale − shift``; the division only where a column is scaled (``scale``
    None where none is)."""
    if scale is None:
        np.subtract(block, shift, out=out)
    else:
        np.multiply(block, 1.0 / scale, out=out)  # exact: the scales are powers of two
        out -= shift


def _stored_by_columns(X) -> bool:
    """Whether X's columns, not its rows, are contiguous (a pandas frame's block, say)."""
    flags = getattr(X, "flags", None)
    return flags is not None and flags.f_contiguous and not flags.c_contiguous


class _RowShifter:
    """``out = rows / scale − shift`` for C-ordered blocks of rows, as one flat loop.

    numpy subtracts a row of d shifts from a block of rows one row at a time, an inner loop of
    only d numbers; a block read as rows of ``repeat`` rows each, minus the shifts repeated
    as often (a few kilobytes, in the fastest cache), takes one long loop instead.
    """

    def __init__(self, scale, shift, size):
        d = shift.shape[0]
        self.repeat = max(1, min(size, 512 // d))
        self.shift = np.tile(shift, self.repeat)
        self.scale = None if scale is None else np.tile(scale, self.repeat)
        self.row_shift, self.row_scale = shift, scale

    def __call__(self, block, out) -> None:
        k, d = block.shape
        whole = k - k % self.repeat
        if whole and block.flags.c_contiguous:
            shape = (whole // self.repeat, self.repeat * d)
            _shift_into(
                block[:whole].reshape(shape), self.scale, self.shift, out[:whole].reshape(shape)
            )
            block, out = block[whole:], out[whole:]
        _shift_into(block, self.row_scale, self.row_shift, out)


class ChunkReducer:
    r"""The weight sum and products of the shifted rows of a range, chunk by chunk.

    For rows :math:`z_i = [x_i / x_{scale} - x_{shift},\ y_i / y_{scale} - y_{shift},\ 1]`
    and weights :math:`w_i`, the products are :math:`\sum_i w_i z_i z_i^\top`: the Gram
    matrix of the shifted data and, in its last column, their sums.

    Each chunk is shifted into reused buffers (which up-cast float32 one chunk at a time) and
    reduced by BLAS; uncentred sums of shifted data simply add up, so chunks cost no merge.
    The buffers hold the columns of X, those of y and a column of ones (which makes the column
    sums part of the products), in the layout that makes the shift a long contiguous loop:

    * ``columns``: each column a row of one buffer, for X stored column by column (a pandas
      frame's block) or of few columns;
    * ``rows``: the rows of [X, y, 1] in one buffer, for X stored row by row with many
      columns (each row's shift a loop long enough);
    * ``split``: X's rows in a buffer of their own, shifted as one flat loop, and y's
      columns with the ones as rows of another, for X stored row by row with few columns.

    Weights multiply the shifted rows by their square roots, so that the Gram matrix stays
    one symmetric product.

    Parameters
    ----------
    X, y2 : arrays of shape (n, d) and (n, t)
        The data (X dense, float64 or float32, in any layout; or sparse).
    sample_weight : ndarray of shape (n,) or None
    x_shift, y_shift : ndarrays of shape (d,) and (t,)
    chunk_rows : int
        Rows per chunk.
    x_scale, y_scale : ndarrays of shape (d,) and (t,), or None
        Powers of two the columns are divided by (None: 1 for all).

    Examples
    --------
    The lecture's three power-line points, shifted by (2, 3):

    >>> import numpy as np
    >>> reduce = ChunkReducer(np.array([[1.0], [2.0], [3.0]]), np.array([[2.0], [5.0], [3.0]]),
    ...                       None, np.array([2.0]), np.array([3.0]), 2, None, None)
    >>> weight_sum, products = reduce(0, 3)
    >>> sums, gram = sums_and_gram([products])
    >>> weight_sum, sums.tolist(), gram.tolist()
    (3.0, [0.0, 1.0], [[2.0, 1.0], [1.0, 5.0]])
    """

    def __init__(self, X, y2, sample_weight, x_shift, y_shift, chunk_rows, x_scale, y_scale):
        d, t = X.shape[1], y2.shape[1]
        self.X, self.y2, self.sample_weight, self.chunk_rows = X, y2, sample_weight, chunk_rows
        self.sparse = scipy.sparse.issparse(X)  # chunks made dense one at a time
        if d + t <= NARROW or _stored_by_columns(X):
            self.layout = "columns"
        else:
            self.layout = "rows" if d >= _ROW_GRAM_FEATURES else "split"
        size = min(chunk_rows, max(X.shape[0], 1))
        self.columns = self.rows = None
        if self.layout != "rows":
            self.columns = _scratch_array("columns", (t + 1 + d * (self.layout == "columns"), size))
            self.columns[-1] = 1.0
        if self.layout != "columns":
            self.rows = _scratch_array("rows", (size, d + (t + 1) * (self.layout == "rows")))
            self.rows[:, d:] = 1.0
        self.shift_rows = _RowShifter(x_scale, x_shift, size) if self.layout == "split" else None
        self.x_shift, self.x_scale = x_shift, x_scale
        self.y_shift, self.y_scale = y_shift, y_scale

    def _shifted(self, start: int, stop: int):
        """The chunk ``start:stop`` shifted into the buffers: (columns, rows) views."""
        d, t, k = self.X.shape[1], self.y2.shape[1], stop - start
        columns = None if self.columns is None else self.columns[:, :k]
        rows = None if self.rows is None else self.rows[:k]
        block = self.X[start:stop]
        block = block.toarray() if self.sparse else block
        y_block = self.y2[start:stop]
        if self.layout == "columns":
            _shift_into(block.T, _column(self.x_scale), self.x_shift[:, None], columns[:d])
        elif self.layout == "split":
            self.shift_rows(block, rows)
        else:
            _shift_into(block, self.x_scale, self.x_shift, rows[:, :d])
            _shift_into(y_block, self.y_scale, self.y_shift, rows[:, d:-1])
        if self.layout != "rows":
            _shift_into(
                y_block.T, _column(self.y_scale), self.y_shift[:, None], columns[-1 - t : -1]
            )
        return columns, rows

    def __call__(self, lo: int, hi: int):
        """The weight sum and the products (:class:`_Products`) of the shifted rows ``lo:hi``."""
        products = _Products(self.X.shape[1], self.y2.shape[1], self.layout)
        weight_sum = 0.0
        for start in range(lo, hi, self.chunk_rows):
            stop = min(start + self.chunk_rows, hi)
            columns, rows = self._shifted(start, stop)
            if self.sample_weight is None:
                weight_sum += stop - start
            else:
                w = self.sample_weight[start:stop]
                root = np.sqrt(w)
                if columns is not None:
                    columns[:-1] *= root
                    columns[-1] = root
                if rows is not None:
                    rows *= root[:, None]
                    if self.layout == "rows":
                        rows[:, -1] = root
                weight_sum += float(w.sum())
            products.add(columns, rows)
        return weight_sum, products


def _column(values):
    """``values`` as a column (None stays None)."""
    return None if values is None else values[:, None]


class _Products:
    """The products of the shifted columns of a :class:`ChunkReducer`, added up by BLAS.

    ``columns`` holds columns as rows, ``rows`` rows (see the layouts there). Few columns are
    multiplied by a dot product per pair (at most NARROW with the ones) or a matrix-vector
    product (gemv) per row of the upper triangle (BLAS's symmetric product is slow for so
    few), more by one symmetric product (syrk); in the
    ``split`` layout X's rows and the other columns by one matrix-vector product per column
    (BLAS's matrix product is slow for so few columns).
    """

    def __init__(self, d, t, layout):
        self.layout = layout
        m = {"columns": d + t + 1, "rows": 0, "split": t + 1}[layout]
        self.pairs = m <= _PAIRWISE_COLUMNS
        self.gram = np.zeros((m, m))  # of the columns (the upper triangle only, if pairs)
        self.rows_gram = np.zeros(
            {"columns": (0, 0), "rows": (d + t + 1,) * 2, "split": (d, d)}[layout]
        )
        self.cross = np.zeros((d, m) if layout == "split" else (0, 0))

    def add(self, columns, rows) -> None:
        # np.dot, not the @ operator: numpy's matmul holds the GIL through small BLAS calls,
        # so the pass's threads ran their products one after another (measured on 21
        # columns of 3,120 rows: two threads took 1.05× one thread's time by @, 0.6× by dot).
        if columns is not None and self.pairs:
            m = columns.shape[0]  # (ones·ones, the weight sum, is known)
            for i in range(m - 1):
                if m <= NARROW + 1:  # a dot per pair: BLAS's gemv is slower on so few rows
                    for j in range(i, m):
                        self.gram[i, j] += np.dot(columns[i], columns[j])
                else:
                    self.gram[i, i:] += np.dot(columns[i:], columns[i])
        elif columns is not None:
            self.gram += np.dot(columns, columns.T)  # BLAS syrk
        if rows is not None:
            self.rows_gram += np.dot(rows.T, rows)
        if columns is not None and rows is not None:
            for j, column in enumerate(columns):
                self.cross[:, j] += np.dot(rows.T, column)

    def merged(self, other: _Products) -> _Products:
        """These products with another range's added (in place)."""
        self.gram += other.gram
        self.rows_gram += other.rows_gram
        self.cross += other.cross
        return self

    def sums_and_gram(self):
        """The column sums and the Gram matrix of [X, y] (its columns in that order)."""
        gram = np.triu(self.gram) + np.triu(self.gram, 1).T if self.pairs else self.gram
        if self.layout != "split":
            gram = gram if self.layout == "columns" else self.rows_gram
            return gram[:-1, -1].copy(), gram[:-1, :-1].copy()
        sums = np.concatenate([self.cross[:, -1], gram[:-1, -1]])
        cross = self.cross[:, :-1]
        return sums, np.block([[self.rows_gram, cross], [cross.T, gram[:-1, :-1]]])


def sums_and_gram(parts: list[_Products]) -> tuple[np.ndarray, np.ndarray]:
    """The column sums and the Gram matrix of the shifted [X, y] from the products of every
    range, added up in the order given (so the same, to the last bit, however they were
    shared among threads)."""
    total = parts[0]
    for part in parts[1:]:
        total.merged(part)
    return total.sums_and_gram()
