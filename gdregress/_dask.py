r"""Least squares on dask collections: statistics reduced in a tree where the data lives.

A fit depends on the data only through the mergeable statistics of
:mod:`gdregress._statistics`, so a fit over rows spread across many machines can be exact:
every block of rows (a chunk of a dask array, a partition of a dask DataFrame) computes
:func:`~gdregress._statistics.compute_statistics` on the worker that holds it, and
:func:`~gdregress._statistics.merge_statistics` merges the results pairwise up a tree. Only
the statistics travel, a few ``d × d`` arrays per block; the rows never leave their workers.
The solve then runs on the small result, exactly as for data in memory.

When the statistics show an ill-conditioned design, the closed form does not trust the
normal equations: a tall-skinny QR runs over the blocks instead, reduced up the same tree.
Each block contributes the R factor of its rows of the centred, column-scaled design (with
the centred targets as extra columns), two R factors merge into the R factor of their
stacked rows, and the coefficients come from the final R by a triangular solve. Its error
grows like eps·cond(design), where the normal equations' grows like eps·cond(design)².

Dask is an optional dependency: :mod:`gdregress` imports this module, but this module
imports dask only when it is handed a dask collection (by then the caller has imported it).
Computations run on whatever scheduler is active, a ``dask.distributed`` client included.
"""

from __future__ import annotations

import copy
import functools
import sys
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ._messages import first_non_finite
from ._sources import ROWS, STATISTICS, RFactor, WeightLogs, padded_to_square
from ._statistics import LeastSquaresStatistics, compute_statistics, merge_statistics
from ._validation import non_finite_error

__all__ = [
    "DaskSource",
    "check_features_collection",
    "feature_sample",
    "is_dask_collection",
    "predict",
]

# Results merged per task of the tree: 100 blocks reduce in three levels.
_SPLIT_EVERY = 8


def is_dask_collection(*objects: Any) -> bool:
    """Whether any of ``objects`` is a dask collection, without importing dask.

    A dask collection can only exist once dask has been imported, so when it has not been,
    the answer is no at the cost of a dictionary lookup.
    """
    dask = sys.modules.get("dask")
    if dask is None:
        return False
    return any(dask.is_dask_collection(obj) for obj in objects)


# --- the blocks of rows -----------------------------------------------------------------


def _is_dask_frame(obj) -> bool:
    dd = sys.modules.get("dask.dataframe")
    return dd is not None and isinstance(obj, dd.DataFrame | dd.Series)


def _is_dask_array(obj) -> bool:
    da = sys.modules.get("dask.array")
    return da is not None and isinstance(obj, da.Array)


def _kind_of_dtype(dtype) -> str | None:
    """What is wrong with ``dtype`` for regression, or ``None`` if it is a real number type."""
    import pandas as pd

    if pd.api.types.is_complex_dtype(dtype):
        return "complex"
    if pd.api.types.is_numeric_dtype(dtype):  # ints, floats, bool, nullable Int64/Float64
        return None
    return str(dtype)


def _check_numeric(obj, name: str) -> None:
    """Raise a ValueError naming the non-numeric columns of a dask collection, if any."""
    if _is_dask_frame(obj):
        dtypes = obj.dtypes.items() if obj.ndim == 2 else [(obj.name, obj.dtype)]
        wrong = [
            f"{column!r} ({kind})" for column, dtype in dtypes if (kind := _kind_of_dtype(dtype))
        ]
    else:
        kind = _kind_of_dtype(obj.dtype)
        wrong = [f"dtype {kind}"] if kind else []
    if wrong:
        raise ValueError(
            f"{name} must be numeric, but has {', '.join(wrong)}. Encode or drop such columns "
            "(for example with dask_ml.preprocessing.Categorizer and DummyEncoder) before fitting."
        )


