"""Which representation of the data a fit takes: the d×d statistics, or the design as an operator.

Both reach :math:`\\nabla L = 0`; they differ in what they cost. The model, in floating-point
operations for n rows, d features, t targets and nnz stored numbers of X (n·d when dense):

* **statistics**: forming them, :math:`\\sum_i \\mathrm{nnz}_i^2` (the outer products of the
  rows; n·d² when dense), plus solving with them, :math:`d^3`; memory
  :data:`STATISTICS_COPIES` d×d float64 matrices. For sparse data, plus :math:`2nd^2`: a
  rank-deficient or ill-conditioned design (one-hot columns beside an intercept are one)
  takes the accurate route, which factors a dense copy of the design.
* **operator**: :data:`KRYLOV_PRODUCTS` products with the design and its transpose, each
  :math:`2(\\mathrm{nnz} + n + d)` per target (LSMR, the matrix-free descent); memory O(nnz + n +
  d). For the closed form of a dense design with fewer rows than columns, its short side instead:
  the n×n normal equations, or QR of the transpose (and, only when its n×n factor is near singular,
  the factor's SVD), at most :math:`2n^2 d + 10 n^3`. The descent on such a design steps through the
  n×n matrix :math:`MM^\\top` when that is cheaper: forming it costs :math:`n^2 d` at BLAS's
  matrix-product speed, :data:`BLAS3_SPEEDUP` times that of the products with a vector, and a step
  then :math:`2n^2` instead of :math:`2 \\cdot 2nd` (:attr:`RouteCosts.descent_on_rows`).

``solver="auto"`` takes the statistics when they cost no more than the operator and fit in
:data:`MEMORY_FRACTION` of the machine's memory, and the operator otherwise; data of at most
:data:`~gdregress._numerics.SMALL_DATA_MAX_NUMBERS` numbers always keep the statistics (where
the closed form takes its accurate route). Tall, narrow data thus keeps the exact
one-pass statistics (dense: up to about d = 200); one-hot and text features, and dense designs
of hundreds of columns, go over the data. An LSMR that needs more iterations than the
statistics would have cost (:meth:`RouteCosts.operator_iterations`) gives way to them.
``partial_fit`` and Dask collections keep statistics (they merge); where those would not fit
in memory, :func:`require_statistics_fit` refuses at once, naming the memory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import scipy.sparse

from ._numerics import SMALL_DATA_MAX_NUMBERS
from ._sources import OPERATOR, ROWS, STATISTICS

__all__ = [
    "BLAS3_SPEEDUP",
    "KRYLOV_PRODUCTS",
    "MEMORY_FRACTION",
    "OPERATOR",
    "ROWS",
    "STATISTICS",
    "RouteCosts",
    "RoutePlan",
    "plan_route",
    "require_statistics_fit",
    "route_costs",
    "source_costs",
]

# Products assumed for an operator solve: LSMR to 1e-12 on a well-conditioned scaled design
# takes 25-60 iterations of two products each.
KRYLOV_PRODUCTS = 100
# How much faster BLAS runs a matrix product (syrk) than a product with a vector (gemv), in
# floating-point operations per second: ~30 against ~3 GFlop/s on the 2-core benchmark machine.
BLAS3_SPEEDUP = 10
# The statistics' d×d float64 matrices alive at once (the sums, the scaled copy, the solve's).
STATISTICS_COPIES = 4
MEMORY_FRACTION = 0.25
_FALLBACK_MEMORY = 8 * 2**30


@dataclass(frozen=True)
class RouteCosts:
    """The model's estimates for one design (see the module's docstring)."""

    statistics_flops: float
    operator_flops: float
    short_side_flops: float
    small: bool
    statistics_bytes: float
    memory_budget: float
    wide_dense: bool
    descent_on_rows: bool = False
    #: LSMR's iterations per target when nothing cheaper waits: twice the smaller side of
    #: the design, and at least the operator's assumed products.
    lsmr_iterations: int = KRYLOV_PRODUCTS

    @property
    def statistics_fit(self) -> bool:
        return self.statistics_bytes <= self.memory_budget

    def operator_iterations(self) -> int:
        """LSMR iterations worth the statistics' cost: past them, the statistics are cheaper."""
        per_iteration = self.operator_flops / KRYLOV_PRODUCTS
        return int(max(KRYLOV_PRODUCTS, self.statistics_flops / max(per_iteration, 1.0)))


