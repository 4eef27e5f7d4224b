"""Comparing estimators by cross-validation in a pipeline
=======================================================

Both estimators are scikit-learn regressors, so they sit in a ``Pipeline`` after any
transformer and are cross-validated like scikit-learn's own. On the TV-advertising data this
script compares four least-squares fits — gdregress's closed form and gradient descent,
scikit-learn's ``LinearRegression`` and its stochastic ``SGDRegressor`` — on three sets of
features: TV alone, the three media budgets, and the budgets with their pairwise products
(``PolynomialFeatures(interaction_only=True)``), whose TV × radio term captures the synergy
of the two media. Every model sees the same 5 × 3 shuffled folds.

The closed form, the descent and ``LinearRegression`` find the same least-squares fit on
every fold, so their held-out scores agree to many digits; ``SGDRegressor`` only approaches
it. A grid search then picks the polynomial degree of the budgets by the same folds.

Run: ``python examples/08_cross_validation.py [OUTPUT_FOLDER]``; saves
``cross_validation.png``.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.linear_model import LinearRegression, SGDRegressor
from sklearn.model_selection import GridSearchCV, RepeatedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, PolynomialFeatures, StandardScaler

from gdregress import AnalyticLeastSquares, GradientDescentRegressor
from gdregress.datasets import load_tv_advertising

FIGURE = "cross_validation.png"
FOLDS = RepeatedKFold(n_splits=5, n_repeats=3, random_state=0)
FEATURE_SETS = {
    "TV": (["TV"], "passthrough"),
    "TV, radio, newspaper": (["TV", "radio", "newspaper"], "passthrough"),
    "budgets and their products": (
        ["TV", "radio", "newspaper"],
        PolynomialFeatures(degree=2, interaction_only=True, include_bias=False),
    ),
}


def models() -> dict:
    """The four regressors, each as the last step of a pipeline."""
    return {
        "AnalyticLeastSquares": AnalyticLeastSquares(),
        "GradientDescentRegressor": GradientDescentRegressor(),
        "LinearRegression": LinearRegression(),
        "SGDRegressor (scaled)": make_pipeline(StandardScaler(), SGDRegressor(random_state=0)),
    }


def held_out_rmse(frame: pd.DataFrame) -> pd.DataFrame:
    """The RMSE on each held-out fold: one column per (feature set, model)."""
    scores = {}
    for set_name, (columns, features) in FEATURE_SETS.items():
        for model_name, model in models().items():
            pipeline = make_pipeline(features, model)
            rmse = -cross_val_score(
                pipeline,
                frame[columns],
                frame["sales"],
                cv=FOLDS,
                scoring="neg_root_mean_squared_error",
            )
            scores[set_name, model_name] = rmse
    return pd.DataFrame(scores)


def choose_degree(frame: pd.DataFrame) -> GridSearchCV:
    """The polynomial degree of the budgets, chosen by the same folds."""
    pipeline = make_pipeline(
        FunctionTransformer(lambda X: X / 100),  # budgets in hundreds: powers stay moderate
        PolynomialFeatures(include_bias=False),
        AnalyticLeastSquares(),
    )
    search = GridSearchCV(
        pipeline,
        {"polynomialfeatures__degree": [1, 2, 3, 4]},
        cv=FOLDS,
        scoring="neg_root_mean_squared_error",
    )
    return search.fit(frame[["TV", "radio", "newspaper"]], frame["sales"])


def draw(rmse: pd.DataFrame, path: Path) -> None:
    figure, axes = plt.subplots(1, 3, figsize=(15, 4.8), layout="constrained", sharey=False)
    for ax, set_name in zip(axes, FEATURE_SETS, strict=True):
        table = rmse[set_name]
        ax.boxplot(table.to_numpy(), tick_labels=[n.split(" ")[0] for n in table.columns])
        ax.tick_params(axis="x", labelrotation=20)
        ax.set_title(f"features: {set_name}")
        ax.set_ylabel("held-out RMSE (thousands of units)")
        ax.grid(axis="y", alpha=0.3)
    figure.suptitle("5-fold cross-validation, repeated 3 times, of sales on the budgets")
    figure.savefig(path)
    plt.close(figure)
    print(f"saved {path}")


def main(folder: str = ".") -> None:
    frame = load_tv_advertising(all_media=True, as_frame=True).frame
    rmse = held_out_rmse(frame)
    summary = pd.DataFrame({"RMSE mean": rmse.mean(), "RMSE std": rmse.std(ddof=1)})
    with pd.option_context("display.float_format", "{:.6f}".format, "display.width", 120):
        print(f"held-out RMSE over {FOLDS.get_n_splits()} folds:")
        print(summary.to_string())
    same = rmse.xs("AnalyticLeastSquares", axis=1, level=1)
    for other in ("GradientDescentRegressor", "LinearRegression"):
        gap = (rmse.xs(other, axis=1, level=1) - same).abs().to_numpy().max()
        print(f"largest gap of a fold's RMSE, {other} against AnalyticLeastSquares: {gap:.1e}")

    search = choose_degree(frame)
    print("grid search of the budgets' polynomial degree (AnalyticLeastSquares):")
    for degree, score in zip(
        search.cv_results_["param_polynomialfeatures__degree"],
        search.cv_results_["mean_test_score"],
        strict=True,
    ):
        print(f"  degree {degree}: RMSE {-score:.4f}")
    print(f"  best: degree {search.best_params_['polynomialfeatures__degree']}")
    draw(rmse, Path(folder) / FIGURE)


if __name__ == "__main__":
    main(*sys.argv[1:2])
