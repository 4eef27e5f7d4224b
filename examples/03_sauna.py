"""The sauna: its coolest spot, analytically and by descent
========================================================

Two variables: the coolest spot of the sauna, analytically and by gradient descent.

The temperature on the sauna's floor, 0 ≤ x, y ≤ 6, is

    T(x, y) = 85 − (1/90)·x²(x − 6)·y²(y − 6)  (°C).

Analytically: ∂T/∂x = −(1/90)·x(3x − 12)·y²(y − 6) and ∂T/∂y = −(1/90)·x²(x − 6)·y(3y − 12)
vanish for x in {0, 4, 6} combined with y in {0, 4, 6}; of these candidates the coolest is
(4, 4), T = 73.6222 °C; on the walls it is 85 °C. By gradient descent with α = 0.05 from
(0.5, 0.6): (0.5057, 0.6047), (0.5115, 0.6095), … and on to (4, 4). But not from everywhere:
on a wall the gradient is zero and the descent stays put; from (0.5, 6.5) it slides onto the
hot wall x = 0; and α = 0.5 overshoots the valley and diverges.

Run: ``python examples/03_sauna.py [OUTPUT_FOLDER]``; saves ``sauna.png``.
"""

import sys
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
    print("both vanish at x ∈ {0, 4, 6} with y ∈ {0, 4, 6}; the candidates:")
    for x, y in product((0, 4, 6), repeat=2):
        T = temperature((x, y))
        where = "the coolest point" if (x, y) == (4, 4) else "on a wall"
        print(f"  T({x}, {y}) = {T:.4f}  {where}")


def descents() -> None:
    print("gradient descent from (0.5, 0.6) with α = 0.05:")
    result = gradient_descent(gradient, [0.5, 0.6], learning_rate=0.05, fun=temperature)
    for k in range(3):
        (x, y), (gx, gy) = result.path[k], gradient(result.path[k])
        print(f"  step {k}: ({x:.4f}, {y:.4f}), ∇T = ({gx:.4f}, {gy:.4f})")
    x, y = result.x
    print(f"  … after {result.nit} steps: ({x:.4f}, {y:.4f}), T = {result.fun:.4f} °C")

    print("other starts:")
    for start in [(3, 0), (0.5, 6.5)]:
        result = gradient_descent(gradient, start, learning_rate=0.05, fun=temperature)
        (x, y), (gx, gy) = result.x, gradient(np.array(start, dtype=float)) + 0.0
        print(
            f"  from {start}: ∇T = ({gx:.4f}, {gy:.4f}), ends at ({x:.4f}, {y:.4f}) "
            f"after {result.nit} steps, T = {result.fun:.4f} °C"
        )
    print("  (on a wall ∇T = 0: nothing to descend; from (0.5, 6.5) it slides onto the hot")
    print("   wall x = 0, where T = 85 °C: gradient descent finds a stationary point, not")
    print("   necessarily the coolest one)")

    result = gradient_descent(gradient, [0.5, 0.6], learning_rate=0.5, fun=temperature)
    print(f"α = 0.5 from (0.5, 0.6): status {result.status} after {result.nit} steps:")
    print(f"  {result.message}")


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
