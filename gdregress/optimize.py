"""Gradient descent, the lecture's second method, as a general minimizer.

The engine knows nothing of regression: it walks down the gradient of any differentiable function
of one or several variables — the lecture's :math:`e^x - \\log x`, its sauna, or the least-squares
cost that :mod:`gdregress.linear_model` hands it. It returns a
:class:`scipy.optimize.OptimizeResult` and can also be plugged into
:func:`scipy.optimize.minimize` as a custom ``method``.
"""

from __future__ import annotations

import enum
import inspect
import math
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import OptimizeResult, OptimizeWarning

from ._descent_arguments import (
    check_callable,
    check_count,
    check_learning_rate,
    check_tol,
    check_x0,
)
from ._messages import find_stack_level, gradient_excess
from ._momentum import check_momentum, checked_pace
from ._numerics import EPS, safe_norm

__all__ = ["DescentStatus", "gradient_descent", "minimize_gradient_descent"]


class DescentStatus(enum.IntEnum):
    """How a descent ended: the ``status`` of its :class:`~scipy.optimize.OptimizeResult`.

    An ``IntEnum``, so it compares equal to the numbers scipy's minimizers use (0 for
    success).
    """

    CONVERGED = 0
    """The gradient fell to ``tol`` (or, with ``tol=None``, all ``max_iter`` steps ran)."""
    MAX_ITER = 1
    """``max_iter`` steps were taken before the gradient fell to ``tol``."""
    DIVERGED = 2
    """The iterates blow up: the learning rate is too large."""
    STOPPED = 3
    """The callback stopped the descent (it raised :class:`StopIteration`)."""


# The history starts this long and doubles when full, so that a short descent allocates little
# and a long one is not slowed by appending to lists.
_INITIAL_CAPACITY = 256
_SQRT_EPS = math.sqrt(EPS)

# Why a descent diverged, as _DivergenceWatch.check says: the new iterate, its gradient or its
# cost was not finite; the steps overshot; the cost rose.
_NON_FINITE = "non-finite"
_OVERSHOT = "overshot"
_ROSE = "rose"


