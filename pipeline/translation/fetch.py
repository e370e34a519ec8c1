"""`make models`: download the default translation models, convert them to CTranslate2 int8, write MANIFEST.json.

Needs a network; offline it stops at once and changes nothing. The pipeline itself never downloads.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

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
    """No route to the model hub."""


def check_online(timeout: float = 3.0) -> None:
    """Fail fast (a few seconds at most) when the hub cannot be reached."""
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("", "0", "false", "False"):
        raise Offline("HF_HUB_OFFLINE is set")
    url = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    host, port = url.hostname or "huggingface.co", url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except Exception as exc:  # noqa: BLE001 - DNS failure, refusal, timeout, a sandbox: all mean offline
        raise Offline(f"cannot reach {host}:{port} ({type(exc).__name__}: {exc})") from exc


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_one(folder: str, repo_id: str, licence: str, models: Path, quantization: str) -> dict[str, object]:
    """Download one model into a staging folder, convert it, then move it into place."""
    from ctranslate2.converters import TransformersConverter
    from huggingface_hub import HfApi, snapshot_download

    info = HfApi().model_info(repo_id)
    revision = info.sha or "main"
    card_licence = getattr(info.card_data, "license", None)
    if card_licence:  # the hub card's own statement wins over our default
        licence = str(card_licence)
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


def write_manifest(models: Path, entries: list[dict[str, object]]) -> None:
    """Merge entries into models/MANIFEST.json (atomically)."""
    path = models / "MANIFEST.json"
    try:
        current = json.loads(path.read_text(encoding="utf-8")).get("models", [])
    except (OSError, ValueError):
        current = []
    done = {e["folder"] for e in entries}
    merged = sorted([m for m in current if m.get("folder") not in done] + entries, key=lambda m: str(m["folder"]))
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"models": merged}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.translation.fetch", description=__doc__)
    parser.add_argument("--models", default="models", help="models folder (default: models)")
    parser.add_argument("--nllb", action="store_true",
                        help="also fetch NLLB-200 distilled 600M (CC-BY-NC 4.0: non-commercial use only)")
    parser.add_argument("--only", nargs="+", metavar="FOLDER", help="fetch only these folders (e.g. id-en)")
    parser.add_argument("--quantization", default="int8", help="CTranslate2 quantization (default: int8)")
    args = parser.parse_args(argv)
    wanted = [*DEFAULT_MODELS, *([NLLB_MODEL] if args.nllb else [])]
    if args.only:
        wanted = [m for m in (*DEFAULT_MODELS, NLLB_MODEL) if m[0] in args.only]
    try:
        check_online()
    except Offline as exc:
        print(f"make models: no network ({exc}); nothing was changed. Run it where huggingface.co is reachable, "
              f"then copy the {args.models}/ folder here (or pass --models DIR to the pipeline).", file=sys.stderr)
        return 1
    models = Path(args.models)
    entries = []
    for folder, repo_id, licence in wanted:
        print(f"fetching {repo_id} -> {models / 'translate' / folder} ({licence})", file=sys.stderr)
        entries.append(fetch_one(folder, repo_id, licence, models, args.quantization))
        write_manifest(models, entries)
    shutil.rmtree(models / ".staging", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
