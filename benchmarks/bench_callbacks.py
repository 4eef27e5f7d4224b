"""What scikit-learn's callbacks cost a long descent, and what reporting in blocks saves.

Run it with::

    python benchmarks/bench_callbacks.py              # 100,000 steps, best of 5 rounds
    python benchmarks/bench_callbacks.py --steps 20000 --per-step

A descent on the TV data in dollars (``standardize=False``, ``learning_rate=5e-5``,
``tol=None``: exactly ``--steps`` steps from the statistics, microseconds each) is timed
without callbacks, with a callback that does nothing, with one that records the iterate of
every block (it asks for ``fitted_estimator``), with scikit-learn's ``ProgressBar`` (when rich
is installed), and, with ``--per-step``, for comparison, with the recording callback called
after every step instead of once per block (``MAX_BLOCKS`` raised to the number of steps;
slow: about a millisecond per step). Each is run once
per round; the table gives the best and the median time and the ratio of the best to the
fit without callbacks. Benchmarks measure; the tests, not this script, assert correctness.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import time
import warnings
from contextlib import redirect_stderr, redirect_stdout

import numpy as np

from gdregress import GradientDescentRegressor, _callbacks
from gdregress.datasets import load_tv_advertising


class _Nothing:
    """A callback whose hooks do nothing."""

    def setup(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        return False

    def teardown(self, estimator, context):
        pass


class _Recorder(_Nothing):
    """A callback that keeps the iteration count and coefficients at the end of each block."""

    def __init__(self):
        self.records = []

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name.startswith("iterations"):
            self.records.append((fitted_estimator.n_iter_, fitted_estimator.coef_))
        return False


def _fit_seconds(X, y, steps: int, callback, per_step: bool) -> float:
    model = GradientDescentRegressor(
        standardize=False, learning_rate=5e-5, max_iter=steps, tol=None
    )
    if callback is not None:
        model.set_callbacks(callback())
    blocks = _callbacks.MAX_BLOCKS
    _callbacks.MAX_BLOCKS = steps if per_step else blocks
    try:
        # ProgressBar draws on the terminal: keep it out of the table.
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            started = time.perf_counter()
            model.fit(X, y)
            return time.perf_counter() - started
    finally:
        _callbacks.MAX_BLOCKS = blocks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-step", action="store_true", help="also report after every step")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    X, y = load_tv_advertising(return_X_y=True)
    cases = {
        "no callbacks": (None, False),
        "a callback that does nothing": (_Nothing, False),
        "a recording callback": (_Recorder, False),
    }
    if args.per_step:
        cases["the recording callback after every step"] = (_Recorder, True)
    if importlib.util.find_spec("rich") is not None:
        from sklearn.callback import ProgressBar

        cases["ProgressBar (rich)"] = (ProgressBar, False)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, (callback, per_step) in cases.items():
            times[name].append(_fit_seconds(X, y, args.steps, callback, per_step))
    base = min(times["no callbacks"])
    print(f"{args.steps:,} descent steps on the TV data (best and median of {args.rounds}):")
    print("| callbacks | best | median | × no callbacks |\n| --- | ---: | ---: | ---: |")
    for name, seconds in times.items():
        best, median = min(seconds), float(np.median(seconds))
        print(f"| {name} | {best * 1e3:.0f} ms | {median * 1e3:.0f} ms | {best / base:.2f} |")


if __name__ == "__main__":
    main()
