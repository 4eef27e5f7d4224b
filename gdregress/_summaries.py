r"""The summary of a fit: its numbers, per target, for :class:`RegressionSummary`.

:mod:`gdregress._inference` gives the fit's covariance in its own coordinates; this module
turns it into what the report holds — the coefficient table (Student's t, or the normal with
``use_t=False``), R², F and ANOVA, the linear hypotheses' basis
(:mod:`gdregress._hypotheses`), and the diagnostics of :mod:`gdregress._diagnostics`: from
the fit alone the likelihood, the information criteria, the variance inflation factors and
the condition number; from the rows, when given, the residuals' tests and quantiles.
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from ._diagnostics import (
    QUANTILE_NAMES,
    condition_number,
    information_criteria,
    normality_tests,
    variance_inflation,
)
from ._hypotheses import Hypotheses, estimate_table, t_distribution
from ._inference import covariance, model_inference
from ._messages import find_stack_level
from ._numerics import exponent_of
from ._quantiles import quantiles_of
from ._record import r_squared
from ._robust import inference_df
from ._row_pass import read_brackets
from ._summary import RegressionSummary
from .exceptions import EssentiallyPerfectFitWarning

__all__ = ["parameter_names", "summaries", "warn_of_the_fit"]

# The residuals' tests, NaN for an essentially perfect fit.
_TESTS = (
    "durbin_watson",
    "omnibus",
    "omnibus_pvalue",
    "jarque_bera",
    "jarque_bera_pvalue",
    "skew",
    "kurtosis",
)


def parameter_names(model) -> list[str]:
    """``"intercept"`` (when fitted) then the features' names (else x0, x1, …)."""
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        names = [f"x{i}" for i in range(model.n_features_in_)]
    names = [str(name) for name in names]
    return (["intercept"] if model.fit_intercept else []) + names


def _user_order(fit) -> np.ndarray:
    """The solver's order of the parameters (features..., intercept) → (intercept, features...)."""
    p = fit.n_params
    return np.r_[p - 1, : p - 1] if fit.fit_intercept else np.arange(p)


def summaries(
    model, alpha: float, cov_type: str, source, *, use_t: bool = True, maxlags=None
) -> list[RegressionSummary]:
    """One :class:`RegressionSummary` per target of a fitted model.

    Warns, as R's ``summary.lm`` does, of an essentially perfect fit (its standard errors are
    then 0 and t, p and F undefined), and of a descent that did not converge (the summary is
    of its last iterate, not of the least-squares line).
    """
    fit = model_inference(
        model, "summary()", source, cov_type, maxlags=maxlags, residuals=source is not None
    )
    if cov_type == "cluster" and fit.n_groups < 2:
        raise ValueError(
            f"cov_type='cluster' needs at least 2 groups, but groups has {fit.n_groups} "
            "label(s): its covariance sums the scores per group."
        )
    warn_of_the_fit(model, fit)
    covariances, wald, tails = covariance(fit, cov_type)
    df = inference_df(cov_type, fit.df_resid, fit.n_groups)
    names = pd.Index(parameter_names(model))
    coef, intercept = fit.user_coef, fit.user_intercept
    theta = np.vstack([coef, intercept[None]]) if fit.fit_intercept else coef
    order = _user_order(fit)
    diagnostics = _diagnostics(model, fit, source, names)
    results = []
    for t in range(fit.stats.n_targets):
        cov, std_err = covariances[t][0][np.ix_(order, order)], covariances[t][1][order]
        anova = _anova(fit, t)
        f_statistic = anova.loc["regression", "F"]
        if wald is not None and fit.n_params > int(fit.fit_intercept) and not fit.perfect[t]:
            f_statistic = float(wald[t])  # the Wald test with the robust covariance
        tail = tails[t]
        if fit.perfect[t]:  # no residual to speak of: no uncertainty, no test
            cov, std_err, tail = np.zeros_like(cov), np.zeros_like(std_err), 0 * tail
        hypotheses = Hypotheses(
            list(names),
            theta[order, t],
            fit.coordinates,
            fit.factor,
            tail,
            int(exponent_of(fit.stats.y_scale)[t]),
            df,
            use_t,
            alpha,
        )
        results.append(
            RegressionSummary(
                coef_table=estimate_table(
                    theta[order, t], std_err, names, alpha, t_distribution(df, use_t)
                ),
                rse=float(
                    math.sqrt(fit.rss[t] / fit.df_resid * fit.stats.weight_scale)
                    * fit.stats.y_scale[t]
                ),
                df_model=int(anova.loc["regression", "df"]),
                df_resid=fit.df_resid,
                r2=anova.attrs["r2"],
                adj_r2=anova.attrs["adj_r2"],
                f_statistic=float(f_statistic),
                f_pvalue=_f_pvalue(f_statistic, anova.loc["regression", "df"], df),
                cov=pd.DataFrame(cov, index=names, columns=names),
                anova=anova,
                alpha=alpha,
                cov_type=cov_type,
                n_obs=fit.stats.n_rows,
                fit_intercept=fit.fit_intercept,
                model_name=type(model).__name__,
                perfect_fit=bool(fit.perfect[t]),
                converged=bool(getattr(model, "converged_", True)),
                residuals_from_rows=fit.rows_read,
                use_t=use_t,
                df_inference=df,
                cov_details=_cov_details(cov_type, fit, maxlags),
                _hypotheses=hypotheses,
                **diagnostics[t],
            )
        )
    return results


