"""Near-duplicates: generated copies are found, unrelated seeds are not, the flag survives re-runs."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from pipeline.article import Article
from pipeline.cleaning import clean_article, load_patterns
from pipeline.config import Config
from pipeline.dedup import near_duplicates, signatures
from pipeline.stages.segment import split_sentences
from tests.conftest import SEEDS, run_cli

CONFIG = Config()
N = CONFIG.near_duplicates.num_perm
NEAR = CONFIG.near_duplicates
LANGS = {"000": "id", "001": "vi", "002": "en-mt", "003": "zh-Hant", "004": "en-mt"}


def mutate(text: str, share: float, seed: int) -> str:
    """The text with `share` of its sentences rewritten (words or characters shuffled) and other chrome."""
    rng = random.Random(seed)
    spans = split_sentences(text)
    chosen = set(rng.sample(range(len(spans)), max(1, round(share * len(spans)))))
    out, last = [], 0
    for i, (a, b) in enumerate(spans):
        out.append(text[last:a])
        piece = text[a:b]
        if i in chosen:
            units = piece.split() if " " in piece else list(piece)
            rng.shuffle(units)
            piece = (" " if " " in piece else "").join(units)
        out.append(piece)
        last = b
    out.append(text[last:])
    chrome = ["Home > News > Business", "Related articles", "• Another story", "© 2024 Example Media"]
    return "\n".join([chrome[0], "".join(out), *chrome[1:]])


def article(source: str, raw: str, lang: str, published: str | None = None,
            translation: str | None = None) -> Article:
    cleaned = clean_article(raw, "txt", {}, load_patterns())
    doc = Article(doc_id=source.replace("/", "_"), source=source, text=cleaned.text, lang=lang,
                  published=published or cleaned.published)
    if translation is not None:
        doc.translation = {"text": translation}
    doc.fingerprint = signatures(doc, N)
    return doc


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_near_duplicate_generated_copy_flagged(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    lang = LANGS[path.name[:3]]
    original = article("a/original.txt", raw, lang)
    copy = article("b/copy.txt", mutate(original.text, 0.10, seed=len(raw)), lang)
    assert copy.text != original.text and "Home > News" not in copy.text and "Example Media" not in copy.text
    assert near_duplicates([copy, original], NEAR) == {copy.doc_id: original.doc_id}


def test_near_duplicate_heavily_changed_copy_not_flagged() -> None:
    original = article("a.txt", SEEDS[2].read_text(encoding="utf-8"), "en-mt")
    copy = article("b.txt", mutate(original.text, 0.6, seed=1), "en-mt")
    assert near_duplicates([original, copy], NEAR) == {}


def test_near_duplicate_unrelated_seeds_not_flagged() -> None:
    docs = [article(p.name, p.read_text(encoding="utf-8"), LANGS[p.name[:3]]) for p in SEEDS]
    assert all(len(d.fingerprint) in (N, 2 * N) for d in docs)
    assert near_duplicates(docs, NEAR) == {}


def test_near_duplicate_later_by_published_then_source() -> None:
    raw = SEEDS[0].read_text(encoding="utf-8")
    early = article("z/late-name.txt", raw, "id", published="2022-04-20")
    late = article("a/early-name.txt", mutate(raw, 0.1, seed=3), "id", published="2022-05-01T10:00:00")
    assert near_duplicates([early, late], NEAR) == {late.doc_id: early.doc_id}
    undated = article("a/x.txt", mutate(raw, 0.1, seed=4), "id", published="")
    undated.published = None
    result = near_duplicates([early, undated], NEAR)
    assert result == {early.doc_id: undated.doc_id}  # no date on one side: the source path decides


def test_near_duplicate_translation_links_to_english_copy() -> None:
    english = article("en/copy.txt", SEEDS[4].read_text(encoding="utf-8"), "en-mt")
    # A Chinese article whose own translation reads like the English copy with some words changed.
    rng = random.Random(7)
    words = english.text.split()
    for i in rng.sample(range(len(words)), len(words) // 8):
        words[i] = words[i][::-1]
    source = article("zh/orig.txt", "阿里巴巴电商十三年：张勇的功与过。\n" * 3, "zh-Hans", published="2022-05-06",
                     translation=" ".join(words))
    english.published = "2022-05-07T18:28:59"
    assert len(source.fingerprint) == len(english.fingerprint) == 2 * N
    assert near_duplicates([english, source], NEAR) == {english.doc_id: source.doc_id}


def test_near_duplicate_skips_missing_or_foreign_fingerprints() -> None:
    a = Article(doc_id="a", source="a.txt", fingerprint=[])
    b = Article(doc_id="b", source="b.txt", fingerprint=[1, 2, 3])
    assert near_duplicates([a, b], NEAR) == {}


def read_flags(out: Path) -> dict[str, list[str]]:
    return {r["source"]: r["flags"] for r in map(json.loads, (out / "articles.jsonl").read_text().splitlines())}


def test_near_duplicate_flag_survives_incremental_run(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    (raw / "a").mkdir(parents=True)
    (raw / "b").mkdir()
    shutil.copy(SEEDS[2], raw / "a" / "original.txt")
    base = clean_article(SEEDS[2].read_text(encoding="utf-8"), "txt", {}, load_patterns()).text
    (raw / "b" / "copy.txt").write_text(mutate(base, 0.1, seed=11), encoding="utf-8")
    shutil.copy(SEEDS[0], raw / "a" / "other.txt")

    first = run_cli("run", "--raw", str(raw), "--out", str(out))
    assert first.returncode == 0, first.stderr
    records = {r["source"]: r for r in map(json.loads, (out / "articles.jsonl").read_text().splitlines())}
    expected = f"near-duplicate-of:{records['a/original.txt']['doc_id']}"
    assert expected in records["b/copy.txt"]["flags"]
    assert not any(f.startswith("near-duplicate-of:") for f in records["a/original.txt"]["flags"])
    assert not any(f.startswith("near-duplicate-of:") for f in records["a/other.txt"]["flags"])
    before = (out / "articles.jsonl").read_bytes()

    second = run_cli("run", "--raw", str(raw), "--out", str(out))  # nothing to process: all from cache
    assert second.returncode == 0, second.stderr
    assert (out / "articles.jsonl").read_bytes() == before
    assert json.loads((out / "manifest.json").read_text())["processed"] == 0

    shutil.copy(SEEDS[1], raw / "a" / "new.txt")  # one more input: the flag is recomputed, not lost
    third = run_cli("run", "--raw", str(raw), "--out", str(out))
    assert third.returncode == 0, third.stderr
    assert expected in read_flags(out)["b/copy.txt"]


def dup_index_over(docs: list[Article]) -> tuple[object, dict[str, int]]:
    """A DupIndex in a fresh in-memory run index holding docs; uid by source."""
    import sqlite3

    import numpy as np

    from pipeline.dedup import DupIndex
    from pipeline.store import INDEX_SCHEMA

    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript(INDEX_SCHEMA)
    index = DupIndex(db, NEAR)
    uids = {}
    for doc in docs:
        uids[doc.source] = add_doc(db, index, doc, np)
    index.settle()
    return index, uids


def add_doc(db: object, index: object, doc: Article, np: object) -> int:
    from pipeline.dedup import Entry

    cur = db.execute("INSERT INTO units(source, path, doc_id, lang, published, fp) VALUES (?, ?, ?, ?, ?, ?)",  # type: ignore[attr-defined]
                     (doc.source, doc.source, doc.doc_id, doc.lang, doc.published,
                      np.asarray(doc.fingerprint, dtype=np.uint64).tobytes()))  # type: ignore[attr-defined]
    fp = np.asarray(doc.fingerprint, dtype=np.uint64)  # type: ignore[attr-defined]
    index.add(Entry(cur.lastrowid, doc.doc_id, doc.source, doc.lang, doc.published, fp))  # type: ignore[attr-defined]
    return int(cur.lastrowid)


def index_targets(index: object) -> dict[str, str]:
    rows = index.db.execute("SELECT doc_id, dup FROM units WHERE dup IS NOT NULL")  # type: ignore[attr-defined]
    return dict(rows.fetchall())


def test_dup_index_equals_in_memory_search_through_adds_and_removals() -> None:
    """The persistent index, updated article by article, flags exactly what a rebuild over the corpus flags."""
    import numpy as np

    docs = [article(p.name, p.read_text(encoding="utf-8"), LANGS[p.name[:3]], published=f"2022-0{i + 1}-01")
            for i, p in enumerate(SEEDS)]
    for i, original in enumerate(list(docs)):
        for k in range(3):  # three copies of each seed, dated before and after it
            docs.append(article(f"copy/{i}-{k}.txt", mutate(original.text, 0.1, seed=10 * i + k), original.lang,
                                published=f"2022-0{i + 1}-0{k * 2 + 1}"))
    index, uids = dup_index_over(docs)
    expected = near_duplicates(docs, NEAR)
    assert len(expected) >= 10
    assert index_targets(index) == expected


    removed = [d for d in docs if d.source.endswith("-0.txt") or d.source == SEEDS[1].name]
    for doc in removed:  # delete the earliest copies and one original: the others point elsewhere now
        entry = next(index.load([uids[doc.source]]))  # type: ignore[attr-defined]
        index.remove(entry)  # type: ignore[attr-defined]
        index.db.execute("DELETE FROM units WHERE uid = ?", (entry.uid,))  # type: ignore[attr-defined]
    added = article("late/copy.txt", mutate(docs[3].text, 0.05, seed=99), docs[3].lang, published="2021-01-01")
    add_doc(index.db, index, added, np)  # type: ignore[attr-defined]
    index.settle()  # type: ignore[attr-defined]
    remaining = [d for d in docs if d not in removed] + [added]
    expected_after = near_duplicates(remaining, NEAR)
    assert expected_after != expected
    assert index_targets(index) == expected_after
