"""Build data/hant_vocabulary.txt: words written only in Taiwan or Hong Kong Traditional Chinese.

`python -m pipeline.langid.build_hant` reads OpenCC's regional tables (TWPhrases, HKPhrases, TWVariants,
HKVariants, shipped with the `opencc` package as .ocd2 and dumped with its `opencc_dict` tool) and keeps
the regional forms that differ from the mainland form (`伺服器` for 服务器, `滑鼠` for 鼠标, `綫` for 线).
A word that also occurs in mainland Simplified text (the WMT22 zh source, read from
../shared) is dropped: it would be evidence for nothing. Only the word list is written.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from pipeline.config import SHARED
from pipeline.langid.chinese import HANT_VOCABULARY_FILE

CANTONESE_FILE = HANT_VOCABULARY_FILE.parent / "cantonese_characters.txt"

TABLES = ("TWPhrases", "HKPhrases", "TWVariants", "HKVariants")
# Mainland text only: the GSD "Simplified" treebank is converted from Taiwan-sourced text and holds its
# vocabulary (伺服器, 滑鼠), so it cannot serve here.
SIMPLIFIED = (SHARED / "data" / "mt_detect" / "generaltest2022.zh-en.src.zh",)


def opencc_table(name: str) -> list[tuple[str, list[str]]]:
    """One OpenCC dictionary as (key, [values]) pairs, dumped from the package's .ocd2 file."""
    import opencc

    base = Path(opencc.__file__).resolve().parent / "clib"
    tool, source = base / "bin" / "opencc_dict", base / "share" / "opencc" / f"{name}.ocd2"
    if not tool.exists() or not source.exists():
        raise FileNotFoundError(f"{tool} or {source} missing: reinstall the pinned opencc package")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{name}.txt"
        subprocess.run([str(tool), "-i", str(source), "-o", str(out), "-f", "ocd2", "-t", "text"], check=True)
        lines = out.read_text(encoding="utf-8").splitlines()
    pairs = []
    for line in lines:
        key, _, values = line.partition("\t")
        pairs.append((key, values.split()))
    return pairs


def simplified_text() -> str:
    """Mainland Simplified text the list is checked against."""
    parts = []
    for path in SIMPLIFIED:
        if not path.exists():
            raise FileNotFoundError(f"{path} not found: set PIPELINE_SHARED to the shared data folder")
        parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


def build() -> list[str]:
    """The Traditional-only words, sorted."""
    keys: set[str] = set()
    regional: set[str] = set()
    for name in TABLES:
        for key, values in opencc_table(name):
            keys.add(key)
            regional.update(v for v in values if v != key)
    # Written Cantonese (Hong Kong, Macau): reviewed characters, checked against mainland text like the rest.
    lines = CANTONESE_FILE.read_text(encoding="utf-8").splitlines()
    regional.update(w for line in lines if line.strip() and not line.startswith("#") for w in line.split())
    mainland = simplified_text()
    return sorted(w for w in regional - keys if w not in mainland)


def main(argv: list[str]) -> int:
    words = build()
    header = [
        "# Words written only in Taiwan / Hong Kong Traditional Chinese: regional forms from OpenCC's",
        "# TWPhrases, HKPhrases, TWVariants and HKVariants tables that differ from the mainland form and do",
        "# not occur in mainland Simplified text (WMT22 zh source), and the written-Cantonese",
        "# characters of cantonese_characters.txt that pass the same check. Built by",
        "# `python -m pipeline.langid.build_hant`; do not edit by hand.",
    ]
    HANT_VOCABULARY_FILE.write_text("\n".join(header + words) + "\n", encoding="utf-8")
    print(f"wrote {HANT_VOCABULARY_FILE} ({len(words)} words)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
