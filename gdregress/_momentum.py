"""Momentum: the lecture's descent with a memory of its last step.

Plain gradient descent takes :math:`x_{k+1} = x_k - \\alpha \\nabla f(x_k)`. With momentum the
step also repeats a fraction of the last one,

.. math::

    x_{k+1} = x_k - \\alpha_k \\nabla f(x_k) + \\beta_k (x_k - x_{k-1}),

which on a quadratic of condition number :math:`\\kappa` needs about :math:`\\sqrt\\kappa`
steps per factor e where plain descent needs :math:`\\kappa`. Three ways of choosing
:math:`(\\alpha_k, \\beta_k)` live here, as small pure pieces the solvers call:

* **heavy ball** (Polyak): a fixed :math:`\\beta \\in [0, 1)` and a fixed step. On a quadratic
  it converges exactly when :math:`0 < \\alpha < 2(1 + \\beta)/L_{max}`
  (:func:`stable_learning_rate`), and :math:`\\alpha = 2(1 + \\beta)/(L_{max} + \\lambda_{min})`
  (:func:`balanced_learning_rate`) is the step that treats the flattest and the steepest
  direction alike: plain descent's best fixed step at :math:`\\beta = 0`, Polyak's optimal
  pair at :math:`\\beta = ((\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1))^2`.
* **conjugate directions on a known quadratic** (:class:`ConjugateDirections`): the step that
  minimises the cost over the plane :math:`x_k + \\mathrm{span}\\{\\nabla f(x_k), x_k -
  x_{k-1}\\}`, the exact line search generalised to the plane. On a quadratic these are the
  conjugate gradients of Hestenes and Stiefel, the best a method that combines gradients can
  do (at worst :math:`2\\rho^k` with :math:`\\rho = (\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1)`, and
  faster where the curvatures cluster); recomputing the gradient at every step keeps each step
  the plane's best even when rounding has eroded the conjugacy.
* **conjugate gradients on the data** (:class:`ConjugateGradients`): the same steps for the
  matrix-free descent, as CGLS takes them (one product with the design and one with its
  transpose a step), with :math:`L_{max}` and :math:`\\lambda_{min}` estimated from their
  coefficients (the Lanczos connection, :func:`ritz_extremes`) instead of a Lanczos run of
  their own.

Why conjugate directions and conjugate gradients are what ``momentum="auto"`` takes, with the
measurements behind the choice, is on the user guide's page on momentum.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.linalg

__all__ = [
    "ConjugateDirections",
    "ConjugateGradients",
    "balanced_learning_rate",
    "check_momentum",
    "checked_pace",
    "memory_amplification",
    "ritz_extremes",
    "stable_learning_rate",
]


def stable_learning_rate(momentum: float, max_curvature: float) -> float:
    """:math:`2(1 + \\beta)/L_{max}`: the heavy ball converges on a quadratic exactly below it.

    Along an eigenvector of curvature :math:`\\lambda` the error follows
    :math:`e_{k+1} = (1 + \\beta - \\alpha\\lambda) e_k - \\beta e_{k-1}`, whose two roots lie
    inside the unit circle exactly when :math:`0 \\le \\beta < 1` and
    :math:`0 < \\alpha\\lambda < 2(1 + \\beta)`.

    Examples
    --------
    >>> stable_learning_rate(0.0, 4.0), stable_learning_rate(0.5, 4.0)
    (0.5, 0.75)
    """
    return 2.0 * (1.0 + momentum) / max_curvature


def balanced_learning_rate(momentum: float, max_curvature: float, min_curvature: float) -> float:
    """:math:`2(1 + \\beta)/(L_{max} + \\lambda_{min})`: the same root structure at both ends.

    It puts :math:`1 + \\beta - \\alpha\\lambda` at opposite values for :math:`\\lambda_{min}`
    and :math:`L_{max}`: plain descent's best fixed step :math:`2/(L_{max} + \\lambda_{min})`
    at :math:`\\beta = 0`, and Polyak's optimal :math:`4/(\\sqrt{L_{max}} +
    \\sqrt{\\lambda_{min}})^2` at :math:`\\beta = ((\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1))^2`.

    Examples
    --------
    >>> balanced_learning_rate(0.0, 4.0, 1.0)          # 2 / (L + μ)
    0.4
    >>> balanced_learning_rate(1 / 9, 4.0, 1.0)        # Polyak's 4/(√L + √μ)² at κ = 4
    0.4444444444444444
    """
    return 2.0 * (1.0 + momentum) / (max_curvature + min_curvature)


def memory_amplification(
    rate: float, momentum: float, max_curvature: float, min_curvature: float, max_iter: int
) -> float:
    """How many times the rounding of one heavy-ball step adds up, at most.

    Each step's rounding is carried on by the iteration's two modes at the ends of the
    spectrum, shrinking by their moduli :math:`\\rho` per step: the steepest mode's coherently
    (at most :math:`1/(1 - \\rho)` times, no more than ``max_iter``), the flattest's like a
    random walk (:math:`1/\\sqrt{1 - \\rho}`, no more than :math:`\\sqrt{max\\_iter}`); as plain
    descent's floor counts them at :math:`\\beta = 0`.

    Examples
    --------
    Polyak's pair at κ = 100 (curvatures 1 and 100) puts both modes at modulus 9/11:

    (at worst 1/(1 − 9/11) = 5.5 times):

    >>> round(memory_amplification(4 / 121, (9 / 11) ** 2, 100.0, 1.0, max_iter=10_000), 6)
    5.5
    """
    moduli = []
    for curvature in (max_curvature, min_curvature):
        trace = 1.0 + momentum - rate * curvature
        roots = np.roots([1.0, -trace, momentum])
        moduli.append(min(float(np.max(np.abs(roots))), 1.0 - 1e-16))
    steep, flat = moduli
    return max(
        1.0,
        min(1.0 / (1.0 - steep), max_iter),
        min(1.0 / math.sqrt(1.0 - flat), math.sqrt(max_iter)),
    )


# --- the engine's parameter ----------------------------------------------------------------


def check_momentum(momentum: Any, learning_rate: Any) -> float | Callable | None:
    """The momentum of :func:`~gdregress.optimize.gradient_descent`, checked against its
    learning rate: None for plain descent (0), a float in (0, 1), or a rule.

    Raises
    ------
    TypeError
        For a momentum that is neither a number nor a callable, a rule beside a learning
        rate, or neither a rule nor a learning rate.
    ValueError
        For a number outside [0, 1).

    Examples
    --------
    >>> check_momentum(0.9, 0.01), check_momentum(0, 0.01)
    (0.9, None)
    >>> check_momentum(1.0, 0.01)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: momentum must be in [0, 1), the fraction of the last step repeated; got 1.0. ...
    """
    if callable(momentum):
        if learning_rate is not None:
            raise TypeError(
                "A momentum rule momentum(x, g, s) -> (alpha, beta) chooses the steps itself: "
                f"pass learning_rate=None with it; got learning_rate={learning_rate!r}."
            )
        return momentum
    if learning_rate is None:
        raise TypeError(
            "learning_rate=None is for a momentum rule momentum(x, g, s) -> (alpha, beta), "
            "which chooses the steps; give a learning rate (such as 0.01), or such a rule."
        )
    if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real):
        raise TypeError(
            "momentum must be a number in [0, 1) or a rule momentum(x, g, s) -> (alpha, beta); "
            f"got {type(momentum).__name__} {momentum!r}."
        )
    beta = float(momentum)
    if not 0.0 <= beta < 1.0:
        raise ValueError(
            f"momentum must be in [0, 1), the fraction of the last step repeated; got {beta!r}. "
            "0 is plain gradient descent; 0.9 is common; at 1 or more the steps never fade."
        )
    return beta if beta > 0.0 else None


def checked_pace(pace: tuple, nit: int) -> tuple[float, float]:
    """A momentum rule's ``(alpha, beta)`` as floats, refused unless finite, alpha > 0 and
    beta >= 0 (or both 0: no step).

    Examples
    --------
    >>> import numpy as np
    >>> checked_pace((np.float64(0.5), 0), nit=0)
    (0.5, 0.0)
    """
    try:
        alpha, beta = (float(value) for value in pace)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"momentum(x, g, s) must return two numbers (alpha, beta); at step {nit + 1} it "
            f"returned {pace!r}."
        ) from error
    if (alpha, beta) != (0.0, 0.0) and not (0.0 < alpha < math.inf and 0.0 <= beta < math.inf):
        raise ValueError(
            f"momentum(x, g, s) returned (alpha, beta) = ({alpha!r}, {beta!r}) at step "
            f"{nit + 1}; a momentum rule must return a positive finite step and a finite "
            "beta >= 0."
        )
    return alpha, beta


# --- conjugate directions on a known quadratic -----------------------------------------------


class ConjugateDirections:
    """Conjugate gradients on :math:`\\tfrac12 x^\\top H x - q^\\top x`, as a momentum rule.

    Called as ``rule(x, g, s)`` with :math:`g = Hx - q` and the last step :math:`s`, it
    returns the :math:`(\\alpha, \\beta)` of the point of least cost on the plane
    :math:`x - \\alpha g + \\beta s`: the solution of the 2×2 system

    .. math::

        \\begin{pmatrix} g^\\top H g & -g^\\top H s \\\\ -g^\\top H s & s^\\top H s
        \\end{pmatrix} \\begin{pmatrix} \\alpha \\\\ \\beta \\end{pmatrix} =
        \\begin{pmatrix} g^\\top g \\\\ -s^\\top g \\end{pmatrix},

    the exact line search along :math:`g` when :math:`s = 0` (the first step) or when the
    plane is a line. One product with :math:`H` a step (:math:`Hg`); :math:`Hs` is carried.

    Parameters
    ----------
    product : callable
        ``product(v)``: :math:`Hv` for a flat v.
    weights : ndarray or None
        Factors of the components in the inner products (the targets' relative scales, so
        that the plane minimises the cost the user sees), or None.
    fallback : float
        The step along g where the curvature along it is not positive (1/L_max).

    Attributes
    ----------
    steps, memories : list of float
        :math:`\\alpha_k` and :math:`\\beta_k` of every step taken.

    Examples
    --------
    On :math:`x^2 + 10y^2` (H = diag(2, 20)) from (1, 1), two steps reach the minimum:

    >>> import numpy as np
    >>> from gdregress.optimize import gradient_descent
    >>> rule = ConjugateDirections(lambda v: np.array([2.0, 20.0]) * v)
    >>> result = gradient_descent(lambda p: np.array([2.0, 20.0]) * p, [1.0, 1.0],
    ...                           learning_rate=None, momentum=rule, tol=1e-12)
    >>> result.nit, bool(np.abs(result.x).max() < 1e-15)
    (2, True)
    """

    def __init__(self, product: Callable, weights: np.ndarray | None = None, fallback=1.0):
        self.product, self.weights, self.fallback = product, weights, fallback
        self.curved_last: np.ndarray | None = None  # H s
        self.steps: list[float] = []
        self.memories: list[float] = []

    def __call__(self, x: np.ndarray, g: np.ndarray, s: np.ndarray) -> tuple[float, float]:
        if not np.any(g):  # at the minimum: no step to take
            self.curved_last = np.zeros_like(g)
            return self._taken(0.0, 0.0)
        curved = self.product(g)
        # Inner products of g and s scaled to a largest component of 1: no square of a
        # gradient of 1e-200 or 1e200 underflows or overflows.
        g_size, s_size = np.max(np.abs(g)), np.max(np.abs(s))
        u, hu = self._weighed(g / g_size), self._weighed(curved / g_size)
        gg, ghg = float(np.sum(u * u)), float(np.sum(u * hu))
        line = gg / ghg if ghg > 0 else self.fallback  # the exact step along g alone
        alpha, beta = line, 0.0
        if s_size > 0 and self.curved_last is not None and ghg > 0:
            v, hv = self._weighed(s / s_size), self._weighed(self.curved_last / s_size)
            ghs, shs, sg = float(np.sum(u * hv)), float(np.sum(v * hv)), float(np.sum(v * u))
            determinant = ghg * shs - ghs * ghs
            # Cauchy–Schwarz makes it ≥ 0; near 0, s and g are (to rounding) one direction.
            # Solved for the scaled step -a·g/|g| + b·s/|s|: alpha = a, beta = b·|g|/|s|.
            if determinant > 1e-12 * ghg * shs:
                alpha = (gg * shs - sg * ghs) / determinant
                beta = (ghs * gg - ghg * sg) / determinant * (g_size / s_size)
        if not (np.isfinite(alpha) and alpha > 0 and np.isfinite(beta) and beta >= 0):
            alpha, beta = line, 0.0  # rounding near the minimum: the line search alone
        last = self.curved_last if self.curved_last is not None else np.zeros_like(g)
        self.curved_last = -alpha * curved + beta * last if beta else -alpha * curved
        return self._taken(alpha, beta)

    def _weighed(self, v: np.ndarray) -> np.ndarray:
        return v if self.weights is None else v * self.weights

    def _taken(self, alpha: float, beta: float) -> tuple[float, float]:
        self.steps.append(alpha)
        self.memories.append(beta)
        return alpha, beta


# --- conjugate gradients on the data -------------------------------------------------------


class ConjugateGradients:
    """The steps of CGLS for the matrix-free descent, as :math:`(\\alpha_k, \\beta_k)`.

    With the gradient :math:`g_k = M^\\top r_k / S`, the direction
    :math:`p_k = g_k + \\gamma_k p_{k-1}` (:math:`\\gamma_k = \\|g_k\\|^2/\\|g_{k-1}\\|^2`) and
    the exact step :math:`a_k = \\|g_k\\|^2 S / \\|M p_k\\|^2`, the move :math:`-a_k p_k` is the
    heavy ball's :math:`-\\alpha_k g_k + \\beta_k d_{k-1}` with :math:`\\alpha_k = a_k` and
    :math:`\\beta_k = a_k\\gamma_k / a_{k-1}`. :math:`Mp_k = Mg_k - (\\gamma_k/a_{k-1})Md_{k-1}`
    needs no product of its own: the descent already computes :math:`Mg_k` for its residual.

    Attributes
    ----------
    steps, memories : list of float
        :math:`\\alpha_k` and :math:`\\beta_k` of every step.

    Examples
    --------
    CGLS on M = diag(1, 2) (S = 1) from θ = 0 towards b = (1, 1): the first step is the exact
    line search along g = −Mᵀb = (−1, −2), a = ‖g‖²/‖Mg‖² = 5/17:

    >>> import numpy as np
    >>> pace = ConjugateGradients(weight_sum=1.0)
    >>> pace(5.0, np.array([-1.0, -4.0]), None)
    (0.29411764705882354, 0.0)
    """

    def __init__(self, weight_sum: float) -> None:
        self.weight_sum = weight_sum
        self.steps: list[float] = []
        self.memories: list[float] = []
        self.directions: list[float] = []  # γ_k
        self.squared_last = 0.0

    def __call__(
        self, squared: float, direction: np.ndarray, change: np.ndarray | None
    ) -> tuple[float, float]:
        """``(alpha, beta)`` for a gradient of squared norm ``squared``, its image
        ``direction`` :math:`Mg` and the residual's last change ``change`` :math:`Md_{k-1}`."""
        gamma = squared / self.squared_last if self.steps and self.squared_last > 0 else 0.0
        if squared == 0.0:  # at the minimum (or nothing to descend): no step
            return self._taken(0.0, 0.0, 0.0, squared)
        previous = self.steps[-1] if self.steps else 0.0
        image = direction
        if gamma and previous > 0 and change is not None:
            image = direction - (gamma / previous) * change
        curvature = float(np.sum(image * image)) / self.weight_sum
        if not curvature > 0:
            return self._taken(0.0, 0.0, 0.0, squared)
        alpha = squared / curvature
        beta = alpha * gamma / previous if gamma and previous > 0 else 0.0
        return self._taken(alpha, beta, gamma if beta else 0.0, squared)

    def _taken(self, alpha, beta, gamma, squared):
        self.steps.append(alpha)
        self.memories.append(beta)
        self.directions.append(gamma)
        self.squared_last = squared
        return alpha, beta

    def curvatures(self) -> tuple[float, float]:
        """:math:`(L_{max}, \\lambda_{min})` estimated from the steps so far (0, 0 before any)."""
        return ritz_extremes(self.steps, self.directions)


def ritz_extremes(steps, directions) -> tuple[float, float]:
    """The largest and smallest eigenvalue of the Lanczos matrix of conjugate gradients.

    The steps :math:`a_j` and direction coefficients :math:`\\gamma_j` of conjugate gradients
    fix the tridiagonal matrix of the Lanczos process started at the first gradient: its
    diagonal :math:`1/a_j + \\gamma_j/a_{j-1}` and off-diagonal
    :math:`\\sqrt{\\gamma_j}/a_{j-1}` (Saad, *Iterative Methods for Sparse Linear Systems*,
    §6.7.3). Its extreme eigenvalues (Ritz values) approach :math:`L_{max}` from below and the
    smallest curvature the descent has met, :math:`\\lambda_{min}`, from above. Steps of 0
    (none taken) end the record.

    Examples
    --------
    Conjugate gradients on diag(1, 4) from the gradient (1, 4) take a = 17/65, then
    γ = 144/4225 and a = 65/68; two steps span the whole space, whose curvatures are 4 and 1:

    >>> [round(value, 12) for value in ritz_extremes([17 / 65, 65 / 68], [0.0, 144 / 4225])]
    [4.0, 1.0]
    """
    steps = np.asarray(steps, dtype=np.float64)
    directions = np.asarray(directions, dtype=np.float64)
    taken = int(np.argmin(steps > 0)) if np.any(steps <= 0) else len(steps)
    if taken == 0:
        return 0.0, 0.0
    a, gamma = steps[:taken], directions[:taken]
    diagonal = 1.0 / a
    diagonal[1:] += gamma[1:] / a[:-1]
    off = np.sqrt(gamma[1:]) / a[:-1]
    if taken == 1:
        return float(diagonal[0]), float(diagonal[0])
    values = scipy.linalg.eigvalsh_tridiagonal(diagonal, off, select="i", select_range=(0, 0))
    largest = scipy.linalg.eigvalsh_tridiagonal(
        diagonal, off, select="i", select_range=(taken - 1, taken - 1)
    )
    return float(largest[0]), float(values[0])
