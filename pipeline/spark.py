"""WARC files on a Spark cluster -> Parquet (or JSON Lines) datasets records/, articles/, errors/.

The only module that imports pyspark. Nothing of the pipeline is reimplemented here:

1. the driver turns the inputs into a list of files (``plan_inputs``): local paths with
   ``pipeline.sources.iter_files`` (so input names equal ``takedowns extract``'s), Hadoop
   URIs (``hdfs://``, ``s3a://``, ``file:``) listed with Spark's own Hadoop file systems,
   ``@list`` files read line by line (a list with a scheme through ``SparkContext.textFile``);
2. one Spark task per file (``--partitions`` groups them) reads it with
   ``pipeline.sources.iter_file`` (warcio, streaming: a WARC is never held in memory) and
   sends every page through ``pipeline.run.process_item``, the function ``extract`` calls,
   with one ``Extractor`` per Python worker (built by the worker's first partition);
3. the rows are written with Spark's writers and output committers, under a schema derived
   from the Pydantic models (``spark_schema``), and counted for the summary.

A file that is not on a local or mounted path (``s3://``, ``hdfs://``, ``https://``, ...) is
copied in ``COPY_CHUNK_BYTES`` chunks to a temporary file on the task's local disk first:
warcio reads a WARC front to back, but telling a truncated WARC from a whole one needs a
seek past its last record, and a local copy costs a few seconds per GB against the
minutes the pipeline spends on its pages.

Failures: a file that cannot be listed, copied or parsed, and a page that raises, become
error rows; no input fails a stage. A retried or speculative task writes nothing twice:
rows reach the output only through the committed task's files, and record ids are
hashes of the page, so a recomputed partition yields the same rows.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import sys
import tempfile
import time
import types
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import BaseModel
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.functions import col, from_json
from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    BooleanType,
    DataType,
    DateType,
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from models.article import ArticleLine
from models.errors import ErrorLine
from models.page import Page
from models.record import TakedownRecord
from pipeline.errors import FetchError, PipelineError, ReadError
from pipeline.extract import Extractor
from pipeline.magic import GZIP_MAGIC
from pipeline.run import STAGES, PageOutcome, Summary, process_item, repeat_identity
from pipeline.sources import GLOB_CHARS, is_input_name, iter_file, iter_files, list_entry

logger = logging.getLogger(__name__)

APP_NAME = "takedowns"
FORMATS = ("parquet", "jsonl")
# The three datasets under --out and the model of their rows.
DATASETS: dict[str, type[BaseModel]] = {
    "records": TakedownRecord,
    "articles": ArticleLine,
    "errors": ErrorLine,
}
TIMINGS = "timings"  # a partition's seconds per stage, summed into the summary
# Settings the job needs whatever the cluster's defaults: timestamps written as UTC
# instants in standard Parquet (not the legacy INT96 that pandas reads as naive times).
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
}
# One read of a remote file: a few hundred requests for a 1 GB WARC, and nothing beside a
# Python worker's ~200 MB (spaCy and the patterns).
COPY_CHUNK_BYTES = 8 * 1024 * 1024
# pyarrow names S3 "s3"; Hadoop's connectors call it s3a (and formerly s3n).
ARROW_SCHEMES = {"s3a": "s3", "s3n": "s3"}
HTTP_SCHEMES = ("http", "https")
# Where a task's temporary copies go, in order: the executor's own scratch directories
# (YARN: LOCAL_DIRS; standalone: SPARK_LOCAL_DIRS), else the system's temporary directory.
LOCAL_DIR_VARIABLES = ("SPARK_LOCAL_DIRS", "LOCAL_DIRS")

# A work item: (file path or URI, input name) to read in a task, or an input that already
# failed on the driver.
# (file to read, its input name, which repeat of that input in the job: 0 the first), or an
# input that already failed
WorkItem = tuple[str, str, int] | ErrorLine
# A row of a task: (dataset, what the summary counts it as, its JSON line). Rows are JSON
# from the start: pydantic-core writes it fast, it pickles small, the JVM parses it.
Row = tuple[str, str, str]
ROW_SCHEMA = "dataset string, summary string, value string"


# --------------------------------------------------------------------------- schema

_SCALARS: dict[Any, DataType] = {
    str: StringType(),
    bool: BooleanType(),
    int: LongType(),
    float: DoubleType(),
    bytes: BinaryType(),
    date: DateType(),
    datetime: TimestampType(),
}


def spark_schema(model: type[BaseModel]) -> StructType:
    """Pydantic model class -> the Spark schema of its rows: every field, nested models as
    structs, lists as arrays; raises TypeError for a field type with no Spark counterpart."""
    fields = []
    for name, info in model.model_fields.items():
        data_type, nullable = _spark_type(info.annotation, f"{model.__name__}.{name}")
        fields.append(StructField(name, data_type, nullable))
    return StructType(fields)


def _spark_type(annotation: Any, where: str) -> tuple[DataType, bool]:
    """field annotation -> (Spark type, nullable)."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        inner = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"{where}: a union of {inner} has no Spark type")
        return _spark_type(inner[0], where)[0], True
    if origin is Literal:
        kinds = {type(value) for value in get_args(annotation)}
        if len(kinds) != 1:
            raise TypeError(f"{where}: a Literal mixing {kinds} has no Spark type")
        return _spark_type(kinds.pop(), where)[0], False
    if origin is list:
        (item,) = get_args(annotation)
        item_type, item_nullable = _spark_type(item, f"{where}[]")
        return ArrayType(item_type, containsNull=item_nullable), False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return spark_schema(annotation), False
    if annotation in _SCALARS:  # exact types: bool is an int and datetime a date in Python
        return _SCALARS[annotation], False
    raise TypeError(f"{where}: {annotation!r} has no Spark type")


