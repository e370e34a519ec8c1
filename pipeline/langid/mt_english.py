"""Raw machine-translated English (from Chinese): a sentence model over style n-grams, pooled per text.

Each sentence becomes a stream of tokens in which the most frequent words of the training data stay as
they are and every other word is reduced to its shape (`Xx`, `x`, `X`, digits by length), so the model
sees function words, word order, casing and punctuation habits, not topics. A logistic regression over
1-3-grams of that stream (plus a few surface-evidence counts) gives each sentence a log-odds; a text's
probability pools its sentences' log-odds (`pool`). Coefficients are trained by
`python -m pipeline.langid.train_mt` on WMT22 zh-en system output against human translations and
English-original text, and shipped as data/mt_english.json; inference is plain Python.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Iterable
from functools import lru_cache
from operator import add
from pathlib import Path
from typing import Any

from pipeline.lazy import load_once

DATA = Path(__file__).resolve().parent / "data"
MODEL_FILE = DATA / "mt_english.json"

_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|\d+(?:[.,]\d+)*|[\u3400-\u9fff\uf900-\ufaff]|\S")
# Sentence ends for pooling; newlines too, since MT output keeps the source's one-segment-a-line layout.
_SENT_END = re.compile(r"(?<=[.!?。！？])\s+(?=\S)|\n+")
# Where `_SENT_END` can split a text without a newline (one scan; the lookbehind split tries every position).
_SENT_END_AT = re.compile(r"[.!?。！？]\s+\S")
_OPENING = set("([{“‘\"'«「『【《")
# `_TOKEN` with the whitespace character before it, if any (the token itself is matched exactly as `_TOKEN` would).
_SPACED_TOKEN = re.compile(r"\s?(?:" + _TOKEN.pattern + ")")

# Surface habits of raw Chinese-English MT that are patterns of characters, not words (data/mt_habits.toml):
# counted per sentence and given to the model as extra features (their weights are learned like the n-grams').
HABITS_FILE = DATA / "mt_habits.toml"
_EVIDENCE = {name: re.compile(pattern)
             for name, pattern in tomllib.loads(HABITS_FILE.read_text(encoding="utf-8")).items()}
EVIDENCE = tuple(_EVIDENCE)
# Cheap exact tests before a habit's regex: habits that only match non-ASCII characters, and for the others
# literal strings of which every match contains at least one (a sentence with none of them cannot match).
_NON_ASCII_ONLY = frozenset({"fullwidth-punctuation", "enumeration-comma", "han-characters"})
_NEEDS_ONE_OF = {
    "spaced-quotes": ("“ ", "「 ", "『 ", "( ", '" ', " ”", " 」", " 』"),
    "chinese-dash": ("——", "……", "......"),
    "unit-calque": (" month ", " year", "illion"),
}
_HABIT_TESTS = tuple(
    (name, pattern, name in _NON_ASCII_ONLY, _NEEDS_ONE_OF.get(name)) for name, pattern in _EVIDENCE.items()
)


def _shape(word: str) -> str:
    if word.isdigit():
        return "#" + str(min(len(word), 5))
    if word[0].isdigit():
        return "#."
    if word.isupper():
        return "X" if len(word) > 1 else "X1"
    if word[0].isupper():
        return "Xx"
    return "x" if word.islower() else "xX"


def _token_class(tok: str, keep: frozenset[str] | set[str]) -> str:
    """A token's stream form where it does not depend on the space before it; "" for punctuation."""
    if tok[0].isalpha() and tok.isascii():
        low = tok.lower()
        if low in keep:
            return ("^" + low) if tok[0].isupper() else low
        return _shape(tok)
    if tok[0].isdigit():
        return _shape(tok)
    if "\u3400" <= tok <= "\ufaff":
        return "<han>"
    if tok.isalpha():
        return "<letter>"
    return ""


def _stream_form(piece: str, keep: frozenset[str] | set[str]) -> str:
    """A `_SPACED_TOKEN` match's stream form: the token's class, or punctuation (`_` marks a space before it)."""
    if piece[0].isspace():  # a token never starts with whitespace: this is the space before it
        space, tok = True, piece[1:]
    else:
        space, tok = False, piece
    form = _token_class(tok, keep)
    if form:
        return form
    if space and tok not in _OPENING:
        return "_" + tok  # punctuation with a space before it
    return tok


