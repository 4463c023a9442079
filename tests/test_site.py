"""``registry-tool site``: golden files for a small registry, byte-identical rebuilds,
everything from files and commits escaped, nothing from the network, and the command's
refusals (nothing written)."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from site_helpers import HOSTILE_DESCRIPTION, build_history

GOLDEN = Path(__file__).parent / "data" / "site"
REPO_URL = "https://github.com/acme/registry"
UPDATE = os.environ.get("REGISTRY_TOOL_UPDATE_GOLDEN") == "1"  # rewrite tests/data/site from this build


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def registry(repo):
    return repo, build_history(repo)


def build(cli, repo, out: Path, *args: str):
    run = cli(repo.path, "site", "--out", str(out), *args)
    assert run.code == 0, run.err
    return run


def test_the_site_of_a_small_registry_matches_the_golden_files(cli, registry, tmp_path):
    repo, _ = registry
    out = tmp_path / "site"
    run = build(cli, repo, out, "--repo-url", REPO_URL + "/")
    assert run.out == f"wrote 5 files to {out} (3 model pages, commit 7860948c81fe); open {out / 'index.html'}\n"
    built = files_of(out)
    assert sorted(built) == ["index.html", "models/faq-bot.html", "models/hostile.html", "models/ocr.html", "style.css"]
    if UPDATE:
        for name, data in built.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(data)
    assert built == files_of(GOLDEN)


def test_two_builds_of_one_commit_are_byte_identical(cli, registry, tmp_path):
    repo, commits = registry
    build(cli, repo, tmp_path / "a", "--ref", "main")
    repo.write("models/ocr.yaml", "not committed: the site reads the commit, never the work tree\n")
    build(cli, repo, tmp_path / "b", "--ref", commits["archive"])
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of every script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.text).append(data)


def parsed(text: str) -> Tags:
    found = Tags()
    found.feed(text)
    return found


def test_text_from_files_and_commits_stays_text(cli, registry, tmp_path):
    """A description with <script>, an owner with <b>, an artifact uri that closes a <code>,
    an author named <img onerror=...> (Git keeps it without the brackets): every page has only the tags we write, and shows
    those texts as text."""
    repo, _ = registry
    build(cli, repo, tmp_path / "site", "--repo-url", REPO_URL)
    ours = {"html", "head", "meta", "title", "link", "body", "header", "h1", "h2", "h3", "p", "main", "nav", "a", "div",
            "label", "input", "span", "table", "caption", "thead", "tbody", "tr", "th", "td", "br", "code", "dl", "dt",
            "dd", "section", "footer", "time", "strong", "figure", "figcaption", "svg", "desc", "line", "text",
            "polyline", "circle", "path", "g", "rect", "script"}
    for name, data in files_of(tmp_path / "site").items():
        if not name.endswith(".html"):
            continue
        page = parsed(data.decode())
        assert {tag for tag, _ in page.tags} <= ours, name
        assert [attr for _, attrs in page.tags for attr in attrs if attr.startswith("on")] == [], name
        assert len(page.scripts) == (1 if name == "index.html" else 0), name  # the filter box's, and only there
        text = "".join(page.text)
        if name in ("index.html", "models/hostile.html"):
            assert HOSTILE_DESCRIPTION in text and "<b>owner</b>" in text
        if name == "models/hostile.html":
            assert "s3://b/</code><script>alert(3)</script>" in text
            assert "by img src=x onerror=alert(4)" in text  # Git itself drops < and > from names
    hostile = (tmp_path / "site" / "models" / "hostile.html").read_text()
    assert "&lt;script&gt;document.title = &quot;pwned&quot;" in hostile


def links(root: Path) -> list[str]:
    return [value for name, data in files_of(root).items() if name.endswith(".html")
            for _, attrs in parsed(data.decode()).tags for key, value in attrs.items()
            if key in ("href", "src") and value is not None]


def test_nothing_comes_from_the_network(cli, registry, tmp_path):
    """Every reference is relative (works from file://) or, with --repo-url, a link to a
    commit or pull request on the host; nothing is loaded from anywhere."""
    repo, commits = registry
    build(cli, repo, tmp_path / "linked", "--repo-url", REPO_URL)
    found = links(tmp_path / "linked")
    remote = [link for link in found if "://" in link or link.startswith("//")]
    assert remote and all(re.fullmatch(rf"{re.escape(REPO_URL)}/(commit/[0-9a-f]{{40}}|pull/\d+)", link) for link in remote)
    assert f"{REPO_URL}/commit/{commits['pr15']}" in remote and f"{REPO_URL}/pull/12" in remote
    assert all(parsed(p.read_text()).tags for p in (tmp_path / "linked").rglob("*.html"))
    build(cli, repo, tmp_path / "plain")
    plain = links(tmp_path / "plain")
    assert [link for link in plain if ":" in link or link.startswith("//")] == []
    assert set(plain) == {"style.css", "../style.css", "../index.html", "models/faq-bot.html", "models/hostile.html",
                          "models/ocr.html"} | {f"#v{i}" for i in range(3)}
    faq = (tmp_path / "plain" / "models" / "faq-bot.html").read_text()
    assert f'<code class="sha">{commits["pr15"][:12]}</code>' in faq and ">#15<" in faq


def test_stage_is_said_in_words_and_charts_have_text_alternatives(cli, registry, tmp_path):
    repo, _ = registry
    build(cli, repo, tmp_path / "site")
    page = parsed((tmp_path / "site" / "models" / "faq-bot.html").read_text())
    svgs = [attrs for tag, attrs in page.tags if tag == "svg"]
    assert len(svgs) == 4 and all(a.get("role") == "img" and a.get("aria-labelledby") for a in svgs)
    text = "".join(page.text)
    assert "1.0.0: 0.9; 1.1.0: 0.93 (production); 1.2.0: 0.91" in text  # the accuracy chart's description
    assert "accuracy: 3 versions; production 1.1.0: 0.93 (the diamond)" in text
    segments = [a for tag, a in page.tags if tag == "g" and "data-stage" in a]
    assert {a["data-stage"] for a in segments} == {"none", "staging", "production", "archived"}
    heads = [(tag, a) for tag, a in page.tags if tag == "th"]
    assert heads and all(a.get("scope") in ("col", "row") for _, a in heads)


def test_an_earlier_site_is_rebuilt_in_place_and_stale_pages_go(cli, registry, tmp_path):
    repo, commits = registry
    out = tmp_path / "site"
    build(cli, repo, out)
    (out / "CNAME").write_text("models.example.com\n")
    build(cli, repo, out, "--ref", commits["pr12"])
    assert sorted(p.name for p in (out / "models").iterdir()) == ["faq-bot.html", "ocr.html"]
    assert (out / "CNAME").read_text() == "models.example.com\n"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "github.com/acme/registry", 'https://x/"><script>', "ftp://host/r"])
def test_a_repo_url_that_is_not_http_is_refused(cli, registry, tmp_path, url):
    repo, _ = registry
    run = cli(repo.path, "site", "--out", str(tmp_path / "site"), "--repo-url", url)
    assert run.code == 2 and "--repo-url" in run.err and "expected an http(s) URL" in run.err
    assert not (tmp_path / "site").exists()


def test_a_folder_that_holds_something_else_is_refused(cli, registry, tmp_path):
    repo, _ = registry
    out = tmp_path / "docs"
    out.mkdir()
    (out / "index.html").write_text("<!DOCTYPE html><title>my docs</title>")
    run = cli(repo.path, "site", "--out", str(out))
    assert run.code == 2 and "holds no site built by registry-tool" in run.err
    assert files_of(out) == {"index.html": b"<!DOCTYPE html><title>my docs</title>"}
    run = cli(repo.path, "site", "--out", str(out / "index.html"))
    assert run.code == 2 and "is a file" in run.err


def test_a_model_file_that_breaks_a_rule_writes_nothing(cli, registry, tmp_path):
    repo, _ = registry
    repo.write("models/ocr.yaml", "name: ocr\nversions: [}\n")
    repo.commit("break ocr")
    run = cli(repo.path, "site", "--out", str(tmp_path / "site"))
    assert run.code == 2 and "models/ocr.yaml" in run.err and "yaml-syntax" in run.err
    assert not (tmp_path / "site").exists()


def test_an_unknown_revision_is_a_usage_error(cli, registry, tmp_path):
    repo, _ = registry
    run = cli(repo.path, "site", "--out", str(tmp_path / "site"), "--ref", "no-such-branch")
    assert run.code == 2 and "no-such-branch" in run.err
    assert not (tmp_path / "site").exists()


def test_a_shallow_clone_says_where_its_history_stops(cli, registry, tmp_path):
    """The timelines start at the boundary: versions registered before it are drawn from a
    column 'before history', and every page says the history is cut there."""
    repo, commits = registry
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "2", f"file://{repo.path}", str(clone))
    build(cli, repo, tmp_path / "site")  # the full history, for comparison
    run = cli(clone, "site", "--out", str(tmp_path / "shallow"))
    assert run.code == 0, run.err
    faq = (tmp_path / "shallow" / "models" / "faq-bot.html").read_text()
    note = f"History before commit <code class=\"sha\">{commits['pr15'][:12]}</code>"
    assert note in faq and note in (tmp_path / "shallow" / "index.html").read_text()
    assert ">before</text>" in faq and ">history</text>" in faq  # the timeline's first column
    assert note not in (tmp_path / "site" / "models" / "faq-bot.html").read_text()


def test_a_rollback_is_said_in_the_timeline(cli, repo, tmp_path):
    """A version that enters production again, having been there before, is marked as the
    history marks it (issue 15's rollback)."""
    from builders import model, version

    repo.write("models/m.yaml", model("m", version("1", "production")))
    repo.commit("1 to production")
    repo.write("models/m.yaml", model("m", version("1", "staging"), version("2", "production")))
    repo.commit("2 to production")
    repo.write("models/m.yaml", model("m", version("1", "production"), version("2", "staging")))
    back = repo.commit("roll back to 1")
    build(cli, repo, tmp_path / "site")
    page = (tmp_path / "site" / "models" / "m.html").read_text()
    rows = [row for row in page.split("<tr>") if "(rollback" in row]
    assert len(rows) == 1 and f"{back[:12]}</code>" in rows[0] and '<td>1</td>' in rows[0]


@pytest.mark.parametrize("values", [("0.0", "5.0e-324"), ("1.7e+308", "-1.7e+308"), ("1.79e+308", "1.79e+308"),
                                    ("-1.79e+308", "-1.79e+308"), ("1.0e-320", "1.0e-320"), ("1.7e+308", "1.0")])
def test_metrics_at_the_ends_of_the_doubles_still_draw_a_chart(cli, repo, tmp_path, values):
    """Values a model file may hold (finite doubles: the largest, the smallest subnormal):
    the chart is drawn with finite coordinates, where the axis's arithmetic once overflowed
    to infinity or underflowed to zero (exit 3, nothing written)."""
    items = "".join(f'  - version: "{i}"\n    stage: none\n    artifact: {{uri: "s3://b/{i}"}}\n    metrics: {{a: {v}}}\n'
                    for i, v in enumerate(values, 1))
    repo.write("models/m.yaml", f"name: m\nversions:\n{items}")
    repo.commit("extreme metrics")
    build(cli, repo, tmp_path / "site")
    page = (tmp_path / "site" / "models" / "m.html").read_text()
    chart = page[page.index('<svg viewBox="0 0 360 190"'):]
    chart = chart[:chart.index("</svg>")]
    numbers = re.findall(r' (?:x|y|x1|x2|y1|y2|cx|cy)="([^"]*)"', chart) + re.findall(r' points="([^"]*)"', chart)
    assert numbers and all(re.fullmatch(r"-?\d+\.\d|\d+", n) for n in numbers if "," not in n), numbers
    assert all(re.fullmatch(r"-?\d+\.\d,-?\d+\.\d", p) for n in numbers if "," in n for p in n.split()), numbers
    assert page.count('class="pt') == len(values)


def test_links_in_an_earlier_site_are_never_written_or_removed_through(cli, registry, tmp_path):
    """An earlier site (the folder a Pages job rebuilds, perhaps committed) whose models
    folder is a symbolic link elsewhere is refused, nothing written: the build once wrote
    its pages there and removed every other .html it found. A link left at a temporary
    file's name is not followed: the file it points at keeps its bytes."""
    repo, _ = registry
    out = tmp_path / "site"
    build(cli, repo, out)
    before = files_of(out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "notes.html").write_text("my notes\n")
    (elsewhere / "secret").write_text("keep me\n")
    for page in (out / "models").iterdir():
        page.unlink()
    (out / "models").rmdir()
    (out / "models").symlink_to(elsewhere)
    run = cli(repo.path, "site", "--out", str(out))
    assert run.code == 2 and run.err == (f"registry-tool: error: --out {out}: models is a symbolic link, not a folder of "
                                         "the site's own; remove it, or give another folder\n")
    assert files_of(elsewhere) == {"notes.html": b"my notes\n", "secret": b"keep me\n"}
    assert (out / "index.html").read_bytes() == before["index.html"]
    (out / "models").unlink()
    (out / ".index.html.tmp").symlink_to(elsewhere / "secret")
    (out / "models").mkdir()
    (out / "models" / ".ocr.html.tmp").symlink_to(elsewhere / "notes.html")
    build(cli, repo, out)
    assert files_of(elsewhere) == {"notes.html": b"my notes\n", "secret": b"keep me\n"}
    assert {name: data for name, data in files_of(out).items() if not name.endswith(".tmp")} == before
    assert (out / ".index.html.tmp").is_symlink()  # left as it was


def test_a_folder_where_a_page_goes_is_refused_before_anything_is_written(cli, registry, tmp_path):
    repo, _ = registry
    out = tmp_path / "site"
    build(cli, repo, out)
    before = files_of(out)
    (out / "models" / "ocr.html").unlink()
    (out / "models" / "ocr.html").mkdir()
    (out / "models" / "ocr.html" / "mine.txt").write_text("mine\n")
    (out / "models" / "old.html").mkdir()  # a folder named like a stale page is not the build's to remove
    run = cli(repo.path, "site", "--out", str(out), "--ref", "HEAD~1")
    assert run.code == 2 and run.err == (f"registry-tool: error: --out {out}: models/ocr.html is a folder, where the "
                                         "site writes a page; remove it, or give another folder\n")
    after = files_of(out)
    assert after == {**{k: v for k, v in before.items() if k != "models/ocr.html"}, "models/ocr.html/mine.txt": b"mine\n"}
    assert sorted(p.name for p in (out / "models").iterdir()) == ["faq-bot.html", "hostile.html", "ocr.html", "old.html"]
    (out / "models" / "ocr.html" / "mine.txt").unlink()
    (out / "models" / "ocr.html").rmdir()
    build(cli, repo, out)
    assert (out / "models" / "old.html").is_dir()
