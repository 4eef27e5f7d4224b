"""The estimators: thin scikit-learn classes over statistics, cost and solver.

Each ``fit`` does the same four things: validate the data, compute its statistics in one
pass, solve (closed form, or gradient descent on the cost), and set the attributes.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._closed_form import solve_least_squares
from ._statistics import compute_statistics

__all__ = ["AnalyticLeastSquares"]


class _LinearLeastSquares(RegressorMixin, BaseEstimator):
    """What both estimators share: validation, statistics, prediction and attributes."""

    def _validate_training_data(self, X, y, sample_weight):
        """Validate without copying: float64 and float32 arrays pass through as they are.

        Returns X, y as (n_samples, n_targets), the weights (``None`` for unit weights) and
        whether y was one-dimensional.
        """
        X, y = validate_data(
            self,
            X,
            y,
            dtype=[np.float64, np.float32],
            multi_output=True,
            y_numeric=True,
        )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
        y_is_1d = y.ndim == 1
        y2 = y.reshape(-1, 1) if y_is_1d else y
        return X, y2, sample_weight, y_is_1d

    def _set_coefficients(self, coef: np.ndarray, intercept: np.ndarray, y_is_1d: bool) -> None:
        """Store (n_features, n_targets) coefficients the way LinearRegression does."""
        if y_is_1d:
            self.coef_ = coef[:, 0].copy()
            self.intercept_ = float(intercept[0])
        else:
            self.coef_ = coef.T.copy()
            self.intercept_ = np.asarray(intercept, dtype=np.float64).copy()

    def predict(self, X) -> np.ndarray:
        """Predict with the fitted line: ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples; a DataFrame must have the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        return X @ self.coef_.T + self.intercept_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


class AnalyticLeastSquares(_LinearLeastSquares):
    r"""Least squares in closed form: the point where the partial derivatives vanish.

    Fits :math:`y = X w + b` (for one feature, the lecture's :math:`y = m x + b`) by
    minimising the half-MSE cost

    .. math::

        L(w, b) = \frac{1}{2 \sum_i s_i} \sum_i s_i\,(x_i \cdot w + b - y_i)^2

    with sample weights :math:`s_i` (1 by default). Setting :math:`\partial L/\partial w = 0`
    and :math:`\partial L/\partial b = 0` gives the normal equations, which in the centred
    statistics read

    .. math::

        S_{xx}\, w = S_{xy}, \qquad b = \bar y - \bar x \cdot w .

    The data is read once, in chunks, to compute these statistics; the solve then costs
    :math:`O(d^3)`. The normal equations square the condition number of the design, so when
    the centred, column-scaled statistics show a condition number above
    :math:`\sqrt{10^4} = 100`, the solution is computed over the data instead: QR of the
    centred, scaled design, then iterative refinement of the augmented system with its
    residuals in double-double precision. On polynomial bases of degree 10, where
    ``numpy.linalg.lstsq`` keeps at most 6 digits and :class:`~sklearn.linear_model.
    LinearRegression` often none, this gives every coefficient to nearly full precision.
    Rank-deficient designs get the minimum-norm solution, as ``lstsq`` gives.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Whether to fit the intercept :math:`b`. If False, the line passes through the origin.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        The slopes :math:`w` (the lecture's :math:`m`).
    intercept_ : float or ndarray of shape (n_targets,)
        The intercept :math:`b`; 0.0 when ``fit_intercept=False``.
    rank_ : int
        Rank of the (centred) design matrix.
    singular_ : ndarray of shape (min(n_samples, n_features),)
        Singular values of the (centred, weighted) design matrix.
    condition_number_ : float
        Condition number of the centred, column-scaled design; it decides the route.
    solver_ : str
        The route taken: ``"normal equations"``, ``"QR with refinement"``,
        ``"minimum norm"`` or ``"pseudo-inverse"``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    GradientDescentRegressor : The same model fitted by gradient descent.
    sklearn.linear_model.LinearRegression : scikit-learn's ordinary least squares.

    Examples
    --------
    The lecture's three power-line points, (1, 2), (2, 5), (3, 3):

    >>> import numpy as np
    >>> from gdregress import AnalyticLeastSquares
    >>> model = AnalyticLeastSquares().fit([[1], [2], [3]], [2, 5, 3])
    >>> model.coef_, model.intercept_
    (array([0.5]), 2.3333333333333335)
    >>> model.predict([[4]])
    array([4.33333333])
    """

    _parameter_constraints: dict = {"fit_intercept": ["boolean"]}

    def __init__(self, fit_intercept: bool = True) -> None:
        self.fit_intercept = fit_intercept

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None) -> AnalyticLeastSquares:
        """Fit the least-squares line (hyperplane) in closed form.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; float32 and float64 arrays are used without a copy.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; a weight of k counts a row k times, 0 drops it.

        Returns
        -------
        self : AnalyticLeastSquares
            The fitted estimator.
        """
        X, y, sample_weight, y_is_1d = self._validate_training_data(X, y, sample_weight)
        statistics = compute_statistics(X, y, sample_weight)
        solution = solve_least_squares(
            statistics, fit_intercept=self.fit_intercept, data=(X, y, sample_weight)
        )
        self._set_coefficients(solution.coef, solution.intercept, y_is_1d)
        self.rank_ = solution.rank
        self.singular_ = solution.singular_values
        self.condition_number_ = solution.condition_number
        self.solver_ = solution.route
        return self
