"""`make models` against a local stand-in of the model hub (127.0.0.1): the real fetch code, end to end."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from tests.conftest import ROOT, SEEDS

REPO = "Helsinki-NLP/opus-mt-id-en"


class Hub:
    """Serves one tiny model repository the way the hub's HTTP API does (model info, tree, resolve)."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.sha = "a" * 40
        self.fail_downloads = False
        self.downloads: list[str] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_HEAD(self) -> None:  # noqa: N802
                self.serve(body=False)

            def do_GET(self) -> None:  # noqa: N802
                self.serve(body=True)

            def send(self, status: int, data: bytes, headers: dict[str, str], body: bool) -> None:
                self.send_response(status)
                for key, value in {"Content-Length": str(len(data)), **headers}.items():
                    self.send_header(key, value)
                self.end_headers()
                if body:
                    self.wfile.write(data)

            def serve(self, body: bool) -> None:
                path = unquote(urlsplit(self.path).path)
                api = f"/api/models/{REPO}"
                if path in (api, f"{api}/revision/main", f"{api}/revision/{hub.sha}"):
                    info = {"id": REPO, "modelId": REPO, "sha": hub.sha, "cardData": {"license": "cc-by-4.0"},
                            "siblings": [{"rfilename": name} for name in hub.files]}
                    return self.send(200, json.dumps(info).encode(), {"Content-Type": "application/json"}, body)
                if path.startswith(f"{api}/tree/"):
                    tree = [{"type": "file", "path": name, "size": len(data), "oid": hashlib.sha1(data).hexdigest()}
                            for name, data in hub.files.items()]
                    return self.send(200, json.dumps(tree).encode(), {"Content-Type": "application/json"}, body)
                prefix = f"/{REPO}/resolve/"
                if path.startswith(prefix):
                    name = path[len(prefix):].split("/", 1)[1]
                    if name in hub.files and not hub.fail_downloads:
                        data = hub.files[name]
                        if body:
                            hub.downloads.append(name)
                        return self.send(200, data, {"X-Repo-Commit": hub.sha,
                                                     "ETag": f'"{hashlib.sha256(data).hexdigest()}"'}, body)
                    if hub.fail_downloads:
                        return self.send(500, b"internal error", {}, body)
                return self.send(404, b"not found", {"X-Error-Code": "EntryNotFound"}, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    from pipeline.translation.tiny import build_marian

    folder = build_marian(tmp_path_factory.mktemp("repo") / "model", [p.read_text(encoding="utf-8") for p in SEEDS])
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    server = Hub(files)
    yield server
    server.server.shutdown()


def fetch(hub: Hub, models: Path, tmp: Path, *args: str, proxy: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_ENDPOINT": hub.url, "HF_HUB_OFFLINE": "0",
           "TRANSFORMERS_OFFLINE": "0", "HF_HOME": str(tmp / "hf-home"), "NO_PROXY": "127.0.0.1,localhost",
           "HF_HUB_DISABLE_XET": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
    if proxy:  # a hub name this machine cannot resolve, reachable only through the proxy (the stand-in again)
        env.update({"HF_ENDPOINT": "http://hub.invalid", "HTTP_PROXY": hub.url, "http_proxy": hub.url})
    return subprocess.run([sys.executable, "-m", "pipeline.translation.fetch", "--models", str(models), *args],
                          env=env, capture_output=True, text=True, timeout=300)


def tree(root: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_fetch_from_hub_standin_then_rerun_downloads_nothing(hub: Hub, tmp_path: Path) -> None:
    from pipeline.translation.models import find_model

    models = tmp_path / "models"
    first = fetch(hub, models, tmp_path, "--only", "id-en")
    assert first.returncode == 0, first.stderr
    assert (models / "translate" / "id-en" / "ct2" / "model.bin").is_file()
    from fnmatch import fnmatch

    from pipeline.translation.fetch import ALLOW

    assert sorted(hub.downloads) == sorted(n for n in hub.files if any(fnmatch(n, pattern) for pattern in ALLOW))
    entry = json.loads((models / "MANIFEST.json").read_text())["models"][0]
    assert (entry["folder"], entry["revision"], entry["licence"]) == ("id-en", hub.sha, "cc-by-4.0")
    assert "(cc-by-4.0)" in first.stderr  # the licence printed is the one recorded
    assert not (models / ".staging").exists()
    identity = find_model(models, "id-en", "auto").identity  # type: ignore[union-attr]
    installed = tree(models)

    hub.downloads.clear()
    again = fetch(hub, models, tmp_path, "--only", "id-en")
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stderr
    assert hub.downloads == []
    assert tree(models) == installed

    for path in (models / "translate").rglob("*"):  # new file times, same content: same model
        os.utime(path, ns=(1, 1))
    assert find_model(models, "id-en", "auto").identity == identity  # type: ignore[union-attr]

    hub.sha, hub.fail_downloads = "b" * 40, True  # a new revision, and the hub fails mid-download
    failed = fetch(hub, models, tmp_path, "--only", "id-en")
    assert failed.returncode == 1
    lines = failed.stderr.strip().splitlines()
    assert "Traceback" not in failed.stderr and lines[-1].startswith("make models: ") and "failed" in lines[-1]
    assert not (models / ".staging").exists()
    assert json.loads((models / "MANIFEST.json").read_text())["models"][0]["revision"] == "a" * 40
    assert find_model(models, "id-en", "auto").identity == identity  # type: ignore[union-attr]


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_fetch_behind_a_proxy(hub: Hub, tmp_path: Path) -> None:
    """The hub is reachable only through HTTP_PROXY: no direct connection may be required."""
    hub.sha, hub.fail_downloads = "c" * 40, False
    proc = fetch(hub, tmp_path / "models", tmp_path, "--only", "id-en", proxy=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "models" / "translate" / "id-en" / "ct2" / "model.bin").is_file()


def test_fetch_unknown_only_name_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.translation import fetch as fetch_module

    assert fetch_module.main(["--models", str(tmp_path / "models"), "--only", "id-en", "xx-en"]) == 2
    assert "xx-en" in capsys.readouterr().err
    assert not (tmp_path / "models").exists()


def test_fetch_hub_unreachable_is_one_line(tmp_path: Path) -> None:
    """No reachability probe of our own: the hub client's error (here: nothing listens) becomes one line."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: a port where nothing listens
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_ENDPOINT": f"http://127.0.0.1:{port}", "HF_HUB_OFFLINE": "0",
           "HF_HOME": str(tmp_path / "hf-home"), "NO_PROXY": "127.0.0.1"}
    proc = subprocess.run([sys.executable, "-m", "pipeline.translation.fetch", "--models", str(tmp_path / "m"),
                           "--only", "id-en"], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("make models: Helsinki-NLP/opus-mt-id-en failed")
    assert not (tmp_path / "m" / ".staging").exists()
