"""gdregress: the least-squares line, in closed form and by gradient descent.

Fit y = m·x + b (and y = X·w + b) the two ways a calculus course teaches: by setting the
partial derivatives of the cost to zero (:class:`AnalyticLeastSquares`) and by walking down its
gradient (:class:`GradientDescentRegressor`), as scikit-learn estimators. The descent engine
itself is :func:`gradient_descent`; the lecture's data is in :mod:`gdregress.datasets`.
"""

from . import datasets
from ._inference import RegressionSummary
from .datasets import DatasetIntegrityError
from .exceptions import DivergenceError, IllConditionedWarning
from .linear_model import AnalyticLeastSquares, GradientDescentRegressor
from .optimize import gradient_descent, minimize_gradient_descent

__version__ = "0.1.0"

__all__ = [
    "AnalyticLeastSquares",
    "DatasetIntegrityError",
    "DivergenceError",
    "GradientDescentRegressor",
    "IllConditionedWarning",
    "RegressionSummary",
    "__version__",
    "datasets",
    "gradient_descent",
    "minimize_gradient_descent",
]
