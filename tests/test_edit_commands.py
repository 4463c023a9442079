"""Each editing command from the CLI on hand-written files: the exact resulting text, a diff
that touches only the intended lines, and refusals that leave everything untouched."""

from __future__ import annotations

import hashlib
import pickle

import pytest
from edit_helpers import FAQ, OCR, changed_lines, fingerprint, text, two_models

SHA = "3b4f1a0c39339158b0d934c40c3d7cd7daf37b998636deb5e8666ee1a7a398f8"


@pytest.fixture
def reg(repo):
    return two_models(repo)


def test_register_appends_a_version_and_touches_only_new_lines(reg, cli):
    run = cli(reg.path, "register", "faq-bot", "2.0.0", "--artifact-uri", "s3://bucket/faq-bot/2.0.0/model.onnx",
              "--sha256", SHA.upper(), "--size-bytes", "1024", "--artifact-format", "onnx", "--run-id", "run-42",
              "--metric", "accuracy=0.95", "--metric", "core-v1/score=0.93", "--tag", "candidate", "--tag", "yes",
              "--description", "Bigger: retrained", "--stage", "staging", "--dry-run")
    assert run.code == 0
    # Like the last version: the artifact in flow style; nested metrics in block style.
    assert changed_lines(run.out) == [
        '+  - version: "2.0.0"',
        '+    stage: staging',
        '+    description: "Bigger: retrained"',
        '+    artifact: {uri: s3://bucket/faq-bot/2.0.0/model.onnx, sha256: ' + SHA + ', size_bytes: 1024, format: onnx}',
        '+    run_id: run-42',
        '+    metrics:',
        '+      accuracy: 0.95',
        '+      suites:',
        '+        core-v1: {score: 0.93}',
        '+    tags: [candidate, "yes"]',
        '+',
    ]
    assert text(reg) == FAQ  # a dry run writes nothing
    run = cli(reg.path, "register", "faq-bot", "2.0.0", "--artifact-uri", "s3://bucket/faq-bot/2.0.0/model.onnx")
    assert run.code == 0
    assert run.out == "register faq-bot 2.0.0: wrote models/faq-bot.yaml\n"
    assert text(reg) == FAQ.replace("\n# end of file", '\n  - version: "2.0.0"\n    stage: none\n'
                                    '    artifact: {uri: s3://bucket/faq-bot/2.0.0/model.onnx}\n\n# end of file')
    assert cli(reg.path, "validate", "--base", "HEAD").code == 0


def test_register_a_new_model(reg, cli):
    run = cli(reg.path, "register", "sentiment", "0.1.0", "--artifact-uri", "hf://acme/sentiment@0.1.0", "--artifact-format", "safetensors",
              "--tag", "nlp")
    assert run.code == 0
    assert "new model file models/sentiment.yaml" in run.out
    assert text(reg, "sentiment") == """\
# yaml-language-server: $schema=../schemas/model.schema.json
name: sentiment
versions:
  - version: "0.1.0"
    stage: none
    artifact:
      uri: hf://acme/sentiment@0.1.0
      format: safetensors
    tags: [nlp]
"""
    assert cli(reg.path, "validate", "--base", "HEAD").code == 0


def test_register_file_streams_sha256_and_size_and_never_unpickles(reg, cli, tmp_path):
    marker = tmp_path / "unpickled"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    artifact = tmp_path / "model.pkl"
    artifact.write_bytes(pickle.dumps(Evil()) + b"\0" * (3 * 1024 * 1024 + 7))  # several chunks
    data = artifact.read_bytes()
    run = cli(reg.path, "register", "faq-bot", "2.0.0", "--artifact-uri", "s3://b/model.pkl", "--file", str(artifact),
              "--format", "sklearn")
    assert run.code == 0
    assert f"sha256: {hashlib.sha256(data).hexdigest()}, size_bytes: {len(data)}, format: sklearn" in text(reg)
    assert not marker.exists()
    run = cli(reg.path, "register", "faq-bot", "2.0.1", "--artifact-uri", "s3://b/m", "--file", str(artifact), "--sha256", SHA)
    assert run.code == 2
    assert f"--sha256 {SHA} does not match" in run.err


