"""Batch runs: every input accounted for, identical output for any --jobs, kill -9 + --resume."""

import gzip
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.run import Outputs, run_batch
from tests.conftest import FIXTURES

PAGES = sorted(FIXTURES.glob("*.html"))


def _copies(directory: Path, n: int) -> Path:
    """n pages (fixtures repeated), named so their order is the sorted order."""
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        src = PAGES[i % len(PAGES)]
        shutil.copy(src, directory / f"{i:04d}-{src.name}")
    return directory


def _warc(path: Path) -> Path:
    with path.open("wb") as fp:
        writer = WARCWriter(fp, gzip=True)
        for n, page in enumerate(PAGES[:2]):
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                f"https://example.org/warc/{n}",
                "response",
                payload=io.BytesIO(page.read_bytes()),
                http_headers=headers,
            )
            writer.write_record(record)
    return path


def test_run_mixed_batch_loses_nothing(tmp_path, httpserver):
    good = _copies(tmp_path / "good", 3)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.html").write_bytes(b"")
    (bad / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    (bad / "cut.html.gz").write_bytes(gzip.compress(PAGES[0].read_bytes())[:300])
    (bad / "latin.html").write_bytes(b"<html><body><p>caf\xe9 \xff\xfe news</p></body></html>")
    warc = _warc(tmp_path / "pages.warc.gz")
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/ok").respond_with_data(
        PAGES[0].read_bytes(), content_type="text/html; charset=utf-8"
    )
    httpserver.expect_request("/broken").respond_with_data("nope", status=404)
    specs = [
        str(good),
        str(bad),
        str(warc),
        httpserver.url_for("/ok"),
        httpserver.url_for("/broken"),
        str(tmp_path / "missing.html"),
    ]
    out = Outputs.beside(str(tmp_path / "out" / "records.jsonl"), articles=None, errors=None)
    summary = run_batch(specs, outputs=out, jobs=2)
    articles = [json.loads(x) for x in out.articles.read_text().splitlines()]
    errors = [json.loads(x) for x in out.errors.read_text().splitlines()]
    records = out.records.read_text().splitlines()
    assert summary.inputs == summary.with_records + summary.no_takedown + summary.errors
    assert summary.inputs == len(articles) + len(errors)
    assert summary.records == len(records)
    codes = sorted(e["code"] for e in errors)
    assert codes == [
        "fetch.http_status",
        "read.binary",
        "read.empty",
        "read.gzip",
        "read.not_found",
    ]
    assert any(a["source"]["url"] == httpserver.url_for("/ok") for a in articles)
    assert sum(a["input"].startswith(str(warc)) for a in articles) == 2
    assert len(articles) == 3 + 1 + 2 + 1  # good pages, latin page, WARC pages, fetched page


def test_run_output_identical_for_any_jobs(tmp_path):
    pages = _copies(tmp_path / "pages", 30)
    outputs = {}
    for jobs in (1, 2):
        out = Outputs.beside(
            str(tmp_path / f"j{jobs}" / "records.jsonl"), articles=None, errors=None
        )
        run_batch([str(pages)], outputs=out, jobs=jobs)
        outputs[jobs] = (out.records.read_bytes(), out.articles.read_bytes())
    assert outputs[1] == outputs[2]
    assert outputs[1][0].count(b"\n") > 10


def _extract_cmd(pages: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pipeline",
        "extract",
        str(pages),
        "-o",
        str(out / "records.jsonl"),
        "--jobs",
        "2",
        "--quiet",
        *extra,
    ]


@pytest.mark.parametrize("kill_after_lines", [3, 25])
def test_run_resume_after_kill_9(tmp_path, kill_after_lines):
    pages = _copies(tmp_path / "pages", 60)
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    subprocess.run(_extract_cmd(pages, whole), check=True)
    proc = subprocess.Popen(_extract_cmd(pages, cut), start_new_session=True)
    partial = cut / "articles.jsonl.partial"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if partial.exists() and partial.read_bytes().count(b"\n") >= kill_after_lines:
            break
        if proc.poll() is not None:
            break
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert partial.exists(), "the run finished before it could be killed"
    # a torn write: half a line at the end of the records file
    with (cut / "records.jsonl.partial").open("ab") as fp:
        fp.write(b'{"schema_version": "1", "record_id": "torn')
    subprocess.run(_extract_cmd(pages, cut, "--resume"), check=True)
    for name in ("records.jsonl", "articles.jsonl", "errors.jsonl"):
        assert (cut / name).read_bytes() == (whole / name).read_bytes(), name
    assert not list(cut.glob("*.partial"))


@pytest.mark.parametrize(
    ("declared", "body_encoding"),
    [("iso-8859-1", "utf-8"), ("utf-8", "cp1256"), ("windows-1252", "utf-16")],
)
def test_run_served_page_with_wrong_declared_charset(httpserver, declared, body_encoding):
    """A server that lies about the charset: the text still comes out right, end to end."""
    from pipeline.extract import Extractor
    from pipeline.fetch import Fetcher
    from pipeline.run import process_page

    sentence = (
        "حجبت الهيئة المواقع الإلكترونية"
        if body_encoding == "cp1256"
        else ("सरकार ने वेबसाइटें ब्लॉक कीं" if body_encoding == "utf-8" else "Café société")
    )
    paragraphs = "".join(f"<p>{sentence} {n}. {sentence}.</p>" for n in range(12))
    html = f"<html><body><article><h1>x</h1>{paragraphs}</article></body></html>"
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/page").respond_with_data(
        html.encode(body_encoding), content_type=f"text/html; charset={declared}"
    )
    page = Fetcher(host_delay=0).fetch(httpserver.url_for("/page"))
    outcome = process_page(page, extractor=Extractor())
    assert outcome.error is None, outcome.error
    assert sentence in outcome.article.text
