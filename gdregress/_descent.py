"""The descent solver: gradient descent on the least-squares cost, as GradientDescentRegressor
runs it.

It chooses the coordinates (standardised, or the user's own), the step rule (the best fixed step
from the exact curvatures, the exact line search, or a given rate, refused at or above
2/L_max), the momentum (none, the heavy ball's fixed β, refused at or above 2(1 + β)/L_max,
or conjugate directions: see :mod:`gdregress._momentum`), and the tolerance (the accuracy asked
for, or the level where rounding holds the gradient); it then hands the gradient of the cost,
one small matrix product per iteration, to :func:`gdregress.optimize.gradient_descent`, which
knows nothing of regression. The result is a :class:`~gdregress._record.FitRecord` with its
history: the estimator only publishes it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import OptimizeResult
from sklearn.exceptions import ConvergenceWarning

from ._coordinates import Coordinates
from ._messages import find_stack_level, gradient_excess, shortest
from ._momentum import (
    ConjugateDirections,
    balanced_learning_rate,
    memory_amplification,
    stable_learning_rate,
)
from ._numerics import EPS, FLAT_CURVATURE, TINY, require_positive_weight_sum, safe_norm
from ._record import DescentHistory, FitRecord
from ._statistics import LeastSquaresStatistics
from .cost import LeastSquaresCost
from .exceptions import DivergenceError
from .optimize import DescentStatus, gradient_descent

__all__ = [
    "CONJUGATE",
    "ON_THE_STATISTICS",
    "DescentSettings",
    "divergence_error",
    "memory_of",
    "solve_by_descent",
]

# The route's name, as ``solver_`` reports it.
ON_THE_STATISTICS = "descent on the statistics"
#: What ``momentum="auto"`` takes with ``learning_rate="auto"``: conjugate gradients.
CONJUGATE = "conjugate gradients"


@dataclass(frozen=True)
class DescentSettings:
    """The descent's parameters, as :class:`~gdregress.GradientDescentRegressor` takes them."""

    learning_rate: str | float = "auto"
    momentum: str | float = 0.0
    max_iter: int = 100_000
    tol: float | None = 1e-12
    fit_intercept: bool = True
    standardize: bool = True
    #: A :class:`~gdregress._callbacks.DescentMonitor` reporting blocks of iterations to
    #: scikit-learn's callbacks, or None (no callbacks: nothing is called).
    monitor: Any = None