def test_register_an_existing_version_is_refused_untouched(reg, cli):
    before = fingerprint(reg.path)
    run = cli(reg.path, "register", "faq-bot", "1.1.0", "--artifact-uri", "s3://b/other", "--commit")
    assert run.code == 1
    assert run.err == ("registry-tool: error: faq-bot 1.1.0 is already registered (with a different artifact.uri); "
                       "register a new version label instead\n")
    run = cli(reg.path, "register", "faq-bot", "1.1.0", "--artifact-uri", "s3://bucket/faq-bot/1.1.0/model.onnx",
              "--metric", "accuracy=0.5", "--run-id", "r-9")
    assert run.code == 1 and "(with a different run_id, metrics.accuracy)" in run.err
    assert fingerprint(reg.path) == before


def test_registering_the_same_version_again_is_a_no_op(reg, cli):
    """A CI job re-run: the same command again changes nothing and succeeds, even after the
    version moved on (its stage) or gained metrics."""
    before = fingerprint(reg.path)
    for extra in ((), ("--stage", "staging"), ("--metric", "accuracy=0.93", "--artifact-format", "onnx")):
        run = cli(reg.path, "register", "faq-bot", "1.1.0", "--artifact-uri", "s3://bucket/faq-bot/1.1.0/model.onnx",
                  *extra, "--commit")
        assert run.code == 0, run.err
        assert run.err == "faq-bot 1.1.0 is already registered as given (now in staging): nothing to change\n"
    assert fingerprint(reg.path) == before


def test_promote_demotes_the_current_production_version(reg, cli):
    run = cli(reg.path, "promote", "faq-bot", "1.1.0", "--to", "production", "--dry-run")
    assert changed_lines(run.out) == [
        "-    stage: production          # quoted labels, plain stages",
        "+    stage: staging          # quoted labels, plain stages",
        "-    stage: staging   # canary",
        "+    stage: production   # canary",
    ]
    run = cli(reg.path, "promote", "faq-bot", "1.1.0", "--to", "production")
    assert run.code == 0
    assert run.out == ("promote faq-bot 1.1.0 to production: wrote models/faq-bot.yaml\n"
                       "  faq-bot 1.0.0 demoted from production to staging\n")
    assert text(reg) == FAQ.replace("stage: production ", "stage: staging ").replace("stage: staging   # canary",
                                                                                 "stage: production   # canary")


def test_promote_refused_by_a_gate_names_rule_file_and_line(reg, cli):
    reg.write("registry.yaml", "gates:\n  production:\n    require_sha256: true\n    min_metrics: {core-v1/score: 0.95}\n")
    reg.commit("gates")
    before = fingerprint(reg.path)
    run = cli(reg.path, "promote", "faq-bot", "1.1.0", "--to", "production", "--commit")
    assert run.code == 1
    assert run.err.splitlines() == [
        "models/faq-bot.yaml:19:5: gate-sha256: faq-bot 1.1.0: production needs artifact.sha256",
        "models/faq-bot.yaml:24:26: gate-min-metric: faq-bot 1.1.0: core-v1/score is 0.9; production needs at least 0.95",
        "registry-tool: error: promote refused: 2 violations; nothing was written",
    ]
    assert fingerprint(reg.path) == before


def test_promote_with_on_promote_refuse(reg, cli):
    reg.write("registry.yaml", "on_promote: refuse\n")
    reg.commit("refuse")
    run = cli(reg.path, "promote", "faq-bot", "1.1.0", "--to", "production")
    assert run.code == 1
    assert "models/faq-bot.yaml:18:12: demotion-required: faq-bot 1.1.0 replaces 1.0.0 in production" in run.err
    assert text(reg) == FAQ
    assert cli(reg.path, "promote", "faq-bot", "1.0.0", "--to", "staging").code == 0
    assert cli(reg.path, "promote", "faq-bot", "1.1.0", "--to", "production").code == 0


def test_skipped_stage_and_unknown_versions(reg, cli):
    run = cli(reg.path, "promote", "faq-bot", "1.2.0", "--to", "production")
    assert run.code == 1
    assert "models/faq-bot.yaml:27:12: skipped-stage: faq-bot 1.2.0: none -> production skips staging" in run.err
    run = cli(reg.path, "promote", "faq-bot", "9.9.9", "--to", "staging")
    assert run.code == 2
    assert run.err == "registry-tool: error: faq-bot has no version 9.9.9 (versions: 1.0.0, 1.1.0, 1.2.0)\n"
    run = cli(reg.path, "promote", "nope", "1", "--to", "staging")
    assert (run.code, run.err) == (2, "registry-tool: error: no model nope: models/nope.yaml does not exist\n")
    run = cli(reg.path, "promote", "faq-bott", "1.1.0", "--to", "staging")  # a typo: named as get names it
    assert (run.code, run.err) == (2, "registry-tool: error: no model faq-bott: models/faq-bott.yaml does not exist; "
                                      "did you mean 'faq-bot'?\n")
    run = cli(reg.path, "promote", "../etc/passwd", "1", "--to", "staging")
    assert run.code == 2 and "is not a model name" in run.err
    assert text(reg) == FAQ


