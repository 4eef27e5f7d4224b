"""Exceptions and warnings that gdregress raises."""

from __future__ import annotations

__all__ = ["DivergenceError", "EssentiallyPerfectFitWarning", "IllConditionedWarning"]


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


class EssentiallyPerfectFitWarning(UserWarning):
    """A summary of a fit whose residuals are below the rounding of the data.

    R's ``summary.lm`` says "essentially perfect fit: summary may be unreliable". Here the
    summary says it in its text and reports what is defined: the coefficients, R² = 1,
    standard errors of 0; t, p and F are NaN ("NA"), not the quotients of rounding errors
    that other libraries print (1e15 and beyond). Both estimators judge it alike: the
    residuals leave less than :math:`16 p \\varepsilon` of the total sum of squares.

    Examples
    --------
    >>> import warnings
    >>> from gdregress import AnalyticLeastSquares, EssentiallyPerfectFitWarning
    >>> model = AnalyticLeastSquares().fit([[1], [2], [3], [4]], [2, 4, 6, 8])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     summary = model.summary()
    >>> caught[0].category is EssentiallyPerfectFitWarning, summary.perfect_fit
    (True, True)
    """