@dataclass(frozen=True)
class _RowBlocks:
    """X, y and the sample weights as dask collections cut into the same blocks of rows.

    Either all three are dask DataFrames/Series with the same partitions (``frames``), read
    together by one ``map_partitions``, or all are dask arrays with the same row chunks. y is
    1-D or 2-D as given; the weights are 1-D or ``None``; ``groups``, a label per row cut
    alike, or ``None``.
    """

    X: Any
    y: Any
    sample_weight: Any
    frames: bool
    groups: Any = None

    @property
    def y_is_1d(self) -> bool:
        return self.y.ndim == 1

    def collections(self, with_groups: bool = False) -> list:
        groups = self.groups if with_groups else None
        return [c for c in (self.X, self.y, self.sample_weight, groups) if c is not None]

    def map_reduce(self, leaf, merge, *, with_groups: bool = False):
        """Apply ``leaf(X_block, y_block[, w_block][, groups_block])`` where each block lives,
        merge in a tree, in the blocks' order.

        Returns the merged result, computed on the active scheduler. Only the results of
        ``leaf`` and ``merge`` travel between workers and to the caller.
        """
        import dask

        if self.frames:
            import dask.dataframe as dd
            import pandas as pd

            per_block = dd.map_partitions(
                functools.partial(_boxed, leaf, box=_box_series),
                *self.collections(with_groups),
                meta=pd.Series([], dtype=object),
                align_dataframes=False,
                enforce_metadata=False,
            )
        else:
            import dask.array as da

            arguments = []
            for collection, letter in zip(self.collections(with_groups), "jklm", strict=False):
                arguments += [collection, "i" if collection.ndim == 1 else "i" + letter]
            per_block = da.blockwise(
                functools.partial(_boxed, leaf, box=_box_array),
                "i",
                *arguments,
                concatenate=True,
                adjust_chunks={"i": 1},
                dtype=object,
                meta=np.empty((0,), dtype=object),
            )
        level = list(np.ravel(per_block.to_delayed()))  # boxed results, one per block
        unbox = True
        while unbox or len(level) > 1:
            merge_group = functools.partial(_merge_group, merge, unbox=unbox)
            level = [
                dask.delayed(merge_group, pure=True)(*level[start : start + _SPLIT_EVERY])
                for start in range(0, len(level), _SPLIT_EVERY)
            ]
            unbox = False
        (result,) = dask.compute(level[0])
        return result


def _blockwise_rows(rows_of, width: int, arguments: list):
    """The arrays of ``rows_of`` on each block of dask arrays, as one dask array (n, width)."""
    import dask.array as da

    def values_of(*blocks):
        return rows_of(*blocks).to_numpy()

    return da.blockwise(
        values_of,
        "ic",
        *arguments,
        concatenate=True,
        new_axes={"c": width},
        dtype=np.float64,
        meta=np.empty((0, width)),
    )


def _box_series(value):
    import pandas as pd

    return pd.Series([value], dtype=object)


def _box_array(value):
    box = np.empty(1, dtype=object)
    box[0] = value
    return box


def _boxed(leaf, *blocks, box):
    """``leaf`` of one block, boxed as the one element of a pandas Series or numpy array."""
    return box(leaf(*blocks))


def _merge_group(merge, *values, unbox: bool):
    """Merge the results of a few blocks (boxed, if ``unbox``) or subtrees into one."""
    if unbox:
        values = [value.iloc[0] if hasattr(value, "iloc") else value[0] for value in values]
    return functools.reduce(merge, values)


def _as_dask_array(obj, name: str, like):
    """``obj`` as a dask array with the row chunks of ``like`` (a dask array)."""
    import dask.array as da

    if _is_dask_array(obj):
        return obj
    if _is_dask_frame(obj):
        return obj.to_dask_array()
    if is_dask_collection(obj):
        raise ValueError(
            f"{name} is a {type(obj).__name__}; pass a dask Array, DataFrame or Series."
        )
    rows = like.chunks[0]
    if any(np.isnan(rows)):
        raise ValueError(
            f"{name} is in memory but the blocks of X have unknown lengths, so {name} cannot "
            f"be cut alike. Pass {name} as a dask collection partitioned like X (for a "
            f"DataFrame df: X = df[features], {name} = df[column]), or compute the lengths "
            "of X first (X.to_dask_array(lengths=True))."
        )
    array = np.asarray(obj)
    return da.from_array(array, chunks=(rows, *array.shape[1:]))


