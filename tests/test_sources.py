"""Tests for pipeline.sources: every input form, WARC records, sidecars, bad inputs."""

import contextlib
import gzip
import io
import json
import os
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from models.page import Page
from pipeline.errors import PipelineError, ReadError
from pipeline.sources import MAX_PAGE_BYTES, PageFetcher, iter_file, iter_files, iter_pages

PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"


def html(title: str) -> bytes:
    """title -> a small saved page holding that title."""
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title></head>"
        f"<body><article><p>{title}: the regulator blocked a set of sites.</p></article>"
        "</body></html>"
    ).encode()


def outcome(items: Iterable[Page | PipelineError]) -> list[tuple[str, str]]:
    """iter_pages output -> [("page", input) | (error code, input)] in order."""
    result = []
    for item in items:
        if isinstance(item, Page):
            result.append(("page", item.input))
        else:
            assert item.input is not None, f"error without input: {item}"
            result.append((item.code, item.input))
    return result


def write(path: Path, data: bytes) -> str:
    """path + bytes -> the path as a string, after writing the bytes (and parents)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def response_record(
    writer: WARCWriter, uri: str, status: str, content_type: str, body: bytes, date: str
) -> None:
    """Write one WARC response record."""
    http = StatusAndHeaders(
        status,
        [("Content-Type", content_type), ("Content-Length", str(len(body)))],
        protocol="HTTP/1.1",
    )
    record = writer.create_warc_record(
        uri,
        "response",
        payload=io.BytesIO(body),
        http_headers=http,
        warc_headers_dict={"WARC-Date": date},
    )
    writer.write_record(record)


def request_record(writer: WARCWriter, uri: str) -> None:
    """Write one WARC request record."""
    http = StatusAndHeaders(
        "GET /one HTTP/1.1", [("Host", "news.example.org")], is_http_request=True
    )
    record = writer.create_warc_record(uri, "request", payload=io.BytesIO(b""), http_headers=http)
    writer.write_record(record)


def write_warc(path: Path, *, gz: bool) -> None:
    """Write a WARC holding 2 HTML 200 responses among an image, a request and a 404."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        request_record(writer, "https://news.example.org/one")
        response_record(
            writer,
            "https://news.example.org/one",
            "200 OK",
            "text/html; charset=utf-8",
            html("first page"),
            "2020-09-03T10:00:00Z",
        )
        response_record(
            writer,
            "https://news.example.org/logo.png",
            "200 OK",
            "image/png",
            PNG_BYTES,
            "2020-09-03T10:00:01Z",
        )
        response_record(
            writer,
            "https://news.example.org/gone",
            "404 Not Found",
            "text/html",
            html("not found"),
            "2020-09-03T10:00:02Z",
        )
        response_record(
            writer,
            "https://news.example.org/two",
            "200 OK",
            "application/xhtml+xml",
            html("second page"),
            "2021-02-24T08:30:15Z",
        )


@pytest.mark.parametrize("name", ["story.html", "story.htm", "story.txt"])
def test_sources_reads_named_file(tmp_path: Path, name: str) -> None:
    spec = write(tmp_path / name, html("one"))
    (page,) = list(iter_pages([spec]))
    assert isinstance(page, Page)
    assert (page.input, page.path, page.body, page.url) == (spec, spec, html("one"), None)


@pytest.mark.parametrize("name", ["story.html.gz", "story.htm.gz", "story.html"])
def test_sources_gunzips_file(tmp_path: Path, name: str) -> None:
    spec = write(tmp_path / name, gzip.compress(html("zipped")))
    (page,) = list(iter_pages([spec]))
    assert isinstance(page, Page)
    assert page.body == html("zipped")