# --------------------------------------------------------------------------- driver: inputs


def plan_inputs(specs: Sequence[str], *, spark: SparkSession) -> list[WorkItem]:
    """input specs -> one work item per file to read, or per input that names none; a file
    named twice is read twice, as ``extract`` does, its second records with ids of their own."""
    items: list[tuple[str, str] | ErrorLine] = []
    for spec in specs:
        if spec.startswith("@") and len(spec) > 1:
            entries = _list_entries(spec[1:], spark)
            if isinstance(entries, ReadError):
                items.append(_error_line(entries, spec))
                continue
            if not entries:
                items.append(_error_line(ReadError("read.no_match", "list has no entries"), spec))
            for entry in entries:
                items.extend(_plan_spec(entry, spark))
        else:
            items.extend(_plan_spec(spec, spark))
    seen: Counter[str] = Counter()
    planned: list[WorkItem] = []
    for item in items:
        if isinstance(item, ErrorLine):
            planned.append(item)
        else:
            planned.append((*item, seen[item[1]]))
            seen[item[1]] += 1
    return planned


def _plan_spec(spec: str, spark: SparkSession) -> list[tuple[str, str] | ErrorLine]:
    """one path, URI, directory or glob -> its work items."""
    scheme = _scheme(spec)
    if not scheme:
        return [
            _error_line(found, spec) if isinstance(found, ReadError) else (str(found[0]), found[1])
            for found in iter_files(spec)
        ]
    name = urlsplit(spec).path.rstrip("/").rsplit("/", 1)[-1]
    if is_input_name(name) and not GLOB_CHARS & set(spec):
        return [(spec, spec)]  # a file by its name: no listing call per file of a long list
    if scheme in HTTP_SCHEMES:
        error = ReadError(
            "read.no_match", "an http(s) input must name a WARC or page file (.warc.gz, ...)"
        )
        return [_error_line(error, spec)]
    return _hadoop_files(spec, spark)


def _scheme(spec: str) -> str:
    """path or URI -> its scheme, lower-cased; "" for a local path (even C:\\ on Windows)."""
    scheme = urlsplit(spec).scheme.lower()
    return scheme if (len(scheme) > 1 and "://" in spec) or scheme == "file" else ""


