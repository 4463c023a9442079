"""Committing a proposal with pygit2: on the current branch, or on a new branch.

On the current branch (``--commit``) the edit is made under Git's own index lock
(``index.lock``, taken the way Git takes it, so a running ``git commit`` and a second
registry-tool wait for nobody and fail cleanly instead), from the file as committed at
HEAD, which must be what the working tree and the index hold for the edited paths.
The commit is built from HEAD's tree plus the edited files (other staged changes stay
staged, uncommitted), and the branch is moved with a compare-and-swap: if another commit
landed since HEAD was read, the move fails, nothing changes, and the command says so.
Only then are the working tree files (atomically) and the index entries updated.

On a new branch (``--branch``) the commit's parent is HEAD, the branch is created only if
it does not exist yet, and the current branch, index and working tree stay as they were.

Author and committer come from the Git configuration (``user.name``, ``user.email``).
Git hooks are not run; the edit was checked by the validator's code before committing.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pygit2

from registry_tool.atomic import atomic_write
from registry_tool.edit.proposal import FileEdit
from registry_tool.errors import ChangedMeanwhile, RegistryError
from registry_tool.snapshots.base import EmptySnapshot, Snapshot, git_blob_id
from registry_tool.snapshots.git import GitStore

BLOB_MODE = pygit2.enums.FileMode.BLOB


@dataclass
class Committed:
    commit: str
    ref: str  # refs/heads/<name>, or HEAD when detached
    warnings: list[str] = field(default_factory=list)

    @property
    def short(self) -> str:
        return self.commit[:7]

    @property
    def branch(self) -> str:
        return self.ref.removeprefix("refs/heads/")


def signature(repo: pygit2.Repository) -> pygit2.Signature:
    """Author and committer from the Git configuration."""
    try:
        return repo.default_signature
    except (KeyError, pygit2.GitError):
        raise RegistryError("Git does not know who you are: set user.name and user.email "
                            "(git config user.name 'Your Name'; git config user.email you@example.com)") from None


def tree_with(repo: pygit2.Repository, tree: pygit2.Tree | None, files: dict[str, tuple[pygit2.Oid, int]]) -> pygit2.Oid:
    """A tree like ``tree`` with some files (path -> (blob id, mode)) put in or replaced."""
    here: dict[str, tuple[pygit2.Oid, int]] = {}
    below: dict[str, dict[str, tuple[pygit2.Oid, int]]] = {}
    for path, blob in files.items():
        head, sep, rest = path.partition("/")
        if sep:
            below.setdefault(head, {})[rest] = blob
        else:
            here[head] = blob
    builder = repo.TreeBuilder(tree) if tree is not None else repo.TreeBuilder()
    for name, sub in below.items():
        existing = tree[name] if tree is not None and name in tree else None
        if existing is not None and not isinstance(existing, pygit2.Tree):
            raise RegistryError(f"{name} is a file in the repository, not a folder")
        builder.insert(name, tree_with(repo, existing, sub), pygit2.enums.FileMode.TREE)
    for name, (oid, mode) in here.items():
        builder.insert(name, oid, mode)
    return builder.write()


def _mode_in(tree: pygit2.Tree | None, path: str) -> int:
    try:
        return tree[path].filemode if tree is not None else BLOB_MODE
    except KeyError:
        return BLOB_MODE


def _make_commit(repo: pygit2.Repository, parent: pygit2.Commit | None, edits: list[FileEdit], message: str) -> pygit2.Oid:
    base_tree = parent.tree if parent is not None else None
    files = {e.path: (repo.create_blob(e.after), _mode_in(base_tree, e.path)) for e in edits}
    tree = tree_with(repo, base_tree, files)
    sig = signature(repo)
    return repo.create_commit(None, sig, sig, message, tree, [parent.id] if parent is not None else [])


def head_commit(store: GitStore) -> pygit2.Commit | None:
    """HEAD's commit, or None on a branch with no commits yet."""
    return None if store.repo.head_is_unborn else store.resolve("HEAD")


def commit_on_new_branch(store: GitStore, branch: str, edits: list[FileEdit], message: str) -> Committed:
    """Commit on a new branch off HEAD; the current branch, index and work tree are untouched."""
    ref = branch_ref(branch)
    repo = store.repo
    if ref in repo.references:
        raise RegistryError(f"branch {branch} already exists; pick another name")
    parent = head_commit(store)
    oid = _make_commit(repo, parent, edits, message)
    try:
        repo.create_reference_direct(ref, oid, False, message=f"registry-tool: {message.splitlines()[0]}")
    except (pygit2.AlreadyExistsError, pygit2.GitError) as exc:
        raise RegistryError(f"cannot create branch {branch}: {exc}") from None
    return Committed(str(oid), ref)


def branch_ref(branch: str) -> str:
    ref = f"refs/heads/{branch}"
    if branch.startswith("-") or not pygit2.reference_is_valid_name(ref):
        raise RegistryError(f"'{branch}' is not a valid branch name")
    return ref


