"""Static HTML report over a pipeline output: an index, one page per article, an entity index."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import Any

from pipeline.dedup import FLAG_PREFIX
from pipeline.loader import read_jsonl, read_manifest
from pipeline.notebook import KernelMissingError, NotebookError

ASSETS = Path(__file__).with_name("report_assets")
QID = re.compile(r"Q\d+")
WIKIDATA = "https://www.wikidata.org/wiki/"
HTML_LANG = {"en-mt": "en", "und": "und"}


def wikidata_url(kb_id: str | None) -> str | None:
    """The Wikidata page of a real QID; None for local ids (`x:...`) and unlinked entities."""
    return WIKIDATA + kb_id if kb_id and QID.fullmatch(kb_id) else None


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _css_class(label: str) -> str:
    return "ent-" + re.sub(r"[^A-Za-z0-9_-]", "_", label or "ENT")


def mentions_by_field(record: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The article's mentions per field, each with its entity's label, name and kb_id and a page-unique id."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for k, entity in enumerate(record.get("entities") or []):
        for m in entity.get("mentions") or []:
            if m.get("end", 0) <= m.get("start", 0):
                continue  # an empty span has nothing to highlight
            out[m["field"]].append({
                "start": m["start"], "end": m["end"], "label": entity.get("label") or "ENT",
                "name": entity.get("name") or "", "kb_id": entity.get("kb_id"),
                "id": f"{m['field']}-{m['start']}-{m['end']}-{k}", "field": m["field"],
            })
    return out


def _open_mark(m: dict[str, Any]) -> str:
    tip = " · ".join(x for x in (m["label"], m["name"], m["kb_id"] or "") if x)
    return (f'<mark class="ent {_css_class(m["label"])}" data-m="{_attr(m["id"])}" data-field="{_attr(m["field"])}" '
            f'data-start="{m["start"]}" data-end="{m["end"]}" data-label="{_attr(m["label"])}" '
            f'data-kb="{_attr(m["kb_id"] or "")}" title="{_attr(tip)}">')


def _label(m: dict[str, Any]) -> str:
    url = wikidata_url(m["kb_id"])
    if url:
        return f'<a class="ent-label" href="{_attr(url)}" title="{_attr(m["kb_id"])}">{escape(m["label"])}</a>'
    return f'<span class="ent-label">{escape(m["label"])}</span>'


def highlight(text: str, mentions: Iterable[dict[str, Any]], start: int = 0, end: int | None = None) -> str:
    """Escaped HTML of text[start:end] with every overlapping mention as a <mark>, nested or split as needed."""
    end = len(text) if end is None else end
    ms = [m for m in mentions if m["start"] < end and m["end"] > start]
    # Outer spans first, so nested mentions open inside them.
    ms.sort(key=lambda m: (m["start"], -m["end"], m["id"]))
    points = sorted({start, end, *(max(m["start"], start) for m in ms), *(min(m["end"], end) for m in ms)})
    out: list[str] = []
    stack: list[dict[str, Any]] = []
    for a, b in zip(points, points[1:], strict=False):
        active = [m for m in ms if m["start"] <= a and m["end"] >= b]
        keep = 0
        while keep < min(len(stack), len(active)) and stack[keep] is active[keep]:
            keep += 1
        for m in reversed(stack[keep:]):
            out.append((_label(m) if m["end"] <= a else "") + "</mark>")
        out.extend(_open_mark(m) for m in active[keep:])
        stack = active
        out.append(escape(text[a:b]))
    for m in reversed(stack):
        out.append((_label(m) if m["end"] <= end else "") + "</mark>")
    return "".join(out)


def highlight_css() -> str:
    """The stylesheet for entity highlights, to inline where the report's page styles do not apply."""
    return (ASSETS / "entities.css").read_text(encoding="utf-8")


def _row_bounds(spans: list[dict[str, Any]], length: int) -> list[tuple[int, int]]:
    """Sentence rows that tile the whole text: each row runs to the next sentence's start."""
    starts = [0, *(s["start"] for s in spans[1:])]
    return list(zip(starts, [*starts[1:], length], strict=True))