@pytest.mark.parametrize("spec_suffix", ["", "/"])
def test_sources_walks_nested_directory_in_sorted_order(tmp_path: Path, spec_suffix: str) -> None:
    root = tmp_path / "saved"
    write(root / "b.html", html("b"))
    write(root / "a" / "z.htm", html("a/z"))
    write(root / "a" / "deep" / "c.html.gz", gzip.compress(html("a/deep/c")))
    write(root / "a.html", html("a"))
    write(root / "c.HTML", html("c"))
    write(root / "notes.txt", b"not a page")
    write(root / "b.html.json", b"{}")
    write(root / "logo.png", PNG_BYTES)
    write_warc(root / "crawl.warc.gz", gz=True)
    items = list(iter_pages([str(root) + spec_suffix]))
    inputs = [item.input for item in items]
    assert all(isinstance(item, Page) for item in items), items
    files = [i for i in inputs if "#" not in i]
    assert [os.path.relpath(i, root) for i in files] == [
        "a.html",
        "a/deep/c.html.gz",
        "a/z.htm",
        "b.html",
        "c.HTML",
    ]
    assert [i.split("#")[0] for i in inputs if "#" in i] == [str(root / "crawl.warc.gz")] * 2


@pytest.mark.parametrize("link_name", ["loop", "zz-loop"])
def test_sources_walk_does_not_follow_symlink_loops(tmp_path: Path, link_name: str) -> None:
    root = tmp_path / "saved"
    page = write(root / "inner" / "page.html", html("inner"))
    (root / "inner" / link_name).symlink_to(root, target_is_directory=True)
    assert outcome(iter_pages([str(root)])) == [("page", page)]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("*.html", ["a.html", "b.html"]),
        ("**/*.html", ["a.html", "b.html", "sub/c.html"]),
        ("**", ["a.html", "b.html", "sub/c.html", "sub/d.htm.gz"]),
        ("sub/?.htm*", ["sub/c.html", "sub/d.htm.gz"]),
        ("[ab].html", ["a.html", "b.html"]),
    ],
)
def test_sources_expands_glob(tmp_path: Path, pattern: str, expected: list[str]) -> None:
    write(tmp_path / "b.html", html("b"))
    write(tmp_path / "a.html", html("a"))
    write(tmp_path / "a.html.json", b'{"url": "https://news.example.org/a"}')
    write(tmp_path / "sub" / "c.html", html("c"))
    write(tmp_path / "sub" / "d.htm.gz", gzip.compress(html("d")))
    write(tmp_path / "sub" / "e.txt", b"text")
    items = list(iter_pages([str(tmp_path / pattern)]))
    assert outcome(items) == [("page", str(tmp_path / name)) for name in expected]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_sources_reads_list_file_skipping_comments(tmp_path: Path, newline: str) -> None:
    first = write(tmp_path / "one.html", html("one"))
    second = write(tmp_path / "pages" / "two.html", html("two"))
    lines = ["# saved pages", "", first, "   ", "  # indented comment", f"  {second}  "]
    listing = tmp_path / "inputs.txt"
    listing.write_bytes(newline.join(lines).encode())
    assert outcome(iter_pages([f"@{listing}"])) == [("page", first), ("page", second)]


