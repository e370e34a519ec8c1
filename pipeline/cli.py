"""Command line: `python -m pipeline run|add`."""

from __future__ import annotations

import argparse
import errno
import logging
import signal
import sys
from pathlib import Path

from pipeline.config import DEFAULT_CONFIG_FILE, Config, ConfigError, load_config
from pipeline.store import LockHeld, OutputGuard

log = logging.getLogger("pipeline")

EXIT_OK, EXIT_REJECTS, EXIT_USAGE = 0, 1, 2
WRITE_ERRORS = {
    errno.ENOSPC: "no space left on the device (disk full)",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied (the folder is read-only for this user)",
    errno.EPERM: "operation not permitted",
}


def _config(args: argparse.Namespace) -> Config:
    path = args.config
    if path is None and DEFAULT_CONFIG_FILE.exists():
        path = DEFAULT_CONFIG_FILE
    overrides = list(args.set or [])
    if args.workers is not None:
        overrides.append(f"run.workers={args.workers}")
    if getattr(args, "models", None):
        overrides.append(f'translate.models_dir="{args.models}"')
    if getattr(args, "engine", None):
        overrides.append(f'run.engine="{args.engine}"')
    return load_config(path, overrides)


def cmd_run(args: argparse.Namespace) -> int:
    from pipeline.runner import check_folders, run

    raw, out = Path(args.raw), Path(args.out)
    if not raw.is_dir():
        log.error("--raw %s is not a folder", raw)
        return EXIT_USAGE
    config = _config(args)
    check_folders(raw, out)
    signal.signal(signal.SIGTERM, _terminated)
    if config.run.engine == "ray":
        from pipeline.engines.ray_engine import run as run_ray

        report = run_ray(raw, out, config, address=args.address)
    elif config.run.engine == "local":
        report = run(raw, out, config)
    else:
        raise ConfigError(f"run.engine: unknown engine {config.run.engine!r}; use local or ray")
    print_summary(report, out)
    return EXIT_REJECTS if report.rejected else EXIT_OK


def _terminated(signum: int, frame: object) -> None:
    raise Terminated


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: workers stopped, lock released, nothing half-written."""


def print_summary(report: object, out: Path) -> None:
    """The one-screen summary at the end of a run, on stderr."""
    r = report  # RunReport; typed loosely so engines can share it
    lines = [
        f"pipeline: {r.inputs} inputs -> {out}",  # type: ignore[attr-defined]
        f"  processed {r.processed}, unchanged {r.unchanged}, rejected {r.rejected}",  # type: ignore[attr-defined]
    ]
    secs = r.seconds  # type: ignore[attr-defined]
    if secs:
        lines.append("  seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in secs.items()))
    for note in sorted(r.notes):  # type: ignore[attr-defined]
        lines.append(f"  note: {note}")
    if r.rejected:  # type: ignore[attr-defined]
        lines.append(f"  rejected inputs and reasons: {out / 'rejects.jsonl'}")
    print("\n".join(lines), file=sys.stderr)


def cmd_add(args: argparse.Namespace) -> int:
    from pipeline.corpus import AddError, add_articles

    try:
        for added in add_articles([Path(p) for p in args.paths], Path(args.raw), url=args.url):
            print(added)
    except AddError as exc:
        log.error("%s", exc)
        return EXIT_REJECTS
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="process every article below --raw into --out")
    run.add_argument("--raw", default="data/raw", help="folder of input articles (default: data/raw)")
    run.add_argument("--out", default="data/processed", help="output folder (default: data/processed)")
    run.add_argument("--config", help=f"TOML config file (default: {DEFAULT_CONFIG_FILE} when present)")
    run.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE", help="override one config value")
    run.add_argument("--workers", type=int, help="worker processes (default: one per core)")
    run.add_argument("--models", help="folder of translation models (default: models)")
    run.add_argument("--engine", choices=["local", "ray"], help="execution engine (default: local)")
    run.add_argument("--ray-address", "--address", dest="address",
                     help="Ray cluster to join for --engine ray: HOST:PORT, auto, or ray://HOST:10001 "
                          "(default: RAY_ADDRESS, else start a local Ray)")
    run.set_defaults(func=cmd_run)

    add = sub.add_parser("add", help="copy new articles into the corpus under its naming convention")
    add.add_argument("paths", nargs="+", help="article files to add")
    add.add_argument("--raw", default="data/raw", help="corpus folder (default: data/raw)")
    add.add_argument("--url", help="the article's URL: names the file by the URL's hash")
    add.set_defaults(func=cmd_add)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and EXIT_USAGE
    try:
        return int(args.func(args))
    except ConfigError as exc:
        log.error("configuration: %s", exc)
        return EXIT_USAGE
    except (LockHeld, OutputGuard) as exc:
        log.error("%s", exc)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        how = "terminated" if isinstance(exc, Terminated) else "interrupted"
        log.error("%s: finished articles are kept in the cache; run again to continue", how)
        return 143 if isinstance(exc, Terminated) else 130
    except OSError as exc:
        if exc.errno not in WRITE_ERRORS:
            raise
        where = exc.filename or "the output folder"
        log.error("cannot write %s: %s; nothing was half-written, fix it and run again", where,
                  WRITE_ERRORS[exc.errno])
        return EXIT_USAGE
