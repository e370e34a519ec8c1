"""Configuration: the commented file equals the defaults; overrides; errors."""

from __future__ import annotations

import tomllib

import pytest

from pipeline.config import Config, ConfigError, load_config, to_toml
from tests.conftest import ROOT


def test_commented_config_file_equals_builtin_defaults() -> None:
    from_file = load_config(ROOT / "configs" / "pipeline.toml")
    assert from_file == Config()
    data = tomllib.loads((ROOT / "configs" / "pipeline.toml").read_text())
    assert set(data) == set(Config().to_dict()), "every section is documented in configs/pipeline.toml"
    for section, values in Config().to_dict().items():
        assert set(data[section]) == set(values), f"[{section}] documents every key"


def test_override_changes_value_and_hash() -> None:
    base = load_config()
    changed = load_config(overrides=["near_duplicates.num_perm=64"])
    assert changed.near_duplicates.num_perm == 64
    assert changed.hash() != base.hash()
    assert load_config(overrides=["run.workers=1"]).hash() == base.hash()


def test_translation_memory_resolves_against_the_output_folder(tmp_path) -> None:
    auto = load_config()
    assert auto.run.translation_memory == "auto"
    assert auto.run.translation_memory_path() is None  # a stage used on its own keeps no memory
    resolved = auto.for_output(tmp_path / "out")
    assert resolved.run.translation_memory == str((tmp_path / "out" / ".cache" / "translation-memory.sqlite").resolve())
    assert resolved.run.translation_memory_path() == resolved.run.translation_memory
    assert resolved.hash() == auto.hash() and resolved.translate == auto.translate
    assert f'translation_memory = "{tmp_path}' in to_toml(resolved)  # the saved config names the file used
    off = load_config(overrides=['run.translation_memory=""'])
    assert off.for_output(tmp_path).run.translation_memory == "" and off.run.translation_memory_path() is None
    given = load_config(overrides=[f'run.translation_memory="{tmp_path / "tm.sqlite"}"'])
    assert given.for_output(tmp_path / "out") == given
    assert given.run.translation_memory_path() == str(tmp_path / "tm.sqlite")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("clean.near_duplicate_threshold=0.8", "near_duplicates.threshold=0.8"),
        ("clean.translation_threshold=0.6", "near_duplicates.translation_threshold=0.6"),
        ("clean.num_perm=64", "near_duplicates.num_perm=64"),
    ],
)
def test_former_near_duplicate_keys_are_read_as_their_new_names(old: str, new: str, tmp_path) -> None:
    assert load_config(overrides=[old]) == load_config(overrides=[new]) != Config()
    section, rest = old.split(".", 1)
    path = tmp_path / "old.toml"
    path.write_text(f"[{section}]\n{rest}\n")
    assert load_config(path) == load_config(overrides=[new])
    later = new.split("=")[0] + "=0.95" if "threshold" in new else new.split("=")[0] + "=256"
    assert load_config(path, overrides=[later]) == load_config(overrides=[later])  # a later layer wins either way


def test_config_hash_is_computed_over_the_former_clean_layout() -> None:
    """The hash is in every article and keys the cache: moving the near-duplicate keys must not change it."""
    import hashlib
    import json

    for config in (Config(), load_config(overrides=["near_duplicates.num_perm=64", "near_duplicates.threshold=0.8"])):
        data = {k: v for k, v in config.to_dict().items() if k not in ("run", "near_duplicates")}
        near = config.near_duplicates
        data["clean"] = {**data["clean"], "near_duplicate_threshold": near.threshold,
                         "translation_threshold": near.translation_threshold, "num_perm": near.num_perm}
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        assert config.hash() == hashlib.sha256(blob).hexdigest()[:16]


def test_bare_word_override_is_a_string() -> None:
    assert load_config(overrides=["translate.backend=none"]).translate.backend == "none"


@pytest.mark.parametrize(
    "item", ["clean.nope=1", "nosection.key=1", "near_duplicates.num_perm=abc", "clean.num_perm=abc", "noequals"]
)
def test_bad_overrides_raise_config_error(item: str) -> None:
    with pytest.raises(ConfigError):
        load_config(overrides=[item])


