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
import numbers
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import OptimizeResult, OptimizeWarning

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


_CONVERGED = DescentStatus.CONVERGED
_MAX_ITER = DescentStatus.MAX_ITER
_DIVERGED = DescentStatus.DIVERGED
_STOPPED = DescentStatus.STOPPED

# The history starts this long and doubles when full, so that a short descent allocates little
# and a long one is not slowed by appending to lists.
_INITIAL_CAPACITY = 256
_SQRT_EPS = math.sqrt(np.finfo(np.float64).eps)
# Sums of squares at least this large lose nothing to underflow (terms below the normal range
# add at most n·2**-1074 to them); finite ones lost nothing to overflow.
_SAFE_SQUARES = 2.0**-900


def gradient_descent(
    grad: Callable[..., Any],
    x0: float | ArrayLike,
    *,
    learning_rate: float | Callable[[Any, Any], float],
    max_iter: int = 10_000,
    tol: float | ArrayLike | None = 1e-8,
    fun: Callable[..., float] | None = None,
    callback: Callable[[OptimizeResult], Any] | None = None,
    args: tuple = (),
    patience: int = 5,
) -> OptimizeResult:
    r"""Minimize a function by plain gradient descent.

    Starting from :math:`x_0`, take steps against the gradient until it vanishes:

    .. math::

        x_{k+1} = x_k - \alpha_k \, \nabla f(x_k), \qquad k = 0, 1, 2, \dots

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
    learning_rate : float or callable
        A positive finite number, the fixed step :math:`\alpha`; or a step-size rule
        ``learning_rate(x, g) -> float`` returning :math:`\alpha_k` for the iterate ``x`` with
        gradient ``g`` (for instance the exact line search on a quadratic with Hessian
        :math:`H`, :math:`\alpha_k = g^\top g / g^\top H g`). The rule is not called when the
        gradient is exactly zero, since then there is no step to take.
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
    """
    alpha = _check_learning_rate(learning_rate)
    max_iter = _check_count("max_iter", max_iter, "the largest number of steps to take")
    patience = _check_count("patience", patience, "how many bad steps in a row mean divergence")
    _check_callable("grad", grad, required=True)
    _check_callable("fun", fun)
    _check_callable("callback", callback)
    args = args if isinstance(args, tuple) else (args,)
    x, scalar = _check_x0(x0)
    tol = _check_tol(tol, x.shape)
    # With a bound per variable, each component is compared with its own (None: one norm).
    bounds = tol if isinstance(tol, np.ndarray) else None
    rule = learning_rate if alpha is None else None
    if scalar:
        # The loop works on arrays of shape (1,); a function of one variable sees scalars.
        grad_, fun_ = _on_scalar(grad, as_list=True), _on_scalar(fun)
        if rule is not None:
            rule = _rule_on_scalar(rule)
    else:
        grad_, fun_ = grad, fun

    g = _first_gradient(grad_, x, args, scalar)
    f = _first_cost(fun_, x, args)
    with np.errstate(all="ignore"):
        gnorm, xnorm = _norm(g), _norm(x)
    if not math.isfinite(gnorm) or not math.isfinite(f):
        which = "gradient" if not math.isfinite(gnorm) else "cost"
        raise ValueError(
            f"The {which} at x0 is not finite: start inside the function's domain, where its "
            "value and gradient are finite numbers."
        )
    f0, gnorm0 = f, gnorm

    capacity = min(max_iter, _INITIAL_CAPACITY) + 1
    path = np.empty((capacity, x.size))
    grad_norms = np.empty(capacity)
    fun_values = np.empty(capacity) if fun is not None else None
    path[0], grad_norms[0] = x, gnorm
    if fun_values is not None:
        fun_values[0] = f

    nit = rises = overshoots = 0
    curvature = math.nan  # along the last step whose gradient grew, for the message
    step = alpha  # the last step size, for the messages
    discarded = False  # whether a last, non-finite evaluation was thrown away
    message = ""
    outer_errstate = np.geterr()
    # Silence overflow and invalid-value warnings: a non-finite result is reported as divergence.
    with np.errstate(all="ignore"):
        while True:
            if tol is not None and (
                gnorm <= tol if bounds is None else bool(np.all(np.abs(g) <= bounds))
            ):
                status = _CONVERGED
                break
            if nit == max_iter:
                status = _MAX_ITER if tol is not None else _CONVERGED
                break
            if rule is not None:
                # A zero gradient needs no step, and would make a line search 0 / 0.
                step = _check_step(rule(x, g), nit) if gnorm > 0.0 else 0.0
            x_new = x - step * g
            g_new = np.array(grad_(x_new, *args), dtype=np.float64)
            if g_new.shape != x.shape:
                raise _gradient_shape_error(g_new.shape, x.shape, scalar)
            f_new = float(fun_(x_new, *args)) if fun_ is not None else 0.0
            gnorm_new, xnorm_new = _norm(g_new), _norm(x_new)
            # One test for the three: the sum is finite only if each term is.
            if not math.isfinite(xnorm_new + gnorm_new + f_new):
                discarded = True
                status = _DIVERGED
                message = (
                    f"Diverged at step {nit + 1}: the {_non_finite(x_new, gnorm_new, f_new)} was "
                    "not finite, because the step overflowed or left the function's domain. "
                    f"{_rate_text(alpha, step)} is too large: decrease it."
                )
                if fun_ is not None and f < f0:
                    message += (
                        f" (The cost had fallen to {f:.3g} from {f0:.3g}: if the function is "
                        "unbounded below, no learning rate will help.)"
                    )
                break

            nit += 1
            if nit == capacity:
                capacity = min(2 * capacity, max_iter + 1)
                path, grad_norms, fun_values = _grow(capacity, path, grad_norms, fun_values)
            path[nit], grad_norms[nit] = x_new, gnorm_new
            if fun_values is not None:
                fun_values[nit] = f_new

            # Near a minimum, rounding makes the gradient and the cost jitter; a step shorter
            # than √ε·‖x‖ is at that level and says nothing about the learning rate.
            significant = step * gnorm > _SQRT_EPS * xnorm
            # The step s = -step·g overshot if the curvature along it, (1 - g_new·u / ‖g‖) / step
            # with u = g / ‖g‖, exceeds 2 / step. Only a gradient that grew can do so: skip the
            # dot product else. (Divided by ‖g‖ before multiplying, so that nothing overflows.)
            if significant and gnorm_new > gnorm:
                curvature = (1.0 - float(g_new.dot(g / gnorm)) / gnorm) / step
                overshoots = overshoots + 1 if step * curvature > 2.0 else 0
            else:
                overshoots = 0
            rises = rises + 1 if significant and fun_ is not None and f_new > f else 0
            x, g, gnorm, f, xnorm = x_new, g_new, gnorm_new, f_new, xnorm_new

            if callback is not None:
                try:
                    with np.errstate(**outer_errstate):
                        callback(_intermediate(x, g, f, nit, scalar, fun is not None))
                except StopIteration:
                    status = _STOPPED
                    break
            if overshoots >= patience:
                status = _DIVERGED
                message = (
                    f"Diverged: for {patience} consecutive steps the gradient reversed its "
                    f"direction and grew, to norm {gnorm:.6g} (it started at {gnorm0:.6g}): each "
                    f"step overshot the valley. {_rate_text(alpha, step)} is too large: the "
                    f"curvature along the last step, {curvature:.3g}, asks for steps below "
                    f"2 / {curvature:.3g} = {2 / curvature:.3g}."
                )
                break
            if rises >= patience:
                status = _DIVERGED
                message = (
                    f"Diverged: the cost rose for {patience} consecutive steps, to {f:.6g} "
                    f"(it started at {f0:.6g}). {_rate_text(alpha, step)} is too large: "
                    "decrease it."
                )
                break

    if status == _CONVERGED and tol is None:
        message = (
            f"Ran all max_iter={max_iter} steps (tol=None); the gradient's norm is {gnorm:.3g}."
        )
    elif status == _CONVERGED:
        within = (
            f"the gradient's norm {gnorm:.3g} is at most tol={tol:g}"
            if bounds is None
            else "every component of the gradient is at most its tol"
        )
        message = f"Converged: {within} after {nit} steps."
    elif status == _MAX_ITER:
        message = (
            f"Stopped: max_iter={max_iter} steps were reached while {_excess(g, gnorm, tol)}. "
            "Raise max_iter or the learning rate."
        )
    elif status == _STOPPED:
        message = f"Stopped by the callback (it raised StopIteration) after {nit} steps."

    evaluations = nit + 1 + discarded
    result = OptimizeResult(
        x=float(x[0]) if scalar else x,
        jac=float(g[0]) if scalar else g,
        nit=nit,
        nfev=evaluations if fun is not None else 0,
        njev=evaluations,
        success=status == _CONVERGED,
        status=status,
        message=message,
        path=path[: nit + 1],
        grad_norms=grad_norms[: nit + 1],
    )
    if fun_values is not None:
        result.fun = f
        result.fun_values = fun_values[: nit + 1]
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
            stacklevel=2,
        )
    if bounds is not None or constraints not in (None, (), []):
        raise ValueError(
            "Gradient descent is unconstrained: it cannot honour bounds or constraints. "
            "Remove them, or use a method that supports them, such as 'L-BFGS-B' or 'SLSQP'."
        )
    if learning_rate is None:
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
    )
    if disp:
        print(result.message)
    return result


