r"""Linear hypotheses :math:`R\theta = q` about a fit's parameters: t tests and the F test.

statsmodels' ``t_test`` and ``f_test`` (R's ``linearHypothesis``), under the summary's
covariance (robust when it is): with :math:`V` the covariance of :math:`\hat\theta`,

.. math::

    t_i = \frac{(R\hat\theta - q)_i}{\sqrt{(RVR^\top)_{ii}}}, \qquad
    F = \frac{(R\hat\theta - q)^\top (RVR^\top)^{-1} (R\hat\theta - q)}{m},

:math:`m` the rows of :math:`R`, against Student's t (or the normal, ``use_t=False``) and
:math:`F(m, \nu)`. :math:`R` is over the parameters [intercept, features…], or a string of
restrictions by name, ``"TV = radio, newspaper = 0"``.

:math:`RVR^\top` is not formed from the user's :math:`V`, whose entries cancel in such sums
on an ill-conditioned design: :math:`V = J F T T^\top F^\top J^\top` in the fit's centred,
scaled coordinates (:math:`J` their Jacobian, :math:`F` the design's exact inverse factor,
:math:`T` the residual scale or the root of the robust meat), and the rows :math:`R J F` are
taken in double-double (:func:`~gdregress._compensated.shifted_product`, as the rows of the
robust covariances are), so :math:`RVR^\top = BB^\top` with :math:`B = RJFT` keeps the digits
of the covariance itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _compensated

__all__ = [
    "FTestResult",
    "Hypotheses",
    "estimate_table",
    "parse_restrictions",
    "t_distribution",
]

_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_WORD = re.compile(r"[A-Za-z_][\w.]*")
_INTERCEPT_ALIASES = ("intercept", "Intercept", "(Intercept)", "const")


@dataclass(frozen=True, repr=False)
class FTestResult:
    """The F test of linear restrictions :math:`R\\theta = q` (statsmodels' ``f_test``).

    Attributes
    ----------
    statistic : float
        :math:`F`.
    pvalue : float
        :math:`P(F_{m,\\nu} > F)`.
    df_num, df_denom : int
        :math:`m`, the restrictions, and :math:`\\nu`, the residual degrees of freedom (the
        clusters less one for ``cov_type="cluster"``).
    r_matrix : pandas.DataFrame
        :math:`R`, a row per restriction, a column per parameter.
    q : ndarray of shape (m,)

    Examples
    --------
    >>> from gdregress import AnalyticLeastSquares
    >>> from gdregress.datasets import load_tv_advertising
    >>> X, y = load_tv_advertising(return_X_y=True, as_frame=True, all_media=True)
    >>> test = AnalyticLeastSquares().fit(X, y).summary().f_test("radio = 0, newspaper = 0")
    >>> test.df_num, test.df_denom, round(test.statistic, 2)
    (2, 196, 272.04)
    """

    statistic: float
    pvalue: float
    df_num: int
    df_denom: int
    r_matrix: pd.DataFrame
    q: np.ndarray

    def __repr__(self) -> str:
        return (
            f"<F test: F={self.statistic:.6g}, p={self.pvalue:.6g}, "
            f"df_denom={self.df_denom}, df_num={self.df_num}>"
        )


def t_distribution(df: int, use_t: bool):
    """Student's t with ``df`` degrees of freedom, or the normal (``use_t=False``)."""
    from scipy import stats as distributions

    return distributions.t(df) if use_t else distributions.norm()


def estimate_table(estimate, std_err, index, alpha: float, distribution, null=0.0):
    """Estimates, standard errors, t (of ``estimate − null``), two-sided p and intervals of
    level 1 − alpha for the estimate, from ``distribution``: the coefficient table's
    columns."""
    with np.errstate(divide="ignore", invalid="ignore"):
        # A perfect fit's standard errors are 0: t and p are undefined (NaN), not ±inf.
        t_value = np.where(std_err > 0, (estimate - null) / std_err, np.nan)
    quantile = distribution.ppf(1 - alpha / 2)
    return pd.DataFrame(
        {
            "coef": estimate,
            "std_err": std_err,
            "t_value": t_value,
            "p_value": 2 * distribution.sf(np.abs(t_value)),
            "ci_lower": estimate - quantile * std_err,
            "ci_upper": estimate + quantile * std_err,
        },
        index=index,
    )


def parse_restrictions(text: str, names: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``"TV = radio, newspaper = 0"`` as :math:`R` (rows over ``names``), :math:`q` and the
    restrictions' own texts; each side a sum of terms ``[number *] name`` or numbers (an
    equation without ``=`` is ``= 0``). A ValueError names what it cannot read."""
    equations = [part.strip() for part in text.split(",")]
    if not text.strip() or any(not part for part in equations):
        raise ValueError(
            f"Cannot read the restrictions {text!r}: give equations separated by commas, "
            "such as 'TV = radio, newspaper = 0'."
        )
    rows, constants = [], []
    for equation in equations:
        sides = equation.split("=")
        if len(sides) > 2:
            raise ValueError(f"The restriction {equation!r} has more than one '='.")
        left = _linear_form(sides[0], names, equation)
        right = _linear_form(sides[1] if len(sides) == 2 else "0", names, equation)
        rows.append(left[0] - right[0])
        constants.append(right[1] - left[1])
    return np.array(rows), np.array(constants), equations


def _linear_form(side: str, names: list[str], equation: str):
    """One side of an equation as (coefficients over ``names``, constant)."""
    aliases = {name: i for i, name in enumerate(names)}
    if names and names[0] == "intercept":
        aliases.update(dict.fromkeys(_INTERCEPT_ALIASES, 0))
    tokens = _tokens(side, sorted(aliases, key=len, reverse=True), equation, names)
    coefficients, constant = np.zeros(len(names)), 0.0
    position = 0

    def unreadable(why: str) -> ValueError:
        return ValueError(f"Cannot read the restriction {equation!r}: {why}.")

    if not tokens:
        raise unreadable("a side is empty")
    while position < len(tokens):
        factor, name, expecting = 1.0, None, True
        while position < len(tokens) and tokens[position] in (("op", "+"), ("op", "-")):
            factor *= -1.0 if tokens[position][1] == "-" else 1.0
            position += 1
        while position < len(tokens) and tokens[position] not in (("op", "+"), ("op", "-")):
            kind, value = tokens[position]
            position += 1
            if (kind == "op") == expecting:  # a factor where '*' belongs, or the reverse
                raise unreadable("terms are joined by + and −, and a factor by *")
            expecting = kind == "op"
            if kind == "number":
                factor *= value
            elif kind == "name" and name is None:
                name = value
            elif kind == "name":
                raise unreadable(f"{name} * {value} is not linear")
        if expecting:
            raise unreadable("a term is missing")
        if name is None:
            constant += factor
        else:
            coefficients[aliases[name]] += factor
    return coefficients, constant


def _tokens(side: str, by_length: list[str], equation: str, names: list[str]) -> list:
    """``(kind, value)``: numbers, names (the longest of ``by_length`` that matches), and
    the operators + − *."""
    tokens: list = []
    position = 0
    while position < len(side):
        char = side[position]
        if char.isspace():
            position += 1
        elif char in "+-*":
            tokens.append(("op", char))
            position += 1
        elif match := _NUMBER.match(side, position):
            tokens.append(("number", float(match.group())))
            position = match.end()
        else:
            name = next((n for n in by_length if side.startswith(n, position)), None)
            end = position + len(name) if name else position
            if name is None or (end < len(side) and (side[end].isalnum() or side[end] == "_")):
                word = _WORD.match(side, position)
                shown = word.group() if word else side[position:]
                raise ValueError(
                    f"Unknown name {shown!r} in the restriction {equation!r}: the "
                    f"parameters are {', '.join(names)}."
                )
            tokens.append(("name", name))
            position = end
    return tokens


@dataclass(frozen=True)
class Hypotheses:
    """What the t and F tests of one target need (built by the summary).

    Attributes
    ----------
    names : list of str
        The parameters, intercept first.
    coef : ndarray of shape (p,)
        The estimates, in that order and the user's units.
    coordinates : Coordinates
        The fit's.
    factor : ndarray of shape (p, p)
        :math:`F`, in the fit's order (features, then the intercept).
    tail : ndarray of shape (p, p)
        :math:`T`: the covariance in the fit's coordinates is :math:`F T T^\\top F^\\top`.
    y_exponent : int
        The target's power of two in the statistics' units.
    df : int
        Degrees of freedom of t and F.
    use_t : bool
    alpha : float
    """

    names: list
    coef: np.ndarray
    coordinates: object
    factor: np.ndarray
    tail: np.ndarray
    y_exponent: int
    df: int
    use_t: bool
    alpha: float

    def restrictions(self, r_matrix, q, names=None):
        """:math:`R` (m, p), :math:`q` (m,) and the rows' labels from an array or a string."""
        names = list(self.names if names is None else names)
        if isinstance(r_matrix, str):
            if np.any(np.asarray(q) != 0):
                raise ValueError(
                    "A string of restrictions carries its own constants ('TV = 0.05'): "
                    "leave q at 0."
                )
            return parse_restrictions(r_matrix, names)
        matrix = np.atleast_2d(np.asarray(r_matrix, dtype=np.float64))
        if matrix.ndim != 2 or matrix.shape[1] != len(names) or not np.all(np.isfinite(matrix)):
            raise ValueError(
                f"r_matrix must have one finite column per parameter ({len(names)}: "
                f"{', '.join(names)}), got shape {np.shape(r_matrix)}."
            )
        q = np.broadcast_to(np.asarray(q, dtype=np.float64).ravel(), (matrix.shape[0],))
        return matrix, np.array(q), [f"c{i}" for i in range(matrix.shape[0])]

    def contrasts(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:math:`R\\hat\\theta` (compensated) and :math:`B` with :math:`RVR^\\top = BB^\\top`."""
        coordinates = self.coordinates
        units, active, k = coordinates.units, coordinates.active, coordinates.n_active
        intercept = coordinates.fit_intercept
        slopes = matrix[:, 1:] if intercept else matrix
        on_intercept = matrix[:, 0] if intercept else np.zeros(len(matrix))
        # The restriction on the statistics' units (powers of two: exact).
        slopes = (slopes / units.x_scale)[:, active]
        shift, scale = coordinates.shift[active], coordinates.scale[active]
        offset_row = self.factor[k] if intercept else np.zeros(self.factor.shape[1])
        rows = np.vstack(
            [
                _compensated.shifted_product(
                    slopes[i : i + 1],
                    on_intercept[i] * shift,
                    scale,
                    self.factor[:k],
                    on_intercept[i] * offset_row,
                )
                for i in range(len(matrix))
            ]
        )
        with np.errstate(over="ignore", under="ignore"):
            half = np.ldexp(rows @ self.tail, self.y_exponent)
        product, error = _compensated.two_product(matrix, np.broadcast_to(self.coef, matrix.shape))
        estimate = _compensated.compensated_sum(np.concatenate([product, error], axis=1).T)
        return estimate, half

    def t_test(self, r_matrix, q=0.0, names=None) -> pd.DataFrame:
        """One row per restriction: ``coef`` (:math:`R\\hat\\theta`), ``std_err``,
        ``t_value`` (of :math:`R\\hat\\theta - q`), ``p_value``, ``ci_lower``, ``ci_upper``."""
        matrix, q, labels = self.restrictions(r_matrix, q, names)
        estimate, half = self.contrasts(matrix)
        std_err = np.sqrt(np.sum(half**2, axis=1))
        distribution = t_distribution(self.df, self.use_t)
        return estimate_table(estimate, std_err, pd.Index(labels), self.alpha, distribution, q)

    def f_test(self, r_matrix, q=0.0, names=None) -> FTestResult:
        """The F test of all the restrictions together."""
        from scipy import stats as distributions

        matrix, q, labels = self.restrictions(r_matrix, q, names)
        m = len(matrix)
        if np.linalg.matrix_rank(matrix) < m:
            raise ValueError(
                f"The {m} restrictions are linearly dependent (R has rank "
                f"{np.linalg.matrix_rank(matrix)}): drop the ones the others imply."
            )
        estimate, half = self.contrasts(matrix)
        # RVRᵀ = BBᵀ = TᵀT with Bᵀ = QT: the quadratic form is ‖T⁻ᵀ(Rθ − q)‖², no inverse.
        triangle = np.linalg.qr(half.T, mode="r")
        if np.any(np.diag(triangle) == 0):
            statistic = np.nan
        else:
            solved = np.linalg.solve(triangle.T, estimate - q)
            statistic = float(solved @ solved / m)
        pvalue = float(distributions.f.sf(statistic, m, self.df))
        names = list(self.names if names is None else names)
        frame = pd.DataFrame(matrix, index=pd.Index(labels), columns=pd.Index(names))
        return FTestResult(float(statistic), pvalue, m, int(self.df), frame, q)
