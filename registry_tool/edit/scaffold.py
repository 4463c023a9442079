"""The files of a new registry repository (``registry-tool init``).

``models/`` for the model files, ``registry.yaml`` with every default written out as a
comment, the JSON Schemas (which the files' ``yaml-language-server`` headers point at),
the validate workflow, a pre-commit configuration and a CODEOWNERS entry; with
``init --pages`` also a GitHub Pages workflow that publishes the catalog site. CI and
pre-commit install registry-tool from one pip requirement, written into both files:
by default the source the running registry-tool was installed from (:func:`installed_source`,
read from the installation's PEP 610 ``direct_url.json``), so it installs on a fresh machine.
With ``init --action``, the workflow uses registry-tool's GitHub Action instead, which
installs itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from registry_tool.schema.check import MODEL_SCHEMA, POLICY_SCHEMA, schema_text

# The actions the workflows use, pinned by full commit sha (a tag can be moved; a sha
# cannot), the release in a comment for readers and for Dependabot's updates. The shas
# were read from the tags of github.com/actions/checkout and actions/setup-python.
CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1"
SETUP_PYTHON = "actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97 # v7.0.0"
# GitHub Pages (init --pages), read from the v5.0.0 tags of github.com/actions/upload-pages-artifact
# and actions/deploy-pages (node 24, as checkout and setup-python above).
UPLOAD_PAGES = "actions/upload-pages-artifact@fc324d3547104276b827a68afc52ff2a11cc49c9 # v5.0.0"
DEPLOY_PAGES = "actions/deploy-pages@cd2ce8fcbc39b97be8ca5fce6e763baed58fa128 # v5.0.0"
PAGES_WORKFLOW_PATH = ".github/workflows/pages.yml"

DIST = "registry-tool"
DEFAULT_OWNER = "@your-org/model-owners"


@dataclass(frozen=True)
class Source:
    """Where the running registry-tool came from, as a pip requirement."""

    requirement: str
    origin: str  # in words, for the user: "Git https://... at commit abc", "the package index", ...
    portable: bool  # installs on another machine (not a path on this one)
    vcs_url: str | None = None  # a Git install: the repository and the commit it was installed at
    vcs_commit: str | None = None


def installed_source() -> Source | None:
    """The running registry-tool's source: from its installation's ``direct_url.json``
    (PEP 610: a VCS URL at its commit, an archive URL, a local folder), ``registry-tool==X``
    when it was installed from an index (no ``direct_url.json``), or the source folder it
    runs from when it is not installed. None when none of these can be told."""
    import importlib.metadata

    here = Path(__file__).resolve().parents[1]  # the registry_tool package folder
    try:
        dist = importlib.metadata.distribution(DIST)
    except importlib.metadata.PackageNotFoundError:
        dist = None
    if dist is not None and dist.read_text("INSTALLER") is not None:  # not a build's egg-info in a source folder
        direct = _direct_url(dist.read_text("direct_url.json"))
        if _runs_from(dist, direct, here):
            return _source_of(direct, dist.version)
    return _source_folder(here)


def _direct_url(text: str | None) -> dict[str, object] | None:
    try:
        data = json.loads(text) if text else None
    except ValueError:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("url"), str) else None


def _local_path(url: str) -> Path | None:
    parsed = urlparse(url)
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else None


def _runs_from(dist: object, direct: dict[str, object] | None, here: Path) -> bool:
    """Whether the installed distribution is the code that is running (not another copy
    put first on sys.path, such as a checkout on PYTHONPATH)."""
    info = direct.get("dir_info") if direct is not None else None
    if isinstance(info, dict) and info.get("editable") and direct is not None:
        folder = _local_path(str(direct["url"]))
        return folder is not None and here.is_relative_to(folder.resolve())
    located = Path(str(dist.locate_file("registry_tool/__init__.py"))).resolve()  # type: ignore[attr-defined]
    return located == here / "__init__.py"


def _source_of(direct: dict[str, object] | None, version: str) -> Source:
    if direct is None:
        return Source(f"{DIST}=={version}", f"the package index (registry-tool {version}; no direct_url.json)", True)
    url = str(direct["url"])
    vcs = direct.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("commit_id"):
        commit = str(vcs["commit_id"])
        sub = direct.get("subdirectory")
        fragment = f"#subdirectory={sub}" if isinstance(sub, str) and sub else ""
        return Source(f"{DIST} @ {vcs.get('vcs', 'git')}+{url}@{commit}{fragment}", f"{url} at commit {commit}",
                      _local_path(url) is None, vcs_url=url, vcs_commit=commit)
    if isinstance(direct.get("archive_info"), dict):
        return Source(f"{DIST} @ {url}", f"the archive {url}", _local_path(url) is None)
    return Source(f"{DIST} @ {url}", f"the folder {_local_path(url) or url} on this machine", False)


def _source_folder(here: Path) -> Source | None:
    """A source checkout the package runs from without being installed (PYTHONPATH)."""
    root = here.parent
    try:
        project = (root / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return None
    if f'name = "{DIST}"' not in project:
        return None
    return Source(f"{DIST} @ {root.as_uri()}", f"the source folder {root} on this machine, not installed", False)


def models_pattern(models_dir: str) -> str:
    """pre-commit's ``files:`` regex for the registry's files: the models folder and registry.yaml."""
    escaped = models_dir.replace(".", "\\.")
    return f"^({escaped}/|registry\\.yaml$)"

REGISTRY_YAML = """\
# yaml-language-server: $schema=schemas/registry.schema.json
# The policy of this registry. Every key is optional: the values below are the defaults,
# commented out. Uncomment a line to change it (registry-tool's README, "Policy").
#
# models_dir: models
# max_file_bytes: 1048576
# transitions:                      # allowed moves of an existing version; archived is always final
#   none: [staging, archived]
#   staging: [production, none, archived]
#   production: [staging, archived]
# initial_stages: [none, staging]   # where a new version may start
# on_promote: demote                # promoting a version demotes the current production one (or: refuse)
# demote_to: staging                # ... to this stage, ready for a rollback
# gates:                            # checked when a version enters production (none by default)
#   production:
#     require_sha256: true
#     required_metrics: [accuracy]
#     required_suites: [core-v1]
#     min_metrics: {accuracy: 0.9}
#     no_regression: {accuracy: higher_is_better}
# retention: {keep: 3}              # what `registry-tool retention` keeps without --keep (none by default)
# models:                           # per-model overrides: gates merged over the global ones, retention
#   faq-bot:
#     gates:
#       production:
#         min_metrics: {accuracy: 0.95}
#     retention: {keep: 10}
# rollback:                         # a version returning to production (it was there before)
#   exempt_gates: true              # ... skips the metric gates; false: it passes them like any promotion
# aliases:                          # gates per alias (champion: "1.1.0" in a model file), judged when it moves
#   champion:
#     gates: {require_sha256: true, no_regression: {accuracy: higher_is_better}}
# stages:                           # your own stages, in order, replacing none/staging/production/archived
#   - {name: dev}
#   - {name: qa}
#   - {name: production, unique: true}   # at most one version of a model
#   - {name: archived, final: true}      # never left
"""

WORKFLOW = """\
# Validate the model registry on every change:
#  - pull_request: the PR's merge result against its merge base with the PR's base (the PR's own change)
#  - merge_group:  the merge queue's merged result against the queue's base itself (--base-mode tip), so two PRs
#                  that are each valid alone but together give two production versions fail
#  - push to main: every first-parent commit of the push against its own parent (a direct
#                  push that bypassed review shows up), then the whole state at the new head;
#                  a force-push or a merge with the old head as second parent fails
#                  (history-rewritten), judged as one change against the old head
# Errors appear as annotations on the changed lines; a Markdown report goes to the job summary,
# and for pull requests and the merge queue `registry-tool diff` adds what the change does.
name: validate registry
on:
  pull_request:
  merge_group:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  validate:
    runs-on: ubuntu-latest
    steps:
      - uses: {checkout}
        with:
          fetch-depth: 0          # the base commit and the pushed range must be in the clone
      - uses: {setup_python}
        with:
          python-version: "3.12"
      - name: install registry-tool
        # registry-tool is installed with pip from this requirement, the same one as in
        # .pre-commit-config.yaml; registry-tool init wrote where the registry-tool that made
        # this registry came from. Pin it (a Git URL at a commit, or NAME==VERSION from
        # your own package index) and change both files together.
        env:
          REGISTRY_TOOL_REQUIREMENT: "{requirement}"
        run: pip install "$REGISTRY_TOOL_REQUIREMENT"
      - name: validate
        env:
          EVENT: ${{{{ github.event_name }}}}
          PR_BASE: ${{{{ github.event.pull_request.base.sha }}}}
          QUEUE_BASE: ${{{{ github.event.merge_group.base_sha }}}}
          BEFORE: ${{{{ github.event.before }}}}
          AFTER: ${{{{ github.sha }}}}
        run: |
          set -u
          report=(--format github --summary "$GITHUB_STEP_SUMMARY")
          case "$EVENT" in
            pull_request) registry-tool validate --ref HEAD --base "$PR_BASE" "${{report[@]}}" ;;
            merge_group)  registry-tool validate --ref HEAD --base "$QUEUE_BASE" --base-mode tip "${{report[@]}}" ;;
            push)
              if [ "$BEFORE" != "0000000000000000000000000000000000000000" ]; then
                # after a force-push the old head is on no branch: fetch it by id; without it
                # --range fails (it never skips), and it fails a rewritten history too
                git cat-file -e "$BEFORE^{{commit}}" 2>/dev/null || git fetch -q --no-tags origin "$BEFORE" || true
                registry-tool validate --range "$BEFORE..$AFTER" "${{report[@]}}"
              fi
              registry-tool validate --ref "$AFTER" "${{report[@]}}" ;;
          esac
      - name: registry changes to the job summary
        # what the change does (promotions with the demotions they cause, registrations,
        # archives, metric changes, production gates), even when validation failed
        if: ${{{{ !cancelled() && (github.event_name == 'pull_request' || github.event_name == 'merge_group') }}}}
        env:
          EVENT: ${{{{ github.event_name }}}}
          PR_BASE: ${{{{ github.event.pull_request.base.sha }}}}
          QUEUE_BASE: ${{{{ github.event.merge_group.base_sha }}}}
        run: |
          set -u
          base="$PR_BASE"
          if [ "$EVENT" = merge_group ]; then base="$QUEUE_BASE"; fi
          registry-tool diff "$base" HEAD --format markdown >> "$GITHUB_STEP_SUMMARY"