# --- helpers ---------------------------------------------------------------------------------


def _checked_number(
    value: Any,
    kind: type,
    expected: str,
    valid: Callable[[Any], bool],
    out_of_range: str,
    hint: str = "",
) -> Any:
    """Return ``value`` as an int or float, checked; the shared shape of the number checks.

    Parameters
    ----------
    value : object
        What the caller passed.
    kind : numbers.Integral or numbers.Real
        The kind of number wanted, returned as an ``int`` or a ``float``. A bool is not one.
    expected : str
        What was wanted, the start of the :class:`TypeError`'s message.
    valid : callable
        ``valid(number) -> bool``, whether the number is in range.
    out_of_range : str
        The :class:`ValueError`'s message, with ``{!r}`` where the number goes.
    hint : str, default=""
        Added to the end of the :class:`TypeError`'s message.

    Raises
    ------
    TypeError
        If ``value`` is not a number of that kind.
    ValueError
        If it is not ``valid``.
    """
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(f"{expected}; got {type(value).__name__} {value!r}.{hint}")
    number = int(value) if kind is numbers.Integral else float(value)
    if not valid(number):
        raise ValueError(out_of_range.format(number))
    return number


def _check_learning_rate(learning_rate: Any) -> float | None:
    """Return the fixed step, or None when ``learning_rate`` is a step-size rule."""
    if callable(learning_rate):
        return None
    return _checked_number(
        learning_rate,
        numbers.Real,
        "learning_rate must be a positive number or a callable learning_rate(x, g) -> float",
        lambda value: 0.0 < value < math.inf,
        "learning_rate must be a positive finite number; got {!r}. Use a small positive step "
        "such as 0.01, and decrease it if the descent diverges.",
    )


