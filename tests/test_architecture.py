"""The package's shape, as ../shared/design.md draws it: layers that only import downwards.

The flow of a fit is data → coordinates → cost → solvers → record → estimators → inference,
plots and the command. Imports follow it the other way: a module imports only from its own
layer or below (the record's type sits below the solvers that fill it; the inference reads the
record, below the estimators whose ``summary()`` calls it). Also checked here, from the code
itself (AST): no private name of one module imported by another, no ``stacklevel`` counted
by hand, and the house rules on size (code lines: docstrings, comments and blank lines
excluded). Truth: the rules as stated; the source as parsed.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "gdregress"

# Each module's layer, lowest first.
LAYERS = {
    # 0, the base: numbers, messages, validation, the generic descent engine, the data sets
    "_numerics": 0,
    "_compensated": 0,
    "_messages": 0,
    "exceptions": 0,
    "_validation": 0,
    "_csv": 0,
    "_progress": 0,
    "_lsmr": 0,
    "_callbacks": 0,
    "_momentum": 0,
    "_descent_arguments": 0,
    "optimize": 0,
    "datasets": 0,
    "_quantiles": 0,
    "_threads": 0,
    "_chunk_sums": 0,
    # 1, data: the statistics, the operator over the rows, the sources
    "_statistics": 1,
    "_operator": 1,
    "_sources": 1,
    "_dask": 1,
    # 2, coordinates; 3, the cost; 4, the route plan; 5, the fit record
    "_coordinates": 2,
    "cost": 3,
    "_cost_model": 4,
    "_record": 5,
    # 6, the solvers
    "_closed_form": 6,
    "_closed_form_operator": 6,
    "_descent": 6,
    "_operator_descent": 6,
    # 7, inference (reads the record): the covariance, the pass over the rows, the robust
    # meats, the diagnostics, the tests of hypotheses, the summary and the influence;
    # 8, the estimators
    "_diagnostics": 7,
    "_robust": 7,
    "_row_pass": 7,
    "_hypotheses": 7,
    "_inference": 7,
    "_summary": 7,
    "_summaries": 7,
    "_influence": 7,
    "linear_model": 8,
    # 9, what users hold: plots, the command, the package's namespace
    "_cost_drawing": 9,
    "_animation": 9,
    "_diagnostic_plots": 9,
    "plotting": 9,
    "_cli_data": 9,
    "_cli_fit": 9,
    "_cli_parser": 9,
    "_cli_plot": 9,
    "_cli_report": 9,
    "cli": 9,
    "__init__": 9,
    "__main__": 10,
}

FUNCTION_LINES, CLASS_LINES, MODULE_LINES = 80, 300, 500


def _modules():
    return sorted(PACKAGE.glob("*.py"))


def _imports(tree: ast.AST):
    """``(module imported, names, line)`` for every relative import, lazy ones included."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [alias.name for alias in node.names]
            if node.module is None:  # from . import a, b
                for name in names:
                    yield name, [], node.lineno
            else:
                yield node.module.split(".")[0], names, node.lineno


def _code_lines(source: str, tree: ast.AST):
    """A function counting the code lines between two line numbers (docstrings, comments
    and blank lines excluded), as the stop hook counts them."""
    lines = source.splitlines()
    docstrings = set()
    for node in ast.walk(tree):
        kinds = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        if isinstance(node, kinds) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(
                getattr(first, "value", None), ast.Constant
            ):
                if isinstance(first.value.value, str):
                    docstrings.update(range(first.lineno, first.end_lineno + 1))

    def count(start: int, stop: int) -> int:
        return sum(
            1
            for i in range(start, stop + 1)
            if i not in docstrings
            and lines[i - 1].strip()
            and not lines[i - 1].strip().startswith("#")
        )

    return count, len(lines)


def test_every_module_has_a_layer():
    assert {path.stem for path in _modules()} == set(LAYERS)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.stem)
def test_imports_go_down_the_layers_only(path):
    tree = ast.parse(path.read_text())
    upward = [
        f"{path.stem} (layer {LAYERS[path.stem]}) imports {target} (layer {LAYERS[target]}) "
        f"at line {line}"
        for target, _, line in _imports(tree)
        if target in LAYERS and LAYERS[target] > LAYERS[path.stem]
    ]
    assert not upward, upward


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.stem)
def test_no_private_name_crosses_modules(path):
    tree = ast.parse(path.read_text())
    crossing = [
        f"{path.stem}:{line} imports {name} from {target}"
        for target, names, line in _imports(tree)
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert not crossing, crossing


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.stem)
def test_stacklevels_are_found_not_counted(path):
    tree = ast.parse(path.read_text())
    counted = [
        f"{path.stem}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword)
        and node.arg == "stacklevel"
        and isinstance(node.value, ast.Constant)
    ]
    assert not counted, counted


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.stem)
def test_house_rules_on_size(path):
    source = path.read_text()
    tree = ast.parse(source)
    count, n_lines = _code_lines(source, tree)
    over = []
    if count(1, n_lines) > MODULE_LINES:
        over.append(f"module {count(1, n_lines)} > {MODULE_LINES}")
    for node in ast.walk(tree):
        limit = (
            FUNCTION_LINES
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            else CLASS_LINES
            if isinstance(node, ast.ClassDef)
            else None
        )
        if limit is not None and count(node.lineno, node.end_lineno) > limit:
            over.append(f"{node.name} {count(node.lineno, node.end_lineno)} > {limit}")
    assert not over, over
