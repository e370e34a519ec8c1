"""One typed, frozen configuration: defaults in configs/pipeline.toml, a user file and --set override."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
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
    near_duplicate_threshold: float = 0.7
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
    lingua_languages: tuple[str, ...] = (
        "en", "id", "ms", "vi", "tl", "fr", "de", "es", "pt", "it", "nl", "tr", "pl", "sw", "so",
    )


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
    article_timeout: float = 120.0


@dataclass(frozen=True)
class Config:
    ingest: IngestConfig = field(default_factory=IngestConfig)
    clean: CleanConfig = field(default_factory=CleanConfig)
    langid: LangidConfig = field(default_factory=LangidConfig)
    translate: TranslateConfig = field(default_factory=TranslateConfig)
    entities: EntitiesConfig = field(default_factory=EntitiesConfig)
    run: RunConfig = field(default_factory=RunConfig)

    def to_dict(self) -> dict[str, Any]:
        """The resolved configuration as plain data."""
        return dataclasses.asdict(self)

    def hash(self) -> str:
        """Hash of everything that can change the output (all sections but `run`)."""
        data = {k: v for k, v in self.to_dict().items() if k != "run"}
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def _section(cls: type, values: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(known)}")
    converted = {}
    for name, value in values.items():
        default = getattr(cls(), name)
        if isinstance(default, tuple):
            value = tuple(value)
        elif isinstance(default, bool) != isinstance(value, bool) or (
            not isinstance(default, bool) and not isinstance(value, type(default))
            and not (isinstance(default, float) and isinstance(value, int))
        ):
            raise ConfigError(f"{where}.{name}: expected {type(default).__name__}, got {value!r}")
        converted[name] = value
    return cls(**converted)


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
            data = _merge(data, tomllib.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"config {path}: {exc}") from exc
    for item in overrides or []:
        data = _merge(data, parse_override(item))
    classes = {f.name: type(getattr(Config(), f.name)) for f in fields(Config)}
    unknown = sorted(set(data) - set(classes))
    if unknown:
        raise ConfigError(f"unknown config section(s): {', '.join(unknown)}")
    return Config(**{name: _section(classes[name], data.get(name, {}), name) for name in classes})


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
