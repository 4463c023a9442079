"""What the editing commands refuse in their arguments before touching anything: text that
is not UTF-8 (a byte from the shell, a JSON escape naming a lone surrogate), and a JSON
value nested deeper than a model file may be. Each is one line naming the option, exit 2,
nothing written."""

from __future__ import annotations

import pytest
from builders import model, version
from edit_helpers import fingerprint

PATH = "models/faq-bot.yaml"
BAD = "a\udcffb"  # what Python makes of the bytes a\xffb in an argument


@pytest.fixture
def reg(repo):
    repo.write(PATH, model("faq-bot", version("1.0.0", "production"), version("1.1.0", "staging")))
    repo.commit("a registry")
    return repo


@pytest.mark.parametrize(("args", "named"), [
    (["set", "faq-bot", "--owner", BAD, "--dry-run"], "--owner"),
    (["set", "faq-bot", "--tag", BAD], "--tag"),
    (["set", "faq-bot", "1.1.0", "--untag", BAD], "--untag"),
    (["set", "faq-bot", "--metadata", f"{BAD}=1"], "--metadata"),
    (["alias", "faq-bot", BAD, "1.0.0", "--dry-run"], "ALIAS"),
    (["metrics", "faq-bot", "1.1.0", f"{BAD}=1"], "NAME=VALUE"),
    (["bind", "faq-bot", "1.1.0", "--provider", "openai", "--provider-model-id", BAD], "--provider-model-id"),
    (["register", "faq-bot", "1.2.0", "--artifact-uri", "s3://b/x", "--description", BAD], "--description"),
    (["register", "faq-bot", BAD, "--artifact-uri", "s3://b/x"], "VERSION"),
    (["promote", "faq-bot", "1.1.0", "--to", "production", "--branch", BAD], "--branch"),
    (["promote", "faq-bot", "1.1.0", "--to", "production", "--commit", "-m", BAD], "--message"),
])
def test_a_byte_that_is_not_utf8_is_refused_naming_the_option(reg, cli, args, named):
    before = fingerprint(reg.path)
    run = cli(reg.path, *args)
    shown = f"{BAD}=1" if "=1" in " ".join(args) else BAD
    assert (run.code, run.err) == (2, f"registry-tool: error: {named} '{shown.replace(chr(0xDCFF), chr(92) + 'xff')}' "
                                      "holds a byte that is not UTF-8; give UTF-8 text\n")
    assert fingerprint(reg.path) == before


def test_the_bytes_from_a_real_shell_are_refused_the_same(reg, run_process):
    before = fingerprint(reg.path)
    done = run_process(reg.path, "set", "faq-bot", "--owner", BAD, "--commit")
    assert (done.code, done.err) == (2, "registry-tool: error: --owner 'a\\xffb' holds a byte that is not UTF-8; "
                                        "give UTF-8 text\n")
    assert fingerprint(reg.path) == before


@pytest.mark.parametrize("value", ['"\\ud800"', '["ok", {"k": "\\udfff"}]', '{"\\ud800": 1}'])
def test_a_json_escape_naming_a_lone_surrogate_is_refused(reg, cli, value):
    before = fingerprint(reg.path)
    run = cli(reg.path, "register", "faq-bot", "1.2.0", "--artifact-uri", "s3://b/m2", "--metadata", f"k={value}")
    assert run.code == 2
    assert run.err.startswith("registry-tool: error: --metadata k '\\ud")
    assert run.err.endswith("' holds a lone surrogate, which names no character; give UTF-8 text\n")
    assert fingerprint(reg.path) == before


@pytest.mark.parametrize("depth", [65, 2_000, 60_000])
def test_a_json_value_nested_too_deep_is_refused(reg, cli, depth):
    before = fingerprint(reg.path)
    run = cli(reg.path, "set", "faq-bot", "1.1.0", "--metadata", "k=" + "[" * depth + "]" * depth)
    assert (run.code, run.err) == (2, "registry-tool: error: --metadata k: the value is nested deeper than 64 levels\n")
    run = cli(reg.path, "bind", "faq-bot", "1.1.0", "--provider", "openai", "--provider-model-id", "ft:1",
              "--config", "c=" + '{"a":' * depth + "1" + "}" * depth)
    assert (run.code, run.err) == (2, "registry-tool: error: --config c: the value is nested deeper than 64 levels\n")
    assert fingerprint(reg.path) == before


def test_utf8_text_and_shallow_json_still_go_through(reg, cli):
    run = cli(reg.path, "set", "faq-bot", "1.1.0", "--description", "Kanarienvogel ✓", "--metadata", 'k=["é", {"n": 1}]')
    assert run.code == 0
    assert "description: Kanarienvogel ✓\n" in reg.path.joinpath(PATH).read_text()
