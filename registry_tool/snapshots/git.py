"""The Git store: pygit2 behind a small interface.

Finds the repository, resolves revisions, reads the registry at any commit straight from
the object database (no checkout: bare repositories and detached HEAD work), lists what
changed between two commits and walks first-parent history. Every failure a user can
cause (not a repository, unknown revision, shallow clone, missing object) becomes a
one-line :class:`~registry_tool.errors.RegistryError`.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pygit2

from registry_tool import snapshots
from registry_tool.core.policy import POLICY_FILE
from registry_tool.errors import RegistryError
from registry_tool.snapshots import tree_lookup
from registry_tool.snapshots.base import (
    EmptySnapshot,
    Entry,
    EntryKind,
    FolderChange,
    Snapshot,
)

if TYPE_CHECKING:
    import subprocess  # imported when a partial clone needs git: 20 ms that get and validate need not pay

KIND_BY_MODE = {
    0o100644: EntryKind.FILE,
    0o100755: EntryKind.FILE,
    0o120000: EntryKind.SYMLINK,
    0o040000: EntryKind.DIRECTORY,
    0o160000: EntryKind.SUBMODULE,
}
NOT_A_FOLDER = {
    EntryKind.FILE: "is a file, not a directory",
    EntryKind.SYMLINK: "is a symbolic link (Git stores the link, not the files it points to)",
    EntryKind.SUBMODULE: "is a submodule (its files are not in this repository)",
}
SHALLOW_HINT = ("the repository is a shallow clone; fetch the full history "
                "(actions/checkout with fetch-depth: 0, or git fetch --unshallow) or fetch the base commit")
CORRUPT_HINT = "run git fsck, or fetch the repository again"


PARTIAL_HINT = "or clone without --filter (actions/checkout does unless its filter input is set)"


def _missing(display: str, oid: object) -> RegistryError:
    return RegistryError(f"{display}: Git object {str(oid)[:12]} is missing or corrupt; {CORRUPT_HINT}")


class _GitObjects:
    """Objects a partial clone (``git clone --filter=blob:none``) left on its promisor
    remote, read through ``git cat-file --batch``: libgit2 cannot fetch them, git fetches
    each one as it is asked for (and keeps it). One process per store, started on the
    first missing object."""

    def __init__(self, git_dir: str, remote: str) -> None:
        self.git_dir = git_dir
        self.remote = remote
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    def _start(self, display: str, oid: str) -> subprocess.Popen[bytes]:
        import subprocess
        import tempfile

        if self._proc is None:
            self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - open as long as the process, closed by _stop
            env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
            try:
                self._proc = subprocess.Popen(["git", "--git-dir", self.git_dir, "cat-file", "--batch"], env=env,
                                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr)
            except OSError as exc:
                raise RegistryError(f"{display}: Git object {oid[:12]} is not in this partial clone (its promisor "
                                    f"remote is '{self.remote}') and the git command that would fetch it cannot run "
                                    f"({exc.strerror}); install git, {PARTIAL_HINT}") from None
            weakref.finalize(self, _stop, self._proc, self._stderr)
        return self._proc

    def read(self, oid: str, display: str) -> tuple[str, bytes]:
        """(type, bytes) of an object, fetched from the promisor remote if need be."""
        proc = self._start(display, oid)
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(oid.encode("ascii") + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) == 3:
                data = proc.stdout.read(int(header[2]) + 1)[:-1]
                return header[1].decode("ascii"), data
        except (OSError, ValueError):
            pass
        raise RegistryError(f"{display}: Git object {oid[:12]} is not in this partial clone and git could not fetch it "
                            f"from its promisor remote '{self.remote}'{self._why()}; fetch again when the remote "
                            f"is reachable, {PARTIAL_HINT}")

    def _why(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        lines = [line.strip() for line in self._stderr.read().decode("utf-8", "replace").splitlines() if line.strip()]
        self._stderr.seek(0, os.SEEK_END)
        return f" ({lines[-1][:200]})" if lines else ""


def _stop(proc: subprocess.Popen[bytes], stderr: IO[bytes]) -> None:
    import subprocess

    if proc.stdin is not None:
        proc.stdin.close()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover - git stuck on a fetch
        proc.kill()
        proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()
    stderr.close()


def open_repository(path: str) -> pygit2.Repository:
    """A pygit2 repository, partial clones included: libgit2 refuses a repository whose
    config names an extension it does not know, and older git wrote
    ``extensions.partialclone``; the store reads what such a clone lacks through git."""
    if "partialclone" not in pygit2.settings.extensions:
        pygit2.settings.set_extensions(["partialclone"])
    if snapshots.command_line:  # see snapshots.as_command_line
        pygit2.settings.enable_strict_hash_verification(False)
        pygit2.settings.enable_caching(False)
    repo = pygit2.Repository(path)
    _pack_windows(repo)
    return repo


# git's settings for how much of its pack files a process maps, and libgit2's names for them
PACK_WINDOWS = (("core.packedGitWindowSize", "mwindow_size"), ("core.packedGitLimit", "mwindow_mapped_limit"))


def _pack_windows(repo: pygit2.Repository) -> None:
    """``core.packedGitWindowSize`` and ``core.packedGitLimit`` from the repository's
    configuration, as git reads them, applied to libgit2 (whose own defaults are 1 GiB
    windows, 8 GiB mapped), or else the command line's bounds
    (:func:`registry_tool.snapshots.as_command_line`). libgit2 holds these per process:
    the last repository opened that sets them wins."""
    config = repo.config
    for key, setting in PACK_WINDOWS:
        try:
            value = config.get_int(key)
        except KeyError:  # the command line's bounds, if any (snapshots.as_command_line)
            value = snapshots.pack_map_bound(setting)
        except (ValueError, pygit2.GitError):
            raise Unusable(f"the Git configuration's {key} is not a size ('{config[key]}'): a number of "
                           "bytes, or with k, m or g after it (128m)") from None
        if value > 0:
            setattr(pygit2.settings, setting, value)


REPLACED = ("git show, log and checkout serve the replacement objects while registry-tool reads the objects as "
            "stored, so what a reviewer sees and what was validated could differ; remove them (git replace -d), "
            "or set core.useReplaceRefs=false (or GIT_NO_REPLACE_OBJECTS=1) so that git reads the stored objects too")
GRAFTED = ("git log and checkout follow the grafted parents while registry-tool follows the stored ones, so the "
           "history each reads could differ; remove the file (git replace --convert-graft-file turns it into "
           "replace refs, which are refused too)")


class Unusable(RegistryError):
    """A repository is there but cannot be read as it stands: never taken for a plain folder."""


class Substituted(Unusable):
    """Git would serve other objects than the stored ones (replace refs, grafts)."""


def refuse_substitutes(gitdir: Path) -> None:
    """Replace refs (``refs/replace/*``) and a grafts file make git serve other objects than
    the stored ones that registry-tool reads: refused, with what to do, unless git is told
    to ignore replacements too (``core.useReplaceRefs=false``, ``GIT_NO_REPLACE_OBJECTS``)."""
    common = _common_dir(gitdir)
    replaced = _replace_ref(common, gitdir)
    if replaced is not None:
        raise Substituted(f"this repository has replace refs ({replaced}): {REPLACED}")
    grafts = Path(os.environ.get("GIT_GRAFT_FILE") or common / "info" / "grafts")
    try:
        lines = grafts.read_text(errors="replace").splitlines()
    except OSError:
        return
    if any(line.strip() and not line.lstrip().startswith("#") for line in lines):
        raise Substituted(f"this repository has a grafts file ({grafts}): {GRAFTED}")


def _common_dir(gitdir: Path) -> Path:
    try:
        return (gitdir / (gitdir / "commondir").read_text().strip()).resolve()
    except OSError:
        return gitdir


def _replace_ref(common: Path, gitdir: Path) -> str | None:
    """The first replace ref git would use, or None."""
    if os.environ.get("GIT_NO_REPLACE_OBJECTS"):
        return None
    try:
        if not pygit2.Repository(str(gitdir)).config.get_bool("core.useReplaceRefs"):
            return None
    except (KeyError, ValueError, pygit2.GitError):
        pass  # not set: git uses them
    base = os.environ.get("GIT_REPLACE_REF_BASE", "refs/replace/").rstrip("/") + "/"
    for found in sorted((common / base).rglob("*")) if (common / base).is_dir() else []:
        if found.is_file():
            return found.relative_to(common).as_posix()
    try:
        with open(common / "packed-refs", "rb") as handle:
            for line in handle:
                name = line.rstrip(b"\n").partition(b" ")[2].decode("utf-8", "replace")
                if name.startswith(base):
                    return name
    except OSError:
        pass
    return None


class GitStore:
    """One Git repository, read through pygit2."""

    KEPT_TREES = 2  # a change's two sides (a range's next step reuses its head as the base)

    def __init__(self, repo: pygit2.Repository) -> None:
        self.repo = repo
        self._kept: dict[pygit2.Oid, pygit2.Tree] = {}
        self._shallow: frozenset[str] | None = None
        self._partial: _GitObjects | bool | None = False  # False: not looked at yet

    @classmethod
    def discover(cls, start: str | Path = ".") -> GitStore:
        """The repository containing ``start`` (any subfolder works), bare or not, with the
        work tree Git uses: opened from ``start``, not from its Git directory, so that a
        ``.git`` file (``git init --separate-git-dir``, ``git clone --separate-git-dir``, a
        submodule) makes the folder holding it the work tree, as it does for git; opened
        by its Git directory, libgit2 would take that directory's parent instead."""
        start = Path(start)
        try:
            os.stat(start)  # a loop of links or a name too long is said as such (OSError), not as "no such directory"
        except (FileNotFoundError, NotADirectoryError):
            raise RegistryError(f"{start}: no such directory") from None
        found = pygit2.discover_repository(str(start))
        if found is None:
            raise RegistryError(f"not a Git repository: {start.resolve()} (or any parent folder)")
        try:
            repo = open_repository(str(start))  # the same search as discover_repository's, keeping the .git file's folder
        except pygit2.GitError as exc:
            raise Unusable(f"cannot open the Git repository at {found}: {exc}") from None
        refuse_substitutes(Path(repo.path))
        return cls(repo)

    def kept(self, tree: pygit2.Tree) -> pygit2.Tree:
        """The same tree as read before, when it is one of the last few folders read:
        libgit2 caches no tree over 4 KB, and a 10,000-entry folder read again costs what
        its first read did (inflate, hash, parse). A few at a time: memory stays flat."""
        found = self._kept.pop(tree.id, tree)
        self._kept[tree.id] = found
        while len(self._kept) > self.KEPT_TREES:
            del self._kept[next(iter(self._kept))]
        return found

    @property
    def workdir(self) -> Path | None:
        """The work tree's root, or None for a bare repository."""
        return None if self.repo.is_bare or not self.repo.workdir else Path(self.repo.workdir)

    def work_tree(self, instead: str) -> Path:
        """The work tree's root; a bare repository has none, and the error says what to do
        ``instead``."""
        if self.workdir is None:
            raise RegistryError(f"this is a bare repository with no working tree; {instead}")
        return self.workdir

    @property
    def shallow_commits(self) -> frozenset[str]:
        """Commits whose parents are missing because the clone is shallow."""
        if self._shallow is None:
            path = Path(self.repo.path) / "shallow"
            lines = path.read_text().split() if self.repo.is_shallow and path.exists() else []
            self._shallow = frozenset(lines)
        return self._shallow

    @property
    def promisor_remote(self) -> str | None:
        """The remote a partial clone fetches missing objects from (``remote.<name>.promisor``,
        or ``extensions.partialclone`` as older git wrote it), or None for a full clone."""
        config = self.repo.config
        try:
            return str(config["extensions.partialclone"])
        except (KeyError, pygit2.GitError):
            pass
        for entry in config:
            name = entry.name
            if name.startswith("remote.") and name.endswith(".promisor") and str(entry.value).lower() in ("true", "yes", "on", "1"):
                return name[len("remote."):-len(".promisor")]
        return None

    def _fetcher(self) -> _GitObjects | None:
        if self._partial is False:
            remote = self.promisor_remote
            self._partial = _GitObjects(str(self.repo.path), remote) if remote is not None else None
        return self._partial if isinstance(self._partial, _GitObjects) else None

    def _fetched(self, oid: pygit2.Oid | str, display: str) -> bytes | None:
        """A blob missing from a partial clone, read through git; None in a full clone."""
        fetcher = self._fetcher()
        if fetcher is None:
            return None
        kind, data = fetcher.read(str(oid), display)
        if kind != "blob":
            raise RegistryError(f"{display}: is a {kind}, not a file")
        return checked(data, oid, display)

    def resolve(self, rev: str) -> pygit2.Commit:
        """Any revision Git understands (branch, tag, remote branch, full or short sha, HEAD~3)."""
        if rev.startswith("-"):
            raise RegistryError(f"unknown revision '{rev}'")
        try:
            obj = self.repo.revparse_single(rev)
        except (KeyError, ValueError, pygit2.GitError):
            if rev == "HEAD" and self.repo.head_is_unborn:
                raise RegistryError("HEAD has no commits yet: commit something first, or name a revision that has some") from None
            target = self._ref_target(rev)
            if target is not None and target not in self.repo:
                raise RegistryError(f"'{rev}' points to commit {str(target)[:12]}, which is missing from the "
                                    f"repository (a corrupt or incomplete object database); {CORRUPT_HINT}") from None
            hint = f"; {SHALLOW_HINT}" if self.repo.is_shallow else ""
            raise RegistryError(f"unknown revision '{rev}'{hint}") from None
        try:
            return obj.peel(pygit2.Commit)
        except (pygit2.GitError, ValueError, TypeError):
            raise RegistryError(f"'{rev}' names a {obj.type_str}, not a commit") from None

    def _ref_target(self, rev: str) -> pygit2.Oid | None:
        """The commit id a branch, tag or HEAD names, even when that object is missing."""
        try:
            target = self.repo.lookup_reference_dwim(rev).resolve().target
        except (KeyError, ValueError, pygit2.GitError):
            return None
        return target if isinstance(target, pygit2.Oid) else None

    def merge_base(self, one: pygit2.Commit, other: pygit2.Commit) -> pygit2.Commit | None:
        """The best common ancestor of two commits (what ``git diff one...other`` compares
        with), or None when they share no history."""
        try:
            found = self.repo.merge_base(one.id, other.id)
        except pygit2.GitError as exc:
            hint = SHALLOW_HINT if self.repo.is_shallow else CORRUPT_HINT
            raise RegistryError(f"cannot find the merge base of {str(one.id)[:12]} and {str(other.id)[:12]}: {exc}; {hint}") from None
        if found is None:
            return None
        return self.commit(found)

    def snapshot(self, commit: pygit2.Commit) -> CommitSnapshot:
        return CommitSnapshot(self, commit)

    def parent_snapshot(self, commit: pygit2.Commit) -> Snapshot:
        """The registry just before a commit (its first parent); empty before a root commit."""
        if str(commit.id) in self.shallow_commits:
            raise RegistryError(f"the parent of commit {str(commit.id)[:12]} is not available: {SHALLOW_HINT}")
        if not commit.parent_ids:
            return EmptySnapshot()
        return self.snapshot(self.commit(commit.parent_ids[0]))

    def first_parents(self, head: pygit2.Commit, hide: pygit2.Commit | None = None) -> Iterator[pygit2.Commit]:
        """head, its first parent, that one's first parent, ... newest first, down to a root
        commit or a shallow clone's boundary (included); with ``hide``, only the commits
        that are not ``hide`` or its ancestors. Without ``hide``, a parent missing from the
        object database ends the walk (the caller says where history stops); with it, that
        is an error. Unsorted: a topological sort would read the whole graph before
        yielding the first commit (320 ms over 20,000 commits, against 25 ms)."""
        walker = self.repo.walk(head.id, pygit2.enums.SortMode.NONE)
        walker.simplify_first_parent()
        if hide is not None:
            walker.hide(hide.id)
        expected = head.id
        try:
            for commit in walker:
                if commit.id != expected:  # pragma: no cover - a first-parent walk is one chain
                    raise RegistryError(f"cannot walk history: {str(commit.id)[:12]} is not the first parent expected")
                yield commit
                if not commit.parent_ids or str(commit.id) in self.shallow_commits:
                    return
                expected = commit.parent_ids[0]
            if hide is not None:
                return
        except pygit2.GitError as exc:
            if hide is not None:
                hint = SHALLOW_HINT if self.repo.is_shallow else CORRUPT_HINT
                raise RegistryError(f"cannot walk history: {exc}; {hint}") from None
        yield from self._first_parents_by_hand(expected)

    def _first_parents_by_hand(self, expected: pygit2.Oid) -> Iterator[pygit2.Commit]:
        """The walker looks one commit ahead and stops before a missing parent: go on by
        hand up to the commit whose parent is missing."""
        while True:
            try:
                commit = self.repo[expected]
            except (KeyError, ValueError, pygit2.GitError):
                return  # missing from the object database: the caller reports where history stops
            assert isinstance(commit, pygit2.Commit)
            yield commit
            if not commit.parent_ids or str(commit.id) in self.shallow_commits:
                return
            expected = commit.parent_ids[0]

    def range_steps(self, base: pygit2.Commit, head: pygit2.Commit) -> list[tuple[str, Snapshot, Snapshot]]:
        """(commit, parent snapshot, commit snapshot) for each commit after base, oldest first."""
        return [(str(c.id), self.parent_snapshot(c), self.snapshot(c)) for c in self.range_commits(base, head)]

    def range_commits(self, base: pygit2.Commit, head: pygit2.Commit) -> list[pygit2.Commit]:
        """The first-parent commits after base up to head, oldest first."""
        commits = list(self.first_parents(head, hide=base))
        commits.reverse()
        return commits

    def rewrite(self, base: pygit2.Commit, head: pygit2.Commit, commits: list[pygit2.Commit]) -> str | None:
        """None when ``base`` is on ``head``'s first-parent history (``commits``: the range's
        first-parent commits, oldest first, as :meth:`range_commits` gives them); otherwise how
        the branch went from ``base`` to ``head`` instead (a rewind, a rewrite, a merge that
        put ``base`` on a second parent)."""
        if base.id == head.id or (commits and commits[0].parent_ids and commits[0].parent_ids[0] == base.id):
            return None
        if commits and str(commits[0].id) in self.shallow_commits:  # the walk ran into the clone's boundary
            raise RegistryError(f"the parent of commit {str(commits[0].id)[:12]} is not available: {SHALLOW_HINT}")
        try:
            if self.repo.descendant_of(base.id, head.id):
                return "the branch was rewound to an older commit (a force-push)"
            if self.repo.descendant_of(head.id, base.id):
                return ("BEFORE is reached from AFTER only through a merge's second parent (a fast-forward merge "
                        "with the old head as second parent, a 'foxtrot' merge, which can drop the branch's changes)")
        except pygit2.GitError as exc:
            raise RegistryError(f"cannot compare the history of {str(base.id)[:12]} and {str(head.id)[:12]}: {exc}; "
                                f"{SHALLOW_HINT if self.repo.is_shallow else CORRUPT_HINT}") from None
        return "the branch was rewritten (a force-push: BEFORE is not an ancestor of AFTER)"

    def commit(self, oid: pygit2.Oid | str) -> pygit2.Commit:
        """A commit by id; a missing one is an error that says why it may be missing."""
        try:
            return self.repo[oid].peel(pygit2.Commit)
        except (KeyError, pygit2.GitError):
            hint = SHALLOW_HINT if self.repo.is_shallow else CORRUPT_HINT
            raise RegistryError(f"commit {str(oid)[:12]} is missing from the repository; {hint}") from None

    def read_blob(self, oid: pygit2.Oid | str, display: str) -> bytes:
        """A file's bytes, hashed: bytes that do not match their id (a forged or damaged
        object) are refused, whether or not libgit2 hashed them too."""
        try:
            obj = self.repo[oid]
        except (KeyError, ValueError, pygit2.GitError):
            data = self._fetched(oid, display)
            if data is None:
                raise _missing(display, oid) from None
            return data
        if not isinstance(obj, pygit2.Blob):
            raise RegistryError(f"{display}: is a {obj.type_str}, not a file")
        return checked(obj.data, obj.id, display)

    def blob_size(self, oid: pygit2.Oid | str, display: str) -> int:
        try:
            return self.repo.odb.read_header(oid)[1]
        except (KeyError, ValueError, pygit2.GitError):
            data = self._fetched(oid, display)  # git keeps what it fetched: the read that follows finds it
            if data is None:
                raise _missing(display, oid) from None
            return len(data)

    def missing(self, display: str, oid: object) -> RegistryError:
        """The error for an object (a tree, a commit) that cannot be read: in a partial
        clone, say so (libgit2 cannot fetch it, and only file contents are read through git)."""
        remote = self.promisor_remote
        if remote is None:
            return _missing(display, oid)
        return RegistryError(f"{display}: Git object {str(oid)[:12]} is not in this partial clone (promisor remote "
                             f"'{remote}'), and only missing file contents are fetched through git; clone with "
                             f"--filter=blob:none, {PARTIAL_HINT}")


class CommitSnapshot:
    """The registry as committed: every byte read from the object database."""

    def __init__(self, store: GitStore, commit: pygit2.Commit) -> None:
        self.store = store
        self.commit = commit

    @property
    def label(self) -> str:
        return str(self.commit.id)[:12]

    @property
    def commit_id(self) -> str:
        return str(self.commit.id)

    def root(self) -> pygit2.Tree:
        try:
            return self.commit.tree
        except pygit2.GitError:
            raise self.store.missing(f"the tree of commit {self.label}", self.commit.tree_id) from None

    def policy_entry(self) -> Entry | None:
        root = self.root()
        try:
            obj = root[POLICY_FILE]
        except pygit2.GitError:  # NotFoundError is also a KeyError: a missing object, not a missing name
            raise self.store.missing(f"the tree of commit {self.label}", root.id) from None
        except KeyError:
            return None
        return Entry(name=POLICY_FILE, path=POLICY_FILE, kind=KIND_BY_MODE.get(obj.filemode, EntryKind.OTHER), blob_id=str(obj.id))

    def _folder(self, models_dir: str) -> pygit2.Tree | None:
        """The models directory's tree, walked one name at a time: None when it is absent;
        an error when a symlink, submodule or file stands on the way, or an object is missing."""
        tree, walked = self.root(), ""
        for part in models_dir.split("/"):
            walked = f"{walked}/{part}" if walked else part
            try:
                obj = tree[part]
            except pygit2.GitError:  # this tree's own object could not be read (NotFoundError is also a KeyError)
                parent = walked.rpartition("/")[0]
                raise self.store.missing(f"{parent} at {self.label}" if parent else f"the tree of commit {self.label}", tree.id) from None
            except KeyError:
                return None
            kind = KIND_BY_MODE.get(obj.filemode, EntryKind.OTHER)
            if kind is not EntryKind.DIRECTORY:
                raise RegistryError(f"{walked} at {self.label}: {NOT_A_FOLDER.get(kind, 'is not a directory')}; "
                                    f"the models directory ({models_dir}) must be a real folder")
            assert isinstance(obj, pygit2.Tree)
            tree = self.store.kept(obj)
        return tree

    def entries(self, models_dir: str) -> list[Entry]:
        tree = self._folder(models_dir)
        if tree is None:
            return []
        try:
            return [_entry(item, models_dir) for item in tree]
        except pygit2.GitError:
            raise self.store.missing(f"{models_dir} at {self.label}", tree.id) from None

    def named(self, models_dir: str, name: str) -> list[Entry]:
        """The entries of the models directory called ``name``, looked up in its tree
        (bisection: nothing else is listed); more than one only in a malformed tree."""
        tree = self._folder(models_dir)
        if tree is None:
            return []
        try:
            return [_entry(item, models_dir) for item in tree_lookup.named(tree, name)]
        except pygit2.GitError:
            raise self.store.missing(f"{models_dir} at {self.label}", tree.id) from None

    def namesakes(self, models_dir: str, names: list[str]) -> list[Entry]:
        """The entries of the models directory whose names fold to the same text as one of
        ``names`` (themselves included), in Git's order, found without listing the folder."""
        return self._namesakes(self._folder(models_dir), models_dir, names)

    def _namesakes(self, tree: pygit2.Tree | None, models_dir: str, names: list[str]) -> list[Entry]:
        if tree is None or not names:
            return []
        try:
            return [_entry(item, models_dir) for item in tree_lookup.namesakes(tree, names)]
        except pygit2.GitError:
            raise self.store.missing(f"{models_dir} at {self.label}", tree.id) from None

    def folder_entries(self, models_dir: str, names: Iterable[str]) -> dict[str, Entry | None]:
        """Each name's entry in the models directory (None: absent there), looked up in its
        tree as a tree diff's names are (:func:`tree_changes`); nothing else is listed."""
        tree = self._folder(models_dir)
        try:
            found = {name: _get(tree, name) if tree is not None else None for name in names}
        except pygit2.GitError:
            raise self.store.missing(f"{models_dir} at {self.label}", tree.id if tree is not None else "") from None
        return {name: _entry(item, models_dir) if item is not None else None for name, item in found.items()}

    def folder_change(self, base: Snapshot, models_dir: str) -> FolderChange | None:
        """The names that differ from ``base``'s models directory, found with libgit2's tree
        diff (unchanged names are never listed); None when ``base`` is not a commit of
        this repository (nor the empty registry before a root commit)."""
        if isinstance(base, EmptySnapshot):
            old = None
        elif isinstance(base, CommitSnapshot) and base.store is self.store:
            old = base._folder(models_dir)
        else:
            return None
        new = self._folder(models_dir)
        try:
            changes = tree_changes(old, new)
        except pygit2.GitError:
            raise self.store.missing(f"{models_dir} at {self.label} or {base.label}", (new or old).id) from None  # type: ignore[union-attr]
        return FolderChange(_hex(old), _hex(new), {
            name: (_entry(a, models_dir) if a is not None else None, _entry(b, models_dir) if b is not None else None)
            for name, (a, b) in changes.items()}, lambda names: self._namesakes(new, models_dir, names))

    def size(self, entry: Entry) -> int:
        return self.store.blob_size(entry.blob_id or "", entry.path)

    def read(self, entry: Entry) -> bytes:
        return self.store.read_blob(entry.blob_id or "", entry.path)

    def blob_id(self, entry: Entry) -> str:
        return entry.blob_id or ""


def checked(data: bytes, oid: pygit2.Oid | str, display: str) -> bytes:
    """A blob's bytes, when they hash to its id (libgit2's own hash: collision-detecting
    SHA-1); a missing-or-corrupt error otherwise."""
    if str(pygit2.hash(data)) != str(oid):
        raise _missing(display, oid)
    return data


def _entry(item: pygit2.Object, models_dir: str) -> Entry:
    name = item.name or ""
    return Entry(name=name, path=f"{models_dir}/{name}",
                 kind=KIND_BY_MODE.get(item.filemode, EntryKind.OTHER), blob_id=str(item.id))


TreeChanges = dict[str, tuple["pygit2.Object | None", "pygit2.Object | None"]]


def tree_changes(old: pygit2.Tree | None, new: pygit2.Tree | None) -> TreeChanges:
    """What differs between two trees (None: no tree there), by top-level name: the entry
    on each side (None: absent there). Unchanged names are never listed: two trees with
    the same id cost nothing, and two different ones cost libgit2's tree diff. Raises
    pygit2.GitError when an object is missing."""
    if old is None or new is None:  # the folder appeared or went away: every name on the side that has it
        present = new if new is not None else old
        if present is None:
            return {}
        return {item.name or "": (None, item) if new is not None else (item, None) for item in present}
    if old.id == new.id:
        return {}
    names = {delta.old_file.path.split("/", 1)[0] for delta in old.diff_to_tree(new).deltas}
    return {name: (_get(old, name), _get(new, name)) for name in names}


def _get(tree: pygit2.Tree, name: str) -> pygit2.Object | None:
    try:
        return tree[name]
    except KeyError:
        return None


def _hex(tree: pygit2.Tree | None) -> str | None:
    return None if tree is None else str(tree.id)
