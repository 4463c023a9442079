"""Rule ids: every rule the tool reports, declared once, where the rule lives.

A rule's module declares it (``SHA256 = declare("gate-sha256", "change", "...", help="...")``)
and reports violations under ``SHA256.id``: the summary says what the rule rejects in one
sentence (the README's rule table), the help says why and how to fix a violation (SARIF's
rule help, shown beside code-scanning alerts). The registry is the one list of rule ids: the
README's rule table, ``validate``'s output formats and the tests are checked against it
(:func:`registry_tool.validation.rules.all_rules` imports every module that declares one).
"""

from __future__ import annotations

from typing import NamedTuple

SCOPES = ("loader", "schema", "file", "tree", "change")


class RuleInfo(NamedTuple):
    """A rule: its stable id, where it applies, what it rejects in one sentence, and how to fix it."""

    id: str
    scope: str  # one of SCOPES
    summary: str
    help: str


RULES: dict[str, RuleInfo] = {}


def declare(rule_id: str, scope: str, summary: str, *, help: str = "") -> RuleInfo:
    """Register a rule id (once: a second declaration is a bug). ``help``: why the rule
    exists and how to fix a violation, in a few sentences (the summary when not given)."""
    if rule_id in RULES:
        raise ValueError(f"rule {rule_id} declared twice")
    if scope not in SCOPES:
        raise ValueError(f"rule {rule_id}: unknown scope {scope}")
    info = RULES[rule_id] = RuleInfo(rule_id, scope, summary, help or summary)
    return info
