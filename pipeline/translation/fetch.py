"""`make models`: download the default translation models, convert them to CTranslate2 int8, write MANIFEST.json.

Needs a network (the hub client honours HF_ENDPOINT and the proxy variables); on any error it says so in one
line and leaves the installed models as they were. A model already installed at the hub's current revision
(files checked against MANIFEST.json) is not downloaded again. The pipeline itself never downloads.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from pipeline.store import write_atomic

# folder under models/translate/, hub id, licence (when the hub card states none). opus-mt is the default
# (commercial use allowed with attribution);
# NLLB-200 is opt-in because its licence is non-commercial.
DEFAULT_MODELS = (
    ("id-en", "Helsinki-NLP/opus-mt-id-en", "CC-BY-4.0"),
    ("vi-en", "Helsinki-NLP/opus-mt-vi-en", "CC-BY-4.0"),
    ("zh-en", "Helsinki-NLP/opus-mt-zh-en", "CC-BY-4.0"),
)
NLLB_MODEL = ("nllb-en", "facebook/nllb-200-distilled-600M", "CC-BY-NC-4.0")
# Only what loading needs: config, weights, tokenizer files.
ALLOW = ["*.json", "*.spm", "*.model", "*.txt", "model.safetensors", "pytorch_model.bin"]


class Offline(RuntimeError):
    """Offline mode is set: nothing can be fetched."""


class FetchError(RuntimeError):
    """A model could not be fetched or converted; the message is one line."""


def check_offline() -> None:
    """Stop at once when offline mode is set. There is no reachability probe of our own: the hub client
    honours HF_ENDPOINT and the proxy settings (HTTPS_PROXY, NO_PROXY), and its errors are reported."""
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("", "0", "false", "False"):
        raise Offline("HF_HUB_OFFLINE is set")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def resolve(repo_id: str, default_licence: str) -> tuple[str, str]:
    """The hub's current revision of repo_id and its licence: the model card's when it states one, else ours.
    The one value is both printed and recorded in MANIFEST.json."""
    from huggingface_hub import HfApi

    info = HfApi().model_info(repo_id)
    if not info.sha:
        raise FetchError(f"the hub gave no revision for {repo_id}")
    card_licence = getattr(info.card_data, "license", None)
    return info.sha, str(card_licence) if card_licence else default_licence


def installed(models: Path, folder: str, revision: str, quantization: str) -> bool:
    """True when models/translate/folder holds exactly what MANIFEST.json records for this revision."""
    entry = read_manifest(models).get(folder)
    if not entry or entry.get("revision") != revision or entry.get("ct2_quantization") != quantization:
        return False
    files = entry.get("sha256")
    if not isinstance(files, dict) or not files:
        return False
    target = models / "translate" / folder
    try:
        return all(sha256_file(target / rel) == digest for rel, digest in files.items())
    except OSError:
        return False


def fetch_one(folder: str, repo_id: str, revision: str, licence: str, models: Path,
              quantization: str) -> dict[str, object]:
    """Download one model revision into a staging folder, convert it, then move it into place."""
    from ctranslate2.converters import TransformersConverter
    from huggingface_hub import snapshot_download

    staging = models / ".staging" / folder
    shutil.rmtree(staging, ignore_errors=True)
    snapshot_download(repo_id, revision=revision, local_dir=staging, allow_patterns=ALLOW)
    if (staging / "model.safetensors").exists():  # one copy of the weights is enough
        (staging / "pytorch_model.bin").unlink(missing_ok=True)
    shutil.rmtree(staging / ".cache", ignore_errors=True)
    TransformersConverter(str(staging)).convert(str(staging / "ct2"), quantization=quantization, force=True)
    files = {p.relative_to(staging).as_posix(): sha256_file(p) for p in sorted(staging.rglob("*")) if p.is_file()}
    target = models / "translate" / folder
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(f".{folder}.old")
    if target.exists():
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return {"folder": folder, "name": repo_id, "revision": revision, "licence": licence,
            "ct2_quantization": quantization, "fetched": time.strftime("%Y-%m-%d"), "sha256": files}


def read_manifest(models: Path) -> dict[str, dict[str, Any]]:
    try:
        entries = json.loads((models / "MANIFEST.json").read_text(encoding="utf-8")).get("models", [])
    except (OSError, ValueError, AttributeError):
        return {}
    return {m["folder"]: m for m in entries if isinstance(m, dict) and "folder" in m}


def write_manifest(models: Path, entries: list[dict[str, object]]) -> None:
    """Merge entries into models/MANIFEST.json (atomically)."""
    current = read_manifest(models)
    current.update({str(e["folder"]): e for e in entries})
    merged = [current[k] for k in sorted(current)]
    write_atomic(models / "MANIFEST.json", (json.dumps({"models": merged}, indent=2, ensure_ascii=False) + "\n")
                 .encode("utf-8"))


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text[:300]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.translation.fetch", description=__doc__)
    parser.add_argument("--models", default="models", help="models folder (default: models)")
    parser.add_argument("--nllb", action="store_true",
                        help="also fetch NLLB-200 distilled 600M (CC-BY-NC 4.0: non-commercial use only)")
    parser.add_argument("--only", nargs="+", metavar="FOLDER", help="fetch only these folders (e.g. id-en)")
    parser.add_argument("--quantization", default="int8", help="CTranslate2 quantization (default: int8)")
    args = parser.parse_args(argv)
    known = (*DEFAULT_MODELS, NLLB_MODEL)
    wanted = [*DEFAULT_MODELS, *([NLLB_MODEL] if args.nllb else [])]
    if args.only:
        unknown = sorted(set(args.only) - {m[0] for m in known})
        if unknown:
            print(f"make models: unknown model folder(s) {', '.join(unknown)}; known: "
                  f"{', '.join(m[0] for m in known)}", file=sys.stderr)
            return 2
        wanted = [m for m in known if m[0] in args.only]
    models = Path(args.models)
    try:
        check_offline()
    except Offline as exc:
        print(f"make models: no network ({exc}); nothing was changed. Run it where the model hub is reachable, "
              f"then copy the {args.models}/ folder here (or pass --models DIR to the pipeline).", file=sys.stderr)
        return 1
    for folder, repo_id, default_licence in wanted:
        try:
            revision, licence = resolve(repo_id, default_licence)
            if installed(models, folder, revision, args.quantization):
                print(f"{repo_id} -> {models / 'translate' / folder}: up to date (revision {revision[:12]})",
                      file=sys.stderr)
                continue
            print(f"fetching {repo_id} revision {revision[:12]} -> {models / 'translate' / folder} ({licence})",
                  file=sys.stderr)
            write_manifest(models, [fetch_one(folder, repo_id, revision, licence, models, args.quantization)])
        except Exception as exc:  # noqa: BLE001 - any hub, disk or conversion error: one line, no half-filled folder
            print(f"make models: {repo_id} failed ({one_line(exc)}); its staging folder was removed and the installed "
                  f"models are unchanged. Check the network (HF_ENDPOINT, HTTPS_PROXY) and run it again.",
                  file=sys.stderr)
            return 1
        finally:
            shutil.rmtree(models / ".staging", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
