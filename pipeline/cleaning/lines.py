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


def is_short(line: str) -> bool:
    """A line too short to be a paragraph: at most 5 words, or 12 CJK characters."""
    cjk = len(_CJK.findall(line))
    return cjk <= 12 and len(line.split()) <= 5 if cjk else len(line.split()) <= 5


def has_sentence_end(line: str) -> bool:
    """Whether the line ends like a sentence (Latin or CJK terminal punctuation, maybe quoted)."""
    return bool(_SENTENCE_PUNCT.search(line))


def is_breadcrumb(line: str) -> bool:
    """A navigation trail: three or more short parts joined by '>' or '»' ("Home > News > Business")."""
    parts = _CRUMB_SEP.split(line)
    return len(parts) >= 3 and all(0 < len(p.split()) <= 6 and len(p) <= 40 for p in parts[:-1])


def line_kind(line: str, patterns: Patterns) -> Kind:
    """The kind of one whitespace-unified line, from patterns and generic evidence."""
    if any(p.search(line) for p in patterns.anywhere):
        return Kind.ANYWHERE
    if any(p.search(line) for p in patterns.edge):
        return Kind.EDGE
    if is_breadcrumb(line):
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
             forced: dict[int, Kind] | None = None) -> Classified:
    """Decide which lines are boilerplate; `anchors` (the title) are never removed, `forced` kinds
    (date lines found by the metadata reader) override the patterns."""
    kinds = [forced[i] if forced and i in forced else line_kind(line, patterns) for i, line in enumerate(lines)]
    removed = {i: kinds[i] for i in edge_runs(kinds, anchors)}
    removed.update({i: Kind.ANYWHERE for i, k in enumerate(kinds) if k == Kind.ANYWHERE and i not in anchors})
    return Classified(removed)
