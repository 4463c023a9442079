"""How the command line ends its process: without the interpreter's teardown, but with
everything a user sees of an ending (output flushed, exit code, exit handlers, threads)."""

from __future__ import annotations

import os
import subprocess
import sys

from builders import model, version
from conftest import REPO_ROOT


def _python(code: str) -> subprocess.CompletedProcess[str]:
    """Runs ``code`` with buffered output, as a user's shell gives it."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": ""})


_TEARDOWN = """
import atexit, sys, threading, time
from registry_tool.cli import leave

class Noisy:
    def __del__(self):
        sys.stdout.write("torn down\\n")

noisy = Noisy()
atexit.register(lambda: print("handler ran"))
print("answer", end="")  # left in the buffer
"""


def test_leaving_skips_teardown_but_flushes_and_runs_exit_handlers():
    done = _python(_TEARDOWN + "leave(SystemExit(3))")
    assert (done.returncode, done.stdout) == (3, "answerhandler ran\n")
    normal = _python(_TEARDOWN + "raise SystemExit(3)")  # what the interpreter's own ending does
    assert (normal.returncode, normal.stdout) == (3, "answerhandler ran\ntorn down\n")


def test_a_running_thread_or_a_message_takes_the_normal_way_out():
    thread = _python(_TEARDOWN + "threading.Thread(target=lambda: (time.sleep(0.3), print('thread done'))).start()\n"
                                 "leave(SystemExit(0))")
    assert (thread.returncode, thread.stdout) == (0, "answerthread done\nhandler ran\ntorn down\n")
    message = _python(_TEARDOWN + "leave(SystemExit('gone'))")
    assert (message.returncode, message.stderr) == (1, "gone\n")


def test_the_command_line_output_is_whole_on_a_pipe(repo, cli, run_process):
    """The real process's output on a pipe, a line and more than a pipe holds, arrives
    whole, with the same exit codes as in-process."""
    repo.write("models/faq-bot.yaml", model("faq-bot", version("1.0.0", "production")))
    for i in range(700):
        repo.write(f"models/bad-{i:03d}.yaml", model(f"bad-{i:03d}", version("1.0.0", "prod")))
    repo.commit("models")
    for args in (["get", "faq-bot", "--stage", "production", "--field", "artifact.uri"],
                 ["validate", "--format", "json"], ["get", "no-such-model", "--stage", "production"]):
        real, inside = run_process(repo.path, *args, env={"PYTHONUNBUFFERED": ""}), cli(repo.path, *args)  # buffered
        assert (real.code, real.out, real.err) == (inside.code, inside.out, inside.err)
    assert real.code == 2 and "no-such-model" in real.err
    assert len(run_process(repo.path, "validate", "--format", "json").out) > 128 * 1024


def test_output_to_a_full_disk_is_a_one_line_error(repo):
    """Whether the failed write shows during the command or only when the last output is
    flushed (it depends on the locale's stream setup), one error line, exit 2: never
    Python's "Exception ignored" and its exit 120."""
    repo.write("models/faq-bot.yaml", model("faq-bot", version("1.0.0", "production")))
    repo.commit("faq-bot")
    # buffered output, as a user's shell gives it (PYTHONUNBUFFERED would hide the case)
    plain = {k: v for k, v in os.environ.items() if not k.startswith(("LANG", "LC_", "PYTHONUNBUFFERED"))}
    for env in ({**plain, "LANG": "C.UTF-8"}, {**plain, "LANG": "C"}, {**plain, "LC_ALL": "C"}):
        for args in (["--version"], ["get", "faq-bot", "--stage", "production", "--field", "artifact.uri"],
                     ["show", "faq-bot"]):
            with open("/dev/full", "w") as full:
                done = subprocess.run([sys.executable, "-m", "registry_tool", *args], cwd=repo.path, stdout=full,
                                      stderr=subprocess.PIPE, text=True, env={**env, "PYTHONPATH": str(REPO_ROOT)})
            assert done.returncode == 2, (args, env.get("LANG"), done.stderr)
            assert done.stderr.startswith("registry-tool: error: ") and done.stderr.count("\n") == 1, done.stderr


def test_an_error_is_one_line_whatever_a_value_brings(repo, run_process, tmp_path):
    # a line break could forge a second line; a terminal escape, stripped by click on a
    # pipe, made "has no version 1" name a version that exists
    repo.write("models/faq-bot.yaml", model("faq-bot", version("1", "production")))
    repo.commit("faq-bot")
    run = run_process(repo.path, "get", "faq-bot", "--version", "9\nregistry-tool: ok: all good")
    assert run.code == 1 and run.err.count("\n") == 1
    assert run.err.startswith("registry-tool: error: faq-bot has no version 9\\nregistry-tool: ok: all good at ")
    run = run_process(repo.path, "get", "faq-bot", "--version", "1\x1b[31m")
    assert run.err.startswith("registry-tool: error: faq-bot has no version 1\\x1b[31m at ")
    run = run_process(repo.path, "verify", "faq-bot", "1", "--file", str(tmp_path / "x\u202ey"))
    assert run.code == 2 and "x\\u202ey" in run.err and "\u202e" not in run.err
