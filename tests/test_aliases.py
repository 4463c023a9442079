"""Aliases (issue 16): in the model file, their rules, the ``alias`` command and its
byte-preserving edits, reads by alias and by MLflow's models:/ URIs (CLI and API), show
and export, alias gates, history's alias_changed events and diff's words; all on real
repositories through the real CLI."""

# ruff: noqa: F811  (tests take the imported fixture "change" as a parameter)
from __future__ import annotations

import json
import re

import pytest
from builders import line_of, model, validate_json, version
from edit_helpers import changed_lines
from hypothesis import given, settings
from hypothesis import strategies as st
from test_transitions import change  # noqa: F401  (the fixture: --base, --ref --base and --range must agree)

from registry_tool import NotFound, RegistryError, open_registry
from registry_tool.core.model import Model
from registry_tool.core.policy import Policy
from registry_tool.edit.model_editor import ModelEditor
from registry_tool.history.events import EVENT_KEYS
from registry_tool.validation.checks import check_model
from registry_tool.validation.model_file import parse_model
from registry_tool.yamlfile import loader

NAME = "faq-bot"
PATH = f"models/{NAME}.yaml"


def faq(*versions: str, aliases: dict[str, str] | None = None) -> str:
    header = "aliases:\n" + "".join(f'  {a}: "{label}"\n' for a, label in aliases.items()) if aliases else ""
    return model(NAME, *versions, header=header)


THREE = (version("1.0.0", "production", metrics={"accuracy": 0.9}), version("1.1.0", "staging", metrics={"accuracy": 0.93}),
         version("0.9.0", "archived"))


@pytest.fixture
def reg(repo):
    repo.write(PATH, faq(*THREE, aliases={"champion": "1.0.0"}))
    repo.commit("faq-bot with a champion")
    return repo


def text(repo) -> str:
    return (repo.path / PATH).read_text()


# --- the model file and its rules -----------------------------------------------------------

def test_aliases_are_valid_and_typed(reg, cli):
    assert validate_json(cli, reg.path)[:2] == (0, [])
    faq_bot = open_registry(reg.path).at().model(NAME)
    assert isinstance(faq_bot, Model)
    assert faq_bot.aliases == {"champion": "1.0.0"}
    assert faq_bot.alias("champion").version == "1.0.0" and faq_bot.alias("nope") is None
    assert faq_bot.aliases_of("1.0.0") == ("champion",) and faq_bot.aliases_of("1.1.0") == ()


@pytest.mark.parametrize("aliases, rule, key, message", [
    ({"champion": "2.0.0"}, "alias-unknown-version", False,
     "alias champion names faq-bot 2.0.0, which is not a version of it (versions: 1.0.0, 1.1.0, 0.9.0)"),
    ({"champion": "0.9.0"}, "alias-archived", False,
     "alias champion names faq-bot 0.9.0, which is archived; aliases never name archived versions: move or remove the alias first"),
    ({"latest": "1.0.0"}, "alias-reserved", True,
     "alias latest is reserved: latest and v<digits> name versions in MLflow's model URIs"),
    ({"v2": "1.0.0"}, "alias-reserved", True, "alias v2 is reserved: latest and v<digits> name versions in MLflow's model URIs"),
    ({"staging": "1.0.0"}, "alias-reserved", True, "alias staging is reserved: it is the name of a stage"),
])
def test_alias_rules(repo, cli, aliases, rule, key, message):
    text_ = faq(*THREE, aliases=aliases)
    repo.write(PATH, text_)
    code, found, _ = validate_json(cli, repo.path)
    alias = next(iter(aliases))
    line = line_of(text_, f"  {alias}:")
    assert code == 1
    assert [(v["line"], v["column"], v["rule"], v["message"]) for v in found] == [(line, 3 if key else len(alias) + 5, rule, message)]


def test_alias_name_form_and_label_type_are_the_schemas(repo, cli):
    repo.write(PATH, faq(*THREE).replace("versions:", 'aliases:\n  Champion: "1.0.0"\n  best: 1.5\nversions:'))
    _, found, _ = validate_json(cli, repo.path)
    assert [(v["line"], v["rule"]) for v in found] == [(3, "schema"), (4, "schema")]
    assert found[0]["message"] == ("aliases: 'Champion' is not an alias name: a lower-case letter, then lower-case letters, "
                                   "digits and '-'")
    assert found[1]["message"].startswith("aliases.best: 1.5 is read as a number (1.5), not a string; quote the best")


