"""Simplified vs Traditional Chinese from script evidence: which characters OpenCC would convert."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pipeline.script import CJK


@lru_cache(maxsize=1)
def _converters() -> tuple[Any, Any]:
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


def _changed(src: str, converted: str) -> int:
    if len(src) == len(converted):
        return sum(a != b for a, b in zip(src, converted, strict=True))
    return sum(1 for a, b in zip(src, converted, strict=False) if a != b)  # phrase rewrite: approximate


def han_variant(text: str) -> tuple[str, float, dict[str, int]]:
    """`zh-Hans` or `zh-Hant`, the share of evidence for it, and the evidence counts.

    A character that t2s changes is Traditional-only (or a Traditional variant such as 裏 in a
    mis-converted 阿裏); one that s2t changes is Simplified-only or shared (台, 后). Real
    Traditional text has many of the first and few of the second, so the share decides, and a
    few stray characters of the other kind (壹, 麽, 阿裏 in Simplified text) do not flip it.
    """
    han = "".join(CJK.findall(text))
    if not han:
        return "zh-Hans", 0.5, {"traditional": 0, "simplified": 0}
    t2s, s2t = _converters()
    trad = _changed(han, t2s.convert(han))
    simp = _changed(han, s2t.convert(han))
    # Add-one smoothing: text with no convertible character at all is written the same in both.
    share_trad = (trad + 0.5) / (trad + simp + 1.0)
    label = "zh-Hant" if share_trad > 0.5 else "zh-Hans"
    return label, max(share_trad, 1 - share_trad), {"traditional": trad, "simplified": simp}
