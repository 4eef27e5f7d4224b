"""Bounded fuzzing: random data, parameters, command lines, CSV files and damaged datasets.

The only outcomes allowed are a correct fit or a documented error:

- ``fit`` and ``predict`` on random shapes, dtypes, magnitudes (1e±140, where fits are
  promised), weights, learning rates and injected NaN, ±inf and negative weights: either a
  ValueError or TypeError (a DivergenceError only above the stable learning rate, which is
  computed here independently), or finite coefficients whose predictions equal those of
  numpy.linalg.lstsq (on the data divided by powers of two, so that its squares are finite),
  or a ConvergenceWarning with a finite fit whose loss never rose;
- the ``gdregress`` command, in process, on random arguments and CSV contents: exit status 0,
  or 2 with exactly one line on stderr; never a traceback. With ``--json`` the printed line is
  compared with the closed form on an independent reading of the file. The command's options
  are read from its ``--help``, so these tests follow the command as it grows;
- a bundled dataset truncated, extended or with any byte changed: DatasetIntegrityError.

Each test runs a fixed number of examples (``_budget.budget``), not for a fixed time, so it
is as strong on a slow machine as on a fast one; the counts are chosen so that the file takes
about 30 to 45 s on two cores. ``HYPOTHESIS_PROFILE=long`` runs 20 times the examples (not
under CI), to hunt for bugs. No input is left out for a known defect: a defect found here
becomes a strict xfail in test_extremes.py or test_bad_input.py, and its inputs leave the
fuzzed domain only until it is fixed.
"""

import contextlib
import csv
import functools
import io
import json
import math
import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _budget import budget
from hypothesis import event, given
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning

from gdregress import (
    AnalyticLeastSquares,
    DatasetIntegrityError,
    DivergenceError,
    GradientDescentRegressor,
    datasets,
)
from gdregress.cli import main
from gdregress.datasets import load_power_lines, load_tv_advertising

# --- fit and predict -----------------------------------------------------------------------

DTYPES = ["float64", "float32", "float16", "int64", "uint8", "object", "lists", "DataFrame"]


@st.composite
def datasets_(draw):
    """Random data with its flaws recorded: (X, y, w, flaw); flaw is None for legal data."""
    n = draw(st.integers(1, 25))
    d = draw(st.integers(1, 5))
    t = draw(st.sampled_from([0, 1, 2]))  # 0: a 1-D y
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kinds = draw(
        st.lists(
            st.sampled_from(["random", "constant", "duplicate", "zero"]), min_size=d, max_size=d
        )
    )
    if kinds[0] == "duplicate":
        kinds[0] = "random"  # column 0 is what duplicates copy
    log_x = draw(st.lists(st.floats(-140, 140), min_size=d, max_size=d))
    log_y = draw(st.floats(-140, 140))
    # Z: the columns in units of their own scale; X: Z times that scale (a duplicate copies
    # column 0, whatever its scale); y: a plane in Z, so every column matters alike.
    Z = np.empty((n, d))
    X = np.empty((n, d))
    for j, kind in enumerate(kinds):
        if kind == "random":
            Z[:, j] = rng.uniform(-1, 1) * 3 + rng.normal(size=n)
        elif kind == "constant":
            Z[:, j] = rng.uniform(-3, 3)
        elif kind == "duplicate":
            Z[:, j] = Z[:, 0] * rng.choice([1.0, -2.0, 0.5])
        else:
            Z[:, j] = 0.0
        X[:, j] = Z[:, j] * 10.0 ** log_x[0 if kind == "duplicate" else j]
    signal = Z @ rng.normal(size=(d, max(t, 1)))
    noise = 10.0 ** draw(st.floats(-6, 1)) * rng.normal(size=(n, max(t, 1)))
    Y = 10.0**log_y * (signal + rng.normal(size=max(t, 1)) * 3 + noise)
    y = Y[:, 0] if t == 0 else Y
    weighting = draw(st.sampled_from([None, "uniform", "integers", "with zeros"]))
    w = {
        None: None,
        "uniform": rng.uniform(0.1, 10.0, size=n),
        "integers": rng.integers(1, 4, size=n).astype(np.float64),
        "with zeros": rng.integers(0, 3, size=n).astype(np.float64),
    }[weighting]
    if w is not None and not np.any(w > 0):
        w[rng.integers(n)] = 1.0
    flaw = draw(
        st.sampled_from(
            [None] * 14 + ["nan X", "inf X", "-inf X", "nan y", "inf y", "nan w", "negative w"]
        )
    )
    X, y = X.copy(), np.array(y, copy=True)
    row = rng.integers(n)
    if flaw == "nan X":
        X[row, rng.integers(d)] = np.nan
    elif flaw in ("inf X", "-inf X"):
        X[row, rng.integers(d)] = np.inf if flaw == "inf X" else -np.inf
    elif flaw == "nan y":
        y[row, ...] = np.nan
    elif flaw == "inf y":
        y[row, ...] = np.inf
    elif flaw in ("nan w", "negative w"):
        w = np.ones(n) if w is None else w
        w[row] = np.nan if flaw == "nan w" else -1.0
    dtype = draw(st.sampled_from(DTYPES))
    return X, y, w, flaw, dtype


