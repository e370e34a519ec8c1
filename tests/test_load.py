"""The loader: dtypes on the seed output and on a fully filled fixture, polars, Parquet round-trip."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import pipeline
from pipeline.loader import export_parquet, load, main, parse_published, read_jsonl
from tests.output_fixture import write_fixture_output


@pytest.fixture(scope="module")
def fixture_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fixture_output(tmp_path_factory.mktemp("fixture_output"))


def _check_dtypes(articles: pd.DataFrame, mentions: pd.DataFrame) -> None:
    assert isinstance(articles["lang"].dtype, pd.CategoricalDtype)
    assert isinstance(articles["translation_status"].dtype, pd.CategoricalDtype)
    assert pd.api.types.is_datetime64_dtype(articles["published"]) and articles["published"].dt.tz is None
    assert articles["lang_confidence"].dtype == "float64"
    assert all(isinstance(f, list) for f in articles["flags"])
    for name in ("doc_id", "source", "text"):
        assert pd.api.types.is_string_dtype(articles[name])
    for name in ("lang", "label", "field"):
        assert isinstance(mentions[name].dtype, pd.CategoricalDtype)
    assert mentions["start"].dtype == "int64" and mentions["end"].dtype == "int64"
    assert mentions["sentence"].dtype == "Int64"


def test_load_seed_output_dtypes(seed_output: Path) -> None:
    articles, mentions = load(seed_output)
    records = read_jsonl(seed_output / "articles.jsonl")
    assert len(articles) == len(records) > 0
    assert list(articles["doc_id"]) == [r["doc_id"] for r in records]
    assert len(mentions) == len(read_jsonl(seed_output / "mentions.jsonl"))
    _check_dtypes(articles, mentions)
    assert set(articles["lang"].astype(str)) == {r["lang"] for r in records}
    assert list(articles["n_sentences"]) == [len(r["sentences"]) for r in records]


def test_load_fixture_values(fixture_output: Path) -> None:
    articles, mentions = load(fixture_output)
    _check_dtypes(articles, mentions)
    by_source = articles.set_index("source")
    # +07:00 is converted to UTC; a date alone is midnight; free text is NaT.
    assert by_source.loc["id/alibaba.txt", "published"] == pd.Timestamp("2022-04-21 03:00:00")
    assert by_source.loc["zh/hulian.html", "published"] == pd.Timestamp("2022-08-03")
    assert pd.isna(by_source.loc["vi/tuong-thanh-copy.txt", "published"])
    assert by_source.loc["vi/tuong-thanh-copy.txt", "flags"] == ["near-duplicate-of:a1b2c3d4e5f60004"]
    assert by_source.loc["id/alibaba.txt", "translation"]["backend"] == "fixture"
    money = [e for e in by_source.loc["id/alibaba.txt", "entities"] if e["label"] == "MONEY"][0]
    assert money["value"] == 850e9  # unknown entity keys survive
    rows = read_jsonl(fixture_output / "mentions.jsonl")
    assert len(mentions) == len(rows) == articles["n_mentions"].sum()
    assert set(mentions["field"].astype(str)) == {"text", "translation"}
    assert mentions["kb_id"].isna().sum() == sum(r["kb_id"] is None for r in rows) > 0
    assert list(articles["lang"].cat.categories) == list(mentions["lang"].cat.categories)
    for row, (_, m) in zip(rows, mentions.iterrows(), strict=True):
        base = by_source.loc[row["source"], "text"] if row["field"] == "text" else \
            by_source.loc[row["source"], "translation"]["text"]
        assert base[m["start"]:m["end"]] == m["text"]


def test_parse_published_mixed_strings() -> None:
    got = parse_published(["2022-04-21", "2022-04-21T10:00:00+07:00", "2022-04-21T10:00:00Z", "21/4/2022",
                           None, 20220421, "kemarin"])
    assert got.dt.tz is None
    assert list(got[:3]) == [pd.Timestamp("2022-04-21"), pd.Timestamp("2022-04-21 03:00"),
                             pd.Timestamp("2022-04-21 10:00")]
    assert got[3:].isna().all()


def test_load_package_attribute_is_callable(fixture_output: Path) -> None:
    articles, mentions = pipeline.load(fixture_output)
    assert len(articles) == 7 and len(mentions) > 0


def test_load_polars_engine(fixture_output: Path) -> None:
    import polars as pl

    articles, mentions = load(fixture_output, engine="polars")
    assert isinstance(articles, pl.DataFrame) and isinstance(mentions, pl.DataFrame)
    assert articles.schema["lang"] == pl.Categorical and mentions.schema["label"] == pl.Categorical
    assert articles.schema["published"] == pl.Datetime("us") and articles.schema["flags"] == pl.List(pl.String)
    assert mentions.schema["start"] == pl.Int64
    names = articles.explode("entities").select(pl.col("entities").struct.field("name")).drop_nulls().to_series()
    assert "Alibaba Group" in names.to_list()
    extra = articles.explode("entities").select(pl.col("entities").struct.field("extra")).drop_nulls().to_series()
    assert json.loads(extra[0]) == {"unit": "USD", "value": 850e9}


def test_load_rejects_unknown_engine(fixture_output: Path) -> None:
    with pytest.raises(ValueError, match="engine"):
        load(fixture_output, engine="spark")


def test_load_missing_output_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="pipeline run"):
        load(tmp_path)
    assert main(["--out", str(tmp_path)]) == 2


@pytest.mark.parametrize("which", ["seed", "fixture"])
def test_parquet_round_trip(which: str, seed_output: Path, fixture_output: Path, tmp_path: Path) -> None:
    out = seed_output if which == "seed" else fixture_output
    assert main(["--out", str(out), "--format", "parquet", "--dest", str(tmp_path)]) == 0
    articles, mentions = load(out)
    a = pd.read_parquet(tmp_path / "articles.parquet")
    m = pd.read_parquet(tmp_path / "mentions.parquet")
    assert len(a) == len(articles) and len(m) == len(mentions)
    assert isinstance(a["lang"].dtype, pd.CategoricalDtype) and isinstance(m["label"].dtype, pd.CategoricalDtype)
    pd.testing.assert_series_equal(a["published"], articles["published"], check_names=False)
    for name in ("doc_id", "source", "text", "title"):
        assert [None if pd.isna(v) else v for v in a[name]] == [None if pd.isna(v) else v for v in articles[name]]
    assert a["lang"].astype(str).tolist() == articles["lang"].astype(str).tolist()
    assert [list(f) for f in a["flags"]] == articles["flags"].tolist()
    assert [[e["name"] for e in es] for es in a["entities"]] == [[e["name"] for e in es] for es in articles["entities"]]
    assert m["start"].tolist() == mentions["start"].tolist()
    assert m["sentence"].isna().tolist() == mentions["sentence"].isna().tolist()
    table = pq.read_table(tmp_path / "articles.parquet")
    assert table.num_rows == len(articles)


def test_export_parquet_defaults_to_output_folder(fixture_output: Path) -> None:
    paths = export_parquet(fixture_output)
    assert [p.name for p in paths] == ["articles.parquet", "mentions.parquet"]
    assert all(p.parent == fixture_output and p.stat().st_size > 0 for p in paths)
