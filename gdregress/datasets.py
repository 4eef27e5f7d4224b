"""The lecture's datasets, loaded the way scikit-learn loads its own.

Two small tables ship with gdregress, each as a CSV file with a description beside it:

- :func:`load_power_lines`: the lecture's three power stations (1, 2), (2, 5), (3, 3);
- :func:`load_tv_advertising`: the Advertising data of *An Introduction to Statistical
  Learning* (200 markets; TV, radio and newspaper budgets, and sales).

The files live in the top-level ``datasets/`` folder of the source tree; the wheel installs
them as ``gdregress/_datasets``, where :mod:`importlib.resources` finds them. Every load checks
the file's SHA-256 checksum against the one recorded here, so a damaged or edited copy fails
loudly (:class:`DatasetIntegrityError`) instead of giving a slightly different line.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import io
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

__all__ = ["DatasetIntegrityError", "load_power_lines", "load_tv_advertising"]


class DatasetIntegrityError(ValueError):
    """A dataset file shipped with gdregress is not the file gdregress was released with.

    Raised by the loaders of :mod:`gdregress.datasets` when a CSV file's SHA-256 checksum
    differs from the one recorded in the module (the file was truncated, edited or replaced),
    or when its contents do not have the expected columns and number of rows. The message
    names the file, gives the expected and actual checksums, and says how to restore the file
    (reinstall gdregress, or ``git checkout`` it in a source checkout). It subclasses
    :class:`ValueError`.

    Examples
    --------
    >>> from gdregress.datasets import DatasetIntegrityError
    >>> issubclass(DatasetIntegrityError, ValueError)
    True
    """


@dataclass(frozen=True)
class _CSVFile:
    """A dataset file: its name, checksum, header and size, and its description file."""

    filename: str
    sha256: str
    columns: tuple[str, ...]
    n_rows: int
    descr_filename: str


_POWER_LINES = _CSVFile(
    filename="power_lines.csv",
    sha256="6769d24f579cfced308e5e751a17d7776600035818baca31ce1e5a1a5b0d853f",
    columns=("x", "y"),
    n_rows=3,
    descr_filename="power_lines.rst",
)
_ADVERTISING = _CSVFile(
    filename="advertising.csv",
    sha256="ef973a09a9016e09842ab01b081ff8ab27928a86714278528d5dd0fe22350bdd",
    columns=("TV", "radio", "newspaper", "sales"),
    n_rows=200,
    descr_filename="advertising.rst",
)

_HOW_TO_RESTORE = (
    "reinstall gdregress (for example `pip install --force-reinstall gdregress`), or, in a "
    "source checkout, restore the file with `git checkout -- datasets/{filename}`"
)


# The sections every loader's docstring shares: the rest of the Bunch, the (data, target)
# tuple, the errors and the other loaders. The loader's docstring holds the line
# "{loader sections}" where they go; _loader_docstring fills them in.
_LOADER_SECTIONS = """\
    target_names : list of str
        ``["{target}"]``.
    DESCR : str
        The description of the dataset and its source.
    filename : str
        The name of the CSV file the data were read from, ``"{filename}"``.

(data, target) : tuple if ``return_X_y`` is True
    The data and the target, as described above.

Raises
------
FileNotFoundError
    If the CSV file is missing from the installation.
DatasetIntegrityError
    If the CSV file differs from the one shipped with gdregress.

