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
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse

from . import _compensated
from ._statistics import LeastSquaresStatistics
from .cost import ColumnScaling, column_scaling
from .exceptions import IllConditionedWarning

__all__ = ["LeastSquaresSolution", "solve_least_squares"]

_EPS = np.finfo(np.float64).eps

# The fast route's error grows like eps·cond(C), C the column-scaled Gram matrix; at 1e4 it
# keeps about 12 digits. Above it the accurate route takes over when the data is at hand.
FAST_ROUTE_MAX_CONDITION = 1e4

_MAX_REFINEMENTS = 10


@dataclass(frozen=True)
class LeastSquaresSolution:
    """The minimiser of the half-MSE cost and what was learned on the way.

    Attributes
    ----------
    coef : ndarray of shape (n_features, n_targets)
    intercept : ndarray of shape (n_targets,)
        Zeros without an intercept.
    rank : int
        Rank of the (centred, with an intercept) design.
    singular_values : ndarray
        Singular values of the (centred) weighted design, largest first.
    condition_number : float
        Condition number of the centred, column-scaled design (``inf`` when singular).
    route : str
        ``"normal equations"``, ``"QR with refinement"``, ``"minimum norm"`` or
        ``"pseudo-inverse"``.
    """

    coef: np.ndarray
    intercept: np.ndarray
    rank: int
    singular_values: np.ndarray
    condition_number: float
    route: str


def solve_least_squares(
    stats: LeastSquaresStatistics,
    *,
    fit_intercept: bool = True,
    data: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None = None,
) -> LeastSquaresSolution:
    """Minimise the half-MSE cost: solve the normal equations, accurately.

    Parameters
    ----------
    stats : LeastSquaresStatistics
        Statistics of the data.
    fit_intercept : bool, default=True
        Whether to fit an intercept.
    data : tuple (X, y, sample_weight), optional
        The data the statistics came from (y of shape (n, n_targets)). When given and the
        statistics show an ill-conditioned design, the accurate route runs over it; without
        it an ill-conditioned design is solved from the statistics with an
        :class:`~gdregress.exceptions.IllConditionedWarning`.

    Returns
    -------
    LeastSquaresSolution

    Examples
    --------
    >>> import numpy as np
    >>> from gdregress._statistics import compute_statistics
    >>> stats = compute_statistics(np.array([[1.0], [2.0], [3.0]]), np.array([2.0, 5.0, 3.0]))
    >>> solution = solve_least_squares(stats)
    >>> float(solution.coef[0, 0]), float(solution.intercept[0])
    (0.5, 2.3333333333333335)
    """
    if stats.weight_sum <= 0:
        raise ValueError(
            "Sample weights must contain at least one non-zero number: the weights of all "
            "rows seen sum to 0. Give at least one row a positive weight."
        )
    design = column_scaling(stats, fit_intercept)
    scaled = design.statistics(stats)  # the active columns, standardised
    correlation = (scaled.xx if fit_intercept else scaled.uncentred_xx()) / stats.weight_sum
    rhs = (scaled.xy if fit_intercept else scaled.uncentred_xy()) / stats.weight_sum
    # With an intercept the standardised columns have mean 0, so its optimum is the mean of y.
    scaled_intercept = scaled.y_mean if fit_intercept else np.zeros(stats.n_targets)
    eigenvalues = np.linalg.eigvalsh(correlation) if design.active.any() else np.ones(1)
    # The Gram matrix's condition number is the square of the design's.
    condition = eigenvalues[-1] / eigenvalues[0] if eigenvalues[0] > 0 else np.inf
    design_condition = np.sqrt(condition)
    gram = stats.xx if fit_intercept else stats.uncentred_xx()

    if condition <= FAST_ROUTE_MAX_CONDITION:
        scaled_coef = scipy.linalg.cho_solve(scipy.linalg.cho_factor(correlation), rhs)
        coef, intercept = design.to_user(scaled_coef, scaled_intercept)
        route = "normal equations"
        rank = int(design.active.sum())
        singular_values = _singular_values_from_gram(gram, stats.n_rows, stats.x_scale)
    elif data is not None:
        coef_active, intercept, rank, active_singular_values, route, design_condition = (
            _accurate_route(data, design, fit_intercept, stats)
        )
        coef = np.zeros((stats.n_features, stats.n_targets))
        coef[design.active] = coef_active
        if intercept is None:
            intercept = np.zeros(stats.n_targets)
        singular_values = _with_zeros(active_singular_values, stats)
    else:
        warnings.warn(
            f"The design is ill-conditioned (condition number about {design_condition:.3g} "
            "after centring and scaling the columns) and the data is not at hand, so the "
            "solution of the normal equations may have lost about "
            f"{_digits_lost(condition)} of its 16 digits.",
            IllConditionedWarning,
            stacklevel=3,
        )
        active = design.active
        scaled_coef, rank = _minimum_norm_solution(
            correlation,
            rhs,
            correlation.shape[0] * _EPS,
            _user_column_sizes(design.scale[active], stats.x_scale[active]),
        )
        coef, intercept = design.to_user(scaled_coef, scaled_intercept)
        route = "pseudo-inverse"
        singular_values = _singular_values_from_gram(gram, stats.n_rows, stats.x_scale)

    # Columns divided by powers of two before squaring (beyond 1e±90) scale back exactly.
    coef, intercept = stats.to_user_units(coef, intercept)
    return LeastSquaresSolution(
        coef=coef,
        intercept=intercept,
        rank=rank,
        singular_values=singular_values,
        condition_number=float(design_condition),
        route=route,
    )


