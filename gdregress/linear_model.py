"""The estimators: thin scikit-learn classes over statistics, cost and solver.

Each ``fit`` does the same four things: validate the data, compute its statistics in one
pass, solve (closed form, or gradient descent on the cost), and set the attributes.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy.optimize import OptimizeResult
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from . import _dask
from ._closed_form import solve_least_squares
from ._sources import ArraySource
from ._statistics import merge_statistics
from ._validation import (
    clearer_errors,
    listed,
    numeric_target,
    refuse_boolean_only,
    require_numeric,
)
from .cost import ColumnScaling, LeastSquaresCost, column_scaling
from .exceptions import DivergenceError
from .optimize import _excess, _norm, gradient_descent

__all__ = ["AnalyticLeastSquares", "GradientDescentRegressor"]


def _shortest(value: float) -> str:
    """A number as briefly as ``:g`` writes it, or all its digits where ``:g`` would round."""
    brief = f"{value:g}"
    return brief if float(brief) == value else repr(float(value))


def _told_apart(value: float, other: float) -> str:
    """``value`` to six digits, or to as many more as it takes not to read as ``other``.

    A limit computed from data carries rounding (2/L_max = 1.9999999999999996 where it is 2):
    six digits hide that noise, unless the number compared with it needs the rest.

    Examples
    --------
    >>> _told_apart(1.9999999999999996, 2.5), _told_apart(1.9999999999999996, 2.0)
    ('2', '1.9999999999999996')
    """
    for digits in range(6, 17):
        text = f"{value:.{digits}g}"
        if value == other or float(text) != other:
            return text
    return repr(float(value))


class _LinearLeastSquares(RegressorMixin, BaseEstimator):
    """What both estimators share: validation, statistics, prediction and attributes."""

    def _validated_source(
        self, X, y, sample_weight, *, reset: bool = True, allow_all_zero_weights: bool = False
    ):
        """Validate the data without copying it, and wrap it in its data source.

        float64 and float32 arrays pass through as they are; finiteness is read off the
        statistics later instead of a pass of its own. The ragged row, the string or the
        missing value that made a conversion fail is searched for only once it has failed.
        Dask collections are checked from their metadata.

        Returns
        -------
        source : ArraySource or DaskSource
        y_is_1d : bool
        """
        if _dask.is_dask_collection(X, y, sample_weight):  # reduced where the blocks live
            source = _dask.DaskSource(X, y, sample_weight, owner=type(self).__name__)
            validate_data(self, source.feature_sample(), reset=reset, skip_check_array=True)
            return source, source.y_is_1d
        for data, name in ((X, "X"), (y, "y"), (sample_weight, "sample_weight")):
            require_numeric(data, name)
        refuse_boolean_only(X)
        if not reset:
            self._require_fitted_column_names(X)
        with clearer_errors(self, X=X, y=y):
            X, y = validate_data(
                self,
                X,
                y,
                reset=reset,
                validate_separately=(  # no pass for finiteness: the statistics tell
                    {
                        "accept_sparse": ("csr", "csc"),
                        "dtype": [np.float64, np.float32],
                        "ensure_all_finite": False,
                    },
                    {"ensure_2d": False, "dtype": None, "ensure_all_finite": False},
                ),
            )
        check_consistent_length(X, y)
        y = numeric_target(y)
        if sample_weight is not None:
            with clearer_errors(self, sample_weight=sample_weight):
                sample_weight = _check_sample_weight(
                    sample_weight,
                    X,
                    dtype=np.float64,
                    ensure_non_negative=True,
                    allow_all_zero_weights=allow_all_zero_weights,
                )
        y_is_1d = y.ndim == 1
        return ArraySource(X, y.reshape(-1, 1) if y_is_1d else y, sample_weight), y_is_1d

    def _merged_statistics(self, X, y, sample_weight):
        """For ``partial_fit``: the statistics of this chunk merged into all seen before.

        A chunk whose weights are all 0 is legal in a stream (it adds nothing); only a fit
        with no positive weight at all is refused, by the solver.

        Returns whether y is one-dimensional, and the merged statistics.
        """
        first = not hasattr(self, "statistics_")
        source, y_is_1d = self._validated_source(
            X, y, sample_weight, reset=first, allow_all_zero_weights=True
        )
        statistics = source.statistics()
        if not first:
            seen_1d = np.ndim(self.coef_) == 1
            if y_is_1d != seen_1d or statistics.n_targets != self.statistics_.n_targets:
                raise ValueError(
                    f"y has {statistics.n_targets} target(s) as a "
                    f"{'1-D' if y_is_1d else '2-D'} array, but earlier calls to partial_fit "
                    f"had {self.statistics_.n_targets} as a {'1-D' if seen_1d else '2-D'} "
                    "array: every chunk must have the same targets."
                )
            statistics = merge_statistics(self.statistics_, statistics)
        return y_is_1d, statistics

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
            Samples; a DataFrame must have the columns seen in ``fit``, in the same order.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)

        Raises
        ------
        ValueError
            If a DataFrame's columns differ from those seen in ``fit``, also when they are
            labelled 0, 1, ... (which scikit-learn takes for no names and only warns about);
            an array, which has no column names, keeps scikit-learn's warning.
        """
        check_is_fitted(self)
        if _dask.is_dask_collection(X):  # a lazy dask array, predicted block by block
            _dask.check_features_collection(X)
            validate_data(self, _dask.feature_sample(X), reset=False, skip_check_array=True)
            return _dask.predict(X, self.coef_, self.intercept_)
        require_numeric(X, "X")
        self._require_fitted_column_names(X)
        with clearer_errors(self, X=X):
            X = validate_data(
                self, X, reset=False, accept_sparse=("csr", "csc"), dtype=[np.float64, np.float32]
            )
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def _require_fitted_column_names(self, X) -> None:
        """Refuse a DataFrame whose column labels are not names, after a fit that saw names.

        scikit-learn compares string column names with those seen in fit, but takes other
        labels (0, 1, ...) for no names at all and only warns, then matches the columns by
        position. A DataFrame states its columns, so columns unlike fit's are an error here.
        A numpy array has no columns to compare, and keeps scikit-learn's warning.
        """
        fitted = getattr(self, "feature_names_in_", None)
        if fitted is None or not isinstance(X, pd.DataFrame):
            return
        if all(isinstance(column, str) for column in X.columns):
            return  # compared by validate_data, with scikit-learn's message
        raise ValueError(
            "The feature names should match those that were passed during fit: X has the "
            f"columns {listed(X.columns)}, but {type(self).__name__} was fitted on "
            f"{listed(fitted)}. Name the columns as in fit (X.columns = [...]), or pass "
            "X.to_numpy() to match them by position."
        )

    def score(self, X, y, sample_weight=None) -> float:
        """The coefficient of determination R² of the prediction, as scikit-learn defines it.

        Computed on y and the predictions divided by a common power of two, which leaves R²
        unchanged and keeps the squares of y of magnitude up to 1e308 finite.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        float
        """
        predictions = self.predict(X)
        y = np.asarray(y, dtype=np.float64)
        largest = max(float(np.max(np.abs(y), initial=0.0)), float(np.max(np.abs(predictions))))
        scale = np.ldexp(1.0, np.frexp(largest)[1]) if 0 < largest < np.inf else 1.0
        return r2_score(y / scale, predictions / scale, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        tags.input_tags.sparse = True
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
    Rank-deficient designs get the minimum-norm solution that ``lstsq`` promises, with the
    rank judged on the column-scaled design, so that columns 1e50 smaller are not cut.

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
        ``"minimum norm"``, ``"pseudo-inverse"`` (from statistics alone, as in
        ``partial_fit``) or, for dask collections, ``"tall-skinny QR"``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.
    statistics_ : LeastSquaresStatistics
        The one-pass statistics of the data seen (weight sum, means, centred
        cross-products), which fix the cost; ``partial_fit`` merges each chunk into them.

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
        source, y_is_1d = self._validated_source(X, y, sample_weight)
        self._solve(source.statistics(), y_is_1d, data=source)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None) -> AnalyticLeastSquares:
        """Fit on one more chunk of rows: the result of all chunks so far.

        The statistics of the chunk are merged into those of the rows seen before (exactly,
        by the pairwise update of Chan, Golub and LeVeque), and the normal equations are
        solved again: fitting chunk by chunk, for instance over ``pandas.read_csv(...,
        chunksize=...)``, gives the fit of all rows at once. Only the statistics are kept,
        so the accurate route for ill-conditioned designs is not available; such a design
        gets an :class:`~gdregress.IllConditionedWarning`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self : AnalyticLeastSquares
        """
        y_is_1d, statistics = self._merged_statistics(X, y, sample_weight)
        self._solve(statistics, y_is_1d, data=None)
        return self

    def _solve(self, statistics, y_is_1d: bool, data) -> None:
        """Solve the normal equations of ``statistics`` and set the fitted attributes."""
        solution = solve_least_squares(statistics, fit_intercept=self.fit_intercept, data=data)
        self._set_coefficients(solution.coef, solution.intercept, y_is_1d)
        self.rank_ = solution.rank
        self.singular_ = solution.singular_values
        self.condition_number_ = solution.condition_number
        self.solver_ = solution.route
        self.statistics_ = statistics


