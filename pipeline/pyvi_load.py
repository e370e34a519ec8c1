"""pyvi, loaded without leaving files behind.

Unpickling pyvi's sklearn-crfsuite models writes each one to a new temporary file (`model*.crfsuite`, about
637 KB) that is removed only when the model object is garbage-collected, which never happens for pyvi's
class attributes: every process that used pyvi left its files in the system temp folder. Here the models
are unpickled with a private temp folder, their taggers opened (crfsuite reads the model then), and the
folder removed at once.
"""

from __future__ import annotations

import tempfile
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def pyvi() -> tuple[Any, Any]:
    """pyvi's (ViTokenizer, ViPosTagger) modules, ready to use."""
    with tempfile.TemporaryDirectory(prefix="pipeline-pyvi-") as private:
        previous = tempfile.tempdir
        tempfile.tempdir = private
        try:
            from pyvi import ViPosTagger, ViTokenizer

            for module, cls in ((ViTokenizer, "ViTokenizer"), (ViPosTagger, "ViPosTagger")):
                getattr(module, cls).model.tagger_  # noqa: B018 - opens (reads) the model file while it still exists
        finally:
            tempfile.tempdir = previous
    return ViTokenizer, ViPosTagger