@pytest.mark.parametrize("extra", ["", "# trailing comment\n"])
def test_sources_reads_stdin_list(tmp_path: Path, extra: str) -> None:
    first = write(tmp_path / "one.html", html("one"))
    stdin = io.StringIO(f"# from a pipe\n{first}\n\n{tmp_path / 'missing.html'}\n{extra}")
    assert outcome(iter_pages(["-"], stdin=stdin)) == [
        ("page", first),
        ("read.not_found", str(tmp_path / "missing.html")),
    ]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (None, "read.list"),
        (b"# only comments\n\n", "read.no_match"),
        ("directory", "read.list"),
    ],
    ids=["missing", "no-entries", "directory"],
)
def test_sources_bad_list_is_one_error(
    tmp_path: Path, content: bytes | str | None, code: str
) -> None:
    listing = tmp_path / "inputs.txt"
    if content == "directory":
        listing.mkdir()
    elif isinstance(content, bytes):
        listing.write_bytes(content)
    good = write(tmp_path / "good.html", html("good"))
    assert outcome(iter_pages([f"@{listing}", good])) == [(code, f"@{listing}"), ("page", good)]


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_sources_reads_html_responses_from_warc(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    write_warc(path, gz=gz)
    items = list(iter_pages([str(path)]))
    assert all(isinstance(item, Page) for item in items), items
    pages = [item for item in items if isinstance(item, Page)]
    assert [(p.url, p.fetched_at) for p in pages] == [
        ("https://news.example.org/one", datetime(2020, 9, 3, 10, 0, 0, tzinfo=UTC)),
        ("https://news.example.org/two", datetime(2021, 2, 24, 8, 30, 15, tzinfo=UTC)),
    ]
    assert [p.body for p in pages] == [html("first page"), html("second page")]
    assert [p.status for p in pages] == [200, 200]
    assert [p.path for p in pages] == [str(path), str(path)]
    offsets = [p.input.removeprefix(f"{path}#") for p in pages]
    assert all(o.isdigit() for o in offsets) and len(set(offsets)) == 2, offsets
    # Each offset points at its record, as in a CDX index: reading from there finds it.
    for page, offset in zip(pages, offsets, strict=True):
        with open(path, "rb") as fh:
            fh.seek(int(offset))
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_headers.get_header("WARC-Target-URI") == page.url


@pytest.mark.parametrize("spec_suffix", ["", "/**"])
def test_sources_iter_files_names_what_iter_pages_reads(tmp_path: Path, spec_suffix: str) -> None:
    root = tmp_path / "saved"
    write(root / "b.html", html("b"))
    (root / "a").mkdir()
    write_warc(root / "a" / "crawl.warc.gz", gz=True)
    write(root / "a.htm", html("a"))
    write(root / "notes.txt", b"not a page")
    files = list(iter_files(str(root) + spec_suffix))
    assert all(isinstance(f, tuple) for f in files), files
    pages = [page for found in files if isinstance(found, tuple) for page in iter_file(*found)]
    assert [p.input for p in pages if isinstance(p, Page)] == [
        p.input for p in iter_pages([str(root) + spec_suffix]) if isinstance(p, Page)
    ]
    assert len(pages) == 4


@pytest.mark.parametrize(
    ("name", "code"), [("missing.warc.gz", "read.not_found"), ("*.warc", "read.no_match")]
)
def test_sources_iter_files_names_no_file(tmp_path: Path, name: str, code: str) -> None:
    spec = str(tmp_path / name)
    (error,) = list(iter_files(spec))
    assert isinstance(error, ReadError)
    assert (error.code, error.input) == (code, spec)


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_sources_iter_file_names_records_after_the_given_input(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("copy.warc.gz" if gz else "copy.warc")
    write_warc(path, gz=gz)
    uri = "s3://bucket/crawl/copy.warc.gz"
    pages = list(iter_file(path, uri))
    assert all(isinstance(p, Page) for p in pages), pages
    direct = [p for p in iter_pages([str(path)]) if isinstance(p, Page)]
    assert [p.input for p in pages if isinstance(p, Page)] == [
        p.input.replace(str(path), uri) for p in direct
    ]


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
@pytest.mark.parametrize("keep", [0.5, 0.8, 0.97])
def test_sources_truncated_warc_yields_error(tmp_path: Path, gz: bool, keep: float) -> None:
    whole = tmp_path / "whole.warc"
    write_warc(whole, gz=gz)
    data = whole.read_bytes()
    cut = write(tmp_path / ("cut.warc.gz" if gz else "cut.warc"), data[: int(len(data) * keep)])
    good = write(tmp_path / "good.html", html("good"))
    result = outcome(iter_pages([cut, good]))
    # The records before the cut come through, then one error, then the next input.
    assert result[-1] == ("page", good)
    codes = [code for code, _ in result[:-1]]
    assert codes == ["page"] * (len(codes) - 1) + ["read.warc"], result
    assert len(codes) <= 2


def broken_gzip(data: bytes) -> bytes:
    """bytes -> their gzip with the deflate stream damaged right after the header."""
    packed = bytearray(gzip.compress(data))
    packed[10:20] = b"\xff" * 10
    return bytes(packed)


BAD_RECORDS = {
    "broken-gzip": ([("Content-Encoding", "gzip")], broken_gzip(html("lost")), "read.gzip"),
    "empty-body": ([], b"", "read.empty"),
    "png-as-html": ([], PNG_BYTES, "read.binary"),
}


@pytest.mark.parametrize(("headers", "body", "code"), BAD_RECORDS.values(), ids=BAD_RECORDS.keys())
def test_sources_bad_warc_record_does_not_stop_the_file(
    tmp_path: Path, headers: list[tuple[str, str]], body: bytes, code: str
) -> None:
    path = tmp_path / "crawl.warc"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=False)
        http = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html"), *headers], protocol="HTTP/1.1"
        )
        writer.write_record(
            writer.create_warc_record(
                "https://news.example.org/bad",
                "response",
                payload=io.BytesIO(body),
                http_headers=http,
            )
        )
        response_record(
            writer,
            "https://news.example.org/fine",
            "200 OK",
            "text/html",
            html("fine"),
            "2020-09-03T10:00:00Z",
        )
    items = list(iter_pages([str(path)]))
    assert [type(item) for item in items] == [ReadError, Page], items
    assert isinstance(items[0], ReadError)
    assert (items[0].code, items[0].input) == (code, f"{path}#0")
    assert isinstance(items[1], Page) and items[1].url == "https://news.example.org/fine"