class GradientDescentRegressor(_LinearLeastSquares):
    r"""Least squares by gradient descent on the half-MSE cost, with the whole descent kept.

    Minimises, by :math:`\theta_{k+1} = \theta_k - \alpha\,\nabla L(\theta_k)` with
    :math:`\theta = (w, b)`, the cost

    .. math::

        L(w, b) = \frac{1}{2 \sum_i s_i} \sum_i s_i\,(x_i \cdot w + b - y_i)^2 ,

    the lecture's :math:`\frac{1}{2n}\sum_i (m x_i + b - y_i)^2` with unit weights
    :math:`s_i`. The data is read once, to compute the statistics that fix :math:`L`; every
    iteration then costs :math:`O(d^2)`, like the lecture's descent on the expanded
    :math:`\nabla E = (28m + 12b - 42,\ 6b + 12m - 20)`, so ten thousand iterations on ten
    million rows cost about as much as one.

    **The learning rate.** The lecture says there is no rule for the best learning rate. For
    a least-squares cost there is one: :math:`L` is a quadratic whose Hessian :math:`H` is
    known from the statistics, and a fixed step descends if and only if
    :math:`0 < \alpha < 2/L_{max}`, where :math:`L_{max}` is the largest eigenvalue of
    :math:`H`: along an eigenvector of curvature :math:`\lambda` the error is multiplied by
    :math:`1 - \alpha\lambda` at every step. ``learning_rate="auto"`` takes the best fixed
    step, :math:`\alpha = 2/(L_{max} + \lambda_{min})`, which shrinks every component of the
    error by at least :math:`(\kappa - 1)/(\kappa + 1)` per step (:math:`\kappa =
    L_{max}/\lambda_{min}`), lowers the cost at every step and cannot diverge. ``"exact"``
    takes, at every step, the step that minimises the cost along the gradient,
    :math:`\alpha_k = g_k^\top g_k / g_k^\top H g_k`.
    A float is used as given; one at or above :math:`2/L_{max}` makes the iterates grow
    without bound, and ``fit`` raises :class:`~gdregress.DivergenceError` saying so.

    **Standardised coordinates.** Plain descent needs about
    :math:`\mathrm{cond}(H)\cdot\log(1/\varepsilon)` steps, and raw features make
    :math:`\mathrm{cond}(H)` huge (about :math:`10^5` for the TV budgets). So by default
    (``standardize=True``) the descent runs on centred columns divided by their standard
    deviations, where :math:`H` is the correlation matrix of the features (and 1 for the
    intercept): one feature then takes a single step. ``coef_``, ``intercept_``, ``path_``
    and ``loss_curve_`` are always reported in the user's units. With ``standardize=False``
    the descent is the lecture's, in the user's own coordinates; ``learning_rate`` and
    ``learning_rate_`` then refer to those coordinates (unless the squares of a column leave
    float64's range, beyond about 1e±150: that column is then divided by a power of two).

    Parameters
    ----------
    learning_rate : "auto", "exact" or float, default="auto"
        The step :math:`\alpha` (see above).
    max_iter : int, default=100_000
        Most iterations. One costs microseconds, so the default is generous: it lets the
        descent converge on standardised designs with condition numbers up to about
        :math:`10^3`.
    tol : float or None, default=1e-12
        The accuracy asked for: stop when the gradient guarantees that the standardised
        coefficients are within ``tol`` times the spread of y of the minimum, i.e. when
        :math:`\|\nabla L\| \le \mathrm{tol}\cdot\lambda_{min}\cdot\mathrm{std}(y)` in
        standardised coordinates (for ``standardize=False``, a gradient small enough to
        guarantee that), or when the gradient is at the level where rounding holds it. In
        standardised coordinates each component of the gradient is held to its own bound, so
        that the rounding of a large intercept cannot excuse the slopes.
        ``None`` runs all ``max_iter`` steps.
    fit_intercept : bool, default=True
        Whether to fit the intercept :math:`b`.
    standardize : bool, default=True
        Descend in standardised coordinates (see above).
    warm_start : bool, default=False
        Start from the previous ``coef_`` and ``intercept_`` instead of zeros.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : int
        Iterations taken.
    loss_curve_ : ndarray of shape (n_iter_ + 1,)
        The cost :math:`L` at every iterate, the start first (``inf`` where the cost itself
        exceeds float64's range, for y beyond about :math:`10^{154}`).
    path_ : ndarray of shape (n_iter_ + 1, n_features + 1)
        Every iterate as ``(coef..., intercept)`` in the user's units, the start first.
        With a 2-D y, shape (n_iter_ + 1, n_targets, n_features + 1).
    gradient_norms_ : ndarray of shape (n_iter_ + 1,)
        Norm of the gradient at every iterate, in the coordinates of the descent.
    learning_rate_ : float or ndarray of shape (n_iter_,)
        The step used; for ``"exact"``, the step of every iteration.
    max_curvature_ : float
        :math:`L_{max}`, the largest eigenvalue of the Hessian in the descent's coordinates;
        fixed steps below ``2 / max_curvature_`` are stable.
    converged_ : bool
        Whether the gradient fell to the tolerance.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    statistics_ : LeastSquaresStatistics
        The one-pass statistics of the data seen; ``partial_fit`` merges each chunk into them.

    See Also
    --------
    AnalyticLeastSquares : The same model in closed form.
    gdregress.gradient_descent : The descent engine, for any differentiable function.

    Examples
    --------
    The lecture's three power-line points:

    >>> from gdregress import GradientDescentRegressor
    >>> model = GradientDescentRegressor().fit([[1], [2], [3]], [2, 5, 3])
    >>> model.coef_.round(10), round(model.intercept_, 10)
    (array([0.5]), 2.3333333333)

    The plain descent of the lecture, in the user's coordinates, from (0, 0):

    >>> plain = GradientDescentRegressor(standardize=False, learning_rate=0.1)
    >>> plain.fit([[1], [2], [3]], [2, 5, 3]).path_[:3].round(4)
    array([[0.    , 0.    ],
           [0.7   , 0.3333],
           [1.0067, 0.4933]])
    >>> plain.n_iter_ > 100, plain.coef_.round(6)
    (True, array([0.5]))
    """

    _parameter_constraints: dict = {
        "learning_rate": [StrOptions({"auto", "exact"}), Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "fit_intercept": ["boolean"],
        "standardize": ["boolean"],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        learning_rate: str | float = "auto",
        max_iter: int = 100_000,
        tol: float | None = 1e-12,
        fit_intercept: bool = True,
        standardize: bool = True,
        warm_start: bool = False,
    ) -> None:
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.warm_start = warm_start

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None) -> GradientDescentRegressor:
        """Fit the line by gradient descent.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; float32 and float64 arrays are used without a copy.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; a weight of k counts a row k times (the same iterates),
            0 drops it.

        Returns
        -------
        self : GradientDescentRegressor
            The fitted estimator.

        Raises
        ------
        DivergenceError
            If the learning rate makes the descent diverge.
        """
        previous = self._previous_parameters() if self.warm_start else None
        source, y_is_1d = self._validated_source(X, y, sample_weight)
        self._descend(source.statistics(), y_is_1d, previous)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None) -> GradientDescentRegressor:
        """Fit on one more chunk of rows, descending from the current coefficients.

        The statistics of the chunk are merged into those of the rows seen before, and the
        descent continues from the current ``coef_`` and ``intercept_`` on the cost of all
        rows so far: after the last chunk the result is the fit of all rows at once.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self : GradientDescentRegressor
        """
        previous = self._previous_parameters()
        y_is_1d, statistics = self._merged_statistics(X, y, sample_weight)
        self._descend(statistics, y_is_1d, previous)
        return self

    def _previous_parameters(self):
        """The fitted (coef, intercept) as (n_features, n_targets) and (n_targets,), if any."""
        if not hasattr(self, "coef_"):
            return None
        coef = np.asarray(self.coef_, dtype=np.float64)
        coef = coef[:, None] if coef.ndim == 1 else coef.T
        return coef, np.atleast_1d(np.asarray(self.intercept_, dtype=np.float64))

    def _divergence(self, learning_rate: float, max_curvature: float, detail: str):
        """The DivergenceError for a learning rate, naming the stable limit 2/L_max."""
        stable = 2.0 / max_curvature
        return DivergenceError(
            f"Gradient descent diverged with learning_rate={_shortest(learning_rate)}: the "
            f"largest stable learning rate for this data is 2/L_max = "
            f"{_told_apart(stable, learning_rate)}"
            f"{' in standardised coordinates' if self.standardize else ''}. "
            f"Use a learning rate below {stable:.6g}, or learning_rate='auto'. ({detail})",
            learning_rate=learning_rate,
            stable_limit=stable,
        )

    def _step_rule(self, cost: LeastSquaresCost, n_targets: int):
        """The learning rate to hand to the descent, and the list "exact" records steps in."""
        if self.learning_rate == "exact":
            hessian, p = cost.hessian, cost.n_parameters
            steps: list[float] = []
            # The user's loss sums the targets' costs times y_scale² (targets beyond 1e±90
            # are divided by powers of two, each its own): weigh each target's share by its
            # scale relative to the largest, exactly.
            y_scale = cost.statistics.y_scale
            relative_scale = y_scale / np.max(y_scale)

            def exact_step(theta, g):
                # The minimiser of Σ_t s_t²·L_t(θ_t − α·g_t) over α, for quadratics:
                # Σ s_t² g_tᵀg_t / Σ s_t² g_tᵀHg_t, with u = s·g / max|s·g| (the same ratio),
                # whose squares cannot overflow or underflow.
                g = g.reshape(p, n_targets)
                with np.errstate(under="ignore"):  # a target 2**600 smaller counts for 0
                    u = g * relative_scale
                if not np.any(u):  # what is left counts for 0 in the user's loss
                    u = g
                u = u / np.max(np.abs(u))
                curvature = np.sum(u * (hessian @ u))
                step = np.sum(u * u) / curvature if curvature > 0 else 1.0 / cost.max_curvature
                steps.append(step)
                return step

            return exact_step, steps
        if self.learning_rate == "auto":
            return self._best_fixed_step(cost), None
        return float(self.learning_rate), None

    @staticmethod
    def _best_fixed_step(cost: LeastSquaresCost) -> float:
        """2/(L_max + λ_min): the fixed step that contracts the slowest direction fastest.

        Below the stability limit 2/L_max, and every component of the error shrinks. Where
        λ_min is below 1e-12·L_max (raw features of size 1e6 and more), the step keeps that
        margin from 2/L_max, which rounding would otherwise erase.
        """
        total = cost.max_curvature + max(cost.min_curvature, 1e-12 * cost.max_curvature)
        return 2.0 / total if total > 0 else 1.0

    def _raw_scaling(self, statistics) -> ColumnScaling:
        """For ``standardize=False``: the change from the statistics' units to the user's.

        The statistics hold columns beyond about 1e±90 divided by a power of two
        (``x_scale``); the raw descent undoes that (exactly), so that it runs on the user's
        cost. Where the user's Hessian itself leaves float64's range (squares of columns
        beyond about 1e±150) it stays in the statistics' units. The units of y do not
        matter: scaling y scales the gradient and the minimiser alike, not the steps.
        """
        n_features = statistics.n_features
        every = np.ones(n_features, dtype=bool)
        identity = ColumnScaling(
            shift=np.zeros(n_features), scale=np.ones(n_features), active=every
        )
        if np.all(statistics.x_scale == 1.0):
            return identity
        with np.errstate(all="ignore"):  # out of range is checked just below
            user = ColumnScaling(shift=identity.shift, scale=1.0 / statistics.x_scale, active=every)
            hessian = LeastSquaresCost(user.statistics(statistics), self.fit_intercept).hessian
        scaled = LeastSquaresCost(statistics, self.fit_intercept).hessian
        # A curvature that rounds to a subnormal number or 0 has lost its digits, and one
        # within 52 binary orders of them loses digits in the descent's products: columns
        # below about 1e-146 (squares below 2**-970) stay scaled; 1e-137 runs in its units.
        smallest = np.finfo(np.float64).tiny / np.finfo(np.float64).eps
        kept = (np.abs(np.diag(hessian)) >= smallest) | (np.diag(scaled) == 0.0)
        return user if np.all(np.isfinite(hessian)) and np.all(kept) else identity

    def _standardized_to_descent(
        self, standardizing: ColumnScaling, scaling: ColumnScaling, standardized: LeastSquaresCost
    ) -> np.ndarray:
        """The matrix that maps standardised parameters (per target) to the descent's."""
        p = standardized.n_parameters
        basis = np.eye(p)
        k = p - int(self.fit_intercept)
        coef, intercept = standardizing.to_user(basis[:k], basis[k] if k < p else np.zeros(p))
        coef, intercept = scaling.from_user(coef, intercept)
        return np.vstack([coef, intercept[None, :]]) if self.fit_intercept else coef

    def _gradient_tolerance(
        self, standardized: LeastSquaresCost, rate: float, to_descent: np.ndarray | None
    ) -> np.ndarray | float | None:
        """The gradient at which the descent stops: within ``tol`` of the minimum, or at
        rounding. One bound per component in standardised coordinates, one norm else.

        Measured in standardised coordinates whatever the descent's, so that the units of the
        features do not decide the accuracy: in them the error is bounded by
        ‖v − v*‖ ≤ ‖∇L(v)‖ / λ_min, and stopping at ‖∇L‖ ≤ tol·λ_min·spread(y) bounds it by
        tol relative to the spread of y (its standard deviation with an intercept, its root
        mean square without).

        That bound never goes below the level at which rounding holds the gradient of the
        descent at step size ``rate``. Each step adds rounding of about
        (p + 2)/2·eps·(|H||v*| + |q|) per component to the gradient (p products and the
        subtraction of q in Hv − q, half an ulp of v in the step). A fixed step multiplies the
        error along an eigenvector of curvature λ by 1 − rate·λ: along the steepest one, near
        −1, consecutive steps alternate between two all but equal iterates whose roundings
        repeat and add up, 1/(2 − rate·L_max) times over; along the flattest, near +1, the
        iterate drifts and its roundings add up like a random walk, 1/sqrt(rate·λ_min) times.
        And a step shorter than half an ulp of v is lost: the gradient stays at
        eps·‖v*‖/(2·rate). Below that level the gradient stalls however many steps are run.

        Each component has its own floor. With an intercept, centred columns make the
        standardised Hessian block diagonal: the intercept's gradient, b − mean(y), rounds at
        eps·|mean y|, the slopes' at eps times the spread of y, which can be far smaller (a row
        weighing 1e20 makes the weighted spread 1e-10 of the mean). One norm would let the
        intercept's floor excuse slopes' gradients that still bound errors of 1e-6. So the
        standardised descent compares every component with its own bound, the larger of its
        floors and tol·λ_min·spread(y)/sqrt(n) (n bounds of that size keep ‖∇L‖ within it).

        ``to_descent`` maps standardised parameters to the descent's (None when they are the
        same): since the standardised gradient is its transpose times the descent's, a descent
        gradient of norm τ/‖to_descent‖ guarantees a standardised one of norm τ. There one
        norm stays: in the user's coordinates the columns' means tie the intercept to every
        slope, so the rounding of one component reaches all.
        """
        if self.tol is None:
            return None
        if standardized.n_parameters == 0:  # no column varies: the gradient is exactly 0
            return 0.0
        stats = standardized.statistics
        spread = np.sqrt(np.sum(stats.yy if self.fit_intercept else stats.uncentred_yy()))
        if spread == 0.0:  # a constant target: measure against its size instead
            spread = np.sqrt(np.sum(stats.uncentred_yy()))
        spread /= np.sqrt(stats.weight_sum)
        hessian, linear_term = standardized.hessian, standardized.linear_term
        minimiser = np.linalg.lstsq(hessian, linear_term, rcond=None)[0]
        eps = np.finfo(np.float64).eps
        largest, smallest = standardized.max_curvature, standardized.min_curvature
        # No more roundings add up than steps are run: at a rate within rounding of 2/L_max,
        # 1/(2 − rate·L_max) would be ~1e15 and excuse a gradient that never shrank.
        amplification = max(
            1.0,
            min(1.0 / (2.0 - rate * largest), self.max_iter),
            min(1.0 / np.sqrt(rate * smallest), np.sqrt(self.max_iter)) if smallest > 0 else 1.0,
        )
        # The floors per component, shape (p, n_targets), as the descent's θ is raveled.
        per_step = (standardized.n_parameters + 2) / 2 * eps * amplification
        per_step *= np.abs(hessian) @ np.abs(minimiser) + np.abs(linear_term)
        lost_step = eps * np.abs(minimiser) / (2.0 * rate)
        accuracy = self.tol * smallest * spread
        if to_descent is not None:
            tolerance = max(accuracy, _norm(per_step), _norm(lost_step))
            return float(tolerance / np.linalg.norm(to_descent, 2))
        accuracy /= np.sqrt(minimiser.size)
        return np.maximum(np.maximum(per_step, lost_step), accuracy).ravel()

    def _descend(self, statistics, y_is_1d: bool, previous) -> None:
        """Descend the cost of ``statistics`` and set the fitted attributes."""
        for name in ("learning_rate", "tol", "max_iter"):
            # scikit-learn's Real and Integral intervals let True and False through as 1, 0.
            if isinstance(getattr(self, name), bool | np.bool_):
                kind = "an integer" if name == "max_iter" else "a number"
                raise InvalidParameterError(
                    f"The {name!r} parameter of GradientDescentRegressor must be {kind}: "
                    f"{name} must be {kind}, got bool. Got {getattr(self, name)!r} instead."
                )
        if statistics.weight_sum <= 0:
            raise ValueError(
                "Sample weights must contain at least one non-zero number: the weights of all "
                "rows seen sum to 0. Give at least one row a positive weight."
            )
        n_features, n_targets = statistics.n_features, statistics.n_targets
        standardizing = column_scaling(statistics, self.fit_intercept)
        scaling = standardizing if self.standardize else self._raw_scaling(statistics)
        cost = LeastSquaresCost(scaling.statistics(statistics), self.fit_intercept)
        k = int(scaling.active.sum())
        p = cost.n_parameters  # per target

        hessian, linear_term = cost.hessian, cost.linear_term

        def pack(coef, intercept):
            rows = [coef, intercept[None, :]] if self.fit_intercept else [coef]
            return np.vstack(rows).ravel()

        def gradient(theta):
            # ∇L(θ) = Hθ − q: one small product per iteration, never a pass over the data.
            return (hessian @ theta.reshape(p, n_targets) - linear_term).ravel()

        if previous is not None and previous[0].shape == (n_features, n_targets):
            theta0 = pack(*scaling.from_user(*statistics.from_user_units(*previous)))
        elif previous is not None:
            raise ValueError(
                f"warm_start=True, but X has {n_features} features and y {n_targets} targets "
                f"while the previous fit had {previous[0].shape[0]} and {previous[0].shape[1]}. "
                "Fit with warm_start=False to start afresh."
            )
        else:
            theta0 = np.zeros(p * n_targets)

        max_curvature = cost.max_curvature
        learning_rate, steps = self._step_rule(cost, n_targets)
        if isinstance(learning_rate, float) and learning_rate * max_curvature >= 2.0:
            # Known before the first step: along the steepest direction the error would be
            # multiplied by 1 − α·L_max ≤ −1 at every step.
            raise self._divergence(
                learning_rate,
                max_curvature,
                "Refused before the first step: at or above 2/L_max the error along the "
                "steepest direction cannot shrink.",
            )
        if self.standardize:
            standardized, to_descent = cost, None
            rate = learning_rate if isinstance(learning_rate, float) else None
        else:  # the stopping rule is measured in standardised coordinates all the same
            standardized = LeastSquaresCost(
                standardizing.statistics(statistics), self.fit_intercept
            )
            to_descent = self._standardized_to_descent(standardizing, scaling, standardized)
            rate = None
        tolerance = self._gradient_tolerance(
            standardized, rate or self._best_fixed_step(standardized), to_descent
        )
        if theta0.size == 0:  # nothing to descend: no intercept and no column that varies
            result = OptimizeResult(
                path=np.zeros((1, 0)), grad_norms=np.zeros(1), nit=0, status=0, message=""
            )
        else:
            # No cost per iteration: a too-large step on a quadratic shows as a gradient that
            # grows while reversing, which the descent detects; the loss curve comes after.
            result = gradient_descent(
                gradient,
                theta0,
                learning_rate=learning_rate,
                max_iter=self.max_iter,
                tol=tolerance,
            )
        if result.status == 2:
            raise self._divergence(learning_rate, max_curvature, result.message)

        path = result.path.reshape(len(result.path), p, n_targets)
        path_intercepts = path[:, k] if self.fit_intercept else np.zeros((len(path), n_targets))
        loss_curve = cost.value_path(path[:, :k], path_intercepts, data_units=True)
        coefs, intercepts = scaling.to_user(np.moveaxis(path[:, :k], 0, 1), path_intercepts)
        coefs = np.moveaxis(coefs, 0, 1)
        # Only the fit must be representable; an early iterate of the history may underflow.
        statistics.to_user_units(coefs[-1], intercepts[-1])
        coefs, intercepts = statistics.to_user_units(coefs, intercepts, check=False)
        user_path = np.concatenate([coefs, intercepts[:, None, :]], axis=1)
        self.path_ = np.moveaxis(user_path, 1, 2)  # (n_iterates, n_targets, n_features + 1)
        if y_is_1d:
            self.path_ = self.path_[:, 0, :]
        self._set_coefficients(coefs[-1], intercepts[-1], y_is_1d)
        self.n_iter_ = int(result.nit)
        self.loss_curve_ = loss_curve
        self.gradient_norms_ = result.grad_norms
        self.learning_rate_ = np.asarray(steps) if steps is not None else learning_rate
        self.max_curvature_ = max_curvature
        self.statistics_ = statistics
        self.converged_ = result.status == 0 and self.tol is not None
        if result.status == 1:
            kappa = max_curvature / cost.min_curvature if cost.min_curvature > 0 else np.inf
            remedy = (
                f"use a larger learning rate (stable below {2.0 / max_curvature:.6g}) or "
                "learning_rate='auto'"
                if self.learning_rate not in ("auto", "exact")
                else "set standardize=True"
                if not self.standardize
                else "use AnalyticLeastSquares, which is exact at any condition number"
            )
            warnings.warn(
                f"GradientDescentRegressor did not converge in max_iter={self.max_iter} "
                f"iterations: {_excess(result.jac, result.grad_norms[-1], tolerance)}. The "
                f"cost's condition number in the coordinates of the descent is {kappa:.3g}, and "
                "gradient descent needs about that many iterations per factor e of accuracy. "
                f"Increase max_iter or tol, or {remedy}.",
                ConvergenceWarning,
                stacklevel=4,  # the user's call, through fit and scikit-learn's _fit_context
            )
