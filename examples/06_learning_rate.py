"""Choosing the learning rate
==========================

Too small crawls, too large diverges — and where the line is.

The lecture says there is no rule for the best learning rate α. For a function of one
variable that is so: for f(x) = eˣ − log x from x₀ = 0.05 the steps below run the same descent
with several α. For a least-squares cost there is a rule: L(m, b) is a quadratic, and along a
direction of curvature λ every step multiplies the error by 1 − αλ. So a fixed step descends
exactly when α < 2/L_max, L_max the largest curvature (the largest eigenvalue of the Hessian),
which the statistics of the data give before the first step; GradientDescentRegressor's
``learning_rate="auto"`` takes the best fixed step 2/(L_max + λ_min), and a step at or above
2/L_max raises DivergenceError saying so.

Run: ``python examples/06_learning_rate.py [OUTPUT_FOLDER]``; saves ``learning_rate.png``.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import lambertw

from gdregress import DivergenceError, GradientDescentRegressor, gradient_descent
from gdregress.cost import LeastSquaresCost
from gdregress.datasets import load_power_lines
from gdregress.plotting import plot_learning_rates

FIGURE = "learning_rate.png"
OMEGA = float(lambertw(1).real)
ONE_VARIABLE_RATES = (0.0005, 0.005, 0.05, 0.3)


def f(x):
    return np.exp(x) - np.log(x)


def f_prime(x):
    return np.exp(x) - 1 / x


def one_variable():
    print("f(x) = eˣ − log x from x₀ = 0.05, 2,000 steps at most:")
    results = {}
    for rate in ONE_VARIABLE_RATES:
        result = gradient_descent(f_prime, 0.05, learning_rate=rate, fun=f, max_iter=2000)
        results[rate] = result
        if result.status == 0:
            outcome = f"converged in {result.nit} steps to x = {result.x:.8f}"
        elif result.status == 1:
            outcome = f"still at x = {result.x:.4f} after {result.nit} steps (x* = {OMEGA:.4f})"
        else:
            outcome = f"diverged at step {result.nit + 1}: {result.message.split(':')[1].strip()}"
        print(f"  α = {rate:<7g} {outcome}")
    print("  (f″(x) = eˣ + 1/x² falls from 401 at x₀ to 4.9 at x*: α = 0.05 is above")
    print("   2/f″(x₀) and overshoots x* on its first step, yet converges; α = 0.3 jumps to")
    print("   x = 5.7 and then below 0, out of the domain. No one curvature, no rule.)")
    return results


def least_squares(X, y):
    # momentum=0: the lecture's plain descent (the default adds a memory of the last step).
    model = GradientDescentRegressor(standardize=False, learning_rate="auto", momentum=0)
    model.fit(X, y)
    cost = LeastSquaresCost(model.statistics_)
    limit = 2 / cost.max_curvature
    print("the power lines' cost L(m, b) = E(m, b)/6, descended in (m, b) from (0, 0):")
    print(f"  curvatures: L_max = {cost.max_curvature:.4f}, λ_min = {cost.min_curvature:.4f}")
    print(
        f"  stable below 2/L_max = {limit:.4f}; auto takes 2/(L_max + λ_min) = "
        f"{model.learning_rate_:.4f}, converging in {model.n_iter_} steps"
    )
    print("  steps to within 0.1% of the minimum (the figure's count), and to tol=1e-12:")
    minimum = np.array([0.5, 7 / 3])
    for fraction in (0.1, 0.5, 0.8, 0.99, 1.01):
        rate = fraction * limit
        try:
            fitted = GradientDescentRegressor(
                standardize=False, learning_rate=rate, max_iter=200_000, momentum=0
            ).fit(X, y)
            remaining = np.linalg.norm(fitted.path_ - minimum, axis=1) / np.linalg.norm(minimum)
            there = int(np.argmax(remaining <= 1e-3))
            outcome = f"within 0.1% in {there:,} steps, converged in {fitted.n_iter_:,}"
        except DivergenceError as error:
            outcome = f"DivergenceError: {str(error).split(':')[0]}"
        print(f"  α = {rate:.4f} ({fraction:g} × 2/L_max): {outcome}")
    standardised = GradientDescentRegressor(momentum=0).fit(X, y)
    print(f"  standardised coordinates (the default): {standardised.n_iter_} step")


def draw(results, X, y, path: Path) -> None:
    figure = plt.figure(figsize=(14, 9), layout="constrained")
    top, bottom = figure.subfigures(2, 1, height_ratios=[1.15, 1])
    top.suptitle("Least squares: the same descent of L(m, b) with three learning rates")
    plot_learning_rates(X, y, axes=top.subplots(1, 3, sharex=True, sharey=True))

    bottom.suptitle("One variable: f(x) = eˣ − log x from x₀ = 0.05")
    left, right = bottom.subplots(1, 2)
    grid = np.linspace(0.02, 1.6, 300)
    left.plot(grid, f(grid), color="0.3", lw=2, label="f(x)")
    left.plot(OMEGA, f(OMEGA), "*", color="black", mfc="gold", ms=14, label="minimum, x* = W(1)")
    for rate, result in results.items():
        xs = result.path[:8, 0]
        inside = (xs > grid[0]) & (xs < grid[-1])
        label = f"α = {rate:g}, first 8 steps"
        if result.status == 2:
            label = f"α = {rate:g}: out of the domain at step {result.nit + 1}"
        left.plot(xs[inside], f(xs[inside]), "o-", ms=5, lw=1, label=label)
    left.set_ylim(1.5, 5)
    left.set_xlabel("x")
    left.set_ylabel("f(x)")
    left.set_title("The first steps")
    left.legend(fontsize="small")
    for rate, result in results.items():
        error = np.abs(result.path[:, 0] - OMEGA)
        end = "diverged" if result.status == 2 else f"{result.nit} steps"
        right.semilogy(np.arange(len(error)), error, label=f"α = {rate:g}: {end}")
    right.set_xlabel("iteration k")
    right.set_ylabel("|xₖ − x*|")
    right.set_title("Distance to the minimum")
    right.legend(fontsize="small")
    right.grid(alpha=0.3)
    figure.savefig(path)
    plt.close(figure)
    print(f"saved {path}")


def main(folder: str = ".") -> None:
    results = one_variable()
    X, y = load_power_lines(return_X_y=True)
    least_squares(X, y)
    draw(results, X, y, Path(folder) / FIGURE)


if __name__ == "__main__":
    main(*sys.argv[1:2])
