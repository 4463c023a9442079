"""``registry-tool validate`` as users and CI run it: exit codes, output formats, paths,
where it finds the repository, and one-line errors instead of tracebacks."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

import pytest
from builders import line_of, model, validate_json, version
from conftest import REPO_ROOT

GOOD = model("faq-bot", version("1.0.0", "production"), version("1.1.0", "staging"))
# One schema error (line 4) in faq-bot, one stray file.
BAD = GOOD.replace("stage: production", "stage: Production")
BAD_LINE = line_of(BAD, "stage: Production")
SCHEMA_MESSAGE = ("versions[0].stage: 'Production' is not one of none, staging, production, archived; "
                  "did you mean 'production'?")


@pytest.fixture
def good(repo):
    repo.write("models/faq-bot.yaml", GOOD)
    repo.commit("register faq-bot")
    return repo


@pytest.fixture
def bad(repo):
    repo.write("models/faq-bot.yaml", BAD)
    repo.write("models/notes.txt", "notes\n")
    return repo


# --- exit codes ---------------------------------------------------------------------------

def test_exit_0_when_valid(good, cli):
    run = cli(good.path, "validate")
    assert (run.code, run.out, run.err) == (0, "ok: 1 model file checked, no violations\n", "")


def test_exit_1_with_violations(bad, cli):
    assert cli(bad.path, "validate").code == 1


@pytest.mark.parametrize("args", [
    ["--format", "yaml"],
    ["--range", "a..b", "--ref", "HEAD"],
    ["--range", "a..b", "models/faq-bot.yaml"],
    ["--ref", "HEAD", "models/faq-bot.yaml"],
    ["--no-such-option"],
])
def test_exit_2_for_usage_errors(good, cli, args):
    run = cli(good.path, "validate", *args)
    assert run.code == 2
    assert run.out == ""
    assert "Error" in run.err or "error" in run.err


@pytest.mark.parametrize("spec", ["main", "a...b", "..HEAD"])
def test_bad_range_syntax(good, cli, spec):
    run = cli(good.path, "validate", "--range", spec)
    assert run.code == 2
    assert run.err == f"registry-tool: error: --range takes BASE..HEAD (two dots), not '{spec}'\n"


def test_range_without_head_means_head(good, cli):
    base = good.git("rev-parse", "HEAD")
    good.write("models/faq-bot.yaml", GOOD.replace('"1.1.0"\n    stage: staging', '"1.1.0"\n    stage: none'))
    good.commit("demote 1.1.0")
    _, found, data = validate_json(cli, good.path, "--range", f"{base}..")
    assert found == [] and len(data["commits_checked"]) == 1


def test_a_range_reports_its_commits_even_when_there_are_none(good, cli):
    # one JSON shape per concept: a range always has commits_checked, other checks never do
    _, _, data = validate_json(cli, good.path, "--range", "HEAD..HEAD")
    assert data["commits_checked"] == []
    assert "commits_checked" not in validate_json(cli, good.path, "--ref", "HEAD")[2]


def test_a_reversed_range_is_a_rewind(good, cli):
    """AFTER older than BEFORE is what a force-push that rewinds the branch looks like: judged
    as one change, and failed (tests/test_hostile_history.py has the rewrites)."""
    older = good.git("rev-parse", "HEAD")
    good.write("models/faq-bot.yaml", GOOD.replace('"1.1.0"\n    stage: staging', '"1.1.0"\n    stage: none'))
    newer = good.commit("demote 1.1.0")
    run = cli(good.path, "validate", "--range", f"{newer}..{older}")
    assert run.code == 1
    assert run.out.splitlines()[0].startswith("models:1:1: history-rewritten: history was rewritten: ")
    assert "the branch was rewound to an older commit" in run.err
    assert cli(good.path, "validate", "--range", f"{older}..{newer}").err == ""


def test_an_empty_range_says_there_was_nothing_to_judge(good, cli):
    head = good.git("rev-parse", "HEAD")
    run = cli(good.path, "validate", "--range", f"{head}..{head}")
    assert (run.code, run.out) == (0, "ok: 0 model files checked, no violations\n")
    assert run.err == f"registry-tool: note: no commits after {head} on the first-parent history of {head}: nothing to judge\n"


# --- output formats -----------------------------------------------------------------------

def test_text_format(bad, cli):
    run = cli(bad.path, "validate", "--format", "text")
    assert run.code == 1
    assert run.out == (
        f"models/faq-bot.yaml:{BAD_LINE}:12: undeclared-stage: {SCHEMA_MESSAGE}\n"
        "models/notes.txt:1:1: unexpected-file: notes.txt is not a model file: model files end in .yaml\n"
        "2 violations in 2 files (1 model file checked)\n"
    )
    assert "\x1b[" not in run.out  # not a terminal: no colour


def test_text_is_the_default(bad, cli):
    assert cli(bad.path, "validate").out == cli(bad.path, "validate", "--format", "text").out


def test_json_format(bad, cli):
    run = cli(bad.path, "validate", "--format", "json")
    assert run.code == 1
    data = json.loads(run.out)
    assert data == {
        "ok": False,
        "files_checked": 1,
        "violations": [
            {"file": "models/faq-bot.yaml", "line": BAD_LINE, "column": 12, "rule": "undeclared-stage", "message": SCHEMA_MESSAGE},
            {"file": "models/notes.txt", "line": 1, "column": 1, "rule": "unexpected-file",
             "message": "notes.txt is not a model file: model files end in .yaml"},
        ],
    }
    assert run.out == json.dumps(data, indent=2, sort_keys=True) + "\n"  # keys sorted, stable


def test_json_when_valid(good, cli):
    run = cli(good.path, "validate", "--format", "json")
    assert json.loads(run.out) == {"ok": True, "violations": [], "files_checked": 1}


def test_github_format(bad, cli):
    run = cli(bad.path, "validate", "--format", "github")
    assert run.code == 1
    assert run.out.splitlines() == [
        f"::error file=models/faq-bot.yaml,line={BAD_LINE},col=12,title=undeclared-stage::{SCHEMA_MESSAGE}",
        "::error file=models/notes.txt,line=1,col=1,title=unexpected-file::"
        "notes.txt is not a model file: model files end in .yaml",
        "2 violations in 2 files (1 model file checked)",
    ]


def test_github_format_escapes_properties_and_data(repo, cli):
    repo.write("models/a,b:c.yaml", "name: a\nversions: []\n")
    repo.write("models/a.yaml", "name: a\nversions: []\nx%y: 1\n")
    run = cli(repo.path, "validate", "--format", "github")
    first, second = run.out.splitlines()[:2]
    assert first.startswith("::error file=models/a%2Cb%3Ac.yaml,line=1,col=1,title=unexpected-file::")
    assert second.startswith("::error file=models/a.yaml,line=3,col=1,title=unknown-field::")
    assert "unknown field 'x%25y'" in second


def test_markdown_format(bad, cli):
    run = cli(bad.path, "validate", "--format", "markdown")
    assert run.code == 1
    assert run.out == (
        "### registry-tool validate\n\n"
        "❌ 2 violations in 2 files (1 model file checked)\n\n"
        "| File | Line | Rule | Message |\n"
        "| --- | ---: | --- | --- |\n"
        f"| `models/faq-bot.yaml` | {BAD_LINE} | `undeclared-stage` | {SCHEMA_MESSAGE} |\n"
        "| `models/notes.txt` | 1 | `unexpected-file` | notes.txt is not a model file: model files end in .yaml |\n"
    )


def test_markdown_escapes_pipes(repo, cli):
    repo.write("models/a.yaml", "name: a\nversions: []\n'x|y': 1\n")
    run = cli(repo.path, "validate", "--format", "markdown")
    assert "unknown field 'x\\|y'" in run.out


def test_markdown_when_valid(good, cli):
    run = cli(good.path, "validate", "--format", "markdown")
    assert run.out == "### registry-tool validate\n\n✅ ok: 1 model file checked, no violations\n"


def test_summary_appends_markdown(bad, cli, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n")
    run = cli(bad.path, "validate", "--format", "github", "--summary", str(summary))
    assert run.code == 1
    assert run.out.startswith("::error ")
    markdown = cli(bad.path, "validate", "--format", "markdown").out
    assert summary.read_text() == "# earlier step\n" + markdown + "\n"
    cli(bad.path, "validate", "--summary", str(summary))
    assert summary.read_text() == "# earlier step\n" + markdown + "\n" + markdown + "\n"


def test_summary_that_cannot_be_written(bad, cli, tmp_path):
    run = cli(bad.path, "validate", "--summary", str(tmp_path / "no" / "such" / "dir.md"))
    assert run.code == 2
    assert run.err.startswith("registry-tool: error: ") and "cannot write the summary" in run.err
    assert len(run.err.splitlines()) == 1


# --- PATH arguments (pre-commit) ----------------------------------------------------------

def test_paths_check_only_those_files(bad, cli):
    bad.write("models/other.yaml", model("other", version("1", "staging")))
    _, found, data = validate_json(cli, bad.path, "models/other.yaml")
    assert (found, data["files_checked"]) == ([], 1)
    _, found, data = validate_json(cli, bad.path, "models/other.yaml", "models/faq-bot.yaml")
    assert [(v["file"], v["line"], v["rule"]) for v in found] == [("models/faq-bot.yaml", BAD_LINE, "undeclared-stage")]
    assert data["files_checked"] == 2


def test_registry_yaml_as_a_path_checks_the_policy(good, cli):
    good.write("registry.yaml", "on_promote: reject\n")
    _, found, data = validate_json(cli, good.path, "registry.yaml")
    assert [(v["file"], v["line"], v["column"], v["rule"]) for v in found] == [("registry.yaml", 1, 13, "schema")]
    good.write("registry.yaml", "on_promote: refuse\n")
    code, found, data = validate_json(cli, good.path, "registry.yaml")
    assert (code, found, data["files_checked"]) == (0, [], 0)


def test_non_yaml_path(bad, cli):
    _, found, _ = validate_json(cli, bad.path, "models/notes.txt")
    assert [(v["file"], v["line"], v["rule"]) for v in found] == [("models/notes.txt", 1, "unexpected-file")]


def test_path_relative_to_a_subfolder(bad, cli):
    _, found, _ = validate_json(cli, bad.path / "models", "faq-bot.yaml")
    assert [(v["file"], v["line"]) for v in found] == [("models/faq-bot.yaml", BAD_LINE)]


def test_missing_path(good, cli):
    run = cli(good.path, "validate", "models/nope.yaml")
    assert (run.code, run.out) == (2, "")
    assert run.err == "registry-tool: error: models/nope.yaml: no such file\n"


@pytest.mark.parametrize("folder", ["models", ".", "models/"])
def test_a_folder_as_path_is_a_usage_error_not_a_violation(good, cli, folder):
    # `validate models` used to report "models is a directory" as a violation (exit 1)
    run = cli(good.path, "validate", folder)
    assert (run.code, run.out) == (2, "")
    assert run.err == (f"registry-tool: error: {folder.rstrip('/') or '.'}: a folder; validate takes files (model files, "
                       "registry.yaml): give no PATH to check the whole registry\n")


def test_a_folder_named_like_a_model_file_is_still_a_violation(good, cli):
    (good.path / "models" / "other.yaml").mkdir()
    _, found, _ = validate_json(cli, good.path, "models/other.yaml")
    assert [(v["file"], v["rule"]) for v in found] == [("models/other.yaml", "unexpected-file")]


def test_path_outside_the_repository(good, cli, tmp_path):
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(GOOD)
    run = cli(good.path, "validate", str(outside))
    assert run.code == 2
    assert run.err.startswith(f"registry-tool: error: {outside}: outside the repository")


def test_relative_path_with_repo_elsewhere_names_the_file_meant(good, cli, tmp_path):
    # --repo R from another folder: a relative path is read from the current folder (as the
    # shell completed it); the error says so, and names the file in R the user likely meant
    run = cli(tmp_path, "--repo", str(good.path), "validate", "models/faq-bot.yaml")
    assert (run.code, run.out) == (2, "")
    assert run.err == (f"registry-tool: error: models/faq-bot.yaml: outside the repository at {good.path} (a relative "
                       f"path is read from the current folder, {tmp_path}; did you mean {good.path}/models/faq-bot.yaml?)\n")
    run = cli(tmp_path, "--repo", str(good.path), "validate", "models/nope.yaml")
    assert run.err.endswith(f"(a relative path is read from the current folder, {tmp_path})\n")


def test_pre_commit_style_invocation_in_a_subprocess(bad, run_process):
    bad.write("registry.yaml", "on_promote: demote\n")
    proc = run_process(bad.path, "validate", "models/faq-bot.yaml", "models/notes.txt", "registry.yaml")
    assert proc.code == 1
    assert proc.out.splitlines()[:2] == [
        f"models/faq-bot.yaml:{BAD_LINE}:12: undeclared-stage: {SCHEMA_MESSAGE}",
        "models/notes.txt:1:1: unexpected-file: notes.txt is not a model file: model files end in .yaml",
    ]


def test_a_change_checked_as_text_loads_no_other_output_format(good, run_process):
    """``validate --ref --base`` with text output, a pull request's check, imports neither
    the SARIF or JUnit reporters, html nor the working-tree snapshot: start-up time."""
    good.write("models/faq-bot.yaml", GOOD.replace("stage: staging", "stage: none"))
    good.commit("demote 1.1.0")
    probe = ("import atexit, sys, runpy\n"  # the command ends the process: the list is printed on the way out
             "atexit.register(lambda: print(sorted(m for m in ('html', 'xml.etree', 'registry_tool.output.sarif', "
             "'registry_tool.output.junit', 'registry_tool.snapshots.worktree') if m in sys.modules)))\n"
             "sys.argv = ['registry-tool', 'validate', '--ref', 'HEAD', '--base', 'HEAD~1']\n"
             "runpy.run_module('registry_tool', run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=good.path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["ok: 1 model file checked, no violations", "[]"]


# --- finding the repository ---------------------------------------------------------------

def test_run_from_a_subfolder_finds_the_repository(bad, cli):
    (bad.path / "docs" / "deep").mkdir(parents=True)
    _, found, _ = validate_json(cli, bad.path / "docs" / "deep")
    assert [v["file"] for v in found] == ["models/faq-bot.yaml", "models/notes.txt"]


def test_repo_option(bad, cli, tmp_path):
    _, found, _ = validate_json(cli, tmp_path, "--repo", str(bad.path))
    assert [v["file"] for v in found] == ["models/faq-bot.yaml", "models/notes.txt"]


def test_repo_option_with_ref(good, cli, tmp_path):
    code, found, _ = validate_json(cli, tmp_path, "--repo", str(good.path), "--ref", "main")
    assert (code, found) == (0, [])


def test_repo_option_that_does_not_exist(cli, tmp_path):
    run = cli(tmp_path, "validate", "--repo", str(tmp_path / "nope"))
    assert run.code == 2
    assert run.err == f"registry-tool: error: {tmp_path / 'nope'}: no such directory\n"


def test_plain_folder_without_git_is_validated_as_it_is(tmp_path, cli):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "faq-bot.yaml").write_text(BAD)
    _, found, _ = validate_json(cli, tmp_path)
    assert [(v["file"], v["line"]) for v in found] == [("models/faq-bot.yaml", BAD_LINE)]


@pytest.mark.parametrize("args", [["--ref", "HEAD"], ["--base", "main"], ["--range", "a..b"]])
def test_not_a_git_repository(tmp_path, cli, args):
    run = cli(tmp_path, "validate", *args)
    assert (run.code, run.out) == (2, "")
    assert run.err == f"registry-tool: error: not a Git repository: {tmp_path.resolve()} (or any parent folder)\n"


@pytest.mark.parametrize("args, rev", [(["--ref", "nope"], "nope"), (["--base", "v9"], "v9"),
                                       (["--range", "main..nope"], "nope"), (["--ref", "-x"], "-x")])
def test_unknown_revision(good, cli, args, rev):
    run = cli(good.path, "validate", *args)
    assert (run.code, run.out) == (2, "")
    assert run.err == f"registry-tool: error: unknown revision '{rev}'\n"


def test_errors_are_one_line_from_the_real_interpreter(good, tmp_path, run_process):
    """The same errors from a real process: exit 2, one line on stderr, no traceback."""
    for cwd, args, expected in (
        (tmp_path, ["--ref", "HEAD"], f"not a Git repository: {tmp_path.resolve()} (or any parent folder)"),
        (good.path, ["--base", "nope"], "unknown revision 'nope'"),
    ):
        proc = run_process(cwd, "validate", *args)
        assert (proc.code, proc.out, proc.err) == (2, "", f"registry-tool: error: {expected}\n")


def test_revision_that_is_not_a_commit(good, cli):
    blob = good.git("rev-parse", "HEAD:models/faq-bot.yaml")
    run = cli(good.path, "validate", "--ref", blob)
    assert run.code == 2
    assert run.err == f"registry-tool: error: '{blob}' names a blob, not a commit\n"


def test_unborn_head(repo, cli):
    run = cli(repo.path, "validate", "--ref", "HEAD")
    assert run.code == 2
    assert run.err.startswith("registry-tool: error: HEAD has no commits yet")


def test_bare_repository_with_ref(good, cli, tmp_path):
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(good.path), str(bare)], check=True)
    code, found, data = validate_json(cli, bare, "--ref", "main")
    assert (code, found, data["files_checked"]) == (0, [], 1)
    code, found, _ = validate_json(cli, bare, "--ref", "HEAD", "--base", "main")
    assert (code, found) == (0, [])


@pytest.mark.parametrize("args", [[], ["--base", "main"]])
def test_bare_repository_without_ref_is_a_clear_error(good, cli, tmp_path, args):
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(good.path), str(bare)], check=True)
    run = cli(bare, "validate", *args)
    assert (run.code, run.out) == (2, "")
    assert run.err == "registry-tool: error: this is a bare repository with no working tree; pass --ref\n"


def test_detached_head(good, cli):
    first = good.git("rev-parse", "HEAD")
    good.write("models/faq-bot.yaml", BAD)
    good.commit("break it")
    good.git("checkout", "-q", "--detach", first)
    assert validate_json(cli, good.path)[0] == 0  # the working tree at the detached commit
    assert validate_json(cli, good.path, "--ref", "HEAD")[0] == 0
    _, found, _ = validate_json(cli, good.path, "--ref", "main")
    assert [(v["line"], v["rule"]) for v in found] == [(BAD_LINE, "undeclared-stage")]


def test_no_traceback_on_an_unreadable_file(bad, run_process):
    target = bad.path / "models" / "faq-bot.yaml"
    target.chmod(0)
    try:
        if os.access(target, os.R_OK):  # running as root: permissions do not apply
            pytest.skip("file permissions are not enforced for this user")
        proc = run_process(bad.path, "validate")
    finally:
        target.chmod(0o644)
    assert proc.code == 2
    assert "Traceback" not in proc.err
    assert proc.err == "registry-tool: error: models/faq-bot.yaml: cannot read: Permission denied\n"


# --- colour -------------------------------------------------------------------------------

def test_no_colour_when_not_a_terminal(bad, run_process):
    proc = run_process(bad.path, "validate")
    assert proc.code == 1 and "\x1b[" not in proc.out


def test_colour_can_be_forced(bad, cli):
    run = cli(bad.path, "validate", "--color")
    assert "\x1b[" in run.out
    assert "\x1b[" not in cli(bad.path, "validate", "--color", "--format", "json").out


def _on_a_terminal(cwd, *args, env=None):
    """Run validate with stdout on a pseudo-terminal; return what it printed."""
    leader, follower = pty.openpty()
    full_env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "registry_tool", "validate", *args], cwd=cwd, env=full_env,
                            stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    return proc.returncode, b"".join(chunks).decode()


def test_colour_on_a_terminal_unless_no_color(bad):
    code, out = _on_a_terminal(bad.path)
    assert code == 1 and "\x1b[" in out
    code, out = _on_a_terminal(bad.path, env={"NO_COLOR": "1"})
    assert code == 1 and "\x1b[" not in out
    code, out = _on_a_terminal(bad.path, "--no-color")
    assert "\x1b[" not in out


def test_path_in_a_folder_inside_models_is_unexpected_as_in_a_full_run(good, cli):
    """pre-commit passes models/sub/x.yaml; it must not pass there and fail in CI."""
    good.write("models/sub/x.yaml", model("x", version("1", "none")))
    _, found, _ = validate_json(cli, good.path, "models/sub/x.yaml")
    assert [(v["file"], v["line"], v["column"], v["rule"]) for v in found] == [("models/sub/x.yaml", 1, 1, "unexpected-file")]
    assert found[0]["message"] == ("models/sub/x.yaml is in a folder inside models/; "
                                   "model files sit directly in the models directory")
    _, found, _ = validate_json(cli, good.path)
    assert [(v["file"], v["rule"]) for v in found] == [("models/sub", "unexpected-file")]
