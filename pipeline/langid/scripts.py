"""Letter counts by writing system: the cheap first cut before any statistical detector."""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from functools import lru_cache

from pipeline.lazy import load_once
from pipeline.script import CJK, CJK_CHARS, is_cjk

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
_ASCII_LETTER = re.compile("[A-Za-z]")


@load_once
def _rest_pattern() -> re.Pattern[str]:
    """Characters that are neither ASCII nor Han and may be counted: the only ones `script_counts` classifies one by
    one. Below U+3400 only letters are counted (`_classify`), so the other characters there (punctuation, digits,
    symbols: most of the non-ASCII characters of Chinese text) are left out of the scan."""
    ranges: list[str] = []
    start = None
    for code in range(0x80, 0x3400):
        if chr(code).isalpha():
            if start is None:
                start = code
        elif start is not None:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(code - 1))}")
            start = None
    if start is not None:
        ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(0x33FF))}")
    # From U+3400 up: everything but Han, as the gaps between the ranges of `CJK_CHARS` ("a-bc-d...").
    han = sorted((ord(CJK_CHARS[i]), ord(CJK_CHARS[i + 2])) for i in range(0, len(CJK_CHARS), 3))
    low = 0x3400
    for lo, hi in han:
        if lo > low:
            ranges.append(f"{re.escape(chr(low))}-{re.escape(chr(lo - 1))}")
        low = max(low, hi + 1)
    ranges.append(f"{re.escape(chr(low))}-{re.escape(chr(0x10FFFF))}")
    # One character class (sre tests it with a bitmap), not an alternation tried at every position.
    return re.compile(f"[{''.join(ranges)}]")

# Everything but Han: deleting it leaves the Han characters (one string, not one object per character).
NOT_HAN = re.compile(f"[^{CJK_CHARS}]+")
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

    The keys come out in the order of their first letter in the text, as a character-by-character pass would
    insert them. ASCII letters are counted by deleting them from the UTF-8 bytes and Han characters by one
    regex pass; only the remaining characters are classified one by one (each distinct one once).
    """
    counts: Counter[str] = Counter()
    raw = text.encode("utf-8", "surrogatepass")
    latin = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
    if text.isascii():
        if latin:
            counts["latin"] = latin
        return counts
    found: dict[str, int] = {}
    first: dict[str, int] = {}  # position of each key's first letter
    if latin:
        found["latin"] = latin
        first["latin"] = _ASCII_LETTER.search(text).start()  # type: ignore[union-attr]
    han = len(NOT_HAN.sub("", text))
    if han:
        found["han"] = han
        first["han"] = CJK.search(text).start()  # type: ignore[union-attr]
    rest = _rest_pattern().findall(text)
    if not rest:  # ASCII letters and Han only (most Chinese text): at most two keys, in order of first letter
        if latin and han and first["han"] < first["latin"]:
            counts["han"] = han
        for key, n in found.items():
            counts[key] = n
        return counts
    seen: set[str] = set()
    for ch, n in Counter(rest).items():  # first-occurrence order
        info = _chars.get(ch)
        if info is None:
            info = _classify(ch)
            if len(_chars) < _CHAR_MAX:
                _chars[ch] = info
        script, vi = info
        if script is None:
            continue
        if script not in seen:  # this script's first non-ASCII, non-Han letter
            seen.add(script)
            pos = text.index(ch)
            first[script] = min(first.get(script, pos), pos)
        found[script] = found.get(script, 0) + n
        if vi:
            if "vi" not in found:
                first["vi"] = text.index(ch)
            found["vi"] = found.get("vi", 0) + n
    # Ties are only a Vietnamese letter that is also the first Latin one: `latin` was inserted first.
    for key in sorted(found, key=lambda k: (first[k], k == "vi")):
        counts[key] = found[key]
    return counts
