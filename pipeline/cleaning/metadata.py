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
    parsed = _parse(line) or (_parse(_LABEL_PREFIX.sub("", line, count=1)) if _LABEL_PREFIX.match(line) else None)
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


def warm_dates() -> None:
    """Load dateparser and its locale data for the languages `_parse` reads (about a second per process), without
    touching `_parse`'s cache."""
    import dateparser

    dateparser.parse("21 April 2022", languages=DATEPARSER_LANGUAGES, settings={"DATE_ORDER": "DMY"})


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
        if "/" not in line:
            continue  # the date is written d/m/yyyy: no slash, no such date (and no regex run)
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


# ---- dates given as metadata, bylines and wire-copy date codes ---------------------------------------------

_NUMERIC = re.compile(r"^\s*(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>(?:19|20)\d{2})(?P<rest>(?:[ T,]+.*)?)$")
_URL_DATE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})[/_-]?(?P<m>0[1-9]|1[0-2])[/_-]?(?P<d>0[1-9]|[12]\d|3[01])(?!\d)")
_BYLINE_SEP = re.compile(r"\s+[/|·•]\s+|\s*[|·•]\s*")
_LABEL_PREFIX = re.compile(r"^[^\d:：]{1,24}[:：]\s*")
_ROC = re.compile(r"^(?P<y>1[0-2]\d)(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])$")
EARLIEST = dt.date(1990, 1, 1)
_SITE_SUFFIX = re.compile(r"^(?P<head>.{6,}?)\s*(?:\s[-|–—]\s|[｜|_]|-(?=[^\s-]{2,12}$))\s*(?P<site>[^-|｜_–—]{2,40})$")


def plausible(iso: str | None, today: dt.date | None = None) -> str | None:
    """The date when it can be an article's date: not before 1990, not after tomorrow."""
    if not iso:
        return None
    try:
        day = dt.date.fromisoformat(iso[:10])
    except ValueError:
        return None
    today = today or dt.date.today()
    return iso if EARLIEST <= day <= today + dt.timedelta(days=1) else None


def url_date(url: str | None) -> dt.date | None:
    """A full date written in a URL path (`/2018/07/09/`, `-20241119.htm`), or None."""
    if not url:
        return None
    for match in _URL_DATE.finditer(url.split("?", 1)[0]):
        try:
            return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            continue
    return None


def parse_meta_date(value: str, url: str | None = None) -> str | None:
    """A date given as metadata (JSON field, feed, corpus header) as ISO 8601, or None when unreadable.

    Reads ISO forms, RFC 822 feed dates (`Tue, 19 Nov 2024 20:10:00 +0800`, the local date kept), compact
    `YYYYMMDD`, and numeric dates with the year last. A numeric date whose day and month could be swapped
    (`07-09-2018`) is read as the URL's date says when the URL has one; otherwise month first, the order of
    the software that writes such fields (text datelines, read elsewhere, are day first)."""
    value = value.strip()
    if re.fullmatch(r"(?:19|20)\d{6}", value):
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    match = _NUMERIC.match(value)
    if match:
        a, b, y = int(match["a"]), int(match["b"]), int(match["y"])
        orders = [(a, b), (b, a)] if a != b else [(a, b)]  # (month, day)
        valid = [(m, d) for m, d in orders if _iso(y, m, d)]
        hint = url_date(url)
        chosen = next(((m, d) for m, d in valid if hint and abs((dt.date(y, m, d) - hint).days) <= 1), None)
        chosen = chosen or (valid[0] if valid else None)
        if chosen is None:
            return None
        return plausible(dt.date(y, *chosen).isoformat())
    if re.match(r"^[A-Za-z]{3},?\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}", value):
        import email.utils

        try:
            return plausible(email.utils.parsedate_to_datetime(value).isoformat())
        except (TypeError, ValueError):
            pass
    return plausible(normalize_published(value))


def byline_date(line: str) -> str | None:
    """The date of a byline or credit line with a date among its parts
    (`In News / By A. Writer / 7 March 2018 10:53 am / 42 comments`, `PUBLISHED : 6 Nov 2024`)."""
    if len(line) > 200:
        return None
    parts = [p for p in _BYLINE_SEP.split(line) if p.strip()]
    if any(len(p) > 60 for p in parts):
        return None
    if len(parts) < 2:
        parts = [_LABEL_PREFIX.sub("", line, count=1)] if _LABEL_PREFIX.match(line) else []
    for part in parts:
        if len(part) > 50 or not _YEAR.search(part):
            continue
        found = parse_date_line(part.strip())
        if found:
            return plausible(found[0][:10])
    return None


def roc_date(line: str) -> str | None:
    """The date code that ends Taiwanese wire copy: the ROC (Minguo) year, month and day (`1140527`)."""
    match = _ROC.match(line.strip())
    if not match:
        return None
    return plausible(_iso(int(match["y"]) + 1911, int(match["m"]), int(match["d"])))


def strip_site_suffix(title: str, site: str | None = None) -> str:
    """A headline without the outlet appended to it (`… - Site`, `…｜Site`, `…_Site`), when the part cut
    is short and is the site's name or looks like one (at most 4 words / 12 CJK characters)."""
    match = _SITE_SUFFIX.match(title)
    if not match:
        return title
    tail = match["site"].strip()
    cjk = sum(1 for ch in tail if "\u4e00" <= ch <= "\u9fff")
    if site and site.casefold().replace(" ", "") in tail.casefold().replace(" ", ""):
        return match["head"].strip()
    if (cjk and cjk <= 12 and len(tail) <= 14) or (not cjk and len(tail.split()) <= 3 and tail[:1].isupper()):
        return match["head"].strip()
    return title
