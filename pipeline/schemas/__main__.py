"""`python -m pipeline.schemas [--check]`: write the JSON Schemas from the contract, or check they are current."""

from __future__ import annotations

import argparse
import sys

from pipeline.schemas import stale, write_schemas


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.schemas", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 when a shipped schema is not current")
    args = parser.parse_args(argv)
    if args.check:
        paths = stale()
        for path in paths:
            print(f"{path}: differs from pipeline.contract; run `python -m pipeline.schemas`", file=sys.stderr)
        return 1 if paths else 0
    for path in write_schemas():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