def source_costs(source) -> RouteCosts | None:
    """The cost model's figures for a source's design: None where it offers no operator
    (Dask, partial_fit), which leaves nothing to weigh."""
    return route_costs(source.X, source.n_targets) if OPERATOR in source.offers else None


def route_costs(X, n_targets: int) -> RouteCosts:
    """The cost model's numbers for a validated X (dense or sparse) and t targets."""
    n, d = X.shape
    accurate_route = 0.0
    if scipy.sparse.issparse(X):
        nnz = float(X.nnz)
        accurate_route = 2.0 * n * d * d
        row_counts = np.diff(X.tocsr().indptr) if X.format == "csr" else None
        if row_counts is None:  # CSC: nnz per row without converting
            row_counts = np.bincount(X.indices, minlength=n)
        forming = float(np.sum(row_counts.astype(np.float64) ** 2))
    else:
        nnz = float(n) * d
        forming = float(n) * d * d
    statistics_flops = forming + float(d) ** 3 + accurate_route
    wide_dense = not scipy.sparse.issparse(X) and n < d
    operator_flops = KRYLOV_PRODUCTS * 2.0 * (nnz + n + d) * n_targets
    short_side_flops = 2.0 * n * n * d + 10.0 * float(n) ** 3
    # The descent's steps through MMᵀ (n×n): formed at matrix-product speed, then one product
    # with it (2n²) a step where M takes two (operator_flops counts products, two a step).
    on_rows = float(n) * n * d / BLAS3_SPEEDUP + KRYLOV_PRODUCTS * float(n) * n * n_targets
    descent_on_rows = wide_dense and on_rows < operator_flops
    return RouteCosts(
        statistics_flops=statistics_flops,
        operator_flops=operator_flops,
        short_side_flops=short_side_flops,
        small=float(n) * d <= SMALL_DATA_MAX_NUMBERS,
        statistics_bytes=statistics_bytes(d, n_targets),
        memory_budget=MEMORY_FRACTION * _physical_memory(),
        wide_dense=wide_dense,
        descent_on_rows=descent_on_rows,
        lsmr_iterations=max(KRYLOV_PRODUCTS, 2 * min(n, d + 1)),
    )


@dataclass(frozen=True)
class RoutePlan:
    """How a fit goes: which representation, which solver's variant, which fallback, and why.

    Attributes
    ----------
    representation : str
        :data:`STATISTICS` or :data:`OPERATOR`.
    short_side : bool
        A dense design with fewer rows than columns: the closed form solves its short side,
        the descent steps through its n×n matrix :math:`MM^\\top`.
    accurate : str
        The closed form's accurate route over the rows: ``"always"`` (small data in memory:
        it costs milliseconds there), ``"when ill-conditioned"`` (the statistics say when),
        or ``"never"`` (no rows to read: partial_fit's merged statistics).
    max_iterations : int or None
        LSMR's iterations per target on the operator.
    fallback : str or None
        :data:`STATISTICS` where an LSMR that runs out of ``max_iterations`` (an
        ill-conditioned design) gives way to the statistics, which were cheaper by then.
    reason : str
        Why, in the cost model's figures.
    costs : RouteCosts or None
        The cost model's estimates (None where the source offers no operator).
    """

    representation: str
    short_side: bool = False
    accurate: str = "when ill-conditioned"
    max_iterations: int | None = None
    fallback: str | None = None
    reason: str = ""
    costs: RouteCosts | None = None


