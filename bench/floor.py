"""The floor for a full validate: read every model blob at a revision with pygit2 and
parse it with PyYAML's libyaml loader, nothing else (no checks, no positions).

    python bench/floor.py REPO [REV]
"""

from __future__ import annotations

import sys

import pygit2
import yaml


def main() -> int:
    repo = pygit2.Repository(sys.argv[1])
    rev = sys.argv[2] if len(sys.argv) > 2 else "HEAD"
    tree = repo.revparse_single(rev).peel(pygit2.Commit).tree["models"]
    count = 0
    for entry in tree:
        yaml.load(repo[entry.id].data, Loader=yaml.CSafeLoader)
        count += 1
    print(f"{count} files parsed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
