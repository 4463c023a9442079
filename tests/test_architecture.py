"""The shape of the package: dependencies point one way, no import cycles, small functions.

The layers themselves are an import-linter contract in pyproject.toml (``lint-imports``
runs it from the test command); these tests hold what the contract does not: no cycle
between any two modules (lazy imports inside functions included), and no function above
a cyclomatic complexity of 15 as radon counts it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp
import pytest
from radon.complexity import cc_visit

PACKAGE = Path(__file__).resolve().parents[1] / "registry_tool"
MAX_COMPLEXITY = 15


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles_lazy_imports_included():
    graph = grimp.build_graph("registry_tool")
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle(tmp_path, monkeypatch):
    """The check above can fail: two modules that import each other inside functions."""
    package = tmp_path / "cyclic_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from cyclic_pkg import b\n    return b\n")
    (package / "b.py").write_text("def g():\n    from cyclic_pkg import a\n    return a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _cycles(grimp.build_graph("cyclic_pkg")) == [["cyclic_pkg.a", "cyclic_pkg.b"]]


def _complexities() -> list[tuple[str, int]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for block in cc_visit(path.read_text(encoding="utf-8")):
            found.append((f"{path.relative_to(PACKAGE.parent)}:{block.lineno} {block.fullname}", block.complexity))
    return found


def test_no_function_above_complexity_15():
    assert [(where, n) for where, n in _complexities() if n > MAX_COMPLEXITY] == []


@pytest.mark.parametrize("layer", ["core", "yamlfile", "schema", "snapshots", "validation", "history", "read", "edit",
                                   "output", "cli"])
def test_every_layer_is_a_documented_folder(layer):
    """The README's Architecture section names every folder of the package."""
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    assert f"{layer}/" in section
    assert (PACKAGE / layer / "__init__.py").is_file()
