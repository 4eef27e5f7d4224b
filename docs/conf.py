"""Sphinx configuration of gdregress's documentation site.

Build it from the repository root, with the ``doc`` extra installed::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The build needs no network: no intersphinx inventories are fetched, and MathJax is copied into
the site (``sphinx-mathjax-offline``), so the pages read offline. sphinx-gallery runs every
script in ``examples/`` with an output folder as its argument; ``sphinxext/gallery_figures.py``
picks up the figures they save. When the build has finished, ``sphinxext/check_html.py`` checks
the site: every internal link and image resolves, every public name has an API page, every
gallery example shows its figure and no folder of the machine that built it; a problem fails
the build.
"""

import os
import re
import sys
import warnings
from pathlib import Path

import gdregress

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "sphinxext"))

from gallery_figures import format_warning  # noqa: E402

# The gallery's pages show the warnings a script raises, with the file that raised it: named
# relative to the repository or the installed packages, never by the build machine's folders.
warnings.formatwarning = format_warning

# The examples draw off-screen, whatever the machine's default backend.
os.environ.setdefault("MPLBACKEND", "Agg")

project = "gdregress"
author = "The gdregress developers"
copyright = "the gdregress developers"
release = version = gdregress.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinx-mathjax-offline",  # MathJax served with the pages (its package name has dashes)
    "check_html",
]

# sphinx-gallery's page of run times loads its table scripts from a CDN: not in an offline site.
exclude_patterns = ["_build", "sphinxext", "sg_execution_times.rst"]
templates_path = ["_templates"]
root_doc = "index"
default_role = "code"
nitpicky = False  # without intersphinx, references to numpy, scipy and sklearn stay plain text
# "On this page" of a class lists its methods as fit(), predict(), ... : with the class's name in
# front of each ("GradientDescentRegressor.predict_interval()") they are wider than the sidebar.
toc_object_entries_show_parents = "hide"

# API reference: one page per public name, generated from the numpydoc docstrings.
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # the numpydoc Parameters sections say the types
numpydoc_show_class_members = False  # the class template lists the methods
numpydoc_class_members_toctree = False

# The gallery: every script in examples/, run with an output folder for its figure.
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",  # run them all: each saves a figure
    "ignore_pattern": r"(__init__|conftest)\.py$",
    "within_subsection_order": "FileNameSortKey",
    "reset_argv": "gallery_figures.reset_argv",
    # The PNG files a script saves, then the animations it leaves open on a pyplot figure
    # (examples/10_animated_descent.py), played in the page by matplotlib's JavaScript player.
    "image_scrapers": (
        "gallery_figures.scrape_saved_figures",
        "gallery_figures.scrape_animations",
    ),
    "matplotlib_animations": (True, "jshtml"),
    "download_all_examples": False,
    "write_computation_times": False,
    "remove_config_comments": True,
    "show_signature": False,
    "abort_on_example_error": True,
    "doc_module": (),
    "backreferences_dir": None,
}

html_theme = "pydata_sphinx_theme"
html_title = f"gdregress {release}"
html_static_path = ["_static"]
html_css_files = ["gdregress.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": [],
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"index": [], "benchmarks": []}


# Docstrings name attributes in plain text ("ndarray of shape (n_iter_ + 1,)"), where reST
# reads a word ending in "_" as a link to a target that does not exist. Escape such words,
# leaving code (backticks) and doctest lines as they are.
_CODE_OR_TRAILING_UNDERSCORE = re.compile(r"(`+[^`]*`+)|\b(\w+)_(?=[\s,)+]|$)")


def _escape_trailing_underscores(app, what, name, obj, options, lines) -> None:
    for i, line in enumerate(lines):
        if not line.lstrip().startswith((">>>", "...")):
            lines[i] = _CODE_OR_TRAILING_UNDERSCORE.sub(lambda m: m[1] or m[2] + "\\_", line)


def setup(app) -> None:
    """Escape the attribute names in numpydoc types, before numpydoc reads the docstrings."""
    app.connect("autodoc-process-docstring", _escape_trailing_underscores, priority=100)
