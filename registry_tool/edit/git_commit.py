"""Committing a proposal with pygit2: on the current branch, or on a new branch.

On the current branch (``--commit``) the edit is made under Git's own index lock
(``index.lock``, taken the way Git takes it, so a running ``git commit`` and a second
registry-tool wait for nobody and fail cleanly instead), from the file as committed at
HEAD, which must be what the working tree and the index hold for the edited paths.
The commit is built from HEAD's tree plus the edited files (other staged changes stay
staged, uncommitted). Then, in Git's order: the objects, a new index written beside the
old one (by git when it is installed, so split and sparse indexes work), the working tree
files (atomically), the branch moved with a compare-and-swap (if another commit landed
since HEAD was read, the move fails and the command says so), and last the new index
renamed over the old. Any failure before the branch moves (a full disk included) puts the
files back and says nothing was committed; SIGINT, SIGTERM and SIGHUP wait until the
commit is whole, and the command then says it was interrupted. Before those steps (the
checks, and the commit object, whose signer may wait on a person) they interrupt, and the
lock is let go on the way out. A SIGKILL at any point
leaves either no commit (at worst the edit in the working tree, uncommitted) or the
commit with its index, but for the instant between the branch move and the rename.

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

import gc
import os
import shutil
import signal
import subprocess
import sys
import threading
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
    try:
        files = {e.path: (repo.create_blob(e.after), _mode_in(base_tree, e.path, kept)) for e in edits}
        tree = tree_with(repo, base_tree, files, kept)
    except (OSError, pygit2.GitError) as exc:  # a full disk, a read-only object database
        raise RegistryError(f"cannot write the commit's objects: {exc}; nothing was committed") from None
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
    """refs/heads/<branch>, for a name git branch would accept: not an option (-d), not a
    name Git's ref rules refuse (a..b, x.lock), not HEAD or @ (a branch so named makes every
    revision HEAD ambiguous), not a full ref name (refs/heads/y would become
    refs/heads/refs/heads/y)."""
    ref = f"refs/heads/{branch}"
    if branch.startswith("-") or branch in ("HEAD", "@") or not pygit2.reference_is_valid_name(ref):
        raise RegistryError(f"'{branch}' is not a valid branch name")
    if branch.startswith("refs/"):
        short = branch.removeprefix("refs/heads/")
        raise RegistryError(f"'{branch}' is not a valid branch name: give the branch name without the refs/heads/ "
                            f"prefix{f' (--branch {short})' if short != branch else ''}")
    return ref


MAX_SYMREF_DEPTH = 5  # git's own limit on a chain of symbolic refs


class HeadTransaction:
    """An edit of the current branch made under Git's index lock (see the module's doc)."""

    def __init__(self, store: GitStore) -> None:
        assert store.workdir is not None
        self.store = store
        self.repo = store.repo
        self.gitdir = Path(self.repo.path)
        self.workdir = store.workdir
        self.ref_name, self._ref = self._branch()
        self.head = self.repo[self._ref.target].peel(pygit2.Commit) if self._ref is not None else None

    def _branch(self) -> tuple[str, pygit2.Reference | None]:
        """The ref a commit moves: the branch HEAD names, followed through symbolic refs
        (HEAD -> refs/heads/alias -> refs/heads/main moves main, as git commit does); HEAD
        itself when detached. None for the ref: a branch with no commits yet."""
        name, ref = "HEAD", self.repo.lookup_reference("HEAD")
        for _ in range(MAX_SYMREF_DEPTH):
            if ref.type != pygit2.enums.ReferenceType.SYMBOLIC:
                return name, ref
            name = str(ref.target)
            found = self.repo.references.get(name)
            if found is None:
                return name, None
            ref = found
        raise RegistryError(f"HEAD leads to {name} through more than {MAX_SYMREF_DEPTH} symbolic refs (a loop?); "
                            "point HEAD at a branch (git switch) and try again")

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
        staged_ids = staged(self.repo, self.workdir, paths)
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
            same = (git_blob_id(data) if data is not None else None) == want
            if staged_ids.get(path) != want or not (same or self._filtered_clean(path, data, want)):
                where = "in the working tree" if staged_ids.get(path) == want else "staged in the index"
                raise RegistryError(f"{path} has uncommitted changes {where}; commit or stash them first, "
                                    "or edit without --commit")
            on_disk[path] = data
        return on_disk

    def _filtered_clean(self, path: str, data: bytes | None, want: str | None) -> bool:
        """Whether Git's clean filters (end-of-line conversion: core.autocrlf, eol=crlf) turn
        the bytes on disk into HEAD's blob. The bytes themselves are converted and hashed,
        never taken as clean from libgit2's status: that trusts the index's flags, so a file
        marked skip-worktree or assume-unchanged would look clean whatever it holds, and
        its local edits would be overwritten."""
        if data is None or want is None:
            return False
        try:
            filters = self.repo.load_filter_list(path)
            cleaned = filters.apply_to_buffer(data) if filters is not None else data
        except (pygit2.GitError, ValueError):
            return False
        return git_blob_id(cleaned) == want

    def commit(self, edits: list[FileEdit], message: str) -> Committed:
        """Git's order, under the index lock: the objects, the new index (beside the old one),
        the work tree files, then the branch (a compare-and-swap), then the index put in place.
        Until the branch moves, any failure undoes what was written and says nothing was
        committed; Ctrl-C, kill and a closed terminal wait until the commit is whole."""
        on_disk = self.ensure_clean([e.path for e in edits])
        # The commit object first, outside the deferred section: a commit.gpgsign signer may
        # wait on a person (a pinentry), and an interruption there leaves only an object
        # nothing refers to, as git commit does.
        oid = _make_commit(self.repo, self.head, edits, message, self.store.kept)
        with deferred_signals() as caught:
            done = self._commit(oid, edits, message, on_disk)
        if caught:
            name = signal.Signals(caught[0]).name
            done.warnings.append(f"interrupted ({name}) while committing: the commit was finished first, so "
                                 "the branch, the index and the working tree agree")
        return done

    def _commit(self, oid: pygit2.Oid, edits: list[FileEdit], message: str, on_disk: dict[str, bytes | None]) -> Committed:
        base_tree = self.head.tree if self.head is not None else None
        index = new_index(self.repo, self.workdir,
                          {e.path: (git_blob_id(e.after), _mode_in(base_tree, e.path, self.store.kept)) for e in edits})
        written: list[FileEdit] = []
        try:
            for edit in edits:
                self._write_file(edit, on_disk.get(edit.path))
                written.append(edit)
            self._move_branch(oid, message.splitlines()[0])
        except BaseException:
            _unlink(index)
            self._restore(written, on_disk)
            raise
        done = Committed(str(oid), self.ref_name)
        try:
            os.replace(index, self.gitdir / "index")
        except OSError as exc:
            _unlink(index)
            done.warnings.append(f"the commit is made, but the Git index could not be updated ({exc.strerror}); run "
                                 "git reset to bring the index up to date before committing again")
        return done

    def _write_file(self, edit: FileEdit, before: bytes | None) -> None:
        try:
            atomic_write(self.workdir / edit.path, _as_checked_out(edit, before), display=edit.path, expect=before)
        except ChangedMeanwhile:
            raise RegistryError(f"{edit.path} changed in the working tree during the edit; nothing was committed, "
                                "run the command again") from None
        except RegistryError as exc:
            raise RegistryError(f"{exc}; nothing was committed") from None

    def _restore(self, written: list[FileEdit], on_disk: dict[str, bytes | None]) -> None:
        """Put back the work tree files written before the commit failed."""
        for edit in written:
            before, path = on_disk.get(edit.path), self.workdir / edit.path
            try:
                if before is None:
                    path.unlink()
                else:
                    atomic_write(path, before, display=edit.path)
            except (OSError, RegistryError):  # pragma: no cover - the file system failed twice
                pass

    def _move_branch(self, oid: pygit2.Oid, subject: str) -> None:
        """Move the branch from HEAD's commit to ``oid``, only if it still points where it did."""
        try:
            if self._ref is None:
                self.repo.create_reference_direct(self.ref_name, oid, False, message=f"commit (initial): {subject}")
            else:
                self._ref.set_target(oid, f"commit: {subject}")
        except (pygit2.AlreadyExistsError, pygit2.GitError) as exc:
            now = self._target()
            if now == oid:  # it moved all the same (a reflog that could not be written)
                return
            if now != (self.head.id if self.head is not None else None):
                raise RegistryError(f"{self.branch} moved while the edit was being made (another commit landed "
                                    "first); nothing was changed: run the command again") from None
            raise RegistryError(f"cannot move {self.branch} to the new commit: {exc}; nothing was committed") from None

    def _target(self) -> pygit2.Oid | None:
        try:
            ref = self.repo.lookup_reference(self.ref_name).resolve()
        except (KeyError, pygit2.GitError):
            return None
        return ref.target if isinstance(ref.target, pygit2.Oid) else None


