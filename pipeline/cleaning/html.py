"""A saved web page to main text and metadata with trafilatura."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Extracted:
    """What trafilatura found in a page: main text (one paragraph a line) and metadata."""

    text: str
    title: str | None
    date: str | None
    sitename: str | None
    url: str | None


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Main text and metadata of an HTML page; empty text when trafilatura finds no main content."""
    from trafilatura import bare_extraction  # heavy import, only for HTML inputs

    # favor_precision: menus and teasers out; comments never belong to the article.
    doc = bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True,
        favor_precision=True, deduplicate=False,
    )
    if doc is None:
        return Extracted("", None, None, None, url)
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)

    def text_of(key: str) -> str | None:
        value = data.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else None

    return Extracted(text=text_of("text") or "", title=text_of("title"), date=text_of("date"),
                     sitename=text_of("sitename"), url=text_of("url") or url)
