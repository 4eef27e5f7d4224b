"""Tests of the ``gdregress`` command: what it prints, reads, streams, draws and refuses.

References: numpy's polyfit for the line and the half-MSE, scikit-learn's r2_score,
LinearRegression and cross_val_score for R², several features and the comparison. The command
runs in process through ``gdregress.cli.main`` and as ``python -m gdregress`` in a fresh
interpreter outside the source tree.
"""

import gzip
import json
import math
import os
import re
import subprocess
import sys
import threading
import warnings
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, cross_val_score

from gdregress import AnalyticLeastSquares, __version__, _progress, cli
from gdregress.cli import comparison_table, main
from gdregress.datasets import load_tv_advertising

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def expected():
    """The line, cost and R² of sales on TV budget, computed with numpy and scikit-learn."""
    X, y = load_tv_advertising(return_X_y=True)
    x = X[:, 0]
    m, b = np.polyfit(x, y, 1)
    prediction = m * x + b
    cost = 0.5 * np.mean((prediction - y) ** 2)
    return {
        "line": f"y = {m:.4f}·x + {b:.4f}",
        "cost": f"{cost:.6g}",
        "r2": f"{r2_score(y, prediction):.6f}",
        "rmse": f"{np.sqrt(np.mean((prediction - y) ** 2)):.6g}",
        "m": m,
        "b": b,
    }


@pytest.fixture(scope="module")
def advertising_csv(tmp_path_factory):
    """The bundled table written out as a CSV file: TV, radio, newspaper, sales."""
    path = tmp_path_factory.mktemp("data") / "advertising.csv"
    load_tv_advertising(all_media=True, as_frame=True).frame.to_csv(path, index=False)
    return path


def _json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_the_references_are_the_documented_numbers(expected):
    assert {k: expected[k] for k in ("line", "cost", "r2", "rmse")} == {
        "line": "y = 0.0475·x + 7.0326",
        "cost": "5.25633",
        "r2": "0.611875",
        "rmse": "3.24232",
    }


def _check_report(output, expected):
    assert expected["line"] in output
    assert "TV → y = 0.0475·x + 7.0326" in output
    cost_line = next(line for line in output.splitlines() if line.startswith("cost"))
    assert cost_line.endswith(expected["cost"])
    assert f"R²: {expected['r2']}" in output
    assert f"RMSE: {expected['rmse']}" in output
    assert "200 rows" in output


@pytest.mark.parametrize("argv", [["fit"], []], ids=["fit", "no-arguments"])
def test_main_fits_the_tv_line_in_closed_form(argv, expected, capsys):
    assert main(argv) == 0
    captured = capsys.readouterr()
    _check_report(captured.out, expected)
    assert "closed form (QR with refinement)" in captured.out  # small data: always
    assert "iterations" not in captured.out
    assert captured.err == ""  # short work: no progress line


@pytest.mark.parametrize("argv", [["fit", "--method", "gd"], ["--method", "gd"]])
def test_gradient_descent_gives_the_same_line_and_reports_iterations(argv, expected, capsys):
    assert main(argv) == 0
    output = capsys.readouterr().out
    _check_report(output, expected)
    assert "gradient descent, in standardised coordinates" in output
    # One standardised feature: the descent lands on the line in a single step, the exact
    # line search's 1 on the 2×2 identity Hessian (conjugate gradients' first step) ...
    step = "learning rate: conjugate gradients (momentum auto), mean step 1, converged: yes"
    assert f"iterations: 1, {step}" in output
    # ... and the plain descent's best fixed step 2/(L_max + λ_min) = 2/(1 + 1) = 1.
    assert main([*argv, "--momentum", "0"]) == 0
    output = capsys.readouterr().out
    assert "iterations: 1, learning rate: 1 (auto, stable below 2), converged: yes" in output


def test_json_is_one_object_with_the_same_numbers(expected, capsys):
    X, y = load_tv_advertising(return_X_y=True)
    report = _json(capsys, ["fit", "--json"])
    assert report["coef"]["TV"] == pytest.approx(expected["m"], rel=1e-12)
    assert report["intercept"] == pytest.approx(expected["b"], rel=1e-12)
    prediction = expected["m"] * X[:, 0] + expected["b"]
    assert report["cost"] == pytest.approx(0.5 * np.mean((prediction - y) ** 2), rel=1e-12)
    assert report["r2"] == pytest.approx(r2_score(y, prediction), rel=1e-12)
    assert report["rmse"] == pytest.approx(np.sqrt(np.mean((prediction - y) ** 2)), rel=1e-12)
    assert report["rows"] == 200 and report["features"] == ["TV"] and report["target"] == "sales"
    assert report["method"] == "analytic" and report["solver"] == "QR with refinement"
    assert report["fit_time_s"] > 0 and report["chunks"] is None and report["notes"] == []


def test_json_of_gradient_descent_has_the_descent(capsys):
    report = _json(capsys, ["fit", "--method", "gd", "--learning-rate", "0.5", "--json"])
    # α = 0.5 on the identity Hessian halves the error at every step.
    assert report["learning_rate"] is None and report["step"] == 0.5
    assert report["stable_below"] == pytest.approx(2.0)
    assert report["converged"] is True and report["standardized"] is True
    assert 30 < report["iterations"] < 60


