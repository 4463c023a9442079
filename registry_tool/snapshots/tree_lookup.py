"""Find names in a large Git tree without listing it.

Git sorts a tree's entries by the bytes of their names (a folder as if its name ended in
'/'), and libgit2 reads an entry by its index without building the others, so a name,
and every name that folds to the same text as it (see :func:`registry_tool.core.names.fold`),
is found by bisection: a few hundred entries read out of 50,000.

Exact for every tree Git writes or accepts (``git fsck`` refuses an unsorted tree as
``treeNotSorted``), including a hand-made tree that lists a name twice: the two entries
sit side by side, and both are returned.

Which names can fold to a target ``t``: an ASCII name folds to its lower case, so it must
be one of ``t``'s case variants, found by walking the case variants of ``t``'s prefixes
that the tree holds. A name with other characters is ``a + rest``, ``a`` its ASCII head;
normalisation can join only ``a``'s last character with what follows (ASCII characters
are starters, and no two ASCII characters compose), so the name folds to
``a[:-1].lower() + ...``: ``a[:-1]`` is one of those case-variant prefixes. Each such name
is found under the prefix it extends by at most one ASCII byte, and folded to compare.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator

import pygit2

from registry_tool.core.names import fold

FOLDER_MODE = 0o040000
HIGH = b"\x80"  # the first byte of every non-ASCII character in UTF-8 (and of any other non-ASCII byte)


class SortedKeys:
    """A sorted sequence of byte keys read by position, each read once: a tree's entries
    (:class:`SortedTree`) or the entries of one folder of Git's index, and the bisections
    over them."""

    def __init__(self, size: int) -> None:
        self.size = size
        # Keys read so far: every bisection over the whole tree probes the same first
        # midpoints, and the walk of a name's case variants bisects a few hundred times
        # (about 4,700 probes of 970 entries for three names at 50,000 models).
        self._keys: dict[int, bytes] = {}

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> bytes:
        key = self._keys.get(index)
        if key is None:
            key = self._keys[index] = self.key(index)
        return key

    def key(self, index: int) -> bytes:
        raise NotImplementedError

    def first(self, probe: bytes, lo: int, hi: int) -> int:
        """The first index in [lo, hi) whose key is >= probe."""
        return bisect.bisect_left(self, probe, lo, hi)

    def after(self, probe: bytes, lo: int, hi: int) -> int:
        """The first index in [lo, hi) whose key is > probe."""
        return bisect.bisect_right(self, probe, lo, hi)

    def prefixed(self, prefix: bytes, lo: int, hi: int) -> tuple[int, int]:
        """The range of keys in [lo, hi) that start with ``prefix``."""
        start = self.first(prefix, lo, hi)
        end = self.first(_successor(prefix), start, hi) if prefix else hi
        return start, end

    def named(self, name: bytes) -> list[int]:
        """The indices of the entries called ``name`` (a file or folder; several only in a
        malformed tree that lists a name twice)."""
        found: list[int] = []
        for key in (name, name + b"/"):
            lo = self.first(key, 0, self.size)
            found.extend(range(lo, self.after(key, lo, self.size)))
        return found


class SortedTree(SortedKeys):
    """A tree's entries as the sorted sequence of their keys (name, '/' after a folder's)."""

    def __init__(self, tree: pygit2.Tree) -> None:
        super().__init__(len(tree))
        self.tree = tree

    def key(self, index: int) -> bytes:
        item = self.tree[index]
        name = item.raw_name or b""
        return name + b"/" if item.filemode == FOLDER_MODE else name


def _successor(prefix: bytes) -> bytes:
    """The smallest byte string above every string that starts with ``prefix``."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return b"\xff" * (len(prefix) + 1)  # nothing sorts after it: past every key of the tree
    return stripped[:-1] + bytes([stripped[-1] + 1])


def named(tree: pygit2.Tree, name: str) -> list[pygit2.Object]:
    """The entries of ``tree`` called ``name``, in the tree's order."""
    keys = SortedTree(tree)
    return [tree[i] for i in keys.named(name.encode("utf-8", "surrogateescape"))]


def namesakes(tree: pygit2.Tree, names: list[str]) -> list[pygit2.Object]:
    """Every entry of ``tree`` whose name folds to the folded form of one of ``names``,
    in the tree's order."""
    wanted = {fold(name) for name in names}
    return [tree[i] for i in candidates(SortedTree(tree), names) if fold(tree[i].name or "") in wanted]


def candidates(keys: SortedKeys, names: list[str]) -> list[int]:
    """The indices, in order, whose key may fold to the folded form of one of ``names``
    (a superset: the caller folds each to compare)."""
    indices: set[int] = set()
    for target in {fold(name) for name in names}:
        indices.update(_candidates(keys, target))
    return sorted(indices)


def _candidates(keys: SortedKeys, target: str) -> Iterator[int]:
    """Indices that may fold to ``target`` (a superset; the caller folds each to compare)."""
    head = _ascii_head(target)
    todo: list[tuple[bytes, int, int]] = [(b"", 0, len(keys))]
    while todo:
        prefix, lo, hi = todo.pop()
        depth = len(prefix)
        yield from _non_ascii_under(keys, prefix, lo, hi)
        if depth == len(target):  # target is ASCII: the names equal to this case variant
            yield from (i for i in range(lo, hi) if keys[i] in (prefix, prefix + b"/"))
            continue
        if depth == len(head):
            continue
        char = head[depth]
        for variant in {char, char.upper()}:
            start, end = keys.prefixed(prefix + variant.encode("ascii"), lo, hi)
            if start < end:
                todo.append((prefix + variant.encode("ascii"), start, end))


def _ascii_head(text: str) -> str:
    """The longest ASCII prefix of ``text``."""
    for index, char in enumerate(text):
        if not char.isascii():
            return text[:index]
    return text


def _non_ascii_under(keys: SortedKeys, prefix: bytes, lo: int, hi: int) -> Iterator[int]:
    """The entries in [lo, hi) (all starting with ``prefix``) whose key has a non-ASCII
    byte right after ``prefix``, or one ASCII byte after it: bytes >= 0x80 sort after
    every ASCII byte, so each such run closes its prefix's range."""
    depth = len(prefix)
    index = lo
    while index < hi:
        key = keys[index]
        if len(key) == depth:
            index += 1
            continue
        if key[depth] >= HIGH[0]:
            yield from range(index, hi)
            return
        start, end = keys.prefixed(key[: depth + 1], index, hi)
        yield from range(keys.first(key[: depth + 1] + HIGH, start, end), end)
        index = end
