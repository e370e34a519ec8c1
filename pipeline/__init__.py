"""A multilingual news-corpus NLP pipeline: ingest, clean, detect language, translate, link entities."""

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """`pipeline.load(out_dir)` without importing pandas when the package is imported."""
    if name == "load":
        import importlib

        return importlib.import_module("pipeline.load")  # a callable module: pipeline.load(...) runs load()
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
