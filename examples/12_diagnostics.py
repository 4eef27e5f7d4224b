"""Is the line any good? R's four diagnostic panels
=================================================

Sales against TV advertising, 200 markets: the least-squares line fits (R² = 0.61), but its
residuals fan out as the budget grows — small where little is spent, twice as spread where
much is. The summary read from the rows prints R's residual quantiles and statsmodels'
diagnostics under the coefficients; the heteroskedasticity-robust standard errors (HC3)
shrink the intercept's and widen the slope's; and R's four panels show the funnel (Residuals
vs Fitted), residuals close to normal (Normal Q-Q), a spread that rises with the fitted
sales (Scale-Location), and no market that moves the line much (Residuals vs Leverage: every
Cook's distance below 0.07, far inside the contour of 0.5).

Run: ``python examples/12_diagnostics.py [OUTPUT_FOLDER]``; saves ``diagnostics.png``.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import pandas as pd

from gdregress import AnalyticLeastSquares
from gdregress.datasets import load_tv_advertising
from gdregress.plotting import plot_diagnostics

FIGURE = "diagnostics.png"


def main(folder: str = ".") -> None:
    X, y = load_tv_advertising(return_X_y=True, as_frame=True)
    model = AnalyticLeastSquares().fit(X, y)
    summary = model.summary(X=X, y=y)
    print(summary)

    residuals = y - model.predict(X)
    low = X["TV"] < X["TV"].median()
    print(
        f"spread of the residuals: {residuals[low].std():.2f} in the markets of the lower "
        f"half of TV budgets, {residuals[~low].std():.2f} in the upper half"
    )
    robust = model.summary(X=X, y=y, cov_type="HC3")
    errors = pd.DataFrame(
        {"classical": summary.coef_table["std_err"], "HC3": robust.coef_table["std_err"]}
    )
    print("standard errors, classical and heteroskedasticity-robust (HC3):")
    print(errors.round(5).to_string())

    influence = model.influence(X, y)
    worst = influence["cooks_distance"].nlargest(3)
    print("largest Cook's distances: " + ", ".join(f"{i}: {d:.4f}" for i, d in worst.items()))

    figure = plot_diagnostics(model, X, y)
    figure.suptitle("Sales on TV advertising: R's diagnostic panels of the least-squares line")
    path = Path(folder) / FIGURE
    figure.savefig(path, dpi=90)
    print(f"saved {path}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