INTERRUPTS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextmanager
def deferred_signals() -> Iterator[list[int]]:
    """Ctrl-C (SIGINT), kill (SIGTERM) and a closed terminal (SIGHUP) are recorded, not acted
    on, until the block ends: a commit is never left half made (SIGKILL cannot be deferred;
    the order of the steps keeps that safe too)."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return
    previous = {sig: signal.signal(sig, lambda signum, frame: caught.append(signum)) for sig in INTERRUPTS}
    try:
        yield caught
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def interrupting_signals() -> Iterator[None]:
    """kill (SIGTERM) and a closed terminal (SIGHUP) interrupt as Ctrl-C does (a
    KeyboardInterrupt), so that what the block holds is let go on the way out: by default
    they end the process on the spot, and a lock held then stays behind."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _interrupt) for sig in INTERRUPTS if sig != signal.SIGINT}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


NO_INDEX_EXTENSION = ("the Git index uses a format libgit2 cannot read or write (a split or sparse index); "
                      "install git, or commit by hand")


def staged(repo: pygit2.Repository, workdir: Path, paths: list[str]) -> dict[str, str]:
    """The blob id the index holds for each path (absent: not in the index), read by git when
    it is installed (it reads split and sparse indexes), else by libgit2."""
    git = shutil.which("git")
    if git is not None:
        done = _git(git, repo, workdir, ["ls-files", "--stage", "-z", "--", *paths])
        found: dict[str, str] = {}
        for record in done.split(b"\0"):
            meta, tab, path = record.partition(b"\t")
            if tab and meta.split()[2] == b"0":
                found[os.fsdecode(path)] = meta.split()[1].decode("ascii")
        return found
    index_file = Path(repo.path) / "index"
    if not index_file.exists():
        return {}
    index = _open_index(index_file)
    if index is None:
        raise RegistryError(f"{NO_INDEX_EXTENSION}; nothing was changed")
    return {path: str(index[path].id) for path in paths if path in index}


