"""Simplified vs Traditional Chinese from script and word evidence.

Script evidence: the characters OpenCC would convert. Word evidence: Taiwan / Hong Kong vocabulary and
written-Cantonese characters (data/hant_vocabulary.txt, built by `python -m pipeline.langid.build_hant`),
which decides text that has no convertible character at all.
"""

from __future__ import annotations

import re
from operator import ne
from pathlib import Path
from typing import Any

from pipeline.langid.scripts import NOT_HAN
from pipeline.lazy import load_once
from pipeline.script import opencc_converter

HANT_VOCABULARY_FILE = Path(__file__).resolve().parent / "data" / "hant_vocabulary.txt"
# A regional word is stronger evidence than one converted character: it is a choice of vocabulary.
WORD_WEIGHT = 2


def _converters() -> tuple[Any, Any]:
    return opencc_converter("t2s"), opencc_converter("s2t")


@load_once
def _vocabulary() -> re.Pattern[str]:
    lines = HANT_VOCABULARY_FILE.read_text(encoding="utf-8").splitlines()
    words = sorted({w.strip() for w in lines if w.strip() and not w.startswith("#")}, key=lambda w: (-len(w), w))
    # Longest match first, grouped by first character (the same match at every position as one flat alternation
    # in this order, which tries every word at every character).
    groups: dict[str, list[str]] = {}
    for w in words:
        groups.setdefault(w[0], []).append(re.escape(w[1:]))
    return re.compile("|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in groups.items()))


def traditional_words(text: str) -> list[str]:
    """Taiwan / Hong Kong-only words and Cantonese characters found in the text (longest match first)."""
    return _vocabulary().findall(text)


def _changed(src: str, converted: str) -> int:
    if src == converted:
        return 0
    if len(src) == len(converted):
        return sum(map(ne, src, converted))  # operator.ne: no slot-wrapper call per character
    return sum(1 for a, b in zip(src, converted, strict=False) if a != b)  # phrase rewrite: approximate


def han_variant(text: str) -> tuple[str, float, dict[str, int]]:
    """`zh-Hans` or `zh-Hant`, the share of evidence for it, and the evidence counts.

    A character that t2s changes is Traditional-only (or a Traditional variant such as 裏 in a
    mis-converted 阿裏); one that s2t changes is Simplified-only or shared (台, 后). Real
    Traditional text has many of the first and few of the second, so the share decides, and a
    few stray characters of the other kind (壹, 麽, 阿裏 in Simplified text) do not flip it.
    Each Taiwan / Hong Kong-only word adds WORD_WEIGHT to the Traditional side.
    """
    han = NOT_HAN.sub("", text)  # the Han characters, in order
    if not han:
        return "zh-Hans", 0.5, {"traditional": 0, "simplified": 0, "words": 0}
    t2s, s2t = _converters()
    words = len(traditional_words(text))
    trad = _changed(han, t2s.convert(han)) + WORD_WEIGHT * words
    simp = _changed(han, s2t.convert(han))
    # Add-one smoothing: text with no convertible character at all is written the same in both.
    share_trad = (trad + 0.5) / (trad + simp + 1.0)
    label = "zh-Hant" if share_trad > 0.5 else "zh-Hans"
    return label, max(share_trad, 1 - share_trad), {"traditional": trad, "simplified": simp, "words": words}