def gradient_descent(
    grad: Callable[..., Any],
    x0: float | ArrayLike,
    *,
    learning_rate: float | Callable[[Any, Any], float] | None,
    max_iter: int = 10_000,
    tol: float | ArrayLike | None = 1e-8,
    fun: Callable[..., float] | None = None,
    callback: Callable[[OptimizeResult], Any] | None = None,
    args: tuple = (),
    patience: int = 5,
    callback_every: int = 1,
    momentum: float | Callable[[Any, Any, Any], tuple[float, float]] = 0.0,
) -> OptimizeResult:
    r"""Minimize a function by gradient descent, plain or with momentum.

    Starting from :math:`x_0`, take steps against the gradient until it vanishes:

    .. math::

        x_{k+1} = x_k - \alpha_k \, \nabla f(x_k), \qquad k = 0, 1, 2, \dots

    or, with momentum, repeating a fraction :math:`\beta_k` of the last step as well (the
    heavy ball of Polyak),

    .. math::

        x_{k+1} = x_k - \alpha_k \, \nabla f(x_k) + \beta_k \, (x_k - x_{k-1}),

    stopping at the first iterate with :math:`\lVert \nabla f(x_k) \rVert_2 \le \mathrm{tol}`
    (or, for a tolerance per variable, :math:`\lvert \partial_i f(x_k) \rvert \le
    \mathrm{tol}_i` for every :math:`i`). The learning rate :math:`\alpha_k` is a constant or
    is chosen at each step by a rule.

    Parameters
    ----------
    grad : callable
        ``grad(x, *args)``, the gradient of the function at ``x``: a float when ``x0`` is a
        scalar, else a 1-D array of the same shape as ``x``.
    x0 : float or array_like of shape (d,)
        The starting point: a number for a function of one variable, a 1-D array for several.
    learning_rate : float, callable or None
        A positive finite number, the fixed step :math:`\alpha`; or a step-size rule
        ``learning_rate(x, g) -> float`` returning :math:`\alpha_k` for the iterate ``x`` with
        gradient ``g`` (for instance the exact line search on a quadratic with Hessian
        :math:`H`, :math:`\alpha_k = g^\top g / g^\top H g`). The rule is not called when the
        gradient is exactly zero, since then there is no step to take. None with a momentum
        rule, which chooses the steps.
    max_iter : int, default=10_000
        The largest number of steps, at least 1.
    tol : float, array_like of shape (d,) or None, default=1e-8
        A number: stop when the Euclidean norm of the gradient is at most ``tol``. An array, one
        non-negative bound per variable (the shape of ``x0``): stop when every component of the
        gradient is at most its own bound in absolute value, ``|g[i]| <= tol[i]`` — for
        variables whose gradients live on different scales, where one norm would let the
        largest excuse the others. Checked at every iterate, ``x0`` included. ``None`` never
        stops on the gradient: exactly ``max_iter`` steps are run, and that counts as success.
    fun : callable, optional
        ``fun(x, *args)``, the function itself (the cost). Not needed for the descent; when
        given, the result records the cost at every iterate and a cost that keeps rising is
        detected as divergence.
    callback : callable, optional
        ``callback(intermediate_result)``, called after every step with an
        :class:`~scipy.optimize.OptimizeResult` holding ``x``, ``jac`` (the gradient), ``nit``
        and, when ``fun`` is given, ``fun``. If it raises :class:`StopIteration` the descent
        stops (``status`` 3, ``success`` False, as :func:`scipy.optimize.minimize` does).
    args : tuple, default=()
        Extra arguments passed to ``grad`` and ``fun``.
    patience : int, default=5
        How many consecutive rising or overshooting steps signal divergence (see Notes), at
        least 1.
    callback_every : int, default=1
        Call ``callback`` after every ``callback_every``-th step only (steps
        ``callback_every``, ``2 * callback_every``, ...): for a callback that reports on
        blocks of iterations, without a Python call per step.
    momentum : float or callable, default=0.0
        :math:`\beta`, the fraction of the last step repeated: 0 is plain gradient descent,
        a number in (0, 1) the heavy ball with ``learning_rate``'s steps (on a quadratic of
        largest curvature :math:`L_{max}` it converges exactly for :math:`\alpha <
        2(1 + \beta)/L_{max}`). Or a rule ``momentum(x, g, s) -> (alpha, beta)`` that chooses
        both from the iterate, its gradient and the last step :math:`s = x_k - x_{k-1}`
        (zeros before the first step), with ``learning_rate=None``: for instance
        conjugate gradients on a quadratic, whose :math:`(\alpha_k, \beta_k)` minimise the cost
        over the plane :math:`x_k + \mathrm{span}\{g_k, s\}`.

    Returns
    -------
    OptimizeResult
        With the fields

        ``x``
            The last iterate: a float if ``x0`` is a scalar, else a 1-D array.
        ``fun``
            The cost at ``x`` (only when ``fun`` is given).
        ``jac``
            The gradient at ``x``.
        ``nit``
            The number of steps taken.
        ``nfev``, ``njev``
            The number of calls to ``fun`` and ``grad``.
        ``success``, ``status``, ``message``
            ``status`` is 0 when the gradient fell to ``tol`` (or, with ``tol=None``,
            all ``max_iter`` steps were run), 1 when ``max_iter`` steps were taken first, 2 when
            the descent diverged, 3 when the callback stopped it. ``success`` is True for
            status 0 only. ``message`` says what happened and what to change.
        ``path``
            Every iterate, ``x0`` first: an array of shape ``(nit + 1, d)``, with ``d = 1`` for
            a scalar ``x0``.
        ``fun_values``
            The cost at every iterate, shape ``(nit + 1,)`` (only when ``fun`` is given).
        ``grad_norms``
            The Euclidean norm of the gradient at every iterate, shape ``(nit + 1,)``.

    Raises
    ------
    TypeError
        If a parameter has the wrong type, or ``grad`` or ``fun`` return the wrong shape.
    ValueError
        If a parameter is out of range, ``x0`` or the gradient at ``x0`` is not finite, or the
        step-size rule returns a step that is not positive and finite.

    Notes
    -----
    A learning rate that is too large makes the iterates grow without bound. The descent stops
    at once, with ``status`` 2, when

    * the new iterate, its gradient or its cost is not finite (NaN or infinite — for instance
      because the step left the function's domain); that step is discarded, so ``x`` and
      ``path`` end at the last finite iterate; or
    * for ``patience`` consecutive steps the cost rose; or
    * for ``patience`` consecutive steps the step overshot. A step :math:`s_k = -\alpha_k g_k`
      overshoots when the curvature :math:`\kappa_k = s_k^\top (g_{k+1} - g_k) / s_k^\top s_k`
      along it exceeds :math:`2 / \alpha_k`, that is when
      :math:`g_{k+1}^\top g_k < -\lVert g_k \rVert^2`: the gradient reversed and grew along
      the step, the signature of jumping across a valley. (On a quadratic this is the same
      condition as a rising cost; it can only happen when :math:`\alpha_k > 2 / \lambda_{\max}`,
      and then it happens at every step once the unstable direction dominates.)

    With momentum the cost may rise for many steps while the descent converges (the iterate
    swings across the valley and back), so neither a rising cost nor a reversing gradient
    counts; a step counts as overshooting when the curvature along it,
    :math:`s_k^\top (g_{k+1} - g_k) / s_k^\top s_k` for the step :math:`s_k = x_{k+1} - x_k`,
    exceeds :math:`2(1 + \beta_k)/\alpha_k` while the gradient grew, which on a quadratic
    happens only beyond the stable limit.

    A gradient that grows while keeping its direction is not divergence: leaving a flat region,
    as in the lecture's sauna, it legitimately grows for many steps. Steps shorter than
    :math:`\sqrt{\varepsilon}\,\lVert x_k \rVert` (:math:`\varepsilon` the machine epsilon)
    count for neither rule: once the descent is as close to a minimum as floating point allows,
    rounding makes the cost and the gradient jitter, which says nothing about the learning
    rate. Floating-point warnings that ``grad`` and ``fun`` raise
    during the descent are silenced, since a non-finite result is reported as divergence
    instead; the callback runs under the caller's settings.

    Examples
    --------
    The lecture's :math:`f(x) = e^x - \log x`, whose minimum :math:`x^* = W(1)` has no closed
    form, from :math:`x_0 = 0.05` with :math:`\alpha = 0.005`:

    >>> import numpy as np
    >>> from gdregress.optimize import gradient_descent
    >>> res = gradient_descent(lambda x: np.exp(x) - 1 / x, 0.05, learning_rate=0.005)
    >>> res.path[:3, 0].round(4)
    array([0.05  , 0.1447, 0.1735])
    >>> res.success, round(res.x, 8)
    (True, 0.56714329)

    The sauna, :math:`T(x, y) = 85 - \tfrac{1}{90} x^2 (x - 6) \, y^2 (y - 6)`, from
    :math:`(0.5, 0.6)` with :math:`\alpha = 0.05`, ends at the coolest point :math:`(4, 4)`:

    >>> def grad_T(p):
    ...     x, y = p
    ...     return -np.array([x * (3 * x - 12) * y**2 * (y - 6),
    ...                       x**2 * (x - 6) * y * (3 * y - 12)]) / 90
    >>> res = gradient_descent(grad_T, [0.5, 0.6], learning_rate=0.05)
    >>> res.path[1].round(4), res.x.round(6)
    (array([0.5057, 0.6047]), array([4., 4.]))

    A learning rate above :math:`2 / \lambda_{\max} = 0.1` on :math:`x^2 + 10 y^2` diverges,
    which is detected within a few steps:

    >>> res = gradient_descent(lambda p: np.array([2, 20]) * p, [1.0, 1.0], learning_rate=0.2)
    >>> res.status.name, res.nit
    ('DIVERGED', 5)

    One norm of the gradient lets a variable on a large scale excuse one on a small scale: on
    :math:`\tfrac12 (x - 1)^2 + \tfrac{1}{200} (y - 10^{-6})^2`, ``tol=1e-8`` stops with
    :math:`y` at 13% of its minimum. A bound per variable holds each to its own scale:

    >>> minimum = np.array([1.0, 1e-6])
    >>> def grad_xy(p):
    ...     return np.array([1.0, 0.01]) * (p - minimum)
    >>> res = gradient_descent(grad_xy, [0.0, 0.0], learning_rate=0.5, tol=1e-8)
    >>> (res.x / minimum).round(3)
    array([1.   , 0.131])
    >>> res = gradient_descent(grad_xy, [0.0, 0.0], learning_rate=0.5, tol=[1e-8, 1e-16])
    >>> (res.x / minimum).round(3)
    array([1., 1.])

    On :math:`x^2 + 100 y^2` (curvatures 2 and 200, :math:`\kappa = 100`) plain descent at its
    best fixed step :math:`2/(2 + 200)` needs about :math:`\kappa/2` steps per factor e;
    the heavy ball with Polyak's :math:`\alpha = 4/(\sqrt2 + \sqrt{200})^2` and
    :math:`\beta = (9/11)^2` about :math:`\sqrt\kappa/2`:

    >>> def grad_q(p):
    ...     return np.array([2.0, 200.0]) * p
    >>> gradient_descent(grad_q, [1.0, 1.0], learning_rate=2 / 202, tol=1e-10).nit
    1417
    >>> gradient_descent(grad_q, [1.0, 1.0], learning_rate=4 / (2**0.5 + 200**0.5) ** 2,
    ...                  momentum=(9 / 11) ** 2, tol=1e-10).nit
    170
    """
    memory = check_momentum(momentum, learning_rate)
    alpha = None if learning_rate is None else check_learning_rate(learning_rate)
    max_iter = check_count("max_iter", max_iter, "the largest number of steps to take")
    patience = check_count("patience", patience, "how many bad steps in a row mean divergence")
    every = check_count("callback_every", callback_every, "steps between callbacks")
    check_callable("grad", grad, required=True)
    check_callable("fun", fun)
    check_callable("callback", callback)
    x, scalar = check_x0(x0)
    rule = learning_rate if alpha is None else None
    if scalar:
        # The loop works on arrays of shape (1,); a function of one variable sees scalars.
        grad, fun = _on_scalar(grad, as_list=True), _on_scalar(fun)
        rule = _rule_on_scalar(rule) if rule is not None else None
        memory = _rule_on_scalar(memory) if callable(memory) else memory
    args = args if isinstance(args, tuple) else (args,)
    tol = check_tol(tol, x.shape)
    problem = _Problem(grad, fun, rule, alpha, args, tol, max_iter, callback, scalar, every, memory)

    g, f, gnorm, xnorm = _first_point(problem, x)
    history = _History(x, gnorm, f, max_iter, has_fun=fun is not None)
    watch = _DivergenceWatch(patience)
    stop = _descend(problem, history, watch, (x, g, gnorm, f, xnorm))
    return _result(problem, stop, history, _message(problem, stop, history, watch))


