"""One typed, frozen configuration: defaults in configs/pipeline.toml, a user file and --set override."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The development and training data beside the project (never shipped): `PIPELINE_SHARED` or ../shared.
SHARED = Path(os.environ.get("PIPELINE_SHARED", ROOT.parent / "shared"))
# The commented copy of the defaults; `run` reads it when present (a test keeps it equal to the defaults).
DEFAULT_CONFIG_FILE = Path("configs/pipeline.toml")


class ConfigError(ValueError):
    """A configuration that cannot be used; the message says what to change."""


@dataclass(frozen=True)
class IngestConfig:
    max_bytes: int = 20_000_000


@dataclass(frozen=True)
class CleanConfig:
    patterns: str = ""  # extra boilerplate pattern file (TOML), merged over the shipped one
    repair_glued: bool = True


@dataclass(frozen=True)
class NearDuplicatesConfig:
    """The corpus-level near-duplicate pass (`pipeline.dedup`) and the MinHash signatures it compares."""

    threshold: float = 0.7  # estimated Jaccard from which two articles are near-duplicates
    translation_threshold: float = 0.5  # the same, between English texts (an article's translation, an MT copy)
    num_perm: int = 128


@dataclass(frozen=True)
class LangidConfig:
    min_chars: int = 3  # below this many letters an article is `und`
    sentence_min_chars: int = 20  # shorter sentences (Han counts 2.5) take the article's language
    sentence_min_confidence: float = 0.55  # sentences whose raw score is lower take the article's language
    mt_threshold: float = 0.5  # MT-English probability from which English is `en-mt`
    ensemble: tuple[str, ...] = ("fasttext", "cld3", "lingua")  # detectors voting on Latin-script text
    ensemble_weights: tuple[float, ...] = (1.0, 1.0, 1.0)
    lingua_languages: tuple[str, ...] = ("en", "id", "ms", "vi")  # the supported languages only


@dataclass(frozen=True)
class TranslateConfig:
    backend: str = "auto"  # auto (ctranslate2 when converted, else by model), marian, nllb, ctranslate2, none
    models_dir: str = "models"
    # lang=folder[,folder...] under models_dir/translate/; the first installed folder serves the language
    routes: tuple[str, ...] = (
        "id=id-en,nllb-en", "vi=vi-en,nllb-en", "ms=nllb-en,id-en", "zh-Hans=zh-en,nllb-en", "zh-Hant=zh-en,nllb-en",
    )
    device: str = "auto"  # auto, cpu, cuda
    threads: int = 0  # CPU threads per worker for the model; 0 = the library's default
    batch_size: int = 0  # 0 = chosen by memory
    beam_size: int = 4
    max_input_tokens: int = 400
    max_output_tokens: int = 512
    hant_to_hans: bool = True
    languages: tuple[str, ...] = ("id", "vi", "ms", "zh-Hans", "zh-Hant")


@dataclass(frozen=True)
class EntitiesConfig:
    kb: str = ""  # extra knowledge-base file (YAML), merged over the shipped one
    ner: bool = True  # statistical NER for entities the KB does not know
    values: bool = True  # MONEY, PERCENT, DATE
    heuristics: tuple[str, ...] = ()  # model-free name evidence: caps, jieba, pyvi (see docs/entities.md)


@dataclass(frozen=True)
class RunConfig:
    """How the run is executed; none of it changes the output, so it is not in the config hash."""

    workers: int = 0  # 0 = one per core
    batch_size: int = 8
    engine: str = "local"
    ray_num_gpus: float = 0.0  # GPUs per Ray actor (fractions share one GPU); 0 = CPU actors
    ray_actors: int = 0  # Ray actors running the chain; 0 = one per CPU (or per GPU share) in the cluster
    # Translation memory (sqlite): "auto" = <out>/.cache/translation-memory.sqlite, "" = none, or a path.
    # It never changes a translation, only avoids recomputing one, so it is not in the config hash.
    translation_memory: str = "auto"
    # Seconds one article may spend in one stage; beyond it the article becomes a `timeout` reject (tried
    # again next run). A worker stuck where the limit cannot reach it is stopped and its batch retried.
    article_timeout: float = 300.0

    def translation_memory_path(self, out: Path | None = None) -> str | None:
        """The translation memory file: "auto" is <out>/.cache/translation-memory.sqlite (none without an
        output folder, as for a stage used on its own), "" is none, anything else the path given."""
        if self.translation_memory == "auto":
            return str((out / ".cache" / "translation-memory.sqlite").resolve()) if out is not None else None
        return self.translation_memory or None


@dataclass(frozen=True)
class Config:
    ingest: IngestConfig = field(default_factory=IngestConfig)
    clean: CleanConfig = field(default_factory=CleanConfig)
    near_duplicates: NearDuplicatesConfig = field(default_factory=NearDuplicatesConfig)
    langid: LangidConfig = field(default_factory=LangidConfig)
    translate: TranslateConfig = field(default_factory=TranslateConfig)
    entities: EntitiesConfig = field(default_factory=EntitiesConfig)
    run: RunConfig = field(default_factory=RunConfig)

    def for_output(self, out: Path) -> Config:
        """This configuration as a run into `out` uses it (and saves it): the translation memory's "auto" made
        the file under `out`. Only run settings change, so the hash stays the same."""
        memory = self.run.translation_memory_path(out) or ""
        return dataclasses.replace(self, run=dataclasses.replace(self.run, translation_memory=memory))

    def to_dict(self) -> dict[str, Any]:
        """The resolved configuration as plain data."""
        return dataclasses.asdict(self)

    def hash(self) -> str:
        """Hash of everything that can change the output (all sections but `run`)."""
        data = {k: v for k, v in self.to_dict().items() if k != "run"}
        # Hashed in their former place under [clean]: the hash is recorded in every article and keys the cache,
        # so moving the settings to their own section changes neither the output nor what a re-run reuses.
        near = data.pop("near_duplicates")
        data["clean"] = {**data["clean"], **{old: near.pop(new) for (_, old), (_, new) in LEGACY_KEYS.items()}}
        if near:  # keys added to the section since it moved are hashed under it
            data["near_duplicates"] = near
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


# Keys that moved: (old section, old key) -> (section, key). The old spelling is still read (a file or --set),
# and the config hash is computed over the old layout.
LEGACY_KEYS = {
    ("clean", "near_duplicate_threshold"): ("near_duplicates", "threshold"),
    ("clean", "translation_threshold"): ("near_duplicates", "translation_threshold"),
    ("clean", "num_perm"): ("near_duplicates", "num_perm"),
}


def _rename_legacy(data: dict[str, Any]) -> dict[str, Any]:
    """One layer of configuration (a file or an override) with moved keys under their current names."""
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    for (old_section, old), (section, new) in LEGACY_KEYS.items():
        values = out.get(old_section)
        target = out.setdefault(section, {})
        if isinstance(values, dict) and old in values and isinstance(target, dict):
            target.setdefault(new, values.pop(old))  # the current name wins when a layer gives both
    return out


# List keys whose single entries may themselves hold commas: a bare string is one entry, never split.
WHOLE_STRING_LISTS = {"translate.routes"}


def _list_value(value: Any, default: tuple[Any, ...], where: str) -> tuple[Any, ...]:
    """A list key's value: a TOML list, or a string ("a,b" is two entries) -- never a string's characters."""
    if isinstance(value, str):
        value = [value] if where in WHOLE_STRING_LISTS else [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list | tuple):
        raise ConfigError(f"{where}: expected a list, got {value!r}")
    item_type = type(default[0]) if default else str
    items = []
    for item in value:
        if item_type is float and isinstance(item, int) and not isinstance(item, bool):
            item = float(item)
        if not isinstance(item, item_type) or isinstance(item, bool):
            raise ConfigError(f"{where}: expected a list of {item_type.__name__}, got {value!r}")
        items.append(item)
    return tuple(items)


def _section(cls: type, values: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(known)}")
    converted = {}
    for name, value in values.items():
        default = getattr(cls(), name)
        if isinstance(default, tuple):
            value = _list_value(value, default, f"{where}.{name}")
        elif isinstance(default, bool) != isinstance(value, bool) or (
            not isinstance(default, bool) and not isinstance(value, type(default))
            and not (isinstance(default, float) and isinstance(value, int))
        ):
            raise ConfigError(f"{where}.{name}: expected {type(default).__name__}, got {value!r}")
        elif isinstance(default, float):
            value = float(value)
            if not math.isfinite(value):
                raise ConfigError(f"{where}.{name}: expected a finite number, got {value!r}")
        converted[name] = value
    return cls(**converted)


# Names the code knows; a test keeps them equal to the registries they mirror (importing those here would
# load detectors and models with the configuration).
LANGID_DETECTORS = ("fasttext", "cld3", "lingua", "langdetect")  # pipeline.langid.anchors.ANCHORS
NAME_HEURISTICS = ("caps", "jieba", "pyvi")  # pipeline.entities.extract
TRANSLATE_BACKENDS = ("auto", "marian", "nllb", "ctranslate2", "none")  # pipeline.translation.models.BACKENDS
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?$")


def validate(config: Config) -> Config:
    """Ranges, choices and combinations; the first problem is raised as a ConfigError naming its key."""

    def check(ok: bool, key: str, problem: str) -> None:
        if not ok:
            raise ConfigError(f"{key}: {problem}, got {_value(config, key)!r}")

    def unique_choices(key: str, values: tuple[str, ...], choices: tuple[str, ...], empty_ok: bool) -> None:
        check(empty_ok or bool(values), key, "must not be empty")
        check(len(set(values)) == len(values), key, "lists a name twice")
        unknown = [v for v in values if v not in choices]
        check(not unknown, key, f"{', '.join(map(repr, unknown))} not one of {', '.join(choices)}")

    c = config
    check(c.ingest.max_bytes > 0, "ingest.max_bytes", "must be a positive number of bytes")
    check(0 < c.near_duplicates.threshold <= 1, "near_duplicates.threshold", "must be in (0, 1]")
    check(0 < c.near_duplicates.translation_threshold <= 1, "near_duplicates.translation_threshold",
          "must be in (0, 1]")
    check(2 <= c.near_duplicates.num_perm <= 4096, "near_duplicates.num_perm", "must be between 2 and 4096")
    check(c.langid.min_chars >= 0, "langid.min_chars", "must be >= 0")
    check(c.langid.sentence_min_chars >= 0, "langid.sentence_min_chars", "must be >= 0")
    check(0 <= c.langid.sentence_min_confidence <= 1, "langid.sentence_min_confidence", "must be in [0, 1]")
    check(0 <= c.langid.mt_threshold <= 1, "langid.mt_threshold", "must be in [0, 1]")
    unique_choices("langid.ensemble", c.langid.ensemble, LANGID_DETECTORS, empty_ok=False)
    check(len(c.langid.ensemble_weights) == len(c.langid.ensemble), "langid.ensemble_weights",
          f"needs one weight per langid.ensemble detector ({len(c.langid.ensemble)})")
    check(all(w >= 0 and math.isfinite(w) for w in c.langid.ensemble_weights) and sum(c.langid.ensemble_weights) > 0,
          "langid.ensemble_weights", "must be >= 0 with a positive sum")
    check(bool(c.langid.lingua_languages) and all(re.fullmatch(r"[a-z]{2}", x) for x in c.langid.lingua_languages),
          "langid.lingua_languages", "must be ISO 639-1 codes (two lower-case letters)")
    check(c.translate.backend in TRANSLATE_BACKENDS, "translate.backend",
          f"must be one of {', '.join(TRANSLATE_BACKENDS)}")
    check(c.translate.device in ("auto", "cpu", "cuda"), "translate.device", "must be auto, cpu or cuda")
    for key in ("threads", "batch_size"):
        check(getattr(c.translate, key) >= 0, f"translate.{key}", "must be >= 0 (0 = automatic)")
    for key in ("beam_size", "max_input_tokens", "max_output_tokens"):
        check(getattr(c.translate, key) >= 1, f"translate.{key}", "must be >= 1")
    check(all(LANGUAGE_TAG.match(x) for x in c.translate.languages) and len(set(c.translate.languages))
          == len(c.translate.languages), "translate.languages", "must be distinct language labels such as id, zh-Hans")
    for entry in c.translate.routes:
        lang, sep, folders = entry.partition("=")
        check(bool(sep and LANGUAGE_TAG.match(lang.strip()) and [f for f in folders.split(",") if f.strip()]),
              "translate.routes", f"entry {entry!r} is not lang=folder[,folder...]")
    unique_choices("entities.heuristics", c.entities.heuristics, NAME_HEURISTICS, empty_ok=True)
    check(c.run.workers >= 0, "run.workers", "must be >= 0 (0 = one per core)")
    check(c.run.batch_size >= 1, "run.batch_size", "must be >= 1")
    check(c.run.engine in ("local", "ray"), "run.engine", "must be local or ray")
    check(c.run.ray_num_gpus >= 0, "run.ray_num_gpus", "must be >= 0")
    check(c.run.ray_actors >= 0, "run.ray_actors", "must be >= 0")
    check(c.run.article_timeout >= 0, "run.article_timeout", "must be >= 0 seconds (0 = no limit)")
    return config


def _value(config: Config, key: str) -> Any:
    section, name = key.split(".")
    value = getattr(getattr(config, section), name)
    return list(value) if isinstance(value, tuple) else value


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in base.items()}
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


def parse_override(item: str) -> dict[str, Any]:
    """`section.key=value` (value in TOML syntax, bare words taken as strings) to a nested dict."""
    if "=" not in item or "." not in item.split("=", 1)[0]:
        raise ConfigError(f"--set {item!r}: expected section.key=value")
    key, raw = item.split("=", 1)
    section, name = key.strip().split(".", 1)
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return {section: {name: value}}


def load_config(path: str | Path | None = None, overrides: list[str] | None = None) -> Config:
    """Defaults, then the user's TOML file, then `--set` overrides."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = _merge(data, _rename_legacy(tomllib.loads(Path(path).read_text(encoding="utf-8"))))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"config {path}: {exc}") from exc
    for item in overrides or []:
        data = _merge(data, _rename_legacy(parse_override(item)))
    classes = {f.name: type(getattr(Config(), f.name)) for f in fields(Config)}
    unknown = sorted(set(data) - set(classes))
    if unknown:
        raise ConfigError(f"unknown config section(s): {', '.join(unknown)}")
    return validate(Config(**{name: _section(classes[name], data.get(name, {}), name) for name in classes}))


def to_toml(config: Config) -> str:
    """The resolved configuration written back as TOML (saved beside the output)."""
    lines = [f"# resolved configuration, hash {config.hash()}"]
    for section, values in config.to_dict().items():
        lines.append(f"\n[{section}]")
        for key, value in values.items():
            if isinstance(value, tuple | list):
                value = list(value)
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"
