"""scikit-learn's callbacks (``sklearn.callback``, 1.9) for the estimators' fits.

A fit is one task of scikit-learn's callback tree; a descent splits it into one subtask per
block of iterations. :func:`fit_task` opens the fit's task (only when callbacks are set or a
meta-estimator such as a Pipeline passed its context down: a fit without callbacks pays
nothing), and :class:`DescentMonitor` is the small object a descent solver is handed (through
``DescentSettings.monitor``) to report its blocks: it begins and ends each block's subtask,
and stops the descent when a callback's ``on_fit_task_end`` returns True.

A block is ``max_iter / 100`` iterations (at least one), so that a fit has at most
:data:`MAX_BLOCKS` subtasks: the hooks then cost the same few milliseconds whether the
descent takes a hundred steps of microseconds (from the statistics) or a hundred passes over
the data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import numpy as np

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # older scikit-learn has no callbacks: no set_callbacks either

    class CallbackSupportMixin:  # type: ignore[no-redef]
        """Stands in for scikit-learn's mixin where scikit-learn has no callback API."""


__all__ = ["MAX_BLOCKS", "CallbackSupportMixin", "DescentMonitor", "FitTask", "fit_task"]

#: The most subtasks (blocks of iterations) one descent reports.
MAX_BLOCKS = 100


def _has_callbacks(estimator) -> bool:
    """Whether the fit must report: callbacks are set, or a meta-estimator's context waits."""
    return bool(getattr(estimator, "_skl_callbacks", None)) or hasattr(
        estimator, "_parent_callback_ctx"
    )


class FitTask(NamedTuple):
    """A fit's task in the callback tree, and the data its hooks are handed."""

    context: Any  # sklearn.callback.CallbackContext
    data: dict  # X, y and metadata (the sample weights), as given to fit


@contextmanager
def fit_task(estimator, X, y, sample_weight, max_subtasks: int) -> Iterator[FitTask | None]:
    """The fit's root task of the callback tree, begun and ended around the fit.

    Yields a :class:`FitTask`, or None when the estimator has no callbacks to call (then
    nothing at all is done). The callbacks' ``teardown`` is called by
    scikit-learn's ``_fit_context`` around ``fit``.

    Parameters
    ----------
    estimator : estimator
    X, y, sample_weight
        The data as given to ``fit``, handed to the hooks that ask for them.
    max_subtasks : int
        How many subtasks the fit may have (0: it has none).
    """
    if not _has_callbacks(estimator):
        yield None
        return
    metadata = None if sample_weight is None else {"sample_weight": sample_weight}
    data = {"X": X, "y": y, "metadata": metadata}
    context = estimator._init_callback_context(max_subtasks=max_subtasks)
    context.call_on_fit_task_begin(estimator=estimator, **data)
    yield FitTask(context, data)
    context.call_on_fit_task_end(estimator=estimator, **data, reconstruction_attributes={})


def block_size(max_iter: int) -> int:
    """Iterations per subtask: ``max_iter`` split into at most :data:`MAX_BLOCKS` blocks."""
    return max(1, -(-max_iter // MAX_BLOCKS))


class DescentMonitor:
    """Reports a descent to scikit-learn's callbacks, one subtask per block of iterations.

    The descent solver calls :meth:`watch` to get the callback for
    :func:`~gdregress.optimize.gradient_descent` (called every :attr:`every` steps, with
    ``callback_every=monitor.every``), and :meth:`close` when the descent has ended.

    Parameters
    ----------
    estimator : estimator
        The estimator being fitted, handed to the hooks.
    task : FitTask
        The fit's task, as :func:`fit_task` yields it.
    max_iter : int
        The most iterations the descent may take.
    as_fitted : callable
        ``as_fitted(coef, intercept)`` turns the solver's coefficients (n_features,
        n_targets) and intercepts (n_targets,) into the estimator's ``coef_`` and
        ``intercept_``.

    Attributes
    ----------
    every : int
        Iterations per block.
    stopped_at : int or None
        The iteration at which a callback stopped the descent (None: none did).
    """

    def __init__(self, estimator, task: FitTask, *, max_iter: int, as_fitted: Callable) -> None:
        self.every = block_size(max_iter)
        self.max_iter = max_iter
        self.stopped_at: int | None = None
        self._estimator, self._root, self._data = estimator, task.context, task.data
        self._as_fitted = as_fitted
        self._block = None

    def watch(self, theta0: np.ndarray, to_user: Callable[[np.ndarray], tuple]) -> Callable:
        """Begin the first block at ``theta0``; return the callback that ends a block and
        begins the next.

        ``to_user(theta)`` converts the descent's flat parameters into coefficients
        (n_features, n_targets) and intercepts (n_targets,) in the user's units; it is called
        only for a hook that asks for ``fitted_estimator``.
        """
        self._to_user = to_user
        self._begin(theta0, 0)

        def end_of_block(intermediate_result) -> None:
            theta, nit = intermediate_result.x, intermediate_result.nit
            if self._end(theta, nit):
                self.stopped_at = nit
                raise StopIteration
            if nit < self.max_iter:
                self._begin(theta, nit)

        return end_of_block

    def close(self, theta: np.ndarray, nit: int) -> None:
        """End the last block, when the descent ended inside it (or before its first step)."""
        if self._block is not None:
            self._end(theta, nit)

    @property
    def reason(self) -> str:
        """Why the descent stopped early, for the ConvergenceWarning."""
        names = ", ".join(type(c).__name__ for c in getattr(self._root, "_callbacks", ()))
        return (
            f"a callback ({names}) returned True from on_fit_task_end at iteration "
            f"{self.stopped_at}, asking the descent to stop"
        )

    def _attributes(self, theta, nit: int) -> Callable[[], dict]:
        """The fitted attributes at ``theta``, computed only if a hook asks for them."""

        def attributes() -> dict:
            coef, intercept = self._as_fitted(*self._to_user(theta))
            return {"coef_": coef, "intercept_": intercept, "n_iter_": nit}

        return attributes

    def _begin(self, theta, nit: int) -> None:
        last = min(nit + self.every, self.max_iter)
        self._block = self._root.subcontext(task_name=f"iterations {nit + 1}-{last}")
        self._block.call_on_fit_task_begin(
            estimator=self._estimator,
            **self._data,
            reconstruction_attributes=self._attributes(theta, nit),
        )

    def _end(self, theta, nit: int) -> bool:
        block, self._block = self._block, None
        return block.call_on_fit_task_end(
            estimator=self._estimator,
            **self._data,
            reconstruction_attributes=self._attributes(theta, nit),
        )
