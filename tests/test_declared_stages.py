"""Declared stages (issue 16): registry.yaml's ``stages`` replace the four defaults, and
every rule and command follows their properties (unique, final, order) instead of
naming production or archived; through the CLI and the API on real repositories."""

# ruff: noqa: F811  (tests take the imported fixture "change" as a parameter)
from __future__ import annotations

import json
import pickle

import pytest
from builders import line_of, model, validate_json, version
from edit_helpers import changed_lines
from test_transitions import change  # noqa: F401  (the fixture: --base, --ref --base and --range must agree)

from registry_tool import RegistryError, Stage, open_registry
from registry_tool.core.policy import DEFAULT_STAGES, Policy

NAME = "faq-bot"
PATH = f"models/{NAME}.yaml"

REGIONS = """\
stages:
  - {name: dev}
  - {name: qa}
  - {name: production-eu, unique: true}   # at most one version
  - {name: production-us, unique: true}
  - {name: archived, final: true}         # never left
initial_stages: [dev]
transitions:
  dev: [qa, archived]
  qa: [production-eu, production-us, dev, archived]
  production-eu: [qa, archived]
  production-us: [qa, archived]
gates: {production-eu: {require_sha256: true}}
"""


def faq(*versions: str) -> str:
    return model(NAME, *versions)


def stage_line(text: str, label: str) -> int:
    return line_of(text, f'version: "{label}"') + 1


@pytest.fixture
def regions(repo):
    repo.write("registry.yaml", REGIONS)
    repo.write(PATH, faq(version("1.0.0", "production-eu"), version("1.1.0", "qa"), version("1.2.0", "dev")))
    repo.commit("a registry with regions")
    return repo


def test_a_registry_with_declared_stages_is_valid(regions, cli):
    assert validate_json(cli, regions.path)[:2] == (0, [])
    policy = open_registry(regions.path).at().policy
    assert policy.stages.names == ("dev", "qa", "production-eu", "production-us", "archived")
    assert policy.stages.unique_stages == ("production-eu", "production-us")
    assert policy.is_final("archived") and not policy.is_final("qa")
    assert policy.initial_stages == {"dev"}


# --- the Stage type keeps the enum's API -----------------------------------------------------

def test_stage_is_a_string_with_the_enums_constants():
    assert list(Stage) == [Stage.NONE, Stage.STAGING, Stage.PRODUCTION, Stage.ARCHIVED]
    assert Stage("production") is Stage.PRODUCTION and Stage.PRODUCTION.value == "production"
    assert Stage("production-eu") is Stage("production-eu") and str(Stage("qa")) == "qa" == Stage("qa")
    assert pickle.loads(pickle.dumps(Stage("qa"))) is Stage("qa")
    assert json.dumps([Stage.ARCHIVED]) == '["archived"]'
    for bad in ("Production", "", "a b", 1):
        with pytest.raises(ValueError):
            Stage(bad)


def test_without_stages_the_policy_is_the_defaults():
    assert Policy.from_data({}) == Policy()
    assert Policy().stages == DEFAULT_STAGES and not DEFAULT_STAGES.declared
    assert DEFAULT_STAGES.unique_stages == ("production",) and DEFAULT_STAGES.archive_stage == "archived"


# --- undeclared stages, in model files and in registry.yaml ---------------------------------

def test_an_undeclared_stage_is_a_violation_with_a_hint(regions, cli):
    text = faq(version("1.0.0", "production"), version("1.1.0", "QA"), version("1.2.0", "staging"))
    regions.write(PATH, text)
    _, found, _ = validate_json(cli, regions.path)
    stages = "dev, qa, production-eu, production-us, archived"
    assert [(v["line"], v["column"], v["rule"], v["message"]) for v in found] == [
        (stage_line(text, "1.0.0"), 12, "undeclared-stage", f"versions[0].stage: 'production' is not one of {stages}; did you mean 'production-us'?"),
        (stage_line(text, "1.1.0"), 12, "undeclared-stage", f"versions[1].stage: 'QA' is not one of {stages}; did you mean 'qa'?"),
        (stage_line(text, "1.2.0"), 12, "undeclared-stage", f"versions[2].stage: 'staging' is not one of {stages}"),
    ]


