"""Near-duplicates across the whole corpus (a corpus-level step, `[near_duplicates]` settings), from MinHash signatures.

An article's signatures (`signatures`, kept in `Article.fingerprint` by the `fingerprint` stage, cached) are
one or two MinHash signatures (datasketch, scheme affine32, seed 1) of `num_perm` values each, concatenated:
the *native* view (character 4-gram shingles of Chinese, converted to Simplified so Traditional and
Simplified copies meet; word 3-gram shingles of Latin-script text), then, when the article has an English
text (it is English, or it has a translation), the *English* view (word 1-gram shingles, loose enough for
two different machine translations of one source). `near_duplicates` builds an LSH index from a list of
articles in memory; `DupIndex` keeps the same index in SQLite beside the cache and updates it with the
articles that changed, so a run's cost follows what changed, not the corpus. A later copy is flagged
`near-duplicate-of:<doc_id>` (`with_flag`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipeline.article import Article
from pipeline.config import NearDuplicatesConfig
from pipeline.languages import ENGLISH, base_language
from pipeline.script import CJK as _CJK
from pipeline.script import opencc_converter

SCHEME = "affine32"
SEED = 1
CHAR_SHINGLE = 4
WORD_SHINGLE = 3
_WORD = re.compile(r"\w+")
_NON_WORD = re.compile(r"[\W_]+")
FLAG_PREFIX = "near-duplicate-of:"  # + the doc_id of the earlier article


def _t2s() -> Any:
    try:
        return opencc_converter("t2s")
    except ImportError:  # the Simplified view is a refinement; without it Hant and Hans copies do not meet
        return None


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def shingles(text: str) -> set[str]:
    """Native-view shingles: character 4-grams for Chinese, word 3-grams for other text."""
    text = _normal(text)
    letters = sum(ch.isalpha() for ch in text) or 1
    if len(_CJK.findall(text)) / letters > 0.3:
        converter = _t2s()
        chars = _NON_WORD.sub("", converter.convert(text) if converter else text)
        grams = {chars[i : i + CHAR_SHINGLE] for i in range(len(chars) - CHAR_SHINGLE + 1)}
        return grams or ({chars} if chars else set())
    words = _WORD.findall(text)
    grams = {" ".join(words[i : i + WORD_SHINGLE]) for i in range(len(words) - WORD_SHINGLE + 1)}
    return grams or ({" ".join(words)} if words else set())


def english_shingles(text: str) -> set[str]:
    """English-view shingles: the set of words (two MT systems agree on words more than on word order)."""
    return {w for w in _WORD.findall(_normal(text)) if len(w) > 1}


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> Any:
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME).permutations


def signature(items: Iterable[str], num_perm: int) -> list[int]:
    """MinHash signature of a shingle set, as plain ints (stable across runs and machines)."""
    from datasketch import MinHash

    minhash = MinHash(num_perm=num_perm, seed=SEED, permutations=_permutations(num_perm), scheme=SCHEME)
    minhash.update_batch([item.encode("utf-8") for item in sorted(items)])
    return [int(v) for v in minhash.hashvalues]


def english_text(doc: Article) -> str | None:
    """The article's English text: itself when English, else its translation when there is one."""
    if doc.lang in ENGLISH:
        return doc.text
    if doc.translation and isinstance(doc.translation.get("text"), str) and doc.translation["text"].strip():
        return str(doc.translation["text"])
    return None


def signatures(doc: Article, num_perm: int) -> list[int]:
    """Native signature, then the English-view signature when the article has English text."""
    native = signature(shingles(doc.text), num_perm)
    english = english_text(doc)
    return native + signature(english_shingles(english), num_perm) if english else native


def _earlier(a: Article | Entry, b: Article | Entry) -> bool:
    """Whether a counts as the original of b: by publication date when both state one, else by source."""
    if a.published and b.published:
        n = min(len(a.published), len(b.published))
        if a.published[:n] != b.published[:n]:
            return a.published[:n] < b.published[:n]
    return a.source < b.source


def _same_language(a: Article | Entry, b: Article | Entry) -> bool:
    """Same-language pairs are judged on the native view only; the English view is for crossing languages."""
    return base_language(a.lang) == base_language(b.lang)


def flag(target: str) -> str:
    """The flag of an article that is a near-duplicate of the article `target` (a doc_id)."""
    return f"{FLAG_PREFIX}{target}"


