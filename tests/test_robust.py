"""Faults the runner must survive: dead and hung workers, killed main processes, bad files, a corrupt cache,
a configuration that would reject everything, write errors."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pipeline import runner
from pipeline.chain import BatchResult, FileTask
from pipeline.config import load_config
from pipeline.ingest import Unit
from pipeline.pool import WorkerPool
from pipeline.store import Cache, RunLock
from tests.conftest import ROOT, run_cli

OUTPUTS = ("articles.jsonl", "mentions.jsonl", "rejects.jsonl")
# Light settings: no NER models, so a run over the small corpus takes seconds.
LIGHT = ["--set", "entities.ner=false", "--set", "run.batch_size=1"]


def snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def small_corpus(raw: Path, n: int = 12) -> Path:
    raw.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (raw / f"a{i:02d}.txt").write_text(
            f"Article {i}. Tencent and Alibaba reported results on Monday in Jakarta.\n"
            f"Shares of Grab rose {i} percent after the announcement in Singapore.\n",
            encoding="utf-8",
        )
    return raw


@pytest.fixture(scope="module")
def good_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A finished run over the small corpus (copy it before changing it)."""
    base = tmp_path_factory.mktemp("good")
    raw, out = small_corpus(base / "raw"), base / "out"
    proc = run_cli("run", "--raw", str(raw), "--out", str(out), "--workers", "2", *LIGHT)
    assert proc.returncode == 0, proc.stderr
    return raw, out


def copy_output(good: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    raw, out = good
    shutil.copytree(raw, tmp_path / "raw", symlinks=True)
    shutil.copytree(out, tmp_path / "out", symlinks=True)
    return tmp_path / "raw", tmp_path / "out"


def manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text())


# --- the worker pool -------------------------------------------------------------------------------------


def _task(name: str) -> str:
    if name == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    if name == "hang":
        time.sleep(60)
    if name == "raise":
        raise ValueError("bad task")
    return name.upper()


@pytest.mark.timeout(60)
def test_pool_reports_dead_hung_and_failing_tasks_and_finishes_the_rest() -> None:
    pool = WorkerPool(2, _task)
    tasks = ["a", "die", "b", "hang", "c", "raise", "d"]
    outcomes = {o.task: o for o in pool.run(tasks, lambda t: 3.0)}
    assert {t: o.status for t, o in outcomes.items()} == {
        "a": "ok", "b": "ok", "c": "ok", "d": "ok", "die": "died", "hang": "timeout", "raise": "error"}
    assert outcomes["a"].result == "A"
    assert "signal 9" in outcomes["die"].message and "ValueError: bad task" in outcomes["raise"].message
    assert pool.workers == []


WORKER_SCRIPT = """
import os, sys, time
from pathlib import Path
from pipeline.pool import WorkerPool
from pipeline.store import RunLock

def task(path):
    Path(path).write_text(str(os.getpid()))
    time.sleep(120)

with RunLock(Path(sys.argv[1])):
    for outcome in WorkerPool(1, task).run([sys.argv[2]]):
        pass
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_the_main_process_and_never_hold_the_lock(tmp_path: Path, sig: int) -> None:
    out, pidfile = tmp_path / "out", tmp_path / "worker.pid"
    main = subprocess.Popen([sys.executable, "-c", WORKER_SCRIPT, str(out), str(pidfile)],
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while not (pidfile.exists() and pidfile.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        worker = int(pidfile.read_text())
        lock = str((out / ".lock").resolve())
        held = {os.path.realpath(f"/proc/{worker}/fd/{fd}") for fd in os.listdir(f"/proc/{worker}/fd")}
        assert lock not in held, "the worker holds the run lock"
    finally:
        os.kill(main.pid, sig)  # the main process only, not its group
        main.wait()
    with RunLock(out):  # at once: the worker never held the lock
        pass
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(worker):
        time.sleep(0.05)
    alive = _alive(worker)
    if alive:
        os.kill(worker, signal.SIGKILL)
    assert not alive, "the worker outlived its parent"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def _fake_batch(tasks: list[FileTask]) -> BatchResult:
    """Dies on `poison`; dies once (marker file) on `flaky`; hangs on `hang`; otherwise a done summary per file."""
    for task in tasks:
        data = (_RAW / task.path).read_bytes()
        if data == b"hang":
            time.sleep(600)
        if data == b"poison":
            os.kill(os.getpid(), signal.SIGKILL)
        if data.startswith(b"flaky:"):
            marker = Path(data.split(b":", 1)[1].decode())
            if not marker.exists():
                marker.write_text("died once")
                os.kill(os.getpid(), signal.SIGKILL)
    return BatchResult(done=[(t.path, {"source": t.path}) for t in tasks], seen=[t.path for t in tasks])


_RAW = Path()


class _Work:
    """The runner's pending work, listed from a folder (no run index needed)."""

    def __init__(self, raw: Path) -> None:
        self.raw = raw
        self.cache_root = raw / ".cache"
        self.paths = sorted(p.name for p in raw.iterdir() if p.is_file())

    def __len__(self) -> int:
        return len(self.paths)

    def batches(self, size: int) -> Any:
        tasks = [FileTask(p, (0, 0, 0, 0)) for p in self.paths]
        return iter([tasks[i: i + size] for i in range(0, len(tasks), size)])


