"""The report in a real headless Chromium: index and an article page render, highlights and links are visible."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pipeline.report import build_report
from tests.output_fixture import write_fixture_output

CHROMIUM = next((p for p in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium"),
                             shutil.which("chromium-browser")) if p and Path(p).is_file()), None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None and not os.environ.get("PIPELINE_REQUIRE_BROWSER"),
        reason="no Chromium binary (install it with `apt-get install -y chromium`)",
    ),
]


@pytest.fixture()
def browser():  # noqa: ANN201 (a playwright Browser)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_report_renders_in_chromium(browser, tmp_path: Path) -> None:  # noqa: ANN001
    report = build_report(write_fixture_output(tmp_path / "out"))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []
    page.on("requestfailed", lambda r: blocked.append(r.url))
    page.goto((report / "index.html").as_uri())
    assert page.title() == "News corpus report"
    assert page.locator("table.articles tbody tr").count() == 7
    assert page.locator(".summary .card").first.is_visible()
    assert page.locator("link[rel=stylesheet]").count() == 2
    # The stylesheet loaded from the file system: cards get a border.
    assert page.locator(".card").first.evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
    page.screenshot(path=str(tmp_path / "index.png"), full_page=True)

    page.locator("a", has_text="id/alibaba.txt").click()
    page.wait_for_load_state()
    assert page.url.endswith("/articles/a1b2c3d4e5f60001.html")
    rows = page.locator("table.aligned tbody tr")
    assert rows.count() == 4 and rows.first.is_visible()
    mark = page.locator('mark[data-label="PERSON"]').first
    assert mark.is_visible() and mark.inner_text().startswith("Jack Ma")
    colour = mark.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    link = page.locator('a.ent-label[href^="https://www.wikidata.org/wiki/Q"]').first
    assert link.is_visible()
    page.screenshot(path=str(tmp_path / "article.png"), full_page=True)

    page.locator("nav a", has_text="entities").click()
    page.wait_for_load_state()
    assert page.locator("table.entities tbody tr").count() > 5
    assert not blocked, blocked
    assert (tmp_path / "index.png").stat().st_size > 10_000 and (tmp_path / "article.png").stat().st_size > 10_000


def test_report_notebook_shows_its_plots_in_chromium(browser, tmp_path: Path) -> None:  # noqa: ANN001
    """`make report` exports the executed notebook beside the pages: its plots render, nothing is fetched."""
    notebook = Path(__file__).resolve().parent.parent / "notebooks" / "explore.ipynb"
    report = build_report(write_fixture_output(tmp_path / "out"), notebooks=[notebook])
    html = (report / "explore.html").read_text(encoding="utf-8")
    assert "<script" not in html and html.count('src="data:image/png;base64,') >= 6
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []
    page.on("requestfailed", lambda r: blocked.append(r.url))
    page.goto((report / "index.html").as_uri())
    page.locator("nav a", has_text="notebook: explore").click()
    page.wait_for_load_state()
    assert page.url.endswith("/explore.html")
    assert page.locator("h1", has_text="Exploring the news corpus").is_visible()
    images = page.locator(".jp-OutputArea-output img")
    assert images.count() == html.count('src="data:image/png;base64,')
    for i in range(images.count()):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        assert image.is_visible()
        # Decoded and drawn at a readable size (a broken image has naturalWidth 0).
        assert image.evaluate("e => e.complete && e.naturalWidth") > 300
    # The JupyterLab styles are inline: code cells get their background.
    background = page.locator(".jp-InputArea-editor").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.locator("table").count() > 5
    page.screenshot(path=str(tmp_path / "notebook.png"), full_page=True)
    assert not blocked, blocked
    assert (tmp_path / "notebook.png").stat().st_size > 100_000
