"""`make notebook` as a user runs it: JupyterLab answers on loopback, lists the project's kernel, and stops."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psutil
import pytest

from pipeline.notebook import KERNEL

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
# SETUP= : use the installed .venv as it is; the test must never run pip (the stamp's recipe).
MAKE = ["make", "--no-print-directory", "-C", str(ROOT), "notebook", "SETUP=", "JUPYTER_ARGS=--no-browser"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed"),
    pytest.mark.skipif(not (VENV / "bin" / "python").is_file(), reason="no .venv in the checkout (make setup)"),
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, token: str | None, method: str = "GET", body: Any = None) -> tuple[int, Any]:
    """A request through no proxy; (status, parsed JSON or None)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    headers = {"Authorization": f"token {token}"} if token else {}
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, None


def cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:  # exited meanwhile
        return []


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate make and JupyterLab (one process group), then make sure nothing is left."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # a server that outlived make
    except ProcessLookupError:
        pass


def test_make_notebook_serves_the_project_kernel(tmp_path: Path) -> None:
    dry = subprocess.run([*MAKE, "-n"], capture_output=True, text=True, check=True).stdout
    assert "pip install" not in dry and "jupyterlab" in dry

    port, token = free_port(), secrets.token_hex(16)
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    # A fresh user: nothing in $HOME, so the kernel can only come from the virtual environment.
    env.update(HOME=str(home), JUPYTER_TOKEN=token, JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               IPYTHONDIR=str(home / "ipython"))
    log = tmp_path / "make-notebook.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen([*MAKE, f"PORT={port}", f"OUT={tmp_path / 'out'}"], cwd=tmp_path, env=env,
                                stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, _ = get(f"{base}/api/status", token)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                status = None
            if status == 200:
                break
            time.sleep(0.5)
        assert status == 200, f"no answer on {base} (exit {proc.poll()}):\n{log.read_text(errors='replace')[-3000:]}"

        assert get(f"{base}/api/kernelspecs", None)[0] == 403  # the token is required
        _, specs = get(f"{base}/api/kernelspecs", token)
        assert KERNEL in specs["kernelspecs"], sorted(specs["kernelspecs"])
        assert specs["default"] == KERNEL
        spec = specs["kernelspecs"][KERNEL]["spec"]
        assert spec["language"] == "python" and "newscorpus" in spec["display_name"]
        # The kernel runs the project's virtual environment (its real path, whatever links point to it).
        assert Path(spec["argv"][0]).parent.parent.resolve() == VENV.resolve()
        assert not list(home.rglob("kernel.json"))  # registered inside the venv, not in $HOME

        # A kernel started by the server is the venv's Python running ipykernel, and it stays up.
        status, kernel = get(f"{base}/api/kernels", token, "POST", {"name": KERNEL})
        assert status == 201 and kernel["name"] == KERNEL
        deadline, launched = time.monotonic() + 60, []
        while not launched and time.monotonic() < deadline:
            time.sleep(0.5)
            launched = [p for p in psutil.Process(proc.pid).children(recursive=True)
                        if any(kernel["id"] in arg for arg in cmdline(p))]
        assert len(launched) == 1 and "ipykernel_launcher" in launched[0].cmdline()
        assert Path(launched[0].cmdline()[0]).parent.parent.resolve() == VENV.resolve()
        time.sleep(2)
        assert launched[0].is_running() and get(f"{base}/api/kernels/{kernel['id']}", token)[0] == 200
        assert get(f"{base}/api/kernels/{kernel['id']}", token, "DELETE")[0] == 204

        _, contents = get(f"{base}/api/contents", token)  # JupyterLab opens on notebooks/
        assert "explore.ipynb" in {item["name"] for item in contents["content"]}

        listening = {c.laddr.ip for c in psutil.net_connections(kind="inet")
                     if c.status == psutil.CONN_LISTEN and c.laddr.port == port}
        assert listening == {"127.0.0.1"}
    finally:
        stop(proc)
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        get(f"{base}/api/status", token)
