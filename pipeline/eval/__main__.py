"""`python -m pipeline.eval {langid,entities,ner,translation,realworld} [options]`."""

from __future__ import annotations

import importlib
import sys

EVALS = {
    "langid": "pipeline.eval.langid",
    "entities": "pipeline.eval.entities",
    "ner": "pipeline.eval.ner",
    "translation": "pipeline.eval.translation",
    "realworld": "pipeline.eval.realworld",
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in EVALS:
        print(f"usage: python -m pipeline.eval {{{','.join(EVALS)}}} [options]", file=sys.stderr)
        return 2
    module = importlib.import_module(EVALS[argv[0]])
    return int(module.main(argv[1:]))


sys.exit(main(sys.argv[1:]))