@pytest.mark.parametrize("policy, where, message", [
    ("stages: [{name: dev}, {name: dev}]\n", (1, 30, "schema"), "stages[1].name: 'dev' is declared twice (first at stages[0])"),
    ("stages: [{name: Dev}]\n", (1, 17, "schema"),
     "stages[0].name: 'Dev' is not a stage name: a lower-case letter, then lower-case letters, digits, '_' and '-'"),
    ("stages: [{name: gone, final: true}]\n", (1, 9, "schema"), "stages: every stage is final; a new version needs a stage to start in"),
    ("stages: [{name: dev}, {name: prod, unique: true}]\ntransitions: {dev: [prd]}\n", (2, 21, "schema"),
     "transitions.dev[0]: 'prd' is not one of dev, prod; did you mean 'prod'?"),
    ("stages: [{name: dev}, {name: prod, unique: true}]\ntransitions: {staging: [prod]}\n", (2, 15, "unknown-field"),
     "transitions: unknown field 'staging'; allowed: dev, prod"),
    ("stages: [{name: dev}, {name: prod, unique: true}]\ninitial_stages: [none]\n", (2, 18, "schema"),
     "initial_stages[0]: 'none' is not one of dev, prod"),
    ("stages: [{name: dev}, {name: prod, unique: true}]\ndemote_to: prod\n", (2, 12, "schema"),
     "demote_to: 'prod' is not one of dev"),
    ("stages: [{name: dev}, {name: prod, unique: true}]\ngates: {production: {require_sha256: true}}\n", (2, 9, "unknown-field"),
     "gates: unknown field 'production'; allowed: dev, prod"),
    ("models:\n  faq-bot:\n    gates: {qa: {require_sha256: true}}\n", (3, 13, "unknown-field"),
     "models.faq-bot.gates: unknown field 'qa'; allowed: none, production, staging"),
])
def test_registry_yaml_names_only_declared_stages(repo, cli, policy, where, message):
    repo.write(PATH, faq(version("1.0.0", "none")))
    repo.write("registry.yaml", policy)
    _, found, _ = validate_json(cli, repo.path)
    assert [(v["file"], v["line"], v["column"], v["rule"], v["message"]) for v in found] == [("registry.yaml", *where, message)]


def test_the_api_refuses_a_file_with_an_undeclared_stage(regions):
    regions.write(PATH, faq(version("1.0.0", "staging")))
    regions.commit("a stage from before")
    with pytest.raises(RegistryError, match=r"undeclared-stage: versions\[0\]\.stage: 'staging' is not one of dev, qa"):
        open_registry(regions.path).at().model(NAME)


# --- the rules follow the declared properties ------------------------------------------------

def test_each_unique_stage_holds_one_version(regions, cli):
    text = faq(version("1.0.0", "production-eu"), version("1.1.0", "production-us"), version("1.2.0", "production-us"))
    regions.write(PATH, text)
    _, found, _ = validate_json(cli, regions.path)
    assert [(v["line"], v["rule"], v["message"]) for v in found] == [
        (stage_line(text, "1.2.0"), "multiple-production",
         f"faq-bot 1.2.0 is in production-us, but so is 1.1.0 (line {stage_line(text, '1.1.0')}); at most one version is in production-us"),
    ]


def test_moves_are_judged_by_the_declared_transitions(change):
    base = faq(version("1.0.0", "dev"), version("1.1.0", "qa"), version("1.2.0", "archived"), version("1.3.0", "production-us"))
    head = faq(version("1.0.0", "production-eu"), version("1.1.0", "dev"), version("1.2.0", "qa"), version("1.3.0", "dev"),
               version("1.4.0", "production-us"), version("1.5.0", "qa"))
    found, messages = change(head, base, policy=REGIONS)
    assert [(line, rule) for _, line, _, rule in found] == [
        (stage_line(head, "1.0.0"), "skipped-stage"), (stage_line(head, "1.2.0"), "archived-promotion"),
        (stage_line(head, "1.3.0"), "invalid-transition"), (stage_line(head, "1.4.0"), "skipped-stage"),
        (stage_line(head, "1.5.0"), "invalid-transition"),
    ]
    assert messages == [
        "faq-bot 1.0.0: dev -> production-eu skips qa; promote it to qa first",
        "faq-bot 1.2.0: archived -> qa: archived versions are never promoted again",
        "faq-bot 1.3.0: production-us -> dev is not allowed; from production-us a version may move to archived, qa",
        "new version faq-bot 1.4.0 starts in production-us; register it in dev, then promote it",
        "new version faq-bot 1.5.0 starts in qa; a new version starts in dev",
    ]


