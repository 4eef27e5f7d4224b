"""The descent, step by step
==========================

The lecture draws gradient descent one step at a time: a point (m, b) walking down the
contours of the cost, and the line y = m·x + b it stands for turning into the best line.

The power lines' three stations (1, 2), (2, 5), (3, 3) and their cost
L(m, b) = E(m, b)/6 = (14m² + 3b² + 38 + 12mb − 42m − 20b)/6, descended from (0, 0) with
α = 0.06 in the data's own units: the lecture's steps on E with α = 0.01, (0.42, 0.20),
(0.6984, 0.3376), … . :func:`gdregress.plotting.animate_descent` shows them as an animation:
on the left the path on the contours of L, on the right the line moving through the three
points towards the least-squares line y = x/2 + 7/3 (dashed). The 3,732 steps are thinned to
40 frames, spaced geometrically in the step number: the first steps, which move most, one by
one, then ever fewer.

The command draws the same animation from a CSV file (one feature, ``--method gd``)::

    gdregress fit --method gd --no-standardize --animate descent.gif

Run: ``python examples/10_animated_descent.py [OUTPUT_FOLDER]``; saves
``animated_descent.gif`` and its last frame, ``animated_descent.png``.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from gdregress import GradientDescentRegressor
from gdregress.datasets import load_power_lines
from gdregress.plotting import animate_descent

ANIMATION = "animated_descent.gif"
FIGURE = "animated_descent.png"
FRAMES = 40


def main(folder: str = "."):
    X, y = load_power_lines(return_X_y=True)
    descent = GradientDescentRegressor(standardize=False, learning_rate=0.06, momentum=0)
    descent.fit(X, y)
    print("the power lines' cost L(m, b), descended from (0, 0) with α = 0.06:")
    for k in range(4):
        m_k, b_k = descent.path_[k]
        print(f"  step {k}: (m, b) = ({m_k:.4f}, {b_k:.4f}), line y = {m_k:.4f}·x + {b_k:.4f}")
    m, b = descent.coef_[0], descent.intercept_
    print(f"  converged in {descent.n_iter_:,} steps: y = {m:.6f}·x + {b:.6f} (x/2 + 7/3)")

    # A figure of pyplot's, left open: the documentation's gallery plays the animation on it.
    figure = plt.figure(figsize=(10, 4.2), dpi=72, layout="constrained")
    animation = animate_descent(descent, X, y, figure=figure, max_frames=FRAMES, interval=150)
    gif = Path(folder) / ANIMATION
    animation.save(gif, writer="pillow")
    print(f"{FRAMES} frames of the {descent.n_iter_ + 1:,} iterates, from (0, 0) to the minimum")
    print(f"saved {gif}")
    path = Path(folder) / FIGURE
    figure.savefig(path)  # the last frame, where the animation stops
    print(f"saved {path}")
    return animation


if __name__ == "__main__":
    animation = main(*sys.argv[1:2])