def _digits_lost(gram_condition: float) -> int:
    """Digits the normal equations may lose: log10(eps·cond(Gram)) + 16, between 0 and 16."""
    if not np.isfinite(gram_condition):
        return 16
    return int(min(16, max(0, round(np.log10(gram_condition * _EPS) + 16))))


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
        singular_values = scipy.linalg.svdvals(root * x_scale)
    return singular_values[: min(n_rows, gram.shape[0])]


def _with_zeros(active_singular_values: np.ndarray, stats: LeastSquaresStatistics) -> np.ndarray:
    """Pad with the zero singular values of the constant columns, as lstsq reports them."""
    padded = np.zeros(stats.n_features)
    padded[: active_singular_values.size] = np.sort(active_singular_values)[::-1]
    return padded[: min(stats.n_rows, stats.n_features)]


def _minimum_norm_solution(
    factor: np.ndarray, rhs: np.ndarray, cutoff: float, sizes: np.ndarray
) -> tuple[np.ndarray, int]:
    r"""The least-squares solution of ``factor @ v ≈ rhs`` of least norm in the user's units.

    ``factor`` is a design with standardised columns (or its R factor, or its Gram matrix
    with ``rhs`` the cross-products). Its SVD gives the rank (singular values at or below
    ``cutoff`` times the largest are cut) and the solutions, :math:`C v = c` with :math:`C`
    the leading right singular vectors, without losing a column for being small in the
    user's units. Of those, the one returned minimises the norm of the user's coefficients
    :math:`w = v / \text{sizes}` (sizes: the columns' magnitudes in the user's units, up to
    a common factor), as lstsq would: :math:`v = \text{sizes} \odot u` with :math:`u` the
    minimum-norm solution of :math:`(C\,\mathrm{diag}(\text{sizes}))\,u = c`. Those
    columns differ in scale as the user's do, so they are factored by Householder QR with
    column pivoting and the rows sorted by size, which is accurate row by row (Powell and
    Reid; Cox and Higham): small columns keep their digits instead of being cut.

    Returns
    -------
    v : ndarray of shape (n_columns, n_targets)
    rank : int
    """
    u, singular, vt = scipy.linalg.svd(factor)
    rank = int(np.sum(singular > cutoff * singular[0])) if singular.size else 0
    c = (u[:, :rank].T @ rhs) / singular[:rank, None]
    solution = vt[:rank].T @ c  # the minimum norm in the standardised coordinates
    if rank in (0, vt.shape[0]):  # a single solution (or only 0)
        return solution, rank
    order = np.argsort(-sizes, kind="stable")
    q, r, pivots = scipy.linalg.qr((vt[:rank] * sizes).T[order], mode="economic", pivoting=True)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        z = scipy.linalg.solve_triangular(r, c[pivots], trans="T")
        weighted = np.empty_like(solution)
        weighted[order] = sizes[order, None] * (q @ z)
    # Columns below 2**-1074 of the largest (sizes 0) in a relation of their own leave R
    # singular: the standardised minimum norm, a solution all the same, is kept then.
    return (weighted if np.all(np.isfinite(weighted)) else solution), rank


def _user_column_sizes(scale: np.ndarray, x_scale: np.ndarray) -> np.ndarray:
    """The magnitudes scale·x_scale of columns in the user's units, the largest near 1.

    Standardised coefficients divided by them are the user's; the common power of two they
    are divided by (their product may be beyond float64's range) changes no minimiser.
    """
    mantissa, exponent = np.frexp(np.asarray(scale, dtype=np.float64))
    exponent = exponent + np.frexp(np.asarray(x_scale, dtype=np.float64))[1]
    with np.errstate(under="ignore"):  # a column 2**-1074 below the largest counts as 0
        return np.ldexp(mantissa, exponent - exponent.max())


