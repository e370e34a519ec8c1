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
    changed = load_config(overrides=["clean.num_perm=64"])
    assert changed.clean.num_perm == 64
    assert changed.hash() != base.hash()
    assert load_config(overrides=["run.workers=1"]).hash() == base.hash()


def test_bare_word_override_is_a_string() -> None:
    assert load_config(overrides=["translate.backend=none"]).translate.backend == "none"


@pytest.mark.parametrize("item", ["clean.nope=1", "nosection.key=1", "clean.num_perm=abc", "noequals"])
def test_bad_overrides_raise_config_error(item: str) -> None:
    with pytest.raises(ConfigError):
        load_config(overrides=[item])


def test_resolved_config_round_trips(tmp_path) -> None:
    config = load_config(overrides=["clean.num_perm=32"])
    path = tmp_path / "resolved.toml"
    path.write_text(to_toml(config))
    assert load_config(path) == config
