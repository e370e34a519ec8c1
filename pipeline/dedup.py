"""Near-duplicates across the whole corpus, from the per-article fingerprints."""

from __future__ import annotations

from pipeline.article import Article
from pipeline.config import Config


def near_duplicates(articles: list[Article], config: Config) -> dict[str, str]:
    """doc_id of each later copy -> doc_id of the earlier article it duplicates."""
    return {}
