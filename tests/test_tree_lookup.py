"""Names looked up in a Git tree by bisection (snapshots/tree_lookup.py) against the
plain answer, a listing of every entry: the same entries, in the same order, for trees
full of case variants, names that fold alike only after Unicode normalisation (ligatures,
the Kelvin sign, full-width letters, combining accents), folders and files of one name,
and names a hand-made tree lists twice."""

from __future__ import annotations

import pygit2
import pytest
from builders import model, version
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry_tool.core.names import fold
from registry_tool.snapshots import tree_lookup
from registry_tool.snapshots.git import GitStore

# letters in both cases, separators, and characters that fold onto ASCII or onto each other
ALPHABET = ["a", "b", "f", "i", "k", "s", "A", "B", "F", "I", "K", "S", "-", ".", "0", "1",
            "\ufb01",  # ﬁ: folds to "fi"
            "\u212a",  # Kelvin sign: folds to "k"
            "\u017f",  # long s: folds to "s"
            "\uff41",  # full-width a
            "\u0301",  # combining acute: composes with the letter before it
            "\u00e9",  # é, composed
            "\u0130",  # İ: folds to "i" + combining dot
            "\u00df"]  # ß: folds to "ss"
BLOB = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"  # the empty blob (never read here)


def _key(name: bytes, mode: str) -> bytes:
    return name + b"/" if mode == "40000" else name


def _tree(repo: pygit2.Repository, entries: list[tuple[str, str]]) -> pygit2.Tree:
    """A tree written byte by byte, sorted as Git sorts (duplicates kept side by side)."""
    encoded = sorted(((name.encode("utf-8"), mode) for name, mode in entries), key=lambda e: _key(*e))
    raw = b"".join(mode.encode() + b" " + name + b"\0" + bytes.fromhex(BLOB) for name, mode in encoded)
    tree = repo[repo.odb.write(pygit2.enums.ObjectType.TREE, raw)]
    assert isinstance(tree, pygit2.Tree)
    return tree


def _listed_namesakes(tree: pygit2.Tree, names: list[str]) -> list[tuple[str, int]]:
    wanted = {fold(n) for n in names}
    return [(item.name or "", item.filemode) for item in tree if fold(item.name or "") in wanted]


names = st.text(alphabet=ALPHABET, min_size=1, max_size=6).filter(lambda n: n not in (".", ".."))
entries = st.lists(st.tuples(names, st.sampled_from(["100644", "40000", "120000"])), min_size=1, max_size=40)


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> pygit2.Repository:
    return pygit2.init_repository(str(tmp_path_factory.mktemp("lookup")), bare=True)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=entries, data=st.data())
def test_namesakes_and_names_match_a_listing(bare: pygit2.Repository, entries: list[tuple[str, str]],
                                             data: st.DataObject) -> None:
    listed = [*entries, *data.draw(st.lists(st.sampled_from(entries), max_size=3))]  # some names listed twice
    tree = _tree(bare, listed)
    targets = data.draw(st.lists(st.one_of(st.sampled_from([n for n, _ in entries]), names), min_size=1, max_size=3))
    found = [(item.name or "", item.filemode) for item in tree_lookup.namesakes(tree, targets)]
    assert found == _listed_namesakes(tree, targets)
    for target in targets:
        assert [(i.name, i.filemode) for i in tree_lookup.named(tree, target)] == \
            [(i.name, i.filemode) for i in tree if i.name == target]


@pytest.mark.parametrize(("present", "target", "expected"), [
    (["faq-bot.yaml", "FAQ-Bot.yaml", "faq-bots.yaml"], "faq-bot.yaml", ["FAQ-Bot.yaml", "faq-bot.yaml"]),
    (["\ufb01ne.yaml", "fine.yaml", "fi.yaml"], "FINE.yaml", ["fine.yaml", "\ufb01ne.yaml"]),
    (["\u212aelvin.yaml", "kelvin2.yaml"], "kelvin.yaml", ["\u212aelvin.yaml"]),
    (["cafe\u0301.yaml", "caf\u00e9.yaml", "cafe.yaml"], "CAF\u00c9.yaml", ["cafe\u0301.yaml", "caf\u00e9.yaml"]),
    (["\uff41.yaml", "a.yaml", "b.yaml"], "A.yaml", ["a.yaml", "\uff41.yaml"]),
])
def test_namesakes_examples(bare: pygit2.Repository, present: list[str], target: str, expected: list[str]) -> None:
    tree = _tree(bare, [(n, "100644") for n in present])
    assert [i.name for i in tree_lookup.namesakes(tree, [target])] == expected


def test_a_registry_looks_one_name_up_without_listing(repo) -> None:
    """get, the editing commands and a pull request's check never list the models folder."""
    for name in ("a", "b", "c"):
        repo.write(f"models/{name}.yaml", model(name, version("1.0.0", "production")))
    first = repo.commit("three models")
    repo.write("models/B.yaml", model("b", version("1.0.0", "none")))
    second = repo.commit("a case collision")
    store = GitStore.discover(repo.path)
    head, base = store.snapshot(store.resolve(second)), store.snapshot(store.resolve(first))

    def refuse(models_dir: str) -> list:
        raise AssertionError("listed the models folder")

    head.entries = refuse  # type: ignore[method-assign]
    base.entries = refuse  # type: ignore[method-assign]
    assert [e.name for e in head.named("models", "b.yaml")] == ["b.yaml"]
    assert [e.name for e in head.namesakes("models", ["b.yaml"])] == ["B.yaml", "b.yaml"]
    from registry_tool.validation import engine

    report = engine.validate_change(base, head)
    assert [(v.file, v.rule) for v in report.violations] == [("models/B.yaml", "unexpected-file"),
                                                             ("models/b.yaml", "name-case-collision")]


@pytest.mark.parametrize("changed", [3, 25], ids=["looked up", "listed (many names)"])
def test_one_change_judged_alone_matches_the_range(repo, changed: int) -> None:
    """A change judged alone looks its few names up, or lists the folder once for many; a
    range carries its folded names: the same violations either way."""
    from registry_tool.validation import engine

    for n in range(30):
        repo.write(f"models/m{n:02d}.yaml", model(f"m{n:02d}", version("1.0.0", "none")))
    first = repo.commit("thirty models")
    for n in range(changed):
        repo.write(f"models/m{n:02d}.yaml", model(f"m{n:02d}", version("1.0.0", "staging")))
    repo.write("models/M00.yaml", model("m00", version("1.0.0", "none")))
    second = repo.commit("a change and a case collision")
    store = GitStore.discover(repo.path)
    alone = engine.validate_change(store.snapshot(store.resolve(first)), store.snapshot(store.resolve(second)))
    ranged = engine.validate_commits(store.range_steps(store.resolve(first), store.resolve(second)))
    def key(v: object) -> tuple:
        return (v.file, v.line, v.column, v.rule, v.message)  # type: ignore[attr-defined]

    assert [key(v) for v in alone.violations] == [key(v) for v in ranged.violations if v.commit == second]
    assert ("models/m00.yaml", "name-case-collision") in [(v.file, v.rule) for v in alone.violations]
