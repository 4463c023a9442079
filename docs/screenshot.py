#!/usr/bin/env python3
"""Regenerate the README's screenshots of the catalog site: the example registry of this
repository (``models/``, at HEAD) built with ``registry-tool site`` and photographed by
Debian's headless Chromium through Playwright (as tests/test_site_browser.py drives it).

    python docs/screenshot.py            # writes docs/site-index.png and docs/site-model.png

Needs ``apt-get install chromium`` and ``pip install playwright`` (the test extras).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
MODEL = "support-llm"  # the example with suite metrics, provider bindings and four stages
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def main() -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or sys.exit("chromium is not installed: apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        subprocess.run([sys.executable, "-m", "registry_tool", "site", "--out", str(site), "--ref", "HEAD"], cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(Path(tmp) / "profile"), executable_path=chromium, headless=True, args=FLAGS,
                viewport={"width": 1100, "height": 700})
            page = context.new_page()
            page.goto((site / "index.html").as_uri())
            page.screenshot(path=str(DOCS / "site-index.png"), full_page=True)
            page.goto((site / "models" / f"{MODEL}.html").as_uri())
            # the page down to the version details: header, versions, stage timeline, metric charts
            bottom = page.evaluate("document.getElementById('details').getBoundingClientRect().top + window.scrollY")
            page.screenshot(path=str(DOCS / "site-model.png"), full_page=True,
                            clip={"x": 0, "y": 0, "width": 1100, "height": int(bottom) - 8})
            context.close()
    for name in ("site-index.png", "site-model.png"):
        print(f"wrote docs/{name} ({(DOCS / name).stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
