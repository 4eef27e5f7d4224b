"""The sauna: its coolest spot, analytically and by descent
========================================================

Two variables: the coolest spot of the sauna, analytically and by gradient descent.

The temperature on the sauna's floor, 0 ≤ x, y ≤ 6, is

    T(x, y) = 85 − (1/90)·x²(x − 6)·y²(y − 6)  (°C).

Analytically: ∂T/∂x = −(1/90)·x(3x − 12)·y²(y − 6) and ∂T/∂y = −(1/90)·x²(x − 6)·y(3y − 12).
The lecture's candidates combine x in {0, 4, 6} with y in {0, 4, 6}; the coolest is (4, 4),
T = 73.6222 °C; on the walls it is 85 °C. (Two of them, (4, 6) and (6, 4), are not stationary:
there one partial derivative is 12.8, pointing out of the room.) By gradient descent with
α = 0.05 from (0.5, 0.6): (0.5057, 0.6047), (0.5115, 0.6095), … and on to (4, 4).

Inside the room, a step with α = 0.05 moves x and y each towards 4 without passing it, so a
descent that starts inside stays inside. But not every start reaches (4, 4): on the walls
x = 0 and y = 0 the gradient is zero and the descent stays put, on a stationary point that is
not the coolest; from the wall x = 6 it walks in. And α = 0.5 overshoots the valley and
diverges.

Run: ``python examples/03_sauna.py [OUTPUT_FOLDER]``; saves ``sauna.png``.
"""

import sys
import textwrap
from itertools import product
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from scipy.differentiate import jacobian

from gdregress import gradient_descent
from gdregress.plotting import plot_sauna

FIGURE = "sauna.png"


def temperature(p):
    """T(x, y) = 85 − (1/90)·x²(x − 6)·y²(y − 6)."""
    x, y = p[0], p[1]
    return 85 - x**2 * (x - 6) * y**2 * (y - 6) / 90


def gradient(p):
    """(∂T/∂x, ∂T/∂y), the lecture's partial derivatives."""
    x, y = p[0], p[1]
    return -np.array([x * (3 * x - 12) * y**2 * (y - 6), x**2 * (x - 6) * y * (3 * y - 12)]) / 90


def analytic() -> None:
    print("T(x, y) = 85 − (1/90)·x²(x − 6)·y²(y − 6)")
    print("∂T/∂x = −(1/90)·x(3x − 12)·y²(y − 6),  ∂T/∂y = −(1/90)·x²(x − 6)·y(3y − 12)")
    points = np.random.default_rng(0).uniform(0, 6, size=(100, 2))
    error = np.max(np.abs(jacobian(temperature, points.T).df - gradient(points.T)))
    print(f"  against the numerical derivative at 100 points of the floor: {error:.1e}")
    print("the lecture's candidates, x ∈ {0, 4, 6} with y ∈ {0, 4, 6}:")
    for x, y in product((0, 4, 6), repeat=2):
        T = temperature((x, y))
        gx, gy = gradient(np.array([x, y], dtype=float)) + 0.0  # + 0.0: no "-0.0"
        where = "the coolest point" if (x, y) == (4, 4) else "on a wall"
        print(f"  T({x}, {y}) = {T:.4f}  {where}, ∇T = ({gx:g}, {gy:g})")
    print("  (at (4, 6) and (6, 4) ∇T ≠ 0: not stationary; T rises beyond the walls x = 6, y = 6)")


def descents() -> None:
    print("gradient descent from (0.5, 0.6) with α = 0.05:")
    result = gradient_descent(gradient, [0.5, 0.6], learning_rate=0.05, fun=temperature)
    for k in range(3):
        (x, y), (gx, gy) = result.path[k], gradient(result.path[k])
        print(f"  step {k}: ({x:.4f}, {y:.4f}), ∇T = ({gx:.4f}, {gy:.4f})")
    x, y = result.x
    print(f"  … after {result.nit} steps: ({x:.4f}, {y:.4f}), T = {result.fun:.4f} °C")

    print("other starts:")
    for start in [(0.4, 5.5), (6, 1), (3, 0)]:
        result = gradient_descent(gradient, start, learning_rate=0.05, fun=temperature)
        (x, y), (gx, gy) = result.x, gradient(np.array(start, dtype=float)) + 0.0
        print(
            f"  from {start}, ∇T = ({gx:.4f}, {gy:.4f}): ({x:.4f}, {y:.4f}) "
            f"in {result.nit} steps, {result.fun:.4f} °C"
        )
    print("  (inside the room every step moves x and y towards 4, so the descent stays in;")
    print("   from the wall x = 6 it walks in; on the walls x = 0 and y = 0 ∇T = 0: nothing to")
    print("   descend. Gradient descent finds a stationary point, not always the coolest one)")

    result = gradient_descent(gradient, [0.5, 0.6], learning_rate=0.5, fun=temperature)
    print(f"α = 0.5 from (0.5, 0.6): status {result.status} after {result.nit} steps:")
    print(textwrap.fill(result.message, 88, initial_indent="  ", subsequent_indent="  "))


def draw(path: Path) -> None:
    ax = plot_sauna()
    ax.figure.savefig(path)
    plt.close(ax.figure)
    print(f"saved {path}")


def main(folder: str = ".") -> None:
    analytic()
    descents()
    draw(Path(folder) / FIGURE)


if __name__ == "__main__":
    main(*sys.argv[1:2])
