"""How large a review page stays usable: a report of N records, timed in Chromium.

Never part of ``make test`` (timings are measured, not asserted). Steps:

1. the fixture records and article lines (``out/`` from ``make run``, or a fresh
   ``takedowns extract fixtures/`` into a temporary directory) are copied until there are
   ``--records`` records: each copy of a page gets its own input, url, sha256 and record
   ids, and its publish date moves on by a week per copy, so the charts and filters see
   many months; pages with no takedown are copied along with the rest;
2. ``takedowns report`` renders it (timed, in a subprocess);
3. Debian's Chromium (headless, through Playwright) opens the file ``--runs`` times; for
   each run it reads the navigation timing (DOMContentLoaded, load) and the time at which
   the page's script has finished (``html[data-ready]``: filters, sorting and detail
   view work from then on), then times a country filter, a sort by period, the first and
   a second detail view, and reads the JS heap.

Prints a table and one JSON object. With ``--screenshot PATH`` it also saves screenshots
of ``out/report.html`` (the page top at PATH, a record's detail view beside it);
``--no-measure`` does only that.

Usage: python scripts/report_measure.py [--records 10000] [--runs 3] [--screenshot docs/report.png]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: the repo's packages come first
    sys.path.insert(0, str(REPO))

from models.article import ArticleLine  # noqa: E402
from models.record import TakedownRecord  # noqa: E402
from pipeline.report import read_jsonl  # noqa: E402
from tests.chromium import launch  # noqa: E402

RECORDS = 10_000  # the size the issue asks about
RUNS = 3  # page loads per measure; the median is reported
VIEWPORT = {"width": 1280, "height": 900}
SHOT_VIEWPORT = {"width": 1280, "height": 1000}  # tall enough for the summary and first rows
# a seed-page record with countries and an actor in its evidence: the detail screenshot
SHOT_RECORD_PAGE = "haqooq-facebook-cib-pakistan-august-2020.html"


def fixture_outputs(work: Path) -> Path:
    """The fixture run's records file: out/ when `make run` made it, else a fresh run."""
    made = REPO / "out" / "records.jsonl"
    if made.is_file() and (made.parent / "articles.jsonl").is_file():
        return made
    records = work / "fixtures" / "records.jsonl"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "extract",
            str(REPO / "fixtures"),
            "-o",
            str(records),
            "--quiet",
        ],
        check=True,
        cwd=REPO,
    )
    return records


def synthesize(records_path: Path, target: int, out: Path) -> tuple[int, int]:
    """Fixture records and article lines -> copies of them in ``out`` with ``target``
    records -> (records, article lines) written."""
    records = read_jsonl(records_path, TakedownRecord)
    articles = read_jsonl(records_path.parent / "articles.jsonl", ArticleLine)
    by_id = {r.record_id: r for r in records}
    n_records = n_articles = 0
    copy = 0
    with (
        (out / "records.jsonl").open("w", encoding="utf-8") as rec_fp,
        (out / "articles.jsonl").open("w", encoding="utf-8") as art_fp,
    ):
        while n_records < target:
            for art in articles:
                if n_records >= target:
                    break
                suffix = f"-{copy}"
                source = art.source.model_copy(
                    update={
                        "url": f"{art.source.url}?copy={copy}" if art.source.url else None,
                        "sha256": f"{copy:08x}{art.source.sha256[8:]}",
                        "published": art.source.published + timedelta(weeks=copy)
                        if art.source.published
                        else None,
                    }
                )
                keep = art.record_ids[: target - n_records]  # exactly ``target`` records
                ids = [rid + suffix for rid in keep]
                art_fp.write(
                    art.model_copy(
                        update={"input": f"{art.input}#{copy}", "source": source, "record_ids": ids}
                    ).model_dump_json()
                    + "\n"
                )
                n_articles += 1
                for rid in keep:
                    rec = by_id[rid].model_copy(
                        update={"record_id": rid + suffix, "source": source}
                    )
                    rec_fp.write(rec.model_dump_json() + "\n")
                    n_records += 1
            copy += 1
    (out / "errors.jsonl").write_text("", encoding="utf-8")
    return n_records, n_articles


def render(records: Path, html: Path) -> float:
    """`takedowns report` as a subprocess -> seconds."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pipeline", "report", str(records), "-o", str(html)],
        check=True,
        cwd=REPO,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


MEASURE_JS = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return {dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
          rows: document.querySelectorAll("tr[data-record-id]").length};
}
"""

