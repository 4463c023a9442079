"""The event logic of registry-tool's GitHub Action (action.yml): which ``validate`` to run
for the event that started the workflow, run it, and report to GitHub.

    pull_request   validate --ref HEAD --base <pull_request.base.sha>   (HEAD: the PR's merge result)
    merge_group    validate --ref HEAD --base <merge_group.base_sha> --base-mode tip
                                                                        (HEAD: the queue's merged result)
    push           validate --range <before>..<after>, then validate --ref <after>
                   (only the second when the push created the branch; <before> missing from the
                   clone, after a force-push, is fetched by id, and without it --range fails)
    anything else  validate --ref HEAD

The action's ``base`` or ``range`` input replaces the event's choice. Every validate gets
``--format`` (default auto: annotations), ``--summary $GITHUB_STEP_SUMMARY`` when summary
is on, and the last one ``--sarif FILE`` when a SARIF file is asked for. For pull requests
and the merge queue, ``registry-tool diff --format markdown`` (what the change does) is
added to the job summary too. Outputs (``$GITHUB_OUTPUT``): ``base``, ``sarif`` and
``exit-code``; the script exits with the worst exit code of the validates (2 over 1 over 0).

Standard library only: it runs before anything is installed but registry-tool, which it
runs as ``$REGISTRY_TOOL_COMMAND`` (default ``registry-tool``). Every input comes from the
environment, as GitHub passes it: ``GITHUB_EVENT_NAME``, ``GITHUB_EVENT_PATH``,
``GITHUB_SHA``, ``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY`` and the action's inputs as
``INPUT_BASE``, ``INPUT_RANGE``, ``INPUT_FORMAT``, ``INPUT_SUMMARY``, ``INPUT_DIFF``,
``INPUT_SARIF_FILE``.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ZERO_SHA = "0" * 40
SUMMARY_LIMIT = 1024 * 1024  # GitHub refuses a step's job summary of 1 MiB or more


@dataclass
class Plan:
    """What to run for one event: validate argument lists, the base for the diff, notes."""

    validates: list[list[str]] = field(default_factory=list)
    base: str | None = None
    notes: list[str] = field(default_factory=list)


def _payload(env: Mapping[str, str]) -> dict[str, Any]:
    path = env.get("GITHUB_EVENT_PATH", "")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"registry-tool action: cannot read the event payload {path}: {exc}") from None
    return data if isinstance(data, dict) else {}


def _get(data: dict[str, Any], *keys: str) -> str:
    """A string deep in the payload, or '' when any key on the way is absent."""
    value: Any = data
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""


def _has_commit(sha: str) -> bool:
    done = subprocess.run(["git", "cat-file", "-e", f"{sha}^{{commit}}"], capture_output=True, check=False)
    return done.returncode == 0


def _fetch_commit(sha: str) -> bool:
    """Fetch one commit by id from origin (the old head of a force-push is on no branch, so
    the checkout did not bring it; GitHub serves it by id while it keeps it)."""
    done = subprocess.run(["git", "fetch", "-q", "--no-tags", "origin", sha], capture_output=True, check=False)
    return done.returncode == 0 and _has_commit(sha)


def plan(env: Mapping[str, str], payload: dict[str, Any], has_commit: Any = _has_commit,
         fetch: Any = _fetch_commit) -> Plan:
    """The validates for an event (pure but for ``has_commit`` and ``fetch``, which ask git)."""
    if env.get("INPUT_RANGE"):
        return Plan([["--range", env["INPUT_RANGE"]]])
    if env.get("INPUT_BASE"):
        return Plan([["--ref", "HEAD", "--base", env["INPUT_BASE"]]], base=env["INPUT_BASE"])
    event = env.get("GITHUB_EVENT_NAME", "")
    if event in ("pull_request", "pull_request_target"):
        base = _get(payload, "pull_request", "base", "sha")
        if base:
            return Plan([["--ref", "HEAD", "--base", base]], base=base)
    if event == "merge_group":
        base = _get(payload, "merge_group", "base_sha")
        if base:  # the merged result against the queue's base itself, not a merge base
            return Plan([["--ref", "HEAD", "--base", base, "--base-mode", "tip"]], base=base)
    if event == "push":
        return _push(env, payload, has_commit, fetch)
    return Plan([["--ref", "HEAD"]], notes=[f"event {event or '(none)'}: validating the whole registry at HEAD"])


def _push(env: Mapping[str, str], payload: dict[str, Any], has_commit: Any, fetch: Any) -> Plan:
    before = _get(payload, "before")
    after = _get(payload, "after") or env.get("GITHUB_SHA", "") or "HEAD"
    if after == ZERO_SHA:  # a deleted branch: nothing to validate
        return Plan(notes=["push deleted the branch: nothing to validate"])
    whole = ["--ref", after]
    if not before or before == ZERO_SHA:
        return Plan([whole], notes=["push created the branch: validating the whole registry at its head"])
    notes = []
    if not has_commit(before):
        fetched = fetch(before)
        notes.append(f"the commit before the push ({before[:12]}) was not in the clone (a force-push leaves it on "
                     "no branch); " + ("fetched it from origin" if fetched else
                                       "it could not be fetched from origin either: the range fails without it"))
    return Plan([["--range", f"{before}..{after}"], whole], notes=notes)


def _command(env: Mapping[str, str]) -> list[str]:
    """How to run registry-tool: a path to the program (spaces and all), or a command line."""
    value = env.get("REGISTRY_TOOL_COMMAND", "") or "registry-tool"
    return [value] if os.path.isfile(value) else shlex.split(value)


def _on(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    return default if not value else value in ("true", "yes", "on", "1")


def _arguments(env: Mapping[str, str], the_plan: Plan) -> list[list[str]]:
    """Each validate's full arguments: its own, then format, summary and (last) SARIF."""
    summary = env.get("GITHUB_STEP_SUMMARY", "") if _on(env, "INPUT_SUMMARY", True) else ""
    sarif = env.get("INPUT_SARIF_FILE", "")
    runs = []
    for i, own in enumerate(the_plan.validates):
        args = ["validate", *own, "--format", env.get("INPUT_FORMAT", "") or "auto"]
        if summary:
            args += ["--summary", summary]
        if sarif and i == len(the_plan.validates) - 1:
            args += ["--sarif", sarif]
        runs.append(args)
    return runs