def test_several_features_by_column_name(advertising_csv, capsys):
    frame = pd.read_csv(advertising_csv)
    reference = LinearRegression().fit(frame[["TV", "radio", "newspaper"]], frame["sales"])
    argv = ["fit", str(advertising_csv), "--x", "TV", "radio", "newspaper", "--y", "sales"]
    report = _json(capsys, [*argv, "--json"])
    np.testing.assert_allclose(list(report["coef"].values()), reference.coef_, rtol=1e-10)
    assert report["intercept"] == pytest.approx(reference.intercept_, rel=1e-10)
    assert main(argv) == 0
    output = capsys.readouterr().out
    assert "line: sales = 0.0458·TV + 0.1885·radio − 0.001037·newspaper + 2.9389" in output
    assert "cost L = 1/(2n)·Σ(x·w + b − y)²: 1.39206" in output


def test_a_csv_file_defaults_to_the_last_column_on_all_others(advertising_csv, capsys):
    report = _json(capsys, [str(advertising_csv), "--json"])  # no command: fit
    assert report["features"] == ["TV", "radio", "newspaper"] and report["target"] == "sales"
    assert report["data"] == str(advertising_csv)


def test_many_features_are_listed_one_a_line(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 6))
    y = X @ np.arange(1.0, 7.0) + 0.5
    frame = pd.DataFrame(X, columns=[f"feature_{i}" for i in range(6)]).assign(target=y)
    frame.to_csv(tmp_path / "wide.csv", index=False)
    assert main(["fit", str(tmp_path / "wide.csv")]) == 0
    output = capsys.readouterr().out
    assert "line: target = Σ w·x + b, with" in output
    assert "  feature_5   6\n" in output and "  intercept   0.5\n" in output


def test_bundled_data_with_other_columns(capsys):
    report = _json(capsys, ["fit", "--x", "radio", "--json"])
    frame = load_tv_advertising(all_media=True, as_frame=True).frame
    m, b = np.polyfit(frame["radio"], frame["sales"], 1)
    assert report["coef"]["radio"] == pytest.approx(m, rel=1e-12)
    assert report["intercept"] == pytest.approx(b, rel=1e-12)


def test_exact_line_search_and_a_descent_that_does_not_converge(capsys):
    assert main(["fit", "--method", "gd", "--learning-rate", "exact"]) == 0
    assert "learning rate: exact line search, mean step" in capsys.readouterr().out
    argv = ["fit", "--method", "gd", "--no-standardize", "--max-iter", "100"]
    assert main(argv) == 0  # momentum auto: conjugate gradients, 2 steps on 2 parameters
    assert "iterations: 2, learning rate: conjugate gradients (momentum auto), mean step" in (
        capsys.readouterr().out
    )
    assert main([*argv, "--momentum", "0"]) == 0  # the lecture's plain descent
    captured = capsys.readouterr()
    assert "iterations: 100, learning rate: 6.90689e-05 (auto, stable below 6.90695e-05)" in (
        captured.out
    )
    assert "converged: no — max_iter=100 reached; raise --max-iter, or drop --no-standardize" in (
        captured.out
    )
    assert "method: gradient descent, in the data's units" in captured.out
    assert captured.err == ""  # the ConvergenceWarning is the report's line, not a warning


def test_a_constant_target_has_no_r2(tmp_path, capsys):
    (tmp_path / "flat.csv").write_text("x,y\n1,3\n2,3\n4,3\n")
    assert main(["fit", str(tmp_path / "flat.csv")]) == 0
    assert "R²: undefined (the target is constant)" in capsys.readouterr().out
    assert _json(capsys, ["fit", str(tmp_path / "flat.csv"), "--json"])["r2"] is None


# Streaming: a file read in chunks through partial_fit gives the line of the file at once.


@pytest.mark.parametrize("method", ["analytic", "gd"])
def test_streaming_gives_the_line_of_the_whole_file(advertising_csv, method, capsys):
    argv = ["fit", str(advertising_csv), "--x", "TV", "radio", "--method", method, "--json"]
    whole = _json(capsys, [*argv, "--chunksize", "0"])
    streamed = _json(capsys, [*argv, "--chunksize", "7"])
    assert whole["chunks"] is None and streamed["chunks"] == 29  # ⌈200 / 7⌉
    assert streamed["rows"] == 200
    for name in ("TV", "radio"):
        assert streamed["coef"][name] == pytest.approx(whole["coef"][name], rel=1e-10)
    assert streamed["intercept"] == pytest.approx(whole["intercept"], rel=1e-10)
    for key in ("cost", "r2", "rmse"):
        assert streamed[key] == pytest.approx(whole[key], rel=1e-10)
    if method == "gd":
        assert streamed["converged"] and streamed["iterations"] >= streamed["iterations_last_chunk"]


def test_the_bundled_data_can_be_streamed_too(expected, capsys):
    report = _json(capsys, ["fit", "--chunksize", "64", "--method", "gd", "--json"])
    assert report["chunks"] == 4 and report["rows"] == 200  # 64 + 64 + 64 + 8
    assert report["coef"]["TV"] == pytest.approx(expected["m"], rel=1e-10)
    assert report["intercept"] == pytest.approx(expected["b"], rel=1e-10)


def test_big_files_are_streamed_automatically(advertising_csv, monkeypatch, capsys):
    monkeypatch.setattr(cli, "STREAM_BYTES", 1000)  # the file has about 4 kB
    monkeypatch.setattr(cli, "_STREAM_CHUNK_NUMBERS", 200)  # 200 numbers: 1000 rows at least
    report = _json(capsys, ["fit", str(advertising_csv), "--x", "TV", "--json"])
    assert report["chunks"] == 1
    monkeypatch.setattr(cli, "STREAM_BYTES", 10**9)
    assert _json(capsys, ["fit", str(advertising_csv), "--x", "TV", "--json"])["chunks"] is None


