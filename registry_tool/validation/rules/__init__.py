"""Every rule on model files and the models directory: one module per concern.

A rule is a small pure function registered with a scope decorator:

* :func:`file_rule`: one model file on its own, ``(ModelFile, Policy) -> violations``;
* :func:`tree_rule`: the names in the models directory, ``(entries, changed, Policy) -> violations``;
* :func:`change_rule`: one model file against its previous version, ``(base, head, Policy) ->
  violations`` (``base`` is None for a new file, ``head`` is None for a removed one);
* :func:`past_change_rule`: the same, also given what history says about production
  before the change (``(base, head, Policy, ProductionPast) -> violations``).

Rule ids are declared in the rule's own module with :func:`registry_tool.core.rules.declare`
(the loader's and the schema's in theirs); :func:`all_rules` lists them all.

To add a rule: a new module here with the declaration and the decorated function, and
its name in the import list below.
"""

from __future__ import annotations

from registry_tool.core.rules import RULES, RuleInfo
from registry_tool.validation.rules import (  # noqa: F401  (each module registers its rules)
    aliases,
    case_collision,
    demotion_required,
    duplicate_version,
    gates,
    immutable_facts,
    immutable_metrics,
    name_matches_file,
    no_removal,
    one_production,
    rewritten_history,
    stage_moves,
    unexpected_file,
)
from registry_tool.validation.rules.registry import CHANGE_RULES, FILE_RULES, PAST_CHANGE_RULES, TREE_RULES


def all_rules() -> dict[str, RuleInfo]:
    """Every rule id the tool reports, by id (the loader's, the schema's and these)."""
    return dict(RULES)


__all__ = ["CHANGE_RULES", "FILE_RULES", "PAST_CHANGE_RULES", "TREE_RULES", "all_rules"]
