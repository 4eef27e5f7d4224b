"""Tests of the ``gdregress`` command: the line, cost and R² of the TV data it prints.

References: numpy's polyfit for the line and the half-MSE, scikit-learn's r2_score for R².
The command runs in process through ``gdregress.cli.main`` and as ``python -m gdregress`` in
a fresh interpreter outside the source tree.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import r2_score

from gdregress import __version__
from gdregress.cli import main
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
    }


def test_the_references_are_the_documented_numbers(expected):
    assert expected == {"line": "y = 0.0475·x + 7.0326", "cost": "5.25633", "r2": "0.611875"}


def _check_report(output, expected):
    assert expected["line"] in output
    assert "TV → y = 0.0475·x + 7.0326" in output
    cost_line = next(line for line in output.splitlines() if line.startswith("cost"))
    assert cost_line.endswith(expected["cost"])
    assert f"R²: {expected['r2']}" in output
    assert "200 rows" in output


@pytest.mark.parametrize("argv", [["fit"], []], ids=["fit", "no-arguments"])
def test_main_fits_the_tv_line_in_closed_form(argv, expected, capsys):
    assert main(argv) == 0
    output = capsys.readouterr().out
    _check_report(output, expected)
    assert "closed form" in output
    assert "iterations" not in output


@pytest.mark.parametrize("argv", [["fit", "--method", "gd"], ["--method", "gd"]])
def test_gradient_descent_gives_the_same_line_and_reports_iterations(argv, expected, capsys):
    assert main(argv) == 0
    output = capsys.readouterr().out
    _check_report(output, expected)
    assert "gradient descent" in output
    # One standardised feature: the descent lands on the line in a single step.
    assert "iterations: 1," in output


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


def _run_module(args, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "gdregress", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("args", [[], ["fit", "--method", "gd"]], ids=["default", "gd"])
def test_python_dash_m_gdregress(args, expected, tmp_path):
    completed = _run_module(args, tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    _check_report(completed.stdout, expected)
    assert ("iterations" in completed.stdout) == ("gd" in args)


def test_python_dash_m_gdregress_user_error_exits_with_status_2(tmp_path):
    completed = _run_module(["fit", "--method", "sgd"], tmp_path)
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert "invalid choice: 'sgd'" in completed.stderr
