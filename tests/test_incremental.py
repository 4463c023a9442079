"""Reading a model file as an edit of its neighbour must give exactly what a full parse gives.

Property tests: random model files in many layouts (comments, blank lines, block scalars,
flow and block mappings, indented and indentless lists, keys after the list), random
semantic edits and random line-level damage. Whenever :func:`derive` answers, a full
strict parse must agree on validity, the model, and the layout used for the next step.
"""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from registry_tool.core.policy import Policy
from registry_tool.history.incremental import Layout, derive, layout_of
from registry_tool.validation.model_file import parse_model

PATH, STEM = "models/faq-bot.yaml", "faq-bot"
STAGES = ["none", "staging", "production", "archived"]


def full(text: str) -> Layout | bool | None:
    """The full parse: a Layout, False when the file is invalid, None when valid without a layout."""
    mf, _ = parse_model(text.encode(), PATH, STEM, Policy())
    if mf is None:
        return False
    return layout_of(mf)


def full_model(text: str):
    mf, _ = parse_model(text.encode(), PATH, STEM, Policy())
    return mf.model if mf is not None else None


version_st = st.fixed_dictionaries({
    "label": st.sampled_from(["1.0.0", "1.1.0", "2.0.0", "v3", "0.9", "10.1.2"]),
    "stage": st.sampled_from(STAGES),
    "accuracy": st.sampled_from(["0.9", "0.91", "0.95", "1", "0.5"]),
    "style": st.sampled_from(["flow", "block", "suite", "flow lines"]),
    "description": st.sampled_from([None, "plain words", "literal", "folded", "quoted", "keep", "plain lines"]),
    "comment": st.booleans(),
    "blank": st.booleans(),
})


def render_version(v: dict, indent: int) -> list[str]:
    pad, inner = " " * indent, " " * (indent + 2)
    out = [f'{pad}- version: "{v["label"]}"', f"{inner}stage: {v['stage']}"]
    if v["description"] == "plain words":
        out.append(f"{inner}description: A plain description")
    elif v["description"] == "literal":
        out += [f"{inner}description: |", f"{inner}  line one", f"{inner}  - not an item", "", f"{inner}  line three"]
    elif v["description"] == "folded":
        out += [f"{inner}description: >-", f"{inner}  folded", f"{inner}  text"]
    elif v["description"] == "quoted":
        out += [f'{inner}description: "quoted', f'{inner}  across lines"']
    elif v["description"] == "keep":
        out += [f"{inner}description: |+", f"{inner}  kept", ""]
    elif v["description"] == "plain lines":
        out += [f"{inner}description: plain", f"{inner}  continued"]
    out += [f"{inner}artifact:", f"{inner}  uri: s3://b/{v['label']}/m.onnx", f"{inner}  format: onnx"]
    if v["style"] == "flow":
        out.append(f"{inner}metrics: {{accuracy: {v['accuracy']}}}")
    elif v["style"] == "flow lines":
        out += [f"{inner}metrics: {{accuracy: {v['accuracy']},", f"{inner}  f1: 0.5}}"]
    elif v["style"] == "block":
        out += [f"{inner}metrics:", f"{inner}  accuracy: {v['accuracy']}"]
    else:
        out += [f"{inner}metrics:", f"{inner}  suites:", f"{inner}    core: {{score: {v['accuracy']}, ok: true}}"]
    if v["comment"]:
        out.append(f"{pad}# about the next version")
    if v["blank"]:
        out.append("")
    return out


file_st = st.fixed_dictionaries({
    "versions": st.lists(version_st, min_size=1, max_size=5),
    "indent": st.sampled_from([0, 2, 4]),
    "after": st.sampled_from([None, "owner: hazel", "tags: [a, b]", "# the end"]),
    "final_newline": st.sampled_from([True, True, True, False]),
})


def render(spec: dict) -> str:
    lines = ["# yaml-language-server: $schema=../schemas/model.schema.json", "name: faq-bot", "versions:"]
    for v in spec["versions"]:
        lines += render_version(v, spec["indent"])
    if spec["after"]:
        lines.append(spec["after"])
    return "\n".join(lines) + ("\n" if spec["final_newline"] else "")


