"""Translation: a tiny random Marian model (and its CTranslate2 conversion) built here drives the real stage."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from pipeline.article import Article
from pipeline.config import Config, load_config
from pipeline.stages.segment import split_sentences
from pipeline.stages.translate import Translate
from tests.conftest import RAW, SEEDS, run_cli

ROUTES = '["id=id-en", "vi=id-en", "zh-Hans=id-en", "zh-Hant=id-en"]'


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """models/translate/id-en: a random 2+2-layer Marian (d_model 64, vocab trained on the seeds) + ct2 float32."""
    from pipeline.translation.tiny import build_marian, convert_ct2

    root = tmp_path_factory.mktemp("models")
    model = build_marian(root / "translate" / "id-en", [p.read_text(encoding="utf-8") for p in SEEDS])
    convert_ct2(model, quantization=None)  # float32: greedy output must equal transformers' exactly
    return root


def make_config(models: Path, tmp: Path, *extra: str) -> Config:
    return load_config(None, [f'translate.models_dir="{models}"', f"translate.routes={ROUTES}",
                              f'run.translation_memory="{tmp / "tm.sqlite"}"', "translate.beam_size=1",
                              "translate.max_output_tokens=12", *extra])


def article(text: str, lang: str, doc_id: str = "d") -> Article:
    return Article(doc_id=doc_id, source=f"{doc_id}.txt", text=text, lang=lang,
                   sentences=[{"start": a, "end": b, "lang": lang} for a, b in split_sentences(text)])


def seed_articles() -> list[Article]:
    """The seeds' text with a language each (the stage routes all to the tiny model)."""
    langs = ["id", "vi", "zh-Hans", "zh-Hant", "id"]
    docs = []
    for path, lang in zip(SEEDS, langs, strict=False):
        text = path.read_text(encoding="utf-8").strip()
        spans = split_sentences(text)
        docs.append(article(text[: spans[min(len(spans), 12) - 1][1]], lang, path.stem))  # the first 12 sentences
    return docs


