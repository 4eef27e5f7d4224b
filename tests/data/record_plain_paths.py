"""Record the plain descent's paths, for tests/test_momentum.py to compare with.

Run at commit e431554, before the momentum parameter existed, with
``python tests/data/record_plain_paths.py``: it writes ``plain_paths.npz`` beside itself. Run
with a later version it passes ``momentum=0`` (the same descent) and records the same numbers.
"""

from pathlib import Path

import numpy as np
import scipy.sparse as sp

from gdregress import GradientDescentRegressor
from gdregress.datasets import load_power_lines, load_tv_advertising
from gdregress.optimize import gradient_descent

PLAIN = {"momentum": 0} if "momentum" in GradientDescentRegressor().get_params() else {}


def estimator_runs():
    """name -> (X, y, parameters): the lecture's descents by GradientDescentRegressor."""
    lines = load_power_lines(return_X_y=True)
    tv = load_tv_advertising(return_X_y=True)
    media = load_tv_advertising(all_media=True, return_X_y=True)
    rng = np.random.default_rng(0)
    rows = np.repeat(np.arange(400), 5)
    sparse = sp.csr_matrix((rng.standard_normal(2000), (rows, rng.integers(0, 60, 2000))))
    y_sparse = sparse @ rng.standard_normal(60) + 1.0 + 0.1 * rng.standard_normal(400)
    wide = rng.standard_normal((30, 90))
    y_wide = wide @ rng.standard_normal(90)
    two = np.column_stack([media[1], media[1] * 1e-3 + media[0][:, 0]])
    return {
        "lines_rate_0.06": (*lines, {"standardize": False, "learning_rate": 0.06}),
        "lines_auto": (*lines, {"standardize": False}),
        "lines_exact": (*lines, {"standardize": False, "learning_rate": "exact"}),
        "lines_standardized": (*lines, {}),
        "tv_standardized": (*tv, {}),
        "tv_dollars": (*tv, {"standardize": False, "max_iter": 3000, "tol": None}),
        "media_standardized": (*media, {}),
        "media_two_targets_exact": (media[0], two, {"learning_rate": "exact"}),
        "sparse_matrix_free": (
            sparse,
            y_sparse,
            {"solver": "operator", "max_iter": 40, "tol": None},
        ),
        "sparse_matrix_free_rate": (
            sparse,
            y_sparse,
            {"solver": "operator", "learning_rate": 0.3, "max_iter": 60, "tol": None},
        ),
        "wide_short_side": (wide, y_wide, {"max_iter": 60, "tol": None}),
    }


def engine_runs():
    """name -> path: the lecture's descents by gradient_descent."""

    def sauna_gradient(p):
        x, y = p
        return (
            -np.array([x * (3 * x - 12) * y**2 * (y - 6), x**2 * (x - 6) * y * (3 * y - 12)]) / 90
        )

    def grad_E(p):
        m, b = p
        return np.array([28 * m + 12 * b - 42, 6 * b + 12 * m - 20])

    return {
        "engine_exp_log": gradient_descent(
            lambda x: np.exp(x) - 1 / x, 0.05, learning_rate=0.005, tol=1e-10
        ).path,
        "engine_sauna": gradient_descent(sauna_gradient, [0.5, 0.6], learning_rate=0.05).path,
        "engine_power_lines": gradient_descent(grad_E, [0.0, 0.0], learning_rate=0.01).path,
    }


def main() -> None:
    arrays = {}
    for name, (X, y, parameters) in estimator_runs().items():
        model = GradientDescentRegressor(**parameters, **PLAIN).fit(X, y)
        arrays[f"{name}.path"] = model.path_
        arrays[f"{name}.loss"] = model.loss_curve_
        arrays[f"{name}.coef"] = model.coef_
        arrays[f"{name}.n_iter"] = np.array(model.n_iter_)
    arrays.update({f"{name}.path": path for name, path in engine_runs().items()})
    np.savez_compressed(Path(__file__).with_name("plain_paths.npz"), **arrays)


if __name__ == "__main__":
    main()