"""

WORKFLOW_ACTION = """\
# Validate the model registry on every change, with registry-tool's GitHub Action
# ({action_name}; its action.yml says what it runs for each event):
#  - pull_request: the PR's merge result against the PR's base
#  - merge_group:  the merge queue's merged result against the queue's base, so two PRs
#                  that are each valid alone but together give two production versions fail
#  - push to main: every first-parent commit of the push against its own parent (a direct
#                  push that bypassed review shows up), then the whole state at the new head;
#                  a force-push or a merge with the old head as second parent fails
#                  (history-rewritten), judged as one change against the old head
# Errors appear as annotations on the changed lines; a Markdown report and, for pull
# requests and the merge queue, what the change does go to the job summary.
# Pin the action by full commit sha (uses: {action_name}@<sha> # vX.Y.Z) to run exactly
# the code you reviewed.
name: validate registry
on:
  pull_request:
  merge_group:
  push:
    branches: [main]
permissions:
  contents: read
  # security-events: write    # only with upload-sarif: "true" below
jobs:
  validate:
    runs-on: ubuntu-latest
    steps:
      - uses: {checkout}
        with:
          fetch-depth: 0          # the base commit and the pushed range must be in the clone
      - uses: {action}
        # with:
        #   upload-sarif: "true"  # violations as code-scanning alerts (needs security-events: write)