class Spy:
    """Wraps a backend and records every batch it is asked to translate."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.calls: list[list[str]] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def translate(self, texts: list[str], lang: str) -> list[str]:
        self.calls.append(list(texts))
        return self.inner.translate(texts, lang)  # type: ignore[attr-defined]


def spy_on(stage: Translate, lang: str = "id") -> Spy:
    spec = stage.registry.model_for(lang)
    assert spec is not None
    spy = Spy(stage.translator.backend(spec))
    stage.translator.backends[spec.key] = spy  # type: ignore[assignment]
    return spy


def check_aligned(doc: Article) -> None:
    tr = doc.translation
    assert tr is not None and doc.translation_status == "translated"
    spans = tr["sentences"]
    assert len(spans) == len(doc.sentences)
    assert spans[0]["start"] == 0 and spans[-1]["end"] == len(tr["text"])
    for prev, cur in zip(spans, spans[1:], strict=False):
        assert prev["end"] <= cur["start"]
        assert tr["text"][prev["end"] : cur["start"]] in (" ", "\n", "\n\n")


@pytest.mark.parametrize("backend", ["marian", "ctranslate2"])
def test_translate_stage_aligned_by_sentence(tiny_models: Path, tmp_path: Path, backend: str) -> None:
    stage = Translate(make_config(tiny_models, tmp_path, f'translate.backend="{backend}"', 'run.translation_memory=""'))
    docs = list(stage.run(seed_articles()))
    assert [d.doc_id for d in docs] == [p.stem for p in SEEDS]
    for doc in docs:
        check_aligned(doc)
        assert doc.translation["backend"] == backend and doc.translation["model"] == "id-en"
    # Order and alignment: each span holds exactly that sentence's own translation.
    spec = stage.registry.model_for("id")
    alone = stage.translator.backend(spec)
    doc = docs[0]
    for s, t in list(zip(doc.sentences, doc.translation["sentences"], strict=True))[:4]:
        own = alone.translate([doc.text[s["start"] : s["end"]]], "id")[0]
        assert doc.translation["text"][t["start"] : t["end"]] == own
    # Paragraph breaks of the source survive between sentences.
    assert "\n" in docs[0].translation["text"]


def test_translate_backends_greedy_output_identical(tiny_models: Path, tmp_path: Path) -> None:
    outputs = {}
    for backend in ("marian", "ctranslate2"):
        config = make_config(tiny_models, tmp_path, f'translate.backend="{backend}"', 'run.translation_memory=""')
        stage = Translate(config)
        outputs[backend] = [d.translation["text"] for d in stage.run(seed_articles())]
    assert outputs["marian"] == outputs["ctranslate2"]
    assert all(outputs["marian"])


def test_translate_memory_serves_repeats_without_the_model(tiny_models: Path, tmp_path: Path) -> None:
    config = make_config(tiny_models, tmp_path)
    stage = Translate(config)
    spy = spy_on(stage)
    boiler = "Baca juga berita lainnya di sini."
    a = article(f"Harga minyak naik hari ini. {boiler}", "id", "a")
    syndicated = article(a.text, "id", "a2")
    first = list(stage.run([a, syndicated]))
    sent = [t for call in spy.calls for t in call]
    assert sorted(sent) == sorted(["Harga minyak naik hari ini.", boiler])  # each unique sentence once
    assert first[0].translation == first[1].translation
    spy.calls.clear()
    b = list(stage.run([article(f"Pemerintah menunda rapat. {boiler}", "id", "b")]))[0]
    assert [t for call in spy.calls for t in call] == ["Pemerintah menunda rapat."]
    check_aligned(b)
    assert b.translation["text"].endswith(first[0].translation["text"].split(" ", 1)[1][-5:])
    # A new stage (another run, another process) finds everything in the memory on disk.
    again = Translate(config)
    spy2 = spy_on(again)
    c = list(again.run([article(a.text, "id", "c")]))[0]
    assert spy2.calls == [] and c.translation["text"] == first[0].translation["text"]


def test_translate_no_model_and_english(tmp_path: Path) -> None:
    stage = Translate(make_config(tmp_path / "empty", tmp_path))
    docs = list(stage.run([article("Harga minyak naik.", "id", "a"), article("Oil prices rose.", "en", "b"),
                           article("Oil prices rose.", "en-mt", "c"), article("Giá dầu tăng.", "vi", "d")]))
    assert [(d.translation, d.translation_status) for d in docs] == [
        (None, "no-model"), (None, "source-is-english"), (None, "source-is-english"), (None, "no-model")]
    assert len(stage.notes) == 1 and "make models" in next(iter(stage.notes))
    list(stage.run([article("Giá dầu tăng.", "vi", "e")]))
    assert len(stage.notes) == 1
    assert "translator" not in vars(stage)  # nothing to translate: no model, not even the memory, was opened


def test_translate_backend_error_fails_only_that_article(tiny_models: Path, tmp_path: Path) -> None:
    stage = Translate(make_config(tiny_models, tmp_path, 'run.translation_memory=""'))
    spy = spy_on(stage)

    def broken(texts: list[str], lang: str) -> list[str]:
        if any("rusak" in t for t in texts):
            raise RuntimeError("CUDA out of memory")
        return spy.inner.translate(texts, lang)  # type: ignore[attr-defined]

    spy.translate = broken  # type: ignore[method-assign]
    good, bad = article("Harga minyak naik.", "id", "g"), article("Harga naik. Kalimat rusak.", "id", "b")
    out = list(stage.run([good, bad]))
    assert out[0].translation_status == "translated"
    assert out[1].translation is None and out[1].translation_status == "failed: RuntimeError: CUDA out of memory"


def test_translate_unloadable_model_is_failed_not_a_crash(tmp_path: Path) -> None:
    folder = tmp_path / "models" / "translate" / "id-en"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"model_type": "marian"}))
    (folder / "model.safetensors").write_bytes(b"not a model")
    doc = list(Translate(make_config(tmp_path / "models", tmp_path)).run([article("Harga naik.", "id")]))[0]
    assert doc.translation is None and doc.translation_status.startswith("failed: cannot load id-en (marian)")


def test_translate_long_sentence_split_and_joined(tiny_models: Path, tmp_path: Path) -> None:
    from pipeline.translation.translator import split_long

    def count(texts: list[str]) -> list[int]:
        return [len(t.split()) for t in texts]

    text = "Alibaba, Tencent, dan Baidu naik; saham Amazon turun, " + " ".join(["kata"] * 30) + "."
    pieces = split_long(text, count, 8)
    assert all(count([p])[0] <= 8 for p in pieces) and len(pieces) > 3
    assert " ".join(pieces).split() == text.split()
    assert pieces[0] == "Alibaba, Tencent, dan Baidu naik; saham Amazon turun,"  # cut at clause boundaries first
    stage = Translate(make_config(tiny_models, tmp_path, "translate.max_input_tokens=10", 'run.translation_memory=""'))
    spy = spy_on(stage)
    doc = list(stage.run([article(text + " Kalimat pendek.", "id")]))[0]
    check_aligned(doc)
    assert len([t for call in spy.calls for t in call]) > 3
    assert all(n <= 10 for call in spy.calls for n in spy.inner.count_tokens(call, "id"))


def test_translate_hant_converted_for_marian(tiny_models: Path, tmp_path: Path) -> None:
    for convert, expected in ((True, "阿里巴巴发布财报。"), (False, "阿裏巴巴發佈財報。")):
        stage = Translate(make_config(tiny_models, tmp_path, f"translate.hant_to_hans={str(convert).lower()}",
                                      'run.translation_memory=""'))
        spy = spy_on(stage, "zh-Hant")
        list(stage.run([article("阿裏巴巴發佈財報。", "zh-Hant")]))
        assert spy.calls == [[expected]]


def test_translate_cache_key_part_follows_installed_models(tiny_models: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    config = make_config(models, tmp_path)
    before = Translate(config).cache_key_part()
    assert before == Translate(config).cache_key_part()
    shutil.copytree(tiny_models / "translate", models / "translate")
    stage = Translate(config)
    assert stage.cache_key_part() != before
    assert "translator" not in vars(stage)  # the cache key part read file metadata only


def test_fetch_offline_fails_fast_and_changes_nothing(tmp_path: Path) -> None:
    from pipeline.translation import fetch

    started = time.perf_counter()
    assert fetch.main(["--models", str(tmp_path / "models")]) == 1
    assert time.perf_counter() - started < 15
    assert not (tmp_path / "models").exists()


def test_run_prints_no_model_note_once_then_translates_after_install(tiny_models: Path, tmp_path: Path) -> None:
    models, out = tmp_path / "models", tmp_path / "out"
    models.mkdir()
    args = ["run", "--raw", str(RAW), "--out", str(out), "--workers", "2", "--models", str(models),
            "--set", f'run.translation_memory="{tmp_path / "tm.sqlite"}"', "--set", "translate.max_output_tokens=6",
            "--set", "translate.routes=" + '["id=id-en","vi=id-en","zh-Hans=id-en","zh-Hant=id-en","ms=id-en"]',
            "--set", "run.batch_size=1"]
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("make models") == 1
    rows = [json.loads(line) for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(r["translation_status"] in ("no-model", "source-is-english") for r in rows)
    assert any(r["translation_status"] == "no-model" for r in rows)
    shutil.copytree(tiny_models / "translate", models / "translate")
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr
    assert "make models" not in proc.stderr
    rows = [json.loads(line) for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    translated = [r for r in rows if r["translation_status"] == "translated"]
    assert translated
    for r in translated:
        assert len(r["translation"]["sentences"]) == len(r["sentences"])
        assert r["translation"]["backend"] == "ctranslate2"
    proc = run_cli(*args)  # a no-op re-run: nothing processed, so no model loaded
    assert '"processed": 0' in (out / "manifest.json").read_text()


@pytest.mark.shared
def test_eval_translation_scores_with_tiny_model(tiny_models: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.eval.translation import main

    assert main(["--models", str(tiny_models), "--limit", "3", "--set", f"translate.routes={ROUTES}",
                 "--set", "translate.max_output_tokens=6", "--set", "translate.beam_size=1"]) == 0
    table = capsys.readouterr().out
    assert "flores200-devtest | id | id-en | ctranslate2 | 3 |" in table
    assert "tico19-test | zh-Hans | id-en" in table
    assert "40.5 / 38.6" in table


def test_eval_translation_without_models_exits_nonzero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.eval.translation import main

    assert main(["--models", str(tmp_path)]) != 0
    assert "make models" in capsys.readouterr().err
