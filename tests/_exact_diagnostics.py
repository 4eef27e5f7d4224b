"""Reference values of a fit's diagnostics, from the exact least-squares line, in mpmath.

The float64 data convert to mpmath exactly; the normal equations, the residuals and every
diagnostic (statsmodels' definitions, the weighted ones on the whitened rows √w·[1, x],
√w·y) are computed at 60 significant digits, far beyond what the designs of the tests lose
(cond² ≤ 1e20). Nothing here uses gdregress. The omnibus test is scipy's ``normaltest`` of
the exact residuals rounded to float64 (its formulas are smooth in the residuals: the rounding
moves it by about 1e-16).
"""

from __future__ import annotations

import mpmath
import numpy as np

__all__ = ["exact_diagnostics", "type7"]

DPS = 60


def type7(sorted_values, q):
    """R's type-7 quantile of sorted mpmath values."""
    h = (len(sorted_values) - 1) * mpmath.mpf(q)
    low = int(mpmath.floor(h))
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (h - low) * (sorted_values[high] - sorted_values[low])


def _whitened(X, y, w):
    n = len(y)
    weights = [mpmath.mpf(1)] * n if w is None else [mpmath.mpf(float(v)) for v in w]
    root = [mpmath.sqrt(v) for v in weights]
    rows = [[mpmath.mpf(1), *(mpmath.mpf(float(v)) for v in X[i])] for i in range(n)]
    A = mpmath.matrix([[root[i] * v for v in rows[i]] for i in range(n)])
    b = mpmath.matrix([root[i] * mpmath.mpf(float(y[i])) for i in range(n)])
    return weights, rows, A, b


def _sandwich(inverse, scores, lags=None, groups=None):
    """(AᵀWA)⁻¹ S (AᵀWA)⁻¹ with S of HAC (Bartlett, ``lags``) or of cluster sums."""
    n, p = len(scores), inverse.rows
    meat = mpmath.matrix(p, p)
    if groups is not None:
        sums = {}
        for i in range(n):
            sums[groups[i]] = sums.get(groups[i], mpmath.matrix(1, p)) + scores[i]
        for s in sums.values():
            meat += s.T * s
    else:
        for lag in range(lags + 1):
            weight = 1 - mpmath.mpf(lag) / (lags + 1)
            for i in range(lag, n):
                term = scores[i].T * scores[i - lag]
                meat += weight * (term if lag == 0 else term + term.T)
    return inverse * meat * inverse


def exact_diagnostics(X, y, w=None, *, maxlags=2, groups=None) -> dict:
    """Every diagnostic of the WLS (OLS) fit with an intercept, as mpmath numbers (lists for
    the per-row and per-feature ones; matrices ordered intercept first)."""
    import scipy.stats

    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    with mpmath.workdps(DPS):
        n, d = X.shape
        p = d + 1
        weights, rows, A, b = _whitened(X, y, w)
        inverse = (A.T * A) ** -1
        theta = inverse * (A.T * b)
        e = b - A * theta  # √w·r
        rss = mpmath.fsum(v**2 for v in e)
        positive = [v for v in weights if v > 0]
        m = len(positive)
        llf = (
            -mpmath.mpf(m) / 2 * (1 + mpmath.log(2 * mpmath.pi / m))
            - m / mpmath.mpf(2) * (mpmath.log(rss))
            + mpmath.fsum(mpmath.log(v) for v in positive) / 2
        )
        mean = mpmath.fsum(e) / n
        moments = [mpmath.fsum((v - mean) ** k for v in e) / n for k in (2, 3, 4)]
        skew = moments[1] / moments[0] ** 1.5
        kurtosis = moments[2] / moments[0] ** 2
        sigma2 = rss / (n - p)
        hat = [(A[i, :] * inverse * A[i, :].T)[0] for i in range(n)]
        internal = [e[i] / mpmath.sqrt(sigma2 * (1 - hat[i])) for i in range(n)]
        without = [(rss - e[i] ** 2 / (1 - hat[i])) / (n - p - 1) for i in range(n)]
        external = [e[i] / mpmath.sqrt(without[i] * (1 - hat[i])) for i in range(n)]
        S = mpmath.fsum(weights)
        means = [mpmath.fsum(weights[i] * rows[i][j] for i in range(n)) / S for j in range(1, p)]
        spreads = [
            mpmath.fsum(weights[i] * (rows[i][j + 1] - means[j]) ** 2 for i in range(n))
            for j in range(d)
        ]
        Z = mpmath.matrix(
            [
                [
                    mpmath.sqrt(weights[i]) * v
                    for v in (
                        *(
                            (rows[i][j + 1] - means[j]) / mpmath.sqrt(spreads[j] / S)
                            for j in range(d)
                        ),
                        1,
                    )
                ]
                for i in range(n)
            ]
        )
        singular = mpmath.svd_r(Z, compute_uv=False)
        scores = [A[i, :] * e[i] for i in range(n)]
        ranked = sorted(e)
        result = {
            "coef": [theta[j] for j in range(p)],
            "llf": llf,
            "aic": -2 * llf + 2 * p,
            "bic": -2 * llf + mpmath.log(m) * p,
            "durbin_watson": mpmath.fsum((e[i] - e[i - 1]) ** 2 for i in range(1, n)) / rss,
            "skew": skew,
            "kurtosis": kurtosis,
            "jarque_bera": n / mpmath.mpf(6) * (skew**2 + (kurtosis - 3) ** 2 / 4),
            "residual_quantiles": [type7(ranked, q) for q in (0, 0.25, 0.5, 0.75, 1)],
            "vif": [inverse[j + 1, j + 1] * spreads[j] for j in range(d)],
            "condition_number": max(singular) / min(singular),
            "hat": hat,
            "resid_studentized_internal": internal,
            "resid_studentized_external": external,
            "cooks_distance": [internal[i] ** 2 / p * hat[i] / (1 - hat[i]) for i in range(n)],
            "dffits": [external[i] * mpmath.sqrt(hat[i] / (1 - hat[i])) for i in range(n)],
            "cov": sigma2 * inverse,
            "HAC": _sandwich(inverse, scores, lags=maxlags),
        }
        if groups is not None:
            clusters = len(set(groups))
            correction = mpmath.mpf(clusters) / (clusters - 1) * (n - 1) / (n - p)
            result["cluster"] = correction * _sandwich(inverse, scores, groups=list(groups))
        omnibus = scipy.stats.normaltest(np.array([float(v) for v in e]))
        result["omnibus"] = mpmath.mpf(float(omnibus.statistic))
        return result