@pytest.mark.parametrize(
    ("records", "code"),
    [("none", "read.no_match"), ("empty-file", "read.empty"), ("garbage", "read.warc")],
)
def test_sources_warc_without_pages_is_counted(tmp_path: Path, records: str, code: str) -> None:
    path = tmp_path / "crawl.warc"
    if records == "none":
        with open(path, "wb") as fh:
            request_record(WARCWriter(fh, gzip=False), "https://news.example.org/one")
    elif records == "empty-file":
        path.write_bytes(b"")
    else:
        path.write_bytes(b"this is not a WARC file at all\r\n" * 10)
    good = write(tmp_path / "good.html", html("good"))
    result = outcome(iter_pages([str(path), good]))
    assert [c for c, _ in result] == [code, "page"], result
    assert result[0][1].startswith(str(path))


@pytest.mark.parametrize("gz", [False, True])
def test_sources_uses_sidecar_metadata(tmp_path: Path, gz: bool) -> None:
    pytest.importorskip("pipeline.store")
    name = "news-story.html.gz" if gz else "news-story.html"
    spec = write(tmp_path / name, gzip.compress(html("stored")) if gz else html("stored"))
    sidecar = {
        "url": "https://news.example.org/2020/09/story",
        "requested_url": "http://news.example.org/story",
        "fetched_at": "2024-05-06T07:08:09+00:00",
        "status": 200,
        "content_type": "text/html; charset=windows-1256",
    }
    Path(f"{spec}.json").write_text(json.dumps(sidecar))
    (page,) = list(iter_pages([spec]))
    assert isinstance(page, Page)
    assert page.url == "https://news.example.org/2020/09/story"
    assert page.fetched_at == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert (page.status, page.content_type) == (200, "text/html; charset=windows-1256")
    assert page.path == spec


