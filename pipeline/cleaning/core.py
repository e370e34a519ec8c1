"""One article's cleaning: lines, boilerplate out, metadata, glue repair, spinner flags."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pipeline.cleaning.glue import repair_glued, vocabulary
from pipeline.cleaning.html import decode_entities, extract_html, fallback_text, fragment_text, looks_like_html
from pipeline.cleaning.lines import Kind, classify, has_sentence_end, line_kind
from pipeline.cleaning.metadata import (
    breadcrumb_leaf,
    byline_date,
    credit_publisher,
    parse_date_line,
    parse_meta_date,
    roc_date,
    strip_site_suffix,
    weekday_date,
)
from pipeline.cleaning.normalize import NEWLINES, normalize_line, split_lines
from pipeline.cleaning.patterns import Patterns
from pipeline.cleaning.spinner import spinner_flags
from pipeline.script import CJK as _CJK

# Paragraph separator of `text`: one newline (documented in docs/cleaning.md).
PARAGRAPH_SEP = "\n"
HEAD_LINES = 6  # where a breadcrumb, title and dateline are looked for
VISIBLE_DATE_SLACK = 2  # days: a visible dateline this close to a metadata date wins (time zones)
SHORT_TEXT = 200  # characters: an article body shorter than this is flagged `short`
# A body that ends where a paywall or a login begins (flagged `paywalled`; the teaser is kept).
_PAYWALL = re.compile(
    r"(subscribe to (continue|read)|to continue reading|this (article|content) is (for|available to) "
    r"(subscribers|members)|already a subscriber|log ?in to (continue|read)|paywall|"
    r"berlangganan untuk|订阅后|訂閱後|付费阅读|付費閱讀|会员专享|會員專享|đăng nhập để đọc)",
    re.IGNORECASE,
)
# The end of a sentence inside a line: a word of 3+ lower-case letters and a full stop, or CJK terminal punctuation.
_INNER_SENTENCE_END = re.compile(r"[a-zà-ỹ]{3}[.!?]\s+\S|[。！？]\s*[^\s\"'”’」』)）]")
# A lead paragraph opens with its dateline ("KUALA LUMPUR:", "JAKARTA -"); a headline does not.
_LEAD_DATELINE = re.compile(r"^[A-Z][A-Z .'-]{2,30}(?:\s*\([^)]{1,30}\))?\s*[:,–—-]\s")
# Corpus header lines at the top of a text: `# key = value` (CoNLL-U and similar corpus dumps).
_HEADER = re.compile(r"^#\s*(?P<key>[A-Za-z][\w .-]{0,30}?)\s*=\s*(?P<value>.*)$")
HEADER_KEYS = {
    "title": "title", "headline": "title", "date": "published", "published": "published", "pubdate": "published",
    "url": "url", "link": "url", "author": "author", "byline": "author", "source": "publisher",
    "publisher": "publisher", "site": "publisher", "newspaper": "publisher",
}


@dataclass
class Cleaned:
    """The result of cleaning one article."""

    text: str
    title: str | None = None
    published: str | None = None
    publisher: str | None = None
    flags: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    url: str | None = None
    author: str | None = None


def _same(a: str, b: str) -> bool:
    return normalize_line(a).casefold() == normalize_line(b).casefold()


def _title_index(lines: list[str], patterns: Patterns, meta_title: str | None,
                 kinds: list[Kind] | None = None) -> int | None:
    """Which line is the title: the one a breadcrumb ends in, the one metadata names, or a first
    line that reads like a headline (short, no full stop, much shorter than the paragraphs after it)."""
    head = lines[:HEAD_LINES]
    kinds = kinds if kinds is not None else [line_kind(line, patterns) for line in head]
    for i, line in enumerate(head):
        leaf = breadcrumb_leaf(line) if kinds[i] != Kind.BODY else None
        if leaf:
            for j in range(i + 1, len(head)):
                if _same(head[j], leaf):
                    return j
    if meta_title:
        short = strip_site_suffix(meta_title)
        return next((i for i, line in enumerate(head) if _same(line, meta_title) or _same(line, short)), None)
    if len(lines) < 2 or kinds[0] not in (Kind.BODY, Kind.WEAK):
        return None
    first = lines[0]
    cjk = len(_CJK.findall(first))
    size = cjk / 2 + len(_CJK.sub(" ", first).split()) if cjk else len(first.split())
    rest = lines[1:]
    mean_rest = sum(len(line) for line in rest) / len(rest)
    stripped = first.rstrip("\"'”’」』)）")
    if size > 30 or parse_date_line(first) is not None or stripped.endswith(("!", "！", ":", "：", ";", "；", "。")):
        return None
    if _INNER_SENTENCE_END.search(stripped[:-1]):
        return None  # two sentences are not a headline
    if not has_sentence_end(first) or stripped.endswith(("?", "？")):
        # A headline: shorter than the paragraphs after it on average.
        return 0 if len(first) < mean_rest else None
    # A headline with a full stop (some corpora end every line with one): short, and much shorter than the rest.
    if _LEAD_DATELINE.match(first):
        return None  # a one-sentence lead paragraph
    return 0 if size <= 20 and len(first) * 1.5 <= mean_rest else None


def _days_apart(a: str, b: str) -> int:
    import datetime as dt

    return abs((dt.date.fromisoformat(a[:10]) - dt.date.fromisoformat(b[:10])).days)


def clean_lines(lines: list[str], patterns: Patterns, meta: dict[str, Any] | None = None,
                repair: bool = True, tails: set[int] | None = None, url: str | None = None) -> Cleaned:
    """Clean whitespace-unified lines of one article (text or HTML-extracted).

    `tails` are the indices of lines that end a block (before a run of blank lines): a byline there is
    removed like one at the end of the article."""
    meta = meta or {}
    kinds = [line_kind(line, patterns) for line in lines]
    title_at = _title_index(lines, patterns, meta.get("title"), kinds)
    anchors = frozenset({title_at} if title_at is not None else set())

    # Datelines and dated bylines in the head (or at the very end) are metadata, removed like boilerplate.
    forced: dict[int, Kind] = {}
    dateline: tuple[str, str | None] | None = None
    candidates = [*range(min(HEAD_LINES, len(lines))), *range(max(HEAD_LINES, len(lines) - 3), len(lines))]
    for i in candidates:
        if i in anchors:
            continue
        found = parse_date_line(lines[i])
        if not found and (day := byline_date(lines[i]) or (roc_date(lines[i]) if i >= len(lines) - 3 else None)):
            found = (day, None)
        if found:
            forced[i] = Kind.EDGE
            dateline = dateline or found

    classified = classify(lines, patterns, anchors, forced, tails, kinds)
    kept = [i for i in range(len(lines)) if i not in classified.removed]
    if not [i for i in kept if i not in anchors]:
        # Never empty an article: keep all but the unambiguous page chrome, else everything.
        kept = [i for i in range(len(lines)) if classified.removed.get(i) != Kind.ANYWHERE]
        if not [i for i in kept if i not in anchors]:
            kept = list(range(len(lines)))
    kept_set = set(kept)
    removed = [lines[i] for i in range(len(lines)) if i not in kept_set]

    title = meta.get("title") or (lines[title_at] if title_at is not None else None)
    if title_at is not None and meta.get("title"):
        title = lines[title_at]  # the headline as the text shows it (without a site suffix)
    body = [lines[i] for i in kept if i != title_at]
    out = [normalize_line(title), *body] if title else body

    # The date: metadata, unless the article's own visible dateline is a day or two off (a time zone).
    given = meta.get("published")
    published = parse_meta_date(given, url) if isinstance(given, str) else None
    visible = dateline[0] if dateline else None
    if published is None or (visible and 0 < _days_apart(published, visible) <= VISIBLE_DATE_SLACK):
        published = visible or published
    if published is None:
        published = weekday_date(body[:3], patterns)

    publisher = meta.get("publisher") or (dateline[1] if dateline else None)
    if publisher is None:
        publisher = next((p for line in removed if (p := credit_publisher(line, patterns))), None)

    flags = ["boilerplate-removed"] if removed else []
    if repair:
        vocab = vocabulary(PARAGRAPH_SEP.join(out))
        repaired = [repair_glued(line, patterns.protected, vocab) for line in out]
        if any(n for _, n in repaired):
            flags.append("glued-words-repaired")
            out = [line for line, _ in repaired]
            if title:
                title = out[0]
    flags += spinner_flags(out)
    body_chars = sum(len(line) for line in body)
    if body_chars < SHORT_TEXT:
        flags.append("short")
    if any(_PAYWALL.search(line) for line in [*body[-3:], *removed[-5:]] if len(line) <= 300):
        flags.append("paywalled")
    author = meta.get("author")
    return Cleaned(PARAGRAPH_SEP.join(out), normalize_line(title) if title else None, published, publisher,
                   sorted(flags), removed, url, normalize_line(author) if author else None)


def corpus_headers(text: str) -> tuple[str, dict[str, str]]:
    """The text without its leading `# key = value` header lines, and the metadata they give."""
    meta: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = _HEADER.match(lines[i].strip())
        if m is None and lines[i].strip():
            break
        if m is not None:
            key = HEADER_KEYS.get(m["key"].strip().lower().replace(" ", "_").replace("-", "_"))
            if key and m["value"].strip() and key not in meta:
                meta[key] = m["value"].strip()
        i += 1
    return ("\n".join(lines[i:]), meta) if i else (text, meta)


def block_tails(text: str) -> tuple[list[str], set[int]]:
    """The whitespace-unified lines of a text and the indices of lines followed by 2+ blank lines."""
    lines: list[str] = []
    tails: set[int] = set()
    blank = 0
    for raw in NEWLINES.sub("\n", text).split("\n"):
        line = normalize_line(raw)
        if not line:
            blank += 1
            continue
        if blank >= 2 and lines:
            tails.add(len(lines) - 1)
        blank = 0
        lines.append(line)
    if lines:
        tails.add(len(lines) - 1)
    return lines, tails


def clean_article(raw_text: str, input_format: str, meta: dict[str, Any], patterns: Patterns,
                  url: str | None = None, repair: bool = True) -> Cleaned:
    """Clean one decoded input: HTML goes through trafilatura first, then the same line rules; text and
    record inputs get their character references decoded and their corpus header lines read."""
    meta = dict(meta)
    tails: set[int] | None = None
    if input_format == "html":
        page = extract_html(raw_text, url)
        for key, value in (("title", page.title), ("published", page.date), ("publisher", page.sitename),
                           ("author", page.author)):
            if value and not meta.get(key):
                meta[key] = value
        url = url or page.url
        text = page.text or fallback_text(raw_text)
        lines = split_lines(text)
    else:
        text = fragment_text(raw_text) if input_format == "json" and looks_like_html(raw_text) else \
            decode_entities(raw_text)
        text, headers = corpus_headers(text)
        for key, value in headers.items():
            if key == "url":
                url = url or value
            elif not meta.get(key):
                meta[key] = value
        lines, tails = block_tails(text)
    return clean_lines(lines, patterns, meta, repair, tails, url)