def _row_blocks(X, y, sample_weight) -> _RowBlocks:
    """Validate the shapes and dtypes of dask X, y and weights, and align their blocks."""
    if not (_is_dask_array(X) or _is_dask_frame(X)):
        kind = "in memory" if not is_dask_collection(X) else f"a {type(X).__name__}"
        raise ValueError(
            f"y or sample_weight is a dask collection but X is {kind}. Pass X as a dask "
            "Array or DataFrame too (for example dask.array.from_array(X, chunks=...)), or "
            "compute y and sample_weight to fit in memory."
        )
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2-D X (rows × features), got a {X.ndim}-D {type(X).__name__}. "
            "Use X.to_frame() for a dask Series, or X.reshape(-1, 1) for one feature."
        )
    if y is None:
        raise ValueError("y is required: fit the features X to targets y.")
    _check_numeric(X, "X")

    frames = _is_dask_frame(X) and _is_dask_frame(y)
    frames = frames and (sample_weight is None or _is_dask_frame(sample_weight))
    if frames:
        parts = [c for c in (X, y, sample_weight) if c is not None]
        counts = [c.npartitions for c in parts]
        if len(set(counts)) > 1:
            raise ValueError(
                "X, y and sample_weight must be split into the same partitions of rows, but "
                f"have {', '.join(map(str, counts))} partitions. Take them from one DataFrame "
                "(X = df[features], y = df[target]) or repartition them alike."
            )
    else:
        X = _as_dask_array(X, "X", None)
        if len(X.chunks[1]) > 1:
            X = X.rechunk({1: -1})  # every block holds whole rows
        y = _as_dask_array(y, "y", X)
        if y.ndim == 2 and len(y.chunks[1]) > 1:
            y = y.rechunk({1: -1})
        if sample_weight is not None:
            if np.ndim(sample_weight) == 0 and not is_dask_collection(sample_weight):
                if np.isnan(X.shape[0]):
                    raise ValueError(
                        "A scalar sample_weight needs the number of rows of X, which is "
                        "unknown: pass the weights as a dask Series or array, or none."
                    )
                sample_weight = np.full(X.shape[0], float(sample_weight))
            sample_weight = _as_dask_array(sample_weight, "sample_weight", X)
        _check_lengths(X, y, sample_weight)

    if y.ndim not in (1, 2):
        raise ValueError(f"y must be 1-D or 2-D, got {y.ndim}-D.")
    _check_numeric(y, "y")
    if sample_weight is not None:
        if sample_weight.ndim != 1:
            raise ValueError(
                f"sample_weight must be 1-D (one weight per row), got {sample_weight.ndim}-D."
            )
        _check_numeric(sample_weight, "sample_weight")
    return _RowBlocks(X=X, y=y, sample_weight=sample_weight, frames=frames)


def _check_lengths(X, y, sample_weight) -> None:
    """Compare the numbers of rows and blocks of dask arrays, where they are known."""
    arrays = [("X", X), ("y", y)]
    if sample_weight is not None:
        arrays.append(("sample_weight", sample_weight))
    lengths = [a.shape[0] for _, a in arrays]
    if not any(np.isnan(lengths)) and len(set(lengths)) > 1:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"{[int(n) for n in lengths]} ({', '.join(name for name, _ in arrays)})."
        )
    if any(np.isnan(lengths)):
        blocks = [len(a.chunks[0]) for _, a in arrays]
        if len(set(blocks)) > 1:
            raise ValueError(
                "X, y and sample_weight have blocks of unknown length and different numbers of "
                f"blocks ({', '.join(map(str, blocks))}), so their rows cannot be matched. Take "
                "them from one DataFrame, or compute their lengths (to_dask_array(lengths=True))."
            )


def _float_block(block) -> np.ndarray:
    """One block as a float ndarray: float32 and float64 as they are, the rest as float64."""
    if hasattr(block, "to_numpy"):  # a pandas partition; missing values become NaN
        return block.to_numpy(dtype=np.float64, na_value=np.nan)
    block = np.asarray(block)
    return block if block.dtype in (np.float32, np.float64) else block.astype(np.float64)


def _numeric_blocks(X, y, sample_weight=None):
    """The blocks of one partition as float arrays, y 2-D, with matching numbers of rows."""
    X, y = _float_block(X), _float_block(y)
    y = y.reshape(-1, 1) if y.ndim == 1 else y
    counts = [len(X), len(y)]
    if sample_weight is not None:
        sample_weight = _float_block(sample_weight).astype(np.float64, copy=False)
        counts.append(len(sample_weight))
        if np.any(sample_weight < 0):
            raise ValueError("Negative values in data passed to `sample_weight`.")
    if len(set(counts)) > 1:
        raise ValueError(
            f"A block of rows has {' / '.join(map(str, counts))} rows in X / y"
            f"{' / sample_weight' if sample_weight is not None else ''}: they must be cut into "
            "the same blocks of rows. Take them from one DataFrame, or rechunk them alike."
        )
    return X, y, sample_weight


