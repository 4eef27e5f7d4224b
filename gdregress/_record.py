"""The fit record: what every solver returns, and what every consumer reads.

(Being built: for now the fit's measures of how well a line fits.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._coordinates import Units
from .cost import LeastSquaresCost

__all__ = ["FitMeasures", "fit_measures"]


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


def fit_measures(statistics, coef, intercept, fit_intercept: bool = True) -> FitMeasures:
    r"""The cost, R² and RMSE of one target's line given in the user's units.

    From the statistics: :math:`\sum w r^2 = 2S\,L` and :math:`\sum w (y - \bar y)^2 =
    S_{yy}`, so a streamed file, never held in memory, gets the numbers of one read at once.
    The cost is taken in the statistics' units (where its squares cannot overflow) and R², a
    ratio, there too; the cost and the RMSE then scale back to the data's.

    Parameters
    ----------
    statistics : LeastSquaresStatistics
        Of one target.
    coef : array-like of shape (n_features,)
    intercept : float
    fit_intercept : bool, default=True

    Examples
    --------
    >>> import numpy as np
    >>> from gdregress._statistics import compute_statistics
    >>> stats = compute_statistics(np.array([[1.0], [2.0], [3.0]]), np.array([2.0, 5.0, 3.0]))
    >>> measures = fit_measures(stats, [0.5], 7 / 3)
    >>> round(measures.cost, 6), round(measures.r2, 6)  # 2n·L = E = 25/6
    (0.694444, 0.107143)
    """
    units = Units.of(statistics)
    coef, intercept = units.coef_from_user(
        np.reshape(np.asarray(coef, dtype=np.float64), (-1, 1)), np.atleast_1d(intercept)
    )
    least_squares = LeastSquaresCost(statistics, fit_intercept)
    scaled = least_squares.value_path(coef[None], intercept[None], per_target=True)[0]
    cost = float(units.cost_to_user(scaled)[0])
    spread = float(statistics.yy[0])
    r2 = 1.0 - 2.0 * statistics.weight_sum * float(scaled[0]) / spread if spread > 0 else np.nan
    rmse = float(np.sqrt(2.0 * scaled[0]) * statistics.y_scale[0])
    return FitMeasures(cost=cost, r2=r2, rmse=rmse)