def _hadoop_files(uri: str, spark: SparkSession) -> list[tuple[str, str] | ErrorLine]:
    """directory or glob URI -> its page and WARC files, sorted, listed by Hadoop's file system
    for the URI's scheme (HDFS, S3A, local, ...), as the cluster is configured."""
    from py4j.protocol import Py4JError

    sc = spark.sparkContext
    jvm = sc._jvm
    assert jvm is not None
    try:
        path = jvm.org.apache.hadoop.fs.Path(uri)
        fs = path.getFileSystem(sc._jsc.hadoopConfiguration())  # type: ignore[union-attr]
        statuses = fs.globStatus(path)
        if statuses is None or len(statuses) == 0:
            if GLOB_CHARS & set(uri):
                error = ReadError("read.no_match", "pattern matches no page files")
            else:
                error = ReadError("read.not_found", "no such file or directory")
            return [_error_line(error, uri)]
        files: list[str] = []
        for status in statuses:
            if status.isDirectory():
                found = fs.listFiles(status.getPath(), True)  # recursive
                while found.hasNext():
                    file_path = found.next().getPath()
                    if is_input_name(file_path.getName()):
                        files.append(file_path.toString())
            elif is_input_name(status.getPath().getName()) or not GLOB_CHARS & set(uri):
                files.append(status.getPath().toString())  # a file named alone is read as is
    except Py4JError as exc:
        return [_error_line(ReadError("read.io", _java_message(exc)), uri)]
    if not files:
        return [_error_line(ReadError("read.no_match", "directory holds no page files"), uri)]
    return [(name, name) for name in sorted(files)]


def _java_message(exc: Exception) -> str:
    """Py4J error -> the Java exception's one-line message."""
    java = getattr(exc, "java_exception", None)
    text = str(java.toString()) if java is not None else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def _list_entries(spec: str, spark: SparkSession) -> list[str] | ReadError:
    """list file (local, or any Hadoop URI; gzip allowed) -> its entries, without blank lines
    and ``#`` comments."""
    lines: list[str] | list[bytes]
    if _scheme(spec):
        from py4j.protocol import Py4JError

        try:
            lines = spark.sparkContext.textFile(spec).collect()  # Hadoop gunzips *.gz
        except Py4JError as exc:
            return ReadError("read.list", f"cannot read list: {_java_message(exc)}")
    else:
        try:
            with open(spec, "rb") as fh:
                data = fh.read()
            if data.startswith(GZIP_MAGIC):  # Common Crawl's listings are warc.paths.gz
                data = gzip.decompress(data)
            lines = data.splitlines()
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            return ReadError("read.list", f"cannot read list: {exc}")
    entries = [list_entry(line, first=n == 0) for n, line in enumerate[str | bytes](lines)]
    return [entry for entry in entries if entry is not None]


def _error_line(error: PipelineError, input: str) -> ErrorLine:
    """an input that failed on the driver -> its error line (as ``extract`` writes it)."""
    if error.input is None:
        error.input = input
    outcome = process_item(error, extractor=None)
    assert outcome.error is not None
    return outcome.error


# --------------------------------------------------------------------------- tasks

_EXTRACTOR: Extractor | None = None


def _worker_extractor() -> Extractor:
    """-> this Python worker's Extractor, loaded by its first partition and kept while Spark
    reuses the worker (spark.python.worker.reuse, on by default)."""
    global _EXTRACTOR
    if _EXTRACTOR is None:
        _EXTRACTOR = Extractor()
    return _EXTRACTOR


def run_partition(items: Iterable[WorkItem]) -> Iterator[Row]:
    """work items of one task -> its rows, then one (TIMINGS, TIMINGS, seconds per stage)
    row; never raises for a bad input."""
    extractor = _worker_extractor()
    timings = dict.fromkeys(STAGES, 0.0)
    for item in items:
        if isinstance(item, ErrorLine):
            yield "errors", "errors", item.model_dump_json()
            continue
        target, input, repeat = item
        for page in read_file(target, input):
            # never raises for a page; a repeated file's pages get ids of their own
            identity = repeat_identity(page.input, repeat) if isinstance(page, Page) else None
            outcome = process_item(page, extractor=extractor, identity=identity)
            for stage, seconds in outcome.timings.items():
                timings[stage] = timings.get(stage, 0.0) + seconds
            yield from _rows(outcome)
    yield TIMINGS, TIMINGS, json.dumps(timings)


def _rows(outcome: PageOutcome) -> Iterator[Row]:
    """one page's outcome -> its rows, records before the article line as ``extract`` writes."""
    for record in outcome.records:
        yield "records", "records", record.model_dump_json()
    if outcome.error is not None:
        yield "errors", "errors", outcome.error.model_dump_json()
    elif outcome.article is not None:
        status = f"articles.{outcome.article.status}"
        yield "articles", status, outcome.article.model_dump_json()


