"""History without the history index, at the speed of ``git log -- path``.

A fresh clone has no history index, and reading every commit's models folder from Git
objects costs libgit2 a delta chain per tree (17x ``git log`` on 10,000 models). Git's
own path-limited walk keeps the intermediate trees in its delta-base cache, and its
``--raw`` output names the file's blob before and after each commit that changed it:

    git log --first-parent -m --raw --no-abbrev --no-renames -z HEAD -- models/NAME.yaml registry.yaml

is every commit of the first-parent history that changed the model's file or the policy,
with the blob ids on both sides. Those are the only steps a walk for one model reports
(between two of them neither the file nor the policy changes), so the steps are built
from them; each commit is read with pygit2 (it must exist, with the first parent and time
git named), and every blob that is parsed is read through pygit2 with its hash verified,
as before. Anything this cannot express exactly returns None and the walk reads Git
objects as before: no git on the PATH, a shallow clone, a policy that moves the models
folder, a folder or symlink where the file or registry.yaml should be.

Several models' histories come from one walk of the whole folder (:func:`files_steps`):
what a history cut short by ``--limit`` asks of every model whose return to production it
must tell.

A walk of the whole registry takes every commit's step from one such walk, streamed
(:func:`registry_steps`, ``--sparse``: every first-parent commit listed, with its changes
under the models folder and registry.yaml), where it read every commit's models folder
itself: a 2.6 MB tree at 50,000 models, parsed again for each of 100,000 commits. When a
record is not one the walk of Git objects would read the same way, that walk takes over
from the record's commit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Collection, Generator, Iterator
from typing import IO

import pygit2

from registry_tool.core.names import is_model_file_name
from registry_tool.core.policy import POLICY_FILE
from registry_tool.history.blobs import FILE_MODES, BlobReader
from registry_tool.history.index import Step
from registry_tool.snapshots.git import GitStore

NULL = "0" * 40
# git's own memory, bounded: a path-limited walk diffs every commit's models tree, and by
# default maps the whole pack (up to 32 GiB) and keeps 96 MiB of delta bases; at 10,000
# models that was 276 MB RSS (131 MB anon, 200 MB PSS), at 50,000 models 2.7 GB. With these:
# 99 MB RSS (58 MB anon, 81 MB PSS) at 10,000 models, for ~10% more CPU.
GIT_MEMORY = ("-c", "core.packedGitLimit=64m", "-c", "core.packedGitWindowSize=16m",
              "-c", "core.deltaBaseCacheLimit=32m")
Raw = dict[str, tuple[tuple[str, str], tuple[str, str]]]  # path -> ((mode, id) before, (mode, id) after)
# a record: its commit id and its lines (path, (mode, id) before, (mode, id) after)
Split = tuple[str, list[tuple[str, tuple[str, str], tuple[str, str]]]]
LOG = ["log", "--first-parent", "-m", "--raw", "--no-abbrev", "--no-renames", "--ignore-submodules=none", "-z",
       "--format=%x01%H"]


def file_steps(store: GitStore, reader: BlobReader, head: pygit2.Commit, file: str) -> tuple[list[Step], int] | None:
    """The steps of a walk for the model file ``file`` (``NAME.yaml``) from ``head``, newest
    first, ending with the root commit's or a stand-in for the commit before the file
    first appeared, and how many first-parent commits they stand for (what a walk reading
    every commit would have walked); None when only reading Git objects can tell."""
    found = files_steps(store, reader, head, (file,), count=True)
    return None if found is None else (found[0][file], found[1])


def files_steps(store: GitStore, reader: BlobReader, head: pygit2.Commit, files: Collection[str], *,
                count: bool = False) -> tuple[dict[str, list[Step]], int] | None:
    """:func:`file_steps` for several model files from one ``git log``: of one file, as
    ``-- models/NAME.yaml registry.yaml``; of more, as ``-- models registry.yaml`` with
    the other files' changes dropped as they are read (Git matches a path-limited walk
    against each path given, so ten paths cost it 3x one and a hundred 20x, where the
    whole folder costs 1.5x). ``count``: also count the first-parent commits (else 0)."""
    git = shutil.which("git")
    if git is None or store.repo.is_shallow or not files:
        return None
    policy_blob = reader.policy_blob(head.tree)
    models_dir = reader.policy(policy_blob).models_dir
    paths = {f"{models_dir}/{file}": file for file in files}
    spec = list(paths) if len(paths) == 1 else [models_dir]
    found = _log(git, store, head, spec, paths, count)
    if found is None:
        return None
    records, total = found
    steps: dict[str, list[Step]] = {file: [] for file in files}
    for commit_id, raw in records:
        commit = _verified(store, commit_id)
        if commit is None:
            return None
        _add_steps(steps, paths, commit, raw, policy_blob)
        if POLICY_FILE in raw:
            _, oid = raw[POLICY_FILE][0]  # the parent's registry.yaml (BlobReader.policy_blob: any mode)
            policy_blob = oid if oid != NULL else None
            if reader.policy(policy_blob).models_dir != models_dir:
                return None  # the models folder moved: the files had other paths before
    return {file: _closed(store, found, policy_blob) for file, found in steps.items()}, total


def registry_steps(store: GitStore, reader: BlobReader, head: pygit2.Commit) -> Generator[Step, None, str | None]:
    """The step of every first-parent commit from ``head``, newest first, for a walk of the
    whole registry, from one streamed ``git log --sparse ... -- MODELS registry.yaml`` (every
    commit listed, with its changes under those paths). Returns None when the walk reached
    the root commit, else the commit from which a walk reading Git objects takes over (at
    once: no git, a shallow clone; part way: a record this cannot express exactly, such as
    a policy that moves the models folder, or git failing). A step goes out only once the
    next record names its first parent (or it is the root's), so a step git told of just
    before it failed is read again from objects."""
    git = shutil.which("git")
    if git is None or store.repo.is_shallow:
        return str(head.id)
    policy_blob = reader.policy_blob(head.tree)
    models_dir = reader.policy(policy_blob).models_dir
    env, base = _git(git, store)
    log = [*base, *LOG, "--sparse", str(head.id), "--", models_dir, POLICY_FILE]
    try:
        proc = subprocess.Popen(log, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    except OSError:
        return str(head.id)
    held: Step | None = None  # read, not yet given: its first parent's record has not come yet
    expected: str | None = str(head.id)
    with proc:
        try:
            for chunk in _chunks(proc.stdout):  # type: ignore[arg-type]
                split = _split(chunk)
                if split is None or split[0] != expected:
                    return held.commit if held is not None else str(head.id)
                if held is not None:
                    yield held  # git named its first parent next
                found = _registry_step(store, reader, split, models_dir, policy_blob)
                if found is None:
                    return split[0]
                held, policy_blob = found
                expected = held.parent
        finally:
            if proc.poll() is None:
                proc.kill()  # the walk stopped early (--limit, --since, an interrupt), or objects take over
    if held is None or held.parent is not None or proc.returncode != 0:
        return held.commit if held is not None else str(head.id)
    yield held
    return None


def _registry_step(store: GitStore, reader: BlobReader, split: Split, models_dir: str,
                   policy_blob: str | None) -> tuple[Step, str | None] | None:
    """A record's step for a walk of the whole registry, and the registry.yaml blob of its
    first parent; None when the commit cannot be read, or the record has what the walk of
    Git objects sees otherwise: a path beside the models folder's files and registry.yaml
    (the folder or registry.yaml not a folder and a file), a model file listed twice, or a
    policy that moves the folder."""
    commit = _verified(store, split[0])
    if commit is None:
        return None
    prefix, changed, parent_policy = f"{models_dir}/", {}, policy_blob
    for path, before, after in split[1]:
        if path == POLICY_FILE:
            parent_policy = before[1] if before[1] != NULL else None  # BlobReader.policy_blob: any mode
            if reader.policy(parent_policy).models_dir != models_dir:
                return None
        elif not path.startswith(prefix) or path[len(prefix):] in changed:
            return None
        elif is_model_file_name(path[len(prefix):]):  # deeper (below a folder), or not <name>.yaml: not a model file
            changed[path[len(prefix):]] = (_blob(*before), _blob(*after))
    step = Step(commit=split[0], parent=str(commit.parent_ids[0]) if commit.parent_ids else None,
                time=commit.commit_time, policy=policy_blob,
                changed=tuple(sorted((name, *ids) for name, ids in changed.items() if ids[0] != ids[1])))
    return step, parent_policy


def _add_steps(steps: dict[str, list[Step]], paths: dict[str, str], commit: pygit2.Commit, raw: Raw,
               policy_blob: str | None) -> None:
    """A commit's step, to the steps of each file it changes (or of every file, when it
    changes the policy)."""
    parent = str(commit.parent_ids[0]) if commit.parent_ids else None
    for path in paths if POLICY_FILE in raw else [path for path in raw if path in paths]:
        before, after = (_blob(*raw[path][0]), _blob(*raw[path][1])) if path in raw else (None, None)
        changed = ((paths[path], before, after),) if before != after else ()
        steps[paths[path]].append(Step(commit=str(commit.id), parent=parent, time=commit.commit_time,
                                       policy=policy_blob, changed=changed, complete=True))


def _closed(store: GitStore, steps: list[Step], policy_blob: str | None) -> list[Step]:
    """The steps with the commit before the oldest one's change standing for everything
    older (nothing there changes the file or the policy); a root commit needs none."""
    oldest = steps[-1] if steps else None
    if oldest is not None and oldest.parent is None:
        return steps
    before = oldest.parent if oldest is not None else None
    time = store.commit(before).commit_time if before is not None else 0
    steps.append(Step(commit=before or NULL, parent=None, time=time, policy=policy_blob, changed=(), complete=True))
    return steps


def _verified(store: GitStore, commit_id: str) -> pygit2.Commit | None:
    """The commit git named, read with pygit2 (its first parent and time come from it)."""
    try:
        found = store.repo[commit_id]
    except (KeyError, ValueError, pygit2.GitError):
        return None
    return found if isinstance(found, pygit2.Commit) else None


def _log(git: str, store: GitStore, head: pygit2.Commit, spec: list[str], paths: Collection[str],
         count: bool) -> tuple[list[tuple[str, Raw]], int] | None:
    """git log's records that change one of ``paths`` or registry.yaml (read as git writes
    them: a walk of the whole folder prints every change of every model), and the number
    of first-parent commits (counted beside it, on the other core) when asked; None when
    git fails, or a record is not plain (see :func:`_parse_record`)."""
    env, base = _git(git, store)
    log = [*base, *LOG, str(head.id), "--", *spec, POLICY_FILE]
    counting = None
    try:
        if count:
            counting = subprocess.Popen([*base, "rev-list", "--first-parent", "--count", str(head.id)],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        with subprocess.Popen(log, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env) as proc:
            try:
                records = _records(proc.stdout, {*paths, POLICY_FILE})  # type: ignore[arg-type]
            finally:
                if proc.poll() is None:
                    proc.kill()  # stopped reading early (a record that is not plain, an interrupt)
        total, _ = counting.communicate() if counting is not None else (b"0", None)
    except OSError:
        return None
    finally:
        if counting is not None and counting.poll() is None:
            counting.kill()
            counting.wait()
    if records is None or proc.returncode != 0 or not total.strip().isdigit() \
            or (counting is not None and counting.returncode != 0):
        return None
    return records, int(total)


def _records(out: IO[bytes], kept: set[str]) -> list[tuple[str, Raw]] | None:
    """The records of ``git log -z --raw --format=%x01%H``, read as they come, each with the
    changes of the ``kept`` paths only, and only when it has some; None when the output is
    not as asked for, or a record is not plain (see :func:`_parse_record`)."""
    records: list[tuple[str, Raw]] = []
    for part in _chunks(out):
        record = _parse_record(part, kept)
        if record is None:
            return None
        if record[1]:
            records.append(record)
    return records


def _git(git: str, store: GitStore) -> tuple[dict[str, str], list[str]]:
    """The environment and the start of a git command line that reads what pygit2 reads:
    the objects as stored, never a refs/replace/* stand-in or a graft (git log honours
    both; pygit2 neither), and no configuration that changes the output. Defence in depth:
    a repository with replace refs or grafts is refused before any walk (snapshots/git.py,
    Substituted), unless git is told to ignore them as here. A configuration's
    log.showRoot=false would hide what the root commit created."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_NO_REPLACE_OBJECTS": "1", "GIT_GRAFT_FILE": os.devnull}
    return env, [git, "--no-replace-objects", "--git-dir", str(store.repo.path), "-c", "core.quotePath=false",
                 "-c", "log.showSignature=false", "-c", "log.showRoot=true", *GIT_MEMORY]


def _chunks(out: IO[bytes]) -> Iterator[bytes]:
    """Each record of ``git log -z --format=%x01%H`` output, as it comes (what git wrote so
    far is read, so a walk cut short stops it soon; a record of many reads is joined once)."""
    pieces: list[bytes] = []
    while chunk := os.read(out.fileno(), 1 << 20):
        if b"\x01" not in chunk:
            pieces.append(chunk)
            continue
        first, *parts = chunk.split(b"\x01")
        pieces.append(first)
        parts.insert(0, b"".join(pieces))
        pieces = [parts.pop()]
        yield from (part for part in parts if part)
    if last := b"".join(pieces):
        yield last


def _parse_record(chunk: bytes, kept: set[str]) -> tuple[str, Raw] | None:
    """One commit's record: its id and the changes of the ``kept`` paths; None when it is
    not as asked for, or not plain: a folder by a kept file's name (or registry.yaml's)
    changed, whose files show as paths below it where the walk of Git objects sees one
    entry that is not a file."""
    split = _split(chunk)
    if split is None:
        return None
    commit_id, lines = split
    raw: Raw = {}
    for path, before, after in lines:
        if path in kept:
            raw[path] = (before, after)
        elif _below(path, kept):
            return None  # a folder by a kept file's name (its files show as paths below it)
    return commit_id, raw


def _split(chunk: bytes) -> Split | None:
    """A record's commit id and its lines; None when it is not as asked for."""
    fields = chunk.split(b"\0")
    commit_id = fields[0].decode("ascii", "replace").strip()
    items = [f for f in fields[1:] if f.strip()]
    if len(commit_id) != 40 or len(items) % 2:
        return None
    lines = []
    for meta, name in zip(items[::2], items[1::2], strict=True):
        parts = meta.decode("ascii", "replace").strip().lstrip(":").split()
        if len(parts) != 5:
            return None
        old_mode, new_mode, old, new, _ = parts
        lines.append((name.decode("utf-8", "surrogateescape"), (old_mode, old), (new_mode, new)))
    return commit_id, lines


def _below(path: str, kept: set[str]) -> bool:
    """Whether a folder above ``path`` has a kept name."""
    while "/" in path:
        path = path.rpartition("/")[0]
        if path in kept:
            return True
    return False


def _blob(mode: str, oid: str) -> str | None:
    """A model file's blob id as the walk takes it: regular files only."""
    return oid if oid != NULL and int(mode, 8) in FILE_MODES else None
