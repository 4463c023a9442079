"""validate where CI looks: ``--format auto`` (GitHub annotations under GitHub Actions,
colour on a terminal or with FORCE_COLOR), the caps GitHub imposes (about ten error
annotations per step, a job summary under 1 MiB) at 10,000 violations, and the per-file
cap of schema findings."""

from __future__ import annotations

import re

import pytest
from builders import line_of, model, validate_json, version

from registry_tool.core.findings import Violation
from registry_tool.output.validate import (
    MAX_ANNOTATIONS,
    SUMMARY_LIMIT,
    render_github,
    render_markdown,
)
from registry_tool.schema.check import MAX_SCHEMA_FINDINGS
from registry_tool.validation.report import Checked, Report

MIB = 1024 * 1024
GOOD = model("faq-bot", version("1.0.0", "production"))
BAD = GOOD.replace("stage: production", "stage: Production")
ANNOTATION = re.compile(r"^::error file=models/faq-bot\.yaml,line=\d+,col=\d+,title=undeclared-stage::", re.MULTILINE)
MORE = re.compile(r"\n… and (\d+) more\n\Z")


@pytest.fixture
def bad(repo):
    repo.write("models/faq-bot.yaml", BAD)
    return repo


# --- --format auto ----------------------------------------------------------------------------

def test_auto_is_github_annotations_under_github_actions(bad, cli, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    run = cli(bad.path, "validate")
    assert run.code == 1
    assert len(ANNOTATION.findall(run.out)) == 1
    assert cli(bad.path, "validate", "--format", "text").out.startswith("models/faq-bot.yaml:")  # asked for: text


def test_auto_is_plain_text_elsewhere(bad, cli):
    run = cli(bad.path, "validate")
    assert run.out.startswith(f"models/faq-bot.yaml:{line_of(BAD, 'Production')}:12: undeclared-stage: ")
    assert "\x1b[" not in run.out and "::error" not in run.out


@pytest.mark.parametrize(("env", "coloured"), [
    ({"FORCE_COLOR": "1"}, True),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),  # NO_COLOR wins
    ({"FORCE_COLOR": ""}, False),  # empty: not set
])
def test_force_color_colours_output_that_is_not_a_terminal(bad, cli, monkeypatch, env, coloured):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert ("\x1b[" in cli(bad.path, "validate").out) is coloured
    assert "\x1b[" not in cli(bad.path, "validate", "--no-color").out
    assert "\x1b[" not in cli(bad.path, "validate", "--format", "json").out


# --- caps at 10,000 violations ----------------------------------------------------------------

def many(n: int = 10_000) -> Report:
    """``n`` violations with realistic messages, over 100 files."""
    violations = [Violation(f"models/model-{i % 100:03d}.yaml", i // 100 + 1, 1, "unknown-field",
                            f"unknown field 'field_{i:05d}'; allowed: description, metadata, name, owner, tags, task, versions")
                  for i in range(n)]
    return Report(sorted(violations), [Checked(f"models/model-{i:03d}.yaml") for i in range(100)])


def test_github_format_annotates_fifty_and_notes_the_total():
    report = many()
    out = render_github(report)
    lines = out.splitlines()
    annotations = [line for line in lines if line.startswith("::error ")]
    notices = [line for line in lines if line.startswith("::notice")]
    assert len(annotations) == MAX_ANNOTATIONS == 50
    assert notices == [("::notice title=registry-tool validate::10000 violations in total; "
                        "the first 50 are annotated, the other 9950 are listed in the log below")]
    assert lines.index(notices[0]) == 50
    plain = lines[51:-1]
    assert len(plain) == 9950 and not any(line.startswith("::") for line in plain)
    assert plain[0] == f"{report.violations[50].file}:{report.violations[50].line}:1: unknown-field: {report.violations[50].message}"
    assert lines[-1] == "10000 violations in 100 files (100 model files checked)"


def test_github_format_below_the_cap_has_no_notice():
    out = render_github(many(50))
    assert out.count("::error ") == 50 and "::notice" not in out


def test_markdown_stays_under_one_mib_and_ends_with_and_n_more():
    report = many()
    out = render_markdown(report)
    size = len(out.encode("utf-8"))
    assert SUMMARY_LIMIT == MIB and MIB - 4096 < size < MIB  # as much as fits, but less than 1 MiB
    rows = [line for line in out.splitlines() if line.startswith("| `models/")]
    more = MORE.search(out)
    assert more is not None and len(rows) + int(more.group(1)) == 10_000
    assert rows[0] == (f"| `{report.violations[0].file}` | 1 | `unknown-field` | {report.violations[0].message} |")


def test_markdown_with_few_violations_lists_them_all():
    out = render_markdown(many(30))
    assert MORE.search(out) is None and out.count("| `models/") == 30


