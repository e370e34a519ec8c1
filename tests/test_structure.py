"""One home per shared concept: each is imported from its module, and no other module defines its own copy."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pipeline.article
import pipeline.chain
import pipeline.contract
import pipeline.dedup
import pipeline.entities.build
import pipeline.langid.chinese
import pipeline.langid.detector
import pipeline.languages
import pipeline.loader
import pipeline.ner
import pipeline.output
import pipeline.script
import pipeline.stages.translate
from pipeline.ingest import InputReject

PACKAGE = Path(pipeline.__file__).resolve().parent
# Shared names -> the one module (relative to the package) that may assign them at top level.
HOMES = {
    "ENGLISH": "languages.py",
    "FAMILY": "languages.py",
    "NER_ALIASES": "languages.py",
    "ARTICLE_FIELDS": "contract.py",
    "MENTION_FIELDS": "contract.py",
    "REJECT_FIELDS": "contract.py",
}
# Modules that take a shared name under another name (an import, not a copy).
ALIASED = {("ner/__init__.py", "ALIASES"), ("article.py", "CONTRACT_FIELDS")}


def _modules() -> list[tuple[str, ast.Module]]:
    return [(str(p.relative_to(PACKAGE)), ast.parse(p.read_text(encoding="utf-8")))
            for p in sorted(PACKAGE.rglob("*.py"))]


def _literal_names(value: ast.expr) -> bool:
    return isinstance(value, (ast.Tuple, ast.List, ast.Set, ast.Dict, ast.Call))


def test_shared_names_are_assigned_only_in_their_home() -> None:
    copies = []
    for rel, tree in _modules():
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, ast.AnnAssign) else []
            for target in targets:
                if not isinstance(target, ast.Name) or node.value is None:
                    continue
                if target.id in HOMES and HOMES[target.id] != rel:
                    copies.append(f"{rel}: {target.id}")
                if (rel, target.id) in ALIASED and _literal_names(node.value):
                    copies.append(f"{rel}: {target.id} is a literal, not the shared object")
    assert copies == []


def test_shared_objects_are_the_same_object_everywhere() -> None:
    languages, contract = pipeline.languages, pipeline.contract
    assert pipeline.dedup.ENGLISH is languages.ENGLISH
    assert pipeline.stages.translate.ENGLISH is languages.ENGLISH
    assert pipeline.langid.detector.FAMILY is languages.FAMILY
    assert pipeline.ner.ALIASES is languages.NER_ALIASES
    assert pipeline.article.CONTRACT_FIELDS is contract.ARTICLE_FIELDS
    assert pipeline.output.REJECT_FIELDS is contract.REJECT_FIELDS
    assert pipeline.loader.MENTION_FIELDS is contract.MENTION_FIELDS
    assert pipeline.chain.reject_row is contract.reject_row


def test_only_the_script_module_builds_opencc_converters() -> None:
    builders = []
    for rel, tree in _modules():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "OpenCC"
                    and rel != "script.py"):
                builders.append(f"{rel}:{node.lineno}")
    assert builders == []


def test_converters_are_shared() -> None:
    pytest.importorskip("opencc")
    t2s = pipeline.script.opencc_converter("t2s")
    assert pipeline.dedup._t2s() is t2s
    assert pipeline.langid.chinese._converters() == (t2s, pipeline.script.opencc_converter("s2t"))
    assert pipeline.entities.build._opencc("s2tw") is pipeline.script.opencc_converter("s2tw")
    assert pipeline.script.to_simplified("體育") == "体育"


def test_reject_rows_are_built_only_by_the_contract() -> None:
    builders = []
    for rel, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict) and rel != "contract.py":
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                if {"stage", "error", "message"} <= keys:
                    builders.append(f"{rel}:{node.lineno}")
    assert builders == []
    row = pipeline.chain.ingest_reject(InputReject("a/b.html", None, "unreadable", "not UTF-8"))
    assert list(row) == list(pipeline.contract.REJECT_FIELDS)
    assert row == {"source": "a/b.html", "doc_id": None, "stage": "ingest", "error": "unreadable",
                   "message": "not UTF-8"}