@dataclass(frozen=True)
class _Coordinates:
    """The cost in the descent's coordinates, and the standardised cost its stopping rule uses.

    ``to_descent`` maps standardised parameters to the descent's (None when they are the
    same coordinates); ``standardizing`` are the standardised coordinates themselves.
    """

    scaling: Coordinates
    cost: LeastSquaresCost
    standardized: LeastSquaresCost
    to_descent: np.ndarray | None
    standardizing: Coordinates

    @classmethod
    def of(cls, statistics: LeastSquaresStatistics, settings: DescentSettings) -> _Coordinates:
        standardizing = Coordinates.of_statistics(statistics, settings.fit_intercept)
        if settings.standardize:
            cost = LeastSquaresCost(standardizing.statistics(statistics), settings.fit_intercept)
            return cls(standardizing, cost, cost, None, standardizing)
        scaling = _raw_scaling(statistics, standardizing)
        cost = LeastSquaresCost(scaling.statistics(statistics), settings.fit_intercept)
        standardized = LeastSquaresCost(
            standardizing.statistics(statistics), settings.fit_intercept
        )
        to_descent = _standardized_to_descent(standardizing, scaling, standardized)
        return cls(scaling, cost, standardized, to_descent, standardizing)

    @property
    def n_active(self) -> int:
        return int(self.scaling.active.sum())

    def pack(self, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
        """Coefficients (k, t) and intercepts (t,) as the descent's flat θ."""
        rows = [coef, intercept[None, :]] if self.cost.fit_intercept else [coef]
        return np.vstack(rows).ravel()


def solve_by_descent(
    statistics: LeastSquaresStatistics,
    settings: DescentSettings,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> FitRecord:
    """Minimise the cost of ``statistics`` by gradient descent.

    Parameters
    ----------
    statistics : LeastSquaresStatistics
    settings : DescentSettings
    start : tuple (coef (n_features, n_targets), intercept (n_targets,)), optional
        Where to start, in the user's units (a warm start); zeros by default.

    Returns
    -------
    FitRecord
        With the descent's history, in the user's units.

    Raises
    ------
    DivergenceError
        When the learning rate is at or above 2(1 + β)/L_max (2/L_max without momentum;
        before the first step) or the descent diverges.

    Warns
    -----
    ConvergenceWarning
        When ``max_iter`` steps end before the tolerance, naming what to change.
    """
    require_positive_weight_sum(statistics.weight_sum)
    n_targets = statistics.n_targets
    coordinates = _Coordinates.of(statistics, settings)
    cost = coordinates.cost
    theta0 = _starting_point(statistics, coordinates, start)
    max_curvature = cost.max_curvature
    memory = memory_of(settings)
    beta = memory if isinstance(memory, float) else 0.0
    learning_rate, steps = _step_rule(settings, cost, n_targets, memory)
    if isinstance(learning_rate, float) and learning_rate * max_curvature >= 2.0 * (1.0 + beta):
        # Known before the first step: along the steepest direction the error would be
        # multiplied by 1 − α·L_max ≤ −1 at every step (with momentum, a root of
        # z² − (1 + β − α·L_max)z + β would lie on or outside the unit circle).
        raise divergence_error(
            settings,
            learning_rate,
            max_curvature,
            f"Refused before the first step: at or above {_limit_name(beta)} the error "
            "along the steepest direction cannot shrink.",
        )
    tolerance = _tolerance_of(settings, coordinates, learning_rate, memory)
    monitor = _monitored(settings.monitor, statistics, coordinates, theta0)
    conjugate = steps if memory == CONJUGATE else None  # the rule, which records its steps
    result = _descend(
        cost, theta0, learning_rate, settings.max_iter, tolerance, monitor, conjugate or beta
    )
    if settings.monitor is not None:
        settings.monitor.close(result.path[-1], int(result.nit))
    if result.status == DescentStatus.DIVERGED:
        raise divergence_error(settings, learning_rate, max_curvature, result.message)
    if result.status == DescentStatus.MAX_ITER:
        _warn_not_converged(settings, cost, result, tolerance)
    if result.status == DescentStatus.STOPPED:
        warn_stopped(settings, int(result.nit))
    coef, intercept, path, loss_curve = _in_user_units(statistics, coordinates, result.path)
    if start is not None:  # the start as given, not as its round trip through the coordinates
        path[0] = np.concatenate([start[0], start[1][None, :]]).T
    history = DescentHistory(
        path=path,
        path_iterations=None,
        loss_curve=loss_curve,
        gradient_norms=result.grad_norms,
        learning_rate=(
            learning_rate
            if steps is None
            else np.asarray(steps if conjugate is None else conjugate.steps)
        ),
        momentum=beta if conjugate is None else np.asarray(conjugate.memories),
        max_curvature=max_curvature,
        status=DescentStatus(result.status),
    )
    return FitRecord(
        coef,
        intercept,
        ON_THE_STATISTICS,
        coordinates=coordinates.standardizing,
        centre=_centre(coordinates, result.path[-1], coef, intercept),
        statistics=statistics,
        n_iter=int(result.nit),
        converged=result.status == DescentStatus.CONVERGED and settings.tol is not None,
        descent=history,
    )


def _centre(coordinates: _Coordinates, theta, coef, intercept):
    """The last iterate's value at the columns' exact mean, with that mean (user units).

    Standardised, the descent's intercept is that value (its columns are centred on the
    mean); in the user's own coordinates it is computed from the line.
    """
    if not coordinates.cost.fit_intercept:
        return None
    standardizing = coordinates.standardizing
    if coordinates.to_descent is None:
        value = theta.reshape(coordinates.cost.n_parameters, -1)[coordinates.n_active]
    else:
        value = standardizing.from_user(coef, intercept)[1]
    return standardizing.centre(value)


def _starting_point(statistics, coordinates: _Coordinates, start) -> np.ndarray:
    """θ₀ in the descent's coordinates: zeros, or a warm start converted from the user's units."""
    n_features, n_targets = statistics.n_features, statistics.n_targets
    if start is None:
        return np.zeros(coordinates.cost.n_parameters * n_targets)
    check_start_shape(start, n_features, n_targets)
    return coordinates.pack(*coordinates.scaling.from_user(*start))


def check_start_shape(start, n_features: int, n_targets: int) -> None:
    """Refuse a warm start whose coefficients do not fit the data's features and targets."""
    if start[0].shape != (n_features, n_targets):
        raise ValueError(
            f"warm_start=True, but X has {n_features} features and y {n_targets} targets "
            f"while the previous fit had {start[0].shape[0]} and {start[0].shape[1]}. "
            "Fit with warm_start=False to start afresh."
        )


def warn_stopped(settings: DescentSettings, n_iter: int) -> None:
    """The ConvergenceWarning of a descent that a callback stopped, naming it."""
    warnings.warn(
        f"GradientDescentRegressor stopped after {n_iter} iterations, before "
        f"converging: {settings.monitor.reason}.",
        ConvergenceWarning,
        stacklevel=find_stack_level(),
    )


def _monitored(monitor, statistics, coordinates: _Coordinates, theta0):
    """``(callback, every)``: the callback reporting each block of ``every`` iterations to
    ``monitor``, or None without a monitor."""
    if monitor is None:
        return None

    def to_user(theta: np.ndarray):
        return _in_user_units(statistics, coordinates, theta[None, :])[:2]

    return monitor.watch(theta0, to_user), monitor.every


def _descend(
    cost: LeastSquaresCost, theta0, learning_rate, max_iter, tolerance, monitor=None, momentum=0.0
):
    """Run :func:`~gdregress.optimize.gradient_descent` on the cost's gradient Hθ − q.

    One small matrix product per iteration, never a pass over the data; no cost per
    iteration either: a too-large step on a quadratic shows as a gradient that grows while
    reversing, which the descent detects. The loss curve is computed after. ``monitor``,
    ``(callback, every)`` from :func:`_monitored`, is called once per block of iterations.
    ``momentum`` is the heavy ball's β, or the rule of conjugate directions.
    """
    if theta0.size == 0:  # nothing to descend: no intercept and no column that varies
        return OptimizeResult(
            path=np.zeros((1, 0)),
            grad_norms=np.zeros(1),
            nit=0,
            status=DescentStatus.CONVERGED,
            message="",
        )
    hessian, linear_term = cost.hessian, cost.linear_term
    shape = (cost.n_parameters, theta0.size // max(cost.n_parameters, 1))

    def gradient(theta):
        return (hessian @ theta.reshape(shape) - linear_term).ravel()

    callback, every = monitor or (None, 1)
    return gradient_descent(
        gradient,
        theta0,
        learning_rate=learning_rate,
        max_iter=max_iter,
        tol=tolerance,
        callback=callback,
        callback_every=every,
        momentum=momentum,
    )


def _in_user_units(statistics, coordinates: _Coordinates, flat_path: np.ndarray):
    """The fit, the path (n_iterates, n_targets, n_features + 1) and the loss curve, in the
    user's units. Only the fit must be representable; an early iterate may underflow."""
    n_targets = statistics.n_targets
    k, cost, scaling = coordinates.n_active, coordinates.cost, coordinates.scaling
    path = flat_path.reshape(len(flat_path), cost.n_parameters, n_targets)
    path_intercepts = path[:, k] if cost.fit_intercept else np.zeros((len(path), n_targets))
    per_target = cost.value_path(path[:, :k], path_intercepts, per_target=True)
    loss_curve = np.sum(scaling.cost_to_user(per_target), axis=1)
    scaling.to_user(path[-1, :k], path_intercepts[-1])  # refuses a fit beyond float64
    coefs, intercepts = scaling.to_user(
        np.moveaxis(path[:, :k], 0, 1), path_intercepts, check=False
    )
    user_path = np.moveaxis(np.concatenate([coefs, intercepts[:, None, :]], axis=1), 1, 2)
    return coefs[-1], intercepts[-1], user_path, loss_curve


def _warn_not_converged(settings, cost: LeastSquaresCost, result, tolerance) -> None:
    """The ConvergenceWarning for a descent that ran out of steps, naming what to change."""
    max_curvature, min_curvature = cost.max_curvature, cost.min_curvature
    kappa = max_curvature / min_curvature if min_curvature > 0 else np.inf
    memory = memory_of(settings)
    beta = memory if isinstance(memory, float) else 0.0
    remedy = (
        f"use a larger learning rate (stable below "
        f"{stable_learning_rate(beta, max_curvature):.6g}) or learning_rate='auto'"
        if settings.learning_rate not in ("auto", "exact")
        else "set standardize=True"
        if not settings.standardize
        else "use AnalyticLeastSquares, which is exact at any condition number"
    )
    how_many = "that many" if not memory else "its square root (with momentum)"
    warnings.warn(
        f"GradientDescentRegressor did not converge in max_iter={settings.max_iter} "
        f"iterations: {gradient_excess(result.jac, result.grad_norms[-1], tolerance)}. The "
        f"cost's condition number in the coordinates of the descent is {kappa:.3g}, and "
        f"gradient descent needs about {how_many} iterations per factor e of accuracy. "
        f"Increase max_iter or tol, or {remedy}.",
        ConvergenceWarning,
        stacklevel=find_stack_level(),
    )


def _told_apart(value: float, other: float) -> str:
    """``value`` to six digits, or to as many more as it takes not to read as ``other``.

    A limit computed from data carries rounding (2/L_max = 1.9999999999999996 where it is 2):
    six digits hide that noise, unless the number compared with it needs the rest.

    Examples
    --------
    >>> _told_apart(1.9999999999999996, 2.5), _told_apart(1.9999999999999996, 2.0)
    ('2', '1.9999999999999996')
    """
    for digits in range(6, 17):
        text = f"{value:.{digits}g}"
        if value == other or float(text) != other:
            return text
    return repr(float(value))


def divergence_error(
    settings: DescentSettings, learning_rate: float, max_curvature: float, detail: str
) -> DivergenceError:
    """The DivergenceError for a learning rate, naming the stable limit 2/L_max (with the
    heavy ball's β, 2(1 + β)/L_max)."""
    memory = memory_of(settings)
    beta = memory if isinstance(memory, float) else 0.0
    stable = stable_learning_rate(beta, max_curvature)
    with_momentum = f" and momentum={shortest(beta)}" if beta else ""
    return DivergenceError(
        f"Gradient descent diverged with learning_rate={shortest(learning_rate)}"
        f"{with_momentum}: the largest stable learning rate for this data"
        f"{' with that momentum' if beta else ''} is {_limit_name(beta)} = "
        f"{_told_apart(stable, learning_rate)}"
        f"{' in standardised coordinates' if settings.standardize else ''}. "
        f"Use a learning rate below {stable:.6g}, or learning_rate='auto'. ({detail})",
        learning_rate=learning_rate,
        stable_limit=stable,
    )


def memory_of(settings: DescentSettings) -> float | str:
    """The momentum a descent takes: :data:`CONJUGATE`, the heavy ball's β, or 0.0 (plain).

    ``momentum="auto"`` is conjugate gradients with ``learning_rate="auto"``, and the plain
    descent with a learning rate the user chose (a number, or ``"exact"``): who sets the
    step follows the lecture.

    Examples
    --------
    >>> memory_of(DescentSettings(momentum="auto")), memory_of(DescentSettings(momentum=0.9))
    ('conjugate gradients', 0.9)
    >>> memory_of(DescentSettings(learning_rate=0.1, momentum="auto"))
    0.0
    """
    if settings.momentum == "auto":
        return CONJUGATE if settings.learning_rate == "auto" else 0.0
    return float(settings.momentum)


def _limit_name(beta: float) -> str:
    return f"2(1 + {shortest(beta)})/L_max" if beta else "2/L_max"


def _conjugate_directions(cost: LeastSquaresCost, n_targets: int) -> ConjugateDirections:
    """Conjugate directions on the cost, its targets weighed as :func:`_step_rule`'s exact
    step weighs them."""
    hessian, p = cost.hessian, cost.n_parameters
    y_scale = cost.statistics.y_scale
    weights = np.broadcast_to(y_scale / np.max(y_scale), (p, n_targets)).ravel()

    def product(v: np.ndarray) -> np.ndarray:
        return (hessian @ v.reshape(p, n_targets)).ravel()

    fallback = 1.0 / cost.max_curvature if cost.max_curvature > 0 else 1.0
    return ConjugateDirections(product, None if np.all(weights == 1.0) else weights, fallback)


def _step_rule(settings: DescentSettings, cost: LeastSquaresCost, n_targets: int, memory=0.0):
    """The learning rate to hand to the descent, and the list "exact" records steps in (or,
    for conjugate gradients, no learning rate and the rule, which records its own)."""
    if memory == CONJUGATE:
        return None, _conjugate_directions(cost, n_targets)
    if settings.learning_rate == "exact":
        hessian, p = cost.hessian, cost.n_parameters
        steps: list[float] = []
        # The user's loss sums the targets' costs times y_scale² (targets beyond 1e±90
        # are divided by powers of two, each its own): weigh each target's share by its
        # scale relative to the largest, exactly.
        y_scale = cost.statistics.y_scale
        relative_scale = y_scale / np.max(y_scale)

        def exact_step(theta, g):
            # The minimiser of Σ_t s_t²·L_t(θ_t − α·g_t) over α, for quadratics:
            # Σ s_t² g_tᵀg_t / Σ s_t² g_tᵀHg_t, with u = s·g / max|s·g| (the same ratio),
            # whose squares cannot overflow or underflow.
            g = g.reshape(p, n_targets)
            with np.errstate(under="ignore"):  # a target 2**600 smaller counts for 0
                u = g * relative_scale
            if not np.any(u):  # what is left counts for 0 in the user's loss
                u = g
            u = u / np.max(np.abs(u))
            curvature = np.sum(u * (hessian @ u))
            step = np.sum(u * u) / curvature if curvature > 0 else 1.0 / cost.max_curvature
            steps.append(step)
            return step

        return exact_step, steps
    if settings.learning_rate == "auto":
        return _best_fixed_step(cost, memory), None
    return float(settings.learning_rate), None


def _best_fixed_step(cost: LeastSquaresCost, momentum: float = 0.0) -> float:
    """2/(L_max + λ_min): the fixed step that contracts the slowest direction fastest.

    Below the stability limit 2/L_max, and every component of the error shrinks. Where
    λ_min is below 1e-12·L_max (raw features of size 1e6 and more), the step keeps that
    margin from 2/L_max, which rounding would otherwise erase. With the heavy ball's β,
    2(1 + β)/(L_max + λ_min), below its limit 2(1 + β)/L_max by the same margin.
    """
    floor = max(cost.min_curvature, FLAT_CURVATURE * cost.max_curvature)
    total = cost.max_curvature + floor
    return balanced_learning_rate(momentum, cost.max_curvature, floor) if total > 0 else 1.0


def _tolerance_of(settings, coordinates: _Coordinates, learning_rate, memory):
    """The descent's tolerance (:func:`_gradient_tolerance`) for its step rule and momentum.

    Its floors count the roundings of the steps as they add up: for a fixed step as
    :func:`_gradient_tolerance` says, for the heavy ball by the moduli of its modes
    (:func:`~gdregress._momentum.memory_amplification`); conjugate directions recompute
    the gradient at every step and take the best point of a plane, so that a rounding does
    not add up (their shortest step is 1/L_max).
    """
    standardized = coordinates.standardized
    fixed = isinstance(learning_rate, float) and settings.standardize
    if memory == CONJUGATE:
        curvature = standardized.max_curvature
        rate = 1.0 / curvature if curvature > 0 else 1.0
        return _gradient_tolerance(settings, standardized, rate, coordinates.to_descent, 1.0)
    rate = (learning_rate if fixed else None) or _best_fixed_step(standardized, memory)
    amplification = None
    if memory:
        amplification = memory_amplification(
            rate,
            memory,
            standardized.max_curvature,
            standardized.min_curvature,
            settings.max_iter,
        )
    return _gradient_tolerance(settings, standardized, rate, coordinates.to_descent, amplification)


def _raw_scaling(statistics: LeastSquaresStatistics, standardizing: Coordinates) -> Coordinates:
    """For ``standardize=False``: the coordinates of the user's own units.

    The statistics hold columns beyond about 1e±90 divided by a power of two (``x_scale``);
    the raw descent undoes that (exactly), so that it runs on the user's cost. Where the
    user's Hessian itself leaves float64's range (squares of columns beyond about 1e±150)
    it stays in the statistics' units. The units of y do not matter: scaling y scales the
    gradient and the minimiser alike, not the steps.
    """
    fit_intercept = standardizing.fit_intercept
    user = standardizing.as_user_units()
    identity = user.with_scale(np.ones(statistics.n_features))
    if np.all(statistics.x_scale == 1.0):
        return identity
    with np.errstate(all="ignore"):  # out of range is checked just below
        hessian = LeastSquaresCost(user.statistics(statistics), fit_intercept).hessian
    scaled = LeastSquaresCost(statistics, fit_intercept).hessian
    # A curvature that rounds to a subnormal number or 0 has lost its digits, and one
    # within 52 binary orders of them loses digits in the descent's products: columns
    # below about 1e-146 (squares below 2**-970) stay scaled; 1e-137 runs in its units.
    smallest = TINY / EPS
    kept = (np.abs(np.diag(hessian)) >= smallest) | (np.diag(scaled) == 0.0)
    return user if np.all(np.isfinite(hessian)) and np.all(kept) else identity


def _standardized_to_descent(
    standardizing: Coordinates, scaling: Coordinates, standardized: LeastSquaresCost
) -> np.ndarray:
    """The matrix that maps standardised parameters (per target) to the descent's."""
    p = standardized.n_parameters
    basis = np.eye(p)
    k = p - int(standardized.fit_intercept)
    coef, intercept = standardizing.to_scaled_units(basis[:k], basis[k] if k < p else np.zeros(p))
    coef, intercept = scaling.from_scaled_units(coef, intercept)
    return np.vstack([coef, intercept[None, :]]) if standardized.fit_intercept else coef


def _gradient_tolerance(
    settings: DescentSettings,
    standardized: LeastSquaresCost,
    rate: float,
    to_descent: np.ndarray | None,
    amplification: float | None = None,
) -> np.ndarray | float | None:
    """The gradient at which the descent stops: within ``tol`` of the minimum, or at
    rounding. One bound per component in standardised coordinates, one norm else.

    Measured in standardised coordinates whatever the descent's, so that the units of the
    features do not decide the accuracy: in them the error is bounded by
    ‖v − v*‖ ≤ ‖∇L(v)‖ / λ_min, and stopping at ‖∇L‖ ≤ tol·λ_min·spread(y) bounds it by
    tol relative to the spread of y (its standard deviation with an intercept, its root
    mean square without).

    That bound never goes below the level at which rounding holds the gradient of the
    descent at step size ``rate`` (``amplification``, when given, counts how often the
    roundings of the steps add up: see :func:`_tolerance_of`). Each step adds rounding of about
    (p + 2)/2·eps·(|H||v*| + |q|) per component to the gradient (p products and the
    subtraction of q in Hv − q, half an ulp of v in the step). A fixed step multiplies the
    error along an eigenvector of curvature λ by 1 − rate·λ: along the steepest one, near
    −1, consecutive steps alternate between two all but equal iterates whose roundings
    repeat and add up, 1/(2 − rate·L_max) times over; along the flattest, near +1, the
    iterate drifts and its roundings add up like a random walk, 1/sqrt(rate·λ_min) times.
    And a step shorter than half an ulp of v is lost: the gradient stays at
    eps·‖v*‖/(2·rate). Below that level the gradient stalls however many steps are run.

    Each component has its own floor. With an intercept, centred columns make the
    standardised Hessian block diagonal: the intercept's gradient, b − mean(y), rounds at
    eps·|mean y|, the slopes' at eps times the spread of y, which can be far smaller (a row
    weighing 1e20 makes the weighted spread 1e-10 of the mean). One norm would let the
    intercept's floor excuse slopes' gradients that still bound errors of 1e-6. So the
    standardised descent compares every component with its own bound, the larger of its
    floors and tol·λ_min·spread(y)/sqrt(n) (n bounds of that size keep ‖∇L‖ within it).

    ``to_descent`` maps standardised parameters to the descent's (None when they are the
    same): since the standardised gradient is its transpose times the descent's, a descent
    gradient of norm τ/‖to_descent‖ guarantees a standardised one of norm τ. There one
    norm stays: in the user's coordinates the columns' means tie the intercept to every
    slope, so the rounding of one component reaches all.
    """
    if settings.tol is None:
        return None
    if standardized.n_parameters == 0:  # no column varies: the gradient is exactly 0
        return 0.0
    stats = standardized.statistics
    spread = np.sqrt(np.sum(stats.yy if settings.fit_intercept else stats.uncentred_yy()))
    if spread == 0.0:  # a constant target: measure against its size instead
        spread = np.sqrt(np.sum(stats.uncentred_yy()))
    spread /= np.sqrt(stats.weight_sum)
    hessian, linear_term = standardized.hessian, standardized.linear_term
    minimiser = np.linalg.lstsq(hessian, linear_term, rcond=None)[0]
    largest, smallest = standardized.max_curvature, standardized.min_curvature
    # No more roundings add up than steps are run: at a rate within rounding of 2/L_max,
    # 1/(2 − rate·L_max) would be ~1e15 and excuse a gradient that never shrank.
    if amplification is None:  # plain descent's (the heavy ball's, or 1, come given)
        amplification = max(
            1.0,
            min(1.0 / (2.0 - rate * largest), settings.max_iter),
            min(1.0 / np.sqrt(rate * smallest), np.sqrt(settings.max_iter))
            if smallest > 0
            else 1.0,
        )
    # The floors per component, shape (p, n_targets), as the descent's θ is raveled.
    per_step = (standardized.n_parameters + 2) / 2 * EPS * amplification
    per_step *= np.abs(hessian) @ np.abs(minimiser) + np.abs(linear_term)
    lost_step = EPS * np.abs(minimiser) / (2.0 * rate)
    accuracy = settings.tol * smallest * spread
    if to_descent is not None:
        tolerance = max(accuracy, safe_norm(per_step), safe_norm(lost_step))
        return float(tolerance / np.linalg.norm(to_descent, 2))
    accuracy /= np.sqrt(minimiser.size)
    return np.maximum(np.maximum(per_step, lost_step), accuracy).ravel()
