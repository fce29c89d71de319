"""Speed, memory and cleaning quality of the pipeline against trafilatura alone.

Run by ``make bench`` (never by ``make test``). On the 88 aeb-dev pages repeated to at
least ``--pages`` pages it measures, in one run on this machine:

- pages/s of trafilatura alone (``bare_extraction(html, with_metadata=True)`` on the same
  decoded pages), in this process and with 2 worker processes (Pool.imap with a chunksize);
- pages/s of the full pipeline (``python -m pipeline extract`` as a subprocess) with
  ``--jobs 1`` and ``--jobs 2``, and the ratios full/trafilatura (time) and 2/1 (throughput);
- peak RSS of a 200-page and a full-size run, each in a fresh subprocess;
- each stage's share of the pipeline time (from ``--timings``);
- the cleaning quality (P/R/F1) of ours and of trafilatura's default from aeb_score;
- the realdev pages (``../shared/realdev``, real reporting where most sentences are
  candidates for the parser) repeated to at least ``--realdev-pages``: pages/s of the full
  pipeline with ``--jobs 1`` against trafilatura alone, and the share of sentences parsed;
- the same pages written into a few WARC files: pages/s of ``takedowns spark --master
  local[2]`` against ``takedowns extract --jobs 2`` on them (fastest of two alternated
  runs each), the Spark session's start-up and the whole cost of a one-page Spark job
  (``--spark-only`` runs just this part).

Prints a table and then one JSON object; writes nothing outside a temporary directory.

The pipeline's time is the ``elapsed_s`` of its ``--timings`` summary (reading, decoding,
loading spaCy, workers, writing; not the interpreter's start-up); its wall time is shown too.

Usage: python scripts/bench.py [--pages 2000] [--small 200] [--chunksize 4] [--no-quality]
       [--no-full] [--realdev-pages 490 | --no-realdev] [--no-spark | --spark-only]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import math
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: the repo's packages come first
    sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import aeb_score  # noqa: E402  (needs the path set above)

BENCH_PAGES = 2000  # the brief's floor: the 88 pages are repeated until at least this many
SMALL_PAGES = 200  # the small run whose peak RSS is compared with the full-size one
BENCH_WORKERS = 2  # this machine (and CI) has 2 cores
# Pages per task sent to a worker by Pool.imap: big enough that pipe round-trips are a small
# share of a ~25 ms page, small enough that both workers stay busy to the end of the run.
CHUNKSIZE = 4
RSS_SAMPLE_SECONDS = 0.1  # how often the process tree's summed RSS is sampled
STAGES = ("decode", "clean", "nlp", "parse", "records", "write")
# WARC files the bench pages are written into for the Spark row: 4 tasks per core, so both
# cores stay busy to the end while each task still reads ~250 pages (a real WARC holds more).
SPARK_WARCS = 8
SPARK_MASTER = f"local[{BENCH_WORKERS}]"
# Runs of each command on the WARC files; the fastest counts (timeit's rule: slower runs
# measure the other work on a shared machine, not the command).
SPARK_REPEATS = 2
REALDEV_PAGES = 490  # the 49 realdev pages ten times over


def repeat_pages(keys: list[str], at_least: int) -> list[tuple[str, str]]:
    """page ids -> (unique file name, page id), the ids repeated to at least ``at_least``."""
    copies = math.ceil(at_least / len(keys))
    return [(f"{n:03d}-{key[:16]}", key) for n in range(copies) for key in sorted(keys)]


def _trafilatura_one(html: str) -> int:
    """decoded page -> length of trafilatura's text (a worker task; returns little to pickle)."""
    import trafilatura

    document = trafilatura.bare_extraction(html, with_metadata=True)
    return len(document.text or "") if isinstance(document, trafilatura.settings.Document) else 0


def time_clean(pages: list[tuple[str, str, bytes]]) -> float:
    """(decoded html, encoding, raw bytes) pages -> seconds our clean_html takes on all of them."""
    from models.page import Page
    from pipeline.clean import clean_html
    from pipeline.errors import CleanError

    start = time.perf_counter()
    for n, (html, encoding, body) in enumerate(pages):
        with contextlib.suppress(CleanError):
            clean_html(html, page=Page(input=str(n), body=body), encoding=encoding)
    return time.perf_counter() - start