def make_bad_input(kind: str, tmp_path: Path) -> str:
    """kind -> the spec of a bad input of that kind, created under tmp_path."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    if kind == "empty":
        return write(tmp_path / "empty.html", b"")
    if kind == "png":
        return write(tmp_path / "photo.html", PNG_BYTES + b"\x00" * 100)
    if kind == "pdf":
        return write(tmp_path / "report.html", b"%PDF-1.7\n%binary")
    if kind == "nul":
        return write(tmp_path / "blob.html", b"<html>\x00\x01\x02\x00\x03")
    if kind == "truncated-gzip":
        data = gzip.compress(os.urandom(4096) + html("cut"))
        return write(tmp_path / "cut.html.gz", data[: len(data) // 2])
    if kind == "corrupt-gzip":
        data = bytearray(gzip.compress(html("crc") * 50))
        data[-8] ^= 0xFF  # CRC32 of the member
        return write(tmp_path / "crc.html.gz", bytes(data))
    if kind == "too-large":
        path = tmp_path / "huge.html"
        with open(path, "wb") as fh:
            fh.truncate(MAX_PAGE_BYTES + 1)  # sparse: no disk or time spent
        return str(path)
    if kind == "gzip-bomb":
        bomb = gzip.compress(b"<p>" + b" " * (MAX_PAGE_BYTES + 10), compresslevel=1)
        return write(tmp_path / "bomb.html.gz", bomb)
    if kind == "missing":
        return str(tmp_path / "nowhere.html")
    if kind == "empty-dir":
        (tmp_path / "empty-dir").mkdir()
        return str(tmp_path / "empty-dir")
    if kind == "dir-without-pages":
        write(tmp_path / "other" / "notes.txt", b"notes")
        return str(tmp_path / "other")
    if kind == "glob-no-match":
        return str(tmp_path / "*.nothing")
    raise AssertionError(kind)


BAD_INPUTS = {
    "empty": "read.empty",
    "png": "read.binary",
    "pdf": "read.binary",
    "nul": "read.binary",
    "truncated-gzip": "read.gzip",
    "corrupt-gzip": "read.gzip",
    "too-large": "read.too_large",
    "gzip-bomb": "read.too_large",
    "missing": "read.not_found",
    "empty-dir": "read.no_match",
    "dir-without-pages": "read.no_match",
    "glob-no-match": "read.no_match",
}


@pytest.mark.parametrize(("kind", "code"), BAD_INPUTS.items(), ids=BAD_INPUTS.keys())
def test_sources_bad_input_is_one_error_between_good_pages(
    tmp_path: Path, kind: str, code: str
) -> None:
    before = write(tmp_path / "good" / "before.html", html("before"))
    after = write(tmp_path / "good" / "after.html", html("after"))
    bad = make_bad_input(kind, tmp_path)
    assert outcome(iter_pages([before, bad, after])) == [
        ("page", before),
        (code, bad),
        ("page", after),
    ]


def test_sources_all_bad_inputs_in_one_batch_keep_good_pages_in_order(tmp_path: Path) -> None:
    specs: list[str] = []
    goods: list[str] = []
    for index, kind in enumerate(BAD_INPUTS):
        good = write(tmp_path / "good" / f"{index:02d}.html", html(f"good {index}"))
        goods.append(good)
        specs += [good, make_bad_input(kind, tmp_path / kind)]
    result = outcome(iter_pages(specs))
    assert [i for c, i in result if c == "page"] == goods
    assert [c for c, _ in result if c != "page"] == list(BAD_INPUTS.values())


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body><p>caf\xe9 \xff\xfe broken utf-8 \xc3</p></body></html>",
        b"<div>" * (4 * 1024 * 1024) + b"deep" + b"</div>" * 10,  # 20 MB of nesting
        "\ufeff<html><body>utf-16 page</body></html>".encode("utf-16-le"),
    ],
    ids=["invalid-utf8", "20mb-nested-tags", "utf16-with-nuls"],
)
def test_sources_odd_but_real_pages_are_read(tmp_path: Path, body: bytes) -> None:
    spec = write(tmp_path / "odd.html", body)
    good = write(tmp_path / "zz-good.html", html("good"))
    items = list(iter_pages([spec, good]))
    assert outcome(items) == [("page", spec), ("page", good)]
    assert isinstance(items[0], Page) and items[0].body == body


@pytest.mark.parametrize("zipped", [False, True])
def test_sources_reads_named_pipe_given_by_name(tmp_path: Path, zipped: bool) -> None:
    # As with `takedowns extract <(zcat page.html.gz)`: the stream cannot seek.
    fifo = tmp_path / "page-pipe"
    os.mkfifo(fifo)
    data = gzip.compress(html("piped")) if zipped else html("piped")

    def feed() -> None:
        with contextlib.suppress(BrokenPipeError), open(fifo, "wb") as fh:
            fh.write(data)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    items = list(iter_pages([str(fifo)]))
    writer.join()
    assert outcome(items) == [("page", str(fifo))]
    assert isinstance(items[0], Page) and items[0].body == html("piped")


@pytest.mark.parametrize("count", [3])
def test_sources_reads_lazily(tmp_path: Path, count: int) -> None:
    for index in range(count):
        write(tmp_path / f"{index}.html", html(str(index)))
    pages = iter_pages([str(tmp_path)])
    first = next(pages)
    assert isinstance(first, Page)
    # Removed after the listing but before its bytes were needed: read.not_found, not stale.
    (tmp_path / "1.html").unlink()
    assert outcome(pages) == [
        ("read.not_found", str(tmp_path / "1.html")),
        ("page", str(tmp_path / "2.html")),
    ]


@pytest.fixture
def news_server(httpserver: HTTPServer) -> HTTPServer:
    """A loopback HTTP server with one article and one missing page."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/story").respond_with_data(
        html("served").decode(), content_type="text/html; charset=utf-8"
    )
    httpserver.expect_request("/gone").respond_with_data("gone", status=404)
    return httpserver


