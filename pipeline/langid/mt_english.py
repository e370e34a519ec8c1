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
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
MODEL_FILE = DATA / "mt_english.json"

_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|\d+(?:[.,]\d+)*|[\u3400-\u9fff\uf900-\ufaff]|\S")
# Sentence ends for pooling; newlines too, since MT output keeps the source's one-segment-a-line layout.
_SENT_END = re.compile(r"(?<=[.!?。！？])\s+(?=\S)|\n+")
_OPENING = set("([{“‘\"'«「『【《")

# Surface habits of raw Chinese-English MT that are patterns of characters, not words (data/mt_habits.toml):
# counted per sentence and given to the model as extra features (their weights are learned like the n-grams').
HABITS_FILE = DATA / "mt_habits.toml"
_EVIDENCE = {name: re.compile(pattern)
             for name, pattern in tomllib.loads(HABITS_FILE.read_text(encoding="utf-8")).items()}
EVIDENCE = tuple(_EVIDENCE)


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


def tokens(sentence: str, keep: frozenset[str] | set[str]) -> list[str]:
    """The sentence as style tokens: kept words (with a `^` when capitalised), shapes, punctuation."""
    out = ["<s>"]
    for m in _TOKEN.finditer(sentence):
        tok = m.group()
        start = m.start()
        spaced = start > 0 and sentence[start - 1].isspace()
        if tok[0].isalpha() and tok.isascii():
            low = tok.lower()
            if low in keep:
                out.append(("^" + low) if tok[0].isupper() else low)
            else:
                out.append(_shape(tok))
        elif tok[0].isdigit():
            out.append(_shape(tok))
        elif "\u3400" <= tok <= "\ufaff":
            out.append("<han>")
        elif tok.isalpha():
            out.append("<letter>")
        elif spaced and tok not in _OPENING:
            out.append("_" + tok)  # punctuation with a space before it
        else:
            out.append(tok)
    out.append("</s>")
    return out


def ngrams(toks: list[str], n_max: int = 3) -> set[str]:
    """The set of 1..n_max-grams of a token stream (space-joined), without the constant `<s>`, `</s>`."""
    grams: set[str] = set()
    for n in range(1, n_max + 1):
        for i in range(len(toks) - n + 1):
            grams.add(" ".join(toks[i:i + n]))
    grams.discard("<s>")
    grams.discard("</s>")
    return grams


def evidence_counts(sentence: str) -> dict[str, int]:
    """How often each surface habit occurs in the sentence."""
    return {name: len(pattern.findall(sentence)) for name, pattern in _EVIDENCE.items()}


def sentence_features(sentence: str, keep: frozenset[str] | set[str], n_max: int = 3) -> set[str]:
    """Feature names present in one sentence: its style n-grams and `ev:<habit>` for each habit seen."""
    feats = ngrams(tokens(sentence, keep), n_max)
    feats.update("ev:" + name for name, n in evidence_counts(sentence).items() if n)
    return feats


def split_sentences(text: str) -> list[str]:
    """Sentences (and lines) of a text, for pooling."""
    return [s.strip() for s in _SENT_END.split(text) if s.strip()]


def words_in(sentence: str) -> int:
    """Number of Latin words (the unit the model's minimum sentence length is measured in)."""
    return sum(1 for m in _TOKEN.finditer(sentence) if m.group()[0].isalpha())


@lru_cache(maxsize=1)
def _model() -> dict[str, Any]:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    data["keep_set"] = frozenset(data["keep"])
    return data


def prepare(model: dict[str, Any]) -> dict[str, Any]:
    """A model dict as trained (or loaded) with its lookup set filled in."""
    if "keep_set" not in model:
        model = dict(model, keep_set=frozenset(model["keep"]))
    return model


def sentence_logit(sentence: str, model: dict[str, Any], pushed: dict[str, float] | None = None) -> float:
    """The sentence model's log-odds that this sentence is raw MT (`pushed` sums the positive terms)."""
    weights = model["weights"]
    feats = sentence_features(sentence, model["keep_set"], model["n_max"])
    total = float(model["intercept"])
    for f in feats:
        w = weights.get(f, 0.0)
        total += w
        if pushed is not None and w > 0:
            pushed[f] = pushed.get(f, 0.0) + w
    return total


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


def mt_probability(text: str, model: dict[str, Any] | None = None, top: int = 3) -> tuple[float, list[str]]:
    """Probability that English text is raw machine translation, and the evidence for it.

    Evidence names are the surface habits of Chinese-English MT found in the text (`spaced-punctuation`,
    `unit-calque`, ...; reported whatever their learned weight, which is small where the n-grams carry
    the same signal) and the `top` style n-grams that added most to the score, as
    `style:<tokens joined by +>` (`style:^according+to`).
    """
    model = prepare(model) if model is not None else _model()
    sentences = [s for s in split_sentences(text) if words_in(s) >= model["min_words"]]
    if not sentences:
        sentences = [text]
    pushed: dict[str, float] = {}
    p = pool([sentence_logit(s, model, pushed) for s in sentences], model)
    habits = [name for name, n in evidence_counts(text).items() if n]
    grams = sorted((f for f in pushed if not f.startswith("ev:")), key=lambda f: (-pushed[f], f))[:top]
    return p, habits + ["style:" + g.replace(" ", "+") for g in grams]
