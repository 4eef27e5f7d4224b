"""Messages for the user's mistakes, shared by the command and the estimators.

Light on purpose (no numpy, pandas or scikit-learn at import), so that the command's parser
and its error path import nothing heavy.
"""

from __future__ import annotations

__all__ = [
    "InputError",
    "find_stack_level",
    "first_non_finite",
    "gradient_excess",
    "non_finite_value",
    "one_line",
    "shortest",
]


class InputError(Exception):
    """A mistake in the command's input; the message says what is wrong and how to fix it."""


def find_stack_level() -> int:
    """The ``stacklevel`` at which a warning points at the user's code.

    The number of frames, from the caller of ``warnings.warn`` up, that belong to gdregress,
    scikit-learn or scipy (whose ``_fit_context`` and meta-estimators wrap a fit): the first frame
    beyond them is the user's call, however deep the warning was raised (scipy's frames are
    skipped too: ``scipy.optimize.minimize`` calls the descent's minimizer). Counting frames
    by hand breaks whenever a call moves.
    """
    import os
    import sys

    prefixes = [os.path.dirname(os.path.abspath(__file__))]
    for name in ("sklearn", "scipy"):
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__file__", None):
            prefixes.append(os.path.dirname(os.path.abspath(module.__file__)))
    frame, level = sys._getframe(), 0
    while frame is not None and frame.f_code.co_filename.startswith(tuple(prefixes)):
        frame, level = frame.f_back, level + 1
    return max(level, 1)


def one_line(text: object) -> str:
    """The text of a message (or an exception) on one line: runs of whitespace as one space."""
    return " ".join(str(text).split())


def non_finite_value(value: float) -> str:
    """What a non-finite cell holds, as a message says it: "has no value" (NaN), "holds inf".

    Examples
    --------
    >>> non_finite_value(float("nan")), non_finite_value(float("-inf"))
    ('has no value', 'holds -inf')
    """
    return "has no value" if value != value else f"holds {value}"


def first_non_finite(values) -> tuple[int, int, float] | None:
    """``(row, column, value)`` of the first NaN or ±inf in row order, or None if all are finite.

    ``values`` is a 1-D array (column 0), a 2-D array or a scipy.sparse matrix. For the
    failure path only: it reads the whole array.

    Examples
    --------
    >>> import numpy as np
    >>> first_non_finite(np.array([[1.0, 2.0], [3.0, np.inf], [np.nan, 0.0]]))
    (1, 1, inf)
    """
    import numpy as np
    import scipy.sparse

    if scipy.sparse.issparse(values):
        coo = values.tocoo()
        bad = ~np.isfinite(coo.data)
        if not bad.any():
            return None
        rows, columns, data = coo.row[bad], coo.col[bad], coo.data[bad]
        k = np.lexsort((columns, rows))[0]
        return int(rows[k]), int(columns[k]), float(data[k])
    array = np.asarray(values)
    if array.size == 0:
        return None
    array = array.reshape(len(array), -1)
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size == 0:
        return None
    row, column = divmod(int(bad[0]), array.shape[1])
    return row, column, float(array[row, column])


def shortest(value: float) -> str:
    """A number as briefly as ``:g`` writes it, or all its digits where ``:g`` would round.

    Examples
    --------
    >>> shortest(0.5), shortest(0.123456789)
    ('0.5', '0.123456789')
    """
    brief = f"{value:g}"
    return brief if float(brief) == value else repr(float(value))


def gradient_excess(g, gnorm: float, tol) -> str:
    """Say how a gradient that has not met ``tol`` stands against it, for messages.

    For a bound per variable (an array ``tol``), names the component furthest above its
    own bound.
    """
    import numpy as np

    if not isinstance(tol, np.ndarray):
        return f"the gradient's norm, {gnorm:.3g}, is still above the tolerance {tol:.3g}"
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(np.abs(g) > tol, np.abs(g) / tol, 0.0)
    i = int(np.argmax(ratios))
    return (
        f"component {i} of the gradient, {abs(g[i]):.3g}, is still above its tolerance "
        f"{tol[i]:.3g} (the gradient's norm is {gnorm:.3g})"
    )
