"""Snapshots of a registry: the protocol every reader works on, a commit read from
Git's object database, and the files of a working tree.
"""

# Whether repositories are opened as the command line opens them (see as_command_line):
# a program that imports the package keeps libgit2's defaults.
command_line = False

# What libgit2 may map of a pack on the command line, where the repository's configuration
# says nothing (libgit2 setting -> bytes).
PACK_MAP_BOUNDS = {"mwindow_size": 1 << 20, "mwindow_mapped_limit": 128 << 20}
# The mapped limit of a command that walks the whole history (see as_long_walk).
LONG_WALK_MAP_LIMIT = 32 << 20
long_walk = False


def as_command_line() -> None:
    """From now on, in this process, repositories opened by registry-tool are read as a
    short-lived command reads them, with three libgit2 settings changed. Called by the
    command line's entry point only (and by the tests that run commands in-process).

    - **Trees and commits are read without hashing them**, as git itself reads every
      object. The blobs that are parsed and served are still hashed
      (``GitStore.read_blob``) and refused when their bytes do not match their id. A
      50,000-entry models folder is a 2.6 MB tree, which libgit2 hashes with
      collision-detecting SHA-1 on every read: a pull request's check reads two, 68 ms of
      CPU with the hash and 33 ms without.
    - **Packs are read through 1 MiB windows, at most 128 MiB mapped at once**, where the
      repository's configuration does not set ``core.packedGitWindowSize`` or
      ``core.packedGitLimit`` (libgit2's own defaults: 1 GiB windows, 8 GiB mapped). Every
      page of a pack that a read touches stays mapped until its window closes, so a full
      validate of 50,000 models in a pack that scatters their delta chains grew each
      worker to 465 MB of resident pages; bounded, the largest process stays near 100 MB,
      for 1.1-1.5x the time of that validate (windows are reopened; with 32 MiB ones, as
      first tried, it took 2x). A pack smaller than the bound costs nothing more. A
      repository that prefers time sets the keys, as it would for git. ``history`` maps
      at most 32 MiB (:func:`as_long_walk`).
    - **libgit2's cache of parsed objects is off.** A command reads each commit and tree
      about once, and the cache (up to 256 MiB by default) only grows: a whole-registry
      history of 10,000 models over 20,000 commits held 40 MB in it; without it, that
      walk's heap went from 109 to 70 MB, in less time (282 -> 239 s wall, one run each).
    """
    global command_line
    command_line = True


def as_long_walk() -> None:
    """From now on, on the command line, at most 32 MiB of a pack are mapped at once, not
    128 MiB (a configured ``core.packedGitLimit`` still wins). Called by ``history``
    before it opens the repository: a walk over every commit touches the whole pack, so
    its mapped windows fill whatever the bound allows and stay resident, while its time
    goes to parsing. The whole-registry history at 10,000 models peaked at 116 MB instead
    of 190 MB, for 6-8% more time (one run each, side by side)."""
    global long_walk
    long_walk = True


def pack_map_bound(setting: str) -> int:
    """The command line's bound for a libgit2 pack-map setting (``PACK_MAP_BOUNDS``'s
    keys), or 0 outside the command line: libgit2's own default."""
    if not command_line:
        return 0
    if long_walk and setting == "mwindow_mapped_limit":
        return LONG_WALK_MAP_LIMIT
    return PACK_MAP_BOUNDS[setting]
