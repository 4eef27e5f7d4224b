"""Check the built site: links, images, API pages, gallery figures, nothing fetched online.

:func:`site_problems` reads every HTML file of a built site and lists what a reader would trip
on:

- an internal link (``href``) or image (``src``) whose file does not exist, or whose
  ``#fragment`` names no element of its page;
- a script or stylesheet loaded from the network (``http://``, ``https://`` or ``//``): the
  site must read offline, MathJax included;
- a public name of gdregress (:func:`public_names`) without a page of its own in ``api/``;
- an example of ``examples/`` without its gallery page, or a gallery page without a figure;
- a gallery page that shows a folder of the machine that built it (:func:`machine_folders`:
  the repository, the Python installation, the temporary folder, the home folder) in what
  its script printed.

As a Sphinx extension it runs when an HTML build finishes and fails the build on any problem
(the README's build command). ``tests/test_docs.py`` runs it on the built site when there is
one, and on small hand-made sites to show it finds each kind of problem.
"""

from __future__ import annotations

import importlib
import sys
import tempfile
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: The modules whose ``__all__`` is public, each name documented under its own page.
PUBLIC_MODULES = (
    "gdregress",
    "gdregress.cost",
    "gdregress.datasets",
    "gdregress.exceptions",
    "gdregress.optimize",
    "gdregress.plotting",
    "gdregress.cli",
)

_EXTERNAL = ("http:", "https:", "mailto:", "data:", "javascript:")