"""

PAGES_WORKFLOW = """\
# Publish the registry's catalog with GitHub Pages on every push to main:
# `registry-tool site` builds index.html (every model, filterable) and a page per model
# (versions, a stage timeline from Git history, metric charts) from the pushed commit.
# Turn it on once: the repository's Settings > Pages > Source: GitHub Actions.
name: registry site
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
concurrency:                      # one deployment at a time; a newer push waits, none is cancelled halfway
  group: pages
  cancel-in-progress: false
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: {checkout}
        with:
          fetch-depth: 0          # the stage timelines are read from the whole history
      - uses: {setup_python}
        with:
          python-version: "3.12"
      - name: install registry-tool
        # the same requirement as .github/workflows/validate.yml and .pre-commit-config.yaml
        env:
          REGISTRY_TOOL_REQUIREMENT: "{requirement}"
        run: pip install "$REGISTRY_TOOL_REQUIREMENT"
      - name: build the site
        env:
          REPO_URL: ${{{{ github.server_url }}}}/${{{{ github.repository }}}}
        run: registry-tool site --out _site --ref "$GITHUB_SHA" --repo-url "$REPO_URL"
      - uses: {upload_pages}
        with:
          path: _site
  deploy:
    needs: build
    runs-on: ubuntu-latest
    permissions:
      pages: write                # to publish the site
      id-token: write             # to prove to Pages that this workflow made the deployment
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: {deploy_pages}
"""

PRE_COMMIT = """\
# pre-commit (https://pre-commit.com) judges each commit before it is made:
#   pip install pre-commit && pre-commit install
# registry-validate runs `registry-tool validate --staged`: what is staged (the commit about
# to be made) against HEAD, with the stage rules, immutable facts, removals and gates of a
# pull request check, and each changed file's own rules. pre-commit installs registry-tool
# from the pip requirement below (the same one as in .github/workflows/validate.yml; change
# both together).
repos:
  - repo: local
    hooks:
      - id: registry-validate
        name: validate the model registry
        entry: registry-tool validate --staged
        language: python
        additional_dependencies: ["{requirement}"]
        # the registry's files ({models_dir}/ is models_dir in registry.yaml); the hook runs
        # on every commit all the same, since pre-commit passes no deleted files and a
        # commit that only deletes a model file must be judged too
        files: {files}
        always_run: true
        pass_filenames: false