def as_dtype(X, dtype):
    """The data as the user hands it over; None when the conversion itself fails."""
    with np.errstate(all="ignore"):
        if dtype in ("float64", "float32", "float16"):
            return X.astype(dtype)
        if dtype in ("int64", "uint8"):
            info = np.iinfo(dtype)
            if not np.all(np.isfinite(X)) or X.min() < info.min or X.max() > info.max:
                return None  # not representable: nothing to fit
            return X.astype(dtype)
        if dtype == "object":
            return X.astype(object)
        if dtype == "lists":
            return X.tolist()
        return pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])


@st.composite
def estimators(draw):
    if draw(st.booleans()):
        return AnalyticLeastSquares(fit_intercept=draw(st.booleans()))
    rate = draw(
        st.one_of(
            st.sampled_from(["auto", "exact"]),
            st.floats(-12, 12).map(lambda e: 10.0**e),
        )
    )
    return GradientDescentRegressor(
        learning_rate=rate,
        max_iter=draw(st.sampled_from([1, 10, 1000, 1000])),
        tol=draw(st.sampled_from([None, 0.0, 1e-12, 1e-3])),
        fit_intercept=draw(st.booleans()),
        standardize=draw(st.booleans()),
    )


def normalised(X, Y):
    """X and Y divided by powers of two near the largest |value| of each column: exact."""
    x_scale = np.ldexp(1.0, np.frexp(np.max(np.abs(X), axis=0, initial=1e-300))[1])
    y_scale = np.ldexp(1.0, np.frexp(np.max(np.abs(Y), initial=1e-300))[1])
    return X / x_scale, Y / y_scale, x_scale, y_scale


def design(X, fit_intercept):
    return np.column_stack([X, np.ones(len(X))]) if fit_intercept else X


def curvatures(X, w, model):
    """Eigenvalues of the descent's Hessian, from numpy, smallest first (empty if none)."""
    Xn, _, _, _ = normalised(X, np.zeros(1))
    w = np.ones(len(X)) if w is None else w
    keep = w > 0
    Xn, w = Xn[keep], w[keep] / w[keep].sum()
    if model.standardize:
        # Columns centred (with an intercept) and divided by their weighted RMS; constant and
        # zero columns take no part (a constant's centred RMS is rounding of its size).
        size = np.max(np.abs(Xn), axis=0, initial=0)
        if model.fit_intercept:
            Xn = Xn - w @ Xn
        rms = np.sqrt(w @ Xn**2)
        active = rms > 1e-12 * size
        A = design(Xn[:, active] / rms[active], model.fit_intercept)
    else:
        A = design(X[keep], model.fit_intercept)  # the user's units: H = AᵀWA/S
    H = (A * w[:, None]).T @ A
    return np.linalg.eigvalsh(H) if H.size else np.zeros(0)


def stable_limit(X, w, model):
    """2/L_max of the descent's cost (∞ when nothing is descended)."""
    eigenvalues = curvatures(X, w, model)
    return 2.0 / eigenvalues[-1] if eigenvalues.size and eigenvalues[-1] > 0 else math.inf