def test_promote_to_the_stage_it_is_in_changes_nothing(reg, cli):
    before = fingerprint(reg.path)
    run = cli(reg.path, "promote", "faq-bot", "1.0.0", "--to", "production", "--commit")
    assert (run.code, run.out) == (0, "")
    assert run.err == "faq-bot 1.0.0 is already in production: nothing to change\n"
    assert fingerprint(reg.path) == before


def test_archive_flow_style_crlf_file(reg, cli):
    run = cli(reg.path, "archive", "ocr", "v1")
    assert run.code == 0
    assert text(reg, "ocr") == OCR.replace("{version: v1, stage: none", "{version: v1, stage: archived")
    run = cli(reg.path, "promote", "ocr", "v1", "--to", "staging")
    assert run.code == 1
    assert "models/ocr.yaml:4:24: archived-promotion: ocr v1: archived -> staging" in run.err


def test_metrics_merge_suite_scoped_results(reg, cli):
    run = cli(reg.path, "metrics", "faq-bot", "1.1.0", "--suite", "core-v1", "score=0.91", "config_parse_ok=true")
    assert run.code == 0
    assert run.out == "metrics: faq-bot 1.1.0 core-v1/score=0.91, core-v1/config_parse_ok=true: wrote models/faq-bot.yaml\n"
    run = cli(reg.path, "metrics", "faq-bot", "1.1.0", "latency_ms=120", "smoke-v1/score=1")
    assert run.code == 0
    assert text(reg) == FAQ.replace("""      accuracy: 0.93   # offline
      suites:
        core-v1: {score: 0.9}
""", """      accuracy: 0.93   # offline
      latency_ms: 120
      suites:
        core-v1: {score: 0.91, config_parse_ok: true}
        smoke-v1: {score: 1}
""")
    run = cli(reg.path, "metrics", "ocr", "v2", "cer=0.031")
    assert run.code == 0
    assert text(reg, "ocr") == OCR.replace("{version: v2, stage: none, artifact: {uri: 'gs://m/ocr/v2'}}",
                                           "{version: v2, stage: none, artifact: {uri: 'gs://m/ocr/v2'}, metrics: {cer: 0.031}}")


def test_metrics_bad_values(reg, cli):
    run = cli(reg.path, "metrics", "faq-bot", "1.1.0", "accuracy=high")
    assert (run.code, run.err) == (2, "registry-tool: error: metric accuracy: 'high' is not a number (or true/false): "
                                      "write it in digits 0-9, with a sign, a decimal point or an exponent if needed "
                                      "(0.93, -2, 1.5e-3)\n")
    for value in ("nan", "-inf", "1e999"):
        run = cli(reg.path, "metrics", "faq-bot", "1.1.0", f"accuracy={value}")
        assert (run.code, run.err) == (2, f"registry-tool: error: metric accuracy: {value} is not a finite number\n")
    assert text(reg) == FAQ


@pytest.mark.parametrize("value", ["1_0", "１.５", "١", "0x10", "1,5", "1e", ".", "+"])
def test_metric_values_take_only_the_plain_number_forms(reg, cli, value):
    """Python's float() reads 1_0 as ten and full-width or Arabic-Indic digits as numbers;
    the loader refuses 1_0 in a file, so the command line takes digits 0-9 only."""
    for args in (["metrics", "faq-bot", "1.1.0", f"accuracy={value}"],
                 ["register", "faq-bot", "3.0.0", "--artifact-uri", "s3://b/3", "--metric", f"accuracy={value}"]):
        run = cli(reg.path, *args)
        assert run.code == 2
        assert run.err == (f"registry-tool: error: metric accuracy: '{value}' is not a number (or true/false): write it in "
                           "digits 0-9, with a sign, a decimal point or an exponent if needed (0.93, -2, 1.5e-3)\n")
    assert text(reg) == FAQ


