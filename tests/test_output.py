"""The output contract over the seed output: schema, order, offsets, sentence coverage."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.schemas import validate_output
from tests.conftest import SEEDS


def load(out: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (out / name).read_text(encoding="utf-8").splitlines()]


def test_seed_output_matches_json_schemas(seed_output: Path) -> None:
    assert validate_output(seed_output) == []


def test_seed_output_has_every_seed_in_contract_order(seed_output: Path) -> None:
    articles = load(seed_output, "articles.jsonl")
    assert [a["source"] for a in articles] == [p.name for p in SEEDS]
    assert all(a["text"].strip() for a in articles)
    raw = (seed_output / "articles.jsonl").read_bytes()
    assert b"\\u" not in raw  # UTF-8, no ASCII escaping


def test_doc_id_is_sha256_prefix_of_raw_bytes(seed_output: Path) -> None:
    import hashlib

    for article, path in zip(load(seed_output, "articles.jsonl"), SEEDS, strict=True):
        assert article["doc_id"] == hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def test_sentences_cover_every_non_space_character_in_order(seed_output: Path) -> None:
    for article in load(seed_output, "articles.jsonl"):
        text, covered, last_end = article["text"], set(), 0
        for span in article["sentences"]:
            assert last_end <= span["start"] < span["end"] <= len(text)
            last_end = span["end"]
            covered.update(range(span["start"], span["end"]))
        assert {i for i, ch in enumerate(text) if not ch.isspace()} <= covered


def test_mention_offsets_slice_exactly(seed_output: Path) -> None:
    articles = {a["doc_id"]: a for a in load(seed_output, "articles.jsonl")}
    count = 0
    for article in articles.values():
        for entity in article["entities"]:
            for m in entity["mentions"]:
                base = article["text"] if m["field"] == "text" else article["translation"]["text"]
                assert base[m["start"] : m["end"]] == m["text"]
                count += 1
    mentions = load(seed_output, "mentions.jsonl")
    assert len(mentions) == count
    for row in mentions:
        article = articles[row["doc_id"]]
        base = article["text"] if row["field"] == "text" else article["translation"]["text"]
        assert base[row["start"] : row["end"]] == row["text"]
        if row["field"] == "text":
            span = article["sentences"][row["sentence"]]
            assert span["start"] <= row["start"] < span["end"]


def test_translation_status_agrees_with_translation(seed_output: Path) -> None:
    for article in load(seed_output, "articles.jsonl"):
        status, translation = article["translation_status"], article["translation"]
        if status == "translated":
            assert translation is not None
            assert len(translation["sentences"]) == len(article["sentences"])
            for span in translation["sentences"]:
                assert 0 <= span["start"] <= span["end"] <= len(translation["text"])
        else:
            assert translation is None
        if article["lang"] in ("en", "en-mt"):
            assert status == "source-is-english"


def test_manifest_and_resolved_config(seed_output: Path) -> None:
    manifest = json.loads((seed_output / "manifest.json").read_text())
    for key in ("inputs", "processed", "unchanged", "rejected", "seconds", "pipeline_version", "config_hash"):
        assert key in manifest
    assert manifest["inputs"] == len(SEEDS)
    resolved = (seed_output / "config.resolved.toml").read_text()
    assert manifest["config_hash"] in resolved
