r"""What statsmodels prints under the coefficients, and R above them: the fit's diagnostics.

From the fit alone (its statistics, its R factor, its residual sum of squares):

- the log-likelihood of the normal linear model and the information criteria (statsmodels'
  ``llf``, ``aic``, ``bic``; for weights, WLS's, which adds :math:`\tfrac12\sum\log w_i`);
- the variance inflation factors (statsmodels' ``variance_inflation_factor`` on the design
  with a constant): :math:`1/(1 - R_j^2)` of each column regressed on the others;
- the condition number of the centred, column-scaled design.

From the residuals, read from the rows (statsmodels' ``wresid``: :math:`\sqrt{w_i}\,r_i`):
Durbin–Watson, the omnibus test of D'Agostino and Pearson, Jarque–Bera, skew and kurtosis,
and R's quantiles of the residuals. Each block of rows gives its count, mean and central
sums of powers (:class:`ResidualSums`), which merge exactly by the pairwise formulas of
Chan, Golub and LeVeque and of Pébay (2008); Durbin–Watson's sum of squared successive
differences adds, at each merge, the step between the last residual of one block and the
first of the next, so the rows must come in their order; the quantiles come from the
sketch of :mod:`gdregress._quantiles`, exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._quantiles import QuantileSketch

__all__ = [
    "QUANTILE_NAMES",
    "ResidualSums",
    "condition_number",
    "information_criteria",
    "normality_tests",
    "variance_inflation",
]

QUANTILE_NAMES = ("Min", "1Q", "Median", "3Q", "Max")


@dataclass(frozen=True)
class ResidualSums:
    r"""Mergeable sums of one run of residuals, per target (arrays of shape (t,)).

    Attributes
    ----------
    n : int
    mean : ndarray
    m2, m3, m4 : ndarray
        :math:`\sum_i (e_i - \bar e)^k`.
    first, last : ndarray
        The run's first and last residuals.
    steps : ndarray
        :math:`\sum_i (e_i - e_{i-1})^2` within the run.
    sketches : tuple of QuantileSketch
        One per target.
    """

    n: int
    mean: np.ndarray
    m2: np.ndarray
    m3: np.ndarray
    m4: np.ndarray
    first: np.ndarray
    last: np.ndarray
    steps: np.ndarray
    sketches: tuple

    @classmethod
    def of(cls, residuals: np.ndarray) -> ResidualSums:
        """The sums of one block of residuals, shape (n, t), rows in order."""
        n = len(residuals)
        mean = residuals.mean(axis=0) if n else np.zeros(residuals.shape[1])
        centred = residuals - mean
        squares = centred**2
        return cls(
            n=n,
            mean=mean,
            m2=squares.sum(axis=0),
            m3=(squares * centred).sum(axis=0),
            m4=(squares * squares).sum(axis=0),
            first=residuals[0] if n else mean,
            last=residuals[-1] if n else mean,
            steps=np.sum(np.diff(residuals, axis=0) ** 2, axis=0),
            sketches=tuple(QuantileSketch.of(column) for column in residuals.T),
        )

    def merge(self, later: ResidualSums) -> ResidualSums:
        """This run followed by ``later`` (Pébay's update of the central sums)."""
        if later.n == 0 or self.n == 0:
            return self if later.n == 0 else later
        a, b = self.n, later.n
        n = a + b
        delta = later.mean - self.mean
        m2 = self.m2 + later.m2 + delta**2 * a * b / n
        m3 = (
            self.m3
            + later.m3
            + delta**3 * a * b * (a - b) / n**2
            + 3 * delta * (a * later.m2 - b * self.m2) / n
        )
        m4 = (
            self.m4
            + later.m4
            + delta**4 * a * b * (a * a - a * b + b * b) / n**3
            + 6 * delta**2 * (a * a * later.m2 + b * b * self.m2) / n**2
            + 4 * delta * (a * later.m3 - b * self.m3) / n
        )
        return ResidualSums(
            n=n,
            mean=self.mean + delta * b / n,
            m2=m2,
            m3=m3,
            m4=m4,
            first=self.first,
            last=later.last,
            steps=self.steps + later.steps + (later.first - self.last) ** 2,
            sketches=tuple(x.merge(y) for x, y in zip(self.sketches, later.sketches, strict=True)),
        )

    def durbin_watson(self) -> np.ndarray:
        r""":math:`\sum_{i>1}(e_i - e_{i-1})^2 / \sum_i e_i^2` (statsmodels' ``durbin_watson``);
        the denominator is :math:`M_2 + n\bar e^2`, a sum of positive terms."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.steps / (self.m2 + self.n * self.mean**2)


def normality_tests(n: int, m2: float, m3: float, m4: float) -> dict[str, float]:
    r"""Skew, kurtosis, the omnibus test and Jarque–Bera from a sample's central sums.

    statsmodels' ``jarque_bera`` and ``omni_normtest`` (scipy's ``skew``, ``kurtosis``
    with ``fisher=False`` and ``normaltest``): :math:`S = m_3/m_2^{3/2}`,
    :math:`K = m_4/m_2^2` (:math:`m_k = M_k/n`), :math:`JB = \frac n6\left(S^2 +
    \frac{(K-3)^2}{4}\right)` against :math:`\chi^2_2`, and D'Agostino and Pearson's
    :math:`K^2 = Z(S)^2 + Z(K)^2` against :math:`\chi^2_2` (NaN below 8 rows, as there).
    """
    from scipy import stats as distributions

    with np.errstate(all="ignore"):  # inf, not an exception, from residuals near 1e-150
        second = np.float64(m2) / n
        spread = np.sqrt(second)  # divided one at a time: spread³ would underflow first
        skew = float(np.float64(m3) / n / spread / spread / spread) if m2 > 0 else math.nan
        kurtosis = float(np.float64(m4) / n / second / second) if m2 > 0 else math.nan
    jarque_bera = n / 6.0 * (skew**2 + (kurtosis - 3.0) ** 2 / 4.0)
    omnibus = math.nan
    if n >= 8 and math.isfinite(skew) and math.isfinite(kurtosis):
        omnibus = _skew_z(n, skew) ** 2 + _kurtosis_z(n, kurtosis) ** 2
    return {
        "omnibus": omnibus,
        "omnibus_pvalue": float(distributions.chi2.sf(omnibus, 2)),
        "jarque_bera": jarque_bera,
        "jarque_bera_pvalue": float(distributions.chi2.sf(jarque_bera, 2)),
        "skew": skew,
        "kurtosis": kurtosis,
    }


def _skew_z(n: int, skew: float) -> float:
    """D'Agostino's normal score of the sample skew (scipy's ``skewtest``)."""
    y = skew * math.sqrt((n + 1) * (n + 3) / (6.0 * (n - 2)))
    beta2 = (
        3.0 * (n * n + 27 * n - 70) * (n + 1) * (n + 3) / ((n - 2.0) * (n + 5) * (n + 7) * (n + 9))
    )
    w2 = -1 + math.sqrt(2 * (beta2 - 1))
    delta = 1 / math.sqrt(0.5 * math.log(w2))
    alpha = math.sqrt(2.0 / (w2 - 1))
    y = 1.0 if y == 0 else y
    return delta * math.log(y / alpha + math.sqrt((y / alpha) ** 2 + 1))


def _kurtosis_z(n: int, kurtosis: float) -> float:
    """Anscombe and Glynn's normal score of the sample kurtosis (scipy's ``kurtosistest``)."""
    expected = 3.0 * (n - 1) / (n + 1)
    variance = 24.0 * n * (n - 2) * (n - 3) / ((n + 1) * (n + 1.0) * (n + 3) * (n + 5))
    x = (kurtosis - expected) / math.sqrt(variance)
    root_beta1 = (
        6.0
        * (n * n - 5 * n + 2)
        / ((n + 7) * (n + 9))
        * math.sqrt(6.0 * (n + 3) * (n + 5) / (n * (n - 2) * (n - 3)))
    )
    a = 6.0 + 8.0 / root_beta1 * (2.0 / root_beta1 + math.sqrt(1 + 4.0 / root_beta1**2))
    denominator = 1 + x * math.sqrt(2 / (a - 4.0))
    if denominator == 0:
        return math.nan
    term = math.copysign(((1 - 2.0 / a) / abs(denominator)) ** (1 / 3), denominator)
    return (1 - 2 / (9.0 * a) - term) / math.sqrt(2 / (9.0 * a))


def information_criteria(
    log_rss: float, n: int, log_weight_sum: float, n_params: int
) -> tuple[float, float, float]:
    r"""statsmodels' ``llf``, ``aic`` and ``bic`` of a (weighted) least-squares fit.

    .. math::

        \ell = -\frac n2\left(1 + \log\frac{2\pi}{n}\right) - \frac n2 \log \mathrm{RSS}
        + \frac12\sum_i \log w_i, \qquad
        \mathrm{AIC} = -2\ell + 2p, \qquad \mathrm{BIC} = -2\ell + p\log n,

    with :math:`\mathrm{RSS} = \sum_i w_i r_i^2`, given by its logarithm (``log_rss``: the
    sum itself may leave float64's range where its log does not), and :math:`p` the
    parameters (the intercept counted; not :math:`\sigma`, as in statsmodels). The weights'
    scale cancels: :math:`\ell` is the same for :math:`cw`.
    """
    llf = -n / 2.0 * (1.0 + math.log(2.0 * math.pi / n)) - n / 2.0 * log_rss
    llf += 0.5 * log_weight_sum
    return llf, -2.0 * llf + 2.0 * n_params, -2.0 * llf + math.log(n) * n_params


def variance_inflation(fit) -> np.ndarray:
    r"""The variance inflation factor of each feature (active columns, in order).

    :math:`1/(1 - R_j^2)` of column :math:`j` regressed (with the fit's weights) on the
    others and the constant is the :math:`j`-th diagonal entry of the inverse of the
    columns' (weighted) correlation matrix, :math:`S\,[(A_v^\top W A_v)^{-1}]_{jj}` in the
    fit's centred, scaled coordinates, whose columns have :math:`\sum_i w_i z_{ij}^2 = S`:
    the squared norm of row :math:`j` of :math:`F L^{-\top}` (the covariance's exact inverse
    factor), as accurate as the standard errors. Without an intercept, the columns are not
    centred and :math:`R_j^2` is uncentred, as statsmodels computes it on a design without a
    constant and ``standardize=False`` (its default centres the columns first).
    """
    k = fit.coordinates.n_active
    rows = (fit.factor @ fit.whitener)[:k]
    return fit.stats.weight_sum * np.sum(rows**2, axis=1)


def condition_number(fit) -> float:
    r"""The 2-norm condition number of the centred, column-scaled (weighted) design
    :math:`W^{1/2}[Z,\ 1]`: :math:`\|R\|_2\,\|R^{-1}\|_2`, with the whitened factors (both
    norms of well-resolved matrices, so the number keeps its digits however large)."""
    return float(np.linalg.norm(fit.whitened_r, 2) * np.linalg.norm(fit.factor @ fit.whitener, 2))