def test_a_custom_final_stage_is_never_left(change):
    policy = "stages: [{name: dev}, {name: live, unique: true}, {name: retired, final: true}]\n"
    found, messages = change(faq(version("1.0.0", "dev")), faq(version("1.0.0", "retired")), policy=policy)
    assert [rule for *_, rule in found] == ["archived-promotion"]
    assert messages == ["faq-bot 1.0.0: retired -> dev: retired versions are never promoted again"]
    # without transitions, any other move is allowed; a new version starts in the first stage
    assert change(faq(version("1.0.0", "live"), version("1.1.0", "dev")), faq(version("1.0.0", "dev")), policy=policy) == ([], [])


def test_gates_are_keyed_by_the_declared_stage(change):
    base = faq(version("1.0.0", "qa", sha256=None), version("1.1.0", "qa", sha256=None))
    head = faq(version("1.0.0", "production-eu", sha256=None), version("1.1.0", "production-us", sha256=None))
    found, messages = change(head, base, policy=REGIONS)
    assert [(line, rule) for _, line, _, rule in found] == [(stage_line(head, "1.0.0") + 1, "gate-sha256")]
    assert messages == ["faq-bot 1.0.0: production-eu needs artifact.sha256"]


def test_gates_on_an_ordinary_stage(change):
    policy = REGIONS + "  qa: {min_metrics: {accuracy: 0.8}, no_regression: {accuracy: higher_is_better}}\n"
    policy = policy.replace("gates: {production-eu: {require_sha256: true}}\n", "gates:\n  production-eu: {require_sha256: true}\n")
    base = faq(version("1.0.0", "qa", metrics={"accuracy": 0.9}), version("1.1.0", "dev", metrics={"accuracy": 0.7}))
    head = faq(version("1.0.0", "qa", metrics={"accuracy": 0.9}), version("1.1.0", "qa", metrics={"accuracy": 0.7}))
    found, messages = change(head, base, policy=policy)
    assert [rule for *_, rule in found] == ["gate-min-metric"]
    assert messages == ["faq-bot 1.1.0: accuracy is 0.7; qa needs at least 0.8"]  # nothing is replaced in qa: no regression


def test_on_promote_refuse_names_the_unique_stage(change):
    policy = REGIONS + "on_promote: refuse\n"
    found, messages = change(faq(version("1.0.0", "qa"), version("1.1.0", "production-eu")),
                             faq(version("1.0.0", "production-eu"), version("1.1.0", "qa")), policy=policy)
    assert [rule for *_, rule in found] == ["demotion-required"]
    assert messages == ["faq-bot 1.1.0 replaces 1.0.0 in production-eu, but the policy says on_promote: refuse; "
                        "move 1.0.0 out of production-eu in its own change first"]


# --- a change to the stages is judged by the base's policy ----------------------------------

def test_a_pull_request_cannot_use_a_stage_it_declares(change):
    head_policy = REGIONS.replace("  - {name: archived", "  - {name: canary}\n  - {name: archived").replace(
        "  qa: [production-eu", "  qa: [canary, production-eu")
    found, messages = change(faq(version("1.0.0", "canary")), faq(version("1.0.0", "qa")), policy=REGIONS, head_policy=head_policy)
    assert [rule for *_, rule in found] == ["invalid-transition"]
    assert messages == ["faq-bot 1.0.0: qa -> canary is not allowed; from qa a version may move to archived, dev, "
                        "production-eu, production-us"]


def test_a_stage_that_holds_versions_cannot_be_removed(change):
    without_us = REGIONS.replace("  - {name: production-us, unique: true}\n", "").replace(", production-us", "").replace(
        "  production-us: [qa, archived]\n", "")
    text = faq(version("1.0.0", "production-us"))
    found, messages = change(text, text, policy=REGIONS, head_policy=without_us)
    assert found == [(PATH, stage_line(text, "1.0.0"), 12, "undeclared-stage")]
    assert messages == ["versions[0].stage: 'production-us' is not one of dev, qa, production-eu, archived; "
                        "did you mean 'production-eu'?"]
    empty = faq(version("1.0.0", "production-eu"))
    assert change(empty, empty, policy=REGIONS, head_policy=without_us) == ([], [])


