"""The estimators: thin scikit-learn classes over statistics, cost and solver.

Each ``fit`` does the same four things: validate the data, compute its statistics in one
pass, solve (closed form, or gradient descent on the cost), and set the attributes.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from numbers import Integral, Real

import numpy as np
import pandas as pd
import scipy.sparse
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from . import _dask
from ._callbacks import CallbackSupportMixin, DescentMonitor, block_size, fit_task
from ._closed_form import solve_least_squares
from ._closed_form_operator import solve_over_data
from ._coordinates import Centre
from ._cost_model import plan_route, require_statistics_fit, source_costs
from ._descent import DescentSettings, solve_by_descent
from ._messages import find_stack_level
from ._operator_descent import descend_on_operator
from ._sources import ROWS, STATISTICS, ArraySource, StatisticsSource
from ._statistics import merge_statistics
from ._validation import (
    already_converted,
    clearer_errors,
    listed,
    numeric_target,
    refuse_boolean_only,
    refuse_missing,
    refuse_text,
    require_numeric,
    warn_inexact_integers,
)

__all__ = ["AnalyticLeastSquares", "GradientDescentRegressor"]


def _check_alpha(alpha) -> None:
    if not (isinstance(alpha, Real) and not isinstance(alpha, bool) and 0 < alpha < 1):
        raise ValueError(
            f"alpha must be a number between 0 and 1 (0.05 for 95% intervals), got {alpha!r}."
        )


class _LinearLeastSquares(CallbackSupportMixin, RegressorMixin, BaseEstimator):
    """What both estimators share: validation, statistics, prediction and attributes.

    With scikit-learn 1.9 or later, ``set_callbacks(...)`` attaches scikit-learn's callbacks
    (``sklearn.callback``): each fit is a task, and a descent reports one subtask per block
    of iterations (see :mod:`gdregress._callbacks`).
    """

    def _max_subtasks(self) -> int:
        """Subtasks of a fit's callback task: none, for a fit that does not iterate."""
        return 0

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
        refuse_missing(X, "X")
        refuse_missing(y, "y", type(self).__name__)
        for data, name in ((X, "X"), (y, "y"), (sample_weight, "sample_weight")):
            require_numeric(data, name)
            refuse_text(data, name)
        warn_inexact_integers(X, "X")
        warn_inexact_integers(y, "y")
        refuse_boolean_only(X)
        if not reset:
            self._require_fitted_column_names(X)
        with clearer_errors(self, X=X, y=y):
            if already_converted(X, y):  # the features' count and names are all to check
                validate_data(self, X, reset=reset, skip_check_array=True)
            else:
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
        names = getattr(self, "feature_names_in_", None)  # to name a NaN's column
        source = ArraySource(X, y.reshape(-1, 1) if y_is_1d else y, sample_weight, names)
        return source, y_is_1d

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the least-squares line (hyperplane): in closed form, or by gradient descent.

        The data are read once, for their statistics (and, for an ill-conditioned design in
        closed form, once more for the accurate route).

        Parameters
        ----------
        X : array-like, sparse matrix or dask collection of shape (n_samples, n_features)
            Training data; float32 and float64 arrays are used without a copy.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; a weight of k counts a row k times, 0 drops it.

        Returns
        -------
        self
            The fitted estimator.

        Raises
        ------
        DivergenceError
            For gradient descent, if the learning rate makes the descent diverge.
        """
        start = self._start(partial=False)
        source, y_is_1d = self._validated_source(X, y, sample_weight)
        with fit_task(self, X, y, sample_weight, self._max_subtasks()) as task:
            self._fit_source(source, y_is_1d, start=start, task=task)
        return self

    def _fit_source(self, source, y_is_1d: bool, *, start, task) -> None:
        """Plan the route (:func:`~gdregress._cost_model.plan_route`: the one place that
        decides it, from what the source offers and the cost model's figures), run the
        estimator's solver on it, and publish the record."""
        plan = plan_route(
            source.offers,
            source.n_features,
            source.n_targets,
            source_costs(source),
            solver=self.solver,
            closed_form=self._closed_form,
        )
        record = self._solve(source, plan, y_is_1d, start=start, task=task)
        self._publish(replace(record, weight_logs=source.weight_logs()), y_is_1d)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Fit on one more chunk of rows: the result of all chunks so far.

        The statistics of the chunk are merged into those of the rows seen before (exactly,
        by the pairwise update of Chan, Golub and LeVeque), and the cost of all rows so far
        is minimised again: fitting chunk by chunk, for instance over
        ``pandas.read_csv(..., chunksize=...)``, gives the fit of all rows at once. The
        closed form solves the normal equations again; only the statistics are kept, so the
        accurate route for ill-conditioned designs is not available and such a design gets
        an :class:`~gdregress.IllConditionedWarning`. The descent continues from the current
        ``coef_`` and ``intercept_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            One chunk of rows, with the columns of the chunks before it.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Its targets, as many as before.
        sample_weight : array-like of shape (n_samples,), optional
            Its weights; a chunk of zero weights adds nothing.

        Returns
        -------
        self
        """
        start = self._start(partial=True)
        y_is_1d, statistics, weight_logs = self._merged_statistics(X, y, sample_weight)
        merged = StatisticsSource(statistics, weight_logs)
        with fit_task(self, X, y, sample_weight, self._max_subtasks()) as task:
            self._fit_source(merged, y_is_1d, start=start, task=task)
        return self

    def _start(self, partial: bool):
        """Where an iterative solver starts (None: its own default)."""
        return None

    def _merged_statistics(self, X, y, sample_weight):
        """For ``partial_fit``: the statistics of this chunk merged into all seen before.

        A chunk whose weights are all 0 is legal in a stream (it adds nothing); only a fit
        with no positive weight at all is refused, by the solver.

        Returns whether y is one-dimensional, the merged statistics and the merged
        :class:`~gdregress._sources.WeightLogs`.
        """
        first = getattr(self, "statistics_", None) is None
        source, y_is_1d = self._validated_source(
            X, y, sample_weight, reset=first, allow_all_zero_weights=True
        )
        require_statistics_fit(
            source.n_features,
            source.n_targets,
            "partial_fit merges the statistics of every chunk. Fit all rows at once with "
            "fit(X, y) (for a scipy.sparse X, the matrix-free route), or reduce the features.",
        )
        statistics = source.statistics()
        weight_logs = source.weight_logs()
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
            seen = self.fit_record_.weight_logs
            weight_logs = None if seen is None else seen.merge(weight_logs)
        return y_is_1d, statistics, weight_logs

    def _publish(self, record, y_is_1d: bool) -> None:
        """Publish a solver's :class:`~gdregress._record.FitRecord` as ``fit_record_``, and
        scikit-learn's attributes from it: ``coef_`` and ``intercept_`` the way
        LinearRegression stores them, the statistics and the route; then each estimator's
        own (:meth:`_publish_details`)."""
        self.fit_record_ = record
        self.coef_, self.intercept_ = _as_fitted(record.coef, record.intercept, y_is_1d)
        self.statistics_ = record.statistics
        self.solver_ = record.route
        self._publish_details(record, y_is_1d)

    def _publish_details(self, record, y_is_1d: bool) -> None:
        """The estimator's own attributes from the record (none here)."""

    def _valid_centre(self) -> Centre | None:
        """The fit's centre, unless ``coef_`` or ``intercept_`` were set by hand since."""
        record = getattr(self, "fit_record_", None)  # (a callback's fitted_estimator: none)
        centre = None if record is None else record.line_centre()
        if centre is None or not centre.holds_for(self.coef_, self.intercept_):
            return None
        return centre

    def _linear_prediction(self, X) -> np.ndarray:
        """``X @ coef_.T + intercept_``, computed from the line's value at the columns'
        mean for dense X (:class:`~gdregress._coordinates.Centre`: no digit lost to columns far
        from 0), unless ``coef_`` or ``intercept_`` were set by hand since the fit."""
        centre = self._valid_centre()
        if centre is None or scipy.sparse.issparse(X):
            return np.asarray(X @ self.coef_.T) + self.intercept_
        predictions = centre.predict(X)
        return predictions[:, 0] if np.ndim(self.coef_) == 1 else predictions

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
            return _dask.predict(X, self.coef_, self.intercept_, self._valid_centre())
        return self._linear_prediction(self._validated_rows(X, [np.float64, np.float32]))

    def _validated_rows(self, X, dtype):
        """X to predict at, checked against the fit (its columns, as numbers) and converted
        to one of ``dtype`` without a copy where it already is."""
        refuse_missing(X, "X")
        require_numeric(X, "X")
        refuse_text(X, "X")
        self._require_fitted_column_names(X)
        with clearer_errors(self, X=X):
            return validate_data(self, X, reset=False, accept_sparse=("csr", "csc"), dtype=dtype)

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
        from sklearn.metrics import r2_score  # imported when used: 0.1 s of every command

        predictions = self.predict(X)
        y = np.asarray(y, dtype=np.float64)
        largest = max(float(np.max(np.abs(y), initial=0.0)), float(np.max(np.abs(predictions))))
        scale = np.ldexp(1.0, np.frexp(largest)[1]) if 0 < largest < np.inf else 1.0
        return r2_score(y / scale, predictions / scale, sample_weight=sample_weight)

    def summary(
        self,
        alpha: float = 0.05,
        cov_type: str = "nonrobust",
        X=None,
        y=None,
        sample_weight=None,
        *,
        use_t: bool = True,
        maxlags: int | None = None,
        groups=None,
    ):
        r"""Standard errors, t and p, confidence intervals, R², F, ANOVA and diagnostics.

        Computed from the statistics of the fit (``statistics_``) and the fitted
        coefficients, as statsmodels' ``OLS`` (``WLS`` with sample weights) computes them
        from the rows, and reported in the style of R's ``summary.lm`` by ``str()``, with
        statsmodels' diagnostics below. The covariance :math:`\hat\sigma^2 (A^\top W
        A)^{-1}` is computed in the centred, column-scaled coordinates of the solver, as
        accurately as the coefficients. For a :class:`GradientDescentRegressor` the summary
        is of its own coefficients (the residual standard error from its residuals; the
        covariance depends only on X). Streamed (``partial_fit``) and Dask fits give the
        summary of all their rows.

        Parameters
        ----------
        alpha : float, default=0.05
            Confidence intervals of level 1 − alpha.
        cov_type : str, default="nonrobust"
            The covariance of the estimates: ``"nonrobust"``, ``"HC0"`` … ``"HC3"``,
            ``"HAC"`` or ``"cluster"``. HC0–HC3 are heteroskedasticity-robust, HAC
            also autocorrelation-robust (Newey–West, Bartlett's kernel, ``maxlags``; the
            rows in time order), cluster robust to correlation within ``groups`` (one-way,
            with statsmodels' small-sample correction, and t and F on G − 1 degrees of
            freedom), all as statsmodels defines them; they need the data again.
        X, y, sample_weight : array-like or dask collections, optional
            The data of the fit (all chunks of ``partial_fit``, together, in their order),
            read once more for the residuals, computed exactly from the rows (and for the
            robust covariances, which need them, the leverages); numpy, pandas and Dask
            alike (on Dask, a second map-reduce over the blocks). Then the summary also
            holds the residuals' diagnostics — Durbin–Watson (in the order of the rows
            given), the omnibus and Jarque–Bera tests, skew, kurtosis — and their quantiles.
            Without them the residual sum of squares comes from the statistics, which
            resolve it to about :math:`16p\varepsilon` of the total sum of squares (the
            closed form's accurate route computes it from the rows anyway), and those
            fields are None. Data whose statistics differ from ``statistics_`` are refused.
        use_t : bool, default=True
            Student's t with the residual degrees of freedom for p-values and intervals
            (R's and Stata's convention, for every ``cov_type``), or the normal (False;
            statsmodels' default for the robust covariances). F tests take the F
            distribution either way, as statsmodels' do.
        maxlags : int, optional
            HAC's highest lag; by default :math:`\lfloor 4 (n/100)^{2/9} \rfloor`.
        groups : array-like of shape (n_samples,) or dask collection, optional
            For ``cov_type="cluster"``: each row's cluster label (a dask Series partitioned
            like a dask DataFrame X; a dask array chunked like a dask array X).

        Returns
        -------
        RegressionSummary or list of RegressionSummary
            For a 1-D y, its summary. For a 2-D y (several targets), one summary per target
            (column of y), in order: each equals the summary of a fit to that column alone.

        Raises
        ------
        ValueError
            For a rank-deficient design (collinear or constant columns), no more rows than
            parameters, a robust covariance without the data or with other data, or a fit
            without the d×d statistics (the matrix-free route for wide designs).

        Warns
        -----
        EssentiallyPerfectFitWarning
            When the residuals are rounding (R's "essentially perfect fit"): the summary
            then reports standard errors of 0 and t, p and F as NaN, and says so.
        ConvergenceWarning
            For a descent that did not converge: the summary is of its last iterate.
        """
        from ._summaries import summaries

        check_is_fitted(self)
        _check_alpha(alpha)
        source = self._rows_again(X, y, sample_weight, cov_type, maxlags, groups)
        if not isinstance(use_t, bool | np.bool_):
            raise ValueError(f"use_t must be True or False, got {use_t!r}.")
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # inf: out of range
            results = summaries(self, alpha, cov_type, source, use_t=bool(use_t), maxlags=maxlags)
        return results[0] if np.ndim(self.coef_) == 1 else results

    def _rows_again(self, X, y, sample_weight, cov_type: str, maxlags, groups):
        """The fit's data given to ``summary`` as a source (None without), checked against
        what ``cov_type`` needs."""
        from ._robust import COV_TYPES

        if cov_type not in COV_TYPES:
            raise ValueError(f"cov_type must be one of {listed(COV_TYPES)}, got {cov_type!r}.")
        if (X is None) != (y is None) or (sample_weight is not None and X is None):
            raise ValueError(
                "summary() reads the rows of the fit as X and y together (with "
                "sample_weight if the fit had weights): pass both, or neither."
            )
        if (groups is None) == (cov_type == "cluster"):
            raise ValueError(
                "cov_type='cluster' needs groups=, a cluster label per row of X"
                if groups is None
                else f"groups is for cov_type='cluster', not {cov_type!r}."
            )
        if maxlags is not None and cov_type != "HAC":
            raise ValueError(f"maxlags is for cov_type='HAC', not {cov_type!r}.")
        if X is None:
            if cov_type != "nonrobust":
                raise ValueError(
                    f"cov_type={cov_type!r} needs the rows of the fit again (for the "
                    "residuals of each row): pass summary(X=X, y=y, "
                    f"sample_weight=sample_weight, cov_type={cov_type!r}) with the data "
                    "given to fit."
                )
            return None
        source, _ = self._validated_source(X, y, sample_weight, reset=False)
        return source if groups is None else source.with_groups(groups)

    def influence(self, X, y, sample_weight=None):
        r"""The influence of each row of the fit: leverage, studentized residuals, Cook's
        distance and DFFITS.

        statsmodels' ``OLSInfluence`` (R's ``hatvalues``, ``rstandard``, ``rstudent``,
        ``cooks.distance``, ``dffits``); with weights, those of the whitened rows, as R
        computes them. With :math:`e_i = \sqrt{w_i} r_i` and :math:`h_i` the leverage,

        .. math::

            t_i = \frac{e_i}{\hat\sigma\sqrt{1 - h_i}}, \quad
            D_i = \frac{t_i^2}{p}\frac{h_i}{1 - h_i}, \quad
            \mathrm{DFFITS}_i = t_{(i)}\sqrt{\frac{h_i}{1 - h_i}},

        :math:`t_{(i)}` with :math:`\hat\sigma_{(i)}`, the residual scale without row
        :math:`i`. Computed in the fit's centred, scaled coordinates (the leverages as
        accurate as the covariance, however ill-conditioned the raw design), from the
        model's own coefficients (a descent that did not converge warns).

        Parameters
        ----------
        X, y, sample_weight : array-like or dask collections
            The data of the fit, read once for the residual sum of squares (and refused if
            they are not the fit's), then row by row.

        Returns
        -------
        pandas.DataFrame or dask DataFrame (a list of them for a 2-D y)
            Columns ``hat``, ``resid_studentized_internal``, ``resid_studentized_external``,
            ``cooks_distance``, ``dffits``; indexed like X (a pandas or Dask DataFrame), else
            by position. For Dask collections the frame is lazy: nothing is computed
            beyond the first pass.

        Examples
        --------
        >>> from gdregress import AnalyticLeastSquares
        >>> from gdregress.datasets import load_tv_advertising
        >>> X, y = load_tv_advertising(return_X_y=True, as_frame=True)
        >>> frame = AnalyticLeastSquares().fit(X, y).influence(X, y)
        >>> frame["cooks_distance"].nlargest(3).round(4)  # R's cooks.distance
        35     0.0605
        178    0.0563
        25     0.0389
        Name: cooks_distance, dtype: float64
        """
        from ._influence import influence_frames

        check_is_fitted(self)
        source, _ = self._validated_source(X, y, sample_weight, reset=False)
        index = X.index if isinstance(X, pd.DataFrame) else None
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            frames = influence_frames(self, source, index)
        return frames[0] if np.ndim(self.coef_) == 1 else frames

    def predict_interval(self, X, alpha: float = 0.05):
        r"""Predictions with confidence intervals for the mean and prediction intervals.

        statsmodels' ``get_prediction(X).summary_frame(alpha)``: the prediction, its
        standard error :math:`\hat\sigma\sqrt{a^\top (A^\top W A)^{-1} a}` (a = [1, x]), the
        interval for the mean and the wider one for a new observation (of weight 1), both
        of level 1 − alpha from Student's t with the residual degrees of freedom.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict at (in memory).
        alpha : float, default=0.05

        Returns
        -------
        pandas.DataFrame or list of pandas.DataFrame
            Columns ``mean, mean_se, mean_ci_lower, mean_ci_upper, obs_ci_lower,
            obs_ci_upper``, indexed like X when it is a DataFrame; one per target for a 2-D
            y.
        """
        from ._inference import prediction_intervals

        check_is_fitted(self)
        _check_alpha(alpha)
        if _dask.is_dask_collection(X):
            raise TypeError(
                "predict_interval takes X in memory; compute the rows of a dask collection "
                "first (X.compute()), a part at a time for a large one."
            )
        index = X.index if isinstance(X, pd.DataFrame) else None
        X = self._validated_rows(X, [np.float64])
        X = X.toarray() if hasattr(X, "toarray") else X
        with np.errstate(over="ignore", invalid="ignore"):  # inf: beyond float64's range
            frames = prediction_intervals(self, X, alpha)
        if index is not None:
            for frame in frames:
                frame.index = index
        return frames[0] if np.ndim(self.coef_) == 1 else frames

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        tags.input_tags.sparse = True
        return tags


def _as_fitted(coef: np.ndarray, intercept: np.ndarray, y_is_1d: bool):
    """``coef_`` and ``intercept_`` from (n_features, n_targets) and (n_targets,) arrays."""
    if y_is_1d:
        return coef[:, 0].copy(), float(intercept[0])
    return coef.T.copy(), np.asarray(intercept, dtype=np.float64).copy()


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

    **Many features.** The statistics are d×d: for wide or sparse designs (one-hot encodings, text
    features) forming and solving them costs :math:`O(d^3)` and :math:`O(d^2)` memory. Those designs
    are solved over the data itself instead, in memory :math:`O(\mathrm{nnz} + n + d)`: by LSMR on
    the implicitly centred design (a sparse X is never densified), run until the relative optimality
    :math:`\|X_c^\top r\| / (\|X_c\|_F\|r\|)`, measured at its answer, is at most 1e-12, and giving
    ``lstsq``'s minimum norm on rank-deficient designs; or, for a dense design with fewer rows than
    columns, on its short side: the centring's null direction taken out by one Householder
    reflection, then the n×n normal equations :math:`AA^\top` (Cholesky, refined once) when they are
    well conditioned, else QR of the transpose (substitution, or the SVD of the n×n factor when that
    is near singular). Products with a large X run on all cores, one range of rows each.
    ``solver="auto"`` chooses by a cost model in floating-point operations (n rows, d features, nnz
    stored numbers): the statistics cost :math:`\sum_i \mathrm{nnz}_i^2 + d^3 + 2nd^2` (n·d² + d³
    dense) and 4·8·d² bytes, LSMR :math:`100 \cdot 2(\mathrm{nnz} + n + d)` per target, the short
    side :math:`2n^2d + 10n^3`; the statistics are taken when cheapest and within a quarter of the
    machine's memory, and always for data of at most 10⁵ numbers. An LSMR that needs more iterations
    than the statistics would have cost (an ill-conditioned design) gives way to them.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Whether to fit the intercept :math:`b`. If False, the line passes through the origin.
    solver : {"auto", "statistics", "operator"}, default="auto"
        ``"statistics"`` forces the d×d statistics (refused at once, naming the memory, where
        they would not fit); ``"operator"`` the route over the data (arrays in memory only).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        The slopes :math:`w` (the lecture's :math:`m`).
    intercept_ : float or ndarray of shape (n_targets,)
        The intercept :math:`b`; 0.0 when ``fit_intercept=False``.
    rank_ : int or None
        Rank of the (centred) design matrix; None after LSMR, which does not factor it.
    singular_ : ndarray of shape (min(n_samples, n_features),) or None
        Singular values of the (centred, weighted) design matrix; None after LSMR, and after
        the short side unless it needed an SVD (full rank: no SVD).
    condition_number_ : float
        Condition number of the centred, column-scaled design; it decides the route (after
        LSMR, its estimate; after the short side without an SVD, LAPACK's 1-norm estimate).
    solver_ : str
        The route taken: ``"normal equations"``, ``"QR with refinement"``,
        ``"minimum norm"``, ``"pseudo-inverse"`` (from statistics alone, as in
        ``partial_fit``), for dask collections ``"tall-skinny QR"``, and over the data of a
        wide or sparse design ``"LSMR"``, ``"minimum norm by normal equations of the short
        side"`` or ``"minimum norm by QR of the short side"``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.
    statistics_ : LeastSquaresStatistics or None
        The one-pass statistics of the data seen (weight sum, means, centred
        cross-products), which fix the cost; ``partial_fit`` merges each chunk into them.
        None after a fit over the data (LSMR, the short side), which never forms them.
    fit_record_ : FitRecord
        What the fit learned, as its solver returned it (``gdregress._record.FitRecord``):
        the coefficients, the fit's coordinates and centre, the statistics, an R factor,
        the rank, the iterations, the route. ``summary()``, the plots and the command read
        it; every other fitted attribute is taken from it.

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

    #: The route plan's closed form: a dense wide design's short side is solved directly.
    _closed_form = True

    _parameter_constraints: dict = {
        "fit_intercept": ["boolean"],
        "solver": [StrOptions({"auto", "statistics", "operator"})],
    }

    def __init__(self, fit_intercept: bool = True, solver: str = "auto") -> None:
        self.fit_intercept = fit_intercept
        self.solver = solver

    def _solve(self, source, plan, y_is_1d: bool, *, start, task):
        """The closed form on the plan's route: from the statistics (the accurate route over
        the rows where the plan and the conditioning ask for it), or over the rows (LSMR, the
        short side), giving way to the statistics where the plan says so. ``start`` and
        ``task`` are unused: there is no iteration to start or report."""
        if plan.representation == STATISTICS:
            return self._from_statistics(source, plan)
        record, converged = solve_over_data(
            source,
            self.fit_intercept,
            short_side=plan.short_side,
            max_iter=plan.max_iterations,
        )
        if converged:
            return record
        if plan.fallback == STATISTICS:  # an ill-conditioned design: cheaper by now
            return self._from_statistics(source, plan)
        warnings.warn(
            "LSMR did not reach full precision (relative optimality 1e-12) in "
            f"{plan.max_iterations} iterations: the design is ill-conditioned. Fit it with "
            "solver='statistics' (exact at any condition number) if its d×d statistics fit "
            "in memory.",
            ConvergenceWarning,
            stacklevel=find_stack_level(),
        )
        return record

    def _from_statistics(self, source, plan):
        """Solve the normal equations of the source's statistics (the solver)."""
        return solve_least_squares(
            source.statistics(),
            fit_intercept=self.fit_intercept,
            data=source if ROWS in source.offers else None,
            accurate=plan.accurate,
        )

    def _publish_details(self, record, y_is_1d: bool) -> None:
        """The closed form's rank, singular values and condition number."""
        self.rank_ = record.rank
        self.singular_ = record.singular_values
        self.condition_number_ = record.condition_number


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

    **Momentum.** Plain descent needs about :math:`\kappa` steps per factor e of accuracy;
    repeating a fraction :math:`\beta` of the last step as well,
    :math:`\theta_{k+1} = \theta_k - \alpha\nabla L(\theta_k) + \beta(\theta_k -
    \theta_{k-1})`, needs about :math:`\sqrt\kappa`. ``momentum="auto"`` (the default) with
    ``learning_rate="auto"`` takes conjugate gradients: at every step the
    :math:`(\alpha_k, \beta_k)` that minimise the cost over the plane of the gradient and the
    last step (on the statistics, exactly; matrix-free, as CGLS), the fastest of the methods
    measured on both routes (see the user guide's page on momentum). A learning rate chosen
    by the user (a number or ``"exact"``) keeps ``momentum="auto"`` at the lecture's plain
    descent, and ``momentum=0`` is that descent whatever the learning rate, step for step.
    A number :math:`\beta \in (0, 1)` is the heavy ball of Polyak with the given learning
    rate, refused (:class:`~gdregress.DivergenceError`) at or above its stable limit
    :math:`2(1 + \beta)/L_{max}`; with ``learning_rate="auto"`` it takes
    :math:`2(1 + \beta)/(L_{max} + \lambda_{min})` on the statistics and
    :math:`(1 + \beta)/L_{max}` matrix-free.

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

    **Many features.** For wide or sparse designs (see :class:`AnalyticLeastSquares` for the
    cost model, with the matrix-free descent's cost that of LSMR) the descent runs
    matrix-free: every step computes the gradient from the data,
    :math:`X^\top(Xw + b - y)/n` with the centring and scaling applied implicitly, at one
    product with X and one with its transpose per step. On a dense design with fewer rows
    than columns it takes the same steps through the n×n matrix :math:`MM^\top` of the
    scaled design M when the cost model finds that cheaper (forming it costs
    :math:`n^2 d` at matrix-product speed, then a step :math:`2n^2`): every iterate is
    :math:`\theta_0 + M^\top a`, and only a of n numbers is updated. Conjugate gradients estimate
    :math:`L_{max}` and :math:`\lambda_{min}` from their own coefficients; the other descents by
    Lanczos iterations (``max_curvature_``, to about 1e-4 for a fixed rate and 1e-2 for the
    exact step, which needs it only to report it); a fixed rate at or above
    :math:`2/L_{max}` is refused, and one whose cost rises for five steps raises
    :class:`~gdregress.DivergenceError`. The plain descent's ``"auto"`` takes the exact step
    there (it costs nothing extra, while the best fixed step would need :math:`\lambda_{min}`).
    ``path_`` keeps at most 10⁷ numbers, and no more than X stores: past that,
    every other iterate kept is dropped and the stride doubles (``path_iterations_`` says
    which iterations remain). On rank-deficient designs this route converges to the solution of
    least norm in the descent's (standardised) coordinates.

    **Callbacks.** With scikit-learn 1.9 or later, ``set_callbacks(...)`` attaches
    scikit-learn's callbacks (``sklearn.callback``, ``ProgressBar`` among them): the descent
    reports one subtask per block of ``max_iter / 100`` iterations, named ``"iterations
    i-j"``, whose ``fitted_estimator`` holds ``coef_``, ``intercept_`` and ``n_iter_`` at its
    end; an ``on_fit_task_end`` that returns True stops the descent there, not converged,
    with a :class:`~sklearn.exceptions.ConvergenceWarning` that says so.

    Parameters
    ----------
    learning_rate : "auto", "exact" or float, default="auto"
        The step :math:`\alpha` (see above).
    momentum : "auto" or float in [0, 1), default="auto"
        The fraction :math:`\beta` of the last step repeated: ``"auto"`` takes conjugate
        gradients with ``learning_rate="auto"`` and the plain descent with any other;
        0 is the lecture's plain descent; a number the heavy ball (see above).
    max_iter : int, default=100_000
        Most iterations. One costs microseconds on the statistics, so the default is
        generous: it lets the plain descent converge on standardised designs with condition
        numbers up to about :math:`10^3` (conjugate gradients, far beyond).
    tol : float or None, default=1e-12
        The accuracy asked for, the same on every route: the descent stops when its gradient
        guarantees that the standardised coefficients are within ``tol`` times the spread of
        y of the minimum, :math:`\|\nabla L\| \le \mathrm{tol}\cdot\lambda_{min}\cdot
        \mathrm{std}(y)` in standardised coordinates, or when rounding holds the gradient.
        (:math:`\lambda_{min}` is exact on the statistics and estimated from above by Lanczos
        matrix-free; for ``standardize=False`` the gradient must be small enough to guarantee
        the same; on the statistics each standardised component is held to its own bound, so
        that the rounding of a large intercept cannot excuse the slopes.) ``None`` runs all
        ``max_iter`` steps.
    fit_intercept : bool, default=True
        Whether to fit the intercept :math:`b`.
    standardize : bool, default=True
        Descend in standardised coordinates (see above).
    warm_start : bool, default=False
        Start from the previous ``coef_`` and ``intercept_`` instead of zeros.
    solver : {"auto", "statistics", "operator"}, default="auto"
        Descend on the d×d statistics, or matrix-free on the data (see above).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        The slopes :math:`w` (the lecture's :math:`m`) where the descent stopped, in the
        user's units.
    intercept_ : float or ndarray of shape (n_targets,)
        The intercept :math:`b` where the descent stopped; 0.0 when ``fit_intercept=False``.
    n_iter_ : int
        Iterations taken.
    loss_curve_ : ndarray of shape (n_iter_ + 1,)
        The cost :math:`L` at every iterate, the start first (``inf`` where the cost itself
        exceeds float64's range, for y beyond about :math:`10^{154}`).
    path_ : ndarray of shape (n_iter_ + 1, n_features + 1)
        Every iterate as ``(coef..., intercept)`` in the user's units, the start first.
        With a 2-D y, shape (n_iter_ + 1, n_targets, n_features + 1). Thinned on the
        matrix-free route when it would exceed 10⁷ numbers or the size of X.
    path_iterations_ : ndarray of shape (len(path_),)
        The iteration of each row of ``path_`` (0, 1, 2, ... unless thinned).
    gradient_norms_ : ndarray of shape (n_iter_ + 1,)
        Norm of the gradient at every iterate, in the coordinates of the descent.
    learning_rate_ : float or ndarray of shape (n_iter_,)
        The step used; for ``"exact"`` and conjugate gradients, the step of every iteration.
    momentum_ : float or ndarray of shape (n_iter_,)
        The :math:`\beta` used: 0.0 for the plain descent, the heavy ball's, or conjugate
        gradients' of every iteration.
    max_curvature_ : float
        :math:`L_{max}`, the largest eigenvalue of the Hessian in the descent's coordinates;
        fixed steps below ``2 / max_curvature_`` are stable (with momentum :math:`\beta`,
        below ``2 * (1 + beta) / max_curvature_``). Matrix-free, an estimate from below:
        after conjugate gradients, the largest curvature they met.
    converged_ : bool
        Whether the gradient fell to the tolerance.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    statistics_ : LeastSquaresStatistics or None
        The one-pass statistics of the data seen; ``partial_fit`` merges each chunk into them.
        None after a matrix-free descent.
    solver_ : str
        ``"descent on the statistics"``, ``"matrix-free descent"`` or, for a dense design
        with fewer rows than columns, ``"descent on the short side"``.
    fit_record_ : FitRecord
        The descent's record (``gdregress._record.FitRecord``), its history included:
        every fitted attribute above is read from it, as ``summary()``, the plots and the
        command read it.

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

    With momentum, in the same coordinates: conjugate gradients take two steps for the two
    parameters (m, b):

    >>> glide = GradientDescentRegressor(standardize=False).fit([[1], [2], [3]], [2, 5, 3])
    >>> glide.n_iter_, glide.coef_.round(6), glide.momentum_.round(4)
    (2, array([0.5]), array([0.    , 0.0397]))
    """

    #: The route plan's descent: it iterates on a dense wide design's rows.
    _closed_form = False

    _parameter_constraints: dict = {
        "learning_rate": [StrOptions({"auto", "exact"}), Interval(Real, 0, None, closed="neither")],
        "momentum": [StrOptions({"auto"}), Interval(Real, 0, 1, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "fit_intercept": ["boolean"],
        "standardize": ["boolean"],
        "warm_start": ["boolean"],
        "solver": [StrOptions({"auto", "statistics", "operator"})],
    }

    def __init__(
        self,
        learning_rate: str | float = "auto",
        max_iter: int = 100_000,
        tol: float | None = 1e-12,
        fit_intercept: bool = True,
        standardize: bool = True,
        warm_start: bool = False,
        solver: str = "auto",
        momentum: str | float = "auto",
    ) -> None:
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.max_iter = max_iter
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.warm_start = warm_start
        self.solver = solver

    def _start(self, partial: bool):
        """Where the descent starts: the previous fit for ``partial_fit`` and warm starts."""
        return self._previous_parameters() if partial or self.warm_start else None

    def _previous_parameters(self):
        """The fitted (coef, intercept) as (n_features, n_targets) and (n_targets,), if any."""
        if not hasattr(self, "coef_"):
            return None
        coef = np.asarray(self.coef_, dtype=np.float64)
        coef = coef[:, None] if coef.ndim == 1 else coef.T
        return coef, np.atleast_1d(np.asarray(self.intercept_, dtype=np.float64))

    def _max_subtasks(self) -> int:
        """One callback subtask per block of iterations (see :mod:`gdregress._callbacks`)."""
        return -(-self.max_iter // block_size(self.max_iter))

    def _solve(self, source, plan, y_is_1d: bool, *, start, task):
        """Descend on the plan's route: the cost of the statistics, or matrix-free over the
        rows (through their n×n matrix :math:`MM^\\top` where the plan takes the short side;
        the descent has no other route to give way to). ``task`` is the fit's callback task
        (None without callbacks), which the descent reports its blocks of iterations to."""
        settings = self._settings(task, y_is_1d)
        if plan.representation == STATISTICS:
            return solve_by_descent(source.statistics(), settings, start=start)
        design = source.operator(
            centre=self.standardize and self.fit_intercept,
            standardize=self.standardize,
            with_intercept=self.fit_intercept,
            centred_targets=False,
        )
        return descend_on_operator(design, settings, start=start, on_rows=plan.short_side)

    def _settings(self, task, y_is_1d: bool) -> DescentSettings:
        """The descent's parameters, checked beyond what scikit-learn's constraints check,
        with the monitor that reports to the fit's callback task (None without callbacks)."""
        for name in ("learning_rate", "momentum", "tol", "max_iter"):
            # scikit-learn's Real and Integral intervals let True and False through as 1, 0.
            if isinstance(getattr(self, name), bool | np.bool_):
                kind = "an integer" if name == "max_iter" else "a number"
                raise InvalidParameterError(
                    f"The {name!r} parameter of GradientDescentRegressor must be {kind}: "
                    f"{name} must be {kind}, got bool. Got {getattr(self, name)!r} instead."
                )
        if self.learning_rate == "exact" and self.momentum not in ("auto", 0):
            raise ValueError(
                f"learning_rate='exact' is the plain descent's line search along the gradient; "
                f"with momentum={self.momentum!r} pass learning_rate='auto' (2(1 + β)/(L_max + "
                "λ_min)) or a number, or momentum='auto' for conjugate gradients, whose steps "
                "are exact line searches in a plane."
            )
        return DescentSettings(
            learning_rate=self.learning_rate,
            momentum=self.momentum,
            max_iter=self.max_iter,
            tol=self.tol,
            fit_intercept=self.fit_intercept,
            standardize=self.standardize,
            monitor=self._monitor(task, y_is_1d),
        )

    def _publish_details(self, record, y_is_1d: bool) -> None:
        """The descent's history from the record."""
        history = record.descent
        self.path_ = history.path[:, 0, :] if y_is_1d else history.path
        self.path_iterations_ = (
            np.arange(record.n_iter + 1)
            if history.path_iterations is None
            else history.path_iterations
        )
        self.n_iter_ = record.n_iter
        self.loss_curve_ = history.loss_curve
        self.gradient_norms_ = history.gradient_norms
        self.learning_rate_ = history.learning_rate
        self.momentum_ = history.momentum
        self.max_curvature_ = history.max_curvature
        self.converged_ = record.converged

    def _monitor(self, task, y_is_1d: bool) -> DescentMonitor | None:
        """What reports the descent's blocks to the callbacks (None without callbacks: a fit
        inside a meta-estimator's task, with none of its own, reports only its own task)."""
        if task is None or not getattr(self, "_skl_callbacks", None):
            return None
        return DescentMonitor(
            self,
            task,
            max_iter=self.max_iter,
            as_fitted=lambda coef, intercept: _as_fitted(coef, intercept, y_is_1d),
        )