# --- statistics --------------------------------------------------------------------------


def _block_statistics(X, y, sample_weight=None) -> LeastSquaresStatistics:
    """The statistics of one block of rows, computed on the worker that holds it.

    Non-finite statistics mean NaN or inf in the block, or squares that overflow; the block
    is then searched, to say which.
    """
    X, y, sample_weight = _numeric_blocks(X, y, sample_weight)
    with np.errstate(over="ignore", invalid="ignore"):
        # One thread per block: dask runs blocks side by side already.
        statistics = compute_statistics(X, y, sample_weight, n_threads=1)
    if not statistics.is_finite():
        for name, values in (("X", X), ("y", y), ("sample_weight", sample_weight)):
            if values is not None and first_non_finite(values) is not None:
                raise _NonFinite(name)
        raise ValueError(
            "The data are finite but too large: their squares overflow float64 (in one block, "
            f"largest |X| = {np.max(np.abs(X), initial=0):.3g}, largest |y| = "
            f"{np.max(np.abs(y), initial=0):.3g}). Rescale X or y (for example divide by a "
            "power of 10) and refit."
        )
    return statistics


def _block_statistics_and_weights(X, y, sample_weight=None):
    """A block's statistics and its weights' :class:`~gdregress._sources.WeightLogs`."""
    statistics = _block_statistics(X, y, sample_weight)
    weights = None if sample_weight is None else _float_block(sample_weight).astype(np.float64)
    return statistics, WeightLogs.of(weights, 1.0, statistics.n_rows)


def _merge_statistics_and_weights(a, b):
    return merge_statistics(a[0], b[0]), a[1].merge(b[1])


class _NonFinite(ValueError):
    """A block holds NaN or ±inf in the input named by ``args[0]``: X, y or sample_weight."""


def _first_non_finite_row(name, X, y, sample_weight=None):
    """``(rows, (row, column, value) or None)``: a block's rows, and its first non-finite
    entry of ``name`` (X, y or sample_weight)."""
    X, y, sample_weight = _numeric_blocks(X, y, sample_weight)
    values = {"X": X, "y": y, "sample_weight": sample_weight}[name]
    return len(X), first_non_finite(values)


def _earlier_non_finite(a, b):
    """Two consecutive runs of rows merged: their rows, and the first non-finite entry."""
    (rows_a, found_a), (rows_b, found_b) = a, b
    if found_a is None and found_b is not None:
        found_a = (rows_a + found_b[0], *found_b[1:])
    return rows_a + rows_b, found_a


def feature_sample(X):
    """An empty in-memory sample with X's columns, for scikit-learn's feature checks.

    For a dask DataFrame, the empty pandas DataFrame with its columns and dtypes (so that its
    column names become ``feature_names_in_``); for a dask array, an empty array as wide.
    """
    if _is_dask_frame(X):
        from dask.dataframe.utils import make_meta

        return make_meta(X)
    return np.empty((0, X.shape[1]))