def test_a_stage_a_policy_does_not_declare_is_not_reserved(repo, cli):
    repo.write("registry.yaml", "stages: [{name: dev}, {name: prod, unique: true}, {name: retired, final: true}]\n")
    repo.write(PATH, faq(version("1.0.0", "prod"), version("1.1.0", "dev"), aliases={"staging": "1.0.0", "dev": "1.1.0"}))
    _, found, _ = validate_json(cli, repo.path)
    assert [(v["rule"], v["message"]) for v in found] == [("alias-reserved", "alias dev is reserved: it is the name of a stage")]


# --- the alias command: set, move, remove, byte for byte -----------------------------------

def test_set_writes_a_block_mapping_before_versions(repo, cli):
    original = faq(*THREE)
    repo.write(PATH, original)
    repo.commit("no aliases yet")
    run = cli(repo.path, "alias", NAME, "champion", "1.0.0", "--dry-run")
    assert run.code == 0 and changed_lines(run.out) == ["+aliases:", '+  champion: "1.0.0"']
    assert text(repo) == original
    run = cli(repo.path, "alias", NAME, "champion", "1.0.0")
    assert (run.code, run.out) == (0, "set faq-bot alias champion to 1.0.0: wrote models/faq-bot.yaml\n")
    assert text(repo) == original.replace("versions:", 'aliases:\n  champion: "1.0.0"\nversions:')


def test_move_is_a_one_line_diff_and_remove_drops_the_line(reg, cli):
    before = text(reg)
    run = cli(reg.path, "alias", NAME, "challenger", "1.1.0", "--commit")
    assert run.code == 0 and "set faq-bot alias challenger to 1.1.0" in run.out
    assert text(reg) == before.replace('  champion: "1.0.0"\n', '  champion: "1.0.0"\n  challenger: "1.1.0"\n')
    run = cli(reg.path, "alias", NAME, "champion", "1.1.0", "--dry-run")
    assert changed_lines(run.out) == ['-  champion: "1.0.0"', '+  champion: "1.1.0"']
    run = cli(reg.path, "alias", NAME, "champion", "--remove", "--commit", "-m", "retire the champion")
    assert run.code == 0
    assert reg.git("log", "-1", "--format=%s") == "retire the champion"
    assert text(reg) == before.replace('  champion: "1.0.0"\n', '  challenger: "1.1.0"\n')
    run = cli(reg.path, "alias", NAME, "challenger", "--remove", "--json")  # the last one: the mapping goes too
    data = json.loads(run.out)
    assert data["ok"] and data["message"] == "remove faq-bot alias challenger (was 1.1.0)"
    assert text(reg) == faq(*THREE)


def test_flow_style_crlf_and_comments_are_kept(repo, cli):
    original = ("# yaml-language-server: $schema=../schemas/model.schema.json\r\n"
                "name: faq-bot\r\n"
                "aliases: {champion: '1.0.0', challenger: '1.1.0'}  # who serves\r\n"
                "# the versions\r\n"
                + faq(*THREE).split("\n", 1)[1].replace("\n", "\r\n"))
    repo.write(PATH, "")
    (repo.path / PATH).write_bytes(original.encode())
    repo.commit("flow aliases, CRLF")

    def after(*args: str) -> str:
        assert cli(repo.path, "alias", NAME, *args).code == 0
        return (repo.path / PATH).read_bytes().decode()

    assert after("champion", "1.1.0") == original.replace("champion: '1.0.0'", "champion: '1.1.0'")
    assert after("canary", "1.0.0") == original.replace("champion: '1.0.0', challenger: '1.1.0'",
                                                        "champion: '1.1.0', challenger: '1.1.0', canary: '1.0.0'")
    assert after("champion", "--remove") == original.replace("champion: '1.0.0', challenger: '1.1.0'",
                                                             "challenger: '1.1.0', canary: '1.0.0'")
    assert after("canary", "--remove") == original.replace("champion: '1.0.0', challenger: '1.1.0'", "challenger: '1.1.0'")
    assert after("challenger", "--remove") == original.replace("aliases: {champion: '1.0.0', challenger: '1.1.0'}  # who serves\r\n", "")
    assert validate_json(cli, repo.path, "--base", "HEAD")[:2] == (0, [])


