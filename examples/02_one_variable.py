"""Gradient descent in one variable: eˣ − log x
============================================

The minimum of eˣ − log x is the omega constant, which has no closed form.

Setting f′(x) = eˣ − 1/x to zero gives eˣ = 1/x, which has no closed-form solution: the
minimum is x* = W(1) = 0.5671432904…, the omega constant (W is Lambert's function). Gradient
descent finds it anyway: from x₀ = 0.05 with the learning rate α = 0.005, as in the lecture,
x₁ = 0.05 − 0.005·f′(0.05) = 0.1447, x₂ = 0.1735, and on to x*.

Run: ``python examples/02_one_variable.py [OUTPUT_FOLDER]``; saves ``one_variable.png``.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from scipy.differentiate import derivative
from scipy.special import lambertw

from gdregress import gradient_descent
from gdregress.plotting import plot_loss_curve

FIGURE = "one_variable.png"
OMEGA = float(lambertw(1).real)  # 0.5671432904097838…


def f(x):
    """f(x) = eˣ − log x, for x > 0."""
    return np.exp(x) - np.log(x)


def f_prime(x):
    """f′(x) = eˣ − 1/x."""
    return np.exp(x) - 1 / x


def descend():
    result = gradient_descent(f_prime, 0.05, learning_rate=0.005, fun=f, tol=1e-10)
    xs = result.path[:, 0]
    numerical = derivative(f, xs[:3], initial_step=0.01).df

    print("f(x) = eˣ − log x,  f′(x) = eˣ − 1/x")
    print(f"f′(x) = 0 means eˣ = 1/x: no closed form; x* = W(1) = {OMEGA:.10f} (omega constant)")
    print("gradient descent from x₀ = 0.05 with α = 0.005:")
    print("  k   x_k        f′(x_k)    numerically")
    for k in range(3):
        print(f"  {k}   {xs[k]:.5f}   {f_prime(xs[k]):9.4f}   {numerical[k]:9.4f}")
    print(f"  …   converged in {result.nit} steps: x = {result.x:.10f}")
    print(f"  |x − W(1)| = {abs(result.x - OMEGA):.1e}, f(x*) = {f(OMEGA):.10f}")
    return result


def draw(result, path: Path) -> None:
    xs = result.path[:, 0]
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained")
    grid = np.linspace(0.03, 1.6, 400)
    left.plot(grid, f(grid), color="0.3", lw=2, label="f(x) = eˣ − log x")
    shown = xs[:40]
    left.plot(shown, f(shown), "o", color="tab:red", ms=5, label="x₀, x₁, … (first 40 steps)")
    for k, name in enumerate(["x₀", "x₁", "x₂"]):
        left.annotate(name, (xs[k], f(xs[k])), xytext=(6, 4), textcoords="offset points")
    left.plot(
        OMEGA,
        f(OMEGA),
        "*",
        color="black",
        mfc="gold",
        ms=16,
        label=f"minimum x* = W(1) = {OMEGA:.4f}",
    )
    left.set_ylim(1.5, 4.5)
    left.set_xlabel("x")
    left.set_ylabel("f(x)")
    left.set_title("Descent from x₀ = 0.05 with α = 0.005")
    left.legend(loc="upper right")
    left.grid(alpha=0.3)

    plot_loss_curve(result, ax=right, minimum=f(OMEGA), label="α = 0.005")
    right.set_title(f"f(xₖ) − f(x*): {result.nit} steps to the omega constant")
    figure.savefig(path)
    plt.close(figure)
    print(f"saved {path}")


def main(folder: str = ".") -> None:
    draw(descend(), Path(folder) / FIGURE)


if __name__ == "__main__":
    main(*sys.argv[1:2])
