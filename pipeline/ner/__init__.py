"""Statistical NER for id, vi, zh and en: small spaCy pipelines shipped in pipeline/ner/models/<lang>/.

    from pipeline.ner import load_ner
    model = load_ner("id")            # None when no model exists for the language
    model.find("Joko Widodo di Jakarta")  # [(0, 11, 'PERSON'), (15, 22, 'LOC')]
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.languages import NER_ALIASES
from pipeline.lazy import load_once

if TYPE_CHECKING:
    from spacy.language import Language

LOG = logging.getLogger(__name__)
MODELS_DIR = Path(__file__).resolve().parent / "models"
LANGS = ("id", "vi", "zh", "en")
ALIASES = NER_ALIASES
# Output labels PERSON/ORG/LOC. A model fine-tuned from an OntoNotes pipeline (en) keeps that scheme's other
# labels in its output layer; GPE and FAC are places (LOC), the rest (DATE, NORP, ...) are not names we tag.
LABELS = {"PER": "PERSON", "PERSON": "PERSON", "ORG": "ORG", "LOC": "LOC", "GPE": "LOC", "FAC": "LOC"}

Span = tuple[int, int, str]
# Languages whose model is run with the generic (`xx`) tokenizer instead of its own: load time, see load_ner.
FAST_TOKENIZER = {"id": "xx"}

class NerModel:
    """A loaded NER pipeline: `find(text)` and `find_many(texts)` return (start, end, label) char spans."""

    def __init__(self, lang: str, nlp: Language) -> None:
        self.lang = lang
        self.nlp = nlp

    def find(self, text: str) -> list[Span]:
        """Entities in text as (start, end, label) character offsets, label in PERSON/ORG/LOC."""
        if not text.strip():
            return []
        return self._spans(self.nlp(text))

    def find_many(self, texts: list[str], batch_size: int = 64) -> list[list[Span]]:
        """Like find over many texts, batched through nlp.pipe (same order as texts)."""
        return [self._spans(doc) for doc in self.nlp.pipe(texts, batch_size=batch_size)]

    @staticmethod
    def _spans(doc: object) -> list[Span]:
        ents = doc.ents  # type: ignore[attr-defined]
        return [(e.start_char, e.end_char, LABELS[e.label_]) for e in ents if e.label_ in LABELS]

    def __repr__(self) -> str:
        return f"NerModel({self.lang!r}, {self.nlp.meta.get('name')!r} {self.nlp.meta.get('version')!r})"


def normalize_lang(lang: str) -> str:
    """Map a pipeline language code (zh-Hans, en-mt, ms, ...) to the model language."""
    code = lang.strip().lower().replace("_", "-")
    return ALIASES.get(code, code.split("-")[0] if code.split("-")[0] in LANGS else code)


def import_spacy() -> Any:
    """spaCy, imported without PyTorch when nothing has imported PyTorch yet.

    thinc (spaCy's ML library) imports torch if it is installed, only to offer its PyTorch wrappers; the NER
    models here are thinc's own layers on NumPy and never call it. Importing torch is most of spaCy's import
    time (~1.4 of ~2.2 CPU s) and ~200 MB resident in every worker. torch is hidden from that one import
    (thinc then reports it absent) and importable again right after, for whatever needs it later (translation).
    """
    import sys

    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` raise ImportError
    try:
        import spacy
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]
    return spacy


def load_ner(lang: str) -> NerModel | None:
    """The cached NER model for lang, loaded on first use from the package; None (logged once) when absent."""
    return _load(normalize_lang(lang))


@load_once
def _load(code: str) -> NerModel | None:
    path = MODELS_DIR / code
    if code not in LANGS:
        LOG.warning("no NER model for language %r: supported are %s", code, ", ".join(LANGS))
        return None
    if not (path / "meta.json").is_file():
        LOG.warning("no NER model for %r at %s: run `make train-ner` (python -m pipeline.ner.train --lang %s)",
                    code, path, code)
        return None
    spacy = import_spacy()  # deferred: importing the package must stay cheap

    import pipeline.ner.features  # noqa: F401  (registers the zh tokenizer and vi `word_context`)

    if code in FAST_TOKENIZER:
        # spaCy's Indonesian tokenizer builds ~16k exception rules twice on load (~9 s per worker
        # process); the generic rules tokenize news text the same for NER (eval: docs/ner.md).
        nlp = spacy.load(path, config={"nlp": {"lang": FAST_TOKENIZER[code]}}, exclude=["tokenizer"])
    else:
        nlp = spacy.load(path)
    if code != "zh":  # zh has its own word tokenizer
        pipeline.ner.features.keep_hyphenated_words(nlp)
    return NerModel(code, nlp)


clear_cache = _load.cache_clear  # forget loaded models (tests, or after retraining in-process)
