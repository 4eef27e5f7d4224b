"""Tests of gdregress.datasets: values, loader conventions, and integrity checks.

Expected values come from the lecture (the three power stations and the first rows of the
advertising table) and from reading the CSV files independently with the csv module and exact
decimal arithmetic.
"""

import csv
import dataclasses
import hashlib
import inspect
import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.utils import Bunch

from gdregress import datasets
from gdregress.datasets import DatasetIntegrityError, load_power_lines, load_tv_advertising

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "datasets"
SHARED_ADVERTISING = ROOT.parent / "shared" / "data" / "advertising.csv"

BUNCH_KEYS = {"data", "target", "frame", "feature_names", "target_names", "DESCR", "filename"}


def read_columns(path):
    """The CSV file's columns as lists of exact decimals, read with the csv module."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    return header, {name: [Decimal(row[j]) for row in body] for j, name in enumerate(header)}


# --- the data themselves -------------------------------------------------------------------


def test_power_lines_values():
    X, y = load_power_lines(return_X_y=True)
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert X.shape == (3, 1) and y.shape == (3,)
    np.testing.assert_array_equal(X, [[1.0], [2.0], [3.0]])
    np.testing.assert_array_equal(y, [2.0, 5.0, 3.0])


def test_power_lines_give_the_lecture_cost_and_minimum():
    # E(m, b) = Σ (m xᵢ + b − yᵢ)² = Σx² m² + n b² + Σy² + 2Σx mb − 2Σxy m − 2Σy b, in exact
    # rational arithmetic from the loaded values.
    X, y = load_power_lines(return_X_y=True)
    xs = [Fraction(v) for v in X[:, 0]]
    ys = [Fraction(v) for v in y]
    sxx = sum(x * x for x in xs)
    sxy = sum(x * v for x, v in zip(xs, ys, strict=True))
    coefficients = (sxx, len(xs), sum(v * v for v in ys), 2 * sum(xs), -2 * sxy, -2 * sum(ys))
    assert coefficients == (14, 3, 38, 12, -42, -20)
    m, b = Fraction(1, 2), Fraction(7, 3)
    assert 28 * m + 12 * b - 42 == 0 and 6 * b + 12 * m - 20 == 0
    assert sum((m * x + b - v) ** 2 for x, v in zip(xs, ys, strict=True)) == Fraction(25, 6)


def test_advertising_lecture_rows():
    X, y = load_tv_advertising(return_X_y=True)
    assert X.shape == (200, 1) and y.shape == (200,)
    assert X.dtype == np.float64 and y.dtype == np.float64
    np.testing.assert_array_equal(X[:3, 0], [230.1, 44.5, 17.2])
    np.testing.assert_array_equal(y[:3], [22.1, 10.4, 9.3])


def test_advertising_matches_an_independent_read_of_the_csv():
    header, columns = read_columns(DATA / "advertising.csv")
    assert header == ["TV", "radio", "newspaper", "sales"]
    assert all(len(values) == 200 for values in columns.values())
    sums = {name: sum(values) for name, values in columns.items()}
    assert sums == {
        "TV": Decimal("29408.5"),
        "radio": Decimal("4652.8"),
        "newspaper": Decimal("6110.8"),
        "sales": Decimal("2804.5"),
    }
    bunch = load_tv_advertising(all_media=True)
    for j, name in enumerate(["TV", "radio", "newspaper"]):
        # Every value is the float nearest its decimal text, exactly.
        assert bunch.data[:, j].tolist() == [float(v) for v in columns[name]]
        assert np.sum(bunch.data[:, j]) == pytest.approx(float(sums[name]), rel=1e-13)
    assert bunch.target.tolist() == [float(v) for v in columns["sales"]]


def test_advertising_is_the_shared_copy():
    if not SHARED_ADVERTISING.is_file():
        pytest.skip(f"no shared copy of the data at {SHARED_ADVERTISING} to compare with")
    assert (DATA / "advertising.csv").read_bytes() == SHARED_ADVERTISING.read_bytes()


@pytest.mark.parametrize(
    "spec", [datasets._POWER_LINES, datasets._ADVERTISING], ids=lambda s: s.filename
)
def test_recorded_checksums_are_those_of_the_files(spec):
    assert hashlib.sha256((DATA / spec.filename).read_bytes()).hexdigest() == spec.sha256


def test_data_dir_is_the_installed_folder_or_the_checkout():
    data_dir = datasets._data_dir()
    installed = Path(datasets.__file__).resolve().parent / "_datasets"
    expected = installed if installed.is_dir() else DATA
    assert Path(str(data_dir)).resolve() == expected.resolve()


# --- scikit-learn loader conventions ---------------------------------------------------------


def test_power_lines_bunch():
    bunch = load_power_lines()
    assert isinstance(bunch, Bunch)
    assert set(bunch) == BUNCH_KEYS
    assert bunch.feature_names == ["x"]
    assert bunch.target_names == ["y"]
    assert bunch.frame is None
    assert bunch.filename == "power_lines.csv"
    assert bunch.DESCR == (DATA / "power_lines.rst").read_text(encoding="utf-8")
    for text in ["Gradients and Gradient Descent", "DeepLearning.AI", "CC BY-SA", "(1, 2)"]:
        assert text in bunch.DESCR


def test_advertising_bunch():
    bunch = load_tv_advertising()
    assert isinstance(bunch, Bunch)
    assert set(bunch) == BUNCH_KEYS
    assert bunch.feature_names == ["TV"]
    assert bunch.target_names == ["sales"]
    assert bunch.frame is None
    assert bunch.filename == "advertising.csv"
    assert bunch.DESCR == (DATA / "advertising.rst").read_text(encoding="utf-8")


def test_advertising_descr_cites_the_source():
    descr = load_tv_advertising().DESCR
    for text in [
        "James",
        "Witten",
        "Hastie",
        "Tibshirani",
        "An Introduction to Statistical Learning",
        "Springer",
        "2013",
        "2021",
        "thousands of dollars",
        "thousands of units",
        "Table 3.1",
    ]:
        assert text in descr


def test_advertising_line_matches_the_book():
    # ISLR Table 3.1: intercept 7.0325, slope 0.0475, printed truncated to 4 decimals, so each
    # lies in [printed, printed + 1e-4): 7.03259 is 6.5e-6 from its upper end, a margin that
    # polyfit's rounding (1e-14) cannot cross.
    X, y = load_tv_advertising(return_X_y=True)
    slope, intercept = np.polyfit(X[:, 0], y, 1)
    assert 7.0325 <= intercept < 7.0326
    assert 0.0475 <= slope < 0.0476


@pytest.mark.parametrize("loader", [load_power_lines, load_tv_advertising])
def test_return_X_y_gives_the_bunch_arrays(loader):
    bunch = loader()
    X, y = loader(return_X_y=True)
    assert isinstance(X, np.ndarray) and isinstance(y, np.ndarray)
    assert X.ndim == 2 and y.ndim == 1 and X.shape[0] == y.shape[0]
    np.testing.assert_array_equal(X, bunch.data)
    np.testing.assert_array_equal(y, bunch.target)


@pytest.mark.parametrize("loader", [load_power_lines, load_tv_advertising])
def test_arrays_are_owned_writeable_and_fresh(loader):
    X, y = loader(return_X_y=True)
    assert X.flags.writeable and y.flags.writeable and X.flags.c_contiguous
    X[0, 0] = -1.0
    y[0] = -1.0
    X2, y2 = loader(return_X_y=True)
    assert X2[0, 0] != -1.0 and y2[0] != -1.0


@pytest.mark.parametrize(
    ("loader", "kwargs", "features", "target"),
    [
        (load_power_lines, {}, ["x"], "y"),
        (load_tv_advertising, {}, ["TV"], "sales"),
        (load_tv_advertising, {"all_media": True}, ["TV", "radio", "newspaper"], "sales"),
    ],
)
def test_as_frame(loader, kwargs, features, target):
    bunch = loader(as_frame=True, **kwargs)
    assert set(bunch) == BUNCH_KEYS
    assert isinstance(bunch.data, pd.DataFrame)
    assert isinstance(bunch.target, pd.Series)
    assert isinstance(bunch.frame, pd.DataFrame)
    assert list(bunch.data.columns) == features
    assert bunch.target.name == target
    assert list(bunch.frame.columns) == [*features, target]
    assert (bunch.frame.dtypes == np.float64).all()
    assert (bunch.data.dtypes == np.float64).all() and bunch.target.dtype == np.float64
    pd.testing.assert_frame_equal(bunch.frame[features], bunch.data)
    pd.testing.assert_series_equal(bunch.frame[target], bunch.target)
    arrays = loader(**kwargs)
    np.testing.assert_array_equal(bunch.data.to_numpy(), arrays.data)
    np.testing.assert_array_equal(bunch.target.to_numpy(), arrays.target)
    X, y = loader(as_frame=True, return_X_y=True, **kwargs)
    pd.testing.assert_frame_equal(X, bunch.data)
    pd.testing.assert_series_equal(y, bunch.target)


def test_all_media():
    bunch = load_tv_advertising(all_media=True)
    assert bunch.data.shape == (200, 3)
    assert bunch.feature_names == ["TV", "radio", "newspaper"]
    assert bunch.target_names == ["sales"]
    np.testing.assert_array_equal(bunch.data[0], [230.1, 37.8, 69.2])
    np.testing.assert_array_equal(bunch.data[:, 0], load_tv_advertising().data[:, 0])


@pytest.mark.parametrize("name", ["return_X_y", "as_frame", "all_media"])
@pytest.mark.parametrize("value", ["yes", 1, None])
def test_flags_must_be_bool(name, value):
    with pytest.raises(TypeError, match=rf"{name} must be True or False"):
        load_tv_advertising(**{name: value})


def test_numpy_bool_flags_are_accepted():
    X, _ = load_tv_advertising(all_media=np.True_, return_X_y=np.True_)
    assert X.shape == (200, 3)


# --- damaged files -----------------------------------------------------------------------


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of the data folder that the loaders read instead of the real one."""
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    monkeypatch.setattr(datasets, "_data_dir", lambda: folder)
    return folder


