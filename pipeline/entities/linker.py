"""Knowledge-base linking: one Aho-Corasick automaton over a folded view of the text (Simplified, NFKC,
case-folded), word boundaries for Latin script, language scoping, longest match, context for ambiguous aliases."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pipeline.entities.kb import Entry, fold, forms
from pipeline.script import View, is_cjk, simplified_view

__all__ = ["Claim", "LinkField", "Linker", "Match", "folded_view", "scopes_for"]

# Scopes that apply in every text: Latin (`en`) and Chinese (`zh`) forms only match their own
# script, so a Chinese name in an English article, or `JD.COM` in a Chinese one, still links.
UNIVERSAL = frozenset({"en", "zh"})
TRANSLATION_SCOPES = frozenset({"en", "zh", "calque"})
_SHORT_CAPS = re.compile(r"^[A-Z]{1,4}$")
_CLITIC = re.compile(r"(?:nya|lah|pun|kah)(?![^\W_])")
# Marker scope: edited Indonesian and Vietnamese text capitalises names, so an all-lowercase occurrence of a
# capitalised alias there is a common word ("pháp" = law, not France). Raw MT is not reliably cased.
CASED = "+cased"


def scopes_for(lang: str | None) -> frozenset[str]:
    """Alias scopes that apply in text of one language (`calque` only in raw machine translation)."""
    code = (lang or "").lower()
    if code == "en-mt":
        return UNIVERSAL | {"calque"}
    if code in ("id", "ms"):
        return UNIVERSAL | {"id", "ms", CASED}
    base = code.split("-")[0]
    return UNIVERSAL | ({base} if base and base != "und" else set()) | ({CASED} if base == "vi" else set())


def is_word_char(ch: str) -> bool:
    """Letters and digits of space-separated scripts: a match may not continue into one."""
    return ch.isalnum() and not is_cjk(ch)


def folded_view(text: str) -> View:
    """The text as the automaton sees it (Simplified, NFKC, case-folded) with offsets back into text."""
    simple = simplified_view(text)
    folded = unicodedata.normalize("NFKC", simple.text).casefold()
    if len(folded) == len(simple.text):
        return View(folded, simple.origin, len(text))
    parts: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(simple.text):
        out = unicodedata.normalize("NFKC", ch).casefold()
        parts.append(out)
        origin.extend([simple.start(i)] * len(out))
    return View("".join(parts), origin, len(text))


@dataclass(frozen=True, slots=True)
class Claim:
    """One entity's claim on a folded alias key."""

    entity: int  # index into Linker.entries
    scope: str  # language code of the alias, or "calque"
    ambiguous: bool
    exact: str | None  # short all-caps aliases match only in this exact (NFKC) spelling
    capital: bool = False  # the alias has an uppercase letter
    cased: bool = False  # from an open source, not reviewed: an all-lowercase occurrence is a common word


@dataclass(frozen=True, slots=True)
class Match:
    """A linked span in one field of an article."""

    field: str
    start: int
    end: int
    entity: int
    ambiguous: bool


@dataclass(frozen=True, slots=True)
class LinkField:
    """One field of an article to link: its text and which alias scopes apply at an offset."""

    field: str
    text: str
    scopes: Callable[[int], frozenset[str]]


