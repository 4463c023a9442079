"""``registry-tool init``: a new registry repository."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import click

from registry_tool.errors import RegistryError, shown_path

if TYPE_CHECKING:
    from registry_tool.edit.scaffold import Source

_SAFE = re.compile(r"[^\s\"'\\]+(?: [^\s\"'\\]+)*")
# A CODEOWNERS owner: @user, @org/team, or an email address (GitHub ignores anything else).
_OWNER = re.compile(r"@[A-Za-z0-9](?:-?[A-Za-z0-9])*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?|[^@\s]+@[^@\s]+\.[^@\s.]+")
_ACTION = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_./-]+)?@[A-Za-z0-9_./-]+")


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--requirement", metavar="SPEC",
              help="The pip requirement CI and pre-commit install registry-tool from (default: where this "
                   "registry-tool was installed from, e.g. 'registry-tool @ git+https://github.com/<org>/registry-tool@<commit>').")
@click.option("--owner", metavar="@TEAM", help="Code owners who must review changes to the registry (CODEOWNERS): "
                                               "@user, @org/team or an email address, several separated by spaces.")
@click.option("--hooks-repo", metavar="URL", help="Take the pre-commit hook from registry-tool's Git repository at URL "
                                                  "instead of a local hook installed from --requirement.")
@click.option("--hooks-rev", metavar="REV", help="The tag or commit of --hooks-repo to use (default: the commit this "
                                                 "registry-tool was installed from, when it came from Git).")
@click.option("--action", metavar="OWNER/REPO@REF",
              help="Write a validate workflow that uses registry-tool's GitHub Action from this repository and ref "
                   "(best a full commit sha), instead of the steps written out.")
@click.option("--pages", is_flag=True,
              help="Also write .github/workflows/pages.yml: the catalog site (registry-tool site) rebuilt and "
                   "published with GitHub Pages on every push to main.")
def init(directory: Path, requirement: str | None, owner: str | None, hooks_repo: str | None, hooks_rev: str | None,
         action: str | None, pages: bool) -> None:
    """Create a registry repository in DIRECTORY (default: here): models/, registry.yaml with
    the defaults as comments, the JSON Schemas, the validate workflow, a pre-commit
    configuration and CODEOWNERS (with --pages, a GitHub Pages workflow too). Existing files
    are left as they are."""
    from registry_tool.edit.scaffold import DEFAULT_OWNER, installed_source

    _check_values(requirement=requirement, owner=owner, hooks_repo=hooks_repo, hooks_rev=hooks_rev, action=action)
    if directory.exists() and not directory.is_dir():
        raise RegistryError(f"{shown_path(directory)}: not a directory")
    if directory.is_symlink() and not directory.exists():
        raise RegistryError(f"{shown_path(directory)}: a symbolic link to nothing (or a loop of links); pass a real folder")
    source = installed_source() if requirement is None else None
    if requirement is None and source is None:
        raise RegistryError("cannot tell where this registry-tool was installed from; pass --requirement with the pip "
                            "requirement CI and pre-commit should install it from")
    spec = requirement or source.requirement  # type: ignore[union-attr]
    rev = _hooks_rev(hooks_repo, hooks_rev, source)
    directory.mkdir(parents=True, exist_ok=True)
    models_dir, existed = _prepare_repository(directory)
    kept = _write_files(directory, spec, owner or DEFAULT_OWNER, models_dir, (hooks_repo, rev), action, pages)
    click.echo(f"{'kept    ' if existed else 'created '}{models_dir}/{' (exists)' if existed else ''} "
               "(model files go here: registry-tool register MODEL VERSION --artifact-uri URI)")
    _warn_not_applied(kept, requirement=requirement, owner=owner, hooks_repo=hooks_repo, action=action, pages=pages)
    _explain(directory, spec, source, owner, (hooks_repo, rev), models_dir, action, pages, kept)


def _check_values(*, requirement: str | None, owner: str | None, hooks_repo: str | None, hooks_rev: str | None,
                  action: str | None) -> None:
    """What goes into the generated files verbatim must not break out of its place there."""
    for name, value in (("--requirement", requirement), ("--owner", owner), ("--hooks-repo", hooks_repo), ("--hooks-rev", hooks_rev)):
        if value is not None and not _SAFE.fullmatch(value):
            raise RegistryError(f"{name} {value!r} {_unsafe(value)}")
    bad = next((word for word in (owner or "").split() if not _OWNER.fullmatch(word)), None)
    if bad is not None:
        raise RegistryError(f"--owner '{owner}': '{bad}' is not a GitHub owner: give @user, @org/team or an email "
                            "address (several separated by spaces)")
    if action is not None and not _ACTION.fullmatch(action):
        raise RegistryError(f"--action '{action}': expected OWNER/REPO@REF (or OWNER/REPO/PATH@REF), "
                            "such as acme/registry-tool@v0.1.0 or a full commit sha")


def _unsafe(value: str) -> str:
    """Why ``_SAFE`` refuses ``value``, in words."""
    if not value.strip():
        return "is empty"
    if any(c in value for c in "\"'\\"):
        return "may not contain quotes or backslashes"
    if any(c in value for c in "\r\n"):
        return "may not contain line breaks"
    return "may not start or end with a space, nor hold white space other than single spaces between words"


def _hooks_rev(hooks_repo: str | None, hooks_rev: str | None, source: Source | None) -> str | None:
    if hooks_repo is None or hooks_rev is not None:
        return hooks_rev
    if source is not None and source.vcs_commit is not None:
        return source.vcs_commit
    raise RegistryError("--hooks-repo needs --hooks-rev: the tag or commit of that repository to take the hook from "
                        "(this registry-tool was not installed from Git, so there is no commit to default to)")


def _prepare_repository(directory: Path) -> tuple[str, bool]:
    """A Git repository at DIRECTORY (made unless one is there), and the models folder
    registry.yaml names (made in the working tree); returns models_dir, and whether the
    folder was there already."""
    import pygit2

    found = pygit2.discover_repository(str(directory))
    if found is None:
        pygit2.init_repository(str(directory), initial_head="main")
        click.echo(f"initialised a Git repository in {directory.resolve()}")
    else:
        outer = pygit2.Repository(str(directory))  # from the folder, not its Git directory: a .git file's folder is the work tree
        top = Path(outer.workdir).resolve() if outer.workdir else None
        if top != directory.resolve():
            where = top if top is not None else Path(outer.path)
            click.echo(f"registry-tool: warning: {directory} is inside the Git repository at {where}: registry-tool "
                       f"commands there use that repository's root (its registry.yaml and models folder), not "
                       f"{directory}; to give {directory} a repository of its own, run git init {directory} first",
                       err=True)
    models_dir = _models_dir(directory)
    existed = (directory / models_dir).is_dir()
    (directory / models_dir).mkdir(parents=True, exist_ok=True)
    return models_dir, existed


def _models_dir(directory: Path) -> str:
    """models_dir from an existing registry.yaml (init completes a registry), else the default."""
    from registry_tool.core.policy import POLICY_FILE, Policy
    from registry_tool.validation.policy import load_policy

    path = directory / POLICY_FILE
    if not path.is_file():
        return Policy().models_dir
    policy, problems = load_policy(path.read_bytes())
    if problems:
        click.echo(f"registry-tool: warning: {POLICY_FILE} is not valid ({problems[0].rule} at line {problems[0].line}); "
                   f"the files below assume models_dir: {policy.models_dir}", err=True)
    return policy.models_dir


def _write_files(directory: Path, requirement: str, owner: str, models_dir: str,
                 hooks: tuple[str | None, str | None], action: str | None, pages: bool) -> set[str]:
    """Write the files that are not there yet; returns the paths kept as they were."""
    from registry_tool.edit.scaffold import registry_files

    files = registry_files(requirement=requirement, owner=owner, models_dir=models_dir, hooks_repo=hooks[0],
                           hooks_rev=hooks[1], action=action, pages=pages)
    kept = set()
    for relpath, text in files.items():
        target = directory / relpath
        if target.exists():
            click.echo(f"kept    {relpath} (exists)")
            kept.add(relpath)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
        click.echo(f"created {relpath}")
    return kept


_WORKFLOW = ".github/workflows/validate.yml"
_PRE_COMMIT = ".pre-commit-config.yaml"
_CODEOWNERS = ".github/CODEOWNERS"


def _warn_not_applied(kept: set[str], *, requirement: str | None, owner: str | None, hooks_repo: str | None,
                      action: str | None, pages: bool) -> None:
    """An option given for a file that was kept is not in it: say so, never claim it is."""
    wanted = (("--action", action, [_WORKFLOW]),
              ("--requirement", requirement, [path for _, path in _requirement_users(hooks_repo, action, pages)]),
              ("--hooks-repo", hooks_repo, [_PRE_COMMIT]),
              ("--owner", owner, [_CODEOWNERS]))
    for option, value, paths in wanted:
        missed = [path for path in paths if path in kept]
        if value is None or not missed:
            continue
        they = "they exist and were" if len(missed) > 1 else "it exists and was"
        click.echo(f"registry-tool: warning: {option} is not in {' and '.join(missed)}: {they} kept (init never "
                   "overwrites a file: edit it, or remove it and run init again)", err=True)


def _explain(directory: Path, requirement: str, source: Source | None, owner: str | None,
             hooks: tuple[str | None, str | None], models_dir: str, action: str | None, pages: bool,
             kept: set[str]) -> None:
    """What was written where it matters (the requirement CI installs), and what to do next;
    nothing about the files kept as they were."""
    from registry_tool.edit.scaffold import DEFAULT_OWNER

    _say_installs(requirement, source, hooks, action, pages, kept)
    if owner is None and _CODEOWNERS not in kept:
        click.echo(f"note: {_CODEOWNERS} names {DEFAULT_OWNER}; put your team there (or pass --owner)")
    shown = "." if directory.resolve() == Path.cwd().resolve() else str(directory)
    click.echo("\nnext steps:\n"
               f"  1. commit the files:   cd {shown} && git add -A && git commit -m 'A model registry'\n"
               "  2. push to your Git host:   git remote add origin URL && git push -u origin main\n"
               "  3. protect main: require pull requests, a review from Code Owners, and the status check\n"
               "     'validate' (workflow 'validate registry') to pass before merging; with a merge queue too\n"
               "  4. judge each commit before it is made:   pip install pre-commit && pre-commit install\n"
               f"  5. register a model on a branch:   registry-tool register MODEL VERSION --artifact-uri URI "
               f"--branch register-MODEL\n"
               f"     (model files go in {models_dir}/; registry-tool validate --base main checks a branch)")
    if pages:
        click.echo("  6. publish the catalog: the repository's Settings > Pages > Source: GitHub Actions; "
                   "pages.yml rebuilds the site on every push to main")


def _say_installs(requirement: str, source: Source | None, hooks: tuple[str | None, str | None], action: str | None,
                  pages: bool, kept: set[str]) -> None:
    """Where CI, pre-commit and the Pages workflow get registry-tool from, as the files
    written say (a kept file says what it says: see :func:`_warn_not_applied`)."""
    hooks_repo, hooks_rev = hooks
    origin = f" (from {source.origin})" if source is not None else " (--requirement)"
    users = _installers(hooks_repo, action, pages, kept)
    if action and _WORKFLOW not in kept:
        click.echo(f"CI uses registry-tool's GitHub Action {action}, which installs itself")
    if users:
        named = " and ".join(filter(None, (", ".join(users[:-1]), users[-1])))
        click.echo(f"{named} install{'s' if len(users) == 1 else ''} registry-tool with: "
                   f"pip install '{requirement}'{origin}")
    if hooks_repo and _PRE_COMMIT not in kept:
        click.echo(f"pre-commit takes the registry-validate hook from {hooks_repo} at {hooks_rev}")
    if source is not None and not source.portable and users:
        click.echo("registry-tool: warning: that is a path on this machine: CI and your colleagues' machines cannot "
                   "install it; pass --requirement (a Git URL at a commit, or NAME==VERSION from your package index) "
                   f"or edit .github/workflows/validate.yml{', pages.yml' if pages else ''} and .pre-commit-config.yaml",
                   err=True)


def _installers(hooks_repo: str | None, action: str | None, pages: bool, kept: set[str]) -> list[str]:
    """Who installs registry-tool from the requirement, in the files written this time."""
    return [who for who, path in _requirement_users(hooks_repo, action, pages) if path not in kept]


def _requirement_users(hooks_repo: str | None, action: str | None, pages: bool) -> list[tuple[str, str]]:
    """(who, file) of each generated file that installs registry-tool from the requirement:
    the workflow unless it uses the Action, pre-commit unless it takes the hook from a repo,
    the Pages workflow when there is one."""
    from registry_tool.edit.scaffold import PAGES_WORKFLOW_PATH

    uses = (("CI", _WORKFLOW, not action), ("pre-commit", _PRE_COMMIT, not hooks_repo),
            ("the Pages workflow", PAGES_WORKFLOW_PATH, pages))
    return [(who, path) for who, path, used in uses if used]
