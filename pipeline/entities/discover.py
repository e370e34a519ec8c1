"""Names the knowledge base does not know: a statistical NER model when one is installed, and
model-free evidence (jieba POS for Chinese, pyvi proper-noun tags for Vietnamese, capitalised
sequences for Latin script), each kept only where it raises F1 on the dev gold (docs/entities.md)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

__all__ = ["HEURISTICS", "heuristic_spans", "keep_span", "ner_lang", "ner_spans"]

Span = tuple[int, int, str]
HEURISTICS = ("caps", "jieba", "pyvi")
_LABELS = {"PERSON": "PERSON", "PER": "PERSON", "ORG": "ORG", "GPE": "GPE", "LOC": "GPE"}
_JIEBA_LABELS = {"nr": "PERSON", "ns": "GPE", "nt": "ORG", "nz": "PRODUCT"}
_CAPS = re.compile(r"(?<![\w])[A-Z][\w&'.-]*[\w](?:[ ][A-Z][\w&'.-]*[\w])*")
_DIGITS = re.compile(r"^[\d\W_]+$")


def ner_lang(lang: str | None) -> str | None:
    """The NER model language for an article language (zh-Hant -> zh, en-mt -> en, ms -> id)."""
    code = (lang or "").lower()
    if code.startswith("zh"):
        return "zh"
    code = {"en-mt": "en", "ms": "id"}.get(code, code)
    return code if code in ("id", "vi", "zh", "en") else None


@lru_cache(maxsize=8)
def _model(lang: str) -> Any:
    try:
        from pipeline.ner import load_ner
    except ImportError:  # the NER package is optional: the KB linker works without it
        return None
    return load_ner(lang)


def ner_spans(text: str, lang: str | None) -> list[Span]:
    """(start, end, label) from the statistical NER model of the language, or nothing without one."""
    code = ner_lang(lang)
    model = _model(code) if code else None
    if model is None or not text:
        return []
    return [(s, e, _LABELS[label]) for s, e, label in model.find(text) if label in _LABELS and 0 <= s < e <= len(text)]


@lru_cache(maxsize=8)
def _stop_words(lang: str) -> frozenset[str]:
    from spacy.util import get_lang_class

    try:
        return frozenset(w.casefold() for w in get_lang_class(lang).Defaults.stop_words)
    except ImportError:
        return frozenset()


def keep_span(surface: str, lang: str | None) -> bool:
    """Precision filters for a discovered name: no stop words, digits, single characters or lowercase words."""
    code = ner_lang(lang) or "en"
    stripped = surface.strip()
    if stripped != surface or len(stripped) < 2 or _DIGITS.match(stripped):
        return False
    if stripped.casefold() in _stop_words(code):
        return False
    if code != "zh" and stripped == stripped.lower():
        return False
    if code == "vi":  # every Vietnamese syllable of a name is capitalised
        return all(w[:1].isupper() or not w[:1].isalpha() for w in stripped.split())
    return True


def heuristic_spans(text: str, lang: str | None, kinds: tuple[str, ...]) -> list[Span]:
    """Name spans from model-free evidence enabled in `kinds` (caps, jieba, pyvi)."""
    code = ner_lang(lang)
    spans: list[Span] = []
    if "jieba" in kinds and code == "zh":
        import jieba.posseg

        pos = 0
        for word, flag in jieba.posseg.cut(text):
            if flag in _JIEBA_LABELS:
                spans.append((pos, pos + len(word), _JIEBA_LABELS[flag]))
            pos += len(word)
    if "pyvi" in kinds and code == "vi":
        spans.extend(_pyvi_spans(text))
    if "caps" in kinds and code in ("id", "en"):
        for m in _CAPS.finditer(text):
            # A lone capitalised word at a sentence start is usually just the first word.
            before = text[:m.start()].rstrip()
            if " " not in m.group() and (not before or before[-1] in ".!?\n\"“"):
                continue
            spans.append((m.start(), m.end(), "ORG"))
    return spans


def _pyvi_spans(text: str) -> list[Span]:
    from pyvi import ViPosTagger, ViTokenizer

    spans: list[Span] = []
    for line_start, line in _lines(text):
        tokens, tags = ViPosTagger.postagging(ViTokenizer.tokenize(line))
        pos = 0
        run: list[tuple[int, int]] = []
        for token, tag in zip(tokens, tags, strict=True):
            surface = token.replace("_", " ")
            found = line.find(surface, pos)
            if found < 0:
                run = []
                continue
            pos = found + len(surface)
            if tag == "Np":
                run.append((found, pos))
            elif run:
                spans.append((line_start + run[0][0], line_start + run[-1][1], "ORG"))
                run = []
        if run:
            spans.append((line_start + run[0][0], line_start + run[-1][1], "ORG"))
    return spans


def _lines(text: str) -> list[tuple[int, str]]:
    out, start = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((start, line))
        start += len(line) + 1
    return out
