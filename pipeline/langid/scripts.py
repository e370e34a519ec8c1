"""Letter counts by writing system: the cheap first cut before any statistical detector."""

from __future__ import annotations

import string
import unicodedata
from collections import Counter
from functools import lru_cache

from pipeline.script import is_cjk

# Vietnamese letters outside plain ASCII that no other Latin-script language here uses together.
_VI_LETTERS = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")


@lru_cache(maxsize=4096)
def script_of(ch: str) -> str:
    """Writing system of one letter: han, kana, hangul, latin, thai, cyrillic, arabic, ... or `other`."""
    code = ord(ch)
    if is_cjk(ch):
        return "han"
    if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF:
        return "kana"
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "hangul"
    if not ch.isalpha():
        return "other"
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return "other"
    return name.split(" ", 1)[0].lower()


_ASCII_LETTERS = string.ascii_letters.encode("ascii")
# Per character: its writing system (None when it is not counted) and whether it is a Vietnamese-only letter.
_CHAR_MAX = 100_000
_chars: dict[str, tuple[str | None, bool]] = {}


def _classify(ch: str) -> tuple[str | None, bool]:
    if ch.isalpha() or "\u3400" <= ch:
        script = script_of(ch)
        if script != "other":
            return script, ch.lower() in _VI_LETTERS
    return None, False


def script_counts(text: str) -> Counter[str]:
    """How many letters of each writing system the text has (`vi` counts Vietnamese-only letters too).

    Each distinct character is classified once (`Counter(text)` counts them in C); the keys come out in the
    order of their first letter in the text, as a character-by-character pass would insert them. Plain ASCII
    text has only Latin letters, counted by deleting them from its bytes.
    """
    counts: Counter[str] = Counter()
    if text.isascii():
        latin = len(text) - len(text.encode("ascii").translate(None, _ASCII_LETTERS))
        if latin:
            counts["latin"] = latin
        return counts
    for ch, n in Counter(text).items():
        info = _chars.get(ch)
        if info is None:
            info = _classify(ch)
            if len(_chars) < _CHAR_MAX:
                _chars[ch] = info
        script, vi = info
        if script is not None:
            counts[script] += n
            if vi:
                counts["vi"] += n
    return counts
