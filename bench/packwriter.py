"""Write Git objects straight into a pack file (and its index), for bench/generate.py.

Why not only ``git fast-import``: with 10,000 files in one folder, fast-import serialises
that folder's tree twice per commit (the new version, and the old one to delta against;
``perf`` shows ``vfprintf`` in ``mktree`` on top), so 20,000 commits took 270 s here.
This writer knows which entries a commit changed, so it writes each new ``models/`` tree
as a delta of a few copy/insert instructions against the previous one (a full tree every
``MAX_DEPTH`` commits, like ``pack.depth``), edits the folder's bytes in place and only
hashes them: 35 s of CPU for the same repository. Model files are stored as deltas
against their previous version (common prefix and suffix copied, the middle inserted).

Only what the generator needs: a root tree of files and one folder of files
(``models/``), commits, annotated tags, and ``packed-refs``. The objects are the ones
``git fast-import`` writes for the same stream, byte for byte (the tests compare the
commit ids of both paths) and ``git fsck`` accepts the result.
"""

from __future__ import annotations

import hashlib
import os
import struct
import zlib
from bisect import bisect_left
from itertools import accumulate
from pathlib import Path

OBJ_COMMIT, OBJ_TREE, OBJ_BLOB, OBJ_TAG, OBJ_OFS_DELTA = 1, 2, 3, 4, 6
TYPE_NAME = {OBJ_COMMIT: b"commit", OBJ_TREE: b"tree", OBJ_BLOB: b"blob", OBJ_TAG: b"tag"}
MAX_DEPTH = 50
LEVEL = 1  # zlib level: speed over a few percent of size


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _copy(offset: int, size: int) -> bytes:
    out = bytearray()
    while size > 0:
        chunk = min(size, 0xFFFFFF)
        op, args = 0x80, bytearray()
        for i in range(4):
            byte = (offset >> (8 * i)) & 0xFF
            if byte:
                op |= 1 << i
                args.append(byte)
        for i in range(3):
            byte = (chunk >> (8 * i)) & 0xFF
            if byte:
                op |= 0x10 << i
                args.append(byte)
        out.append(op)
        out += args
        offset += chunk
        size -= chunk
    return bytes(out)


def _insert(data: bytes) -> bytes:
    out = bytearray()
    for i in range(0, len(data), 127):
        part = data[i:i + 127]
        out.append(len(part))
        out += part
    return bytes(out)


def _distance(distance: int) -> bytes:
    """An OFS_DELTA's base: how far back it starts, in Git's offset encoding."""
    rel = bytearray([distance & 0x7F])
    distance >>= 7
    while distance:
        distance -= 1
        rel.insert(0, 0x80 | (distance & 0x7F))
        distance >>= 7
    return bytes(rel)


