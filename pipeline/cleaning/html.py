"""A saved web page to main text and metadata with trafilatura; HTML fragments in records to lines."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from typing import Any

# Block-level tags end a line; everything else (inline tags) is dropped without a space, as a browser
# renders it. Raw whitespace inside HTML is one space.
_DROP = re.compile(r"<(script|style|noscript)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_BLOCK = re.compile(
    r"<\s*/?\s*(?:br|p|div|li|ul|ol|h[1-6]|tr|table|blockquote|hr|section|article|header|footer|figure|figcaption)"
    r"\b[^>]{0,2000}>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^<>]{0,2000}>")
_SPACE = re.compile(r"\s+")
_LOOKS_HTML = re.compile(r"<\s*(?:p|br|div|li|span|a\s|img|h[1-6]|strong|table)\b[^>]{0,2000}>", re.IGNORECASE)
SHORT_EXTRACT = 1000  # characters: an extraction shorter than this is checked against the default mode
_ENTITY = re.compile(r"&(?:#\d{2,7}|#x[0-9a-fA-F]{2,6}|[a-zA-Z]{2,8});")


@dataclass(frozen=True, slots=True)
class Extracted:
    """What trafilatura found in a page: main text (one paragraph a line) and metadata."""

    text: str
    title: str | None
    date: str | None
    sitename: str | None
    url: str | None
    author: str | None = None


def looks_like_html(text: str) -> bool:
    """Whether a record's text field is HTML markup (feed items, scraped fragments)."""
    return len(_LOOKS_HTML.findall(text[:20000])) >= 2


def decode_entities(text: str) -> str:
    """Character references (`&#27598;`, `&nbsp;`, `&amp;`) decoded, when the text carries any."""
    return html_lib.unescape(text) if _ENTITY.search(text) else text


def fragment_text(markup: str) -> str:
    """The visible text of an HTML fragment, one block a line (no extraction: everything is kept)."""
    text = _SPACE.sub(" ", _DROP.sub(" ", markup))
    text = _BLOCK.sub("\n", text)
    return html_lib.unescape(_TAG.sub("", text))


def _page_date(page: str, url: str | None) -> str | None:
    """The date htmldate finds with a page-wide search, kept only for a whole page (a fragment's dates are its
    links') and only when it is a day, not a year (htmldate reads a bare year as 1 January)."""
    if not re.search(r"<head\b", page[:200000], re.IGNORECASE):
        return None
    from htmldate import find_date

    try:
        found = find_date(page, url=url, extensive_search=True, original_date=True)
    except (ValueError, TypeError):
        return None
    return found if found and not found.endswith("-01-01") else None


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Main text and metadata of an HTML page; empty text when trafilatura finds no main content."""
    from trafilatura import bare_extraction  # heavy import, only for HTML inputs

    # favor_precision: menus and teasers out; comments never belong to the article. Dates from the page's
    # markup (meta, JSON-LD, time elements) first; a page-wide search only when these have none.
    def extract(precision: bool, metadata: bool = True) -> dict[str, Any]:
        doc = bare_extraction(
            html, url=url, with_metadata=metadata, include_comments=False, include_tables=True,
            favor_precision=precision, deduplicate=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
        if doc is None:
            return {}
        return doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)

    data = extract(True)
    # Precision mode sometimes keeps only a small block (a lead, a box) of a long article: when its text is
    # short, the default mode is asked too, and its text taken when it is at least twice as long.
    if len(data.get("text") or "") < SHORT_EXTRACT:
        # Only the text is taken from the wider pass when the first found something: its metadata (a third of
        # its time) is not extracted then. trafilatura reads metadata without changing the tree it extracts from.
        wider = extract(False, metadata=not data)
        if len(wider.get("text") or "") >= 2 * max(1, len(data.get("text") or "")):
            data = {**data, "text": wider["text"]} if data else wider
    if not data:
        return Extracted("", None, None, None, url)

    def text_of(key: str) -> str | None:
        value = data.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else None

    return Extracted(text=text_of("text") or "", title=text_of("title"),
                     date=text_of("date") or _page_date(html, url),
                     sitename=text_of("sitename"), url=text_of("url") or url, author=text_of("author"))


def fallback_text(html: str) -> str:
    """All visible text of a page, for when extraction finds no main content (a teaser, an odd layout)."""
    from trafilatura import html2txt

    return html2txt(html) or ""
