"""The README says what the code does: the rule table, the quick start CI runs, and a test per rule."""

from __future__ import annotations

import re

from conftest import REPO_ROOT

from registry_tool.validation.rules import all_rules

RULES = all_rules()

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `([a-z0-9-]+)` \| ([a-z]+) \| (.+) \|$")


def rule_table() -> list[tuple[str, str, str]]:
    section = README.split("### Rules", 1)[1].split("\n## ", 1)[0]
    return [m.groups() for m in map(ROW.match, section.splitlines()) if m]


def test_rule_table_lists_exactly_the_registered_rules():
    ids = [row[0] for row in rule_table()]
    assert len(ids) == len(set(ids))  # none twice
    assert sorted(ids) == sorted(RULES)


def test_rule_table_summaries_and_scopes_match_the_code():
    for rule_id, scope, summary in rule_table():
        info = RULES[rule_id]
        assert (scope, summary) == (info.scope, info.summary.replace("|", "\\|")), rule_id


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section, flags=re.S)


def test_quick_start_has_two_commands_that_ci_runs_verbatim():
    commands = quick_start_commands()
    assert len(commands) == 2
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for command in commands:
        assert "\n" not in command
        assert command in ci, f"{command!r} is not a line of .ci/run"


def test_every_rule_is_asserted_by_a_test():
    sources = "\n".join(p.read_text(encoding="utf-8") for p in sorted((REPO_ROOT / "tests").glob("*.py"))
                        if p.name != "test_readme.py")
    untested = [rule_id for rule_id in RULES if f'"{rule_id}"' not in sources]
    assert untested == []


def test_readme_promises_the_example_output(cli):
    promised = re.search(r"prints `(ok: [^`]+)`", README).group(1)
    run = cli(REPO_ROOT, "validate")
    assert (run.code, run.out) == (0, promised + "\n")