See Also
--------
{see_also}
"""
_LOADER_SECTIONS_LINE = re.compile(r"^([ \t]*)\{loader sections\}\n", re.MULTILINE)


def _loader_docstring(spec: _CSVFile, see_also: str) -> Callable:
    """Fill in the sections a loader's docstring shares with the other loaders.

    Every loader returns the same Bunch from a checked file and fails the same way, so that
    part of their documentation is written once, in ``_LOADER_SECTIONS``: the Bunch's
    ``target_names``, ``DESCR`` and ``filename``, the ``(data, target)`` tuple, the Raises
    section and See Also. It replaces the line ``{loader sections}`` of the loader's
    docstring, indented as that line is.

    Parameters
    ----------
    spec : _CSVFile
        The file the loader reads: its name, and its last column, the target.
    see_also : str
        The entries of See Also (the other loaders), one a line.

    Returns
    -------
    callable
        A decorator that fills in the loader's ``__doc__`` and returns the loader itself.
    """
    sections = _LOADER_SECTIONS.format(
        target=spec.columns[-1], filename=spec.filename, see_also=see_also
    )

    def fill(loader):
        if loader.__doc__:  # None under python -OO
            loader.__doc__ = _LOADER_SECTIONS_LINE.sub(
                lambda line: textwrap.indent(sections, line.group(1)), loader.__doc__, count=1
            )
        return loader

    return fill


def _data_dir() -> Traversable:
    """Return the folder holding the dataset files.

    In an installed wheel the files are package data, ``gdregress/_datasets``. In a source
    checkout (running from the repository, or an editable install) they are the top-level
    ``datasets/`` folder beside the package. Tests replace this function to load from another
    folder.
    """
    installed = importlib.resources.files("gdregress") / "_datasets"
    if installed.is_dir():
        return installed
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "datasets").is_dir():
        return checkout / "datasets"
    # Neither layout: report the installed location, where the files should have been.
    return installed


def _read_bytes(filename: str) -> tuple[bytes, Traversable]:
    """Read a file of the data folder, raising a helpful FileNotFoundError if it is missing."""
    resource = _data_dir() / filename
    try:
        if resource.is_file():
            return resource.read_bytes(), resource
    except FileNotFoundError:
        pass
    raise FileNotFoundError(
        f"The gdregress dataset file {filename!r} is missing (looked for {resource}). "
        "gdregress is not installed completely; to fix it, "
        + _HOW_TO_RESTORE.format(filename=filename)
        + "."
    )


def _read_csv(spec: _CSVFile) -> pd.DataFrame:
    """Read a dataset CSV file as float64 columns, after checking its checksum and shape."""
    content, resource = _read_bytes(spec.filename)
    restore = _HOW_TO_RESTORE.format(filename=spec.filename)
    actual = hashlib.sha256(content).hexdigest()
    if actual != spec.sha256:
        raise DatasetIntegrityError(
            f"The gdregress dataset file {spec.filename!r} ({resource}) has been altered or "
            f"damaged: its SHA-256 checksum is {actual}, but the file shipped with gdregress "
            f"has {spec.sha256}. Do not edit the file; to fix it, {restore}."
        )
    try:
        table = pd.read_csv(io.BytesIO(content), dtype="float64")
    except (ValueError, pd.errors.ParserError) as exc:
        raise DatasetIntegrityError(
            f"The gdregress dataset file {spec.filename!r} ({resource}) is not a table of "
            f"numbers ({exc}); to fix it, {restore}."
        ) from exc
    expected_shape = (spec.n_rows, len(spec.columns))
    if tuple(table.columns) != spec.columns or table.shape != expected_shape:
        raise DatasetIntegrityError(
            f"The gdregress dataset file {spec.filename!r} ({resource}) should have the "
            f"columns {list(spec.columns)} and {spec.n_rows} rows, but has the columns "
            f"{list(table.columns)} and {table.shape[0]} rows; to fix it, {restore}."
        )
    if not np.isfinite(table.to_numpy()).all():
        raise DatasetIntegrityError(
            f"The gdregress dataset file {spec.filename!r} ({resource}) has missing or "
            f"infinite values; to fix it, {restore}."
        )
    return table


def _read_descr(spec: _CSVFile) -> str:
    """Read the description of a dataset (its ``.rst`` file)."""
    content, _ = _read_bytes(spec.descr_filename)
    return content.decode("utf-8")


def _check_bool(name: str, value: object) -> None:
    """Raise a TypeError unless ``value`` is a bool (Python's or numpy's)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(
            f"{name} must be True or False, got {value!r} of type {type(value).__name__}; "
            f"pass {name}=True or {name}=False."
        )


def _load(
    spec: _CSVFile,
    feature_names: list[str],
    target_name: str,
    *,
    return_X_y: bool,
    as_frame: bool,
) -> Bunch | tuple[np.ndarray, np.ndarray] | tuple[pd.DataFrame, pd.Series]:
    """Load the columns ``feature_names`` and ``target_name`` of a dataset file."""
    _check_bool("return_X_y", return_X_y)
    _check_bool("as_frame", as_frame)
    table = _read_csv(spec)
    frame: pd.DataFrame | None
    if as_frame:
        frame = table[[*feature_names, target_name]].copy()
        data = frame[feature_names]
        target = frame[target_name]
    else:
        frame = None
        # Copies: owned, writeable, C-contiguous float64 arrays (pandas views are read-only).
        data = np.array(table[feature_names].to_numpy(), dtype=np.float64, order="C")
        target = np.array(table[target_name].to_numpy(), dtype=np.float64)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        frame=frame,
        feature_names=list(feature_names),
        target_names=[target_name],
        DESCR=_read_descr(spec),
        filename=spec.filename,
    )