class HeadTransaction:
    """An edit of the current branch made under Git's index lock (see the module's doc)."""

    def __init__(self, store: GitStore) -> None:
        assert store.workdir is not None
        self.store = store
        self.repo = store.repo
        self.gitdir = Path(self.repo.path)
        self.workdir = store.workdir
        head = self.repo.lookup_reference("HEAD")
        if head.type == pygit2.enums.ReferenceType.SYMBOLIC:
            self.ref_name = str(head.target)
            self._ref = self.repo.references.get(self.ref_name)
        else:
            self.ref_name, self._ref = "HEAD", head
        self.head = self.repo[self._ref.target].peel(pygit2.Commit) if self._ref is not None else None

    @property
    def branch(self) -> str:
        return self.ref_name.removeprefix("refs/heads/")

    def base(self) -> Snapshot:
        return self.store.snapshot(self.head) if self.head is not None else EmptySnapshot()

    def _committed(self, path: str) -> pygit2.Object | None:
        if self.head is None:
            return None
        try:
            return self.head.tree[path]
        except KeyError:
            return None

    def ensure_clean(self, paths: list[str]) -> None:
        """The working tree and the index hold exactly HEAD's version of these files."""
        index = pygit2.Index(str(self.gitdir / "index")) if (self.gitdir / "index").exists() else None
        for path in paths:
            committed = self._committed(path)
            want = str(committed.id) if committed is not None else None
            try:
                on_disk: str | None = git_blob_id((self.workdir / path).read_bytes())
            except FileNotFoundError:
                on_disk = None
            except OSError as exc:
                raise RegistryError(f"{path}: cannot read: {exc.strerror}") from None
            staged = str(index[path].id) if index is not None and path in index else None
            if on_disk != want or staged != want:
                where = "in the working tree" if on_disk != want else "staged in the index"
                raise RegistryError(f"{path} has uncommitted changes {where}; commit or stash them first, "
                                    "or edit without --commit")

    def commit(self, edits: list[FileEdit], message: str) -> Committed:
        self.ensure_clean([e.path for e in edits])
        oid = _make_commit(self.repo, self.head, edits, message)
        subject = message.splitlines()[0]
        try:
            if self._ref is None:
                self.repo.create_reference_direct(self.ref_name, oid, False, message=f"commit (initial): {subject}")
            else:
                self._ref.set_target(oid, f"commit: {subject}")
        except (pygit2.AlreadyExistsError, pygit2.GitError):
            raise RegistryError(f"{self.branch} moved while the edit was being made (another commit landed first); "
                                "nothing was changed: run the command again") from None
        done = Committed(str(oid), self.ref_name)
        for edit in edits:
            try:
                atomic_write(self.workdir / edit.path, edit.after, display=edit.path, expect=edit.before)
            except ChangedMeanwhile:
                done.warnings.append(f"{edit.path} changed in the working tree during the commit and was left as it is; "
                                     f"git diff shows how it differs from the commit")
            except RegistryError as exc:
                done.warnings.append(f"{exc}; the commit is made: git checkout -- {edit.path} restores the file")
        self._write_index(edits)
        return done

    def _write_index(self, edits: list[FileEdit]) -> None:
        """Point the index entries of the edited paths at the new blobs, under our lock."""
        real = self.gitdir / "index"
        tmp = self.gitdir / f"index.registry-tool.{os.getpid()}"
        if real.exists():
            shutil.copyfile(real, tmp)
        try:
            index = pygit2.Index(str(tmp))
            for edit in edits:
                mode = index[edit.path].mode if edit.path in index else BLOB_MODE
                index.add(pygit2.IndexEntry(edit.path, pygit2.Oid(hex=git_blob_id(edit.after)), mode))
            index.write()
            os.replace(tmp, real)
        finally:
            if tmp.exists():
                tmp.unlink()


@dataclass
class IndexLock:
    """Git's index lock, taken exactly as Git takes it (create ``index.lock`` exclusively)."""

    gitdir: Path
    _held: bool = False

    @property
    def path(self) -> Path:
        return self.gitdir / "index.lock"

    def __enter__(self) -> "IndexLock":
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            raise RegistryError(f"the Git index is locked ({self.path} exists): another Git process is running, "
                                "or one crashed; if none is running, remove that file and try again") from None
        except OSError as exc:
            raise RegistryError(f"cannot lock the Git index ({self.path}): {exc.strerror}") from None
        os.close(fd)
        self._held = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._held:
            try:
                self.path.unlink()
            except FileNotFoundError:  # pragma: no cover - someone removed our lock
                pass
            self._held = False


@contextmanager
def head_transaction(store: GitStore, *, lock: bool = True) -> Iterator[HeadTransaction]:
    """Take the index lock, then read HEAD: the whole edit happens under the lock
    (``lock=False`` for a dry run, which only reads)."""
    store.work_tree("use --branch to commit on a new branch")
    if not lock:
        yield HeadTransaction(store)
        return
    with IndexLock(Path(store.repo.path)):
        yield HeadTransaction(store)
