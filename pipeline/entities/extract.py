"""An article's entities: KB links in the text and its translation, discovered names, normalized values."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline.article import Article
from pipeline.entities.discover import heuristic_spans, keep_span, ner_spans
from pipeline.entities.kb import Entry, fold
from pipeline.entities.linker import TRANSLATION_SCOPES, Linker, Match, Segment, scopes_for
from pipeline.entities.values import find_values

__all__ = ["Extractor", "VALUE_LABELS"]

VALUE_LABELS = ("MONEY", "PERCENT", "DATE")
_FIELD_RANK = {"text": 0, "translation": 1}


@dataclass(frozen=True, slots=True)
class _Found:
    field: str
    start: int
    end: int
    kb_id: str | None
    name: str
    label: str
    value: dict[str, Any] | None = None


def _sentence_scopes(doc: Article) -> Callable[[int], frozenset[str]]:
    """Alias scopes at an offset of the text: the article's language plus its sentence's language."""
    base = scopes_for(doc.lang)
    spans = doc.sentences or []
    starts = [s["start"] for s in spans]
    cache: dict[str, frozenset[str]] = {}

    def at(offset: int) -> frozenset[str]:
        i = bisect_right(starts, offset) - 1
        lang = spans[i].get("lang") if 0 <= i < len(spans) and offset < spans[i]["end"] else None
        if not lang or lang == doc.lang:
            return base
        if lang not in cache:
            cache[lang] = base | scopes_for(lang)
        return cache[lang]

    return at


class Extractor:
    """Everything the entities stage does to one article; built once per worker."""

    def __init__(self, entries: list[Entry], ner: bool = True, values: bool = True,
                 heuristics: tuple[str, ...] = ()) -> None:
        self.linker = Linker(entries)
        self.ner = ner
        self.values = values
        self.heuristics = heuristics

    def segments(self, doc: Article) -> list[Segment]:
        """The fields to link: the text, and the English translation when there is one."""
        out = [Segment("text", doc.text, _sentence_scopes(doc))]
        translation = (doc.translation or {}).get("text")
        if translation:
            out.append(Segment("translation", translation, lambda _: TRANSLATION_SCOPES))
        return out

    def extract(self, doc: Article) -> list[dict[str, Any]]:
        """Entity records for the article, per the output contract (plus `value` on MONEY/PERCENT/DATE)."""
        segments = self.segments(doc)
        found: list[_Found] = []
        if self.values:
            found.extend(_Found("text", v.start, v.end, None, v.name, v.label, v.value)
                         for v in find_values(doc.text, doc.lang))
        # A KB name inside a date or amount is not a mention of it ("5 month 3 Japan" is 3 May).
        blocked = {"text": [(f.start, f.end) for f in found]}
        matches = [m for m in self.linker.link(segments) if not _inside(m.start, m.end, blocked.get(m.field, []))]
        found.extend(self._kb(m) for m in matches)
        if self.ner or self.heuristics:
            taken = {s.field: [(f.start, f.end) for f in found if f.field == s.field] for s in segments}
            for segment in segments:
                lang = doc.lang if segment.field == "text" else "en"
                found.extend(self._discover(segment, lang, taken[segment.field]))
        return _group(found, {s.field: s.text for s in segments})

    def _kb(self, m: Match) -> _Found:
        entry = self.linker.entries[m.entity]
        return _Found(m.field, m.start, m.end, entry.id, entry.name, entry.type)

    def _discover(self, segment: Segment, lang: str, taken: list[tuple[int, int]]) -> list[_Found]:
        text = segment.text
        spans = ner_spans(text, lang) if self.ner else []
        heuristic = heuristic_spans(text, lang, self.heuristics) if self.heuristics else []
        out: list[_Found] = []
        # Model spans first, then heuristic ones; longer first within each; KB links already hold their spans.
        for start, end, label in sorted(spans, key=lambda s: (s[0] - s[1], s[0])) + \
                sorted(heuristic, key=lambda s: (s[0] - s[1], s[0])):
            surface = text[start:end]
            if _overlaps(start, end, taken) or not keep_span(surface, lang, label, text):
                continue
            taken.append((start, end))
            claims = [c for c in self.linker.lookup(surface) if c.scope in segment.scopes(start)]
            if len(claims) == 1:  # the model saw a name where the KB has exactly one entity of that form
                out.append(self._kb(Match(segment.field, start, end, claims[0].entity, claims[0].ambiguous)))
            elif not claims:
                out.append(_Found(segment.field, start, end, None, surface, label))
        return out


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def _group(found: list[_Found], texts: dict[str, str]) -> list[dict[str, Any]]:
    """One record per entity (KB id; else label and folded name), mentions and entities in text order."""
    groups: dict[tuple[str, ...], list[_Found]] = {}
    for f in found:
        key = ("kb", f.kb_id) if f.kb_id else ("new", f.label, fold(f.name))
        groups.setdefault(key, []).append(f)
    records = []
    for items in groups.values():
        items.sort(key=lambda f: (_FIELD_RANK[f.field], f.start, f.end))
        first = items[0]
        record: dict[str, Any] = {"kb_id": first.kb_id, "name": first.name, "label": first.label}
        if first.value is not None:
            record["value"] = first.value
        record["mentions"] = [{"field": f.field, "start": f.start, "end": f.end,
                               "text": texts[f.field][f.start:f.end]} for f in items]
        records.append(record)
    records.sort(key=lambda r: (_FIELD_RANK[r["mentions"][0]["field"]], r["mentions"][0]["start"],
                                r["mentions"][0]["end"], r["label"], r["name"]))
    return records
