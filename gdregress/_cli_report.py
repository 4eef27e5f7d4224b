"""What ``gdregress`` prints: a fit's summary as text or one JSON object, and the comparison.

The summary reads the fitted model's record: its coefficients, solver or descent; the cost,
R² and RMSE come from the rows when they are in memory, and from the statistics by
:func:`~gdregress._record.fit_measures` for a streamed file (never held in memory: it gets the
numbers of one read at once, to rounding). Nothing here converts units or fits again.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ._cli_data import CommandData
from ._cli_fit import Fit
from ._record import FitMeasures, fit_measures, fit_measures_of_rows
from ._summary import DIAGNOSTICS

__all__ = ["comparison_json", "comparison_text", "summary", "summary_json", "summary_text"]


def summary(fit: Fit, data: CommandData, method: str) -> dict[str, Any]:
    """What the fit found, as plain numbers: the line, the cost, R², RMSE, the descent."""
    model = fit.model
    measures = _measures(fit)
    found: dict[str, Any] = {
        "data": data.description.strip("'"),
        "rows": fit.n_rows,
        "features": list(data.features),
        "target": data.target,
        "method": method,
        "coef": dict(zip(data.features, map(float, model.coef_), strict=True)),
        "intercept": float(model.intercept_),
        "cost": measures.cost,
        "r2": measures.r2,
        "rmse": measures.rmse,
        "fit_time_s": fit.seconds,
        "chunks": fit.chunks or None,
    }
    if method == "analytic":
        found["solver"] = model.solver_
    else:
        found.update(_descent(fit))
    inference, notes = _inference(fit, data.features)
    found.update(inference)
    found["notes"] = list(fit.notes) + notes
    return found


def _measures(fit: Fit) -> FitMeasures:
    """The cost, R² and RMSE: from the rows when they are all in memory (exact, and the only
    way for a fit over the rows, which keeps no statistics), else (a streamed file) from the
    statistics."""
    model = fit.model
    if not fit.chunks and len(fit.y) == fit.n_rows:
        measures = fit_measures_of_rows(fit.y, model.predict(fit.X))
        if measures is not None or model.statistics_ is None:
            return measures or FitMeasures(math.inf, math.nan, math.inf)
    return fit_measures(model.fit_record_)


_INFERENCE_COLUMNS = ("std_err", "t_value", "p_value", "ci_lower", "ci_upper")


def _regression_summary(fit: Fit, features: Sequence[str]):
    """The model's summary with the columns' names, or None and the reason it has none (a
    rank-deficient design, no more rows than parameters), and its notes.

    Rows held in memory are given to ``summary``, so that its residuals come from them
    (exactly, whichever the estimator); an essentially perfect fit is a note, as is a descent
    that did not converge (already said by the fit's own note).
    """
    model = fit.model
    rows = {} if fit.chunks or len(fit.y) != fit.n_rows else {"X": fit.X, "y": fit.y}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            summary = model.summary(**rows)
        except ValueError as exc:
            return None, str(exc), []
    notes = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    notes = [note for note in notes if "did not converge" not in note]
    names = [name for name in summary.coef_table.index if name == "intercept"] + list(features)
    return replace(summary, coef_table=summary.coef_table.set_axis(names)), None, notes


_QUANTILE_KEYS = ("min", "q1", "median", "q3", "max")


def _inference(fit: Fit, features: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    """Standard errors, t, p and 95% intervals keyed like ``coef`` (and "intercept"), and the
    residual standard error, adjusted R², F and its p-value, the diagnostics (statsmodels'
    names; the residuals' tests with the rows read at once); None where there are none; and
    the notes about them."""
    summary, problem, notes = _regression_summary(fit, features)
    keys = [*_INFERENCE_COLUMNS, "rse", "adj_r2", "f_statistic", "f_pvalue", "df_resid"]
    keys += [*DIAGNOSTICS, "vif", "residual_quantiles"]
    if summary is None:
        return dict.fromkeys(keys), [f"no standard errors: {problem}"]
    table = summary.coef_table
    found: dict[str, Any] = {
        column: {name: float(value) for name, value in table[column].items()}
        for column in _INFERENCE_COLUMNS
    }
    found.update(
        rse=summary.rse,
        adj_r2=summary.adj_r2,
        f_statistic=summary.f_statistic,
        f_pvalue=summary.f_pvalue,
        df_resid=summary.df_resid,
    )
    found.update({name: getattr(summary, name) for name in DIAGNOSTICS})
    found["vif"] = dict(zip(features, map(float, summary.vif), strict=True))
    quantiles = summary.residual_quantiles
    found["residual_quantiles"] = (
        None if quantiles is None else dict(zip(_QUANTILE_KEYS, map(float, quantiles), strict=True))
    )
    return found, notes


def _descent(fit: Fit) -> dict[str, Any]:
    """The descent's iterations, step and convergence, from the regressor's record."""
    model = fit.model
    rate, momentum = model.learning_rate_, model.momentum_
    return {
        "iterations": fit.iterations,
        "iterations_last_chunk": int(model.n_iter_) if fit.chunks else None,
        "learning_rate": model.learning_rate if isinstance(model.learning_rate, str) else None,
        # "exact" records one step per iteration, none when the start is the minimum.
        "step": float(rate)
        if np.ndim(rate) == 0
        else (float(np.mean(rate)) if len(rate) else None),
        # Conjugate gradients choose a β per step; the heavy ball's is fixed.
        "momentum": "conjugate gradients" if np.ndim(momentum) else float(momentum),
        "stable_below": 2.0
        * (1.0 + (0.0 if np.ndim(momentum) else momentum))
        / model.max_curvature_,
        "standardized": bool(model.standardize),
        "converged": bool(model.converged_),
    }


def summary_text(found: dict[str, Any], fit: Fit, data: CommandData) -> str:
    """The summary as lines of text: data, method, line, cost, R², RMSE, descent, time, notes."""
    gd = found["method"] == "gd"
    where = "in standardised coordinates" if gd and found["standardized"] else "in the data's units"
    method = f"gradient descent, {where}" if gd else f"closed form ({found['solver']})"
    read = f", streamed in {fit.chunks:,} chunks" if fit.chunks else ""
    lines = [
        f"data: {fit.n_rows:,} rows of {data.description}, target {data.target}{read}",
        f"method: {method}",
        *_line_text(found, fit.model, data),
    ]
    residual = "m·x + b − y" if len(data.features) == 1 else "x·w + b − y"
    r2 = "undefined (the target is constant)" if math.isnan(found["r2"]) else f"{found['r2']:.6f}"
    lines += [
        f"cost L = 1/(2n)·Σ({residual})²: {found['cost']:.6g}",
        f"R²: {r2}",
        f"RMSE: {found['rmse']:.6g}",
    ]
    lines += _inference_text(fit, data.features)
    if gd:
        lines.append(_descent_text(found, fit))
    lines.append(f"fit time: {_duration(found['fit_time_s'])}")
    lines += [f"note: {note}" for note in found["notes"]]
    return "\n".join(lines)


def _inference_text(fit: Fit, features: Sequence[str]) -> list[str]:
    """The coefficient table, the residual standard error, adjusted R² and F, as R prints them."""
    summary, _, _ = _regression_summary(fit, features)  # the reason for none: in the notes
    if summary is None:
        return []
    return [
        "coefficients:",
        *(f"  {line}" for line in summary.coefficient_lines()),
        f"residual standard error: {summary.rse:.4g} on {summary.df_resid} degrees of freedom, "
        f"adjusted R²: {_adjusted(summary)}",
        summary.f_line(),
        *summary.residual_lines(),
        *summary.diagnostic_lines(
            "a streamed file keeps no rows to read them from (--chunksize 0 reads it at once)."
        ),
    ]


def _adjusted(summary) -> str:
    """The adjusted R² (NA where undefined), and whether the descent it is of converged."""
    value = f"{summary.adj_r2:.6f}" if math.isfinite(summary.adj_r2) else "NA"
    return value + ("" if summary.converged else " (did not converge)")


def _line_text(found: dict[str, Any], model, data: CommandData) -> list[str]:
    """The line as an equation (up to four features), else a table of the coefficients."""
    if len(data.features) <= 4:
        return [f"line: {_equation(model.coef_, model.intercept_, data.features, data.target)}"]
    width = max(len(name) for name in [*data.features, "intercept"])
    lines = [f"line: {data.target} = Σ w·x + b, with"]
    for name, value in [*found["coef"].items(), ("intercept", found["intercept"])]:
        lines.append(f"  {name:<{width}}  {value: .6g}")
    return lines


def _number(value: float) -> str:
    """A coefficient: four decimals for moderate numbers, else four significant digits."""
    if value == 0 or 1e-2 <= abs(value) < 1e5:
        return f"{value:.4f}"
    return f"{value:.4g}"


def _equation(coef: np.ndarray, intercept: float, features: Sequence[str], target: str) -> str:
    def term(c: float, name: str, first: bool) -> str:
        sign = ("−" if c < 0 else "") if first else ("− " if c < 0 else "+ ")
        return f"{sign}{_number(abs(c))}{'·' + name if name else ''}"

    if len(coef) == 1:
        return f"{features[0]} → y = {term(coef[0], 'x', True)} {term(intercept, '', False)}"
    terms = [term(c, name, i == 0) for i, (c, name) in enumerate(zip(coef, features, strict=True))]
    return f"{target} = {' '.join(terms)} {term(intercept, '', False)}"


def _descent_text(found: dict[str, Any], fit: Fit) -> str:
    """One line: the iterations, the learning rate and whether the descent converged."""
    mean = f", mean step {found['step']:.4g}" if found["step"] is not None else ", no step"
    if found["momentum"] == "conjugate gradients":
        step = f"conjugate gradients (momentum auto){mean}"
    elif found["learning_rate"] == "exact":
        step = f"exact line search{mean}"
    else:
        chosen = "auto, " if found["learning_rate"] == "auto" else ""
        step = f"{found['step']:.6g} ({chosen}stable below {found['stable_below']:.6g})"
        step += f" with momentum {found['momentum']:g}" if found["momentum"] else ""
    converged = "yes" if found["converged"] else "no — " + _not_converged_hint(fit.model)
    chunks = (
        f" over {fit.chunks:,} chunks ({found['iterations_last_chunk']:,} in the last)"
        if fit.chunks
        else ""
    )
    return (
        f"iterations: {found['iterations']:,}{chunks}, learning rate: {step}, "
        f"converged: {converged}"
    )


def _not_converged_hint(model) -> str:
    remedies = ["raise --max-iter"]
    if not isinstance(model.learning_rate, str):
        beta = 0.0 if np.ndim(model.momentum_) else float(model.momentum_)
        limit = 2.0 * (1.0 + beta) / model.max_curvature_
        remedies.append(f"a larger --learning-rate (below {limit:.4g})")
    if not model.standardize:
        remedies.append("drop --no-standardize")
    return f"max_iter={model.max_iter:,} reached; {', or '.join(remedies)}"


def _duration(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def summary_json(found: dict[str, Any]) -> str:
    """The summary as one JSON object; numbers beyond float64's range are null."""
    return _json(found)


def _json(report: dict[str, Any]) -> str:
    """``report`` as one line of strict JSON: infinities and NaN (which JSON has not) null."""

    def finite(value):
        if isinstance(value, dict):
            return {key: finite(item) for key, item in value.items()}
        if isinstance(value, list):
            return [finite(item) for item in value]
        return None if isinstance(value, float) and not math.isfinite(value) else value

    return json.dumps(finite(report), ensure_ascii=False, allow_nan=False)


# compare

# The text table's headers and formats of the columns of comparison_table (the JSON keys).
_COMPARISON_COLUMNS = {
    "r2_mean": ("R² mean", "{:.4f}".format),
    "r2_std": ("R² std", "{:.4f}".format),
    "rmse_mean": ("RMSE mean", "{:.4g}".format),
    "rmse_std": ("RMSE std", "{:.3g}".format),
    "fit_time_s": ("fit time (ms)", lambda seconds: f"{1e3 * seconds:.2f}"),
}


def comparison_text(table, data: CommandData, rows: int, folds: int, notes: list[str]) -> str:
    """The comparison table with a line above saying what it compares, and the notes."""
    headers = {key: header for key, (header, _) in _COMPARISON_COLUMNS.items()}
    formats = {header: form for header, form in _COMPARISON_COLUMNS.values()}
    shown = table.rename(columns=headers).rename_axis(None)
    lines = [
        f"{folds}-fold cross-validation (rows shuffled, seed 0) of {data.target} on "
        f"{', '.join(data.features)}, {rows:,} rows of {data.description}",
        shown.to_string(formatters=formats, col_space=10),
        "R² and RMSE on the held-out fold: mean and standard deviation over the folds.",
    ]
    lines += [f"note: {note}" for note in notes]
    return "\n".join(lines)


def comparison_json(table, data: CommandData, rows: int, folds: int, notes: list[str]) -> str:
    """The comparison as one JSON object, a record per model in ``table`` (keys as its
    columns, snake_case); a score that is not a number (R² of one-row folds) is null."""
    return _json(
        {
            "data": data.description.strip("'"),
            "rows": rows,
            "features": data.features,
            "target": data.target,
            "folds": folds,
            "table": table.reset_index().to_dict(orient="records"),
            "notes": notes,
        }
    )
