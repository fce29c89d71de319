"""Orchestration: input specs -> pages -> articles -> records, written as JSON Lines.

One page goes through numbered steps (``process_page``):

1. decode the bytes (``pipeline.decode``),
2. clean the HTML to article text and metadata (``pipeline.clean``),
3. extract entities, claims and records (``pipeline.extract``),
4. give the records the article's links to primary disclosures (``pipeline.primary``).

``run_batch`` streams inputs lazily, sends pages to ``jobs`` worker processes
(``pipeline.workers``: a page over its time or memory budget ends as an error line, the
worker is replaced), writes results in input order (identical output for any ``jobs``),
and accounts for every input: records, an explicit no-takedown article line, or an error
line. It locks its outputs for the run and checks them before any work starts.

Each input's identity is its ``input`` name plus, for a name met again in the same batch,
which repeat it is; record ids are made from it, so they are unique per input. The article
line (or the error line) is the input's commit point: ``--resume`` skips the inputs whose
line is written, in the order they were met, and drops the records of any other input.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, TextIO

from pydantic import BaseModel

from models.article import ArticleLine
from models.errors import ErrorLine
from models.page import Page
from models.record import SCHEMA_VERSION, TakedownRecord
from pipeline.budget import Budget
from pipeline.errors import (
    OutputError,
    OutputWriteError,
    PipelineError,
    ResumeError,
)
from pipeline.names import safe_text
from pipeline.writer import JsonlWriter, OutputLock, finish, partial_path, repair_partial

if TYPE_CHECKING:
    from pipeline.extract import Extractor

logger = logging.getLogger(__name__)

STAGES = ("decode", "clean", "nlp", "records", "write")
LOG_EVERY_SECONDS = 10.0  # progress line interval when stderr is not a terminal
# errno values that mean "no room for the output": the disk (or the user's quota) is full,
# or the file hit the process's size limit. The remedy is the same: make room, --resume.
NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


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
    resumed: int = 0  # inputs already done in an earlier, interrupted run (counted above too)
    replaced_workers: int = 0  # workers replaced after a page overran, crashed or bloated
    elapsed: float = 0.0
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))

    @property
    def pages_per_second(self) -> float:
        done_now = self.inputs - self.resumed
        return done_now / self.elapsed if self.elapsed > 0 else 0.0

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
            "replaced_workers": self.replaced_workers,
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
        message=safe_text(exc.message),
        url=url,
    )


def failed_outcome(
    page: Page, stage: str, what: str, message: str, timings: dict[str, float]
) -> PageOutcome:
    """A page that failed in a stage -> its outcome: one error line coded ``stage.what``."""
    error = ErrorLine(
        input=page.input,
        stage=stage,  # type: ignore[arg-type]
        code=f"{stage}.{what}",
        message=safe_text(message),
        url=page.url,
    )
    return PageOutcome(page.input, error=error, timings=timings)


def process_page(
    page: Page,
    *,
    extractor: Extractor,
    identity: str | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> PageOutcome:
    """Page (+ its identity in the batch, default its input) -> outcome (article line +
    records, or an error line); never raises for bad input. ``on_stage`` hears each stage
    as it starts (decode, clean, extract)."""
    from pipeline.clean import clean_html
    from pipeline.decode import decode_page
    from pipeline.primary import attach_primary_sources

    timings: dict[str, float] = {}
    stage = "decode"
    try:
        if on_stage is not None:
            on_stage(stage)
        t0 = time.perf_counter()
        html, encoding = decode_page(page)  # 1. bytes -> text
        t1 = time.perf_counter()
        stage = "clean"
        if on_stage is not None:
            on_stage(stage)
        article = clean_html(html, page=page, encoding=encoding)  # 2. html -> article
        t2 = time.perf_counter()
        timings["decode"] = t1 - t0
        timings["clean"] = t2 - t1
        stage = "extract"
        if on_stage is not None:
            on_stage(stage)
        found = extractor.extract(  # 3. article -> records
            article, timings=timings, input=identity or page.input
        )
        records, links = attach_primary_sources(found.records, article.links)  # 4. sources
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
    except PipelineError as exc:
        return PageOutcome(
            page.input, error=_error_line(exc, page.input, page.url), timings=timings
        )
    except MemoryError:  # past the worker's address-space budget (RLIMIT_AS)
        message = "the page needs more memory than the worker's budget"
        return failed_outcome(page, stage, "out_of_memory", message, timings)
    except RecursionError as exc:  # lxml or our rules on absurdly nested input
        return failed_outcome(page, stage, "too_deep", f"page too deeply nested: {exc}", timings)
    except Exception as exc:  # a bug on one page must not stop the batch; keep the trace
        logger.debug("unexpected failure on %s\n%s", page.input, traceback.format_exc())
        return failed_outcome(page, stage, "unexpected", f"{type(exc).__name__}: {exc}", timings)
    return PageOutcome(page.input, article=line, records=records, timings=timings)


def process_item(
    item: Page | PipelineError, *, extractor: Extractor | None, identity: str | None = None
) -> PageOutcome:
    """A page or an input that already failed upstream -> outcome."""
    if isinstance(item, PipelineError):
        where = item.input or "?"
        url = where if where.startswith(("http://", "https://")) else None
        return PageOutcome(where, error=_error_line(item, where, url))
    assert extractor is not None
    return process_page(item, extractor=extractor, identity=identity)


def _upstream(item: PipelineError) -> PageOutcome:
    return process_item(item, extractor=None)


# --------------------------------------------------------------------------- identities


def _input_of(item: Page | PipelineError) -> str:
    return item.input if isinstance(item, Page) else (item.input or "")


def identified(
    items: Iterable[Page | PipelineError], *, skip: Counter[str] | None = None
) -> Iterator[tuple[Page | PipelineError, str]]:
    """Items -> (item, identity) pairs; the first ``skip[input]`` of each input are left out
    (done by an interrupted run). The identity is the input, then "input\\x00n" for its
    n-th repeat in the batch."""
    seen: Counter[str] = Counter()
    for item in items:
        name = _input_of(item)
        repeat = seen[name]
        seen[name] += 1
        if skip is not None and repeat < skip[name]:
            continue
        yield item, repeat_identity(name, repeat)


def repeat_identity(name: str, repeat: int) -> str:
    """An input and which repeat of it in the batch this is -> its identity in record ids."""
    return name if repeat == 0 else f"{name}\x00{repeat}"


def ordered_outcomes(
    items: Iterable[Page | PipelineError], *, jobs: int, budget: Budget | None = None
) -> Iterator[PageOutcome]:
    """Items -> outcomes in input order, from ``jobs`` worker processes under ``budget``."""
    from pipeline.workers import PagePool

    with PagePool(jobs, budget=budget or Budget()) as pool:
        yield from pool.run(identified(items), upstream=_upstream)


# --------------------------------------------------------------------------- the batch


@dataclass
class Outputs:
    """Where a run writes: records (path or '-' for stdout), articles (optional), errors."""

    records: Path | None  # None = stdout
    errors: Path
    articles: Path | None = None

    @classmethod
    def beside(cls, records: str, *, articles: str | None, errors: str | None) -> Outputs:
        """CLI paths -> Outputs; articles and errors default to articles.jsonl and errors.jsonl
        beside the records file (in the current directory when records go to stdout: a page
        with no takedown still leaves its line)."""
        rec = None if records == "-" else Path(records)
        home = rec.parent if rec else Path(".")
        err = Path(errors) if errors else home / "errors.jsonl"
        art = Path(articles) if articles else home / "articles.jsonl"
        return cls(records=rec, errors=err, articles=art)

    def files(self) -> list[Path]:
        return [p for p in (self.records, self.articles, self.errors) if p is not None]

    def named(self) -> list[tuple[str, Path]]:
        """-> (what, path) of each file: "records file", "articles file", "errors file"."""
        pairs = (("records", self.records), ("articles", self.articles), ("errors", self.errors))
        return [(f"{what} file", path) for what, path in pairs if path is not None]

    def check(self) -> None:
        """Raise OutputError for outputs that cannot work, before any input is read."""
        seen: dict[str, str] = {}
        for what, path in self.named():
            for name in (path, partial_path(path)):
                if name.is_dir():
                    raise OutputError(f"the {what} {name} is a directory")
            for name in (path, partial_path(path)):  # the file, and its name while written
                real = os.path.realpath(name)
                if real in seen:
                    raise OutputError(f"the {seen[real]} and the {what} are the same file: {name}")
                seen[real] = what
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OutputError(f"cannot create {path.parent} for the {what}: "
                                  f"{exc.strerror}") from exc  # fmt: skip


@dataclass
class _Done:
    """What an interrupted run committed: how often each input ended, and their counts."""

    inputs: Counter[str] = field(default_factory=Counter)
    with_records: int = 0
    no_takedown: int = 0
    errors: int = 0
    records: int = 0


def _rows(path: Path, key: str = "input") -> Iterator[tuple[dict, str]]:
    """JSON Lines file -> (object, line) per line, each holding a string ``key`` ("input",
    "record_id"); raises ResumeError naming the file and line."""
    with path.open(encoding="utf-8", errors="surrogateescape") as fp:
        for number, line in enumerate(fp, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ResumeError(
                    f"cannot resume: line {number} of {path} is not JSON ({exc.msg}); the file "
                    "was changed after the interrupted run, move it away to start afresh"
                ) from exc
            if not isinstance(row, dict) or not isinstance(row.get(key), str):
                raise ResumeError(
                    f"cannot resume: line {number} of {path} is not an output line of this "
                    "program; move the file away to start afresh"
                )
            yield row, line


def _done_inputs(outputs: Outputs) -> _Done:
    """Resume: repair half lines, drop records of uncommitted inputs -> what was done."""
    done = _Done()
    keep_ids: set[str] = set()
    for path in outputs.files():
        part = partial_path(path)
        if path.exists() and not part.exists():
            path.rename(part)  # a finished run can be extended with more inputs
        cut = repair_partial(part)
        if cut:
            logger.warning("resume: cut a half-written line (%d bytes) off %s", cut, part)
    if outputs.articles is not None and partial_path(outputs.articles).exists():
        for row, _ in _rows(partial_path(outputs.articles)):
            done.inputs[row["input"]] += 1
            ids = row.get("record_ids") or []
            keep_ids.update(ids)
            if ids:
                done.with_records += 1
            else:
                done.no_takedown += 1
    if partial_path(outputs.errors).exists():
        for row, _ in _rows(partial_path(outputs.errors)):
            done.inputs[row["input"]] += 1
            done.errors += 1
    if outputs.records is not None and partial_path(outputs.records).exists():
        part = partial_path(outputs.records)
        tmp = part.with_name(part.name + ".tmp")
        with tmp.open("w", encoding="utf-8", errors="surrogateescape") as dst:
            for row, line in _rows(part, "record_id"):
                if row["record_id"] in keep_ids:
                    dst.write(line)
                    done.records += 1
        tmp.replace(part)
    return done


def _open(path: Path, mode: str, what: str) -> IO[str]:
    try:
        return partial_path(path).open(mode, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write the {what} {partial_path(path)}: "
                          f"{exc.strerror}") from exc  # fmt: skip


def _write_failed(exc: OSError, where: str) -> OutputWriteError:
    no_space = exc.errno in NO_SPACE_ERRNOS
    what = "no space left for" if no_space else "cannot write"
    return OutputWriteError(
        f"{what} {where} ({exc.strerror}); every input finished so far is kept: make room "
        "and run the same command again with --resume to continue",
        no_space=no_space,
    )


class _Sink:
    """One output file (or stdout) and its writer; a failed write becomes OutputWriteError."""

    def __init__(self, fp: IO[str], where: str) -> None:
        self.fp = fp
        self.where = where
        self.writer = JsonlWriter(fp)

    def write(self, item: BaseModel) -> None:
        try:
            self.writer.write(item)
        except OSError as exc:
            raise _write_failed(exc, self.where) from exc

    def close(self) -> None:
        if self.fp is sys.stdout:
            return
        try:
            self.fp.close()
        except OSError as exc:
            raise _write_failed(exc, self.where) from exc


def run_batch(
    specs: list[str],
    *,
    outputs: Outputs,
    jobs: int = 1,
    resume: bool = False,
    stdin: TextIO | None = None,
    progress: Callable[[Summary], None] | None = None,
    fetcher_factory: Callable | None = None,
    budget: Budget | None = None,
) -> Summary:
    """Input specs -> JSON Lines files and a summary; one bad input never stops the batch.

    Raises OutputError / ResumeError before any input is read when the outputs cannot
    be used, OutputBusyError when another run holds them, and OutputWriteError when an
    output stops taking lines (every finished input is kept; resume continues).
    """
    from pipeline.sources import iter_pages
    from pipeline.workers import PagePool

    started = time.perf_counter()
    if resume and (outputs.records is None or outputs.articles is None):
        raise OutputError("--resume needs a records file and an articles file (not stdout)")
    outputs.check()
    with OutputLock(outputs.files()):
        summary = Summary()
        done = _Done()
        if resume:
            done = _done_inputs(outputs)
        _count_done(summary, done)
        mode = "a" if resume else "w"
        sinks: list[_Sink] = []
        try:
            for what, path in outputs.named():
                sinks.append(_Sink(_open(path, mode, what), str(partial_path(path))))
            by_path = {path: sink for (_, path), sink in zip(outputs.named(), sinks, strict=True)}
            records_out = (
                by_path[outputs.records]
                if outputs.records is not None
                else _Sink(sys.stdout, "the records to stdout")
            )
            errors_out = by_path[outputs.errors]
            articles_out = by_path.get(outputs.articles) if outputs.articles else None
            items = iter_pages(specs, stdin=stdin, fetcher_factory=fetcher_factory)
            with PagePool(jobs, budget=budget or Budget()) as pool:
                tasks = identified(items, skip=done.inputs)
                for outcome in pool.run(tasks, upstream=_upstream):
                    t0 = time.perf_counter()
                    # records first, the article line last: it commits the input
                    for record in outcome.records:
                        records_out.write(record)
                    if outcome.error is not None:
                        errors_out.write(outcome.error)
                    elif articles_out is not None and outcome.article is not None:
                        articles_out.write(outcome.article)
                    outcome.timings["write"] = time.perf_counter() - t0
                    summary.add(outcome)
                    summary.replaced_workers = pool.replaced
                    summary.elapsed = time.perf_counter() - started
                    if progress is not None:
                        progress(summary)
            for sink in sinks:
                sink.close()
            sinks = []
            for path in outputs.files():
                try:
                    finish(path)
                except OSError as exc:
                    raise _write_failed(exc, str(path)) from exc
        finally:
            for sink in sinks:  # only after a failure: the first error is the one to report
                if sink.fp is not sys.stdout:
                    with contextlib.suppress(OSError):
                        sink.fp.close()
    summary.elapsed = time.perf_counter() - started
    return summary


def _count_done(summary: Summary, done: _Done) -> None:
    """Fold what an interrupted run committed into the summary of the whole batch."""
    summary.resumed = sum(done.inputs.values())
    summary.inputs += summary.resumed
    summary.pages += done.with_records + done.no_takedown
    summary.with_records += done.with_records
    summary.no_takedown += done.no_takedown
    summary.errors += done.errors
    summary.records += done.records