def _common(a: bytes, b: bytes, *, prefix: bool) -> int:
    """Length of the common prefix (or suffix) of two byte strings, by bisection."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        same = a[:mid] == b[:mid] if prefix else a[len(a) - mid:] == b[len(b) - mid:]
        if same:
            lo = mid
        else:
            hi = mid - 1
    return lo


class PackWriter:
    """Objects appended to ``<git_dir>/objects/pack/tmp.pack``; :meth:`finish` writes the
    index and the refs. Object ids are hex strings."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir
        self.pack_dir = git_dir / "objects" / "pack"
        self.path = self.pack_dir / "tmp-bench.pack"
        self.out = open(self.path, "wb")  # noqa: SIM115 - held open across appends, closed by finish()
        self.out.write(b"PACK" + struct.pack(">II", 2, 0))  # the count is patched in finish()
        self.offset = 12
        self.index: dict[bytes, tuple[int, int]] = {}  # binary id -> (offset, crc32)
        # The models folder: sorted names, their entry bytes, and the previous tree.
        self.names: list[str] = []
        self.lengths: list[int] = []
        self.tree = bytearray()
        self.files: dict[str, tuple[bytes, int, int]] = {}  # path -> (bytes, offset, depth) of its last blob
        self.tree_offset: int | None = None
        self.tree_size = 0
        self.depth = 0
        self.root: dict[str, bytes] = {}  # name -> binary blob id
        self.models: bytes | None = None  # the current models tree
        self.tags: list[tuple[str, bytes, bytes]] = []

    # ------------------------------------------------------------ objects

    def _store(self, kind: int, size: int, payload: bytes, oid: bytes, prefix: bytes = b"") -> None:
        header = bytearray()
        byte = (kind << 4) | (size & 0x0F)
        size >>= 4
        while size:
            header.append(byte | 0x80)
            byte = size & 0x7F
            size >>= 7
        header.append(byte)
        raw = bytes(header) + prefix + zlib.compress(payload, LEVEL)
        self.index[oid] = (self.offset, zlib.crc32(raw))
        self.out.write(raw)
        self.offset += len(raw)

    def add(self, kind: int, data: bytes) -> bytes:
        oid = hashlib.sha1(b"%s %d\x00%s" % (TYPE_NAME[kind], len(data), data)).digest()
        if oid not in self.index:
            self._store(kind, len(data), data, oid)
        return oid

    def blob(self, data: bytes, path: str | None = None) -> bytes:
        """A blob; with ``path``, stored as a delta against that path's previous blob
        (the common prefix and suffix copied, the middle inserted)."""
        oid = hashlib.sha1(b"blob %d\x00%s" % (len(data), data)).digest()
        if oid in self.index:
            return oid
        last = self.files.get(path) if path is not None else None
        offset = self.offset
        if last is None or last[2] >= MAX_DEPTH:
            self._store(OBJ_BLOB, len(data), data, oid)
            depth = 0
        else:
            base, base_offset, depth = last
            head = _common(base, data, prefix=True)
            tail = _common(base[head:], data[head:], prefix=False)
            ops = [_copy(0, head)] if head else []
            ops.append(_insert(data[head:len(data) - tail]))
            if tail:
                ops.append(_copy(len(base) - tail, tail))
            delta = _varint(len(base)) + _varint(len(data)) + b"".join(ops)
            self._store(OBJ_OFS_DELTA, len(delta), delta, oid, prefix=_distance(offset - base_offset))
            depth += 1
        if path is not None:
            self.files[path] = (data, offset, depth)
        return oid

    # ------------------------------------------------------------ trees

    def _models_tree(self, changes: dict[str, bytes]) -> bytes:
        """Apply ``name -> blob id`` to the models folder, edited in place in ``self.tree``;
        store its tree (a delta against the previous one when possible); return its id."""
        base_size = len(self.tree)
        ops, cursor = [], 0  # delta instructions, and how far into the base they reach
        start, counted, inserted = 0, 0, 0  # offset in the new tree of entry `counted`; bytes added so far
        for name in sorted(changes):
            entry = b"100644 %s\x00%s" % (name.encode(), changes[name])
            pos = bisect_left(self.names, name)
            present = pos < len(self.names) and self.names[pos] == name
            start += sum(self.lengths[counted:pos])
            base_start = start - inserted
            if base_start > cursor:
                ops.append(_copy(cursor, base_start - cursor))
            ops.append(_insert(entry))
            if present:  # same name and mode, so the same length: swap the blob id
                self.tree[start + len(entry) - 20:start + len(entry)] = changes[name]
                cursor = base_start + len(entry)
            else:
                self.tree[start:start] = entry
                self.names.insert(pos, name)
                self.lengths.insert(pos, len(entry))
                inserted += len(entry)
                cursor = base_start
            start += len(entry)
            counted = pos + 1
        if base_size > cursor:
            ops.append(_copy(cursor, base_size - cursor))
        digest = hashlib.sha1(b"tree %d\x00" % len(self.tree))
        digest.update(self.tree)
        oid = digest.digest()
        if oid in self.index:  # the same folder as some earlier commit: the next tree starts a new chain
            self.depth = MAX_DEPTH
            return oid
        offset = self.offset
        if self.tree_offset is None or self.depth >= MAX_DEPTH:
            self._store(OBJ_TREE, len(self.tree), self.tree, oid)
            self.depth = 0
        else:
            delta = _varint(base_size) + _varint(len(self.tree)) + b"".join(ops)
            self._store(OBJ_OFS_DELTA, len(delta), delta, oid, prefix=_distance(offset - self.tree_offset))
            self.depth += 1
        self.tree_offset = offset
        return oid

    def _root_tree(self, models_tree: bytes | None, folder: str) -> bytes:
        items = [(name.encode(), b"100644", oid) for name, oid in self.root.items()]
        if models_tree is not None:
            items.append((folder.encode(), b"40000", models_tree))
        # Git sorts a folder as if its name ended in '/'.
        items.sort(key=lambda i: i[0] + (b"/" if i[1] == b"40000" else b""))
        return self.add(OBJ_TREE, b"".join(b"%s %s\x00%s" % (mode, name, oid) for name, mode, oid in items))

    # ------------------------------------------------------------ commits, tags, refs

    def commit(self, when: int, person: tuple[str, str], message: str, files: list[tuple[str, bytes]],
               parent: bytes | None, folder: str = "models") -> bytes:
        changes: dict[str, bytes] = {}
        for path, blob in files:
            head, sep, name = path.partition("/")
            if sep:
                if head != folder or "/" in name:
                    raise ValueError(f"only files at the root and in {folder}/: {path}")
                changes[name] = blob
            else:
                self.root[path] = blob
        if changes:
            self.models = self._models_tree(changes)
        tree = self._root_tree(self.models, folder)
        ident = b"%s <%s> %d +0000" % (person[0].encode(), person[1].encode(), when)
        body = b"tree %s\n" % tree.hex().encode()
        if parent is not None:
            body += b"parent %s\n" % parent.hex().encode()
        body += b"author %s\ncommitter %s\n\n%s" % (ident, ident, message.encode())
        return self.add(OBJ_COMMIT, body)

    def tag(self, name: str, target: bytes, when: int, person: tuple[str, str], message: str) -> bytes:
        body = b"object %s\ntype commit\ntag %s\ntagger %s <%s> %d +0000\n\n%s" % (
            target.hex().encode(), name.encode(), person[0].encode(), person[1].encode(), when, message.encode())
        oid = self.add(OBJ_TAG, body)
        self.tags.append((name, oid, target))
        return oid

    def finish(self, branch: str, head: bytes) -> None:
        """Patch the object count, checksum the pack, write its index and the refs."""
        self.out.close()
        count = len(self.index)
        with open(self.path, "r+b") as handle:
            handle.seek(8)
            handle.write(struct.pack(">I", count))
            handle.seek(0)
            digest = hashlib.sha1()
            for chunk in iter(lambda: handle.read(1 << 22), b""):
                digest.update(chunk)
            pack_sum = digest.digest()
            handle.seek(0, os.SEEK_END)
            handle.write(pack_sum)
        ids = sorted(self.index)
        fanout = [0] * 256
        for oid in ids:
            fanout[oid[0]] += 1
        idx = bytearray(b"\xfftOc" + struct.pack(">I", 2))
        idx += struct.pack(">256I", *accumulate(fanout))
        idx += b"".join(ids)
        idx += b"".join(struct.pack(">I", self.index[o][1]) for o in ids)
        large: list[int] = []
        for oid in ids:
            offset = self.index[oid][0]
            if offset < 0x80000000:
                idx += struct.pack(">I", offset)
            else:
                idx += struct.pack(">I", 0x80000000 | len(large))
                large.append(offset)
        idx += b"".join(struct.pack(">Q", o) for o in large)
        idx += pack_sum
        idx += hashlib.sha1(idx).digest()
        stem = self.pack_dir / f"pack-{pack_sum.hex()}"
        (stem.with_suffix(".idx")).write_bytes(idx)
        os.replace(self.path, stem.with_suffix(".pack"))
        refs = [(f"refs/heads/{branch}", head, None)] + [(f"refs/tags/{n}", oid, target) for n, oid, target in self.tags]
        refs.sort(key=lambda r: r[0].encode())
        lines = ["# pack-refs with: peeled fully-peeled sorted \n"]
        for ref, oid, peeled in refs:
            lines.append(f"{oid.hex()} {ref}\n")
            if peeled is not None:
                lines.append(f"^{peeled.hex()}\n")
        (self.git_dir / "packed-refs").write_text("".join(lines))