def _accurate_route(
    data: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    design: ColumnScaling,
    fit_intercept: bool,
    stats: LeastSquaresStatistics,
) -> tuple[np.ndarray, np.ndarray | None, int, np.ndarray, str, float]:
    """Solve over the data: QR of the centred, scaled design and refinement, or minimum norm.

    Returns the coefficients of the active columns, the intercept, the rank, the singular
    values of the centred active design in the user's units, the route taken and the
    condition number of the scaled design (from its R factor, accurate where the Gram
    matrix's eigenvalues are not). Coefficients are those of the data divided by
    ``x_scale`` and ``y_scale``, the units of the statistics.
    """
    x_scale, y_scale = stats.x_scale, stats.y_scale
    X, y, weights = data
    if weights is not None:
        rows = weights > 0  # rows of weight 0 take no part in the cost
        X, y, weights = X[rows], y[rows], weights[rows]
        if np.all(weights == 1.0):
            weights = None
    X = X[:, design.active]
    # The accurate route works on a dense copy of the (active) design in any case.
    X = X.toarray() if scipy.sparse.issparse(X) else np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if np.any(x_scale != 1.0) or np.any(y_scale != 1.0):  # the statistics' units, exactly
        X = X / x_scale[design.active]
        y = y / y_scale
    shift = design.shift[design.active]
    scale = design.scale[design.active]
    root_weights = None if weights is None else np.sqrt(weights)

    scaled = (X - shift) / scale
    columns = [scaled, np.ones((X.shape[0], 1))] if fit_intercept else [scaled]
    A = np.hstack(columns)
    if root_weights is not None:
        A *= root_weights[:, None]
    q, r = np.linalg.qr(A)
    r_singular = scipy.linalg.svdvals(r)
    tolerance = max(A.shape) * _EPS * r_singular[0] if r_singular.size else 0.0
    rank = int(np.sum(r_singular > tolerance)) - int(fit_intercept)
    d = X.shape[1]
    # The centred design in the user's units is Q·R_Z·diag(scale): its singular values.
    singular_values = scipy.linalg.svdvals(r[:d, :d] * (scale * x_scale[design.active]))
    if rank < d:
        # As lstsq on the centred design: the minimum norm of the coefficients alone, the
        # intercept then fitting the means. The centred columns are Q·R[:, :d].
        targets = y - stats.y_mean if fit_intercept else y
        if root_weights is not None:
            targets = targets * root_weights[:, None]
        sizes = _user_column_sizes(scale, x_scale[design.active])
        v, _ = _minimum_norm_solution(r[:, :d], q.T @ targets, max(A.shape) * _EPS, sizes)
        coef = v / scale[:, None]
        intercept = stats.y_mean - shift @ coef if fit_intercept else None
        return coef, intercept, rank, singular_values, "minimum norm", np.inf
    condition = float(r_singular[0] / r_singular[-1])

    coef, intercept = _refine(X, y, weights, root_weights, q, r, shift, scale, fit_intercept)
    return coef, intercept, rank, singular_values, "QR with refinement", condition


def _refine(X, y, weights, root_weights, q, r, shift, scale, fit_intercept):
    r"""Björck's iterative refinement of the augmented least-squares system.

    The unknowns are the residual :math:`\rho` and the parameters :math:`\theta = (w, b)` of
    :math:`\rho + A\theta = y,\ A^\top W\rho = 0`, with :math:`A = [X, 1]` the raw design.
    Each step computes the residuals of both equations in double-double precision from the
    raw data and solves for the correction with the QR factors of the centred, scaled design
    :math:`A_c = W^{1/2} A T^{-1}`, where :math:`T` maps :math:`\theta` to the scaled
    parameters :math:`v = (\mathrm{scale} \odot w,\ b + \mathrm{shift}\cdot w)`.
    """
    d = X.shape[1]
    t = y.shape[1]
    coef = np.zeros((d, t))
    intercept = np.zeros(t)
    rho = np.zeros_like(y)
    previous_size = np.inf
    for _ in range(_MAX_REFINEMENTS):
        f = _compensated.residual(y, X, coef, intercept, rho)
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
        coef += d_coef
        intercept += d_intercept
        rho += d_rho
        size = np.linalg.norm(dv)
        converged = np.all(np.abs(d_coef) <= 2 * _EPS * np.abs(coef)) and np.all(
            np.abs(d_intercept) <= 2 * _EPS * np.abs(intercept)
        )
        if converged or size > 0.5 * previous_size:
            break
        previous_size = size
    return coef, (intercept if fit_intercept else None)
