"""Exceptions and warnings that gdregress raises."""

from __future__ import annotations

__all__ = ["DivergenceError", "IllConditionedWarning"]


class DivergenceError(ValueError):
    """A gradient descent diverged: its learning rate is too large for the cost.

    Raised by :class:`gdregress.GradientDescentRegressor` when a user-given learning rate
    makes the iterates grow without bound. The message gives the learning rate used and the
    largest stable one for the data (``2 / L_max``, with ``L_max`` the largest curvature of
    the cost). It subclasses :class:`ValueError`, so code that catches bad parameters
    catches it too.

    Parameters
    ----------
    message : str
        What diverged, and what to do.
    learning_rate : float, optional
        The learning rate that diverged.
    stable_limit : float, optional
        The largest stable learning rate, ``2 / L_max``, in the coordinates of the descent.

    Attributes
    ----------
    learning_rate, stable_limit : float or None
        As given; a program can retry below ``stable_limit`` without reading the message.

    Examples
    --------
    >>> from gdregress import GradientDescentRegressor
    >>> try:
    ...     GradientDescentRegressor(learning_rate=3.0).fit([[1.0], [2.0], [3.0]], [2, 5, 3])
    ... except DivergenceError as error:
    ...     print(error.learning_rate, error.stable_limit)
    3.0 2.0
    """

    def __init__(
        self,
        message: str,
        *,
        learning_rate: float | None = None,
        stable_limit: float | None = None,
    ) -> None:
        super().__init__(message)
        self.learning_rate = learning_rate
        self.stable_limit = stable_limit


class IllConditionedWarning(UserWarning):
    """The design is too ill-conditioned for the route that could be taken.

    Issued when the statistics show a poorly conditioned design and the accurate route over
    the data is not available (for instance a fit from merged statistics only). The message
    names the condition number estimate and the digits that may be lost.
    """
