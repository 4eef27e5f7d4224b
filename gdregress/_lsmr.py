"""LSMR that stops on the relative optimality the issue measures, with the exact ‖M‖_F.

LSMR (Fong and Saunders, "LSMR: an iterative algorithm for sparse least-squares problems",
SIAM J. Sci. Comput. 33, 2011) minimises :math:`\\|M^\\top r_k\\|` over the Krylov space of
Golub–Kahan bidiagonalisation, so the quantity :math:`\\|M^\\top r\\| / (\\|M\\|_F \\|r\\|)`
that decides when a least-squares solution is done falls fastest under it. scipy's
:func:`~scipy.sparse.linalg.lsmr` tests it with an *estimate* of :math:`\\|M\\|` built from
the bidiagonal: on the benchmark's random designs that estimate is a twentieth of
:math:`\\|M\\|_F`, so asking for 1e-12 runs on to about 1e-14 (three iterations more than
needed); on a one-hot design, where converged singular values come back as copies once the
vectors lose orthogonality, it is 2.5 times :math:`\\|M\\|_F`, and 1e-12 ends at 1.6e-12.
Here the norm is the exact :math:`\\|M\\|_F` the operator knows, :math:`\\|M^\\top r_k\\|` is
LSMR's :math:`|\\bar\\zeta_{k+1}|`, and :math:`\\|r_k\\|` is bounded from below by LSQR's
residual on the same bidiagonal (LSQR minimises :math:`\\|r\\|` over the same space), which
keeps the test on the safe side. The caller measures the answer afterwards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["LsmrResult", "lsmr"]


@dataclass(frozen=True)
class LsmrResult:
    """What :func:`lsmr` ends with.

    Attributes
    ----------
    x : ndarray
    iterations : int
    stopped : bool
        Whether a stopping test held (False: the iteration limit, or a breakdown).
    condition : float
        A rough estimate of the condition number: the spread of the diagonal of the
        bidiagonal's second factor, which approximates singular values of M.
    """

    x: np.ndarray
    iterations: int
    stopped: bool
    condition: float


def lsmr(
    matvec, rmatvec, b: np.ndarray, n_columns: int, *, frobenius: float, tol: float, max_iter: int
) -> LsmrResult:
    """Least squares :math:`\\min_x \\|Mx - b\\|` from :math:`x = 0`.

    Parameters
    ----------
    matvec, rmatvec : callable
        :math:`v \\mapsto Mv` and :math:`u \\mapsto M^\\top u` on 1-D arrays.
    b : ndarray of shape (n_rows,)
    n_columns : int
    frobenius : float
        :math:`\\|M\\|_F`, exactly.
    tol : float
        Stop when :math:`\\|M^\\top r\\| \\le` ``tol`` :math:`\\|M\\|_F \\|r\\|` (optimal) or
        :math:`\\|r\\| \\le` ``tol`` :math:`(\\|b\\| + \\|M\\|_F \\|x\\|)` (a consistent system).
    max_iter : int

    Returns
    -------
    LsmrResult
    """
    x = np.zeros(n_columns)
    beta = float(np.linalg.norm(b))
    if beta == 0.0:
        return LsmrResult(x, 0, True, 1.0)
    u = b / beta
    v = rmatvec(u)
    alpha = float(np.linalg.norm(v))
    if alpha == 0.0:  # b is orthogonal to the range of M: x = 0 is optimal
        return LsmrResult(x, 0, True, 1.0)
    v = v / alpha
    b_norm = beta
    # LSMR's two rotations (P and P̄ of the paper) and their carried quantities.
    alpha_bar, zeta_bar = alpha, alpha * beta
    rho, rho_bar, c_bar, s_bar = 1.0, 1.0, 1.0, 0.0
    h, h_bar = v.copy(), np.zeros(n_columns)
    # LSQR's rotation on the same bidiagonal, for its residual norm φ̄.
    lsqr_rho_bar, phi_bar = alpha, beta
    largest, smallest = 0.0, math.inf
    for k in range(1, max_iter + 1):
        u = matvec(v) - alpha * u
        beta = float(np.linalg.norm(u))
        if beta > 0.0:
            u /= beta
        v = rmatvec(u) - beta * v
        alpha = float(np.linalg.norm(v))
        if alpha > 0.0:
            v /= alpha
        # P_k: eliminates β_{k+1} from the lower bidiagonal.
        rho_previous, rho = rho, math.hypot(alpha_bar, beta)
        c, s = alpha_bar / rho, beta / rho
        theta, alpha_bar = s * alpha, c * alpha
        # P̄_k: makes the second factor upper bidiagonal; ζ̄ is ‖Mᵀr_k‖ up to sign.
        rho_bar_previous = rho_bar
        theta_bar = s_bar * rho
        rho_bar = math.hypot(c_bar * rho, theta)
        c_bar, s_bar = c_bar * rho / rho_bar, theta / rho_bar
        zeta, zeta_bar = c_bar * zeta_bar, -s_bar * zeta_bar
        h_bar = h - (theta_bar * rho / (rho_previous * rho_bar_previous)) * h_bar
        x += (zeta / (rho * rho_bar)) * h_bar
        h = v - (theta / rho) * h
        largest, smallest = max(largest, rho_bar), min(smallest, rho_bar)
        # LSQR's residual on the same space: ‖r_k‖ of LSMR is at least φ̄.
        lsqr_rho = math.hypot(lsqr_rho_bar, beta)
        lsqr_rho_bar = -(lsqr_rho_bar / lsqr_rho) * alpha
        phi_bar *= beta / lsqr_rho
        optimal = abs(zeta_bar) <= tol * frobenius * phi_bar
        consistent = phi_bar <= tol * (b_norm + frobenius * float(np.linalg.norm(x)))
        if optimal or consistent or alpha == 0.0 or beta == 0.0:  # (a breakdown is exact)
            return LsmrResult(x, k, True, largest / smallest)
    return LsmrResult(x, max_iter, False, largest / smallest)