def side_by_side(record: dict[str, Any]) -> str:
    """Source and English translation: sentence-aligned rows when the spans match, else two columns or one."""
    text = record.get("text") or ""
    lang = HTML_LANG.get(record.get("lang") or "und", record.get("lang") or "und")
    mentions = mentions_by_field(record)
    tr = record.get("translation") or None
    src_spans = record.get("sentences") or []
    if tr and tr.get("sentences") and len(tr["sentences"]) == len(src_spans) and src_spans:
        tr_text = tr.get("text") or ""
        rows = []
        src_rows = _row_bounds(src_spans, len(text))
        tr_rows = _row_bounds(tr["sentences"], len(tr_text))
        for i, ((a, b), (c, d)) in enumerate(zip(src_rows, tr_rows, strict=True)):
            rows.append(f'<tr id="s{i}"><td class="idx">{i}</td>'
                        f'<td class="src" lang="{_attr(lang)}">{highlight(text, mentions["text"], a, b)}</td>'
                        f'<td class="tr" lang="en">{highlight(tr_text, mentions["translation"], c, d)}</td></tr>')
        return ('<table class="aligned"><thead><tr><th>#</th><th>Source '
                f'(<span class="lang">{escape(record.get("lang") or "und")}</span>)</th>'
                '<th>English translation</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>")
    source = f'<div class="text src" lang="{_attr(lang)}">{highlight(text, mentions["text"])}</div>'
    if tr:
        translated = f'<div class="text tr" lang="en">{highlight(tr.get("text") or "", mentions["translation"])}</div>'
        return f'<div class="columns">{source}{translated}</div>'
    status = record.get("translation_status") or "none"
    return f'<p class="note">No translation ({escape(status)}).</p>{source}'


def _page(title: str, body: str, depth: int) -> str:
    up = "../" * depth
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title><link rel=\"stylesheet\" href=\"{up}style.css\">"
            f"<link rel=\"stylesheet\" href=\"{up}entities.css\"></head>\n"
            f"<body>\n{body}\n</body></html>\n")


def _flags_html(flags: list[str], pages: dict[str, str], prefix: str) -> str:
    parts = []
    for flag in flags:
        target = flag.removeprefix(FLAG_PREFIX) if flag.startswith(FLAG_PREFIX) else None
        if target and target in pages:
            parts.append(f'<a class="flag" href="{_attr(prefix + pages[target])}">{escape(flag)}</a>')
        else:
            parts.append(f'<span class="flag">{escape(flag)}</span>')
    return "".join(parts)


def _kb_cell(kb_id: str | None) -> str:
    url = wikidata_url(kb_id)
    if url:
        return f'<a class="kb" href="{_attr(url)}">{escape(kb_id or "")}</a>'
    return f'<span class="muted">{escape(kb_id or "—")}</span>'


def article_page(record: dict[str, Any], pages: dict[str, str]) -> str:
    """One article's page: metadata, flags, source beside translation, and its entities."""
    title = record.get("title") or record.get("source") or record.get("doc_id") or "article"
    tr = record.get("translation") or {}
    meta = [("source", escape(record.get("source") or "")), ("doc_id", escape(record.get("doc_id") or "")),
            ("language", f'<span class="lang">{escape(record.get("lang") or "und")}</span> '
                         f'({float(record.get("lang_confidence") or 0):.2f})'),
            ("published", escape(record.get("published") or "—")),
            ("publisher", escape(record.get("publisher") or "—")),
            ("translation", escape(record.get("translation_status") or "—")
             + (f' <span class="muted">({escape(tr.get("backend") or "")} {escape(tr.get("model") or "")})</span>'
                if tr else "")),
            ("flags", _flags_html(record.get("flags") or [], pages, "") or "—")]
    rows = []
    for e in sorted(record.get("entities") or [], key=lambda e: (-len(e.get("mentions") or []), e.get("name") or "")):
        ms = e.get("mentions") or []
        forms = sorted(Counter(m["text"] for m in ms).items(), key=lambda kv: (-kv[1], kv[0]))
        rows.append(f'<tr><td><mark class="ent {_css_class(e.get("label") or "")}">{escape(e.get("name") or "")}'
                    f'</mark></td><td>{escape(e.get("label") or "")}</td><td>{_kb_cell(e.get("kb_id"))}</td>'
                    f'<td class="num">{len(ms)}</td>'
                    f'<td>{escape(", ".join(f"{t} ×{n}" for t, n in forms))}</td></tr>')
    entities = ('<table class="entities"><thead><tr><th>entity</th><th>label</th><th>Wikidata</th>'
                '<th class="num">mentions</th><th>surface forms</th></tr></thead><tbody>'
                + "".join(rows) + "</tbody></table>") if rows else '<p class="note">No entities found.</p>'
    body = ('<nav><a href="../index.html">← all articles</a> · <a href="../entities.html">entities</a></nav>'
            f'<h1>{escape(title)}</h1><dl class="meta">'
            + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in meta) + "</dl>"
            + "<h2>Text</h2>" + side_by_side(record) + "<h2>Entities</h2>" + entities)
    return _page(title, body, depth=1)