def with_flag(flags: list[str], target: str | None) -> list[str]:
    """An article's flags with its near-duplicate flag added (sorted, as written); unchanged when target is None."""
    return sorted({*flags, flag(target)}) if target else flags


def _views(settings: NearDuplicatesConfig) -> tuple[tuple[int, float], tuple[int, float]]:
    """(view, threshold): the native view, then the English view."""
    return (0, settings.threshold), (1, settings.translation_threshold)


def near_duplicates(articles: list[Article], settings: NearDuplicatesConfig) -> dict[str, str]:
    """doc_id of each later copy -> doc_id of the earlier article it duplicates."""
    import numpy as np
    from datasketch import LeanMinHash, MinHashLSH

    n = settings.num_perm
    docs = [d for d in articles if len(d.fingerprint) in (n, 2 * n)]
    views = _views(settings)
    partners: dict[int, set[int]] = {}
    for view, threshold in views:
        sigs = {i: np.asarray(d.fingerprint[view * n : (view + 1) * n], dtype=np.uint64)
                for i, d in enumerate(docs) if len(d.fingerprint) >= (view + 1) * n}
        if len(sigs) < 2:
            continue
        # Banding tuned for recall at the decision threshold (candidates from 0.2 below it, never
        # below 0.5 so unrelated articles stay out of each other's buckets and the cost linear): the
        # signature agreement below decides, so extra candidates cost a comparison, not precision.
        lsh = MinHashLSH(threshold=max(0.5, threshold - 0.2), num_perm=n, weights=(0.1, 0.9))
        hashes = {i: LeanMinHash(seed=SEED, hashvalues=sig, scheme=SCHEME) for i, sig in sigs.items()}
        for i, minhash in hashes.items():
            lsh.insert(i, minhash, check_duplication=False)
        for i, minhash in hashes.items():
            for j in lsh.query(minhash):
                # LSH gives candidates; the signature agreement (estimated Jaccard) decides.
                if j == i or docs[i].doc_id == docs[j].doc_id or (view == 1 and _same_language(docs[i], docs[j])):
                    continue
                if float(np.mean(sigs[i] == sigs[j])) >= threshold:
                    partners.setdefault(i, set()).add(j)
    out = {}
    for i, found in partners.items():
        earlier = [j for j in found if _earlier(docs[j], docs[i])]
        if earlier:
            first = min(earlier, key=lambda j: (docs[j].published or "\uffff", docs[j].source))
            out[docs[i].doc_id] = docs[first].doc_id
    return out


# -- the persistent index: near-duplicates updated with what changed, not rebuilt ------------------------

