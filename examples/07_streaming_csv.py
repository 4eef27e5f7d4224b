"""Streaming a CSV file larger than memory
========================================

A least-squares fit depends on the data only through a few sums that merge exactly, so a file
read a chunk at a time gets the same line as the file read at once. This script writes a CSV
file of advertising budgets and sales, then fits it three ways:

- in memory, ``AnalyticLeastSquares().fit`` on the whole table;
- streamed, ``partial_fit`` on each chunk of ``pandas.read_csv(chunksize=...)``: after each
  chunk the model is the fit of all rows so far;
- by the command, ``gdregress fit FILE --chunksize N``, which streams the same way.

The three agree to rounding, while the streamed fits hold one chunk in memory, not the file.
The figure shows the coefficients chunk after chunk, and the memory each way took.

Run: ``python examples/07_streaming_csv.py [OUTPUT_FOLDER]``; saves ``streaming_csv.png``.
"""

import contextlib
import io
import sys
import tempfile
import tracemalloc
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from gdregress import AnalyticLeastSquares
from gdregress.cli import main as gdregress_command

FIGURE = "streaming_csv.png"
FEATURES = ["TV", "radio", "newspaper"]
ROWS = 300_000
CHUNK = 30_000


def write_csv(path: Path) -> None:
    """Advertising-like budgets and sales: sales = 2.9 + 0.045·TV + 0.19·radio + noise."""
    rng = np.random.default_rng(0)
    budgets = rng.uniform(0, 1, (ROWS, 3)) * [300.0, 50.0, 115.0]
    sales = 2.9 + budgets @ [0.045, 0.19, -0.001] + rng.normal(0, 1.6, ROWS)
    table = pd.DataFrame(budgets.round(2), columns=FEATURES).assign(sales=sales.round(3))
    table.to_csv(path, index=False)
    print(f"wrote {ROWS:,} rows to a {path.stat().st_size / 2**20:.1f} MiB CSV file")


def peak_memory(work):
    """What ``work()`` returns, and the peak of the memory it allocated, in MiB."""
    tracemalloc.start()
    try:
        result = work()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return result, peak


def fit_at_once(path: Path) -> AnalyticLeastSquares:
    table = pd.read_csv(path)
    return AnalyticLeastSquares().fit(table[FEATURES], table["sales"])


def fit_streamed(path: Path) -> tuple[AnalyticLeastSquares, list[np.ndarray]]:
    """partial_fit chunk by chunk; the coefficients (intercept last) after each chunk."""
    model, history = AnalyticLeastSquares(), []
    for chunk in pd.read_csv(path, chunksize=CHUNK):
        model.partial_fit(chunk[FEATURES], chunk["sales"])
        history.append(np.append(model.coef_, model.intercept_))
    return model, history


def run_command(path: Path) -> str:
    """``gdregress fit FILE --chunksize CHUNK``, run in this process; what it printed."""
    printed = io.StringIO()
    # Run in the file's folder and name the file alone, as a user would: the command prints
    # the path it is given, and the scratch folder's absolute path means nothing to a reader.
    with contextlib.chdir(path.parent), contextlib.redirect_stdout(printed):
        status = gdregress_command(["fit", path.name, "--chunksize", str(CHUNK)])
    assert status == 0, printed.getvalue()
    return printed.getvalue()


def report(at_once, streamed, memory, command_output: str) -> None:
    whole = np.append(at_once.coef_, at_once.intercept_)
    for name, model in (("in memory", at_once), (f"streamed, {CHUNK:,} rows a chunk", streamed)):
        terms = " ".join(
            f"{'−' if c < 0 else '+'} {abs(c):.5f}·{f}"
            for c, f in zip(model.coef_, FEATURES, strict=True)
        )
        print(f"{name}: sales = {model.intercept_:.5f} {terms}")
    difference = np.max(np.abs(np.append(streamed.coef_, streamed.intercept_) - whole) / whole)
    print(f"largest relative difference, streamed against in memory: {difference:.1e}")
    print(
        f"peak memory: {memory['at once']:.1f} MiB read at once, "
        f"{memory['streamed']:.1f} MiB streamed"
    )
    print(f"$ gdregress fit FILE --chunksize {CHUNK}")
    print(command_output.rstrip())


def draw(history, whole, memory, path: Path) -> None:
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(13, 4.6), layout="constrained", width_ratios=[2, 1]
    )
    rows = CHUNK * np.arange(1, len(history) + 1)
    for values, name in zip((np.array(history) / whole).T, [*FEATURES, "intercept"], strict=True):
        left.plot(rows, values, "o-", ms=4, label=name)
    left.axhline(1, color="black", lw=0.8, ls="--")
    left.xaxis.set_major_formatter("{x:,.0f}")
    left.set_xlabel("rows read")
    left.set_ylabel("coefficient ÷ its value from the whole file")
    left.set_title("partial_fit: after each chunk, the fit of all rows so far")
    left.legend()
    bars = right.bar(list(memory), list(memory.values()), color=["0.6", "tab:blue"])
    right.bar_label(bars, fmt="%.1f MiB")
    right.set_ylabel("peak memory allocated (MiB)")
    right.set_title(f"Reading {ROWS:,} rows")
    figure.savefig(path)
    plt.close(figure)
    print(f"saved {path}")


def main(folder: str = ".") -> None:
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "advertising.csv"
        write_csv(data)
        at_once, at_once_peak = peak_memory(lambda: fit_at_once(data))
        (streamed, history), streamed_peak = peak_memory(lambda: fit_streamed(data))
        memory = {"at once": at_once_peak, "streamed": streamed_peak}
        report(at_once, streamed, memory, run_command(data))
    whole = np.append(at_once.coef_, at_once.intercept_)
    draw(history, whole, memory, Path(folder) / FIGURE)


if __name__ == "__main__":
    main(*sys.argv[1:2])
