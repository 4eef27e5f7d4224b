"""The power lines: the closed form and gradient descent
=====================================================

The closed form and gradient descent find the same line.

Three power stations at (1, 2), (2, 5) and (3, 3) are to be connected to a straight line
y = m·x + b; connecting costs the sum of the squared distances,

    E(m, b) = (m + b − 2)² + (2m + b − 5)² + (3m + b − 3)² = 14m² + 3b² + 38 + 12mb − 42m − 20b.

Analytically ∂E/∂m = 28m + 12b − 42 = 0 and ∂E/∂b = 6b + 12m − 20 = 0 give m = 1/2,
b = 7/3, E = 25/6 ≈ 4.167. Gradient descent, (m, b) ← (m, b) − α·∇E(m, b), walks there.

gdregress descends the half-mean L(m, b) = E(m, b)/(2·3) instead, whose gradient is ∇E/6: the
estimator with α = 0.06 takes exactly the lecture's steps on E with α = 0.01.

Run: ``python examples/04_power_lines.py [OUTPUT_FOLDER]``; saves ``power_lines.png``.
"""

import sys
from fractions import Fraction
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from gdregress import AnalyticLeastSquares, GradientDescentRegressor, gradient_descent
from gdregress.cost import LeastSquaresCost
from gdregress.datasets import load_power_lines
from gdregress.plotting import plot_cost_surface, plot_fit

FIGURE = "power_lines.png"


def fraction(value: float) -> Fraction:
    return Fraction(value).limit_denominator(1000)


def main(folder: str = ".") -> None:
    X, y = load_power_lines(return_X_y=True)
    print("stations:", ", ".join(f"({x:g}, {v:g})" for x, v in zip(X[:, 0], y, strict=True)))

    closed = AnalyticLeastSquares().fit(X, y)
    E = LeastSquaresCost(closed.statistics_).expanded_quadratic()
    print(f"sum of squares: {E}")
    print("∂E/∂m = 28m + 12b − 42,  ∂E/∂b = 6b + 12m − 20")
    m, b = closed.coef_[0], closed.intercept_
    print(
        f"closed form (both partials zero): m = {m:.6f} = {fraction(m)}, "
        f"b = {b:.6f} = {fraction(b)}, E(m, b) = {E(m, b):.6f} = {fraction(E(m, b))}"
    )
    print(f"  ∇E there: ({E.gradient(m, b)[0]:.1e}, {E.gradient(m, b)[1]:.1e})")

    # The lecture's descent on E itself, from (0, 0) with α = 0.01 ...
    lecture = gradient_descent(
        lambda p: np.array(E.gradient(*p)),
        [0.0, 0.0],
        learning_rate=0.01,
        tol=1e-10,
        max_iter=100_000,
    )
    # ... and the estimator's on L = E/6 with α = 0.06: the same steps.
    descent = GradientDescentRegressor(standardize=False, learning_rate=0.06, momentum=0)
    descent.fit(X, y)
    print("gradient descent from (0, 0): on E with α = 0.01, and the estimator on L with α = 0.06")
    for k in range(4):
        (m_k, b_k), (m_e, b_e) = lecture.path[k], descent.path_[k]
        print(f"  step {k}: E-descent ({m_k:.4f}, {b_k:.4f})   estimator ({m_e:.4f}, {b_e:.4f})")
    common = min(len(lecture.path), len(descent.path_))
    gap = np.max(np.abs(lecture.path[:common] - descent.path_[:common]))
    m_d, b_d = descent.coef_[0], descent.intercept_
    print(f"  largest gap between the two paths over their first {common} steps: {gap:.1e}")
    print(f"  the estimator converged in {descent.n_iter_} steps: m = {m_d:.10f}, b = {b_d:.10f}")
    agree = max(abs(m_d - m), abs(b_d - b))
    print(f"closed form and gradient descent agree to {agree:.1e}")
    steps = GradientDescentRegressor(momentum=0).fit(X, y).n_iter_
    print(f"(the estimator's default, a descent in standardised coordinates, takes {steps} step)")

    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 5), layout="constrained")
    plot_fit(closed, X, y, ax=left)
    left.vlines(
        X[:, 0],
        y,
        closed.predict(X),
        color="0.4",
        ls=":",
        label="residuals: E is the sum of their squares",
    )
    left.set_xlabel("x (position of the station)")
    left.set_ylabel("y (position of the station)")
    left.set_title(f"The line y = x/2 + 7/3, E = 25/6 ≈ {E(m, b):.3f}")
    left.legend(loc="lower right")
    plot_cost_surface(descent, ax=right)
    right.set_title("Gradient descent on L(m, b) = E(m, b)/6, α = 0.06")
    path = Path(folder) / FIGURE
    figure.savefig(path)
    plt.close(figure)
    print(f"saved {path}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
