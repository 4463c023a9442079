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
its name in :data:`FILE_SCOPE` (file rules) or :data:`OTHER_SCOPES` below. Only the file
rules' modules load with this package: reading one model file (``get``, ``show``) needs
nothing else, and :func:`load_all` loads the rest for the validator.
"""

from __future__ import annotations

import importlib

from registry_tool.core.rules import RULES, RuleInfo
from registry_tool.validation.rules.registry import CHANGE_RULES, FILE_RULES, PAST_CHANGE_RULES, TREE_RULES

# the modules that register file rules, and the others (tree and change rules)
FILE_SCOPE = ("aliases", "duplicate_version", "name_matches_file", "one_production")
OTHER_SCOPES = ("case_collision", "demotion_required", "gates", "immutable_facts", "immutable_metrics", "no_removal",
                "rewritten_history", "stage_moves", "unexpected_file")

for _name in FILE_SCOPE:
    importlib.import_module(f"{__name__}.{_name}")
_loaded = False


def load_all() -> None:
    """Import every rule module, each registering its rules, once. The lists then run in
    the order of the modules' names, whichever of them something imported first (a rule
    module imported directly registers its rules then)."""
    global _loaded
    if _loaded:
        return
    for name in OTHER_SCOPES:
        importlib.import_module(f"{__name__}.{name}")
    order = {f"{__name__}.{name}": i for i, name in enumerate(sorted(FILE_SCOPE + OTHER_SCOPES))}
    for found in (FILE_RULES, TREE_RULES, CHANGE_RULES, PAST_CHANGE_RULES):
        found.sort(key=lambda rule: order[rule.__module__])
    _loaded = True


def all_rules() -> dict[str, RuleInfo]:
    """Every rule id the tool reports, by id (the loader's, the schema's and these)."""
    load_all()
    return dict(RULES)


__all__ = ["CHANGE_RULES", "FILE_RULES", "PAST_CHANGE_RULES", "TREE_RULES", "all_rules", "load_all"]