def _open_index(path: Path) -> pygit2.Index | None:
    """The index at ``path`` read by libgit2, or None when libgit2 cannot read it (pygit2's
    half-made Index then fails in its finaliser: that noise is kept off stderr)."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        try:
            return pygit2.Index(str(path))
        except pygit2.GitError:
            pass
        gc.collect()  # the half-made Index sits in a reference cycle with its traceback: finalise it now
        return None
    finally:
        sys.unraisablehook = hook


def new_index(repo: pygit2.Repository, workdir: Path, entries: dict[str, tuple[str, int]]) -> Path:
    """A copy of the index with these entries (path -> (blob id, mode)), written beside it
    (``index.registry-tool.<pid>``), to be renamed over it once the branch has moved."""
    gitdir = Path(repo.path)
    real, tmp = gitdir / "index", gitdir / f"index.registry-tool.{os.getpid()}"
    try:
        if real.exists():
            shutil.copyfile(real, tmp)
        git = shutil.which("git")
        if git is not None:
            args = ["update-index", "--add"]
            for path, (oid, mode) in entries.items():
                args += ["--cacheinfo", f"{mode:o},{oid},{path}"]
            _git(git, repo, workdir, args, index=tmp)
        else:
            _pygit2_index(tmp, entries)
    except OSError as exc:
        _unlink(tmp)
        raise RegistryError(f"cannot write the new Git index: {exc.strerror}; nothing was committed") from None
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _pygit2_index(path: Path, entries: dict[str, tuple[str, int]]) -> None:
    index = _open_index(path)
    if index is None:
        raise RegistryError(f"{NO_INDEX_EXTENSION}; nothing was committed")
    try:
        for name, (oid, mode) in entries.items():
            index.add(pygit2.IndexEntry(name, pygit2.Oid(hex=oid), pygit2.enums.FileMode(mode)))
        index.write()
    except pygit2.GitError as exc:
        why = NO_INDEX_EXTENSION if "extension" in str(exc) else f"cannot write the new Git index: {exc}"
        raise RegistryError(f"{why}; nothing was committed") from None


def _git(git: str, repo: pygit2.Repository, workdir: Path, args: list[str], index: Path | None = None) -> bytes:
    env = {**os.environ, "GIT_INDEX_FILE": str(index)} if index is not None else None
    try:
        done = subprocess.run([git, "--git-dir", str(repo.path), "--work-tree", str(workdir), *args], env=env,
                              cwd=workdir, capture_output=True, check=False)  # paths are the work tree's
    except OSError as exc:
        raise RegistryError(f"cannot run git to read the index: {exc.strerror}; nothing was changed") from None
    if done.returncode != 0:
        last = next((line.strip() for line in reversed(done.stderr.decode("utf-8", "replace").splitlines()) if line.strip()),
                    "no message")
        raise RegistryError(f"git {args[0]} failed: {last}; nothing was committed")
    return done.stdout


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


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
    with interrupting_signals(), IndexLock(Path(store.repo.path)):
        yield HeadTransaction(store)
