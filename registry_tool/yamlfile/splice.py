"""Surgical edits of a model file's text, guided by the YAML node positions.

Every edit splices the text at positions taken from the node tree (each node's
``start_mark``/``end_mark`` index into the text) and then reads the text again, so the
next edit sees fresh positions; every value the edit does not mean to change must read
as it did before, or the edit is refused. Nothing is re-serialised: comments, key order, quoting,
flow or block style, blank lines and line endings outside the spliced spans stay byte
for byte. What is inserted follows the file's own layout: the indentation of its
sequence items and mappings, its line ending, the quoting of its version labels, and
the style (flow or block) of the collection it goes into.

The editor knows text and nodes only. Whether an edit is allowed is for the validator.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from registry_tool.errors import EditError
from registry_tool.yamlfile import loader, render
from registry_tool.yamlfile.render import Style

Path = tuple[str | int, ...]

_EDITED = object()  # stands for a value an edit means to change, when the readings before and after are compared


class YamlEditor:
    """A YAML text and its node tree; each edit splices the text and reads it again."""

    def __init__(self, text: str, path: str = "<text>", *, doc: loader.Document | None = None) -> None:
        """``doc``: the loader's document of exactly this text, when the caller has it."""
        self.path = path
        self.text = text
        self.spans: list[tuple[int, int, str]] = []  # (start, end, new text) of each splice, in order
        self._doc = doc if doc is not None and doc.text == text and doc.ok else None
        self._flow_ids: set[int] | None = None  # nodes inside flow collections, for the current reading
        self._flow_doc: loader.Document | None = None
        self.style = Style(render.newline_of(text), self._indent_step())

    # -- reading ---------------------------------------------------------------------

    @property
    def doc(self) -> loader.Document:
        """The node tree of the current text, read again after a splice when needed."""
        if self._doc is None:
            raw = self.text.encode("utf-8")
            doc = loader.load(raw, self.path, max_bytes=len(raw) + 1)
            if doc.problems:
                first = doc.problems[0]
                raise EditError(f"{self.path}:{first.line}:{first.column}: cannot edit: {first.rule}: {first.message}")
            if not isinstance(doc.root, MappingNode):
                raise EditError(f"{self.path}: cannot edit: the file is not a mapping")
            self._doc = doc
        return self._doc

    @property
    def data(self) -> Any:
        return self.doc.data

    def node(self, path: Path) -> Node | None:
        """The value node at ``path``, or None when the path does not exist."""
        node: Node | None = self.doc.root
        for part in path:
            if isinstance(node, MappingNode):
                node = next((v for k, v in node.value if k.value == part), None)
            elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
            else:
                return None
        return node

    def _indent_step(self) -> int:
        """The file's indentation step: how far a nested block mapping's keys sit right of
        their parent key (2 when the file shows none)."""
        stack: list[Node] = [self.doc.root] if self.doc.root is not None else []
        while stack:
            node = stack.pop()
            if isinstance(node, MappingNode):
                for key, value in node.value:
                    if isinstance(value, MappingNode) and not value.flow_style and value.value:
                        step: int = value.value[0][0].start_mark.column - key.start_mark.column
                        if step > 0:
                            return step
                    stack.append(value)
            elif isinstance(node, SequenceNode):
                stack.extend(reversed(node.value))
        return 2

    # -- positions -------------------------------------------------------------------

    def _line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def _next_line(self, index: int) -> int:
        """The start of the line after the one holding ``index`` (the text's end if none)."""
        end = self.text.find("\n", index)
        return len(self.text) if end < 0 else end + 1

    def _at_line_start(self, index: int) -> bool:
        return self.text[self._line_start(index):index].strip() == ""

    def _content_end(self, node: Node) -> int:
        """Where a node's own text ends (a block collection's marks run on to the next token)."""
        if isinstance(node, ScalarNode):
            end = node.end_mark.index
            if node.style in ("|", ">") and self._keeps_trailing_lines(node):
                return self._kept_end(node)
            if node.style in ("|", ">"):
                while end > node.start_mark.index and self.text[end - 1] in " \t\r\n":
                    end -= 1
            return end
        assert isinstance(node, (MappingNode, SequenceNode))
        if node.flow_style or not node.value:
            stop: int = node.end_mark.index
            return stop
        last = node.value[-1]
        if isinstance(node, MappingNode):
            key_end: int = last[0].end_mark.index
            return max(self._content_end(last[1]), key_end)
        return self._content_end(last)

    def _keeps_trailing_lines(self, node: ScalarNode) -> bool:
        """Whether a block scalar's header says ``+`` (keep): its trailing blank lines are
        part of its value."""
        header = self.text[node.start_mark.index:self._next_line(node.start_mark.index)].split("#", 1)[0]
        return "+" in header

    def _kept_end(self, node: ScalarNode) -> int:
        """Where a ``|+`` or ``>+`` scalar's text ends: at the line break of its last kept
        line (the line after is no longer its own). Its end mark may lie inside the next
        line's indentation, which is not the scalar's."""
        end: int = node.end_mark.index
        line = self._line_start(end)
        if line > node.start_mark.index and self.text[line:end].strip(" ") == "" and (end < len(self.text) or line == end):
            end = line - 1 - (line > 1 and self.text[line - 2] == "\r")
        return end

    def _after_block(self, node: Node, column: int) -> int:
        """Where a line goes after a block node: past the rest of its last line and past the
        comment lines indented at least ``column`` that follow it (they belong to it)."""
        pos = self._next_line(self._content_end(node))
        while pos < len(self.text):
            line_end = self._next_line(pos)
            line = self.text[pos:line_end]
            stripped = line.lstrip(" ")
            if not stripped.startswith("#") or len(line) - len(stripped) < column:
                break
            pos = line_end
        return pos

    def _lines_at(self, pos: int, lines: list[str]) -> tuple[int, str]:
        """Whole lines to insert at ``pos`` (a line start, or the end of a text whose last
        line has no line ending: then the new lines go after it, and the file still ends
        without one)."""
        nl = self.style.newline
        if pos == len(self.text) and self.text and not self.text.endswith("\n"):
            return pos, nl + nl.join(lines)
        return pos, nl.join(lines) + nl

    # -- splicing --------------------------------------------------------------------

    def splice(self, start: int, end: int, new: str) -> None:
        self.text = self.text[:start] + new + self.text[end:]
        self.spans.append((start, end, new))
        self._doc = None

    @contextmanager
    def _only(self, changed: Sequence[Path] = (), *, added: Path | None = None, removed: Path | None = None) -> Iterator[None]:
        """Around the splices of one edit meant to change the values at ``changed``, add the
        one at ``added`` or remove the one at ``removed``: every other value must read as it
        did before, or the edit is refused (a splice in the wrong place can change a
        neighbour's value, such as the kept trailing lines of a ``|+`` scalar, while the
        file stays valid and the diff looks like an insertion)."""
        before = self.data
        yield
        try:
            after = self.data
        except EditError:
            return  # the new text does not read cleanly: the validator refuses it and says why
        old, new = _masked(before, changed, removed), _masked(after, changed, added)
        if old != new:
            where = _dotted(_difference(old, new))
            raise EditError(f"{self.path}: cannot make this edit without also changing {where}; nothing was written")

    def replace_scalar(self, path: Path, value: Any) -> None:
        """Write a new value in place of a scalar, keeping its quoting."""
        self.replace_scalars([(path, value)])

    def replace_scalars(self, changes: Sequence[tuple[Path, Any]]) -> None:
        """Several scalars at once, from one reading of the text: spliced from the last to
        the first, so each position is still right when its turn comes."""
        with self._only([path for path, _ in changes]):
            self._replace_scalars(changes)

    def _replace_scalars(self, changes: Sequence[tuple[Path, Any]]) -> None:
        found = []
        for path, value in changes:
            node = self.node(path)
            if not isinstance(node, ScalarNode):
                raise EditError(f"{self.path}: no scalar at {_dotted(path)}")
            if node.style in ("|", ">"):
                line = node.start_mark.line + 1
                raise EditError(f"{self.path}:{line}: cannot rewrite the block scalar at {_dotted(path)}; write it on one line")
            quote = node.style if node.style in ('"', "'") and isinstance(value, str) else None
            found.append((node.start_mark.index, node.end_mark.index, render.scalar(value, flow=self._in_flow(node), quote=quote)))
        pieces, at = [], 0
        for start, end, new in sorted(found):
            pieces += [self.text[at:start], new]
            at = end
        self.text = "".join(pieces) + self.text[at:]
        self.spans.extend(sorted(found, reverse=True))  # each valid in the text before this call
        self._doc = None

    def _in_flow(self, target: Node) -> bool:
        """Whether a node sits inside a flow collection (plain scalars may not hold ,[]{})."""
        if self._flow_ids is None or self._flow_doc is not self._doc:
            inside: set[int] = set()
            stack: list[tuple[Node, bool]] = [(self.doc.root, False)] if self.doc.root is not None else []
            while stack:
                node, flow = stack.pop()
                if flow:
                    inside.add(id(node))
                flow = flow or bool(getattr(node, "flow_style", False))
                if isinstance(node, MappingNode):
                    stack.extend((n, flow) for kv in node.value for n in kv)
                elif isinstance(node, SequenceNode):
                    stack.extend((n, flow) for n in node.value)
            self._flow_ids, self._flow_doc = inside, self._doc
        return id(target) in self._flow_ids

    def set_value(self, path: Path, value: Any, *, order: Sequence[str] = ()) -> None:
        """Set ``path`` to ``value``: replace a scalar, or insert the missing key (with any
        missing mappings on the way) before the first key that comes later in ``order``."""
        parent_path, key = path[:-1], path[-1]
        for depth in range(len(parent_path)):
            if self.node(parent_path[: depth + 1]) is None:
                missing = parent_path[depth]
                nested: Any = value
                for part in reversed(path[depth + 1:]):
                    nested = {part: nested}
                self.insert_key(parent_path[:depth], str(missing), nested, order=order if depth == len(parent_path) - 1 else ())
                return
        parent = self.node(parent_path)
        if not isinstance(parent, MappingNode):
            raise EditError(f"{self.path}: {_dotted(parent_path)} is not a mapping")
        if self.node(path) is None:
            self.insert_key(parent_path, str(key), value, order=order)
        elif isinstance(value, Mapping):
            for k, v in value.items():
                self.set_value((*path, k), v)
        else:
            self.replace_scalar(path, value)

    def insert_key(self, path: Path, key: str, value: Any, *, order: Sequence[str] = (),
                   layout: Mapping[str, bool] | None = None) -> None:
        """Add ``key: value`` to the mapping at ``path``, before the first existing key that
        comes after ``key`` in ``order`` (at the end otherwise)."""
        node = self.node(path)
        if not isinstance(node, MappingNode):
            raise EditError(f"{self.path}: {_dotted(path)} is not a mapping")
        before = _next_in_order(key, [k.value for k, _ in node.value], order)
        with self._only(added=(*path, key)):
            if node.flow_style or not node.value:
                self._insert_flow_key(node, key, value, before)
            else:
                self._insert_block_key(node, key, value, before, layout)

    def _insert_block_key(self, node: MappingNode, key: str, value: Any, before: str | None,
                          layout: Mapping[str, bool] | None) -> None:
        column = node.value[0][0].start_mark.column
        lines = render.block_lines(key, value, column, self.style, layout=layout)
        anchor = next((k for k, _ in node.value if k.value == before), None)
        if anchor is not None and self._at_line_start(anchor.start_mark.index):
            pos = self._comments_above(self._line_start(anchor.start_mark.index), column)
        else:
            pos = self._after_block(node, column)
        self.splice(*self._insert_span(pos, lines))

    def delete_key(self, path: Path, key: str) -> None:
        """Remove ``key`` and its value from the mapping at ``path``: in a block mapping its
        lines, with the comment lines indented under it and, in a nested mapping, those right
        above it at its indentation (they are about it); in a flow mapping the item and one
        comma. Comments above a top-level key stay (the file's header may be there)."""
        with self._only(removed=(*path, key)):
            self._delete_key(path, key)

    def _delete_key(self, path: Path, key: str) -> None:
        node = self.node(path)
        if not isinstance(node, MappingNode):
            raise EditError(f"{self.path}: {_dotted(path)} is not a mapping")
        at = next((i for i, (k, _) in enumerate(node.value) if k.value == key), None)
        if at is None:
            raise EditError(f"{self.path}: no {_dotted((*path, key))} to remove")
        k, v = node.value[at]
        if node.flow_style:
            self.splice(*self._flow_item_span(node, at), "")
            return
        if not self._at_line_start(k.start_mark.index):
            raise EditError(f"{self.path}:{k.start_mark.line + 1}: cannot remove {key}: it does not start its line")
        start = self._line_start(k.start_mark.index)
        if path:
            start = self._comments_above(start, k.start_mark.column)
        end = self._after_block(v, k.start_mark.column + 1)
        if end == len(self.text) and start > 0 and not self.text.endswith("\n"):
            start -= 1 + (self.text[start - 2] == "\r" if start > 1 else 0)  # the last line: take the line break before it
        self.splice(start, end, "")

    def _flow_item_span(self, node: MappingNode, at: int) -> tuple[int, int]:
        """The text of item ``at`` of a flow mapping with one comma: up to the next key, or
        from the end of the previous value when it is the last item."""
        k, v = node.value[at]
        if at + 1 < len(node.value):
            return k.start_mark.index, node.value[at + 1][0].start_mark.index
        if at > 0:
            return self._content_end(node.value[at - 1][1]), self._content_end(v)
        return k.start_mark.index, self._content_end(v)

    def _insert_span(self, pos: int, lines: list[str]) -> tuple[int, int, str]:
        pos, text = self._lines_at(pos, lines)
        return pos, pos, text

    def _comments_above(self, pos: int, column: int) -> int:
        """Move a line start up over the comment lines right above it at the same indentation
        (a comment above a key is about that key)."""
        while pos > 0:
            prev = self._line_start(pos - 1)
            line = self.text[prev:pos]
            stripped = line.lstrip(" ")
            if not stripped.startswith("#") or len(line) - len(stripped) != column:
                break
            pos = prev
        return pos

    def _insert_flow_key(self, node: MappingNode, key: str, value: Any, before: str | None) -> None:
        item = f"{render.scalar(key, flow=True)}: {render.flow(value)}"
        if not node.value:
            if not node.flow_style:
                raise EditError(f"{self.path}:{node.start_mark.line + 1}: cannot add to an empty mapping written without braces")
            self.splice(node.start_mark.index + 1, node.start_mark.index + 1, item)
            return
        anchor = next((k for k, _ in node.value if k.value == before), None)
        if anchor is not None:
            self.splice(anchor.start_mark.index, anchor.start_mark.index, item + ", ")
            return
        self._flow_append(node, [k for k, _ in node.value], self._content_end(node.value[-1][1]), item)

    def _flow_append(self, node: Node, starts: list[Node], end: int, item: str) -> None:
        """Append an item after the last one of a flow collection: on the same line, or on
        a line of its own when the collection puts its items on lines of their own."""
        last = starts[-1]
        prev_line = starts[-2].start_mark.line if len(starts) > 1 else node.start_mark.line
        if last.start_mark.line != prev_line:
            indent = " " * last.start_mark.column
            self.splice(end, end, f",{self.style.newline}{indent}{item}")
        else:
            self.splice(end, end, f", {item}")

    def append_item(self, path: Path, item: Any, *,
                    quotes: Mapping[str, str] | None = None, layout: Mapping[str, bool] | None = None) -> None:
        """Append ``item`` to the sequence at ``path`` in the style of its last item."""
        node = self.node(path)
        if not isinstance(node, SequenceNode):
            raise EditError(f"{self.path}: {_dotted(path)} is not a list")
        with self._only(added=(*path, len(node.value))):
            self._append_item(path, node, item, quotes, layout)

    def _append_item(self, path: Path, node: SequenceNode, item: Any, quotes: Mapping[str, str] | None,
                     layout: Mapping[str, bool] | None) -> None:
        if node.flow_style:
            self._append_flow_item(path, node, item, quotes, layout)
            return
        last = node.value[-1]
        dash = node.start_mark.column
        content = last.start_mark.column if last.start_mark.line == self._dash_line(last) else dash + 2
        if isinstance(last, MappingNode) and last.flow_style:
            text = " " * dash + "- " + render.flow(item, quotes)
            lines = [text]
        else:
            lines = render.sequence_item_lines(item, dash, content, self.style, quotes=quotes, layout=layout)
        if len(node.value) > 1 and self._blank_before(last):
            lines.insert(0, "")
        self.splice(*self._insert_span(self._after_block(node, dash), lines))

    def _dash_line(self, item: Node) -> int:
        return self.text.count("\n", 0, self.text.rfind("-", 0, item.start_mark.index))

    def _blank_before(self, item: Node) -> bool:
        """Whether a blank line separates this sequence item from the one before it."""
        start = self._line_start(self.text.rfind("-", 0, item.start_mark.index))
        if start == 0:
            return False
        prev = self._line_start(start - 1)
        return self.text[prev:start].strip() == ""

    def _append_flow_item(self, path: Path, node: SequenceNode, item: Any, quotes: Mapping[str, str] | None,
                          layout: Mapping[str, bool] | None) -> None:
        rendered = render.flow(item, quotes)
        if node.value:
            self._flow_append(node, node.value, self._content_end(node.value[-1]), rendered)
            return
        start, end = node.start_mark.index, node.end_mark.index
        rest = self.text[end:self._next_line(end)]
        key = self._key_node(path)
        if rest.strip() == "" and key is not None and self._at_line_start(key.start_mark.index):
            # An empty list written "[]" says nothing about style: write the item in block style.
            dash = key.start_mark.column + self.style.step
            lines = render.sequence_item_lines(item, dash, dash + 2, self.style, quotes=quotes, layout=layout)
            colon = self.text.index(":", key.end_mark.index)
            self.splice(colon + 1, end, self.style.newline + self.style.newline.join(lines))
        else:
            self.splice(start + 1, end - 1, rendered)

    def _key_node(self, path: Path) -> ScalarNode | None:
        parent = self.node(path[:-1])
        if isinstance(parent, MappingNode):
            return next((k for k, _ in parent.value if k.value == path[-1]), None)
        return None

    # -- replacing and removing whole values ----------------------------------------------

    def replace_value(self, path: Path, value: Any, *, order: Sequence[str] = ()) -> None:
        """Make ``path`` hold ``value``, whatever it holds now: a scalar is replaced in place
        (a block scalar, ``|`` or ``>``, by the value on one line); a collection, or a
        scalar becoming one, is written anew in the same place (in a flow collection in flow
        style; in a block mapping as the key's lines, which go with the old value's
        comments); a missing key is inserted as :meth:`set_value` does."""
        node = self.node(path)
        if node is None:
            self.set_value(path, value, order=order)
            return
        with self._only([path]):
            self._replace_value(path, node, value)

    def _replace_value(self, path: Path, node: Node, value: Any) -> None:
        if isinstance(node, ScalarNode) and not isinstance(value, (Mapping, list)):
            if node.style in ("|", ">"):
                self.splice(node.start_mark.index, self._content_end(node), render.scalar(value, flow=self._in_flow(node)))
            else:
                self.replace_scalar(path, value)
            return
        parent = self.node(path[:-1])
        found = next(((k, v) for k, v in parent.value if k.value == path[-1]), None) if isinstance(parent, MappingNode) else None
        if found is None or not isinstance(path[-1], str):
            raise EditError(f"{self.path}: cannot replace {_dotted(path)}: it is not a key of a mapping")
        key, old = found
        if self._in_flow(old):
            self.splice(old.start_mark.index, self._content_end(old), render.flow(value))
            return
        if not self._at_line_start(key.start_mark.index):
            raise EditError(f"{self.path}:{key.start_mark.line + 1}: cannot replace {path[-1]}: it does not start its line")
        column = key.start_mark.column
        lines = render.block_lines(path[-1], value, column, self.style)
        start, end = self._line_start(key.start_mark.index), self._after_block(old, column + 1)
        new = self.style.newline.join(lines) + (self.style.newline if self.text[:end].endswith("\n") else "")
        self.splice(start, end, new)

    def delete_item(self, path: Path, index: int) -> None:
        """Remove item ``index`` of the sequence at ``path``: in a flow sequence the item and
        one comma; in a block sequence its lines, the comment lines right above it at its
        dash's column, and the blank line before it when items are set apart by one. The
        last item of a block sequence cannot go (the key would be left empty): remove the key."""
        with self._only(removed=(*path, index)):
            self._delete_item(path, index)

    def _delete_item(self, path: Path, index: int) -> None:
        node = self.node(path)
        if not isinstance(node, SequenceNode) or not 0 <= index < len(node.value):
            raise EditError(f"{self.path}: no {_dotted((*path, index))} to remove")
        if node.flow_style:
            self.splice(*self._flow_sequence_span(node, index), "")
            return
        if len(node.value) == 1:
            raise EditError(f"{self.path}: {_dotted(path)} would be left empty: remove the key instead")
        item = node.value[index]
        dash = self.text.rfind("-", 0, item.start_mark.index)
        if not self._at_line_start(dash):
            raise EditError(f"{self.path}:{item.start_mark.line + 1}: cannot remove the item: it does not start its line")
        column = dash - self._line_start(dash)
        blank = self._blank_before(item)
        start = self._comments_above(self._line_start(dash), column)
        if blank:
            start = self._line_start(start - 1)
        end = self._after_block(item, column + 1)
        if end == len(self.text) and start > 0 and not self.text.endswith("\n"):
            start -= 1 + (self.text[start - 2] == "\r" if start > 1 else 0)  # the last line: take the line break before it
        self.splice(start, end, "")

    def _flow_sequence_span(self, node: SequenceNode, index: int) -> tuple[int, int]:
        """The text of item ``index`` of a flow sequence with one comma (as :meth:`_flow_item_span`)."""
        items = node.value
        if index + 1 < len(items):
            return items[index].start_mark.index, items[index + 1].start_mark.index
        if index > 0:
            return self._content_end(items[index - 1]), self._content_end(items[index])
        return items[index].start_mark.index, self._content_end(items[index])


