"""Raw machine-translated English (typically from Chinese): explainable features and a logistic model.

The coefficients are trained by `python -m pipeline.langid.train` and shipped as
data/mt_english.json; inference is plain Python.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

from pipeline.script import CJK as _HAN

DATA = Path(__file__).resolve().parent / "data"
MODEL_FILE = DATA / "mt_english.json"
CALQUES_FILE = DATA / "mt_calques.txt"
CHINGLISH_FILE = DATA / "mt_chinglish.txt"

_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_SENT = re.compile(r"[.!?。！？]+(?:\s|$)|\n+")
# Punctuation typed with a space before it, as Chinese-English MT output tokenised it (`Ali , As`).
_SPACED_PUNCT = re.compile(r"[A-Za-z0-9] [,.;:?!)](?=\s|$)|\( [A-Za-z]")
# Chinese quotes and brackets with spaces inside them: `“ Ma Mou ”`.
_SPACED_QUOTES = re.compile(r"[“「『(\"] [A-Za-z]|[A-Za-z.] [”」』]")
# Chinese measure words rendered literally: `5 month 3 Japan`, `2018 year`, `2000 Million`, `One hundred million`.
_UNIT_CALQUE = re.compile(
    r"\b\d{1,2} month \d{1,2}\b|\b\d{1,2} (?:Japan|day|number)\b(?! (?:ago|later|earlier|of|and|or|to|in|after|before))"
    r"|\b(?:19|20)\d\d year\b(?!s| old| of| on| and| to)|\b\d+(?:\.\d+)? (?:Million|Billion|Trillion)\b"
    r"|\b(?:[Oo]ne|[Tt]wo|[Tt]hree|[Ff]ive|[Tt]en|\d+) hundred million\b|\bten thousand (?:yuan|people|units)\b"
    r"|\b\d+(?:\.\d+)? ten thousand\b",
)
_FULLWIDTH = re.compile(r"[，。：；！？（）【】《》～％＋＝]")
_ENUM_COMMA = re.compile(r"、")
# A function word capitalised right after a comma: Chinese sentence boundaries kept as commas.
_CAP_AFTER_COMMA = re.compile(
    r", (?:The|It|As|We|This|That|In|And|But|So|If|There|They|He|She|Its|Our|Their|These|Those"
    r"|At|On|For|With|To|By|From|Is|Are|Was|Also|After|When|Not|Will|Can|Let)\b"
)
# 等 rendered as "and other": `shell, ideal car and other companies`.
_AND_OTHER = re.compile(r"\band other\b")
# Day-of-month without a month, as in Chinese wire copy: `(Reporter X) 24,`, `on the 25th`, `reporter 25 from`.
_BARE_DAY = re.compile(r"\) \d{1,2}[, ]|\b[Oo]n the \d{1,2}(?:st|nd|rd|th)\b|\breporters? \d{1,2}\b")
# Chinese dashes and the six-dot ellipsis (……), also when rendered as six full stops.
_CN_DASH = re.compile(r"——|……|\.{6}")
# A word written twice (`lists lists`): a decoding glitch.
_DOUBLED = re.compile(r"\b([a-z]{3,}) \1\b")
# A capitalised function word in mid-sentence between lowercase words (`the development of The local industry`).
_MID_CAPITAL = re.compile(r"\b[a-z]+ (?:The|Of|And|For|With|To) [a-z]")
_ARTICLE = re.compile(r"\b(?:the|a|an)\b", re.IGNORECASE)
_LOWER_START = re.compile(r"[.!?] [a-z]")
# A clause with no subject after a comma (`..., is expected to drive`): Chinese run-on sentences.
_COMMA_VERB = re.compile(r", (?:is|are|was|were|can|will|should|must|has|have|had|did|does|need|needs) ")
# Thousands without a separator (`2300 people`): Chinese MT keeps the digits as written.
_BARE_THOUSANDS = re.compile(r"(?<![\d.,/:-])(?!(?:19|20)\d\d\b)\d{4,}(?![\d.,/:%-])")
# A sentence opened by a prepositional or adverbial phrase (`In the first half of the year, ...`, `According to
# ...`): Chinese puts time, place and topic first, and MT keeps that order.
_OPENER = re.compile(
    r"^[\"“'(]*(?:In|On|At|According to|With|From|Under|During|After|Since|Through|By|Due to|Among|Compared with"
    r"|Combined with|For|As for|In terms of|Regarding|Along with|Driven by|Against)\b"
)
# A clause after a comma that starts with a content word or a verb: `..., is expected`, `..., covering`,
# `..., bee farmers income`. Human English mostly goes on with a conjunction, a pronoun or a determiner.
_COMMA_CONTENT = re.compile(
    r", (?!(?:and|but|or|nor|which|who|whom|whose|where|when|while|whereas|although|though|because|since|as|if|"
    r"unless|so|yet|the|a|an|this|that|these|those|its|his|her|their|our|he|she|it|they|we|i|you|there|"
    r"according|said|says|including|such|with|without|in|on|at|for|to|from|by|of|after|before|until|like|"
    r"not|only|also|then|than|both|either|neither|each|every|all|some|many|most|more|much|one|two|three|"
    r"mr|mrs|ms|dr|sir|respectively|however|meanwhile|instead|though|too|even|just|now|already|still|"
    r"what|how|why|whether|up|down|over|under|into|about|around|among|between|through|during)\b)[a-z]"
)
_INDEFINITE = re.compile(r"\b(?:a|an|A|An)\b")
_PRONOUN = re.compile(r"\b(?:he|she|they|him|her|them|his|their|I|me|my|you|your|He|She|They|His|Their|You|My)\b")
_HEDGE = re.compile(r"\b(?:would|could|might|may|Would|Could|Might|May)\b(?! \d)")
_CONTRACTION = re.compile(r"[A-Za-z](?:n['’]t|['’](?:s|re|ve|ll|d|m))\b")
_FUNCTION = frozenset(
    "a an the of in on at to for from by with and or but as is are was were be been being has have had do does did "
    "will would can could should may might must that which who whom whose this these those it its they their them "
    "he his she her we our you your i not no than then so if when while after before about into over under also "
    "more most such there here what how all any some each other".split()
)


@lru_cache(maxsize=1)
def _calques() -> tuple[str, ...]:
    lines = CALQUES_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def _chinglish() -> tuple[str, ...]:
    lines = CHINGLISH_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


FEATURES = (
    "spaced-punctuation",
    "spaced-quotes",
    "unit-calque",
    "fullwidth-punctuation",
    "enumeration-comma",
    "han-characters",
    "capital-after-comma",
    "brand-calque",
    "and-other",
    "bare-day-number",
    "chinese-dash",
    "lowercase-sentence-start",
    "comma-verb",
    "bare-thousands",
    "chinglish-word",
    "doubled-word",
    "noun-pileup",
    "comma-density",
    "few-articles",
    "long-sentences",
    "adverbial-opener",
    "comma-content-word",
    "indefinite-articles",
    "personal-pronouns",
    "hedging-modals",
    "contractions",
)

# Features that are counts of concrete evidence (reported in flags); the rest are text statistics.
EVIDENCE = FEATURES[:16]


def features(text: str) -> dict[str, float]:
    """Feature values for one English text: log(1 + count per sentence) for evidence, rates for style."""
    words = _WORD.findall(text)
    n_words = max(len(words), 1)
    n_sent = max(len([s for s in _SENT.split(text) if s.strip()]), 1)
    lower = " " + " ".join(w.lower() for w in words) + " "
    counts = {
        "spaced-punctuation": len(_SPACED_PUNCT.findall(text)),
        "spaced-quotes": len(_SPACED_QUOTES.findall(text)),
        "unit-calque": len(_UNIT_CALQUE.findall(text)),
        "fullwidth-punctuation": len(_FULLWIDTH.findall(text)),
        "enumeration-comma": len(_ENUM_COMMA.findall(text)),
        "han-characters": len(_HAN.findall(text)),
        "capital-after-comma": len(_CAP_AFTER_COMMA.findall(text)) + len(_MID_CAPITAL.findall(text)),
        "brand-calque": sum(lower.count(" " + c + " ") for c in _calques()),
        "and-other": len(_AND_OTHER.findall(text)),
        "bare-day-number": len(_BARE_DAY.findall(text)),
        "chinese-dash": len(_CN_DASH.findall(text)),
        "lowercase-sentence-start": len(_LOWER_START.findall(text)),
        "comma-verb": len(_COMMA_VERB.findall(text)),
        "bare-thousands": len(_BARE_THOUSANDS.findall(text)),
        "chinglish-word": sum(lower.count(" " + c + " ") for c in _chinglish()),
    }
    out = {name: math.log1p(count / n_sent * 3) for name, count in counts.items()}
    # Runs of four or more content words with no function word between them: noun piles.
    run = piles = 0
    for w in words:
        if w.lower() in _FUNCTION:
            piles += run >= 4
            run = 0
        else:
            run += 1
    piles += run >= 4
    out["noun-pileup"] = math.log1p(piles / n_sent * 3)
    out["comma-density"] = math.log1p(text.count(",") / n_sent)
    # Chinese has no articles; MT drops many. English news runs near 0.08 articles a word.
    out["few-articles"] = max(0.0, 0.09 - len(_ARTICLE.findall(text)) / n_words) * 20
    out["long-sentences"] = math.log1p(n_words / n_sent / 10)
    sentences = [s for s in _SENT.split(text) if s.strip()]
    out["doubled-word"] = math.log1p(len(_DOUBLED.findall(text)) / n_sent * 3)
    out["adverbial-opener"] = sum(bool(_OPENER.match(s.strip())) for s in sentences) / max(len(sentences), 1)
    per_word = 100 / n_words
    out["comma-content-word"] = math.log1p(len(_COMMA_CONTENT.findall(text)) * per_word)
    out["indefinite-articles"] = math.log1p(len(_INDEFINITE.findall(text)) * per_word)
    out["personal-pronouns"] = math.log1p(len(_PRONOUN.findall(text)) * per_word)
    out["hedging-modals"] = math.log1p(len(_HEDGE.findall(text)) * per_word)
    out["contractions"] = math.log1p(len(_CONTRACTION.findall(text)) * per_word)
    return out


@lru_cache(maxsize=1)
def _model() -> dict:
    return json.loads(MODEL_FILE.read_text(encoding="utf-8"))


def mt_probability(text: str, model: dict | None = None) -> tuple[float, list[str]]:
    """Probability that English text is raw machine translation, and the evidence names that pushed it up."""
    model = model or _model()
    values = features(text)
    z = float(model["intercept"])
    evidence = []
    for name in model["features"]:
        x = (values[name] - model["mean"][name]) / model["scale"][name]
        contribution = model["coef"][name] * x
        z += contribution
        if name in EVIDENCE and values[name] > 0 and model["coef"][name] > 0:
            evidence.append(name)
    return 1.0 / (1.0 + math.exp(-z)), evidence
