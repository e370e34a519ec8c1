"""The static report: a page per article, every mention highlighted, links that resolve, escaped text."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from pipeline.loader import read_jsonl
from pipeline.report import build_report, highlight, main
from tests.output_fixture import write_fixture_output

WIKIDATA_LINK = re.compile(r"https://www\.wikidata\.org/wiki/Q\d+")


class Page(HTMLParser):
    """Links, scripts, and the text inside each highlighted mention (label badges excluded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.scripts = 0
        self.marks: dict[str, dict[str, str]] = {}
        self.mark_text: Counter[str] = Counter()
        self.texts: dict[str, str] = {}
        self.stack: list[str | None] = []
        self.in_label = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "script":
            self.scripts += 1
        if tag in ("a", "link") and "href" in a:
            self.links.append(a["href"])
        if "ent-label" in a.get("class", "").split():
            self.in_label += 1
        if tag == "mark":
            self.stack.append(a.get("data-m"))
            if a.get("data-m"):
                self.marks[a["data-m"]] = a
                self.texts.setdefault(a["data-m"], "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self.stack.pop()
        elif tag in ("a", "span") and self.in_label:
            self.in_label -= 1

    def handle_data(self, data: str) -> None:
        if self.in_label:
            return
        for m in self.stack:
            if m:
                self.texts[m] += data


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def check_report(out: Path) -> tuple[Path, list[dict]]:
    report = build_report(out)
    records = read_jsonl(out / "articles.jsonl")
    mention_rows = read_jsonl(out / "mentions.jsonl")
    pages = sorted(report.glob("articles/*.html"))
    assert len(pages) == len(records)
    index = parse(report / "index.html")
    assert {h for h in index.links if h.startswith("articles/")} == {f"articles/{p.name}" for p in pages}
    by_id = {r["doc_id"]: r for r in records}
    for path in [report / "index.html", report / "entities.html", *pages]:
        page = parse(path)
        assert page.scripts == 0
        for href in page.links:
            if href.startswith("https://www.wikidata.org/"):
                assert WIKIDATA_LINK.fullmatch(href), href
                continue
            parts = urlsplit(href)
            assert not parts.scheme and not parts.netloc, f"{path.name}: external link {href}"
            assert (path.parent / unquote(parts.path)).is_file(), f"{path.name}: broken link {href}"
    for path in pages:
        record = by_id[path.stem]
        page = parse(path)
        expected = Counter((r["field"], r["start"], r["end"], r["label"]) for r in mention_rows
                           if r["doc_id"] == record["doc_id"])
        got = Counter((m["data-field"], int(m["data-start"]), int(m["data-end"]), m["data-label"])
                      for m in page.marks.values())
        assert got == expected, path.name
        for key, attrs in page.marks.items():
            base = record["text"] if attrs["data-field"] == "text" else record["translation"]["text"]
            assert page.texts[key] == base[int(attrs["data-start"]):int(attrs["data-end"])]
        # Wikidata links exist exactly for the real QIDs of this article.
        qids = {e["kb_id"] for e in record["entities"] if e["kb_id"] and re.fullmatch(r"Q\d+", e["kb_id"])}
        assert {h.rsplit("/", 1)[1] for h in page.links if h.startswith("https://")} == qids
    return report, records


def test_report_seed_output(seed_output: Path, tmp_path: Path) -> None:
    import shutil

    out = tmp_path / "out"
    shutil.copytree(seed_output, out)
    report, records = check_report(out)
    index = (report / "index.html").read_text(encoding="utf-8")
    for record in records:
        assert f">{record['source']}</a>" in index


def test_report_fixture_output(tmp_path: Path) -> None:
    out = write_fixture_output(tmp_path / "out")
    report, records = check_report(out)
    assert len(read_jsonl(out / "mentions.jsonl")) > 20
    page = (report / "articles" / "a1b2c3d4e5f60001.html").read_text(encoding="utf-8")
    # Sentence-aligned rows when the translation has one span per source sentence.
    src = next(r for r in records if r["doc_id"] == "a1b2c3d4e5f60001")
    assert page.count('<tr id="s') == len(src["sentences"]) == len(src["translation"]["sentences"])
    assert "&lt;bersaing&gt;" in page and "<bersaing>" not in page
    odd = (report / "articles" / "a1b2c3d4e5f60006.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in odd and "<script>" not in odd
    assert "No translation (no-model)" in odd
    dup = (report / "articles" / "a1b2c3d4e5f60005.html").read_text(encoding="utf-8")
    assert 'href="a1b2c3d4e5f60004.html"' in dup
    entities = (report / "entities.html").read_text(encoding="utf-8")
    assert "x:group-amazon" in entities and 'href="https://www.wikidata.org/wiki/x:' not in entities


def test_report_rebuild_drops_stale_pages(tmp_path: Path) -> None:
    out = write_fixture_output(tmp_path / "out")
    report = build_report(out)
    (report / "articles" / "stale.html").write_text("old", encoding="utf-8")
    lines = (out / "articles.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (out / "articles.jsonl").write_text("".join(lines[:2]), encoding="utf-8")
    report = build_report(out)
    assert len(list(report.glob("articles/*.html"))) == 2
    assert not list(report.parent.glob(".report*"))


def test_highlight_nested_and_crossing_spans() -> None:
    text = "Alibaba Cloud & Co"
    ms = [{"start": 0, "end": 13, "label": "PRODUCT", "name": "Alibaba Cloud", "kb_id": "Q2891398", "id": "a",
           "field": "text"},
          {"start": 0, "end": 7, "label": "ORG", "name": "Alibaba", "kb_id": "x:ali", "id": "b", "field": "text"},
          {"start": 8, "end": 18, "label": "MISC", "name": "Cloud & Co", "kb_id": None, "id": "c", "field": "text"}]
    html = highlight(text, ms)
    page = Page()
    page.feed(html)
    assert page.texts == {"a": "Alibaba Cloud", "b": "Alibaba", "c": "Cloud & Co"}
    assert html.count("ent-label") == 3 and "&amp;" in html
    assert page.links == ["https://www.wikidata.org/wiki/Q2891398"]


def test_report_missing_output(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        build_report(tmp_path)
    assert main(["--out", str(tmp_path)]) == 2