def check_fitted_values(model, X, Y, w):
    """The fit's predictions equal lstsq's wherever they are determined (w > 0)."""
    Xn, Yn, x_scale, y_scale = normalised(X, Y)
    keep = np.ones(len(X), bool) if w is None else w > 0
    root = np.sqrt(np.ones(len(X)) if w is None else w)[keep, None]
    A = design(Xn[keep], model.fit_intercept) * root
    singular = np.linalg.svd(A, compute_uv=False)
    # Singular values below rcond·s₀ count as zero, as in the estimators' own rank tests; a
    # design with one between 0.1·rcond·s₀ and 1e-6·s₀ is nearly rank-deficient: its fitted
    # values depend on that decision and are not compared.
    rcond = max(A.shape) * np.finfo(np.float64).eps
    if singular.size and np.any(
        (singular > 0.1 * rcond * singular[0]) & (singular < 1e-6 * singular[0])
    ):
        event("fit: not checked, nearly rank-deficient")  # fitted values ill-determined
        return
    theta = np.linalg.lstsq(A, Yn[keep] * root, rcond=rcond)[0]
    reference = design(Xn[keep], model.fit_intercept) @ theta
    coef = np.atleast_2d(model.coef_).T * x_scale[:, None] / y_scale  # normalised units
    intercept = np.atleast_1d(model.intercept_) / y_scale
    predicted = Xn[keep] @ coef + intercept
    spread = np.sqrt(np.mean(Yn[keep] ** 2, axis=0)) + 1e-300
    error = np.max(np.abs(predicted - reference) / spread)
    if isinstance(model, GradientDescentRegressor):
        # The descent stops within tol·spread(y) of the minimum, in standardised coordinates.
        rtol = 1e-6 + 10 * (model.tol or 0.0) * np.sqrt(X.shape[1] + 1)
    else:
        rtol = 1e-8
    # Predictions that are sums of much larger terms (the minimum norm of nearly collinear
    # columns of different sizes, say) carry the rounding of those terms, even from the exact
    # coefficients rounded to float64.
    terms = np.abs(Xn[keep]) @ np.abs(coef) + np.abs(intercept)
    rounding = 4 * (X.shape[1] + 1) * np.finfo(np.float64).eps * np.max(terms / spread)
    assert error <= rtol + rounding, f"predictions off lstsq's by {error:.3g} of the spread of y"
    event(f"fit: {type(model).__name__}, checked against lstsq")


@budget(1500)
@given(data=datasets_(), model=estimators())
def test_fit_and_predict_give_a_correct_fit_or_a_documented_error(data, model):
    X, y, w, flaw, dtype = data
    X_in = as_dtype(X, dtype)
    if X_in is None:
        event("skipped: not representable in the dtype")
        return
    X_used = np.asarray(X_in.to_numpy() if isinstance(X_in, pd.DataFrame) else X_in, dtype=float)
    if dtype in ("float16", "float32") and not np.all(np.isfinite(X_used)) and flaw is None:
        flaw = "inf X"  # the user's array overflowed when it was made
    legal = flaw is None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.fit(X_in, y, sample_weight=w)
        except DivergenceError as error:
            assert legal, f"{flaw}: {error}"
            assert isinstance(model.learning_rate, float), f"{model.learning_rate}: {error}"
            limit = stable_limit(X_used, w, model)
            assert model.learning_rate > 0.99 * limit, (model.learning_rate, limit, str(error))
            assert "learning rate below" in str(error)
            event("DivergenceError above the stable rate")
            return
        except (ValueError, TypeError) as error:
            assert not legal, f"legal data refused: {type(error).__name__}: {error}"
            assert str(error).strip()
            event(f"refused: {flaw}")
            return
    assert legal, f"{flaw} was accepted"
    kinds = {w_.category for w_ in caught}
    assert kinds <= {ConvergenceWarning, UserWarning}, [str(w_.message) for w_ in caught]
    coef, intercept = np.asarray(model.coef_), np.asarray(model.intercept_)
    assert np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))
    predictions = model.predict(X_in)
    assert np.all(np.isfinite(predictions))
    assert predictions.shape == np.shape(y)
    if isinstance(model, GradientDescentRegressor):
        limit = stable_limit(X_used, w, model)
        if isinstance(model.learning_rate, float):
            # A rate at or above 2/L_max is refused before the first step.
            assert model.learning_rate < 1.001 * limit, (model.learning_rate, limit)
        losses = model.loss_curve_
        assert np.all(np.isfinite(losses))
        assert np.all(np.diff(losses) <= 1e-10 * losses[0] + 1e-300), "the loss rose"
        # No intercept and no nonzero feature: the gradient is 0 from the start and coef_ = 0
        # (converged_ is False with tol=None, which never claims convergence).
        nothing = not model.fit_intercept and not np.any(X_used[w > 0 if w is not None else ...])
        if nothing:
            assert ConvergenceWarning not in kinds and not np.any(model.coef_)
        elif ConvergenceWarning in kinds or not model.converged_:
            assert model.n_iter_ == model.max_iter
            event("ran out of iterations: finite, loss never rose")
            return
    check_fitted_values(model, X_used, np.asarray(y, dtype=float).reshape(len(X_used), -1), w)


# --- the command ---------------------------------------------------------------------------


