"""The shape of the package: dependencies point one way, no import cycles, small functions.

The layers themselves are an import-linter contract in pyproject.toml (``lint-imports``
runs it from the test command); these tests hold what the contract does not: no cycle
between any two modules (lazy imports inside functions included), and no function above
a cyclomatic complexity of 15 as radon counts it.
"""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest
from radon.complexity import cc_visit

PACKAGE = Path(__file__).resolve().parents[1] / "registry_tool"
MAX_COMPLEXITY = 15


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others: the strongly
    connected components of more than one module (Kosaraju's two passes, no recursion)."""
    modules = sorted(graph.modules)
    imports = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    imported_by: dict[str, list[str]] = {m: [] for m in modules}
    for module, targets in imports.items():
        for target in targets:
            imported_by[target].append(module)
    finished: list[str] = []
    seen: set[str] = set()
    for start in modules:
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(imports[start]))]
        while stack:
            module, pending = stack[-1]
            target = next((t for t in pending if t not in seen), None)
            if target is None:
                stack.pop()
                finished.append(module)
            else:
                seen.add(target)
                stack.append((target, iter(imports[target])))
    assigned: set[str] = set()
    found = []
    for start in reversed(finished):
        if start in assigned:
            continue
        component, todo = [], [start]
        assigned.add(start)
        while todo:
            module = todo.pop()
            component.append(module)
            for source in imported_by[module]:
                if source not in assigned:
                    assigned.add(source)
                    todo.append(source)
        if len(component) > 1:
            found.append(sorted(component))
    return sorted(found)


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
                                   "imports", "output", "cli"])
def test_every_layer_is_a_documented_folder(layer):
    """The README's Architecture section names every folder of the package."""
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    assert f"{layer}/" in section
    assert (PACKAGE / layer / "__init__.py").is_file()
