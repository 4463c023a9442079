"""The model file's editor: stages, versions, metrics and aliases of a model file, edited through
:class:`~registry_tool.yamlfile.splice.YamlEditor` so that every byte the edit does not
mean to change stays as it was; and the text of a new model file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from registry_tool.core.model import ARTIFACT_KEYS, BINDING_KEYS, MODEL_KEYS, VERSION_KEYS, split_metric
from registry_tool.errors import EditError
from registry_tool.yamlfile import render
from registry_tool.yamlfile.render import Style
from registry_tool.yamlfile.splice import Path, YamlEditor

SCHEMA_HEADER = "# yaml-language-server: $schema={schema}"
HOUSE_LAYOUT: Mapping[str, bool] = {"artifact": True}  # as in the README: the artifact in block style


class ModelEditor(YamlEditor):
    """Edits of a model file in the registry's terms: stages, versions, metrics."""

    def version_index(self, label: str) -> int:
        return self._version_indexes([label])[label]

    def _version_indexes(self, labels: Sequence[str]) -> dict[str, int]:
        versions = (self.data or {}).get("versions")
        found: dict[str, int] = {}
        for index, version in enumerate(versions if isinstance(versions, list) else ()):
            if isinstance(version, dict) and version.get("version") in labels:
                found.setdefault(version["version"], index)
        for label in labels:
            if label not in found:
                raise EditError(f"{(self.data or {}).get('name', self.path)} has no version {label}")
        return found

    def set_stage(self, label: str, stage: str) -> None:
        self.set_stages({label: stage})

    def set_stages(self, stages: Mapping[str, str]) -> None:
        """Several versions' stages in one pass (label -> stage)."""
        where = self._version_indexes(list(stages))
        self.replace_scalars([(("versions", where[label], "stage"), stage) for label, stage in stages.items()])

    def add_version(self, fields: Mapping[str, Any]) -> None:
        """Append a version after the last one, laid out like it (key order, label quoting)."""
        versions = self.node(("versions",))
        if versions is None:
            self.insert_key((), "versions", [dict(fields)], layout=HOUSE_LAYOUT)
            return
        if not isinstance(versions, SequenceNode):
            raise EditError(f"{self.path}: versions is not a list")
        last = versions.value[-1] if versions.value else None
        order = list(VERSION_KEYS)
        quote = '"'
        if isinstance(last, MappingNode):
            order = _merged_order([k.value for k, _ in last.value], VERSION_KEYS)
            label = next((v for k, v in last.value if k.value == "version"), None)
            if isinstance(label, ScalarNode):
                quote = label.style if label.style in ('"', "'") else ""
        item = {k: fields[k] for k in sorted(fields, key=lambda k: order.index(k) if k in order else len(order))}
        quotes = {"version": quote} if quote else {}
        if not quote and not render.plain_ok(str(fields["version"]), flow=False):
            quotes = {"version": '"'}
        self.append_item(("versions",), item, quotes=quotes, layout=_layout_of(last))

    def set_alias(self, alias: str, label: str) -> None:
        """Point ``alias`` at a version: move it in place, add it after the others, or write
        the ``aliases`` mapping (block style, before ``versions``). Labels are quoted like
        the file's other labels."""
        value = render.Quoted(label, self._label_quote())
        aliases = self.node(("aliases",))
        if aliases is None:
            self.insert_key((), "aliases", {alias: value}, order=MODEL_KEYS, layout={"aliases": True})
        elif self.node(("aliases", alias)) is not None:
            self.replace_scalar(("aliases", alias), label)
        else:
            self.insert_key(("aliases",), alias, value)

    def remove_alias(self, alias: str) -> None:
        """Remove an alias; the ``aliases`` mapping goes with its last one."""
        aliases = self.node(("aliases",))
        if isinstance(aliases, MappingNode) and len(aliases.value) == 1:
            self.delete_key((), "aliases")
        else:
            self.delete_key(("aliases",), alias)

    def _label_quote(self) -> str:
        """The quote character of the file's labels: an alias's, else the last version's (default '"')."""
        for path in (("aliases",), ("versions",)):
            node = self.node(path)
            items = [v for _, v in node.value] if isinstance(node, MappingNode) else []
            if isinstance(node, SequenceNode) and node.value and isinstance(node.value[-1], MappingNode):
                items = [v for k, v in node.value[-1].value if k.value == "version"]
            found = next((n.style for n in items if isinstance(n, ScalarNode) and n.style in ('"', "'")), None)
            if found is not None:
                return str(found)
        return '"'

    def set_metric(self, label: str, ref: str, value: Any) -> None:
        """Set a metric: ``name`` (top level, before ``suites``) or ``suite/name``."""
        index = self.version_index(label)
        base: Path = ("versions", index, "metrics")
        suite, name = split_metric(ref)
        if self.node(base) is None:
            data: dict[str, Any] = {"suites": {suite: {name: value}}} if suite is not None else {name: value}
            self.insert_key(("versions", index), "metrics", data, order=VERSION_KEYS)
        elif suite is not None:
            self.set_value((*base, "suites", suite, name), value)
        else:
            self.set_value((*base, name), value, order=(name, "suites"))

    # -- the model's and a version's own fields (label None: the model's) ------------------

    def base(self, label: str | None) -> Path:
        return () if label is None else ("versions", self.version_index(label))

    def value(self, path: Path) -> Any:
        """The data at ``path`` (None when there is none)."""
        value: Any = self.data
        for part in path:
            if isinstance(value, dict) and isinstance(part, str):
                value = value.get(part)
            elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
                value = value[part]
            else:
                return None
        return value

    def set_field(self, label: str | None, key: str, value: Any) -> None:
        """``description``, ``owner``, ``task``, ``run_id``: replaced in place, or added where
        the file's key order puts it."""
        self.replace_value((*self.base(label), key), value, order=MODEL_KEYS if label is None else VERSION_KEYS)

    def add_tags(self, label: str | None, tags: Sequence[str]) -> list[str]:
        """Append the tags not there yet (in the list's own style); the ones added."""
        base = self.base(label)
        have = self.value((*base, "tags")) or []
        new = [t for t in dict.fromkeys(tags) if t not in have]
        if not new:
            return []
        if self.node((*base, "tags")) is None:
            self.insert_key(base, "tags", new, order=MODEL_KEYS if label is None else VERSION_KEYS)
        else:
            for tag in new:
                self.append_item((*base, "tags"), tag)
        return new

    def remove_tags(self, label: str | None, tags: Sequence[str]) -> list[str]:
        """Remove the tags that are there (the ``tags`` key with the last one); the ones removed."""
        base = self.base(label)
        removed = []
        for tag in dict.fromkeys(tags):
            have = self.value((*base, "tags")) or []
            if tag not in have:
                continue
            if len(have) == 1:
                self.delete_key(base, "tags")
            else:
                self.delete_item((*base, "tags"), have.index(tag))
            removed.append(tag)
        return removed

    def set_metadata(self, label: str | None, key: str, value: Any) -> None:
        base = self.base(label)
        if self.node((*base, "metadata")) is None:
            self.insert_key(base, "metadata", {key: value}, order=MODEL_KEYS if label is None else VERSION_KEYS)
        else:
            self.replace_value((*base, "metadata", key), value)

    def unset_metadata(self, label: str | None, key: str) -> bool:
        """Remove a metadata key (the ``metadata`` mapping with its last one); False when absent."""
        base = self.base(label)
        metadata = self.value((*base, "metadata"))
        if not isinstance(metadata, dict) or key not in metadata:
            return False
        if len(metadata) == 1:
            self.delete_key(base, "metadata")
        else:
            self.delete_key((*base, "metadata"), key)
        return True

    def set_artifact(self, label: str, key: str, value: Any) -> None:
        """An artifact fact (``sha256``, ``size_bytes``, ``format``), in ARTIFACT_KEYS order."""
        self.replace_value((*self.base(label), "artifact", key), value, order=ARTIFACT_KEYS)

    def binding_index(self, label: str, provider: str, model_id: str | None) -> list[int]:
        """The indexes of the version's bindings to ``provider`` (with ``model_id``, when given)."""
        bindings = self.value((*self.base(label), "bindings")) or []
        return [i for i, b in enumerate(bindings) if isinstance(b, dict) and b.get("provider") == provider
                and (model_id is None or b.get("provider_model_id") == model_id)]

    def add_binding(self, label: str, binding: Mapping[str, Any]) -> None:
        base = self.base(label)
        if self.node((*base, "bindings")) is None:
            self.insert_key(base, "bindings", [dict(binding)], order=VERSION_KEYS)
        else:
            self.append_item((*base, "bindings"), dict(binding))

    def update_binding(self, label: str, index: int, fields: Mapping[str, Any], config: Mapping[str, Any]) -> None:
        """Set fields of a binding (status, region, endpoint_url) and merge keys into its config."""
        path = (*self.base(label), "bindings", index)
        for key, value in fields.items():
            self.replace_value((*path, key), value, order=BINDING_KEYS)
        if config and self.node((*path, "config")) is None:
            self.insert_key(path, "config", dict(config), order=BINDING_KEYS)
            return
        for key, value in config.items():
            self.replace_value((*path, "config", key), value)

    def remove_binding(self, label: str, index: int) -> None:
        base = self.base(label)
        if len(self.value((*base, "bindings")) or []) == 1:
            self.delete_key(base, "bindings")
        else:
            self.delete_item((*base, "bindings"), index)