NOISE = ["---", "...", "%YAML 1.2", "  - ", "- version: \"9\"", "  stage: none", "    stage: production", "owner: x",
         "\tstage: none", "    metrics: {accuracy: 0.9", '    description: "open', "    x: &a 1", "    y: *a",
         "    stage: !!str none", "    tags: [yes]", "#", "", "      deep: [[[[1]]]]", "name: other",
         "    stage: staging  # moved", "  -   version: \"7\"", "  -", "    version: \"8\"", "# column 0",
         "   ", "      kept more", "    description: |+", "  f1: 0.5}", "    metrics: {accuracy: 0.5,", "- - x",
         "  - version: \"1.0.0\"", "    artifact: {uri: 's3://x/y'}", "  ? version", "versions:"]

edit_st = st.one_of(
    st.tuples(st.just("stage"), st.integers(0, 4), st.sampled_from(STAGES)),
    st.tuples(st.just("metric"), st.integers(0, 4), st.sampled_from(["0.1", "0.99", "2", "true"])),
    st.tuples(st.just("append"), version_st),
    st.tuples(st.just("insert"), st.integers(0, 4), version_st),
    st.tuples(st.just("delete"), st.integers(0, 4)),
    st.tuples(st.just("replace_line"), st.integers(0, 200), st.sampled_from(NOISE)),
    st.tuples(st.just("insert_line"), st.integers(0, 200), st.sampled_from(NOISE)),
    st.tuples(st.just("delete_line"), st.integers(0, 200)),
)


def apply(spec: dict, text: str, edit: tuple) -> str:
    kind = edit[0]
    versions = [dict(v) for v in spec["versions"]]
    if kind in ("stage", "metric", "delete", "insert"):
        i = edit[1] % len(versions)
        if kind == "stage":
            versions[i]["stage"] = edit[2]
        elif kind == "metric":
            versions[i]["accuracy"] = edit[2]
        elif kind == "delete":
            del versions[i]
        else:
            versions.insert(i, edit[2])
        return render({**spec, "versions": versions})
    if kind == "append":
        return render({**spec, "versions": versions + [edit[1]]})
    lines = text.split("\n")
    at = edit[1] % (len(lines) + 1)
    if kind == "replace_line" and at < len(lines):
        lines[at] = edit[2]
    elif kind == "insert_line":
        lines.insert(at, edit[2])
    elif kind == "delete_line" and at < len(lines):
        del lines[at]
    return "\n".join(lines)


def check_against_full(ref: Layout, text: str) -> Layout | None:
    derived = derive(ref, text.encode(), PATH, STEM, Policy().max_file_bytes)
    if derived is None:
        return None
    truth = full(text)
    assert truth is not False, f"derive accepted a file the full parse rejects:\n{text}"
    assert derived.model == full_model(text)
    if truth is not None:  # the layout handed to the next step is the one a full parse finds
        assert (derived.starts, derived.end, derived.column) == (truth.starts, truth.end, truth.column)
    assert derived.lines == tuple(text.split("\n"))
    return derived


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file_st, st.lists(edit_st, min_size=1, max_size=4))
def test_derived_reading_equals_the_full_parse(spec, edits):
    text = render(spec)
    ref = full(text)
    assume(isinstance(ref, Layout))  # e.g. no final newline: derive is never asked
    for edit in edits:
        new = apply(spec, text, edit)
        derived = check_against_full(ref, new)
        if derived is None:
            truth = full(new)
            if not isinstance(truth, Layout):
                break  # no layout to derive the next step from: the steps so far were checked
            derived = truth
        ref, text = derived, new


@settings(max_examples=150, deadline=None)
@given(file_st, st.integers(0, 4), st.sampled_from(STAGES))
def test_stage_moves_are_derived_not_parsed_in_full(spec, index, stage):
    text = render(spec)
    ref = full(text)
    assume(isinstance(ref, Layout))
    new = apply(spec, text, ("stage", index, stage))
    derived = check_against_full(ref, new)
    assert derived is not None  # the common case takes the fast path


