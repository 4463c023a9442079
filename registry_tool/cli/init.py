"""``registry-tool init``: a new registry repository."""

from __future__ import annotations

import re
from pathlib import Path

import click

from registry_tool import __version__
from registry_tool.errors import RegistryError

_SAFE = re.compile(r"[^\s\"'\\]+(?: [^\s\"'\\]+)*")
_ACTION = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_./-]+)?@[A-Za-z0-9_./-]+")


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--requirement", metavar="SPEC",
              help="The pip requirement CI and pre-commit install registry-tool from "
                   f"(default: registry-tool=={__version__}; e.g. git+https://github.com/<org>/registry-tool@v{__version__}).")
@click.option("--owner", metavar="@TEAM", help="Code owners who must review changes to models/ (CODEOWNERS).")
@click.option("--hooks-repo", metavar="URL", help="Take the pre-commit hook from registry-tool's Git repository at URL "
                                                  "instead of a local hook installed from --requirement.")
@click.option("--hooks-rev", metavar="REV", default=f"v{__version__}", show_default=True, help="The release of --hooks-repo to use.")
@click.option("--action", metavar="OWNER/REPO@REF",
              help="Write a validate workflow that uses registry-tool's GitHub Action from this repository and ref "
                   "(best a full commit sha), instead of the steps written out.")
@click.option("--pages", is_flag=True,
              help="Also write .github/workflows/pages.yml: the catalog site (registry-tool site) rebuilt and "
                   "published with GitHub Pages on every push to main.")
def init(directory: Path, requirement: str | None, owner: str | None, hooks_repo: str | None, hooks_rev: str,
         action: str | None, pages: bool) -> None:
    """Create a registry repository in DIRECTORY (default: here): models/, registry.yaml with
    the defaults as comments, the JSON Schemas, the validate workflow, a pre-commit
    configuration and CODEOWNERS (with --pages, a GitHub Pages workflow too). Existing files
    are left as they are."""
    import pygit2  # noqa: PLC0415

    from registry_tool.edit.scaffold import (  # noqa: PLC0415
        DEFAULT_OWNER,
        DEFAULT_REQUIREMENT,
        registry_files,
    )

    _check_values(requirement=requirement, owner=owner, hooks_repo=hooks_repo, hooks_rev=hooks_rev, action=action)
    if directory.exists() and not directory.is_dir():
        raise RegistryError(f"{directory}: not a directory")
    directory.mkdir(parents=True, exist_ok=True)
    if pygit2.discover_repository(str(directory)) is None:
        pygit2.init_repository(str(directory), initial_head="main")
        click.echo(f"initialised a Git repository in {directory.resolve()}")
    (directory / "models").mkdir(exist_ok=True)
    files = registry_files(requirement=requirement or DEFAULT_REQUIREMENT, owner=owner or DEFAULT_OWNER,
                           hooks_repo=hooks_repo, hooks_rev=hooks_rev, action=action, pages=pages)
    for relpath, text in files.items():
        target = directory / relpath
        if target.exists():
            click.echo(f"kept    {relpath} (exists)")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
        click.echo(f"created {relpath}")
    click.echo("created models/ (model files go here: registry-tool register MODEL VERSION --artifact-uri URI)")
    _notes(requirement=requirement, owner=owner, hooks_repo=hooks_repo, action=action)


def _check_values(*, requirement: str | None, owner: str | None, hooks_repo: str | None, hooks_rev: str,
                  action: str | None) -> None:
    """What goes into the generated files verbatim must not break out of its place there."""
    for name, value in (("--requirement", requirement), ("--owner", owner), ("--hooks-repo", hooks_repo), ("--hooks-rev", hooks_rev)):
        if value is not None and not _SAFE.fullmatch(value):
            raise RegistryError(f"{name} '{value}' may not contain quotes, backslashes or line breaks")
    if action is not None and not _ACTION.fullmatch(action):
        raise RegistryError(f"--action '{action}': expected OWNER/REPO@REF (or OWNER/REPO/PATH@REF), "
                            "such as acme/registry-tool@v0.1.0 or a full commit sha")


def _notes(*, requirement: str | None, owner: str | None, hooks_repo: str | None, action: str | None) -> None:
    from registry_tool.edit.scaffold import DEFAULT_OWNER, DEFAULT_REQUIREMENT

    if requirement is None and hooks_repo is None:
        users = "pre-commit installs" if action else "CI and pre-commit install"
        click.echo(f"note: {users} registry-tool with 'pip install {DEFAULT_REQUIREMENT}'; "
                   "if that is not where yours comes from, pass --requirement or edit "
                   f"{'.pre-commit-config.yaml' if action else 'the two files'}")
    if owner is None:
        click.echo(f"note: .github/CODEOWNERS names {DEFAULT_OWNER}; put your team there (or pass --owner)")