def _masked(data: Any, changed: Sequence[Path], gone: Path | None) -> Any:
    """``data`` with the values at ``changed`` replaced by one mark and the one at ``gone``
    taken out: what an edit of those paths leaves as it was. Copies along each path only."""
    for path in changed:
        data = _without(data, path, keep=True)
    return data if gone is None else _without(data, gone, keep=False)


def _without(data: Any, path: Path, *, keep: bool) -> Any:
    if not path:
        return _EDITED
    head, rest = path[0], path[1:]
    copy: Any
    if isinstance(data, dict) and head in data:
        copy = dict(data)
    elif isinstance(data, list) and isinstance(head, int) and 0 <= head < len(data):
        copy = list(data)
    else:
        return data
    if rest or keep:
        copy[head] = _without(data[head], rest, keep=keep)
    else:
        del copy[head]
    return copy


def _difference(old: Any, new: Any, path: Path = ()) -> Path:
    """Where two readings first differ (the deepest key or index both have)."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            if key not in old or key not in new:
                return (*path, key)
            if old[key] != new[key]:
                return _difference(old[key], new[key], (*path, key))
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            if a != b:
                return _difference(a, b, (*path, index))
    return path


def _next_in_order(key: str, existing: list[str], order: Sequence[str]) -> str | None:
    """The first existing key that ``order`` puts after ``key``."""
    if key not in order:
        return None
    later = set(order[order.index(key) + 1:])
    return next((k for k in existing if k in later), None)


def _dotted(path: Path) -> str:
    return ".".join(str(p) for p in path) or "the top level"
