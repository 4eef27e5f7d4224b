"""The command's input: numeric columns of a CSV file, read in chunks, with exact errors.

A :class:`CSVTable` reads the header once, checks the columns the user asked for, and then
yields the chosen columns chunk by chunk as float64 arrays, counting rows and the fraction of
the file read (for the progress line). Every mistake in the input — a missing or unreadable
file, an unknown column, a cell that is not a number, a missing value — is an
:class:`InputError` whose message says what is wrong and how to fix it. Files ending in
``.gz``, ``.bz2`` or ``.xz`` are decompressed on the fly.
"""

from __future__ import annotations

import bz2
import difflib
import gzip
import lzma
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from ._messages import InputError, first_non_finite, non_finite_value, one_line

__all__ = ["CSVTable", "InputError", "choose_columns", "numeric_columns", "one_line"]

_DECOMPRESSORS = {
    ".gz": lambda raw: gzip.GzipFile(fileobj=raw),
    ".bz2": bz2.BZ2File,
    ".xz": lzma.LZMAFile,
}
# What pandas and the decompressors raise for a file that is not a well-formed CSV.
_PARSE_ERRORS = (
    pd.errors.ParserError,
    pd.errors.EmptyDataError,
    UnicodeDecodeError,
    EOFError,
    lzma.LZMAError,
    OSError,  # gzip.BadGzipFile and other damage found while reading
)


# pandas' message for a row with more fields than the header ("Error tokenizing data. C error:
# Expected 2 fields in line 4, saw 3"); its line counts the file's lines from 1, the header's.
_RAGGED_ROW = re.compile(
    r"Expected (?P<expected>\d+) fields in line (?P<line>\d+), saw (?P<seen>\d+)"
)

_FILE_SUFFIXES = {".csv", ".gz", ".bz2", ".xz", ".txt", ".tsv"}


class CSVTable:
    """A CSV file whose numeric columns are read in chunks.

    Parameters
    ----------
    path : str or Path
        The file; ``.gz``, ``.bz2`` and ``.xz`` files are decompressed while read.

    Attributes
    ----------
    columns : list of str
        The column names of the header line.
    size : int
        The size of the file in bytes.
    rows_read : int
        Data rows read so far by :meth:`chunks`.
    fraction_read : float
        The fraction of the file's bytes read so far by :meth:`chunks`.

    Raises
    ------
    InputError
        If the file cannot be opened or has no header line.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = str(path)
        self.rows_read = 0
        self.fraction_read = 0.0
        # Read as the chunks are (skipinitialspace): "x, y" names the columns x and y.
        header = self._read_header(nrows=0)
        self.columns = [str(column) for column in header.columns]
        self._refuse_repeated_names()

    def _read_header(self, **options) -> pd.DataFrame:
        """The first line(s) of the file, parsed by pandas with ``options``; sets ``size``."""
        with ExitStack() as stack:
            raw, text = self._open(stack)
            self.size = max(os.fstat(raw.fileno()).st_size, 1)
            try:
                return pd.read_csv(text, skipinitialspace=True, **options)
            except _PARSE_ERRORS as exc:
                raise self._parse_error(exc) from None

    def _refuse_repeated_names(self) -> None:
        """Refuse a header that names a column twice.

        pandas renames the second ``x`` to ``x.1``, a name the user never wrote, and would fit
        one copy on the other; the names as written come from reading the header as data.
        """
        written = self._read_header(header=None, nrows=1, dtype=str, keep_default_na=False)
        names = list(written.iloc[0])
        for j, name in enumerate(names):
            if name and name in names[:j]:
                raise InputError(
                    f"the header line of '{self.name}' names the column '{name}' twice "
                    f"(columns {names.index(name) + 1} and {j + 1}): give each column its own "
                    "name"
                )

    def _open(self, stack: ExitStack) -> tuple[BinaryIO, BinaryIO]:
        """Open the file: the raw handle (for the position read) and the one to parse."""
        try:
            raw = stack.enter_context(open(self.path, "rb"))
        except FileNotFoundError:
            raise InputError(
                f"no such file: '{self.name}'; check the name and the folder "
                f"(the current folder is {Path.cwd()})"
            ) from None
        except IsADirectoryError:
            raise InputError(f"'{self.name}' is a folder: give the path of a CSV file") from None
        except PermissionError:
            raise InputError(
                f"cannot read '{self.name}': permission denied; make the file readable"
            ) from None
        except OSError as exc:
            raise InputError(f"cannot read '{self.name}': {exc.strerror or exc}") from None
        decompressor = _DECOMPRESSORS.get(self.path.suffix.lower())
        if decompressor is None:
            return raw, raw
        return raw, stack.enter_context(decompressor(raw))

    def _parse_error(self, exc: BaseException) -> InputError:
        if isinstance(exc, pd.errors.EmptyDataError):
            return InputError(f"'{self.name}' is empty: a CSV file needs a header line of names")
        if isinstance(exc, UnicodeDecodeError):
            return InputError(
                f"'{self.name}' is not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
                f"position {exc.start}): save it as a UTF-8 CSV file"
            )
        reason = one_line(exc) or type(exc).__name__
        ragged = _RAGGED_ROW.search(reason)
        if ragged:
            expected, line, seen = ragged.group("expected", "line", "seen")
            return InputError(
                f"line {line} of '{self.name}' has {seen} fields where the header has "
                f"{expected}: remove the extra value, or quote a value that contains a comma "
                '("1,5")'
            )
        return InputError(f"'{self.name}' is not a readable CSV file: {reason}")

    def chunks(
        self, features: Sequence[str], target: str, rows: int
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(X, y)`` for every ``rows`` data rows, as float64 arrays.

        Raises
        ------
        InputError
            If a cell of the chosen columns is not a number, or is missing.
        """
        columns = [*features, target]
        self.rows_read = 0
        with ExitStack() as stack:
            raw, text = self._open(stack)
            try:
                reader = stack.enter_context(
                    # Every column is parsed, not only the chosen ones (usecols): with usecols
                    # pandas drops the extra fields of a ragged row instead of refusing it.
                    pd.read_csv(text, chunksize=rows, skipinitialspace=True)
                )
                for chunk in reader:
                    if chunk.empty:
                        continue
                    values = numeric_columns(chunk, columns, self.rows_read, f"'{self.name}'")
                    self.rows_read += len(chunk)
                    self.fraction_read = min(raw.tell() / self.size, 1.0)
                    yield values[:, :-1], values[:, -1]
            except _PARSE_ERRORS as exc:
                raise self._parse_error(exc) from None
        if self.rows_read == 0:
            raise InputError(f"'{self.name}' has a header line but no data rows")

    def read(self, features: Sequence[str], target: str, rows: int) -> tuple[np.ndarray, ...]:
        """All data rows of the chosen columns, read ``rows`` at a time: ``(X, y)``."""
        parts = list(self.chunks(features, target, rows))
        return np.concatenate([X for X, _ in parts]), np.concatenate([y for _, y in parts])