@pytest.mark.parametrize(("value", "written"), [("10", "10"), ("-2", "-2"), ("+0.5", "0.5"), (".5", "0.5"),
                                                ("7.", "7.0"), ("1.5e-3", "0.0015"), ("2E2", "200.0")])
def test_metric_values_in_the_plain_forms_are_written(reg, cli, value, written):
    assert cli(reg.path, "metrics", "faq-bot", "1.2.0", f"score={value}").code == 0
    assert f"metrics: {{score: {written}}}" in text(reg) or f"score: {written}\n" in text(reg)


@pytest.mark.parametrize(("args", "option"), [
    (["register", "faq-bot", "3.0.0", "--artifact-uri", "s3://b/3", "--size-bytes", "1_0"], "--size-bytes"),
    (["set", "faq-bot", "1.2.0", "--size-bytes", "１０"], "--size-bytes"),
    (["retention", "--keep", "1_0"], "--keep"),
    (["history", "--limit", "٣"], "--limit"),
])
def test_whole_number_options_take_digits_0_to_9_only(reg, cli, args, option):
    run = cli(reg.path, *args)
    assert run.code == 2
    assert f"Invalid value for '{option}': '{args[-1]}' is not a whole number in digits 0-9." in run.err
    assert text(reg) == FAQ


def test_where_compares_only_plain_numbers(reg, cli):
    run = cli(reg.path, "show", "--where", "metrics.accuracy>1_0")
    assert (run.code, run.err) == (2, "registry-tool: error: --where 'metrics.accuracy>1_0': metrics.accuracy is "
                                      "compared as a number, and '1_0' is not one\n")


def test_metrics_records_a_boolean_top_level_metric(reg, cli):
    run = cli(reg.path, "metrics", "faq-bot", "1.1.0", "slo_ok=true")  # seed 003: booleans at the top level too
    assert run.code == 0
    assert "      slo_ok: true\n" in text(reg)


def test_retention_archives_old_versions_in_stage_none_only(reg, cli):
    run = cli(reg.path, "retention", "--keep", "1", "--dry-run")
    assert changed_lines(run.out) == [  # (CliRunner's stdout turns the file's CRLF into LF)
        "-  {version: v1, stage: none, artifact: {uri: 'gs://m/ocr/v1'}},   # first",
        "-  {version: v2, stage: none, artifact: {uri: 'gs://m/ocr/v2'}},",
        "+  {version: v1, stage: archived, artifact: {uri: 'gs://m/ocr/v1'}},   # first",
        "+  {version: v2, stage: archived, artifact: {uri: 'gs://m/ocr/v2'}},",
    ]
    run = cli(reg.path, "retention", "faq-bot", "--keep", "1")  # 1.0.0 production, 1.1.0 staging: spared
    assert run.code == 0
    assert "nothing to archive" in run.err
    run = cli(reg.path, "retention", "--keep", "2", "--commit")
    assert run.code == 0
    assert run.out.startswith("[main ") and "retention: keep the newest 2 versions, archive ocr v1" in run.out
    assert text(reg, "ocr") == OCR.replace("{version: v1, stage: none", "{version: v1, stage: archived")


def test_rollback_needs_history(reg, cli):
    run = cli(reg.path, "rollback", "faq-bot")
    assert run.code == 1
    assert run.err == ("registry-tool: error: cannot roll back faq-bot: no version other than 1.0.0 was ever in "
                       "production in the history of models/faq-bot.yaml\n")
    assert cli(reg.path, "promote", "faq-bot", "1.1.0", "--to", "production", "--commit").code == 0
    run = cli(reg.path, "rollback", "faq-bot", "--commit")
    assert run.code == 0
    assert text(reg) == FAQ  # back where it was, byte for byte
    promoted = reg.git("rev-parse", "HEAD~1")  # 1.1.0 into production, before the rollback
    assert cli(reg.path, "archive", "faq-bot", "1.0.0", "--commit").code == 0
    assert cli(reg.path, "archive", "faq-bot", "1.1.0", "--commit").code == 0
    run = cli(reg.path, "rollback", "faq-bot")  # production is empty: the one before the last there (1.0.0)
    assert run.code == 1
    assert f"cannot roll back faq-bot to 1.1.0 (put in production by commit {promoted[:12]}): " in run.err
    assert "it is archived, and archived versions are never promoted again" in run.err