def _check_count(name: str, value: Any, meaning: str) -> int:
    """Return ``value`` as an int of at least 1: ``max_iter`` or ``patience``, which ``meaning``
    explains in the messages."""
    return _checked_number(
        value,
        numbers.Integral,
        f"{name} must be an integer ({meaning})",
        lambda count: count >= 1,
        f"{name} must be at least 1 ({meaning}); got {{!r}}.",
        hint=" Write it as an int, e.g. 10_000 rather than 1e4.",
    )


def _check_tol(tol: Any, shape: tuple[int, ...]) -> float | np.ndarray | None:
    """Return tol as a float, as a new float64 array of ``shape`` (one bound per variable), or
    None."""
    if tol is None:
        return None
    if not isinstance(tol, np.ndarray | list | tuple):
        return _checked_number(
            tol,
            numbers.Real,
            "tol must be a non-negative number, an array of them (one per variable), or None "
            "to run exactly max_iter steps",
            lambda value: 0.0 <= value < math.inf,
            "tol must be a finite number >= 0, such as 1e-8; got {!r}. Use tol=None to run "
            "exactly max_iter steps.",
        )
    bounds = np.array(tol)
    if bounds.dtype.kind not in "iuf":
        raise TypeError(
            "tol must be a non-negative number, an array of them (one per variable) or "
            f"None; got an array of dtype {bounds.dtype}."
        )
    if bounds.shape != shape:
        raise ValueError(
            f"tol as an array holds one bound per variable: shape {shape}, like x0; got "
            f"shape {bounds.shape}."
        )
    bounds = bounds.astype(np.float64)
    if not np.all((bounds >= 0.0) & (bounds < math.inf)):
        raise ValueError(f"tol must hold finite numbers >= 0; got {tol!r}.")
    return bounds


