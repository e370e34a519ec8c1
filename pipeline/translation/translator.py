"""Sentence-aligned translation of many articles at once: route by language, split long sentences,
deduplicate, serve from the translation memory, translate the rest in length-sorted batches."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from pipeline.config import TranslateConfig
from pipeline.script import opencc_converter
from pipeline.translation.backends import Backend, BackendError, auto_batch_size, load_backend
from pipeline.translation.memory import TranslationMemory
from pipeline.translation.models import ModelSpec, Registry

# Clause boundaries where an over-long sentence may be cut (the punctuation stays with the left part).
_CLAUSE = re.compile(r"(?<=[,;:，；：、])\s*|(?<=[-–—])\s+")
_WORD = re.compile(r"\S+\s*")


@dataclass(slots=True)
class Job:
    """One article's sentences for one model."""

    text: str
    spans: list[tuple[int, int]]
    lang: str
    pieces: list[list[str]] = field(default_factory=list)  # per sentence, the model inputs


@dataclass(slots=True)
class Outcome:
    """An article's translation, or why there is none."""

    translation: dict[str, Any] | None
    status: str


def split_long(text: str, count: Callable[[list[str]], list[int]], limit: int) -> list[str]:
    """text as pieces of at most limit tokens: at clause boundaries first, then between words or characters."""
    if count([text])[0] <= limit:
        return [text]
    for pattern in (_CLAUSE, _WORD):
        parts = [p for p in _cut(text, pattern) if p]
        if len(parts) > 1:
            break
    else:
        half = len(text) // 2  # no boundary at all (a run of CJK characters): halve it
        parts = [text[:half], text[half:]]
    pieces: list[str] = []
    current = ""
    for part in parts:
        candidate = current + part
        if current and count([candidate.strip()])[0] > limit:
            pieces.append(current)
            current = part
        else:
            current = candidate
    pieces.append(current)
    out: list[str] = []
    for piece in (p.strip() for p in pieces):
        if piece:
            out.extend(split_long(piece, count, limit) if len(pieces) > 1 or piece != text else [piece])
    return out


def _cut(text: str, pattern: re.Pattern[str]) -> list[str]:
    if pattern is _WORD:
        return pattern.findall(text)
    out, start = [], 0
    for m in pattern.finditer(text):
        if m.end() > start and m.start() > start:
            out.append(text[start : m.end()])
            start = m.end()
    out.append(text[start:])
    return out


def join_aligned(source: str, spans: list[tuple[int, int]], english: list[str]) -> tuple[str, list[dict[str, int]]]:
    """English sentences joined with a space, or with the source's paragraph breaks; spans slice it exactly."""
    if len(spans) != len(english):
        raise ValueError(f"{len(english)} translations for {len(spans)} sentences")
    text, out = "", []
    for i, sentence in enumerate(english):
        if i:
            gap = source[spans[i - 1][1] : spans[i][0]]
            newlines = gap.count("\n")
            text += "\n\n" if newlines > 1 else "\n" if newlines else " "
        start = len(text)
        text += sentence
        out.append({"start": start, "end": len(text)})
    return text, out


class Translator:
    """Holds the registry, loaded backends (one per model, loaded on first use) and the memory."""

    def __init__(
        self, config: TranslateConfig, registry: Registry | None = None, memory: str | Path | None = None
    ) -> None:
        self.config = config
        self.registry = registry or Registry(config)
        self.memory = TranslationMemory(Path(memory)) if memory else None
        self.backends: dict[str, Backend] = {}  # this translator's loaded models, by model key

    def backend(self, spec: ModelSpec) -> Backend:
        """The loaded backend for spec (loads it once)."""
        if spec.key not in self.backends:
            self.backends[spec.key] = load_backend(spec, self.config)
        return self.backends[spec.key]

    def _prepare(self, spec: ModelSpec, sentence: str, lang: str) -> str:
        # NLLB reads zho_Hant itself; the Marian zh-en models were trained mostly on Simplified.
        if lang == "zh-Hant" and self.config.hant_to_hans and spec.kind != "nllb":
            return str(opencc_converter("t2s").convert(sentence))
        return sentence

    def translate_jobs(self, spec: ModelSpec, jobs: list[Job]) -> list[Outcome]:
        """Translate the articles of one model; a failure marks only the articles it touches."""
        try:
            backend = self.backend(spec)
        except BackendError as exc:
            return [Outcome(None, f"failed: {exc}") for _ in jobs]
        errors: dict[str, str] = {}
        for job in jobs:
            for a, b in job.spans:
                src = self._prepare(spec, job.text[a:b], job.lang)
                try:
                    job.pieces.append(split_long(src, partial(backend.count_tokens, lang=job.lang),
                                                 backend.max_input_tokens))
                except Exception as exc:  # noqa: BLE001 - a tokenizer failure fails this article only
                    errors[src] = _reason(exc)
                    job.pieces.append([src])
        english = self._translate_unique(spec, backend, jobs, errors)
        outcomes = []
        for job in jobs:
            failed = next((errors[p] for ps in job.pieces for p in ps if p in errors), None)
            if failed is not None:
                outcomes.append(Outcome(None, f"failed: {failed}"))
                continue
            sentences = [" ".join(english[p] for p in ps if english[p]) for ps in job.pieces]
            text, spans = join_aligned(job.text, job.spans, sentences)
            translation = {"text": text, "backend": spec.backend, "model": spec.name, "sentences": spans}
            outcomes.append(Outcome(translation, "translated"))
        return outcomes

    def _translate_unique(self, spec: ModelSpec, backend: Backend, jobs: list[Job],
                          errors: dict[str, str]) -> dict[str, str]:
        by_lang: dict[str, dict[str, None]] = {}
        for job in jobs:
            for ps in job.pieces:
                for p in ps:
                    if p not in errors:
                        by_lang.setdefault(job.lang, {})[p] = None
        english: dict[str, str] = {}
        for lang, unique in by_lang.items():
            todo = list(unique)
            if self.memory is not None:
                english.update(self.memory.get_many(spec.key, todo))
                todo = [p for p in todo if p not in english]
            fresh = self._batched(backend, todo, lang, errors)
            english.update(fresh)
            if self.memory is not None:
                self.memory.put_many(spec.key, fresh)
        return english

    def _batched(self, backend: Backend, texts: list[str], lang: str, errors: dict[str, str]) -> dict[str, str]:
        # Similar lengths together waste the least padding; the dict restores any order.
        ordered = sorted(texts, key=len)
        size = auto_batch_size(self.config)
        out: dict[str, str] = {}
        for i in range(0, len(ordered), size):
            batch = ordered[i : i + size]
            try:
                out.update(zip(batch, _checked(backend.translate(batch, lang), batch), strict=True))
                continue
            except Exception:  # noqa: BLE001 - find the sentence that fails, translate the rest
                pass
            for text in batch:
                try:
                    out[text] = _checked(backend.translate([text], lang), [text])[0]
                except Exception as exc:  # noqa: BLE001 - recorded per article as failed: <reason>
                    errors[text] = _reason(exc)
        return out


def _checked(result: list[str], batch: list[str]) -> list[str]:
    if len(result) != len(batch):
        raise BackendError(f"backend returned {len(result)} translations for {len(batch)} sentences")
    return result


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:200] if not isinstance(exc, BackendError) else text[:200]