def read_file(target: str, input: str) -> Iterator[Page | PipelineError]:
    """file path or URI + its input name -> its pages and errors (``sources.iter_file``),
    copying a remote file to local disk first; never raises."""
    scheme = _scheme(target)
    try:
        if not scheme:
            yield from iter_file(Path(target), input)
        elif scheme == "file":
            yield from iter_file(Path(urlsplit(target).path), input)
        else:
            with _local_copy(target) as local:
                for item in iter_file(local, input):
                    yield (
                        item.model_copy(update={"path": target}) if isinstance(item, Page) else item
                    )
    except PipelineError as exc:
        exc.input = input
        yield exc
    except Exception as exc:  # noqa: BLE001 (a bug on one file must not fail the task)
        logger.exception("unexpected failure reading %s", target)
        yield ReadError("read.unexpected", f"{type(exc).__name__}: {exc}", input=input)


@contextmanager
def _local_copy(uri: str) -> Iterator[Path]:
    """remote file URI -> a temporary local copy, named as the remote file (its suffix says
    WARC or page), deleted on exit; raises ReadError or FetchError."""
    name = urlsplit(uri).path.rstrip("/").rsplit("/", 1)[-1] or "input"
    with tempfile.TemporaryDirectory(prefix="takedowns-", dir=_scratch_dir()) as tmp:
        local = Path(tmp) / name
        with local.open("wb") as dst:
            if _scheme(uri) in HTTP_SCHEMES:
                _copy_http(uri, dst.write)
            else:
                _copy_arrow(uri, dst.write)
        yield local


def _scratch_dir() -> str | None:
    """-> the executor's first local scratch directory, or None for the system's default."""
    for variable in LOCAL_DIR_VARIABLES:
        first = os.environ.get(variable, "").split(",")[0]
        if first and os.path.isdir(first):
            return first
    return None


def _copy_http(url: str, write: Callable[[bytes], Any]) -> None:
    """http(s) URL -> its body through ``write``, chunk by chunk; raises FetchError."""
    import requests

    from pipeline.fetch import CONNECT_TIMEOUT_S, READ_TIMEOUT_S, USER_AGENT

    try:
        with requests.get(
            url,
            stream=True,
            timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
            headers={"User-Agent": USER_AGENT},
        ) as response:
            if response.status_code != 200:
                raise FetchError(
                    "fetch.http_status",
                    f"HTTP {response.status_code}",
                    status=response.status_code,
                )
            for chunk in response.iter_content(COPY_CHUNK_BYTES):
                write(chunk)
    except requests.Timeout as exc:
        raise FetchError("fetch.timeout", f"timed out: {exc}") from exc
    except requests.RequestException as exc:
        raise FetchError("fetch.connection", f"{type(exc).__name__}: {exc}") from exc


def _copy_arrow(
    uri: str, write: Callable[[bytes], Any], chunk_bytes: int = COPY_CHUNK_BYTES
) -> None:
    """s3://, s3a://, gs://, hdfs:// ... URI -> its bytes through ``write``, read with
    pyarrow's file systems (credentials from the usual environment); raises ReadError."""
    from pyarrow import ArrowException
    from pyarrow import fs as arrow_fs

    scheme = _scheme(uri)
    if scheme in ARROW_SCHEMES:
        uri = ARROW_SCHEMES[scheme] + uri[len(scheme) :]
    try:
        filesystem, path = arrow_fs.FileSystem.from_uri(uri)
        # compression=None: pyarrow would gunzip a *.gz on the fly, and record offsets
        # (record inputs) must be those of the file itself
        with filesystem.open_input_stream(path, compression=None) as src:
            while chunk := src.read(chunk_bytes):
                write(chunk)
    except FileNotFoundError as exc:
        raise ReadError("read.not_found", str(exc)) from exc
    except (OSError, ArrowException) as exc:
        raise ReadError("read.io", f"{type(exc).__name__}: {exc}") from exc


# --------------------------------------------------------------------------- the job


