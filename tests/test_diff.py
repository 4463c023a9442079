"""``registry-tool diff``: what a promotion pull request does, in text, json and markdown."""

from __future__ import annotations

import json

from audit_scenarios import faq
from builders import model, version

POLICY = """\
gates:
  production:
    require_sha256: true
    min_metrics: {accuracy: 0.9}
    no_regression: {accuracy: higher_is_better}
"""


def promotion_pr(repo, *, accuracy: str = "0.93") -> tuple[str, str]:
    """main: faq-bot 1.0.0 in production, 1.1.0 in staging, ocr v1 in staging; the PR promotes
    1.1.0 (demoting 1.0.0), re-measures ocr v1 and registers faq-bot 2.0.0."""
    repo.write("registry.yaml", POLICY)
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "production"), ("1.1.0", "staging")))
    repo.write("models/ocr.yaml", model("ocr", version("v1", "staging", metrics={"cer": 0.1}, flow=True)))
    base = repo.commit("Base")
    repo.git("checkout", "-q", "-b", "promote")
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging"), ("1.1.0", "production"), ("2.0.0", "none"))
               .replace("accuracy: 0.93", f"accuracy: {accuracy}"))
    repo.write("models/ocr.yaml", model("ocr", version("v1", "staging", metrics={"cer": 0.08, "wer": 0.2}, flow=True)))
    head = repo.commit("Promote faq-bot 1.1.0")
    return base, head


def test_promotion_pr_text(cli, repo):
    base, head = promotion_pr(repo)
    run = cli(repo.path, "diff", base, head)
    assert run.code == 0
    assert run.out == (
        f"registry changes {base[:12]}..{head[:12]}\n"
        "  faq-bot 1.1.0: staging → production (1.0.0: production → staging)\n"
        "      production gates pass: gate-sha256, gate-min-metric, gate-no-regression\n"
        "  faq-bot 2.0.0: registered in none\n"
        "  ocr v1: metrics cer 0.1 → 0.08, wer (none) → 0.2\n"
    )


def test_promotion_pr_json(cli, repo):
    base, head = promotion_pr(repo)
    run = cli(repo.path, "diff", base, head, "--format", "json")
    assert run.code == 0
    data = json.loads(run.out)
    assert data["base"] == base and data["head"] == head and data["unreadable"] == []
    assert [(c["event"], c["model"], c["version"], c["from_stage"], c["to_stage"]) for c in data["changes"]] == [
        ("stage_changed", "faq-bot", "1.0.0", "production", "staging"),
        ("stage_changed", "faq-bot", "1.1.0", "staging", "production"),
        ("version_registered", "faq-bot", "2.0.0", None, "none"),
        ("version_updated", "ocr", "v1", None, None),
    ]
    assert data["changes"][3]["fields"] == ["metrics"]
    assert data["changes"][3]["metrics"] == [{"metric": "cer", "from": 0.1, "to": 0.08},
                                             {"metric": "wer", "from": None, "to": 0.2}]
    assert data["gates"] == [{"model": "faq-bot", "version": "1.1.0", "stage": "production", "alias": None, "ok": True,
                              "rollback": False, "violations": [],
                              "checked": ["gate-sha256", "gate-min-metric", "gate-no-regression"]}]
    assert run.out == json.dumps(data, indent=2, sort_keys=True) + "\n"  # keys sorted, ASCII


def test_promotion_pr_markdown(cli, repo):
    base, head = promotion_pr(repo)
    run = cli(repo.path, "diff", base, head, "--format", "markdown")
    assert run.out == (
        "### Registry changes\n\n"
        f"From `{base[:12]}` to `{head[:12]}`.\n\n"
        "| Model | Change | Production gates |\n"
        "| --- | --- | --- |\n"
        "| `faq-bot` | 1.1.0: staging → production (1.0.0: production → staging) | ✅ `gate-sha256`, `gate-min-metric`, `gate-no-regression` |\n"
        "| `faq-bot` | 2.0.0: registered in none |  |\n"
        "| `ocr` | v1: metrics cer 0.1 → 0.08, wer (none) → 0.2 |  |\n"
    )


def test_failing_gates_are_shown_with_rule_file_and_line(cli, repo):
    base, head = promotion_pr(repo, accuracy="0.91")  # below 1.0.0's 0.92: a regression
    data = json.loads(cli(repo.path, "diff", base, head, "--format", "json").out)
    (check,) = data["gates"]
    assert check["ok"] is False
    assert [(v["rule"], v["file"], v["line"]) for v in check["violations"]] == [("gate-no-regression", "models/faq-bot.yaml", 15)]
    text = cli(repo.path, "diff", base, head).out.splitlines()
    assert text[2] == "      production gates FAIL: gate-no-regression"
    assert text[3].startswith("        models/faq-bot.yaml:15:")
    md = cli(repo.path, "diff", base, head, "--format", "markdown").out
    assert "| ❌ `gate-no-regression` |" in md
    assert "- `models/faq-bot.yaml` line 15: `gate-no-regression`: faq-bot 1.1.0: accuracy is 0.91, worse than 0.92" in md


