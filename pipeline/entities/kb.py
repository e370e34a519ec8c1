"""The knowledge base: load the built entries (pipeline/entities/kb/built.jsonl, made by `make kb` from open
sources and the reviewed YAML overrides in the same folder), validate them, fold aliases."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

KB_DIR = Path(__file__).resolve().parent / "kb"
BUILT_NAME = "built.jsonl"
TYPES = ("ORG", "PERSON", "PRODUCT", "GPE")
ID_PATTERN = re.compile(r"^Q[1-9]\d*$|^x:[a-z0-9-]+$")
KNOWN_KEYS = {"id", "name", "type", "aliases", "calques", "ambiguous", "context_words", "related", "parent",
              "employers", "note", "countries", "source"}


class KBError(ValueError):
    """A knowledge base that cannot be used; the message lists every problem."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One knowledge-base entity."""

    id: str
    name: str
    type: str
    aliases: dict[str, tuple[str, ...]]  # language code -> surface forms
    calques: tuple[str, ...] = ()
    ambiguous: frozenset[str] = frozenset()  # folded forms
    context_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    related: tuple[str, ...] = ()
    parent: str | None = None
    employers: tuple[str, ...] = ()
    countries: frozenset[str] = frozenset()  # ISO 3166-1 codes where it operates (name-suggestion-index), lower case
    sources: tuple[str, ...] = ()  # where the entry comes from ("reviewed", "nsi", "cedict", ...)

    def links(self) -> set[str]:
        """Ids this entry names as related, parent or employer."""
        return {*self.related, *self.employers, *([self.parent] if self.parent else [])}


@lru_cache(maxsize=262_144)
def fold(text: str) -> str:
    """The matching form of a string: Simplified script, NFKC, case-folded."""
    from pipeline.script import to_simplified

    return unicodedata.normalize("NFKC", to_simplified(text)).casefold()


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def parse_entry(raw: dict[str, Any]) -> Entry:
    """One YAML mapping to an Entry (no validation beyond shape)."""
    aliases = {str(lang): tuple(_strings(forms)) for lang, forms in (raw.get("aliases") or {}).items()}
    context = {str(lang): tuple(_strings(words)) for lang, words in (raw.get("context_words") or {}).items()} \
        if isinstance(raw.get("context_words"), dict) else {"en": tuple(_strings(raw.get("context_words")))}
    return Entry(
        id=str(raw.get("id", "")),
        name=str(raw.get("name", "")),
        type=str(raw.get("type", "")),
        aliases=aliases,
        calques=tuple(_strings(raw.get("calques"))),
        ambiguous=frozenset(fold(a) for a in _strings(raw.get("ambiguous"))),
        context_words=context,
        related=tuple(_strings(raw.get("related"))),
        parent=str(raw["parent"]) if raw.get("parent") else None,
        employers=tuple(_strings(raw.get("employers"))),
        countries=frozenset(_strings(raw.get("countries"))),
        sources=tuple(_strings(raw.get("source"))),
    )


