"""A model file: read, loaded by the strict loader and checked against the schema.

:func:`parse_model` turns bytes into a :class:`ModelFile` (the loader's document and the
typed model) or into the loader's and the schema's violations; every rule works on the
result.
"""

from __future__ import annotations

from typing import NamedTuple

from registry_tool.core.findings import Violation
from registry_tool.core.model import Model, model_from_data
from registry_tool.core.policy import Policy
from registry_tool.schema import check as schema
from registry_tool.schema.stages import check_stages
from registry_tool.snapshots.base import Entry, Snapshot
from registry_tool.yamlfile import loader
from registry_tool.yamlfile.loader import Document


class ModelFile(NamedTuple):
    """A model file that loaded and passed the schema."""

    path: str
    stem: str
    doc: Document
    model: Model

    def violation(self, rule: str, path: tuple[str | int, ...], message: str, *, key: bool = False) -> Violation:
        return self.doc.violation(rule, path, message, key=key)

def parse_model(raw: bytes, path: str, stem: str, policy: Policy) -> tuple[ModelFile | None, list[Violation]]:
    """Load and schema-check one model file: the file, or why it is not one."""
    doc = loader.load(raw, path, max_bytes=policy.max_file_bytes)
    if doc.problems:
        return None, doc.problems
    problems = schema.check(doc, schema.MODEL_SCHEMA, [*check_stages(doc, policy.stages), *_whole_sizes(doc)])
    if problems:
        return None, problems
    return ModelFile(path, stem, doc, model_from_data(doc.data)), []


def _whole_sizes(doc: Document) -> list[Violation]:
    """size_bytes written as a float beyond 2^53-1 (1.0e+300): JSON Schema counts an integral
    float as an integer (10.0 is fine), but this one readers hold as a double, and serving it
    as an integer invented digits (a 301-digit size), while 9007199254740993 is refused."""
    versions = doc.data.get("versions") if isinstance(doc.data, dict) else None
    found = []
    for index, item in enumerate(versions if isinstance(versions, list) else []):
        artifact = item.get("artifact") if isinstance(item, dict) else None
        size = artifact.get("size_bytes") if isinstance(artifact, dict) else None
        if isinstance(size, float) and size.is_integer() and abs(size) > loader.MAX_EXACT_INT:
            found.append(doc.violation("schema", ("versions", index, "artifact", "size_bytes"),
                                       f"versions[{index}].artifact.size_bytes: {size!r} is larger than 2^53-1; readers "
                                       "that hold numbers as doubles read another whole number of bytes"))
    return found


def read_model(snapshot: Snapshot, entry: Entry, policy: Policy) -> tuple[ModelFile | None, list[Violation]]:
    size = snapshot.size(entry)
    if size > policy.max_file_bytes:  # refused unread
        return None, [loader.too_large(entry.path, size, policy.max_file_bytes)]
    return parse_model(snapshot.read(entry), entry.path, entry.stem, policy)
