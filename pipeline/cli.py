"""The `takedowns` command line: a thin skin over pipeline.run, check and store.

Heavy libraries (spaCy, trafilatura) are imported inside the commands that need
them, so `takedowns --help` and `takedowns schema` start fast.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

import click

from pipeline import __version__

EXIT_OK, EXIT_FAILED = 0, 1
EXIT_USAGE = 2  # bad usage: click's own UsageError code, and _Refused below
EXIT_OUTPUT = 3  # an output stopped taking lines mid-run (disk full, I/O error)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


class _Refused(click.ClickException):
    """A run refused before any work (outputs unusable or busy): one line, exit 2."""

    exit_code = EXIT_USAGE


class _OutputFailed(click.ClickException):
    """An output stopped taking lines mid-run: one line, exit 3."""

    exit_code = EXIT_OUTPUT


def _usable_cores() -> int:
    """-> the number of cores this process may run on (its CPU affinity)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # trafilatura and htmldate log their own fallbacks per page ("discarding data: None");
    # our clean stage reports how the text was obtained in the article line instead
    for noisy in ("trafilatura", "htmldate", "courlan", "charset_normalizer", "py4j", "warcio"):
        logging.getLogger(noisy).setLevel(logging.ERROR if verbose < 2 else logging.DEBUG)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="takedowns")
def main() -> None:
    """Turn saved news-article pages into structured records of online takedowns.

    Example: takedowns extract fixtures/ -o out/records.jsonl
    """


