"""A randomly initialised Marian model with a real sentencepiece vocabulary, for tests and benchmarks.

Numbers from such a model mean nothing; the code paths it drives (tokenise, generate, convert,
decode) are the real ones.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path

SPECIALS = ("</s>", "<unk>")


def train_spm(texts: Iterable[str], vocab_size: int = 800) -> bytes:
    """A sentencepiece unigram model trained on texts, as the bytes of a `.spm` file."""
    import sentencepiece as spm

    buf = io.BytesIO()
    lines = [line.strip() for text in texts for line in text.splitlines() if line.strip()]
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=buf, vocab_size=vocab_size, character_coverage=1.0,
        model_type="unigram", hard_vocab_limit=False, minloglevel=2, num_threads=1,
        # Marian's own special tokens live in vocab.json; keep sentencepiece's ids out of the way.
        unk_id=0, bos_id=-1, eos_id=-1, pad_id=-1,
    )
    return buf.getvalue()


def build_marian(
    out: Path,
    texts: Iterable[str],
    *,
    spm_vocab: int = 800,
    vocab_size: int = 0,
    d_model: int = 64,
    layers: int = 2,
    ffn: int = 128,
    heads: int = 4,
    seed: int = 0,
    init_std: float = 0.5,
) -> Path:
    """Save a random MarianMTModel + MarianTokenizer under out; vocab_size > spm size pads the vocabulary."""
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    out.mkdir(parents=True, exist_ok=True)
    model_bytes = train_spm(texts, spm_vocab)
    for name in ("source.spm", "target.spm"):
        (out / name).write_bytes(model_bytes)
    sp = spm.SentencePieceProcessor(model_proto=model_bytes)
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size()) if sp.id_to_piece(i) not in ("<unk>",)]
    tokens = [*SPECIALS, *pieces]
    # Filler tokens give a benchmark model the embedding and output-projection size of a real one.
    tokens += [f"<filler{i}>" for i in range(max(0, vocab_size - 1 - len(tokens)))]
    tokens.append("<pad>")  # Marian puts <pad> last; it starts the decoder
    vocab = {tok: i for i, tok in enumerate(tokens)}
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(
        str(out / "source.spm"), str(out / "target.spm"), str(out / "vocab.json"),
        source_lang="xx", target_lang="en", model_max_length=512,
    )
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab), d_model=d_model, encoder_layers=layers, decoder_layers=layers,
        encoder_attention_heads=heads, decoder_attention_heads=heads, encoder_ffn_dim=ffn, decoder_ffn_dim=ffn,
        max_position_embeddings=512, pad_token_id=pad, eos_token_id=vocab["</s>"], decoder_start_token_id=pad,
        forced_eos_token_id=vocab["</s>"], scale_embedding=True, init_std=init_std,
        share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config).eval()
    model.generation_config.bad_words_ids = [[pad]]
    model.generation_config.num_beams = 1
    model.generation_config.max_length = 512
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def convert_ct2(model_dir: Path, quantization: str | None = "int8") -> Path:
    """Convert a transformers checkpoint to CTranslate2 in model_dir/ct2 (quantization None keeps float32)."""
    from ctranslate2.converters import TransformersConverter

    target = model_dir / "ct2"
    TransformersConverter(str(model_dir)).convert(str(target), quantization=quantization, force=True)
    return target
