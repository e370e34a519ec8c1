"""Metadata an article states about itself: date lines, weekday datelines, credit lines, breadcrumbs."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from pipeline.cleaning.patterns import Patterns

# A line that is a date (optionally with a label before it, a time after it, and the source glued
# or appended after that). Seconds take exactly two digits, so "18:28:5936kr" is 18:28:59 + "36kr".
_YMD = re.compile(
    r"^(?P<label>[^\d]{0,20}?)\s*(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(?P<H>\d{1,2})[:：](?P<M>\d{2})(?:[:：](?P<S>\d{2}))?)?(?P<rest>.*)$"
)
_DMY = re.compile(
    r"^(?P<label>[^\d]{0,20}?)\s*(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>(?:19|20)\d{2})"
    r"(?:\s*[, ]\s*(?P<H>\d{1,2})[:：h](?P<M>\d{2})(?:[:：](?P<S>\d{2}))?)?(?P<rest>.*)$"
)
# Labels and separators around a date line that are not the publisher.
_SOURCE_LABEL = re.compile(
    r"^[\s|/·•,，:：()\[\]（）-]*"
    r"(?:(?:source|sumber|nguồn|来源|來源|出处|出處|发布者|發布者|by|oleh)\s*[:：]?)?\s*",
    re.I,
)
_TIMEZONE = re.compile(r"^\s*(?:\(?(?:GMT|UTC)\s*[+-]?\d{0,2}(?::?\d{2})?\)?|WIB|WITA|WIT|ICT|CST|BJT)\b\s*", re.I)
_SENTENCE_END = re.compile(r"[.!?。！？]\s*\S")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_TIME = re.compile(r"\d{1,2}[:：]\d{2}")
DATEPARSER_LANGUAGES = ["id", "vi", "zh", "en"]

# Breadcrumb separators: ">" "»" "›" " - " " / " " | ".
_CRUMB_SPLIT = re.compile(r"\s*(?:>|»|›|＞|\s[-|/–]\s)\s*")
_CRUMB_LABEL = re.compile(r"^[^:：>»›＞]{0,20}[:：]\s*")


def _iso(y: int, m: int, d: int, hh: str | None = None, mm: str | None = None, ss: str | None = None) -> str | None:
    try:
        if hh is not None and mm is not None:
            return dt.datetime(y, m, d, int(hh), int(mm), int(ss or 0)).isoformat()
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _publisher_from_rest(rest: str) -> str | None:
    rest = _TIMEZONE.sub("", rest)
    rest = _SOURCE_LABEL.sub("", rest).strip(" |/·•,，:：()[]（）-")
    if 2 <= len(rest) <= 40 and any(ch.isalpha() for ch in rest) and not _SENTENCE_END.search(rest):
        return rest
    return None


def parse_date_line(line: str) -> tuple[str, str | None] | None:
    """(ISO date or date-time, publisher named after it) when the whole line is a dateline."""
    if len(line) > 80:
        return None
    for regex in (_YMD, _DMY):
        match = regex.match(line)
        if not match:
            continue
        rest = match["rest"]
        if len(rest) > 40 or _SENTENCE_END.search(rest):
            return None
        iso = _iso(int(match["y"]), int(match["m"]), int(match["d"]), match["H"], match["M"], match["S"])
        if iso is None:
            return None
        return iso, _publisher_from_rest(rest) if rest.strip() else None
    return _dateparser_line(line)


def _dateparser_line(line: str) -> tuple[str, str | None] | None:
    # Textual months ("Kamis, 21 April 2022 10:15 WIB", "Thứ năm, 21/4/2022"): only short lines that
    # carry a year, and only when dateparser reads the whole line as a date.
    if len(line) > 50 or not _YEAR.search(line) or len(line.split()) > 8:
        return None
    parsed = _parse(line)
    if parsed is None:
        return None
    return (parsed.isoformat() if _TIME.search(line) else parsed.date().isoformat()), None


@lru_cache(maxsize=4096)
def _parse(text: str) -> dt.datetime | None:
    import dateparser  # imported on first use: it takes about a second

    settings = {"DATE_ORDER": "DMY", "RETURN_AS_TIMEZONE_AWARE": False, "STRICT_PARSING": True}
    try:
        return dateparser.parse(text, languages=DATEPARSER_LANGUAGES, settings=settings)  # type: ignore[arg-type]
    except (ValueError, OverflowError):
        return None


def normalize_published(value: str) -> str | None:
    """A date given as metadata (JSON field, HTML meta) as ISO 8601, or None when unreadable."""
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?)?", value):
        if len(value) == 10:
            y, m, d = (int(part) for part in value.split("-"))
            return value if _iso(y, m, d) else None
        try:
            return dt.datetime.fromisoformat(value.replace(" ", "T").replace("Z", "+00:00")).isoformat()
        except ValueError:
            return None
    found = parse_date_line(value)
    if found:
        return found[0]
    parsed = _parse(value)
    return parsed.isoformat() if parsed else None


@lru_cache(maxsize=8)
def _weekday_regex(names: tuple[str, ...]) -> re.Pattern[str]:
    alternation = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    return re.compile(
        rf"(?<!\w)(?P<wd>{alternation})\s*[,(（]\s*(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})/(?P<y>(?:19|20)\d{{2}})\s*[)）]?",
        re.IGNORECASE,
    )


def weekday_date(lines: list[str], patterns: Patterns) -> str | None:
    """The news-day dateline of id/vi outlets ("Kamis (21/4/2022)") in the opening lines, when the
    weekday agrees with the calendar date (the check that keeps stray numbers out)."""
    if not patterns.weekdays:
        return None
    regex = _weekday_regex(tuple(patterns.weekdays))
    for line in lines:
        for match in regex.finditer(line):
            iso = _iso(int(match["y"]), int(match["m"]), int(match["d"]))
            if iso and dt.date.fromisoformat(iso).weekday() == patterns.weekdays[match["wd"].lower()]:
                return iso
    return None


def credit_publisher(line: str, patterns: Patterns) -> str | None:
    """The publisher a credit line names ("(source: X)", "author[X]", "X authorized release")."""
    for regex in patterns.credit:
        match = regex.search(line)
        if match and match.group("publisher").strip(" .,，"):
            return match.group("publisher").strip(" .,，")
    return None


def breadcrumb_leaf(line: str) -> str | None:
    """The last element of a breadcrumb line ("Home > News > <title>"), or None when not one."""
    body = _CRUMB_LABEL.sub("", line, count=1)
    parts = [p for p in _CRUMB_SPLIT.split(body) if p]
    return parts[-1].strip() if len(parts) >= 2 else None