# --- commands take declared stages ----------------------------------------------------------

def test_promote_to_a_declared_stage_demotes_the_unique_one_to_the_stage_before_it(regions, cli):
    run = cli(regions.path, "promote", NAME, "1.2.0", "--to", "qa", "--commit")
    assert run.code == 0 and "promote faq-bot 1.2.0 to qa" in run.out
    run = cli(regions.path, "promote", NAME, "1.1.0", "--to", "production-eu", "--dry-run")
    assert run.code == 0
    assert changed_lines(run.out) == ["-    stage: production-eu", "+    stage: qa", "-    stage: qa", "+    stage: production-eu"]
    run = cli(regions.path, "promote", NAME, "1.1.0", "--to", "production-eu", "--commit")
    assert run.code == 0 and "  faq-bot 1.0.0 demoted from production-eu to qa\n" in run.out
    assert regions.git("log", "-1", "--format=%B") == ("promote faq-bot 1.1.0 to production-eu\n\n"
                                                       "faq-bot 1.0.0 demoted from production-eu to qa")
    regions.write("registry.yaml", REGIONS.replace("production-eu: [qa, archived]", "production-eu: [qa, dev, archived]")
                  + "demote_to: dev\n")
    regions.commit("demote to dev")
    run = cli(regions.path, "promote", NAME, "1.0.0", "--to", "production-eu", "--json")
    assert json.loads(run.out)["notes"] == ["faq-bot 1.1.0 demoted from production-eu to dev"]


def test_promote_refuses_unknown_and_final_stages(regions, cli):
    run = cli(regions.path, "promote", NAME, "1.1.0", "--to", "production")
    assert (run.code, run.err) == (2, "registry-tool: error: unknown --to stage 'production': one of "
                                      "dev, qa, production-eu, production-us, archived; did you mean 'production-us'?\n")
    run = cli(regions.path, "promote", NAME, "1.1.0", "--to", "archived")
    assert (run.code, run.err) == (2, "registry-tool: error: --to archived: archived is final; archive a version with "
                                      f"registry-tool archive {NAME} 1.1.0\n")


def test_register_starts_in_the_first_initial_stage_and_archive_uses_the_final_one(regions, cli):
    run = cli(regions.path, "register", NAME, "2.0.0", "--artifact-uri", "s3://b/2.0.0/m.onnx", "--dry-run")
    assert run.code == 0 and "+    stage: dev" in changed_lines(run.out)
    run = cli(regions.path, "register", NAME, "2.0.0", "--artifact-uri", "s3://b/2.0.0/m.onnx", "--stage", "qa")
    assert run.code == 1 and "invalid-transition: new version faq-bot 2.0.0 starts in qa; a new version starts in dev" in run.err
    run = cli(regions.path, "register", NAME, "2.0.0", "--artifact-uri", "s3://b/2.0.0/m.onnx", "--stage", "stging")
    assert run.code == 2 and "unknown stage 'stging'" in run.err
    run = cli(regions.path, "archive", NAME, "1.2.0", "--dry-run")
    assert changed_lines(run.out) == ["-    stage: dev", "+    stage: archived"]


def test_get_and_show_take_declared_stages(regions, cli):
    assert cli(regions.path, "get", NAME, "--stage", "production-eu", "--field", "version").out == "1.0.0\n"
    run = cli(regions.path, "get", NAME, "--stage", "production-us")
    assert run.code == 1 and "faq-bot has no version in production-us" in run.err
    run = cli(regions.path, "get", NAME, "--stage", "production")
    assert run.code == 2 and run.err == ("registry-tool: error: unknown stage 'production': one of dev, qa, production-eu, "
                                         "production-us, archived; did you mean 'production-us'?\n")
    run = cli(regions.path, "show", "--stage", "dev", "--format", "json")
    assert [(r["version"], r["stage"]) for r in json.loads(run.out)["versions"]] == [("1.2.0", "dev")]
    assert cli(regions.path, "show", "--stage", "staging").code == 2
    snap = open_registry(regions.path).at()
    assert snap.version(NAME, stage="qa").version == "1.1.0"
    assert [v.version for v in snap.model(NAME).in_stage("production-eu")] == ["1.0.0"]