def _excess(g: np.ndarray, gnorm: float, tol: float | np.ndarray) -> str:
    """Say how a gradient that has not met ``tol`` stands against it, for messages.

    For a bound per variable, names the component furthest above its own bound.
    """
    if not isinstance(tol, np.ndarray):
        return f"the gradient's norm, {gnorm:.3g}, is still above the tolerance {tol:.3g}"
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(np.abs(g) > tol, np.abs(g) / tol, 0.0)
    i = int(np.argmax(ratios))
    return (
        f"component {i} of the gradient, {abs(g[i]):.3g}, is still above its tolerance "
        f"{tol[i]:.3g} (the gradient's norm is {gnorm:.3g})"
    )


def _check_callable(name: str, value: Any, required: bool = False) -> None:
    if (value is not None or required) and not callable(value):
        raise TypeError(
            f"{name} must be a callable{'' if required else ' or None'}; "
            f"got {type(value).__name__} {value!r}."
        )


def _check_x0(x0: Any) -> tuple[np.ndarray, bool]:
    """Return x0 as a new float64 array of shape (d,), and whether it was a scalar."""
    if np.iscomplexobj(x0):
        raise TypeError("x0 must be real: gradient descent works on real numbers.")
    try:
        x = np.array(x0, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"x0 must be a real number or a 1-D array of real numbers; got {x0!r}."
        ) from exc
    if x.ndim > 1:
        raise ValueError(
            f"x0 must be a scalar or a 1-D array; got an array of shape {x.shape}. "
            "Flatten it, and reshape inside grad and fun if they need a matrix."
        )
    if x.size == 0:
        raise ValueError("x0 is empty: give at least one variable.")
    if not np.isfinite(x).all():
        raise ValueError(f"x0 must be finite; got {x0!r}.")
    return x.reshape(-1), x.ndim == 0


def _on_scalar(func: Callable[..., Any] | None, as_list: bool = False) -> Callable | None:
    """Let a function of one variable see a scalar where the loop holds an array of shape (1,)."""
    if func is None:
        return None
    if as_list:  # a scalar gradient becomes a list, which np.array turns into shape (1,)
        return lambda x, *args: [func(x[0], *args)]
    return lambda x, *args: func(x[0], *args)


def _rule_on_scalar(rule: Callable) -> Callable:
    """Let a step-size rule for one variable see scalars ``x`` and ``g``."""
    return lambda x, g: rule(x[0], g[0])


def _first_gradient(grad: Callable, x: np.ndarray, args: tuple, scalar: bool) -> np.ndarray:
    g = np.array(grad(x, *args), dtype=np.float64)
    if g.shape != x.shape:
        raise _gradient_shape_error(g.shape, x.shape, scalar)
    return g


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


def _norm(v: np.ndarray) -> float:
    """The Euclidean norm of an array, without overflow or underflow of the squares.

    ``sqrt(v·v)`` when the sum of squares is safely inside float64's range (one dot product,
    as cheap as it gets for the short vectors of a descent); else ``m·‖v/m‖`` with
    ``m = max|v|``, so that a norm near 1e±200 is exact to rounding. NaN and inf propagate.
    The caller silences floating-point warnings (the dot product may overflow or underflow).
    """
    v = v.ravel()
    squares = float(v.dot(v))
    if _SAFE_SQUARES <= squares < math.inf:
        return math.sqrt(squares)
    largest = float(np.max(np.abs(v), initial=0.0))
    if largest == 0.0 or not math.isfinite(largest):
        return largest
    v = v / largest
    return largest * math.sqrt(float(v.dot(v)))


def _grow(capacity: int, *arrays: np.ndarray | None) -> list[np.ndarray | None]:
    """Copy each history array into a longer one."""
    grown = []
    for old in arrays:
        if old is None:
            grown.append(None)
            continue
        new = np.empty((capacity, *old.shape[1:]))
        new[: len(old)] = old
        grown.append(new)
    return grown


def _intermediate(
    x: np.ndarray, g: np.ndarray, f: float, nit: int, scalar: bool, has_fun: bool
) -> OptimizeResult:
    # Copies, so that a callback that keeps or changes them cannot disturb the descent.
    result = OptimizeResult(
        x=float(x[0]) if scalar else x.copy(), jac=float(g[0]) if scalar else g.copy(), nit=nit
    )
    if has_fun:
        result.fun = f
    return result


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
