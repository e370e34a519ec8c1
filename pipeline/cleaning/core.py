"""One article's cleaning: lines, boilerplate out, metadata, glue repair, spinner flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.cleaning.glue import repair_glued, vocabulary
from pipeline.cleaning.html import extract_html
from pipeline.cleaning.lines import Kind, classify, has_sentence_end, line_kind
from pipeline.cleaning.metadata import (
    breadcrumb_leaf,
    credit_publisher,
    normalize_published,
    parse_date_line,
    weekday_date,
)
from pipeline.cleaning.normalize import normalize_line, split_lines
from pipeline.cleaning.patterns import Patterns
from pipeline.cleaning.spinner import spinner_flags
from pipeline.script import CJK as _CJK

# Paragraph separator of `text`: one newline (documented in docs/cleaning.md).
PARAGRAPH_SEP = "\n"
HEAD_LINES = 6  # where a breadcrumb, title and dateline are looked for


@dataclass
class Cleaned:
    """The result of cleaning one article."""

    text: str
    title: str | None = None
    published: str | None = None
    publisher: str | None = None
    flags: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _same(a: str, b: str) -> bool:
    return normalize_line(a).casefold() == normalize_line(b).casefold()


def _title_index(lines: list[str], patterns: Patterns, meta_title: str | None) -> int | None:
    """Which line is the title: the one a breadcrumb ends in, the one metadata names, or a first
    line that reads like a headline (short, no full stop, much shorter than the paragraphs after it)."""
    head = lines[:HEAD_LINES]
    for i, line in enumerate(head):
        leaf = breadcrumb_leaf(line) if line_kind(line, patterns) != Kind.BODY else None
        if leaf:
            for j in range(i + 1, len(head)):
                if _same(head[j], leaf):
                    return j
    if meta_title:
        return next((i for i, line in enumerate(head) if _same(line, meta_title)), None)
    if len(lines) < 2 or line_kind(lines[0], patterns) != Kind.BODY and line_kind(lines[0], patterns) != Kind.WEAK:
        return None
    first = lines[0]
    size = len(_CJK.findall(first)) * 2 + len(first.split()) if _CJK.search(first) else len(first.split())
    rest = lines[1:]
    mean_rest = sum(len(line) for line in rest) / len(rest)
    ends_like_sentence = has_sentence_end(first) and not first.rstrip("\"'”’」』)）").endswith(("?", "？"))
    if size <= 30 and not ends_like_sentence and len(first) * 2 <= mean_rest and parse_date_line(first) is None:
        return 0
    return None


def clean_lines(lines: list[str], patterns: Patterns, meta: dict[str, Any] | None = None,
                repair: bool = True) -> Cleaned:
    """Clean whitespace-unified lines of one article (text or HTML-extracted)."""
    meta = meta or {}
    title_at = _title_index(lines, patterns, meta.get("title"))
    anchors = frozenset({title_at} if title_at is not None else set())

    # Datelines in the head (or at the very end) are metadata, removed like boilerplate.
    forced: dict[int, Kind] = {}
    dateline: tuple[str, str | None] | None = None
    candidates = [*range(min(HEAD_LINES, len(lines))), *range(max(HEAD_LINES, len(lines) - 3), len(lines))]
    for i in candidates:
        if i in anchors:
            continue
        found = parse_date_line(lines[i])
        if found:
            forced[i] = Kind.EDGE
            dateline = dateline or found

    classified = classify(lines, patterns, anchors, forced)
    kept = [i for i in range(len(lines)) if i not in classified.removed]
    if not [i for i in kept if i not in anchors]:
        # Never empty an article: keep all but the unambiguous page chrome, else everything.
        kept = [i for i in range(len(lines)) if classified.removed.get(i) != Kind.ANYWHERE]
        if not [i for i in kept if i not in anchors]:
            kept = list(range(len(lines)))
    removed = [lines[i] for i in range(len(lines)) if i not in set(kept)]

    title = meta.get("title") or (lines[title_at] if title_at is not None else None)
    body = [lines[i] for i in kept if i != title_at]
    out = [normalize_line(title), *body] if title else body

    published = meta.get("published")
    published = normalize_published(published) if isinstance(published, str) else None
    if published is None and dateline:
        published = dateline[0]
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
    return Cleaned(PARAGRAPH_SEP.join(out), normalize_line(title) if title else None, published, publisher,
                   sorted(flags), removed)


def clean_article(raw_text: str, input_format: str, meta: dict[str, Any], patterns: Patterns,
                  url: str | None = None, repair: bool = True) -> Cleaned:
    """Clean one decoded input: HTML goes through trafilatura first, then the same line rules."""
    meta = dict(meta)
    if input_format == "html":
        page = extract_html(raw_text, url)
        for key, value in (("title", page.title), ("published", page.date), ("publisher", page.sitename)):
            if value and not meta.get(key):
                meta[key] = value
        raw_text = page.text
    return clean_lines(split_lines(raw_text), patterns, meta, repair)