def test_a_block_alias_with_comments_under_it_and_a_file_without_a_final_newline(repo, cli):
    original = faq(*THREE).replace("versions:", 'aliases:\n  # the one we serve\n  champion: "1.0.0"\n'
                                   '  challenger: "1.1.0"   # next\nversions:')
    repo.write(PATH, original)
    repo.commit("commented aliases")
    assert cli(repo.path, "alias", NAME, "challenger", "--remove").code == 0
    assert text(repo) == original.replace('  challenger: "1.1.0"   # next\n', "")
    assert cli(repo.path, "alias", NAME, "champion", "--remove").code == 0
    assert text(repo) == original.replace('aliases:\n  # the one we serve\n  champion: "1.0.0"\n  challenger: "1.1.0"   # next\n', "")
    repo.write(PATH, faq(*THREE) + 'aliases:\n  champion: "1.0.0"')  # last, and no line break at the end
    assert cli(repo.path, "alias", NAME, "champion", "--remove").code == 0
    assert text(repo) == faq(*THREE).rstrip("\n")


def test_nothing_to_change_and_refusals(reg, cli):
    before = text(reg)
    run = cli(reg.path, "alias", NAME, "champion", "1.0.0")
    assert (run.code, run.err) == (0, "faq-bot alias champion already names 1.0.0: nothing to change\n")
    run = cli(reg.path, "alias", NAME, "nobody", "--remove")
    assert (run.code, run.err) == (0, "faq-bot has no alias nobody: nothing to change\n")
    run = cli(reg.path, "alias", NAME, "champion", "9.9.9")
    assert run.code == 2 and run.err == "registry-tool: error: faq-bot has no version 9.9.9 (versions: 1.0.0, 1.1.0, 0.9.0)\n"
    run = cli(reg.path, "alias", NAME, "champion", "0.9.0")
    assert run.code == 1 and run.err.startswith(f"{PATH}:3:13: alias-archived: alias champion names faq-bot 0.9.0")
    run = cli(reg.path, "alias", NAME, "v1", "1.0.0", "--json")
    assert run.code == 1 and [v["rule"] for v in json.loads(run.out)["violations"]] == ["alias-reserved"]
    for args in (["champion"], ["champion", "1.0.0", "--remove"]):
        run = cli(reg.path, "alias", NAME, *args)
        assert run.code == 2 and "give VERSION to set or move the alias, or --remove" in run.err
    assert text(reg) == before


def test_archiving_an_aliased_version_is_refused_and_retention_spares_it(reg, cli):
    run = cli(reg.path, "archive", NAME, "1.0.0")
    assert run.code == 1 and "alias-archived: alias champion names faq-bot 1.0.0, which is archived" in run.err
    reg.write(PATH, faq(version("0.1.0", "none"), version("0.2.0", "none"), version("0.3.0", "none"),
                        aliases={"old-faithful": "0.1.0"}))
    reg.commit("three in none, the oldest aliased")
    run = cli(reg.path, "retention", NAME, "--keep", "1", "--dry-run")
    assert changed_lines(run.out) == ["-    stage: none", "+    stage: archived"]
    assert "archive faq-bot 0.2.0" in run.err


def test_alias_on_a_new_branch(reg, cli):
    run = cli(reg.path, "alias", NAME, "champion", "1.1.0", "--branch", "move-champion")
    assert run.code == 0
    assert open_registry(reg.path).at("move-champion").version(NAME, alias="champion").version == "1.1.0"
    assert open_registry(reg.path).at("main").version(NAME, alias="champion").version == "1.0.0"


# --- reads ------------------------------------------------------------------------------------

def test_get_by_alias_and_by_models_uri(reg, cli):
    by_alias = cli(reg.path, "get", NAME, "--alias", "champion")
    assert by_alias.code == 0
    assert json.loads(by_alias.out)["version"] == "1.0.0"
    assert cli(reg.path, "get", f"models:/{NAME}@champion").out == by_alias.out
    assert cli(reg.path, "get", f"models:/{NAME}/1.0.0").out == by_alias.out
    assert cli(reg.path, "get", f"models:/{NAME}/Production").out == by_alias.out  # MLflow's stage names
    assert cli(reg.path, "get", f"models:/{NAME}/staging", "--field", "version").out == "1.1.0\n"


