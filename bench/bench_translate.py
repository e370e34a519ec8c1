"""Tokens/second: CTranslate2 int8 vs transformers fp32 on a random model of opus-mt size, same inputs and output.

A randomly initialised Marian (6+6 layers, d_model 512, ffn 2048, vocabulary ~65k) is built in bench/tmp;
both backends translate the same 64 sentences of ~30 tokens greedily and are forced to emit exactly
N tokens each, so the work is identical. CPU only: there is no GPU in this environment.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

SENTENCES = 64
IN_TOKENS = 30
OUT_TOKENS = 30
BATCH = 16
ROOT = Path(__file__).resolve().parent


def _inputs(tokenizer: object) -> list[list[int]]:
    import random

    rng = random.Random(0)
    vocab = [i for tok, i in tokenizer.get_vocab().items() if not tok.startswith("<")]  # type: ignore[attr-defined]
    eos = tokenizer.eos_token_id  # type: ignore[attr-defined]
    return [[rng.choice(vocab) for _ in range(IN_TOKENS - 1)] + [eos] for _ in range(SENTENCES)]


def run() -> dict[str, object]:
    import ctranslate2
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    from pipeline.translation.tiny import build_marian, convert_ct2

    threads = os.cpu_count() or 1
    torch.set_num_threads(threads)
    folder = ROOT / "tmp" / "opus-mt-size"
    shutil.rmtree(folder, ignore_errors=True)
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT.parent / "data" / "raw").glob("*.txt"))]
    build_marian(folder, texts, vocab_size=65_000, d_model=512, layers=6, ffn=2048, heads=8, init_std=0.02)
    convert_ct2(folder, quantization="int8")
    tokenizer = MarianTokenizer.from_pretrained(folder)
    ids = _inputs(tokenizer)
    tokens = [tokenizer.convert_ids_to_tokens(row) for row in ids]

    model = MarianMTModel.from_pretrained(folder, dtype=torch.float32).eval()
    started = time.perf_counter()
    hf_out = 0
    with torch.inference_mode():
        for i in range(0, SENTENCES, BATCH):
            batch = torch.tensor(ids[i : i + BATCH])
            out = model.generate(input_ids=batch, attention_mask=torch.ones_like(batch), num_beams=1, do_sample=False,
                                 min_new_tokens=OUT_TOKENS + 1, max_new_tokens=OUT_TOKENS + 1)
            hf_out += (out.shape[1] - 2) * out.shape[0]  # minus the start token and the forced end token
    hf_seconds = time.perf_counter() - started
    del model

    translator = ctranslate2.Translator(str(folder / "ct2"), device="cpu", compute_type="default",
                                        intra_threads=threads)
    started = time.perf_counter()
    results = translator.translate_batch(tokens, beam_size=1, max_batch_size=BATCH,
                                         min_decoding_length=OUT_TOKENS, max_decoding_length=OUT_TOKENS)
    ct2_seconds = time.perf_counter() - started
    ct2_out = sum(len(r.hypotheses[0]) for r in results)
    shutil.rmtree(folder, ignore_errors=True)

    hf_tps, ct2_tps = hf_out / hf_seconds, ct2_out / ct2_seconds
    return {
        "device": "cpu (no GPU in this environment)",
        "threads": threads,
        "model": "random Marian 6+6 layers, d_model 512, ffn 2048, vocab 65k",
        "sentences": SENTENCES, "input_tokens": IN_TOKENS, "output_tokens_each": OUT_TOKENS, "batch": BATCH,
        "transformers_fp32": {"output_tokens": hf_out, "seconds": round(hf_seconds, 2),
                              "tokens_per_s": round(hf_tps, 1)},
        "ctranslate2_int8": {"output_tokens": ct2_out, "seconds": round(ct2_seconds, 2),
                             "tokens_per_s": round(ct2_tps, 1)},
        "speedup": round(ct2_tps / hf_tps, 2),
    }