def _card(big: object, small: str) -> str:
    return (f'<div class="card"><span class="big">{escape(str(big))}</span>'
            f'<span class="small">{escape(small)}</span></div>')


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{escape(k)} {n}" for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def index_page(records: list[dict[str, Any]], rejects: list[dict[str, Any]], manifest: dict[str, Any],
               pages: dict[str, str], files: list[str], notebooks: Iterable[str] = ()) -> str:
    """The corpus summary and a table of every article; the nav links the exported notebooks (file names)."""
    n_mentions = sum(len(e.get("mentions") or []) for r in records for e in r.get("entities") or [])
    langs = Counter(r.get("lang") or "und" for r in records)
    status = Counter((r.get("translation_status") or "none").split(":")[0] for r in records)
    flags = Counter(f.split(":")[0] for r in records for f in r.get("flags") or [])
    cards = [_card(len(records), "articles"), _card(len(langs), "languages"),
             _card(sum(len(r.get("entities") or []) for r in records), "entities (per article)"),
             _card(n_mentions, "mentions"), _card(len(rejects), "rejected inputs")]
    summary = (f'<div class="summary">{"".join(cards)}</div><dl class="meta">'
               f"<dt>languages</dt><dd>{_counts(langs) or '—'}</dd>"
               f"<dt>translation</dt><dd>{_counts(status) or '—'}</dd>"
               f"<dt>flags</dt><dd>{_counts(flags) or '—'}</dd>"
               f"<dt>pipeline</dt><dd>{escape(str(manifest.get('pipeline_version', '—')))} "
               f"(config {escape(str(manifest.get('config_hash', '—')))})</dd></dl>")
    rows = []
    for record, file in zip(records, files, strict=True):
        title = record.get("title") or (record.get("text") or "").strip().split("\n", 1)[0][:90] or "(empty)"
        ents = record.get("entities") or []
        rows.append(
            f'<tr><td><a href="{_attr(file)}">{escape(record.get("source") or "")}</a></td>'
            f'<td class="lang">{escape(record.get("lang") or "und")}</td><td>{escape(title)}</td>'
            f'<td>{escape(record.get("published") or "")}</td>'
            f'<td class="num">{len(ents)}</td><td class="num">{sum(len(e.get("mentions") or []) for e in ents)}</td>'
            f'<td>{escape(record.get("translation_status") or "")}</td>'
            f'<td>{_flags_html(record.get("flags") or [], pages, "")}</td></tr>')
    table = ('<table class="articles"><thead><tr><th>source</th><th>lang</th><th>title</th><th>published</th>'
             '<th class="num">entities</th><th class="num">mentions</th><th>translation</th><th>flags</th></tr>'
             '</thead><tbody>' + "".join(rows) + "</tbody></table>") if rows else '<p class="note">No articles.</p>'
    reject_rows = "".join(f"<tr><td>{escape(str(r.get('source')))}</td><td>{escape(str(r.get('stage')))}</td>"
                          f"<td>{escape(str(r.get('error')))}</td><td>{escape(str(r.get('message')))}</td></tr>"
                          for r in rejects)
    rejected = ('<h2>Rejected inputs</h2><table><thead><tr><th>source</th><th>stage</th><th>error</th>'
                f"<th>message</th></tr></thead><tbody>{reject_rows}</tbody></table>") if rejects else ""
    nav = "".join(f' · <a href="{_attr(name)}">notebook: {escape(Path(name).stem)}</a>' for name in notebooks)
    body = (f'<nav><a href="entities.html">entities</a>{nav}</nav><h1>News corpus report</h1>'
            + summary + "<h2>Articles</h2>" + table + rejected)
    return _page("News corpus report", body, depth=0)


