"""What a first validator would do: the floor plus jsonschema on every file (no
positions, no YAML safety rules, no stage rules). For scale, beside the floor.

    python bench/naive.py REPO [REV]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pygit2
import yaml
from jsonschema import Draft202012Validator

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "model.schema.json"


def main() -> int:
    repo = pygit2.Repository(sys.argv[1])
    rev = sys.argv[2] if len(sys.argv) > 2 else "HEAD"
    validator = Draft202012Validator(json.loads(SCHEMA.read_text()))
    tree = repo.revparse_single(rev).peel(pygit2.Commit).tree["models"]
    errors = 0
    for entry in tree:
        errors += sum(1 for _ in validator.iter_errors(yaml.load(repo[entry.id].data, Loader=yaml.CSafeLoader)))
    print(f"{len(tree)} files, {errors} schema errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
