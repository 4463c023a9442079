"""What ``import`` prints besides an editing command's outcome: the refusal when the
source holds several versions in a stage this registry keeps unique, as a list."""

from __future__ import annotations

from registry_tool.imports.imported import UniqueStageConflict
from registry_tool.output.values import dump


def conflict_text(exc: UniqueStageConflict) -> str:
    n = len(exc.conflicts)
    lines = [f"registry-tool: error: {exc.source.kind} holds several versions of {n} model{'s' if n != 1 else ''} "
             "in a stage this registry keeps unique (one version at a time):"]
    lines += [f"  {model}: versions {', '.join(labels)} in {stage}" for model, stage, labels in exc.conflicts]
    lines.append(exc.hint[0].upper() + exc.hint[1:] + ".")
    return "".join(line + "\n" for line in lines)


def conflict_json(exc: UniqueStageConflict) -> str:
    return dump({
        "ok": False,
        "error": str(exc),
        "conflicts": [{"model": model, "stage": stage, "versions": labels} for model, stage, labels in exc.conflicts],
    })