def read_yaml(path: Path) -> list[dict[str, Any]]:
    """The list of entries in one KB file."""
    import yaml

    try:
        # libyaml's loader when built in: the KB loads once per worker process, 5x faster than pure Python.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as exc:
        raise KBError(f"{path}: {exc}") from exc
    if data is None:
        return []
    if not isinstance(data, list):
        raise KBError(f"{path}: expected a list of entries, got {type(data).__name__}")
    return data


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The entries of a built KB file (one JSON object per line)."""
    import json

    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise KBError(f"{path}: {exc}") from exc
    for n, line in enumerate(lines, 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise KBError(f"{path}:{n}: {exc}") from exc
    return out


def kb_files(kb_dir: Path = KB_DIR) -> list[Path]:
    """The files the KB is loaded from: the built file when there is one, else the reviewed YAML files."""
    built = kb_dir / BUILT_NAME
    return [built] if built.exists() else sorted(kb_dir.glob("*.yaml"))


def read_entries(path: Path) -> list[dict[str, Any]]:
    return read_jsonl(path) if path.suffix == ".jsonl" else read_yaml(path)


def forms(entry: Entry) -> list[tuple[str, str]]:
    """Every (scope, surface) of an entry: its name (scope en), aliases by language, calques (scope calque)."""
    out = [("en", entry.name)]
    for lang, surfaces in entry.aliases.items():
        out.extend((lang, s) for s in surfaces)
    out.extend(("calque", c) for c in entry.calques)
    return [(scope, s) for scope, s in out if s.strip()]


def validate(raw_entries: list[dict[str, Any]], links: bool = True) -> list[str]:
    """Problems in a list of raw entries; empty when the KB is usable (`links`: also dangling links)."""
    return _check(raw_entries, links)[0]


def _check(raw_entries: list[dict[str, Any]], links: bool) -> tuple[list[str], list[Entry]]:
    problems: list[str] = []
    seen: dict[str, int] = {}
    entries = []
    for i, raw in enumerate(raw_entries):
        where = f"entry {i} ({raw.get('id', '?') if isinstance(raw, dict) else '?'})"
        if not isinstance(raw, dict):
            problems.append(f"{where}: not a mapping")
            continue
        unknown = sorted(set(raw) - KNOWN_KEYS)
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(unknown)}")
        kb_id = str(raw.get("id", ""))
        if not ID_PATTERN.match(kb_id):
            problems.append(f"{where}: id {kb_id!r} is neither a QID nor x:<slug>")
        if kb_id in seen:
            problems.append(f"{where}: id {kb_id} repeats entry {seen[kb_id]}")
        seen[kb_id] = i
        if raw.get("type") not in TYPES:
            problems.append(f"{where}: type {raw.get('type')!r} not in {', '.join(TYPES)}")
        if not str(raw.get("name", "")).strip():
            problems.append(f"{where}: no name")
        if raw.get("aliases") is not None and not isinstance(raw.get("aliases"), dict):
            problems.append(f"{where}: aliases must map a language to a list")
            continue
        entries.append(parse_entry(raw))
    ids = {e.id for e in entries}
    claims: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        for target in sorted(entry.links() - ids if links else ()):
            problems.append(f"{entry.id}: links to unknown id {target}")
        declared = {fold(s) for _, s in forms(entry)}
        for amb in sorted(entry.ambiguous - declared):
            problems.append(f"{entry.id}: ambiguous form {amb!r} is not one of its aliases or calques")
        for key in declared:
            claims[key].add(entry.id)
    by_id = {e.id: e for e in entries}
    for key, owners in sorted(claims.items()):
        if len(owners) > 1 and not all(key in by_id[o].ambiguous for o in owners):
            problems.append(f"alias {key!r} claimed by {', '.join(sorted(owners))}: mark it ambiguous in each")
    return problems, entries


def kb_key(extra: str | Path | None = None, kb_dir: Path = KB_DIR) -> str:
    """What `load_kb` returns depends on: the files' names and bytes (a missing extra file reads as missing)."""
    digest = hashlib.sha256()
    for path in [*kb_files(kb_dir), *([Path(extra)] if extra else [])]:
        digest.update(str(path.resolve()).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"\0missing")
    return digest.hexdigest()


_loaded: dict[str, list[Entry]] = {}


def load_kb(extra: str | Path | None = None, kb_dir: Path = KB_DIR) -> list[Entry]:
    """The shipped KB plus an optional extra file whose entries replace shipped ones with the same id.

    Kept per process by the files' contents: the run's check loads it once in the main process, and the
    workers forked from it start with it loaded (parsing and checking ~14k entries takes seconds).
    """
    key = kb_key(extra, kb_dir)
    if key not in _loaded:
        _loaded.clear()  # one KB at a time
        _loaded[key] = _load_kb(extra, kb_dir)
    return list(_loaded[key])


def _load_kb(extra: str | Path | None, kb_dir: Path) -> list[Entry]:
    shipped = [item for path in kb_files(kb_dir) for item in read_entries(path)]
    added = read_entries(Path(extra)) if extra else []
    replaced = {str(i.get("id")) for i in added if isinstance(i, dict)}
    merged = [i for i in shipped if not (isinstance(i, dict) and str(i.get("id")) in replaced)] + added
    # A dangling related/parent link only weakens support for ambiguous aliases: not fatal here
    # (tests/test_kb.py holds the shipped KB to the strict check).
    problems, entries = _check(merged, links=False)
    if problems:
        shown = "\n  ".join(problems[:30])
        more = f"\n  ... and {len(problems) - 30} more" if len(problems) > 30 else ""
        raise KBError(f"knowledge base has {len(problems)} problem(s):\n  {shown}{more}")
    return sorted(entries, key=lambda e: e.id)
