"""Boilerplate line classifier: generic evidence plus reviewed patterns, precision over recall.

Each line gets a kind:
  ANYWHERE  page chrome no sentence looks like ("SCROLL TO CONTINUE WITH CONTENT"): removed wherever it is;
  EDGE      navigation, copyright, credit and date lines: removed only in the run of non-body lines that
            reaches the start or the end of the article;
  WEAK      short line without sentence punctuation, or a bullet line: removed only when it lies between
            the article's edge and an EDGE/ANYWHERE line (so headings and body lists always stay);
  BODY      everything else: never removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from pipeline.cleaning.patterns import Patterns
from pipeline.script import CJK_CHARS


class Kind(IntEnum):
    BODY = 0
    WEAK = 1
    EDGE = 2
    ANYWHERE = 3


_BULLET = re.compile(r"^[•·▪►»■◆●◇○□]\s*")
_SENTENCE_PUNCT = re.compile(r"[.!?。！？…;；:：][\"'”’」』)）\]]*$")
_CRUMB_SEP = re.compile(r"\s*[>»›＞]\s*")
_CJK = re.compile(f"[\u3040-\u30ff{CJK_CHARS}]")  # kana too: Japanese lines are sized like Chinese
# A line that is only a link or an e-mail address, maybe after a short label ("Original URL: https://…").
_LINK = (r"(?:(?:https?:)?//\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
         r"|[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|hk|my|id|vn|cn|tw|sg)(?:/\S*)?)")
_LINK_LINE = re.compile(rf"^(?:[^:：]{{0,40}}[:：]\s*)?{_LINK}$", re.IGNORECASE)
_LIST_MARK = re.compile(r"^[-*]\s+")
# A label waiting for its value on the next line ("E-mail:", "原始網址 Original URL：").
_LABEL = re.compile(r"^[^.!?。！？:：]{1,30}[:：]$")
# Navigation or share bars: three or more short parts joined by | · • / (no sentence among them).
_BAR_SEP = re.compile(r"\s+[|·•/]\s+|\s*[|·•]\s*")
_SHARE_WORDS = re.compile(r"\b(share|follow|subscribe|download|bagikan|ikuti|chia sẻ)\b|分享|关注|關注|订阅|訂閱", re.I)
# A name alone on a line (a byline): 1-4 capitalised words, or 2-4 CJK characters, nothing else.
_NAME = re.compile(r"^(?:[A-ZÀ-ÞĀ-ỸĐ][\w.’'-]*)(?:\s+[A-ZÀ-ÞĀ-ỸĐ][\w.’'-]*){0,3}$|^[\u4e00-\u9fff]{2,4}$")


def is_short(line: str) -> bool:
    """A line too short to be a paragraph: at most 5 words, or 12 CJK characters."""
    cjk = len(_CJK.findall(line))
    return cjk <= 12 and len(line.split()) <= 5 if cjk else len(line.split()) <= 5


def has_sentence_end(line: str) -> bool:
    """Whether the line ends like a sentence (Latin or CJK terminal punctuation, maybe quoted)."""
    return bool(_SENTENCE_PUNCT.search(line))


def is_breadcrumb(line: str) -> bool:
    """A navigation trail: three or more short parts joined by '>' or '»' ("Home > News > Business")."""
    if not any(sep in line for sep in ">»›＞"):
        return False
    parts = _CRUMB_SEP.split(line)
    return len(parts) >= 3 and all(0 < len(p.split()) <= 6 and len(p) <= 40 for p in parts[:-1])


def is_link_line(line: str) -> bool:
    """A line that is only a URL or e-mail address, maybe after a short label."""
    return len(line) <= 300 and bool(_LINK_LINE.match(line))


def is_bar(line: str) -> bool:
    """A navigation or share bar: 3+ short parts (at most 4 words or 10 CJK characters) and no sentence."""
    if len(line) > 200 or not any(sep in line for sep in "|·•/") or has_sentence_end(line):
        return False
    parts = [p for p in _BAR_SEP.split(line) if p.strip()]
    if not all(is_short(p) and len(p.split()) <= 6 for p in parts):
        return False
    return len(parts) >= 3 or (len(parts) == 2 and bool(_SHARE_WORDS.search(line)))


def is_headline_list(line: str) -> bool:
    """Teaser links run together: two or more headlines (4-25 words, no sentence end) joined by " / "."""
    if has_sentence_end(line) or " / " not in line or len(line) > 400:
        return False
    parts = line.split(" / ")
    return len(parts) >= 2 and all(4 <= len(p.split()) <= 25 and not _CJK.search(p) for p in parts)


def is_name_line(line: str) -> bool:
    """A line that is only a person's name or initials (a byline at the end of an article)."""
    return len(line) <= 40 and bool(_NAME.match(line)) and not any(ch.isdigit() for ch in line)


