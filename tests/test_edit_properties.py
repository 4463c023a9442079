"""Property: random edit sequences (register, promote, archive, rollback, retention), each
committed, on random valid model files in random styles. After every edit the result
validates (as a state and as a change), every comment survives, and the only
differences from the text before are inserted text or a stage word replaced by another;
a refused edit changes nothing."""

from __future__ import annotations

import re
import shutil
import tempfile
from difflib import SequenceMatcher
from pathlib import Path

import pygit2
from builders import model, raw, version
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry_tool.core.model import Stage
from registry_tool.edit import operations, targets
from registry_tool.errors import RegistryError
from registry_tool.snapshots.git import GitStore
from registry_tool.snapshots.worktree import WorktreeSnapshot
from registry_tool.validation import engine
from registry_tool.yamlfile import loader

STAGES = ("none", "staging", "production", "archived")
TOKEN = re.compile(r"\r\n|\n|[ \t]+|[A-Za-z0-9_./:@-]+|.")
COMMENT = re.compile(r"#c\d+")


@st.composite
def model_files(draw) -> str:
    """A valid model file from the one builder, in a random style (labels quoted three
    ways, block, flow-items or flow versions, list and mapping indents, flow or block
    artifacts and metrics), then commented, spaced and line-ended at random."""
    n = draw(st.integers(1, 5))
    stages = [draw(st.sampled_from(("none", "staging", "archived"))) for _ in range(n)]
    if draw(st.booleans()):
        stages[draw(st.integers(0, n - 1))] = "production"
    numeric = draw(st.booleans())
    labels = [f"{i + 1}.0.0" if numeric else f"v{i + 1}" for i in range(n)]
    layout = draw(st.sampled_from(["block", "flow-items", "flow"]))
    dash = draw(st.sampled_from([0, 2]))
    versions = []
    for label, stage in zip(labels, stages, strict=True):
        metrics = "none" if layout == "flow-items" else draw(st.sampled_from(["none", "flow", "block"]))
        versions.append(version(label, stage, uri=f"s3://b/{label}", sha256=None, artifact_flow=draw(st.booleans()),
                                metrics=None if metrics == "none" else {"acc": 0.5}, flow=metrics == "flow"))
    description = raw("'odd: but valid'") if draw(st.booleans()) else None
    step = draw(st.sampled_from([2, 4]))
    text = model("m", *versions, description=description, layout=layout, indent=dash, step=step,
                 quote=draw(st.sampled_from(['"', "'", ""])))
    return commented(draw, text.splitlines(), layout, dash, step)


def commented(draw, lines: list[str], layout: str, dash: int, step: int) -> str:
    """Comments (#c0, #c1, ...) after the name, the versions key, stages, flow items and
    metric values, and on lines of their own before list items (and after block ones);
    blank lines between items; LF or CRLF; a final newline or not."""
    counter = iter(range(1000))

    def comment() -> str:
        return f"#c{next(counter)}"

    blank = draw(st.booleans())
    out, item, after = [f"# header {comment()}"], -1, ""
    for line in lines:
        if layout != "flow" and line.startswith(" " * dash + "- "):
            item += 1
            out += [after] * bool(after) + [""] * (blank and item > 0)
            out += [" " * dash + comment()] * draw(st.booleans())
            after = " " * (dash + 2 + step) + comment() if layout == "block" and draw(st.booleans()) else ""
        trailing = line.startswith(("name:", "versions:", "  {")) or line.lstrip().startswith(("stage:", "acc:", "- {"))
        out.append(line + (f"   {comment()}" if trailing and draw(st.booleans()) else ""))
    out += [after] * bool(after)
    if draw(st.booleans()):
        out += ["", f"# trailer {comment()}"]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(out)
    return text + newline if draw(st.booleans()) else text