def _merged_order(existing: list[str], canonical: Sequence[str]) -> list[str]:
    """The file's key order, with keys it does not show placed after their canonical predecessor."""
    merged = [k for k in existing if k in canonical]
    for i, key in enumerate(canonical):
        if key in merged:
            continue
        before = [k for k in canonical[:i] if k in merged]
        merged.insert(merged.index(before[-1]) + 1 if before else 0, key)
    return merged


def _layout_of(version: Node | None) -> Mapping[str, bool]:
    """Which keys the last version writes in block (True) or flow (False) style: a new
    version writes them alike; the house layout when there is no block version to copy."""
    if not isinstance(version, MappingNode) or version.flow_style:
        return HOUSE_LAYOUT
    layout = dict(HOUSE_LAYOUT)
    for key, value in version.value:
        if isinstance(value, (MappingNode, SequenceNode)) and value.value:
            layout[key.value] = not value.flow_style
    return layout


def new_model_text(name: str, version: Mapping[str, Any], *, schema_path: str = "../schemas/model.schema.json",
                   newline: str = "\n", model: Mapping[str, Any] | None = None) -> str:
    """A new model file with one version, and the header that points editors at the schema;
    ``model``: the model's own fields (description, owner, task, tags, metadata)."""
    style = Style(newline)
    item = {k: version[k] for k in sorted(version, key=lambda k: VERSION_KEYS.index(k) if k in VERSION_KEYS else len(VERSION_KEYS))}
    lines = [SCHEMA_HEADER.format(schema=schema_path), f"name: {render.scalar(name)}"]
    for key in sorted(model or {}, key=MODEL_KEYS.index):
        lines += render.block_lines(key, (model or {})[key], 0, style)
    lines.append("versions:")
    lines += render.sequence_item_lines(item, 2, 4, style, quotes={"version": '"'}, layout=HOUSE_LAYOUT)
    return newline.join(lines) + newline


