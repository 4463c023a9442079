"""``validate --format junit``: JUnit XML, the test report format CI systems show
(GitLab, Jenkins, Azure Pipelines, test-report actions).

One test case per checked file, and per file with a violation that is not a model file
(``registry.yaml``, an unexpected file in the models directory); a case fails with every
violation of its file in one ``<failure>``. A full or ``--base`` validate is one test
suite; ``--range`` gives one suite per commit, each with the files that commit changed. A
suite with nothing to check has one passing case saying so (readers count an empty suite
as an error).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from registry_tool.core.findings import Violation
from registry_tool.output.escape import printable
from registry_tool.validation.report import Report

SUITE = "registry-tool validate"
NOTHING_CHANGED = "(no model file changed)"
NO_FILES = "(no model files)"
_NOT_XML = re.compile("[\ufffe\uffff]")  # characters XML 1.0 cannot carry that printable() keeps


def _text(value: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", printable(value))


def _line(v: Violation) -> str:
    return f"{v.file}:{v.line}:{v.column}: {v.rule}: {v.message}"


def _case(suite: ET.Element, classname: str, path: str, found: list[Violation]) -> None:
    case = ET.SubElement(suite, "testcase", name=_text(path), classname=classname, file=_text(path), time="0")
    if found:
        n = len(found)
        rules = ", ".join(sorted({v.rule for v in found}))
        failure = ET.SubElement(case, "failure", type=rules,
                                message=_text(f"{n} violation{'s' if n != 1 else ''}: {found[0].rule}: {found[0].message}"))
        failure.text = "\n".join(_text(_line(v)) for v in found)


def _suite(root: ET.Element, name: str, paths: list[str], violations: list[Violation], empty: str) -> tuple[int, int]:
    by_file: dict[str, list[Violation]] = defaultdict(list)
    for v in violations:
        by_file[v.file].append(v)
    ordered = list(dict.fromkeys(paths)) + sorted(set(by_file) - set(paths))
    suite = ET.SubElement(root, "testsuite", name=name)
    for path in ordered:
        _case(suite, name, path, by_file.get(path, []))
    if not ordered:
        _case(suite, name, empty, [])
    tests = max(1, len(ordered))
    failures = sum(1 for path in ordered if by_file.get(path))
    for key, value in (("tests", tests), ("failures", failures), ("errors", 0), ("skipped", 0), ("time", 0)):
        suite.set(key, str(value))
    return tests, failures


def render_junit(report: Report, color: bool = False) -> str:
    root = ET.Element("testsuites", name=SUITE)
    tests = failures = 0
    if report.commits_checked:
        paths: dict[str | None, list[str]] = defaultdict(list)
        found: dict[str | None, list[Violation]] = defaultdict(list)
        for c in report.checked:
            paths[c.commit].append(c.path)
        for v in report.violations:
            found[v.commit].append(v)
        for commit in report.commits_checked:
            t, f = _suite(root, f"commit {commit[:12]}", paths[commit], found[commit], NOTHING_CHANGED)
            tests, failures = tests + t, failures + f
    else:
        tests, failures = _suite(root, SUITE, [c.path for c in report.checked], report.violations, NO_FILES)
    for key, value in (("tests", tests), ("failures", failures), ("errors", 0), ("time", 0)):
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
