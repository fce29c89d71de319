"""Hostile pages: time and peak memory of each, alone and inside a batch of good pages.

Run by ``make bench`` (never by ``make test``). Each page is written to a temporary
directory and run through ``python -m pipeline extract`` in a fresh subprocess with the
default budgets; the process tree is sampled every RSS_SAMPLE_SECONDS for each process's
peak resident memory (VmHWM), so the figures are the main process's and the largest
worker's, not a sum. Then a ``--jobs 2`` batch of GOOD_PAGES fixture copies with every
hostile page among them is compared with the same good pages alone: every good page's
records must come out byte-identical.

Prints a table and then one JSON object; writes nothing outside a temporary directory.

Usage: python scripts/hostile.py [--good 500] [--skip-slow]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
GOOD_PAGES = 500  # the batch: one hostile page among 500 good ones
RSS_SAMPLE_SECONDS = 0.05

HOSTILE: dict[str, tuple[str, str]] = {
    # name: (what it is, the outcome expected); build() makes each
    "baseline": ("one fixture page (start-up cost of a run)", "3 records"),
    "million-paragraphs": ("1,000,000 <p>x</p> (8 MB)", "clean.too_complex"),
    "ten-thousand-numbers": (
        "a takedown sentence then 10,000 bare numbers",
        "extract.too_many_claims",
    ),
    "four-thousand-takedowns": (
        "4,000 takedown sentences, 50 distinct figures (the rest restate them)",
        "50 records",
    ),
    "four-thousand-distinct-takedowns": (
        "4,000 takedown sentences with distinct figures",
        "extract.too_many_records",
    ),
    "huge-paragraphs": ("22,000 paragraphs of 2 KB (45 MB)", "records or no_takedown"),
    "deep-nesting": ("10,000 nested <div> (libxml2 keeps 256)", "clean.too_deep"),
    "inline-spans": ("49,000 <span> in one paragraph", "clean.timeout"),
}


def build(name: str) -> str:
    """hostile page name -> its HTML."""
    if name == "baseline":
        return (FIXTURES / "haqooq-facebook-cib-pakistan-august-2020.html").read_text()
    if name == "million-paragraphs":
        return "<html><body><article>" + "<p>x</p>" * 1_000_000 + "</article></body></html>"
    if name == "ten-thousand-numbers":
        figures = ", ".join(str(3 + 7 * i) for i in range(10_000))
        return (
            "<html><body><article><h1>Figures</h1><p>Facebook removed 120 accounts and the "
            f"figures were {figures}.</p></article></body></html>"
        )
    if name == "four-thousand-takedowns":
        body = "".join(
            f"<p>Facebook removed {100 + i % 50} accounts linked to Peru.</p>" for i in range(4_000)
        )
        return f"<html><body><article><h1>Takedowns</h1>{body}</article></body></html>"
    if name == "four-thousand-distinct-takedowns":
        body = "".join(
            f"<p>Facebook removed {100 + i} accounts linked to Peru.</p>" for i in range(4_000)
        )
        return f"<html><body><article><h1>Takedowns</h1>{body}</article></body></html>"
    if name == "huge-paragraphs":
        paragraph = "<p>" + "Some words of a long paragraph here. " * 55 + "</p>"
        return "<html><body><article>" + paragraph * 22_000 + "</article></body></html>"
    if name == "deep-nesting":
        return (
            "<html><body>" + "<div>" * 10_000 + "<p>deep</p>" + "</div>" * 10_000 + "</body></html>"
        )
    if name == "inline-spans":
        return (
            "<html><body><article><p>" + "<span>w</span> " * 49_000 + "</p></article></body></html>"
        )
    raise KeyError(name)


def _hwm_kib(proc: psutil.Process) -> int:
    """process -> its peak resident memory so far (VmHWM, KiB), 0 when it is gone."""
    with (
        contextlib.suppress(psutil.Error, OSError, ValueError),
        open(f"/proc/{proc.pid}/status", encoding="ascii") as fh,
    ):
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def run(inputs: list[str], out: Path, *, jobs: int) -> dict[str, Any]:
    """inputs -> one CLI run: wall time, exit code, peak RSS of main and of each worker."""
    cmd = [sys.executable, "-m", "pipeline", "extract", *inputs, "-o", str(out / "records.jsonl"),
           "--jobs", str(jobs), "--quiet", "--timings", str(out / "timings.json")]  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stderr=subprocess.PIPE)
    main = psutil.Process(proc.pid)
    peaks: dict[int, tuple[str, int]] = {}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            try:
                tree = [main, *main.children(recursive=True)]
            except psutil.Error:
                tree = []
            for child in tree:
                role = "main" if child.pid == proc.pid else _role(child, main)
                peak = max(peaks.get(child.pid, ("", 0))[1], _hwm_kib(child))
                peaks[child.pid] = (role, peak)
            stop.wait(RSS_SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    proc.wait()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    workers = [kib for role, kib in peaks.values() if role == "worker"]
    summary = (
        json.loads((out / "timings.json").read_text()) if (out / "timings.json").exists() else {}
    )
    errors = [json.loads(x) for x in (out / "errors.jsonl").read_text().splitlines()] if (
        out / "errors.jsonl"
    ).exists() else []  # fmt: skip
    return {
        "returncode": proc.returncode,
        "wall_s": round(wall, 2),
        "elapsed_s": summary.get("elapsed_s"),
        "records": summary.get("records"),
        "errors": [e["code"] for e in errors],
        "main_peak_mib": round(
            max((k for r, k in peaks.values() if r == "main"), default=0) / 1024, 1
        ),
        "worker_peak_mib": round(max(workers, default=0) / 1024, 1),
        "workers_seen": len(workers),
        "stderr_tail": stderr.decode("utf-8", "replace")[-400:] if proc.returncode > 1 else "",
    }


def _role(child: psutil.Process, main: psutil.Process) -> str:
    """process of the run -> "worker" (a child of the fork server) or "helper"."""
    with contextlib.suppress(psutil.Error):
        parent = child.parent()
        if parent is not None and parent.pid != main.pid:
            return "worker"
    return "helper"


def hostile_alone(tmp: Path, names: list[str]) -> dict[str, Any]:
    results = {}
    for name in names:
        page = tmp / "alone" / name / f"{name}.html"
        page.parent.mkdir(parents=True)
        page.write_text(build(name))
        results[name] = run([str(page)], tmp / "alone" / name / "out", jobs=1)
        results[name]["page_mib"] = round(page.stat().st_size / 2**20, 1)
    return results


def batch(tmp: Path, names: list[str], good: int) -> dict[str, Any]:
    """good fixture copies with every hostile page among them, --jobs 2, vs the good alone."""
    fixtures = sorted(FIXTURES.glob("*.html"))
    good_dir, bad_dir = tmp / "batch" / "good", tmp / "batch" / "hostile"
    good_dir.mkdir(parents=True)
    bad_dir.mkdir(parents=True)
    goods = []
    for i in range(good):
        src = fixtures[i % len(fixtures)]
        shutil.copy(src, good_dir / f"{i:04d}-{src.name}")
        goods.append(str(good_dir / f"{i:04d}-{src.name}"))
    mixed = list(goods)
    names = [n for n in names if n != "baseline"]
    for n, name in enumerate(names):
        (bad_dir / f"{name}.html").write_text(build(name))
        mixed.insert((n + 1) * len(goods) // (len(names) + 1) + n, str(bad_dir / f"{name}.html"))
    with_hostile = run(mixed, tmp / "batch" / "mixed", jobs=2)
    alone = run(goods, tmp / "batch" / "alone", jobs=2)
    mixed_dir, alone_dir = tmp / "batch" / "mixed", tmp / "batch" / "alone"
    good_inputs = set(goods)
    good_articles = [
        line
        for line in (mixed_dir / "articles.jsonl").read_text().splitlines(keepends=True)
        if json.loads(line)["input"] in good_inputs
    ]
    # hostile pages may give records of their own (the restated figures): leave them out
    good_ids = {rid for line in good_articles for rid in json.loads(line)["record_ids"]}
    good_records = [
        line
        for line in (mixed_dir / "records.jsonl").read_text().splitlines(keepends=True)
        if json.loads(line)["record_id"] in good_ids
    ]
    same = (
        "".join(good_records) == (alone_dir / "records.jsonl").read_text()
        and "".join(good_articles) == (alone_dir / "articles.jsonl").read_text()
    )
    return {"good_pages": good, "with_hostile": with_hostile, "good_alone": alone,
            "good_records_identical": same}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--good", type=int, default=GOOD_PAGES)
    parser.add_argument("--skip-slow", action="store_true", help="leave out the 60 s timeout page")
    args = parser.parse_args(argv)
    names = [n for n in HOSTILE if not (args.skip_slow and n == "inline-spans")]
    with tempfile.TemporaryDirectory(prefix="takedowns-hostile-") as tmp:
        alone = hostile_alone(Path(tmp), names)
        mixed = batch(Path(tmp), names, args.good)
    print(f"{'page':<32} {'size MiB':>8} {'wall s':>7} {'main MiB':>9} {'worker MiB':>11}  outcome")
    for name, r in alone.items():
        outcome = ",".join(r["errors"]) or f"{r['records']} records"
        print(f"{name:<32} {r['page_mib']:>8} {r['wall_s']:>7} {r['main_peak_mib']:>9} "
              f"{r['worker_peak_mib']:>11}  {outcome}")  # fmt: skip
    m = mixed["with_hostile"]
    print(f"\n--jobs 2, {args.good} good pages + {len(names) - 1} hostile: {m['wall_s']} s, "
          f"errors {m['errors']}, worker peak {m['worker_peak_mib']} MiB, main peak "
          f"{m['main_peak_mib']} MiB; good pages alone {mixed['good_alone']['wall_s']} s; "
          f"good records identical: {mixed['good_records_identical']}")  # fmt: skip
    print(json.dumps({"alone": alone, "batch": mixed}, indent=2))
    return 0 if mixed["good_records_identical"] else 1


if __name__ == "__main__":
    sys.exit(main())