def numeric_columns(
    frame: pd.DataFrame, columns: Sequence[str], first_row: int, source: str
) -> np.ndarray:
    """The columns of ``frame`` as one float64 array, or an InputError naming the bad cell.

    ``first_row`` is the number of data rows before ``frame`` in the file, so that the
    message can give the row's number (counting data rows from 1, the header not counted).
    """
    out = np.empty((len(frame), len(columns)))
    for j, name in enumerate(columns):
        column = frame[name]
        if not pd.api.types.is_numeric_dtype(column):
            parsed = pd.to_numeric(column, errors="coerce")
            bad = np.flatnonzero(parsed.isna().to_numpy() & column.notna().to_numpy())
            i = int(bad[0]) if bad.size else 0
            raise InputError(
                f"column '{name}' of {source} is not numeric: data row {first_row + i + 1} "
                f"holds {column.iloc[i]!r}; choose numeric columns with --x and --y, or fix "
                "the file"
            )
        out[:, j] = column.to_numpy(dtype=np.float64, na_value=np.nan)
        found = first_non_finite(out[:, j])
        if found is not None:
            i, _, value = found
            raise InputError(
                f"column '{name}' of {source} {non_finite_value(value)} in data row "
                f"{first_row + i + 1}; remove or fill that row"
            )
    return out


def choose_columns(
    available: Sequence[str],
    features: Sequence[str] | None,
    target: str | None,
    source: str,
    default_features: Sequence[str] | None = None,
    default_target: str | None = None,
) -> tuple[list[str], str]:
    """The feature columns and the target column the user asked for, checked.

    By default the target is ``default_target`` or else the last column, and the features are
    ``default_features`` or else every other column.
    """
    available = list(available)
    separator_hint = ""
    if len(available) == 1:
        for separator in (";", "\t", "|"):
            if separator in available[0]:
                separator_hint = (
                    f"; its one column '{available[0]}' suggests {separator!r} as the "
                    "separator, but columns must be separated by commas"
                )
                break
    for name in [*(features or []), *([target] if target else [])]:
        if name not in available and Path(name).suffix.lower() in _FILE_SUFFIXES:
            _raise(
                f"'{name}' was read as a column name: put the CSV file before --x and --y "
                f"(gdregress fit {name} --x ...)"
            )

    def check(name: str, option: str) -> str:
        if name in available:
            return name
        close = difflib.get_close_matches(name, available, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return _raise(
            f"{option} {name}: {source} has no column '{name}'{hint}; its columns are "
            f"{', '.join(available)}{separator_hint}"
        )

    if target is None:
        target = default_target if default_target is not None else available[-1]
    target = check(target, "--y")
    if features is None:
        if default_features is not None:
            features = list(default_features)
        else:
            features = [name for name in available if name != target]
        if not features:
            _raise(
                f"{source} has only the column '{target}': it needs a feature column besides "
                f"the target (--y){separator_hint}"
            )
    features = [check(name, "--x") for name in features]
    repeated = sorted({name for name in features if features.count(name) > 1})
    if repeated:
        _raise(f"--x names the column '{repeated[0]}' twice: give each feature once")
    if target in features:
        _raise(
            f"'{target}' is both the target (--y) and a feature (--x): choose another --y, or "
            "leave it out of --x"
        )
    return features, target


def _raise(message: str):
    raise InputError(message)
