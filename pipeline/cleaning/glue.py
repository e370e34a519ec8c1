"""Repair words glued together where a hyperlink was removed ("Trung QuốcAlibaba", "hợpTencent").

A glue is usually a word of the article's language followed by a capitalised name; a camel-case
name is usually a known token. So a lower->upper boundary inside a token is split only on evidence:
  (a) the left part carries a non-ASCII letter (a Vietnamese word: "QuốcAlibaba", "hợpTencent");
  (b) the left part is a lowercase word (2+ letters) that the article also uses on its own ("theAlibaba");
  (c) both parts are capitalised words (3+ letters) that the article also uses on their own
      ("AlibabaAlipay" when "Alibaba" and "Alipay" both occur alone);
and never for a protected name (patterns.toml [glue] protected) or a token inside a URL or e-mail.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

# Latin letters with Vietnamese and other diacritics; apostrophes join ("McDonald's").
_TOKEN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff][A-Za-z0-9\u00c0-\u024f\u1e00-\u1eff'’.&-]*")
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]+")
# Over-inclusive prefilter (some ranges mix cases): only text with a candidate boundary is tokenized.
_CANDIDATE = re.compile(r"[a-zß-ÿā-ɏḁ-ỹ][A-ZÀ-ÞĀ-ɎḀ-Ỹ]")
# Tokens that are URLs or e-mail addresses: found per whitespace-separated chunk (linear in the text; a
# single `\S*(?:://|www\.|@)\S*` regex backtracks quadratically on a long line without spaces).
_CHUNK = re.compile(r"\S+")
_URL_MARK = re.compile(r"://|www\.|@")
# No protected name is longer than this; longer tails are not looked up (keeps huge tokens linear).
_MAX_PROTECTED = 64
# Glued words are two or three words long; a longer token is left as it is.
_MAX_TOKEN = 100


def _is_lower(ch: str) -> bool:
    return ch.isalpha() and ch.islower()


def _is_upper(ch: str) -> bool:
    return ch.isalpha() and ch.isupper()


def _capitalised(word: str) -> bool:
    return len(word) >= 2 and _is_upper(word[0]) and _is_lower(word[1])


def vocabulary(text: str) -> Counter[str]:
    """How often each letter-only word stands alone in the text (case kept)."""
    return Counter(_WORD.findall(text))


def _boundaries(token: str) -> list[int]:
    return [i for i in range(1, len(token)) if _is_lower(token[i - 1]) and _is_upper(token[i])]


def _split_token(token: str, vocab: Counter[str], protected: frozenset[str]) -> str:
    if len(token) > _MAX_TOKEN:
        return token  # not two glued words: a code, a hash, a run of letters (and splitting it would be slow)
    bare = token.rstrip(".'’&-")
    if bare.lower() in protected or bare.lower().removesuffix("'s").removesuffix("’s") in protected:
        return token
    cuts = _boundaries(token)
    if not cuts:
        return token
    pieces = []
    start = 0
    for cut in cuts:
        left = token[start:cut]
        right_word = _WORD.match(token, cut)
        right = right_word.group(0) if right_word else ""
        # the right part up to the next inner capital: "AlipayTencent" -> "Alipay"
        inner = next((i for i in range(1, len(right)) if _is_upper(right[i]) and _is_lower(right[i - 1])), len(right))
        right = right[:inner]
        if len(token) - start <= _MAX_PROTECTED and token[start:].lower() in protected:
            continue
        diacritic = any(ord(ch) > 127 for ch in left) and _is_lower(left[-1])
        lower_word = left.islower() and len(left) >= 2 and vocab[left] >= 1 and _capitalised(right)
        two_names = (
            _capitalised(left) and len(left) >= 3 and left.isalpha() and _capitalised(right)
            and len(right) >= 3 and vocab[left] >= 1 and vocab[right] >= 1
        )
        if diacritic or lower_word or two_names:
            pieces.append(left)
            start = cut
    pieces.append(token[start:])
    return " ".join(pieces)


def repair_glued(text: str, protected: frozenset[str], vocab: Counter[str] | None = None) -> tuple[str, int]:
    """Text with glued words split by a space, and how many splits were made."""
    if not _CANDIDATE.search(text):
        return text, 0
    vocab = vocab if vocab is not None else vocabulary(text)
    urls = [m.span() for m in _CHUNK.finditer(text) if _URL_MARK.search(m.group(0))]
    starts = [a for a, _ in urls]
    count = 0

    def in_url(pos: int) -> bool:
        i = bisect.bisect_right(starts, pos) - 1
        return i >= 0 and pos < urls[i][1]

    def fix(match: re.Match[str]) -> str:
        nonlocal count
        if not _CANDIDATE.search(match.group(0)) or in_url(match.start()):
            return match.group(0)
        fixed = _split_token(match.group(0), vocab, protected)
        count += fixed.count(" ") - match.group(0).count(" ")
        return fixed

    return _TOKEN.sub(fix, text), count
