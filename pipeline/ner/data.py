"""Loaders for the CoNLL NER corpora in ../shared/data/ner, turned into spaCy Docs with BIO-aligned entities."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc
from spacy.training import biluo_tags_to_spans, iob_to_biluo
from spacy.vocab import Vocab

from pipeline.config import SHARED

NER_DATA = SHARED / "data" / "ner"

LABELS = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}

# Human-annotated sets per language: name -> folder under ner/extra (splits present there).
EXTRA = {
    "id": "id_idner-news-2k",
    "zh": "zh_uner-gsdsimp",
    "en": "en_uner-ewt",
}


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: tokens, whether a space follows each, and IOB2 tags (PER/ORG/LOC)."""

    words: tuple[str, ...]
    spaces: tuple[bool, ...]
    tags: tuple[str, ...]

    def key(self) -> str:
        """Token sequence key used for deduplication (spaces ignored, so char- and word-split zh compare)."""
        return "".join(self.words) if not any(self.spaces) else " ".join(self.words)


def read_conll(path: Path) -> Iterator[list[tuple[str, str]]]:
    """Yield sentences as (token, tag) lists from a TAB-separated IOB2 file."""
    sent: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip():
                if sent:
                    yield sent
                sent = []
                continue
            token, _, tag = line.rpartition("\t")
            sent.append((token, tag or "O"))
    if sent:
        yield sent


def _fix_iob(tags: list[str]) -> list[str]:
    """Make a tag sequence valid IOB2: an I-X that does not continue X becomes B-X."""
    fixed: list[str] = []
    prev = "O"
    for tag in tags:
        if tag.startswith("I-") and prev[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        fixed.append(tag)
        prev = tag
    return fixed


def to_sentence(rows: list[tuple[str, str]], lang: str) -> Sentence:
    """Turn CoNLL rows into a Sentence; for zh, `#` becomes a space and words split into characters."""
    words: list[str] = []
    spaces: list[bool] = []
    tags: list[str] = []
    for token, tag in rows:
        if lang == "zh":
            if token == "#":
                # WikiANN zh writes a space or word break as a `#` token tagged O; an I-X after it continues X.
                if spaces:
                    spaces[-1] = True
                continue
            # Characters, so WikiANN (by character) and UNER GSD (by word) compare and align alike.
            for i, piece in enumerate(token):
                words.append(piece)
                spaces.append(False)
                tags.append(tag if i == 0 or tag == "O" else "I-" + tag[2:])
        else:
            words.append(token)
            spaces.append(True)
            tags.append(tag)
    if spaces and lang != "zh":
        spaces[-1] = False
    return Sentence(tuple(words), tuple(spaces), tuple(_fix_iob(tags)))


def load_split(lang: str, source: str, split: str) -> list[Sentence]:
    """Sentences of one split: source is 'wikiann' or 'extra'; [] when the file does not exist."""
    folder = NER_DATA / lang if source == "wikiann" else NER_DATA / "extra" / EXTRA.get(lang, "-")
    path = folder / f"{split}.conll"
    if not path.is_file():
        return []
    return [to_sentence(rows, lang) for rows in read_conll(path)]


def to_doc(vocab: Vocab, sent: Sentence) -> Doc:
    """A Doc over the sentence's tokens with its gold entities (labels PERSON/ORG/LOC)."""
    doc = Doc(vocab, words=list(sent.words), spaces=list(sent.spaces))
    tags = [t if t == "O" else t[:2] + LABELS[t[2:]] for t in sent.tags]
    doc.ents = biluo_tags_to_spans(doc, iob_to_biluo(tags))
    return doc


def char_spans(sent: Sentence) -> tuple[str, set[tuple[int, int, str]]]:
    """The sentence's text and its gold entities as character offsets (for scoring any tokenizer)."""
    text = ""
    offsets: list[tuple[int, int]] = []
    for word, space in zip(sent.words, sent.spaces, strict=True):
        offsets.append((len(text), len(text) + len(word)))
        text += word + (" " if space else "")
    spans: set[tuple[int, int, str]] = set()
    start, end = 0, 0
    label: str | None = None
    for (s, e), tag in zip([*offsets, (len(text), len(text))], [*sent.tags, "O"], strict=True):
        if label is not None and not tag.startswith("I-"):
            spans.add((start, end, LABELS[label]))
            label = None
        if tag.startswith("B-"):
            start, label = s, tag[2:]
        end = e
    return text, spans


def keys(sents: Iterable[Sentence]) -> set[str]:
    """The dedup keys of some sentences."""
    return {s.key() for s in sents}


@dataclass(slots=True)
class Corpus:
    """Deduplicated train/dev data and the test sets reported on, for one language."""

    train: list[Sentence]
    dev: list[Sentence]
    tests: dict[str, list[Sentence]]
    removed_from_train: int
    removed_from_tests: dict[str, int]


# Gold sets without a train split whose dev split trains instead (their test split stays held out): the English
# model then also sees full web-text sentences, not only WikiANN's title fragments, repeated so they weigh.
TRAIN_FROM_DEV = {"en": 2}


def load_corpus(lang: str) -> Corpus:
    """Train = WikiANN (+ extra train); test sentences leave train, and test sets drop what train held."""
    extra_train = load_split(lang, "extra", "train")
    gold_dev_trains = not extra_train and lang in TRAIN_FROM_DEV
    if gold_dev_trains:
        extra_train = load_split(lang, "extra", "dev") * TRAIN_FROM_DEV[lang]
    train = load_split(lang, "wikiann", "train") + extra_train
    # Model selection uses the extra dev set where its domain is also trained on (id news, zh GSD) and it is not
    # itself training data (en); otherwise WikiANN dev alone.
    dev = (load_split(lang, "extra", "dev") if extra_train and not gold_dev_trains else []) + load_split(
        lang, "wikiann", "dev")
    tests = {"wikiann": load_split(lang, "wikiann", "test")}
    extra_test = load_split(lang, "extra", "test")
    if extra_test:
        tests[EXTRA[lang]] = extra_test
    test_keys = set().union(*(keys(t) for t in tests.values()))
    train_keys = keys(train)
    clean_train = [s for s in train if s.key() not in test_keys]
    clean_dev = [s for s in dev if s.key() not in test_keys]
    clean_tests = {name: [s for s in sents if s.key() not in train_keys] for name, sents in tests.items()}
    return Corpus(
        train=clean_train,
        dev=clean_dev,
        tests=clean_tests,
        removed_from_train=len(train) - len(clean_train),
        removed_from_tests={name: len(tests[name]) - len(clean_tests[name]) for name in tests},
    )
