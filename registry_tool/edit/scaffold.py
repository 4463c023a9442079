"""The files of a new registry repository (``registry-tool init``).

``models/`` for the model files, ``registry.yaml`` with every default written out as a
comment, the JSON Schemas (which the files' ``yaml-language-server`` headers point at),
the validate workflow, a pre-commit configuration and a CODEOWNERS entry. CI and
pre-commit install registry-tool from one pip requirement, written into both files:
the generated files say so, and say how to change it. With ``init --action``, the
workflow uses registry-tool's GitHub Action instead, which installs itself.
"""

from __future__ import annotations

from registry_tool import __version__
from registry_tool.schema.check import MODEL_SCHEMA, POLICY_SCHEMA, schema_text

# The actions the workflows use, pinned by full commit sha (a tag can be moved; a sha
# cannot), the release in a comment for readers and for Dependabot's updates. The shas
# were read from the tags of github.com/actions/checkout and actions/setup-python.
CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1"
SETUP_PYTHON = "actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97 # v7.0.0"

DEFAULT_REQUIREMENT = f"registry-tool=={__version__}"
DEFAULT_HOOKS_REV = f"v{__version__}"
DEFAULT_OWNER = "@your-org/model-owners"

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
# models:                           # per-model gate overrides, merged over the global ones
#   faq-bot:
#     gates:
#       production:
#         min_metrics: {accuracy: 0.95}
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
#  - pull_request: the PR's merge result against the PR's base
#  - merge_group:  the merge queue's merged result against the queue's base, so two PRs
#                  that are each valid alone but together give two production versions fail
#  - push to main: every first-parent commit of the push against its own parent (a direct
#                  push that bypassed review shows up), then the whole state at the new head
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
        # .pre-commit-config.yaml. Set it to where your registry-tool comes from: a release
        # on your package index, or a Git URL pinned to a tag or commit, such as
        # git+https://github.com/<org>/registry-tool@v0.1.0
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
            merge_group)  registry-tool validate --ref HEAD --base "$QUEUE_BASE" "${{report[@]}}" ;;
            push)
              if [ "$BEFORE" != "0000000000000000000000000000000000000000" ] && git cat-file -e "$BEFORE^{{commit}}" 2>/dev/null; then
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
#                  push that bypassed review shows up), then the whole state at the new head
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

PRE_COMMIT = """\
# pre-commit (https://pre-commit.com) validates the registry before each commit:
#   pip install pre-commit && pre-commit install
# The registry-validate hook runs registry-tool, which pre-commit installs from the pip
# requirement below (the same one as in .github/workflows/validate.yml; change both).
repos:
  - repo: local
    hooks:
      - id: registry-validate
        name: validate the model registry
        entry: registry-tool validate
        language: python
        additional_dependencies: ["{requirement}"]
        files: ^(models/|registry\\.yaml$)
        pass_filenames: true
"""

PRE_COMMIT_REMOTE = """\
# pre-commit (https://pre-commit.com) validates the registry before each commit:
#   pip install pre-commit && pre-commit install
# The registry-validate hook comes from registry-tool's own repository (its
# .pre-commit-hooks.yaml), at the release named by rev.
repos:
  - repo: {hooks_repo}
    rev: {hooks_rev}
    hooks:
      - id: registry-validate
"""

CODEOWNERS = """\
# Changes to the registry need a review from its owners. Turn on "Require review from
# Code Owners" in the branch protection of main, and put your team here.
/models/ {owner}
/registry.yaml {owner}
"""


def workflow(requirement: str = DEFAULT_REQUIREMENT, action: str | None = None) -> str:
    """The validate workflow: the steps written out (installing ``requirement``), or, with
    ``action`` (``OWNER/REPO@REF``), one step that uses registry-tool's GitHub Action."""
    if action is not None:
        return WORKFLOW_ACTION.format(action=action, action_name=action.partition("@")[0], checkout=CHECKOUT)
    return WORKFLOW.format(requirement=requirement, checkout=CHECKOUT, setup_python=SETUP_PYTHON)


def registry_files(*, requirement: str = DEFAULT_REQUIREMENT, owner: str = DEFAULT_OWNER,
                   hooks_repo: str | None = None, hooks_rev: str = DEFAULT_HOOKS_REV,
                   action: str | None = None) -> dict[str, str]:
    """Repository-relative path -> text of every file ``init`` writes."""
    pre_commit = (PRE_COMMIT_REMOTE.format(hooks_repo=hooks_repo, hooks_rev=hooks_rev) if hooks_repo
                  else PRE_COMMIT.format(requirement=requirement))
    return {
        "registry.yaml": REGISTRY_YAML,
        f"schemas/{MODEL_SCHEMA}": schema_text(MODEL_SCHEMA),
        f"schemas/{POLICY_SCHEMA}": schema_text(POLICY_SCHEMA),
        ".github/workflows/validate.yml": workflow(requirement, action),
        ".pre-commit-config.yaml": pre_commit,
        ".github/CODEOWNERS": CODEOWNERS.format(owner=owner),
    }
