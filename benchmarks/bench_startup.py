"""How long the ``gdregress`` command takes as a whole process, from start to exit.

Run it with::

    python benchmarks/bench_startup.py            # 5 runs of each command
    python benchmarks/bench_startup.py --runs 10

Each command — ``--version``, ``--help``, each subcommand's ``--help``, and the default fit
of the bundled data, closed form and gradient descent — is started as ``python -m gdregress``
with the interpreter running this script, one after the other, ``--runs`` times in rounds;
the table gives the best and the median wall time. Benchmarks measure; the tests, not this
script, assert what the commands print.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = [
    ["--version"],
    ["--help"],
    ["fit", "--help"],
    ["compare", "--help"],
    ["fit"],
    ["fit", "--method", "gd"],
]


def _seconds(arguments: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gdregress", *arguments], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times: dict[str, list[float]] = {" ".join(c): [] for c in COMMANDS}
    for _ in range(args.runs):
        for command in COMMANDS:
            times[" ".join(command)].append(_seconds(command))
    print(f"| gdregress ... | best | median |  (of {args.runs} runs)\n| --- | ---: | ---: |")
    for command, seconds in times.items():
        best, median = min(seconds), statistics.median(seconds)
        print(f"| `{command}` | {best:.3f} s | {median:.3f} s |")


if __name__ == "__main__":
    main()
