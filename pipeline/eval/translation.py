"""Score the installed translation models with sacrebleu (BLEU, chrF) on FLORES-200 devtest and TICO-19.

`python -m pipeline.eval translation [--models DIR] [--limit N]`; the data is read from ../shared
(FLORES is unpacked into a temporary folder, never into the repository).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from pipeline.config import SHARED, load_config
from pipeline.translation.models import Registry
from pipeline.translation.translator import Job, Translator

FLORES_CODES = {"id": "ind_Latn", "vi": "vie_Latn", "zh-Hans": "zho_Hans", "zh-Hant": "zho_Hant"}
TICO_PAIRS = {"id": "ind-eng.ind", "zh-Hans": "zho-eng.zho"}
# Published FLORES-200 devtest BLEU into English: NLLB-200 distilled 600M (NLLB Team 2022, metrics
# release) and the best opus-mt model for the pair (OPUS-MT dashboard).
PUBLISHED_BLEU = {
    "id": {"nllb-200-distilled-600M": 40.5, "opus-mt": 38.6},
    "vi": {"nllb-200-distilled-600M": 33.4, "opus-mt": 30.7},
    "zh-Hans": {"nllb-200-distilled-600M": 24.3, "opus-mt": 22.5},
    "zh-Hant": {"nllb-200-distilled-600M": 22.9, "opus-mt": 20.2},
}


def read_lines(path: Path, limit: int | None) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines[:limit] if limit else lines


def test_sets(shared: Path, tmp: Path, limit: int | None) -> list[tuple[str, str, list[str], list[str]]]:
    """(set name, lang, sources, references) for every set found under shared/data."""
    sets = []
    archive = shared / "data" / "flores.tar.gz"
    if archive.is_file():
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        found = {p.name: p for p in tmp.rglob("*.devtest")}
        if "eng_Latn.devtest" in found:
            refs = read_lines(found["eng_Latn.devtest"], limit)
            for lang, code in FLORES_CODES.items():
                if f"{code}.devtest" in found:
                    sets.append(("flores200-devtest", lang, read_lines(found[f"{code}.devtest"], limit), refs))
    tico = shared / "data" / "mt_extra" / "tico19"
    for lang, name in TICO_PAIRS.items():
        src = tico / name
        if src.is_file():
            ref = src.with_suffix(".eng")
            sets.append(("tico19-test", lang, read_lines(src, limit), read_lines(ref, limit)))
    return sets


def translate_lines(translator: Translator, registry: Registry, lang: str, lines: list[str]) -> list[str]:
    """Each line as one sentence through the pipeline's own translation path."""
    spec = registry.model_for(lang)
    assert spec is not None
    jobs = [Job(line, [(0, len(line))], lang) for line in lines]
    out = []
    for outcome in translator.translate_jobs(spec, jobs):
        if outcome.translation is None:
            raise RuntimeError(outcome.status)
        out.append(outcome.translation["text"])
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.eval translation", description=__doc__)
    parser.add_argument("--models", help="models folder (default: translate.models_dir, i.e. models)")
    parser.add_argument("--limit", type=int, help="only the first N sentences of each set")
    parser.add_argument("--config", help="TOML config file (default: configs/pipeline.toml when present)")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="config override")
    parser.add_argument("--json", help="also write the scores to this JSON file")
    args = parser.parse_args(argv)
    import sacrebleu

    overrides = [*args.set, 'run.translation_memory=""']  # score the model, not yesterday's memory
    if args.models:
        overrides.append(f'translate.models_dir="{args.models}"')
    default = Path("configs/pipeline.toml")
    config = load_config(args.config or (default if default.exists() else None), overrides).translate
    registry = Registry(config)
    installed = {lang: registry.model_for(lang) for lang in FLORES_CODES}
    if not any(installed.values()):
        print(f"no translation model installed under {config.models_dir}/translate/ for "
              f"{', '.join(FLORES_CODES)}: run `make models` (or pass --models DIR)", file=sys.stderr)
        return 1
    translator = Translator(config, registry)
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="flores-") as tmp:
        sets = test_sets(SHARED, Path(tmp), args.limit)
        if not sets:
            print(f"no test data found under {SHARED}/data (set PIPELINE_SHARED)", file=sys.stderr)
            return 1
        for name, lang, sources, refs in sets:
            spec = installed.get(lang)
            if spec is None:
                rows.append({"set": name, "lang": lang, "model": None, "note": "no model"})
                continue
            started = time.perf_counter()
            hyps = translate_lines(translator, registry, lang, sources)
            seconds = time.perf_counter() - started
            rows.append({
                "set": name, "lang": lang, "model": spec.name, "backend": spec.backend, "sentences": len(sources),
                "bleu": round(sacrebleu.corpus_bleu(hyps, [refs]).score, 1),
                "chrf": round(sacrebleu.corpus_chrf(hyps, [refs]).score, 1),
                "seconds": round(seconds, 1),
                "published_bleu": PUBLISHED_BLEU.get(lang) if name.startswith("flores") else None,
            })
    print(format_table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps({"config": dataclasses.asdict(config), "scores": rows}, indent=2,
                                              ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


def format_table(rows: list[dict[str, object]]) -> str:
    """A Markdown table of the scores beside the published FLORES figures."""
    lines = ["| set | lang | model | backend | n | BLEU | chrF | published BLEU (NLLB-600M / opus-mt) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        if r.get("model") is None:
            lines.append(f"| {r['set']} | {r['lang']} | (no model) | | | | | |")
            continue
        pub = r.get("published_bleu")
        published = " / ".join(str(v) for v in pub.values()) if isinstance(pub, dict) else ""
        lines.append(f"| {r['set']} | {r['lang']} | {r['model']} | {r['backend']} | {r['sentences']} | "
                     f"{r['bleu']} | {r['chrf']} | {published} |")
    return "\n".join(lines)