def line_kind(line: str, patterns: Patterns) -> Kind:
    """The kind of one whitespace-unified line, from patterns and generic evidence."""
    # A list marker that extraction put before the line ("- 原标题：…") does not hide what the line is.
    bare = _LIST_MARK.sub("", line, count=1) if line[:1] in "-*" else line
    if patterns.matches("anywhere", bare):
        return Kind.ANYWHERE
    if patterns.matches("edge", bare):
        return Kind.EDGE
    if is_breadcrumb(bare) or is_link_line(bare) or is_bar(bare) or is_headline_list(bare):
        return Kind.EDGE
    if _BULLET.match(line) and len(line) <= 120:
        return Kind.WEAK
    if is_short(line) and not has_sentence_end(line):
        return Kind.WEAK
    return Kind.BODY


@dataclass
class Classified:
    """Which lines are removed, and why (the kind each removed line had)."""

    removed: dict[int, Kind]


def edge_runs(kinds: list[Kind], anchors: frozenset[int] = frozenset()) -> set[int]:
    """Indices removed at the two edges: the run of non-body lines from each edge inward, minus the
    WEAK lines on its inner side that no EDGE/ANYWHERE line (or anchor, e.g. the title) shields from the body."""
    removed: set[int] = set()
    body = [i for i, k in enumerate(kinds) if k == Kind.BODY and i not in anchors]
    # Each run stops at the body; an article without body lines is split in the middle, so a
    # trailing copyright line cannot take a page of short lines with it.
    first, last = (body[0], body[-1]) if body else ((len(kinds) + 1) // 2, (len(kinds) + 1) // 2 - 1)
    for order in (range(first), range(len(kinds) - 1, last, -1)):
        run: list[int] = list(order)
        # walk back from the inner end: WEAK lines there touch the body, so they stay
        while run and (kinds[run[-1]] == Kind.WEAK or run[-1] in anchors):
            run.pop()
        removed.update(i for i in run if i not in anchors)
    return removed


def classify(lines: list[str], patterns: Patterns, anchors: frozenset[int] = frozenset(),
             forced: dict[int, Kind] | None = None, tails: set[int] | None = None,
             kinds_given: list[Kind] | None = None) -> Classified:
    """Decide which lines are boilerplate; `anchors` (the title) are never removed, `forced` kinds
    (date lines found by the metadata reader) override the patterns."""
    given = kinds_given if kinds_given is not None else [line_kind(line, patterns) for line in lines]
    kinds = [forced[i] if forced and i in forced else given[i] for i in range(len(lines))]
    # A label whose value is a link line ("E-mail:" + address) goes with it.
    for i in range(len(lines) - 1):
        if kinds[i] != Kind.BODY or not _LABEL.match(lines[i]):
            continue
        if kinds[i + 1] >= Kind.EDGE and is_link_line(lines[i + 1]):
            kinds[i] = Kind.EDGE
    # A name alone on the last line, or on the last line before the trailing chrome, is a byline.
    for end in sorted(tails or {len(lines) - 1}, reverse=True):
        i = end
        while i >= 0 and kinds[i] >= Kind.EDGE:
            i -= 1
        if i > 0 and i not in anchors and kinds[i] == Kind.WEAK and is_name_line(lines[i]):
            kinds[i] = Kind.ANYWHERE
    removed = {i: kinds[i] for i in edge_runs(kinds, anchors)}
    removed.update({i: Kind.ANYWHERE for i, k in enumerate(kinds) if k == Kind.ANYWHERE and i not in anchors})
    return Classified(removed)
