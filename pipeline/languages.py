"""Language sets and families shared by the stages: one definition each, imported everywhere else."""

from __future__ import annotations

__all__ = ["ENGLISH", "FAMILY", "NER_ALIASES", "base_language"]

# The English labels: original English and raw machine translation into English.
ENGLISH = ("en", "en-mt")
# Labels that share a base language: a sentence of the same family takes the article's label (langid).
FAMILY = {"en-mt": "en", "en": "en", "ms": "id", "id": "id", "zh-Hant": "zh", "zh-Hans": "zh"}
# Lower-cased language codes to the language of the NER model that reads them.
NER_ALIASES = {"zh-hans": "zh", "zh-hant": "zh", "zh-cn": "zh", "zh-tw": "zh", "en-mt": "en", "ms": "id"}


def base_language(lang: str) -> str:
    """The language a label is written in, without its script or MT variant: en-mt -> en, zh-Hant -> zh.

    Unlike `FAMILY`, Malay and Indonesian stay apart: near-duplicate search (pipeline.dedup) compares two
    articles by their English translations only across languages, and an Indonesian article and a Malay
    rewrite of it are translated separately, so they must count as two languages for that view to link them.
    """
    return "en" if lang in ENGLISH else "zh" if lang.startswith("zh") else lang
