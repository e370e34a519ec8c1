"""Distinct generated articles at any size: sentences of one language recombined, names and numbers varied.

Sentence pools per language come from the seeds and, when `../shared` is present, from the development
texts (`dev/langid_dev.jsonl`, the body lines of `dev/realworld/gold.jsonl`); they are read at run time and
never copied into the repository. Each article takes 6-14 sentences of one language at random, with its
numbers redrawn and a name from a small list put into its title, so two articles share few shingles and
near-duplicates are rare (as in a real corpus), while the text stays real news language for every stage.
"""

from __future__ import annotations

import json
import random
import re
from functools import lru_cache
from pathlib import Path

from bench.corpus import SEEDS
from pipeline.config import SHARED
from pipeline.stages.segment import split_sentences

SEED_LANGS = {"000": "id", "001": "vi", "002": "en-mt", "003": "zh-Hant", "004": "en-mt"}
NAMES = ["Alibaba", "Tencent", "Tokopedia", "Shopee", "Grab", "Vingroup", "Gojek", "Lazada", "ByteDance", "JD.com",
         "Jack Ma", "Pony Ma", "Nadiem Makarim", "Phạm Nhật Vượng", "William Tanuwijaya", "Anthony Tan", "Jakarta",
         "Hà Nội", "Singapore", "Hangzhou", "Shenzhen", "Surabaya", "Đà Nẵng", "Beijing", "Kuala Lumpur", "Meituan"]
_DIGITS = re.compile(r"\d+")


@lru_cache(maxsize=1)
def pools() -> dict[str, list[str]]:
    """Sentences by language, deduplicated, at least 25 characters."""
    texts: list[tuple[str, str]] = [(SEED_LANGS[p.name[:3]], p.read_text(encoding="utf-8")) for p in SEEDS]
    langid_dev = SHARED / "dev" / "langid_dev.jsonl"
    if langid_dev.exists():
        texts += [(r["lang"], r["text"]) for r in map(json.loads, langid_dev.read_text(encoding="utf-8").splitlines())]
    gold = SHARED / "dev" / "realworld" / "gold.jsonl"
    if gold.exists():
        for r in map(json.loads, gold.read_text(encoding="utf-8").splitlines()):
            texts.append((r["lang"], "\n".join(r.get("body") or [])))
    out: dict[str, set[str]] = {}
    for lang, text in texts:
        for a, b in split_sentences(text):
            sentence = text[a:b].strip()
            if len(sentence) >= 25:
                out.setdefault(lang, set()).add(sentence)
    return {lang: sorted(s) for lang, s in sorted(out.items()) if len(s) >= 10}


def article(rng: random.Random, lang: str) -> str:
    """One generated article (title line, then paragraphs of 2-4 sentences)."""
    pool = pools()[lang]
    sentences = [_DIGITS.sub(lambda m: str(rng.randint(1, 10 ** len(m.group()))), s)
                 for s in rng.sample(pool, min(len(pool), rng.randint(6, 14)))]
    sep = "" if lang.startswith("zh") else " "
    title = f"{rng.choice(NAMES)}{sep}{sentences[0][:50]}"
    paragraphs, i = [], 1
    while i < len(sentences):
        k = rng.randint(2, 4)
        paragraphs.append(sep.join(sentences[i: i + k]))
        i += k
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def write_articles(folder: Path, start: int, count: int, seed: int = 17) -> None:
    """Articles number start .. start+count-1 as folder/NNN/NNNNNN.txt (the same number, the same article)."""
    langs = list(pools())
    for i in range(start, start + count):
        rng = random.Random(seed * 1_000_003 + i)
        path = folder / f"{i // 1000:03d}" / f"{i:06d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article(rng, langs[i % len(langs)]), encoding="utf-8")
