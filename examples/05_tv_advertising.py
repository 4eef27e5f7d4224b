"""Many points: sales against TV advertising
=========================================

With pandas, a Pipeline and cross-validation.

The lecture's last data set: the sales of a product in 200 markets against its TV advertising
budget there. The least-squares line, sales = 0.0475·TV + 7.0326, comes out of the closed form
in one pass over the data, and out of gradient descent in one step once the budget is
standardised — while the lecture's plain descent in dollars crawls along the floor of a valley
of the cost that is 100,000 times less curved along it than across it. Both estimators take
DataFrames, sit in scikit-learn Pipelines and cross-validate like scikit-learn's own; the
table compares them with LinearRegression and SGDRegressor.

Run: ``python examples/05_tv_advertising.py [OUTPUT_FOLDER]``; saves ``tv_advertising.png``.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression, SGDRegressor
from sklearn.model_selection import KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from gdregress import AnalyticLeastSquares, GradientDescentRegressor
from gdregress.cost import LeastSquaresCost
from gdregress.datasets import load_tv_advertising
from gdregress.plotting import plot_cost_surface, plot_fit, plot_loss_curve

FIGURE = "tv_advertising.png"
PLAIN_STEPS = 20_000


def compare(X: pd.DataFrame, y: pd.Series) -> pd.DataFrame:
    """R² and RMSE of five models on the same five shuffled folds."""
    models = {
        "AnalyticLeastSquares": AnalyticLeastSquares(),
        "GradientDescentRegressor": GradientDescentRegressor(),
        "StandardScaler + GradientDescentRegressor": make_pipeline(
            StandardScaler(), GradientDescentRegressor(standardize=False)
        ),
        "LinearRegression": LinearRegression(),
        "StandardScaler + SGDRegressor": make_pipeline(
            StandardScaler(), SGDRegressor(random_state=0)
        ),
    }
    folds = KFold(n_splits=5, shuffle=True, random_state=0)
    rows = {}
    for name, model in models.items():
        scores = cross_validate(
            model, X, y, cv=folds, scoring={"r2": "r2", "rmse": "neg_root_mean_squared_error"}
        )
        rows[name] = {
            "R² mean": scores["test_r2"].mean(),
            "R² std": scores["test_r2"].std(ddof=1),
            "RMSE mean": -scores["test_rmse"].mean(),
            "fit ms": 1e3 * scores["fit_time"].mean(),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def main(folder: str = ".") -> None:
    frame = load_tv_advertising(all_media=True, as_frame=True).frame
    print(f"{len(frame)} markets; the first three:")
    print(frame.head(3).to_string())
    X, y = frame[["TV"]], frame["sales"]

    line = AnalyticLeastSquares().fit(X, y)
    m, b = line.coef_[0], line.intercept_
    print(
        f"closed form: sales = {m:.4f}·TV + {b:.4f}  (columns seen: {list(line.feature_names_in_)})"
    )
    # How sure is the slope? ISLR's Tables 3.1 and 3.2, as R's summary(lm(...)) prints them.
    print(line.summary())

    standardised = GradientDescentRegressor(momentum=0).fit(X, y)
    print(
        f"gradient descent, standardised TV budget: {standardised.n_iter_} step, "
        f"sales = {standardised.coef_[0]:.4f}·TV + {standardised.intercept_:.4f}"
    )

    # The lecture's plain descent, in dollars, with the step 1/L_max: no zigzag across the
    # valley, but along it the error shrinks by only 1 − λ_min/L_max per step.
    cost = LeastSquaresCost(line.statistics_)
    kappa = cost.max_curvature / cost.min_curvature
    plain = GradientDescentRegressor(
        standardize=False,
        learning_rate=1 / cost.max_curvature,
        momentum=0,
        max_iter=PLAIN_STEPS,
        tol=None,
    ).fit(X, y)
    start, end = np.array([0.0, 0.0]), plain.path_[-1]
    left = np.linalg.norm(end - [m, b]) / np.linalg.norm(start - [m, b])
    print(
        f"plain descent in dollars, α = 1/L_max = {1 / cost.max_curvature:.3g}: after "
        f"{plain.n_iter_:,} steps sales = {plain.coef_[0]:.4f}·TV + {plain.intercept_:.4f}, "
        f"{left:.0%} of the way still to go"
    )
    print(
        f"  (the cost's valley is κ = L_max/λ_min = {kappa:.3g} times more curved across than "
        f"along: about κ·ln(10) = {kappa * np.log(10):,.0f} steps per digit)"
    )

    pipeline = make_pipeline(StandardScaler(), GradientDescentRegressor(standardize=False))
    pipeline.fit(X, y)
    gap = np.max(np.abs(pipeline.predict(X) - line.predict(X)))
    print(f"Pipeline(StandardScaler, GradientDescentRegressor): predictions within {gap:.1e}")

    with pd.option_context("display.float_format", "{:.4f}".format, "display.width", 120):
        print("5-fold cross-validation, sales on TV:")
        print(compare(X, y).to_string())
        print("5-fold cross-validation, sales on TV, radio and newspaper:")
        print(compare(frame[["TV", "radio", "newspaper"]], y).to_string())

    figure, axes = plt.subplots(1, 3, figsize=(17, 5), layout="constrained")
    plot_fit(
        line,
        X,
        y,
        ax=axes[0],
        xlabel="TV advertising budget (thousands of dollars)",
        ylabel="sales (thousands of units)",
    )
    axes[0].set_title("Sales against TV budget, 200 markets")
    plot_loss_curve(standardised, ax=axes[1], label="standardised TV budget, α = auto")
    plot_loss_curve(plain, ax=axes[1], label="TV budget in dollars, α = 1/L_max")
    axes[1].set_xscale("symlog", linthresh=1)
    axes[1].set_xlabel("iteration k (log scale beyond 1)")
    axes[1].set_title("Loss curves: one step against a crawl")
    # The 95% confidence region of (m, b) is a contour of this same cost (ISLR Table 3.1's
    # standard errors, jointly).
    plot_cost_surface(
        plain,
        ax=axes[2],
        paths={"standardised TV budget: 1 step": standardised.path_},
        confidence=0.95,
    )
    axes[2].set_title(f"The cost surface L(m, b): {PLAIN_STEPS:,} plain steps along the valley")
    path = Path(folder) / FIGURE
    figure.savefig(path)
    plt.close(figure)
    print(f"saved {path}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
