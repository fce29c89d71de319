"""takedowns spark on a real local Spark session: the same records as extract, readable output.

One ``local[2]`` session serves the module (start-up costs ~10 s); the WARC files are
written here with warcio from the fixture pages, plus broken ones.
"""

import datetime
import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import BaseModel, ConfigDict
from pytest_httpserver import HTTPServer
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from models.article import ArticleLine
from models.errors import ErrorLine
from models.page import Page
from models.record import TakedownRecord
from pipeline.cli import main
from pipeline.errors import PipelineError
from tests.conftest import FIXTURES, ROOT

pyspark = pytest.importorskip("pyspark")

from pipeline.spark import (  # noqa: E402  (only where pyspark is installed)
    DATASETS,
    ROW_SCHEMA,
    plan_inputs,
    read_file,
    spark_schema,
    spark_session,
    write_outputs,
)

pytestmark = pytest.mark.spark

PAGES = sorted(FIXTURES.glob("*.html"))
# Pages written for this test: one with no article text (the clean stage fails on it) and
# one that is an image served as HTML (the read stage refuses it).
EMPTY_PAGE = b"<html><head><title>Gallery</title></head><body><img src='a.png'></body></html>"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"


def response(writer: WARCWriter, uri: str, body: bytes, content_type: str, date: str) -> None:
    """Write one WARC response record with status 200."""
    http = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            uri,
            "response",
            payload=io.BytesIO(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )
    )


def write_warc(path: Path, pages: list[Path], *, gz: bool = True, extra: bool = False) -> Path:
    """fixture pages -> a WARC holding each as a response (with a request record before it);
    ``extra`` adds a page with no text, an image as HTML and a real image."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        for n, page in enumerate(pages):
            uri = f"https://news.example.org/{page.stem}"
            request = StatusAndHeaders(
                "GET / HTTP/1.1", [("Host", "news.example.org")], is_http_request=True
            )
            writer.write_record(
                writer.create_warc_record(
                    uri, "request", payload=io.BytesIO(b""), http_headers=request
                )
            )
            date = f"2024-03-{1 + n % 28:02d}T10:00:00Z"
            response(writer, uri, page.read_bytes(), "text/html; charset=utf-8", date)
        if extra:
            response(
                writer,
                "https://news.example.org/gallery",
                EMPTY_PAGE,
                "text/html",
                "2024-03-01T00:00:00Z",
            )
            response(
                writer,
                "https://news.example.org/fake",
                PNG_BYTES,
                "text/html",
                "2024-03-01T00:00:00Z",
            )
            response(
                writer,
                "https://news.example.org/logo.png",
                PNG_BYTES,
                "image/png",
                "2024-03-01T00:00:00Z",
            )
    return path


@pytest.fixture(scope="module")
def warcs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of WARC files holding every fixture page, and broken WARC files."""
    root = tmp_path_factory.mktemp("warcs")
    half = len(PAGES) // 2
    write_warc(root / "a-news.warc.gz", PAGES[:half], extra=True)
    write_warc(root / "b-news.warc", PAGES[half:], gz=False)
    whole = write_warc(root / "whole.tmp", PAGES[:3]).read_bytes()
    (root / "whole.tmp").unlink()
    broken = root / "broken"
    broken.mkdir()
    (broken / "truncated.warc.gz").write_bytes(whole[: int(len(whole) * 0.7)])
    (broken / "garbage.warc").write_bytes(b"this is no WARC file, only text\r\n" * 20)
    (broken / "not-gzip.warc.gz").write_bytes(b"\x1f\x8b" + b"\x00" * 200)
    (broken / "empty.warc.gz").write_bytes(b"")
    return root


