"""The closed form over the data itself, for wide or sparse designs: ∇L = 0 without d×d sums.

Two solvers, both on the :class:`~gdregress._operator.DesignOperator`:

* **LSMR** (Fong and Saunders; :mod:`gdregress._lsmr`) on the centred, column-scaled
  design: a Krylov method that reaches :math:`\\nabla L = 0` through matrix–vector products
  alone, one with :math:`M` and one with :math:`M^\\top` per iteration. It is run to full
  precision, not scikit-learn's loose 1e-6: until the relative optimality
  :math:`\\|M^\\top r\\| / (\\|M\\|_F \\|r\\|)`, measured at its answer, is at most
  1e-12 (it stops on the exact Frobenius norm, so it takes no iteration more than that
  needs). The column scaling makes the iteration count depend on the correlations of the
  columns, not on their units. From a zero start its iterates stay in the row space of the
  scaled design: a rank-deficient design gets the solution of least norm in the standardised
  coordinates (predictions are the same for every solution).
* **The short side** for dense designs with more features than rows: one Householder reflection
  takes out the centring's null direction; then the n×n normal equations :math:`AA^\\top z = b`,
  :math:`w = A^\\top z` (Cholesky, one step of refinement) when they are well conditioned, else QR
  of the centred, weighted design's transpose (:math:`A^\\top = QR`, :math:`R` n×n) and :math:`w = Q
  R^{-\\top} b` by substitution — or by the SVD of :math:`R` when LAPACK's condition estimate says
  it is near singular — the minimum-norm solution ``lstsq`` gives, in the user's units, at
  :math:`O(n^2 d)` instead of the :math:`O(d^3)` of a d×d Gram matrix.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from ._closed_form import Route
from ._coordinates import Coordinates
from ._lsmr import lsmr
from ._numerics import numerical_rank, rank_tolerance, require_positive_weight_sum
from ._operator import DesignOperator, gram_of_rows
from ._record import FitRecord
from ._threads import one_blas_thread

__all__ = ["KRYLOV_TOLERANCE", "solve_by_lsmr", "solve_over_data", "solve_short_side"]

# LSMR runs in the user's units while the column norms lie within this factor of each other
# (one-hot columns next to standardised numbers: about sqrt(n_categories)), else standardised.
MAX_UNSCALED_NORM_RATIO = 1e3

# The relative optimality ‖Mᵀr‖/(‖M‖_F‖r‖) LSMR's answer must measure.
KRYLOV_TOLERANCE = 1e-12
# Restarts of LSMR where its answer measures short of the tolerance.
_RESTARTS = 3
# The short side's normal equations are solved when LAPACK's estimate of 1/cond₁(AAᵀ) is above
# this (cond(A) below about 10⁴: one step of refinement then recovers ε·cond(A)); else QR.
_SHORT_SIDE_GRAM_RCOND = 1e-8


def solve_by_lsmr(design: DesignOperator, max_iter: int) -> tuple[FitRecord, bool]:
    """Least squares by LSMR on the centred, scaled design, one target at a time.

    Parameters
    ----------
    design : DesignOperator
        Centred (with an intercept) and standardised, without the intercept's column, with
        centred targets: the intercept then fits the means.
    max_iter : int
        Most LSMR iterations per target.

    Returns
    -------
    solution : FitRecord
        In the user's units; ``rank`` and ``singular_values`` are None (LSMR does not factor
        the design); ``condition_number`` is LSMR's estimate for the scaled design.
    converged : bool
        False when some target ran out of iterations before the tolerance.
    """
    n_targets = design.targets.shape[1]
    theta = np.zeros((design.n_parameters, n_targets))
    converged, condition = True, 1.0
    for t in range(n_targets):
        if design.n_parameters == 0 or not np.any(design.targets[:, t]):
            continue  # nothing to fit: all coefficients 0
        with one_blas_thread():
            theta[:, t], reached, estimate = _lsmr_to_full_precision(
                design, design.targets[:, t], max_iter
            )
        converged &= reached
        condition = max(condition, estimate)
    coordinates = Coordinates.of_operator(design)
    v, value = design.split(theta)
    coef, intercept = coordinates.to_user(v, value)
    solution = FitRecord(
        coef,
        intercept,
        Route.LSMR,
        coordinates=coordinates,
        centre=coordinates.centre(value),
        condition_number=condition,
        converged=bool(converged),
    )
    return solution, bool(converged)


def _lsmr_to_full_precision(design: DesignOperator, target: np.ndarray, max_iter: int):
    """LSMR until the relative optimality, measured, is within :data:`KRYLOV_TOLERANCE`.

    LSMR (:func:`gdregress._lsmr.lsmr`) stops on the exact :math:`\\|M\\|_F` but on its
    recurrences' :math:`\\|M^\\top r\\|`; so the residual and the gradient are computed at
    its answer (one product each). Short of the tolerance, LSMR goes on from there, on the
    remaining residual, with its tolerance tightened by the shortfall (at most
    :data:`_RESTARTS` times). A consistent system (a residual of rounding size) needs no
    optimality.

    Returns the solution, whether the tolerance was reached, and LSMR's condition estimate.
    """
    frobenius = np.sqrt(design.squared_frobenius())
    target_norm = float(np.linalg.norm(target))
    x, residual = np.zeros(design.n_parameters), target
    tolerance, iterations, condition = KRYLOV_TOLERANCE, 0, 1.0
    for _ in range(_RESTARTS + 1):
        result = lsmr(
            design.matvec,
            design.rmatvec,
            residual,
            design.n_parameters,
            frobenius=frobenius,
            tol=tolerance,
            max_iter=max(1, max_iter - iterations),
        )
        x, iterations = x + result.x, iterations + result.iterations
        condition = max(condition, result.condition)
        residual = target - design.matvec(x)
        residual_norm = float(np.linalg.norm(residual))
        gradient_norm = float(np.linalg.norm(design.rmatvec(residual)))
        bound = KRYLOV_TOLERANCE * frobenius * residual_norm
        consistent = residual_norm <= KRYLOV_TOLERANCE * (
            target_norm + frobenius * float(np.linalg.norm(x))
        )
        if gradient_norm <= bound or consistent:
            return x, True, condition
        if iterations >= max_iter:
            break
        tolerance *= max(0.01, 0.5 * bound / gradient_norm)
    return x, False, condition


def solve_short_side(design: DesignOperator) -> FitRecord:
    """The minimum-norm least-squares solution of a dense design with fewer rows than columns.

    ``design`` is centred (with an intercept), not standardised (so that the minimum norm is
    in the user's units), without the intercept's column, with centred targets.
    """
    A = design.dense_rows()  # the one copy of the design (times W^½, as the targets are)
    targets, root_weights = design.targets, design.root_weights
    if root_weights is not None:  # rows of weight 0 take no part
        rows = root_weights > 0
        A, targets, root_weights = A[rows], targets[rows], root_weights[rows]
    if A.shape[0] >= A.shape[1]:  # constant columns or weights of 0 left it tall: small
        u, singular, vt = scipy.linalg.svd(A, full_matrices=False)
        rank = numerical_rank(singular, A.shape[0], A.shape[1])
        theta = vt[:rank].T @ ((u[:, :rank].T @ targets) / singular[:rank, None])
        condition = float(singular[0] / singular[rank - 1]) if rank else 1.0
        route = Route.SHORT_SIDE
    else:
        if design.centred_targets:  # the centring's null row, taken out exactly
            A, targets = _without_centring_row(A, targets, root_weights)
        by_gram = _short_side_by_normal_equations(A, targets)
        if by_gram is not None:  # well conditioned: full row rank, no singular values
            (theta, condition), singular, rank = by_gram, None, A.shape[0]
            route = Route.SHORT_SIDE_NORMAL
        else:
            theta, singular, rank, condition = _short_side(A, targets)
            route = Route.SHORT_SIDE
    coordinates = Coordinates.of_operator(design)
    v, value = design.split(theta)
    coef, intercept = coordinates.to_user(v, value)
    singular_values = None
    if singular is not None:
        singular_values = np.zeros(min(design.n_rows, design.n_features))
        user_singular = singular * _common_column_scale(design)
        singular_values[: user_singular.size] = user_singular[: singular_values.size]
    return FitRecord(
        coef,
        intercept,
        route,
        coordinates=coordinates,
        centre=coordinates.centre(value),
        rank=rank,
        singular_values=singular_values,
        condition_number=condition,
    )


def _without_centring_row(A: np.ndarray, targets: np.ndarray, root_weights):
    """Rows 2… of HA and Ht, for the Householder reflection H that takes :math:`W^{1/2}1` to
    a multiple of :math:`e_1`.

    A centred design has :math:`(W^{1/2}1)^\\top A = 0` (and centred targets
    :math:`(W^{1/2}1)^\\top t = 0`): the first row of HA and of Ht is rounding, and the
    problem on the other n − 1 rows has the same solutions. Without this, R below would be
    singular by construction and the solution would need its SVD.
    """
    q = np.ones(A.shape[0]) if root_weights is None else np.asarray(root_weights, float)
    v = q.copy()
    v[0] += np.copysign(np.linalg.norm(q), q[0])
    v /= np.linalg.norm(v)
    # A ← A − 2v(vᵀA), in place (A is this solver's own copy; its transpose is Fortran-ordered).
    A = scipy.linalg.blas.dger(-2.0, A.T @ v, v, a=A.T, overwrite_a=True).T
    targets = targets - 2.0 * np.outer(v, v @ targets)
    return A[1:], targets[1:]


def _short_side_by_normal_equations(A: np.ndarray, targets: np.ndarray):
    """The minimum-norm solution :math:`A^\\top (AA^\\top)^{-1} t` of a well-conditioned wide A,
    by Cholesky of the n×n :math:`AA^\\top`, with one step of refinement; None when
    :math:`AA^\\top` is not well enough conditioned (then QR decides).

    The short side's normal equations, as the statistics route has the long side's: forming
    :math:`AA^\\top` is BLAS's symmetric rank-k product (measured: with its Cholesky a third
    of the time of QR of the 3,000 × 1,000 transpose). They lose about
    :math:`\\varepsilon\\,\\kappa(A)^2`; within :data:`_SHORT_SIDE_GRAM_RCOND` one step of
    refinement (the residual from A itself, solved with the same factor) brings the solution
    to the rounding of the products, :math:`\\varepsilon\\,\\kappa(A)`. The solution is
    :math:`A^\\top z`: in the row space of A, the minimum norm.

    Returns (solution (k, t), condition estimate of A) or None.
    """
    gram = gram_of_rows(A)
    norm_1 = float(np.max(np.abs(gram).sum(axis=0)))
    factor, info = scipy.linalg.lapack.dpotrf(gram, lower=False, overwrite_a=True)
    if info != 0:  # not positive definite: rank-deficient rows
        return None
    rcond, info = scipy.linalg.lapack.dpocon(factor, norm_1)
    if info != 0 or not rcond > _SHORT_SIDE_GRAM_RCOND:
        return None
    z = scipy.linalg.cho_solve((factor, False), targets, check_finite=False)
    theta = A.T @ z
    z = scipy.linalg.cho_solve((factor, False), targets - A @ theta, check_finite=False)
    return theta + A.T @ z, float(np.sqrt(1.0 / rcond))


def _short_side(A: np.ndarray, targets: np.ndarray):
    """The minimum-norm solution of a wide A (n < k) by QR of Aᵀ.

    Returns the solution (k, t), the singular values of A (None when R was well enough
    conditioned to be solved by substitution), its numerical rank and its condition number
    (estimated from R's 1-norm when the singular values were not computed).
    """
    # Aᵀ = QR, so A = RᵀQᵀ and the minimum-norm solution is Q R⁻ᵀ t. Q is kept as its
    # Householder reflectors and applied by LAPACK's ormqr: forming it explicitly (orgqr)
    # costs several times the factorisation.
    (reflectors, tau), r = scipy.linalg.qr(A.T, mode="raw", overwrite_a=True)
    n = r.shape[0]
    R = r[:n, :n]
    z = np.zeros((A.shape[1], targets.shape[1]))
    rcond, _ = scipy.linalg.lapack.dtrcon(R, norm="1", uplo="U", diag="N")
    # LAPACK's estimate of 1/cond₁(R) is within a factor of n of 1/cond₂ and rarely over it
    # by more than 10: above this bound no singular value is below the rank tolerance, and
    # substitution gives the minimum-norm solution (backward stable) at no SVD's cost.
    if rcond > 10 * n * rank_tolerance(*A.shape):
        z[:n] = scipy.linalg.solve_triangular(R, targets, trans="T", check_finite=False)
        singular, rank, condition = None, n, 1.0 / rcond
    else:
        u, singular, vt = scipy.linalg.svd(R)  # Rᵀ = V Σ Uᵀ
        rank = numerical_rank(singular, A.shape[0], A.shape[1])
        z[:n] = u[:, :rank] @ ((vt[:rank] @ targets) / singular[:rank, None])
        condition = float(singular[0] / singular[rank - 1]) if rank else 1.0
    theta, _, info = scipy.linalg.lapack.dormqr(
        "L", "N", reflectors, tau, z, lwork=max(1, 64 * z.shape[1])
    )
    if info != 0:  # pragma: no cover - LAPACK's argument checks
        raise RuntimeError(f"LAPACK's dormqr failed (info={info}).")
    return theta, singular, rank, condition


def _common_column_scale(design: DesignOperator) -> float:
    """The singular values of the user's design, from those of the scaled one, where all
    columns share one power of two (else those of the scaled design are reported)."""
    scales = design.x_scale[design.active]
    return float(scales[0]) if scales.size and np.all(scales == scales[0]) else 1.0


def solve_over_data(source, fit_intercept: bool, *, short_side: bool, max_iter: int):
    """The closed form on the operator route: the short side (dense, n < d) or LSMR.

    Parameters
    ----------
    source : ArraySource
    fit_intercept : bool
    short_side : bool
        Solve on the short side (dense designs with fewer rows than columns).
    max_iter : int
        LSMR's iteration limit per target (the route plan's ``max_iterations``).

    Returns
    -------
    solution : FitRecord
    converged : bool
    """
    design = source.operator(
        centre=fit_intercept,
        # Not standardised: from a zero start the iterates then stay in the row space of
        # the user's design, so a rank-deficient design gets lstsq's minimum norm in the
        # user's units, which decides the predictions for rows outside the fitted span
        # (one-hot rows of categories unseen in fit, with handle_unknown="ignore").
        standardize=False,
        with_intercept=False,
        centred_targets=fit_intercept,
    )
    require_positive_weight_sum(design.weight_sum)
    if short_side:
        return solve_short_side(design), True
    if design.column_norm_ratio() > MAX_UNSCALED_NORM_RATIO:
        # Columns of very different sizes would make LSMR's iterations depend on the units:
        # standardise them (the minimum norm of a rank-deficient design is then that of the
        # standardised coefficients).
        design = design.standardized()
    return solve_by_lsmr(design, max_iter)
