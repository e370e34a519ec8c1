"""Checks on the knowledge-base data files (pipeline/entities/kb/*.yaml): shape, ids, ambiguity, coverage."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import SHARED

KB_DIR = Path(__file__).resolve().parent.parent / "pipeline" / "entities" / "kb"
ID_RE = re.compile(r"^Q[1-9]\d*$|^x:[a-z0-9-]+$")
TYPES = {"ORG", "PERSON", "PRODUCT", "GPE"}
LANGS = {"en", "zh", "id", "vi"}
KEYS = {"id", "name", "type", "aliases", "calques", "ambiguous", "context_words", "related", "parent",
        "employers", "note"}


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def fold(text: str) -> str:
    """Matching key: Simplified script, NFC, case-folded (the linker folds the same way)."""
    return unicodedata.normalize("NFKC", _t2s().convert(text)).casefold()


@lru_cache(maxsize=1)
def entries() -> list[dict[str, Any]]:
    """Every entry of every KB file, with the file name under '_file'."""
    out = []
    for path in sorted(KB_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, list), f"{path.name}: not a list"
        for item in data:
            assert isinstance(item, dict), f"{path.name}: entry is not a mapping: {item!r}"
            out.append({**item, "_file": path.name})
    return out


def surfaces(entry: dict[str, Any]) -> list[str]:
    """Name, aliases of every language and calques of one entry."""
    out = [entry["name"]]
    for forms in (entry.get("aliases") or {}).values():
        out.extend(forms or [])
    out.extend(entry.get("calques") or [])
    return [str(s) for s in out]


def test_kb_entries_have_valid_shape() -> None:
    bad = []
    for e in entries():
        where = f"{e['_file']}:{e.get('id')}"
        if set(e) - KEYS - {"_file"}:
            bad.append(f"{where}: unknown keys {set(e) - KEYS - {'_file'}}")
        if not ID_RE.match(str(e.get("id", ""))):
            bad.append(f"{where}: bad id")
        if e.get("type") not in TYPES:
            bad.append(f"{where}: bad type {e.get('type')}")
        if not isinstance(e.get("name"), str) or not e["name"].strip():
            bad.append(f"{where}: no name")
        aliases = e.get("aliases") or {}
        if not isinstance(aliases, dict) or set(aliases) - LANGS:
            bad.append(f"{where}: aliases must be a mapping over {sorted(LANGS)}")
        for lang, forms in aliases.items():
            if not isinstance(forms, list) or not all(isinstance(f, str) and f.strip() for f in forms):
                bad.append(f"{where}: aliases.{lang} must be a list of non-empty strings")
        for key in ("calques", "ambiguous", "related", "employers"):
            value = e.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                bad.append(f"{where}: {key} must be a list of strings")
        if e.get("employers") and e.get("type") != "PERSON":
            bad.append(f"{where}: employers only on PERSON")
    assert not bad, "\n".join(bad)


def test_kb_ids_are_unique_and_links_resolve() -> None:
    ids = [e["id"] for e in entries()]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"repeated ids: {dupes}"
    known = set(ids)
    dangling = []
    for e in entries():
        links = [*(e.get("related") or []), *(e.get("employers") or []), *([e["parent"]] if e.get("parent") else [])]
        dangling += [(e["id"], t) for t in links if t not in known]
    assert not dangling, f"links to unknown ids: {dangling}"


def test_kb_ambiguous_forms_are_declared() -> None:
    bad = [(e["id"], a) for e in entries() for a in e.get("ambiguous") or []
           if fold(a) not in {fold(s) for s in surfaces(e)}]
    assert not bad, f"ambiguous forms that are not aliases or calques: {bad}"


def test_kb_shared_alias_is_ambiguous_in_every_claimant() -> None:
    claims: dict[str, set[str]] = defaultdict(set)
    by_id = {e["id"]: e for e in entries()}
    for e in entries():
        for s in surfaces(e):
            claims[fold(s)].add(e["id"])
    bad = []
    for key, owners in sorted(claims.items()):
        if len(owners) > 1:
            unmarked = [o for o in owners if key not in {fold(a) for a in by_id[o].get("ambiguous") or []}]
            if unmarked:
                bad.append(f"{key!r}: {sorted(owners)} (not ambiguous in {unmarked})")
    assert not bad, "\n".join(bad)


def test_kb_short_uppercase_aliases_are_not_common_words() -> None:
    # All-uppercase aliases of up to 4 letters match case-sensitively; a mixed-case short alias would not,
    # so 2-letter aliases must be all-uppercase (e.g. 'AS' for the United States in Indonesian).
    bad = [(e["id"], s) for e in entries() for s in surfaces(e)
           if re.fullmatch(r"[A-Za-z]{1,2}", s) and not s.isupper()]
    assert not bad, f"short mixed-case aliases: {bad}"


def test_kb_calques_are_not_also_plain_aliases() -> None:
    bad = []
    for e in entries():
        plain = {fold(s) for forms in (e.get("aliases") or {}).values() for s in forms or []}
        bad += [(e["id"], c) for c in e.get("calques") or [] if fold(c) in plain]
    assert not bad, f"calques repeated as aliases: {bad}"


def test_kb_covers_the_field() -> None:
    by_type: dict[str, int] = defaultdict(int)
    for e in entries():
        by_type[e["type"]] += 1
    assert len(entries()) >= 250
    assert all(by_type[t] >= 25 for t in TYPES), dict(by_type)


def test_built_kb_covers_the_field() -> None:
    # The built KB (make kb): open sources plus these reviewed files.
    from pipeline.entities.kb import load_kb

    built = load_kb()
    by_type: dict[str, int] = defaultdict(int)
    for e in built:
        by_type[e.type] += 1
    assert len(built) >= 10_000, len(built)
    assert sum(e.id.startswith("Q") for e in built) >= 3_000
    assert all(by_type[t] >= 100 for t in TYPES), dict(by_type)
    reviewed = {e["id"] for e in entries()}
    assert reviewed <= {e.id for e in built}, "a reviewed entry is missing from built.jsonl: run make kb"


def _flores(name: str) -> list[str]:
    """Sentences of one FLORES devtest file, read from the packed archive (never unpacked into the repo)."""
    import tarfile

    with tarfile.open(SHARED / "data" / "flores.tar.gz") as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(f"devtest/{name}.devtest"))
        handle = tar.extractfile(member)
        assert handle is not None
        return handle.read().decode("utf-8").splitlines()


@pytest.mark.shared
@pytest.mark.parametrize("lang", ["en", "en-mt"])
def test_kb_general_news_has_no_lowercase_links(lang: str) -> None:
    # Edited English capitalises names, so a link on an all-lowercase word in general news (FLORES:
    # wiki news, travel, science) is a common word claimed by a brand ('zoom', 'honor', 'alphabet').
    from pipeline.entities.kb import load_kb
    from pipeline.entities.linker import Linker, LinkField, scopes_for

    linker = Linker(load_kb())
    lines = _flores("eng_Latn")
    scopes = scopes_for(lang)
    bad = []
    for i in range(0, len(lines), 10):
        text = " ".join(lines[i:i + 10])
        for m in linker.link([LinkField("text", text, lambda _: scopes)]):
            surface = text[m.start:m.end]
            if surface.islower():
                bad.append((surface, linker.entries[m.entity].name))
    assert not bad, sorted(set(bad))
