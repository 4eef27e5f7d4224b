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
* ``momentum="auto"`` with ``learning_rate="auto"`` takes conjugate gradients (CGLS, through
  :class:`~gdregress._momentum.ConjugateGradients`): each step the heavy ball's
  :math:`-\\alpha_k g_k + \\beta_k d_{k-1}` with the exact :math:`(\\alpha_k, \\beta_k)`, at the
  same two products with M, and no Lanczos run: :math:`L_{max}` and :math:`\\lambda_{min}` come
  from their coefficients. A numeric momentum β is the heavy ball, at the given learning rate
  or (1 + β)/L_max, refused at or above 2(1 + β)/L_max.
* Plain descent's ``learning_rate="auto"`` takes the exact line-search step
  :math:`g^\\top g / \\|Mg\\|^2 S`: the best fixed step needs the smallest curvature too,
  which costs far more to estimate, while the exact step costs nothing extra here
  (:math:`Mg` updates the residual anyway).
* ``tol`` means what it means on the statistics route: it stops when the gradient of every
  target guarantees standardised coefficients within ``tol`` times the spread of y of the
  minimum, :math:`\\|\\nabla L\\| \\le \\mathrm{tol}\\,\\lambda_{min}\\,\\mathrm{spread}(y)`,
  or when rounding holds it (a relative optimality :math:`\\|M^\\top r\\| / (\\|M\\|_F \\|r\\|)` of
  8ε, or a residual of 0). :math:`\\lambda_{min}` is the smallest Ritz value of the conjugate
  gradients, or of a Lanczos run from a vector in the range of the Hessian for the other
  descents: both approach, from above, the smallest curvature the descent can meet (the
  smallest nonzero one: a rank-deficient design's flat directions take no part).
* ``path`` keeps at most :data:`PATH_BUDGET` numbers, and no more than X stores: past
  that, every other kept iterate is dropped and the stride doubles (the first and last
  iterates are always kept), and ``path_iterations`` says which iterations the rows are.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.linalg
from scipy.optimize import OptimizeResult
from sklearn.exceptions import ConvergenceWarning

from ._coordinates import Coordinates
from ._descent import (
    CONJUGATE,
    DescentSettings,
    check_start_shape,
    divergence_error,
    memory_of,
    warn_stopped,
)
from ._messages import find_stack_level, shortest
from ._momentum import ConjugateGradients
from ._numerics import EPS, require_positive_weight_sum
from ._operator import DesignOperator
from ._record import DescentHistory, FitRecord
from ._threads import one_blas_thread
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
# For λ_min too (the tolerance of a descent other than conjugate gradients): the smallest Ritz
# value converges in about √κ steps, and stalls for a few before it moves on.
_LANCZOS_STEPS_BOTH = 500


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
    memory = memory_of(settings)
    if memory == CONJUGATE:  # the curvatures come from its coefficients, after
        pace = ConjugateGradients(design.weight_sum)
        run = _Run(design, settings, None, 0.0, pace=pace, min_curvature=np.inf)
        run.descend(coefficients)
        return run.solution(coefficients)
    fixed = None if settings.learning_rate in ("auto", "exact") else float(settings.learning_rate)
    hessian = coefficients.hessian()
    tolerance = _LANCZOS_TOL if fixed or memory else _LANCZOS_TOL_REPORTED
    max_curvature, min_curvature = _max_curvature(hessian, tolerance), 0.0
    if settings.tol is not None:  # λ_min for the tolerance, from a start in the Hessian's range
        start = hessian @ np.random.default_rng(0).standard_normal(hessian.shape[0])
        min_curvature = _lanczos_extremes(hessian, tolerance, start)[1]
    if memory and fixed is None:  # the heavy ball at half its stable limit
        fixed = (1.0 + memory) / max_curvature if max_curvature > 0 else 1.0
    if fixed is not None and fixed * max_curvature >= 2.0 * (1.0 + memory):
        limit = f"2(1 + {shortest(memory)})/L_max" if memory else "2/L_max"
        raise divergence_error(
            settings,
            fixed,
            max_curvature,
            f"Refused before the first step: at or above {limit} the error along the "
            "steepest direction cannot shrink.",
        )
    run = _Run(design, settings, fixed, max_curvature, beta=memory, min_curvature=min_curvature)
    run.descend(coefficients)
    return run.solution(coefficients)


class _Coefficients:
    """θ itself: each step one product with :math:`M^\\top` (the gradient) and one with M
    (the curvature along it, and the residual's update)."""

    route = MATRIX_FREE

    def __init__(self, design: DesignOperator, theta: np.ndarray) -> None:
        self.design, self.theta = design, theta
        self.gradient = np.zeros_like(theta)
        self.last = self.change = None  # with momentum: the last step, and M times it

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

    def move_with_memory(self, step: float, beta: float, direction: np.ndarray) -> np.ndarray:
        """θ ← θ − αg + βd: the heavy ball's step; return the residual's change Md."""
        self.last, self.change = _remembered(self, -step * self.gradient, -step * direction, beta)
        self.theta = self.theta + self.last
        return self.change

    def step_curvature(self) -> float:
        """:math:`\\|Md\\|^2 / (S\\|d\\|^2)`: the curvature along the last step d."""
        length = float(np.sum(self.last * self.last))
        return float(np.sum(self.change * self.change)) / self.design.weight_sum / length

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
        self.last = self.change = None  # with momentum: the last step of a, and G times it

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

    def move_with_memory(self, step: float, beta: float, direction: np.ndarray) -> np.ndarray:
        """a ← a − αr/S + βΔa (θ moves by Mᵀ of that); return the residual's change GΔa."""
        move = -(step / self.design.weight_sum) * self.last_residual
        self.last, self.change = _remembered(self, move, -step * direction, beta)
        self.a = self.a + self.last
        return self.change

    def step_curvature(self) -> float:
        """The curvature along the last step :math:`M^\\top\\Delta a`, whose squared norm is
        :math:`\\Delta a^\\top G \\Delta a`."""
        length = float(np.sum(self.last * self.change))
        return float(np.sum(self.change * self.change)) / self.design.weight_sum / length

    def current(self) -> np.ndarray:
        return self.theta0 + self.design.rmatvec(self.a)

    def snapshot(self) -> np.ndarray:
        return self.a.copy()

    def formed(self, snapshots: list[np.ndarray]) -> list[np.ndarray]:
        t = self.theta0.shape[1]
        thetas = self.design.rmatvec(np.concatenate(snapshots, axis=1))
        return [self.theta0 + thetas[:, k * t : (k + 1) * t] for k in range(len(snapshots))]


def _remembered(coefficients, move: np.ndarray, image: np.ndarray, beta: float):
    """The heavy ball's step ``move + β·last`` and its image ``image + β·change``."""
    if coefficients.last is None or not beta:
        return move, image
    return beta * coefficients.last + move, beta * coefficients.change + image


class _Run:
    """One descent: the loop and what it records.

    ``fixed`` is the fixed step (None for the exact line search or conjugate gradients),
    ``beta`` the heavy ball's momentum, ``pace`` the conjugate gradients' steps (or None),
    ``min_curvature`` the Lanczos estimate of λ_min for the tolerance (conjugate gradients
    estimate their own).
    """

    def __init__(
        self, design, settings, fixed, max_curvature, *, beta=0.0, pace=None, min_curvature=0.0
    ) -> None:
        self.design, self.settings, self.fixed = design, settings, fixed
        self.coordinates = Coordinates.of_operator(design)
        self.max_curvature, self.min_curvature = max_curvature, min_curvature
        self.beta, self.pace = beta, pace
        self.spread = _spread(design)
        # ‖T‖₂ of the map T from the descent's parameters to the standardised ones: 1 on a
        # standardised design; bounded by ‖T‖_F = ‖M‖_F/√S on a raw one (its entries are
        # the columns' spreads and means, whose squares add up to the columns' squares).
        self.to_standardised = 1.0 if settings.standardize else _frobenius_per_row(design)
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
            if iteration and self._bad_step(coefficients):
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
            change = None
            if self.pace is None and not self.beta:
                step = self._step(squared_gradients, direction)
                coefficients.move(step)
            else:  # with momentum: the heavy ball's fixed pair, or the conjugate gradients'
                step, beta = self._paced(squared_gradients, direction, coefficients.change)
                change = coefficients.move_with_memory(step, beta, direction)
            if (iteration + 1) % _REFRESH_EVERY == 0:
                residual = coefficients.residual()
            elif change is None:
                residual = residual - step * direction
            else:
                residual = residual + change
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

    def _paced(self, squared_gradients, direction, change) -> tuple[float, float]:
        """``(alpha, beta)`` of a step with momentum, recorded for ``learning_rate_``."""
        if self.pace is None:
            return self.fixed, self.beta
        return self.pace(float(np.sum(squared_gradients)), direction, change)

    def _bad_step(self, coefficients) -> bool:
        """A step that counts towards divergence: at a fixed rate, one that raised the cost
        — and for the heavy ball (whose cost may rise for many steps while it converges),
        one along which the curvature exceeds 2(1 + β)/α, which on a quadratic happens
        only beyond the stable limit."""
        if self.fixed is None or not self.losses[-1] > self.losses[-2]:
            return False
        if not self.beta:
            return True
        return self.fixed * coefficients.step_curvature() > 2.0 * (1.0 + self.beta)

    def _optimal(self, residual: np.ndarray, squared_gradients: np.ndarray) -> bool:
        """Every target's gradient within its bound (or an exact fit).

        The bound is tol·λ_min·spread(y), over ‖T‖ (see ``to_standardised``), or the
        rounding floor: a relative optimality of 8ε. λ_min is tested last: the conjugate
        gradients' estimate only falls, so that one computed with the last is a necessary
        condition, and the new one is computed only when it holds.
        """
        residual_norms = np.linalg.norm(residual, axis=0)
        gradients = np.sqrt(squared_gradients)
        target_norms = np.linalg.norm(self.design.targets, axis=0)
        fitted = residual_norms <= 8 * EPS * target_norms
        floor = 8 * EPS * self.frobenius * residual_norms / self.design.weight_sum
        if np.all(fitted | (gradients <= floor)):
            return True
        bounds = self.settings.tol * self.spread / self.to_standardised
        # (Before conjugate gradients have estimated λ_min it is taken as ∞: no bound yet.)
        last = np.inf if self.min_curvature == np.inf else bounds * self.min_curvature
        if not np.all(fitted | (gradients <= np.maximum(floor, last))):
            return False
        if self.pace is not None:
            smallest = self.pace.curvatures()[1]
            if not smallest > 0:  # no step taken yet: nothing known of λ_min
                return False
            self.min_curvature = smallest
        return bool(np.all(fitted | (gradients <= np.maximum(floor, bounds * self.min_curvature))))

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

    def solution(self, coefficients) -> FitRecord:
        design, settings = self.design, self.settings
        if self.pace is not None:  # L_max from the conjugate gradients' coefficients
            self.max_curvature = self.pace.curvatures()[0] or _max_curvature(
                coefficients.hessian(), _LANCZOS_TOL_REPORTED
            )
        if self.status == DescentStatus.DIVERGED:
            raise divergence_error(
                settings,
                self.fixed,
                self.max_curvature,
                f"The cost rose for {_PATIENCE} steps in a row by iteration {self.n_iter}.",
            )
        if self.status == DescentStatus.MAX_ITER:
            _warn_not_converged(settings, self.route, self.pace is not None)
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
            learning_rate=(
                self.fixed
                if self.fixed is not None
                else np.asarray(self.steps if self.pace is None else self.pace.steps)
            ),
            momentum=self.beta if self.pace is None else np.asarray(self.pace.memories),
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
    return _lanczos_extremes(hessian, tolerance)[0]


def _lanczos_extremes(hessian, tolerance: float, start=None) -> tuple[float, float]:
    """The largest and smallest Ritz values of a Lanczos process on ``hessian``.

    Without ``start``, from a seeded random vector, until the largest changes by less than
    ``tolerance`` (:func:`_max_curvature`). From ``start``, until the smallest has also
    changed by less than 1e-3 (relative) in five steps in a row, or after
    :data:`_LANCZOS_STEPS_BOTH`: :math:`(L_{max}, \\lambda_{min})` as a descent that starts
    there meets them, both approached from within (λ_min from above).
    """
    p = hessian.shape[0]
    if p == 0:
        return 0.0, 0.0
    both = start is not None
    # Seeded, so that fits repeat exactly; random, so that it is orthogonal to no eigenvector
    # (the ones vector is one of MMᵀ's: the centred columns are orthogonal to it).
    basis = start if both else np.random.default_rng(0).standard_normal(p)
    size = float(np.linalg.norm(basis))
    if size == 0.0:  # H·v = 0: no curvature at all
        return 0.0, 0.0
    basis = basis / size
    previous, alphas, betas = np.zeros(p), [], []
    beta, estimate, still = 0.0, (0.0, 0.0), 0
    for _ in range(min(p, _LANCZOS_STEPS_BOTH if both else _LANCZOS_STEPS)):
        w = hessian @ basis - beta * previous
        alpha = float(basis @ w)
        w -= alpha * basis
        alphas.append(alpha)
        new_estimate = _tridiagonal_extremes(alphas, betas)
        converged = abs(new_estimate[0] - estimate[0]) <= tolerance * new_estimate[0]
        still = still + 1 if abs(new_estimate[1] - estimate[1]) <= 1e-3 * new_estimate[1] else 0
        estimate = new_estimate
        beta = float(np.linalg.norm(w))
        if (converged and (not both or still >= 5)) or beta <= tolerance * abs(alpha):
            break  # (the latter: an invariant subspace, whose Ritz values are exact)
        previous, basis = basis, w / beta
        betas.append(beta)
    return estimate


def _tridiagonal_extremes(diagonal: list, off_diagonal: list) -> tuple[float, float]:
    """The largest and smallest eigenvalue of a symmetric tridiagonal matrix, by bisection."""
    k = len(diagonal)
    if k == 1:
        return diagonal[0], diagonal[0]
    values = [
        scipy.linalg.eigvalsh_tridiagonal(diagonal, off_diagonal, select="i", select_range=(i, i))[
            0
        ]
        for i in (k - 1, 0)
    ]
    return float(values[0]), float(values[1])


def _spread(design: DesignOperator) -> np.ndarray:
    """The spread of each target in the operator's units, as the statistics route measures
    it: the weighted standard deviation with an intercept, the root mean square without
    (and that where the target is constant)."""
    targets, weight_sum = design.targets, design.weight_sum
    squares = np.sum(targets * targets, axis=0) / weight_sum
    if not design.with_intercept:
        return np.sqrt(squares)
    root = np.ones(len(targets)) if design.root_weights is None else design.root_weights
    centred = targets - np.outer(root, design.y_mean)
    spread = np.sqrt(np.sum(centred * centred, axis=0) / weight_sum)
    return np.where(spread > 0, spread, np.sqrt(squares))


def _frobenius_per_row(design: DesignOperator) -> float:
    """:math:`\\|M\\|_F / \\sqrt S`."""
    return float(np.sqrt(design.squared_frobenius() / design.weight_sum))


def _checked_start(design: DesignOperator, start):
    check_start_shape(start, design.n_features, design.targets.shape[1])
    return start


def _warn_not_converged(settings: DescentSettings, route: str, conjugate=False) -> None:
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
        f"iterations of the {route}{' by conjugate gradients' if conjugate else ''}: the "
        f"gradient does not yet bound the standardised coefficients within tol={settings.tol} "
        "times the spread of y of the minimum, nor has rounding stopped it. Increase "
        f"max_iter or tol, or {remedy}.",
        ConvergenceWarning,
        stacklevel=find_stack_level(),
    )