def plan_route(
    offers: frozenset,
    n_features: int,
    n_targets: int,
    costs: RouteCosts | None,
    *,
    solver: str,
    closed_form: bool,
) -> RoutePlan:
    """The one decision of a fit's route, from what the source offers, the design's size and
    the cost model's figures, and the estimator's parameters (pure: nothing is read).

    Parameters
    ----------
    offers : frozenset of str
        What the source can offer (:data:`STATISTICS`, :data:`OPERATOR`, :data:`ROWS`).
    n_features, n_targets : int
    costs : RouteCosts or None
        :func:`route_costs` of the design, where the source offers the operator.
    solver : {"auto", "statistics", "operator"}
        The estimator's parameter.
    closed_form : bool
        Whether the solver is the closed form (it can take a dense wide design's short side
        directly; the descent iterates there).

    Raises
    ------
    ValueError
        For ``solver="operator"`` on a source without the operator, and for statistics that
        would not fit in memory (naming what to do instead).
    """
    if OPERATOR not in offers:
        # Dask offers its rows (by blocks) but no operator; partial_fit's merged statistics
        # are all there is, whatever the solver asked for (documented there).
        if solver == OPERATOR and ROWS in offers:
            raise ValueError(
                "solver='operator' is for arrays in memory; a dask collection is fitted from "
                "statistics merged across its blocks. Use solver='auto'."
            )
        require_statistics_fit(
            n_features,
            n_targets,
            "A dask collection is fitted from statistics merged across its blocks: reduce "
            "the features, or compute X (sparse) and fit it in memory, matrix-free.",
        )
        accurate = "when ill-conditioned" if ROWS in offers else "never"
        return RoutePlan(STATISTICS, accurate=accurate, reason="statistics merge across blocks")
    representation, reason = _representation(costs, solver, closed_form)
    if representation == STATISTICS:
        require_statistics_fit(
            n_features,
            n_targets,
            "Use solver='auto' or solver='operator', which work on the data itself "
            "(matrix-free) in memory O(nnz + n + d).",
        )
        accurate = "always" if costs.small else "when ill-conditioned"
        return RoutePlan(STATISTICS, accurate=accurate, reason=reason, costs=costs)
    fallback = STATISTICS if solver == "auto" and costs.statistics_fit else None
    return RoutePlan(
        OPERATOR,
        short_side=costs.wide_dense if closed_form else costs.descent_on_rows,
        max_iterations=costs.operator_iterations() if fallback else costs.lsmr_iterations,
        fallback=fallback,
        reason=reason,
        costs=costs,
    )


def _representation(costs: RouteCosts, solver: str, closed_form: bool) -> tuple[str, str]:
    """``(representation, why)`` for ``solver`` in {"auto", "statistics", "operator"}."""
    if solver != "auto":
        return solver, f"solver={solver!r}"
    if not costs.statistics_fit:
        return OPERATOR, "the d×d statistics would not fit in memory"
    if costs.small:
        return STATISTICS, "small data: the statistics and the accurate route cost milliseconds"
    # A dense wide design's closed form takes the short side: direct, whatever the conditioning.
    short = closed_form and costs.wide_dense
    operator = costs.short_side_flops if short else costs.operator_flops
    if costs.statistics_flops <= operator:
        return STATISTICS, (
            f"statistics {costs.statistics_flops:.3g} flops ≤ operator {operator:.3g}"
        )
    return OPERATOR, f"operator {operator:.3g} flops < statistics {costs.statistics_flops:.3g}"


def statistics_bytes(n_features: int, n_targets: int) -> float:
    """Memory the statistics' d×d matrices take while a fit solves with them."""
    return STATISTICS_COPIES * 8.0 * float(n_features + n_targets) ** 2


def require_statistics_fit(n_features: int, n_targets: int, context: str) -> None:
    """Refuse, before allocating anything, statistics too large for this machine's memory.

    Parameters
    ----------
    n_features, n_targets : int
    context : str
        What needs statistics, and what to do instead (ends the message).
    """
    needed = statistics_bytes(n_features, n_targets)
    budget = MEMORY_FRACTION * _physical_memory()
    if needed > budget:
        raise ValueError(
            f"{n_features:,} features need d×d statistics of {_gib(needed)} "
            f"({STATISTICS_COPIES} matrices of {n_features + n_targets:,}² float64), more than "
            f"{MEMORY_FRACTION:.0%} of this machine's memory ({_gib(budget)}). {context}"
        )


def _gib(size: float) -> str:
    return f"{size / 2**30:,.1f} GiB"


def _physical_memory() -> float:
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # not POSIX: a conservative guess
        return float(_FALLBACK_MEMORY)
