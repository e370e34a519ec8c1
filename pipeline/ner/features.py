"""Token features and tokenizers for the Chinese and Vietnamese NER models.

- zh models tag jieba words: the `pipeline.zh_words.v1` tokenizer segments the OpenCC Simplified view of the text
  (so Traditional and Simplified spellings segment alike) and sets each token's `norm_` to its Simplified word.
- vi models tag syllables (spaCy's rule tokenizer); the `word_context` component, run before `ner`, writes per
  token `norm_` (lower case), `lemma_` (the pyvi word the syllable is part of) and `tag_` (the syllable's position
  in that word, B/M/E/S, and the word's length in syllables capped at 4: `B2`, `S1`, ...).

- id, vi and en models keep a hyphen between letters or digits inside the token (`keep_hyphenated_words`), as
  their training corpora tokenize (`Jean-Yves`, `Kun-hee`, `Wu-Tang`).

All are deterministic and hold no weights; models name them in their config, and `import pipeline.ner.features`
registers them before spacy.load (pipeline.ner.load_ner does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from spacy.lang.char_classes import HYPHENS
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, registry

from pipeline.lazy import load_once
from pipeline.script import simplified_view

Segmenter = Callable[[str], list[str]]


@load_once
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise
    # jieba's default tokenizer: the entities stage's jieba.posseg shares its dictionary (one load per process).
    # Nothing in the package adds words to it, so the segmentation the models were trained on stays fixed.
    jieba.dt.initialize()
    return jieba.dt


def keep_hyphenated_words(nlp: Language) -> Language:
    """Make nlp's rule tokenizer keep `Kun-hee` one token instead of `Kun`, `-`, `hee`; returns nlp.

    The models are trained on their corpora's own tokens (WikiANN, idner-news, UNER), which keep hyphenated
    words whole; spaCy's default infix rule splits them, so at run time the models saw tokens they never
    trained on and cut such names (`Heath-Stubbs` -> `Heath`). Dropping that one infix rule matches training:
    on 3,000 WikiANN test sentences F1 en 0.690 -> 0.722, id 0.785 -> 0.809, vi 0.792 -> 0.827 (docs/ner.md).
    """
    infixes = [rule for rule in nlp.Defaults.infixes or () if not (isinstance(rule, str) and HYPHENS in rule)]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer  # type: ignore[union-attr]
    return nlp


def segment_zh(text: str) -> list[str]:
    """jieba words of (Simplified) text; concatenated they give the text back."""
    return list(_jieba().cut(text, HMM=True))


def segment_vi(text: str) -> list[str]:
    """pyvi words of Vietnamese text as spans of the text (syllables and the whitespace between them)."""
    from pipeline.pyvi_load import pyvi

    ViTokenizer = pyvi()[0]  # noqa: N806 - pyvi's class
    # pyvi joins the syllables of a word with "_" and separates tokens by spaces; map back onto the text.
    words: list[str] = []
    pos = 0
    for token in ViTokenizer.tokenize(text).split(" "):
        syllables = [s for s in token.split("_") if s] or [token]
        start = text.find(syllables[0], pos)
        if start < 0:
            continue
        end = start
        for syl in syllables:
            found = text.find(syl, end)
            if found < 0:
                break
            end = found + len(syl)
        if start > pos:
            words.append(text[pos:start])
        words.append(text[start:end])
        pos = end
    if pos < len(text):
        words.append(text[pos:])
    return words


SEGMENTERS: dict[str, Segmenter] = {"vi": segment_vi}


def _position(index: int, length: int) -> str:
    """B/M/E/S of the index-th syllable of a word of `length` syllables."""
    if length <= 1:
        return "S"
    return "B" if index == 0 else "E" if index == length - 1 else "M"


class WordContext:
    """Sets norm_/lemma_/tag_ on each token from a word segmentation of the text (see the module docstring)."""

    def __init__(self, lang: str) -> None:
        if lang not in SEGMENTERS:
            raise ValueError(f"word_context: no segmenter for {lang!r} (have {', '.join(SEGMENTERS)})")
        self.segment = SEGMENTERS[lang]

    def __call__(self, doc: Doc) -> Doc:
        # The word and the offset in it of every character of the text.
        word_at: list[tuple[str, int]] = []
        for word in self.segment(doc.text):
            word_at.extend((word, i) for i in range(len(word)))
        for token in doc:
            if token.is_space or token.idx >= len(word_at):
                continue
            word, offset = word_at[token.idx]
            syllables = word.split()
            token.norm_ = token.text.lower()
            token.lemma_ = " ".join(syllables).lower() or token.norm_
            token.tag_ = f"{_position(len(word[:offset].split()), len(syllables))}{min(len(syllables), 4)}"
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)


@Language.factory("word_context", default_config={"lang": "vi"})
def make_word_context(nlp: Language, name: str, lang: str) -> WordContext:
    """spaCy factory: `nlp.add_pipe("word_context", before="ner", config={"lang": "vi"})`."""
    return WordContext(lang)


class ZhWordTokenizer:
    """Tokenizes Chinese into jieba words of its Simplified view; each token's norm_ is the Simplified word.

    Word tokens make sequences ~2x shorter than characters and give the tagger whole words; entity edges
    fall on jieba word edges for 96% of WikiANN zh entities (the rest are missed, docs/ner.md).
    """

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        view = simplified_view(text)
        words: list[str] = []
        norms: list[str] = []
        spaces: list[bool] = []
        pos = 0
        for piece in segment_zh(view.text):
            start, end = pos, pos + len(piece)
            pos = end
            o_start, o_end = view.start(start), view.end(end)
            original = text[o_start:o_end]
            if original.isspace():
                if words and original == " " and not spaces[-1]:
                    spaces[-1] = True
                else:
                    words.append(original)
                    norms.append(original)
                    spaces.append(False)
                continue
            words.append(original)
            norms.append(piece.lower())
            spaces.append(False)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        for token, norm in zip(doc, norms, strict=True):
            token.norm_ = norm
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    # No state of its own: the jieba dictionary ships with jieba.
    def to_bytes(self, **kwargs: Any) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: Any) -> ZhWordTokenizer:
        return self

    def to_disk(self, path: Any, **kwargs: Any) -> None:
        pass

    def from_disk(self, path: Any, **kwargs: Any) -> ZhWordTokenizer:
        return self


@registry.tokenizers("pipeline.zh_words.v1")
def create_zh_word_tokenizer() -> Callable[[Language], ZhWordTokenizer]:
    """spaCy registry entry: `[nlp.tokenizer] @tokenizers = "pipeline.zh_words.v1"`."""

    def make(nlp: Language) -> ZhWordTokenizer:
        return ZhWordTokenizer(nlp.vocab)

    return make
