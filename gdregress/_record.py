"""The fit record: what every solver returns, and what every consumer reads.

Every solver — the closed form from the statistics or over the rows, the descent on the
statistics or matrix-free — returns one :class:`FitRecord`: the coefficients, the fit's
:class:`~gdregress._coordinates.Coordinates`, and what the solve learned (the statistics, an R
factor, the residual sum of squares, the rank, the iterations, the route, a descent's history).
The estimators publish it as ``fit_record_`` and set their scikit-learn attributes from it;
inference, plots and the command read it, and ask the data for rows when they need them.
The record type sits below the solvers that fill it; how well a line fits (R², RMSE, the cost)
is computed here, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._coordinates import Centre, Coordinates, Units
from .cost import LeastSquaresCost

__all__ = [
    "DescentHistory",
    "FitMeasures",
    "FitRecord",
    "fit_measures",
    "fit_measures_of_rows",
    "r_squared",
]


@dataclass(frozen=True)
class DescentHistory:
    """What a descent went through, in the user's units.

    Attributes
    ----------
    path : ndarray of shape (n_kept, n_targets, n_features + 1)
        The iterates kept as (coef..., intercept), the start first.
    path_iterations : ndarray of shape (n_kept,) or None
        The iteration of each row of ``path`` where it is thinned (the matrix-free descent of
        a wide design); None when it holds every iterate.
    loss_curve : ndarray of shape (n_iter + 1,)
        The cost at every iterate, in the units of y.
    gradient_norms : ndarray of shape (n_iter + 1,)
        In the descent's coordinates.
    learning_rate : float or ndarray of shape (n_iter,)
        The fixed step, or each step of the exact line search or of conjugate gradients.
    momentum : float or ndarray of shape (n_iter,)
        The heavy ball's β (0 for plain descent), or each β of conjugate gradients.
    max_curvature : float
        :math:`L_{max}` in the descent's coordinates.
    status : DescentStatus
    """

    path: np.ndarray
    path_iterations: np.ndarray | None
    loss_curve: np.ndarray
    gradient_norms: np.ndarray
    learning_rate: Any
    max_curvature: float
    status: Any
    momentum: Any = 0.0


@dataclass(frozen=True)
class FitRecord:
    r"""One fit: its coefficients, its coordinates, and what the solve learned.

    Attributes
    ----------
    coef : ndarray of shape (n_features, n_targets)
    intercept : ndarray of shape (n_targets,)
        In the user's units (zeros without an intercept).
    route : str
        The solver's route, as ``solver_`` reports it.
    coordinates : Coordinates or None
        The fit's coordinates (None where no solver ran: no column varies).
    centre : tuple (point, point_low, value) or None
        The columns' exact mean and the line's value there, in the user's units (see
        :class:`~gdregress._coordinates.Centre`); None without an intercept.
    statistics : LeastSquaresStatistics or None
        The one-pass statistics the fit was solved from; None over the rows (LSMR, the short
        side, the matrix-free descent).
    rank : int or None
        Rank of the (centred) design where the route factored it.
    singular_values : ndarray or None
        Singular values of the (centred, weighted) design, largest first, where computed.
    condition_number : float
        Condition number of the centred, column-scaled design (an estimate on some routes).
    r_factor : ndarray of shape (p, p) or None
        The R factor of the design in the fit's coordinates, where a route computed it.
    inverse_factor : tuple (F, N) or None
        :math:`(A^\top W A)^{-1} = FN^{-1}F^\top` to nearly every digit, where the accurate
        route measured it against the rows.
    residual_sum_of_squares : ndarray of shape (n_targets,) or None
        :math:`\sum_i w_i \rho_i^2` in the statistics' units, where computed from the rows
        (QR with refinement).
    coef_low : tuple or None
        What ``coef`` and ``intercept`` leave of a double-double solution (QR with
        refinement).
    n_iter : int
        Iterations of an iterative solver (0 for a direct one).
    converged : bool
    descent : DescentHistory or None
        A descent's path, losses and steps.
    weight_logs : WeightLogs or None
        What the likelihood needs of the weights beyond the statistics (their count and the
        sum of their logs; see :class:`~gdregress._sources.WeightLogs`), set by the estimator
        from its source.
    """

    coef: np.ndarray
    intercept: np.ndarray
    route: str
    coordinates: Coordinates | None = None
    centre: tuple | None = None
    statistics: Any = None
    rank: int | None = None
    singular_values: np.ndarray | None = None
    condition_number: float = float("nan")
    r_factor: np.ndarray | None = None
    inverse_factor: tuple | None = None
    residual_sum_of_squares: np.ndarray | None = None
    coef_low: tuple | None = None
    n_iter: int = 0
    converged: bool = True
    descent: DescentHistory | None = None
    weight_logs: Any = None

    def line_centre(self) -> Centre | None:
        """The line at the columns' exact mean, for predictions and residuals that lose
        nothing to the columns' offsets; None without an intercept."""
        if self.centre is None:
            return None
        return Centre(*self.centre, coef=self.coef, intercept=self.intercept, low=self.coef_low)