@functools.cache
def command_help(command):
    """The options of ``gdregress <command>`` read from its --help, and whether it takes a
    CSV file."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main([command, "--help"])
    text = out.getvalue()
    usage = text.split("\n\n")[0]
    return frozenset(re.findall(r"(--[a-z][a-z-]*)", text)), "CSV" in usage


def run_command(argv, capsys):
    """Run ``gdregress argv`` in process: (status, stdout, stderr, warnings that escaped).

    A warning that escapes the command would print on the user's terminal, so it counts."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            status = main(argv)
        except SystemExit as exit_:
            status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err, [f"{w.category.__name__}: {w.message}" for w in caught]


def assert_clean_outcome(status, out, err, escaped, argv):
    """Exit 0, or 2 with exactly one line on stderr; no traceback, no stray warning."""
    assert "Traceback" not in err and "Traceback" not in out, argv
    assert not escaped, (argv, escaped)
    if status == 0:
        return
    assert status == 2, (argv, status, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, (argv, err)
    assert lines[0].startswith("gdregress"), (argv, err)


TOKENS = [
    "fit",
    "compare",
    "--method",
    "gd",
    "analytic",
    "sgd",
    "--learning-rate",
    "--max-iter",
    "--tol",
    "--json",
    "--x",
    "--y",
    "--no-standardize",
    "--chunksize",
    "--cv",
    "auto",
    "exact",
    "0",
    "1",
    "-1",
    "2",
    "0.5",
    "1e-3",
    "1e12",
    "nan",
    "inf",
    "-inf",
    "abc",
    "TV",
    "sales",
    "radio",
    "",
    "--",
    "-",
    "--unknown",
]


@budget(500)
@given(argv=st.lists(st.sampled_from(TOKENS), max_size=6))
def test_the_command_on_random_arguments_exits_0_or_2_with_one_line(argv, capsys):
    status, out, err, escaped = run_command(argv, capsys)
    assert_clean_outcome(status, out, err, escaped, argv)
    event(f"exit status {status}")


def cell_strategy():
    """A cell: mostly a number (small integers, or any size within 1e±140), now and then
    something that is not one."""
    number = st.tuples(st.sampled_from([1.0, -1.0]), st.floats(-140, 140)).map(
        lambda pair: repr(pair[0] * 10.0 ** pair[1])
    )
    good = st.one_of(st.integers(-1000, 1000).map(str), number)
    bad = st.sampled_from(
        ["", "nan", "NaN", "inf", "-inf", "abc", " 1 ", "1,5", '"2"', "1e400", "TRUE"]
    )
    return st.integers(0, 39).flatmap(lambda k: bad if k == 0 else good)


@st.composite
def csv_files(draw):
    """CSV text: a header (sometimes odd) and rows of cells, sometimes ragged."""
    n_columns = draw(st.sampled_from([1, 2, 2, 3, 3, 4]))
    names = draw(
        st.lists(
            st.sampled_from(["x", "y", "TV", "sales", "a b", "é", "", "x"]),
            min_size=n_columns,
            max_size=n_columns,
        )
    )
    n_rows = draw(st.sampled_from([0, 1, 2, 3, 5, 8, 8]))
    rows = []
    for _ in range(n_rows):
        ragged = draw(st.integers(0, 29)) == 0  # now and then a cell too few or too many
        width = draw(st.sampled_from([n_columns - 1, n_columns + 1])) if ragged else n_columns
        rows.append(draw(st.lists(cell_strategy(), min_size=width, max_size=width)))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(rows)
    return text.getvalue(), names


def read_independently(text, features, target):
    """The chosen columns as floats with the csv module, or None unless every cell is a
    finite number."""
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    if len(set(header)) != len(header) or not body:
        return None
    try:
        table = [[float(row[header.index(c)]) for c in [*features, target]] for row in body]
    except (ValueError, IndexError):
        return None
    if any(len(row) != len(header) for row in body):
        return None
    array = np.array(table)
    if not np.all(np.isfinite(array)):
        return None
    return array[:, :-1], array[:, -1]


@budget(500)
@given(
    csv_file=csv_files(),
    method=st.sampled_from(["analytic", "gd"]),
    options=st.lists(
        st.sampled_from(["--json", "--max-iter=1", "--learning-rate=exact", "--tol=1e-3"]),
        unique=True,
    ),
    columns=st.booleans(),
)
def test_the_command_on_random_csv_files_fits_or_exits_2_with_one_line(
    csv_file, method, options, columns, tmp_path_factory, capsys
):
    fit_options, takes_csv = command_help("fit")
    if not takes_csv:
        pytest.skip("the command does not read CSV files yet")
    text, names = csv_file
    path = tmp_path_factory.mktemp("csv") / "data.csv"
    path.write_text(text, encoding="utf-8")
    argv = ["fit", str(path)]
    if columns and len(names) > 1 and {"--x", "--y"} <= fit_options:
        argv += ["--y", names[-1], "--x", *names[:-1]]
    if "--method" in fit_options:
        argv += ["--method", method]
    for option in options:
        name = option.split("=")[0]
        if name in fit_options and (method == "gd" or name == "--json"):
            argv.append(option)
    status, out, err, escaped = run_command(argv, capsys)
    assert_clean_outcome(status, out, err, escaped, argv)
    data = read_independently(text, names[:-1], names[-1]) if len(names) > 1 else None
    if status == 0 and "--json" in argv:
        summary = json.loads(out)
        if data is not None and method == "analytic" and data[0].shape[0] > 0:
            X, y = data
            reference = AnalyticLeastSquares().fit(X, y)
            coef = np.array(list(summary["coef"].values()))
            scale = np.max(np.abs(reference.coef_), initial=0.0)
            np.testing.assert_allclose(coef, reference.coef_, rtol=1e-9, atol=1e-9 * scale)
            event("exit status 0, --json compared with the closed form")
            return
    event(f"exit status {status}")
    if status == 2 and data is not None and len(data[1]) > 0:
        # Every cell a finite number: only an option or a divergence may refuse it.
        assert re.search(r"learning.rate|--|column|header|name", err), (argv, err)


def test_the_exact_line_search_that_takes_no_step_is_reported_cleanly(tmp_path, capsys):
    path = tmp_path / "zero.csv"
    path.write_text("x,y\n1,0\n2,0\n3,0\n", encoding="utf-8")
    argv = ["fit", str(path), "--method", "gd", "--learning-rate", "exact", "--json"]
    status, out, err, escaped = run_command(argv, capsys)
    assert_clean_outcome(status, out, err, escaped, argv)
    assert status == 0
    assert json.loads(out)["coef"] == {"x": 0.0}


def test_points_on_a_line_are_fitted_by_the_command(tmp_path, capsys):
    path = tmp_path / "line.csv"
    path.write_text("x,y\n0,1\n3,2\n3,2\n", encoding="utf-8")
    argv = ["fit", str(path), "--json"]
    status, out, err, escaped = run_command(argv, capsys)
    assert_clean_outcome(status, out, err, escaped, argv)
    summary = json.loads(out)
    assert summary["coef"]["x"] == pytest.approx(1 / 3, rel=1e-12)
    assert summary["rmse"] == pytest.approx(0.0, abs=1e-12)


def test_a_repeated_column_name_is_refused_by_the_command(tmp_path, capsys):
    path = tmp_path / "twice.csv"
    path.write_text("x,x\n1,2\n2,3\n4,4\n", encoding="utf-8")
    argv = ["fit", str(path)]
    status, out, err, escaped = run_command(argv, capsys)
    assert_clean_outcome(status, out, err, escaped, argv)
    assert status == 2 and "'x'" in err


# --- damaged bundled datasets --------------------------------------------------------------

DATA_FOLDER = Path(__file__).resolve().parents[1] / "datasets"


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("datasets")
    shutil.copytree(DATA_FOLDER, folder, dirs_exist_ok=True)
    return folder


@budget(400)
@given(
    filename=st.sampled_from(["advertising.csv", "power_lines.csv"]),
    damage=st.sampled_from(["truncate", "change", "insert", "append", "delete"]),
    data=st.data(),
)
def test_a_damaged_dataset_is_detected_by_the_loader(filename, damage, data, data_folder):
    path = data_folder / filename
    original = (DATA_FOLDER / filename).read_bytes()
    at = data.draw(st.integers(0, len(original) - 1), label="at")
    if damage == "truncate":
        damaged = original[:at]
    elif damage == "change":
        byte = data.draw(st.integers(0, 255).filter(lambda b: b != original[at]), label="byte")
        damaged = original[:at] + bytes([byte]) + original[at + 1 :]
    elif damage == "insert":
        damaged = original[:at] + data.draw(st.binary(min_size=1, max_size=4)) + original[at:]
    elif damage == "append":
        damaged = original + data.draw(st.binary(min_size=1, max_size=8))
    else:
        damaged = original[:at] + original[at + 1 :]
    loader = load_tv_advertising if filename == "advertising.csv" else load_power_lines
    path.write_bytes(damaged)
    previous = datasets._data_dir
    datasets._data_dir = lambda: data_folder
    try:
        with pytest.raises(DatasetIntegrityError, match=re.escape(filename)):
            loader()
    finally:
        datasets._data_dir = previous
        path.write_bytes(original)