class DaskSource:
    """X, y and weights as dask collections: the data source of a fit on a cluster.

    Every operation runs where the blocks live and merges the results up a tree: only a few
    ``d × d`` arrays per block travel, never rows. Column names and dtypes come from the
    collections' metadata; NaN and inf are found from the statistics of each block.

    Parameters
    ----------
    X : dask Array or DataFrame of shape (n_samples, n_features)
    y : dask Array, Series or DataFrame of shape (n_samples,) or (n_samples, n_targets)
        A dask array or an in-memory array when X is a dask array with known chunks.
    sample_weight : dask Array or Series of shape (n_samples,), optional
    owner : str
        The estimator's name, for messages.
    """

    offers = frozenset({STATISTICS, ROWS})

    def __init__(self, X, y, sample_weight=None, *, owner: str = "the estimator") -> None:
        self.blocks = _row_blocks(X, y, sample_weight)
        self._weight_logs: WeightLogs | None = None  # read with the statistics
        self.owner = owner

    def map_reduce(self, leaf, merge, *, rows_per_chunk: int | None = None):
        """``leaf(X, y, sample_weight, weight_scale)`` on every block, as float64 arrays,
        where the block lives (with ``groups=`` the block's labels, after
        :meth:`with_groups`); merged up a tree by ``merge``, in the blocks' order
        (``rows_per_chunk`` is the blocks' own)."""
        weighted = self.blocks.sample_weight is not None
        labelled = self.blocks.groups is not None

        def block_leaf(X, y, *rest):
            weights = rest[0] if weighted else None
            labels = {"groups": np.asarray(rest[-1])} if labelled else {}
            return leaf(*_numeric_blocks(X, y, weights), 1.0, **labels)

        return self.blocks.map_reduce(block_leaf, merge, with_groups=labelled)

    def map_rows(self, leaf, columns: list[str]):
        """``leaf(X, y, sample_weight, weight_scale)`` on every block, giving an array of a
        row per row and a column per name, as a lazy Dask DataFrame (indexed like a Dask
        DataFrame X; by position for arrays). Nothing is computed here."""
        import dask.dataframe as dd
        import pandas as pd

        blocks = self.blocks
        weighted = blocks.sample_weight is not None
        meta = pd.DataFrame({name: np.empty(0) for name in columns})

        def rows_of(X, y, *rest):
            values = leaf(*_numeric_blocks(X, y, rest[0] if weighted else None), 1.0)
            index = X.index if hasattr(X, "index") else None
            return pd.DataFrame(values, index=index, columns=columns)

        if blocks.frames:
            return dd.map_partitions(
                rows_of, *blocks.collections(), meta=meta, align_dataframes=False
            )
        arguments = []
        for collection, letter in zip(blocks.collections(), "jkl", strict=False):
            arguments += [collection, "i" if collection.ndim == 1 else "i" + letter]
        array = _blockwise_rows(rows_of, len(columns), arguments)
        return dd.from_dask_array(array, columns=columns)

    def with_groups(self, groups) -> DaskSource:
        """The same blocks, each row with its label: a dask Series partitioned like a dask
        DataFrame X, or a dask array (or an array in memory) chunked like a dask array X."""
        blocks = self.blocks
        if blocks.frames:
            if not _is_dask_frame(groups) or groups.npartitions != blocks.X.npartitions:
                raise ValueError(
                    "groups must be a dask Series with the partitions of X (for a DataFrame "
                    "df: groups=df[column]), so that each block of rows has its labels."
                )
        else:
            groups = _as_dask_array(groups, "groups", blocks.X)
            if groups.ndim != 1 or groups.chunks[0] != blocks.X.chunks[0]:
                raise ValueError(
                    "groups must hold one label per row of X, chunked like X "
                    f"({blocks.X.chunks[0]}); rechunk it alike."
                )
        source = copy.copy(self)
        source.blocks = replace(blocks, groups=groups)
        return source

    def weight_logs(self) -> WeightLogs:
        """The weights' :class:`~gdregress._sources.WeightLogs`, from the statistics' pass."""
        if self._weight_logs is None:
            self.statistics()
        return self._weight_logs

    @property
    def y_is_1d(self) -> bool:
        """Whether y is one target as a 1-D collection."""
        return self.blocks.y_is_1d

    @property
    def n_features(self) -> int:
        """Columns of X, from the metadata."""
        X = self.blocks.X
        return len(X.columns) if self.blocks.frames else int(X.shape[1])

    @property
    def n_targets(self) -> int:
        """Targets, from the metadata."""
        y = self.blocks.y
        if y.ndim == 1:
            return 1
        return len(y.columns) if self.blocks.frames else int(y.shape[1])

    def feature_sample(self):
        """See :func:`feature_sample`."""
        return feature_sample(self.blocks.X)

    def statistics(self) -> LeastSquaresStatistics:
        """The statistics of every block, computed where it lives and merged up a tree."""
        try:
            statistics, self._weight_logs = self.blocks.map_reduce(
                _block_statistics_and_weights, _merge_statistics_and_weights
            )
        except _NonFinite as found:
            raise self._non_finite_error(found.args[0]) from None
        if statistics.n_rows == 0:
            raise ValueError(
                f"Found array with 0 sample(s) while a minimum of 1 is required by "
                f"{self.owner}: the dask collections have no rows."
            )
        if not statistics.is_finite():
            raise ValueError(
                "The statistics of the data overflow float64 when the blocks are merged. "
                "Rescale X or y (for example divide by a power of 10) and refit."
            )
        return statistics

    def _non_finite_error(self, name: str) -> ValueError:
        """The error naming the first row (over all blocks) and the column of a NaN or inf
        in ``name``: one more pass, made only once a block has shown one."""
        leaf = functools.partial(_first_non_finite_row, name)
        _, (row, column, value) = self.blocks.map_reduce(leaf, _earlier_non_finite)
        X = self.blocks.X
        names = list(X.columns) if self.blocks.frames and hasattr(X, "columns") else None
        n_dims = 1 if name == "sample_weight" or (name == "y" and self.y_is_1d) else 2
        return non_finite_error(name, row, column, value, column_names=names, n_dims=n_dims)

    def r_factor(self, coordinates, statistics: LeastSquaresStatistics) -> RFactor:
        r"""The R factor by a tall-skinny QR, reduced up the tree of blocks.

        Each block contributes the R factor of its rows in the fit's coordinates with the
        centred targets as extra columns, :math:`W^{1/2}[Z,\ 1,\ y - \bar y]`
        (:meth:`~gdregress._coordinates.Coordinates.design_block`); two R factors merge into
        the R factor of their stacked rows. There are no rows to refine on: the solver takes
        one triangular solve.
        """
        leaf = functools.partial(_block_r_factor, coordinates=coordinates, y_mean=statistics.y_mean)
        r = padded_to_square(self.blocks.map_reduce(leaf, _merge_r_factors))
        p = coordinates.n_parameters
        return RFactor(r_design=r[:p, :p], r_targets=r[:p, p:])


