"""registry-tool verify: a downloaded file against the registered sha256 and size."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest
from builders import model as model_file
from builders import version
from conftest import REPO_ROOT

BYTES = b"onnx bytes\n" * 1000


def model(sha: str | None, size: int | None, *, staged_sha: str | None = None, aliases: dict | None = None) -> str:
    """faq-bot: 1.0.0 in production (``sha``, ``size``), 1.1.0 staged (``staged_sha``, no size)."""
    return model_file("faq-bot", version("1.0.0", "production", uri="s3://b/faq-bot/1.0.0/model.onnx", sha256=sha,
                                         size_bytes=size),
                      version("1.1.0", "staging", uri="s3://b/faq-bot/1.1.0/model.onnx", sha256=staged_sha),
                      extra={"aliases": aliases} if aliases else None)


@pytest.fixture
def download(tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(BYTES)
    return path


@pytest.fixture
def reg(repo):
    repo.write("models/faq-bot.yaml", model(hashlib.sha256(BYTES).hexdigest(), len(BYTES)))
    repo.commit("faq-bot")
    return repo


def test_a_matching_file_is_exit_0(cli, reg, download):
    sha = hashlib.sha256(BYTES).hexdigest()
    for how in (["1.0.0"], ["--stage", "production"]):
        run = cli(reg.path, "verify", "faq-bot", *how, "--file", str(download))
        assert (run.code, run.err) == (0, "")
        assert run.out == f"ok: {download} is faq-bot 1.0.0 (sha256 {sha}, {len(BYTES)} bytes)\n"


def test_a_different_file_is_exit_1_and_names_the_fact(cli, reg, download):
    download.write_bytes(BYTES + b"x")
    run = cli(reg.path, "verify", "faq-bot", "1.0.0", "--file", str(download))
    assert run.code == 1
    assert run.out == (f"mismatch: {download} is not faq-bot 1.0.0: sha256 is {hashlib.sha256(BYTES + b'x').hexdigest()}, "
                       f"registered {hashlib.sha256(BYTES).hexdigest()}; size_bytes is {len(BYTES) + 1}, registered {len(BYTES)}\n")


def test_a_wrong_registered_size_alone_is_a_mismatch(cli, repo, download):
    repo.write("models/faq-bot.yaml", model(hashlib.sha256(BYTES).hexdigest(), len(BYTES) - 1))
    repo.commit("a size registered wrong")
    run = cli(repo.path, "verify", "faq-bot", "1.0.0", "--file", str(download), "--format", "json")
    assert run.code == 1
    data = json.loads(run.out)
    assert data["ok"] is False
    assert data["facts"] == {
        "sha256": {"registered": hashlib.sha256(BYTES).hexdigest(), "actual": hashlib.sha256(BYTES).hexdigest(), "ok": True},
        "size_bytes": {"registered": len(BYTES) - 1, "actual": len(BYTES), "ok": False},
    }
    assert (data["model"], data["version"], data["uri"]) == ("faq-bot", "1.0.0", "s3://b/faq-bot/1.0.0/model.onnx")


def test_without_a_registered_size_the_sha256_decides(cli, repo, download):
    repo.write("models/faq-bot.yaml", model(hashlib.sha256(BYTES).hexdigest(), None))
    repo.commit("no size")
    run = cli(repo.path, "verify", "faq-bot", "1.0.0", "--file", str(download), "--format", "json")
    assert run.code == 0 and list(json.loads(run.out)["facts"]) == ["sha256"]


def test_no_registered_sha256_is_exit_2(cli, reg, download):
    run = cli(reg.path, "verify", "faq-bot", "--stage", "staging", "--file", str(download))
    assert (run.code, run.out) == (2, "")
    assert run.err == (f"registry-tool: error: faq-bot 1.1.0 registers no artifact.sha256: there is nothing to verify "
                       f"{download} against (register it with registry-tool set ... --sha256, or --file)\n")


@pytest.mark.parametrize(("args", "message"), [
    (["faq-bot", "--file", "F"], "give exactly one of VERSION, --stage or --alias"),
    (["faq-bot", "1.0.0", "--stage", "production", "--file", "F"], "give exactly one of VERSION, --stage or --alias"),
    (["faq-bot", "9.9.9", "--file", "F"], "faq-bot has no version 9.9.9 at "),
    (["faq-bot", "--stage", "none", "--file", "F"], "faq-bot has no version in none at "),
    (["faq-bot", "1.0.0", "--file", "missing.onnx"], "missing.onnx: cannot read: No such file or directory"),
])
def test_usage_and_unreadable_input_are_exit_2(cli, reg, download, args, message):
    args = [str(download) if a == "F" else a for a in args]
    run = cli(reg.path, "verify", *args)
    assert (run.code, run.out) == (2, "")
    assert message in run.err and run.err.count("\n") == 1


def test_verify_at_a_revision(cli, reg, download):
    first = reg.git("rev-parse", "HEAD")
    reg.write("models/faq-bot.yaml", model("f" * 64, len(BYTES)))  # (a fact changed: validate would refuse this)
    reg.commit("another sha")
    assert cli(reg.path, "verify", "faq-bot", "1.0.0", "--file", str(download)).code == 1
    assert cli(reg.path, "verify", "faq-bot", "1.0.0", "--file", str(download), "--ref", first).code == 0
    assert cli(reg.path, "verify", "faq-bot", "1.0.0", "--file", str(download), "--at", "2024-11-01T12:00:00Z").code == 0


def test_verify_the_version_an_alias_names(cli, repo, download):
    repo.write("models/faq-bot.yaml", model(hashlib.sha256(BYTES).hexdigest(), len(BYTES), staged_sha="e" * 64,
                                            aliases={"champion": "1.0.0", "challenger": "1.1.0"}))
    repo.commit("aliases")
    assert cli(repo.path, "verify", "faq-bot", "--alias", "champion", "--file", str(download)).code == 0
    run = cli(repo.path, "verify", "faq-bot", "--alias", "challenger", "--file", str(download))
    assert run.code == 1 and run.out.startswith(f"mismatch: {download} is not faq-bot 1.1.0: sha256 is ")
    run = cli(repo.path, "verify", "faq-bot", "--alias", "nope", "--file", str(download))
    assert run.code == 2 and "faq-bot has no alias nope" in run.err


def test_verify_streams_the_file(tmp_path, repo):
    """A 256 MiB download is hashed in chunks: the process's peak memory stays far below the
    file's size (a verify that read the file whole would need all of it)."""
    big = tmp_path / "big.bin"
    with open(big, "wb") as handle:
        handle.truncate(256 * 1024 * 1024)  # sparse: zeros, nothing written to disk
    zeros = hashlib.sha256()
    chunk = bytes(1024 * 1024)
    for _ in range(256):
        zeros.update(chunk)
    repo.write("models/faq-bot.yaml", model(zeros.hexdigest(), 256 * 1024 * 1024))
    repo.commit("a big artifact")
    measure = ("import resource, subprocess, sys; "
               "code = subprocess.run([sys.executable, '-m', 'registry_tool', *sys.argv[1:]]).returncode; "
               "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", measure, "verify", "faq-bot", "1.0.0", "--file", str(big)],
                          cwd=repo.path, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, capture_output=True, text=True,
                          timeout=120, check=True)
    code, peak_kib = map(int, done.stdout.split()[-2:])
    assert code == 0, done.stderr
    assert peak_kib < 128 * 1024, f"peak RSS {peak_kib} KiB for a 256 MiB file"


