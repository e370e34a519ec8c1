"""One home per shared concept: each is imported from its module, and no other module defines its own copy."""

from __future__ import annotations

import ast
import json
import pickle
import threading
import time
from pathlib import Path

import pytest

import pipeline.article
import pipeline.chain
import pipeline.config
import pipeline.contract
import pipeline.dedup
import pipeline.entities.build
import pipeline.entities.linker
import pipeline.langid.chinese
import pipeline.langid.detector
import pipeline.langid.malay
import pipeline.langid.mt_english
import pipeline.langid.train_mt
import pipeline.languages
import pipeline.lazy
import pipeline.loader
import pipeline.ner
import pipeline.output
import pipeline.report
import pipeline.runner
import pipeline.schemas
import pipeline.script
import pipeline.stages.fingerprint
import pipeline.stages.translate
import pipeline.translation.translator
from pipeline.config import Config, NearDuplicatesConfig
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
    "MENTION_FIELD_VALUES": "contract.py",
    "SENTENCE_KEYS": "contract.py",
    "TRANSLATION_KEYS": "contract.py",
    "ENTITY_KEYS": "contract.py",
    "ENTITY_MENTION_KEYS": "contract.py",
    "PIPELINE_KEYS": "contract.py",
    "FLAG_PREFIX": "dedup.py",
    "LEGACY_KEYS": "config.py",
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
    assert pipeline.runner.reject_row is contract.reject_row
    assert pipeline.loader.REJECT_FIELDS is contract.REJECT_FIELDS
    assert pipeline.output.MENTION_FIELDS is contract.MENTION_FIELDS
    assert pipeline.loader.MENTION_FIELD_VALUES is contract.MENTION_FIELD_VALUES
    assert pipeline.dedup.base_language is languages.base_language
    assert pipeline.report.FLAG_PREFIX is pipeline.dedup.FLAG_PREFIX
    assert pipeline.output.with_flag is pipeline.dedup.with_flag
    assert pipeline.stages.fingerprint.signatures is pipeline.dedup.signatures


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


def test_shipped_schemas_are_generated_from_the_contract() -> None:
    assert set(pipeline.schemas.FILES.values()) == set(pipeline.contract.RECORDS)
    for name, record in pipeline.contract.RECORDS.items():
        shipped = (pipeline.schemas.HERE / f"{name}.schema.json").read_text(encoding="utf-8")
        assert shipped == pipeline.schemas.render(name), f"run `python -m pipeline.schemas` ({name})"
        assert list(json.loads(shipped)["properties"]) == list(record.names)
    assert pipeline.schemas.stale() == []


def test_loader_columns_follow_the_contract() -> None:
    pytest.importorskip("pyarrow")
    contract = pipeline.contract
    articles, mentions = pipeline.loader._arrow_schemas()
    assert articles.names == [*contract.ARTICLE_FIELDS, *pipeline.loader.DERIVED_FIELDS]
    assert mentions.names == list(contract.MENTION_FIELDS)
    nested = {
        "sentences": contract.SENTENCE_KEYS, "translation": (*contract.TRANSLATION_KEYS, "extra"),
        "entities": (*contract.ENTITY_KEYS, "extra"), "pipeline": (*contract.PIPELINE_KEYS, "extra"),
    }
    for name, keys in nested.items():
        kind = articles.field(name).type
        struct = kind.value_type if hasattr(kind, "value_type") else kind
        assert [struct.field(i).name for i in range(struct.num_fields)] == list(keys), name
    for record in (contract.ARTICLE, contract.MENTION, contract.REJECT):
        assert {f.dtype for f in record.fields} <= set(contract.DTYPES)
    assert pipeline.loader.STRING_ARTICLE == contract.columns(contract.ARTICLE, "string")


def test_near_duplicate_settings_have_one_section() -> None:
    """dedup reads only [near_duplicates]; no other section holds its keys (the old names are aliases)."""
    assert {f for f in Config().to_dict()["clean"]} & {"near_duplicate_threshold", "translation_threshold",
                                                        "num_perm"} == set()
    assert set(Config().to_dict()["near_duplicates"]) == {new for _, new in pipeline.config.LEGACY_KEYS.values()}
    assert isinstance(Config().near_duplicates, NearDuplicatesConfig)
    for rel, tree in _modules():
        if rel in ("dedup.py", "output.py"):
            imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                        and node.module == "pipeline.config" for alias in node.names}
            assert "Config" not in imported, f"{rel} needs only its own settings, not the whole Config"


def test_no_stage_method_is_called_fingerprint() -> None:
    """`fingerprint` is the name of a stage (and of the field it fills); a stage's part of the cache key is
    `cache_key_part`. A stage overriding `fingerprint()` would silently be left out of the cache key."""
    found = []
    for rel, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                found += [f"{rel}:{item.lineno}" for item in node.body
                          if isinstance(item, ast.FunctionDef) and item.name == "fingerprint"]
    assert found == []


