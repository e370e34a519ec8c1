"""Entity-stage throughput (chars/s) on the seeds, and how matching cost grows with KB size."""

from __future__ import annotations

import random
import time
from pathlib import Path

from pipeline.article import Article
from pipeline.entities.extract import Extractor
from pipeline.entities.kb import Entry, load_kb
from pipeline.stages.segment import split_sentences

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
LANGS = {"000": "id", "001": "vi", "002": "en-mt", "003": "zh-Hant", "004": "en-mt"}
_SYLLABLES = ["ka", "lo", "mi", "ra", "tu", "shen", "bao", "xin", "da", "wei", "ton", "ri"]
_HANZI = "龙凤华新星宇腾飞海天金银科创联合智云"


def synthetic(n: int, seed: int = 0) -> list[Entry]:
    """n made-up entities with Latin and Chinese aliases, to grow the KB without real data."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        latin = "".join(rng.choice(_SYLLABLES) for _ in range(3)).title() + f" {rng.choice(['Group', 'Tech', 'Labs'])}"
        han = "".join(rng.choice(_HANZI) for _ in range(4)) + str(i)
        out.append(Entry(id=f"x:synthetic-{i}", name=f"{latin} {i}", type="ORG",
                         aliases={"en": (f"{latin} {i}", f"{latin}{i}"), "zh": (han,)}))
    return out


def articles(repeat: int) -> list[Article]:
    docs = []
    for path in sorted(RAW.glob("[0-9][0-9][0-9]_*.txt")):
        text = "\n".join([path.read_text(encoding="utf-8")] * repeat)
        lang = LANGS.get(path.name[:3], "en")
        docs.append(Article(doc_id=path.stem, source=path.name, text=text, lang=lang,
                            sentences=[{"start": a, "end": b, "lang": lang} for a, b in split_sentences(text)]))
    return docs


def throughput(extractor: Extractor, docs: list[Article], rounds: int = 5) -> float:
    chars = sum(len(d.text) for d in docs)
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for doc in docs:
            extractor.extract(doc)
        best = min(best, time.perf_counter() - started)
    return chars / best


def run() -> dict:
    """Numbers for bench/results.json."""
    started = time.perf_counter()
    shipped = load_kb()
    loaded = time.perf_counter() - started
    docs = articles(repeat=4)
    out: dict = {"chars": sum(len(d.text) for d in docs), "kb_shipped": len(shipped), "kb_load_s": round(loaded, 2)}
    out["chars_per_s_shipped_kb"] = round(throughput(Extractor(shipped, ner=False), docs))
    out["chars_per_s_link_only"] = round(throughput(Extractor(shipped, ner=False, values=False), docs))
    scaling = {}
    # Cost against KB size alone: the same 1,000 real entries (so the same names occur in the text), grown with
    # synthetic entries to 10k and 50k. Sizes are timed in turn, best of 5, so machine load hits them alike.
    built = {}
    for size in (1_000, 10_000, 50_000):
        started = time.perf_counter()
        built[size] = Extractor(shipped[:1_000] + synthetic(size - 1_000), ner=False, values=False)
        scaling[str(size)] = {"build_s": round(time.perf_counter() - started, 3), "patterns": built[size].linker.size}
    chars = sum(len(d.text) for d in docs)
    best = dict.fromkeys(built, float("inf"))
    for _ in range(5):
        for size, ex in built.items():
            started = time.perf_counter()
            for doc in docs:
                ex.extract(doc)
            best[size] = min(best[size], time.perf_counter() - started)
    for size in built:
        scaling[str(size)]["chars_per_s"] = round(chars / best[size])
    out["kb_size_scaling"] = scaling
    return out
