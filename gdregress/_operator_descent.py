"""Matrix-free gradient descent: the lecture's descent with the gradient computed from the data.

For wide or sparse designs the d×d statistics are out of reach, so every step computes the
gradient from the rows, :math:`\\nabla L = M^\\top (M\\theta - b) / S` with :math:`M` the
(standardised) :class:`~gdregress._operator.DesignOperator` — exactly the lecture's
:math:`\\tfrac1n X^\\top(Xw + b - y)`. The residual :math:`r = M\\theta - b` is carried from
step to step (:math:`r \\leftarrow r - \\alpha M g`, refreshed every
:data:`_REFRESH_EVERY` steps against drift), so that a step costs one product with :math:`M`
and one with :math:`M^\\top`, whichever the step rule, and the cost
:math:`L = \\|r\\|^2 / 2S` comes free.

* The curvature :math:`L_{max}` is the largest eigenvalue of :math:`M^\\top M / S`, estimated
  by a few Lanczos iterations on the operator (ARPACK's restarts, in
  :func:`scipy.sparse.linalg.eigsh`, cost several times more products for digits not needed). A
  fixed learning rate at or above :math:`2/L_{max}` is refused before the first step, as on
  the statistics route; a cost that rises for :data:`_PATIENCE` steps in a row is divergence.
* ``learning_rate="auto"`` takes the exact line-search step :math:`g^\\top g / \\|Mg\\|^2 S`:
  the best fixed step needs the smallest curvature too, which costs far more to estimate,
  while the exact step costs nothing extra here (:math:`Mg` updates the residual anyway).
* It stops when the relative optimality :math:`\\|M^\\top r\\| / (\\|M\\|_F \\|r\\|)` of every
  target is at most ``tol`` (or the residual is 0): without :math:`\\lambda_{min}`, the
  bound on the coefficients that the statistics route uses is not at hand.
* ``path`` keeps at most :data:`PATH_BUDGET` numbers, and no more than X stores: past
  that, every other kept iterate is dropped and the stride doubles (the first and last
  iterates are always kept), and ``path_iterations`` says which iterations the rows are.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import OptimizeResult
from sklearn.exceptions import ConvergenceWarning

from ._coordinates import Coordinates
from ._descent import (
    DescentSettings,
    check_start_shape,
    divergence_error,
    warn_stopped,
)
from ._messages import find_stack_level, shortest
from ._numerics import EPS, require_positive_weight_sum
from ._operator import DesignOperator, one_blas_thread
from ._record import DescentHistory, FitRecord
from .optimize import DescentStatus

__all__ = ["MATRIX_FREE", "ON_THE_SHORT_SIDE", "PATH_BUDGET", "descend_on_operator"]

# The two ways of taking the steps, as ``solver_`` names them.
MATRIX_FREE = "matrix-free descent"
ON_THE_SHORT_SIDE = "descent on the short side"

# Numbers of path_ kept at most (80 MB): 10⁵ coefficients get 100 iterates.
PATH_BUDGET = 10_000_000
_REFRESH_EVERY = 50
_PATIENCE = 5
# Lanczos for L_max: steps at most, and the relative change of the estimate at which it
# stops. The estimate is from below: a fixed rate within that margin above the true limit is
# not refused before the first step, and the rising cost then stops it. The exact step needs
# L_max for nothing but max_curvature_: a change of 1e-3 per step (within 0.5% of L_max on
# the benchmark designs) saves a third of the products.
_LANCZOS_STEPS = 30
_LANCZOS_TOL = 1e-4
_LANCZOS_TOL_REPORTED = 1e-3


def descend_on_operator(
    design: DesignOperator, settings: DescentSettings, start=None, *, on_rows: bool = False
) -> FitRecord:
    """Minimise the cost over ``design`` by matrix-free gradient descent.

    Parameters
    ----------
    design : DesignOperator
        With the intercept's column when the fit has one, uncentred targets.
    settings : DescentSettings
    start : tuple (coef (n_features, n_targets), intercept (n_targets,)), optional
        A warm start in the user's units.
    on_rows : bool, default=False
        Take the steps through the n×n matrix :math:`G = MM^\\top` (a dense design with
        fewer rows than columns: see :class:`_RowCoefficients`). The iterates are the same.

    Returns
    -------
    FitRecord

    Raises
    ------
    DivergenceError
        For a fixed learning rate at or above 2/L_max, or a cost that keeps rising.
    """
    require_positive_weight_sum(design.weight_sum)
    coordinates = Coordinates.of_operator(design)
    theta = (
        np.zeros((design.n_parameters, design.targets.shape[1]))
        if start is None
        else design.join(*coordinates.from_user(*_checked_start(design, start)))
    )
    # Before BLAS is held to one thread: G = MMᵀ is a matrix product worth all cores.
    coefficients = (_RowCoefficients if on_rows else _Coefficients)(design, theta)
    with one_blas_thread():
        return _descend(design, settings, coefficients)


def _descend(design: DesignOperator, settings: DescentSettings, coefficients) -> FitRecord:
    fixed = None if settings.learning_rate in ("auto", "exact") else float(settings.learning_rate)
    max_curvature = _max_curvature(
        coefficients.hessian(), _LANCZOS_TOL if fixed else _LANCZOS_TOL_REPORTED
    )
    if fixed is not None and fixed * max_curvature >= 2.0:
        raise divergence_error(
            settings,
            fixed,
            max_curvature,
            "Refused before the first step: at or above 2/L_max the error along the "
            "steepest direction cannot shrink.",
        )
    run = _Run(design, settings, fixed, max_curvature)
    run.descend(coefficients)
    return run.solution()


class _Coefficients:
    """θ itself: each step one product with :math:`M^\\top` (the gradient) and one with M
    (the curvature along it, and the residual's update)."""

    route = MATRIX_FREE

    def __init__(self, design: DesignOperator, theta: np.ndarray) -> None:
        self.design, self.theta = design, theta
        self.gradient = np.zeros_like(theta)

    def hessian(self):
        """:math:`M^\\top M / S`, whose largest eigenvalue is :math:`L_{max}`."""
        return self.design.gram_operator()

    def residual(self) -> np.ndarray:
        return self.design.matvec(self.theta) - self.design.targets

    def observe(self, residual: np.ndarray) -> np.ndarray:
        """Take the gradient at the current θ; return its squared norm per target."""
        self.gradient = self.design.rmatvec(residual) / self.design.weight_sum
        return np.sum(self.gradient * self.gradient, axis=0)

    def direction(self) -> np.ndarray:
        """:math:`Mg`: how a unit step along the gradient changes the residual."""
        return self.design.matvec(self.gradient)

    def move(self, step: float) -> None:
        self.theta = self.theta - step * self.gradient

    def current(self) -> np.ndarray:
        return self.theta

    def snapshot(self) -> np.ndarray:
        return self.theta.copy()

    def formed(self, snapshots: list[np.ndarray]) -> list[np.ndarray]:
        return snapshots


class _RowCoefficients:
    """θ = θ₀ + Mᵀa for a dense design with fewer rows than columns.

    Every gradient :math:`M^\\top r / S` lies in the row space of M, so the iterates are
    :math:`\\theta_0 + M^\\top a` with a of n numbers; a step :math:`\\theta \\leftarrow
    \\theta - \\alpha M^\\top r / S` is :math:`a \\leftarrow a - \\alpha r / S`, and all it
    needs of the data is :math:`G r` with :math:`G = MM^\\top` (n×n): the gradient's norm
    :math:`\\sqrt{r^\\top G r} / S` and the residual's change :math:`Gr / S`. A step costs
    :math:`2n^2` instead of :math:`4nd`; θ itself is formed only when asked for (a callback's
    block, the path at the end: one product with :math:`M^\\top` for all kept iterates).
    The iterates are those of :class:`_Coefficients`, to rounding.
    """

    route = ON_THE_SHORT_SIDE

    def __init__(self, design: DesignOperator, theta: np.ndarray) -> None:
        self.design, self.theta0 = design, theta
        self.gram = design.row_gram()
        self.offset = design.matvec(theta) - design.targets  # the residual at a = 0
        self.a = np.zeros_like(self.offset)
        self.product = self.last_residual = self.a

    def hessian(self):
        """:math:`MM^\\top / S`: its nonzero eigenvalues are those of :math:`M^\\top M / S`."""
        return self.gram / self.design.weight_sum

    def residual(self) -> np.ndarray:
        return self.offset + self.gram @ self.a

    def observe(self, residual: np.ndarray) -> np.ndarray:
        self.last_residual, self.product = residual, self.gram @ residual
        squared = np.sum(residual * self.product, axis=0) / self.design.weight_sum**2
        return np.maximum(squared, 0.0)  # rᵀGr ≥ 0; rounding may dip below at the minimum

    def direction(self) -> np.ndarray:
        return self.product / self.design.weight_sum

    def move(self, step: float) -> None:
        self.a = self.a - (step / self.design.weight_sum) * self.last_residual

    def current(self) -> np.ndarray:
        return self.theta0 + self.design.rmatvec(self.a)

    def snapshot(self) -> np.ndarray:
        return self.a.copy()

    def formed(self, snapshots: list[np.ndarray]) -> list[np.ndarray]:
        t = self.theta0.shape[1]
        thetas = self.design.rmatvec(np.concatenate(snapshots, axis=1))
        return [self.theta0 + thetas[:, k * t : (k + 1) * t] for k in range(len(snapshots))]


class _Run:
    """One descent: the loop and what it records."""

    def __init__(self, design, settings, fixed, max_curvature) -> None:
        self.design, self.settings, self.fixed = design, settings, fixed
        self.coordinates = Coordinates.of_operator(design)
        self.max_curvature = max_curvature
        self.frobenius = np.sqrt(design.squared_frobenius())
        self.losses: list[float] = []  # in the operator's units, for the divergence rule
        self.target_losses: list[np.ndarray] = []
        self.gradient_norms: list[float] = []
        self.steps: list[float] = []
        self.kept: list[np.ndarray] = []
        self.kept_at: list[int] = []
        # At most PATH_BUDGET numbers, and no more than X stores: the path never outweighs it.
        budget = min(PATH_BUDGET, max(design.nnz, 1))
        capacity = budget // max(1, (design.n_features + 1) * design.targets.shape[1])
        self.capacity, self.stride = max(capacity, 4), 1
        self.status = DescentStatus.MAX_ITER
        self.route = MATRIX_FREE

    def descend(self, coefficients) -> None:
        settings, monitor = self.settings, self.settings.monitor
        self.route = coefficients.route
        callback = None if monitor is None else monitor.watch(coefficients.current(), self._to_user)
        residual = coefficients.residual()
        squared_gradients = coefficients.observe(residual)
        rising = 0
        for iteration in range(settings.max_iter + 1):
            if callback is not None and iteration and iteration % monitor.every == 0:
                try:  # the callbacks' block of iterations ends here
                    callback(OptimizeResult(x=coefficients.current(), nit=iteration))
                except StopIteration:
                    self.status = DescentStatus.STOPPED
                    losses = self._target_losses(residual)
                    self._record(iteration, coefficients, losses, squared_gradients)
                    break
            per_target = self._target_losses(residual)
            loss = float(np.sum(per_target))
            self._record(iteration, coefficients, per_target, squared_gradients)
            if iteration and self.losses[-1] > self.losses[-2] and self.fixed is not None:
                rising += 1
            else:
                rising = 0
            if not np.isfinite(loss) or rising >= _PATIENCE:
                self.status = DescentStatus.DIVERGED
                break
            if settings.tol is not None and self._optimal(residual, squared_gradients):
                self.status = DescentStatus.CONVERGED
                break
            if iteration == settings.max_iter:
                if settings.tol is None:
                    self.status = DescentStatus.CONVERGED
                break
            direction = coefficients.direction()
            step = self._step(squared_gradients, direction)
            coefficients.move(step)
            if (iteration + 1) % _REFRESH_EVERY == 0:
                residual = coefficients.residual()
            else:
                residual = residual - step * direction
            squared_gradients = coefficients.observe(residual)
        self.n_iter = iteration
        if self.kept_at[-1] != iteration:
            self.kept.append(coefficients.snapshot())
            self.kept_at.append(iteration)
        self.kept = coefficients.formed(self.kept)
        self.theta = self.kept[-1]
        if monitor is not None:
            monitor.close(self.theta, iteration)

    def _to_user(self, theta: np.ndarray):
        """θ as coefficients (n_features, t) and intercepts (t,) in the user's units."""
        return self.coordinates.to_user(*self.design.split(theta))

    def _target_losses(self, residual: np.ndarray) -> np.ndarray:
        """The cost of each target, in the operator's units."""
        return np.sum(residual * residual, axis=0) / (2 * self.design.weight_sum)

    def _step(self, squared_gradients: np.ndarray, direction: np.ndarray) -> float:
        if self.fixed is not None:
            return self.fixed
        curvature = float(np.sum(direction * direction)) / self.design.weight_sum
        squared = float(np.sum(squared_gradients))
        if squared == 0.0:  # at the minimum (or nothing to descend): no step to take
            step = 0.0
        else:
            step = squared / curvature if curvature > 0 else 1.0 / self.max_curvature
        self.steps.append(step)
        return step

    def _optimal(self, residual: np.ndarray, squared_gradients: np.ndarray) -> bool:
        """Relative optimality within tol for every target (or an exact fit)."""
        residual_norms = np.linalg.norm(residual, axis=0)
        gradient_norms = np.sqrt(squared_gradients) * self.design.weight_sum
        target_norms = np.linalg.norm(self.design.targets, axis=0)
        tolerance = max(self.settings.tol, 8 * EPS)
        fitted = residual_norms <= 8 * EPS * target_norms
        return bool(
            np.all(fitted | (gradient_norms <= tolerance * self.frobenius * residual_norms))
        )

    def _record(self, iteration: int, coefficients, per_target, squared_gradients) -> None:
        self.losses.append(float(np.sum(per_target)))
        self.target_losses.append(per_target)
        self.gradient_norms.append(float(np.sqrt(np.sum(squared_gradients))))
        if iteration % self.stride:
            return
        self.kept.append(coefficients.snapshot())
        self.kept_at.append(iteration)
        if len(self.kept) > self.capacity:  # thin: every other, the first kept
            self.kept, self.kept_at = self.kept[::2], self.kept_at[::2]
            self.stride *= 2

    def solution(self) -> FitRecord:
        design, settings = self.design, self.settings
        if self.status == DescentStatus.DIVERGED:
            raise divergence_error(
                settings,
                self.fixed,
                self.max_curvature,
                f"The cost rose for {_PATIENCE} steps in a row by iteration {self.n_iter}.",
            )
        if self.status == DescentStatus.MAX_ITER:
            _warn_not_converged(settings, self.route)
        if self.status == DescentStatus.STOPPED:
            warn_stopped(settings, self.n_iter)
        coefs, intercepts = zip(*(self._to_user(theta) for theta in self.kept), strict=True)
        path = np.concatenate([np.stack(coefs), np.stack(intercepts)[:, None, :]], axis=1)
        with np.errstate(over="ignore"):  # inf where the cost leaves float64's range
            # The targets' costs in the user's units, summed.
            loss_curve = np.sum(self.coordinates.cost_to_user(np.asarray(self.target_losses)), 1)
        coef, intercept = self._to_user(self.theta)
        history = DescentHistory(
            path=np.moveaxis(path, 1, 2),
            path_iterations=np.asarray(self.kept_at),
            loss_curve=loss_curve,
            gradient_norms=np.asarray(self.gradient_norms),
            learning_rate=self.fixed if self.fixed is not None else np.asarray(self.steps),
            max_curvature=self.max_curvature,
            status=self.status,
        )
        return FitRecord(
            coef,
            intercept,
            self.route,
            coordinates=self.coordinates,
            centre=self.coordinates.centre(design.split(self.theta)[1]),
            n_iter=int(self.n_iter),
            converged=self.status == DescentStatus.CONVERGED and settings.tol is not None,
            descent=history,
        )


def _max_curvature(hessian, tolerance: float) -> float:
    """:math:`L_{max}`, the largest eigenvalue of the cost's Hessian, by Lanczos.

    The largest Ritz value of a Lanczos process converges first and from below; the process
    stops when it changes by less than ``tolerance`` (relative) from one step to the next (or
    after :data:`_LANCZOS_STEPS`), each step one product with M and one with its transpose.
    """
    p = hessian.shape[0]
    if p == 0:
        return 0.0
    # Seeded, so that fits repeat exactly; random, so that it is orthogonal to no eigenvector
    # (the ones vector is one of MMᵀ's: the centred columns are orthogonal to it).
    basis = np.random.default_rng(0).standard_normal(p)
    basis /= np.linalg.norm(basis)
    previous, alphas, betas = np.zeros(p), [], []
    beta, estimate = 0.0, 0.0
    for _ in range(min(p, _LANCZOS_STEPS)):
        w = hessian @ basis - beta * previous
        alpha = float(basis @ w)
        w -= alpha * basis
        alphas.append(alpha)
        tridiagonal = np.diag(alphas) + np.diag(betas, 1) + np.diag(betas, -1)
        new_estimate = float(np.linalg.eigvalsh(tridiagonal)[-1])
        converged = abs(new_estimate - estimate) <= tolerance * new_estimate
        estimate = new_estimate
        beta = float(np.linalg.norm(w))
        if converged or beta <= tolerance * abs(alpha):  # an invariant subspace: exact
            break
        previous, basis = basis, w / beta
        betas.append(beta)
    return estimate


def _checked_start(design: DesignOperator, start):
    check_start_shape(start, design.n_features, design.targets.shape[1])
    return start


def _warn_not_converged(settings: DescentSettings, route: str) -> None:
    rate = settings.learning_rate
    remedy = (
        f"learning_rate='auto' (the exact step) instead of {shortest(float(rate))}"
        if rate not in ("auto", "exact")
        else "set standardize=True"
        if not settings.standardize
        else "use AnalyticLeastSquares, which solves this design "
        + (
            "by normal equations or QR of its short side"
            if route == ON_THE_SHORT_SIDE
            else "by LSMR to full precision"
        )
    )
    warnings.warn(
        f"GradientDescentRegressor did not converge in max_iter={settings.max_iter} "
        f"iterations of the {route}: the relative optimality "
        f"‖Mᵀr‖/(‖M‖_F‖r‖) is still above tol={settings.tol}. Increase max_iter or tol, "
        f"or {remedy}.",
        ConvergenceWarning,
        stacklevel=find_stack_level(),
    )
