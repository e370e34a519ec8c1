"""The local engine: incremental re-runs, crash safety, the run lock, exit statuses."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import RAW, ROOT, SEEDS, run_cli

OUTPUTS = ("articles.jsonl", "mentions.jsonl", "rejects.jsonl")


def snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def rows(out: Path, name: str = "articles.jsonl") -> list[dict]:
    return [json.loads(line) for line in (out / name).read_text(encoding="utf-8").splitlines()]


def make_corpus(raw: Path, n: int, seed: int = 7) -> None:
    """The seeds plus n articles recombined from their paragraphs (distinct bytes, realistic text)."""
    raw.mkdir(parents=True, exist_ok=True)
    for path in SEEDS:
        shutil.copy(path, raw / path.name)
    rng = random.Random(seed)
    paragraphs = [p for path in SEEDS for p in path.read_text(encoding="utf-8").splitlines() if len(p) > 40]
    for i in range(n):
        picked = rng.sample(paragraphs, k=4)
        (raw / "gen" / f"{i:04d}.txt").parent.mkdir(exist_ok=True)
        (raw / "gen" / f"{i:04d}.txt").write_text(f"Article {i}\n" + "\n".join(picked) + "\n", encoding="utf-8")


def test_rerun_processes_nothing_and_is_byte_identical(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("run", "--raw", str(RAW), "--out", str(out)).returncode == 0
    first = snapshot(out)
    assert json.loads((out / "manifest.json").read_text())["processed"] == len(SEEDS)
    proc = run_cli("run", "--raw", str(RAW), "--out", str(out))
    assert proc.returncode == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["processed"], manifest["unchanged"]) == (0, len(SEEDS))
    assert snapshot(out) == first


def test_incremental_add_change_delete_touch_only_their_rows(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    make_corpus(raw, 6)
    assert run_cli("run", "--raw", str(raw), "--out", str(out)).returncode == 0
    before = {r["source"]: r for r in rows(out)}

    (raw / "gen" / "0001.txt").write_text("Article one, rewritten.\nTencent và Alibaba hợp tác.\n", encoding="utf-8")
    (raw / "gen" / "0002.txt").unlink()
    (raw / "gen" / "new.txt").write_text("Tokopedia dan Shopee bersaing di Indonesia.\n", encoding="utf-8")
    assert run_cli("run", "--raw", str(raw), "--out", str(out)).returncode == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["processed"] == 2  # the changed and the new article
    after = {r["source"]: r for r in rows(out)}

    assert set(after) == (set(before) - {"gen/0002.txt"}) | {"gen/new.txt"}
    assert after["gen/0001.txt"]["doc_id"] != before["gen/0001.txt"]["doc_id"]
    for source in set(before) & set(after) - {"gen/0001.txt"}:
        a, b = dict(before[source]), dict(after[source])
        a["flags"] = [f for f in a["flags"] if not f.startswith("near-duplicate-of:")]
        b["flags"] = [f for f in b["flags"] if not f.startswith("near-duplicate-of:")]
        assert a == b, source


def test_config_change_reprocesses(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("run", "--raw", str(RAW), "--out", str(out)).returncode == 0
    proc = run_cli("run", "--raw", str(RAW), "--out", str(out), "--set", "clean.num_perm=64")
    assert proc.returncode == 0
    assert json.loads((out / "manifest.json").read_text())["processed"] == len(SEEDS)
    # Run-only settings are not part of the config hash.
    run_cli("run", "--raw", str(RAW), "--out", str(out), "--set", "clean.num_perm=64", "--workers", "1")
    assert json.loads((out / "manifest.json").read_text())["processed"] == 0


@pytest.mark.slow
def test_sigkill_then_rerun_equals_uninterrupted_run(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    make_corpus(raw, 40)
    reference = tmp_path / "reference"
    assert run_cli("run", "--raw", str(raw), "--out", str(reference), "--set", "run.batch_size=2").returncode == 0
    expected = snapshot(reference)

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for attempt, fraction in enumerate((0.05, 0.5, 0.95)):
        out = tmp_path / f"killed{attempt}"
        cmd = [
            sys.executable,
            "-m",
            "pipeline",
            "run",
            "--raw",
            str(raw),
            "--out",
            str(out),
            "--set",
            "run.batch_size=2",
        ]
        proc = subprocess.Popen(
            cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        target = int(45 * fraction)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            done = len(list((out / ".cache").rglob("*.json"))) if (out / ".cache").exists() else 0
            if done >= target:
                break
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)  # the whole group: workers die too
        proc.wait()
        result = run_cli("run", "--raw", str(raw), "--out", str(out), "--set", "run.batch_size=2")
        assert result.returncode == 0, result.stderr
        assert snapshot(out) == expected, f"killed at {fraction:.0%}"
        assert len(rows(out)) == len(SEEDS) + 40


def test_second_concurrent_run_exits_2(tmp_path: Path) -> None:
    from pipeline.store import RunLock

    out = tmp_path / "out"
    with RunLock(out):
        proc = run_cli("run", "--raw", str(RAW), "--out", str(out))
    assert proc.returncode == 2
    assert "another run" in proc.stderr
    assert not (out / "articles.jsonl").exists()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_cli("run", "--raw", str(tmp_path / "missing"), "--out", str(tmp_path / "o")).returncode == 2
    proc = run_cli("run", "--raw", str(RAW), "--out", str(tmp_path / "o"), "--set", "clean.nonsense=1")
    assert proc.returncode == 2 and "nonsense" in proc.stderr
    assert run_cli("frobnicate").returncode == 2


def test_process_pool_output_equals_single_worker(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    make_corpus(raw, 20)
    one, two = tmp_path / "one", tmp_path / "two"
    assert run_cli("run", "--raw", str(raw), "--out", str(one), "--workers", "1").returncode == 0
    assert (
        run_cli("run", "--raw", str(raw), "--out", str(two), "--workers", "2", "--set", "run.batch_size=3").returncode
        == 0
    )
    assert snapshot(one) == snapshot(two)


def test_broken_knowledge_base_fails_at_start(tmp_path: Path) -> None:
    bad = tmp_path / "kb.yaml"
    bad.write_text("- id: not-a-qid\n  name: Broken\n  type: ORG\n")
    proc = run_cli("run", "--raw", str(RAW), "--out", str(tmp_path / "out"), "--set", f'entities.kb="{bad}"')
    assert proc.returncode == 2
    assert "entities.kb" in proc.stderr and "not-a-qid" in proc.stderr
    assert not (tmp_path / "out" / "articles.jsonl").exists()


def test_user_pattern_file_is_checked_at_start_and_keys_the_cache(tmp_path: Path) -> None:
    out = tmp_path / "out"
    bad = tmp_path / "bad.toml"
    bad.write_text('[[group]]\nwhere = "anywhere"\npatterns = ["(unclosed"]\n')
    proc = run_cli("run", "--raw", str(RAW), "--out", str(out), "--set", f'clean.patterns="{bad}"')
    assert proc.returncode == 2 and "clean.patterns" in proc.stderr
    assert not (out / "articles.jsonl").exists()

    extra = tmp_path / "extra.toml"
    extra.write_text('[[group]]\nwhere = "anywhere"\npatterns = ["^a line no article has$"]\n')
    setting = f'clean.patterns="{extra}"'
    assert run_cli("run", "--raw", str(RAW), "--out", str(out), "--set", setting).returncode == 0
    assert run_cli("run", "--raw", str(RAW), "--out", str(out), "--set", setting).returncode == 0
    assert json.loads((out / "manifest.json").read_text())["processed"] == 0
    extra.write_text('[[group]]\nwhere = "anywhere"\npatterns = ["^another line no article has$"]\n')
    assert run_cli("run", "--raw", str(RAW), "--out", str(out), "--set", setting).returncode == 0
    assert json.loads((out / "manifest.json").read_text())["processed"] == len(SEEDS)  # edited file re-cleans


def test_writing_the_outputs_reads_the_index_once_not_once_per_article(tmp_path: Path) -> None:
    """The output writer walks the index in one ordered query: a query per article (a lookup by cache key)
    made the write step quadratic in the corpus. Rebuilt from the cache, the files are the same bytes."""
    from pipeline import runner
    from pipeline.store import Cache, open_index

    raw, out = tmp_path / "raw", tmp_path / "out"
    make_corpus(raw, 30)
    proc = run_cli("run", "--raw", str(raw), "--out", str(out), "--set", "entities.ner=false")
    assert proc.returncode == 0, proc.stderr
    first = snapshot(out)
    articles = len(rows(out))
    assert articles >= 30
    for name in OUTPUTS:
        (out / name).unlink()
    db = open_index(out / ".cache" / "index.sqlite")
    statements: list[str] = []
    db.set_trace_callback(statements.append)
    try:
        missing = runner._write(out, db, Cache(out / ".cache" / "articles"), [], reuse_old=False)
    finally:
        db.set_trace_callback(None)
        db.close()
    assert missing == []
    assert len(statements) < 5 < articles, statements[:10]
    assert {name: (out / name).read_bytes() for name in OUTPUTS[:2]} == {name: first[name] for name in OUTPUTS[:2]}
