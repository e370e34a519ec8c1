"""A multilingual news-corpus NLP pipeline: ingest, clean, detect language, translate, link entities."""

__version__ = "0.1.0"
