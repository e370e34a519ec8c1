"""The Ray engine gives the local engine's bytes, survives a killed worker, and re-runs from the cache."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.bench_ray import write_corpus
from pipeline.chain import BatchResult
from pipeline.config import Config, ConfigError, load_config
from pipeline.engines import ray_engine
from pipeline.ingest import Unit
from pipeline.runner import collect_units
from pipeline.runner import run as run_local
from tests.conftest import RAW, SEEDS, run_cli

pytestmark = pytest.mark.ray
needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                               reason="ray is not installed (pip install '.[ray]')")
OUTPUTS = ("articles.jsonl", "mentions.jsonl", "rejects.jsonl")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds plus 300 generated id/vi/zh/en articles (txt, html, jsonl) and three bad inputs."""
    raw = tmp_path_factory.mktemp("ray_corpus") / "raw"
    write_corpus(raw, 300, seed=7)
    return raw


@pytest.fixture(scope="module")
def local_out(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The local engine's output, from a subprocess (before Ray runs in this process: no fork under Ray)."""
    out = tmp_path_factory.mktemp("local_out")
    proc = run_cli("run", "--raw", str(corpus), "--out", str(out))
    assert proc.returncode == 1, proc.stderr  # the three bad inputs are rejected
    return out


@pytest.fixture(scope="module")
def ray_local(local_out: Path) -> Iterator[object]:
    """A small local Ray on loopback only (so the no-network guard passes it), always shut down."""
    import ray

    saved = os.environ.get("RAY_DISABLE_USAGE_STATS")
    os.environ["RAY_DISABLE_USAGE_STATS"] = "1"
    ray.init(address="local", num_cpus=2, object_store_memory=300_000_000, include_dashboard=False, log_to_driver=False,
             ignore_reinit_error=True, _node_ip_address="127.0.0.1")
    try:
        yield ray
    finally:
        ray.shutdown()
        if saved is None:
            os.environ.pop("RAY_DISABLE_USAGE_STATS", None)
        else:
            os.environ["RAY_DISABLE_USAGE_STATS"] = saved


def config(**run: object) -> Config:
    return load_config(overrides=[f"run.{k}={json.dumps(v)}" for k, v in run.items()])


def manifest(out: Path) -> dict[str, object]:
    return json.loads((out / "manifest.json").read_text())


def assert_same_outputs(a: Path, b: Path) -> None:
    for name in OUTPUTS:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def assert_each_input_once(raw: Path, out: Path) -> None:
    """Every unit is in articles.jsonl or rejects.jsonl exactly once."""
    units, _ = collect_units(raw, config())
    seen = [json.loads(line)["source"] for name in ("articles.jsonl", "rejects.jsonl")
            for line in (out / name).read_text(encoding="utf-8").splitlines()]
    assert len(units) > 300
    assert sorted(seen) == sorted(u.source for u in units)


@pytest.fixture(scope="module")
def ray_out(ray_local: object, corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Ray engine run over the corpus, shared by the tests that read it."""
    out = tmp_path_factory.mktemp("ray_out")
    report = ray_engine.run(corpus, out, config(batch_size=8))
    assert report.rejected == 3
    return out


@needs_ray
def test_ray_engine_output_is_byte_identical_to_local(ray_out: Path, corpus: Path, local_out: Path) -> None:
    assert_same_outputs(local_out, ray_out)
    assert manifest(ray_out)["processed"] == manifest(local_out)["processed"] > 300
    assert_each_input_once(corpus, ray_out)


@needs_ray
def test_ray_engine_rerun_processes_nothing(ray_out: Path, corpus: Path, local_out: Path) -> None:
    before = {name: (ray_out / name).stat().st_mtime_ns for name in OUTPUTS}
    report = ray_engine.run(corpus, ray_out, config())
    assert report.processed == 0
    assert report.unchanged == manifest(local_out)["processed"]
    assert report.rejected == 3  # rejected inputs are not cached by the runner: they are tried again
    assert {name: (ray_out / name).stat().st_mtime_ns for name in OUTPUTS} == before  # nothing rewritten
    assert_same_outputs(local_out, ray_out)


@needs_ray
def test_ray_cli_rerun_over_local_cache_does_not_start_ray(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("run", "--raw", str(RAW), "--out", str(out)).returncode == 0
    first = {name: (out / name).read_bytes() for name in OUTPUTS}
    # The engines share the cache: everything is answered by it, so Ray is not even started.
    proc = run_cli("run", "--raw", str(RAW), "--out", str(out), "--engine", "ray")
    assert proc.returncode == 0, proc.stderr
    assert manifest(out)["processed"] == 0
    assert manifest(out)["unchanged"] == len(SEEDS)
    assert "Ray instance" not in proc.stderr
    assert {name: (out / name).read_bytes() for name in OUTPUTS} == first


def chain_actors(ray: object) -> list[dict[str, object]]:
    from ray._private.state import actors  # the GCS actor table; the public state API needs the dashboard

    return [a for a in actors().values() if "ChainActor" in a["ActorClassName"]]


@needs_ray
def test_ray_engine_worker_killed_mid_run_loses_and_doubles_nothing(ray_local: object, corpus: Path, local_out: Path,
                                                                    tmp_path: Path) -> None:
    killed: list[dict[str, object]] = []
    delivered: list[BatchResult] = []

    def kill_once(pending: list[Unit], cfg: Config, on_result: Callable[[BatchResult], None]) -> None:
        def first_result_kills(batch: BatchResult) -> None:
            if not killed:  # the first batch is back, the others are queued on the actors: kill one worker
                alive = [a for a in chain_actors(ray_local) if a["State"] == "ALIVE"]
                assert alive
                os.kill(int(alive[0]["Pid"]), signal.SIGKILL)
                killed.append(alive[0])
            delivered.append(batch)
            on_result(batch)

        ray_engine.process_pending(pending, cfg, first_result_kills)

    out = tmp_path / "ray"
    report = run_local(corpus, out, config(batch_size=4), process=kill_once)
    assert killed
    victim = next(a for a in chain_actors(ray_local) if a["ActorID"] == killed[0]["ActorID"])
    assert victim["NumRestarts"] >= 1  # the kill landed and Ray restarted the actor
    # A retried batch finds what the killed actor had already cached: those articles come back as reused.
    done = [key for batch in delivered for key, _ in [*batch.done, *batch.reused]]
    assert len(done) == len(set(done)) == report.processed + report.unchanged == manifest(local_out)["processed"]
    assert_each_input_once(corpus, out)
    assert_same_outputs(local_out, out)


def test_ray_actor_count_from_config() -> None:
    assert ray_engine.actor_count(config(), {"CPU": 16.0}, batches_pending=100) == 16
    assert ray_engine.actor_count(config(), {"CPU": 16.0}, batches_pending=3) == 3
    assert ray_engine.actor_count(config(ray_num_gpus=0.5), {"CPU": 32.0, "GPU": 2.0}, batches_pending=100) == 4
    assert ray_engine.actor_count(config(ray_actors=5, ray_num_gpus=1), {"CPU": 8.0}, batches_pending=100) == 5
    with pytest.raises(ConfigError, match="no GPU"):
        ray_engine.actor_count(config(ray_num_gpus=1), {"CPU": 8.0}, batches_pending=100)


class FlakyRay:
    """A stand-in for the ray module whose node misses the registration wait `fails` times."""

    def __init__(self, fails: int, message: str = "The current node timed out during startup.") -> None:
        self.fails, self.message, self.inits, self.shutdowns = fails, message, 0, 0

    def init(self, **kwargs: object) -> None:
        self.inits += 1
        if self.inits <= self.fails:
            raise Exception(self.message)  # what Ray raises

    def shutdown(self) -> None:
        self.shutdowns += 1


def test_ray_local_start_retries_a_node_that_timed_out() -> None:
    flaky = FlakyRay(fails=2)
    ray_engine.start_local(flaky, config())  # type: ignore[arg-type]
    assert (flaky.inits, flaky.shutdowns) == (3, 2)
    with pytest.raises(Exception, match="timed out during startup"):
        ray_engine.start_local(FlakyRay(fails=3), config())  # type: ignore[arg-type]
    other = FlakyRay(fails=1, message="object store too small")
    with pytest.raises(Exception, match="object store"):  # other errors are not retried
        ray_engine.start_local(other, config())  # type: ignore[arg-type]
    assert other.inits == 1


def test_ray_missing_names_the_install_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    with pytest.raises(ray_engine.RayUnavailable, match=r"pip install '\.\[ray\]'"):
        ray_engine.run(tmp_path, tmp_path / "out", config())


def test_ray_cli_reports_missing_ray_as_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "noray"
    blocker.mkdir()
    (blocker / "ray.py").write_text("raise ImportError('No module named ray')\n")
    (tmp_path / "raw").mkdir()
    proc = run_cli("run", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out"), "--engine", "ray",
                   env={"PYTHONPATH": f"{blocker}{os.pathsep}{Path(__file__).resolve().parent.parent}"})
    assert proc.returncode == 2
    assert "pip install '.[ray]'" in proc.stderr


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@needs_ray
@pytest.mark.slow
def test_ray_engine_on_a_two_node_cluster_equals_local(tmp_path: Path) -> None:
    """`--ray-address` joins a running cluster (a head and a second node started with `ray start`, one CPU
    each, on this machine): the output is the local engine's, byte for byte, and the driver starts no Ray."""
    import shutil
    import subprocess
    import tempfile
    import time

    from bench.scale_corpus import write_articles

    raw = tmp_path / "raw"
    raw.mkdir()
    for path in SEEDS:
        (raw / path.name).write_bytes(path.read_bytes())
    write_articles(raw / "gen", 0, 16)
    local = tmp_path / "local"
    assert run_cli("run", "--raw", str(raw), "--out", str(local)).returncode == 0

    port = _free_port()
    address = f"127.0.0.1:{port}"
    ray_bin = Path(sys.executable).parent / "ray"
    # `ray start --head` turns token authentication on (Ray 2.60): the second node and the driver join with the
    # token it wrote to ~/.ray/auth_token. A longer agent timeout helps a busy machine start its nodes.
    env = {**os.environ, "RAY_DISABLE_USAGE_STATS": "1", "RAY_AUTH_MODE": "token",
           "RAY_agent_register_timeout_ms": "180000"}
    common = ["--block", "--num-cpus", "1", "--object-store-memory", "100000000", "--node-ip-address", "127.0.0.1",
              "--disable-usage-stats"]
    # Each `ray start --block` runs in its own process group, so the test stops exactly the nodes it started.
    # Ray keeps Unix sockets under its temp dir; pytest's tmp_path is too long for a socket path (108 bytes).
    ray_tmp = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))
    nodes = [subprocess.Popen([str(ray_bin), "start", "--head", "--port", str(port), "--include-dashboard", "false",
                               "--temp-dir", str(ray_tmp), *common],
                              env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        time.sleep(15)
        nodes.append(subprocess.Popen([str(ray_bin), "start", "--address", address, *common], env=env,
                                      start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(15)
        if any(node.poll() is not None for node in nodes):
            # Ray's own start-up gave up (its raylet allows 30 s, which a heavily loaded machine can miss):
            # nothing of the pipeline ran yet, so this says nothing about the engine.
            pytest.skip("a Ray node failed to start on this machine (Ray's 30 s node start-up limit)")
        out = tmp_path / "ray_out"
        proc = run_cli("run", "--raw", str(raw), "--out", str(out), "--engine", "ray", "--ray-address", address,
                       env={"RAY_AUTH_MODE": "token"})
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "Started a local Ray instance" not in proc.stderr
        assert manifest(out)["processed"] == manifest(local)["processed"] == len(SEEDS) + 16
        assert_same_outputs(local, out)
    finally:
        for node in reversed(nodes):
            if node.poll() is None:
                os.killpg(node.pid, signal.SIGTERM)
        for node in reversed(nodes):
            try:
                node.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(node.pid, signal.SIGKILL)
                node.wait()
        shutil.rmtree(ray_tmp, ignore_errors=True)