# Packages whose models and data files load through pipeline.lazy; the others still have their own pattern:
# dedup.py (a memo of MinHash permutations per size, lru_cache).
LAZY_PACKAGES = ("langid/", "translation/", "ner/", "entities/", "script.py", "pyvi_load.py", "stages/translate.py",
                 "stages/langid.py", "stages/segment.py")
# A sqlite connection is reopened in each process (a fork must not share it): not a once-per-object property.
REOPENED = {("translation/memory.py", "_conn")}


def _decorator_name(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    return target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""


def test_models_load_through_the_lazy_helper() -> None:
    """In the converted packages a loader is `load_once` (never a size-1 lru_cache or a bare functools.cache),
    and no object tests `self._x is None` to build something on first use (that is a cached_property)."""
    found = []
    for rel, tree in _modules():
        if not rel.startswith(LAZY_PACKAGES):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                for deco in node.decorator_list:
                    name = _decorator_name(deco)
                    size_one = isinstance(deco, ast.Call) and any(
                        k.arg == "maxsize" and isinstance(k.value, ast.Constant) and k.value.value in (1, None)
                        for k in deco.keywords)
                    takes_nothing = not node.args.args and not node.args.kwonlyargs
                    if name == "cache" or (name == "lru_cache" and (size_one or takes_nothing)):
                        found.append(f"{rel}:{node.lineno} {node.name}")
            if (isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute)
                    and isinstance(node.left.value, ast.Name) and node.left.value.id == "self"
                    and node.left.attr.startswith("_") and isinstance(node.ops[0], ast.Is)
                    and isinstance(node.comparators[0], ast.Constant) and node.comparators[0].value is None
                    and (rel, node.left.attr) not in REOPENED):
                found.append(f"{rel}:{node.lineno} self.{node.left.attr} is None")
    assert found == []
    anchors = pipeline.langid.detector.anchors
    loaders = [anchors._fasttext, anchors._fasttext_model, anchors._cld3, anchors._lingua,
               pipeline.langid.chinese._vocabulary, pipeline.langid.malay._markers, pipeline.langid.mt_english._model,
               pipeline.langid.detector._calibration, pipeline.script.opencc_converter]
    assert all(isinstance(f, pipeline.lazy.Loader) for f in loaders)
    assert pipeline.langid.malay._markers() is pipeline.langid.malay._markers()  # loaded once, kept


def test_a_stage_builds_its_translator_on_first_use(tmp_path: Path) -> None:
    from pipeline.config import load_config

    stage = pipeline.stages.translate.Translate(load_config(overrides=[f'translate.models_dir="{tmp_path}"']))
    assert "translator" not in vars(stage)  # constructing the stage built nothing
    translator = stage.translator
    assert isinstance(translator, pipeline.translation.translator.Translator) and stage.translator is translator
    assert translator.memory is None  # "auto" without an output folder: no memory


def test_load_once_loads_once_per_arguments_even_from_threads() -> None:
    calls: list[str] = []

    @pipeline.lazy.load_once
    def slow(name: str) -> object:
        calls.append(name)
        time.sleep(0.05)  # long enough for the other threads to ask while it loads
        return object()

    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(slow("a"))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["a"] and len(got) == 4 and all(g is got[0] for g in got)
    assert slow("b") is not got[0] and calls == ["a", "b"]
    slow.cache_clear()
    assert slow("a") is not got[0] and calls == ["a", "b", "a"]

    @pipeline.lazy.load_once
    def failing() -> None:
        calls.append("failing")
        raise OSError("missing")

    for _ in range(2):
        with pytest.raises(OSError):
            failing()
    assert calls.count("failing") == 2  # a failure is not kept: the next call tries again
    anchors = pipeline.langid.detector.anchors
    assert pickle.loads(pickle.dumps(anchors._lingua)) is anchors._lingua  # pickled by reference
    assert anchors._cld3.__name__ == "_cld3" and anchors._cld3.__doc__ == anchors._cld3.__wrapped__.__doc__


def test_segment_names_one_thing_per_module() -> None:
    """`Segment` is the sentence-splitting stage; the MT-English trainer's record is a LabelledSentence and the
    linker's input (one field of an article with its alias scopes) a LinkField."""
    homes = sorted(rel for rel, tree in _modules() for node in tree.body
                   if isinstance(node, ast.ClassDef) and node.name == "Segment")
    assert homes == ["stages/segment.py"]
    assert pipeline.entities.linker.LinkField.__module__ == "pipeline.entities.linker"
    assert pipeline.stages.Segment is pipeline.stages.segment.Segment
    assert not hasattr(pipeline.langid.train_mt, "Segment")
    sentence = pipeline.langid.train_mt.LabelledSentence("Thank you.", "mt", "Online-A", 0, 3)
    assert sentence.key == ("Online-A", 3, 0)
