"""Snapshots of a registry: the protocol every reader works on, a commit read from
Git's object database, and the files of a working tree.
"""

# Whether libgit2 hashes every object it reads (its default, "strict hash verification").
# The command line turns that off for trees and commits (see hash_blobs_only); GitStore
# hashes every blob it returns either way.
libgit2_hashes = True

# What libgit2 may map of a pack when the repository's configuration says nothing
# (libgit2 setting -> bytes); empty: libgit2's own defaults (see bound_pack_maps).
PACK_MAP_BOUNDS = {"mwindow_size": 1 << 20, "mwindow_mapped_limit": 128 << 20}
pack_map_defaults: dict[str, int] = {}

# Whether libgit2 keeps parsed objects in its cache (its default; see no_object_cache).
libgit2_caches = True


def hash_blobs_only() -> None:
    """From now on, in this process, repositories opened by registry-tool let libgit2 read
    trees and commits without hashing them, as git itself reads every object; the blobs
    that are parsed and served are still hashed (``GitStore.read_blob``) and refused when
    their bytes do not match their id. A 50,000-entry models folder is a 2.6 MB tree, and
    libgit2 hashes it with collision-detecting SHA-1 on every read: a pull request's check
    reads two, which took 68 ms of CPU with the hash and 33 ms without. Called by the
    command line's entry point only: a program that imports the package keeps libgit2's
    setting."""
    global libgit2_hashes
    libgit2_hashes = False


def bound_pack_maps() -> None:
    """From now on, in this process, libgit2 reads packs through 1 MiB windows with at most
    128 MiB mapped at once, where the repository's configuration does not set
    ``core.packedGitWindowSize`` or ``core.packedGitLimit`` (libgit2's own defaults: 1 GiB
    windows, 8 GiB mapped). Every page of a pack that a read touches stays mapped until
    its window closes, so a full validate of 50,000 models in a pack that scatters their
    delta chains grew each worker to 465 MB of resident pages; bounded, the largest
    process stays near 100 MB, for 1.1-1.5x the time of that validate (windows are
    reopened; with 32 MiB ones, as first tried, it took 2x). A pack smaller than the bound
    costs nothing more. A repository that prefers time sets the keys, as it would for git.
    Called by the command line's entry point only, like :func:`hash_blobs_only`."""
    pack_map_defaults.update(PACK_MAP_BOUNDS)


def no_object_cache() -> None:
    """From now on, in this process, repositories opened by registry-tool leave libgit2's
    cache of parsed objects off. A command reads each commit and tree about once, and the
    cache (up to 256 MiB by default) only grows: a whole-registry history of 10,000 models
    over 20,000 commits held 40 MB in it; without it, that walk's heap went from 109 to
    70 MB, in less time (282 -> 239 s wall, one run each). Called by the command line's
    entry point only, like :func:`hash_blobs_only`."""
    global libgit2_caches
    libgit2_caches = False
