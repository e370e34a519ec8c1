"""JSON Schemas of the output files (contract v2), and a validator over an output folder.

The schemas are generated from the contract's fields (`pipeline.contract`): `python -m pipeline.schemas`
writes them, `python -m pipeline.schemas --check` says whether the shipped files are current.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.contract import RECORDS, json_schema

HERE = Path(__file__).resolve().parent
FILES = {f"{name}.jsonl": name for name in RECORDS}


def render(name: str) -> str:
    """The text of `<name>.schema.json` as generated from the contract."""
    return json.dumps(json_schema(RECORDS[name]), indent=2) + "\n"


def stale() -> list[Path]:
    """The shipped schema files that differ from what the contract generates."""
    return [HERE / f"{name}.schema.json" for name in RECORDS
            if not (HERE / f"{name}.schema.json").is_file()
            or (HERE / f"{name}.schema.json").read_text(encoding="utf-8") != render(name)]


def write_schemas() -> list[Path]:
    """Write every schema file that is not current; the paths written."""
    from pipeline.store import write_atomic

    paths = stale()
    for path in paths:
        write_atomic(path, render(path.name.removesuffix(".schema.json")).encode("utf-8"))
    return paths


@cache
def schema(name: str) -> dict[str, Any]:
    """The JSON Schema named articles, mentions or rejects."""
    return json.loads((HERE / f"{name}.schema.json").read_text(encoding="utf-8"))


def validate_output(out: Path) -> list[str]:
    """Every schema violation in an output folder, as `file:line: message` (empty when valid)."""
    from jsonschema import Draft202012Validator

    problems = []
    for filename, name in FILES.items():
        validator = Draft202012Validator(schema(name))
        path = out / filename
        if not path.exists():
            problems.append(f"{filename}: missing")
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for error in validator.iter_errors(json.loads(line)):
                problems.append(f"{filename}:{number}: {error.json_path}: {error.message}")
    return problems