@pytest.mark.parametrize("args, code, message", [
    ([NAME, "--alias", "nobody"], 1, "faq-bot has no alias nobody at HEAD (aliases: champion (1.0.0))"),
    ([f"models:/{NAME}@nobody"], 1, "faq-bot has no alias nobody at HEAD (aliases: champion (1.0.0))"),
    ([f"models:/{NAME}/7.7.7"], 1, "faq-bot has no version 7.7.7 at HEAD, and 7.7.7 is not a stage "
                                   "(versions: 1.0.0, 1.1.0, 0.9.0; stages: none, staging, production, archived)"),
    (["models:/faq-bot"], 2, "'models:/faq-bot' is not a model URI: models:/MODEL@ALIAS or models:/MODEL/VERSION"),
    (["models:/faq-bot/1/2"], 2, "'models:/faq-bot/1/2' is not a model URI: models:/MODEL@ALIAS or models:/MODEL/VERSION"),
])
def test_get_by_alias_errors(reg, cli, args, code, message):
    run = cli(reg.path, "get", *args)
    head = reg.git("rev-parse", "--short=12", "HEAD")
    assert (run.code, run.out, run.err) == (code, "", f"registry-tool: error: {message.replace('at HEAD', f'at {head}')}\n")


def test_get_takes_exactly_one_way_to_name_a_version(reg, cli):
    for args in ([NAME], [NAME, "--alias", "champion", "--stage", "production"], [f"models:/{NAME}@champion", "--alias", "x"]):
        run = cli(reg.path, "get", *args)
        assert run.code == 2 and "Usage:" in run.err


def test_the_python_api_reads_aliases(reg):
    snap = open_registry(reg.path).at("main")
    assert snap.version(NAME, alias="champion").version == "1.0.0"
    model_, found = snap.resolve(f"models:/{NAME}@champion")
    assert (model_.name, found.version) == (NAME, "1.0.0")
    assert snap.resolve(f"models:/{NAME}/1.1.0")[1].version == "1.1.0"
    with pytest.raises(NotFound, match="faq-bot has no alias challenger"):
        snap.version(NAME, alias="challenger")
    with pytest.raises(RegistryError, match="give exactly one of a stage, a version or an alias"):
        snap.version(NAME, alias="champion", version="1.0.0")


def test_show_lists_aliases_and_export_carries_them(reg, cli):
    run = cli(reg.path, "show", "--no-history")
    lines = run.out.splitlines()
    assert lines[0].split() == ["MODEL", "VERSION", "STAGE", "ARTIFACT", "ALIASES"]
    assert lines[1].split()[-1] == "champion"
    data = json.loads(cli(reg.path, "show", "--format", "json").out)
    assert [row["aliases"] for row in data["versions"]] == [["champion"], [], []]
    exported = json.loads(cli(reg.path, "export").out)
    assert exported["models"][NAME]["aliases"] == {"champion": "1.0.0"}


# --- alias gates --------------------------------------------------------------------------------

POLICY = """\
aliases:
  champion:
    gates: {require_sha256: true, min_metrics: {accuracy: 0.9}, no_regression: {accuracy: higher_is_better}}
"""


def test_alias_gates_judge_a_move(change):
    base = faq(*THREE, aliases={"champion": "1.0.0"})
    worse = version("1.2.0", "none", sha256=None, metrics={"accuracy": 0.85})
    head = faq(*THREE, worse, aliases={"champion": "1.2.0"})
    found, messages = change(head, base, policy=POLICY)
    line = line_of(head, 'version: "1.2.0"')
    assert found == [(PATH, line + 2, 5, "gate-sha256"), (PATH, line + 5, 17, "gate-min-metric"),
                     (PATH, line + 5, 17, "gate-no-regression")]
    assert messages == [
        "faq-bot 1.2.0: alias champion needs artifact.sha256",
        "faq-bot 1.2.0: accuracy is 0.85; alias champion needs at least 0.9",
        "faq-bot 1.2.0: accuracy is 0.85, worse than 0.9 of alias champion version 1.0.0 (higher is better)",
    ]


def test_alias_gates_pass_and_an_alias_that_stays_is_not_judged(change, repo):
    base = faq(*THREE, aliases={"challenger": "1.1.0"})
    head = faq(*THREE, aliases={"challenger": "1.0.0", "champion": "1.1.0"})  # champion is new: no regression to judge
    assert change(head, base, policy=POLICY) == ([], [])
    tightened = POLICY.replace("0.9}", "0.99}")
    assert change(head.replace("  - version", "  # a comment\n  - version", 1), head, policy=tightened) == ([], [])


