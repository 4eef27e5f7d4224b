"""Many features: a one-hot pipeline, fitted over the data instead of d×d statistics
=================================================================================

``OneHotEncoder`` on a column of many categories gives a sparse design with as many columns
as categories. Its d×d statistics would cost d³ operations and d² memory, so gdregress fits
such designs over the data itself (LSMR on the implicitly centred design; the descent
matrix-free) — the route its cost model chooses, reported by ``solver_``. This script
cross-validates the same pipeline with ``LinearRegression`` and with gdregress's closed form
as the number of categories grows, and prints the route, the time and the largest difference
of the held-out scores. The categories unseen in a fold are ignored
(``handle_unknown="ignore"``), so the scores depend on which of the many least-squares
solutions is taken: both take the one of least norm, and the scores agree.

Run: ``python examples/09_many_features.py [OUTPUT_FOLDER]``; saves ``many_features.png``.
"""

import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from gdregress import AnalyticLeastSquares

FIGURE = "many_features.png"
ROWS = 40_000
CATEGORIES = [100, 1_000, 10_000]
FOLDS = KFold(n_splits=5, shuffle=True, random_state=0)


def city_prices(categories: int, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """Prices by city (one effect per city) and two numeric features, with noise."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "city": rng.integers(0, categories, ROWS).astype(str),
            "size": rng.standard_normal(ROWS),
            "age": rng.uniform(0, 50, ROWS),
        }
    )
    effects = rng.standard_normal(categories)
    price = effects[frame["city"].astype(int)] + 2.0 * frame["size"] - 0.1 * frame["age"]
    return frame, pd.Series(price + 0.3 * rng.standard_normal(ROWS), name="price")


def pipeline(estimator):
    encode = ColumnTransformer(
        [
            ("city", OneHotEncoder(handle_unknown="ignore"), ["city"]),
            ("numbers", StandardScaler(), ["size", "age"]),
        ]
    )
    return make_pipeline(encode, estimator)


def compare(categories: int) -> dict:
    """Cross-validated R² and the time of both pipelines, and the route gdregress took."""
    frame, price = city_prices(categories)
    result = {"categories": categories}
    for name, make in (
        ("LinearRegression", LinearRegression),
        ("AnalyticLeastSquares", AnalyticLeastSquares),
    ):
        start = time.perf_counter()
        scores = cross_val_score(pipeline(make()), frame, price, cv=FOLDS)
        result[f"{name} s"] = time.perf_counter() - start
        result[f"{name} R²"] = scores
    result["route"] = pipeline(AnalyticLeastSquares()).fit(frame, price)[-1].solver_
    return result


def draw(results: list[dict], path: Path) -> None:
    figure, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
    categories = [r["categories"] for r in results]
    highest = 0.0
    for name, library, marker in (
        ("LinearRegression", "scikit-learn", "s"),
        ("AnalyticLeastSquares", "gdregress", "o"),
    ):
        times = [r[f"{name} s"] for r in results]
        ax.plot(categories, times, marker=marker, label=f"{name} ({library})")
        highest = max(highest, *times)
    ax.set_xscale("log")
    # Times from zero, so that the gap between the lines shows their real ratio; the room
    # above the highest point is the legend's.
    ax.set_ylim(0, 1.35 * highest)
    ax.set_xlabel("categories one-hot encoded (columns of the design)")
    ax.set_ylabel("5-fold cross-validation time (s)")
    ax.set_title(f"A one-hot pipeline on {ROWS:,} rows: the same scores, over the data")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    figure.savefig(path)
    plt.close(figure)
    print(f"saved {path}")


def main(folder: str = ".") -> None:
    results = [compare(categories) for categories in CATEGORIES]
    for r in results:
        gap = float(np.max(np.abs(r["AnalyticLeastSquares R²"] - r["LinearRegression R²"])))
        print(
            f"{r['categories']:>6,} categories: route {r['route']}, mean R² "
            f"{r['AnalyticLeastSquares R²'].mean():.4f}, largest score difference {gap:.1e}"
        )
        print(
            f"        5-fold time: AnalyticLeastSquares {r['AnalyticLeastSquares s']:.2f} s, "
            f"LinearRegression {r['LinearRegression s']:.2f} s"
        )
    draw(results, Path(folder) / FIGURE)


if __name__ == "__main__":
    main(*sys.argv[1:2])