def counting_factory(calls: list[int]) -> Callable[[], PageFetcher]:
    """calls list -> a Fetcher factory that appends to it on every call."""
    fetch = pytest.importorskip("pipeline.fetch")

    def factory() -> PageFetcher:
        calls.append(1)
        return fetch.Fetcher(host_delay=0.0, respect_robots=False, max_retries=0)

    return factory


@pytest.mark.parametrize("scheme_case", ["http", "HTTP"])
def test_sources_fetches_urls_with_one_fetcher(
    news_server: HTTPServer, tmp_path: Path, scheme_case: str
) -> None:
    calls: list[int] = []
    story = news_server.url_for("/story").replace("http", scheme_case, 1)
    gone = news_server.url_for("/gone")
    local = write(tmp_path / "local.html", html("local"))
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# urls\n{story}\n")
    factory = counting_factory(calls)
    items = list(iter_pages([gone, local, f"@{listing}"], fetcher_factory=factory))
    assert calls == [1]
    assert [type(item).__name__ for item in items] == ["FetchError", "Page", "Page"]
    error, _, fetched = items
    assert isinstance(error, PipelineError) and error.input == gone
    assert error.code.startswith("fetch.")
    assert isinstance(fetched, Page) and fetched.body == html("served")


@pytest.mark.parametrize("specs", [["a.html"], []])
def test_sources_local_batch_never_builds_a_fetcher(tmp_path: Path, specs: list[str]) -> None:
    calls: list[int] = []
    paths = [write(tmp_path / name, html(name)) for name in specs]

    def factory() -> PageFetcher:
        calls.append(1)
        raise AssertionError("no URL in this batch")

    items = iter_pages(paths, fetcher_factory=factory)
    assert outcome(items) == [("page", path) for path in paths]
    assert calls == []


# -- symlinks, odd names and schemes ---------------------------------------------------


@pytest.mark.parametrize("pattern", ["**", "**/*.html", "up/**"])
def test_sources_glob_reads_a_page_once_through_a_link_to_its_parent(
    tmp_path: Path, pattern: str
) -> None:
    root = tmp_path / "pages"
    page = write(root / "sub" / "page.html", html("once"))
    (root / "up").symlink_to(root, target_is_directory=True)
    (root / "sub" / "back").symlink_to(root / "sub", target_is_directory=True)
    found = [i for _, i in outcome(iter_pages([str(root / pattern)]))]
    assert [os.path.realpath(i) for i in found] == [os.path.realpath(page)]


@pytest.mark.parametrize("links", [1, 3])
def test_sources_glob_through_links_to_ancestors_ends(tmp_path: Path, links: int) -> None:
    root = tmp_path / "a" / "b"
    page = write(root / "page.html", html("deep"))
    for n in range(links):  # several links to ancestors: glob.glob's paths multiply
        (root / f"L{n}").symlink_to(tmp_path / "a", target_is_directory=True)
    found = [i for _, i in outcome(iter_pages([str(root / "L0" / "**")]))]
    assert [os.path.realpath(i) for i in found] == [os.path.realpath(page)]