class _Forms(dict[str, str]):
    """Stream forms of the `_SPACED_TOKEN` matches seen so far for one `keep` set, filled in on first use."""

    def __init__(self, keep: frozenset[str] | set[str]) -> None:
        super().__init__()
        self.keep = keep

    def __missing__(self, piece: str) -> str:
        form = _stream_form(piece, self.keep)
        if len(self) < _MEMO_MAX:
            self[piece] = form
        return form


# Stream forms for the one frozen `keep` set in use (inference runs one model).
_MEMO_MAX = 200_000
_memo: _Forms = _Forms(frozenset())


def tokens(sentence: str, keep: frozenset[str] | set[str]) -> list[str]:
    """The sentence as style tokens: kept words (with a `^` when capitalised), shapes, punctuation."""
    global _memo
    if isinstance(keep, frozenset):
        if _memo.keep is not keep:
            _memo = _Forms(keep)
        memo = _memo
    else:
        memo = _Forms(keep)
    return ["<s>", *map(memo.__getitem__, _SPACED_TOKEN.findall(sentence)), "</s>"]


class _Spaced(dict[str, str]):
    """Stream forms with the joining space before them, made on first use."""

    def __missing__(self, form: str) -> str:
        spaced = " " + form
        if len(self) < _MEMO_MAX:
            self[form] = spaced
        return spaced


_spaced = _Spaced()


def ngrams(toks: list[str], n_max: int = 3) -> set[str]:
    """The set of 1..n_max-grams of a token stream (space-joined), without the constant `<s>`, `</s>`."""
    if n_max < 1:
        return set()
    grams = set(toks)
    spaced = list(map(_spaced.__getitem__, toks))
    level = toks
    for n in range(2, n_max + 1):  # each level in stream order: one concatenation per n-gram
        level = list(map(add, level, spaced[n - 1 :]))
        grams.update(level)
    grams.discard("<s>")
    grams.discard("</s>")
    return grams


def evidence_counts(sentence: str) -> dict[str, int]:
    """How often each surface habit occurs in the sentence."""
    return {name: len(pattern.findall(sentence)) for name, pattern in _EVIDENCE.items()}


@lru_cache(maxsize=16)
def habits_in(sentence: str) -> tuple[str, ...]:
    """The surface habits present in the sentence (those `evidence_counts` counts at least once)."""
    ascii_only = sentence.isascii()
    present = []
    for name, pattern, non_ascii, needs in _HABIT_TESTS:  # a plain loop: no generator frames per sentence
        if non_ascii and ascii_only:
            continue
        if needs is not None:
            for part in needs:
                if part in sentence:
                    break
            else:
                continue
        if pattern.search(sentence):
            present.append(name)
    return tuple(present)


def sentence_features(sentence: str, keep: frozenset[str] | set[str], n_max: int = 3) -> set[str]:
    """Feature names present in one sentence: its style n-grams and `ev:<habit>` for each habit seen."""
    feats = ngrams(tokens(sentence, keep), n_max)
    habits = habits_in(sentence)
    if habits:  # most sentences have none: no generator then
        feats.update("ev:" + name for name in habits)
    return feats


def split_sentences(text: str) -> list[str]:
    """Sentences (and lines) of a text, for pooling."""
    if "\n" not in text and not _SENT_END_AT.search(text):  # one piece: what the split would give
        return [piece] if (piece := text.strip()) else []
    return [s for s in map(str.strip, _SENT_END.split(text)) if s]


def words_in(sentence: str) -> int:
    """Number of Latin words (the unit the model's minimum sentence length is measured in)."""
    return sum(1 for tok in _TOKEN.findall(sentence) if tok[0].isalpha())


@load_once
def _model() -> dict[str, Any]:
    return prepare(json.loads(MODEL_FILE.read_text(encoding="utf-8")))


def prepare(model: dict[str, Any]) -> dict[str, Any]:
    """A model dict as trained (or loaded) with its lookups filled in: the kept-word set, and each positive n-gram
    weight's place (from 1) in the order `mt_evidence` ranks evidence in (largest weight first, then name) with the
    names by place."""
    if "keep_set" in model:
        return model
    positive = sorted((-w, f) for f, w in model["weights"].items() if w > 0 and not f.startswith("ev:"))
    names = ["", *(f for _, f in positive)]
    return dict(model, keep_set=frozenset(model["keep"]), evidence_rank={f: i for i, f in enumerate(names) if i},
                evidence_names=names)


