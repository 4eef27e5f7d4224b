"""The closed form: the point where every partial derivative of the cost vanishes.

Setting :math:`\\nabla_w L = 0` and :math:`\\partial L/\\partial b = 0` gives the normal
equations :math:`S_{xx} w = S_{xy}`, :math:`b = \\bar y - \\bar x \\cdot w` in the centred
statistics. Solving them from the statistics costs :math:`O(d^3)` and no pass over the data:
the fast route. But the normal equations square the condition number of the design, so when
the statistics say the centred, column-scaled design is ill-conditioned, the solution is
computed over the data instead (the accurate route): a QR factorisation of the centred,
scaled design, then Björck's iterative refinement of the augmented system
:math:`\\rho + A\\theta = y,\\ A^\\top W \\rho = 0` with its residuals computed in
double-double precision from the raw data. The refinement converges to the exact solution of
the float64 data whenever the scaled design's condition number is well below 1/eps.

A rank-deficient design has many solutions; its rank and solutions are found in the
column-scaled coordinates (where no column is negligible for being small), and of those the
one of least norm in the user's units is returned, as lstsq promises.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import scipy.linalg

from . import _compensated
from ._coordinates import Coordinates
from ._messages import find_stack_level
from ._numerics import (
    EPS,
    FAST_ROUTE_MAX_CONDITION,
    digits_lost,
    numerical_rank,
    require_positive_weight_sum,
)
from ._record import FitRecord
from ._sources import ArraySource, DataSource, Refinement, RFactor
from ._statistics import LeastSquaresStatistics
from .exceptions import IllConditionedWarning

__all__ = [
    "ACCURATE_ROWS_CONDITION",
    "FAST_ROUTE_MAX_CONDITION",
    "Route",
    "factor_gram",
    "solve_least_squares",
]

_MAX_REFINEMENTS = 10
# Above this condition number of R, rows times R⁻¹ in float64 lose more than three digits
# (eps·κ): they are computed in double-double, and the covariance's factor is refined.
ACCURATE_ROWS_CONDITION = 1e3
# Rows per chunk for the refined factor: temporaries of about 2¹⁶ numbers.
_ROWS_CHUNK_NUMBERS = 2**16


class Route:
    """The names of the routes, as ``solver_`` reports them."""

    NORMAL_EQUATIONS = "normal equations"
    REFINED_QR = "QR with refinement"
    TALL_SKINNY_QR = "tall-skinny QR"
    MINIMUM_NORM = "minimum norm"
    PSEUDO_INVERSE = "pseudo-inverse"
    # Over the data itself, for wide or sparse designs (gdregress._closed_form_operator):
    LSMR = "LSMR"
    SHORT_SIDE = "minimum norm by QR of the short side"
    SHORT_SIDE_NORMAL = "minimum norm by normal equations of the short side"


def solve_least_squares(
    stats: LeastSquaresStatistics,
    *,
    fit_intercept: bool = True,
    data: DataSource | tuple | None = None,
    accurate: str = "when ill-conditioned",
) -> FitRecord:
    """Minimise the half-MSE cost: solve the normal equations, accurately.

    Well-conditioned designs (centred, column-scaled condition number of the Gram matrix at
    most :data:`FAST_ROUTE_MAX_CONDITION`) are solved from the statistics by Cholesky. Worse
    ones ask the data source for the R factor of the design: in memory, QR and iterative
    refinement; on Dask, a tall-skinny QR. Rank-deficient designs get the minimum norm in the
    user's units, with the rank decided by :func:`~gdregress._numerics.numerical_rank` on
    every route.

    Parameters
    ----------
    stats : LeastSquaresStatistics
        Statistics of the data.
    fit_intercept : bool, default=True
        Whether to fit an intercept.
    data : DataSource or tuple (X, y, sample_weight), optional
        The data the statistics came from (a tuple is arrays in memory, y of shape
        (n, n_targets)). Without it an ill-conditioned design is solved from the statistics
        with an :class:`~gdregress.exceptions.IllConditionedWarning`.
    accurate : {"when ill-conditioned", "always"}, default="when ill-conditioned"
        When the accurate route over ``data`` is taken (the route plan's
        :attr:`~gdregress._cost_model.RoutePlan.accurate`; "always" for small data in memory).

    Returns
    -------
    FitRecord

    Examples
    --------
    >>> import numpy as np
    >>> from gdregress._statistics import compute_statistics
    >>> stats = compute_statistics(np.array([[1.0], [2.0], [3.0]]), np.array([2.0, 5.0, 3.0]))
    >>> solution = solve_least_squares(stats)
    >>> float(solution.coef[0, 0]), float(solution.intercept[0])
    (0.5, 2.3333333333333335)
    """
    require_positive_weight_sum(stats.weight_sum)
    if isinstance(data, tuple):
        data = ArraySource(*data)
    design = Coordinates.of_statistics(stats, fit_intercept)
    scaled = design.statistics(stats)  # the active columns, standardised
    correlation = (scaled.xx if fit_intercept else scaled.uncentred_xx()) / stats.weight_sum
    eigenvalues = np.linalg.eigvalsh(correlation) if design.active.any() else np.ones(1)
    # The Gram matrix's condition number is the square of the design's.
    condition = eigenvalues[-1] / eigenvalues[0] if eigenvalues[0] > 0 else np.inf
    # The plan sends small data in memory to the accurate route always (it costs milliseconds
    # there, and the normal equations lose up to a digit or so even on moderately conditioned
    # designs). A constant target is fitted exactly from the statistics (S_xy = 0: slopes 0).
    always = accurate == "always" and data is not None and bool(np.all(stats.yy > 0))
    if condition <= FAST_ROUTE_MAX_CONDITION and not always:
        solution = _from_statistics(stats, design, scaled, correlation, fit_intercept)
        solution = _with_condition(solution, np.sqrt(condition))
    elif data is not None:
        solution = _from_r_factor(stats, design, data.r_factor(design, stats), fit_intercept)
    else:
        warnings.warn(
            f"The design is ill-conditioned (condition number about {np.sqrt(condition):.3g} "
            "after centring and scaling the columns) and the data is not at hand, so the "
            "solution of the normal equations may have lost about "
            f"{digits_lost(condition)} of its 16 digits.",
            IllConditionedWarning,
            stacklevel=find_stack_level(),
        )
        solution = _from_statistics(
            stats, design, scaled, correlation, fit_intercept, eigenvalues=eigenvalues
        )
        solution = _with_condition(solution, np.sqrt(condition))
    # Columns divided by powers of two before squaring (beyond 1e±90) scale back exactly.
    coef, intercept = design.scaled_units_to_user(solution.coef, solution.intercept)
    if solution.coef_low is not None:
        solution = replace(solution, coef_low=design.units.coef_to_user(*solution.coef_low))
    # Every route's solution with an intercept passes through the means (Σ w ρ = 0).
    return replace(
        solution,
        coef=coef,
        intercept=intercept,
        centre=design.centre(stats.y_mean),
        coordinates=design,
        statistics=stats,
    )


def _with_condition(solution: FitRecord, condition: float) -> FitRecord:
    return replace(solution, condition_number=float(condition))


def _from_statistics(
    stats: LeastSquaresStatistics,
    design: Coordinates,
    scaled: LeastSquaresStatistics,
    correlation: np.ndarray,
    fit_intercept: bool,
    *,
    eigenvalues: np.ndarray | None = None,
) -> FitRecord:
    """The normal equations in the standardised coordinates, in the statistics' units.

    Without ``eigenvalues`` the design is well-conditioned: Cholesky. With them (an
    ill-conditioned design and no data) the rank is judged from the Gram matrix's
    eigenvalues and the minimum-norm solution taken: the pseudo-inverse.
    """
    rhs = (scaled.xy if fit_intercept else scaled.uncentred_xy()) / stats.weight_sum
    # With an intercept the standardised columns have mean 0, so its optimum is the mean of y.
    scaled_intercept = scaled.y_mean if fit_intercept else np.zeros(stats.n_targets)
    gram = stats.xx if fit_intercept else stats.uncentred_xx()
    singular_values = _singular_values_from_gram(gram, stats.n_rows, stats.x_scale)
    active = design.active
    if eigenvalues is None:
        scaled_coef = scipy.linalg.cho_solve(scipy.linalg.cho_factor(correlation), rhs)
        rank, route = int(active.sum()), Route.NORMAL_EQUATIONS
    else:
        root = np.sqrt(np.maximum(eigenvalues, 0.0))
        rank = numerical_rank(root, stats.n_rows, root.size, from_gram=True)
        sizes = _user_column_sizes(design.scale[active], stats.x_scale[active])
        scaled_coef = _minimum_norm_solution(correlation, rhs, rank, sizes)
        route = Route.PSEUDO_INVERSE
    coef, intercept = design.to_scaled_units(scaled_coef, scaled_intercept)
    return FitRecord(coef, intercept, route, rank=rank, singular_values=singular_values)


def _from_r_factor(
    stats: LeastSquaresStatistics, design: Coordinates, factor: RFactor, fit_intercept: bool
) -> FitRecord:
    """Solve from the R factor of the centred, scaled design, in the statistics' units.

    The rank and the condition number come from :math:`R` (of :math:`[Z,\\ 1]`), the
    singular values from its block :math:`R_Z`, alike on every route; a full-rank design is
    then refined over the rows where they are at hand (memory), else solved by one
    triangular solve (Dask's tall-skinny QR, with a warning where that loses digits).
    """
    active = design.active
    k = int(active.sum())
    shift, scale = design.shift[active], design.scale[active]
    r = factor.r_design
    r_singular = scipy.linalg.svdvals(r)
    # The ones column is a direction of its own (centred columns are orthogonal to it).
    rank = numerical_rank(r_singular, stats.n_rows, r.shape[1]) - int(fit_intercept)
    # The centred design in the user's units is Q·R_Z·diag(scale·x_scale): its singular values.
    singular_values = _with_zeros(
        _scaled_singular_values(r[:k, :k] * scale, stats.x_scale[active]), stats
    )
    y_shift = stats.y_mean if fit_intercept else np.zeros(stats.n_targets)
    rss = inverse_factor = coef_low = None
    if rank < k:
        # As lstsq on the centred design: the minimum norm of the coefficients alone, the
        # intercept then fitting the means.
        sizes = _user_column_sizes(scale, stats.x_scale[active])
        scaled_coef = _minimum_norm_solution(r[:, :k], factor.r_targets, rank, sizes)
        route, condition = Route.MINIMUM_NORM, np.inf
        coef, intercept = design.to_scaled_units(scaled_coef, y_shift)
    else:
        condition = float(r_singular[0] / r_singular[-1]) if k else 1.0
        if factor.refinement is not None:
            rows = factor.refinement
            coef_active, intercept, rss, lows = _refine(rows, shift, scale, fit_intercept)
            coef = np.zeros((stats.n_features, stats.n_targets))
            coef[active] = coef_active
            coef_low = np.zeros_like(coef)
            coef_low[active] = lows[0]
            coef_low = (coef_low, lows[1])
            route = Route.REFINED_QR
            if condition > ACCURATE_ROWS_CONDITION:  # for the covariance, as exact
                inverse_factor = factor_gram(design, rows.X, rows.weights, r)
        else:
            theta = scipy.linalg.solve_triangular(r, factor.r_targets)
            # With an intercept θ's last row corrects ȳ for the rounding of the centring.
            shifted = y_shift + theta[k] if fit_intercept else y_shift
            coef, intercept = design.to_scaled_units(theta[:k], shifted)
            route = Route.TALL_SKINNY_QR
            _warn_if_digits_lost(condition)
    if not fit_intercept:
        intercept = np.zeros(stats.n_targets)
    return FitRecord(
        coef,
        intercept,
        route,
        rank=rank,
        singular_values=singular_values,
        condition_number=condition,
        r_factor=r,
        residual_sum_of_squares=rss if rank == k else None,
        inverse_factor=inverse_factor,
        coef_low=coef_low,
    )


def factor_gram(design: Coordinates, X, weights, r):
    r"""The inverse factor :math:`F = R^{-1}` and the exact Gram matrix of the rows in it.

    :math:`R^{-1}` from Householder QR is the inverse factor of a design perturbed by
    rounding, so the covariance :math:`R^{-1}R^{-\top}` of an ill-conditioned design keeps
    only about :math:`16 - \log_{10}\kappa` digits. With :math:`U = A F` computed in
    double-double (:meth:`~gdregress._coordinates.Coordinates.rows_times`),
    :math:`N = U^\top W U` is within :math:`\varepsilon\kappa` of the identity and known to
    rounding, and :math:`(A^\top W A)^{-1} = F N^{-1} F^\top` to nearly every digit (one
    step of refinement of the inverse: Björck's corrected seminormal equations).

    Parameters
    ----------
    design : Coordinates
    X : ndarray of shape (n, k)
        The active columns, in the statistics' units.
    weights : ndarray of shape (n,) or None
    r : ndarray of shape (p, p)
        The R factor of the design in ``design``'s coordinates.

    Returns
    -------
    factor, gram : ndarray of shape (p, p)
        :math:`F` and :math:`N`.
    """
    p = r.shape[0]
    inverse = scipy.linalg.solve_triangular(r, np.eye(p))
    gram = np.zeros((p, p))
    rows = max(1, _ROWS_CHUNK_NUMBERS // max(p, 1))
    for start in range(0, X.shape[0], rows):
        u = design.rows_times(X[start : start + rows], inverse, accurate=True)
        weighted = u if weights is None else u * weights[start : start + rows, None]
        gram += weighted.T @ u
    return inverse, gram


def _warn_if_digits_lost(condition: float) -> None:
    """A QR without refinement loses about eps·cond of its digits: say so past the fast limit."""
    if condition > FAST_ROUTE_MAX_CONDITION:
        warnings.warn(
            f"The design is ill-conditioned (condition number about {condition:.3g} after "
            "centring and scaling the columns): the tall-skinny QR over the dask data may "
            f"have lost about {digits_lost(condition)} of its 16 digits.",
            IllConditionedWarning,
            stacklevel=find_stack_level(),
        )


def _singular_values_from_gram(gram: np.ndarray, n_rows: int, x_scale: np.ndarray) -> np.ndarray:
    """Singular values of the design whose Gram matrix is ``gram``, largest first.

    ``gram`` is that of the columns divided by ``x_scale``; the design in the user's units
    is that one times diag(x_scale), whose singular values those of √Λ·Vᵀ·diag(x_scale) are.
    """
    if np.all(x_scale == 1.0):
        singular_values = np.sqrt(np.maximum(np.linalg.eigvalsh(gram)[::-1], 0.0))
    else:
        eigenvalues, vectors = np.linalg.eigh(gram)
        root = np.sqrt(np.maximum(eigenvalues, 0.0))[:, None] * vectors.T
        singular_values = _scaled_singular_values(root, x_scale)
    return singular_values[: min(n_rows, gram.shape[0])]


def _scaled_singular_values(matrix: np.ndarray, column_scale: np.ndarray) -> np.ndarray:
    """Singular values of ``matrix · diag(column_scale)``, powers of two, largest first.

    The largest scale is taken out first and multiplied back last: a design whose singular
    values are beyond float64's range (columns near 1e308) reports them as inf, not NaN.
    """
    if column_scale.size == 0:
        return scipy.linalg.svdvals(matrix)
    largest = float(np.max(column_scale))
    with np.errstate(under="ignore"):  # columns 2**1074 below the largest count as 0
        values = scipy.linalg.svdvals(matrix * (column_scale / largest))
    with np.errstate(over="ignore"):
        return values * largest


def _with_zeros(active_singular_values: np.ndarray, stats: LeastSquaresStatistics) -> np.ndarray:
    """Pad with the zero singular values of the constant columns, as lstsq reports them."""
    padded = np.zeros(stats.n_features)
    padded[: active_singular_values.size] = np.sort(active_singular_values)[::-1]
    return padded[: min(stats.n_rows, stats.n_features)]


def _minimum_norm_solution(
    factor: np.ndarray, rhs: np.ndarray, rank: int, sizes: np.ndarray
) -> np.ndarray:
    r"""The least-squares solution of ``factor @ v ≈ rhs`` of least norm in the user's units.

    ``factor`` is a design with standardised columns (or its R factor, or its Gram matrix
    with ``rhs`` the cross-products) of the given ``rank``. Its SVD gives the solutions,
    :math:`C v = c` with :math:`C` the leading right singular vectors, without losing a
    column for being small in the user's units. Of those, the one returned minimises the
    norm of the user's coefficients :math:`w = v / \text{sizes}` (sizes: the columns'
    magnitudes in the user's units, up to a common factor), as lstsq would:
    :math:`v = \text{sizes} \odot u` with :math:`u` the minimum-norm solution of
    :math:`(C\,\mathrm{diag}(\text{sizes}))\,u = c`. Those columns differ in scale as the
    user's do, so they are factored by Householder QR with column pivoting and the rows
    sorted by size, which is accurate row by row (Powell and Reid; Cox and Higham): small
    columns keep their digits instead of being cut.

    Returns
    -------
    v : ndarray of shape (n_columns, n_targets)
    """
    u, singular, vt = scipy.linalg.svd(factor)
    c = (u[:, :rank].T @ rhs) / singular[:rank, None]
    solution = vt[:rank].T @ c  # the minimum norm in the standardised coordinates
    if rank in (0, vt.shape[0]):  # a single solution (or only 0)
        return solution
    order = np.argsort(-sizes, kind="stable")
    q, r, pivots = scipy.linalg.qr((vt[:rank] * sizes).T[order], mode="economic", pivoting=True)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        z = scipy.linalg.solve_triangular(r, c[pivots], trans="T")
        weighted = np.empty_like(solution)
        weighted[order] = sizes[order, None] * (q @ z)
    # Columns below 2**-1074 of the largest (sizes 0) in a relation of their own leave R
    # singular: the standardised minimum norm, a solution all the same, is kept then.
    return weighted if np.all(np.isfinite(weighted)) else solution


def _user_column_sizes(scale: np.ndarray, x_scale: np.ndarray) -> np.ndarray:
    """The magnitudes scale·x_scale of columns in the user's units, the largest near 1.

    Standardised coefficients divided by them are the user's; the common power of two they
    are divided by (their product may be beyond float64's range) changes no minimiser.
    """
    mantissa, exponent = np.frexp(np.asarray(scale, dtype=np.float64))
    exponent = exponent + np.frexp(np.asarray(x_scale, dtype=np.float64))[1]
    with np.errstate(under="ignore"):  # a column 2**-1074 below the largest counts as 0
        return np.ldexp(mantissa, exponent - exponent.max())


def _refine(rows: Refinement, shift: np.ndarray, scale: np.ndarray, fit_intercept: bool):
    r"""Björck's iterative refinement of the augmented least-squares system.

    The unknowns are the residual :math:`\rho` and the parameters :math:`\theta = (w, b)` of
    :math:`\rho + A\theta = y,\ A^\top W\rho = 0`, with :math:`A = [X, 1]` the raw design.
    Each step computes the residuals of both equations in double-double precision from the
    raw data and solves for the correction with the QR factors of the centred, scaled design
    :math:`A_c = W^{1/2} A T^{-1}`, where :math:`T` maps :math:`\theta` to the scaled
    parameters :math:`v = (\mathrm{scale} \odot w,\ b + \mathrm{shift}\cdot w)`.

    Returns the coefficients of the active columns, the intercept, the weighted sum of
    squares of the refined residuals per target, and what the float64 coefficients leave of
    the refined ones (their low parts), in the units of the statistics.
    """
    X, y, weights, root_weights, q, r = (
        rows.X,
        rows.y,
        rows.weights,
        rows.root_weights,
        rows.q,
        rows.r,
    )
    d = X.shape[1]
    t = y.shape[1]
    coef = np.zeros((d, t))
    intercept = np.zeros(t)
    # What the float64 parameters leave of the refined solution: kept, the solution is known
    # to about twice float64's precision (the robust covariances' residuals use it).
    coef_low, intercept_low = np.zeros((d, t)), np.zeros(t)
    rho = np.zeros_like(y)
    previous_size = np.inf
    for _ in range(_MAX_REFINEMENTS):
        f = _compensated.residual(y, X, coef, intercept, rho) - (X @ coef_low + intercept_low)
        g_coef = -_compensated.weighted_cross(X, weights, rho)
        # g' = T^{-T} g: the gradient residual in the scaled parameters.
        if fit_intercept:
            g_intercept = -_compensated.weighted_sum(weights, rho)
            g_scaled = np.vstack(
                [(g_coef - np.outer(shift, g_intercept)) / scale[:, None], g_intercept[None, :]]
            )
        else:
            g_scaled = g_coef / scale[:, None]
        f_scaled = f if root_weights is None else f * root_weights[:, None]
        h = scipy.linalg.solve_triangular(r, g_scaled, trans="T")
        d1 = q.T @ f_scaled
        dv = scipy.linalg.solve_triangular(r, d1 - h)
        d_rho = f_scaled - q @ (d1 - h)
        if root_weights is not None:
            d_rho /= root_weights[:, None]
        d_coef = dv[:d] / scale[:, None]
        d_intercept = dv[d] - shift @ d_coef if fit_intercept else np.zeros(t)
        coef, error = _compensated.two_sum(coef, d_coef)
        coef_low += error
        intercept, error = _compensated.two_sum(intercept, d_intercept)
        intercept_low += error
        rho += d_rho
        size = np.linalg.norm(dv)
        converged = np.all(np.abs(d_coef) <= 2 * EPS * np.abs(coef)) and np.all(
            np.abs(d_intercept) <= 2 * EPS * np.abs(intercept)
        )
        if converged or size > 0.5 * previous_size:
            break
        previous_size = size
    squares = rho * rho
    rss = np.sum(squares if weights is None else squares * weights[:, None], axis=0)
    return coef, intercept, rss, (coef_low, intercept_low)