def test_compressed_csv(advertising_csv, tmp_path, expected, capsys):
    packed = tmp_path / "advertising.csv.gz"
    packed.write_bytes(gzip.compress(advertising_csv.read_bytes()))
    assert main(["fit", str(packed), "--x", "TV", "--chunksize", "50"]) == 0
    output = capsys.readouterr().out
    assert "TV → y = 0.0475·x + 7.0326" in output and "streamed in 4 chunks" in output


def test_streaming_an_ill_conditioned_design_adds_one_note_with_its_count(tmp_path, capsys):
    x = np.linspace(0, 1, 400)
    frame = pd.DataFrame({f"x{k}": x**k for k in range(1, 9)}).assign(y=np.cos(3 * x))
    frame.to_csv(tmp_path / "powers.csv", index=False)
    assert main(["fit", str(tmp_path / "powers.csv"), "--chunksize", "100"]) == 0
    captured = capsys.readouterr()
    notes = [line for line in captured.out.splitlines() if line.startswith("note:")]
    # Every one of the 4 partial fits warns, each with its own condition number: one note,
    # the last one's (that of all 400 rows), with the count.
    assert len(notes) == 1 and notes[0].startswith("note: The design is ill-conditioned")
    assert notes[0].endswith(" of its 16 digits (in 4 of 4 chunks).")
    assert captured.err == ""


def test_early_chunks_ill_conditioned_warnings_are_history_not_the_results(tmp_path, capsys):
    # Five features, chunks of 3 rows: the first partial fit has fewer rows than parameters
    # (an infinite condition number: "lost about 16 of its 16 digits"); the 100 rows are a
    # well-conditioned design, so the final fit has no such problem.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 5))
    y = X @ np.arange(5.0) + rng.normal(size=100)
    pd.DataFrame(X, columns=list("abcde")).assign(y=y).to_csv(tmp_path / "five.csv", index=False)
    report = _json(capsys, ["fit", str(tmp_path / "five.csv"), "--chunksize", "3", "--json"])
    reference = LinearRegression().fit(X, y)
    np.testing.assert_allclose(list(report["coef"].values()), reference.coef_, rtol=1e-10)
    assert len(report["notes"]) == 1
    note = report["notes"][0]
    assert note.startswith("while streaming: after ") and " of the 34 chunks, the fit of" in note
    assert "the final fit of all rows is not (condition number about " in note
    assert "digits" not in note


# Progress: nothing for short work; one line, rewritten, for long work.


def test_progress_is_reported_for_long_work_only(advertising_csv, monkeypatch, capsys):
    monkeypatch.setattr(_progress, "DELAY", 0.0)
    argv = ["fit", str(advertising_csv), "--x", "TV", "--chunksize", "20"]
    assert main(argv) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("gdregress: streaming ")
    assert lines[-1].startswith(f"gdregress: streaming {advertising_csv}: 100% (200 rows)")
    assert lines[-1].endswith(" s")


def test_a_long_descent_reports_its_iterations_through_a_callback(monkeypatch, capsys):
    monkeypatch.setattr(_progress, "DELAY", 0.0)
    monkeypatch.setattr(_progress, "LOG_INTERVAL", 0.02)
    argv = ["fit", "--method", "gd", "--no-standardize", "--learning-rate", "5e-5"]
    assert main([*argv, "--max-iter", "20000"]) == 0
    lines = capsys.readouterr().err.splitlines()
    prefix = "gdregress: fitting by gradient descent on 200 rows: "
    assert all(line.startswith(prefix) for line in lines)
    counts = [int(line[len(prefix) :].split(" of ")[0].replace(",", "")) for line in lines]
    # Counted by the IterationCount callback at the end of each block of 20,000/100 steps.
    assert counts == sorted(counts) and all(count % 200 == 0 for count in counts)
    assert lines[-1].startswith(f"{prefix}20,000 of at most 20,000 iterations: ")


