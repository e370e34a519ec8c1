"""Texts per second: the langid detector vs lingua (restricted to the pipeline's languages) and langdetect.

All three run on the same seed sentences in the same run, after one warm-up pass that loads the models.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
    return round(len(texts) / (time.perf_counter() - started), 1)


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
    rates = {name: _rate(fn, sentences) for name, fn in systems.items()}
    return {
        "texts": len(sentences),
        **{f"{name}_texts_per_s": r for name, r in rates.items()},
        "vs_lingua_restricted": round(rates["langid"] / rates["lingua_restricted"], 2),
        "vs_langdetect": round(rates["langid"] / rates["langdetect"], 2),
    }