def lsh_bands(num_perm: int, threshold: float) -> list[tuple[int, int]]:
    """The (start, end) signature slices `near_duplicates` bands on: datasketch's optimal parameters."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=max(0.5, threshold - 0.2), num_perm=num_perm, weights=(0.1, 0.9))
    return [(i * lsh.r, (i + 1) * lsh.r) for i in range(lsh.b)]


def _band_hash(view: int, band: int, values: Any) -> int:
    """A signed 64-bit key of one band of one view: equal bands share it (a collision only adds a candidate)."""
    import hashlib

    digest = hashlib.blake2b(values.tobytes(), digest_size=8, person=f"v{view}b{band}".encode()).digest()
    return int.from_bytes(digest, "little", signed=True)


@dataclass(frozen=True, slots=True)
class Entry:
    """What the near-duplicate decision needs of one article (an `Article` carries the same fields)."""

    uid: int
    doc_id: str
    source: str
    lang: str
    published: str | None
    signatures: Any  # `Article.fingerprint` as a numpy uint64 array of n or 2n values


class DupIndex:
    """Near-duplicate pairs kept in SQLite (bands of every article's signature views), updated per article.

    Gives exactly what `near_duplicates` gives over the same articles: the same bands (datasketch's
    parameters), the same signature agreement test and the same choice of the earlier article. Adding or
    removing an article marks it and its partners; `settle` recomputes only the marked ones.
    """

    def __init__(self, db: Any, settings: NearDuplicatesConfig,
                 bands: dict[int, list[tuple[int, int]]] | None = None) -> None:
        self.db = db
        self.n = settings.num_perm
        self.views = _views(settings)
        # datasketch finds the banding by numerical integration (scipy, seconds to import): the runner keeps
        # the result in the index and passes it back, so a no-op run never computes it.
        self.bands = bands or {view: lsh_bands(self.n, threshold) for view, threshold in self.views}

    def _sig(self, entry: Entry, view: int) -> Any:
        return entry.signatures[view * self.n: (view + 1) * self.n] if len(entry.signatures) >= (view + 1) * self.n \
            else None

    def _keys(self, entry: Entry) -> list[tuple[int, int]]:
        keys: list[tuple[int, int]] = []
        if len(entry.signatures) not in (self.n, 2 * self.n):
            return keys
        for view, _ in self.views:
            sig = self._sig(entry, view)
            if sig is not None:
                keys.extend((view, _band_hash(view, b, sig[s:e])) for b, (s, e) in enumerate(self.bands[view]))
        return keys

    def add(self, entry: Entry) -> None:
        """Index one article's bands (its partners are found by `settle`)."""
        self.db.executemany("INSERT INTO bands(h, uid) VALUES (?, ?)", [(h, entry.uid) for _, h in self._keys(entry)])
        self.db.execute("INSERT OR IGNORE INTO dirty(uid) VALUES (?)", (entry.uid,))

    def remove(self, entry: Entry) -> None:
        """Drop one article; its partners are marked for `settle`."""
        for uid in self.partners(entry):
            self.db.execute("INSERT OR IGNORE INTO dirty(uid) VALUES (?)", (uid,))
        self.db.execute("DELETE FROM bands WHERE uid = ?", (entry.uid,))
        self.db.execute("DELETE FROM dirty WHERE uid = ?", (entry.uid,))

    def partners(self, entry: Entry) -> list[int]:
        """uids of the indexed articles `near_duplicates` would pair with this one, in either view."""
        import numpy as np

        found: set[int] = set()
        by_view: dict[int, list[int]] = {}
        for view, h in self._keys(entry):
            by_view.setdefault(view, []).append(h)
        for view, threshold in self.views:
            hashes = by_view.get(view)
            if not hashes:
                continue
            marks = ",".join("?" * len(hashes))
            candidates = {uid for (uid,) in self.db.execute(f"SELECT DISTINCT uid FROM bands WHERE h IN ({marks})",
                                                            hashes)} - {entry.uid}
            sig = self._sig(entry, view)
            for other in self.load(sorted(candidates)):
                other_sig = self._sig(other, view)
                if other_sig is None or other.doc_id == entry.doc_id:
                    continue
                if view == 1 and _same_language(entry, other):
                    continue
                if float(np.mean(sig == other_sig)) >= threshold:
                    found.add(other.uid)
        return sorted(found)

    def load(self, uids: list[int]) -> Iterator[Entry]:
        """Entries by uid (from the units table), read 500 at a time: at most 500 signatures are held, and no
        query is open while the caller writes to the index."""
        import numpy as np

        for i in range(0, len(uids), 500):
            chunk = uids[i: i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT uid, doc_id, source, lang, published, fp FROM units WHERE uid IN ({marks})",
                                   chunk).fetchall()
            yield from (Entry(uid, doc_id, source, lang, published, np.frombuffer(fp, dtype=np.uint64))
                        for uid, doc_id, source, lang, published, fp in rows)

    def settle(self) -> int:
        """Recompute the duplicate target of every marked article (and of new articles' partners); how many changed."""
        new = [uid for (uid,) in self.db.execute("SELECT uid FROM dirty")]
        if not new:
            return 0
        for entry in self.load(new):  # an added article can become the original of its partners
            self.db.executemany("INSERT OR IGNORE INTO dirty(uid) VALUES (?)", [(u,) for u in self.partners(entry)])
        changed = 0
        while True:
            batch = [uid for (uid,) in self.db.execute("SELECT uid FROM dirty ORDER BY uid LIMIT 500")]
            if not batch:
                return changed
            for entry in self.load(batch):
                partners = self.load(self.partners(entry))
                earlier = [p for p in partners if _earlier(p, entry)]
                target = min(earlier, key=lambda p: (p.published or "\uffff", p.source)).doc_id if earlier else None
                cur = self.db.execute("UPDATE units SET dup = ? WHERE uid = ? AND dup IS NOT ?",
                                      (target, entry.uid, target))
                changed += cur.rowcount
            self.db.executemany("DELETE FROM dirty WHERE uid = ?", [(u,) for u in batch])