def test_an_intact_copy_loads(data_copy):
    X, y = load_tv_advertising(return_X_y=True)
    np.testing.assert_array_equal(X[:3, 0], [230.1, 44.5, 17.2])
    np.testing.assert_array_equal(y[:3], [22.1, 10.4, 9.3])


def check_integrity_error(excinfo, path):
    message = str(excinfo.value)
    assert "advertising.csv" in message
    assert datasets._ADVERTISING.sha256 in message
    assert hashlib.sha256(path.read_bytes()).hexdigest() in message
    assert "reinstall gdregress" in message


def test_truncated_file_is_detected(data_copy):
    path = data_copy / "advertising.csv"
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])
    with pytest.raises(DatasetIntegrityError) as excinfo:
        load_tv_advertising()
    check_integrity_error(excinfo, path)


def test_one_changed_value_is_detected(data_copy):
    path = data_copy / "advertising.csv"
    content = path.read_bytes()
    assert content.count(b"230.1,37.8,69.2,22.1\n") == 1
    path.write_bytes(content.replace(b"230.1,37.8,69.2,22.1\n", b"230.1,37.8,69.2,22.2\n"))
    with pytest.raises(DatasetIntegrityError) as excinfo:
        load_tv_advertising(return_X_y=True)
    check_integrity_error(excinfo, path)
    assert isinstance(excinfo.value, ValueError)