def test_rollback_after_the_production_version_was_taken_out_returns_the_one_before(reg, cli):
    """Where ``on_promote: refuse`` holds, a bad version is taken out of production first
    (demoted or archived) and then rolled back from: the rollback returns the version that
    was there before the one taken out, never the one taken out."""
    for args in (["promote", "faq-bot", "1.1.0", "--to", "production"], ["promote", "faq-bot", "1.1.0", "--to", "staging"]):
        assert cli(reg.path, *args, "--commit").code == 0
    assert cli(reg.path, "get", "faq-bot", "--stage", "production").code != 0  # production is empty
    run = cli(reg.path, "rollback", "faq-bot", "--commit")
    assert run.code == 0, run.err
    assert "rollback faq-bot to 1.0.0" in run.out
    assert cli(reg.path, "get", "faq-bot", "--stage", "production", "--field", "version").out == "1.0.0\n"


def test_rollback_with_production_empty_and_one_version_ever_there(reg, cli):
    assert cli(reg.path, "promote", "faq-bot", "1.0.0", "--to", "staging", "--commit").code == 0
    run = cli(reg.path, "rollback", "faq-bot")
    assert run.code == 1
    assert run.err == ("registry-tool: error: cannot roll back faq-bot: no version other than 1.0.0 (the last in "
                       "production) was ever in production in the history of models/faq-bot.yaml\n")


def test_commit_uses_git_config_author_and_default_message(reg, cli):
    run = cli(reg.path, "promote", "faq-bot", "1.1.0", "--to", "production", "--commit")
    assert run.code == 0
    assert run.out.startswith("[main ") and run.out.splitlines()[0].endswith("] promote faq-bot 1.1.0 to production")
    assert reg.git("log", "-1", "--format=%an <%ae>|%cn <%ce>|%s|%b") == (
        "Test User <test@example.com>|Test User <test@example.com>|promote faq-bot 1.1.0 to production|"
        "faq-bot 1.0.0 demoted from production to staging")
    assert reg.git("status", "--porcelain") == ""
    assert reg.git("show", "HEAD:models/faq-bot.yaml") + "\n" == text(reg)
    run = cli(reg.path, "archive", "faq-bot", "1.2.0", "--commit", "-m", "archive the unused candidate\n\nIt never passed QA.")
    assert run.code == 0
    assert reg.git("log", "-1", "--format=%B") == "archive the unused candidate\n\nIt never passed QA."


def test_commit_leaves_other_staged_changes_staged(reg, cli):
    reg.write("NOTES.md", "staged, not part of the edit\n")
    reg.git("add", "NOTES.md")
    assert cli(reg.path, "archive", "ocr", "v1", "--commit").code == 0
    assert reg.git("show", "--name-only", "--format=", "HEAD") == "models/ocr.yaml"
    assert reg.git("status", "--porcelain") == "A  NOTES.md"


def test_commit_refuses_a_file_with_uncommitted_changes(reg, cli):
    reg.write("models/faq-bot.yaml", FAQ.replace("# end of file", "# end of file, edited"))
    before = fingerprint(reg.path)
    run = cli(reg.path, "archive", "faq-bot", "1.2.0", "--commit")
    assert run.code == 2
    assert run.err == ("registry-tool: error: models/faq-bot.yaml has uncommitted changes in the working tree; "
                       "commit or stash them first, or edit without --commit\n")
    assert fingerprint(reg.path) == before


def test_branch_leaves_the_current_branch_index_and_files_alone(reg, cli):
    reg.write("models/ocr.yaml", "work in progress, not even YAML: [\n")
    before = fingerprint(reg.path)
    run = cli(reg.path, "promote", "faq-bot", "1.1.0", "--to", "production", "--branch", "promote-faq-bot-1.1.0")
    assert run.code == 0
    assert run.out.splitlines()[0].startswith("[promote-faq-bot-1.1.0 ")
    assert "git push -u origin promote-faq-bot-1.1.0" in run.out
    after = fingerprint(reg.path)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert all(k.startswith((".git/objects/", ".git/refs/heads/promote-faq-bot-1.1.0", ".git/logs/refs/heads/promote-faq-bot-1.1.0"))
               for k in changed), changed
    assert reg.git("rev-parse", "--abbrev-ref", "HEAD") == "main"
    assert reg.git("log", "-1", "--format=%s", "promote-faq-bot-1.1.0") == "promote faq-bot 1.1.0 to production"
    assert reg.git("diff", "--name-only", "main", "promote-faq-bot-1.1.0") == "models/faq-bot.yaml"
    assert cli(reg.path, "validate", "--ref", "promote-faq-bot-1.1.0", "--base", "main").code == 0
    run = cli(reg.path, "archive", "faq-bot", "1.2.0", "--branch", "promote-faq-bot-1.1.0")
    assert (run.code, run.err) == (2, "registry-tool: error: branch promote-faq-bot-1.1.0 already exists; pick another name\n")
    run = cli(reg.path, "archive", "faq-bot", "1.2.0", "--branch", "bad..name")
    assert (run.code, run.err) == (2, "registry-tool: error: 'bad..name' is not a valid branch name\n")