def test_markdown_file_names_with_backticks_stay_inline_code(repo, cli):
    # a backtick in a file name ended the code span `...` of the report's file column
    repo.write("models/a`b.yaml", BAD.replace("faq-bot", "a`b"))
    repo.write("models/`c.yaml", BAD.replace("faq-bot", "`c"))
    out = cli(repo.path, "validate", "--format", "markdown").out
    rows = [line for line in out.splitlines() if line.startswith("| ``")]
    assert [row.split(" | ")[0] for row in rows] == ["| ``models/`c.yaml``", "| ``models/a`b.yaml``"]
    from registry_tool.output.escape import markdown_code

    assert [markdown_code(t) for t in ("a", "`x", "a``b|c")] == ["`a`", "`` `x ``", "```a``b\\|c```"]


def test_cli_caps_at_ten_thousand_violations(repo, cli, tmp_path):
    """100 files, each with 101 unknown keys: 100 listed plus one 'more' per file = 10,100."""
    keys = "".join(f"extra_{k:03d}: 1\n" for k in range(MAX_SCHEMA_FINDINGS + 1))
    for i in range(100):
        repo.write(f"models/m{i:03d}.yaml", model(f"m{i:03d}") + keys)
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier steps wrote this\n" + "x" * (200 * 1024) + "\n")
    run = cli(repo.path, "validate", "--format", "github", "--summary", str(summary))
    assert run.code == 1
    assert run.out.count("\n::error ") + run.out.startswith("::error ") == 50
    assert "::notice title=registry-tool validate::10100 violations in total" in run.out
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier steps wrote this\n")
    assert len(text.encode("utf-8")) < MIB  # the whole file, earlier content included
    assert MORE.search(text.rstrip("\n") + "\n")
    out = cli(repo.path, "validate", "--format", "markdown").out
    assert len(out.encode("utf-8")) < MIB and MORE.search(out)


# --- schema findings per file -----------------------------------------------------------------

def test_schema_findings_are_capped_per_file_and_say_how_many_more(repo, cli):
    keys = [f"unknown_key_{k:05d}" for k in range(3000)]
    text = "".join(f"{key}: value\n" for key in keys) + GOOD
    repo.write("models/faq-bot.yaml", text)
    code, found, _ = validate_json(cli, repo.path)
    assert code == 1 and len(found) == MAX_SCHEMA_FINDINGS + 1
    listed = found[:MAX_SCHEMA_FINDINGS]
    assert [(v["line"], v["column"], v["rule"]) for v in listed] == [(k + 1, 1, "unknown-field") for k in range(100)]
    assert listed[-1]["message"].startswith("unknown field 'unknown_key_00099'")
    last = found[-1]
    assert (last["line"], last["column"], last["rule"]) == (101, 1, "schema")
    assert last["message"] == "2900 more schema violations from here on are not listed (the first 100 of this file are)"


def test_an_unknown_key_after_a_large_mapping_keeps_its_line(repo, cli):
    """The per-mapping key index finds the key's own node past a 2,000-key mapping."""
    filler = "".join(f"  k{k:04d}: 1\n" for k in range(2000))
    text = GOOD.replace("versions:", f"metadata:\n{filler}ownr: me\nversions:")
    repo.write("models/faq-bot.yaml", text)
    code, found, _ = validate_json(cli, repo.path)
    assert code == 1
    assert [(v["line"], v["column"], v["rule"]) for v in found] == [(line_of(text, "ownr: me"), 1, "unknown-field")]


def test_annotations_escape_what_a_file_name_could_steer_or_hide(repo):
    """A file named with a terminal escape or bytes that are not UTF-8, under GitHub
    Actions: each annotation names it as the text format does (escaped), on one line of
    UTF-8. The escape once went out raw, and the console (or click, when the output is not
    a terminal, stripping it) showed `models/faq-bot.yaml` for `models/faq-bot\\x1b[0m.yaml`:
    an annotation on another, valid file."""
    import os
    import subprocess
    import sys

    from conftest import REPO_ROOT

    repo.write("models/faq-bot.yaml", GOOD)
    models = os.fsencode(repo.path / "models")
    for name in (b"faq-bot\x1b[0m.yaml", b"\xff\xfe.yaml", b"a\rb\x07.yaml"):
        with open(os.path.join(models, name), "wb") as handle:
            handle.write(b"name: x\n")
    done = subprocess.run([sys.executable, "-m", "registry_tool", "validate", "--format", "github"], cwd=repo.path,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, capture_output=True, timeout=120)
    assert done.returncode == 1 and done.stderr == b""
    lines = done.stdout.decode("utf-8").splitlines()
    files = [re.match(r"::error file=([^,]*),line=1,col=1,title=unexpected-file::(\S+) is not a model file", line)
             for line in lines[:-1]]
    assert [(m[1], m[2]) for m in files if m] == [
        (r"models/a\rb\x07.yaml", r"a\rb\x07.yaml"), (r"models/faq-bot\x1b[0m.yaml", r"faq-bot\x1b[0m.yaml"),
        (r"models/\xff\xfe.yaml", r"\xff\xfe.yaml")]
    assert lines[-1] == "3 violations in 3 files (1 model file checked)"
