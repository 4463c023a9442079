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

The commit object is written by ``git commit-tree`` when Git is installed, so author,
committer and dates are what Git would use (``GIT_AUTHOR_*`` and ``GIT_COMMITTER_*``,
``user.*``/``author.*``/``committer.*`` settings) and ``commit.gpgsign`` is honoured (Git
signs; a failed signature changes nothing). Without Git, pygit2 writes it with the same
environment variables and settings for name and email, and a signing configuration is
refused with nothing changed. Git hooks are not run; the edit was checked by the
validator's code before committing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

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


NO_IDENTITY = ("Git does not know who you are: set user.name and user.email "
               "(git config user.name 'Your Name'; git config user.email you@example.com)")


def _config(repo: pygit2.Repository, key: str) -> str | None:
    try:
        value = repo.config[key]
    except (KeyError, pygit2.GitError):
        return None
    return str(value) if value else None


def _wants_signature(repo: pygit2.Repository) -> bool:
    try:
        return bool(repo.config.get_bool("commit.gpgsign"))
    except (KeyError, pygit2.GitError, ValueError):
        return False


def signature(repo: pygit2.Repository, role: str = "committer") -> pygit2.Signature:
    """Who the author or committer is, resolved as Git does for name and email: the
    ``GIT_AUTHOR_*``/``GIT_COMMITTER_*`` variables, then ``author.*``/``committer.*``, then
    ``user.*`` (``EMAIL`` for the address); the date is now (pygit2 writes commits only
    when Git is not installed)."""
    env = role.upper()
    name = os.environ.get(f"GIT_{env}_NAME") or _config(repo, f"{role}.name") or _config(repo, "user.name")
    email = (os.environ.get(f"GIT_{env}_EMAIL") or _config(repo, f"{role}.email") or _config(repo, "user.email")
             or os.environ.get("EMAIL"))
    if not name or not email:
        raise RegistryError(NO_IDENTITY)
    return pygit2.Signature(name, email)


Keep = Callable[[pygit2.Tree], pygit2.Tree]


def _same(tree: pygit2.Tree) -> pygit2.Tree:
    return tree


def tree_with(repo: pygit2.Repository, tree: pygit2.Tree | None, files: dict[str, tuple[pygit2.Oid, int]],
              kept: Keep = _same) -> pygit2.Oid:
    """A tree like ``tree`` with some files (path -> (blob id, mode)) put in or replaced
    (``kept``: a folder already read, when the store has it: GitStore.kept)."""
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
        builder.insert(name, tree_with(repo, kept(existing) if existing is not None else None, sub, kept),
                       pygit2.enums.FileMode.TREE)
    for name, (oid, mode) in here.items():
        builder.insert(name, oid, mode)
    return builder.write()


def lookup(tree: pygit2.Tree | None, path: str, kept: Keep = _same) -> pygit2.Object | None:
    """The entry at ``path`` below ``tree`` (None: absent), each folder on the way taken
    from ``kept`` when it was read before."""
    *folders, name = path.split("/")
    for folder in folders:
        try:
            found = tree[folder] if tree is not None else None
        except KeyError:
            return None
        if not isinstance(found, pygit2.Tree):
            return None
        tree = kept(found)
    try:
        return tree[name] if tree is not None else None
    except KeyError:
        return None


def _mode_in(tree: pygit2.Tree | None, path: str, kept: Keep = _same) -> int:
    found = lookup(tree, path, kept)
    return found.filemode if found is not None else BLOB_MODE


def _make_commit(repo: pygit2.Repository, parent: pygit2.Commit | None, edits: list[FileEdit], message: str,
                 kept: Keep = _same) -> pygit2.Oid:
    base_tree = parent.tree if parent is not None else None
    files = {e.path: (repo.create_blob(e.after), _mode_in(base_tree, e.path, kept)) for e in edits}
    tree = tree_with(repo, base_tree, files, kept)
    parents = [parent.id] if parent is not None else []
    git = shutil.which("git")
    if git is not None:
        return _commit_tree(git, repo, tree, parents, message)
    if _wants_signature(repo):
        raise RegistryError("commit.gpgsign is set, but Git is not installed to sign the commit; nothing was changed "
                            "(install git, or commit by hand)")
    return repo.create_commit(None, signature(repo, "author"), signature(repo, "committer"), message, tree, parents)


def _commit_tree(git: str, repo: pygit2.Repository, tree: pygit2.Oid, parents: list[pygit2.Oid], message: str) -> pygit2.Oid:
    """The commit object written by ``git commit-tree``: identity, dates and signing as Git
    resolves them (commit-tree itself does not read commit.gpgsign: -S is passed for it)."""
    args = [git, "--git-dir", str(repo.path), "commit-tree", str(tree)]
    for parent in parents:
        args += ["-p", str(parent)]
    signing = _wants_signature(repo)
    if signing:
        key = _config(repo, "user.signingkey")
        args.append(f"--gpg-sign={key}" if key else "-S")
    try:
        done = subprocess.run(args, input=message.encode("utf-8"), capture_output=True, check=False)
    except OSError as exc:
        raise RegistryError(f"cannot run git to write the commit: {exc.strerror}; nothing was changed") from None
    if done.returncode != 0:
        raise RegistryError(_commit_tree_failure(done.stderr.decode("utf-8", "replace"), signing))
    return pygit2.Oid(hex=done.stdout.decode("ascii").strip())


