"""Compensated (double-double) arithmetic on numpy arrays.

The accurate least-squares route refines its solution with residuals computed in about twice
the working precision. ``numpy.longdouble`` is 80-bit only on x86-64 Linux, so these use the
error-free transformations of Knuth (TwoSum) and Dekker (TwoProduct with Veltkamp's split),
which are exact in IEEE float64 on every platform (Ogita, Rump and Oishi, "Accurate sum and dot
product", SIAM J. Sci. Comput. 26, 2005).
"""

from __future__ import annotations

import numpy as np

# 2**27 + 1: Veltkamp's constant splitting a 53-bit significand into two 26-bit halves.
_SPLITTER = 134217729.0


def two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``s, e`` with ``s = fl(a + b)`` and ``s + e = a + b`` exactly."""
    s = a + b
    b_virtual = s - a
    e = (a - (s - b_virtual)) + (b - b_virtual)
    return s, e


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = _SPLITTER * a
    high = c - (c - a)
    return high, a - high


def two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``p, e`` with ``p = fl(a·b)`` and ``p + e = a·b`` exactly (barring underflow)."""
    p = a * b
    a_high, a_low = _split(a)
    b_high, b_low = _split(b)
    e = a_low * b_low - (((p - a_high * b_high) - a_low * b_high) - a_high * b_low)
    return p, e


def compensated_sum(terms: np.ndarray) -> np.ndarray:
    """Sum along axis 0 as accurately as in double-double precision.

    A pairwise tree of TwoSum: the partial sums stay in float64 and every rounding error is
    kept and added at the end, so the result is the exact sum up to a relative error of one
    rounding plus ``O(log n · eps²)`` of the sum of the magnitudes.
    """
    terms = np.asarray(terms, dtype=np.float64)
    errors = np.zeros(terms.shape[1:])
    while terms.shape[0] > 1:
        if terms.shape[0] % 2:
            terms = np.concatenate([terms, np.zeros((1, *terms.shape[1:]))])
        terms, e = two_sum(terms[0::2], terms[1::2])
        errors += e.sum(axis=0)
    return terms[0] + errors if terms.shape[0] else errors


def residual(
    y: np.ndarray, X: np.ndarray, coef: np.ndarray, intercept: np.ndarray, offset: np.ndarray
) -> np.ndarray:
    """``y − offset − X·coef − intercept`` row by row, in double-double precision.

    Parameters
    ----------
    y, offset : ndarray of shape (n, t)
    X : ndarray of shape (n, d)
    coef : ndarray of shape (d, t)
    intercept : ndarray of shape (t,)
    """
    total, error = two_sum(y, -offset)
    for j in range(X.shape[1]):
        product, product_error = two_product(X[:, j, None], -coef[j][None, :])
        total, e = two_sum(total, product)
        error += e + product_error
    total, e = two_sum(total, -np.broadcast_to(intercept, total.shape))
    return total + (error + e)


def weighted_cross(X: np.ndarray, weights: np.ndarray | None, r: np.ndarray) -> np.ndarray:
    """``Xᵀ·diag(weights)·r`` in double-double precision, shape (d, t).

    Parameters
    ----------
    X : ndarray of shape (n, d)
    weights : ndarray of shape (n,) or None (unit weights)
    r : ndarray of shape (n, t)
    """
    if weights is None:
        r_high, r_low = r, np.zeros_like(r)
    else:
        r_high, r_low = two_product(weights[:, None], r)
    out = np.empty((X.shape[1], r.shape[1]))
    for j in range(X.shape[1]):
        column = X[:, j, None]
        product, product_error = two_product(column, r_high)
        # column·r_low is of order eps·|column·r|: its own rounding is of order eps², negligible.
        out[j] = compensated_sum(np.concatenate([product, product_error + column * r_low]))
    return out


def weighted_sum(weights: np.ndarray | None, r: np.ndarray) -> np.ndarray:
    """``Σᵢ weightsᵢ·rᵢ`` down axis 0 in double-double precision, shape (t,)."""
    if weights is None:
        return compensated_sum(r)
    product, product_error = two_product(weights[:, None], r)
    return compensated_sum(np.concatenate([product, product_error]))


def centred_residual(
    y: np.ndarray,
    X: np.ndarray,
    point: np.ndarray,
    point_low: np.ndarray,
    coef: np.ndarray,
    value: np.ndarray,
) -> np.ndarray:
    """``y − value − (X − point − point_low)·coef`` row by row, in double-double precision.

    The residuals of a line given by its value at the (double-double) point ``point +
    point_low``: ``X − point`` is split exactly by TwoSum, so columns far from 0 against their
    spread lose nothing.

    Parameters
    ----------
    y : ndarray of shape (n, t)
    X : ndarray of shape (n, d)
    point, point_low : ndarray of shape (d,)
    coef : ndarray of shape (d, t)
    value : ndarray of shape (t,)
    """
    total, error = two_sum(y, -np.broadcast_to(value, y.shape))
    for j in range(X.shape[1]):
        dx, dx_error = two_sum(X[:, j, None], -point[j])
        product, product_error = two_product(dx, -coef[j][None, :])
        total, e = two_sum(total, product)
        # The small parts' products are of order eps·|dx·coef|: their own rounding is eps².
        error += e + product_error - (dx_error - point_low[j]) * coef[j][None, :]
    return total + error


def shifted_product(
    X: np.ndarray,
    shift: np.ndarray,
    scale: np.ndarray,
    matrix: np.ndarray,
    offset: np.ndarray,
) -> np.ndarray:
    """``((X − shift) / scale) @ matrix + offset`` with every entry accurate to about one
    rounding.

    ``X − shift`` is split exactly by TwoSum, its quotient by ``scale`` kept with its
    remainder (TwoProduct), and the products summed in double-double precision, so an entry
    keeps its digits however much the terms cancel: the rows of an ill-conditioned design
    times the inverse of its R factor (entries of 1e7 summing to 1) come out as accurately as
    the data allow, where float64 would leave them with eps·1e7.

    Parameters
    ----------
    X : ndarray of shape (n, k)
    shift, scale : ndarray of shape (k,)
    matrix : ndarray of shape (k, p)
    offset : ndarray of shape (p,)

    Returns
    -------
    ndarray of shape (n, p)
    """
    total = np.broadcast_to(np.asarray(offset, dtype=np.float64), (X.shape[0], matrix.shape[1]))
    error = np.zeros_like(total)
    for j in range(X.shape[1]):
        dx, dx_error = two_sum(X[:, j, None], -shift[j])
        z = dx / scale[j]
        # z·scale = dx − remainder exactly: the quotient's error is remainder / scale.
        product, product_error = two_product(z, np.full_like(z, scale[j]))
        z_error = ((dx - product) - product_error + dx_error) / scale[j]
        product, product_error = two_product(z, matrix[j][None, :])
        total, e = two_sum(total, product)
        # z_error·matrix is of order eps·|z·matrix|: its own rounding is of order eps².
        error += e + product_error + z_error * matrix[j][None, :]
    return total + error
