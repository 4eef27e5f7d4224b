r"""Influence of each row on a fit: leverage, studentized residuals, Cook's distance, DFFITS.

statsmodels' ``OLSInfluence`` (and R's ``hatvalues``, ``rstandard``, ``rstudent``,
``cooks.distance``, ``dffits``), with the weights as R takes them (those of OLS on the
whitened rows :math:`\sqrt{w_i}[1, x_i]`, :math:`\sqrt{w_i} y_i`):

.. math::

    h_i = w_i\,a_i (A^\top W A)^{-1} a_i^\top, \qquad
    t_i = \frac{e_i}{\hat\sigma\sqrt{1 - h_i}}, \qquad
    t_{(i)} = \frac{e_i}{\hat\sigma_{(i)}\sqrt{1 - h_i}}, \qquad
    D_i = \frac{t_i^2}{p}\,\frac{h_i}{1 - h_i}, \qquad
    \mathrm{DFFITS}_i = t_{(i)}\sqrt{\frac{h_i}{1 - h_i}},

with :math:`e_i = \sqrt{w_i}\,r_i`, :math:`\hat\sigma^2 = \sum_j e_j^2/(n - p)` and the
variance without row :math:`i`, :math:`\hat\sigma_{(i)}^2 = (\sum_j e_j^2 - e_i^2/(1 - h_i))
/(n - p - 1)` (no refit: the leave-one-out identity). The leverage is :math:`w_i\|u_i\|^2`
with :math:`u_i = a_i F L^{-\top}` the row where the design is orthonormal, in the fit's
centred, scaled coordinates and in double-double when the design is ill-conditioned — the
leverages of the robust covariances HC2 and HC3, as accurate as they are; the residuals are
the line's at the columns' exact mean. One pass reads the residual sum of squares (and checks
that the rows are the fit's); the frame is then computed block by block, lazily on Dask.
"""

from __future__ import annotations

import functools

import numpy as np

from ._inference import model_inference
from ._row_pass import row_residuals
from ._summaries import warn_of_the_fit

__all__ = ["INFLUENCE_COLUMNS", "influence_frames"]

INFLUENCE_COLUMNS = [
    "hat",
    "resid_studentized_internal",
    "resid_studentized_external",
    "cooks_distance",
    "dffits",
]


def _influence_block(X, y, sample_weight, weight_scale, groups=None, *, fit, target):
    """The influence of one block of rows (an array: the columns above, per row)."""
    X_scaled, weights, r = row_residuals(X, y, sample_weight, weight_scale, fit=fit)
    u = fit.whitened_rows(X_scaled)
    w = np.ones(len(u)) if weights is None else weights
    hat = w * np.sum(u * u, axis=1)
    e = r[:, target] * np.sqrt(w)
    rss, df = float(fit.rss[target]), fit.df_resid
    with np.errstate(divide="ignore", invalid="ignore"):
        room = 1.0 - hat
        internal = e / np.sqrt(rss / df * room)
        without = (rss - e * e / room) / (df - 1)  # σ̂²₍ᵢ₎, the leave-one-out identity
        external = e / np.sqrt(without * room)
        ratio = hat / room
        columns = [hat, internal, external, internal**2 * ratio / fit.n_params]
        columns.append(external * np.sqrt(ratio))
    return np.column_stack(columns)


def influence_frames(model, source, index=None) -> list:
    """One frame per target of the rows of ``source`` (the fit's data): a pandas DataFrame
    indexed by ``index``, or for a Dask source a lazy Dask DataFrame."""
    fit = model_inference(model, "influence()", source)
    warn_of_the_fit(model, fit, "influence")
    frames = []
    for target in range(fit.stats.n_targets):
        leaf = functools.partial(_influence_block, fit=fit, target=target)
        frame = source.map_rows(leaf, INFLUENCE_COLUMNS)  # on Dask, lazily, where the blocks live
        if index is not None:
            frame.index = index
        frames.append(frame)
    return frames