def test_the_alias_command_is_held_to_the_gates(reg, cli):
    reg.write("registry.yaml", POLICY)
    reg.write(PATH, faq(*THREE, version("1.2.0", "none", sha256=None, metrics={"accuracy": 0.95}), aliases={"champion": "1.0.0"}))
    reg.commit("a policy and 1.2.0 without a checksum")
    run = cli(reg.path, "alias", NAME, "champion", "1.2.0")
    assert run.code == 1 and "gate-sha256: faq-bot 1.2.0: alias champion needs artifact.sha256" in run.err
    assert cli(reg.path, "alias", NAME, "challenger", "1.2.0").code == 0  # no gates for challenger


def test_a_reserved_alias_in_the_policy(repo, cli):
    repo.write("registry.yaml", "aliases:\n  latest: {gates: {require_sha256: true}}\n  production: {}\n")
    repo.write(PATH, faq(*THREE))
    _, found, _ = validate_json(cli, repo.path)
    assert [(v["file"], v["line"], v["column"], v["rule"], v["message"]) for v in found] == [
        ("registry.yaml", 2, 3, "schema", "aliases: 'latest' is reserved (MLflow's name for a version), never an alias name"),
        ("registry.yaml", 3, 3, "schema", "aliases: 'production' is reserved (a stage name), never an alias name"),
    ]


# --- history and diff -----------------------------------------------------------------------------

@pytest.fixture
def moves(reg, cli):
    """champion set (reg), then challenger set and champion moved, then challenger removed."""
    assert cli(reg.path, "alias", NAME, "challenger", "1.1.0", "--commit").code == 0
    assert cli(reg.path, "alias", NAME, "champion", "1.1.0", "--commit").code == 0
    assert cli(reg.path, "alias", NAME, "challenger", "--remove", "--commit").code == 0
    return reg


def test_history_tells_alias_changes(moves, cli):
    run = cli(moves.path, "history", NAME)
    sentences = [line.split("  ")[2] for line in run.out.splitlines()]
    assert sentences[:4] == [
        "faq-bot: alias challenger removed (was 1.1.0)",
        "faq-bot: alias champion 1.0.0 → 1.1.0",
        "faq-bot: alias challenger set to 1.1.0",
        "faq-bot: new model",
    ]
    events = json.loads(cli(moves.path, "history", NAME, "--format", "json").out)
    assert all(sorted(e) == list(EVENT_KEYS) for e in events)
    assert [(e["event"], e["alias"], e["from_version"], e["to_version"], e["version"]) for e in events] == [
        ("alias_changed", "challenger", "1.1.0", None, None),
        ("alias_changed", "champion", "1.0.0", "1.1.0", None),
        ("alias_changed", "challenger", None, "1.1.0", None),
        # the first commit: the file in order, its aliases last
        ("model_created", None, None, None, None),
        ("version_registered", None, None, None, "1.0.0"),
        ("version_registered", None, None, None, "1.1.0"),
        ("version_registered", None, None, None, "0.9.0"),
        ("alias_changed", "champion", None, "1.0.0", None),
    ]


def test_diff_tells_moves_in_words_with_their_gates(moves, cli):
    moves.write("registry.yaml", POLICY)
    moves.commit("gates for champion")
    assert cli(moves.path, "alias", NAME, "champion", "1.0.0", "--commit").code == 1  # 1.0.0 regresses from 1.1.0
    moves.write(PATH, text(moves).replace('champion: "1.1.0"', 'champion: "1.0.0"'))
    run = cli(moves.path, "diff", "HEAD")
    assert run.out.splitlines()[1:] == [
        "  faq-bot: alias champion 1.1.0 → 1.0.0",
        "      alias champion gates FAIL: gate-no-regression",
        f"        {PATH}:{line_of(text(moves), 'accuracy: 0.9')}:17: gate-no-regression: faq-bot 1.0.0: accuracy is 0.9, "
        "worse than 0.93 of alias champion version 1.1.0 (higher is better)",
    ]
    data = json.loads(cli(moves.path, "diff", "HEAD", "--format", "json").out)
    assert data["changes"][0]["event"] == "alias_changed"
    assert [(g["alias"], g["stage"], g["version"], g["ok"]) for g in data["gates"]] == [("champion", None, "1.0.0", False)]
    markdown = cli(moves.path, "diff", "HEAD", "--format", "markdown").out
    assert "| Model | Change | Gates |" in markdown
    assert "| `faq-bot` | alias champion 1.1.0 → 1.0.0 | alias champion: ❌ `gate-no-regression` |" in markdown