def _cov_details(cov_type: str, fit, maxlags) -> str:
    """HAC's lags and cluster's groups, for the report."""
    if cov_type == "HAC":
        return f"{fit.maxlags} lag{'s' * (fit.maxlags != 1)}"
    if cov_type == "cluster":
        return f"{fit.n_groups} clusters"
    return ""


def _diagnostics(model, fit, source, names: pd.Index) -> list[dict]:
    """Per target, the diagnostics' fields of :class:`RegressionSummary`.

    An essentially perfect fit's likelihood and residual tests are NaN, as its t, p and F
    are: its residuals are rounding, and these would be functions of rounding errors (the
    quantiles stay, to show how small the residuals are, as R prints them)."""
    stats, logs = fit.stats, model.fit_record_.weight_logs
    features = list(names[int(fit.fit_intercept) :])
    shared = {
        "vif": pd.Series(variance_inflation(fit), index=pd.Index(features), name="vif"),
        "condition_number": condition_number(fit),
        "weighted": bool(logs is not None and logs.smallest != logs.largest),
    }
    sums = fit.residual_sums
    quantiles = None
    if sums is not None:
        read = functools.partial(read_brackets, fit, source)
        quantiles = quantiles_of(sums.sketches, read)
    fields = []
    for t in range(stats.n_targets):
        values = dict(shared)
        perfect = bool(fit.perfect[t])
        if logs is not None:
            rss = float(fit.rss[t])
            log_rss = math.nan
            if not perfect:
                log_rss = math.log(rss) + math.log(stats.weight_scale)
                log_rss += 2 * math.log(stats.y_scale[t])
            llf, aic, bic = information_criteria(
                log_rss, logs.n_positive, logs.log_sum, fit.n_params
            )
            values.update(llf=llf, aic=aic, bic=bic)
        if sums is not None:
            # Back to the user's units: √w·r times y's power of two and √(weights' one).
            unit = stats.y_scale[t] * math.sqrt(stats.weight_scale)
            values["residual_quantiles"] = pd.Series(
                quantiles[t] * unit, index=pd.Index(QUANTILE_NAMES), name="residuals"
            )
            values.update(dict.fromkeys(_TESTS, math.nan))
        if sums is not None and not perfect:
            values.update(
                normality_tests(sums.n, *(float(m[t]) for m in (sums.m2, sums.m3, sums.m4)))
            )
            values["durbin_watson"] = float(sums.durbin_watson()[t])
        fields.append(values)
    return fields


def warn_of_the_fit(model, fit, what: str = "summary") -> None:
    """R's "essentially perfect fit" warning, and the descent's ConvergenceWarning again
    (``what``: the summary, the influence, … of its last iterate)."""
    converged = bool(getattr(model, "converged_", True))
    if np.any(fit.perfect):
        warnings.warn(
            "essentially perfect fit: the residuals are at the level of rounding (R² = 1 to "
            "about 14 digits), so the standard errors are 0 and t, p and F are undefined "
            "(NA).",
            EssentiallyPerfectFitWarning,
            stacklevel=find_stack_level(),
        )
    if not converged:
        warnings.warn(
            f"{type(model).__name__} did not converge (n_iter_ = {model.n_iter_}): this "
            f"{what} is of its last iterate, not of the least-squares line, so R², F and "
            "the residual standard error describe that iterate. Fit with a larger max_iter, "
            "or use AnalyticLeastSquares.",
            ConvergenceWarning,
            stacklevel=find_stack_level(),
        )


def _f_pvalue(f_statistic: float, df_model: int, df_resid: int) -> float:
    from scipy import stats as distributions

    return float(distributions.f.sf(f_statistic, df_model, df_resid)) if df_model else math.nan


def _anova(fit, t: int) -> pd.DataFrame:
    """The ANOVA table of target ``t`` in the user's units; R² and adjusted R² in ``attrs``.

    Sums of squares are weighted (``Σ w r²``), about the weighted mean with an intercept and
    about 0 without one (the uncentred R², as statsmodels and R report it).
    """
    stats = fit.stats
    k_constant = int(fit.fit_intercept)
    df_model, df_resid = fit.n_params - k_constant, fit.df_resid
    rss = float(fit.rss[t])
    tss = float((stats.yy if fit.fit_intercept else stats.uncentred_yy())[t])
    # No slopes, a constant target (nothing to explain) or an essentially perfect fit (no
    # residual to measure against): no F test.
    f_statistic = math.nan
    if df_model and tss > 0 and not fit.perfect[t]:
        f_statistic = (tss - rss) / df_model / (rss / df_resid)
    # Sums in the statistics' units: y divided by y_scale, the weights by weight_scale.
    to_user = float(fit.coordinates.cost_to_user(np.ones(stats.n_targets))[t] * stats.weight_scale)
    anova = pd.DataFrame(
        {
            "df": [df_model, df_resid, df_model + df_resid],
            "sum_sq": [(tss - rss) * to_user, rss * to_user, tss * to_user],
        },
        index=pd.Index(["regression", "residual", "total"]),
    )
    anova["mean_sq"] = anova["sum_sq"] / anova["df"].replace(0, np.nan)
    anova["F"] = [f_statistic, np.nan, np.nan]
    anova["p_value"] = [_f_pvalue(f_statistic, df_model, df_resid), np.nan, np.nan]
    r2 = r_squared(rss, tss)  # (a perfect fit's rss is 0: R² = 1)
    anova.attrs["r2"] = r2
    anova.attrs["adj_r2"] = 1.0 - (stats.n_rows - k_constant) / df_resid * (1.0 - r2)
    return anova
