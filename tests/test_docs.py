"""The documentation site's check (``docs/sphinxext/check_html.py``) and the built site.

The check runs at the end of every HTML build and fails it on a problem. Here it is shown to
find each kind of problem on small hand-made sites, and to pass on a sound one; then, when the
site has been built (``python -m sphinx -W --keep-going -b html docs docs/_build/html``, as
``.ci/run`` does after the suite, then running this file again), it is run on the real site.
Without a built site that last test is skipped. The user guide's numbers are doctests of the
pages themselves (``docs/index.rst``, ``docs/user_guide/*.rst``), collected by pytest.
"""

import sys
from pathlib import Path

import pytest

import gdregress

ROOT = Path(__file__).resolve().parents[1]
BUILT = ROOT / "docs" / "_build" / "html"
sys.path.insert(0, str(ROOT / "docs" / "sphinxext"))

import check_html  # noqa: E402
import gallery_figures  # noqa: E402


def _site(tmp_path: Path, pages: dict[str, str]) -> Path:
    for name, body in pages.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    return tmp_path


def test_sound_links_images_and_fragments_pass(tmp_path):
    site = _site(
        tmp_path,
        {
            "index.html": '<a href="guide/page.html#part">x</a><img src="_images/a.png">'
            '<a href="guide/">folder</a><a href="https://example.org">out</a><a href="#">top</a>',
            "guide/page.html": '<h2 id="part">part</h2><a href="../index.html">back</a>',
            "guide/index.html": "",
        },
    )
    (site / "_images").mkdir()
    (site / "_images" / "a.png").write_bytes(b"png")
    assert check_html.link_problems(site) == []


def test_broken_link_missing_fragment_and_image_are_found(tmp_path):
    site = _site(
        tmp_path,
        {
            "index.html": '<a href="gone.html">x</a><a href="page.html#nowhere">y</a>'
            '<img src="_images/missing.png">',
            "page.html": '<p id="somewhere"></p>',
        },
    )
    problems = check_html.link_problems(site)
    assert problems == [
        "index.html: <a> links to gone.html, which does not exist",
        "index.html: <a> links to page.html#nowhere, but page.html has no #nowhere",
        "index.html: <img> links to _images/missing.png, which does not exist",
    ]


def test_scripts_and_stylesheets_from_the_network_are_found(tmp_path):
    site = _site(
        tmp_path,
        {
            "index.html": '<script src="https://cdn.example.org/mathjax.js"></script>'
            '<link rel="stylesheet" href="//cdn.example.org/style.css">'
            '<a href="https://example.org">a link out is fine</a>'
        },
    )
    assert check_html.link_problems(site) == [
        "index.html: loads https://cdn.example.org/mathjax.js from the network",
        "index.html: loads //cdn.example.org/style.css from the network",
    ]


def test_public_names_cover_every_all():
    names = check_html.public_names()
    for name in gdregress.__all__:
        if name not in ("__version__", "datasets"):
            assert names[f"gdregress.{name}"] == f"gdregress.{name}"
    # A name re-exported at the top level has the top level's page.
    assert names["gdregress.datasets.DatasetIntegrityError"] == "gdregress.DatasetIntegrityError"
    assert names["gdregress.plotting.plot_cost_surface"] == "gdregress.plotting.plot_cost_surface"
    assert "gdregress.datasets" not in names and "gdregress.__version__" not in names


def test_a_public_name_without_its_page_is_found(tmp_path):
    pages = {
        f"api/generated/{page}.html": f'<dt id="{page}"></dt>'
        for page in set(check_html.public_names().values())
    }
    site = _site(tmp_path, pages)
    assert check_html.api_problems(site) == []
    (site / "api" / "generated" / "gdregress.plotting.plot_fit.html").unlink()
    assert check_html.api_problems(site) == [
        "gdregress.plotting.plot_fit has no API page: list plot_fit under its module's "
        "autosummary in docs/api/index.rst"
    ]


def test_a_gallery_page_without_its_figure_is_found(tmp_path):
    examples = tmp_path / "examples"
    examples.mkdir()
    for name in ("01_drawn.py", "02_not_drawn.py", "03_not_run.py"):
        (examples / name).write_text("")
    site = _site(
        tmp_path / "html",
        {
            "auto_examples/01_drawn.html": '<img src="../_images/sphx_glr_01_drawn_001.png">',
            "auto_examples/02_not_drawn.html": "<p>no figure</p>",
        },
    )
    assert check_html.gallery_problems(site, examples) == [
        "auto_examples/02_not_drawn.html shows no figure: examples/02_not_drawn.py should save "
        "one into the folder given as its first argument",
        "examples/03_not_run.py has no gallery page",
    ]


def test_a_gallery_page_showing_the_build_machines_folders_is_found(tmp_path):
    folders = check_html.machine_folders(ROOT)
    assert f"{ROOT}/" in folders and f"{sys.prefix}/" in folders
    site = _site(
        tmp_path,
        {
            "auto_examples/01_clean.html": "<pre>saved ../docs/_build/figure.png</pre>",
            "auto_examples/02_leaky.html": f"<pre>saved {ROOT}/docs/_build/figure.png</pre>",
        },
    )
    assert check_html.machine_path_problems(site, folders) == [
        f"auto_examples/02_leaky.html shows the build machine's folder {ROOT}/: print a path "
        "relative to the working folder, or the file's name"
    ]


def test_gallery_scripts_get_a_relative_folder_and_warnings_no_machine_folders():
    script = ROOT / "examples" / "03_sauna.py"
    (folder,) = gallery_figures.reset_argv({}, {"src_file": str(script)})
    assert folder == "../docs/_build/gallery_figures/03_sauna"
    assert (script.parent / folder).resolve() == gallery_figures.FIGURES / "03_sauna"
    # A warning names its file relative to the repository, the installed packages, or alone.
    raised_here = gallery_figures.format_warning(
        "w", UserWarning, str(ROOT / "gdregress/cost.py"), 7
    )
    assert raised_here == "gdregress/cost.py:7: UserWarning: w\n"
    raised_by_pytest = gallery_figures.format_warning("w", FutureWarning, pytest.__file__, 3)
    assert raised_by_pytest == "pytest/__init__.py:3: FutureWarning: w\n"
    elsewhere = gallery_figures.format_warning("w", UserWarning, "/nowhere/known/script.py", 1)
    assert elsewhere == "script.py:1: UserWarning: w\n"


@pytest.mark.skipif(not (BUILT / "index.html").exists(), reason="the site is not built")
def test_the_built_site_has_no_problem():
    assert check_html.site_problems(BUILT, ROOT / "examples") == []
