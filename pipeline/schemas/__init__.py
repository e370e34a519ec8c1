"""JSON Schemas of the output files (contract v2), and a validator over an output folder."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FILES = {"articles.jsonl": "articles", "mentions.jsonl": "mentions", "rejects.jsonl": "rejects"}


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
