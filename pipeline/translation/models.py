"""Which installed model serves which language: discovery under models_dir/translate/, cheaply (no weights)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.config import ConfigError, TranslateConfig

BACKENDS = ("auto", "marian", "nllb", "ctranslate2", "none")
# FLORES-200 codes NLLB uses for our language labels.
NLLB_CODES = {"id": "ind_Latn", "vi": "vie_Latn", "ms": "zsm_Latn", "zh-Hans": "zho_Hans", "zh-Hant": "zho_Hant"}
# Files whose content identifies an installed model.
IDENTITY_FILES = ("config.json", "model.safetensors", "pytorch_model.bin", "ct2/model.bin", "ct2/config.json")
# Manifest fields that say nothing about the files (a re-fetch of the same revision changes only these).
VOLATILE_FIELDS = ("fetched",)


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One installed model folder and the backend chosen to run it."""

    folder: str  # name under models_dir/translate/
    path: Path
    kind: str  # marian or nllb (the transformers architecture)
    backend: str  # marian, nllb or ctranslate2
    name: str  # what the output records as `model` (the hub id when the manifest knows it)
    identity: str  # changes whenever the installed files change

    @property
    def key(self) -> str:
        """Identity of everything that decides this model's output for a sentence (memory key)."""
        return f"{self.backend}:{self.folder}:{self.identity}"


def parse_routes(routes: tuple[str, ...]) -> dict[str, list[str]]:
    """`lang=a,b` entries to {lang: [a, b]}."""
    table: dict[str, list[str]] = {}
    for entry in routes:
        lang, sep, folders = entry.partition("=")
        names = [f.strip() for f in folders.split(",") if f.strip()]
        if not sep or not lang.strip() or not names:
            raise ConfigError(f"translate.routes: {entry!r} is not lang=folder[,folder...]")
        table[lang.strip()] = names
    return table


def _kind(path: Path) -> str | None:
    try:
        model_type = json.loads((path / "config.json").read_text(encoding="utf-8")).get("model_type")
    except (OSError, ValueError):
        return None
    return {"marian": "marian", "m2m_100": "nllb"}.get(model_type)


def _manifest(models_dir: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads((models_dir / "MANIFEST.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {m["folder"]: m for m in data.get("models", []) if isinstance(m, dict) and "folder" in m}


def _identity(path: Path, manifest_entry: dict[str, object] | None) -> str:
    """A hash of what the model is, by content: never file times, so copying, re-fetching or touching the same
    files keeps it (and the cache and translation memory with it).

    `make models` records each file's SHA-256 in MANIFEST.json; those hashes (with the files' sizes) are used as
    they are. A file the manifest does not list (a model installed by hand) is hashed, once per process."""
    entry = {k: v for k, v in (manifest_entry or {}).items() if k not in VOLATILE_FIELDS}
    recorded = entry.get("sha256") if isinstance(entry.get("sha256"), dict) else {}
    parts = [json.dumps(entry, sort_keys=True)]
    for rel in IDENTITY_FILES:
        try:
            st = (path / rel).stat()
        except OSError:
            continue
        digest = recorded.get(rel) if isinstance(recorded, dict) else None
        if not isinstance(digest, str):
            digest = _content_hash(str(path / rel), st.st_size, st.st_mtime_ns, st.st_ino)
        parts.append(f"{rel}:{st.st_size}:{digest}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


@lru_cache(maxsize=64)
def _content_hash(path: str, size: int, mtime_ns: int, inode: int) -> str:
    """SHA-256 of a file; the stat fields only key the per-process memo."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def find_model(models_dir: Path, folder: str, backend: str) -> ModelSpec | None:
    """The model in models_dir/translate/folder when it is installed and `backend` can run it."""
    path = models_dir / "translate" / folder
    kind = _kind(path)
    if kind is None:
        return None
    has_ct2 = (path / "ct2" / "model.bin").is_file()
    has_weights = any((path / f).is_file() for f in ("model.safetensors", "pytorch_model.bin"))
    if backend == "auto":
        chosen = "ctranslate2" if has_ct2 else kind if has_weights else None
    elif backend == "ctranslate2":
        chosen = backend if has_ct2 else None
    else:
        chosen = backend if backend == kind and has_weights else None
    if chosen is None:
        return None
    entry = _manifest(models_dir).get(folder)
    name = str(entry["name"]) if entry and "name" in entry else folder
    return ModelSpec(folder, path, kind, chosen, name, _identity(path, entry))


class Registry:
    """Resolves languages to installed models per the configuration; looks at files only."""

    def __init__(self, config: TranslateConfig) -> None:
        if config.backend not in BACKENDS:
            raise ConfigError(f"translate.backend: {config.backend!r} is not one of {', '.join(BACKENDS)}")
        self.config = config
        self.models_dir = Path(config.models_dir)
        self.routes = parse_routes(config.routes)
        self._cache: dict[str, ModelSpec | None] = {}

    def model_for(self, lang: str) -> ModelSpec | None:
        """The installed model that serves lang, or None (not configured, not installed, or backend none)."""
        if lang not in self._cache:
            spec = None
            if self.config.backend != "none" and lang in self.config.languages:
                for folder in self.routes.get(lang, []):
                    spec = find_model(self.models_dir, folder, self.config.backend)
                    if spec is not None:
                        break
            self._cache[lang] = spec
        return self._cache[lang]

    def missing(self) -> list[str]:
        """Configured languages that no installed model serves."""
        return [lang for lang in self.config.languages if self.model_for(lang) is None]

    def identity(self) -> str:
        """One string naming which model (and its installed identity) serves each language."""
        return ";".join(f"{lang}={s.key if (s := self.model_for(lang)) else '-'}" for lang in self.config.languages)