def sentence_terms(sentence: str, model: dict[str, Any]) -> tuple[float, set[str]]:
    """The sentence model's log-odds that this sentence is raw MT, and the features that have a weight."""
    weights = model["weights"]
    found = weights.keys() & sentence_features(sentence, model["keep_set"], model["n_max"])  # intersected in C
    # The intercept plus the weights, summed exactly (math.fsum): the result does not depend on the set's
    # iteration order, which follows the process's string-hash seed, so every process gives the same bits.
    return math.fsum([float(model["intercept"]), *map(weights.__getitem__, found)]), found


def sentence_logit(sentence: str, model: dict[str, Any], pushed: dict[str, float] | None = None) -> float:
    """The sentence model's log-odds that this sentence is raw MT (`pushed` sums the positive terms)."""
    total, found = sentence_terms(sentence, model)
    if pushed is not None:
        _push(found, model["weights"], pushed)
    return total


def _push(found: Iterable[str], weights: dict[str, float], pushed: dict[str, float]) -> None:
    if not pushed:  # the first sentence: its positive terms as they are
        pushed.update((f, w) for f in found if (w := weights[f]) > 0)
        return
    for f in found:
        w = weights[f]
        if w > 0:
            pushed[f] = pushed.get(f, 0.0) + w


def pool(logits: Iterable[float], model: dict[str, Any]) -> float:
    """Text probability from its sentences' log-odds: calibrated mean, sharper with more sentences."""
    values = list(logits)
    if not values:
        return 0.0
    mean = sum(values) / len(values)
    cal = model["pool"]
    log_n = math.log(len(values))
    z = cal["intercept"] + cal["coef_log_n"] * log_n + mean * (cal["coef_mean"] + cal["coef_mean_log_n"] * log_n)
    if len(values) == 1:  # one sentence is weak evidence: a prior shift fitted in cross-validation
        z -= cal.get("single_sentence_shift", 0.0)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def mt_score(text: str, model: dict[str, Any] | None = None) -> tuple[float, list[set[str]]]:
    """Probability that English text is raw machine translation, and each scored sentence's weighted features
    (for `mt_evidence`)."""
    model = prepare(model) if model is not None else _model()
    pieces = split_sentences(text)
    if pieces == [text]:
        sentences = pieces  # one sentence: scored whatever its length (a short one is the fallback below)
    else:
        sentences = [s for s in pieces if words_in(s) >= model["min_words"]] or [text]
    terms = [sentence_terms(s, model) for s in sentences]
    return pool([logit for logit, _ in terms], model), [found for _, found in terms]


def mt_evidence(text: str, found: list[set[str]], model: dict[str, Any] | None = None, top: int = 3) -> list[str]:
    """Evidence names for `mt_score`'s result (see `mt_probability`)."""
    model = prepare(model) if model is not None else _model()
    if len(found) == 1:  # one sentence: the places of its terms in the model's own evidence order give the top ones
        names = model["evidence_names"]
        best = sorted(filter(None, map(model["evidence_rank"].get, found[0])))[:top]
        return list(habits_in(text)) + ["style:" + names[i].replace(" ", "+") for i in best]
    pushed: dict[str, float] = {}
    for feats in found:
        _push(feats, model["weights"], pushed)
    ranked = sorted((-w, f) for f, w in pushed.items() if not f.startswith("ev:"))  # (-weight, name) order
    return list(habits_in(text)) + ["style:" + f.replace(" ", "+") for _, f in ranked[:top]]


def mt_probability(text: str, model: dict[str, Any] | None = None, top: int = 3) -> tuple[float, list[str]]:
    """Probability that English text is raw machine translation, and the evidence for it.

    Evidence names are the surface habits of Chinese-English MT found in the text (`spaced-punctuation`,
    `unit-calque`, ...; reported whatever their learned weight, which is small where the n-grams carry
    the same signal) and the `top` style n-grams that added most to the score, as
    `style:<tokens joined by +>` (`style:^according+to`).
    """
    p, found = mt_score(text, model)
    return p, mt_evidence(text, found, model, top)