# --- property: alias edits change the aliases and nothing else --------------------------------

ALIAS_NAMES = ("champion", "challenger", "canary", "shadow")
LABELS = ("1.0.0", "1.1.0", "2.0.0")


@st.composite
def files_with_aliases(draw) -> tuple[str, dict[str, str]]:
    """A valid model file whose aliases are written in a random style (block or flow, quotes,
    comments, blank lines, CRLF, a key before or after them), and the aliases it holds."""
    aliases = {a: draw(st.sampled_from(LABELS)) for a in draw(st.lists(st.sampled_from(ALIAS_NAMES), unique=True))}
    quote = draw(st.sampled_from(['"', "'"]))
    step = draw(st.sampled_from([2, 4]))
    lines = ["# header", "name: m"]
    if aliases and draw(st.booleans()):
        items = ", ".join(f"{a}: {quote}{label}{quote}" for a, label in aliases.items())
        lines.append(f"aliases: {{{items}}}" + ("   # flow" if draw(st.booleans()) else ""))
    elif aliases:
        lines.append("aliases:" + ("  # block" if draw(st.booleans()) else ""))
        for a, label in aliases.items():
            if draw(st.booleans()):
                lines.append(" " * step + f"# about {a}")
            lines.append(" " * step + f"{a}: {quote}{label}{quote}" + ("  # why" if draw(st.booleans()) else ""))
    if draw(st.booleans()):
        lines.insert(2 if draw(st.booleans()) else len(lines), "owner: someone   # kept")
    if draw(st.booleans()):
        lines.append("")
    lines.append("versions:")
    stages = ("production", "staging", "none")
    for label, stage in zip(LABELS, stages, strict=False):
        lines += [f'  - version: "{label}"', f"    stage: {stage}", f"    artifact: {{uri: s3://b/{label}}}"]
    lines.append("# trailer")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + (newline if draw(st.booleans()) else ""), aliases


def outside_aliases(text: str) -> str:
    """The text with the aliases key's lines cut out (the rest must never change)."""
    doc = loader.load(text.encode(), "m.yaml")
    assert doc.ok, doc.problems
    for key, value in doc.root.value:
        if key.value == "aliases":
            start = text.rfind("\n", 0, key.start_mark.index) + 1
            end_mark = value.end_mark.index if value.flow_style else value.value[-1][1].end_mark.index
            end = text.find("\n", end_mark)
            end = len(text) if end < 0 else end + 1
            while end < len(text) and text[end:].lstrip(" ").startswith("#") and text[end] == " ":
                end = text.find("\n", end) + 1 or len(text)  # comment lines indented under it
            return text[:start] + text[end:]
    return text


@settings(max_examples=150, deadline=None)
@given(files_with_aliases(), st.lists(st.tuples(st.sampled_from(ALIAS_NAMES), st.sampled_from((*LABELS, None))),
                                      min_size=1, max_size=6))
def test_alias_edits_change_the_aliases_and_nothing_else(start, ops):
    text, expected = start
    policy = Policy()
    for alias, label in ops:
        editor = ModelEditor(text, "models/m.yaml")
        if label is None:
            if alias not in expected:
                continue
            editor.remove_alias(alias)
            del expected[alias]
        else:
            editor.set_alias(alias, label)
            expected[alias] = label
        after = editor.text
        mf, problems = parse_model(after.encode(), "models/m.yaml", "m", policy)
        assert mf is not None and check_model(mf, policy) == [], (problems, after)
        assert dict(mf.model.aliases) == expected
        assert outside_aliases(after) == outside_aliases(text), after
        if label is not None:  # setting or moving keeps every comment
            assert re.findall(r"#.*", after) == re.findall(r"#.*", text)
        for other in expected:  # a removal keeps the comments about the other aliases
            assert after.count(f"# about {other}") == text.count(f"# about {other}")
        assert ("\r\n" in after) == ("\r\n" in text) and after.endswith("\n") == text.endswith("\n")
        text = after


def test_aliases_complete_in_the_shell(reg, monkeypatch):
    from test_completion import complete

    assert complete(reg.path, monkeypatch, "get", NAME, "--alias", "") == ["champion"]
    assert complete(reg.path, monkeypatch, "alias", NAME, "ch") == ["champion"]
    assert complete(reg.path, monkeypatch, "alias", NAME, "champion", "1.") == ["1.0.0", "1.1.0"]
