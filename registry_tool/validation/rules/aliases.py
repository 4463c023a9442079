"""alias-unknown-version, alias-archived, alias-reserved: what a model's aliases may name.

An alias (``aliases: {champion: "1.1.0"}``) names exactly one version: one the model
lists, never an archived one (a version in a final stage), and under a name that is not
MLflow's ``latest`` or ``v<digits>`` and not a stage name (``get`` takes stages and
aliases alike).
"""

from __future__ import annotations

from collections.abc import Iterator

from registry_tool.core.findings import Violation
from registry_tool.core.model import reserved_alias
from registry_tool.core.policy import Policy
from registry_tool.core.rules import declare
from registry_tool.validation.model_file import ModelFile
from registry_tool.validation.rules.registry import file_rule

ALIAS_UNKNOWN_VERSION = declare("alias-unknown-version", "file", "An alias names a version the model does not list.",
                                help="A deploy tool that follows the alias would find no version. Point the alias at "
                                     "a version the model lists (registry-tool alias MODEL ALIAS VERSION), or remove "
                                     "it (--remove).")
ALIAS_ARCHIVED = declare("alias-archived", "file", "An alias names an archived version (one in a final stage).",
                         help="Archived versions are retired; an alias that deploy tools follow must not lead to "
                              "one. Move the alias to a live version, or remove it, before archiving the version.")
ALIAS_RESERVED = declare("alias-reserved", "file",
                         "An alias named latest or v<digits> (MLflow's version references), or named like a stage.",
                         help="latest and v<digits> name versions in MLflow's model URIs, and get takes stage "
                              "names and aliases alike: such an alias would be read as something else. Choose "
                              "another name (champion, challenger, ...).")


@file_rule
def aliases_name_live_versions(mf: ModelFile, policy: Policy) -> Iterator[Violation]:
    model = mf.model
    for alias, label in model.aliases.items():
        path = ("aliases", alias)
        version = model.version(label)
        if version is None:
            known = ", ".join(v.version for v in model.versions) or "none"
            yield mf.violation(ALIAS_UNKNOWN_VERSION.id, path,
                               f"alias {alias} names {model.name} {label}, which is not a version of it (versions: {known})")
        elif policy.is_final(version.stage):
            yield mf.violation(ALIAS_ARCHIVED.id, path,
                               f"alias {alias} names {model.name} {label}, which is {version.stage}; "
                               f"aliases never name {version.stage} versions: move or remove the alias first")


@file_rule
def alias_names_not_reserved(mf: ModelFile, policy: Policy) -> Iterator[Violation]:
    for alias in mf.model.aliases:
        if reserved_alias(alias):
            yield mf.violation(ALIAS_RESERVED.id, ("aliases", alias),
                               f"alias {alias} is reserved: latest and v<digits> name versions in MLflow's model URIs",
                               key=True)
        elif alias in policy.stages:
            yield mf.violation(ALIAS_RESERVED.id, ("aliases", alias),
                               f"alias {alias} is reserved: it is the name of a stage", key=True)
