"""Partial derivatives and the gradient
====================================

As the lecture computes them — checked numerically.

For f(x, y) = x² + y²: fixing y = 4 leaves a parabola in x with slope 2x; fixing x = 2 leaves
one in y with slope 2y; the tangent plane at (2, 4) holds both tangent lines. The gradient
∇f = (2x, 2y) is (4, 6) at (2, 3), and both partial derivatives vanish only at (0, 0), the
minimum. For f(x, y) = 3x²y³: ∂f/∂x = 6xy³ and ∂f/∂y = 9x²y².

Every formula is compared with scipy.differentiate's numerical derivative.

Run: ``python examples/01_partial_derivatives.py [OUTPUT_FOLDER]``; saves
``partial_derivatives.png``.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from scipy.differentiate import jacobian

FIGURE = "partial_derivatives.png"


def paraboloid(p):
    """f(x, y) = x² + y²."""
    return p[0] ** 2 + p[1] ** 2


def paraboloid_gradient(p):
    """∇f = (2x, 2y), the lecture's partial derivatives."""
    return np.array([2 * p[0], 2 * p[1]])


def cubic(p):
    """f(x, y) = 3x²y³."""
    return 3 * p[0] ** 2 * p[1] ** 3


def cubic_gradient(p):
    """∇f = (6xy³, 9x²y²)."""
    return np.array([6 * p[0] * p[1] ** 3, 9 * p[0] ** 2 * p[1] ** 2])


def largest_error(f, gradient, points):
    """The largest gap between a gradient formula and the numerical derivative of f."""
    numerical = jacobian(f, points.T).df  # shape (2, n_points)
    formula = gradient(points.T)
    return float(np.max(np.abs(numerical - formula) / np.maximum(1, np.abs(formula))))


def report() -> None:
    rng = np.random.default_rng(0)
    points = rng.uniform(-3, 3, size=(100, 2))

    print("f(x, y) = x² + y²")
    print("  ∂f/∂x = 2x   (y held constant: its square is a constant, derivative 0)")
    print("  ∂f/∂y = 2y")
    at = np.array([2.0, 3.0])
    numerical = jacobian(paraboloid, at).df
    print(f"  ∇f(2, 3) = (2·2, 2·3) = {tuple(paraboloid_gradient(at).tolist())}", end="")
    print(f"    numerically: ({numerical[0]:.6f}, {numerical[1]:.6f})")
    print("  slice y = 4: f(x, 4) = x² + 16, slope 2x = 4 at x = 2")
    print("  slice x = 2: f(2, y) = 4 + y², slope 2y = 8 at y = 4")
    print("  both partials are 0 where 2x = 0 and 2y = 0: at (0, 0), the minimum f = 0")
    error = largest_error(paraboloid, paraboloid_gradient, points)
    print(f"  formula against numerical derivative at 100 random points: {error:.1e}")

    print("f(x, y) = 3x²y³")
    print("  ∂f/∂x = 3·(2x)·y³ = 6xy³   (y³ is a constant coefficient)")
    print("  ∂f/∂y = 3·x²·(3y²) = 9x²y²")
    at = np.array([1.0, 2.0])
    numerical = jacobian(cubic, at).df
    print(f"  ∇f(1, 2) = {tuple(cubic_gradient(at).tolist())}", end="")
    print(f"    numerically: ({numerical[0]:.6f}, {numerical[1]:.6f})")
    error = largest_error(cubic, cubic_gradient, points)
    print(f"  formula against numerical derivative at 100 random points: {error:.1e}")


def draw(path: Path) -> None:
    figure = plt.figure(figsize=(12, 5.4), layout="constrained")
    surface = figure.add_subplot(1, 2, 1, projection="3d")
    x = np.linspace(-1, 4, 60)
    y = np.linspace(1, 6, 60)
    X, Y = np.meshgrid(x, y)
    surface.plot_surface(X, Y, paraboloid((X, Y)), cmap="viridis", alpha=0.45, lw=0)
    # The two slices through (2, 4, 20) and their tangent lines; the tangent plane holds both.
    surface.plot(
        x,
        np.full_like(x, 4.0),
        paraboloid((x, 4.0)),
        color="tab:blue",
        lw=2.5,
        label="slice y = 4: f(x, 4) = x² + 16",
    )
    surface.plot(
        np.full_like(y, 2.0),
        y,
        paraboloid((2.0, y)),
        color="tab:orange",
        lw=2.5,
        label="slice x = 2: f(2, y) = 4 + y²",
    )
    t = np.linspace(-2, 2, 2)
    surface.plot(
        2 + t,
        np.full(2, 4.0),
        20 + 4 * t,
        color="navy",
        ls="--",
        lw=2.5,
        label="tangent, slope ∂f/∂x = 2x = 4",
    )
    surface.plot(
        np.full(2, 2.0),
        4 + t / 2,
        20 + 4 * t,
        color="saddlebrown",
        ls="--",
        lw=2.5,
        label="tangent, slope ∂f/∂y = 2y = 8",
    )
    px, py = np.meshgrid(np.linspace(1.2, 2.8, 2), np.linspace(3.2, 4.8, 2))
    surface.plot_surface(
        px,
        py,
        20 + 4 * (px - 2) + 8 * (py - 4),
        color="tab:red",
        alpha=0.2,
        label="tangent plane z = 20 + 4(x − 2) + 8(y − 4)",
    )
    surface.scatter([2], [4], [20], color="black", s=30)
    surface.set_xlabel("x")
    surface.set_ylabel("y")
    surface.set_zlabel("f(x, y)")
    surface.set_title("f(x, y) = x² + y²: slices and the tangent plane at (2, 4)")
    surface.legend(loc="upper left", fontsize="small")
    surface.view_init(elev=25, azim=-130)

    contours = figure.add_subplot(1, 2, 2)
    grid = np.linspace(-4, 4, 201)
    GX, GY = np.meshgrid(grid, grid)
    lines = contours.contour(GX, GY, paraboloid((GX, GY)), levels=[1, 4, 9, 16, 25], cmap="viridis")
    contours.clabel(lines, fmt="f = %g", fontsize="small")
    ax_, ay_ = np.meshgrid(np.arange(-3, 4), np.arange(-3, 4))
    scale = 0.15  # arrows drawn at 0.15 × the gradient, to fit
    gx, gy = paraboloid_gradient((ax_, ay_))
    contours.quiver(
        ax_,
        ay_,
        gx,
        gy,
        angles="xy",
        scale_units="xy",
        scale=1 / scale,
        color="0.45",
        width=0.004,
        label=f"∇f, drawn at {scale} × its length",
    )
    contours.plot(2, 3, "o", color="tab:red", ms=5)
    contours.quiver(
        [2],
        [3],
        [4],
        [6],
        angles="xy",
        scale_units="xy",
        scale=1 / scale,
        color="tab:red",
        width=0.008,
        label="∇f(2, 3) = (4, 6)",
    )
    contours.plot(0, 0, "*", color="black", mfc="gold", ms=14, label="∇f = (0, 0): the minimum")
    contours.set_aspect("equal")
    contours.set_xlabel("x")
    contours.set_ylabel("y")
    contours.set_title("The gradient points uphill, across the contours")
    contours.legend(loc="lower left", fontsize="small", framealpha=0.95)
    figure.savefig(path)
    plt.close(figure)
    print(f"saved {path}")


def main(folder: str = ".") -> None:
    report()
    draw(Path(folder) / FIGURE)


if __name__ == "__main__":
    main(*sys.argv[1:2])
