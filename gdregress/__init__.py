"""gdregress: the least-squares line, in closed form and by gradient descent.

Fit y = m·x + b (and y = X·w + b) the two ways a calculus course teaches: by setting the
partial derivatives of the cost to zero (:class:`AnalyticLeastSquares`) and by walking down its
gradient (:class:`GradientDescentRegressor`), as scikit-learn estimators.
"""

from .exceptions import DivergenceError, IllConditionedWarning
from .linear_model import AnalyticLeastSquares

__version__ = "0.1.0"

__all__ = [
    "AnalyticLeastSquares",
    "DivergenceError",
    "IllConditionedWarning",
    "__version__",
]
