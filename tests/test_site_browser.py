"""The site in a real browser: Debian's Chromium, headless, driven by Playwright (its own
browser download is not used). The pages open from file:// with no console error and no
request leaving the machine, the filter box filters, each chart has one point per
version that reports the metric, text from files never runs as script, the pages read
at 200 % zoom without sideways scrolling, and they work without JavaScript.

Screenshots are kept in the test's temporary folder (pytest keeps its last three runs
under ``/tmp/pytest-of-$USER/``; on a shared machine pass ``--basetemp DIR`` to keep them
for sure); the test prints where (``pytest -s``).

Without ``chromium`` the tests are skipped, saying why, unless REGISTRY_TOOL_REQUIRE_CHROMIUM=1
(as ``.ci/run`` sets it): then they fail."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from site_helpers import build_history

from registry_tool.read.api import open_registry
from registry_tool.read.catalog import build_catalog

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

REQUIRED = os.environ.get("REGISTRY_TOOL_REQUIRE_CHROMIUM") == "1"
os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"  # Playwright's own browser is never fetched: Debian's is used

pytestmark = pytest.mark.skipif(CHROMIUM is None and not REQUIRED,
                                reason="Chromium is not installed: apt-get install -y chromium (.ci/run installs it when missing)")


class Browser:
    """One fresh Chromium profile; every page records console errors, page errors, dialogs
    and any request that is not a file:// URL (which is refused)."""

    def __init__(self, tmp_path: Path, **context: object) -> None:
        from playwright.sync_api import sync_playwright

        assert CHROMIUM is not None, "chromium is not installed (REGISTRY_TOOL_REQUIRE_CHROMIUM=1): apt-get install -y chromium"
        self.tmp_path = tmp_path
        self.errors: list[str] = []
        self.remote: list[str] = []
        self.dialogs: list[str] = []
        self._playwright = sync_playwright().start()
        self.context = self._playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS, **context)
        self.context.route("**/*", self._route)

    def _route(self, route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.remote.append(route.request.url)
            route.abort()

    def open(self, path: Path):
        page = self.context.new_page()
        page.on("console", lambda m: self.errors.append(f"{path.name}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"{path.name}: {e}"))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        return page

    def shot(self, page, name: str) -> Path:
        target = self.tmp_path / name
        page.screenshot(path=str(target), full_page=True)
        print(f"screenshot: {target}")
        assert target.stat().st_size > 10_000  # a page, not a blank
        return target

    def close(self) -> None:
        self.context.close()
        self._playwright.stop()


@pytest.fixture
def site(repo, cli, tmp_path):
    build_history(repo)
    out = tmp_path / "site"
    assert cli(repo.path, "site", "--out", str(out), "--repo-url", "https://github.com/acme/registry").code == 0
    return repo, out


@pytest.fixture
def browser(tmp_path):
    opened = Browser(tmp_path, viewport={"width": 1280, "height": 900})
    yield opened
    opened.close()


def visible_models(page) -> list[str]:
    return page.eval_on_selector_all("#models tbody tr:not([hidden]) th a", "links => links.map(a => a.textContent)")


def test_the_index_filters_as_you_type(site, browser):
    _, out = site
    page = browser.open(out / "index.html")
    assert page.is_visible("#filter")
    assert visible_models(page) == ["faq-bot", "hostile", "ocr"]
    assert page.text_content("#filter-count") == "3 of 3 models shown"
    page.fill("#filter", "OCR")
    assert visible_models(page) == ["ocr"]
    page.fill("#filter", "champion 1.1.0")  # every word must match: an alias and the version it names
    assert visible_models(page) == ["faq-bot"]
    page.fill("#filter", "hazel generation")
    assert visible_models(page) == ["faq-bot"]
    page.fill("#filter", "no-such-model")
    assert visible_models(page) == [] and page.text_content("#filter-count") == "0 of 3 models shown"
    page.fill("#filter", "")
    assert visible_models(page) == ["faq-bot", "hostile", "ocr"]
    browser.shot(page, "index.png")
    page.click("text=faq-bot")
    page.wait_for_load_state("load")
    assert page.url.endswith("/models/faq-bot.html") and page.text_content("h1") == "faq-bot"
    assert browser.errors == [] and browser.remote == [] and browser.dialogs == []


def test_each_chart_has_its_points_and_the_timeline_its_lanes(site, browser):
    repo, out = site
    catalog = build_catalog(open_registry(repo.path).at("HEAD"))
    for model_page in catalog.models:
        page = browser.open(out / "models" / f"{model_page.name}.html")
        assert page.title() == f"{model_page.name}: model registry"
        charts = page.query_selector_all("svg.metric")
        assert len(charts) == len(model_page.metrics)
        for chart, series in zip(charts, model_page.metrics, strict=True):
            assert chart.get_attribute("data-metric") == series.metric
            drawn = chart.eval_on_selector_all(".pt", "pts => pts.map(p => [p.dataset.version, p.dataset.value, "
                                                      "p.classList.contains('mark'), p.getBBox().width > 0])")
            assert [(v, m) for v, _, m, _ in drawn] == [(p.version, p.marked) for p in series.points]
            assert all(shown for *_, shown in drawn)
        lanes = page.eval_on_selector_all("svg.stage-timeline g.lane", "g => g.map(l => l.dataset.version)")
        assert lanes == [lane.version for lane in model_page.grid.lanes]
        if model_page.name == "faq-bot":
            browser.shot(page, "faq-bot.png")
    assert browser.errors == [] and browser.remote == [] and browser.dialogs == []


def test_text_from_files_never_runs(site, browser):
    _, out = site
    page = browser.open(out / "models" / "hostile.html")
    assert page.title() == "hostile: model registry"  # the description's script did not set it
    assert '<script>document.title = "pwned"' in page.text_content("header")
    assert page.query_selector_all("img") == []
    browser.shot(page, "hostile.png")
    index = browser.open(out / "index.html")
    assert "<b>owner</b>" in index.text_content("#models")
    assert browser.errors == [] and browser.dialogs == [] and browser.remote == []


def test_readable_at_200_percent_zoom(site, tmp_path):
    """A 1280 px window at 200 %: 640 CSS pixels at device scale 2. The page does not scroll
    sideways; wide tables and the timeline scroll inside their own box."""
    _, out = site
    zoomed = Browser(tmp_path / "zoom", viewport={"width": 640, "height": 900}, device_scale_factor=2)
    try:
        for name in ("index.html", "models/faq-bot.html", "models/ocr.html"):
            page = zoomed.open(out / name)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 200%"
            font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
            assert font >= 16
            if name == "index.html":  # one card per model; the filter still hides what it leaves out
                assert page.evaluate("getComputedStyle(document.querySelector('#models tbody tr')).display") == "block"
                page.fill("#filter", "ocr")
                shown = "Array.from(document.querySelectorAll('#models tbody tr')).filter(r => r.offsetHeight > 0).length"
                assert page.evaluate(shown) == 1
                zoomed.shot(page, "index-200pct.png")
        zoomed.shot(page, "ocr-200pct.png")
        assert zoomed.errors == [] and zoomed.remote == []
    finally:
        zoomed.close()


def test_the_pages_work_without_javascript(site, tmp_path):
    _, out = site
    plain = Browser(tmp_path / "nojs", viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    try:
        page = plain.open(out / "index.html")
        assert not page.is_visible("#filter-box")  # no dead control
        assert visible_models(page) == ["faq-bot", "hostile", "ocr"]
        page.click("text=ocr")
        page.wait_for_load_state("load")
        assert page.text_content("h1") == "ocr" and len(page.query_selector_all("svg.metric .pt")) == 2
        plain.shot(page, "ocr-no-js.png")
        assert plain.remote == []
    finally:
        plain.close()


def test_long_unbroken_text_from_files_wraps_instead_of_widening_the_page(repo, cli, tmp_path):
    """A description, owner, model name and values with no space to break at (a URL, a
    hash, a pasted blob): the page still does not scroll sideways, at 100 % and 200 %.
    The heading and the description once widened the whole page to their length."""
    from builders import model, version

    name = "n" * 100
    repo.write(f"models/{name}.yaml", model(
        name, version("1" * 60, "production", uri="s3://b/" + "u" * 1500, metrics={"m" * 100: 0.5},
                      tags=["t" * 100], metadata={"k": "v" * 3000}, description="d" * 3000),
        owner="o" * 200, description="D" * 3000, tags=["t" * 100]))
    repo.commit("long values")
    out = tmp_path / "site"
    assert cli(repo.path, "site", "--out", str(out)).code == 0
    for label, context in (("100", {"viewport": {"width": 1280, "height": 900}}),
                           ("200", {"viewport": {"width": 640, "height": 900}, "device_scale_factor": 2})):
        opened = Browser(tmp_path / label, **context)
        try:
            for page_name in ("index.html", f"models/{name}.html"):
                page = opened.open(out / page_name)
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, f"{page_name} scrolls sideways by {overflow}px at {label}%"
            opened.shot(page, f"long-{label}pct.png")
            assert opened.errors == [] and opened.remote == []
        finally:
            opened.close()