class FakeClock:
    """A clock that stands still until the test moves it."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def fake_clock(monkeypatch):
    """A clock for Progress, and a reporting thread that never looks at it: the test ticks."""
    monkeypatch.setattr(_progress, "POLL", 3600.0)
    return FakeClock()


def test_progress_reports_only_once_the_work_has_run_a_second(fake_clock):
    stream = StringIO()
    with _progress.Progress(lambda rows: f"reading: {rows:,} rows", stream, fake_clock) as work:
        work.state = 10
        fake_clock.now += 0.99
        work.tick()
        assert stream.getvalue() == ""  # 0.99 s of work: nothing yet
    assert stream.getvalue() == ""  # and nothing at the end of short work
    with _progress.Progress(lambda rows: f"reading: {rows:,} rows", stream, fake_clock) as work:
        work.state = 10
        fake_clock.now += 1.0
        work.tick()
        assert stream.getvalue() == "gdregress: reading: 10 rows … 1 s\n"
        work.state = 20
        fake_clock.now += 5.0
        work.tick()  # a file or pipe gets a line every 10 s, not sooner
        fake_clock.now += 5.0
        work.tick()
        fake_clock.now += 2.0
    assert stream.getvalue().splitlines() == [
        "gdregress: reading: 10 rows … 1 s",
        "gdregress: reading: 20 rows … 11 s",
        "gdregress: reading: 20 rows: 13 s",  # the last line: the whole work's time
    ]


def test_progress_line_is_rewritten_on_a_terminal(fake_clock):
    class Terminal(StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    with _progress.Progress(lambda rows: f"reading: {rows:,} rows", stream, fake_clock) as work:
        for rows in (1000, 2000, 3000):
            work.state = rows
            fake_clock.now += 1.0
            work.tick()
    text = stream.getvalue()
    assert text.startswith("\rgdregress: reading: 1,000 rows … 1 s")
    last = text.split("\r")[-1]
    assert last.rstrip(" \n") == "gdregress: reading: 3,000 rows: 3 s" and last.endswith("\n")
    assert text.count("\n") == 1  # one line, rewritten in place


def test_the_work_a_progress_line_times_imports_nothing(tmp_path):
    """A 3-row cross-validation printed progress lines: its report timed the two seconds of
    importing scikit-learn's models. Each report of the command now starts after the imports
    its work needs, so no module is imported while a report's clock runs."""
    (tmp_path / "three.csv").write_text("x,y\n1,2\n2,3\n3,5\n")
    probe = "\n".join(
        [
            "import json, sys",
            "from gdregress import _progress",
            "regions, enter, leave = [], _progress.Progress.__enter__, _progress.Progress.__exit__",
            "def __enter__(self):",
            "    self.modules = set(sys.modules)",
            "    return enter(self)",
            "def __exit__(self, *exc_info):",
            "    regions.append(sorted(set(sys.modules) - self.modules))",
            "    return leave(self, *exc_info)",
            "_progress.Progress.__enter__, _progress.Progress.__exit__ = __enter__, __exit__",
            "from gdregress.cli import main",
            "for argv in [['compare', 'three.csv', '--cv', '3'], ['fit', 'three.csv'],",
            "             ['fit', 'three.csv', '--method', 'gd', '--chunksize', '1']]:",
            "    main([*argv, '--json'])",
            "print(json.dumps(regions))",
        ]
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    regions = json.loads(done.stdout.splitlines()[-1])
    assert len(regions) == 5  # reading and cross-validating; reading and fitting; streaming
    assert regions == [[]] * 5


def test_no_progress_thread_outlives_its_work():
    before = threading.active_count()
    with _progress.Progress(lambda _: "work", StringIO()):
        pass
    assert threading.active_count() == before


# compare


def test_comparison_table_agrees_with_scikit_learn():
    X, y = load_tv_advertising(return_X_y=True)
    table = comparison_table(X, y, cv=5)
    assert list(table.index) == [
        "AnalyticLeastSquares",
        "GradientDescentRegressor",
        "LinearRegression",
        "SGDRegressor (scaled)",
    ]
    folds = KFold(n_splits=5, shuffle=True, random_state=0)
    r2 = cross_val_score(LinearRegression(), X, y, cv=folds)
    for name in ("AnalyticLeastSquares", "GradientDescentRegressor", "LinearRegression"):
        assert table.loc[name, "r2_mean"] == pytest.approx(r2.mean(), rel=1e-10)
        assert table.loc[name, "r2_std"] == pytest.approx(r2.std(ddof=1), rel=1e-8)
    assert table.loc["SGDRegressor (scaled)", "r2_mean"] == pytest.approx(r2.mean(), abs=1e-3)
    assert (table["fit_time_s"] > 0).all()


def test_compare_prints_the_table(capsys):
    assert main(["compare", "--cv", "4"]) == 0
    output = capsys.readouterr().out.splitlines()
    assert output[0] == (
        "4-fold cross-validation (rows shuffled, seed 0) of sales on TV, 200 rows of the "
        "TV-advertising data (ISLR)"
    )
    header = "R² mean  R² std  RMSE mean  RMSE std  fit time (ms)"
    assert output[1].split() == header.split()
    assert [line.split()[0] for line in output[2:6]] == [
        "AnalyticLeastSquares",
        "GradientDescentRegressor",
        "LinearRegression",
        "SGDRegressor",
    ]


def test_compare_json(advertising_csv, capsys):
    report = _json(capsys, ["compare", str(advertising_csv), "--x", "TV", "radio", "--json"])
    assert report["folds"] == 5 and report["rows"] == 200
    assert [row["model"] for row in report["table"]][2] == "LinearRegression"
    assert report["table"][0]["r2_mean"] == pytest.approx(report["table"][2]["r2_mean"], rel=1e-10)
    assert report["table"][0]["fit_time_s"] > 0


def _strict_json(text: str):
    """JSON as the standard has it: NaN and Infinity (Python's extension) refused."""

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


# Keys whose values are keyed by the data's column names, not by the command.
_KEYED_BY_COLUMN = {"coef", "std_err", "t_value", "p_value", "ci_lower", "ci_upper", "vif"}


def _keys(value, parent=None):
    """Every key of a JSON value, but the column names."""
    if isinstance(value, dict):
        for key, item in value.items():
            if parent not in _KEYED_BY_COLUMN:
                yield key
            yield from _keys(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item, parent)


@pytest.mark.parametrize(
    "argv",
    [
        ["fit"],
        ["fit", "--method", "gd"],
        ["fit", "--method", "gd", "--chunksize", "50"],
        ["fit", "three.csv"],
        ["compare"],
        ["compare", "three.csv", "--cv", "3"],  # folds of one row: R² is not a number
    ],
    ids=" ".join,
)
def test_every_json_key_is_snake_case_ascii(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "three.csv").write_text("x,y\n1,2\n2,3\n3,5\n")
    assert main([*argv, "--json"]) == 0
    report = _strict_json(capsys.readouterr().out)
    keys = set(_keys(report))
    assert keys and all(re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", key) for key in keys), keys
    if argv[0] == "compare":
        assert set(report["table"][0]) == {
            "model", "r2_mean", "r2_std", "rmse_mean", "rmse_std", "fit_time_s"
        }  # fmt: skip


# --plot


def test_plot_writes_the_three_panels(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    target = tmp_path / "descent.png"
    report = _json(capsys, ["fit", "--method", "gd", "--plot", str(target), "--json"])
    assert report["plot"] == str(target)  # the JSON says where, and stays one JSON object
    content = target.read_bytes()
    assert content.startswith(b"\x89PNG\r\n\x1a\n") and 30_000 < len(content) < 1_000_000
    target.unlink()
    assert main(["fit", "--plot", str(target)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-1] == f"saved the plot to {target}"
    assert captured.err == "" and target.exists()


def test_plot_diagnostics_writes_r_s_four_panels(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    target = tmp_path / "panels.png"
    report = _json(capsys, ["fit", "--plot-diagnostics", str(target), "--json"])
    assert report["plot_diagnostics"] == str(target)
    content = target.read_bytes()
    assert content.startswith(b"\x89PNG\r\n\x1a\n") and 30_000 < len(content) < 2_000_000
    assert main(["fit", "--plot-diagnostics", str(target)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-1] == f"saved the diagnostic plots to {target}"
    assert captured.err == ""


def test_the_report_has_the_summary_s_diagnostics(capsys):
    X, y = load_tv_advertising(return_X_y=True, as_frame=True)
    summary = AnalyticLeastSquares().fit(X, y).summary(X=X, y=y)
    report = _json(capsys, ["fit", "--json"])
    for key in ["llf", "aic", "bic", "durbin_watson", "omnibus", "jarque_bera", "skew"]:
        assert report[key] == pytest.approx(getattr(summary, key), rel=1e-12), key
    assert report["vif"] == {"TV": pytest.approx(1.0, rel=1e-12)}
    assert list(report["residual_quantiles"]) == ["min", "q1", "median", "q3", "max"]
    assert list(report["residual_quantiles"].values()) == pytest.approx(
        list(summary.residual_quantiles), rel=1e-12
    )
    assert main(["fit"]) == 0
    text = capsys.readouterr().out
    assert "Durbin-Watson:    1.935" in text and "Residuals:" in text
    streamed = _json(capsys, ["fit", "--chunksize", "50", "--json"])
    assert streamed["llf"] == pytest.approx(summary.llf, rel=1e-10)
    assert streamed["durbin_watson"] is None and streamed["residual_quantiles"] is None
    assert main(["fit", "--chunksize", "50"]) == 0
    assert "a streamed file keeps no rows to read them from" in capsys.readouterr().out


def test_animate_writes_an_animated_gif_of_the_descent(tmp_path, capsys):
    Image = pytest.importorskip("PIL.Image")
    pytest.importorskip("matplotlib")
    target = tmp_path / "descent.gif"
    assert main(["fit", "--method", "gd", "--animate", str(target)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-1] == f"saved the animation to {target}"
    # Drawing the frames takes a second or more: stderr has a progress line, or none.
    assert all(
        line.startswith(f"gdregress: writing {target}: frame ")
        for line in (captured.err.splitlines())
    )
    with Image.open(target) as gif:
        assert gif.format == "GIF" and gif.is_animated
        # One standardised step: 10 frames along it, from (0, 0) to the minimum.
        assert gif.n_frames == 10
        first = np.asarray(gif.convert("RGB"))
        gif.seek(gif.n_frames - 1)
        assert np.any(np.asarray(gif.convert("RGB")) != first)
    target.unlink()
    report = _json(capsys, ["fit", "--method", "gd", "--animate", str(target), "--json"])
    assert report["animation"] == str(target) and target.exists()


# User errors: status 2, one line on stderr saying what to fix, never a traceback.

USER_ERRORS = {
    "diagnostics of a streamed file": (
        ["fit", "--chunksize", "50", "--plot-diagnostics", "panels.png"],
        "a streamed file keeps no rows: read it at once with --chunksize 0",
    ),
    "missing file": (["fit", "nope.csv"], "no such file: 'nope.csv'; check the name"),
    "folder": (["fit", "."], "'.' is a folder: give the path of a CSV file"),
    "empty file": (["fit", "empty.csv"], "'empty.csv' is empty: a CSV file needs a header"),
    "header only": (["fit", "header.csv"], "'header.csv' has a header line but no data rows"),
    "not text": (["fit", "binary.csv"], "'binary.csv' is not UTF-8 text (byte 0xff"),
    "not gzip": (["fit", "fake.csv.gz"], "'fake.csv.gz' is not a readable CSV file: Not a gzip"),
    "ragged": (
        ["fit", "ragged.csv"],
        "line 3 of 'ragged.csv' has 3 fields where the header has 2: remove the extra value, "
        'or quote a value that contains a comma ("1,5")',
    ),
    "ragged, streamed": (
        ["fit", "ragged.csv", "--chunksize", "1"],
        "line 3 of 'ragged.csv' has 3 fields where the header has 2",
    ),
    "non-numeric": (
        ["fit", "words.csv"],
        "column 'b' of 'words.csv' is not numeric: data row 2 holds 'many'",
    ),
    "missing value": (
        ["fit", "holes.csv", "--chunksize", "2"],
        "column 'a' of 'holes.csv' has no value in data row 3; remove or fill that row",
    ),
    "infinite value": (["fit", "inf.csv"], "column 'a' of 'inf.csv' holds inf in data row 1"),
    "repeated column": (
        ["fit", "twice.csv"],
        "the header line of 'twice.csv' names the column 'x' twice (columns 1 and 3): give "
        "each column its own name",
    ),
    "repeated column, streamed": (
        ["fit", "twice.csv", "--x", "x", "--y", "y", "--chunksize", "1"],
        "names the column 'x' twice (columns 1 and 3)",
    ),
    "unknown column": (
        ["fit", "--x", "TVs"],
        "--x TVs: the TV-advertising data (ISLR) has no column 'TVs' (did you mean 'TV'?); "
        "its columns are TV, radio, newspaper, sales",
    ),
    "semicolons": (
        ["fit", "semicolons.csv", "--x", "a"],
        "suggests ';' as the separator, but columns must be separated by commas",
    ),
    "file after --x": (
        ["fit", "--x", "TV", "words.csv"],
        "'words.csv' was read as a column name: put the CSV file before --x and --y",
    ),
    "target among features": (
        ["fit", "--x", "TV", "sales"],
        "'sales' is both the target (--y) and a feature (--x)",
    ),
    "feature twice": (["fit", "--x", "TV", "TV"], "--x names the column 'TV' twice"),
    "bad max-iter": (
        ["fit", "--method", "gd", "--max-iter", "ten"],
        "argument --max-iter: 'ten' is not a whole number of iterations of at least 1",
    ),
    "bad learning rate": (
        ["fit", "--method", "gd", "--learning-rate", "fast"],
        "argument --learning-rate: 'fast' is not a learning rate: give a positive number",
    ),
    "bad tolerance": (["fit", "--tol", "-1"], "argument --tol: '-1' is not a tolerance"),
    "bad folds": (["compare", "--cv", "1"], "'1' is not a number of folds of at least 2"),
    "too many folds": (
        ["compare", "--cv", "201"],
        "--cv 201: 201 folds need at least 201 rows, and the TV-advertising data (ISLR) has 200",
    ),
    "diverging learning rate": (
        ["fit", "--method", "gd", "--learning-rate", "2.5"],
        "Gradient descent diverged with --learning-rate 2.5: the largest stable learning rate "
        "for this data is 2/L_max = 2 in standardised coordinates. Use a learning rate below 2, "
        "or --learning-rate auto.",
    ),
    "descent option without descent": (
        ["fit", "--max-iter", "10"],
        "--max-iter is an option of gradient descent, but the method is the closed form: add "
        "--method gd",
    ),
    "unwritable figure type": (["fit", "--plot", "figure.xyz"], "--plot figure.xyz: matplotlib"),
    "figure folder missing": (
        ["fit", "--plot", "nowhere/figure.png"],
        "--plot nowhere/figure.png: the folder 'nowhere' does not exist; create it first",
    ),
    "animate the closed form": (
        ["fit", "--animate", "descent.gif"],
        "--animate draws the steps of gradient descent, and the closed form takes none: add "
        "--method gd",
    ),
    "animate two features": (
        ["fit", "--method", "gd", "--x", "TV", "radio", "--animate", "descent.gif"],
        "--animate draws the line y = m·x + b and its cost L(m, b), of one feature, but the "
        "features are TV, radio: choose one with --x",
    ),
    "animate a stream": (
        ["fit", "--method", "gd", "--chunksize", "50", "--animate", "descent.gif"],
        "--animate draws one descent on the cost of all rows, but a streamed file is descended "
        "again for every chunk: read it at once with --chunksize 0",
    ),
    "animate into a video": (
        ["fit", "--method", "gd", "--animate", "descent.mp4"],
        "--animate descent.mp4: the animation is an animated GIF; name it FILE.gif",
    ),
    "animation folder missing": (
        ["fit", "--method", "gd", "--animate", "nowhere/descent.gif"],
        "--animate nowhere/descent.gif: the folder 'nowhere' does not exist; create it first",
    ),
}


@pytest.fixture
def bad_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header.csv").write_text("a,b\n")
    (tmp_path / "binary.csv").write_bytes(b"a,b\n\xff\xfe\x00\x01\n")
    (tmp_path / "fake.csv.gz").write_text("a,b\n1,2\n")
    (tmp_path / "ragged.csv").write_text("a,b\n1,2\n3,4,5\n")
    (tmp_path / "words.csv").write_text("a,b\n1,2\n3,many\n")
    (tmp_path / "holes.csv").write_text("a,b\n1,2\n3,4\n,6\n")
    (tmp_path / "inf.csv").write_text("a,b\ninf,2\n3,4\n")
    (tmp_path / "semicolons.csv").write_text("a;b\n1;2\n")
    (tmp_path / "twice.csv").write_text("x,y,x\n1,2,3\n2,3,5\n4,4,4\n")
    return tmp_path


@pytest.mark.parametrize("argv, message", USER_ERRORS.values(), ids=USER_ERRORS.keys())
def test_user_errors_exit_2_with_one_line_saying_what_to_fix(argv, message, bad_files, capsys):
    if "--plot" in argv or "--animate" in argv:
        pytest.importorskip("matplotlib")
        pytest.importorskip("PIL")
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"gdregress {argv[0]}: error: ")
    assert message in lines[0]


def test_spaces_after_the_commas_of_the_header_are_skipped_as_in_the_rows(tmp_path, capsys):
    path = tmp_path / "spaced.csv"
    path.write_text("x, y\n1, 3\n2, 5\n4, 9\n")
    summary = _json(capsys, ["fit", str(path), "--json"])
    assert summary["coef"] == {"x": pytest.approx(2.0)}
    assert summary["intercept"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    "word, message",
    [
        ("compar", "unknown command 'compar' (did you mean 'compare'?); the commands are fit and "
         "compare (see gdregress --help)"),
        ("fitt", "unknown command 'fitt' (did you mean 'fit'?); the commands are fit and compare"),
        ("data", "unknown command 'data': the commands are fit and compare (and a CSV file is "
         "named with its extension, such as data.csv)"),
    ],
)  # fmt: skip
def test_an_unknown_command_is_named_as_one(word, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # no file of that name
    with pytest.raises(SystemExit) as info:
        main([word, "--json"])
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("gdregress: error: ") and captured.err.count("\n") == 1
    assert message in captured.err


@pytest.mark.parametrize(
    "name",
    ["compar", "data", "sub/data", "points.txt"],
    ids=["a near-miss that exists", "no extension", "in a folder", "any extension"],
)
def test_a_file_first_is_still_the_file_to_fit(name, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / name).write_text("x,y\n1,3\n2,5\n4,9\n")
    report = _json(capsys, [name, "--json"])  # gdregress FILE is gdregress fit FILE
    assert report["data"] == name and report["coef"]["x"] == pytest.approx(2.0)


def test_a_missing_file_with_an_extension_is_a_missing_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for argv in (["compare.csv"], ["sub/compare"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
        assert f"gdregress fit: error: no such file: '{argv[0]}'" in capsys.readouterr().err


@pytest.mark.parametrize("method", ["analytic", "gd"])
def test_cost_and_rmse_of_rows_in_memory_come_from_the_rows(method, tmp_path, capsys):
    # x = 0, 1, 0 and y = 1, 1e9, 0: the line through (1, 1e9) and the mean of the other two,
    # y = (1e9 − 1/2)·x + 1/2, leaves residuals 1/2, 0, −1/2: L = 1/12, RMSE = √(1/6). From
    # the statistics, Σr² = Σ(y − ȳ)² − (the part explained) cancels 1e18 against 1e18 and
    # came out 0. rel=1e-6: the residuals are computed to about 1e-7 (rounding of 1e9).
    (tmp_path / "big.csv").write_text("x,y\n0,1\n1,1e9\n0,0\n")
    report = _json(capsys, ["fit", str(tmp_path / "big.csv"), "--method", method, "--json"])
    assert report["rmse"] == pytest.approx(math.sqrt(1 / 6), rel=1e-6)
    assert report["cost"] == pytest.approx(1 / 12, rel=1e-6)


def test_unknown_method_is_a_user_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["fit", "--method", "sgd"])
    assert info.value.code == 2
    error = capsys.readouterr().err
    assert "invalid choice: 'sgd'" in error
    assert "'gd'" in error and "'analytic'" in error


def test_user_error_is_one_line_on_stderr(capsys):
    with pytest.raises(SystemExit):
        main(["fit", "--method", "sgd"])
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"gdregress {__version__}"


def test_help_names_the_commands_and_the_options(capsys):
    with pytest.raises(SystemExit) as info:
        main(["fit", "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--x", "--y", "--method", "--learning-rate", "--max-iter", "--tol"):
        assert option in text
    assert "--chunksize" in text and "256 MiB" in text and "--plot" in text and "--json" in text


MODULE_RUNS = {
    "default": [],
    "gd": ["fit", "--method", "gd"],
    "usage": ["fit", "--method", "sgd"],
    "divergence": ["fit", "--method", "gd", "--learning-rate", "3"],
}


@pytest.fixture(scope="module")
def module_runs(tmp_path_factory):
    """``python -m gdregress`` with each MODULE_RUNS's arguments, all started at once."""
    cwd = tmp_path_factory.mktemp("outside")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-m", "gdregress", *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for name, args in MODULE_RUNS.items()
    }
    results = {}
    for name, process in processes.items():
        out, err = process.communicate(timeout=120)
        results[name] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    return results


@pytest.mark.parametrize("name", ["default", "gd"])
def test_python_dash_m_gdregress(name, expected, module_runs):
    completed = module_runs[name]
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    _check_report(completed.stdout, expected)
    assert ("iterations" in completed.stdout) == (name == "gd")


@pytest.mark.parametrize(
    "name, message",
    [("usage", "invalid choice: 'sgd'"), ("divergence", "diverged with --learning-rate 3")],
)
def test_python_dash_m_gdregress_user_error_exits_with_status_2(name, message, module_runs):
    completed = module_runs[name]
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr
    assert len(completed.stderr.splitlines()) == 1


def test_the_summary_numbers_are_finite_and_json_safe(tmp_path, capsys):
    (tmp_path / "one.csv").write_text("x,y\n2,5\n")  # one row: a line through a point
    report = _json(capsys, ["fit", str(tmp_path / "one.csv"), "--json"])
    assert report["r2"] is None and math.isfinite(report["cost"])


@pytest.mark.parametrize("size", [1e-91, 1e-100, 1e100])
def test_cost_r2_and_rmse_are_in_the_data_units_whatever_their_scale(tmp_path, capsys, size):
    # The statistics divide columns beyond 1e±90 by powers of two; the command's cost took
    # the fit's coefficients in the data's units on them (an overflow and "cost inf, R² -inf"
    # for an exact fit; found by the long fuzz run). y = 2·x + 3 + noise, x of size `size`.
    x = np.array([1.0, 2.0, 3.0, 4.0, 6.0]) * size
    y = 2.0 * x / size + 3.0 + np.array([0.1, -0.2, 0.05, 0.1, -0.05])
    path = tmp_path / "scaled.csv"
    pd.DataFrame({"x": x, "y": y}).to_csv(path, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = _json(capsys, ["fit", str(path), "--x", "x", "--y", "y", "--json"])
    reference = LinearRegression().fit((x / size)[:, None], y)  # the same fit in units of x
    residuals = y - reference.predict((x / size)[:, None])
    assert report["cost"] == pytest.approx(np.mean(residuals**2) / 2, rel=1e-9)
    assert report["rmse"] == pytest.approx(np.sqrt(np.mean(residuals**2)), rel=1e-9)
    assert report["r2"] == pytest.approx(reference.score((x / size)[:, None], y), rel=1e-9)


# An instant command line: what parsing and help need imports nothing heavy.


_HEAVY = ["numpy", "pandas", "scipy", "sklearn", "matplotlib", "dask"]
# How the command starts: ``python -m gdregress`` and the ``gdregress`` script.
_STARTS = {
    "python -m": "import runpy\nrunpy.run_module('gdregress', run_name='__main__')",
    "script": "from gdregress.cli import main\nsys.exit(main())",
}


@pytest.mark.parametrize("start", sorted(_STARTS))
@pytest.mark.parametrize("args", [["--version"], ["--help"], ["fit", "--help"], ["compare", "-h"]])
def test_help_and_version_import_no_heavy_module(start, args):
    """Measured, not timed here: see benchmarks/bench_startup.py and the README."""
    probe = "\n".join(
        [
            "import json, sys",
            f"sys.argv = ['gdregress', *{args!r}]",
            "try:",
            *("    " + line for line in _STARTS[start].splitlines()),
            "except SystemExit:",
            f"    print(json.dumps([m for m in {_HEAVY!r} if m in sys.modules]))",
        ]
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[0].startswith(("gdregress", "usage: gdregress"))
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_names_of_the_package_are_imported_when_used():
    import gdregress

    assert gdregress.GradientDescentRegressor.__module__ == "gdregress.linear_model"
    assert set(gdregress.__all__) <= set(dir(gdregress))
    with pytest.raises(AttributeError, match="no attribute 'Regressor'"):
        gdregress.Regressor  # noqa: B018


# Inference: the coefficient table, the residual standard error, adjusted R² and F.


@pytest.mark.parametrize("method", ["analytic", "gd"])
def test_fit_prints_the_coefficient_table_of_islr_table_3_1(method, capsys):
    assert main(["fit", "--method", method]) == 0
    lines = capsys.readouterr().out.splitlines()
    table = lines.index("coefficients:")
    assert lines[table + 1].split() == ["Estimate", "Std.", "Error", "t", "value", "Pr(>|t|)"]
    # ISLR Table 3.1: standard errors 0.4578 and 0.002691, t 15.36 and 17.67.
    assert lines[table + 2].split()[0] == "(Intercept)"
    assert lines[table + 2].split()[2:4] == ["0.457843", "15.36"]
    assert lines[table + 3].split()[:4] == ["TV", "0.04754", "0.002691", "17.67"]
    assert lines[table + 4].startswith("residual standard error: 3.259 on 198 degrees of freedom")
    assert lines[table + 5] == "F-statistic: 312.1 on 1 and 198 DF,  p-value: < 2.2e-16"


def test_json_has_the_inference_keys_of_statsmodels(advertising_csv, capsys):
    sm = pytest.importorskip("statsmodels.api")
    frame = pd.read_csv(advertising_csv)
    features = ["TV", "radio", "newspaper"]
    argv = ["fit", str(advertising_csv), "--x", *features, "--y", "sales", "--json"]
    report = _json(capsys, argv)
    result = sm.OLS(frame["sales"], sm.add_constant(frame[features])).fit()
    names = ["intercept", *features]
    columns = {"std_err": result.bse, "t_value": result.tvalues, "p_value": result.pvalues}
    columns.update(ci_lower=result.conf_int()[0], ci_upper=result.conf_int()[1])
    for key, expected in columns.items():
        assert list(report[key]) == names
        np.testing.assert_allclose(list(report[key].values()), expected.to_numpy(), rtol=1e-9)
    assert report["rse"] == pytest.approx(math.sqrt(result.scale), rel=1e-10)
    assert report["adj_r2"] == pytest.approx(result.rsquared_adj, rel=1e-10)
    assert report["f_statistic"] == pytest.approx(result.fvalue, rel=1e-10)
    # p is 1.6e-96: abs=0, or pytest's default abs=1e-12 accepts any p below 1e-12. Its
    # relative error is about 90 times F's (F·f(F)/sf(F)): 7e-14 measured, five digits.
    assert report["f_pvalue"] == pytest.approx(result.f_pvalue, rel=1e-8, abs=0)
    assert report["df_resid"] == 196


def test_streamed_inference_equals_the_inference_of_the_whole_file(advertising_csv, capsys):
    argv = ["fit", str(advertising_csv), "--x", "TV", "radio", "--json"]
    whole = _json(capsys, [*argv, "--chunksize", "0"])
    streamed = _json(capsys, [*argv, "--chunksize", "7"])
    for key in ("std_err", "t_value", "ci_lower", "ci_upper"):
        for name, value in whole[key].items():
            assert streamed[key][name] == pytest.approx(value, rel=1e-10)
    for key in ("rse", "adj_r2", "f_statistic"):
        assert streamed[key] == pytest.approx(whole[key], rel=1e-10)


def test_too_few_rows_for_standard_errors_is_a_note_not_an_error(tmp_path, capsys):
    (tmp_path / "two.csv").write_text("x,y\n1,2\n2,3\n")
    report = _json(capsys, ["fit", str(tmp_path / "two.csv"), "--json"])
    assert report["std_err"] is None and report["rse"] is None and report["df_resid"] is None
    assert report["notes"] == [
        "no standard errors: summary() needs more rows than parameters: 2 row(s) for 2 "
        "parameters (1 feature(s) and the intercept) leave no degrees of freedom for the "
        "residuals, so the noise level (and every standard error) is undefined. Fit at least "
        "3 rows, or fewer features."
    ]
