"""Language sets and families shared by the stages: one definition each, imported everywhere else."""

from __future__ import annotations

__all__ = ["ENGLISH", "FAMILY", "NER_ALIASES"]

# The English labels: original English and raw machine translation into English.
ENGLISH = ("en", "en-mt")
# Labels that share a base language: a sentence of the same family takes the article's label (langid).
FAMILY = {"en-mt": "en", "en": "en", "ms": "id", "id": "id", "zh-Hant": "zh", "zh-Hans": "zh"}
# Lower-cased language codes to the language of the NER model that reads them.
NER_ALIASES = {"zh-hans": "zh", "zh-hant": "zh", "zh-cn": "zh", "zh-tw": "zh", "en-mt": "en", "ms": "id"}
