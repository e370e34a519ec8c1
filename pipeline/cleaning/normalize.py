"""Whitespace unified line by line: one ASCII space between words, nothing at the edges."""

from __future__ import annotations

import re

# NBSP, the typographic spaces, narrow NBSP, medium math space, ideographic (full-width) space,
# tabs and other separators all become one ASCII space; zero-width spaces, soft hyphens and BOMs go
# (ZWJ/ZWNJ stay: they carry meaning in emoji and some scripts).
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\x0b\x0c]+")
_ZERO_WIDTH = re.compile(r"[\u200b\u2060\ufeff\u00ad]")
NEWLINES = re.compile(r"\r\n|\r|\u2028|\u2029|\x85")


def normalize_line(line: str) -> str:
    """One line with unified whitespace."""
    return _SPACES.sub(" ", _ZERO_WIDTH.sub("", line)).strip()


def split_lines(text: str) -> list[str]:
    """The non-empty, whitespace-unified lines of a text."""
    lines = (normalize_line(line) for line in NEWLINES.sub("\n", text).split("\n"))
    return [line for line in lines if line]
