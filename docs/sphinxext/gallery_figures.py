"""Put the figures that the gallery's scripts save into their gallery pages.

Every script in ``examples/`` saves its figure with ``savefig`` into the folder given as its
first argument, then closes it (so that a plain ``python examples/NAME.py`` leaves no window
and no memory behind). sphinx-gallery's matplotlib scraper only sees figures still open, so
the gallery gives each script a fresh folder of its own (:func:`reset_argv`) and
:func:`scrape_saved_figures` moves the PNG files that appear there into the gallery's images.
What a script prints is shown on its page, so nothing it prints may name a folder of the
machine that built the site: the folder it is given is relative, and :func:`format_warning`
shows a warning's file relative to the repository or to the installed packages.

A script that leaves an animation open on a pyplot figure (``10_animated_descent.py``) has it
played in its page by sphinx-gallery's matplotlib scraper, through :func:`scrape_animations`,
which keeps the page offline.

The functions are named to sphinx-gallery as strings, which keeps Sphinx's configuration
picklable.
"""

from __future__ import annotations

import os
import re
import shutil
import sysconfig
from pathlib import Path

#: The repository: docs/sphinxext/ is two levels below it.
REPOSITORY = Path(__file__).resolve().parents[2]
#: Where the scripts write: one folder per script, emptied before it runs.
FIGURES = REPOSITORY / "docs" / "_build" / "gallery_figures"


def _folder(src_file: str) -> Path:
    return FIGURES / Path(src_file).stem


def reset_argv(gallery_conf: dict, script_vars: dict) -> list[str]:
    """The script's arguments: an empty output folder of its own.

    Parameters
    ----------
    gallery_conf : dict
        sphinx-gallery's configuration (unused).
    script_vars : dict
        sphinx-gallery's variables of the script; ``src_file`` is its path.

    Returns
    -------
    list of str
        ``sys.argv[1:]`` for the script: the folder relative to the script's own folder,
        where sphinx-gallery runs it, so that the "saved ..." line it prints shows no
        absolute path of the machine that built the site.
    """
    folder = _folder(script_vars["src_file"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return [os.path.relpath(folder, Path(script_vars["src_file"]).parent)]


def format_warning(message, category, filename, lineno, line=None) -> str:
    """A warning as :func:`warnings.formatwarning` writes it, without the machine's folders.

    sphinx-gallery writes the warnings a script raises into its page's output, with the
    file that raised them: that file is shown relative to the repository
    (``gdregress/_x.py``) or to the installed packages (``dask/dataframe/core.py``), or by
    its name alone.

    Parameters
    ----------
    message : Warning or str
        The warning.
    category : type
        Its class.
    filename : str
        The file that raised it.
    lineno : int
        The line in that file.
    line : str, optional
        Unused: the source line is not shown.

    Returns
    -------
    str
        ``"FILE:LINE: CATEGORY: MESSAGE\\n"``.
    """
    return f"{_short_name(filename)}:{lineno}: {category.__name__}: {message}\n"


def _short_name(filename: str) -> str:
    path = Path(filename).resolve()
    paths = sysconfig.get_paths()
    installed = ("purelib", "platlib", "stdlib")
    roots = [REPOSITORY, *(Path(paths[name]).resolve() for name in installed)]
    # The deepest folder that holds the file: a virtual environment inside the repository
    # (as CI makes it) still shows an installed package by its own name.
    for root in sorted(roots, key=lambda folder: len(folder.parts), reverse=True):
        if path.is_relative_to(root):
            return path.relative_to(root).as_posix()
    return path.name


def scrape_saved_figures(block, block_vars: dict, gallery_conf: dict, **kwargs) -> str:
    """The reST that shows the PNG files the last code block saved, moved into the gallery.

    Parameters
    ----------
    block : tuple
        The code block just run (unused).
    block_vars : dict
        sphinx-gallery's variables of the block: ``src_file``, ``image_path_iterator``.
    gallery_conf : dict
        sphinx-gallery's configuration: ``src_dir`` is the documentation's source folder.
    **kwargs
        Passed on by sphinx-gallery (unused).

    Returns
    -------
    str
        reST for the figures, empty when the block saved none.
    """
    saved = sorted(_folder(block_vars["src_file"]).glob("*.png"))
    images = []
    for figure, target in zip(saved, block_vars["image_path_iterator"], strict=False):
        shutil.move(figure, target)  # moved: the next block sees only its own figures
        images.append(target)
    # sphinx-gallery is imported where the gallery runs: the suite tests the rest of this
    # module with the test extra only (sphinx-gallery comes with the doc extra).
    from sphinx_gallery.scrapers import figure_rst

    return figure_rst(images, gallery_conf["src_dir"])


# matplotlib's JavaScript player (``to_jshtml``) links Font Awesome 4 from a CDN for its
# buttons; the site reads offline, and its theme serves Font Awesome, which draws them.
_REMOTE_STYLESHEET = re.compile(r'<link rel="stylesheet"\s+href="https://[^"]*font-awesome[^"]*">')


def scrape_animations(block, block_vars: dict, gallery_conf: dict, **kwargs) -> str:
    """sphinx-gallery's matplotlib scraper, without the stylesheet its player loads online.

    Parameters
    ----------
    block, block_vars, gallery_conf, **kwargs
        As for :func:`scrape_saved_figures`; passed on to sphinx-gallery's scraper, which
        shows the animations and the figures that the block left open on pyplot.

    Returns
    -------
    str
        reST for them, empty when the block left none.
    """
    import matplotlib

    # The scraper's thumbnail of an animation is a GIF by the default writer, ffmpeg, which
    # is not installed: Pillow, named here, saves the build a line of "using Pillow instead".
    with matplotlib.rc_context({"animation.writer": "pillow"}):
        from sphinx_gallery.scrapers import matplotlib_scraper

        rst = matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)
    return _REMOTE_STYLESHEET.sub("", rst)