def _append_diff(env: Mapping[str, str], base: str) -> None:
    """What the change does, to the job summary, if it still fits under GitHub's limit."""
    summary = env.get("GITHUB_STEP_SUMMARY", "")
    if not summary or not _on(env, "INPUT_DIFF", True) or not _on(env, "INPUT_SUMMARY", True):
        return
    done = subprocess.run([*_command(env), "diff", base, "HEAD", "--format", "markdown"], capture_output=True, check=False)
    sys.stderr.write(done.stderr.decode("utf-8", "replace"))
    text = done.stdout if done.returncode == 0 else b""
    used = os.path.getsize(summary) if os.path.exists(summary) else 0
    if used + len(text) + 1 >= SUMMARY_LIMIT:
        text = (f"registry-tool diff: {len(text)} bytes, too large for the rest of the job summary; "
                f"run `registry-tool diff {base[:12]} HEAD` to see it\n").encode()
    with open(summary, "ab") as handle:
        handle.write(text + b"\n")


def _outputs(env: Mapping[str, str], values: dict[str, str]) -> None:
    path = env.get("GITHUB_OUTPUT", "")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        for key, value in values.items():
            handle.write(f"{key}={value}\n")


def main(env: Mapping[str, str] = os.environ) -> int:
    the_plan = plan(env, _payload(env))
    for note in the_plan.notes:
        print(f"registry-tool action: {note}", flush=True)
    worst = 0
    for args in _arguments(env, the_plan):
        print(f"$ registry-tool {shlex.join(args)}", flush=True)
        code = subprocess.run([*_command(env), *args], check=False).returncode
        worst = max(worst, code if code >= 0 else 3)  # 0 ok, 1 violations, 2 unreadable input, 3 a bug (or a signal)
    if the_plan.base and env.get("GITHUB_EVENT_NAME") in ("pull_request", "pull_request_target", "merge_group"):
        _append_diff(env, the_plan.base)
    sarif = env.get("INPUT_SARIF_FILE", "")
    _outputs(env, {"base": the_plan.base or "",
                   "sarif": sarif if sarif and os.path.exists(sarif) else "",
                   "exit-code": str(worst)})
    return worst


if __name__ == "__main__":
    sys.exit(main())
