"""A multilingual news-corpus NLP pipeline: ingest, clean, detect language, translate, link entities."""

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """`pipeline.load(out_dir)` without importing pandas when the package is imported."""
    if name == "load":
        from pipeline.loader import load

        return load
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