def entities_page(records: list[dict[str, Any]], files: list[str]) -> str:
    """Every entity across the corpus: languages, articles and mention counts."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for record, file in zip(records, files, strict=True):
        for e in record.get("entities") or []:
            key = (e.get("kb_id") or f"name:{e.get('name')}", e.get("label") or "")
            g = groups.setdefault(key, {"entity": e, "langs": Counter(), "articles": {}, "mentions": 0})
            g["langs"][record.get("lang") or "und"] += 1
            g["articles"][file] = record.get("source") or file
            g["mentions"] += len(e.get("mentions") or [])
    rows = []
    for g in sorted(groups.values(), key=lambda g: (-g["mentions"], g["entity"].get("name") or "")):
        e = g["entity"]
        links = " ".join(f'<a href="{_attr(f)}">{escape(s)}</a>' for f, s in sorted(g["articles"].items()))
        rows.append(f'<tr><td><mark class="ent {_css_class(e.get("label") or "")}">{escape(e.get("name") or "")}'
                    f'</mark></td><td>{escape(e.get("label") or "")}</td><td>{_kb_cell(e.get("kb_id"))}</td>'
                    f'<td>{_counts(g["langs"])}</td><td class="num">{g["mentions"]}</td><td>{links}</td></tr>')
    table = ('<table class="entities"><thead><tr><th>entity</th><th>label</th><th>Wikidata</th><th>languages</th>'
             '<th class="num">mentions</th><th>articles</th></tr></thead><tbody>' + "".join(rows)
             + "</tbody></table>") if rows else '<p class="note">No entities in this corpus yet.</p>'
    body = '<nav><a href="index.html">← all articles</a></nav><h1>Entities</h1>' + table
    return _page("Entities", body, depth=0)


def _file_names(records: list[dict[str, Any]]) -> list[str]:
    """articles/<doc_id>.html, with a suffix when two inputs share a doc_id (identical bytes)."""
    seen: Counter[str] = Counter()
    names = []
    for record in records:
        stem = re.sub(r"[^A-Za-z0-9_-]", "_", record.get("doc_id") or "article")
        seen[stem] += 1
        names.append(f"articles/{stem}{'' if seen[stem] == 1 else '-' + str(seen[stem])}.html")
    return names


def build_report(out_dir: str | Path = "data/processed", dest: str | Path | None = None,
                 notebooks: Iterable[str | Path] = ()) -> Path:
    """Write the report (index.html, entities.html, articles/*.html, style.css); returns its folder.

    Each of `notebooks` is executed on the output with the project's kernel and exported beside the pages as
    <stem>.html (pipeline.notebook), linked from the index.
    """
    out = Path(out_dir)
    if not (out / "articles.jsonl").is_file():
        raise FileNotFoundError(f"{out / 'articles.jsonl'} not found: run `python -m pipeline run --out {out}` first")
    target = Path(dest) if dest is not None else out / "report"
    records = read_jsonl(out / "articles.jsonl")
    rejects = read_jsonl(out / "rejects.jsonl")
    files = _file_names(records)
    pages: dict[str, str] = {}
    for record, file in zip(records, files, strict=True):
        pages.setdefault(record.get("doc_id") or "", file)
    # Article pages link to siblings, so their near-duplicate links drop the folder prefix.
    siblings = {k: Path(v).name for k, v in pages.items()}
    # Build beside the target and swap it in, so a reader never sees half a report or stale pages.
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        (tmp / "articles").mkdir()
        for css in ("style.css", "entities.css"):
            shutil.copyfile(ASSETS / css, tmp / css)
        exported: list[str] = []
        if notebooks:
            from pipeline.notebook import export_notebooks

            exported = [p.name for p in export_notebooks(out, tmp, [Path(n) for n in notebooks])]
        (tmp / "index.html").write_text(index_page(records, rejects, read_manifest(out), pages, files, exported),
                                        "utf-8")
        (tmp / "entities.html").write_text(entities_page(records, files), "utf-8")
        for record, file in zip(records, files, strict=True):
            (tmp / file).write_text(article_page(record, siblings), "utf-8")
        os.chmod(tmp, 0o755)
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def main(argv: list[str] | None = None) -> int:
    """`python -m pipeline.report --out DIR [--dest DIR]`."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.report", description=__doc__)
    parser.add_argument("--out", default="data/processed", help="pipeline output folder (default: %(default)s)")
    parser.add_argument("--dest", default=None, help="report folder (default: OUT/report)")
    parser.add_argument("--notebook", action="append", default=[], metavar="IPYNB",
                        help="also execute this notebook on OUT and export it as DEST/<name>.html (repeatable)")
    args = parser.parse_args(argv)
    missing = [n for n in args.notebook if not Path(n).is_file()]
    if missing:
        print(f"error: notebook not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        target = build_report(args.out, args.dest, args.notebook)
    except (FileNotFoundError, KernelMissingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except NotebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"report: {target / 'index.html'}")
    for notebook in args.notebook:
        print(f"notebook: {target / (Path(notebook).stem + '.html')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
