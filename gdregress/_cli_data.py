"""The data of the ``gdregress`` command: the bundled table or a CSV file, and its columns.

:func:`command_data` chooses the columns the arguments name (or the defaults) and returns a
:class:`CommandData`, which reads the rows at once, with a progress line for a long read, or
yields them in chunks to stream.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._csv import CSVTable, choose_columns
from ._progress import Progress

__all__ = ["CommandData", "command_data"]

# Rows per chunk when a file is read into memory (chunks only to report progress).
_READ_ROWS = 100_000

_BUNDLED = "the TV-advertising data (ISLR)"
# Axis labels with units for the bundled data's columns.
_BUNDLED_LABELS = {
    "TV": "TV advertising budget (thousands of dollars)",
    "radio": "radio advertising budget (thousands of dollars)",
    "newspaper": "newspaper advertising budget (thousands of dollars)",
    "sales": "sales (thousands of units)",
}


@dataclass
class CommandData:
    """The rows the command fits: the bundled table or a CSV file, and the columns chosen."""

    description: str  # "the TV-advertising data (ISLR)" or "'data.csv'"
    features: list[str]
    target: str
    table: CSVTable | None = None  # None for the bundled data
    bundled: Any = None  # the bundled DataFrame

    def labels(self) -> tuple[str, str]:
        """Axis labels for the feature (one) and the target, with units when known."""
        units = _BUNDLED_LABELS if self.table is None else {}
        x = self.features[0] if len(self.features) == 1 else "x"
        return units.get(x, x), units.get(self.target, self.target)

    def read(self) -> tuple[np.ndarray, np.ndarray]:
        """All rows in memory, with a progress line for a long read."""
        if self.table is None:
            X = self.bundled[self.features].to_numpy(dtype=np.float64)
            return X, self.bundled[self.target].to_numpy(dtype=np.float64)
        table = self.table
        with Progress(lambda _: f"reading {_read_state(table)}"):
            return table.read(self.features, self.target, _READ_ROWS)

    def chunks(self, rows: int):
        """``(X, y)`` for every ``rows`` rows: the file's chunks, or slices of the bundled data."""
        if self.table is not None:
            yield from self.table.chunks(self.features, self.target, rows)
            return
        X, y = self.read()
        for start in range(0, len(y), rows):
            yield X[start : start + rows], y[start : start + rows]

    def progress(self) -> str:
        """How far the reading has come, for the progress line."""
        return _read_state(self.table) if self.table is not None else self.description


def _read_state(table: CSVTable) -> str:
    return f"{table.name}: {table.fraction_read:.0%} ({table.rows_read:,} rows)"


def command_data(args: argparse.Namespace) -> CommandData:
    """The data the arguments ``csv``, ``--x`` and ``--y`` name (the bundled table by default)."""
    if args.csv is None:
        from .datasets import load_tv_advertising

        frame = load_tv_advertising(all_media=True, as_frame=True).frame
        features, target = choose_columns(
            frame.columns, args.x, args.y, _BUNDLED, default_features=["TV"], default_target="sales"
        )
        return CommandData(_BUNDLED, features, target, bundled=frame)
    table = CSVTable(args.csv)
    features, target = choose_columns(table.columns, args.x, args.y, f"'{args.csv}'")
    return CommandData(f"'{args.csv}'", features, target, table=table)
