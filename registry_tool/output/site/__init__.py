"""The static catalog site (``registry-tool site``): the page model of
:mod:`registry_tool.read.catalog` in, files as text out.

Every file is a function of the catalog and the options alone (no build time, no
absolute path, everything sorted), so two builds of one commit are byte-identical.
"""

from __future__ import annotations

from collections.abc import Iterator

from registry_tool.output.site.html import GENERATOR, MODELS_DIR, STYLE_FILE, Look, stage_classes, stylesheet
from registry_tool.output.site.pages import index_page, model_page_html
from registry_tool.read.catalog import Catalog

__all__ = ["GENERATOR", "MODELS_DIR", "model_file", "render_site", "site_paths"]


def model_file(name: str) -> str:
    """The site-relative path of a model's page."""
    return f"{MODELS_DIR}/{name}.html"


def site_paths(catalog: Catalog) -> list[str]:
    """The site-relative path of every file :func:`render_site` writes, in its order."""
    return [STYLE_FILE, "index.html", *(model_file(model_page.name) for model_page in catalog.models)]


def render_site(catalog: Catalog, repo_url: str | None = None) -> Iterator[tuple[str, str]]:
    """(site-relative path, text) of every file: the style sheet, ``index.html`` and one
    page per model under ``models/``. ``repo_url``: the repository on its Git host
    (``https://github.com/OWNER/REPO``), for links to commits and pull requests."""
    classes = stage_classes(catalog.stages)
    yield STYLE_FILE, stylesheet()
    yield "index.html", index_page(catalog, Look(classes, repo_url))
    inner = Look(classes, repo_url, root="../")
    for model_page in catalog.models:
        yield model_file(model_page.name), model_page_html(catalog, model_page, inner)
