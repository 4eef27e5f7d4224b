"""Momentum: a descent that remembers its last step
=================================================

Zig-zag or glide: the TV cost in dollars, and the steps against the condition number.

The lecture's descent takes θₖ₊₁ = θₖ − α∇L(θₖ). In the TV budget's own units the cost L(m, b)
is a valley 100,000 times more curved across than along (its condition number κ): a step
large enough to make progress along the floor overshoots across it, and the descent zig-zags
from wall to wall while it crawls along, about κ steps per factor e of accuracy.

The heavy ball of Polyak also repeats a fraction β of its last step,
θₖ₊₁ = θₖ − α∇L(θₖ) + β(θₖ − θₖ₋₁): across the valley the steps alternate and cancel, along
it they add up, and the descent glides. With α = 4/(√L_max + √λ_min)² and
β = ((√κ − 1)/(√κ + 1))² the error shrinks by (√κ − 1)/(√κ + 1) per step: about √κ steps per
factor e. Conjugate gradients choose α and β afresh at every step, the pair that minimises the
cost over the plane of the gradient and the last step; that is GradientDescentRegressor's
default (``momentum="auto"``), and on the TV cost's two parameters it takes two steps.

The right-hand plot counts the steps to the default tolerance on designs of 30 correlated
features whose standardised Hessian has condition number κ: the plain descent's grow like κ
(slope 1 on the log-log plot), the heavy ball's like √κ (slope ½), conjugate gradients' more
slowly still.

Run: ``python examples/11_momentum.py [OUTPUT_FOLDER]``; saves ``momentum.png``.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from gdregress import AnalyticLeastSquares, GradientDescentRegressor
from gdregress.cost import LeastSquaresCost
from gdregress.datasets import load_tv_advertising
from gdregress.plotting import plot_descents

FIGURE = "momentum.png"
STEPS = 3000  # drawn of each descent on the TV cost
STEP_FRACTION = 0.9  # of the plain descent's stable limit 2/L_max, for both drawn descents
BETA = 0.9
KAPPAS = (10, 30, 100, 300, 1_000, 3_000, 10_000)


def polyak(max_curvature: float, min_curvature: float) -> tuple[float, float]:
    """The heavy ball's optimal (α, β) for curvatures in [λ_min, L_max]."""
    root_l, root_mu = np.sqrt(max_curvature), np.sqrt(min_curvature)
    return 4 / (root_l + root_mu) ** 2, ((root_l - root_mu) / (root_l + root_mu)) ** 2


def tv_descents(X, y):
    """The TV cost in dollars and its descents; returns what the plots need."""
    line = AnalyticLeastSquares().fit(X, y)
    cost = LeastSquaresCost(line.statistics_)
    hessian, linear = cost.hessian, cost.linear_term[:, 0]
    constant = np.mean(y**2) / 2
    largest, smallest = cost.max_curvature, cost.min_curvature
    kappa = largest / smallest
    print(
        f"the TV cost L(m, b) in dollars: L_max = {largest:,.1f}, λ_min = {smallest:.4f}, "
        f"κ = {kappa:.3g}"
    )

    def fun(p):  # L(m, b) on arrays of points (the contours' grid) as on one point
        m, b = p[0], p[1]
        quadratic = hessian[0, 0] * m * m + 2 * hessian[0, 1] * m * b + hessian[1, 1] * b * b
        return quadratic / 2 - linear[0] * m - linear[1] * b + constant

    def grad(p):
        return hessian @ np.asarray(p) - linear

    minimum = np.array([line.coef_[0], line.intercept_])
    rate = STEP_FRACTION * 2 / largest
    for beta, name in ((0, "plain descent (momentum=0)"), (BETA, f"heavy ball (momentum={BETA})")):
        model = GradientDescentRegressor(
            standardize=False, learning_rate=rate, momentum=beta, max_iter=STEPS, tol=None
        ).fit(X, y)
        left = np.linalg.norm(model.path_[-1] - minimum) / np.linalg.norm(minimum)
        print(f"{name}, α = {STEP_FRACTION}·2/L_max: after {STEPS:,} steps {left:.0%} to go")
    plain_rate = (kappa - 1) / (kappa + 1)
    steps = np.log(1e-12) / np.log(plain_rate)
    print(
        f"  (plain descent at its best step 2/(L_max + λ_min) shrinks the error by "
        f"(κ − 1)/(κ + 1) a step: {steps:,.0f} steps to 1e-12 of it)"
    )
    alpha, beta = polyak(largest, smallest)
    heavy = GradientDescentRegressor(standardize=False, momentum=beta).fit(X, y)
    print(
        f"heavy ball at Polyak's optimum, β = {beta:.4f} and α = 4/(√L_max + √λ_min)² = "
        f"{alpha:.3g}: converged in {heavy.n_iter_:,} steps"
    )
    glide = GradientDescentRegressor(standardize=False).fit(X, y)
    print(
        f"conjugate gradients (momentum='auto'): converged in {glide.n_iter_} steps, "
        f"sales = {glide.coef_[0]:.4f}·TV + {glide.intercept_:.4f}"
    )
    return fun, grad, minimum, rate, glide.path_