FILTER_JS = """
(code) => {
  const sel = document.getElementById("f-country");
  const t = performance.now();
  sel.value = code;
  sel.dispatchEvent(new Event("change", {bubbles: true}));
  document.body.offsetHeight;  // the layout that follows counts too
  const ms = performance.now() - t;
  const shown = document.getElementById("shown").textContent;
  sel.value = "";
  sel.dispatchEvent(new Event("change", {bubbles: true}));
  return {ms, shown};
}
"""

SORT_JS = """
() => {
  const t = performance.now();
  document.querySelector('th[data-sort="period"] button').click();
  document.body.offsetHeight;
  return performance.now() - t;
}
"""

OPEN_JS = """
(n) => {
  const links = document.querySelectorAll("tr[data-record-id] a.open");
  const t = performance.now();
  links[n].click();
  document.body.offsetHeight;
  const ms = performance.now() - t;
  document.getElementById("detail").close();
  return ms;
}
"""


def measure_page(browser: Any, html: Path) -> dict[str, float]:
    """One fresh page load of the report and the interactions timed in it."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    start = time.perf_counter()
    page.goto(html.resolve().as_uri(), timeout=120_000)
    page.wait_for_selector("html[data-ready]", state="attached", timeout=120_000)
    ready_wall = time.perf_counter() - start
    ready = page.evaluate("performance.now()")
    timing = page.evaluate(MEASURE_JS)
    code = page.eval_on_selector("#f-country option:nth-child(2)", "o => o.value")
    filtered = page.evaluate(FILTER_JS, code)
    sort_ms = page.evaluate(SORT_JS)
    first_open = page.evaluate(OPEN_JS, 0)
    second_open = page.evaluate(OPEN_JS, 1)
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    context.close()
    if problems:
        raise RuntimeError(f"the page reported errors: {problems}")
    return {
        "rows": timing["rows"],
        "dom_content_loaded_ms": timing["dcl"],
        "load_ms": timing["load"],
        "ready_ms": ready,
        "ready_wall_s": ready_wall,
        "filter_ms": filtered["ms"],
        "sort_ms": sort_ms,
        "first_detail_ms": first_open,
        "second_detail_ms": second_open,
        "js_heap_mib": metrics.get("JSHeapUsedSize", 0) / 2**20,
        "dom_nodes": metrics.get("Nodes", 0),
    }


def screenshots(browser: Any, html: Path, path: Path) -> list[Path]:
    """The page top and a record's detail view of ``html`` -> PNG files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport=SHOT_VIEWPORT)
    page.goto(html.resolve().as_uri())
    page.wait_for_selector("html[data-ready]", state="attached")
    page.screenshot(path=str(path))
    detail = path.with_name(path.stem + "-detail" + path.suffix)
    row = page.locator(
        "tr[data-record-id]", has=page.locator("a.open", has_text="Facebook")
    ).filter(has_text="PK origin")
    row.first.locator("a.open").click()
    page.wait_for_selector("dialog[open]")
    page.screenshot(path=str(detail))
    page.close()
    return [path, detail]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=RECORDS)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--screenshot", type=Path, help="save screenshots of out/report.html")
    parser.add_argument("--no-measure", action="store_true", help="only the screenshots")
    parser.add_argument("--keep", type=Path, help="write the synthetic inputs and report here")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        work = Path(tmp)
        browser = launch(pw)
        try:
            if args.screenshot:
                report = REPO / "out" / "report.html"
                if not report.is_file():
                    raise SystemExit("out/report.html is missing: run `make run` first")
                for shot in screenshots(browser, report, args.screenshot):
                    print(f"wrote {shot}")
            if args.no_measure:
                return
            records_path = fixture_outputs(work)
            big = args.keep or work / "big"
            big.mkdir(parents=True, exist_ok=True)
            n_records, n_articles = synthesize(records_path, args.records, big)
            html = big / "report.html"
            render_s = render(big / "records.jsonl", html)
            html_bytes = html.stat().st_size
            runs = [measure_page(browser, html) for _ in range(args.runs)]
            version = browser.version
        finally:
            browser.close()
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    summary = {
        "records": n_records,
        "articles": n_articles,
        "html_mib": round(html_bytes / 2**20, 1),
        "render_s": round(render_s, 2),
        "chromium": version,
        "runs": args.runs,
        **{k: round(v, 1) for k, v in median.items()},
    }
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        print(f"{key:<{width}}  {value}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
