"""Article and sentence language: script rules, an ensemble of detectors, and three refiners.

Script decides first: Han text (one character is enough) goes to Simplified/Traditional by OpenCC and
regional-vocabulary evidence, text with Vietnamese-only letters is Vietnamese, other non-Latin scripts are
`und`. Only the rest goes to a weighted vote of off-the-shelf detectors; Indonesian/Malay is refined by
lexical markers and English by the MT-English model. Every label is one of `LABELS`.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.langid import anchors
from pipeline.langid.chinese import han_variant
from pipeline.langid.malay import malay_evidence
from pipeline.langid.mt_english import mt_evidence, mt_score, prepare
from pipeline.langid.scripts import script_counts
from pipeline.languages import FAMILY
from pipeline.lazy import load_once

CALIBRATION_FILE = Path(__file__).resolve().parent / "data" / "calibration.json"
ENGLISH_WORDS_FILE = Path(__file__).resolve().parent / "data" / "english_function_words.txt"
OTHER_WORDS_FILE = Path(__file__).resolve().parent / "data" / "other_function_words.txt"
INDONESIAN_WORDS_FILE = Path(__file__).resolve().parent / "data" / "indonesian_function_words.txt"

# One Han, kana or Hangul character carries about as much as a short Latin word.
CJK_WEIGHT = 2.5
# The labels the output contract allows; anything else a detector says is mapped (see `supported`).
LABELS = ("id", "vi", "ms", "zh-Hans", "zh-Hant", "en", "en-mt", "und")
# Latin-script languages of Indonesia that the detectors give to Indonesian text (short or informal
# Indonesian often comes out as Javanese, Sundanese or Minangkabau): with Indonesian/Malay votes, `id`.
_INDONESIAN_NEIGHBOURS = frozenset({"jv", "su", "min", "ban", "bjn", "mad", "ace", "bug"})
# Share of Vietnamese-only letters (ă, ơ, ư, đ, ạ, ...) among Latin letters from which text is Vietnamese
# without asking the detectors: no other language writes them (Vietnamese prose runs at 15-25 %).
VI_LETTER_SHARE = 0.05
# fastText and CLD3 agreeing at least this sure settle a Latin-script text without lingua.
FAST_AGREEMENT = 0.8
# For a text's own label (`detect`), fastText at least this sure of English settles it alone: CLD3 and lingua are
# not asked (docs/langid.md "Speed": the labels of 72,816 test decisions stay the same but for one sentence that
# the full vote called Indonesian).
FASTTEXT_SURE = 0.8
# The detectors' id/ms split enters the Indonesian/Malay decision as a log-odds prior clipped to +-PRIOR_CLIP and
# weighted PRIOR_WEIGHT; marker evidence beyond PRIOR_CLIP * PRIOR_WEIGHT decides whatever the detectors say.
PRIOR_CLIP = 2.0
PRIOR_WEIGHT = 0.5
# English gate for a text's own label: at least ENGLISH_GATE_WORDS words, all letters ASCII, and at least this
# share of them English function words (data/english_function_words.txt) settles English before any detector is
# asked. On the 77,049 dev, real-world, benchmark and stress-set decisions no text that is not English has more
# than 0.28 of its words (of 8 or more) in the list, and none that passes the gate changes label (docs/langid.md
# "Speed").
ENGLISH_GATE_WORDS = 8
ENGLISH_GATE_SHARE = 0.35
# The gate's lower tier: a share of at least ENGLISH_GATE_LOW_SHARE settles English too when no word written in
# lower case is a function word of another Latin-script language (data/other_function_words.txt). Raw MT English
# dense with names and nouns runs at 0.25-0.35; Indonesian, Malay or Tagalog text that reaches 0.25 (English
# titles, names) has its own function words. On the 98,906 stress-set texts of docs/langid.md "Speed" the tier
# changes 5 labels, all English text the full vote called `ms` or `und`.
ENGLISH_GATE_LOW_SHARE = 0.25
# A sentence of an Indonesian or Malay article with at least ENGLISH_GATE_WORDS words, all ASCII, and at least this
# share of them Indonesian/Malay function words (data/indonesian_function_words.txt) is in the article's language
# without asking the detectors. On the stress set of docs/langid.md no English text reaches 0.25 and the median
# Indonesian text is at 0.44.
INDONESIAN_GATE_SHARE = 0.35
_WORD = re.compile(r"[^\W\d_]+")
_ASCII_WORD = re.compile(r"[a-z]+")  # `_WORD` on lower-cased ASCII text
LOWER_WORD = re.compile(r"(?<![A-Za-z])[a-z]+(?![A-Za-z])")  # words written in lower case
# The anchor detectors are native code that a per-article time limit cannot interrupt, and their cost grows with
# the text; past this many characters they see evenly spaced slices of it (real articles are far shorter).
VOTE_MAX_CHARS = 100_000
VOTE_SLICES = 10


@dataclass(frozen=True, slots=True)
class Detection:
    """A language decision: label, calibrated confidence, and the evidence behind it."""

    lang: str
    confidence: float
    flags: tuple[str, ...] = ()
    raw: float = 0.0  # uncalibrated score in (0, 1]
    letters: int = 0


@dataclass(frozen=True)
class DetectorSettings:
    """What the detector needs from `LangidConfig` (kept separate so the library stands alone)."""

    min_chars: int = 3
    sentence_min_chars: int = 20
    sentence_min_raw: float = 0.55
    mt_threshold: float = 0.5
    weights: dict[str, float] = field(default_factory=lambda: {"fasttext": 1.0, "cld3": 1.0, "lingua": 1.0})
    lingua_languages: tuple[str, ...] = ()


def _read_words(path: Path) -> frozenset[str]:
    """A word list shipped in data/ (one word a line, `#` comments)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@load_once
