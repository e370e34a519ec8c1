"""Local engine vs Ray engine on the same generated corpus: throughput, and Ray's start-up overhead.

Also home of `write_corpus`, the small synthetic multilingual corpus the Ray tests use.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.chain import BatchResult
from pipeline.config import Config, load_config
from pipeline.ingest import Unit

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "data" / "raw").glob("[0-9][0-9][0-9]_*.txt"))

# Sentence templates per language: {org}, {person}, {city}, {n}, {pct}, {day}, {month}, {year} are filled in.
TEMPLATES: dict[str, list[str]] = {
    "id": [
        "{org} melaporkan pendapatan sebesar Rp {n} triliun pada kuartal ketiga {year}.",
        "Direktur utama {person} mengatakan di {city} bahwa perusahaan akan membuka {n} gerai baru.",
        "Harga saham {org} naik {pct} persen pada perdagangan hari Senin, {day}/{month}/{year}.",
        "Pemerintah daerah {city} menyambut baik rencana investasi tersebut.",
        "Menurut analis, pertumbuhan ekonomi digital di Indonesia masih akan berlanjut tahun depan.",
    ],
    "vi": [
        "{org} công bố doanh thu đạt {n} nghìn tỷ đồng trong quý ba năm {year}.",
        "Ông {person}, tổng giám đốc, cho biết tại {city} rằng công ty sẽ mở thêm {n} cửa hàng.",
        "Cổ phiếu của {org} tăng {pct}% trong phiên giao dịch ngày {day} tháng {month} năm {year}.",
        "Chính quyền thành phố {city} hoan nghênh kế hoạch đầu tư này.",
        "Theo các nhà phân tích, kinh tế số tại Việt Nam sẽ tiếp tục tăng trưởng mạnh.",
    ],
    "zh-Hans": [
        "{org}公布第三季度营收达到{n}亿元，同比增长{pct}%。",
        "首席执行官{person}在{city}表示，公司将在{year}年新开{n}家门店。",
        "{year}年{month}月{day}日，{org}股价上涨{pct}%。",
        "{city}市政府对这项投资计划表示欢迎。",
        "分析人士认为，数字经济明年仍将保持较快增长。",
    ],
    "zh-Hant": [
        "{org}公佈第三季度營收達到{n}億元，同比增長{pct}%。",
        "首席執行官{person}在{city}表示，公司將在{year}年新開{n}家門店。",
        "{year}年{month}月{day}日，{org}股價上漲{pct}%。",
        "{city}市政府對這項投資計劃表示歡迎。",
        "分析人士認為，數字經濟明年仍將保持較快增長。",
    ],
    "en": [
        "{org} reported revenue of {n} billion dollars in the third quarter of {year}.",
        "Chief executive {person} said in {city} that the company would open {n} new stores.",
        "Shares of {org} rose {pct} percent on {month}/{day}/{year}.",
        "The city government of {city} welcomed the investment plan.",
        "Analysts expect the digital economy to keep growing quickly next year.",
    ],
}
FILL = {
    "org": ["Alibaba", "Tencent", "Tokopedia", "Shopee", "Grab", "Vingroup", "Gojek", "Lazada", "ByteDance", "Amazon"],
    "person": ["Jack Ma", "Pony Ma", "Nadiem Makarim", "Phạm Nhật Vượng", "William Tanuwijaya", "张勇", "Anthony Tan"],
    "city": ["Jakarta", "Hà Nội", "Singapore", "Hangzhou", "Shenzhen", "Surabaya", "Đà Nẵng", "Beijing"],
}


def _sentence(rng: random.Random, lang: str) -> str:
    values = {k: rng.choice(v) for k, v in FILL.items()}
    values |= {"n": rng.randint(2, 950), "pct": rng.randint(1, 40), "day": rng.randint(1, 28),
               "month": rng.randint(1, 12), "year": rng.randint(2015, 2024)}
    return rng.choice(TEMPLATES[lang]).format(**values)


def _article(rng: random.Random, lang: str) -> tuple[str, str]:
    title = _sentence(rng, lang)
    sep = "" if lang.startswith("zh") else " "
    paragraphs = [sep.join(_sentence(rng, lang) for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(2, 6))]
    return title, "\n\n".join(paragraphs)


def write_corpus(folder: Path, n: int, seed: int = 0) -> int:
    """Seeds plus about n generated articles (txt, html, jsonl; id/vi/zh/en) and a few bad inputs; returns files."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for path in SEEDS:
        shutil.copy(path, folder / path.name)
    langs = list(TEMPLATES)
    lines: list[str] = []
    for i in range(n):
        lang = langs[i % len(langs)]
        title, body = _article(rng, lang)
        kind = rng.random()
        if kind < 0.15:
            lines.append(json.dumps({"title": title, "text": body, "published": f"2022-0{rng.randint(1, 9)}-1{i % 10}"},
                                    ensure_ascii=False))
            continue
        sub = folder / lang
        sub.mkdir(exist_ok=True)
        if kind < 0.3:
            paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
            html = (f"<html><head><title>{title}</title></head><body><nav>Home | News</nav>"
                    f"<h1>{title}</h1>{paras}</body></html>")
            (sub / f"{i:04d}.html").write_text(html, encoding="utf-8")
        else:
            (sub / f"{i:04d}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    lines.insert(len(lines) // 2, '{"title": "broken", "text": ')  # one bad line among good ones
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"  \n")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    return sum(1 for p in folder.rglob("*") if p.is_file())


