"""What a user installs and what the sdist carries: every subpackage, the schemas, the
type marker, the licence, and a test suite that can run from the sdist alone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import tomllib
from conftest import copy_tracked

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_subpackage_is_listed_for_setuptools():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "registry_tool").rglob("__init__.py")}
    assert on_disk <= listed
    assert listed - on_disk == {"registry_tool.schema.files"}  # the shipped schemas, mapped from schemas/


def test_licence_is_an_spdx_expression_with_its_file():
    project = _pyproject()["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    source = copy_tracked(tmp_path_factory.mktemp("src") / "registry-tool")  # as a clean clone holds it
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", str(out), str(source)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_the_wheel_ships_the_schemas_and_the_type_marker(dist):
    wheel = next(dist.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "registry_tool/py.typed" in names
    assert {"registry_tool/schema/files/model.schema.json", "registry_tool/schema/files/registry.schema.json"} <= names
    assert any(n.endswith("licenses/LICENSE") for n in names)


def test_the_sdist_carries_what_the_tests_need(dist):
    sdist = next(dist.glob("*.tar.gz"))
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    tracked = subprocess.run(["git", "ls-files", "tests", "schemas", "models", "action", "action.yml", ".github"], cwd=ROOT,
                             capture_output=True, text=True,
                             check=True).stdout.split()
    missing = sorted(n for n in tracked if n not in names)
    assert missing == []
    assert {"tests/conftest.py", "LICENSE", "README.md", "registry.yaml", "pyproject.toml"} <= names


def test_a_deploy_script_type_checks_against_the_public_api(tmp_path):
    """The documented API, as a consumer sees it under mypy --strict (py.typed, no lazy
    ``__getattr__`` hiding names from the type checker)."""
    script = tmp_path / "deploy.py"
    shutil.copy(ROOT / "tests" / "typing" / "deploy.py", script)
    env = dict(os.environ)
    import registry_tool

    installed = Path(registry_tool.__file__).resolve().parent
    if installed.parent == ROOT:  # an editable install or a checkout on the path: point mypy at the sources
        env["MYPYPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--follow-imports=silent",
                           str(script)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_type_check_catches_a_misuse(tmp_path):
    """The check above can fail: a wrong use of the API is an error."""
    script = tmp_path / "wrong.py"
    script.write_text("from registry_tool import open_registry\n\nuri: int = open_registry('.').at('HEAD').model('m').name\n")
    env = dict(os.environ)
    env["MYPYPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--follow-imports=silent",
                           str(script)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "wrong.py:3" in done.stdout
