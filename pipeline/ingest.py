"""Reading inputs safely: find files, split .jsonl, decode any encoding, repair mojibake."""

from __future__ import annotations

import codecs
import errno
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import ftfy

from pipeline.errors import Reject

TEXT_SUFFIXES = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "txt",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".jsonl": "jsonl",
}

# ftfy fixes mojibake; its width and quote options would rewrite legitimate CJK punctuation
# and typography that later stages read as evidence (full-width commas in MT English).
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_character_width=False,
    fix_latin_ligatures=False,
    normalization="NFC",
)

# Characters any of ftfy's fixes would change in ASCII text: controls but tab and newline (carriage returns,
# terminal escapes, form feeds included).
_ASCII_FIXABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def fix_text(text: str) -> str:
    """`ftfy.fix_text(text, config=FTFY_CONFIG)`, the same string, cheaper.

    ftfy fixes a text line by line, each line on its own (`fix_and_explain` on each segment ending in a
    newline), and no fix changes an ASCII line without control characters (nothing to re-decode, no C1
    controls, surrogates, ligatures or line separators; NFC leaves ASCII alone). Such lines are kept as they
    are, and a line that repeats (blank lines, markup in HTML) is fixed once.
    """
    config = FTFY_CONFIG
    if config.unescape_html is not False:  # "auto" changes the config mid-text; only the plain loop is copied
        return ftfy.fix_text(text, config=config)
    fixed: dict[str, str] = {}
    out = []
    pos = 0
    while pos < len(text):
        textbreak = text.find("\n", pos) + 1
        if textbreak == 0:
            textbreak = len(text)
        if (textbreak - pos) > config.max_decode_length:
            textbreak = pos + config.max_decode_length
        segment = text[pos:textbreak]
        if segment.isascii() and not _ASCII_FIXABLE.search(segment):
            out.append(segment)
        else:
            if segment not in fixed:
                fixed[segment] = ftfy.fix_and_explain(segment, config).text
            out.append(fixed[segment])
        pos = textbreak
    return "".join(out)


BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
KOREAN_JAPANESE = {
    "euc_kr",
    "cp949",
    "johab",
    "iso2022_kr",
    "shift_jis",
    "cp932",
    "euc_jp",
    "iso2022_jp",
    "shift_jis_2004",
    "euc_jis_2004",
}
MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"\x7fELF", b"BZh", b"7z\xbc\xaf")


@dataclass(frozen=True, slots=True)
class Unit:
    """One article's worth of input: a whole file, or one line of a .jsonl file."""

    source: str
    line: int | None
    fmt: str  # txt, html, json
    raw: bytes

    @property
    def doc_id(self) -> str:
        return doc_id_of(self.raw)


def doc_id_of(raw: bytes) -> str:
    """The contract's stable id: the first 16 hex digits of SHA-256 of the raw bytes."""
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class InputReject:
    """An input rejected before it became an article (a file we could not split or read)."""

    source: str
    doc_id: str | None
    code: str
    message: str


