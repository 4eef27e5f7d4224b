r"""The report of a least-squares fit's inference: statsmodels' numbers in R's layout.

:class:`RegressionSummary` holds what :mod:`gdregress._inference` computed for one target and
prints it as R's ``summary.lm`` does; the helpers here only format numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["RegressionSummary"]


@dataclass(frozen=True, repr=False)
class RegressionSummary:
    r"""The inference of a least-squares fit: statsmodels' numbers, R's ``summary.lm`` report.

    Returned by ``summary()`` of :class:`~gdregress.AnalyticLeastSquares` and
    :class:`~gdregress.GradientDescentRegressor` (one per target). A weighted fit is weighted
    least squares (statsmodels' ``WLS``): with :math:`p` parameters, :math:`n` rows,
    residuals :math:`r_i` and weights :math:`w_i`,

    .. math::

        \hat\sigma^2 = \frac{\sum_i w_i r_i^2}{n - p}, \qquad
        \widehat{\mathrm{cov}}(\hat\theta) = \hat\sigma^2 (A^\top W A)^{-1}, \qquad
        t_j = \hat\theta_j / \mathrm{se}_j,

    :math:`A = [1,\ X]`; p-values and intervals from Student's t with :math:`n - p` degrees
    of freedom. Without an intercept, R² is the uncentred one, as statsmodels and R report it.

    Attributes
    ----------
    coef_table : pandas.DataFrame
        Index ``"intercept"`` (when fitted) then the feature names; columns ``coef``,
        ``std_err``, ``t_value``, ``p_value`` (two-sided), ``ci_lower``, ``ci_upper``
        (level 1 − alpha).
    rse : float
        The residual standard error :math:`\hat\sigma`.
    df_model, df_resid : int
        Degrees of freedom of the model (parameters besides the intercept) and of the
        residuals (:math:`n - p`).
    r2, adj_r2 : float
        :math:`R^2` and :math:`1 - (1 - R^2)(n - k)/(n - p)`, k = 1 with an intercept, else 0.
    f_statistic, f_pvalue : float
        The F test of all slopes being 0 (NaN without slopes); with a robust ``cov_type``
        the Wald test with that covariance, as statsmodels computes it (the ANOVA table
        keeps the classical one).
    cov : pandas.DataFrame
        The covariance of the estimates, labelled like ``coef_table``'s index.
    anova : pandas.DataFrame
        Rows ``regression``, ``residual``, ``total``; columns ``df``, ``sum_sq``,
        ``mean_sq``, ``F``, ``p_value`` (the last two on the regression's row).
    alpha : float
    cov_type : str
        ``"nonrobust"``, or ``"HC0"`` … ``"HC3"`` (the t tests then use the robust errors).
    n_obs : int
        Rows of the fit (rows of weight 0 included, as statsmodels counts them).
    fit_intercept : bool
    model_name : str
    perfect_fit : bool
        R's "essentially perfect fit": the residuals are below the rounding of the data's
        sums (they leave less than :math:`16p\varepsilon` of the total sum of squares). The
        residual standard error and the standard errors are then 0, R² is 1 (NaN for a
        constant target), and t, p and F are NaN, printed "NA": quotients of rounding errors
        (1e15 and beyond) are not reported as if they meant something.
    residuals_from_rows : bool
        Whether the residuals were computed from the rows (the closed form's accurate route,
        or X and y given to ``summary``) rather than from the statistics, whose resolution
        ends at about :math:`16p\varepsilon` of the total sum of squares.
    converged : bool
        False for a :class:`~gdregress.GradientDescentRegressor` that did not converge: the
        summary is of its last iterate (R² may be negative, F too), and the text says so.

    Examples
    --------
    >>> from gdregress import AnalyticLeastSquares
    >>> model = AnalyticLeastSquares().fit([[1], [2], [3], [4]], [2, 5, 3, 7])
    >>> summary = model.summary()
    >>> summary.coef_table.round(4)  # as statsmodels' OLS gives them
               coef  std_err  t_value  p_value  ci_lower  ci_upper
    intercept   1.0   2.1737   0.4600   0.6907   -8.3527   10.3527
    x0          1.3   0.7937   1.6378   0.2431   -2.1151    4.7151
    >>> round(summary.rse, 4), round(summary.r2, 4)
    (1.7748, 0.5729)
    """

    coef_table: pd.DataFrame
    rse: float
    df_model: int
    df_resid: int
    r2: float
    adj_r2: float
    f_statistic: float
    f_pvalue: float
    cov: pd.DataFrame
    anova: pd.DataFrame
    alpha: float
    cov_type: str
    n_obs: int
    fit_intercept: bool
    model_name: str
    perfect_fit: bool = False
    converged: bool = True
    residuals_from_rows: bool = True

    def coefficient_lines(self) -> list[str]:
        """The table of coefficients as R prints it: a header, then a row per parameter."""
        table = self.coef_table
        labels = ["(Intercept)" if name == "intercept" else name for name in table.index]
        columns = {
            "Estimate": _decimal_column(table["coef"].to_numpy()),
            "Std. Error": _decimal_column(table["std_err"].to_numpy()),
            "t value": [_t_value(v) for v in table["t_value"]],
            "Pr(>|t|)": [_p_value(v) for v in table["p_value"]],
        }
        width = max(len(label) for label in labels)
        widths = {name: max(len(name), *map(len, values)) for name, values in columns.items()}
        header = " " * width + "".join(f" {name:>{widths[name]}}" for name in columns)
        return [header] + [
            f"{label:<{width}}"
            + "".join(f" {columns[name][i]:>{widths[name]}}" for name in columns)
            + f" {_stars(table['p_value'].iloc[i])}".rstrip()
            for i, label in enumerate(labels)
        ]

    def f_line(self) -> str:
        """The F test as R prints it."""
        if not self.df_model:
            return "F-statistic: none (no slopes)"
        if self.perfect_fit:
            return "F-statistic: NA (essentially perfect fit)"
        return (
            f"F-statistic: {self.f_statistic:.4g} on {self.df_model} and {self.df_resid} DF,  "
            f"p-value: {_p_value(self.f_pvalue, long=True)}{self._unconverged()}"
        )

    def _unconverged(self) -> str:
        return "" if self.converged else "  (did not converge)"

    def notes(self) -> list[str]:
        """What the numbers below are not: R's "essentially perfect fit", or a descent's last
        iterate that did not converge."""
        lines = []
        if self.perfect_fit and self.residuals_from_rows:
            lines.append(
                "Essentially perfect fit: the residuals are below the rounding of the data; "
                "standard errors are 0, t, p and F undefined (NA)."
            )
        elif self.perfect_fit:
            lines.append(
                "Essentially perfect fit: the residuals are below what the fit's statistics "
                "resolve; standard errors are 0, t, p and F undefined (NA). "
                "summary(X=X, y=y) computes the residuals from the rows."
            )
        if not self.converged:
            lines.append(
                "The descent did not converge: this is the summary of its last iterate, not "
                "of the least-squares line."
            )
        return lines

    def __str__(self) -> str:
        robust = "" if self.cov_type == "nonrobust" else f" ({self.cov_type} standard errors)"
        r2_kind = "Multiple" if self.fit_intercept else "Multiple (uncentred)"
        notes = self.notes()
        return "\n".join(
            [
                f"{self.model_name}, {self.n_obs:,} observations",
                *(["", *notes] if notes else []),
                "",
                f"Coefficients{robust}:",
                *self.coefficient_lines(),
                "---",
                "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1",
                "",
                f"Residual standard error: {self.rse:.4g} on {self.df_resid} degrees of freedom",
                f"{r2_kind} R-squared:  {_r2(self.r2)},\tAdjusted R-squared:  "
                f"{_r2(self.adj_r2)}{self._unconverged()}",
                self.f_line(),
            ]
        )

    def __repr__(self) -> str:
        return f"<RegressionSummary of {self.model_name}, {self.n_obs} observations>\n{self}"

    def _repr_html_(self) -> str:
        """The coefficient table and the fit's measures, for notebooks."""
        measures = pd.DataFrame(
            {
                "value": [
                    self.rse,
                    self.df_resid,
                    self.r2,
                    self.adj_r2,
                    self.f_statistic,
                    self.f_pvalue,
                ]
            },
            index=[
                "residual standard error",
                "residual df",
                "R²",
                "adjusted R²",
                "F-statistic",
                "p-value of F",
            ],
        )
        robust = "" if self.cov_type == "nonrobust" else f", {self.cov_type} standard errors"
        notes = "".join(f"<p><i>{note}</i></p>" for note in self.notes())
        return (
            f"<div><p><b>{self.model_name}</b>, {self.n_obs:,} observations{robust}</p>{notes}"
            f"{self.coef_table.to_html(float_format=lambda v: f'{v:.6g}')}"
            f"{measures.to_html(float_format=lambda v: f'{v:.6g}', header=False)}</div>"
        )


def _decimal_column(values: np.ndarray) -> list[str]:
    """Numbers with as many decimals as give the smallest four significant digits, as R does.

    Beyond 1e15 or below 1e-6 (that would need too many decimals), scientific notation.
    """
    magnitudes = np.abs(values[np.isfinite(values) & (values != 0)])
    if magnitudes.size == 0:
        return [f"{v:.4g}" for v in values]
    smallest, largest = float(magnitudes.min()), float(magnitudes.max())
    if smallest < 1e-6 or largest >= 1e15:
        return [f"{v:.3e}" for v in values]
    decimals = max(0, 3 - math.floor(math.log10(smallest)))
    return [f"{v:.{decimals}f}" for v in values]


def _r2(value: float) -> str:
    return f"{value:.4f}" if np.isfinite(value) else "NA"


def _t_value(t: float) -> str:
    """A t value with four significant digits (three decimals below 10), as R prints it."""
    if not np.isfinite(t):
        return "NA"
    if abs(t) < 10:
        return f"{t:.3f}"
    return f"{t:.2f}" if abs(t) < 1e5 else f"{t:.3e}"


def _p_value(p: float, long: bool = False) -> str:
    """A p-value as R prints it: below machine precision, "< 2e-16"."""
    if not np.isfinite(p):
        return "NA"
    if p < 2.2e-16:
        return "< 2.2e-16" if long else "<2e-16"
    return f"{p:.4g}"


def _stars(p: float) -> str:
    for limit, stars in ((0.001, "***"), (0.01, "**"), (0.05, "*"), (0.1, ".")):
        if p < limit:
            return stars
    return ""
