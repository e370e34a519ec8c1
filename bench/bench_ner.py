"""NER speed: tokens/second and characters/second per language through `find_many` (one process, CPU).

spaCy publishes 9.4k words/s on CPU for en_core_web_sm (full pipeline); ours run the NER alone.
"""

from __future__ import annotations

import time

from pipeline.ner import LANGS, load_ner
from pipeline.ner.data import char_spans, load_split

SENTENCES = 2000


def run() -> dict:
    """Load time and throughput per language on the first WikiANN test sentences (needs ../shared)."""
    out: dict[str, object] = {"reference_en_core_web_sm_words_per_s": 9400, "sentences_per_lang": SENTENCES}
    for lang in LANGS:
        started = time.perf_counter()
        model = load_ner(lang)
        load_s = time.perf_counter() - started
        if model is None:
            out[lang] = {"missing": True}
            continue
        texts = [char_spans(s)[0] for s in load_split(lang, "wikiann", "test")[:SENTENCES]]
        model.find_many(texts[:100])  # warm-up
        tokens = sum(len(model.nlp.make_doc(t)) for t in texts)
        chars = sum(len(t) for t in texts)
        started = time.perf_counter()
        model.find_many(texts)
        seconds = time.perf_counter() - started
        out[lang] = {
            "load_s": round(load_s, 2),
            "tokens": tokens,
            "tokens_per_s": round(tokens / seconds),
            "chars_per_s": round(chars / seconds),
            "seconds": round(seconds, 2),
        }
    return out