def test_promotion_with_demotion_parses_only_the_two_items(monkeypatch):
    from registry_tool.history import incremental

    spec = {"versions": [{"label": f"1.{i}.0", "stage": "staging", "accuracy": "0.9", "style": "flow",
                          "description": None, "comment": False, "blank": False} for i in range(30)],
            "indent": 2, "after": None, "final_newline": True}
    spec["versions"][3]["stage"] = "production"
    ref = full(render(spec))
    assert isinstance(ref, Layout)
    promoted = [dict(v) for v in spec["versions"]]
    promoted[3]["stage"], promoted[27]["stage"] = "staging", "production"
    chunks = []
    real = incremental.loader.load

    def spy(raw, path, **kw):
        chunks.append(raw.decode())
        return real(raw, path, **kw)

    new = render({**spec, "versions": promoted})
    monkeypatch.setattr(incremental.loader, "load", spy)
    derive(ref, new.encode(), PATH, STEM, 10**6)
    monkeypatch.undo()
    assert [c.count("- version:") for c in chunks] == [1, 1]
    derived = check_against_full(ref, new)
    assert derived is not None
    # unchanged versions are the very same values, so comparing them costs nothing
    assert all(derived.model.versions[i] is ref.model.versions[i] for i in range(30) if i not in (3, 27))


def test_registration_parses_only_the_new_item(monkeypatch):
    from registry_tool.history import incremental

    base = [{"label": f"1.{i}.0", "stage": "none", "accuracy": "0.9", "style": "block",
             "description": "literal", "comment": False, "blank": False} for i in range(3)]
    for after in (None, "owner: hazel"):
        spec = {"versions": base, "indent": 2, "after": after, "final_newline": True}
        ref = full(render(spec))
        for versions in (base + [dict(base[0], label="2.0.0")], [dict(base[0], label="0.1")] + base):
            new = render({**spec, "versions": versions})
            chunks: list[bytes] = []
            real = incremental.loader.load
            monkeypatch.setattr(incremental.loader, "load",
                                lambda raw, path, chunks=chunks, real=real, **kw: chunks.append(raw) or real(raw, path, **kw))
            derive(ref, new.encode(), PATH, STEM, 10**6)
            monkeypatch.undo()
            assert [c.count(b"- version:") for c in chunks] == [1]
            assert check_against_full(ref, new) is not None


def test_header_change_or_unknown_shape_falls_back():
    spec = {"versions": [{"label": "1.0.0", "stage": "none", "accuracy": "0.9", "style": "flow",
                          "description": None, "comment": False, "blank": False}],
            "indent": 2, "after": "owner: hazel", "final_newline": True}
    text = render(spec)
    ref = full(text)
    assert isinstance(ref, Layout)
    assert derive(ref, text.replace("owner: hazel", "owner: ml").encode(), PATH, STEM, 10**6) is None
    assert derive(ref, text.replace("name: faq-bot", "name: faq-bot2").encode(), PATH, STEM, 10**6) is None
    assert derive(ref, text.replace("\n", "\r\n").encode(), PATH, STEM, 10**6) is None
    assert derive(ref, text.encode(), PATH, STEM, 10) is None  # over the size limit
    assert layout_of(parse_model(b'name: faq-bot\nversions:\n  -\n    version: "1"\n    stage: none\n'
                                 b"    artifact: {uri: 's3://x'}\n", PATH, STEM, Policy())[0]) is None


def test_history_of_a_generated_registry_is_the_same_without_derived_reading(tmp_path, monkeypatch):
    """End to end: bench/bench_history.py's generator (registrations, promotions with
    demotions, re-measures, archives, merged PRs); every event equal with full parses only."""
    import importlib.util

    from conftest import REPO_ROOT

    from registry_tool.history import blobs
    from registry_tool.history.walk import read_history
    from registry_tool.snapshots.git import GitStore

    spec = importlib.util.spec_from_file_location("bench_history", REPO_ROOT / "bench" / "bench_history.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.generate(tmp_path / "registry", 400, 5)
    store = GitStore.discover(tmp_path / "registry")
    derived = [e.to_dict() for e in read_history(store, store.resolve("HEAD")).events]
    monkeypatch.setattr(blobs, "derive", lambda *args, **kwargs: None)
    full_only = [e.to_dict() for e in read_history(store, store.resolve("HEAD")).events]
    assert len(derived) > 300 and derived == full_only