"""

PRE_COMMIT_REMOTE = """\
# pre-commit (https://pre-commit.com) judges each commit before it is made:
#   pip install pre-commit && pre-commit install
# The registry-validate hook (registry-tool validate --staged: the staged change against
# HEAD) comes from registry-tool's own repository (its .pre-commit-hooks.yaml), at rev.
repos:
  - repo: {hooks_repo}
    rev: {hooks_rev}
    hooks:
      - id: registry-validate
        files: {files}
"""

CODEOWNERS = """\
# Changes to the registry need a review from its owners. Turn on "Require review from
# Code Owners" in the branch protection of main, and put your team here. The workflow
# that judges every change, this file and the pre-commit configuration are owned too:
# whoever may change them may change the rules.
/{models_dir}/ {owner}
/registry.yaml {owner}
/schemas/ {owner}
/.github/ {owner}
/.pre-commit-config.yaml {owner}
"""


def workflow(requirement: str = DIST, action: str | None = None) -> str:
    """The validate workflow: the steps written out (installing ``requirement``), or, with
    ``action`` (``OWNER/REPO@REF``), one step that uses registry-tool's GitHub Action."""
    if action is not None:
        return WORKFLOW_ACTION.format(action=action, action_name=action.partition("@")[0], checkout=CHECKOUT)
    return WORKFLOW.format(requirement=requirement, checkout=CHECKOUT, setup_python=SETUP_PYTHON)


def pages_workflow(requirement: str = DIST) -> str:
    """The GitHub Pages workflow (``init --pages``): the catalog site rebuilt and published on
    every push to main."""
    return PAGES_WORKFLOW.format(requirement=requirement, checkout=CHECKOUT, setup_python=SETUP_PYTHON,
                                 upload_pages=UPLOAD_PAGES, deploy_pages=DEPLOY_PAGES)


def registry_files(*, requirement: str, owner: str = DEFAULT_OWNER, models_dir: str = "models",
                   hooks_repo: str | None = None, hooks_rev: str | None = None,
                   action: str | None = None, pages: bool = False) -> dict[str, str]:
    """Repository-relative path -> text of every file ``init`` writes (with ``pages``, also
    the GitHub Pages workflow)."""
    files = models_pattern(models_dir)
    if hooks_repo:
        pre_commit = PRE_COMMIT_REMOTE.format(hooks_repo=hooks_repo, hooks_rev=hooks_rev, files=files)
    else:
        pre_commit = PRE_COMMIT.format(requirement=requirement, models_dir=models_dir, files=files)
    return {
        "registry.yaml": REGISTRY_YAML,
        f"schemas/{MODEL_SCHEMA}": schema_text(MODEL_SCHEMA),
        f"schemas/{POLICY_SCHEMA}": schema_text(POLICY_SCHEMA),
        ".github/workflows/validate.yml": workflow(requirement, action),
        ".pre-commit-config.yaml": pre_commit,
        ".github/CODEOWNERS": CODEOWNERS.format(owner=owner, models_dir=models_dir),
        **({PAGES_WORKFLOW_PATH: pages_workflow(requirement)} if pages else {}),
    }