@pytest.fixture(scope="module")
def spark():
    session = spark_session(
        "local[2]", {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false"}
    )
    yield session
    session.stop()


def run_extract(inputs: list[str], out: Path) -> dict[str, Any]:
    """``takedowns extract`` in its own process -> its rows and summary."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "extract",
            *inputs,
            "-o",
            str(out / "records.jsonl"),
            "--jobs",
            "2",
            "--quiet",
            "--timings",
            str(out / "timings.json"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode in (0, 1), done.stderr
    return {
        "records": [
            TakedownRecord.model_validate_json(line)
            for line in (out / "records.jsonl").read_text().splitlines()
        ],
        "articles": [
            ArticleLine.model_validate_json(line)
            for line in (out / "articles.jsonl").read_text().splitlines()
        ],
        "errors": [
            ErrorLine.model_validate_json(line)
            for line in (out / "errors.jsonl").read_text().splitlines()
        ],
        "summary": json.loads((out / "timings.json").read_text()),
        "exit": done.returncode,
    }


def run_spark(inputs: list[str], out: Path, *extra: str) -> dict[str, Any]:
    """``takedowns spark`` (on the module's session) -> its exit code and summary."""
    result = CliRunner().invoke(
        main,
        ["spark", *inputs, "--out", str(out), "--timings", str(out / "timings.json"), *extra],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return {"exit": result.exit_code, "summary": json.loads((out / "timings.json").read_text())}


def read_parquet(out: Path) -> dict[str, list[BaseModel]]:
    """Parquet datasets under ``out`` -> their rows as the pipeline's models (pyarrow)."""
    import pyarrow.parquet as pq

    return {
        name: [model.model_validate(row) for row in pq.read_table(out / name).to_pylist()]
        for name, model in DATASETS.items()
    }


def read_jsonl(out: Path) -> dict[str, list[BaseModel]]:
    """JSON Lines datasets under ``out`` -> their rows as the pipeline's models."""
    rows: dict[str, list[BaseModel]] = {}
    for name, model in DATASETS.items():
        lines = [
            line
            for part in sorted((out / name).glob("part-*"))
            for line in part.read_text().splitlines()
        ]
        rows[name] = [model.model_validate_json(line) for line in lines]
    return rows


@pytest.fixture(scope="module")
def extracted(warcs: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run_extract([str(warcs)], tmp_path_factory.mktemp("extract"))


@pytest.fixture(scope="module")
def parquet_run(spark, warcs: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("spark") / "out"
    out.mkdir()
    return {**run_spark([str(warcs)], out), "out": out, "rows": read_parquet(out)}


def by_key(rows: list[Any], key: str) -> dict[str, Any]:
    keyed = {getattr(row, key): row for row in rows}
    assert len(keyed) == len(rows), f"duplicate {key}"
    return keyed


def test_spark_records_equal_extract_field_by_field(parquet_run, extracted) -> None:
    spark_records = by_key(parquet_run["rows"]["records"], "record_id")
    extract_records = by_key(extracted["records"], "record_id")
    assert set(spark_records) == set(extract_records)
    assert len(extract_records) > 30  # the fixture pages hold dozens of takedowns
    for record_id, record in extract_records.items():
        assert spark_records[record_id] == record, record_id


def test_spark_articles_and_errors_equal_extract(parquet_run, extracted) -> None:
    assert by_key(parquet_run["rows"]["articles"], "input") == by_key(
        extracted["articles"], "input"
    )
    spark_errors = sorted((e.input, e.code, e.message) for e in parquet_run["rows"]["errors"])
    assert spark_errors == sorted((e.input, e.code, e.message) for e in extracted["errors"])


def test_spark_broken_warcs_become_error_rows(parquet_run, warcs: Path) -> None:
    codes = {Path(e.input.split("#")[0]).name: e.code for e in parquet_run["rows"]["errors"]}
    assert codes["truncated.warc.gz"] == "read.warc"
    assert codes["garbage.warc"] == "read.warc"
    assert codes["not-gzip.warc.gz"] == "read.warc"
    assert codes["empty.warc.gz"] == "read.empty"
    in_news = [e for e in parquet_run["rows"]["errors"] if "/a-news.warc.gz#" in e.input]
    assert sorted(e.code for e in in_news) == ["clean.no_text", "read.binary"]
    assert [e.url for e in in_news if e.code == "clean.no_text"] == [
        "https://news.example.org/gallery"
    ]
    # the pages before the cut of the truncated WARC are read, as extract reads them
    truncated = str(warcs / "broken" / "truncated.warc.gz")
    assert any(a.input.startswith(truncated) for a in parquet_run["rows"]["articles"])
    assert parquet_run["exit"] == 1  # errors, as extract reports them


def test_spark_summary_adds_up(parquet_run, extracted) -> None:
    summary = parquet_run["summary"]
    rows = parquet_run["rows"]
    assert summary["inputs"] == (
        summary["pages_with_records"] + summary["pages_without_takedown"] + summary["errors"]
    )
    assert summary["inputs"] == len(rows["articles"]) + len(rows["errors"])
    assert summary["records"] == len(rows["records"])
    assert summary["pages_with_records"] == sum(a.status == "records" for a in rows["articles"])
    for key in ("inputs", "records", "pages_with_records", "pages_without_takedown", "errors"):
        assert summary[key] == extracted["summary"][key], key
    assert summary["timings_s"]["clean"] > 0 and summary["startup_s"] >= 0


def test_spark_output_reads_in_pandas_and_duckdb(parquet_run, extracted) -> None:
    import duckdb
    import pandas as pd

    out = parquet_run["out"]
    frame = pd.read_parquet(out / "records")
    assert set(frame["record_id"]) == {r.record_id for r in extracted["records"]}
    expected_actors = sorted(
        (r.record_id, r.actor.name if r.actor else None) for r in extracted["records"]
    )
    rows = duckdb.sql(
        f"SELECT record_id, actor.name FROM read_parquet('{out}/records/*.parquet') ORDER BY 1"
    ).fetchall()
    assert sorted(rows) == expected_actors
    counts = duckdb.sql(
        f"SELECT status, count(*) FROM read_parquet('{out}/articles/*.parquet') GROUP BY 1"
    ).fetchall()
    assert dict(counts) == {
        "records": extracted["summary"]["pages_with_records"],
        "no_takedown": extracted["summary"]["pages_without_takedown"],
    }
    published = duckdb.sql(
        f"SELECT typeof(source.published), typeof(source.fetched_at) "
        f"FROM read_parquet('{out}/records/*.parquet') LIMIT 1"
    ).fetchall()[0]
    assert published == ("DATE", "TIMESTAMP WITH TIME ZONE")


@pytest.mark.parametrize("extra", [["--format", "jsonl"], ["--partitions", "1"]])
def test_spark_same_records_in_any_format_and_partitioning(
    spark, warcs: Path, extracted, tmp_path: Path, extra: list[str]
) -> None:
    run = run_spark([str(warcs)], tmp_path, *extra)
    rows = read_jsonl(tmp_path) if "jsonl" in extra else read_parquet(tmp_path)
    assert by_key(rows["records"], "record_id") == by_key(extracted["records"], "record_id")
    assert by_key(rows["articles"], "input") == by_key(extracted["articles"], "input")
    assert run["summary"]["inputs"] == extracted["summary"]["inputs"]


def test_spark_rerun_on_the_same_out_doubles_nothing(spark, tmp_path: Path) -> None:
    warc = write_warc(tmp_path / "one.warc.gz", PAGES[:4])
    out = tmp_path / "out"
    first = run_spark([str(warc)], out)
    ids = sorted(r.record_id for r in read_parquet(out)["records"])
    second = run_spark([str(warc)], out)
    assert sorted(r.record_id for r in read_parquet(out)["records"]) == ids
    assert len(ids) == len(set(ids)) == first["summary"]["records"] == second["summary"]["records"]


def test_spark_a_warc_named_twice_is_read_twice_with_ids_of_its_own(spark, tmp_path: Path) -> None:
    # as extract does: the second reading's records are records of their own, not doubles
    warc = write_warc(tmp_path / "twice.warc.gz", PAGES[:2])
    run_spark([str(warc), str(warc)], tmp_path / "spark")
    once = run_extract([str(warc)], tmp_path / "once")["records"]
    twice = run_extract([str(warc), str(warc)], tmp_path / "twice")["records"]
    ids = [r.record_id for r in read_parquet(tmp_path / "spark")["records"]]
    assert len(once) > 0
    assert len(ids) == len(set(ids)) == 2 * len(once)
    assert sorted(ids) == sorted(r.record_id for r in twice)


def test_spark_reads_lists_and_hadoop_uris(spark, warcs: Path, tmp_path: Path) -> None:
    listing = tmp_path / "warcs.txt.gz"
    listing.write_bytes(
        gzip.compress(f"# news crawl\n{warcs / 'b-news.warc'}\n\nfile://{warcs}/broken/\n".encode())
    )
    items = plan_inputs([f"@{listing}", f"file://{warcs}/a-*.warc.gz"], spark=spark)
    names = [item[1] if isinstance(item, tuple) else item.input for item in items]
    assert all(item[2] == 0 for item in items if isinstance(item, tuple))  # no file twice
    assert names == [
        str(warcs / "b-news.warc"),
        f"file:{warcs}/broken/empty.warc.gz",
        f"file:{warcs}/broken/garbage.warc",
        f"file:{warcs}/broken/not-gzip.warc.gz",
        f"file:{warcs}/broken/truncated.warc.gz",
        f"file:{warcs}/a-news.warc.gz",
    ]
    target, input, _ = items[-1]
    pages = [p for p in read_file(target, input) if isinstance(p, Page)]
    assert [p.input.split("#")[0] for p in pages] == [f"file:{warcs}/a-news.warc.gz"] * len(pages)
    assert len(pages) == len(PAGES) // 2 + 1  # the image served as HTML is refused


@pytest.mark.parametrize(
    ("spec", "code"),
    [
        ("missing.warc.gz", "read.not_found"),
        ("*.warc.gz", "read.no_match"),
        ("file://{tmp}/nothing-here/", "read.not_found"),
        ("file://{tmp}/*.warc", "read.no_match"),
        ("@{tmp}/no-list.txt", "read.list"),
        ("https://data.example.org/crawl/", "read.no_match"),
    ],
)
def test_spark_inputs_that_name_no_file_are_error_rows(
    spark, tmp_path: Path, spec: str, code: str
) -> None:
    spec = spec.replace("{tmp}", str(tmp_path))
    if "{" not in spec and not spec.startswith(("file:", "@", "https:")):
        spec = str(tmp_path / spec)
    (item,) = plan_inputs([spec], spark=spark)
    assert isinstance(item, ErrorLine)
    assert (item.code, item.input) == (code, spec)


@pytest.mark.parametrize("conf", ["spark.ui.enabled", "=false"])
def test_spark_bad_conf_is_a_usage_error(tmp_path: Path, conf: str) -> None:
    result = CliRunner().invoke(main, ["spark", "x.warc", "--out", str(tmp_path), "--conf", conf])
    assert result.exit_code == 2
    assert f"Error: --conf wants KEY=VALUE, got {conf!r}" in result.output


def test_spark_reads_a_warc_over_http(httpserver: HTTPServer, tmp_path: Path) -> None:
    warc = write_warc(tmp_path / "served.warc.gz", PAGES[:2])
    httpserver.expect_request("/crawl/served.warc.gz").respond_with_data(warc.read_bytes())
    httpserver.expect_request("/crawl/gone.warc.gz").respond_with_data("no", status=404)
    url = httpserver.url_for("/crawl/served.warc.gz")
    pages = list(read_file(url, url))
    local = [p for p in read_file(str(warc), str(warc)) if isinstance(p, Page)]
    assert all(isinstance(p, Page) for p in pages), pages
    assert [(p.input, p.path, p.body) for p in pages if isinstance(p, Page)] == [
        (p.input.replace(str(warc), url), url, p.body) for p in local
    ]
    gone = httpserver.url_for("/crawl/gone.warc.gz")
    (error,) = read_file(gone, gone)
    assert isinstance(error, PipelineError)
    assert (error.code, error.input) == ("fetch.http_status", gone)


# No network here: only URIs that fail before any connection (no test waits on a cloud).
@pytest.mark.parametrize(
    ("uri", "code"), [("nofs://bucket/crawl/x.warc.gz", "read.io")], ids=["unknown-scheme"]
)
def test_spark_unreadable_remote_file_is_an_error(uri: str, code: str) -> None:
    (error,) = read_file(uri, uri)
    assert isinstance(error, PipelineError)
    assert (error.code, error.input) == (code, uri)


def test_spark_copies_through_arrow_file_systems_in_chunks(tmp_path: Path) -> None:
    from pipeline.spark import _copy_arrow

    warc = write_warc(tmp_path / "local.warc.gz", PAGES[:3])
    chunks: list[bytes] = []
    _copy_arrow(f"file://{warc}", chunks.append, chunk_bytes=4096)
    assert len(chunks) > 1 and all(len(c) <= 4096 for c in chunks)
    assert b"".join(chunks) == warc.read_bytes()
    with pytest.raises(PipelineError) as missing:
        _copy_arrow(f"file://{tmp_path}/missing.warc.gz", chunks.append)
    assert missing.value.code == "read.not_found"


# --------------------------------------------------------------------------- schema


def _json_type(prop: dict[str, Any], defs: dict[str, Any]) -> tuple[str, bool]:
    """JSON Schema property -> (type name, nullable), following $ref and anyOf with null."""
    if "$ref" in prop:
        return _json_type(defs[prop["$ref"].split("/")[-1]], defs)
    if "anyOf" in prop:
        (inner,) = [p for p in prop["anyOf"] if p.get("type") != "null"]
        return _json_type(inner, defs)[0], True
    if "enum" in prop:
        return "string", False
    kind = prop["type"]
    if kind == "string" and prop.get("format") in ("date", "date-time", "binary"):
        return prop["format"], False
    return kind, False


SPARK_FOR_JSON = {
    "string": "StringType",
    "integer": "LongType",
    "number": "DoubleType",
    "boolean": "BooleanType",
    "date": "DateType",
    "date-time": "TimestampType",
    "array": "ArrayType",
    "object": "StructType",
}


def _check_struct(struct, schema: dict[str, Any], defs: dict[str, Any], where: str) -> int:
    """Spark struct + the model's JSON Schema -> fields checked; fails on any difference."""
    fields = {f.name: f for f in struct.fields}
    assert list(fields) == list(schema["properties"]), where
    checked = 0
    for name, prop in schema["properties"].items():
        field = fields[name]
        kind, nullable = _json_type(prop, defs)
        assert type(field.dataType).__name__ == SPARK_FOR_JSON[kind], f"{where}.{name}"
        assert field.nullable == nullable, f"{where}.{name}"
        checked += 1
        inner = _resolve(prop, defs)
        if kind == "object":
            checked += _check_struct(field.dataType, inner, defs, f"{where}.{name}")
        elif kind == "array":
            items = _resolve(inner["items"], defs)
            if "properties" in items:
                checked += _check_struct(
                    field.dataType.elementType, items, defs, f"{where}.{name}[]"
                )
    return checked


def _resolve(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in prop:
        return _resolve(defs[prop["$ref"].split("/")[-1]], defs)
    if "anyOf" in prop:
        (inner,) = [p for p in prop["anyOf"] if p.get("type") != "null"]
        return _resolve(inner, defs)
    return prop


@pytest.mark.parametrize("model", list(DATASETS.values()), ids=list(DATASETS))
def test_spark_schema_has_every_model_field_with_its_type(model: type[BaseModel]) -> None:
    schema = model.model_json_schema()
    checked = _check_struct(spark_schema(model), schema, schema.get("$defs", {}), model.__name__)
    assert checked >= len(model.model_fields)


def test_spark_schema_round_trips_real_records(spark, extracted, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    records = [r for r in extracted["records"] if r.reach or r.total][:3] + extracted["records"][:2]
    assert any(r.total for r in records) and any(r.reach for r in records)
    # a capture time to the microsecond, in another zone, and none at all
    plus_five = datetime.timezone(datetime.timedelta(hours=5))
    when = datetime.datetime(2024, 3, 1, 23, 59, 58, 123456, tzinfo=plus_five)
    records[0] = records[0].model_copy(
        update={"source": records[0].source.model_copy(update={"fetched_at": when})}
    )
    records[1] = records[1].model_copy(
        update={"source": records[1].source.model_copy(update={"fetched_at": None})}
    )
    rows = spark.createDataFrame(
        [("records", "records", r.model_dump_json()) for r in records], schema=ROW_SCHEMA
    ).coalesce(1)
    write_outputs(rows, out=str(tmp_path), fmt="parquet")
    back = pq.read_table(tmp_path / "records").to_pylist()
    assert [TakedownRecord.model_validate(row) for row in back] == records
    assert pq.read_table(tmp_path / "articles").num_rows == 0


class _Unmapped(BaseModel):
    model_config = ConfigDict(extra="forbid")
    when: datetime.time


def test_spark_schema_refuses_a_type_it_cannot_map() -> None:
    with pytest.raises(TypeError, match="_Unmapped.when"):
        spark_schema(_Unmapped)


def test_spark_submit_runs_the_job(warcs: Path, tmp_path: Path) -> None:
    submit = Path(sys.executable).parent / "spark-submit"
    out = tmp_path / "out"
    done = subprocess.run(
        [
            str(submit),
            "--master",
            "local[1]",
            "--conf",
            "spark.ui.enabled=false",
            str(ROOT / "scripts" / "spark_job.py"),
            str(warcs / "b-news.warc"),
            "--out",
            str(out),
            "--format",
            "jsonl",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("PYSPARK")},
            "PYSPARK_PYTHON": sys.executable,
        },
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = read_jsonl(out)
    assert len(rows["articles"]) == len(PAGES) - len(PAGES) // 2
    with_records = sum(a.status == "records" for a in rows["articles"])
    # spark-submit's PythonRunner sends the driver's stderr to its own stdout
    output = (done.stdout + done.stderr).splitlines()
    (summary,) = [line for line in output if line.startswith("inputs ")]
    assert summary.startswith(f"inputs {len(rows['articles'])}: {with_records} pages with records")
