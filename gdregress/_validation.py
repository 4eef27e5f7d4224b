"""Input validation that says what is wrong and how to fix it.

scikit-learn's ``validate_data`` converts the input; what it cannot convert, or converts
without a word (dates, complex numbers, boolean flags), is named here: the input, the column
or row, and the remedy. The search for a cause runs only once a conversion has failed, so
valid data pay nothing for it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_array

from ._messages import find_stack_level, first_non_finite, non_finite_value

__all__ = [
    "already_converted",
    "clearer_errors",
    "listed",
    "non_finite_error",
    "numeric_target",
    "refuse_boolean_only",
    "refuse_missing",
    "refuse_text",
    "require_finite",
    "require_numeric",
    "warn_inexact_integers",
]


def _dtype_kind(dtype) -> str:
    """numpy's dtype kind letter, for pandas' extension dtypes too ("O" for the rest)."""
    types = pd.api.types
    if types.is_bool_dtype(dtype):
        return "b"
    if (
        types.is_datetime64_any_dtype(dtype)
        or types.is_timedelta64_dtype(dtype)
        or isinstance(dtype, pd.PeriodDtype)
    ):
        return "M"
    if types.is_complex_dtype(dtype):
        return "c"
    if types.is_float_dtype(dtype) or types.is_integer_dtype(dtype):
        return "f"
    return "O"


def _columns(data, name: str) -> list[tuple[str, object, int | None]]:
    """``(where, dtype, position)`` for each column of a DataFrame, or for a Series or array.

    ``position`` is the column's (for ``iloc``), None for a whole Series or array. Other
    input (None, lists, sparse matrices) has no dtype to read: an empty list.
    """
    if isinstance(data, pd.DataFrame):
        dtypes = data.dtypes.items()
        return [(f"{name} column {c!r}", dtype, j) for j, (c, dtype) in enumerate(dtypes)]
    if isinstance(data, pd.Series | np.ndarray):
        return [(name, data.dtype, None)]
    return []


# How to mend a complex input, and a ragged one, by input.
_COMPLEX_REMEDY = {
    "X": "pass the real part, or the real and imaginary parts as separate columns",
    "y": "pass the real part, or the real and imaginary parts as two targets",
}
_RAGGED_REMEDY = {
    "X": "give every row the same number of values, one per feature",
    "y": "give every row the same number of values, one per target",
    "sample_weight": "pass one number per sample, as a 1-D list or array",
}


def require_numeric(data, name: str) -> None:
    """Refuse dates and complex numbers, which numpy converts or rejects without a word of why.

    Reads the dtypes only, so it costs nothing; what only the values show (strings, missing
    values in object columns) is searched for after a failed conversion, by
    :func:`_unusable_input`.
    """
    for where, dtype, _ in _columns(data, name):
        kind = _dtype_kind(dtype)
        if kind == "M":
            raise ValueError(
                f"{where} holds dates or durations ({dtype}): convert it to a number of "
                "days, seconds or years since a reference before fitting."
            )
        if kind == "c":
            raise ValueError(
                f"Complex data not supported: {where} is complex ({dtype}); "
                f"{_COMPLEX_REMEDY.get(name, 'pass the real part')}."
            )


def refuse_missing(data, name: str, owner: str = "The estimator") -> None:
    """Refuse ``None`` where an array belongs (scikit-learn's message shows "array=nan").

    For y the message starts as scikit-learn's own ("requires y to be passed"), which its
    estimator checks look for.
    """
    if data is None:
        what = "the features" if name == "X" else "the targets" if name == "y" else name
        start = f"{owner} requires y to be passed, but the target y is None" if name == "y" else ""
        raise ValueError(
            f"{start or f'{name} is missing (None)'}: pass {what} as an array-like of "
            "numbers, e.g. a numpy array or a pandas DataFrame."
        )


def refuse_text(data, name: str) -> None:
    """Refuse numbers written as text, alike in X, y and sample_weight.

    numpy converts "1.5" to 1.5 without a word, so a CSV column read as text (a decimal
    comma, a stray unit) would be fitted as if it were numbers. Reads the dtypes of arrays and
    numeric frames only; object columns and lists are searched for a string.
    """
    for where, values in _text_candidates(data, name):
        if not _holds_text(values):
            continue
        if _converts_to_float(values):
            raise ValueError(
                f"{where} holds numbers written as text ({_text_example(values)!r}): convert "
                "them to numbers first, for example with pandas.to_numeric (or "
                ".astype(float)); text is never read as numbers here, in X, y or "
                "sample_weight alike."
            )
        return  # text that is not a number: the conversion's error names it


def _text_candidates(data, name: str):
    """``(where, values)`` of the parts of ``data`` that may hold text: string or object
    arrays, object or string columns of a DataFrame, lists."""
    if isinstance(data, list | tuple):
        try:
            data = np.asarray(data, dtype=object)
        except (TypeError, ValueError):
            return []
    if isinstance(data, pd.Series):
        data = data.to_frame()
    if isinstance(data, pd.DataFrame):
        text = [
            (f"{name} column {c!r}" if name == "X" else name, data.iloc[:, j].to_numpy())
            for j, (c, dtype) in enumerate(data.dtypes.items())
            if _dtype_kind(dtype) == "O"
        ]
        return text
    if isinstance(data, np.ndarray) and data.dtype.kind in "OUS":
        return [(name, data)]
    return []


def _holds_text(values: np.ndarray) -> bool:
    if values.dtype.kind in "US":
        return True
    kind = pd.api.types.infer_dtype(values.reshape(-1), skipna=True)  # one pass, in C
    if kind in ("string", "bytes"):
        return True
    return kind.startswith("mixed") and any(isinstance(v, str | bytes) for v in values.flat)


def _text_example(values: np.ndarray):
    for v in values.reshape(-1):
        if isinstance(v, str | bytes):
            return v
    return values.reshape(-1)[0]


# float64 holds every integer up to 2**53 exactly; beyond, it rounds them to a multiple of a
# power of two. A column keeps at least this share of its range's digits, or is warned about.
_EXACT_INTEGERS = 2**53
_KEPT_RESOLUTION = 1e-8


def warn_inexact_integers(data, name: str) -> None:
    """Warn when integers beyond 2**53 lose, as float64, digits their range needs.

    Nanosecond timestamps (1.7e18) become multiples of 256 ns: a column of 1.7e18 + 0…49
    turns constant. Reads integer columns only (a pass over them); floats are as given.
    """
    from sklearn.exceptions import DataConversionWarning

    for where, values in _integer_columns(data, name):
        values = values.reshape(len(values), -1)
        largest = np.max(np.abs(values.astype(np.float64)), axis=0, initial=0.0)
        if not np.any(largest > _EXACT_INTEGERS):
            continue
        spread = (values.max(axis=0) - values.min(axis=0)).astype(np.float64)
        rounding = np.spacing(largest) / 2
        lost = (largest > _EXACT_INTEGERS) & (rounding > _KEPT_RESOLUTION * spread)
        if np.any(lost):
            j = int(np.argmax(lost))
            warnings.warn(
                f"{where}{f' (column {j})' if values.shape[1] > 1 else ''} holds integers "
                f"beyond 2**53 (up to {largest[j]:.3g}), which float64 rounds to multiples of "
                f"{2 * rounding[j]:.0f}, more than {_KEPT_RESOLUTION:.0e} of their range "
                f"({spread[j]:.3g}): the fit sees them so rounded. Subtract a reference "
                "first, in integers (X - X.min(), e.g. times since the first), or convert "
                "to coarser units.",
                DataConversionWarning,
                stacklevel=find_stack_level(),
            )


def _integer_columns(data, name: str):
    """``(where, values)`` of the integer arrays or DataFrame columns of ``data``."""
    if isinstance(data, pd.Series):
        data = data.to_frame()
    if isinstance(data, pd.DataFrame):
        return [
            (f"{name} column {c!r}", data[c].to_numpy())
            for c, dtype in data.dtypes.items()
            if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        ]
    if isinstance(data, np.ndarray) and data.dtype.kind in "iu" and data.ndim in (1, 2):
        return [(name, data)]
    return []


def refuse_boolean_only(X) -> None:
    """Refuse X whose columns are all boolean.

    0/1 flags fitted as numbers are more often a mistake (class labels) than meant;
    ``astype(float)`` says it is meant.
    """
    kinds = [_dtype_kind(dtype) for _, dtype, _ in _columns(X, "X")]
    if kinds and all(kind == "b" for kind in kinds):
        raise ValueError(
            "X has only boolean columns: if 0/1 is meant, pass X.astype(float); boolean "
            "features next to numeric ones are taken as 0/1."
        )


@contextmanager
def clearer_errors(estimator, **inputs):
    """Replace a failed conversion's error by one naming the input, the place and the fix.

    numpy's and scikit-learn's messages ("could not convert string to float", "inhomogeneous
    shape") name neither the input nor the row. The inputs are searched for the cause only
    once the conversion has failed, so valid data pays nothing; when no cause is found, the
    original error stands.
    """
    try:
        yield
    except (TypeError, ValueError):
        for name, data in inputs.items():
            clearer = _unusable_input(data, name, estimator)
            if clearer is not None:
                raise clearer from None
        raise


def _unusable_input(data, name: str, estimator) -> Exception | None:
    """The error that says why ``data`` cannot be made an array of numbers, if it shows."""
    if isinstance(data, Mapping):
        return TypeError(
            f"{name} is a {type(data).__name__}, not an array: pass a numpy array or a pandas "
            "DataFrame of numbers (pandas.DataFrame(X) makes one of a dict of columns)."
        )
    if isinstance(data, pd.DataFrame) and data.shape[1] == 0:
        try:  # scikit-learn's "0 sample(s)" or "0 feature(s)", as for an empty array
            check_array(np.empty(data.shape), estimator=estimator, input_name=name)
        except ValueError as empty:
            return empty
    if isinstance(data, list | tuple) or (isinstance(data, np.ndarray) and data.dtype == object):
        ragged = _ragged_entry(data)
        if ragged is not None:
            index, length, first_index, first_length = ragged
            return ValueError(
                f"{name} is ragged: {_place(index)} has {_count(length)}, {_place(first_index)} "
                f"has {_count(first_length)}; {_RAGGED_REMEDY.get(name, _RAGGED_REMEDY['X'])}."
            )
    from_list = isinstance(data, list | tuple)  # its dtype is numpy's guess: not worth naming
    if from_list:
        try:
            data = np.asarray(data)
        except (TypeError, ValueError):
            return None
    try:
        require_numeric(data, name)
    except ValueError as error:
        return error
    for where, dtype, position in _columns(data, name):
        if _dtype_kind(dtype) == "O":
            values = data if position is None else data.iloc[:, position]
            found = _first_non_number(np.asarray(values))
            if found is not None:
                shown = "" if from_list else f" ({dtype})"
                return _non_number_error(name, where, shown, *found)
    return _non_finite_entry(data, name)


def _non_finite_entry(data, name: str) -> ValueError | None:
    """The error naming the first NaN or ±inf of numeric ``data``, or None."""
    try:
        values = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if values.ndim not in (1, 2):
        return None
    columns = list(data.columns) if isinstance(data, pd.DataFrame) else None
    found = first_non_finite(values)
    if found is None:
        return None
    return non_finite_error(name, *found, column_names=columns, n_dims=values.ndim)


def require_finite(data, name: str, column_names=None) -> None:
    """Raise :func:`non_finite_error` for the first NaN or ±inf of ``data``, if it holds one.

    Reads the whole of ``data``: called only once the statistics (or a conversion) have
    shown that something is not finite, so that valid data pay nothing for it.
    """
    found = first_non_finite(data)
    if found is not None:
        raise non_finite_error(name, *found, column_names=column_names, n_dims=np.ndim(data))


def non_finite_error(
    name: str, row: int, column: int, value: float, *, column_names=None, n_dims: int = 2
) -> ValueError:
    """The error for a NaN or ±inf in ``name``, naming its column (by name when known) and
    its first row; it starts as scikit-learn's does ("Input X contains NaN")."""
    if name == "X":
        label = column_names[column] if column_names is not None else column
        where = f"column {label!r} of X"
    elif n_dims == 2:
        where = f"target {column} of {name}"
    else:
        where = name
    what = "NaN" if value != value else "infinity"
    if name == "sample_weight":
        remedy = "give every row a finite weight (0 drops a row)"
    elif what == "NaN":
        remedy = (
            "fill the missing values (for example with scikit-learn's SimpleImputer) or drop "
            "those rows"
        )
    else:
        remedy = "drop those rows or replace the infinite values"
    return ValueError(
        f"Input {name} contains {what}: {where} {non_finite_value(value)} in row {row} "
        f"(counting from 0), the first row with one; {remedy}."
    )


def _ragged_entry(data):
    """The first entry of nested sequences whose length differs from the others' at its depth.

    Returns ``(index, length, first_index, first_length)``, a length being None for a single
    value, or None when the nesting is even. Reads every entry: for the failure path only.
    """
    shape: list[int] = []  # the even lengths of the levels above
    level = [data]
    while level:
        first = _length(level[0])
        for k, value in enumerate(level):
            length = _length(value)
            if length != first:
                return _index(k, shape), length, _index(0, shape), first
        if first is None:
            return None
        shape.append(first)
        level = [item for value in level for item in value]
    return None


def _index(k: int, shape) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(k, shape))


def _length(value) -> int | None:
    """``len(value)`` for a sequence or array; None for a single value (a number, a string)."""
    if isinstance(value, str | bytes | Mapping):
        return None
    try:
        return len(value)
    except TypeError:
        return None


def _place(index) -> str:
    """Where an entry is: "row 1", "row 1, column 0", or "entry [1, 0, 2]" deeper."""
    if len(index) > 2:
        return f"entry [{', '.join(map(str, index))}]"
    return ", ".join(f"{axis} {i}" for axis, i in zip(("row", "column"), index, strict=False))


def _count(length: int | None) -> str:
    return "a single value" if length is None else f"{length} value{'s' * (length != 1)}"


# Entries converted at a time when searching for the one numpy cannot convert.
_SEARCH_BLOCK = 1 << 16


def _first_non_number(values: np.ndarray):
    """The index and value of the first entry that numpy cannot convert to float, or None.

    Converts block by block, and entry by entry only inside the block that fails.
    """
    flat = values.reshape(-1)
    for start in range(0, flat.size, _SEARCH_BLOCK):
        block = flat[start : start + _SEARCH_BLOCK]
        if _converts_to_float(block):
            continue
        for i in range(block.size):
            if not _converts_to_float(block[i : i + 1]):
                value = block[i].item() if isinstance(block[i], np.generic) else block[i]
                return _index(start + i, values.shape), value
    return None


def _non_number_error(name: str, where: str, dtype: str, index, value) -> Exception | None:
    """The error for a missing value or a string where a number belongs; None for others.

    ``dtype`` is the dtype in parentheses, or "" for input that had none (a list).
    """
    if pd.api.types.is_scalar(value) and pd.isna(value):  # pd.NA, pd.NaT: not None or NaN
        return ValueError(
            f"Input {name} contains missing values: {where} holds {value!r} in {_place(index)}; "
            "fill them (for example with scikit-learn's SimpleImputer) or drop those rows."
        )
    if where != name:  # a named column of a DataFrame: whatever it holds, it is not numbers
        remedy = "encode it as numbers (for example with scikit-learn's OneHotEncoder) or drop it"
    elif not isinstance(value, str | bytes):
        return None  # another object in an array (a dict, a list): numpy's message names it
    elif name == "X":
        remedy = (
            "encode the strings as numbers (for example with scikit-learn's OneHotEncoder), "
            "or convert numbers written as text with pandas.to_numeric"
        )
    else:
        remedy = "convert it to numbers, for example with pandas.to_numeric"
    return ValueError(f"{where} is not numeric{dtype}: {_place(index)} holds {value!r}; {remedy}.")


def _converts_to_float(values) -> bool:
    try:
        np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return True


def already_converted(X, y) -> bool:
    """Whether scikit-learn's conversion would hand X and y back as they are.

    A 2-D float64 or float32 ``numpy.ndarray`` X and a 1-D or 2-D float y, neither empty:
    the estimators' ``check_array`` settings accept these untouched, so only the count and
    names of the features need checking. Skipping the conversion saves about half a
    millisecond a call, which ten ``partial_fit`` calls on a fit of 25 ms notice.
    """
    return (
        type(X) is np.ndarray
        and type(y) is np.ndarray
        and X.ndim == 2
        and X.dtype in (np.float64, np.float32)
        and X.shape[0] > 0
        and X.shape[1] > 0
        and y.dtype.kind == "f"
        and (y.ndim == 1 or (y.ndim == 2 and y.shape[1] > 0))
    )


def listed(names, most: int = 5) -> str:
    """Column names quoted and separated by commas, the first ``most`` of them."""
    shown = ", ".join(repr(name) for name in list(names)[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def numeric_target(y: np.ndarray) -> np.ndarray:
    """y as numbers, or a ValueError: booleans look like class labels, text is not a quantity.

    Numbers held as Python objects (from a pandas column, say) are converted to float64.
    """
    if y.dtype.kind == "O":
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError):
            pass  # refused just below, with the dtype named
    if y.dtype.kind == "b":
        raise ValueError(
            "y is boolean, which looks like class labels, not a quantity to regress on: "
            "use a classifier, or pass y.astype(float) if 0/1 is meant."
        )
    if y.dtype.kind not in "fiu":
        raise ValueError(
            f"y must be numeric, but its dtype is {y.dtype}: convert the target to numbers "
            "(for example with pandas.to_numeric) before fitting."
        )
    return y