@pytest.mark.parametrize(("name", "why"), [
    ("HEAD", ""), ("@", ""), ("-d", ""), ("x.lock", ""),
    ("refs/heads/y", ": give the branch name without the refs/heads/ prefix (--branch y)"),
    ("refs/tags/v1", ": give the branch name without the refs/heads/ prefix"),
])
def test_branch_names_git_branch_refuses_are_refused(reg, cli, name, why):
    """HEAD and @ as branch names make every revision HEAD ambiguous; refs/heads/y would be
    created as refs/heads/refs/heads/y."""
    before = fingerprint(reg.path)
    for dry in ([], ["--dry-run"]):  # a dry run says so too, rather than showing an edit the real run refuses
        run = cli(reg.path, "archive", "faq-bot", "1.2.0", f"--branch={name}", *dry)
        assert (run.code, run.out, run.err) == (2, "", f"registry-tool: error: '{name}' is not a valid branch name{why}\n")
    assert fingerprint(reg.path) == before


def test_message_needs_commit(reg, cli):
    run = cli(reg.path, "archive", "faq-bot", "1.2.0", "-m", "x")
    assert run.code == 2 and "-m/--message needs --commit or --branch" in run.err
    assert text(reg) == FAQ


def test_plain_folder_without_git(tmp_path, cli):
    (tmp_path / "models").mkdir()
    (tmp_path / "models/ocr.yaml").write_bytes(OCR.encode())
    assert cli(tmp_path, "archive", "ocr", "v2").code == 0
    assert "stage: archived, artifact: {uri: 'gs://m/ocr/v2'}" in (tmp_path / "models/ocr.yaml").read_text()
    run = cli(tmp_path, "archive", "ocr", "v1", "--commit")
    assert run.code == 2 and "not a Git repository" in run.err
    run = cli(tmp_path, "rollback", "ocr")
    assert run.code == 2 and "rollback reads the Git history" in run.err


def test_an_invalid_file_is_not_edited(reg, cli):
    reg.write("models/faq-bot.yaml", FAQ.replace("stage: none", "stage: None"))
    run = cli(reg.path, "archive", "faq-bot", "1.0.0")
    assert run.code == 1
    assert run.err.splitlines()[0].startswith("models/faq-bot.yaml:27:12: undeclared-stage: versions[2].stage: 'None' is not one of")
    assert run.err.splitlines()[-1] == ("registry-tool: error: models/faq-bot.yaml is not valid as it is; the edit was "
                                        "refused: 1 violation; nothing was written")


def test_json_output(reg, cli):
    import json

    run = cli(reg.path, "promote", "faq-bot", "1.1.0", "--to", "production", "--commit", "--json")
    assert run.code == 0
    data = json.loads(run.out)
    assert data == {
        "ok": True, "changed": True, "dry_run": False, "files": ["models/faq-bot.yaml"], "diff": None,
        "message": "promote faq-bot 1.1.0 to production\n\nfaq-bot 1.0.0 demoted from production to staging\n",
        "notes": ["faq-bot 1.0.0 demoted from production to staging"],
        "commit": reg.git("rev-parse", "HEAD"), "branch": "main", "warnings": [],
    }
    assert list(json.loads(run.out)) == sorted(data)
    run = cli(reg.path, "promote", "faq-bot", "1.2.0", "--to", "production", "--json")
    assert run.code == 1
    assert json.loads(run.out) == {"ok": False, "violations": [{
        "file": "models/faq-bot.yaml", "line": 27, "column": 12, "rule": "skipped-stage",
        "message": "faq-bot 1.2.0: none -> production skips staging; promote it to staging first"}]}


