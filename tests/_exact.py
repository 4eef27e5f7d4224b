"""Exact reference solutions of least-squares problems, for the tests.

Every float64 number is a dyadic rational, so ``Fraction(float)`` converts the data exactly and
rational arithmetic gives the exact least-squares solution of the float64 data (no rounding
anywhere). That is practical for tiny problems; for bigger ones the same normal equations are
solved in mpmath at 100 significant digits, far beyond the squared condition number of any
design in the tests. Nothing here uses gdregress.

Import from a test module as ``from _exact import ...`` (pytest's default ``prepend`` import
mode puts ``tests/`` on ``sys.path``).
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np

__all__ = [
    "MAX_DIGITS",
    "correct_digits",
    "exact_lstsq",
    "exact_lstsq_mp",
    "exact_minimum_norm",
    "exact_statistics",
    "fractions_of",
    "rounded",
    "solve_fraction",
]

MAX_DIGITS = 17.0


def rounded(fraction: Fraction) -> float:
    """The float nearest to an exact rational (±inf beyond float64's range)."""
    try:
        return float(fraction)
    except OverflowError:
        return math.inf if fraction > 0 else -math.inf


def fractions_of(a) -> list:
    """The entries of an array as exact Fractions, nested like the array (1-D or 2-D)."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 1:
        return [Fraction(float(v)) for v in a]
    return [[Fraction(float(v)) for v in row] for row in a]


def _columns(X, fit_intercept):
    """Rows of the design as Fractions: ``(x, 1)`` with an intercept, ``x`` without."""
    rows = fractions_of(np.atleast_2d(np.asarray(X, dtype=np.float64)))
    return [[*row, Fraction(1)] if fit_intercept else row for row in rows]


def solve_fraction(A: list, b: list) -> list:
    """Solve the nonsingular square system ``A x = b`` exactly (Gauss-Jordan elimination).

    ``b`` may be a list of numbers or a list of rows (several right-hand sides).
    """
    n = len(A)
    several = isinstance(b[0], list)
    rhs = [list(row) if several else [row] for row in b]
    M = [list(A[i]) + rhs[i] for i in range(n)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if M[r][col] != 0), None)
        if pivot is None:
            raise ZeroDivisionError("singular system")
        M[col], M[pivot] = M[pivot], M[col]
        p = M[col][col]
        M[col] = [v / p for v in M[col]]
        for r in range(n):
            if r != col and M[r][col] != 0:
                factor = M[r][col]
                M[r] = [v - factor * u for v, u in zip(M[r], M[col], strict=True)]
    solution = [row[n:] for row in M]
    return solution if several else [row[0] for row in solution]


def exact_lstsq(X, y, sample_weight=None, fit_intercept=True) -> list:
    """The exact weighted least-squares solution of the float64 data, in Fractions.

    Returns ``[w_1, ..., w_d, b]`` with an intercept, ``[w_1, ..., w_d]`` without (one target).
    Solves the normal equations ``Σ wᵢ aᵢ aᵢᵀ θ = Σ wᵢ aᵢ yᵢ``, ``a = (x, 1)``, exactly.
    """
    A = _columns(X, fit_intercept)
    ys = fractions_of(np.asarray(y, dtype=np.float64).ravel())
    n = len(A)
    ws = [Fraction(1)] * n if sample_weight is None else fractions_of(sample_weight)
    p = len(A[0])
    gram = [[sum(ws[i] * A[i][j] * A[i][k] for i in range(n)) for k in range(p)] for j in range(p)]
    cross = [sum(ws[i] * A[i][j] * ys[i] for i in range(n)) for j in range(p)]
    return solve_fraction(gram, cross)


def exact_minimum_norm(X, y) -> list:
    """The minimum-norm solution of the underdetermined system ``X w = y``, in Fractions.

    ``X`` must have linearly independent rows (no intercept): then ``w = Xᵀ (X Xᵀ)⁻¹ y``
    solves the system exactly with the least Euclidean norm, what lstsq promises.
    """
    rows = _columns(X, fit_intercept=False)
    ys = fractions_of(np.asarray(y, dtype=np.float64).ravel())
    n, d = len(rows), len(rows[0])
    gram = [
        [sum(a * b for a, b in zip(rows[i], rows[j], strict=True)) for j in range(n)]
        for i in range(n)
    ]
    multipliers = solve_fraction(gram, ys)
    return [sum(rows[i][k] * multipliers[i] for i in range(n)) for k in range(d)]


def exact_lstsq_mp(X, y, sample_weight=None, fit_intercept=True, dps=100) -> list:
    """The least-squares solution of the float64 data to about ``dps`` digits, in mpmath.

    The data convert to mpmath exactly; the normal equations are formed and solved at ``dps``
    decimal digits, so the solution keeps about ``dps - 2·log10(cond)`` digits. Returns
    ``[w_1, ..., w_d, b]`` (``b`` only with an intercept) as ``mpmath.mpf``.
    """
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    y = np.asarray(y, dtype=np.float64).ravel()
    n = X.shape[0]
    with mpmath.workdps(dps):
        rows = [[mpmath.mpf(float(v)) for v in X[i]] for i in range(n)]
        if fit_intercept:
            rows = [[*row, mpmath.mpf(1)] for row in rows]
        ys = [mpmath.mpf(float(v)) for v in y]
        ws = (
            [mpmath.mpf(1)] * n
            if sample_weight is None
            else [mpmath.mpf(float(v)) for v in sample_weight]
        )
        p = len(rows[0])
        gram = mpmath.matrix(p, p)
        cross = mpmath.matrix(p, 1)
        for i in range(n):
            a, wi = rows[i], ws[i]
            for j in range(p):
                waj = wi * a[j]
                cross[j] += waj * ys[i]
                for k in range(j, p):
                    gram[j, k] += waj * a[k]
        for j in range(p):
            for k in range(j):
                gram[j, k] = gram[k, j]
        solution = mpmath.lu_solve(gram, cross)
        return [+solution[j] for j in range(p)]


def exact_statistics(X, y, sample_weight=None) -> dict:
    """The centred statistics of the data by a direct two-pass computation in Fractions.

    Returns a dict with ``weight_sum``, ``x_mean`` (d), ``y_mean`` (t), ``xx`` (d×d), ``xy``
    (d×t) and ``yy`` (t) as Fractions; ``y`` may be 1-D (one target) or 2-D.
    """
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    y = np.asarray(y, dtype=np.float64)
    Y = y.reshape(-1, 1) if y.ndim == 1 else y
    xs, ys = fractions_of(X), fractions_of(Y)
    n, d, t = X.shape[0], X.shape[1], Y.shape[1]
    ws = [Fraction(1)] * n if sample_weight is None else fractions_of(sample_weight)
    S = sum(ws)
    x_mean = [sum(ws[i] * xs[i][j] for i in range(n)) / S for j in range(d)]
    y_mean = [sum(ws[i] * ys[i][k] for i in range(n)) / S for k in range(t)]
    xc = [[xs[i][j] - x_mean[j] for j in range(d)] for i in range(n)]
    yc = [[ys[i][k] - y_mean[k] for k in range(t)] for i in range(n)]
    return {
        "weight_sum": S,
        "x_mean": x_mean,
        "y_mean": y_mean,
        "xx": [
            [sum(ws[i] * xc[i][j] * xc[i][k] for i in range(n)) for k in range(d)] for j in range(d)
        ],
        "xy": [
            [sum(ws[i] * xc[i][j] * yc[i][k] for i in range(n)) for k in range(t)] for j in range(d)
        ],
        "yy": [sum(ws[i] * yc[i][k] ** 2 for i in range(n)) for k in range(t)],
    }


def correct_digits(estimate, exact) -> float:
    """Correct significant digits of ``estimate``: ``-log10(|estimate − exact| / |exact|)``.

    Capped at :data:`MAX_DIGITS` (17, an exact match); 0 for a NaN or infinite estimate. The
    difference is taken in the exact value's arithmetic (Fraction or mpmath), so no rounding
    of the reference enters.
    """
    estimate = float(estimate)
    if not math.isfinite(estimate):
        return 0.0
    if isinstance(exact, Fraction):
        error = abs(Fraction(estimate) - exact)
        if error == 0:
            return MAX_DIGITS
        if exact == 0:
            return 0.0
        relative = error / abs(exact)
        digits = -(math.log10(relative.numerator) - math.log10(relative.denominator))
    else:
        with mpmath.workdps(max(mpmath.mp.dps, 60)):
            error = abs(mpmath.mpf(estimate) - exact)
            if error == 0:
                return MAX_DIGITS
            if exact == 0:
                return 0.0
            digits = float(-mpmath.log10(error / abs(exact)))
    return float(min(MAX_DIGITS, max(0.0, digits)))
