"""The reviewed cleaning knowledge in patterns.toml, compiled once (a user file merges over it)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

SHIPPED = Path(__file__).with_name("patterns.toml")


@dataclass(frozen=True)
class Patterns:
    """Compiled patterns: boilerplate by placement, credit lines, weekday names, protected names."""

    anywhere: tuple[re.Pattern[str], ...]
    edge: tuple[re.Pattern[str], ...]
    credit: tuple[re.Pattern[str], ...]
    weekdays: dict[str, int]  # lowercased weekday name -> Monday=0 index
    protected: frozenset[str]  # lowercased names glue repair never splits

    def __post_init__(self) -> None:
        # The patterns anchored at the line's start share one `^(?:a|b|…)` tried with .match (one call
        # a line instead of one per pattern); the unanchored ones are searched one by one.
        for name in ("anywhere", "edge"):
            items: tuple[re.Pattern[str], ...] = getattr(self, name)
            anchored = [p.pattern[1:] for p in items if p.pattern.startswith("^")]
            combined = None
            if anchored:
                try:
                    combined = re.compile("|".join(f"(?:{a})" for a in anchored), re.IGNORECASE)
                except re.error:  # e.g. one group name in two user patterns: keep them apart
                    combined = None
            loose = tuple(p for p in items if combined is None or not p.pattern.startswith("^"))
            object.__setattr__(self, f"_{name}_start", combined)
            object.__setattr__(self, f"_{name}_loose", loose)

    def matches(self, where: str, line: str) -> bool:
        """Whether any pattern of `where` (anywhere or edge) matches the line."""
        start: re.Pattern[str] | None = getattr(self, f"_{where}_start")
        if start is not None and start.match(line):
            return True
        return any(p.search(line) for p in getattr(self, f"_{where}_loose"))


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = [*out[key], *value]
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _compile(items: list[str], where: str) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for item in items:
        try:
            compiled.append(re.compile(item, re.IGNORECASE))
        except re.error as exc:
            raise ValueError(f"{where}: bad pattern {item!r}: {exc}") from exc
    return tuple(compiled)


@lru_cache(maxsize=8)
def load_patterns(extra: str = "") -> Patterns:
    """The shipped patterns, with the TOML file `extra` (when given) merged over them."""
    data = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    if extra:
        data = _merge(data, tomllib.loads(Path(extra).read_text(encoding="utf-8")))
    anywhere: list[str] = []
    edge: list[str] = []
    for group in data.get("group", []):
        target = anywhere if group.get("where") == "anywhere" else edge
        target.extend(group.get("patterns", []))
    weekdays = {name.lower(): i for names in data.get("weekdays", {}).values() for i, name in enumerate(names)}
    return Patterns(
        anywhere=_compile(anywhere, "group anywhere"),
        edge=_compile(edge, "group edge"),
        credit=_compile(data.get("credit", {}).get("patterns", []), "credit"),
        weekdays=weekdays,
        protected=frozenset(n.lower() for n in data.get("glue", {}).get("protected", [])),
    )