@pytest.mark.timeout(60)
def test_dead_worker_batch_is_retried_once_then_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(7):
        (raw / f"u{i}.txt").write_text(f"text {i}")
    (raw / "poison.txt").write_bytes(b"poison")
    (raw / "hang.txt").write_bytes(b"hang")
    (raw / "flaky.txt").write_bytes(f"flaky:{tmp_path / 'marker'}".encode())
    monkeypatch.setattr(sys.modules[__name__], "_RAW", raw)
    monkeypatch.setattr(runner, "_init_worker", lambda config, cache_root, raw: None)
    monkeypatch.setattr(runner, "_run_batch", _fake_batch)
    monkeypatch.setattr(runner, "hard_limit", lambda config, batch: 4.0)  # the outside limit, shortened
    results: list[BatchResult] = []
    config = load_config(overrides=["run.workers=2", "run.batch_size=3"])
    runner.process_pending(_Work(raw), config, results.append)  # type: ignore[arg-type]
    done = sorted(source for r in results for source, _ in r.done)
    rejects = [row for r in results for row in r.rejects]
    assert done == sorted(p.name for p in raw.iterdir() if p.name not in ("poison.txt", "hang.txt"))
    assert sorted((r["source"], r["error"]) for r in rejects) == [
        ("hang.txt", "timeout"), ("poison.txt", "worker-died")]
    assert all(r["stage"] == "run" for r in rejects)
    assert "also when retried alone" in next(r["message"] for r in rejects if r["source"] == "poison.txt")


# --- a killed main process, a killed worker: the next run resumes ----------------------------------------


def _start(raw: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(out),
                             *LIGHT, *extra], env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for_cache(out: Path, n: int, proc: subprocess.Popen[bytes], limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / ".cache" / "articles").exists() and len(list((out / ".cache" / "articles").glob("*/*.json"))) >= n:
            return
        time.sleep(0.02)


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_main_process_killed_then_immediate_rerun_is_identical(
    good_output: tuple[Path, Path], tmp_path: Path, sig: int
) -> None:
    raw, reference = good_output
    out = tmp_path / "out"
    proc = _start(raw, out, "--workers", "2")
    _wait_for_cache(out, 3, proc)
    os.kill(proc.pid, sig)  # the main process only: its workers must not keep the lock
    proc.wait()
    assert proc.returncode in (-sig, 143), proc.stderr.read() if proc.stderr else ""
    again = run_cli("run", "--raw", str(raw), "--out", str(out), "--workers", "2", *LIGHT)
    assert again.returncode == 0, again.stderr
    assert snapshot(out) == snapshot(reference)
    assert manifest(out)["unchanged"] >= 3  # what the killed run finished was kept


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_worker_killed_mid_run_run_finishes_with_every_article(good_output: tuple[Path, Path], tmp_path: Path) -> None:
    import psutil

    raw, reference = good_output
    out = tmp_path / "out"
    proc = _start(raw, out, "--workers", "2")
    _wait_for_cache(out, 1, proc)
    children = psutil.Process(proc.pid).children()
    assert children, "no worker to kill"
    children[0].kill()
    _, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err.decode()
    assert b"failed (died)" in err
    assert snapshot(out) == snapshot(reference)