def test_head_defaults_to_the_working_tree(cli, repo):
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging"), ("1.1.0", "staging")))
    base = repo.commit("Base")
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging"), ("1.1.0", "archived")))
    repo.write("models/ocr.yaml", model("ocr", version("v1", "none")))
    run = cli(repo.path, "diff", "HEAD")
    assert run.out == (
        f"registry changes {base[:12]}..working tree\n"
        "  faq-bot 1.1.0: staging → archived\n"
        "  ocr: new model\n"
        "  ocr v1: registered in none\n"
    )
    assert json.loads(cli(repo.path, "diff", "HEAD", "--format", "json").out)["head"] is None
    assert "to the working tree." in cli(repo.path, "diff", "HEAD", "--format", "markdown").out


def test_no_changes_and_no_gates(cli, repo):
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging")))
    base = repo.commit("Base")
    repo.write("README.md", "docs\n")
    repo.commit("Docs")
    head = repo.git("rev-parse", "HEAD")
    assert cli(repo.path, "diff", base, "HEAD").out == f"registry changes {base[:12]}..{head[:12]}\n  no model or policy changes\n"
    assert "No model or policy changes." in cli(repo.path, "diff", base, "HEAD", "--format", "markdown").out
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "production")))
    head = repo.commit("Promote")
    assert cli(repo.path, "diff", base, head).out.splitlines()[1:] == [
        "  faq-bot 1.0.0: staging → production", "      no production gates configured"]


def test_a_file_that_does_not_load_is_named_not_compared(cli, repo):
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging")))
    base = repo.commit("Base")
    repo.write("models/faq-bot.yaml", "name: faq-bot\nversions: [\n")
    run = cli(repo.path, "diff", base)
    assert run.code == 0
    assert run.out.splitlines()[1:] == ["  no model or policy changes",
                                        "  not compared: models/faq-bot.yaml:3:1: yaml-syntax: " +
                                        run.out.split("yaml-syntax: ", 1)[1].splitlines()[0]]
    data = json.loads(cli(repo.path, "diff", base, "--format", "json").out)
    assert [(v["file"], v["rule"]) for v in data["unreadable"]] == [("models/faq-bot.yaml", "yaml-syntax")]


def test_removed_model_and_version(cli, repo):
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "production"), ("1.1.0", "none")))
    repo.write("models/ocr.yaml", model("ocr", version("v1", "none")))
    base = repo.commit("Base")
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "production")))
    (repo.path / "models/ocr.yaml").unlink()
    assert cli(repo.path, "diff", base).out.splitlines()[1:] == [
        "  faq-bot 1.1.0: removed (was none)", "  ocr: model removed"]


def test_errors(cli, repo, tmp_path):
    repo.write("models/faq-bot.yaml", faq(("1.0.0", "staging")))
    repo.commit("Base")
    run = cli(repo.path, "diff", "nope")
    assert (run.code, run.err) == (2, "registry-tool: error: unknown revision 'nope'\n")
    bare = tmp_path / "bare.git"
    repo.git("clone", "-q", "--bare", str(repo.path), str(bare))
    run = cli(bare, "diff", "HEAD")
    assert (run.code, run.err) == (2, "registry-tool: error: this is a bare repository with no working tree; pass HEAD (a revision)\n")
    assert cli(bare, "diff", "HEAD", "HEAD").code == 0


def test_files_whose_name_is_not_a_model_name_are_not_models(cli, repo):
    repo.write("models/ocr.yaml", model("ocr", version("v1", "none")))
    base = repo.commit("Register ocr")
    repo.write("models/FOO.yaml", model("foo", version("v1", "none")))
    repo.write("models/.yaml", model("x", version("v1", "none")))
    head = repo.commit("Two files that are not model files")
    for args in ((base, head), (head, base)):
        run = cli(repo.path, "diff", *args)
        assert (run.code, run.out) == (0, f"registry changes {args[0][:12]}..{args[1][:12]}\n  no model or policy changes\n")


def test_a_repository_without_commits_gets_a_hint_diff_can_follow(cli, repo):
    for args in (("HEAD",), ("HEAD", "HEAD"), ("--format", "json", "HEAD")):
        run = cli(repo.path, "diff", *args)
        assert (run.code, run.out) == (2, "")
        assert run.err == ("registry-tool: error: HEAD has no commits yet: commit something first (diff compares the "
                           "commit BASE with the commit HEAD, or with the working tree)\n")