def test_resolved_config_round_trips(tmp_path) -> None:
    config = load_config(overrides=["near_duplicates.num_perm=32"])
    path = tmp_path / "resolved.toml"
    path.write_text(to_toml(config))
    assert load_config(path) == config


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("langid.ensemble=fasttext", ("fasttext",)),
        ("langid.ensemble=fasttext,lingua", ("fasttext", "lingua")),
        ('langid.ensemble=["cld3"]', ("cld3",)),
        ("translate.languages=id", ("id",)),
        ('translate.routes="id=id-en,nllb-en"', ("id=id-en,nllb-en",)),
        ("langid.ensemble_weights=[1, 2.5]", (1.0, 2.5)),
    ],
)
def test_list_keys_take_a_word_a_comma_list_or_a_toml_list(item: str, expected: tuple[object, ...]) -> None:
    section, rest = item.split(".", 1)
    key = rest.split("=", 1)[0]
    extra = []
    if key == "ensemble":
        extra = [f"langid.ensemble_weights={[1.0] * len(expected)}"]
    if key == "ensemble_weights":
        extra = ['langid.ensemble=["fasttext", "cld3"]']
    config = load_config(overrides=[item, *extra])
    assert getattr(getattr(config, section), key) == expected


@pytest.mark.parametrize(
    ("item", "key"),
    [
        ("langid.ensemble=fasttext", "langid.ensemble_weights"),  # three weights for one detector
        ("langid.ensemble=fasttxt", "langid.ensemble"),
        ('langid.ensemble=["cld3", "cld3", "lingua"]', "langid.ensemble"),
        ("langid.ensemble_weights=[1, -1, 1]", "langid.ensemble_weights"),
        ("langid.ensemble_weights=[0, 0, 0]", "langid.ensemble_weights"),
        ("langid.ensemble_weights=[1, nan, 1]", "langid.ensemble_weights"),
        ("langid.lingua_languages=english", "langid.lingua_languages"),
        ("langid.mt_threshold=1.5", "langid.mt_threshold"),
        ("near_duplicates.threshold=5.0", "near_duplicates.threshold"),
        ("near_duplicates.translation_threshold=0", "near_duplicates.translation_threshold"),
        ("near_duplicates.num_perm=0", "near_duplicates.num_perm"),
        ("clean.num_perm=0", "near_duplicates.num_perm"),  # the former name of the key
        ("clean.repair_glued=1", "clean.repair_glued"),
        ("ingest.max_bytes=-1", "ingest.max_bytes"),
        ("ingest.max_bytes=1.5", "ingest.max_bytes"),
        ("run.workers=-2", "run.workers"),
        ("run.batch_size=0", "run.batch_size"),
        ("run.article_timeout=-1", "run.article_timeout"),
        ("run.article_timeout=inf", "run.article_timeout"),
        ("run.engine=spark", "run.engine"),
        ("translate.backend=google", "translate.backend"),
        ("translate.device=tpu", "translate.device"),
        ("translate.beam_size=0", "translate.beam_size"),
        ("translate.languages=[1, 2]", "translate.languages"),
        ("translate.languages=Indonesian", "translate.languages"),
        ('translate.routes=["id"]', "translate.routes"),
        ("entities.heuristics=capitals", "entities.heuristics"),
    ],
)
def test_invalid_values_name_their_key(item: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(overrides=[item])
    assert str(info.value).startswith(key), str(info.value)
    assert "\n" not in str(info.value)


def test_known_names_mirror_the_code() -> None:
    from pipeline.config import LANGID_DETECTORS, TRANSLATE_BACKENDS
    from pipeline.langid.anchors import ANCHORS
    from pipeline.translation.models import BACKENDS

    assert set(LANGID_DETECTORS) == set(ANCHORS)
    assert TRANSLATE_BACKENDS == BACKENDS


def test_config_error_exits_2_before_reading_any_input(tmp_path) -> None:
    from tests.conftest import run_cli

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    (raw / "a.txt").write_text("Alibaba")
    proc = run_cli("run", "--raw", str(raw), "--out", str(out), "--set", "langid.ensemble=fasttext")
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1 and "langid.ensemble_weights" in errors[0] and "Traceback" not in proc.stderr
    assert not out.exists()
