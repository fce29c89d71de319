"""Orchestration: input specs -> pages -> articles -> records, written as JSON Lines.

One page goes through numbered steps (``process_page``):

1. decode the bytes (``pipeline.decode``),
2. clean the HTML to article text and metadata (``pipeline.clean``),
3. extract entities, claims and records (``pipeline.extract``),
4. give the records the article's links to primary disclosures (``pipeline.primary``).

``run_batch`` streams inputs lazily, sends pages to ``jobs`` worker processes
with a bounded window (memory stays flat), writes results in input order
(identical output for any ``jobs``), and accounts for every input: records, an
explicit no-takedown article line, or an error line.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from models.article import ArticleLine
from models.errors import ErrorLine
from models.page import Page
from models.record import SCHEMA_VERSION, TakedownRecord
from pipeline.errors import PipelineError
from pipeline.writer import JsonlWriter, finish, partial_path, read_lines, repair_partial

if TYPE_CHECKING:
    from pipeline.extract import Extractor

logger = logging.getLogger(__name__)

STAGES = ("decode", "clean", "nlp", "records", "write")
WINDOW_PER_JOB = 8  # pages in flight per worker: keeps both cores busy, memory bounded
LOG_EVERY_SECONDS = 10.0  # progress line interval when stderr is not a terminal


@dataclass
class PageOutcome:
    """What one input became: an article line with its records, or an error line."""

    input: str
    article: ArticleLine | None = None
    records: list[TakedownRecord] = field(default_factory=list)
    error: ErrorLine | None = None
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class Summary:
    """Counts of one run; inputs = with_records + no_takedown + errors, always."""

    inputs: int = 0
    pages: int = 0
    records: int = 0
    with_records: int = 0
    no_takedown: int = 0
    errors: int = 0
    resumed: int = 0  # inputs already done in an earlier, interrupted run
    elapsed: float = 0.0
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))

    @property
    def pages_per_second(self) -> float:
        return self.inputs / self.elapsed if self.elapsed > 0 else 0.0

    def add(self, outcome: PageOutcome) -> None:
        self.inputs += 1
        if outcome.error is not None:
            self.errors += 1
        else:
            self.pages += 1
            if outcome.records:
                self.with_records += 1
                self.records += len(outcome.records)
            else:
                self.no_takedown += 1
        for stage, seconds in outcome.timings.items():
            self.timings[stage] = self.timings.get(stage, 0.0) + seconds

    def as_dict(self) -> dict:
        return {
            "inputs": self.inputs,
            "pages": self.pages,
            "records": self.records,
            "pages_with_records": self.with_records,
            "pages_without_takedown": self.no_takedown,
            "errors": self.errors,
            "resumed": self.resumed,
            "elapsed_s": round(self.elapsed, 3),
            "pages_per_s": round(self.pages_per_second, 2),
            "timings_s": {k: round(v, 4) for k, v in self.timings.items()},
        }

    def text(self) -> str:
        return (
            f"inputs {self.inputs}: {self.with_records} pages with records "
            f"({self.records} records), {self.no_takedown} pages with no takedown found, "
            f"{self.errors} errors; {self.elapsed:.1f} s, {self.pages_per_second:.1f} pages/s"
            + (f" ({self.resumed} inputs done before resume)" if self.resumed else "")
        )


# --------------------------------------------------------------------------- one page


def _error_line(exc: PipelineError, input: str, url: str | None = None) -> ErrorLine:
    return ErrorLine(
        input=exc.input or input,
        stage=exc.stage,  # type: ignore[arg-type]
        code=exc.code,
        message=exc.message,
        url=url,
    )


def _failed(
    page: Page, stage: str, what: str, message: str, timings: dict[str, float]
) -> PageOutcome:
    error = ErrorLine(
        input=page.input,
        stage=stage,  # type: ignore[arg-type]
        code=f"{stage}.{what}",
        message=message,
        url=page.url,
    )
    return PageOutcome(page.input, error=error, timings=timings)


def process_page(page: Page, *, extractor: Extractor) -> PageOutcome:
    """Page -> outcome (article line + records, or an error line); never raises for bad input."""
    from pipeline.clean import clean_html
    from pipeline.decode import decode_page
    from pipeline.primary import attach_primary_sources

    timings: dict[str, float] = {}
    stage = "decode"
    try:
        t0 = time.perf_counter()
        html, encoding = decode_page(page)  # 1. bytes -> text
        t1 = time.perf_counter()
        stage = "clean"
        article = clean_html(html, page=page, encoding=encoding)  # 2. html -> article
        t2 = time.perf_counter()
        timings["decode"] = t1 - t0
        timings["clean"] = t2 - t1
        stage = "extract"
        found = extractor.extract(article, timings=timings)  # 3. article -> records
        records, links = attach_primary_sources(found.records, article.links)  # 4. sources
    except PipelineError as exc:
        return PageOutcome(
            page.input, error=_error_line(exc, page.input, page.url), timings=timings
        )
    except RecursionError as exc:  # lxml or our rules on absurdly nested input
        return _failed(page, stage, "too_deep", f"page too deeply nested: {exc}", timings)
    except Exception as exc:  # a bug on one page must not stop the batch; keep the trace
        logger.debug("unexpected failure on %s\n%s", page.input, traceback.format_exc())
        return _failed(page, stage, "unexpected", f"{type(exc).__name__}: {exc}", timings)
    line = ArticleLine(
        schema_version=SCHEMA_VERSION,
        input=page.input,
        source=article.source,
        text=article.text,
        language=article.language,
        method=article.method,
        encoding=article.encoding,
        entities=found.entities,
        claims=found.claims,
        links=links,
        record_ids=[r.record_id for r in records],
        status="records" if records else "no_takedown",
    )
    return PageOutcome(page.input, article=line, records=records, timings=timings)


def process_item(item: Page | PipelineError, *, extractor: Extractor | None) -> PageOutcome:
    """A page or an input that already failed upstream -> outcome."""
    if isinstance(item, PipelineError):
        where = item.input or "?"
        url = where if where.startswith(("http://", "https://")) else None
        return PageOutcome(where, error=_error_line(item, where, url))
    assert extractor is not None
    return process_page(item, extractor=extractor)


# --------------------------------------------------------------------------- workers

_WORKER_EXTRACTOR: Extractor | None = None


def _init_worker() -> None:
    """Load the spaCy pipeline and patterns once per worker process."""
    global _WORKER_EXTRACTOR
    from pipeline.extract import Extractor

    _WORKER_EXTRACTOR = Extractor()


def _work(item: Page | PipelineError) -> PageOutcome:
    return process_item(item, extractor=_WORKER_EXTRACTOR)


def ordered_outcomes(items: Iterable[Page | PipelineError], *, jobs: int) -> Iterator[PageOutcome]:
    """Items -> outcomes in input order, with ``jobs`` processes and a bounded window."""
    if jobs <= 1:
        from pipeline.extract import Extractor

        extractor = Extractor()
        for item in items:
            yield process_item(item, extractor=extractor)
        return
    context = multiprocessing.get_context("fork")
    window: deque[Future[PageOutcome] | PageOutcome] = deque()
    limit = jobs * WINDOW_PER_JOB
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_init_worker
    ) as pool:
        for item in items:
            if isinstance(item, PipelineError):
                window.append(process_item(item, extractor=None))  # nothing to compute
            else:
                window.append(pool.submit(_work, item))
            while len(window) >= limit:
                yield _result(window.popleft())
        while window:
            yield _result(window.popleft())


def _result(entry: Future[PageOutcome] | PageOutcome) -> PageOutcome:
    return entry if isinstance(entry, PageOutcome) else entry.result()


# --------------------------------------------------------------------------- the batch


@dataclass
class Outputs:
    """Where a run writes: records (path or '-' for stdout), articles (optional), errors."""

    records: Path | None  # None = stdout
    errors: Path
    articles: Path | None = None

    @classmethod
    def beside(cls, records: str, *, articles: str | None, errors: str | None) -> Outputs:
        """CLI paths -> Outputs; errors default to errors.jsonl beside the records file."""
        rec = None if records == "-" else Path(records)
        err = Path(errors) if errors else (rec.parent if rec else Path(".")) / "errors.jsonl"
        art = Path(articles) if articles else (rec.parent / "articles.jsonl" if rec else None)
        return cls(records=rec, errors=err, articles=art)

    def files(self) -> list[Path]:
        return [p for p in (self.records, self.articles, self.errors) if p is not None]


def _done_inputs(outputs: Outputs) -> tuple[set[str], int]:
    """Resume: repair half lines, drop records of unfinished pages -> (done inputs, count)."""
    done: set[str] = set()
    keep_ids: set[str] = set()
    for path in outputs.files():
        part = partial_path(path)
        if path.exists() and not part.exists():
            path.rename(part)  # a finished run can be extended with more inputs
        cut = repair_partial(part)
        if cut:
            logger.warning("resume: cut a half-written line (%d bytes) off %s", cut, part)
    if outputs.articles is not None and partial_path(outputs.articles).exists():
        for row in read_lines(partial_path(outputs.articles)):
            done.add(row["input"])
            keep_ids.update(row["record_ids"])
    if partial_path(outputs.errors).exists():
        for row in read_lines(partial_path(outputs.errors)):
            done.add(row["input"])
    if outputs.records is not None and partial_path(outputs.records).exists():
        part = partial_path(outputs.records)
        tmp = part.with_name(part.name + ".tmp")
        with part.open(encoding="utf-8") as src, tmp.open("w", encoding="utf-8") as dst:
            for line in src:
                if line.strip() and _record_id(line) in keep_ids:
                    dst.write(line)
        tmp.replace(part)
    return done, len(done)


def _record_id(line: str) -> str:
    return json.loads(line)["record_id"]


def run_batch(
    specs: list[str],
    *,
    outputs: Outputs,
    jobs: int = 1,
    resume: bool = False,
    stdin: TextIO | None = None,
    progress: Callable[[Summary], None] | None = None,
    fetcher_factory: Callable | None = None,
) -> Summary:
    """Input specs -> JSON Lines files and a summary; one bad input never stops the batch."""
    from pipeline.sources import iter_pages

    started = time.perf_counter()
    summary = Summary()
    done: set[str] = set()
    if resume:
        if outputs.records is None or outputs.articles is None:
            raise ValueError("--resume needs a records file and an articles file (not stdout)")
        done, summary.resumed = _done_inputs(outputs)
    mode = "a" if resume else "w"
    for path in outputs.files():
        path.parent.mkdir(parents=True, exist_ok=True)
    rec_fp = (
        partial_path(outputs.records).open(mode, encoding="utf-8")
        if outputs.records is not None
        else sys.stdout
    )
    err_fp = partial_path(outputs.errors).open(mode, encoding="utf-8")
    art_fp = (
        partial_path(outputs.articles).open(mode, encoding="utf-8")
        if outputs.articles is not None
        else None
    )
    records_out, errors_out = JsonlWriter(rec_fp), JsonlWriter(err_fp)
    articles_out = JsonlWriter(art_fp) if art_fp is not None else None
    try:
        items = iter_pages(specs, stdin=stdin, fetcher_factory=fetcher_factory)
        if done:
            items = (i for i in items if _input_of(i) not in done)
        for outcome in ordered_outcomes(items, jobs=jobs):
            t0 = time.perf_counter()
            # records first, the article line last: an article line means the page is done
            for record in outcome.records:
                records_out.write(record)
            if outcome.error is not None:
                errors_out.write(outcome.error)
            elif articles_out is not None and outcome.article is not None:
                articles_out.write(outcome.article)
            outcome.timings["write"] = time.perf_counter() - t0
            summary.add(outcome)
            summary.elapsed = time.perf_counter() - started
            if progress is not None:
                progress(summary)
    finally:
        for fp in (rec_fp, err_fp, art_fp):
            if fp is not None and fp is not sys.stdout:
                fp.close()
    for path in outputs.files():
        finish(path)
    summary.elapsed = time.perf_counter() - started
    return summary


def _input_of(item: Page | PipelineError) -> str:
    return item.input if isinstance(item, Page) else (item.input or "")