operations_list = st.lists(st.one_of(
    st.tuples(st.just("register"), st.sampled_from(["none", "staging"])),
    st.tuples(st.just("promote"), st.integers(0, 9), st.sampled_from(["none", "staging", "production"])),
    st.tuples(st.just("archive"), st.integers(0, 9)),
    st.tuples(st.just("rollback")),
    st.tuples(st.just("promote-staged")),  # a staging version to production: gives rollback something to find
    st.tuples(st.just("retention"), st.integers(1, 4)),
), min_size=1, max_size=8)


def start_repository(root: Path, text: str) -> pygit2.Repository:
    repo = pygit2.init_repository(str(root), initial_head="main")
    (root / "models").mkdir()
    (root / "models" / "m.yaml").write_bytes(text.encode())
    repo.index.add("models/m.yaml")
    repo.index.write()
    sig = pygit2.Signature("Ada", "ada@example.com")
    repo.create_commit("HEAD", sig, sig, "start", repo.index.write_tree(), [])
    return repo


def build_for(op: tuple, labels: list[str], registered: int):
    kind = op[0]
    if kind == "register":
        fields = {"version": f"n{registered}", "stage": op[1], "artifact": {"uri": f"s3://b/n{registered}"}}
        return lambda ws: operations.register(ws.base, ws.policy, "m", fields)
    if kind == "promote":
        label = labels[op[1] % len(labels)][0]
        return lambda ws: operations.promote(ws.base, ws.policy, "m", label, Stage(op[2]))
    if kind == "archive":
        label = labels[op[1] % len(labels)][0]
        return lambda ws: operations.archive(ws.base, ws.policy, "m", label)
    if kind == "promote-staged":
        staged = [label for label, stage in labels if stage == "staging"] or [labels[0][0]]
        return lambda ws: operations.promote(ws.base, ws.policy, "m", staged[-1], Stage.PRODUCTION)
    if kind == "rollback":
        return lambda ws: operations.rollback(ws.base, ws.policy, "m", ws.previous_production)
    return lambda ws: operations.retention(ws.base, ws.policy, None, op[1])


def only_insertions_and_stage_words(before: str, after: str) -> None:
    a, b = TOKEN.findall(before), TOKEN.findall(after)
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("equal", "insert"):
            continue
        assert tag == "replace" and i2 - i1 == 1 and j2 - j1 == 1 and a[i1] in STAGES and b[j1] in STAGES, (
            f"{tag} {a[i1:i2]!r} -> {b[j1:j2]!r}")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=model_files(), ops=operations_list)
def test_random_edit_sequences_keep_everything_they_do_not_change(text: str, ops: list[tuple]) -> None:
    root = Path(tempfile.mkdtemp(prefix="prop-"))
    try:
        repo = start_repository(root, text)
        target = root / "models" / "m.yaml"
        assert engine.validate_snapshot(WorktreeSnapshot(root)).ok, text
        store = GitStore.discover(root)
        registered = 0
        for op in ops:
            before = target.read_bytes().decode()
            head = repo.head.target
            labels = [(v["version"], v["stage"]) for v in loader.load(before.encode(), "m.yaml").data["versions"]]
            try:
                targets.run(root, build_for(op, labels, registered), targets.Mode(commit=True), op[0])
            except RegistryError:
                assert target.read_bytes().decode() == before and repo.head.target == head
                continue
            registered += op[0] == "register"
            after = target.read_bytes().decode()
            assert repo.status() == {}  # the working tree and the index hold the commit
            if after == before:
                assert repo.head.target == head  # nothing to change: no commit
                continue
            commit = store.resolve("HEAD")
            report = engine.validate_change(store.parent_snapshot(commit), store.snapshot(commit))
            assert report.ok, (before, after, report.violations)
            assert engine.validate_snapshot(WorktreeSnapshot(root)).ok
            assert sorted(COMMENT.findall(after)) == sorted(COMMENT.findall(before))
            only_insertions_and_stage_words(before, after)
            newline = "\r\n" if "\r\n" in before else "\n"
            assert ("\r\n" in after) == (newline == "\r\n") and "\n" not in after.replace(newline, "")
    finally:
        shutil.rmtree(root, ignore_errors=True)
