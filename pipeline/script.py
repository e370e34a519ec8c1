"""A Simplified-script view of Chinese text, with a map from view offsets back to the original."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pipeline.lazy import load_once

__all__ = ["CJK", "CJK_CHARS", "View", "has_cjk", "is_cjk", "opencc_converter", "to_simplified", "simplified_view"]

# The CJK ideograph blocks (unified, extension A, compatibility, extensions B-F and the supplement), as the body
# of a regex character class: `re.compile(f"[{CJK_CHARS}]")`. The one definition the package uses.
CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
CJK = re.compile(f"[{CJK_CHARS}]")


def is_cjk(ch: str) -> bool:
    """True for a CJK ideograph (the scripts written without spaces between words)."""
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2FA1F
            or 0xF900 <= cp <= 0xFAFF)


def has_cjk(text: str) -> bool:
    """True when text holds at least one CJK ideograph."""
    return any(is_cjk(ch) for ch in text)


@load_once
def opencc_converter(config: str = "t2s") -> Any:
    """The OpenCC converter of one configuration (t2s, s2t, s2tw, s2hk), built once for the package."""
    import opencc  # imported on first use: the stage is cheap to construct

    return opencc.OpenCC(config)


def _converter() -> Any:
    return opencc_converter("t2s")


@dataclass(frozen=True, slots=True)
class View:
    """Converted text plus, for each of its characters, the offset of the original character it came from."""

    text: str
    origin: list[int] | None  # None: the identity map (the common case, no list built)
    source_len: int

    def start(self, i: int) -> int:
        """Original offset of the view character at i."""
        return i if self.origin is None else self.origin[i]

    def end(self, j: int) -> int:
        """Original end offset for a view span ending (exclusive) at j."""
        if self.origin is None:
            return j
        return self.origin[j - 1] + 1 if j > 0 else 0


def to_simplified(text: str) -> str:
    """OpenCC Traditional-to-Simplified conversion of text (unchanged when it has no CJK)."""
    return _converter().convert(text) if has_cjk(text) else text


def simplified_view(text: str) -> View:
    """Simplified view of text; phrase conversion when it keeps the length, else char by char with a map."""
    if not has_cjk(text):
        return View(text, None, len(text))
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return View(converted, None, len(text))
    # A phrase rule changed the length: convert one character at a time so every view
    # character still points at the original character it came from.
    convert = _converter().convert
    parts: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        out = convert(ch) if is_cjk(ch) else ch
        parts.append(out)
        origin.extend([i] * len(out))
    return View("".join(parts), origin, len(text))