def model_file_text(model: Mapping[str, Any], *, schema_path: str = "../schemas/model.schema.json",
                    newline: str = "\n") -> str:
    """A whole new model file (model keys, aliases and every version), laid out as
    :func:`new_model_text` lays out one version: the schema header, keys in the model file's
    order, version labels and alias targets quoted, artifacts in block style."""
    style = Style(newline)
    lines = [SCHEMA_HEADER.format(schema=schema_path)]
    for key in sorted(model, key=lambda k: MODEL_KEYS.index(k) if k in MODEL_KEYS else len(MODEL_KEYS)):
        value = model[key]
        if key == "versions":
            lines.append("versions:" if value else "versions: []")
            for version in value:
                item = {k: version[k] for k in sorted(version, key=_version_key_order)}
                lines += render.sequence_item_lines(item, 2, 4, style, quotes={"version": '"'}, layout=HOUSE_LAYOUT)
        elif key == "aliases":
            lines += render.block_lines(key, {a: render.Quoted(label) for a, label in value.items()}, 0, style,
                                        layout={"aliases": True})
        else:
            lines += render.block_lines(key, value, 0, style)
    return newline.join(lines) + newline


def _version_key_order(key: str) -> int:
    return VERSION_KEYS.index(key) if key in VERSION_KEYS else len(VERSION_KEYS)