def test_dry_run_commit_reads_without_taking_the_index_lock(reg, cli):
    (reg.path / ".git/index.lock").write_text("")
    run = cli(reg.path, "archive", "faq-bot", "1.2.0", "--commit", "--dry-run")
    assert run.code == 0
    assert changed_lines(run.out) == ["-    stage: none", "+    stage: archived"]


def test_dry_run_prints_a_git_style_diff(reg, cli):
    run = cli(reg.path, "archive", "faq-bot", "1.2.0", "--dry-run")
    assert run.out.splitlines()[0] == "diff --git a/models/faq-bot.yaml b/models/faq-bot.yaml"
    assert "--- a/models/faq-bot.yaml\n+++ b/models/faq-bot.yaml\n@@ -24,7 +24,7 @@" in run.out
    assert run.err == "dry run: archive faq-bot 1.2.0; would write; nothing written\n"
    run = cli(reg.path, "register", "new-model", "1", "--artifact-uri", "s3://b/n", "--branch", "new-model", "--dry-run")
    assert "new file mode 100644" in run.out and "--- /dev/null\n+++ b/models/new-model.yaml\n" in run.out
    assert run.err == "dry run: register new-model 1; would write and commit on new branch new-model; nothing written\n"
    assert "new-model" not in reg.git("branch", "--list")


@pytest.mark.parametrize("name, why", [
    ("a" * 101, "at most 100 characters, not 101"),
    ("Faq-Bot", "lower-case letters and digits separated by single '.', '_' or '-'"),
])
def test_a_name_that_is_not_a_model_name_says_which_rule(reg, cli, name, why):
    before = fingerprint(reg.path)
    run = cli(reg.path, "register", name, "1.0.0", "--artifact-uri", "s3://b/1")
    assert (run.code, run.out, run.err) == (2, "", f"registry-tool: error: '{name}' is not a model name: {why}\n")
    assert fingerprint(reg.path) == before


@pytest.mark.parametrize("suite, value, message", [
    ("", "x=1", "--suite is empty: give the suite's name (core-v1), or leave --suite out for top-level metrics"),
    ("  ", "x=1", "--suite is empty: give the suite's name (core-v1), or leave --suite out for top-level metrics"),
    ("core-v1", "a/b=1", "--suite core-v1: 'a/b' is not a metric name: a metric name may not contain '/' "
                         "(--suite already names the suite)"),
])
def test_metrics_with_a_suite_refuse_an_empty_suite_or_a_path(reg, cli, suite, value, message):
    before = fingerprint(reg.path)
    run = cli(reg.path, "metrics", "faq-bot", "1.1.0", "--suite", suite, value)
    assert (run.code, run.out, run.err) == (2, "", f"registry-tool: error: {message}\n")
    assert fingerprint(reg.path) == before


def test_commit_and_branch_name_where_a_model_file_is_missing(repo, cli):
    """--commit and --branch edit the file as committed at HEAD: a model registered in the
    working tree but not committed yet is missing at HEAD, not from the disk, and the error
    says which (it said 'models/new.yaml does not exist' beside the file)."""
    repo.write("registry.yaml", "# defaults\n")
    assert cli(repo.path, "register", "new", "1.0.0", "--artifact-uri", "s3://m/new/1").code == 0
    assert (repo.path / "models/new.yaml").is_file()
    for how in (["--commit"], ["--branch", "stage-new"]):
        run = cli(repo.path, "promote", "new", "1.0.0", "--to", "staging", *how)
        assert (run.code, run.err) == (2, "registry-tool: error: no model new: HEAD has no commits yet\n")
    kept = (repo.path / "models/new.yaml").read_bytes()
    (repo.path / "models/new.yaml").unlink()
    head = repo.commit("A registry without models")
    (repo.path / "models/new.yaml").write_bytes(kept)
    repo.git("add", "models/new.yaml")
    for how in (["--commit"], ["--branch", "stage-new"]):
        run = cli(repo.path, "promote", "new", "1.0.0", "--to", "staging", *how)
        assert (run.code, run.err) == (2, f"registry-tool: error: no model new: models/new.yaml is not in HEAD "
                                          f"({head[:12]})\n")
    assert repo.git("branch", "--list", "stage-new") == ""