def display_name(path: str) -> str:
    """A path for rows and messages: valid UTF-8 (undecodable name bytes shown as \\xNN)."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def scan(raw_dir: Path) -> Iterator[Path | InputReject]:
    """Regular files below raw_dir, sorted, skipping dot-files and never leaving raw_dir via symlinks;
    a file or folder that cannot be used (symlink loop, broken link, name not UTF-8, unreadable folder)
    comes as an InputReject instead, so one bad entry never stops a run."""
    root = raw_dir.resolve()
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=errors.append):
        for err in errors:
            yield _file_reject(root, err.filename or dirpath, "unreadable", f"cannot list the folder: {err.strerror}")
        errors.clear()
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            try:
                name.encode("utf-8")
            except UnicodeEncodeError:
                yield _file_reject(root, str(path), "bad-file-name",
                                   "the file name is not valid UTF-8; rename it (e.g. convmv -t utf-8)")
                continue
            if path.is_symlink():
                try:
                    target = Path(os.path.realpath(path, strict=True))
                except OSError as exc:
                    if exc.errno == errno.ELOOP:
                        yield _file_reject(root, str(path), "symlink-loop", "the symbolic link points to itself")
                    else:
                        yield _file_reject(root, str(path), "broken-link",
                                           f"the symbolic link's target is missing ({exc.strerror})")
                    continue
                except RuntimeError:  # older Pythons report a loop this way
                    yield _file_reject(root, str(path), "symlink-loop", "the symbolic link points to itself")
                    continue
                if not target.is_relative_to(root) or not target.is_file():
                    continue
            elif not path.is_file():
                continue
            yield path
        for err in errors:
            yield _file_reject(root, err.filename or dirpath, "unreadable", f"cannot list the folder: {err.strerror}")
        errors.clear()


def _file_reject(root: Path, path: str, code: str, message: str) -> InputReject:
    try:
        rel = Path(path).relative_to(root).as_posix()
    except ValueError:
        rel = path
    return InputReject(display_name(rel), None, code, message)


def discover(raw_dir: Path) -> Iterator[Path]:
    """The usable files of `scan` (rejected entries left out)."""
    for item in scan(raw_dir):
        if isinstance(item, Path):
            yield item


def decode(data: bytes) -> str:
    """Bytes in any encoding to NFC text with mojibake repaired; Reject when it is not text."""
    if not data.strip():
        raise Reject("empty", "the input is empty or only whitespace")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            text = data.decode(encoding, errors="strict")
            break
    else:
        if data.startswith(MAGIC):
            raise Reject("binary-file", "the input starts with the signature of a binary format")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _guess(data)
    if "\x00" in text:
        raise Reject("binary-file", "the input contains NUL characters")
    text = fix_text(text)
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise Reject("empty", "the input is empty or only whitespace")
    return text


def _western(data: bytes) -> str | None:
    """cp1252 for mostly-ASCII text whose other bytes stand alone (accents, curly quotes, dashes).

    charset-normalizer guesses poorly on short Western text (cp1250 for "naïve"); multi-byte CJK
    encodings put their high bytes in pairs, which this test excludes.
    """
    high = [i for i, b in enumerate(data) if b >= 0x80]
    if not high or len(high) > len(data) * 0.3:
        return None
    paired = sum(1 for i in high if i + 1 < len(data) and data[i + 1] >= 0x80)
    if paired > len(high) * 0.2:
        return None
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return None


def _guess(data: bytes) -> str:
    western = _western(data)
    if western is not None:
        return western
    best = charset_normalizer.from_bytes(data).best()
    if best is not None and best.encoding in KOREAN_JAPANESE:
        # The corpus has no Korean or Japanese; short Chinese is their classic false positive.
        for encoding in ("gb18030", "big5"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    if best is None:
        if b"\x00" in data:
            raise Reject("binary-file", "the input looks binary (NUL bytes, no text encoding fits)")
        raise Reject("undecodable", "no text encoding decodes the input")
    text = str(best)
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > max(4, len(text) // 100):
        raise Reject("binary-file", f"decoded as {best.encoding} but {controls} control characters remain")
    return text


def split_units(path: Path, raw_dir: Path, max_bytes: int) -> Iterator[Unit | InputReject]:
    """The units of one input file, or an InputReject saying why the file cannot be used."""
    source = display_name(path.relative_to(raw_dir.resolve()).as_posix())
    fmt = TEXT_SUFFIXES.get(path.suffix.lower(), "txt")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            yield InputReject(
                source, None, "too-large", f"{size} bytes is over the limit of {max_bytes} (ingest.max_bytes)"
            )
            return
        with path.open("rb") as fh:  # read at most one byte more than allowed: the file may grow meanwhile
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        yield InputReject(source, None, "vanished", "the file was deleted or moved while the run was reading it")
        return
    except OSError as exc:
        yield InputReject(source, None, "unreadable", f"cannot read the file: {exc.strerror or exc}")
        return
    if len(data) > max_bytes:
        yield InputReject(source, None, "too-large", f"over the limit of {max_bytes} bytes (ingest.max_bytes)")
        return
    if fmt != "jsonl":
        yield Unit(source, None, fmt, data)
        return
    try:
        text = decode(data)
    except Reject as exc:
        yield InputReject(source, doc_id_of(data), exc.code, exc.message)
        return
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if line.strip():
            yield Unit(f"{source}#{number}", number, "json", line.encode("utf-8"))


def parse_json(text: str) -> dict[str, object]:
    """A JSON article object; Reject when it is not one."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Reject("bad-json", f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    if not isinstance(obj, dict):
        raise Reject("bad-json", f"expected a JSON object, got {type(obj).__name__}")
    body = obj.get("text")
    if not isinstance(body, str) or not body.strip():
        raise Reject("no-text", "the JSON object has no non-empty string field `text`")
    return obj