def _config(workers: int) -> Config:
    return load_config(overrides=[f"run.workers={workers}"])


def run() -> dict:
    """Articles per second, local engine vs Ray engine (2 CPU actors), plus Ray's time to first result."""
    from pipeline.engines import ray_engine
    from pipeline.runner import run as run_local

    ray = ray_engine.import_ray()
    os.environ.setdefault("RAY_DISABLE_USAGE_STATS", "1")
    workers = os.cpu_count() or 1
    config = _config(workers)
    numbers: dict[str, object] = {"cpus": workers, "batch_size": config.run.batch_size}
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp:
        raw = Path(tmp) / "raw"
        numbers["files"] = write_corpus(raw, 400)

        # Warm-up so both engines start with the same page cache and imported modules.
        run_local(raw, Path(tmp) / "warm", config)
        t0 = time.perf_counter()
        report = run_local(raw, Path(tmp) / "local", config)
        local_s = time.perf_counter() - t0
        numbers["articles"] = report.processed
        numbers["local_seconds"] = round(local_s, 2)
        numbers["local_articles_per_s"] = round(report.processed / local_s, 1)

        arrivals: list[tuple[float, int]] = []  # (seconds since ray.init, articles) per finished batch
        driver = [0.0]  # seconds the driver spends in the runner's callback (cache writes), all batches
        started = time.perf_counter()
        ray.init(address="local", num_cpus=workers, object_store_memory=300_000_000, include_dashboard=False,
                 log_to_driver=False, _node_ip_address="127.0.0.1")
        try:
            init_s = time.perf_counter() - started

            def timed(pending: list[Unit], cfg: Config, on_result: Callable[[BatchResult], None]) -> None:
                def record(batch: BatchResult) -> None:
                    t0 = time.perf_counter()
                    arrivals.append((t0 - started, len(batch.done) + len(batch.rejects)))
                    on_result(batch)
                    driver[0] += time.perf_counter() - t0

                ray_engine.process_pending(pending, cfg, record)

            report = run_local(raw, Path(tmp) / "ray", config, process=timed)
            ray_total = time.perf_counter() - started
            # A second run on the running cluster: no ray.init, but a new actor pool (models load again).
            t0 = time.perf_counter()
            run_local(raw, Path(tmp) / "ray2", config, process=ray_engine.process_pending)
            ray_warm = time.perf_counter() - t0
        finally:
            ray.shutdown()
        same = all((Path(tmp) / "local" / f).read_bytes() == (Path(tmp) / "ray" / f).read_bytes()
                   for f in ("articles.jsonl", "mentions.jsonl", "rejects.jsonl"))
        first_s, last_s = arrivals[0][0], arrivals[-1][0]
        after_first = sum(n for _, n in arrivals[1:])
        numbers |= {
            "ray_init_seconds": round(init_s, 2),
            "ray_init_to_first_result_seconds": round(first_s, 2),
            "ray_cold_seconds": round(ray_total, 2),
            "ray_cold_articles_per_s": round(report.processed / ray_total, 1),
            # From the first finished batch to the last: the throughput once actors are up and models loaded.
            "ray_steady_articles_per_s": round(after_first / (last_s - first_s), 1) if last_s > first_s else None,
            "ray_warm_seconds": round(ray_warm, 2),
            "ray_warm_articles_per_s": round(report.processed / ray_warm, 1),
            # The driver's own cost per article (cache write with fsync): the ceiling of any cluster size.
            "driver_ms_per_article": round(1000 * driver[0] / max(1, report.processed), 2),
            "outputs_identical": same,
        }
    return numbers
