"""Where the chain's CPU time goes: every stage over a folder in one process, after the start-up loads.

    python -m bench.profile_chain ../shared/dev/realworld/docs            # CPU seconds per stage
    python -m bench.profile_chain ../shared/dev/realworld/docs out.prof   # and a cProfile dump of the same

Stages are checked and warmed as a run's main process does before forking its workers, the 16 smallest
articles go through once (what is still loaded on first use), then all articles in batches of
`run.batch_size`, largest first, as a worker gets them. Stage times are CPU time (`time.process_time`), so
other users of the machine count much less than in wall time. NER on, translation off.
"""

from __future__ import annotations

import cProfile
import sys
import time
from pathlib import Path

from pipeline.chain import Chain
from pipeline.config import load_config
from pipeline.ingest import Unit, discover, split_units


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    raw = Path(argv[0])
    config = load_config(None, ['translate.backend="none"'])
    chain = Chain(config)
    started = time.process_time()
    for stage in chain.stages:
        stage.check()
        stage.warm()
    units = [u for path in sorted(discover(raw)) for u in split_units(path, raw, config.ingest.max_bytes)
             if isinstance(u, Unit)]
    units.sort(key=lambda u: (-len(u.raw), u.source))
    chain(units[-16:])
    print(f"start-up and first 16 articles: {time.process_time() - started:.2f} CPU s", file=sys.stderr)
    time.perf_counter = time.process_time  # the chain times its stages with perf_counter
    profile = cProfile.Profile() if len(argv) > 1 else None
    seconds: dict[str, float] = {}
    started = time.process_time()
    if profile:
        profile.enable()
    size = max(1, config.run.batch_size)
    for i in range(0, len(units), size):
        for name, secs in chain(units[i: i + size]).seconds.items():
            seconds[name] = seconds.get(name, 0.0) + secs
    if profile:
        profile.disable()
        profile.dump_stats(argv[1])
    total = time.process_time() - started
    print(f"{len(units)} articles, {total:.2f} CPU s, {len(units) / total:.2f} articles per CPU s")
    for name, secs in seconds.items():
        print(f"  {name:12s} {secs:7.2f} {100 * secs / total:5.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
