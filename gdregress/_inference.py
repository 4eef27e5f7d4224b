r"""Inference for a fitted line: standard errors, t, p, intervals, R², F and ANOVA.

Everything here is computed from a fitted model's statistics (``statistics_``) and its
coefficients, without the rows: the covariance of the estimates of a weighted least-squares
fit (statsmodels' ``WLS``, R's ``lm`` with weights) is

.. math::

    \widehat{\mathrm{cov}}(\hat\theta) = \hat\sigma^2 (A^\top W A)^{-1}, \qquad
    \hat\sigma^2 = \frac{\sum_i w_i r_i^2}{n - p},

with :math:`A = [X,\ 1]` and :math:`p` its number of columns. :math:`(A^\top W A)^{-1}` is
computed in the centred, column-scaled coordinates in which the closed form solves, as
accurately as the coefficients: from the R factor of that design where the closed form kept
one (its accurate route), else from the Cholesky factor of the columns' correlation matrix;
then mapped to the user's units by the statistics' own :class:`~gdregress._coordinates.Units`.

The heteroskedasticity-robust covariances HC0–HC3 (statsmodels' definitions) need the rows
themselves, for the squared residuals and the leverages: they take the data again and read it
in one more pass (:mod:`gdregress._row_pass`: chunks of rows in memory, a map-reduce over the
blocks of a Dask collection), in which they also compute the data's statistics, to refuse data
that are not the data the model was fitted on; so do HAC and cluster
(:mod:`gdregress._robust`) and the residuals' diagnostics (:mod:`gdregress._diagnostics`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import scipy.linalg

from ._closed_form import ACCURATE_ROWS_CONDITION
from ._coordinates import Centre, Coordinates
from ._cost_model import require_statistics_fit
from ._numerics import EPS, numerical_rank
from ._robust import COV_TYPES, GroupSums, LaggedSums, check_maxlags, meat_correction
from ._row_pass import pass_over_rows, require_same_data
from ._statistics import LeastSquaresStatistics
from .cost import LeastSquaresCost

__all__ = [
    "COV_TYPES",
    "covariance",
    "essentially_perfect",
    "model_inference",
    "prediction_intervals",
]

COEF_COLUMNS = ["coef", "std_err", "t_value", "p_value", "ci_lower", "ci_upper"]
INTERVAL_COLUMNS = [
    "mean",
    "mean_se",
    "mean_ci_lower",
    "mean_ci_upper",
    "obs_ci_lower",
    "obs_ci_upper",
]


# --- the model's inference, in the scaled coordinates -------------------------------------


@dataclass(frozen=True)
class _Fit:
    r"""A fitted model's inference in the centred, column-scaled coordinates of the solver.

    With :math:`v = T\theta` the parameters in the fit's coordinates
    (:class:`~gdregress._coordinates.Coordinates`),
    :math:`(A^\top W A)^{-1} = T^{-1} F F^\top T^{-\top}`, in the statistics' units.

    Attributes
    ----------
    stats : LeastSquaresStatistics
    coordinates : Coordinates
    fit_intercept : bool
    r : ndarray of shape (p, p)
        An upper triangular :math:`R` with :math:`A_v^\top W A_v = R^\top R`, :math:`A_v`
        the scaled design (columns, then the ones column).
    factor : ndarray of shape (p, p)
        :math:`F = R^{-1}`, so that :math:`(A_v^\top W A_v)^{-1} = F F^\top`.
    coef, intercept : ndarray of shape (d, t) and (t,)
        The model's parameters in the statistics' units (``user_coef`` and
        ``user_intercept``: as the record holds them, in the user's).
    rss : ndarray of shape (t,)
        :math:`\sum_i w_i r_i^2` per target, in the statistics' units.
    centre : Centre or None
        The model's line at the columns' exact mean (see :class:`~gdregress._coordinates.Centre`),
        for residuals that lose nothing to the columns' offsets; None without one.
    perfect : ndarray of bool, shape (t,)
        Per target, whether the fit is essentially perfect (:func:`essentially_perfect`);
        ``rss`` is then taken as 0.
    rows_read : bool
        Whether ``rss`` came from the rows (the accurate route's refined residuals, or the
        data given to ``summary``) rather than from the statistics.
    meat : ndarray of shape (t, p, p) or None
        The robust covariances' :math:`F^\top A^\top W \Omega W A F` per target, from the rows
        (for HAC and cluster, their sums of the scores' products), without correction.
    n_groups : int
        Clusters of ``cov_type="cluster"`` (0 otherwise).
    maxlags : int
        HAC's highest lag (0 otherwise).
    residual_sums : ResidualSums or None
        The weighted residuals' sums of powers, Durbin–Watson's steps and quantile sketch,
        from the rows given (see :mod:`gdregress._diagnostics`).
    condition : float
        :math:`\kappa(R)`: past :data:`~gdregress._closed_form.ACCURATE_ROWS_CONDITION`,
        rows times :math:`F` are computed in double-double, and the Gram matrix of the rows
        in :math:`F` is measured.
    gram : ndarray of shape (p, p) or None
        :math:`N = F^\top A^\top W A F` from the rows (at the fit's accurate route, or by
        ``summary``'s pass over them), within :math:`\varepsilon\kappa` of the identity:
        every covariance is then :math:`F N^{-1} \cdots`, exact to rounding (see
        :func:`~gdregress._closed_form.factor_gram`); None where it is taken as the identity.
    """

    stats: LeastSquaresStatistics
    coordinates: Coordinates
    fit_intercept: bool
    r: np.ndarray
    factor: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    rss: np.ndarray
    centre: Centre | None = None
    perfect: np.ndarray | None = None
    rows_read: bool = False
    meat: np.ndarray | None = None
    condition: float = 1.0
    gram: np.ndarray | None = None
    user_coef: np.ndarray | None = None
    user_intercept: np.ndarray | None = None
    n_groups: int = 0
    residual_sums: object = None
    maxlags: int = 0

    @property
    def n_params(self) -> int:
        return self.factor.shape[0]

    @property
    def df_resid(self) -> int:
        return self.stats.n_rows - self.n_params

    def to_user(self, t: int, *, half=None, matrix=None):
        """A covariance in the fit's coordinates as the user's (see
        :meth:`~gdregress._coordinates.Coordinates.covariance_to_user`)."""
        return self.coordinates.covariance_to_user(t, half=half, matrix=matrix)

    @property
    def accurate_rows(self) -> bool:
        """Whether rows times the factor cancel enough to need double-double."""
        return self.condition > ACCURATE_ROWS_CONDITION

    def rows(self, X: np.ndarray) -> np.ndarray:
        """Rows of X (statistics' units) where the design is orthonormal: :math:`a F`."""
        coordinates = self.coordinates
        return coordinates.rows_times(
            X[:, coordinates.active], self.factor, accurate=self.accurate_rows
        )

    @property
    def whitener(self) -> np.ndarray:
        """:math:`L^{-\\top}` with :math:`N = LL^\\top` (the identity without ``gram``): rows
        :math:`u L^{-\\top}` are orthonormal, and :math:`F L^{-\\top}` the exact inverse factor."""
        if self.gram is None:
            return np.eye(self.n_params)
        lower = np.linalg.cholesky(self.gram)
        return scipy.linalg.solve_triangular(lower, np.eye(self.n_params), lower=True).T

    def whitened_rows(self, X: np.ndarray) -> np.ndarray:
        """:meth:`rows` made orthonormal by :attr:`whitener`."""
        return self.rows(X) if self.gram is None else self.rows(X) @ self.whitener

    @property
    def whitened_r(self) -> np.ndarray:
        """:math:`L^\\top R`: the R factor of the design in the whitened coordinates."""
        return self.r if self.gram is None else np.linalg.cholesky(self.gram).T @ self.r


def model_inference(
    model,
    what: str,
    source=None,
    cov_type: str = "nonrobust",
    *,
    maxlags: int | None = None,
    residuals: bool = False,
) -> _Fit:
    """The inference of a fitted estimator, or a ValueError saying why it has none.

    Parameters
    ----------
    model : AnalyticLeastSquares or GradientDescentRegressor
        Fitted.
    what : str
        The method asking, for messages (``"summary()"``).
    source : ArraySource or DaskSource, optional
        The data of the fit given again: read once more for the residuals (and, for
        ``cov_type`` HC0–HC3, the meat of the sandwich), exactly, whichever the route.
    cov_type : str, default="nonrobust"
    maxlags : int, optional
        HAC's highest lag (None: :func:`~gdregress._robust.default_maxlags` of the rows).
    residuals : bool, default=False
        Whether the pass over the rows also gathers the residuals' diagnostics.
    """
    record = model.fit_record_
    fit_intercept = model.fit_intercept
    stats, coordinates = _statistics_of(record, source, fit_intercept, what)
    _require_more_rows_than_parameters(stats.n_rows, stats.n_features, fit_intercept, what)
    r = _triangular_factor(stats, coordinates, record, what)
    singular = scipy.linalg.svdvals(r)
    condition = float(singular[0] / singular[-1]) if singular.size else 1.0
    factor, gram = record.inverse_factor or (None, None)
    if factor is None:
        factor = scipy.linalg.solve_triangular(r, np.eye(r.shape[0]))
    else:  # measured against the rows at the fit: its R is its inverse
        r = scipy.linalg.solve_triangular(factor, np.eye(factor.shape[0]))
    coef, intercept = coordinates.units.coef_from_user(record.coef, record.intercept)
    rss = record.residual_sum_of_squares
    if rss is None:  # from the statistics: the fit's own coefficients, any solver
        cost = LeastSquaresCost(stats, fit_intercept)
        rss = (
            2 * stats.weight_sum * cost.value_path(coef[None], intercept[None], per_target=True)[0]
        )
    fit = _Fit(
        stats,
        coordinates,
        fit_intercept,
        r,
        factor,
        coef,
        intercept,
        np.asarray(rss),
        record.line_centre(),
        rows_read=record.residual_sum_of_squares is not None,
        condition=condition,
        gram=gram,
        user_coef=record.coef,
        user_intercept=record.intercept,
    )
    if source is not None:
        lags = check_maxlags(maxlags, stats.n_rows) if cov_type == "HAC" else 0
        fit = _with_rows(replace(fit, maxlags=lags), source, cov_type, residuals)
    perfect = essentially_perfect(stats, fit_intercept, fit.rss, r.shape[0], fit.rows_read)
    return replace(fit, rss=np.where(perfect, 0.0, fit.rss), perfect=perfect)


def _statistics_of(record, source, fit_intercept: bool, what: str):
    """The statistics and coordinates inference works in: the fit's own, or, for a fit over
    the rows (LSMR, the short side, the matrix-free descent), those of the rows given
    again, in one pass (a sparse XᵀX for one-hot designs); without them, a one-line
    refusal naming how to pass them."""
    if record.statistics is not None:
        return record.statistics, record.coordinates
    if source is None:
        how = (
            "pass summary(X=X, y=y) with the data of the fit (and sample_weight if it had weights)"
            if what == "summary()"
            else "refit with solver='statistics', or take summary(X=X, y=y) for the "
            "coefficients' errors"
        )
        raise ValueError(
            f"{what} of a fit over the rows (solver_ = {record.route!r}) needs the d×d "
            f"statistics of the rows, which that route does not form: {how}."
        )
    if hasattr(source, "X"):  # rows in memory: too few of them is said before any pass
        _require_more_rows_than_parameters(
            source.X.shape[0], source.n_features, fit_intercept, what
        )
    require_statistics_fit(
        source.n_features,
        source.n_targets,
        f"{what} needs the d×d statistics of the rows; for this many features, fit a "
        "subset of the columns.",
    )
    stats = source.statistics()
    return stats, Coordinates.of_statistics(stats, fit_intercept)


def _require_more_rows_than_parameters(
    n_rows: int, n_features: int, fit_intercept: bool, what: str
) -> None:
    """Refuse a fit with no degrees of freedom left for the residuals, naming the rows."""
    n_params = n_features + int(fit_intercept)
    if n_rows <= n_params:
        parameters = f"{n_features} feature(s)" + (" and the intercept" if fit_intercept else "")
        raise ValueError(
            f"{what} needs more rows than parameters: {n_rows} row(s) for "
            f"{n_params} parameters ({parameters}) leave no degrees of freedom for the "
            "residuals, so the noise level (and every standard error) is undefined. Fit at "
            f"least {n_params + 1} rows, or fewer features."
        )


def essentially_perfect(
    stats, fit_intercept: bool, rss: np.ndarray, n_params: int, rows_read: bool
) -> np.ndarray:
    r"""Per target, whether the fit is essentially perfect: its residuals are rounding.

    From the rows (``rows_read``), R's ``summary.lm`` rule: the residuals' sum of squares is
    below :math:`10^{-30}` of y's about 0 (their size is below 1e-15 of the fitted values').
    From the statistics, the residual sum of squares is a difference of sums of the size of
    the total sum of squares, each rounded to about :math:`\varepsilon` of it: below
    :math:`16 p \varepsilon` of the total (:math:`R^2 = 1` to about 14 digits) it is
    rounding, and t, p and F would be quotients of rounding errors; such a fit is reported
    as essentially perfect too, and its summary says that the rows (``summary(X=X, y=y)``)
    resolve its residuals. A constant target is measured against its sum of squares about 0.
    """
    about_zero = stats.uncentred_yy()
    if rows_read:
        return np.asarray(rss <= 1e-30 * about_zero)
    tss = stats.yy if fit_intercept else about_zero
    scale = np.where(tss > 0, tss, about_zero)
    return np.asarray(rss <= 16 * n_params * EPS * scale)


def _triangular_factor(stats, coordinates: Coordinates, record, what) -> np.ndarray:
    r""":math:`R` with :math:`A_v^\top W A_v = R^\top R`; refuses a rank-deficient design.

    The rank is the record's where its solver judged it (the closed form, on the same rule
    for every route), else judged here, once. The closed form's R factor when it kept one,
    else from the Cholesky factor :math:`L` of
    the active columns' correlation matrix :math:`C` (:math:`A_v^\top W A_v = S\,C` beside
    :math:`S` for the ones column, to which the centred columns are orthogonal):
    :math:`R = \sqrt S\,\mathrm{diag}(L^\top, 1)`.
    """
    fit_intercept = coordinates.fit_intercept
    k, S = coordinates.n_active, stats.weight_sum
    p = coordinates.n_parameters
    scaled = coordinates.statistics(stats)
    correlation = (scaled.xx if fit_intercept else scaled.uncentred_xx()) / S
    r_factor = record.r_factor
    if r_factor is None or r_factor.shape != (p, p):
        r_factor = None
    rank = record.rank if record.statistics is stats else None
    if rank is None:  # a descent's or a fit over the rows: judged from the statistics
        eigenvalues = np.linalg.eigvalsh(correlation) if k else np.ones(0)
        root = np.sqrt(np.maximum(eigenvalues, 0.0))
        rank = numerical_rank(root, stats.n_rows, k, from_gram=True) if k else 0
    if k < stats.n_features or rank < k:
        raise ValueError(
            f"{what} needs a design of full rank, but this one has rank {rank} for "
            f"{stats.n_features} feature(s)"
            + (
                " (some are constant, which the intercept already fits)"
                if k < stats.n_features
                else ""
            )
            + ": the coefficients of collinear or constant columns are not identified, so "
            "their standard errors are undefined. Drop the redundant columns and fit again."
        )
    if r_factor is not None:
        return r_factor
    r = np.zeros((p, p))
    try:
        r[:k, :k] = np.linalg.cholesky(correlation).T * math.sqrt(S)
    except np.linalg.LinAlgError:  # singular to rounding, though above the rank's tolerance
        raise ValueError(
            f"{what} needs a design of full rank, but the correlation matrix of these "
            "features is singular to rounding: drop the redundant columns and fit again."
        ) from None
    if fit_intercept:
        r[k, k] = math.sqrt(S)
    return r


# --- covariances --------------------------------------------------------------------------


def covariance(fit: _Fit, cov_type: str):
    r"""The covariance of the estimates and their standard errors per target (user units),
    the robust Wald F of the slopes (None for ``"nonrobust"``), and per target the tail
    :math:`T` with the covariance :math:`F T T^\top F^\top` in the fit's coordinates.

    Non-robust, :math:`T = \hat\sigma L^{-\top}`: :math:`\hat\sigma^2 (A^\top W A)^{-1}`.
    Robust, the sandwich :math:`(A^\top W A)^{-1} A^\top W\,\mathrm{diag}(\omega)\,W A
    (A^\top W A)^{-1} = F\,(Q^\top \mathrm{diag}(\omega) Q)\,F^\top` (:math:`Q = W^{1/2}AF`),
    with :math:`\omega_i = r_i^2` (HC0; HC1 times :math:`n/(n-p)`),
    :math:`r_i^2/(1-h_i)` (HC2) and :math:`r_i^2/(1-h_i)^2` (HC3), :math:`h_i` the
    leverages of the weighted design: ``fit.meat``, from the pass over the rows of
    :func:`model_inference`; HAC's and cluster's are those of :mod:`gdregress._robust`.
    :math:`T = L^{-\top} C` with :math:`CC^\top` the meat (well-conditioned, positive
    semidefinite): :math:`J F T` is then squared once, and no product cancels twice.
    """
    whitener = fit.whitener  # the meat is in the whitened coordinates
    if cov_type == "nonrobust":
        sigma = np.sqrt(fit.rss / fit.df_resid)  # the statistics' units
        tails = [sigma[t] * whitener for t in range(fit.stats.n_targets)]
        wald = None
    else:
        meat = fit.meat * meat_correction(cov_type, fit.stats.n_rows, fit.n_params, fit.n_groups)
        tails = [whitener @ _root(m) for m in meat]
        wald = _robust_wald(fit, meat)
    covariances = [fit.to_user(t, half=fit.factor @ tail) for t, tail in enumerate(tails)]
    return covariances, wald, tails


def _root(matrix: np.ndarray) -> np.ndarray:
    """C with CCᵀ = matrix (positive semidefinite): Cholesky, or the eigenvectors times the
    roots of the eigenvalues where it is singular (a target fitted exactly, say)."""
    try:
        return np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        values, vectors = np.linalg.eigh(matrix)
        return vectors * np.sqrt(np.maximum(values, 0.0))


def _with_rows(fit: _Fit, source, cov_type: str, residuals: bool) -> _Fit:
    """The fit with what the rows given again tell: the residual sum of squares, the Gram
    matrix of the rows in the factor (an ill-conditioned design), the meat of a robust
    covariance and the residuals' diagnostics; the rows must be the fit's."""
    what = "rss" if cov_type == "nonrobust" else cov_type
    if fit.accurate_rows:  # first N, then the meat with the leverages N makes exact
        sums = pass_over_rows(fit, source, "gram", residuals=residuals)
        require_same_data(fit.stats, sums.statistics)
        fit = replace(fit, gram=sums.matrix)
        if what != "rss":
            meat = pass_over_rows(fit, source, what, maxlags=fit.maxlags)
            sums = replace(sums, matrix=meat.matrix, robust=meat.robust)
    else:
        sums = pass_over_rows(fit, source, what, residuals=residuals, maxlags=fit.maxlags)
        require_same_data(fit.stats, sums.statistics)
    fit = replace(fit, rss=sums.rss, rows_read=True, residual_sums=sums.residuals)
    if isinstance(sums.robust, LaggedSums):
        return replace(fit, meat=sums.robust.matrix)
    if isinstance(sums.robust, GroupSums):
        return replace(fit, meat=sums.robust.meat(), n_groups=sums.robust.n_groups)
    return replace(fit, meat=sums.matrix) if what != "rss" else fit


def _robust_wald(fit: _Fit, meat: np.ndarray) -> np.ndarray:
    r"""The Wald F statistic of all slopes being 0, with the robust covariance, per target.

    :math:`v_z^\top \mathrm{cov}_{zz}^{-1} v_z / k` for the scaled slopes :math:`v_z`,
    without inverting the ill-conditioned :math:`\mathrm{cov}_{zz} = R_{zz}^{-1} E M
    E^\top R_{zz}^{-\top}`: as :math:`u^\top (E M E^\top)^{-1} u / k` with
    :math:`u = R_{zz} v_z`, where :math:`E = [I,\ -R_{z1}/R_{11}]` takes the intercept out
    and the meat :math:`M` (in the orthonormal coordinates) is well-conditioned. NaN where
    :math:`EME^\top` is singular (fewer clusters than slopes), where the test has no sense.
    """
    active = fit.coordinates.active
    k = int(active.sum())
    select = np.eye(k, fit.n_params)
    r = fit.whitened_r  # the meat's coordinates
    if fit.fit_intercept:
        select[:, k] = -r[:k, k] / r[k, k]
    u = r[:k, :k] @ (fit.coef[active] * fit.coordinates.scale[active][:, None])
    statistics = []
    for t, m in enumerate(meat):
        restricted = select @ m @ select.T
        spread = np.linalg.eigvalsh(restricted)
        if spread[0] <= k * EPS * spread[-1]:  # singular: fewer clusters than slopes, say
            statistics.append(math.nan)
        else:
            statistics.append(u[:, t] @ np.linalg.solve(restricted, u[:, t]) / k)
    return np.array(statistics)


# --- predictions ---------------------------------------------------------------------


def prediction_intervals(model, X: np.ndarray, alpha: float) -> list[pd.DataFrame]:
    r"""statsmodels' ``summary_frame`` of the predictions at the rows of X, one per target.

    The standard error of the mean is :math:`\hat\sigma\,\|a^\top F\|` with :math:`a` the
    row in the scaled design's columns (no cancellation however far the row lies from the
    data's means); an observation adds :math:`\hat\sigma^2` (of a row of weight 1).
    """
    from scipy import stats as distributions

    fit = model_inference(model, "predict_interval()")
    units = fit.coordinates.units
    X_scaled, _, _ = units.rows_to_scaled(np.asarray(X, dtype=np.float64), np.zeros((0, 1)))
    spread = np.sqrt(np.sum(fit.whitened_rows(X_scaled) ** 2, axis=1))
    # σ̂ in the units of y: times y_scale (its square may be beyond float64's range).
    sigma = np.sqrt(fit.rss / fit.df_resid) * fit.stats.y_scale
    centre = fit.centre  # the line at the columns' mean: no digit lost to their offsets
    mean = centre.predict(X) if centre is not None else X @ fit.user_coef + fit.user_intercept
    quantile = distributions.t.ppf(1 - alpha / 2, fit.df_resid)
    frames = []
    for t in range(fit.stats.n_targets):
        mean_se = sigma[t] * spread
        obs_se = np.hypot(mean_se, sigma[t] * math.sqrt(fit.stats.weight_scale))
        frames.append(
            pd.DataFrame(
                {
                    "mean": mean[:, t],
                    "mean_se": mean_se,
                    "mean_ci_lower": mean[:, t] - quantile * mean_se,
                    "mean_ci_upper": mean[:, t] + quantile * mean_se,
                    "obs_ci_lower": mean[:, t] - quantile * obs_se,
                    "obs_ci_upper": mean[:, t] + quantile * obs_se,
                },
                columns=INTERVAL_COLUMNS,
            )
        )
    return frames


def confidence_region_excess(least_cost: float, n_rows: int, n_params: int, alpha: float):
    r"""How far above its minimum the cost rises on the edge of the confidence region.

    The joint confidence region of the parameters, :math:`(\theta - \hat\theta)^\top
    \widehat{\mathrm{cov}}^{-1} (\theta - \hat\theta) \le p\,F_{1-\alpha}(p, n-p)`, is
    :math:`\{\theta : L(\theta) - L^* \le p\,\hat\sigma^2 F_{1-\alpha}(p, n - p) / (2S)\}`,
    since :math:`L - L^* = \frac{1}{2S}(\theta - \hat\theta)^\top A^\top W A\,(\theta -
    \hat\theta)` (:math:`S` the sum of the weights). With :math:`\hat\sigma^2 = 2S L^* /
    (n - p)` that is :math:`p\,F_{1-\alpha}(p, n-p)\,L^* / (n - p)`: the weights cancel.

    Parameters
    ----------
    least_cost : float
        :math:`L^*`, the least cost (in the units of y²).
    n_rows, n_params : int
    alpha : float
        The region has level 1 − alpha.
    """
    from scipy import stats as distributions

    df_resid = n_rows - n_params
    if df_resid <= 0:
        raise ValueError(
            f"A confidence region needs more rows than parameters: {n_rows} row(s) for "
            f"{n_params} parameters leave no degrees of freedom for the residuals."
        )
    quantile = float(distributions.f.ppf(1 - alpha, n_params, df_resid))
    return n_params * quantile * least_cost / df_resid
