"""Real-world evaluation: the scoring rules on hand-built cases, and one run over the dev set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.eval import realworld as rw


def gold(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {"source": "a.txt", "lang": "en", "title": None, "title_alt": [], "published": None,
                               "boilerplate": [], "body": [], "entities": None}
    return {**base, **kw}


def out(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {"source": "a.txt", "lang": "en", "title": None, "published": None, "text": "",
                               "entities": []}
    return {**base, **kw}


def test_norm_ignores_whitespace_and_width() -> None:
    assert rw.norm("Ａ b\n c\u3000d") == "Abcd"


def test_input_format_of_sources() -> None:
    assert rw.input_format("x/y.HTM") == "html"
    assert rw.input_format("b.jsonl#12") == "jsonl"
    assert rw.input_format("c.txt") == "txt"


def test_long_boilerplate_survives_anywhere_short_only_as_whole_line() -> None:
    text = "Headline\nBody goes on. Share this story with your friends today\nMenu\nMore menu items here"
    long_line = "Share this story with your friends today"
    assert rw.boilerplate_survivors([long_line], text) == [long_line]
    assert rw.boilerplate_survivors(["Menu"], text) == ["Menu"]
    # A short line inside a longer cleaned line does not count as surviving.
    assert rw.boilerplate_survivors(["items"], text) == []
    assert rw.boilerplate_survivors(["Not there at all, not even close"], text) == []


def test_body_sentence_kept_across_rewrapping() -> None:
    text = "One sentence that was\nwrapped over lines."
    assert rw.body_lost(["One sentence that was wrapped over lines."], text) == []
    assert rw.body_lost(["A sentence that is gone."], text) == ["A sentence that is gone."]


def test_title_matches_title_or_alternative() -> None:
    assert rw.title_correct("Big  news", "Big news")
    assert rw.title_correct("Big news - Site", "Big news", ["Big news - Site"])
    assert not rw.title_correct("Other", "Big news", ["Big news - Site"])
    assert not rw.title_correct(None, "Big news")


def test_date_on_first_ten_characters() -> None:
    assert rw.date_correct("2020-01-02T10:00:00+08:00", "2020-01-02")
    assert not rw.date_correct("2020-01-03", "2020-01-02")
    assert not rw.date_correct(None, "2020-01-02")


def test_entity_matching_by_qid_name_or_surface() -> None:
    g = {"name": "Acme Group", "qid": "Q1", "type": "ORG", "surface": ["Acme", "ACME Grp"]}
    assert rw.entity_matches({"kb_id": "Q1", "name": "x", "mentions": []}, g)
    assert rw.entity_matches({"kb_id": None, "name": "acme group", "mentions": []}, g)
    assert rw.entity_matches({"kb_id": None, "name": "x", "mentions": [{"text": "acme grp"}]}, g)
    assert not rw.entity_matches({"kb_id": "Q2", "name": "Acme", "mentions": [{"text": "Acme Inc"}]}, g)


def test_entity_pairs_are_one_to_one_and_not_stolen_by_order() -> None:
    golds = [{"name": "A", "qid": None, "type": "ORG", "surface": ["A", "B"]},
             {"name": "B", "qid": None, "type": "ORG", "surface": ["B"]}]
    preds = [{"name": "B", "mentions": []}, {"name": "A", "mentions": []}]
    # pred 0 ("B") could pair with gold 0 by surface; the matching still finds two pairs.
    assert rw.pair_entities(preds, golds) == {0: 1, 1: 0}
    assert rw.pair_entities([{"name": "A", "mentions": []}, {"name": "a", "mentions": []}], golds[:1]) == {0: 0}


def test_score_counts_every_kind() -> None:
    golds = [
        gold(source="a.txt", title="T", published="2021-03-04", boilerplate=["Share", "All rights reserved here."],
             body=["Body one."],
             entities=[{"name": "Acme", "qid": None, "type": "ORG", "surface": ["Acme"]},
                       {"name": "Bob", "qid": None, "type": "PERSON", "surface": ["Bob"]}]),
        gold(source="b.jsonl#1", lang="vi", published=None, body=["Hai."]),
        gold(source="c.html", title="X", published="2020-01-01"),
    ]
    outputs = {
        "a.txt": out(source="a.txt", title="T", published="2021-03-04", text="T\nBody one.\nShare",
                     entities=[{"name": "Acme", "label": "ORG", "kb_id": None, "mentions": [{"text": "Acme"}]},
                               {"name": "Zed", "label": "GPE", "kb_id": None, "mentions": [{"text": "Zed"}]},
                               {"name": "2021", "label": "DATE", "kb_id": None, "mentions": [{"text": "2021"}]}]),
        "b.jsonl#1": out(source="b.jsonl#1", lang="en", title="Spurious", published="2020-05-05", text="Hai."),
    }
    s = rw.score(golds, outputs)
    o = s.overall
    assert (o.articles, o.rejected) == (3, 1)
    assert (o.lang.hits, o.lang.total) == (1, 3)
    assert (o.boilerplate_removed.hits, o.boilerplate_removed.total) == (1, 2)
    assert (o.body_kept.hits, o.body_kept.total) == (2, 2)
    assert (o.title.hits, o.title.total) == (1, 2)
    assert (o.title_spurious.hits, o.title_spurious.total) == (1, 1)
    assert (o.date.hits, o.date.total) == (1, 2)
    assert (o.date_spurious.hits, o.date_spurious.total) == (1, 1)
    assert (o.entities.tp, o.entities.fp, o.entities.fn) == (1, 1, 1)
    assert s.entity_recall_by_type["PERSON"].hits == 0
    assert s.by_format["jsonl"].title_spurious.hits == 1
    assert s.by_lang["vi"].lang.hits == 0
    assert {e["kind"] for e in s.errors} >= {"rejected", "boilerplate", "entity-missed", "entity-spurious",
                                             "title-spurious", "date-spurious", "lang"}
    json.dumps(s.as_dict())  # serialisable
    assert "overall" in rw.render(s)


@pytest.mark.shared
@pytest.mark.slow
def test_realworld_eval_runs(shared: Path, tmp_path: Path) -> None:
    data = shared / "dev" / "realworld"
    report = tmp_path / "scores.json"
    assert rw.main(["--data", str(data), "--out", str(tmp_path / "out"), "--json", str(report)]) == 0
    numbers = json.loads(report.read_text(encoding="utf-8"))
    overall = numbers["overall"]
    assert overall["articles"] == len(rw.read_jsonl(data / "gold.jsonl"))
    assert set(numbers["by_format"]) == {"html", "json", "jsonl", "txt"}
    # The cleaning targets on real pages (floors just under the measured values; see docs/cleaning.md).
    assert overall["rejected"] == 0
    assert overall["boilerplate_removed"]["value"] >= 0.95
    assert overall["body_kept"]["value"] >= 0.99
    assert overall["title"]["value"] >= 0.95
    assert overall["date"]["value"] >= 0.95
    # Re-scoring the same output without running gives the same numbers.
    assert rw.main(["--data", str(data), "--out", str(tmp_path / "out"), "--no-run", "--json", str(report)]) == 0
    assert json.loads(report.read_text(encoding="utf-8"))["overall"] == overall
