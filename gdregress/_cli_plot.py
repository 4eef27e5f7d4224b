"""``gdregress fit --plot FILE.png``: the figure of the fit, checked before and drawn after.

matplotlib is imported only when ``--plot`` is given, and whether the figure can be written
(matplotlib installed, a format it writes, an existing folder) is checked before the fit, so
a long fit does not end in that mistake.
"""

from __future__ import annotations

from pathlib import Path

from ._cli_data import CommandData
from ._cli_fit import Fit
from ._csv import InputError

__all__ = ["check_plot_target", "save_plot"]


def check_plot_target(path: str) -> Path:
    """Fail before the fit, not after it, if the figure cannot be written."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise InputError(
            "--plot needs matplotlib, which is not installed: pip install 'gdregress[plot]'"
        ) from None
    target = Path(path)
    formats = Figure().canvas.get_supported_filetypes()
    suffix = target.suffix.lower().lstrip(".")
    if suffix not in formats:
        raise InputError(
            f"--plot {path}: matplotlib writes {', '.join('.' + f for f in sorted(formats))} "
            "files; name the figure FILE.png, for example"
        )
    folder = target.parent
    if not folder.is_dir():
        raise InputError(f"--plot {path}: the folder '{folder}' does not exist; create it first")
    return target


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
