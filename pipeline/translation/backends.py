"""Translation backends behind one small interface: tokens counted, sentences in, English out.

Loading happens in `load_backend` (first use), never at import. Everything loads offline
(`local_files_only`, HF_HUB_OFFLINE): nothing downloads at run time.
"""

from __future__ import annotations

import os
from typing import Any

from pipeline.config import TranslateConfig
from pipeline.translation.models import NLLB_CODES, ModelSpec


class BackendError(RuntimeError):
    """A model that cannot be loaded or run; the message is short enough for `failed: <reason>`."""


class Backend:
    """Translates batches of sentences of one source language to English."""

    name = "none"

    def __init__(self, spec: ModelSpec | None, config: TranslateConfig) -> None:
        self.spec = spec
        self.config = config

    @property
    def max_input_tokens(self) -> int:
        """The longest input (in tokens) this backend is given; longer sentences are split first."""
        return self.config.max_input_tokens

    def count_tokens(self, texts: list[str], lang: str) -> list[int]:
        """Source tokens per text, as the model sees them."""
        raise BackendError("no translation backend")

    def translate(self, texts: list[str], lang: str) -> list[str]:
        """English for each text, in order."""
        raise BackendError("no translation backend")


class _Tokenized(Backend):
    """Shared by the backends that use the checkpoint's transformers tokenizer."""

    def __init__(self, spec: ModelSpec | None, config: TranslateConfig) -> None:
        super().__init__(spec, config)
        assert spec is not None
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from transformers import AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(str(spec.path), local_files_only=True)
        self.eos_id = self.tokenizer.eos_token_id

    @property
    def max_input_tokens(self) -> int:
        limit = getattr(self.tokenizer, "model_max_length", None) or 512
        return max(8, min(self.config.max_input_tokens, int(min(limit, 10**6)) - 2))

    def _set_lang(self, lang: str) -> None:
        if self.spec is not None and self.spec.kind == "nllb":
            if lang not in NLLB_CODES:
                raise BackendError(f"NLLB has no code for {lang}")
            self.tokenizer.src_lang = NLLB_CODES[lang]

    def count_tokens(self, texts: list[str], lang: str) -> list[int]:
        self._set_lang(lang)
        return [len(ids) for ids in self.tokenizer(texts, truncation=False)["input_ids"]]


class TransformersBackend(_Tokenized):
    """transformers seq2seq generation (Marian or NLLB), fp32 on CPU, fp16 on CUDA."""

    def __init__(self, spec: ModelSpec, config: TranslateConfig) -> None:
        super().__init__(spec, config)
        import torch
        from transformers import AutoModelForSeq2SeqLM

        self.torch = torch
        self.device = resolve_device(config.device, "torch")
        if config.threads:
            torch.set_num_threads(config.threads)
        dtype = torch.float16 if self.device == "cuda" else torch.float32
        model = AutoModelForSeq2SeqLM.from_pretrained(str(spec.path), local_files_only=True, dtype=dtype)
        self.model = model.to(self.device).eval()
        pad = self.tokenizer.pad_token_id
        # Marian starts decoding from <pad>; never generating it matches CTranslate2, which drops it.
        self.bad_words = [[pad]] if spec.kind == "marian" and pad is not None else None

    def translate(self, texts: list[str], lang: str) -> list[str]:
        self._set_lang(lang)
        batch = self.tokenizer(texts, return_tensors="pt", padding=True, truncation=True,
                               max_length=self.max_input_tokens + 2).to(self.device)
        extra: dict[str, Any] = {}
        if self.spec is not None and self.spec.kind == "nllb":
            extra["forced_bos_token_id"] = self.tokenizer.convert_tokens_to_ids("eng_Latn")
        with self.torch.inference_mode():
            out = self.model.generate(
                **batch, num_beams=self.config.beam_size, do_sample=False,
                # +1: the end-of-sentence token counts here but not in CTranslate2's limit.
                max_new_tokens=self.config.max_output_tokens + 1, forced_eos_token_id=self.eos_id,
                bad_words_ids=self.bad_words, **extra,
            )
        return [t.strip() for t in self.tokenizer.batch_decode(out, skip_special_tokens=True)]


class MarianBackend(TransformersBackend):
    name = "marian"


class NllbBackend(TransformersBackend):
    name = "nllb"


class CTranslate2Backend(_Tokenized):
    """A CTranslate2 conversion (models/translate/<folder>/ct2), tokenised by the checkpoint's tokenizer."""

    name = "ctranslate2"

    def __init__(self, spec: ModelSpec, config: TranslateConfig) -> None:
        super().__init__(spec, config)
        import ctranslate2

        device = resolve_device(config.device, "ctranslate2")
        self.translator = ctranslate2.Translator(
            str(spec.path / "ct2"), device=device, compute_type="default", intra_threads=config.threads,
        )

    def translate(self, texts: list[str], lang: str) -> list[str]:
        self._set_lang(lang)
        ids = self.tokenizer(texts, truncation=True, max_length=self.max_input_tokens + 2)["input_ids"]
        tokens = [self.tokenizer.convert_ids_to_tokens(row) for row in ids]
        prefix = [["eng_Latn"]] * len(texts) if self.spec is not None and self.spec.kind == "nllb" else None
        results = self.translator.translate_batch(
            tokens, target_prefix=prefix, beam_size=self.config.beam_size,
            max_decoding_length=self.config.max_output_tokens, max_batch_size=len(texts),
        )
        out = []
        for res in results:
            hyp = res.hypotheses[0]
            if prefix is not None:
                hyp = hyp[1:]
            ids = self.tokenizer.convert_tokens_to_ids(hyp)
            out.append(str(self.tokenizer.decode(ids, skip_special_tokens=True)).strip())
        return out


BACKEND_CLASSES: dict[str, type[Backend]] = {
    "marian": MarianBackend,
    "nllb": NllbBackend,
    "ctranslate2": CTranslate2Backend,
}


def load_backend(spec: ModelSpec, config: TranslateConfig) -> Backend:
    """Load the backend the registry chose for spec; errors become `BackendError`."""
    try:
        return BACKEND_CLASSES[spec.backend](spec, config)
    except BackendError:
        raise
    except Exception as exc:  # noqa: BLE001 - any loader failure is one short reason
        raise BackendError(f"cannot load {spec.folder} ({spec.backend}): {type(exc).__name__}: {exc}") from exc


def resolve_device(device: str, library: str) -> str:
    """cpu or cuda for `auto`/`cpu`/`cuda`, asking the library that will run the model."""
    if device not in ("auto", "cpu", "cuda"):
        raise BackendError(f"translate.device: {device!r} is not auto, cpu or cuda")
    if device != "auto":
        return device
    if library == "ctranslate2":
        import ctranslate2

        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def auto_batch_size(config: TranslateConfig) -> int:
    """Sentences per batch: the configured number, or one chosen by free (GPU or host) memory."""
    if config.batch_size > 0:
        return config.batch_size
    try:
        import torch

        if config.device != "cpu" and torch.cuda.is_available():
            free, _ = torch.cuda.mem_get_info()
            return max(8, min(256, int(free / 2**30 * 8)))  # ~128 MiB per sentence of activations, beams
    except Exception:  # noqa: BLE001 - no torch or no driver: fall back to host memory
        pass
    try:
        avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 16
    return max(4, min(32, int(avail / 2**30 * 4)))
