"""Models and data files load on first use, once per process: the package's one way of doing it.

A module-level loader (a model, a data file, a converter; with or without arguments) is decorated with
`load_once`: the first call with given arguments loads, every later call returns the same object, and
threads asking at the same time (Ray actors run batches in threads) wait for the one load instead of each
loading. `loader.cache_clear()` forgets what was loaded (tests, or after retraining in-process).
Something one object builds on first use (a stage's detector or translator) is a
`functools.cached_property` of that object. Memos of small computations keep `functools.lru_cache`.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")
_KEYWORDS = object()  # separates keyword arguments in a key: no positional call can produce it


class Loader(Generic[P, T]):
    """A loader function that runs at most once per distinct arguments; see `load_once`."""

    def __init__(self, load: Callable[P, T]) -> None:
        functools.update_wrapper(self, load)
        self._load = load
        self._name = load.__qualname__
        self._loaded: dict[Hashable, T] = {}
        self._lock = threading.RLock()

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T:
        key = (*args, _KEYWORDS, *sorted(kwargs.items())) if kwargs else args
        try:
            return self._loaded[key]
        except KeyError:
            pass
        with self._lock:
            if key not in self._loaded:  # another thread may have loaded it while this one waited
                self._loaded[key] = self._load(*args, **kwargs)
            return self._loaded[key]

    def cache_clear(self) -> None:
        """Forget everything loaded; the next call loads again."""
        with self._lock:
            self._loaded.clear()

    def __reduce__(self) -> str:
        return self._name  # pickled by reference, like the function it wraps

    def __repr__(self) -> str:
        return f"<load_once {self.__module__}.{self._name}>"


def load_once(load: Callable[P, T]) -> Loader[P, T]:
    """Decorate a loader: it runs once per distinct (hashable) arguments and process; failures are not kept."""
    return Loader(load)
