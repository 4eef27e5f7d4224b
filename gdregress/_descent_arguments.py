"""The arguments of :func:`gdregress.optimize.gradient_descent`, checked: each refusal says
what was given and what is accepted, before the first step."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "check_callable",
    "check_count",
    "check_learning_rate",
    "check_tol",
    "check_x0",
    "checked_number",
]


def checked_number(
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


def check_learning_rate(learning_rate: Any) -> float | None:
    """Return the fixed step, or None when ``learning_rate`` is a step-size rule."""
    if callable(learning_rate):
        return None
    return checked_number(
        learning_rate,
        numbers.Real,
        "learning_rate must be a positive number or a callable learning_rate(x, g) -> float",
        lambda value: 0.0 < value < math.inf,
        "learning_rate must be a positive finite number; got {!r}. Use a small positive step "
        "such as 0.01, and decrease it if the descent diverges.",
    )


def check_count(name: str, value: Any, meaning: str) -> int:
    """Return ``value`` as an int of at least 1: ``max_iter`` or ``patience``, which ``meaning``
    explains in the messages."""
    return checked_number(
        value,
        numbers.Integral,
        f"{name} must be an integer ({meaning})",
        lambda count: count >= 1,
        f"{name} must be at least 1 ({meaning}); got {{!r}}.",
        hint=" Write it as an int, e.g. 10_000 rather than 1e4.",
    )


def check_tol(tol: Any, shape: tuple[int, ...]) -> float | np.ndarray | None:
    """Return tol as a float, as a new float64 array of ``shape`` (one bound per variable), or
    None."""
    if tol is None:
        return None
    if not isinstance(tol, np.ndarray | list | tuple):
        return checked_number(
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


def check_callable(name: str, value: Any, required: bool = False) -> None:
    if (value is not None or required) and not callable(value):
        raise TypeError(
            f"{name} must be a callable{'' if required else ' or None'}; "
            f"got {type(value).__name__} {value!r}."
        )


def check_x0(x0: Any) -> tuple[np.ndarray, bool]:
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