def write_outputs(rows: DataFrame, *, out: str, fmt: str) -> None:
    """rows (``ROW_SCHEMA``) -> one dataset per kind under ``out`` (replaced), through Spark's
    writers and committers: the JSON lines as text, or parsed by the JVM into Parquet."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    for name, model in DATASETS.items():
        path = f"{out.rstrip('/')}/{name}"
        lines = rows.filter(col("dataset") == name).select("value")
        if fmt == "jsonl":
            lines.write.mode("overwrite").text(path)
            continue
        # FAILFAST: a line that does not fit the schema is a bug, never a silent null
        parsed = lines.select(
            from_json(col("value"), spark_schema(model), {"mode": "FAILFAST"}).alias("row")
        ).select("row.*")
        parsed.write.mode("overwrite").parquet(path)


def run_spark(
    specs: Sequence[str],
    *,
    spark: SparkSession,
    out: str,
    partitions: int | None = None,
    fmt: str = "parquet",
) -> Summary:
    """input specs -> records/, articles/ and errors/ under ``out`` and the run's summary
    (inputs = pages with records + pages without + errors)."""
    started = time.perf_counter()
    work = plan_inputs(specs, spark=spark)
    slices = max(1, partitions or len(work))
    tasks = spark.sparkContext.parallelize(work, slices).mapPartitions(run_partition)
    # The pipeline runs once: its rows are kept by the JVM for the three writes and the
    # counts, which then need no Python; a lost block is recomputed to the same rows.
    rows = spark.createDataFrame(tasks, schema=ROW_SCHEMA)
    rows.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        write_outputs(rows, out=out, fmt=fmt)
        counts = {row["summary"]: row["count"] for row in rows.groupBy("summary").count().collect()}
        stage_seconds = [
            json.loads(row["value"])
            for row in rows.filter(col("dataset") == TIMINGS).select("value").collect()
        ]
    finally:
        rows.unpersist()
    summary = Summary(
        records=counts.get("records", 0),
        with_records=counts.get("articles.records", 0),
        no_takedown=counts.get("articles.no_takedown", 0),
        errors=counts.get("errors", 0),
    )
    summary.pages = summary.with_records + summary.no_takedown
    summary.inputs = summary.pages + summary.errors
    for seconds in stage_seconds:
        for stage, value in seconds.items():
            summary.timings[stage] = summary.timings.get(stage, 0.0) + value
    summary.elapsed = time.perf_counter() - started
    return summary


def spark_session(master: str | None = None, conf: dict[str, str] | None = None) -> SparkSession:
    """master URL + settings -> the active Spark session, or a new one with the job's settings.

    Run by ``takedowns spark`` (not ``spark-submit``), Python workers use this interpreter
    unless PYSPARK_PYTHON says otherwise: a local master then needs no setup.
    """
    builder = SparkSession.builder.appName(APP_NAME)
    if master:
        builder = builder.master(master)
    settings = {**SESSION_CONF, **(conf or {})}
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit started the JVM
    if not submitted and "PYSPARK_PYTHON" not in os.environ:
        # PySpark reads the workers' interpreter from this variable when it makes the context
        os.environ["PYSPARK_PYTHON"] = sys.executable
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def run_job(
    specs: Sequence[str],
    *,
    out: str,
    master: str | None = None,
    partitions: int | None = None,
    fmt: str = "parquet",
    conf: dict[str, str] | None = None,
    quiet: bool = False,
) -> tuple[Summary, float]:
    """input specs -> the datasets under ``out``, the summary and the session's start-up
    seconds; reuses an active session (a test's, a notebook's) and stops only one it
    started."""
    started = time.perf_counter()
    active = SparkSession.getActiveSession()
    spark = active or spark_session(master, conf)
    startup = time.perf_counter() - started
    spark.sparkContext.setLogLevel("ERROR" if quiet else "WARN")
    try:
        summary = run_spark(specs, spark=spark, out=out, partitions=partitions, fmt=fmt)
    finally:
        if active is None:
            spark.stop()
    return summary, startup


def main(argv: Sequence[str] | None = None) -> None:
    """``spark-submit`` and ``python -m pipeline.spark`` entry: the ``takedowns spark``
    command's arguments."""
    from pipeline.cli import main as cli_main

    cli_main(["spark", *(sys.argv[1:] if argv is None else argv)], prog_name="takedowns")


__all__ = [
    "DATASETS",
    "FORMATS",
    "main",
    "plan_inputs",
    "read_file",
    "run_job",
    "run_partition",
    "run_spark",
    "spark_schema",
    "spark_session",
    "write_outputs",
]

if __name__ == "__main__":
    main()