# --- the descent's parts ---------------------------------------------------------------------


class _Problem(NamedTuple):
    """What a descent runs on, validated.

    Attributes
    ----------
    grad, fun : callable; callable or None
        ``grad(x, *args)`` and ``fun(x, *args)`` on arrays of shape (d,), even when the
        caller's functions take a scalar.
    rule : callable or None
        The step-size rule ``rule(x, g)``, or None for the fixed step ``alpha``.
    alpha : float or None
        The fixed step, or None for a rule.
    args : tuple
        Extra arguments of ``grad`` and ``fun``.
    tol : float, ndarray of shape (d,) or None
        One bound on the gradient's norm, one bound per component, or None.
    max_iter : int
        The largest number of steps.
    callback : callable or None
        Called after every step, as :func:`gradient_descent` says.
    scalar : bool
        Whether ``x0`` was a scalar, so that the caller sees scalars.
    callback_every : int
        Steps between two calls of the callback.
    momentum : float, callable or None
        The heavy ball's :math:`\beta`, a rule ``momentum(x, g, s) -> (alpha, beta)``, or
        None for plain descent.
    """

    grad: Callable
    fun: Callable | None
    rule: Callable | None
    alpha: float | None
    args: tuple
    tol: float | np.ndarray | None
    max_iter: int
    callback: Callable | None
    scalar: bool
    callback_every: int = 1
    momentum: float | Callable | None = None


