"""pyvi, loaded without leaving files behind and without scikit-learn.

Unpickling pyvi's sklearn-crfsuite models writes each one to a new temporary file (`model*.crfsuite`, about
637 KB) that is removed only when the model object is garbage-collected, which never happens for pyvi's
class attributes: every process that used pyvi left its files in the system temp folder. Here the models
are unpickled with a private temp folder, their taggers opened (crfsuite reads the model then), and the
folder removed at once.

sklearn-crfsuite's `CRF` is a scikit-learn estimator, and importing it imports scikit-learn (and through it
pandas and pyarrow, which start threads): about 1.2 CPU s per process, for a class of which pyvi only calls
`predict`, a loop over python-crfsuite's tagger. The models are unpickled into `_CRF` below, which keeps
the same state and predicts through the same tagger; the model file handling (`FileResource`) is
sklearn-crfsuite's own. Without threads, the models can be loaded before the workers fork.
"""

from __future__ import annotations

import functools
import sys
import tempfile
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pipeline.lazy import load_once


class _CRF:
    """What pyvi uses of `sklearn_crfsuite.CRF` (the pickled state is its `__dict__`): `predict`."""

    @functools.cached_property
    def tagger_(self) -> Any:
        import pycrfsuite

        tagger = pycrfsuite.Tagger()
        tagger.open(self.modelfile.name)  # type: ignore[attr-defined]  # set by unpickling
        return tagger

    def predict_single(self, xseq: Any) -> Any:
        return self.tagger_.tag(xseq)

    def predict(self, X: Any) -> Any:  # noqa: N803 - sklearn's name
        import numpy as np

        return np.array(list(map(self.predict_single, X)), dtype=object)


@contextmanager
def _light_crfsuite() -> Iterator[None]:
    """While open, `sklearn_crfsuite.estimator.CRF` is `_CRF` and `sklearn_crfsuite`'s own `__init__` (which
    imports scikit-learn) is not run; its `_fileresource` module loads from the installed package."""
    import importlib.util

    if "sklearn_crfsuite" in sys.modules:  # already imported for real: use it
        yield
        return
    spec = importlib.util.find_spec("sklearn_crfsuite")
    if spec is None or not spec.submodule_search_locations:
        yield
        return
    package = types.ModuleType("sklearn_crfsuite")
    package.__path__ = list(spec.submodule_search_locations)
    estimator = types.ModuleType("sklearn_crfsuite.estimator")
    estimator.CRF = _CRF  # type: ignore[attr-defined]
    added = {"sklearn_crfsuite": package, "sklearn_crfsuite.estimator": estimator}
    sys.modules.update(added)
    try:
        yield
    finally:
        for name in [*added, "sklearn_crfsuite._fileresource"]:
            sys.modules.pop(name, None)


@load_once
def pyvi() -> tuple[Any, Any]:
    """pyvi's (ViTokenizer, ViPosTagger) modules, ready to use."""
    with tempfile.TemporaryDirectory(prefix="pipeline-pyvi-") as private:
        previous = tempfile.tempdir
        tempfile.tempdir = private
        try:
            with _light_crfsuite():
                from pyvi import ViPosTagger, ViTokenizer

            for module, cls in ((ViTokenizer, "ViTokenizer"), (ViPosTagger, "ViPosTagger")):
                getattr(module, cls).model.tagger_  # noqa: B018 - opens (reads) the model file while it still exists
        finally:
            tempfile.tempdir = previous
    return ViTokenizer, ViPosTagger