def _english_words() -> frozenset[str]:
    return _read_words(ENGLISH_WORDS_FILE)


@load_once
def _other_words() -> frozenset[str]:
    return _read_words(OTHER_WORDS_FILE)


@load_once
def _indonesian_words() -> frozenset[str]:
    return _read_words(INDONESIAN_WORDS_FILE)


def _gate_words(text: str) -> list[str] | None:
    """The text's words, lower-cased, when every one is in ASCII letters; None otherwise."""
    if text.isascii():  # the words are the runs of ASCII letters: found in the lower-cased text directly
        return _ASCII_WORD.findall(text.lower())
    words = _WORD.findall(text)
    if not " ".join(words).isascii():
        return None
    return [w.lower() for w in words]


def clearly_indonesian(text: str) -> bool:
    """Enough words, all in ASCII letters, with an Indonesian/Malay function-word share at least
    `INDONESIAN_GATE_SHARE` (which of the two is not decided here)."""
    words = _gate_words(text)
    if words is None or len(words) < ENGLISH_GATE_WORDS:
        return False
    return sum(map(_indonesian_words().__contains__, words)) >= INDONESIAN_GATE_SHARE * len(words)


def clearly_english(text: str) -> bool:
    """The English gate: enough words, all in ASCII letters, with an English function-word share at least
    `ENGLISH_GATE_SHARE`, or at least `ENGLISH_GATE_LOW_SHARE` and no lower-case function word of another
    language."""
    words = _gate_words(text)
    if words is None or len(words) < ENGLISH_GATE_WORDS:
        return False
    english = sum(map(_english_words().__contains__, words))
    if english >= ENGLISH_GATE_SHARE * len(words):
        return True
    return (english >= ENGLISH_GATE_LOW_SHARE * len(words)
            and _other_words().isdisjoint(LOWER_WORD.findall(text)))


@load_once
def _calibration() -> dict | None:
    if not CALIBRATION_FILE.exists():
        return None
    return json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))


