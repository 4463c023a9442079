"""``registry-tool site``: the registry at a revision as a static web site."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import click

from registry_tool.cli.options import repo_option
from registry_tool.errors import RegistryError

_REPO_URL = re.compile(r"https?://[^\s\"'<>\\`]+")


@click.command()
@click.option("--out", "out", required=True, metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
              help="Write the site into this folder (created if missing; a folder holding anything but an "
                   "earlier site is refused).")
@click.option("--ref", default="HEAD", show_default=True, help="Build the site of the registry as committed at this revision.")
@click.option("--repo-url", metavar="URL",
              help="The repository on its Git host (https://github.com/OWNER/REPO): commits and pull requests "
                   "become links to URL/commit/SHA and URL/pull/N. Without it they are plain text.")
@repo_option
def site(out: Path, ref: str, repo_url: str | None, repo: Path | None) -> None:
    """Write the registry at REF as a static web site in DIR: index.html (every model, with a
    filter box) and models/NAME.html (versions, a stage timeline from Git history, metric
    charts). No build time in the pages: two builds of one commit are byte-identical.

    \b
      registry-tool site --out public
      registry-tool site --out public --ref main --repo-url https://github.com/acme/registry
    """
    from registry_tool.output.site import render_site, site_paths
    from registry_tool.read.api import open_registry
    from registry_tool.read.catalog import build_catalog

    base = _repo_url(repo_url)
    _check_out(out)
    catalog = build_catalog(open_registry(repo or ".").at(ref))  # every model is checked before anything is written
    _check_targets(out, site_paths(catalog))
    written = _write(out, render_site(catalog, base))
    n = len(catalog.models)
    click.echo(f"wrote {len(written)} files to {out} ({n} model page{'s' if n != 1 else ''}, "
               f"commit {catalog.commit.id[:12]}); open {out / 'index.html'}")


def _repo_url(value: str | None) -> str | None:
    if value is None:
        return None
    if not _REPO_URL.fullmatch(value):
        raise RegistryError(f"--repo-url '{value}': expected an http(s) URL such as https://github.com/OWNER/REPO")
    return value.rstrip("/")


def _check_out(out: Path) -> None:
    """DIR may be new, empty, or an earlier site (its index.html says it was built here)."""
    from registry_tool.output.site import GENERATOR

    if out.exists() and not out.is_dir():
        raise RegistryError(f"--out {out}: not a folder")
    if not out.exists() or not any(out.iterdir()):
        return
    index = out / "index.html"
    try:
        ours = index.is_file() and f'<meta name="generator" content="{GENERATOR}">' in index.read_text("utf-8", "replace")
    except OSError:
        ours = False
    if not ours:
        raise RegistryError(f"--out {out}: the folder is not empty and holds no site built by registry-tool; "
                            "give a new or empty folder")


def _check_targets(out: Path, paths: Iterable[str]) -> None:
    """Nothing is written through a link, or over a folder: the models folder must be the
    site's own, and no page's place may hold a folder."""
    from registry_tool.output.site import MODELS_DIR

    models = out / MODELS_DIR
    if models.is_symlink() or (models.exists() and not models.is_dir()):
        kind = "a symbolic link" if models.is_symlink() else "a file"
        raise RegistryError(f"--out {out}: {MODELS_DIR} is {kind}, not a folder of the site's own; remove it, "
                            "or give another folder")
    for relpath in paths:
        target = out / relpath
        if target.is_dir() and not target.is_symlink():
            raise RegistryError(f"--out {out}: {relpath} is a folder, where the site writes a page; remove it, "
                                "or give another folder")


def _write(out: Path, files: Iterable[tuple[str, str]]) -> set[str]:
    """Write each file (to a new temporary file, then renamed: a reader never sees half a
    page, and no link at a temporary name is followed), then remove the model pages an
    earlier build left for models that are gone (files only: a folder is not a page)."""
    from registry_tool.atomic import atomic_write
    from registry_tool.output.site import MODELS_DIR

    written: set[str] = set()
    try:
        (out / MODELS_DIR).mkdir(parents=True, exist_ok=True)
        for relpath, text in files:
            atomic_write(out / relpath, text.encode("utf-8"), display=f"--out {out}: {relpath}", durable=False)
            written.add(relpath)
        for stale in sorted((out / MODELS_DIR).glob("*.html")):
            if f"{MODELS_DIR}/{stale.name}" not in written and (stale.is_symlink() or not stale.is_dir()):
                stale.unlink()
    except OSError as exc:
        raise RegistryError(f"--out {out}: cannot write: {exc.strerror or exc}") from None
    return written
