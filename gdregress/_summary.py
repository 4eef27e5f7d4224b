r"""The report of a least-squares fit's inference: statsmodels' numbers in R's layout.

:class:`RegressionSummary` holds what :mod:`gdregress._summaries` computed for one target and
prints it as R's ``summary.lm`` does, with statsmodels' block of diagnostics below; the
helpers here only format numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DIAGNOSTICS", "RegressionSummary"]


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
    of freedom (R's and Stata's convention, for every ``cov_type``; ``use_t=False`` takes
    the normal, statsmodels' default for the robust ones). Without an intercept, R² is the
    uncentred one, as statsmodels and R report it.

    Below R's table, ``str()`` prints statsmodels' diagnostics: the log-likelihood and the
    information criteria, the condition number, and — when the rows were given to
    ``summary(X=X, y=y)`` — Durbin–Watson and the residuals' normality tests; R's residual
    quantiles above it. :meth:`t_test` and :meth:`f_test` test linear restrictions under the
    summary's covariance.

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
        ``"nonrobust"``, ``"HC0"`` … ``"HC3"``, ``"HAC"`` or ``"cluster"`` (the t tests then
        use the robust errors).
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
    use_t : bool
        Whether t, p and the intervals come from Student's t (True) or the normal.
    df_inference : int or None
        The degrees of freedom of t and F: ``df_resid``, or the clusters less one for
        ``cov_type="cluster"`` (statsmodels' ``df_correction``).
    cov_details : str
        HAC's lags, cluster's count of clusters ("" otherwise).
    llf, aic, bic : float or None
        statsmodels' log-likelihood of the normal linear model (NaN for an essentially
        perfect fit, as are the residuals' tests),
        :math:`-\frac n2(1 + \log\frac{2\pi}{n}) - \frac n2\log\sum_i w_i r_i^2 +
        \frac12\sum_i\log w_i`, and :math:`-2\ell + 2p`, :math:`-2\ell + p\log n`
        (:math:`p` counting the intercept, not :math:`\sigma`); rows of weight 0 are left
        out, as R's ``logLik`` does (statsmodels' would be :math:`-\infty`).
    condition_number : float or None
        The 2-norm condition number of the centred, column-scaled (weighted) design
        :math:`W^{1/2}[Z,\ 1]` — the matrix the fit solves with, whose condition bounds the
        digits the coefficients can lose. statsmodels' ``condition_number`` is of the raw
        design :math:`[1, X]`, which also counts the columns' units and offsets (x = 1.7e9 ±
        50 gives 1e9 there, yet loses no digit here): it equals ours on centred, standardized
        columns.
    vif : pandas.Series or None
        Variance inflation factors by feature (statsmodels' ``variance_inflation_factor``
        on the design with a constant; with the fit's weights, those of WLS):
        :math:`1/(1 - R_j^2)`, the factor by which collinearity inflates
        :math:`\mathrm{se}_j^2`. Without an intercept, :math:`R_j^2` is uncentred
        (``variance_inflation_factor(X, j, standardize=False)``: the inflation of the
        coefficients of a line through 0).
    durbin_watson, omnibus, omnibus_pvalue : float or None
    jarque_bera, jarque_bera_pvalue, skew, kurtosis : float or None
        statsmodels' tests of the residuals :math:`\sqrt{w_i}\,r_i` in the rows' order
        (``durbin_watson``, ``omni_normtest``, ``jarque_bera``; kurtosis is Pearson's, 3 for
        the normal); None unless the rows were given to ``summary``.
    residual_quantiles : pandas.Series or None
        R's Min, 1Q, Median, 3Q and Max of the residuals :math:`\sqrt{w_i}\,r_i` (type 7),
        exact however the rows were read; None unless the rows were given.
    weighted : bool
        Whether the weights vary (R then says "Weighted Residuals").

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
    >>> round(summary.llf, 4), round(summary.aic, 4)  # as statsmodels' OLS gives them
    (-6.5843, 17.1685)
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
    use_t: bool = True
    df_inference: int | None = None
    cov_details: str = ""
    llf: float | None = None
    aic: float | None = None
    bic: float | None = None
    condition_number: float | None = None
    vif: pd.Series | None = None
    durbin_watson: float | None = None
    omnibus: float | None = None
    omnibus_pvalue: float | None = None
    jarque_bera: float | None = None
    jarque_bera_pvalue: float | None = None
    skew: float | None = None
    kurtosis: float | None = None
    residual_quantiles: pd.Series | None = None
    weighted: bool = False
    _hypotheses: Any = field(default=None, repr=False, compare=False)

    def t_test(self, r_matrix, q=0.0) -> pd.DataFrame:
        r"""Test linear restrictions :math:`R\theta = q` one by one (statsmodels' ``t_test``).

        Parameters
        ----------
        r_matrix : array-like of shape (m, p) or (p,), or str
            A row per restriction over the parameters (the index of ``coef_table``:
            ``"intercept"`` first when fitted, then the features), or restrictions by name,
            ``"TV = radio, newspaper = 0"`` (terms ``[number *] name``, joined by + and −).
        q : float or array-like of shape (m,), default=0
            With an array ``r_matrix``; a string carries its own.

        Returns
        -------
        pandas.DataFrame
            A row per restriction, the columns of ``coef_table``: ``coef`` is
            :math:`R\hat\theta`, ``t_value`` and ``p_value`` test it against ``q`` under
            the summary's covariance (robust if it is), the interval is for
            :math:`R\theta`.

        Examples
        --------
        >>> from gdregress import AnalyticLeastSquares
        >>> from gdregress.datasets import load_tv_advertising
        >>> X, y = load_tv_advertising(return_X_y=True, as_frame=True, all_media=True)
        >>> summary = AnalyticLeastSquares().fit(X, y).summary()
        >>> summary.t_test("TV = radio")[["coef", "std_err", "t_value"]].round(4)
                      coef  std_err  t_value
        TV = radio -0.1428   0.0088 -16.2703
        """
        return self._tests().t_test(r_matrix, q, names=list(self.coef_table.index))

    def f_test(self, r_matrix, q=0.0):
        r"""Test linear restrictions :math:`R\theta = q` together (statsmodels' ``f_test``).

        :math:`F = (R\hat\theta - q)^\top (RVR^\top)^{-1} (R\hat\theta - q)/m` with
        :math:`V` the summary's covariance, against :math:`F(m, \nu)`.

        Parameters
        ----------
        r_matrix, q
            As for :meth:`t_test`.

        Returns
        -------
        FTestResult
            ``statistic``, ``pvalue``, ``df_num``, ``df_denom``, ``r_matrix``, ``q``.

        Examples
        --------
        >>> from gdregress import AnalyticLeastSquares
        >>> from gdregress.datasets import load_tv_advertising
        >>> X, y = load_tv_advertising(return_X_y=True, as_frame=True, all_media=True)
        >>> test = AnalyticLeastSquares().fit(X, y).summary().f_test([[0, 0, 1, 0], [0, 0, 0, 1]])
        >>> round(test.statistic, 2), test.pvalue < 1e-50
        (272.04, True)
        """
        return self._tests().f_test(r_matrix, q, names=list(self.coef_table.index))

    def _tests(self):
        if self._hypotheses is None:
            raise ValueError(
                "This summary was built by hand and holds no covariance factor for tests: "
                "take model.summary() for t_test and f_test."
            )
        return self._hypotheses

    def coefficient_lines(self) -> list[str]:
        """The table of coefficients as R prints it: a header, then a row per parameter."""
        table = self.coef_table
        labels = ["(Intercept)" if name == "intercept" else name for name in table.index]
        letter = "t" if self.use_t else "z"  # R's coeftest: z for the normal
        columns = {
            "Estimate": _decimal_column(table["coef"].to_numpy()),
            "Std. Error": _decimal_column(table["std_err"].to_numpy()),
            f"{letter} value": [_t_value(v) for v in table["t_value"]],
            f"Pr(>|{letter}|)": [_p_value(v) for v in table["p_value"]],
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
        df = self.df_resid if self.df_inference is None else self.df_inference
        return (
            f"F-statistic: {self.f_statistic:.4g} on {self.df_model} and {df} DF,  "
            f"p-value: {_p_value(self.f_pvalue, long=True)}{self._unconverged()}"
        )

    def residual_lines(self) -> list[str]:
        """R's block of the residuals' quantiles (none without the rows)."""
        quantiles = self.residual_quantiles
        if quantiles is None:
            return []
        values = _decimal_column(quantiles.to_numpy())
        width = max(map(len, [*quantiles.index, *values]))
        return [
            f"{'Weighted ' if self.weighted else ''}Residuals:",
            " ".join(f"{name:>{width}}" for name in quantiles.index),
            " ".join(f"{value:>{width}}" for value in values),
        ]

    def diagnostic_lines(
        self, without_rows: str = "summary(X=X, y=y) reads the residuals from the rows."
    ) -> list[str]:
        """statsmodels' second block: likelihood, information criteria, the residuals' tests
        and the condition number, in aligned columns; without the rows, ``without_rows``
        says how to get the tests."""
        tests = self.durbin_watson is not None
        rows = [
            [
                ("Log-Likelihood:", _f(self.llf, 2)),
                ("AIC:", _f(self.aic, 2)),
                ("BIC:", _f(self.bic, 2)),
            ],
        ]
        condition = ("Cond. No.:", _g(self.condition_number, 4, "#"))
        if tests:
            rows += [
                [
                    ("Durbin-Watson:", _f(self.durbin_watson)),
                    ("Omnibus:", _f(self.omnibus)),
                    ("Prob(Omnibus):", _f(self.omnibus_pvalue)),
                ],
                [
                    ("Skew:", _f(self.skew)),
                    ("Jarque-Bera (JB):", _f(self.jarque_bera)),
                    ("Prob(JB):", _f(self.jarque_bera_pvalue)),
                ],
                [("Kurtosis:", _f(self.kurtosis)), condition],
            ]
        else:
            rows.append([condition])
        columns = [[row[i] for row in rows if i < len(row)] for i in range(3)]
        labels = [max(len(label) for label, _ in column) + 1 for column in columns]
        values = [max(len(value) for _, value in column) for column in columns]
        lines = [
            "    ".join(
                f"{label:<{labels[i]}}{value:>{values[i]}}" for i, (label, value) in enumerate(row)
            )
            for row in rows
        ]
        lines.append("Cond. No. of the centred, column-scaled design.")
        if not tests:
            lines.append(f"Residual tests and quantiles: {without_rows}")
        return lines

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

    def _robust_words(self) -> str:
        if self.cov_type == "nonrobust":
            return ""
        details = f", {self.cov_details}" if self.cov_details else ""
        return f"{self.cov_type} standard errors{details}"

    def __str__(self) -> str:
        robust = f" ({self._robust_words()})" if self._robust_words() else ""
        residuals = self.residual_lines()
        r2_kind = "Multiple" if self.fit_intercept else "Multiple (uncentred)"
        notes = self.notes()
        return "\n".join(
            [
                f"{self.model_name}, {self.n_obs:,} observations",
                *(["", *notes] if notes else []),
                *(["", *residuals] if residuals else []),
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
                "",
                *self.diagnostic_lines(),
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
        diagnostics = pd.DataFrame(
            {"value": [getattr(self, name) for name in DIAGNOSTICS]},
            index=list(DIAGNOSTICS.values()),
        ).dropna()
        robust = f", {self._robust_words()}" if self._robust_words() else ""
        notes = "".join(f"<p><i>{note}</i></p>" for note in self.notes())
        quantiles = self.residual_quantiles
        number = lambda v: f"{v:.6g}"  # noqa: E731 - pandas' float_format
        return (
            f"<div><p><b>{self.model_name}</b>, {self.n_obs:,} observations{robust}</p>{notes}"
            + ("" if quantiles is None else quantiles.to_frame().T.to_html(float_format=number))
            + self.coef_table.to_html(float_format=number)
            + measures.to_html(float_format=number, header=False)
            + diagnostics.to_html(float_format=number, header=False)
            + "</div>"
        )


# The diagnostics' fields and their labels (the HTML table; the command's JSON keys).
DIAGNOSTICS = {
    "llf": "log-likelihood",
    "aic": "AIC",
    "bic": "BIC",
    "durbin_watson": "Durbin-Watson",
    "omnibus": "omnibus",
    "omnibus_pvalue": "p-value of omnibus",
    "jarque_bera": "Jarque-Bera",
    "jarque_bera_pvalue": "p-value of Jarque-Bera",
    "skew": "skew",
    "kurtosis": "kurtosis",
    "condition_number": "condition number (centred, scaled)",
}


def _f(value, decimals: int = 3) -> str:
    """A measure with ``decimals`` decimals, as statsmodels prints them; "NA" for None or
    NaN."""
    if value is None or not np.isfinite(value):
        return _g(value)
    return f"{value:.{decimals}f}"


def _g(value, digits: int = 4, flags: str = "") -> str:
    """A measure with ``digits`` significant digits (``flags="#"`` keeps trailing zeros);
    "NA" for None or NaN."""
    if value is None or not np.isfinite(value):
        return "NA" if value is None or np.isnan(value) else str(value)
    return f"{value:{flags}.{digits}g}"


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