class _Stop(NamedTuple):
    """Where and why the loop stopped: the facts that the message and the result are built from.

    Attributes
    ----------
    status : DescentStatus
    nit : int
        The number of steps taken.
    x, g, gnorm, f : ndarray of shape (d,), ndarray of shape (d,), float, float
        The last iterate kept (a non-finite one is discarded), its gradient, the gradient's
        norm and the cost (0 without a cost function).
    step : float or None
        The last step size (None when a rule chose none).
    cause : str or None
        For status DIVERGED, the rule that said so: ``_NON_FINITE``, ``_OVERSHOT`` or
        ``_ROSE``.
    non_finite : str
        For ``_NON_FINITE``, what was not finite, as the message names it.
    """

    status: DescentStatus
    nit: int
    x: np.ndarray
    g: np.ndarray
    gnorm: float
    f: float
    step: float | None
    cause: str | None = None
    non_finite: str = ""


class _History:
    """The iterates of a descent, their gradients' norms and their costs.

    Kept in arrays that start at most ``_INITIAL_CAPACITY + 1`` rows long and double when full,
    up to ``max_iter + 1`` rows.

    Parameters
    ----------
    x0 : ndarray of shape (d,)
        The first iterate, with its gradient's norm ``gnorm0`` and cost ``f0``.
    gnorm0, f0 : float
    max_iter : int
        The largest number of steps.
    has_fun : bool
        Whether to keep the costs: without a cost function ``fun_values`` is None.

    Attributes
    ----------
    path : ndarray of shape (capacity, d)
    grad_norms : ndarray of shape (capacity,)
    fun_values : ndarray of shape (capacity,) or None
        The rows up to the last one recorded hold the history; see :meth:`until`.
    """

    __slots__ = ("_capacity", "_max_rows", "fun_values", "grad_norms", "path")

    def __init__(
        self, x0: np.ndarray, gnorm0: float, f0: float, max_iter: int, *, has_fun: bool
    ) -> None:
        self._capacity = capacity = min(max_iter, _INITIAL_CAPACITY) + 1
        self._max_rows = max_iter + 1
        self.path = np.empty((capacity, x0.size))
        self.grad_norms = np.empty(capacity)
        self.fun_values = np.empty(capacity) if has_fun else None
        self.record(0, x0, gnorm0, f0)

    def record(self, i: int, x: np.ndarray, gnorm: float, f: float) -> None:
        """Keep iterate ``i``: ``x``, its gradient's norm and its cost (ignored without one)."""
        if i == self._capacity:
            self._grow()
        self.path[i], self.grad_norms[i] = x, gnorm
        if self.fun_values is not None:
            self.fun_values[i] = f

    def until(self, nit: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The path, gradient norms and costs (or None) of iterates 0 to ``nit``, as views."""
        costs = self.fun_values[: nit + 1] if self.fun_values is not None else None
        return self.path[: nit + 1], self.grad_norms[: nit + 1], costs

    def _grow(self) -> None:
        """Copy each array into one twice as long, or ``max_iter + 1`` rows if that is less."""
        self._capacity = capacity = min(2 * self._capacity, self._max_rows)
        old = self.path, self.grad_norms, self.fun_values
        self.path, self.grad_norms, self.fun_values = (
            None if a is None else np.concatenate((a, np.empty((capacity - len(a), *a.shape[1:]))))
            for a in old
        )


class _DivergenceWatch:
    r"""The rules that call a descent divergent, applied to one step at a time.

    A step diverges at once when the new iterate, its gradient or its cost is not finite.
    Otherwise it may overshoot (the curvature :math:`\kappa` along it exceeds
    :math:`2 / \alpha`) or raise the cost; ``patience`` of either in a row is divergence. Steps
    shorter than :math:`\sqrt{\varepsilon}\,\lVert x \rVert` count for neither, and end both
    runs: near a minimum, rounding makes the gradient and the cost jitter, which says nothing
    about the learning rate.

    Parameters
    ----------
    patience : int
        How many overshooting or rising steps in a row mean divergence, at least 1.

    Attributes
    ----------
    patience : int
    overshoots, rises : int
        How many of the last steps in a row overshot, and raised the cost.
    curvature : float
        The curvature along the last significant step whose gradient grew (NaN until one),
        for the message.
    """

    __slots__ = ("curvature", "memory", "overshoots", "patience", "rises")

    def __init__(self, patience: int) -> None:
        self.patience = patience
        self.overshoots = self.rises = 0
        self.curvature = math.nan
        self.memory = 0.0  # β of the last step that overshot, for the message

    def check(
        self,
        step: float,
        xnorm: float,
        g: np.ndarray,
        gnorm: float,
        f: float,
        xnorm_new: float,
        g_new: np.ndarray,
        gnorm_new: float,
        f_new: float,
        moved: tuple[np.ndarray, float] | None = None,
    ) -> str | None:
        """Count the step :math:`x_{new} = x - \\alpha g` and say whether the descent diverged.

        Parameters
        ----------
        step : float
            The step size :math:`\\alpha`, positive (0 only for a zero gradient).
        xnorm, g, gnorm, f : float, ndarray of shape (d,), float, float
            At the old iterate: its norm, the gradient, the gradient's norm and the cost (0
            without a cost function, so that the cost never rises).
        xnorm_new, g_new, gnorm_new, f_new : float, ndarray of shape (d,), float, float
            The same at the new iterate.
        moved : tuple (s, beta), optional
            With momentum, the step :math:`s = x_{new} - x` and its :math:`\\beta`: then only
            the curvature along s counts (see :func:`gradient_descent`'s Notes).

        Returns
        -------
        str or None
            ``_NON_FINITE`` when a new quantity is not finite (the counts are left as they
            were, since the step is discarded), ``_OVERSHOT`` or ``_ROSE`` when ``patience``
            steps in a row overshot or raised the cost (overshooting checked first), else None.
        """
        # One test for the three: the sum is finite only if each term is.
        if not math.isfinite(xnorm_new + gnorm_new + f_new):
            return _NON_FINITE
        if moved is not None:
            return self._overshot_with_memory(step, xnorm, g, gnorm, g_new, gnorm_new, *moved)
        # Near a minimum, rounding makes the gradient and the cost jitter; a step shorter
        # than √ε·‖x‖ is at that level and says nothing about the learning rate. Such a step,
        # or one along which neither the gradient's norm nor the cost grew, ends both runs
        # (tested first, since it is the common case: all is finite here, so no NaN).
        if not (step * gnorm > _SQRT_EPS * xnorm) or (gnorm_new <= gnorm and f_new <= f):
            self.overshoots = self.rises = 0
            return None
        # The step s = -step·g overshot if the curvature along it, (1 - g_new·u / ‖g‖) / step
        # with u = g / ‖g‖, exceeds 2 / step. Only a gradient that grew can do so: skip the
        # dot product else. (Divided by ‖g‖ before multiplying, so that nothing overflows.)
        if gnorm_new > gnorm:
            self.curvature = curvature = (1.0 - float(g_new.dot(g / gnorm)) / gnorm) / step
            self.overshoots = self.overshoots + 1 if step * curvature > 2.0 else 0
        else:
            self.overshoots = 0
        self.rises = self.rises + 1 if f_new > f else 0
        if self.overshoots >= self.patience:
            return _OVERSHOT
        if self.rises >= self.patience:
            return _ROSE
        return None

    def _overshot_with_memory(self, step, xnorm, g, gnorm, g_new, gnorm_new, s, beta):
        """The momentum's rule: ``patience`` steps in a row whose gradient grew and along
        which the curvature exceeds :math:`2(1 + \\beta)/\\alpha`."""
        length = safe_norm(s)
        if not (length > _SQRT_EPS * xnorm) or gnorm_new <= gnorm:
            self.overshoots = 0
            return None
        self.curvature = float(s.dot(g_new - g)) / length / length
        self.memory = beta
        overshot = step * self.curvature > 2.0 * (1.0 + beta)
        self.overshoots = self.overshoots + 1 if overshot else 0
        return _OVERSHOT if self.overshoots >= self.patience else None


def _first_point(problem: _Problem, x: np.ndarray) -> tuple[np.ndarray, float, float, float]:
    """Evaluate the start ``x``: its gradient, cost, gradient's norm and norm.

    Parameters
    ----------
    problem : _Problem
    x : ndarray of shape (d,)

    Returns
    -------
    g : ndarray of shape (d,)
    f, gnorm, xnorm : float
        The cost (0 without a cost function), the gradient's norm and the norm of ``x``.

    Raises
    ------
    TypeError
        If ``grad`` or ``fun`` return the wrong shape.
    ValueError
        If the gradient or the cost is not finite.
    """
    g = np.array(problem.grad(x, *problem.args), dtype=np.float64)
    if g.shape != x.shape:
        raise _gradient_shape_error(g.shape, x.shape, problem.scalar)
    f = _first_cost(problem.fun, x, problem.args)
    with np.errstate(all="ignore"):
        gnorm, xnorm = safe_norm(g), safe_norm(x)
    if not math.isfinite(gnorm) or not math.isfinite(f):
        which = "gradient" if not math.isfinite(gnorm) else "cost"
        raise ValueError(
            f"The {which} at x0 is not finite: start inside the function's domain, where its "
            "value and gradient are finite numbers."
        )
    return g, f, gnorm, xnorm


def _descend(problem: _Problem, history: _History, watch: _DivergenceWatch, start: tuple) -> _Stop:
    """Take steps until the gradient meets ``tol``, ``max_iter`` runs out, the callback stops
    the descent or ``watch`` calls it divergent.

    Parameters
    ----------
    problem : _Problem
    history : _History
        Where every new iterate is recorded.
    watch : _DivergenceWatch
        Told of every step.
    start : tuple
        ``(x, g, gnorm, f, xnorm)`` at the first iterate, as :func:`_first_point` gives them.

    Returns
    -------
    _Stop
    """
    grad, fun, rule, alpha, args, tol, max_iter, callback, scalar, every, memory = problem
    # With a bound per variable, each component is compared with its own (None: one norm).
    bounds = tol if isinstance(tol, np.ndarray) else None
    x, g, gnorm, f, xnorm = start
    record, check, has_fun = history.record, watch.check, fun is not None
    # Names bound once: the loop may run 100,000 times on vectors so short that looking up
    # np.array, np.float64 or a fresh x.shape costs as much as the arithmetic.
    array, float64, norm, shape = np.array, np.float64, safe_norm, x.shape
    step, nit, cause, non_finite = alpha, 0, None, ""
    moved = None if memory is None else np.zeros_like(x)  # with momentum: the last step
    outer_errstate = np.geterr()
    # Silence overflow and invalid-value warnings: a non-finite result is reported as divergence.
    with np.errstate(all="ignore"):
        while True:
            if tol is not None and (gnorm <= tol if bounds is None else (abs(g) <= bounds).all()):
                status = DescentStatus.CONVERGED
                break
            if nit == max_iter:
                status = DescentStatus.MAX_ITER if tol is not None else DescentStatus.CONVERGED
                break
            if rule is not None:
                # A zero gradient needs no step, and would make a line search 0 / 0.
                step = _check_step(rule(x, g), nit) if gnorm > 0.0 else 0.0
            if moved is None:
                x_new = x - step * g
            else:
                # The heavy ball's fixed β with the learning rate's step, or a rule's pair.
                pace = checked_pace(memory(x, g, moved), nit) if callable(memory) else None
                step, beta = pace or (step, memory)
                step_new = beta * moved - step * g
                x_new = x + step_new
            g_new = array(grad(x_new, *args), dtype=float64)
            if g_new.shape != shape:
                raise _gradient_shape_error(g_new.shape, shape, scalar)
            f_new = float(fun(x_new, *args)) if has_fun else 0.0
            gnorm_new, xnorm_new = norm(g_new), norm(x_new)
            last = None if moved is None else (step_new, beta)
            cause = check(step, xnorm, g, gnorm, f, xnorm_new, g_new, gnorm_new, f_new, last)
            if cause is _NON_FINITE:
                # The step is discarded: x and the path end at the last finite iterate.
                status, non_finite = DescentStatus.DIVERGED, _non_finite(x_new, gnorm_new, f_new)
                break
            nit += 1
            record(nit, x_new, gnorm_new, f_new)
            x, g, gnorm, f, xnorm = x_new, g_new, gnorm_new, f_new, xnorm_new
            moved = None if moved is None else step_new
            if (
                callback is not None
                and nit % every == 0
                and _callback_stops(problem, x, g, f, nit, outer_errstate)
            ):
                status, cause = DescentStatus.STOPPED, None
                break
            if cause is not None:
                status = DescentStatus.DIVERGED
                break
    return _Stop(status, nit, x, g, gnorm, f, step, cause, non_finite)


def _callback_stops(
    problem: _Problem, x: np.ndarray, g: np.ndarray, f: float, nit: int, errstate: dict
) -> bool:
    """Call the callback with the iterate ``x`` of step ``nit``; return whether it stopped the
    descent by raising :class:`StopIteration`.

    It gets an :class:`OptimizeResult` of copies, so that a callback that keeps or changes
    them cannot disturb the descent, and runs under the caller's floating-point ``errstate``.
    """
    scalar = problem.scalar
    result = OptimizeResult(
        x=float(x[0]) if scalar else x.copy(), jac=float(g[0]) if scalar else g.copy(), nit=nit
    )
    if problem.fun is not None:
        result.fun = f
    try:
        with np.errstate(**errstate):
            problem.callback(result)
    except StopIteration:
        return True
    return False


def _message(problem: _Problem, stop: _Stop, history: _History, watch: _DivergenceWatch) -> str:
    """Say how the descent ended and what to change, from the facts the loop recorded.

    Parameters
    ----------
    problem : _Problem
    stop : _Stop
    history : _History
        For the gradient's norm and the cost at ``x0``.
    watch : _DivergenceWatch
        For ``patience`` and the curvature behind an overshoot.

    Returns
    -------
    str
    """
    status, tol, gnorm = stop.status, problem.tol, stop.gnorm
    if status is DescentStatus.CONVERGED and tol is None:
        return (
            f"Ran all max_iter={problem.max_iter} steps (tol=None); the gradient's norm is "
            f"{gnorm:.3g}."
        )
    if status is DescentStatus.CONVERGED:
        within = (
            f"the gradient's norm {gnorm:.3g} is at most tol={tol:g}"
            if not isinstance(tol, np.ndarray)
            else "every component of the gradient is at most its tol"
        )
        return f"Converged: {within} after {stop.nit} steps."
    if status is DescentStatus.MAX_ITER:
        return (
            f"Stopped: max_iter={problem.max_iter} steps were reached while "
            f"{gradient_excess(stop.g, gnorm, tol)}. Raise max_iter or the learning rate."
        )
    if status is DescentStatus.STOPPED:
        return f"Stopped by the callback (it raised StopIteration) after {stop.nit} steps."
    return _divergence_message(problem, stop, history, watch)


def _divergence_message(
    problem: _Problem, stop: _Stop, history: _History, watch: _DivergenceWatch
) -> str:
    """Say which rule found the descent divergent, with the numbers behind it; see
    :func:`_message`."""
    rate = _rate_text(problem.alpha, stop.step)
    f, f0 = stop.f, float(history.fun_values[0]) if problem.fun is not None else 0.0
    if stop.cause is _NON_FINITE:
        message = (
            f"Diverged at step {stop.nit + 1}: the {stop.non_finite} was not finite, because "
            f"the step overflowed or left the function's domain. {rate} is too large: "
            "decrease it."
        )
        if problem.fun is not None and f < f0:
            message += (
                f" (The cost had fallen to {f:.3g} from {f0:.3g}: if the function is "
                "unbounded below, no learning rate will help.)"
            )
        return message
    if stop.cause is _OVERSHOT:
        curvature, gnorm0 = watch.curvature, float(history.grad_norms[0])
        two = f"2(1 + {watch.memory:g})" if watch.memory else "2"
        grew = "reversed its direction and grew" if problem.momentum is None else "grew"
        return (
            f"Diverged: for {watch.patience} consecutive steps the gradient {grew}, to norm "
            f"{stop.gnorm:.6g} (it started at {gnorm0:.6g}): each step overshot the valley. "
            f"{rate} is too large: the curvature along the last step, {curvature:.3g}, asks "
            f"for steps below {two} / {curvature:.3g} = {2 * (1 + watch.memory) / curvature:.3g}."
        )
    return (
        f"Diverged: the cost rose for {watch.patience} consecutive steps, to {f:.6g} (it "
        f"started at {f0:.6g}). {rate} is too large: decrease it."
    )


def _result(problem: _Problem, stop: _Stop, history: _History, message: str) -> OptimizeResult:
    """Gather the result of a descent that ended at ``stop``; see :func:`gradient_descent`."""
    path, grad_norms, fun_values = history.until(stop.nit)
    # Every kept iterate was evaluated once, and so was a discarded, non-finite one.
    evaluations = stop.nit + 1 + (stop.cause is _NON_FINITE)
    result = OptimizeResult(
        x=float(stop.x[0]) if problem.scalar else stop.x,
        jac=float(stop.g[0]) if problem.scalar else stop.g,
        nit=stop.nit,
        nfev=evaluations if fun_values is not None else 0,
        njev=evaluations,
        success=stop.status is DescentStatus.CONVERGED,
        status=stop.status,
        message=message,
        path=path,
        grad_norms=grad_norms,
    )
    if fun_values is not None:
        result.fun = stop.f
        result.fun_values = fun_values
    return result


def minimize_gradient_descent(
    fun: Callable[..., Any],
    x0: ArrayLike,
    args: tuple = (),
    jac: Callable[..., Any] | bool | None = None,
    callback: Callable[..., Any] | None = None,
    *,
    learning_rate: float | Callable[[Any, Any], float] | None = None,
    max_iter: int | None = None,
    tol: float | ArrayLike | None = 1e-8,
    patience: int = 5,
    momentum: float = 0.0,
    maxiter: int | None = None,
    disp: bool = False,
    hess: Any = None,
    hessp: Any = None,
    bounds: Any = None,
    constraints: Any = (),
    **unknown_options: Any,
) -> OptimizeResult:
    r"""Gradient descent as a custom ``method`` for :func:`scipy.optimize.minimize`.

    Takes the steps

    .. math::

        x_{k+1} = x_k - \alpha_k \, \nabla f(x_k)

    until :math:`\lVert \nabla f(x_k) \rVert_2 \le \mathrm{tol}`; see :func:`gradient_descent`,
    which does the work. :func:`~scipy.optimize.minimize` calls this function as
    ``method(fun, x0, args=args, jac=jac, hess=hess, hessp=hessp, bounds=bounds,
    constraints=constraints, callback=callback, **options)``, with ``options["tol"]`` set from
    its own ``tol`` argument when that is given.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args)``, the cost; or, with ``jac=True``, ``fun(x, *args) -> (cost, gradient)``.
    x0 : array_like of shape (d,)
        The starting point.
    args : tuple, default=()
        Extra arguments passed to ``fun`` and ``jac``.
    jac : callable or True
        ``jac(x, *args)``, the gradient; or True when ``fun`` returns the cost and the gradient.
        Gradient descent needs the gradient: without it a :class:`ValueError` is raised.
    callback : callable, optional
        Called after every step, as :func:`~scipy.optimize.minimize` does: with
        ``intermediate_result=OptimizeResult(...)`` if that is its only parameter, else with a
        copy of the iterate. Raising :class:`StopIteration` stops the descent (``status`` 3).
    learning_rate : float or callable
        The step :math:`\alpha` or a step-size rule ``learning_rate(x, g)``; required, passed as
        ``options={"learning_rate": ...}``.
    max_iter : int, default=10_000
        The largest number of steps. ``maxiter``, the name scipy's own methods use, is accepted
        too.
    tol : float, array_like of shape (d,) or None, default=1e-8
        Stop when the gradient's norm is at most ``tol``, or, for an array, when every
        component is at most its own bound; None runs exactly ``max_iter`` steps.
    patience : int, default=5
        How many rising or overshooting steps in a row signal divergence; see
        :func:`gradient_descent`.
    momentum : float, default=0.0
        The heavy ball's :math:`\\beta` in [0, 1) (or a momentum rule, with
        ``learning_rate=None``); see :func:`gradient_descent`.
    maxiter : int, optional
        Same as ``max_iter``.
    disp : bool, default=False
        Print the result's message.
    hess, hessp : optional
        Passed by :func:`~scipy.optimize.minimize`; gradient descent does not use them.
    bounds, constraints : optional
        Must be empty: gradient descent is unconstrained.
    **unknown_options
        Any other option is ignored with an :class:`~scipy.optimize.OptimizeWarning`.

    Returns
    -------
    OptimizeResult
        As returned by :func:`gradient_descent`, with ``fun`` and ``fun_values`` always present.

    Raises
    ------
    ValueError
        If there is no gradient or no learning rate, or bounds or constraints are given.

    Examples
    --------
    The lecture's sum of squares for the line through (1, 2), (2, 5), (3, 3),
    :math:`E(m, b) = 14m^2 + 3b^2 + 38 + 12mb - 42m - 20b`, is least at
    :math:`(m, b) = (1/2, 7/3)`:

    >>> import numpy as np
    >>> from scipy.optimize import minimize
    >>> from gdregress.optimize import minimize_gradient_descent
    >>> def E(p):
    ...     m, b = p
    ...     return 14 * m**2 + 3 * b**2 + 38 + 12 * m * b - 42 * m - 20 * b
    >>> def grad_E(p):
    ...     m, b = p
    ...     return np.array([28 * m + 12 * b - 42, 6 * b + 12 * m - 20])
    >>> res = minimize(E, [0.0, 0.0], jac=grad_E, method=minimize_gradient_descent,
    ...                options={"learning_rate": 0.02})
    >>> res.success, res.x.round(6), round(res.fun, 6)
    (True, array([0.5     , 2.333333]), 4.166667)
    """
    if unknown_options:
        warnings.warn(
            f"Unknown solver options: {', '.join(sorted(unknown_options))}.",
            OptimizeWarning,
            stacklevel=find_stack_level(),
        )
    if bounds is not None or constraints not in (None, (), []):
        raise ValueError(
            "Gradient descent is unconstrained: it cannot honour bounds or constraints. "
            "Remove them, or use a method that supports them, such as 'L-BFGS-B' or 'SLSQP'."
        )
    if learning_rate is None and not callable(momentum):
        raise ValueError(
            "Gradient descent needs a learning rate: pass options={'learning_rate': 0.01} "
            "(or a step-size rule learning_rate(x, g) -> float)."
        )
    if max_iter is not None and maxiter is not None:
        raise ValueError("Give max_iter or maxiter (its scipy name), not both.")
    if max_iter is None:
        max_iter = 10_000 if maxiter is None else maxiter

    if jac is True:
        fun, grad = _split_value_and_grad(fun)
    elif callable(jac):
        grad = jac
    else:
        raise ValueError(
            "Gradient descent needs the gradient: pass jac=<callable returning the gradient>, "
            f"or jac=True if fun returns (cost, gradient); got jac={jac!r}."
        )

    result = gradient_descent(
        grad,
        np.atleast_1d(np.asarray(x0, dtype=np.float64)),
        learning_rate=learning_rate,
        max_iter=max_iter,
        tol=tol,
        fun=_scalar_valued(fun),
        callback=_scipy_style_callback(callback),
        args=args if isinstance(args, tuple) else (args,),
        patience=patience,
        momentum=momentum,
    )
    if disp:
        print(result.message)
    return result


# --- helpers ---------------------------------------------------------------------------------


def _on_scalar(func: Callable[..., Any] | None, as_list: bool = False) -> Callable | None:
    """Let a function of one variable see a scalar where the loop holds an array of shape (1,)."""
    if func is None:
        return None
    if as_list:  # a scalar gradient becomes a list, which np.array turns into shape (1,)
        return lambda x, *args: [func(x[0], *args)]
    return lambda x, *args: func(x[0], *args)


def _rule_on_scalar(rule: Callable) -> Callable:
    """Let a step-size rule (or momentum rule) for one variable see scalars ``x``, ``g``
    (and ``s``)."""
    return lambda *arrays: rule(*(array[0] for array in arrays))


def _gradient_shape_error(got: tuple, want: tuple, scalar: bool) -> TypeError:
    expected = "a scalar, as x0 is a scalar" if scalar else f"an array of shape {want}, like x0"
    shape = f"shape {got[1:]}" if scalar else f"shape {got}"
    return TypeError(f"grad must return {expected}; it returned an array of {shape}.")


def _first_cost(fun: Callable | None, x: np.ndarray, args: tuple) -> float:
    if fun is None:
        return 0.0
    value = fun(x, *args)
    try:
        return float(value)
    except TypeError as exc:
        raise TypeError(
            f"fun must return a scalar (the cost); it returned {type(value).__name__} "
            f"of shape {np.shape(value)}."
        ) from exc


def _check_step(step: Any, nit: int) -> float:
    value = float(step)
    if not (0.0 < value < math.inf):
        raise ValueError(
            f"learning_rate(x, g) returned {value!r} at step {nit + 1}; a step-size rule must "
            "return a positive finite number."
        )
    return value


def _non_finite(x: np.ndarray, gnorm: float, f: float) -> str:
    """Name the first non-finite quantity of a new iterate, for the message."""
    if not np.isfinite(x).all():
        return "iterate"
    if not math.isfinite(gnorm):
        return "gradient"
    if not math.isfinite(f):
        return "cost"
    return "size of the iterate, gradient and cost"  # each finite, but their sum overflowed


def _rate_text(alpha: float | None, step: float) -> str:
    if alpha is not None:
        return f"The learning rate {alpha:g}"
    return f"The learning rate (step {step:.3g} from the rule learning_rate(x, g))"


def _split_value_and_grad(fun: Callable) -> tuple[Callable, Callable]:
    """Split ``fun(x) -> (cost, gradient)`` into a cost and a gradient, each evaluated once.

    The descent asks for the gradient and then the cost at the same iterate, the same array
    object, so the pair is remembered for the last ``x`` it was computed at.
    """
    last: dict[str, Any] = {"x": None}

    def evaluate(x: np.ndarray, *args: Any) -> tuple[Any, Any]:
        if last["x"] is not x:
            value, gradient = fun(x, *args)
            last.update(x=x, value=value, gradient=gradient)
        return last["value"], last["gradient"]

    return (lambda x, *args: evaluate(x, *args)[0]), (lambda x, *args: evaluate(x, *args)[1])


def _scalar_valued(fun: Callable) -> Callable:
    """Accept a cost returned as an array of one element, as scipy.optimize.minimize does."""
    return lambda x, *args: np.asarray(fun(x, *args)).item()


def _scipy_style_callback(callback: Callable | None) -> Callable | None:
    """Call ``callback`` as scipy.optimize.minimize would.

    scipy passes an ``OptimizeResult`` to a callback whose only parameter is named
    ``intermediate_result``, and a copy of the iterate to any other.
    """
    if callback is None:
        return None
    try:
        parameters = set(inspect.signature(callback).parameters)
    except (TypeError, ValueError):  # some builtins have no signature: treat as callback(xk)
        parameters = set()
    if parameters == {"intermediate_result"}:
        return lambda result: callback(intermediate_result=result)
    return lambda result: callback(np.atleast_1d(result.x))