def calibrate(raw: float, letters: int, table: dict | None = None) -> float:
    """Probability that a decision with this raw score and length is right (fitted on dev, see train.py)."""
    table = table if table is not None else _calibration()
    raw = min(max(raw, 1e-4), 1 - 1e-4)
    if not table:
        return round(raw, 4)
    z = (table["intercept"] + table["coef_logit"] * math.log(raw / (1 - raw))
         + table["coef_length"] * math.log1p(letters))
    return round(1.0 / (1.0 + math.exp(-z)), 4)


class LanguageDetector:
    """Detect the language of a text or of each of its sentences; models load on first use."""

    def __init__(self, settings: DetectorSettings | None = None, mt_model: dict | None = None,
                 calibration: dict | None = None, use_calibration: bool = True) -> None:
        if settings is None:
            from pipeline.config import LangidConfig

            settings = settings_from_config(LangidConfig())
        self.settings = settings
        self.mt_model = prepare(mt_model) if mt_model is not None else None  # its lookups built once
        self.calibration = calibration
        self.use_calibration = use_calibration

    # -- whole texts -------------------------------------------------------------------------
    def detect(self, text: str) -> Detection:
        """Language of a whole text (an article, a paragraph, or one sentence)."""
        lang, raw, flags, letters = self._decide(text, with_mt=True)
        return self._finish(lang, raw, flags, letters)

    def _finish(self, lang: str, raw: float, flags: list[str], letters: int) -> Detection:
        if lang not in LABELS:
            raise ValueError(f"label {lang!r} outside the contract's set {LABELS}")
        if lang == "und":
            conf = 0.0
        elif self.use_calibration:
            conf = calibrate(raw, letters, self.calibration)
        else:
            conf = round(raw, 4)
        return Detection(lang, conf, tuple(sorted(set(flags))) if flags else (), round(raw, 4), letters)

    def _decide(self, text: str, with_mt: bool,
                counts: Counter[str] | None = None) -> tuple[str, float, list[str], int]:
        if counts is None:
            counts = script_counts(text)
        if len(counts) == 1 and "latin" in counts:  # Latin letters only: the general path below, shortened
            letters = counts["latin"]
            if letters < self.settings.min_chars:
                return "und", 0.0, [], letters
            return self._latin(text, 1.0, with_mt, letters)
        cjk = counts["han"] + counts["kana"] + counts["hangul"]
        scripts = {k: v for k, v in counts.items() if k not in ("vi", "han", "kana", "hangul")}
        letters = sum(scripts.values()) + cjk
        # One Han character is a Chinese word; Latin text needs `min_chars` letters.
        if letters < self.settings.min_chars and not counts["han"]:
            return "und", 0.0, [], letters
        weighted = {k: float(v) for k, v in scripts.items()}
        weighted["cjk"] = cjk * CJK_WEIGHT
        top = max(weighted, key=lambda k: weighted[k])
        dominance = weighted[top] / sum(weighted.values())
        if top == "cjk":
            if counts["kana"] >= max(2, 0.05 * cjk) or counts["hangul"] > counts["han"]:
                return "und", 0.0, [], letters  # Japanese, Korean: outside the supported set
            label, share, _ = han_variant(text)
            return label, dominance * share, [], letters
        if top != "latin":
            return "und", 0.0, [], letters  # Cyrillic, Thai, Arabic, ...: no supported language
        if counts["vi"] >= max(1.0, VI_LETTER_SHARE * counts["latin"]):
            return "vi", dominance, [], letters
        return self._latin(text, dominance, with_mt, letters)

    def _latin(self, text: str, dominance: float, with_mt: bool, letters: int) -> tuple[str, float, list[str], int]:
        # A text's own label settles early; sentence labels compare the share with `sentence_min_raw`, so they
        # take the full vote, but for the English gate (whose share, 1.0, passes any minimum).
        votes = self.vote(text, early=with_mt, gate=True)
        if not votes:
            return "und", 0.0, [], letters
        best = max(votes, key=votes.__getitem__)
        share = votes[best]
        flags: list[str] = []
        if best in _INDONESIAN_NEIGHBOURS and votes.get("id", 0.0) + votes.get("ms", 0.0) >= 0.2:
            best = "id"
        if best == "zh":  # Chinese text inside markup or Latin noise: the detectors see the Han part
            label, han_share, _ = han_variant(text)
            return label, min(1.0, dominance * share * han_share), flags, letters
        if best not in ("en", "id", "ms", "vi"):
            return "und", 0.0, flags, letters
        if best in ("id", "ms"):
            evidence, _ = malay_evidence(text)
            # The detectors' own id/ms split counts as weak evidence; the markers decide when present.
            prior = math.log((votes.get("ms", 0.0) + 0.05) / (votes.get("id", 0.0) + 0.05))
            logodds = max(-PRIOR_CLIP, min(PRIOR_CLIP, prior)) * PRIOR_WEIGHT + evidence
            best = "ms" if logodds > 0 else "id"
            share = (votes.get("id", 0.0) + votes.get("ms", 0.0)) * (1.0 / (1.0 + math.exp(-abs(logodds))))
        elif best == "en" and with_mt:
            p, found = mt_score(text, self.mt_model)
            if p >= self.settings.mt_threshold:
                best = "en-mt"
                flags.extend(f"mt-evidence:{name}" for name in mt_evidence(text, found, self.mt_model))
            share *= max(p, 1.0 - p)
        return best, min(1.0, dominance * share), flags, letters

    def vote(self, text: str, early: bool = False, gate: bool = False) -> dict[str, float]:
        """Weighted average of the anchor detectors' probabilities (the weights of those asked sum to 1).

        When fastText and CLD3 agree and are both sure of a language other than id/ms (which lingua
        separates best), lingua, the slowest of the three, is not asked. With `early` (a text's own label,
        where the share only feeds the calibrated confidence) English settles sooner: fastText at least
        `FASTTEXT_SURE` sure alone, or fastText and CLD3 agreeing with a lead over every other language
        that lingua's whole weight could not overturn (so lingua cannot change the label). With `gate` (or
        `early`), text that passes the English gate (`clearly_english`) is English with share 1.0, no detector asked.
        """
        text = bounded_sample(text)
        if (early or gate) and clearly_english(text):
            return {"en": 1.0}
        weights = {k: w for k, w in self.settings.weights.items() if w > 0}
        asked: dict[str, dict[str, float]] = {}  # scores already computed, reused by the full vote
        if {"fasttext", "cld3"} <= set(weights) and "lingua" in weights:
            ft = asked["fasttext"] = anchors.ANCHORS["fasttext"](text)
            top = max(ft, key=lambda k: ft[k]) if ft else ""
            if early and top == "en" and ft[top] >= FASTTEXT_SURE:
                return _weighted({"fasttext": ft}, weights)
            cld3 = asked["cld3"] = anchors.ANCHORS["cld3"](text)
            if early and _markers_settle(asked, weights, text):
                return _weighted(asked, weights)
            if top and top == (max(cld3, key=lambda k: cld3[k]) if cld3 else "") and top not in ("id", "ms"):
                agreed = _weighted(asked, weights)
                if min(sc[top] for sc in asked.values()) >= FAST_AGREEMENT:
                    return agreed
                lingua_share = weights["lingua"] / sum(weights.values())
                runner_up = max((p for code, p in agreed.items() if code != top), default=0.0)
                if early and top == "en" and (agreed[top] - runner_up) * (1.0 - lingua_share) > lingua_share:
                    return agreed
        total = sum(weights.values())
        votes: dict[str, float] = {}
        for name, weight in weights.items():
            if name in asked:
                scores = asked[name]
            elif name == "lingua":
                scores = anchors.lingua_scores(text, self.settings.lingua_languages)
            else:
                scores = anchors.ANCHORS[name](text)
            norm = sum(scores.values()) or 1.0
            for code, p in scores.items():
                votes[code] = votes.get(code, 0.0) + weight / total * p / max(norm, 1.0)
        return votes

    # -- sentences ---------------------------------------------------------------------------
    def detect_sentences(self, text: str, spans: Sequence[tuple[int, int]], article: Detection) -> list[str]:
        """One label per sentence span; short, unclear or same-family sentences take the article's label."""
        out = []
        for start, end in spans:
            out.append(self._sentence(text[start:end], article))
        return out

    def _sentence(self, sentence: str, article: Detection) -> str:
        counts = script_counts(sentence)
        cjk = counts["han"] + counts["kana"] + counts["hangul"]
        size = sum(v for k, v in counts.items() if k not in ("vi", "han", "kana", "hangul")) + cjk * CJK_WEIGHT
        if article.lang == "und" or size < self.settings.sentence_min_chars:
            return article.lang
        if article.lang in ("id", "ms") and clearly_indonesian(sentence):  # the article's family: its label
            return article.lang
        lang, raw, _, _ = self._decide(sentence, with_mt=False, counts=counts)
        if lang == "und" or raw < self.settings.sentence_min_raw:
            return article.lang
        if FAMILY.get(lang, lang) == FAMILY.get(article.lang, article.lang):
            if lang in ("zh-Hans", "zh-Hant"):
                _, _, evidence = han_variant(sentence)
                if evidence["traditional"] + evidence["simplified"] < 2:
                    return article.lang
                return lang
            return article.lang
        if lang == "en":
            p, _ = mt_score(sentence, self.mt_model)
            return "en-mt" if p >= self.settings.mt_threshold else "en"
        return lang