class _Progress:
    """A tqdm bar on a terminal, plain periodic log lines otherwise, nothing when quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = None
        self.last_log = time.monotonic()
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked
            self.bar = tqdm(unit="page", file=sys.stderr, dynamic_ncols=True)

    def __call__(self, summary) -> None:  # type: ignore[no-untyped-def]
        from pipeline.run import LOG_EVERY_SECONDS

        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(records=summary.records, errors=summary.errors, refresh=False)
        elif not self.quiet and time.monotonic() - self.last_log >= LOG_EVERY_SECONDS:
            self.last_log = time.monotonic()
            logging.getLogger("takedowns").info(
                "%d pages done, %.1f pages/s, %d records, %d errors",
                summary.inputs,
                summary.pages_per_second,
                summary.records,
                summary.errors,
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "-o", "--output", "records", required=True, help="Records file (JSON Lines), or - for stdout."
)
@click.option(
    "--articles",
    help="Article lines file [default: articles.jsonl beside the records file, or in the "
    "current directory with -o -].",
)
@click.option(
    "--errors",
    help="Error lines file [default: errors.jsonl beside the records file].",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes [default: number of cores].",
)
@click.option("--resume", is_flag=True, help="Continue an interrupted run on the same outputs.")
@click.option(
    "--page-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help="Wall-time budget of one page; over it the page is an error line [default: 60].",
)
@click.option(
    "--timings",
    type=click.Path(dir_okay=False),
    help="Write seconds per stage and the summary as JSON here.",
)
@click.option("--user-agent", help="User-Agent for URL inputs.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary on stderr.")
@click.option("-v", "--verbose", count=True, help="More log output (repeat for debug).")
def extract(
    inputs: tuple[str, ...],
    records: str,
    articles: str | None,
    errors: str | None,
    jobs: int | None,
    resume: bool,
    page_timeout: float | None,
    timings: str | None,
    user_agent: str | None,
    quiet: bool,
    verbose: int,
) -> None:
    """Extract takedown records from saved pages, directories, globs, .gz, WARC, URLs,
    @lists and - (a list on stdin).

    Example: takedowns extract fixtures/ -o out/records.jsonl --jobs 2
    """
    from pipeline.budget import Budget
    from pipeline.errors import OutputError, OutputWriteError, ResumeError, WorkerStartError
    from pipeline.model import ModelMissingError, check_model
    from pipeline.run import Outputs, run_batch

    _setup_logging(verbose, quiet)
    if records == "-" and resume:
        raise click.UsageError("--resume needs a records file, not stdout")
    try:
        check_model()  # before any work: a missing pipeline would fail every page alike
    except ModelMissingError as exc:
        raise click.UsageError(str(exc)) from exc
    cores = _usable_cores()
    if jobs is not None and jobs > cores:
        # more workers than cores only adds memory (each holds the NLP pipelines) and
        # switching: measured 7x slower and 2.1 GB with --jobs 16 on 2 cores
        click.echo(f"Warning: --jobs {jobs} is more than the {cores} cores this run may "
                   f"use; using {cores}", err=True)  # fmt: skip
        jobs = cores
    budget = Budget() if page_timeout is None else Budget(page_timeout=page_timeout)
    outputs = Outputs.beside(records, articles=articles, errors=errors)
    fetcher_factory = None
    if user_agent:

        def fetcher_factory():  # type: ignore[no-untyped-def]
            from pipeline.fetch import Fetcher

            return Fetcher(user_agent=user_agent)

    progress = _Progress(quiet)
    try:
        summary = run_batch(
            list(inputs),
            outputs=outputs,
            jobs=jobs or cores,
            resume=resume,
            stdin=sys.stdin,
            progress=progress,
            fetcher_factory=fetcher_factory,
            budget=budget,
        )
    except (OutputError, ResumeError, WorkerStartError) as exc:
        raise _Refused(str(exc)) from exc
    except OutputWriteError as exc:
        raise _OutputFailed(str(exc)) from exc
    except KeyboardInterrupt:
        progress.close()
        click.echo("Interrupted; run the same command with --resume to continue.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        progress.close()
    if timings:
        Path(timings).write_text(json.dumps(summary.as_dict(), indent=2) + "\n")
    if not quiet:
        click.echo(summary.text(), err=True)
        where = ", ".join(str(p) for p in outputs.files())
        click.echo(f"wrote {where}", err=True)
    sys.exit(EXIT_FAILED if summary.errors else EXIT_OK)


@main.command("spark")
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--out",
    required=True,
    help="Output directory (path or Hadoop URI); its records/, articles/, errors/ are replaced.",
)
@click.option("--master", help="Spark master URL [default: spark-submit's, else local[*]].")
@click.option(
    "--partitions",
    type=click.IntRange(min=1),
    help="Spark tasks to spread the files over [default: one per file].",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["parquet", "jsonl"]),
    default="parquet",
    show_default=True,
    help="Output datasets as Parquet or as JSON Lines text.",
)
@click.option("--conf", multiple=True, help="Spark setting KEY=VALUE (repeatable).")
@click.option(
    "--timings",
    type=click.Path(dir_okay=False),
    help="Write the summary, seconds per stage and session start-up as JSON here.",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary; Spark logs errors only.")
@click.option("-v", "--verbose", count=True, help="More log output (repeat for debug).")
def spark(
    inputs: tuple[str, ...],
    out: str,
    master: str | None,
    partitions: int | None,
    fmt: str,
    conf: tuple[str, ...],
    timings: str | None,
    quiet: bool,
    verbose: int,
) -> None:
    """Run extract on Spark: WARC files, folders of them, Hadoop URIs (hdfs://, s3a://) and
    @lists of them in; Parquet datasets records/, articles/, errors/ out.

    Example: takedowns spark crawl/ --out out/spark --master 'local[2]'
    """
    _setup_logging(verbose, quiet)
    settings: dict[str, str] = {}
    for item in conf:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.UsageError(f"--conf wants KEY=VALUE, got {item!r}")
        settings[key.strip()] = value
    from pipeline.spark import run_job

    summary, startup = run_job(
        list(inputs),
        out=out,
        master=master,
        partitions=partitions,
        fmt=fmt,
        conf=settings,
        quiet=quiet,
    )
    if timings:
        report = {**summary.as_dict(), "startup_s": round(startup, 3)}
        Path(timings).write_text(json.dumps(report, indent=2) + "\n")
    if not quiet:
        click.echo(summary.text(), err=True)
        click.echo(f"spark session start-up {startup:.1f} s; wrote {out}", err=True)
    sys.exit(EXIT_FAILED if summary.errors else EXIT_OK)


@main.command()
@click.argument("urls", nargs=-1, required=True)
@click.option(
    "--store",
    "store_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Directory for raw pages and their JSON sidecars.",
)
@click.option(
    "--refresh",
    is_flag=True,
    help="Fetch stored pages again (conditional request with ETag/Last-Modified).",
)
@click.option("--user-agent", help="User-Agent to send.")
@click.option(
    "--delay", type=float, default=None, help="Minimum seconds between requests to one host."
)
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def fetch(
    urls: tuple[str, ...],
    store_dir: str,
    refresh: bool,
    user_agent: str | None,
    delay: float | None,
    quiet: bool,
) -> None:
    """Fetch pages and save their bytes with metadata sidecars (URL..., or @list.txt).

    Example: takedowns fetch @urls.txt --store pages/
    """
    from pipeline.fetch import Fetcher
    from pipeline.store import fetch_to_store

    _setup_logging(0, quiet)
    kwargs: dict = {}
    if user_agent:
        kwargs["user_agent"] = user_agent
    if delay is not None:
        kwargs["host_delay"] = delay
    fetcher = Fetcher(**kwargs)
    failed = 0
    for result in fetch_to_store(
        _expand_urls(urls), Path(store_dir), fetcher=fetcher, refresh=refresh
    ):
        if result.error is not None:
            failed += 1
            click.echo(f"{result.url}: {result.error}", err=True)
        elif not quiet:
            click.echo(f"{result.outcome}\t{result.url}\t{result.path}", err=True)
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


def _expand_urls(specs: tuple[str, ...]) -> list[str]:
    from pipeline.sources import list_entry

    urls: list[str] = []
    for spec in specs:
        if spec.startswith("@"):
            try:
                lines = Path(spec[1:]).read_bytes().splitlines()
            except (OSError, ValueError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                raise _Refused(f"cannot read the list {spec[1:]}: {reason}") from exc
            entries = (list_entry(line, first=n == 0) for n, line in enumerate(lines))
            urls.extend(entry for entry in entries if entry is not None)
        elif spec == "-":
            entries = (list_entry(line, first=n == 0) for n, line in enumerate(sys.stdin))
            urls.extend(entry for entry in entries if entry is not None)
        else:
            urls.append(spec)
    return urls


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False), default="fixtures")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, help="Worker processes.")
def check(directory: str, jobs: int) -> None:
    """Compare the records of each fixture page with its .expected.json, and the events of each
    fixture set with its events.expected.json; per-field P/R/F1.

    Exits 1 when any expected record, event or field is missed or anything extra is produced
    (pages and sets marked known_miss are reported but do not fail).

    Example: takedowns check fixtures/
    """
    from pipeline.check import check_dir, report

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    results = check_dir(Path(directory), jobs=jobs)
    if not results:
        raise click.UsageError(f"no *.html with *.expected.json in {directory}")
    click.echo(report(results))
    sys.exit(EXIT_OK if all(r.passes for r in results) else EXIT_FAILED)


@main.command()
@click.argument("records", nargs=-1, required=True)
@click.option("-o", "--output", required=True, help="Events file (JSON Lines), or - for stdout.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    help="Worker processes comparing records [default: 1]; output is the same for any N.",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
def events(records: tuple[str, ...], output: str, jobs: int, quiet: bool) -> None:
    """Group records of many articles into events: one line per takedown, with every source,
    the figure most sources give, every variant and the conflicts (RECORDS: records.jsonl
    files, or - for stdin).

    Exits 1 when a records line could not be read (the others are still grouped).

    Example: takedowns events out/records.jsonl more/records.jsonl -o out/events.jsonl
    """
    from pipeline.events import InputProblem, group_records, read_records
    from pipeline.writer import JsonlWriter, finish, partial_path

    _setup_logging(0, quiet)
    started = time.perf_counter()
    problems: list[InputProblem] = []
    found, stats = group_records(read_records(records, problems, stdin=sys.stdin), jobs=jobs)
    if output == "-":
        writer = JsonlWriter(sys.stdout)
        for event in found:
            writer.write(event)
    else:
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        with partial_path(path).open("w", encoding="utf-8") as fp:
            writer = JsonlWriter(fp)
            for event in found:
                writer.write(event)
        finish(path)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if not quiet:
        several = sum(1 for e in found if len(e.record_ids) > 1)
        click.echo(
            f"{stats.records} records -> {stats.events} events ({several} with several "
            f"records); {stats.comparisons} pairs compared in {stats.blocks} blocks; "
            f"{len(problems)} unreadable lines; {time.perf_counter() - started:.1f} s",
            err=True,
        )
    sys.exit(EXIT_FAILED if problems else EXIT_OK)


@main.command()
@click.argument("records", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--articles",
    type=click.Path(exists=True, dir_okay=False),
    help="Article lines [default: articles.jsonl beside the records file, if there].",
)
@click.option(
    "--errors",
    type=click.Path(exists=True, dir_okay=False),
    help="Error lines [default: errors.jsonl beside the records file, if there].",
)
@click.option(
    "--events",
    type=click.Path(exists=True, dir_okay=False),
    help="Event lines (from takedowns events): adds a view by event.",
)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="HTML file to write."
)
@click.option("--title", default=None, help="Page title [default: Takedown records].")
def report(
    records: str,
    articles: str | None,
    errors: str | None,
    events: str | None,
    output: str,
    title: str | None,
) -> None:
    """Write a self-contained HTML review page of the records: a filterable table, each
    record's evidence highlighted in its article, summary charts, pages with no takedown,
    errors and (with --events) events.

    Example: takedowns report out/records.jsonl -o out/report.html
    """
    from pipeline.errors import ReportError
    from pipeline.report import DEFAULT_TITLE, load_inputs, render_report, write_report

    try:
        inputs = load_inputs(
            Path(records),
            articles=Path(articles) if articles else None,
            errors=Path(errors) if errors else None,
            events=Path(events) if events else None,
        )
    except ReportError as exc:
        raise click.ClickException(exc.message) from exc
    write_report(render_report(inputs, title=title or DEFAULT_TITLE), Path(output))
    click.echo(f"wrote {output} ({len(inputs.records)} records)", err=True)


@main.command()
@click.option(
    "--what",
    type=click.Choice(["record", "article", "error", "event"]),
    default="record",
    help="Which line's schema to print.",
)
def schema(what: str) -> None:
    """Print the JSON Schema of a records.jsonl line (or an article, error or event line).

    Example: takedowns schema > record.schema.json
    """
    from pydantic import BaseModel

    from models import ArticleLine, ErrorLine, Event, TakedownRecord

    models: dict[str, type[BaseModel]] = {
        "record": TakedownRecord,
        "article": ArticleLine,
        "error": ErrorLine,
        "event": Event,
    }
    model = models[what]
    click.echo(json.dumps(model.model_json_schema(), indent=2))


if __name__ == "__main__":
    main()