class _Page(HTMLParser):
    """The ids, the links and images, and the network loads of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.targets: list[tuple[str, str]] = []  # (tag, href or src)
        self.remote: list[str] = []  # scripts and stylesheets from the network

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name in ("id", "name") if tag == "a" else ("id",):
            if values.get(name):
                self.ids.add(values[name])
        url = values.get("src") or values.get("href") or ""
        remote = url.startswith(("http:", "https:", "//"))
        if remote and (
            tag == "script" or (tag == "link" and "stylesheet" in values.get("rel", ""))
        ):
            self.remote.append(url)
        if url and (tag in ("a", "img", "script", "source") or tag == "link") and not remote:
            self.targets.append((tag, url))


def _read_pages(root: Path) -> dict[Path, _Page]:
    pages = {}
    for path in sorted(root.rglob("*.html")):
        if path.relative_to(root).parts[0] in ("_static", "_sources"):  # templates, not pages
            continue
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        pages[path.resolve()] = page
    return pages


def _target_problem(root: Path, source: Path, url: str, pages: dict[Path, _Page]) -> str | None:
    """Why ``url``, found in ``source``, does not resolve; None when it does."""
    if url.lower().startswith(_EXTERNAL):
        return None
    parts = urlsplit(url)
    target = (source.parent / unquote(parts.path)).resolve() if parts.path else source
    if target.is_dir():
        target = target / "index.html"
    if not target.exists():
        return f"links to {url}, which does not exist"
    fragment = unquote(parts.fragment)
    if fragment and target in pages and fragment not in pages[target].ids:
        return f"links to {url}, but {target.relative_to(root)} has no #{fragment}"
    return None


def link_problems(root: Path, pages: dict[Path, _Page] | None = None) -> list[str]:
    """Broken internal links and images, and scripts or stylesheets loaded from the network.

    Parameters
    ----------
    root : pathlib.Path
        The built site, ``docs/_build/html``.
    pages : dict, optional
        The parsed pages, when already read.

    Returns
    -------
    list of str
        One line per problem, naming the page; empty when there is none.
    """
    pages = _read_pages(root) if pages is None else pages
    problems = []
    for path, page in pages.items():
        name = path.relative_to(root.resolve())
        problems += [f"{name}: loads {url} from the network" for url in page.remote]
        for tag, url in page.targets:
            problem = _target_problem(root.resolve(), path, url, pages)
            if problem:
                problems.append(f"{name}: <{tag}> {problem}")
    return problems


def public_names(modules: Iterable[str] = PUBLIC_MODULES) -> dict[str, str]:
    """Every public name, by its full name, with the name its page is under.

    A name that a module re-exports from the package's top level (``DatasetIntegrityError``
    in ``gdregress.datasets``) has one page, the top level's. Modules and ``__version__`` are
    not API pages.

    Returns
    -------
    dict
        ``{"gdregress.datasets.load_tv_advertising": "gdregress.datasets.load_tv_advertising",
        "gdregress.datasets.DatasetIntegrityError": "gdregress.DatasetIntegrityError", ...}``.
    """
    top = importlib.import_module("gdregress")
    names = {}
    for module_name in modules:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            value = getattr(module, name)
            if name.startswith("__") or type(value) is type(top):
                continue
            at_top = module is not top and getattr(top, name, None) is value
            names[f"{module_name}.{name}"] = (
                f"gdregress.{name}" if at_top else f"{module_name}.{name}"
            )
    return names


def api_problems(root: Path, pages: dict[Path, _Page] | None = None) -> list[str]:
    """Public names without their page ``api/generated/NAME.html`` describing them.

    Parameters
    ----------
    root : pathlib.Path
        The built site.
    pages : dict, optional
        The parsed pages, when already read.

    Returns
    -------
    list of str
        One line per missing page, saying where to add the name.
    """
    pages = _read_pages(root) if pages is None else pages
    problems = []
    for full_name, page_name in sorted(public_names().items()):
        page = pages.get((root / "api" / "generated" / f"{page_name}.html").resolve())
        if page is None or page_name not in page.ids:
            problems.append(
                f"{full_name} has no API page: list {page_name.rsplit('.', 1)[-1]} under its "
                "module's autosummary in docs/api/index.rst"
            )
    return problems


def gallery_problems(
    root: Path, examples: Path, pages: dict[Path, _Page] | None = None
) -> list[str]:
    """Examples without a gallery page, or whose page shows no figure.

    Parameters
    ----------
    root : pathlib.Path
        The built site.
    examples : pathlib.Path
        The folder of the example scripts, ``examples/``.
    pages : dict, optional
        The parsed pages, when already read.

    Returns
    -------
    list of str
        One line per problem.
    """
    pages = _read_pages(root) if pages is None else pages
    problems = []
    for script in sorted(examples.glob("*.py")):
        page = pages.get((root / "auto_examples" / f"{script.stem}.html").resolve())
        if page is None:
            problems.append(f"examples/{script.name} has no gallery page")
            continue
        figure = f"sphx_glr_{script.stem}_"
        if not any(tag == "img" and figure in url for tag, url in page.targets):
            problems.append(
                f"auto_examples/{script.stem}.html shows no figure: examples/{script.name} "
                "should save one into the folder given as its first argument"
            )
    return problems


def machine_folders(repository: Path) -> list[str]:
    """The absolute folders of this machine that no gallery page may show.

    Parameters
    ----------
    repository : pathlib.Path
        The repository the site is built from.

    Returns
    -------
    list of str
        The repository, the Python installation (the virtual environment and the one it was
        made from), the temporary folder and the home folder, each ending in a separator.
    """
    folders = {repository.resolve(), Path(sys.prefix), Path(sys.base_prefix)}
    folders |= {Path(tempfile.gettempdir()), Path.home()}
    return sorted(f"{folder}/" for folder in folders if folder != Path(folder.anchor))


def machine_path_problems(root: Path, folders: Iterable[str]) -> list[str]:
    """Gallery pages that show one of the build machine's folders.

    Parameters
    ----------
    root : pathlib.Path
        The built site.
    folders : iterable of str
        The folders no page may show (:func:`machine_folders`).

    Returns
    -------
    list of str
        One line per page and folder shown.
    """
    problems = []
    for page in sorted((root / "auto_examples").glob("*.html")):
        text = page.read_text(encoding="utf-8")
        shown = []
        # The longest first, each taken out of the text once found: a repository in /tmp/
        # shows the temporary folder only as part of itself, which is one problem, not two.
        for folder in sorted(folders, key=len, reverse=True):
            if folder in text:
                shown.append(folder)
                text = text.replace(folder, "")
        problems += [
            f"auto_examples/{page.name} shows the build machine's folder {folder}: print a "
            "path relative to the working folder, or the file's name"
            for folder in sorted(shown)
        ]
    return problems


def site_problems(root: Path, examples: Path) -> list[str]:
    """Every problem of the built site: links, images, API pages, gallery figures and outputs.

    Parameters
    ----------
    root : pathlib.Path
        The built site, ``docs/_build/html``.
    examples : pathlib.Path
        The folder of the example scripts.

    Returns
    -------
    list of str
        One line per problem; empty when the site is sound.
    """
    pages = _read_pages(root)
    if not pages:
        return [f"{root} holds no HTML page"]
    return (
        link_problems(root, pages)
        + api_problems(root, pages)
        + gallery_problems(root, examples, pages)
        + machine_path_problems(root, machine_folders(examples.parent))
    )


def _check_built_site(app, exception) -> None:
    """Sphinx's build-finished hook: fail an HTML build whose site has a problem."""
    if exception is not None or app.builder.format != "html":
        return
    examples = Path(app.confdir).parent / "examples"
    problems = site_problems(Path(app.outdir), examples)
    if problems:
        listing = "\n  ".join(problems)
        raise RuntimeError(f"the built site has {len(problems)} problem(s):\n  {listing}")


def setup(app) -> dict:
    """Register the check with Sphinx."""
    app.connect("build-finished", _check_built_site, priority=900)  # after files are copied
    return {"parallel_read_safe": True, "parallel_write_safe": True}
