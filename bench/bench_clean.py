"""Cleaning throughput and near-duplicate index cost on generated articles (1k and 10k)."""

from __future__ import annotations

import random
import time
from pathlib import Path

from pipeline.article import Article
from pipeline.cleaning import clean_article, load_patterns
from pipeline.config import Config
from pipeline.dedup import near_duplicates, signatures

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
CHROME = ["Home > News > Business", "SCROLL TO CONTINUE WITH CONTENT", "Baca juga: Berita lain hari ini",
          "Related articles", "• Another story", "© 2024 Example Media"]


def generate(count: int, seed: int = 0) -> list[tuple[str, str]]:
    """(source, raw text) pairs: seed lines with shuffled words, chrome lines, 1% near-copies."""
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))]
    lines = [line for text in texts for line in text.splitlines() if line.strip()]
    out: list[tuple[str, str]] = []
    for i in range(count):
        if out and rng.random() < 0.01:  # a near-copy of an earlier article: one line rewritten
            body = out[rng.randrange(len(out))][1].split("\n")
            j = rng.randrange(len(body))
            body[j] = " ".join(reversed(body[j].split()))
            out.append((f"gen/{i:06d}-copy.txt", "\n".join(body)))
            continue
        body = []
        for line in rng.sample(lines, 12):
            words = line.split() if " " in line else list(line)
            rng.shuffle(words)
            body.append((" " if " " in line else "").join(words))
        out.append((f"gen/{i:06d}.txt", "\n".join([CHROME[0], *body, *rng.sample(CHROME[1:], 3)])))
    return out


def _articles(items: list[tuple[str, str]], config: Config) -> tuple[list[Article], float, float]:
    patterns = load_patterns()
    docs = []
    t_clean = t_fp = 0.0
    for source, raw in items:
        started = time.perf_counter()
        cleaned = clean_article(raw, "txt", {}, patterns)
        t_clean += time.perf_counter() - started
        doc = Article(doc_id=source, source=source, text=cleaned.text, lang="und", published=cleaned.published)
        started = time.perf_counter()
        doc.fingerprint = signatures(doc, config.near_duplicates.num_perm)
        t_fp += time.perf_counter() - started
        docs.append(doc)
    return docs, t_clean, t_fp


def run() -> dict:
    config = Config()
    clean_article("warm up\n2022-05-07 10:00 x", "txt", {}, load_patterns())  # imports, compiled patterns
    warm, _, _ = _articles(generate(20, seed=1), config)
    near_duplicates(warm, config.near_duplicates)  # imports, so both sizes measure the index alone
    results: dict[str, float | int] = {}
    index_seconds = {}
    for count in (1_000, 10_000):
        docs, t_clean, t_fp = _articles(generate(count), config)
        started = time.perf_counter()
        found = near_duplicates(docs, config.near_duplicates)
        index_seconds[count] = time.perf_counter() - started
        results[f"clean_articles_per_s_{count}"] = round(count / t_clean, 1)
        results[f"fingerprint_articles_per_s_{count}"] = round(count / t_fp, 1)
        results[f"near_dup_index_s_{count}"] = round(index_seconds[count], 3)
        copies = {d.doc_id for d in docs if d.source.endswith("-copy.txt")}
        results[f"near_dup_per_article_us_{count}"] = round(index_seconds[count] / count * 1e6, 1)
        results[f"near_dup_injected_{count}"] = len(copies)
        results[f"near_dup_found_{count}"] = len(found)
        results[f"near_dup_injected_found_{count}"] = len(copies & set(found))
    results["near_dup_index_ratio_10k_over_1k"] = round(index_seconds[10_000] / index_seconds[1_000], 2)
    return results
