"""``gdregress fit --plot FILE.png``, ``--plot-diagnostics FILE.png`` and ``--animate
FILE.gif``: checked before, drawn after.

matplotlib (and Pillow, for the animation) is imported only when ``--plot`` or ``--animate``
is given, and whether the file can be written (the libraries installed, a format they write,
an existing folder; for the animation, a descent of one feature read at once) is checked
before the fit, so a long fit does not end in that mistake.
"""

from __future__ import annotations

from pathlib import Path

from ._cli_data import CommandData
from ._cli_fit import Fit
from ._csv import InputError

__all__ = [
    "check_animation",
    "check_animation_target",
    "check_diagnostics",
    "check_plot_target",
    "save_animation",
    "save_diagnostics",
    "save_plot",
]


def check_plot_target(path: str, option: str = "--plot") -> Path:
    """Fail before the fit, not after it, if the figure cannot be written."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise InputError(
            f"{option} needs matplotlib, which is not installed: pip install 'gdregress[plot]'"
        ) from None
    target = Path(path)
    formats = Figure().canvas.get_supported_filetypes()
    suffix = target.suffix.lower().lstrip(".")
    if suffix not in formats:
        raise InputError(
            f"{option} {path}: matplotlib writes {', '.join('.' + f for f in sorted(formats))} "
            "files; name the figure FILE.png, for example"
        )
    return _in_a_folder(target, option)


def check_diagnostics(rows: int | None) -> None:
    """Fail before the fit if the diagnostics cannot be drawn: they need every row at once
    (each row's leverage and residual), which a streamed file does not keep."""
    if rows is not None:
        raise InputError(
            "--plot-diagnostics draws every row's residual and leverage, but a streamed file "
            "keeps no rows: read it at once with --chunksize 0"
        )


def _in_a_folder(target: Path, option: str) -> Path:
    folder = target.parent
    if not folder.is_dir():
        raise InputError(
            f"{option} {target}: the folder '{folder}' does not exist; create it first"
        )
    return target


def check_animation_target(path: str, method: str) -> Path:
    """Fail before reading the data if the animation cannot be drawn or written."""
    if method != "gd":
        raise InputError(
            "--animate draws the steps of gradient descent, and the closed form takes none: "
            "add --method gd"
        )
    try:
        import matplotlib.animation  # noqa: F401 - checked here, used by save_animation
        import PIL  # noqa: F401 - matplotlib's Pillow writer writes the GIF
    except ImportError:
        raise InputError(
            "--animate needs matplotlib and Pillow, which are not both installed: "
            "pip install 'gdregress[plot]'"
        ) from None
    target = Path(path)
    if target.suffix.lower() != ".gif":
        raise InputError(f"--animate {path}: the animation is an animated GIF; name it FILE.gif")
    return _in_a_folder(target, "--animate")


def check_animation(data: CommandData, rows: int | None) -> None:
    """Fail before the fit if the data cannot be animated: one feature, read at once."""
    if len(data.features) != 1:
        raise InputError(
            "--animate draws the line y = m·x + b and its cost L(m, b), of one feature, but "
            f"the features are {', '.join(data.features)}: choose one with --x"
        )
    if rows is not None:
        raise InputError(
            "--animate draws one descent on the cost of all rows, but a streamed file is "
            "descended again for every chunk: read it at once with --chunksize 0"
        )


def save_plot(fit: Fit, data: CommandData, target: Path) -> None:
    """Draw the fit with :func:`~gdregress.plotting.plot_summary` and write it to ``target``."""
    from .plotting import plot_summary

    xlabel, ylabel = data.labels()
    shown = len(fit.y)
    title = f"{data.target} on {', '.join(data.features)}: {fit.n_rows:,} rows of "
    title += data.description.strip("'")
    if shown < fit.n_rows:
        title += f" (the first {shown:,} drawn)"
    figure = plot_summary(fit.model, fit.X, fit.y, xlabel=xlabel, ylabel=ylabel, title=title)
    try:
        figure.savefig(target)
    except OSError as exc:
        raise InputError(f"--plot: cannot write '{target}': {exc.strerror or exc}") from None


def save_diagnostics(fit: Fit, data: CommandData, target: Path) -> None:
    """Draw R's four panels with :func:`~gdregress.plotting.plot_diagnostics` into
    ``target``; the rows are named by their number in the file's data (from 0)."""
    from .plotting import plot_diagnostics

    figure = plot_diagnostics(fit.model, fit.X, fit.y)
    figure.suptitle(f"{data.target} on {', '.join(data.features)}: {fit.n_rows:,} rows")
    try:
        figure.savefig(target)
    except OSError as exc:
        raise InputError(
            f"--plot-diagnostics: cannot write '{target}': {exc.strerror or exc}"
        ) from None


def save_animation(fit: Fit, data: CommandData, target: Path) -> None:
    """Animate the descent with :func:`~gdregress.plotting.animate_descent` into ``target``,
    with a progress line when writing the frames takes more than a second."""
    from matplotlib.figure import Figure

    from ._progress import Progress
    from .plotting import animate_descent

    xlabel, ylabel = data.labels()
    figure = Figure(figsize=(11, 4.6), dpi=80)
    animation = animate_descent(
        fit.model, fit.X, fit.y, figure=figure, xlabel=xlabel, ylabel=ylabel
    )

    def describe(state) -> str:
        frame, frames = state or (0, 0)
        return f"writing {target}: frame {frame + 1} of {frames}" if frames else f"writing {target}"

    with Progress(describe) as progress:
        try:
            animation.save(
                target,
                writer="pillow",
                progress_callback=lambda frame, frames: setattr(progress, "state", (frame, frames)),
            )
        except OSError as exc:
            raise InputError(f"--animate: cannot write '{target}': {exc.strerror or exc}") from None