@_loader_docstring(
    _POWER_LINES, see_also="load_tv_advertising : The lecture's second example, 200 markets."
)
def load_power_lines(
    *, return_X_y: bool = False, as_frame: bool = False
) -> Bunch | tuple[np.ndarray, np.ndarray] | tuple[pd.DataFrame, pd.Series]:
    """Load the lecture's three power stations (regression).

    The lecture "Gradients and Gradient Descent" (DeepLearning.AI) places a line
    :math:`y = m x + b` near the points (1, 2), (2, 5) and (3, 3), minimizing the sum of
    squares

    .. math::

        E(m, b) = \\sum_{i=1}^{3} (m x_i + b - y_i)^2
                = 14m^2 + 3b^2 + 38 + 12mb - 42m - 20b,

    whose minimum is at :math:`m = 1/2`, :math:`b = 7/3`, where :math:`E = 25/6`.

    ==============   ==============
    Samples total    3
    Dimensionality   1
    Features         real (x)
    Targets          real (y)
    ==============   ==============

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch object.
    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame with the column ``x``, ``target`` a pandas
        Series named ``y``, and ``frame`` a DataFrame with both columns.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object, with the following attributes.

        data : {ndarray, DataFrame} of shape (3, 1)
            The x coordinates, as float64.
        target : {ndarray, Series} of shape (3,)
            The y coordinates, as float64.
        frame : DataFrame of shape (3, 2) or None
            The columns ``x`` and ``y`` if ``as_frame=True``, otherwise None.
        feature_names : list of str
            ``["x"]``.
    {loader sections}

    Examples
    --------
    >>> from gdregress.datasets import load_power_lines
    >>> X, y = load_power_lines(return_X_y=True)
    >>> X
    array([[1.],
           [2.],
           [3.]])
    >>> y
    array([2., 5., 3.])

    The lecture's line, from the normal equations:

    >>> import numpy as np
    >>> m, b = np.linalg.lstsq(np.c_[X, np.ones(3)], y)[0]
    >>> print(f"m = {m:.4f}, b = {b:.4f} (7/3 = {7 / 3:.4f})")
    m = 0.5000, b = 2.3333 (7/3 = 2.3333)
    """
    return _load(_POWER_LINES, ["x"], "y", return_X_y=return_X_y, as_frame=as_frame)


@_loader_docstring(
    _ADVERTISING, see_also="load_power_lines : The lecture's first example, three points."
)
def load_tv_advertising(
    *, all_media: bool = False, return_X_y: bool = False, as_frame: bool = False
) -> Bunch | tuple[np.ndarray, np.ndarray] | tuple[pd.DataFrame, pd.Series]:
    """Load the Advertising data: sales against TV advertising budget (regression).

    The Advertising data of James, Witten, Hastie and Tibshirani, *An Introduction to
    Statistical Learning* (Springer, 2013; 2nd edition 2021): the sales of a product in 200
    markets (thousands of units) and its advertising budgets there (thousands of dollars).
    As in the lecture, the single feature is the TV budget and the target is the sales; with
    ``all_media=True`` the features are the TV, radio and newspaper budgets.

    ==============   ====================================
    Samples total    200
    Dimensionality   1 (TV), or 3 with ``all_media=True``
    Features         real, 0 ≤ x ≤ 296.4
    Targets          real, 1.6 ≤ y ≤ 27.0
    ==============   ====================================

    Parameters
    ----------
    all_media : bool, default=False
        If False, the only feature is the TV budget (``"TV"``). If True, the features are the
        three budgets ``"TV"``, ``"radio"`` and ``"newspaper"``.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch object.
    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame with the feature columns, ``target`` a pandas
        Series named ``sales``, and ``frame`` a DataFrame with the features and the target.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object, with the following attributes.

        data : {ndarray, DataFrame} of shape (200, 1), or (200, 3) with ``all_media=True``
            The advertising budgets, in thousands of dollars, as float64.
        target : {ndarray, Series} of shape (200,)
            The sales, in thousands of units, as float64.
        frame : DataFrame of shape (200, 2), or (200, 4) with ``all_media=True``, or None
            The features and the target if ``as_frame=True``, otherwise None.
        feature_names : list of str
            ``["TV"]``, or ``["TV", "radio", "newspaper"]`` with ``all_media=True``.
    {loader sections}

    References
    ----------
    .. [1] G. James, D. Witten, T. Hastie and R. Tibshirani, *An Introduction to Statistical
       Learning: with Applications in R*, Springer, 2013 (2nd edition 2021).
       https://www.statlearning.com/

    Examples
    --------
    >>> from gdregress.datasets import load_tv_advertising
    >>> ads = load_tv_advertising()
    >>> ads.data.shape, ads.feature_names, ads.target_names
    ((200, 1), ['TV'], ['sales'])
    >>> ads.data[:3, 0]
    array([230.1,  44.5,  17.2])
    >>> ads.target[:3]
    array([22.1, 10.4,  9.3])

    The least-squares line of sales on TV budget (Table 3.1 of the book prints 7.0325 and
    0.0475):

    >>> from sklearn.linear_model import LinearRegression
    >>> line = LinearRegression().fit(ads.data, ads.target)
    >>> print(f"intercept {line.intercept_:.5f}, slope {line.coef_[0]:.5f}")
    intercept 7.03259, slope 0.04754

    All three media, as a DataFrame:

    >>> X, y = load_tv_advertising(all_media=True, return_X_y=True, as_frame=True)
    >>> list(X.columns), y.name
    (['TV', 'radio', 'newspaper'], 'sales')
    """
    _check_bool("all_media", all_media)
    feature_names = list(_ADVERTISING.columns[:3]) if all_media else ["TV"]
    return _load(_ADVERTISING, feature_names, "sales", return_X_y=return_X_y, as_frame=as_frame)
