"""Sentences per second: the langid detector vs langdetect alone, on the same sentences in the same run."""

from __future__ import annotations

import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _sentences() -> list[str]:
    from pipeline.stages.segment import split_sentences

    out = []
    for path in sorted((ROOT / "data" / "raw").glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        out += [text[a:b] for a, b in split_sentences(text) if b - a >= 10]
    return out


def run() -> dict:
    """Time both on every seed sentence (after one warm-up pass that loads the models)."""
    from pipeline.langid import LanguageDetector
    from pipeline.langid.anchors import langdetect_label

    sentences = _sentences()
    detector = LanguageDetector()
    for s in sentences[:50]:  # load models outside the timing
        detector.detect(s)
        langdetect_label(s)
    started = time.perf_counter()
    for s in sentences:
        detector.detect(s)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    for s in sentences:
        langdetect_label(s)
    base = time.perf_counter() - started
    return {
        "sentences": len(sentences),
        "detector_sentences_per_s": round(len(sentences) / ours, 1),
        "langdetect_sentences_per_s": round(len(sentences) / base, 1),
        "speed_ratio": round(base / ours, 2),
    }