def test_sources_walk_follows_a_link_to_a_directory_outside(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    old = write(archive / "old.html", html("old"))
    root = tmp_path / "pages"
    new = write(root / "new.html", html("new"))
    (root / "archive").symlink_to(archive, target_is_directory=True)
    (root / "self").symlink_to(root, target_is_directory=True)
    assert outcome(iter_pages([str(root)])) == [
        ("page", str(root / "archive" / "old.html")),
        ("page", new),
    ]
    assert os.path.realpath(root / "archive" / "old.html") == os.path.realpath(old)


@pytest.mark.parametrize(
    ("make", "code", "message"),
    [
        (lambda p: p.symlink_to(p), "read.loop", "symbolic link loop"),
        (lambda p: p.symlink_to(p.with_name("gone.html")), "read.not_found", "gone.html"),
    ],
    ids=["loop", "dangling"],
)
def test_sources_bad_symlink_named_directly(
    tmp_path: Path, make: Callable[[Path], None], code: str, message: str
) -> None:
    link = tmp_path / "link.html"
    make(link)
    good = write(tmp_path / "good.html", html("good"))
    items = list(iter_pages([str(link), good]))
    assert outcome(items) == [(code, str(link)), ("page", good)]
    assert message in str(items[0])


@pytest.mark.parametrize(
    "url", ["ftp://example.org/page.html", "file:///etc/passwd", "gopher://example.org/1"]
)
def test_sources_other_url_schemes_are_fetch_scheme_errors(tmp_path: Path, url: str) -> None:
    good = write(tmp_path / "good.html", html("good"))
    assert outcome(iter_pages([url, good])) == [("fetch.scheme", url), ("page", good)]


@pytest.mark.parametrize("entry", [b"bad\x00name.html", b"\x00"])
def test_sources_nul_byte_in_list_entry_is_one_error(tmp_path: Path, entry: bytes) -> None:
    first = write(tmp_path / "one.html", html("one"))
    last = write(tmp_path / "two.html", html("two"))
    listing = tmp_path / "inputs.txt"
    listing.write_bytes(first.encode() + b"\n" + entry + b"\n" + last.encode() + b"\n")
    assert outcome(iter_pages([f"@{listing}"])) == [
        ("page", first),
        ("read.invalid_path", entry.decode()),
        ("page", last),
    ]


def _warc_with_junk(path: Path) -> None:
    """A WARC whose second record follows junk: warcio warns on stderr and goes on."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    for n in range(2):
        response_record(writer, f"https://news.example.org/{n}", "200 OK", "text/html",
                        html(f"page {n}"), "2020-09-03T10:00:00Z")  # fmt: skip
    data = buffer.getvalue()
    cut = data.index(b"\r\n\r\nWARC/1", 10)  # the end of the first record's block
    path.write_bytes(data[:cut] + b"junk" + data[cut:])


@pytest.mark.parametrize(("quiet", "shown"), [(True, False), (False, True)])
def test_sources_warcio_warnings_follow_quiet(tmp_path: Path, quiet: bool, shown: bool) -> None:
    import subprocess
    import sys

    _warc_with_junk(tmp_path / "crawl.warc")
    cmd = [sys.executable, "-m", "pipeline", "extract", str(tmp_path / "crawl.warc"), "-o",
           str(tmp_path / "out" / "r.jsonl"), "--jobs", "1"] + (["-q"] if quiet else [])  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert ("Record not followed by newline" in result.stderr) == shown
    if shown:  # as a line of our log, not raw text from warcio
        assert "INFO pipeline.sources: warcio: WARNING: Record not followed" in result.stderr


@pytest.mark.parametrize(
    ("raw", "first", "expected"),
    [
        (b"\xef\xbb\xbfpages/a.html\n", True, "pages/a.html"),  # a BOM on the first line
        ("  https://example.org/x  \n", False, "https://example.org/x"),
        (b"  # a comment after spaces\n", False, None),
        (b"\n", False, None),
        (b"caf\xe9.html\n", False, "caf\udce9.html"),  # a Latin-1 name kept as its bytes
    ],
)
def test_sources_list_entry_is_read_one_way_for_every_command(raw, first, expected):
    from pipeline.sources import list_entry

    assert list_entry(raw, first=first) == expected
