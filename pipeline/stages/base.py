"""What every stage is: a name, a version, what it needs and fills, and articles in, articles out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import ClassVar

from pipeline.article import Article
from pipeline.config import Config
from pipeline.errors import Reject

__all__ = ["Reject", "Stage"]


class Stage:
    """A small, versioned step over `Article`s; constructing one is cheap and loads no model."""

    name: ClassVar[str]
    version: ClassVar[str]
    requires: ClassVar[tuple[str, ...]] = ()
    provides: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: Config) -> None:
        self.config = config

    def cache_key_part(self) -> str:
        """What the cache keys on for this stage; stages whose output depends on installed
        models add the models' identity here (cheaply: no model is loaded)."""
        return f"{self.name}:{self.version}"

    def check(self) -> None:
        """Fail at start on a broken setup (bad data file, bad config), with what fixes it.

        Called once per run before any article is processed, and only when there is work to do,
        so a no-op re-run stays cheap. Raise `pipeline.config.ConfigError`.
        """

    def warm(self) -> None:
        """Load what every worker would load on its own (models), in the main process before the workers fork.

        Forked workers then share it instead of each paying the load. Only for state that is safe to fork
        (no threads, no open connections); the default loads nothing.
        """

    def process(self, doc: Article) -> Article:
        """Process one article."""
        raise NotImplementedError

    def run(self, docs: Iterable[Article]) -> Iterator[Article]:
        """Process many articles; model-backed stages override this to batch."""
        for doc in docs:
            yield self.process(doc)

    def __call__(self, docs: Iterable[Article]) -> Iterator[Article]:
        return self.run(docs)
