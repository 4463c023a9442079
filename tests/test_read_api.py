"""The Python read API on real repositories: any revision, bare, detached, refused files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

import pytest
from builders import artifact_uri as uri
from builders import line_of, raw, rich_model
from conftest import REPO_ROOT

from registry_tool import RegistryError, open_registry
from registry_tool.core.model import ModelVersion, Stage
from registry_tool.errors import NotFound


@pytest.fixture
def history(repo):
    """faq-bot: 1.0.0 promoted to production, then 1.1.0 registered, then 1.1.0 promoted."""
    repo.write("models/faq-bot.yaml", rich_model("faq-bot", ("1.0.0", "production")))
    repo.write("models/image-classifier.yaml", rich_model("image-classifier", ("v1", "staging")))
    first = repo.commit("promote faq-bot 1.0.0")
    repo.write("models/faq-bot.yaml", rich_model("faq-bot", ("1.0.0", "production"), ("1.1.0", "staging")))
    second = repo.commit("register faq-bot 1.1.0")
    repo.write("models/faq-bot.yaml", rich_model("faq-bot", ("1.0.0", "staging"), ("1.1.0", "production")))
    third = repo.commit("promote faq-bot 1.1.0")
    return repo, (first, second, third)


def test_reads_at_old_commits_return_the_old_answer(history):
    repo, (first, second, third) = history
    reg = open_registry(repo.path)
    assert reg.at(first).model("faq-bot").production.artifact.uri == uri("faq-bot", "1.0.0")
    assert reg.at(second).model("faq-bot").production.version == "1.0.0"
    assert reg.at(third).model("faq-bot").production.version == "1.1.0"
    assert reg.at("HEAD~2").model("faq-bot").production.version == "1.0.0"
    assert reg.at(first[:8]).commit == first
    assert reg.at("main").commit == third


def test_typed_objects_and_sorted_model_names(history):
    repo, _ = history
    snap = open_registry(repo.path / "models").at("main")  # discovered from a subfolder
    assert snap.models() == ["faq-bot", "image-classifier"]
    production = snap.model("faq-bot").production
    assert isinstance(production, ModelVersion)
    assert production.stage is Stage.PRODUCTION
    assert production.metrics == {"accuracy": 0.95}
    assert snap.version("faq-bot", stage="staging").version == "1.0.0"
    assert snap.version("faq-bot", version="1.1.0").stage is Stage.PRODUCTION


def test_nothing_at_a_stage_is_not_found_with_exit_code_1(history):
    repo, _ = history
    snap = open_registry(repo.path).at("HEAD")
    with pytest.raises(NotFound, match="image-classifier has no version in production") as caught:
        snap.version("image-classifier", stage="production")
    assert caught.value.exit_code == 1
    with pytest.raises(NotFound, match=r"no version 9.9"):
        snap.version("faq-bot", version="9.9")
    with pytest.raises(RegistryError, match="unknown stage 'prod'"):
        snap.version("faq-bot", stage="prod")


def test_unknown_model_and_revision_are_clear_errors(history):
    repo, _ = history
    reg = open_registry(repo.path)
    with pytest.raises(RegistryError, match=r"unknown model 'faq-bto' at [0-9a-f]{12} \(no models/faq-bto.yaml\); did you mean 'faq-bot'\?") as caught:
        reg.at("HEAD").model("faq-bto")
    assert caught.value.exit_code == 2
    with pytest.raises(RegistryError, match="unknown revision 'no-such-branch'"):
        reg.at("no-such-branch")


def test_an_unknown_model_of_a_large_registry_counts_its_models_instead_of_listing_them(repo):
    # a typo at 10,000 models printed a 200 KB error line naming every model
    names = [f"model-{i:02d}" for i in range(11)]
    for name in names:
        repo.write(f"models/{name}.yaml", rich_model(name, ("1.0.0", "staging")))
    repo.commit("eleven models")
    snap = open_registry(repo.path).at("HEAD")
    with pytest.raises(RegistryError) as caught:
        snap.model("zzz")
    assert str(caught.value).endswith("(no models/zzz.yaml); none of its 11 models has a close name "
                                      "(registry-tool show lists them)")
    with pytest.raises(RegistryError, match=r"did you mean 'model-03'\?$"):
        snap.model("MODEL-03")  # a name differing in case only is found, however far difflib puts it
    repo.git("rm", "-q", *(f"models/{name}.yaml" for name in names[1:]))
    repo.commit("one model left")
    with pytest.raises(RegistryError, match=r"; models: model-00$"):
        open_registry(repo.path).at("HEAD").model("zzz")


def test_a_bare_clone_is_read_from_its_objects(history, tmp_path):
    repo, (_, _, third) = history
    bare = tmp_path / "bare.git"
    repo.git("clone", "-q", "--bare", str(repo.path), str(bare))
    snap = open_registry(bare).at("main")
    assert snap.commit == third
    assert snap.model("faq-bot").production.version == "1.1.0"


def test_detached_head_reads_the_detached_commit(history):
    repo, (first, _, _) = history
    repo.git("checkout", "-q", "--detach", first)
    assert open_registry(repo.path).at("HEAD").model("faq-bot").production.version == "1.0.0"


def test_uncommitted_edits_are_not_served(history):
    repo, (_, _, third) = history
    repo.write("models/faq-bot.yaml", rich_model("faq-bot", ("1.0.0", "production"), ("1.1.0", "staging")))
    repo.write("models/new-model.yaml", rich_model("new-model", ("1", "staging")))
    snap = open_registry(repo.path).at("HEAD")
    assert snap.commit == third
    assert snap.model("faq-bot").production.version == "1.1.0"
    assert snap.models() == ["faq-bot", "image-classifier"]


def test_an_invalid_file_is_refused_with_its_violation(history):
    repo, (_, _, good) = history
    repo.write("models/faq-bot.yaml", rich_model("faq-bot", ("1.0.0", "production"), ("1.1.0", "production")))
    bad = repo.commit("two production versions (bypassing CI)")
    reg = open_registry(repo.path)
    with pytest.raises(RegistryError) as caught:
        reg.at(bad).model("faq-bot")
    line = rich_model("faq-bot", ("1.0.0", "production"), ("1.1.0", "production")).splitlines().index("    stage: production", 5) + 1
    assert re.match(rf"models/faq-bot.yaml:{line}: multiple-production: faq-bot 1.1.0 is in production, but so is 1.0.0",
                    str(caught.value)), str(caught.value)
    assert caught.value.exit_code == 2
    # only the file served is judged: the other model at the same commit is still served
    assert reg.at(bad).model("image-classifier").staging[0].version == "v1"
    # and the commit before is still served
    assert reg.at(good).model("faq-bot").production.version == "1.1.0"


def test_schema_and_loader_violations_are_refused(repo):
    repo.write("models/faq-bot.yaml", rich_model("faq-bot", ("1.0.0", "production")).replace("    stage:", "    stgae:", 1))
    yes_bot = rich_model("yes-bot", ("1.0.0", "staging"), task=raw("yes"))
    repo.write("models/yes-bot.yaml", yes_bot)
    repo.commit("typos")
    snap = open_registry(repo.path).at("HEAD")
    with pytest.raises(RegistryError, match=r"^models/faq-bot.yaml:4: schema: versions\[0\]: missing required field 'stage' \(and 1 more\); refused at"):
        snap.model("faq-bot")
    with pytest.raises(RegistryError, match=rf"^models/yes-bot.yaml:{line_of(yes_bot, 'task: yes')}: yaml-ambiguous-scalar: plain value 'yes'"):
        snap.model("yes-bot")


def test_a_policy_moves_the_models_directory_and_an_invalid_policy_is_refused(repo):
    repo.write("registry.yaml", "models_dir: registry/models\n")
    repo.write("registry/models/faq-bot.yaml", rich_model("faq-bot", ("1.0.0", "production")))
    repo.commit("models elsewhere")
    assert open_registry(repo.path).at("HEAD").model("faq-bot").production.version == "1.0.0"
    repo.write("registry.yaml", "models_dri: registry/models\n")
    repo.commit("typo in the policy")
    with pytest.raises(RegistryError, match=r"^registry.yaml:1: unknown-field: unknown field 'models_dri'"):
        open_registry(repo.path).at("HEAD").model("faq-bot")


def test_a_symlinked_model_file_is_not_served(repo):
    repo.write("elsewhere.yaml", rich_model("faq-bot", ("1.0.0", "production")))
    (repo.path / "models").mkdir()
    (repo.path / "models" / "faq-bot.yaml").symlink_to("../elsewhere.yaml")
    repo.commit("a symlink")
    snap = open_registry(repo.path).at("HEAD")
    assert snap.models() == []
    with pytest.raises(RegistryError, match=r"models/faq-bot.yaml at [0-9a-f]{12} is a symlink, not a regular file"):
        snap.model("faq-bot")


def test_import_registry_tool_is_cheap_and_get_never_imports_jsonschema(history):
    """The read path loads what it needs: no jsonschema, difflib or importlib.resources
    for a valid file, no rule module but the file rules', and nothing of the API at all for a bare 'import registry_tool';
    ``--field`` prints the raw value without the query module, the text escaping (html)
    or the change model, which cost start-up time on every deploy lookup."""
    repo, _ = history
    probe = textwrap.dedent("""
        import sys
        import registry_tool
        assert "registry_tool.api" not in sys.modules and "pygit2" not in sys.modules, "import registry_tool is not lazy"
        from registry_tool.cli import main
        try:
            main(["get", "faq-bot", "--stage", "production", "--field", "artifact.uri"], standalone_mode=False)
        except SystemExit:
            pass
        print(sorted(m for m in ("jsonschema", "difflib", "importlib.resources", "hashlib", "html",
                                 "registry_tool.read.query", "registry_tool.output.escape",
                                 "registry_tool.core.changes", "registry_tool.validation.report",
                                 "registry_tool.validation.rules.gates", "registry_tool.validation.rules.stage_moves",
                                 "registry_tool.history.rollback") if m in sys.modules))
    """)
    done = subprocess.run([sys.executable, "-c", probe], cwd=repo.path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [uri("faq-bot", "1.1.0"), "[]"]


def test_the_file_rules_a_reader_loads_are_all_the_file_rules() -> None:
    """get and show load only the file rules' modules (validation.rules.FILE_SCOPE): no
    other rule module may register a file rule, or a reader would skip it. After every
    module is loaded, each scope's rules run in the order of their modules' names,
    whichever module was imported first."""
    probe = textwrap.dedent("""
        import registry_tool.validation.rules.stage_moves  # imported directly, before the others
        from registry_tool.validation import rules
        names = lambda found: [f"{r.__module__}.{r.__name__}" for r in found]
        first = names(rules.FILE_RULES)
        rules.load_all()
        print(first == names(rules.FILE_RULES))
        for found in (rules.FILE_RULES, rules.TREE_RULES, rules.CHANGE_RULES, rules.PAST_CHANGE_RULES):
            modules = [r.__module__ for r in found]
            print(modules == sorted(modules), len(found) > 0)
    """)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True"] + ["True", "True"] * 4