@dataclass(frozen=True)
class FitMeasures:
    r"""How well a line fits, in the units of the data.

    Attributes
    ----------
    cost : float
        The half-MSE :math:`L` (``inf`` where it exceeds float64's range).
    r2 : float
        :math:`1 - \sum w r^2 / \sum w (y - \bar y)^2` (NaN for a constant target).
    rmse : float
        The (weighted) root mean squared residual, :math:`\sqrt{2L}`.
    """

    cost: float
    r2: float
    rmse: float


def fit_measures(record: FitRecord) -> FitMeasures:
    r"""The cost, R² and RMSE of a fit's line (of its first target), from its statistics.

    :math:`\sum w r^2 = 2S\,L` and :math:`\sum w (y - \bar y)^2 = S_{yy}`, so a streamed
    file, never held in memory, gets the numbers of one read at once. The cost is taken in
    the statistics' units (where its squares cannot overflow) and R², a ratio, there too; the
    cost and the RMSE then scale back to the data's.

    Examples
    --------
    >>> from gdregress import AnalyticLeastSquares
    >>> record = AnalyticLeastSquares().fit([[1.0], [2.0], [3.0]], [2.0, 5.0, 3.0]).fit_record_
    >>> measures = fit_measures(record)
    >>> round(measures.cost, 6), round(measures.r2, 6)  # 2n·L = E = 25/6
    (0.694444, 0.107143)
    """
    statistics = record.statistics
    units = Units.of(statistics)
    coef, intercept = units.coef_from_user(record.coef[:, :1], record.intercept[:1])
    least_squares = LeastSquaresCost(statistics, record.coordinates.fit_intercept)
    scaled = least_squares.value_path(coef[None], intercept[None], per_target=True)[0]
    cost = float(units.cost_to_user(scaled)[0])
    r2 = r_squared(2.0 * statistics.weight_sum * float(scaled[0]), float(statistics.yy[0]))
    rmse = float(np.sqrt(2.0 * scaled[0]) * statistics.y_scale[0])
    return FitMeasures(cost=cost, r2=r2, rmse=rmse)


def r_squared(rss: float, tss: float) -> float:
    """:math:`R^2 = 1 - \\mathrm{RSS}/\\mathrm{TSS}`, NaN for a target without spread: the one
    definition the summary, the command and the fit's measures share."""
    return 1.0 - rss / tss if tss > 0 else float("nan")


def fit_measures_of_rows(y: np.ndarray, predictions: np.ndarray) -> FitMeasures | None:
    """The cost, R² and RMSE of one target from its rows (all in memory), or None where
    their squares leave float64's range.

    From the rows the residual sum of squares is a sum of squares; from the statistics it is
    a difference of sums, which rounding can leave at 0 (x = 0, 1, 0 and y = 1, 10⁹, 0: an
    RMSE of 0, not 0.41).
    """
    rmse = _root_mean_square(y - predictions)
    spread = _root_mean_square(y - np.mean(y))
    if not (np.isfinite(rmse) and np.isfinite(spread)):
        return None
    return FitMeasures(cost=rmse**2 / 2, r2=r_squared(rmse**2, spread**2), rmse=rmse)


def _root_mean_square(values: np.ndarray) -> float:
    """√(mean of the squares), without overflow or underflow in the squares."""
    largest = float(np.max(np.abs(values), initial=0.0))
    if largest == 0 or not np.isfinite(largest):
        return largest
    return largest * float(np.sqrt(np.mean((values / largest) ** 2)))
