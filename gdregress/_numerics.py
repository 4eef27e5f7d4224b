"""The numerical constants and small helpers every route shares, each named and stated once.

Thresholds that decide a fit (which route, which rank, which columns are rescaled) live here
with the reason for their value, so that the in-memory, statistics-only and Dask routes cannot
drift apart.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse

__all__ = [
    "CONSTANT_COLUMN_TOLERANCE",
    "EPS",
    "FAST_ROUTE_MAX_CONDITION",
    "FLAT_CURVATURE",
    "SAFE_SQUARES",
    "SMALL_DATA_MAX_NUMBERS",
    "TINY",
    "UNSCALED_RANGE",
    "WEIGHT_RANGE",
    "column_magnitudes",
    "digits_lost",
    "exponent_of",
    "normalised_weights",
    "numerical_rank",
    "power_of_two_scale",
    "rank_tolerance",
    "require_positive_weight_sum",
    "safe_norm",
    "times_power_of_two",
]

EPS = float(np.finfo(np.float64).eps)
TINY = float(np.finfo(np.float64).tiny)

# The normal equations' error grows like eps·cond(C), C the column-scaled Gram matrix; at 1e4
# it keeps about 12 digits. Above it the accurate route takes over when the data is at hand.
FAST_ROUTE_MAX_CONDITION = 1e4

# Data in memory of at most this many numbers (rows × features) takes the accurate route
# whatever its condition: QR and refinement cost milliseconds at most there, and the normal
# equations lose up to 1.3 digits on small, moderately conditioned designs (a 40-row quadratic
# in x up to 3·10⁶; a 36-row line with y close to x) where QR keeps them.
SMALL_DATA_MAX_NUMBERS = 100_000

# Columns whose largest magnitude lies outside [2**-300, 2**300] (about 1e±90) are divided by
# a power of two before squaring: their squares and products would leave float64's range.
UNSCALED_RANGE = (2.0**-300, 2.0**300)

# Weights beyond [2**-256, 2**256] are divided by a power of two. Their products with the
# squares of columns (within 2**±600, by UNSCALED_RANGE) must stay inside float64's range
# with room for 2**40 rows: 2**(256 + 600 + 40) < 2**1024, 2**(-256 - 600) > 2**-1022. The
# cost is normalised by the weights' sum, so a common factor changes no fit.
WEIGHT_RANGE = (2.0**-256, 2.0**256)

# The largest exponent a power of two may have and stay finite (2**1023); frexp gives 1024
# for magnitudes from 2**1023 up to the largest float.
_MAX_EXPONENT = np.finfo(np.float64).maxexp - 1

# Sums of squares at least this large lose nothing to underflow (terms below the normal range
# add at most n·2**-1074 to them); finite ones lost nothing to overflow.
SAFE_SQUARES = 2.0**-900

# A constant column's weighted spread, as the one-pass sums compute it, is rounding: at most a
# few eps times its magnitude. A spread this small may also be that of a column that varies
# only in rows outweighed by 1e25 and more, so only the data can tell the two apart.
CONSTANT_COLUMN_TOLERANCE = 1e3 * EPS

# A symmetric matrix with unit diagonal (a correlation matrix, a Hessian in standardised
# coordinates) known to rounding has eigenvalues below FLAT_CURVATURE·p of its largest that
# are rounding, not curvature: p products of eps-accurate entries, with a margin of 1e4.
FLAT_CURVATURE = 1e-12


def safe_norm(v: np.ndarray) -> float:
    """The Euclidean norm of an array, without overflow or underflow of the squares.

    ``sqrt(v·v)`` when the sum of squares is safely inside float64's range (one dot product,
    as cheap as it gets for the short vectors of a descent); else ``m·‖v/m‖`` with
    ``m = max|v|``, so that a norm near 1e±200 is exact to rounding. NaN and inf propagate.
    The caller silences floating-point warnings (the dot product may overflow or underflow).

    Examples
    --------
    >>> with np.errstate(all="ignore"):
    ...     big, small = safe_norm(np.array([3e200, 4e200])), safe_norm(np.array([3e-200, 4e-200]))
    >>> round(big / 1e200, 12), round(small / 1e-200, 12)
    (5.0, 5.0)
    """
    # The descent calls this twice a step: skip asarray (0.1 µs) for what is an array already.
    v = v.ravel() if type(v) is np.ndarray else np.asarray(v).ravel()
    squares = float(v.dot(v))
    if SAFE_SQUARES <= squares < math.inf:
        return math.sqrt(squares)
    largest = float(np.max(np.abs(v), initial=0.0))
    if largest == 0.0 or not math.isfinite(largest):
        return largest
    v = v / largest
    return largest * math.sqrt(float(v.dot(v)))


def times_power_of_two(values, numerator, denominator) -> np.ndarray:
    """``values · numerator / denominator`` for powers of two, rounded once.

    Multiplying and dividing in turn can leave float64's range on the way (a slope of 1e-235
    times a y scale of 2**-300, before the division by an x scale of 2**-389 brings it back
    to 1e-208); ``ldexp`` adds the exponents first.

    Examples
    --------
    >>> float(times_power_of_two(1.0, 2.0**-300, 2.0**-389)) == 2.0**89
    True
    """
    exponent = np.frexp(numerator)[1] - np.frexp(denominator)[1]
    return np.ldexp(values, exponent)


def exponent_of(power_of_two) -> np.ndarray:
    """``k`` for each power of two ``2**k`` (exactly, whatever its size).

    Examples
    --------
    >>> exponent_of(np.array([1.0, 2.0**-1074, 2.0**1023]))
    array([    0, -1074,  1023], dtype=int32)
    """
    return np.frexp(power_of_two)[1] - 1


def column_magnitudes(block) -> np.ndarray:
    """The largest magnitude of each column of a block of rows, dense or sparse.

    NaN and inf are kept (a NaN column reports NaN), for the callers to refuse.

    Parameters
    ----------
    block : ndarray or scipy.sparse matrix of shape (k, d)

    Returns
    -------
    ndarray of shape (d,)
        ``max |block[:, j]|``, 0 for an empty block.
    """
    if scipy.sparse.issparse(block):
        return np.asarray(abs(block).max(axis=0).todense()).ravel()
    # Rows of a few columns are folded side by side into long ones (a view): numpy reduces a
    # block along its rows with one loop of d numbers per row, a folded one in a few long loops.
    k, d = block.shape
    fold = max(1, min(k, 512 // max(d, 1))) if block.flags.c_contiguous else 1
    whole = k - k % fold
    folded = np.max(np.abs(block[:whole].reshape(-1, fold * d)), axis=0, initial=0.0)
    rest = np.max(np.abs(block[whole:]), axis=0, initial=0.0)
    return np.maximum(folded.reshape(fold, d).max(axis=0), rest)


def power_of_two_scale(largest: np.ndarray) -> np.ndarray:
    """Per column, 1, or the power of two that brings its largest magnitude near 1.

    Only columns outside :data:`UNSCALED_RANGE` are scaled. Subnormal columns get the
    smallest normal power of two, 2**-1022, whose reciprocal is finite; their values, scaled
    up exactly, then lie near 2**-52..2**-1. Magnitudes of 2**1023 and more get 2**1023,
    the largest finite power of two, and lie in [1, 2).

    Examples
    --------
    >>> scale = power_of_two_scale(np.array([5.0, 1e200, 0.0]))
    >>> scale[[0, 2]], round(float(1e200 / scale[1]), 4)
    (array([1., 1.]), 0.6532)
    """
    largest = np.asarray(largest, dtype=np.float64)
    outside = (largest > 0) & ((largest < UNSCALED_RANGE[0]) | (largest > UNSCALED_RANGE[1]))
    exponent = np.frexp(np.where(outside, largest, 1.0))[1]
    # Magnitudes of 2**1023 and more are brought to [1, 2) by the largest finite power of two.
    exponent = np.clip(exponent, np.finfo(np.float64).minexp, _MAX_EXPONENT)
    return np.where(outside, np.ldexp(1.0, exponent), 1.0)


def normalised_weights(sample_weight: np.ndarray | None) -> tuple[np.ndarray | None, float]:
    """Weights divided by a power of two when they are extreme, and that power of two.

    The one place weights are normalised, for data in memory and for every block of a Dask
    collection alike: statistics record the factor (``weight_scale``) and merge blocks that
    used different ones exactly. Within :data:`WEIGHT_RANGE` the weights are returned as
    they are, with a factor of 1.

    Examples
    --------
    >>> w, scale = normalised_weights(np.array([2.0**1020, 2.0**1019]))
    >>> w, scale == 2.0**1021
    (array([0.5 , 0.25]), True)
    """
    if sample_weight is None:
        return None, 1.0
    largest = float(np.max(sample_weight, initial=0.0))
    if largest > WEIGHT_RANGE[1] or 0 < largest < WEIGHT_RANGE[0]:
        exponent = min(int(np.frexp(largest)[1]), _MAX_EXPONENT)
        # ldexp, not a product with 2**-e: for subnormal weights 2**-e itself overflows.
        return np.ldexp(sample_weight, -exponent), math.ldexp(1.0, exponent)
    return sample_weight, 1.0


def require_positive_weight_sum(weight_sum: float) -> None:
    """Refuse a fit whose rows all weigh 0: its cost, 0/0, is undefined."""
    if not weight_sum > 0:
        raise ValueError(
            "Sample weights must contain at least one non-zero number: the sum of the sample "
            "weights is 0 (the weights of all rows seen sum to 0), so the cost, an average "
            "weighted by them, is undefined. Give at least one row a positive weight."
        )


def rank_tolerance(n_rows: int, n_columns: int) -> float:
    """The relative size below which a singular value of a design is rounding.

    One rule for every route (a QR factor in memory, a tall-skinny QR on Dask, the square
    root of a Gram matrix's eigenvalues): :math:`\\max(n, p)\\,\\varepsilon` of the largest,
    numpy's ``matrix_rank`` default, applied to the centred, column-scaled design.

    Examples
    --------
    >>> rank_tolerance(1000, 3) == 1000 * EPS
    True
    """
    return max(int(n_rows), int(n_columns), 1) * EPS


def numerical_rank(
    singular_values: np.ndarray, n_rows: int, n_columns: int, *, from_gram: bool = False
) -> int:
    """The number of singular values above :func:`rank_tolerance` of the largest.

    Parameters
    ----------
    singular_values : ndarray
        Singular values of the centred, column-scaled design, any order.
    n_rows, n_columns : int
        The design's shape.
    from_gram : bool, default=False
        Whether they are square roots of a Gram matrix's eigenvalues, which are known only to
        about :math:`p\\,\\varepsilon` of the largest eigenvalue: there no singular value below
        :math:`\\sqrt{p\\,\\varepsilon}` of the largest can be told from 0, and the tolerance
        is raised to that (the same rule, at the resolution of the Gram matrix).

    Examples
    --------
    >>> numerical_rank(np.array([1.0, 1e-10, 1e-14]), n_rows=100, n_columns=3)
    2
    >>> numerical_rank(np.array([1.0, 1e-10, 1e-14]), n_rows=100, n_columns=3, from_gram=True)
    1
    """
    singular_values = np.asarray(singular_values, dtype=np.float64)
    if singular_values.size == 0:
        return 0
    tolerance = rank_tolerance(n_rows, n_columns)
    if from_gram:
        tolerance = max(tolerance, math.sqrt(max(int(n_columns), 1) * EPS))
    return int(np.sum(singular_values > tolerance * np.max(singular_values)))


def digits_lost(gram_condition: float) -> int:
    """Digits the normal equations may lose: log10(eps·cond(Gram)) + 16, between 0 and 16.

    Examples
    --------
    >>> digits_lost(1.0), digits_lost(1e10), digits_lost(float("inf"))
    (0, 10, 16)
    """
    if not np.isfinite(gram_condition):
        return 16
    return int(min(16, max(0, round(np.log10(gram_condition * EPS) + 16))))
