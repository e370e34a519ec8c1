"""Cleaning and normalization of one article: boilerplate, metadata, glued words, spinner damage."""

from pipeline.cleaning.core import PARAGRAPH_SEP, Cleaned, clean_article, clean_lines
from pipeline.cleaning.patterns import Patterns, load_patterns

__all__ = ["PARAGRAPH_SEP", "Cleaned", "Patterns", "clean_article", "clean_lines", "load_patterns"]
