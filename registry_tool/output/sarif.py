"""``validate --format sarif``: SARIF 2.1.0, the format code-scanning services read
(``github/codeql-action/upload-sarif``).

One run: the tool with every rule of the registry (id, the summary as short description,
the help as full description and help), and one result per violation with its rule, level
``error``, message and position. A file's location is its path relative to the
repository root (``%SRCROOT%``), percent-encoded as a URI; a violation found in a commit of
``--range`` carries the commit in its ``properties``.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from registry_tool import __version__
from registry_tool.core.findings import Violation
from registry_tool.core.rules import RuleInfo
from registry_tool.output.escape import printable
from registry_tool.validation.report import Report
from registry_tool.validation.rules import all_rules

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"


def artifact_uri(path: str) -> str:
    """A repository-relative path as a relative URI reference: every byte but the unreserved
    ones and '/' percent-encoded (a file name that was not UTF-8 keeps its bytes)."""
    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


def _rule(info: RuleInfo) -> dict[str, object]:
    return {
        "id": info.id,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": f"{info.summary} {info.help}"},
        "help": {"text": info.help, "markdown": f"**{info.id}** ({info.scope} rule): {info.summary}\n\n{info.help}"},
        "defaultConfiguration": {"level": "error"},
        "properties": {"scope": info.scope, "tags": ["registry-tool", info.scope]},
    }


def _result(v: Violation, index: dict[str, int]) -> dict[str, object]:
    result: dict[str, object] = {"ruleId": v.rule}
    if v.rule in index:
        result["ruleIndex"] = index[v.rule]
    result["level"] = "error"
    where = f" (commit {v.commit[:12]})" if v.commit else ""
    result["message"] = {"text": printable(v.message) + where}
    result["locations"] = [{"physicalLocation": {
        "artifactLocation": {"uri": artifact_uri(v.file), "uriBaseId": SRCROOT},
        "region": {"startLine": max(1, v.line), "startColumn": max(1, v.column)},
    }}]
    if v.commit:
        result["properties"] = {"commit": v.commit}
    return result


def sarif_log(report: Report) -> dict[str, object]:
    """The SARIF log of a report, as JSON-ready data."""
    rules = sorted(all_rules().values(), key=lambda info: info.id)
    index = {info.id: i for i, info in enumerate(rules)}
    run: dict[str, object] = {
        "tool": {"driver": {
            "name": "registry-tool",
            "version": __version__,
            "semanticVersion": __version__,
            "rules": [_rule(info) for info in rules],
        }},
        "columnKind": "unicodeCodePoints",
        "results": [_result(v, index) for v in report.violations],
    }
    if report.commits_checked:
        run["properties"] = {"commits": report.commits_checked}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(report: Report, color: bool = False) -> str:
    return json.dumps(sarif_log(report), indent=2, ensure_ascii=False) + "\n"
