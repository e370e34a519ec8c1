"""Shared fixtures: paths to the seeds and ../shared, a pipeline runner, and no network."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import ROOT, SHARED

RAW = ROOT / "data" / "raw"
SEEDS = sorted(RAW.glob("[0-9][0-9][0-9]_*.txt"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `shared` skip with a reason when ../shared is absent (a user's clone); CI requires it."""
    if SHARED.is_dir():
        return
    if os.environ.get("PIPELINE_REQUIRE_SHARED"):
        raise pytest.UsageError(f"{SHARED} is missing but PIPELINE_REQUIRE_SHARED is set (CI needs ../shared)")
    skip = pytest.mark.skip(reason=f"development data not found at {SHARED} (set PIPELINE_SHARED)")
    for item in items:
        if "shared" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to reach another host fails: the pipeline must work offline."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and (host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")):
            return real_connect(self, address)
        if self.family == socket.AF_UNIX:
            return real_connect(self, address)
        raise RuntimeError(f"network access attempted in a test: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ../shared folder (tests using it carry the `shared` marker)."""
    return SHARED


def run_cli(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """`python -m pipeline ARGS` in a subprocess running this checkout's code."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def seed_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pipeline run over the seeds, shared by the tests that only read its output."""
    out = tmp_path_factory.mktemp("seed_output")
    proc = run_cli("run", "--raw", str(RAW), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out