def time_trafilatura(htmls: list[str], *, workers: int, chunksize: int) -> float:
    """decoded pages -> seconds trafilatura alone takes on all of them with ``workers``."""
    import trafilatura  # noqa: F401  (imported before the clock starts, as the pipeline's is)

    start = time.perf_counter()
    if workers <= 1:
        for html in htmls:
            _trafilatura_one(html)
    else:
        # fork: the pool's start-up is not what is compared (the clock runs on pages)
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for _ in pool.imap(_trafilatura_one, htmls, chunksize=chunksize):
                pass
    return time.perf_counter() - start


def write_pages(directory: Path, pages: list[tuple[str, str]], raw: dict[str, bytes]) -> None:
    """(file name, page id) pairs + page bytes -> one NAME.html.gz file each in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, key in pages:
        (directory / f"{name}.html.gz").write_bytes(gzip.compress(raw[key], compresslevel=1))


def cli_command(input_dir: Path, out_dir: Path, *, jobs: int) -> list[str]:
    """input and output directories -> the ``takedowns extract`` command line."""
    return [
        sys.executable,
        "-m",
        "pipeline",
        "extract",
        str(input_dir),
        "-o",
        str(out_dir / "records.jsonl"),
        "--articles",
        str(out_dir / "articles.jsonl"),
        "--errors",
        str(out_dir / "errors.jsonl"),
        "--jobs",
        str(jobs),
        "--quiet",
        "--timings",
        str(out_dir / "timings.json"),
    ]


def write_warcs(
    directory: Path, pages: list[tuple[str, str]], raw: dict[str, bytes], *, files: int
) -> None:
    """(file name, page id) pairs + page bytes -> ``files`` gzipped WARC files holding the
    pages in order as HTML 200 responses, as a crawler writes them."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    directory.mkdir(parents=True, exist_ok=True)
    per_file = math.ceil(len(pages) / files)
    for n in range(files):
        with (directory / f"bench-{n:02d}.warc.gz").open("wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            for name, key in pages[n * per_file : (n + 1) * per_file]:
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1")
                record = writer.create_warc_record(
                    f"https://bench.example.org/{name}",
                    "response",
                    payload=io.BytesIO(raw[key]),
                    http_headers=http,
                )
                writer.write_record(record)


def spark_command(input_dir: Path, out_dir: Path) -> list[str]:
    """input and output directories -> the ``takedowns spark`` command line."""
    return [
        sys.executable,
        "-m",
        "pipeline",
        "spark",
        str(input_dir),
        "--out",
        str(out_dir / "datasets"),
        "--master",
        SPARK_MASTER,
        "--conf",
        "spark.ui.enabled=false",
        "--quiet",
        "--timings",
        str(out_dir / "timings.json"),
    ]


def cli_available() -> bool:
    """-> whether ``python -m pipeline extract --help`` runs in this checkout."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pipeline", "extract", "--help"],
            cwd=REPO,
            capture_output=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and b"--timings" in done.stdout


def _tree_rss(pid: int) -> tuple[int, int]:
    """process id -> (summed RSS, largest single RSS) in bytes of it and its live
    descendants (0 once it is gone). Workers are grandchildren (a fork server starts
    them), so wait4's ru_maxrss of the main process does not see them."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    total = largest = 0
    for proc in procs:
        with contextlib.suppress(psutil.Error):  # a worker that just exited
            rss = proc.memory_info().rss
            total += rss
            largest = max(largest, rss)
    return total, largest


def run_cli(
    input_dir: Path, out_dir: Path, *, jobs: int, command: list[str] | None = None
) -> dict[str, Any]:
    """pages directory -> the pipeline run on it in a fresh subprocess (``extract``, or the
    given command): time, RSS, timings."""
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    proc = subprocess.Popen(
        command or cli_command(input_dir, out_dir, jobs=jobs),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak_tree = peak_single = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_tree, peak_single
        while not stop.is_set():
            total, largest = _tree_rss(proc.pid)
            peak_tree, peak_single = max(peak_tree, total), max(peak_single, largest)
            stop.wait(RSS_SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stderr is not None
    stderr = proc.stderr.read()  # drained while it runs, so a chatty run cannot block on a pipe
    # wait4's ru_maxrss (KiB) covers the main process and the children it waited for; the
    # sampled largest single RSS covers the workers
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    timings_path, errors_path = out_dir / "timings.json", out_dir / "errors.jsonl"
    summary = json.loads(timings_path.read_text()) if timings_path.exists() else {}
    first_error = ""
    if errors_path.exists():
        with errors_path.open(encoding="utf-8") as fp:
            first_error = fp.readline().strip()[:300]
    return {
        "jobs": jobs,
        "returncode": proc.returncode,
        "wall_s": round(wall, 2),
        "elapsed_s": summary.get("elapsed_s"),
        "inputs": summary.get("inputs"),
        "errors": summary.get("errors"),
        "records": summary.get("records"),
        "timings_s": summary.get("timings_s", {}),
        "startup_s": summary.get("startup_s"),
        "max_rss_mib": round(max(usage.ru_maxrss * 1024, peak_single) / 2**20, 1),
        "tree_rss_peak_mib": round(peak_tree / 2**20, 1),
        "stderr_tail": stderr.decode("utf-8", "replace")[-500:] if proc.returncode else "",
        "first_error": first_error,
    }


def stage_shares(timings: dict[str, float]) -> dict[str, float]:
    """seconds per stage -> each stage's share of their sum."""
    total = sum(timings.get(stage, 0.0) for stage in STAGES)
    if total <= 0:
        return {}
    return {stage: round(timings.get(stage, 0.0) / total, 4) for stage in STAGES}


def _rate(pages: int, seconds: float | None) -> float | None:
    return round(pages / seconds, 2) if seconds else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def _fmt(value: object, spec: str = "") -> str:
    return "-" if value is None else format(value, spec)


def bench(pages: int, small: int, chunksize: int, *, quality: bool, full: bool) -> dict[str, Any]:
    """sizes -> every figure of the benchmark as one dict (also printed as a table)."""
    import trafilatura

    raw = aeb_score.load_raw()
    decode = aeb_score.decoder()
    decoded = {key: decode(body, key) for key, body in raw.items()}
    repeated = repeat_pages(list(raw), pages)
    htmls = [decoded[key][0] for _, key in repeated]
    n = len(htmls)
    result: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "trafilatura": trafilatura.__version__,
            "pages": n,
            "distinct_pages": len(raw),
            "chunksize": chunksize,
            # other work on the machine skews every figure: shown so a noisy run is visible
            "load_average_start": round(os.getloadavg()[0], 2),
        }
    }
    print(f"bench: {n} pages ({len(raw)} aeb-dev pages x {n // len(raw)}), ", end="")
    print(f"{os.cpu_count()} cores, Python {platform.python_version()}, ", end="")
    print(f"trafilatura {trafilatura.__version__}", flush=True)

    # one warm-up pass over the distinct pages: the first calls fill trafilatura's and
    # htmldate's lazy caches, which the pipeline's long-lived workers also pay only once
    time_trafilatura([html for html, _ in decoded.values()], workers=1, chunksize=chunksize)
    traf1 = time_trafilatura(htmls, workers=1, chunksize=chunksize)
    traf2 = time_trafilatura(htmls, workers=BENCH_WORKERS, chunksize=chunksize)
    clean1 = time_clean([(*decoded[key], raw[key]) for _, key in repeated])
    result["trafilatura"] = {
        "1_process": {"seconds": round(traf1, 2), "pages_per_s": _rate(n, traf1)},
        "2_processes": {"seconds": round(traf2, 2), "pages_per_s": _rate(n, traf2)},
        "throughput_2_over_1": _ratio(traf1, traf2),
    }
    # our clean stage alone on the same decoded pages: its share of the 1.25x budget
    result["clean_alone"] = {
        "1_process": {"seconds": round(clean1, 2), "pages_per_s": _rate(n, clean1)},
        "time_over_trafilatura_1": _ratio(clean1, traf1),
    }

    if not full:
        result["full"] = "skipped"
    elif cli_available():
        with tempfile.TemporaryDirectory(prefix="takedowns-bench-") as tmp:
            root = Path(tmp)
            write_pages(root / "pages", repeated, raw)
            write_pages(root / "small", repeated[:small], raw)
            full1 = run_cli(root / "pages", root / "out-1", jobs=1)
            full2 = run_cli(root / "pages", root / "out-2", jobs=BENCH_WORKERS)
            small1 = run_cli(root / "small", root / "out-small", jobs=1)
        result["full"] = {
            "1_job": {**full1, "pages_per_s": _rate(n, full1["elapsed_s"])},
            "2_jobs": {**full2, "pages_per_s": _rate(n, full2["elapsed_s"])},
            "small_1_job": {**small1, "pages_per_s": _rate(small, small1["elapsed_s"])},
            # time of the pipeline over time of trafilatura alone, same process model
            "time_over_trafilatura_1": _ratio(full1["elapsed_s"], traf1),
            "time_over_trafilatura_2": _ratio(full2["elapsed_s"], traf2),
            "throughput_2_over_1": _ratio(full1["elapsed_s"], full2["elapsed_s"]),
            "stage_shares_1_job": stage_shares(full1["timings_s"]),
        }
    else:
        result["full"] = None

    if quality:
        result["quality"] = aeb_score.measure(["ours", "trafilatura"])
    result["machine"]["load_average_end"] = round(os.getloadavg()[0], 2)
    print_table(result)
    return result


def bench_spark(pages: int) -> dict[str, Any]:
    """page count -> pages/s of ``takedowns spark`` and ``takedowns extract --jobs 2`` on the
    same WARC files, the session's start-up and the cost of a one-page job."""
    raw = aeb_score.load_raw()
    repeated = repeat_pages(list(raw), pages)
    n = len(repeated)
    load_start = round(os.getloadavg()[0], 2)
    print(f"bench spark: {n} pages in {SPARK_WARCS} WARC files, master {SPARK_MASTER}", flush=True)
    with tempfile.TemporaryDirectory(prefix="takedowns-bench-spark-") as tmp:
        root = Path(tmp)
        write_warcs(root / "warcs", repeated, raw, files=SPARK_WARCS)
        write_warcs(root / "one", repeated[:1], raw, files=1)
        extract_runs, spark_runs = [], []
        for n_run in range(SPARK_REPEATS):  # alternated, so a burst of load hits both alike
            extract_runs.append(
                run_cli(root / "warcs", root / f"out-extract-{n_run}", jobs=BENCH_WORKERS)
            )
            out = root / f"out-spark-{n_run}"
            spark_runs.append(
                run_cli(
                    root / "warcs",
                    out,
                    jobs=BENCH_WORKERS,
                    command=spark_command(root / "warcs", out),
                )
            )
        one = run_cli(
            root / "one",
            root / "out-one",
            jobs=BENCH_WORKERS,
            command=spark_command(root / "one", root / "out-one"),
        )
    extract2 = _fastest(extract_runs)
    spark = _fastest(spark_runs)
    return {
        "pages": n,
        # other work on the machine skews every figure: shown so a noisy run is visible
        "load_average_start": load_start,
        "load_average_end": round(os.getloadavg()[0], 2),
        "warc_files": SPARK_WARCS,
        "master": SPARK_MASTER,
        "extract_2_jobs": {**extract2, "pages_per_s": _rate(n, extract2["elapsed_s"])},
        # job time: inputs listed, pages read and run, datasets written, rows counted; the
        # session's start-up is apart (startup_s), the interpreter's is in the wall time
        "spark": {**spark, "pages_per_s": _rate(n, spark["elapsed_s"])},
        "spark_wall_pages_per_s": _rate(n, spark["wall_s"]),
        "spark_over_extract": _ratio(extract2["elapsed_s"], spark["elapsed_s"]),
        # seconds the pipeline's stages took per page, summed over workers: the per-page
        # cost to scale from, whatever the runner (the rest is the runner's overhead)
        "stage_ms_per_page": {
            "extract": _per_page_ms(extract2, n),
            "spark": _per_page_ms(spark, n),
        },
        "all_elapsed_s": {
            "extract": [run["elapsed_s"] for run in extract_runs],
            "spark": [run["elapsed_s"] for run in spark_runs],
        },
        "one_page_job": one,
    }


def bench_realdev(at_least: int) -> dict[str, Any] | None:
    """page count -> pages/s of the full pipeline (--jobs 1) and of trafilatura alone on the
    realdev pages repeated to at least that many, and the share of their sentences parsed;
    None when this machine has no dev set."""
    from realdev import realdev_dir

    devset = realdev_dir()
    if devset is None:
        return None
    with tempfile.TemporaryDirectory(prefix="takedowns-bench-realdev-") as tmp:
        root = Path(tmp)
        subprocess.run(
            [sys.executable, str(devset / "make_pages.py"), "--out", str(root / "html")],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        raw = {path.stem: path.read_bytes() for path in sorted((root / "html").glob("*.html"))}
        repeated = repeat_pages(list(raw), at_least)
        n = len(repeated)
        print(f"bench realdev: {n} pages ({len(raw)} realdev pages x {n // len(raw)})", flush=True)
        htmls = [raw[key].decode("utf-8") for _, key in repeated]
        # warm-up on the distinct pages, as in the aeb-dev row
        time_trafilatura([body.decode("utf-8") for body in raw.values()], workers=1, chunksize=1)
        traf1 = time_trafilatura(htmls, workers=1, chunksize=1)
        write_pages(root / "pages", repeated, raw)
        full1 = run_cli(root / "pages", root / "out-1", jobs=1)
        parsed = candidate_share(raw)
    return {
        "pages": n,
        "distinct_pages": len(raw),
        "trafilatura_1_process": {"seconds": round(traf1, 2), "pages_per_s": _rate(n, traf1)},
        "full_1_job": {**full1, "pages_per_s": _rate(n, full1["elapsed_s"])},
        "time_over_trafilatura_1": _ratio(full1["elapsed_s"], traf1),
        "stage_shares_1_job": stage_shares(full1["timings_s"]),
        "parse_ms_per_page": round(1000 * full1["timings_s"].get("parse", 0.0) / n, 1),
        **parsed,
    }


def candidate_share(raw: dict[str, bytes]) -> dict[str, Any]:
    """distinct pages -> how many of their sentences and tokens go through the parser."""
    from models.page import Page
    from pipeline.clean import clean_html
    from pipeline.decode import decode_page
    from pipeline.extract import Extractor
    from pipeline.records.candidates import candidate_sentences

    extractor = Extractor()
    sentences = parsed = tokens = parsed_tokens = 0
    for name, body in raw.items():
        page = Page(input=name, body=body)
        html, encoding = decode_page(page)
        article = clean_html(html, page=page, encoding=encoding)
        doc = extractor.analyzer.parse(article.text)
        chosen = candidate_sentences(
            doc,
            extractor.analyzer.cues(doc),
            extractor.claim_finder.find(doc),
            extractor.asset_words,
        )
        sentences += sum(1 for _ in doc.sents)
        tokens += len(doc)
        parsed += len(chosen)
        parsed_tokens += sum(len(s) for s in chosen)
    return {
        "sentences": sentences,
        "sentences_parsed": parsed,
        "tokens": tokens,
        "tokens_parsed": parsed_tokens,
    }


def print_realdev_table(result: dict[str, Any]) -> None:
    """realdev benchmark dict -> a readable table on stdout."""
    n, traf, full = result["pages"], result["trafilatura_1_process"], result["full_1_job"]
    print(f"{'run (' + str(n) + ' realdev pages)':<34} {'pages/s':>8} {'seconds':>8}")
    print(f"{'trafilatura alone, 1 process':<34} {traf['pages_per_s']:>8} {traf['seconds']:>8}")
    print(f"{'full pipeline, --jobs 1':<34} {_fmt(full['pages_per_s']):>8} "
          f"{_fmt(full['elapsed_s']):>8}")  # fmt: skip
    if full["returncode"] != 0 or full["errors"]:
        print(f"    exit {full['returncode']}, {full['errors']} errors: "
              f"{full['first_error'] or full['stderr_tail']!r}")  # fmt: skip
    print(f"full / trafilatura time: {_fmt(result['time_over_trafilatura_1'])}; parser "
          f"{result['parse_ms_per_page']} ms/page on {result['sentences_parsed']} of "
          f"{result['sentences']} sentences ({result['tokens_parsed']} of {result['tokens']} "
          "tokens) of the distinct pages")  # fmt: skip
    shares = result["stage_shares_1_job"]
    if shares:
        print("stage shares (--jobs 1): " + ", ".join(f"{s} {shares[s]:.1%}" for s in STAGES))
    print()


def _fastest(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """runs of one command -> the one with the shortest job time (the least disturbed)."""
    return min(runs, key=lambda run: run["elapsed_s"] or math.inf)


def _per_page_ms(run: dict[str, Any], pages: int) -> float | None:
    total = sum(run["timings_s"].get(stage, 0.0) for stage in STAGES if stage != "write")
    return round(1000 * total / pages, 1) if total else None


def print_spark_table(result: dict[str, Any]) -> None:
    """Spark benchmark dict -> a readable table on stdout."""
    n = result["pages"]
    print(f"{'run (' + str(n) + ' pages, ' + str(result['warc_files']) + ' WARCs)':<34} "
          f"{'pages/s':>8} {'seconds':>8} {'wall s':>8} {'start-up s':>11} {'tree RSS MiB':>13}")  # fmt: skip
    for label, run in [
        ("extract --jobs 2", result["extract_2_jobs"]),
        (f"spark --master {result['master']}", result["spark"]),
        ("spark, one page", result["one_page_job"]),
    ]:
        print(f"{label:<34} {_fmt(run.get('pages_per_s')):>8} {_fmt(run['elapsed_s']):>8} "
              f"{run['wall_s']:>8} {_fmt(run.get('startup_s')):>11} "
              f"{run['tree_rss_peak_mib']:>13}")  # fmt: skip
        if run["returncode"] != 0 or run["errors"]:
            print(f"    exit {run['returncode']}, {run['errors']} errors: "
                  f"{run['first_error'] or run['stderr_tail']!r}")  # fmt: skip
    print(f"1-minute load average at start {result['load_average_start']}, "
          f"at end {result['load_average_end']}")  # fmt: skip
    print(f"spark / extract throughput (job time): {_fmt(result['spark_over_extract'])}; "
          f"spark pages/s with start-up: {_fmt(result['spark_wall_pages_per_s'])}")  # fmt: skip
    per_page = result["stage_ms_per_page"]
    print(f"pipeline stages per page (summed over workers): extract {per_page['extract']} ms, "
          f"spark {per_page['spark']} ms; job times {result['all_elapsed_s']}")  # fmt: skip
    print()


def print_table(result: dict[str, Any]) -> None:
    """benchmark dict -> a readable table on stdout."""
    traf, full = result["trafilatura"], result["full"]
    n = result["machine"]["pages"]
    load = (result["machine"]["load_average_start"], result["machine"]["load_average_end"])
    print(f"1-minute load average at start {load[0]}, at end {load[1]}")
    print()
    print(f"{'run':<34} {'pages/s':>8} {'seconds':>8} {'max RSS MiB':>12} {'tree RSS MiB':>13}")
    print(f"{'trafilatura alone, 1 process':<34} {traf['1_process']['pages_per_s']:>8} "
          f"{traf['1_process']['seconds']:>8}")  # fmt: skip
    print(f"{'trafilatura alone, 2 processes':<34} {traf['2_processes']['pages_per_s']:>8} "
          f"{traf['2_processes']['seconds']:>8}")  # fmt: skip
    clean = result["clean_alone"]
    print(f"{'clean_html alone, 1 process':<34} {clean['1_process']['pages_per_s']:>8} "
          f"{clean['1_process']['seconds']:>8}    (x{clean['time_over_trafilatura_1']} "
          "trafilatura time)")  # fmt: skip
    if full == "skipped":
        print("full pipeline: skipped (--no-full)")
    elif full is None:
        print("full pipeline: not available")
    else:
        for label, key in [
            (f"full pipeline, --jobs 1 ({n})", "1_job"),
            (f"full pipeline, --jobs 2 ({n})", "2_jobs"),
            (f"full pipeline, --jobs 1 ({full['small_1_job']['inputs']})", "small_1_job"),
        ]:
            run = full[key]
            print(f"{label:<34} {_fmt(run['pages_per_s']):>8} {_fmt(run['elapsed_s']):>8} "
                  f"{run['max_rss_mib']:>12} {run['tree_rss_peak_mib']:>13}")  # fmt: skip
            if run["returncode"] != 0 or run["errors"]:
                print(f"    exit {run['returncode']}, {run['errors']} errors: "
                      f"{run['first_error'] or run['stderr_tail']!r}")  # fmt: skip
        print()
        print(f"full / trafilatura time: 1 job {_fmt(full['time_over_trafilatura_1'])}, "
              f"2 jobs {_fmt(full['time_over_trafilatura_2'])} (budget 1.25)")  # fmt: skip
        print(f"2 jobs / 1 job throughput: pipeline {_fmt(full['throughput_2_over_1'])}, "
              f"trafilatura {_fmt(traf['throughput_2_over_1'])}")  # fmt: skip
        shares = full["stage_shares_1_job"]
        if shares:
            print("stage shares (--jobs 1): "
                  + ", ".join(f"{s} {shares[s]:.1%}" for s in STAGES))  # fmt: skip
    quality = result.get("quality")
    if quality:
        print()
        print(f"{'cleaning on aeb-dev':<34} {'precision':>9} {'recall':>7} {'F1':>7}")
        for mode, label in [
            ("ours", "ours (clean_html)"),
            ("trafilatura", "trafilatura extract()"),
        ]:
            q = quality[mode]
            print(f"{label:<34} {q['precision']:>9.4f} {q['recall']:>7.4f} {q['f1']:>7.4f}")
    print()


def main(argv: list[str] | None = None) -> int:
    """CLI: run the benchmark, print the table and the JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=BENCH_PAGES)
    parser.add_argument("--small", type=int, default=SMALL_PAGES)
    parser.add_argument("--chunksize", type=int, default=CHUNKSIZE)
    parser.add_argument("--no-quality", action="store_true", help="skip the aeb-dev scoring")
    parser.add_argument("--no-full", action="store_true", help="skip the full-pipeline runs")
    parser.add_argument("--realdev-pages", type=int, default=REALDEV_PAGES)
    parser.add_argument("--no-realdev", action="store_true", help="skip the realdev row")
    spark = parser.add_mutually_exclusive_group()
    spark.add_argument("--no-spark", action="store_true", help="skip the Spark row")
    spark.add_argument("--spark-only", action="store_true", help="run only the Spark row")
    args = parser.parse_args(argv)
    result: dict[str, Any] = {}
    if not args.spark_only:
        result = bench(
            args.pages,
            args.small,
            args.chunksize,
            quality=not args.no_quality,
            full=not args.no_full,
        )
    if not args.spark_only and not args.no_realdev:
        result["realdev"] = bench_realdev(args.realdev_pages)
        if result["realdev"] is None:
            print("bench realdev: no dev set on this machine (set TAKEDOWNS_REALDEV)\n")
        else:
            print_realdev_table(result["realdev"])
    if not args.no_spark:
        result["spark"] = bench_spark(args.pages)
        print_spark_table(result["spark"])
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
