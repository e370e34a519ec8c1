"""Generated benchmark corpora: the seeds' paragraphs recombined into many distinct articles."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "data" / "raw").glob("[0-9][0-9][0-9]_*.txt"))


def make_corpus(raw: Path, n: int, seed: int = 13) -> Path:
    """Write the seeds plus n recombined articles (4-8 paragraphs of one seed each) into raw."""
    if raw.exists():
        shutil.rmtree(raw)
    raw.mkdir(parents=True)
    rng = random.Random(seed)
    by_seed = [[p for p in s.read_text(encoding="utf-8").splitlines() if len(p.strip()) > 30] for s in SEEDS]
    for path in SEEDS:
        shutil.copy(path, raw / path.name)
    for i in range(n):
        paragraphs = by_seed[i % len(by_seed)]
        k = min(len(paragraphs), rng.randint(4, 8))
        body = "\n".join(rng.sample(paragraphs, k))
        (raw / f"gen_{i:05d}.txt").write_text(f"{rng.choice(paragraphs)[:60]}\n{body}\n", encoding="utf-8")
    return raw