def _markers_settle(asked: dict[str, dict[str, float]], weights: dict[str, float], text: str) -> bool:
    """Whether lingua, not yet asked, cannot change the label: Indonesian or Malay leads the other detectors' votes by
    more than lingua's whole weight (so the vote's best is id or ms whatever lingua says) and the Malay markers
    alone decide between them (their evidence outweighs the largest prior the votes can give)."""
    partial = _weighted(asked, weights)
    lead = max(partial.get("id", 0.0), partial.get("ms", 0.0))
    total = sum(weights.values())
    asked_share = sum(weights[name] for name in asked) / total
    rest = 1.0 - asked_share  # the weight share of the detectors not asked
    runner_up = max((p for code, p in partial.items() if code not in ("id", "ms")), default=0.0)
    if (lead - runner_up) * asked_share <= rest:
        return False
    evidence, _ = malay_evidence(text)
    return abs(evidence) > PRIOR_CLIP * PRIOR_WEIGHT


def _weighted(scores: dict[str, dict[str, float]], weights: dict[str, float]) -> dict[str, float]:
    """Weighted average of the probabilities of the detectors in `scores` (each normalised to sum at most 1),
    their weights renormalised to sum to 1."""
    total = sum(weights[name] for name in scores)
    out: dict[str, float] = {}
    for name, sc in scores.items():
        norm = max(sum(sc.values()), 1.0)
        for code, p in sc.items():
            out[code] = out.get(code, 0.0) + weights[name] / total * p / norm
    return out


def settings_from_config(config: object) -> DetectorSettings:
    """Detector settings from `LangidConfig`."""
    return DetectorSettings(
        min_chars=config.min_chars,  # type: ignore[attr-defined]
        sentence_min_chars=config.sentence_min_chars,  # type: ignore[attr-defined]
        sentence_min_raw=config.sentence_min_confidence,  # type: ignore[attr-defined]
        mt_threshold=config.mt_threshold,  # type: ignore[attr-defined]
        weights=dict(zip(config.ensemble, config.ensemble_weights, strict=True)),  # type: ignore[attr-defined]
        lingua_languages=tuple(config.lingua_languages),  # type: ignore[attr-defined]
    )


def detector_from_config(config: object) -> LanguageDetector:
    """A detector set up from `LangidConfig`."""
    return LanguageDetector(settings_from_config(config))


def bounded_sample(text: str, limit: int = VOTE_MAX_CHARS, slices: int = VOTE_SLICES) -> str:
    """The text itself up to `limit` characters; past it, `slices` evenly spaced pieces of `limit // slices` each."""
    if len(text) <= limit:
        return text
    size, step = limit // slices, len(text) // slices
    return "\n".join(text[i * step : i * step + size] for i in range(slices))