@pytest.mark.parametrize("command", [
    ["verify", "faq-bot", "1.0.0"],
    ["register", "faq-bot", "1.2.0", "--artifact-uri", "s3://b/faq-bot/1.2.0/model.onnx", "--dry-run"],
    ["set", "faq-bot", "1.1.0", "--commit"],
])
@pytest.mark.parametrize(("special", "kind"), [("/dev/zero", "a character device"), ("fifo", "a FIFO")])
def test_a_file_that_is_not_a_regular_file_is_refused_at_once(reg, run_process, tmp_path, command, special, kind):
    """A device never ends and a FIFO blocks until written to: either used to hang the
    command (the timeout turns such a hang into a failure)."""
    if special == "fifo":
        special = str(tmp_path / "fifo")
        os.mkfifo(special)
    head = reg.git("rev-parse", "HEAD")
    done = run_process(reg.path, *command, "--file", special, timeout=30)
    assert (done.code, done.out) == (2, "")
    assert done.err == f"registry-tool: error: {special}: not a regular file ({kind}); give the artifact file itself\n"
    assert reg.git("rev-parse", "HEAD") == head and reg.git("status", "--porcelain") == ""


def test_verify_reads_no_further_than_one_byte_past_the_registered_size(reg, run_process, tmp_path):
    """A 64 GiB file against a 11,000-byte registered size: a mismatch at once, not an hour of hashing."""
    huge = tmp_path / "huge.bin"
    with open(huge, "wb") as handle:
        handle.write(BYTES)
        handle.truncate(64 * 1024**3)  # sparse: nothing more written to disk
    done = run_process(reg.path, "verify", "faq-bot", "1.0.0", "--file", str(huge), timeout=30)
    assert (done.code, done.err) == (1, "")
    assert done.out == (f"mismatch: {huge} is not faq-bot 1.0.0: it holds more than the registered size_bytes "
                        f"{len(BYTES)} (read no further)\n")
    done = run_process(reg.path, "verify", "faq-bot", "1.0.0", "--file", str(huge), "--format", "json", timeout=30)
    assert done.code == 1
    assert json.loads(done.out)["facts"] == {
        "sha256": {"registered": hashlib.sha256(BYTES).hexdigest(), "actual": None, "ok": False},
        "size_bytes": {"registered": len(BYTES), "actual": len(BYTES) + 1, "ok": False},
    }
