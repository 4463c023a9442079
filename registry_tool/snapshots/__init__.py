"""Snapshots of a registry: the protocol every reader works on, a commit read from
Git's object database, and the files of a working tree.
"""

# Whether libgit2 hashes every object it reads (its default, "strict hash verification").
# The command line turns that off for trees and commits (see hash_blobs_only); GitStore
# hashes every blob it returns either way.
libgit2_hashes = True


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
