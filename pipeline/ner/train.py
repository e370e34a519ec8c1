"""Train the shipped NER pipelines: `python -m pipeline.ner.train --all` or `--lang id`.

One small CPU spaCy pipeline per language (HashEmbedCNN tok2vec, no pretrained vectors), trained from WikiANN
plus the human-annotated sets in ../shared/data/ner, with fixed seeds and a step/time cap; the best dev checkpoint
is written to pipeline/ner/models/<lang>/ with a meta.json that records data, sizes, scores and time.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.training.batchers import minibatch_by_words
from spacy.util import compounding, fix_random_seed, minibatch

from pipeline.ner.data import LANGS, Sentence, load_corpus, to_doc

MODELS = Path(__file__).resolve().parent / "models"
SEED = 0
LOG = logging.getLogger("pipeline.ner.train")

# Small CNN NER, close to spaCy's *_core_web_sm recipe but narrower and without static vectors.
TOK2VEC = {
    "@architectures": "spacy.HashEmbedCNN.v2",
    "pretrained_vectors": None,
    "width": 96,
    "depth": 4,
    "embed_size": 2500,
    "window_size": 1,
    "maxout_pieces": 3,
    "subword_features": True,
}
NER_MODEL = {
    "@architectures": "spacy.TransitionBasedParser.v2",
    "state_type": "ner",
    "extra_state_tokens": False,
    "hidden_width": 64,
    "maxout_pieces": 2,
    "use_upper": True,
    "nO": None,
    "tok2vec": TOK2VEC,
}
DEFAULTS: dict[str, float] = {
    "max_epochs": 12, "max_steps": 6000, "max_seconds": 660.0, "eval_every": 400, "eval_seconds": 150.0,
    "dev_size": 1500, "dropout": 0.1, "patience": 6, "batch_by_words": 0,
}
# Character-level zh sentences are ~3x longer in tokens: batches of 100-1000 sentences make too few updates, so
# zh batches by tokens (100 -> 1000, spaCy's default schedule) instead.
LANG_DEFAULTS: dict[str, dict[str, float]] = {"zh": {"batch_by_words": 1, "eval_every": 1000, "max_steps": 20000,
                                                      "max_seconds": 600.0, "embed_size": 5000}}


def blank(lang: str) -> Language:
    """The tokenizer each model uses: zh by character, vi by the multilingual rule tokenizer (syllables)."""
    if lang == "zh":
        return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
    if lang == "vi":
        # spaCy's vi tokenizer without pyvi splits on whitespace only ("Nội." stays one token); xx splits punctuation.
        return spacy.blank("xx")
    return spacy.blank(lang)


def examples(nlp: Language, sents: list[Sentence]) -> list[Example]:
    """Gold examples over the corpus tokens."""
    out = []
    for s in sents:
        gold = to_doc(nlp.vocab, s)
        out.append(Example(spacy.tokens.Doc(nlp.vocab, words=list(s.words), spaces=list(s.spaces)), gold))
    return out


def train(lang: str, out_dir: Path = MODELS, **overrides: float) -> dict:
    """Train one language and write it to out_dir/lang; returns the training record."""
    cfg: dict[str, float] = {**DEFAULTS, **LANG_DEFAULTS.get(lang, {}),
                             **{k: v for k, v in overrides.items() if v is not None}}
    started = time.perf_counter()
    fix_random_seed(SEED)
    rng = random.Random(SEED)
    corpus = load_corpus(lang)
    nlp = blank(lang)
    # zh has thousands of distinct characters and its prefix/suffix features equal the character: more rows.
    embed_size = int(cfg["embed_size"]) if "embed_size" in cfg else TOK2VEC["embed_size"]
    model_cfg = {**NER_MODEL, "tok2vec": {**TOK2VEC, "embed_size": embed_size}}
    ner: Any = nlp.add_pipe("ner", config={"model": model_cfg})
    for label in ("PERSON", "ORG", "LOC"):
        ner.add_label(label)
    train_ex = examples(nlp, corpus.train)
    # Dev subset: the human-annotated dev set first (news/web domain matters), then WikiANN dev.
    dev_ex = examples(nlp, corpus.dev[: int(cfg["dev_size"])])
    optimizer = nlp.initialize(lambda: train_ex[:2000], sgd=None)
    LOG.info("%s: %d train, %d dev sentences (%d train sentences removed as test duplicates)",
             lang, len(train_ex), len(dev_ex), corpus.removed_from_train)
    best: dict[str, Any] = {"f": -1.0, "step": 0, "evals": 0, "bytes": b""}
    step = epoch = 0
    stop = ""
    history = []
    last_eval = time.perf_counter()
    while not stop:
        epoch += 1
        rng.shuffle(train_ex)
        losses: dict[str, float] = {}
        sizes: Any = compounding(100.0, 1000.0, 1.001)
        batches = minibatch_by_words(train_ex, size=sizes) if cfg["batch_by_words"] else minibatch(train_ex, size=sizes)
        for batch in batches:
            nlp.update(batch, sgd=optimizer, drop=float(cfg["dropout"]), losses=losses)
            step += 1
            # Evaluate every eval_every steps, or sooner when the machine is slow, so the time cap holds.
            if step % int(cfg["eval_every"]) == 0 or time.perf_counter() - last_eval > float(cfg["eval_seconds"]):
                last_eval = time.perf_counter()
                scores = nlp.evaluate(dev_ex)
                f = float(scores["ents_f"] or 0.0)
                elapsed = time.perf_counter() - started
                history.append({"step": step, "epoch": epoch, "dev_f": round(f, 4), "seconds": round(elapsed)})
                LOG.info("%s step %d epoch %d loss %.1f dev F %.4f (%.0fs)", lang, step, epoch,
                         losses.get("ner", 0.0), f, elapsed)
                if f > best["f"]:
                    best = {"f": f, "step": step, "evals": len(history), "bytes": nlp.to_bytes()}
                elif len(history) - int(best["evals"]) >= int(cfg["patience"]):
                    stop = "patience"
                if elapsed > float(cfg["max_seconds"]):
                    stop = "time"
            if step >= int(cfg["max_steps"]):
                stop = "max_steps"
            if stop:
                break
        if epoch >= int(cfg["max_epochs"]) and not stop:
            stop = "max_epochs"
    if best["bytes"]:
        nlp.from_bytes(best["bytes"])
    seconds = time.perf_counter() - started
    record = {
        "lang": lang,
        "seed": SEED,
        "train_sentences": len(train_ex),
        "dev_sentences": len(dev_ex),
        "removed_from_train_as_test_duplicates": corpus.removed_from_train,
        "steps": step,
        "epochs": epoch,
        "stopped_by": stop,
        "best_step": best["step"],
        "best_dev_f": round(float(best["f"]), 4),
        "train_seconds": round(seconds, 1),
        "config": {k: v for k, v in cfg.items()},
        "history": history,
        "trained": time.strftime("%Y-%m-%d"),
    }
    nlp.meta["name"] = f"ner_{lang}"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Small CNN NER (PERSON/ORG/LOC) trained from WikiANN and open gold sets"
    nlp.meta["training"] = {k: v for k, v in record.items() if k != "history"}
    target = out_dir / lang
    target.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    (target / "training.json").write_text(json.dumps(record, indent=2) + "\n")
    LOG.info("%s: wrote %s (best dev F %.4f at step %d, %.0fs)", lang, target, best["f"], best["step"], seconds)
    return record


def main(argv: list[str]) -> int:
    """CLI: train the given languages one after the other."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.ner.train", description=__doc__)
    parser.add_argument("--all", action="store_true", help="train every language (id, vi, zh, en)")
    parser.add_argument("--lang", action="append", choices=LANGS, help="train this language (repeatable)")
    parser.add_argument("--out", type=Path, default=MODELS, help="models folder (default: the package's)")
    parser.add_argument("--max-seconds", type=float, help=f"time cap (default {DEFAULTS['max_seconds']})")
    parser.add_argument("--max-steps", type=int, help=f"update cap (default {DEFAULTS['max_steps']})")
    parser.add_argument("--max-epochs", type=int, help=f"epoch cap (default {DEFAULTS['max_epochs']})")
    args = parser.parse_args(argv)
    langs = list(LANGS) if args.all else (args.lang or [])
    if not langs:
        parser.error("give --all or --lang")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    for lang in langs:
        train(lang, args.out, max_seconds=args.max_seconds, max_steps=args.max_steps, max_epochs=args.max_epochs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