# --- per-article time limit: adversarial inputs ----------------------------------------------------------


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", ["spaceless-2mb", "text-19mb"])
def test_adversarial_input_is_processed_or_rejected_in_bounded_time(tmp_path: Path, kind: str) -> None:
    from pipeline.chain import Chain

    if kind == "spaceless-2mb":
        raw = ("https://example.com/" + "a" * 2_000_000).encode()
    else:
        line = "Tencent and Alibaba reported results on Monday in Jakarta, said the company.\n"
        raw = (line * (19_000_000 // len(line))).encode()
    config = load_config(overrides=["run.article_timeout=3", "entities.ner=false", "ingest.max_bytes=20000000"])
    started = time.monotonic()
    result = Chain(config)([Unit("big.txt", None, "txt", raw)])
    elapsed = time.monotonic() - started
    assert len(result.done) + len(result.rejects) == 1
    if result.rejects:
        assert result.rejects[0]["error"] == "timeout", result.rejects[0]
        assert "run.article_timeout" in result.rejects[0]["message"]
    assert elapsed < 90


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_timeout_reject_through_the_cli_is_retried_next_run(tmp_path: Path) -> None:
    raw, out = small_corpus(tmp_path / "raw", 1), tmp_path / "out"
    # 2 MB of ordinary sentences: tens of thousands of sentences to segment and identify, far over 2 s a stage.
    line = "Tencent and Alibaba reported results on Monday in Jakarta, said the company.\n"
    (raw / "slow.txt").write_text(line * (2_000_000 // len(line)))
    args = ["run", "--raw", str(raw), "--out", str(out), "--workers", "1", *LIGHT, "--set", "run.article_timeout=2"]
    for attempt in range(2):
        proc = run_cli(*args)
        assert proc.returncode == 1, proc.stderr
        rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
        assert [(r["source"], r["error"]) for r in rejects] == [("slow.txt", "timeout")]
        assert (manifest(out)["processed"], manifest(out)["unchanged"]) == ((1, 0) if attempt == 0 else (0, 1))


# --- bad files become rejects ----------------------------------------------------------------------------


def test_bad_files_become_reject_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = small_corpus(tmp_path / "raw", 3)
    (raw / "loop.txt").symlink_to(raw / "loop.txt")
    (raw / "ping.txt").symlink_to(raw / "pong.txt")
    (raw / "pong.txt").symlink_to(raw / "ping.txt")
    (raw / "dangling.txt").symlink_to(raw / "missing.txt")
    os.close(os.open(os.path.join(os.fsencode(raw), b"caf\xe9.txt"), os.O_CREAT | os.O_WRONLY))
    (raw / "secret.txt").write_text("Alibaba")
    (raw / "gone.txt").write_text("Alibaba")
    real_open = Path.open

    def faulty_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == "secret.txt":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        if self.name == "gone.txt":
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", faulty_open)  # unreadable, and deleted between discovery and reading
    units, rejects = runner.collect_units(raw, load_config())
    assert [u.source for u in units] == ["a00.txt", "a01.txt", "a02.txt"]
    assert {r["source"]: r["error"] for r in rejects} == {
        "loop.txt": "symlink-loop", "ping.txt": "symlink-loop", "pong.txt": "symlink-loop",
        "dangling.txt": "broken-link", "caf\\xe9.txt": "bad-file-name", "secret.txt": "unreadable",
        "gone.txt": "vanished"}
    assert all(r["message"] and r["stage"] == "ingest" for r in rejects)
    json.dumps(rejects).encode("utf-8")  # every row is writable as UTF-8


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_and_folder_are_rejects(tmp_path: Path) -> None:
    raw = small_corpus(tmp_path / "raw", 1)
    (raw / "locked.txt").write_text("Alibaba")
    (raw / "locked.txt").chmod(0)
    (raw / "closed").mkdir()
    (raw / "closed").chmod(0)
    try:
        _, rejects = runner.collect_units(raw, load_config())
    finally:
        (raw / "closed").chmod(0o755)
    assert {r["source"]: r["error"] for r in rejects} == {"locked.txt": "unreadable", "closed": "unreadable"}


# --- the cache verifies what it reads --------------------------------------------------------------------


def test_cache_treats_unverified_entries_as_misses(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    a, b = "a" * 32, "b" * 32
    cache.put(a, {"source": "a.txt", "text": "Alibaba"})
    cache.put(b, {"source": "b.txt", "text": "Tencent"})
    assert cache.get(a, "a.txt") == {"source": "a.txt", "text": "Alibaba"}
    assert cache.get(a, "b.txt") is None
    path_a, path_b = cache._path(a), cache._path(b)
    shutil.copy(path_a, path_b)  # an entry copied over another article's
    assert cache.get(b, "b.txt") is None and cache.get(b) is None
    edited = path_a.read_bytes().replace(b"Alibaba", b"Alibabb")
    path_a.write_bytes(edited)
    assert cache.get(a, "a.txt") is None
    for garbage in (os.urandom(300), b"[]", b"[]\n[]", b"", b'{"key": "' + a.encode() + b'"}\n[]'):
        path_a.write_bytes(garbage)
        assert cache.get(a, "a.txt") is None


@pytest.mark.slow
def test_corrupt_cache_and_state_are_recovered(good_output: tuple[Path, Path], tmp_path: Path) -> None:
    raw, out = copy_output(good_output, tmp_path)
    entries = sorted((out / ".cache" / "articles").glob("*/*.json"))
    assert len(entries) == 12
    entries[0].write_bytes(os.urandom(4096))
    entries[1].write_bytes(b"[]")
    shutil.copy(entries[3], entries[2])
    entries[4].write_bytes(entries[4].read_bytes().replace(b"Tencent", b"Tencen7", 1))
    (out / ".cache" / "outputs.state").write_bytes(os.urandom(512))
    proc = run_cli("run", "--raw", str(raw), "--out", str(out), "--workers", "1", *LIGHT)
    assert proc.returncode == 0, proc.stderr
    assert manifest(out)["processed"] == 4
    assert snapshot(out) == snapshot(good_output[1])


# --- a run never replaces good output with rejects only ----------------------------------------------------


def test_all_rejected_over_good_output_changes_nothing(good_output: tuple[Path, Path], tmp_path: Path) -> None:
    from pipeline.store import OutputGuard

    raw, out = copy_output(good_output, tmp_path)
    before = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and p.name != ".lock"}

    def everything_fails(pending: Any, config: Any, on_result: Any) -> None:
        on_result(runner.failed_rows(list(pending.tasks()), "stage-error", "RuntimeError: broken setup"))

    config = load_config(overrides=["entities.ner=false", "clean.num_perm=64"])  # a new key: all pending
    with pytest.raises(OutputGuard, match="nothing was changed"):
        runner.run(raw, out, config, process=everything_fails)
    after = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and p.name != ".lock"}
    assert after == before


# --- write errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_write_error_is_one_line_exit_2_and_nothing_half_written(
    good_output: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture, code: int
) -> None:
    from pipeline import cli, output

    raw, out = copy_output(good_output, tmp_path)
    (raw / "a00.txt").unlink()  # the outputs change; nothing needs processing
    before = snapshot(out)
    real_stage = output.StreamFile.stage
    calls = []

    def failing_stage(self: Any) -> bool:
        calls.append(self.path.name)
        if self.path.name == "mentions.jsonl":  # the second output file: the first is already staged
            raise OSError(code, os.strerror(code), str(self.path))
        return real_stage(self)

    monkeypatch.setattr(output.StreamFile, "stage", failing_stage)
    status = cli.main(["run", "--raw", str(raw), "--out", str(out), "--workers", "1", *LIGHT])
    assert status == 2
    assert "articles.jsonl" in calls and "mentions.jsonl" in calls
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and "cannot write" in errors[0] and "\n" not in errors[0]
    assert snapshot(out) == before
    assert not list(out.glob(".*.tmp"))


def test_output_files_follow_the_umask(good_output: tuple[Path, Path]) -> None:
    from pipeline.store import file_mode

    _, out = good_output
    for name in (*OUTPUTS, "manifest.json"):
        assert (out / name).stat().st_mode & 0o777 == file_mode(), name
    assert file_mode() == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_out_inside_raw_is_refused(tmp_path: Path) -> None:
    raw = small_corpus(tmp_path / "raw", 1)
    for out in (raw, raw / "processed"):
        proc = run_cli("run", "--raw", str(raw), "--out", str(out))
        assert proc.returncode == 2 and "inside --raw" in proc.stderr
        assert not (raw / "articles.jsonl").exists() and not (raw / "processed").exists()


def test_time_limit_interrupts_a_regex_and_keeps_an_outer_alarm() -> None:
    import re

    from pipeline.chain import ArticleTimeout, time_limit

    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    signal.setitimer(signal.ITIMER_REAL, 3.0)  # an outer alarm, as pytest-timeout sets one
    try:
        started = time.monotonic()
        with pytest.raises(ArticleTimeout), time_limit(0.5):
            re.search(r"(a|aa)+$", "a" * 40 + "b")  # exponential backtracking: only the alarm ends it
        assert time.monotonic() - started < 2.5
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 1.5 < remaining < 2.6 and not fired
        time.sleep(remaining + 0.3)
        assert fired == [signal.SIGALRM]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
