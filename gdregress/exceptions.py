"""Exceptions and warnings that gdregress raises."""

__all__ = ["DivergenceError", "IllConditionedWarning"]


class DivergenceError(ValueError):
    """A gradient descent diverged: its learning rate is too large for the cost.

    Raised by :class:`gdregress.GradientDescentRegressor` when a user-given learning rate
    makes the iterates grow without bound. The message gives the learning rate used and the
    largest stable one for the data (``2 / L_max``, with ``L_max`` the largest curvature of
    the cost). It subclasses :class:`ValueError`, so code that catches bad parameters
    catches it too.
    """


class IllConditionedWarning(UserWarning):
    """The design is too ill-conditioned for the route that could be taken.

    Issued when the statistics show a poorly conditioned design and the accurate route over
    the data is not available (for instance a fit from merged statistics only). The message
    names the condition number estimate and the digits that may be lost.
    """
