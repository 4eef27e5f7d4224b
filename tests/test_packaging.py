"""The wheel ships the datasets, and an installed gdregress finds them.

The wheel is built from this source tree with pip and hatchling (no network, no build
isolation), then unpacked and imported in a fresh interpreter that runs outside the source
tree, so the data can only come from the package data in the wheel.
"""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DATA_FILES = ["advertising.csv", "advertising.rst", "power_lines.csv", "power_lines.rst"]

# Run in the unpacked wheel: where gdregress comes from, where it finds the data, and what
# it loads from there.
PROBE = """
import json
import gdregress
import gdregress.datasets as datasets

ads = datasets.load_tv_advertising(all_media=True)
X, y = datasets.load_power_lines(return_X_y=True)
print(json.dumps({
    "package_file": gdregress.__file__,
    "module_file": datasets.__file__,
    "data_dir": str(datasets._data_dir()),
    "ads_shape": list(ads.data.shape),
    "ads_first_row": ads.data[0].tolist() + [float(ads.target[0])],
    "ads_descr_cites_islr": "An Introduction to Statistical Learning" in ads.DESCR,
    "power_lines": [X[:, 0].tolist(), y.tolist()],
}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """Build the wheel from the source tree once for this module; return its path."""
    pytest.importorskip(
        "hatchling", reason="hatchling, the build backend, is needed to build the wheel"
    )
    out = tmp_path_factory.mktemp("wheel")
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    result = subprocess.run(
        [*command, "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        cwd=out,
        check=False,
    )
    assert result.returncode == 0, f"building the wheel failed:\n{result.stdout}\n{result.stderr}"
    wheels = list(out.glob("gdregress-*.whl"))
    assert len(wheels) == 1, f"expected one gdregress wheel in {out}, found {wheels}"
    return wheels[0]


def test_wheel_contains_the_datasets(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "gdregress/datasets.py" in names
        for name in DATA_FILES:
            member = f"gdregress/_datasets/{name}"
            assert member in names
            assert archive.read(member) == (ROOT / "datasets" / name).read_bytes()


def test_installed_wheel_finds_its_datasets(wheel, tmp_path):
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # Only the unpacked wheel is added to the path; numpy, pandas and scikit-learn come from
    # this interpreter's site-packages.
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        env=env,
        cwd=elsewhere,
        check=False,
    )
    assert result.returncode == 0, f"the installed gdregress failed:\n{result.stderr}"
    probe = json.loads(result.stdout.strip().splitlines()[-1])

    def inside_site(path):
        return path is not None and Path(path).resolve().is_relative_to(site.resolve())

    assert inside_site(probe["package_file"]), probe["package_file"]
    assert inside_site(probe["module_file"]), probe["module_file"]
    assert Path(probe["data_dir"]).resolve() == (site / "gdregress" / "_datasets").resolve()
    assert probe["ads_shape"] == [200, 3]
    assert probe["ads_first_row"] == [230.1, 37.8, 69.2, 22.1]
    assert probe["ads_descr_cites_islr"] is True
    assert probe["power_lines"] == [[1.0, 2.0, 3.0], [2.0, 5.0, 3.0]]