def draw_tv(axes, fun, grad, minimum, rate, glide_path) -> None:
    least = fun(minimum)
    shared = {
        "xlim": (-0.01, 0.17),
        "ylim": (-0.5, 8.0),
        "levels": least + np.geomspace(1e-2, 1e4, 25),
        "aspect": "auto",
        "labels": ("m (sales per $1,000 of TV)", "b (sales at no TV)"),
        "max_iter": STEPS,
        "value_label": "L(m, b)",
        "cmap": "Greys",
    }
    plot_descents(fun, grad, [(0.0, 0.0)], axes[0], learning_rate=rate, **shared)
    axes[0].set_title(f"Plain descent: it zig-zags, then crawls ({STEPS:,} steps)")
    plot_descents(fun, grad, [(0.0, 0.0)], axes[1], learning_rate=rate, momentum=BETA, **shared)
    axes[1].plot(*glide_path.T, "D--", color="C1", ms=6, lw=1.5, zorder=2)
    axes[1].annotate(
        "conjugate gradients\n(momentum='auto'): 2 steps",
        glide_path[1],
        textcoords="offset points",
        xytext=(30, 90),
        arrowprops={"arrowstyle": "->", "color": "C1"},
        color="C1",
    )
    axes[0].annotate(
        "the first steps cross the valley\nand back, and back ...",
        (0.15, 0.0),
        textcoords="offset points",
        xytext=(-160, 90),
        arrowprops={"arrowstyle": "->", "color": "C0"},
        color="C0",
    )
    axes[1].set_title(f"With momentum β = {BETA}: it glides along the valley")
    for ax in axes[:2]:
        ax.plot(*minimum, "*", color="gold", mec="black", ms=14, zorder=5)


def steps_against_kappa():
    """Steps to the default tolerance of the three descents on designs of condition κ."""
    print("steps to tol=1e-12 against κ of the standardised Hessian (30 correlated features):")
    print("       κ    plain  heavy ball  conjugate gradients")
    counts = []
    for kappa in KAPPAS:
        X, y = correlated_design(kappa)
        root = np.sqrt(kappa)
        plain = GradientDescentRegressor(momentum=0, max_iter=10**6).fit(X, y)
        heavy = GradientDescentRegressor(momentum=((root - 1) / (root + 1)) ** 2).fit(X, y)
        auto = GradientDescentRegressor().fit(X, y)
        counts.append((plain.n_iter_, heavy.n_iter_, auto.n_iter_))
        print(f"  {kappa:6,}  {plain.n_iter_:7,}  {heavy.n_iter_:10,}  {auto.n_iter_:19,}")
    return np.array(counts)


def correlated_design(kappa: float, n: int = 2000, d: int = 30):
    """Columns whose correlation matrix has condition number about κ, on different scales."""
    rng = np.random.default_rng(0)
    basis, _ = np.linalg.qr(rng.standard_normal((d, d)))
    covariance = (basis * np.geomspace(1.0, 1.0 / kappa, d)) @ basis.T
    spread = np.sqrt(np.diag(covariance))
    X = rng.standard_normal((n, d)) @ np.linalg.cholesky(covariance / np.outer(spread, spread)).T
    X = X * rng.uniform(0.5, 20.0, d) + rng.uniform(-5.0, 5.0, d)
    return X, X @ rng.standard_normal(d) + 1.0 + 0.5 * rng.standard_normal(n)


def draw_counts(ax, counts) -> None:
    kappas = np.array(KAPPAS, dtype=float)
    names = ("plain descent (momentum=0)", "heavy ball (Polyak's β)", "conjugate gradients")
    for column, (name, marker) in enumerate(zip(names, "osD", strict=True)):
        ax.loglog(kappas, counts[:, column], marker + "-", label=name)
    for column, slope in ((0, 1.0), (1, 0.5)):
        start = counts[0, column]
        ax.loglog(kappas, start * (kappas / kappas[0]) ** slope, "k:", lw=1)
        ax.annotate(
            f"slope {'1' if slope == 1 else '½'}",
            (kappas[-1], start * (kappas[-1] / kappas[0]) ** slope),
            textcoords="offset points",
            xytext=(-40, 8),
        )
    ax.set_xlabel("κ, condition number of the standardised Hessian")
    ax.set_ylabel("steps to tol = 1e-12")
    ax.set_title("Steps against κ: slope 1 without momentum, ½ with")
    ax.legend(loc="upper left", fontsize="small")


def main(folder: str = ".") -> None:
    X, y = load_tv_advertising(return_X_y=True)
    fun, grad, minimum, rate, glide_path = tv_descents(X, y)
    counts = steps_against_kappa()
    figure, axes = plt.subplots(1, 3, figsize=(19, 6.2), layout="constrained")
    draw_tv(axes, fun, grad, minimum, rate, glide_path)
    draw_counts(axes[2], counts)
    path = Path(folder) / FIGURE
    figure.savefig(path)
    plt.close(figure)
    print(f"saved {path}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