# --- the accurate route: a tall-skinny QR up the same tree ----------------------------------


def _block_r_factor(X, y, sample_weight=None, *, coordinates, y_mean) -> np.ndarray:
    """The R factor of one block of the fit's design and targets, in the statistics' units
    (X / x_scale, y / y_scale and the weights divided by weight_scale, exact powers of two);
    rows of weight 0 contribute nothing."""
    X, y, sample_weight = _numeric_blocks(X, y, sample_weight)
    X, y, weights = coordinates.units.rows_to_scaled(X, y, sample_weight)
    root = None if weights is None else np.sqrt(weights)
    A, targets = coordinates.design_block(X[:, coordinates.active], y, root, y_mean)
    return np.linalg.qr(np.hstack([A, targets]), mode="r")


def _merge_r_factors(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The R factor of the rows of two blocks, from their R factors: R of ``[R_a; R_b]``."""
    return np.linalg.qr(np.vstack([a, b]), mode="r")


# --- prediction ----------------------------------------------------------------------------


def _predict_block(X, coef: np.ndarray, intercept, centre) -> np.ndarray:
    X = _float_block(X)
    if centre is None:
        return X @ coef.T + intercept
    predictions = centre.predict(X)
    return predictions[:, 0] if coef.ndim == 1 else predictions


def predict(X, coef: np.ndarray, intercept, centre=None) -> Any:
    """Predict lazily on a dask collection: a dask array, computed block by block.

    Parameters
    ----------
    X : dask Array or DataFrame of shape (n_samples, n_features)
        Its features already checked against the fit (:func:`feature_sample`).
    coef : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept : float or ndarray of shape (n_targets,)
    centre : Centre, optional
        The line's value at the columns' mean: each block is predicted from it (see
        :class:`~gdregress._coordinates.Centre`), as in memory.

    Returns
    -------
    dask Array of shape (n_samples,) or (n_samples, n_targets)
    """
    X = X.to_dask_array() if _is_dask_frame(X) else X.rechunk({1: -1})
    coef = np.asarray(coef, dtype=np.float64)
    if coef.ndim == 1:
        return X.map_blocks(
            _predict_block,
            coef,
            intercept,
            centre,
            drop_axis=1,
            dtype=np.float64,
            meta=np.empty(0),
        )
    return X.map_blocks(
        _predict_block,
        coef,
        intercept,
        centre,
        chunks=(X.chunks[0], (coef.shape[0],)),
        dtype=np.float64,
        meta=np.empty((0, 0)),
    )


def check_features_collection(X) -> None:
    """Refuse anything but a 2-D, numeric dask Array or DataFrame of features."""
    if not (_is_dask_array(X) or _is_dask_frame(X)) or X.ndim != 2:
        raise ValueError(
            f"Expected a 2-D dask Array or DataFrame of features, got {type(X).__name__}."
        )
    _check_numeric(X, "X")
