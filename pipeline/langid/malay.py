"""Indonesian vs Malay from lexical evidence (data/malay_markers.toml)."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path

from pipeline.lazy import load_once

MARKERS_FILE = Path(__file__).resolve().parent / "data" / "malay_markers.toml"
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


@load_once
def _markers() -> tuple[int, dict[str, float], dict[str, float], dict[str, float]]:
    data = tomllib.loads(MARKERS_FILE.read_text(encoding="utf-8"))
    words: dict[str, float] = {}
    phrases: dict[str, float] = {}
    # Positive weights point to ms, negative to id.
    for lang, sign in (("id", -1.0), ("ms", 1.0)):
        for key, weight in data[lang].items():
            table = phrases if " " in key else words
            table[key] = table.get(key, 0.0) + sign * float(weight)
    suffixes = {s: -float(w) for s, w in data["suffix"]["id"].items()}
    suffixes.update({s: float(w) for s, w in data["suffix"]["ms"].items()})
    return int(data["max_count"]), words, phrases, suffixes


def malay_evidence(text: str) -> tuple[float, list[str]]:
    """Log-odds for Malay over Indonesian (positive = ms) and the markers that fired."""
    max_count, words, phrases, suffixes = _markers()
    tokens = [t.lower() for t in _WORD.findall(text)]
    found: Counter[str] = Counter()
    for tok in tokens:
        if tok in words:
            found[tok] += 1
        elif len(tok) > 6:
            for suffix in suffixes:
                if tok.endswith(suffix):
                    found["-" + suffix] += 1
    if phrases:
        joined = " " + " ".join(tokens) + " "
        for phrase in phrases:
            n = joined.count(" " + phrase + " ")
            if n:
                found[phrase] += n
    score = 0.0
    for key, n in found.items():
        weight = suffixes[key[1:]] if key.startswith("-") else words.get(key, phrases.get(key, 0.0))
        score += weight * min(n, max_count)
    fired = [k for k in found if (suffixes.get(k[1:]) if k.startswith("-") else words.get(k, phrases.get(k)))]
    return score, sorted(fired)
