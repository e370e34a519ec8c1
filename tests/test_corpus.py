"""`python -m pipeline add`: naming convention and duplicate refusal."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from tests.conftest import SEEDS, run_cli


def test_add_names_files_by_sequence_and_hash(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, raw / seed.name)
    new = tmp_path / "story.html"
    new.write_text("<html><body><p>Grab dan Gojek bersaing di Jakarta.</p></body></html>")
    proc = run_cli("add", str(new), "--raw", str(raw))
    assert proc.returncode == 0, proc.stderr
    digest = hashlib.sha256(new.read_bytes()).hexdigest()[:16]
    assert (raw / f"005_{digest}.html").read_bytes() == new.read_bytes()

    other = tmp_path / "other.txt"
    other.write_text("Tiki và Shopee cạnh tranh tại Việt Nam.")
    url = "https://example.com/tiki-shopee"
    assert run_cli("add", str(other), "--raw", str(raw), "--url", url).returncode == 0
    assert (raw / f"006_{hashlib.sha256(url.encode()).hexdigest()[:16]}.txt").exists()


def test_add_refuses_exact_duplicates_and_says_which(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEEDS[0], raw / SEEDS[0].name)
    copy = tmp_path / "copy.txt"
    shutil.copy(SEEDS[0], copy)
    proc = run_cli("add", str(copy), "--raw", str(raw))
    assert proc.returncode == 1
    assert SEEDS[0].name in proc.stderr
    assert sorted(p.name for p in raw.iterdir()) == [SEEDS[0].name]