def test_rollback_a_unique_stage_other_than_production(regions, cli):
    regions.write(PATH, faq(version("1.0.0", "qa"), version("1.1.0", "production-eu"), version("1.2.0", "dev")))
    regions.commit("promote 1.1.0 to production-eu")
    run = cli(regions.path, "rollback", NAME, "--stage", "production-eu", "--dry-run")
    assert run.code == 0
    assert changed_lines(run.out) == ["-    stage: qa", "+    stage: production-eu", "-    stage: production-eu", "+    stage: qa"]
    assert "rollback faq-bot to 1.0.0 in production-eu" in run.err
    run = cli(regions.path, "rollback", NAME)
    assert run.code == 2 and "give --stage: the registry's unique stages are production-eu, production-us" in run.err
    run = cli(regions.path, "rollback", NAME, "--stage", "qa")
    assert run.code == 2 and "--stage qa: a rollback needs a unique stage" in run.err
    run = cli(regions.path, "rollback", NAME, "--stage", "production-us")
    assert run.code == 1 and "cannot roll back faq-bot: no version was ever in production-us in the history of" in run.err


def test_history_and_diff_speak_the_declared_stages(regions, cli):
    regions.write(PATH, faq(version("1.0.0", "qa"), version("1.1.0", "production-eu"), version("1.2.0", "dev")))
    run = cli(regions.path, "diff", "HEAD")
    assert run.out.splitlines()[1:] == [
        "  faq-bot 1.1.0: qa → production-eu (1.0.0: production-eu → qa)",
        "      production-eu gates pass: gate-sha256",
    ]
    regions.commit("promote 1.1.0")
    run = cli(regions.path, "history", NAME, "--limit", "2")
    assert [line.split("  ")[2] for line in run.out.splitlines()] == ["faq-bot 1.0.0: production-eu → qa",
                                                                      "faq-bot 1.1.0: qa → production-eu"]


def test_renaming_a_stage_takes_three_changes_and_each_passes(repo, cli):
    """As the README says: declare both (with a move between them), move the versions, drop the old one."""
    repo.write(PATH, faq(version("1.0.0", "production"), version("1.1.0", "staging")))
    start = repo.commit("defaults")
    both = ("stages: [{name: none}, {name: staging}, {name: qa}, {name: production, unique: true}, {name: archived, final: true}]\n"
            "initial_stages: [none, qa]\n"
            "transitions: {none: [qa, archived], staging: [qa, archived], qa: [production, none, archived],"
            " production: [qa, archived]}\n")
    repo.write("registry.yaml", both)
    repo.commit("declare qa beside staging")
    repo.write(PATH, faq(version("1.0.0", "production"), version("1.1.0", "qa")))
    repo.commit("move 1.1.0 to qa")
    repo.write("registry.yaml", both.replace("{name: staging}, ", "").replace("staging: [qa, archived], ", ""))
    repo.commit("drop staging")
    assert validate_json(cli, repo.path, "--range", f"{start}..HEAD")[:2] == (0, [])
    run = cli(repo.path, "promote", NAME, "1.1.0", "--to", "production", "--json")
    assert json.loads(run.out)["notes"] == ["faq-bot 1.0.0 demoted from production to qa"]  # the nearest ordinary stage before


def test_declared_stages_complete_in_the_shell(regions, monkeypatch):
    from test_completion import complete

    assert complete(regions.path, monkeypatch, "get", NAME, "--stage", "prod") == ["production-eu", "production-us"]
    assert complete(regions.path, monkeypatch, "show", "--stage", "") == ["dev", "qa", "production-eu", "production-us", "archived"]
    assert complete(regions.path, monkeypatch, "promote", NAME, "1.1.0", "--to", "a") == []  # archived is final
    assert complete(regions.path, monkeypatch, "rollback", NAME, "--stage", "production-") == ["production-eu", "production-us"]


def test_retention_with_nothing_to_archive_names_the_declared_first_stage(regions, cli):
    before = regions.git("rev-parse", "HEAD")
    run = cli(regions.path, "retention", "faq-bot", "--keep", "1", "--dry-run")
    assert (run.code, run.out) == (0, "")
    assert run.err == ("nothing to archive: no version beyond the newest 1 version is in dev (the first stage, the only "
                       "one retention archives from) without an alias naming it\n")
    assert regions.git("rev-parse", "HEAD") == before
