"""gdregress: the least-squares line, in closed form and by gradient descent.

Fit y = m·x + b (and y = X·w + b) the two ways a calculus course teaches: by setting the
partial derivatives of the cost to zero (:class:`AnalyticLeastSquares`) and by walking down its
gradient (:class:`GradientDescentRegressor`), as scikit-learn estimators. The descent engine
itself is :func:`gradient_descent`; the lecture's data is in :mod:`gdregress.datasets`.

The names below are imported when first used (PEP 562), so that ``import gdregress`` — and
``gdregress --help`` — do not pay for importing scikit-learn, scipy and pandas.
"""

from __future__ import annotations

import importlib

# typing.TYPE_CHECKING without importing typing (a few ms of the command's start).
TYPE_CHECKING = False

__version__ = "0.1.0"

# Each public name and the module it lives in.
_WHERE = {
    "AnalyticLeastSquares": "linear_model",
    "GradientDescentRegressor": "linear_model",
    "DatasetIntegrityError": "datasets",
    "DivergenceError": "exceptions",
    "EssentiallyPerfectFitWarning": "exceptions",
    "FTestResult": "_hypotheses",
    "IllConditionedWarning": "exceptions",
    "RegressionSummary": "_summary",
    "gradient_descent": "optimize",
    "minimize_gradient_descent": "optimize",
}

__all__ = [*sorted(_WHERE), "__version__", "datasets"]

if TYPE_CHECKING:  # for type checkers and IDEs: the names as if imported eagerly
    # ruff: noqa: F401
    from . import datasets
    from ._hypotheses import FTestResult
    from ._summary import RegressionSummary
    from .datasets import DatasetIntegrityError
    from .exceptions import DivergenceError, EssentiallyPerfectFitWarning, IllConditionedWarning
    from .linear_model import AnalyticLeastSquares, GradientDescentRegressor
    from .optimize import gradient_descent, minimize_gradient_descent


def __getattr__(name: str):
    if name == "datasets":
        return importlib.import_module(".datasets", __name__)
    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value  # once imported, found without this function
        return value
    raise AttributeError(f"module 'gdregress' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