def test_changed_line_endings_are_detected(data_copy):
    path = data_copy / "power_lines.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    with pytest.raises(DatasetIntegrityError, match=r"power_lines\.csv"):
        load_power_lines()


@pytest.mark.parametrize(
    ("loader", "filename"),
    [
        (load_power_lines, "power_lines.csv"),
        (load_tv_advertising, "advertising.csv"),
        (load_tv_advertising, "advertising.rst"),
    ],
)
def test_missing_file_is_reported(data_copy, loader, filename):
    (data_copy / filename).unlink()
    with pytest.raises(FileNotFoundError) as excinfo:
        loader()
    message = str(excinfo.value)
    assert repr(filename) in message
    assert "reinstall gdregress" in message


def tamper(folder, monkeypatch, new_content):
    """Write new contents to advertising.csv and record their checksum as the expected one."""
    path = folder / "advertising.csv"
    path.write_bytes(new_content)
    spec = dataclasses.replace(
        datasets._ADVERTISING, sha256=hashlib.sha256(new_content).hexdigest()
    )
    monkeypatch.setattr(datasets, "_ADVERTISING", spec)


def test_wrong_header_is_detected(data_copy, monkeypatch):
    content = (data_copy / "advertising.csv").read_bytes()
    tamper(data_copy, monkeypatch, content.replace(b"sales", b"Sales", 1))
    with pytest.raises(DatasetIntegrityError, match=r"advertising\.csv.*columns"):
        load_tv_advertising()


def test_wrong_number_of_rows_is_detected(data_copy, monkeypatch):
    content = (data_copy / "advertising.csv").read_bytes()
    tamper(data_copy, monkeypatch, content.rsplit(b"\n", 2)[0] + b"\n")
    with pytest.raises(DatasetIntegrityError, match=r"advertising\.csv.*199 rows"):
        load_tv_advertising()


@pytest.mark.parametrize("bad", [b"oops", b"", b"inf"])
def test_non_numbers_are_detected(data_copy, monkeypatch, bad):
    content = (data_copy / "advertising.csv").read_bytes()
    tamper(data_copy, monkeypatch, content.replace(b"22.1\n", bad + b"\n", 1))
    with pytest.raises(DatasetIntegrityError, match=r"advertising\.csv"):
        load_tv_advertising()


@pytest.mark.parametrize(
    ("loader", "filename", "target", "other"),
    [
        (load_power_lines, "power_lines.csv", "y", "load_tv_advertising"),
        (load_tv_advertising, "advertising.csv", "sales", "load_power_lines"),
    ],
)
def test_each_loader_documents_its_file_errors_and_the_other_loader(
    loader, filename, target, other
):
    # The sections the loaders share are written once and filled into each docstring.
    doc = inspect.cleandoc(loader.__doc__)  # Python 3.13 dedents docstrings itself
    assert "{loader sections}" not in doc
    assert f'read from, ``"{filename}"``.' in doc and f'``["{target}"]``.' in doc
    assert "\nRaises\n------\nFileNotFoundError\n" in doc
    assert "\nSee Also\n--------\n" + other + " : " in doc
    assert doc.index("filename : str") < doc.index("Raises") < doc.index("Examples")
