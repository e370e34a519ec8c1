"""Texts per second: the langid detector vs lingua (restricted to the pipeline's languages) and langdetect.

All three run on the same seed sentences in the same run, after one warm-up pass that loads the models. The
timed passes alternate between the systems (`REPEATS` rounds, each system once per round, so a busy spell on a
shared machine hits all of them alike); each rate is the median over the rounds, each ratio the median of the
per-round ratios.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 9


def _sentences() -> list[str]:
    from pipeline.stages.segment import split_sentences

    out = []
    for path in sorted((ROOT / "data" / "raw").glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        out += [text[a:b] for a, b in split_sentences(text) if b - a >= 10]
    return out


def _rate(fn: Callable[[str], object], texts: list[str]) -> float:
    started = time.perf_counter()
    for t in texts:
        fn(t)
    return len(texts) / (time.perf_counter() - started)


def run() -> dict:
    """Time each system on every seed sentence."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    from pipeline.config import LangidConfig
    from pipeline.langid import LanguageDetector
    from pipeline.langid.anchors import langdetect_label

    sentences = _sentences()
    detector = LanguageDetector()
    # lingua as a user would restrict it: the pipeline's languages (Chinese included, one model for both scripts).
    codes = [*LangidConfig().lingua_languages, "zh"]
    lingua = LanguageDetectorBuilder.from_languages(
        *[Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in codes]).build()
    systems: dict[str, Callable[[str], object]] = {
        "langid": detector.detect,
        "lingua_restricted": lingua.detect_language_of,
        "langdetect": langdetect_label,
    }
    for fn in systems.values():  # load models outside the timing (a sample that covers every seed's script)
        for s in sentences[::5]:
            fn(s)
    rounds: dict[str, list[float]] = {name: [] for name in systems}
    for _ in range(REPEATS):
        for name, fn in systems.items():
            rounds[name].append(_rate(fn, sentences))

    def per_round(other: str) -> list[float]:
        return [a / b for a, b in zip(rounds["langid"], rounds[other], strict=True)]

    vs_lingua = per_round("lingua_restricted")
    return {
        "texts": len(sentences),
        "repeats": REPEATS,
        **{f"{name}_texts_per_s": round(statistics.median(r), 1) for name, r in rounds.items()},
        "vs_lingua_restricted": round(statistics.median(vs_lingua), 2),
        "vs_lingua_restricted_range": [round(min(vs_lingua), 2), round(max(vs_lingua), 2)],
        "vs_langdetect": round(statistics.median(per_round("langdetect")), 2),
    }