def _commit_tree_failure(stderr: str, signing: bool) -> str:
    if "tell me who you are" in stderr or "unable to auto-detect email" in stderr or "empty ident name" in stderr:
        return NO_IDENTITY
    last = next((line.strip() for line in reversed(stderr.splitlines()) if line.strip()), "no message")
    if signing:
        return f"git could not sign the commit (commit.gpgsign is set): {last}; nothing was changed"
    return f"git commit-tree failed: {last}; nothing was changed"


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
        self._index_copy: tuple[Path, pygit2.Index] | None = None

    @property
    def branch(self) -> str:
        return self.ref_name.removeprefix("refs/heads/")

    def base(self) -> Snapshot:
        return self.store.snapshot(self.head) if self.head is not None else EmptySnapshot()

    def _committed(self, path: str) -> pygit2.Object | None:
        return lookup(self.head.tree, path, self.store.kept) if self.head is not None else None

    def ensure_clean(self, paths: list[str]) -> dict[str, bytes | None]:
        """The working tree and the index hold exactly HEAD's version of these files (as Git
        sees them: a file Git's end-of-line conversion (core.autocrlf, eol=crlf) turns into
        the committed blob is clean). Returns each file's bytes on disk (None: absent)."""
        index = self._index()
        on_disk: dict[str, bytes | None] = {}
        for path in paths:
            committed = self._committed(path)
            want = str(committed.id) if committed is not None else None
            try:
                data: bytes | None = (self.workdir / path).read_bytes()
            except FileNotFoundError:
                data = None
            except OSError as exc:
                raise RegistryError(f"{path}: cannot read: {exc.strerror}") from None
            staged = str(index[path].id) if index is not None and path in index else None
            same = (git_blob_id(data) if data is not None else None) == want
            if staged != want or not (same or self._filtered_clean(path, data, want)):
                where = "in the working tree" if staged == want else "staged in the index"
                raise RegistryError(f"{path} has uncommitted changes {where}; commit or stash them first, "
                                    "or edit without --commit")
            on_disk[path] = data
        return on_disk

    def _filtered_clean(self, path: str, data: bytes | None, want: str | None) -> bool:
        """Whether Git's filters (end-of-line conversion) turn the file on disk into HEAD's blob."""
        if data is None or want is None:
            return False
        try:
            flags = self.repo.status_file(path)
        except (KeyError, pygit2.GitError):
            return False
        dirty = (pygit2.enums.FileStatus.WT_MODIFIED | pygit2.enums.FileStatus.WT_DELETED
                 | pygit2.enums.FileStatus.WT_TYPECHANGE | pygit2.enums.FileStatus.WT_NEW)
        return not flags & dirty

    def commit(self, edits: list[FileEdit], message: str) -> Committed:
        try:
            return self._commit(edits, message)
        finally:
            if self._index_copy is not None and self._index_copy[0].exists():
                self._index_copy[0].unlink()  # refused before the index was written: drop the copy

    def _commit(self, edits: list[FileEdit], message: str) -> Committed:
        on_disk = self.ensure_clean([e.path for e in edits])
        oid = _make_commit(self.repo, self.head, edits, message, self.store.kept)
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
            before = on_disk.get(edit.path)
            try:
                atomic_write(self.workdir / edit.path, _as_checked_out(edit, before), display=edit.path, expect=before)
            except ChangedMeanwhile:
                done.warnings.append(f"{edit.path} changed in the working tree during the commit and was left as it is; "
                                     f"git diff shows how it differs from the commit")
            except RegistryError as exc:
                done.warnings.append(f"{exc}; the commit is made: git checkout -- {edit.path} restores the file")
        self._write_index(edits)
        return done

    def _index(self) -> pygit2.Index | None:
        """The index, read once (a 10,000-file index costs 10 ms to read), from a copy that
        _write_index writes and moves over the real one, under our lock."""
        if self._index_copy is None:
            real = self.gitdir / "index"
            if not real.exists():
                return None
            tmp = self.gitdir / f"index.registry-tool.{os.getpid()}"
            shutil.copyfile(real, tmp)
            self._index_copy = (tmp, pygit2.Index(str(tmp)))
        return self._index_copy[1]

    def _write_index(self, edits: list[FileEdit]) -> None:
        """Point the index entries of the edited paths at the new blobs, under our lock."""
        real = self.gitdir / "index"
        tmp = self.gitdir / f"index.registry-tool.{os.getpid()}"
        try:
            found = self._index()
            index = found if found is not None else pygit2.Index(str(tmp))
            for edit in edits:
                mode = index[edit.path].mode if edit.path in index else BLOB_MODE
                index.add(pygit2.IndexEntry(edit.path, pygit2.Oid(hex=git_blob_id(edit.after)), mode))
            index.write()
            os.replace(tmp, real)
        finally:
            if tmp.exists():
                tmp.unlink()


def _as_checked_out(edit: FileEdit, on_disk: bytes | None) -> bytes:
    """The committed bytes as the working tree holds the file: with CRLF line ends when Git
    converted the committed LF file to CRLF on checkout (core.autocrlf, eol=crlf)."""
    committed = edit.before or b""
    if on_disk is not None and on_disk != committed and on_disk == committed.replace(b"\n", b"\r\n") \
            and b"\r\n" not in edit.after:
        return edit.after.replace(b"\n", b"\r\n")
    return edit.after


@dataclass
class IndexLock:
    """Git's index lock, taken exactly as Git takes it (create ``index.lock`` exclusively)."""

    gitdir: Path
    _held: bool = False

    @property
    def path(self) -> Path:
        return self.gitdir / "index.lock"

    def __enter__(self) -> IndexLock:
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
            self.path.unlink(missing_ok=True)  # missing: someone removed our lock
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