class Linker:
    """Finds knowledge-base entities in text; build once, use for many articles."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        import ahocorasick

        self.entries = list(entries)
        self.index = {e.id: i for i, e in enumerate(self.entries)}
        claims: dict[str, dict[int, Claim]] = {}
        for i, entry in enumerate(self.entries):
            for scope, surface in forms(entry):
                key = fold(surface)
                if not key.strip():
                    continue
                exact = unicodedata.normalize("NFKC", surface) if _SHORT_CAPS.match(surface) else None
                previous = claims.setdefault(key, {}).get(i)
                # The broadest scope wins when one entity lists a form twice (e.g. under en and id).
                if previous is None or previous.scope not in UNIVERSAL:
                    capital = any(ch.isupper() for ch in surface)
                    claims[key][i] = Claim(i, scope, key in entry.ambiguous, exact, capital,
                                           capital and "reviewed" not in entry.sources and scope != "calque")
        self.automaton = ahocorasick.Automaton()
        for key, by_entity in claims.items():
            self.automaton.add_word(key, (key, tuple(by_entity[i] for i in sorted(by_entity))))
        if claims:
            self.automaton.make_automaton()
        self.size = len(claims)
        # Who supports whom: links named by an entry, in both directions.
        self.support: list[set[int]] = [set() for _ in self.entries]
        for i, entry in enumerate(self.entries):
            for target in entry.links():
                j = self.index.get(target)
                if j is not None:
                    self.support[i].add(j)
                    self.support[j].add(i)
        self.context = [tuple(sorted({fold(w) for ws in e.context_words.values() for w in ws if w.strip()}))
                        for e in self.entries]

    def lookup(self, surface: str) -> tuple[Claim, ...]:
        """The claims on a surface form (exact folded key), for linking spans found by other means."""
        if not self.size:
            return ()
        hit = self.automaton.get(fold(surface), None)
        return hit[1] if hit else ()

    def candidates(self, segment: LinkField, view: View | None = None) -> list[tuple[Match, tuple[Claim, ...]]]:
        """Every alias occurrence in a segment that respects word boundaries, case rules and scope."""
        if not self.size or not segment.text:
            return []
        text = segment.text
        view = view or folded_view(text)
        folded = view.text
        out = []
        for last, (key, claims) in self.automaton.iter(folded):
            first = last - len(key) + 1
            if is_word_char(key[0]) and first > 0 and is_word_char(folded[first - 1]):
                continue
            clitic = False
            if is_word_char(key[-1]) and last + 1 < len(folded) and is_word_char(folded[last + 1]):
                # Indonesian and Malay enclitics join the word before them ("akun Instagramnya" = its Instagram)
                tail = _CLITIC.match(folded, last + 1)
                if tail is None or not key[-1].isalpha():
                    continue
                clitic = True
            start, end = view.start(first), view.end(last + 1)
            surface = text[start:end]
            scopes = segment.scopes(start)
            if clitic and not (scopes & {"id", "ms"} and surface[:1].isupper()):
                continue
            lowercase = not any(ch.isupper() for ch in surface)
            kept = tuple(c for c in claims if c.scope in scopes
                         and not (lowercase and (c.cased or (c.capital and CASED in scopes)))
                         and (c.exact is None or unicodedata.normalize("NFKC", surface) == c.exact))
            if kept:
                out.append((Match(segment.field, start, end, kept[0].entity, kept[0].ambiguous), kept))
        return out

    def link(self, segments: list[LinkField]) -> list[Match]:
        """Resolved matches over an article's fields: longest first, ambiguous aliases only with support."""
        views = [folded_view(s.text) for s in segments]
        found = [c for s, v in zip(segments, views, strict=True) for c in self.candidates(s, v)]
        firm = _longest([m for m, claims in found if not any(c.ambiguous for c in claims)])
        present = {m.entity for m in firm}
        context_cache: dict[str, bool] = {}

        def has_word(word: str) -> bool:
            if word not in context_cache:
                context_cache[word] = any(_contains(v.text, word) for v in views)
            return context_cache[word]

        supported = []
        for match, claims in found:
            if not any(c.ambiguous for c in claims):
                continue
            best, best_score = None, 0
            for claim in claims:
                score = self._support_score(claim.entity, present, has_word)
                # A calque is what MT makes of one particular Chinese name: a tie-breaker in its favour
                # ("Tiktok" in raw MT of 抖音 is Douyin), added only to a claim that has support already.
                score += 1 if score and claim.scope == "calque" else 0
                if score > best_score:
                    best, best_score = claim, score
            if best is None and len(claims) == 1 and _capitalised_name(segments, match, claims[0]):
                best = claims[0]
            if best is not None:
                supported.append(Match(match.field, match.start, match.end, best.entity, True))
        return sorted(_longest(firm + supported), key=lambda m: (m.field != "text", m.start, m.end))

    def _support_score(self, entity: int, present: set[int], has_word: Callable[[str], bool]) -> int:
        score = 3 if entity in present else 0
        score += 2 * len(self.support[entity] & present)
        score += sum(1 for w in self.context[entity] if has_word(w))
        return score


def _capitalised_name(segments: list[LinkField], match: Match, claim: Claim) -> bool:
    """Evidence for a source-derived Latin form that is also a common word ("Proton", "Boeing"): edited text
    capitalises it inside a sentence, where the common word would be lower case. Not in raw MT (cased at random)
    and not at a sentence or line start."""
    if not claim.cased or claim.ambiguous is False:
        return False
    segment = next(s for s in segments if s.field == match.field)
    if "calque" in segment.scopes(match.start):
        return False
    text = segment.text
    surface = text[match.start:match.end]
    if not surface[:1].isupper() or surface.isupper():
        return False
    before = text[:match.start].rstrip(" \t")
    return bool(before) and before[-1] not in ".!?:;\n\"“'‘(-–—*#|"


def _contains(folded: str, word: str) -> bool:
    """Whether a folded word occurs in folded text as a whole word."""
    start = folded.find(word)
    while start >= 0:
        end = start + len(word)
        left_ok = not (is_word_char(word[0]) and start > 0 and is_word_char(folded[start - 1]))
        right_ok = not (is_word_char(word[-1]) and end < len(folded) and is_word_char(folded[end]))
        if left_ok and right_ok:
            return True
        start = folded.find(word, start + 1)
    return False


def _longest(matches: list[Match]) -> list[Match]:
    """Non-overlapping matches per field, longer first, then earlier (O(n log n): taken spans kept sorted)."""
    from bisect import bisect_right, insort

    taken: dict[str, list[tuple[int, int]]] = {}
    kept = []
    for m in sorted(matches, key=lambda m: (m.start - m.end, m.field, m.start, m.entity)):
        spans = taken.setdefault(m.field, [])
        i = bisect_right(spans, (m.start, float("inf")))
        if (i > 0 and spans[i - 1][1] > m.start) or (i < len(spans) and spans[i][0] < m.end):
            continue
        insort(spans, (m.start, m.end))
        kept.append(m)
    return kept
