"""Fetcher against real HTTP servers on 127.0.0.1 that misbehave on purpose."""

import contextlib
import gzip
import itertools
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pipeline import fetch as fetch_module
from pipeline.errors import FetchError
from pipeline.fetch import Fetcher

HTML = b"<!DOCTYPE html><html><head><title>t</title></head><body><p>Accounts removed.</p>"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(20)
BIG_BODY_BYTES = 50 * 1024 * 1024  # the hostile body: 50 MB
SMALL_CAP_BYTES = 256 * 1024  # the cap the test fetcher is given
STALL_S = 1.5  # how long a stalled server sleeps; well past the test read timeout
TEST_READ_TIMEOUT_S = 0.25


def make_fetcher(**overrides: object) -> Fetcher:
    """Test settings -> Fetcher with tiny timeouts, backoff and delays."""
    settings: dict[str, object] = {
        "connect_timeout": 1.0,
        "read_timeout": TEST_READ_TIMEOUT_S,
        "deadline": 10.0,
        "max_retries": 2,
        "backoff_factor": 0.01,
        "backoff_max": 0.05,
        "retry_after_max": 2.0,
        "host_delay": 0.0,
        "max_body_bytes": SMALL_CAP_BYTES,
    }
    settings.update(overrides)
    return Fetcher(**settings)  # type: ignore[arg-type]


# -- a scripted server (pytest-httpserver) -------------------------------------------


@dataclass
class Hit:
    at: float  # time.monotonic() when the server began handling the request
    path: str
    headers: dict[str, str]


@dataclass
class Reply:
    status: int = 200
    body: bytes = HTML
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html"})


class Scripted:
    """pytest-httpserver on 127.0.0.1: each path answers its replies in turn, recording hits."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.hits: list[Hit] = []
        self.routes: dict[str, list[Reply]] = {"/robots.txt": [Reply(404, b"", {})]}
        server.expect_request(re.compile(".*")).respond_with_handler(self._handle)

    def serve(self, path: str, *replies: Reply) -> str:
        self.routes[path] = list(replies)
        return self.url(path)

    def url(self, path: str) -> str:
        return self.server.url_for(path)

    def paths(self) -> list[str]:
        return [hit.path for hit in self.hits]

    def _handle(self, request: Request) -> Response:
        self.hits.append(Hit(time.monotonic(), request.path, dict(request.headers)))
        replies = self.routes.get(request.path) or [Reply(404, b"", {})]
        reply = replies.pop(0) if len(replies) > 1 else replies[0]  # the last one repeats
        response = Response(reply.body, status=reply.status)
        del response.headers["Content-Type"]  # only the reply's own headers go out
        for name, value in reply.headers.items():
            response.headers[name] = value
        return response


@pytest.fixture(scope="module")
def http_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.stop()  # werkzeug polls for shutdown every 0.5 s: once per module, not per test


@pytest.fixture
def scripted(http_server: HTTPServer) -> Iterator[Scripted]:
    try:
        yield Scripted(http_server)
    finally:
        http_server.clear()


# -- a raw server (http.server) for socket-level misbehaviour -------------------------


class RawHandler(BaseHTTPRequestHandler):
    server: "RawServer"

    def handle(self) -> None:
        # reset() closes the socket under http.server's final flush.
        with contextlib.suppress(OSError, ValueError):
            super().handle()

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.hits.append(Hit(time.monotonic(), self.path, dict(self.headers)))
        route = self.server.routes.get(self.path, not_found)
        with contextlib.suppress(OSError):  # the client hung up, as several tests provoke
            route(self)

    def log_message(self, format: str, *args: object) -> None:
        pass


class RawServer(ThreadingHTTPServer):
    daemon_threads = True  # a stalled handler must not hold the test run

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RawHandler)
        self.hits: list[Hit] = []
        self.routes: dict[str, Callable[[RawHandler], None]] = {}

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


@pytest.fixture
def raw() -> Iterator[RawServer]:
    server = RawServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def not_found(h: RawHandler) -> None:
    h.send_response(404)
    h.send_header("Content-Length", "0")
    h.end_headers()


def send_head(h: RawHandler, length: int | None, content_type: str | None = "text/html") -> None:
    h.send_response(200)
    if content_type is not None:
        h.send_header("Content-Type", content_type)
    if length is not None:
        h.send_header("Content-Length", str(length))
    h.send_header("Connection", "close")
    h.end_headers()


def reset(h: RawHandler) -> None:
    """Abort the connection with a TCP RST (SO_LINGER 0), as a crashing server would."""
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.wfile.close()
    h.rfile.close()
    h.connection.close()


def expect_error(fetcher: Fetcher, url: str, code: str) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetcher.fetch(url)
    assert info.value.code == code, str(info.value)
    assert info.value.input == url
    return info.value


# -- success paths -------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["text/html", "text/html; charset=utf-8", "TEXT/HTML", "application/xhtml+xml"],
)
def test_fetch_returns_page_for_html(scripted: Scripted, content_type: str) -> None:
    url = scripted.serve("/a", Reply(headers={"Content-Type": content_type}))
    page = make_fetcher().fetch(url)
    assert (page.input, page.url, page.body, page.status) == (url, url, HTML, 200)
    assert page.content_type == content_type
    assert page.fetched_at is not None and page.fetched_at.utcoffset() == UTC.utcoffset(None)


@pytest.mark.parametrize("encoding", ["gzip"])
def test_fetch_decodes_content_encoding(scripted: Scripted, encoding: str) -> None:
    headers = {"Content-Type": "text/html", "Content-Encoding": encoding}
    url = scripted.serve("/z", Reply(body=gzip.compress(HTML), headers=headers))
    assert make_fetcher().fetch(url).body == HTML


@pytest.mark.parametrize("body", [b"\x00\x01 not gzip at all " * 20], ids=["garbage"])
def test_fetch_broken_content_encoding_is_an_error(scripted: Scripted, body: bytes) -> None:
    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
    url = scripted.serve("/z", Reply(body=body, headers=headers))
    expect_error(make_fetcher(), url, "fetch.content_encoding")


@pytest.mark.parametrize(
    "body",
    [HTML, b"\xef\xbb\xbf\n  <html lang=en><body>x", b"<!-- built by hand -->\n<p>x"],
    ids=["doctype", "bom-html", "comment"],
)
def test_fetch_accepts_html_without_content_type(raw: RawServer, body: bytes) -> None:
    def route(h: RawHandler) -> None:
        send_head(h, len(body), content_type=None)
        h.wfile.write(body)

    raw.routes["/p"] = route
    page = make_fetcher().fetch(raw.url("/p"))
    assert (page.body, page.content_type) == (body, None)


@pytest.mark.parametrize("hops", [1, 3])
def test_fetch_follows_redirects_to_final_url(scripted: Scripted, hops: int) -> None:
    for n in range(hops):
        target = f"/hop{n + 1}" if n + 1 < hops else "/final"
        scripted.serve(f"/hop{n}", Reply(301, b"", {"Location": target}))
    final = scripted.serve("/final", Reply())
    page = make_fetcher().fetch(scripted.url("/hop0"))
    assert (page.input, page.url, page.body) == (scripted.url("/hop0"), final, HTML)


@pytest.mark.parametrize(("etag", "last_modified"), [('"v1"', None), (None, "Wed, 02 Sep 2020")])
def test_fetch_conditional_request_returns_304_page(
    scripted: Scripted, etag: str | None, last_modified: str | None
) -> None:
    url = scripted.serve("/c", Reply(304, b"", {"ETag": '"v1"'}))
    page = make_fetcher().fetch(url, etag=etag, last_modified=last_modified)
    assert (page.status, page.body, page.url) == (304, b"", url)
    sent = scripted.hits[-1].headers
    assert (sent.get("If-None-Match"), sent.get("If-Modified-Since")) == (etag, last_modified)


@pytest.mark.parametrize("status", [304])
def test_fetch_unconditional_304_is_an_error(scripted: Scripted, status: int) -> None:
    url = scripted.serve("/c", Reply(status, b"", {}))
    assert expect_error(make_fetcher(), url, "fetch.http_status").status == status


# -- retries -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 503])
def test_fetch_retries_server_error_then_succeeds(
    scripted: Scripted, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    url = scripted.serve("/r", Reply(status, b"busy", {}), Reply())
    with caplog.at_level("WARNING", logger="pipeline.fetch"):
        page = make_fetcher().fetch(url)
    assert page.body == HTML
    assert scripted.paths() == ["/robots.txt", "/r", "/r"]
    assert any(f"HTTP {status}" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("retry_after", [1])
def test_fetch_honours_retry_after_on_429(scripted: Scripted, retry_after: int) -> None:
    slow_down = Reply(429, b"", {"Retry-After": str(retry_after)})
    url = scripted.serve("/r", slow_down, Reply())
    assert make_fetcher(retry_after_max=5.0).fetch(url).body == HTML
    first, second = (hit.at for hit in scripted.hits if hit.path == "/r")
    assert second - first >= retry_after


@pytest.mark.parametrize(("retry_after", "cap"), [(5, 0.3)])
def test_fetch_caps_hostile_retry_after(scripted: Scripted, retry_after: int, cap: float) -> None:
    url = scripted.serve("/r", Reply(503, b"", {"Retry-After": str(retry_after)}), Reply())
    assert make_fetcher(retry_after_max=cap).fetch(url).body == HTML
    first, second = (hit.at for hit in scripted.hits if hit.path == "/r")
    assert cap <= second - first < retry_after


@pytest.mark.parametrize("status", [429, 503, 500])
def test_fetch_gives_up_when_retries_run_out(scripted: Scripted, status: int) -> None:
    url = scripted.serve("/r", Reply(status, b"", {"Retry-After": "0"}))
    error = expect_error(make_fetcher(max_retries=2), url, "fetch.retries_exhausted")
    assert error.status == status
    assert scripted.paths().count("/r") == 3  # first request + 2 retries


@pytest.mark.parametrize("status", [403, 404, 410])
def test_fetch_client_error_is_not_retried(scripted: Scripted, status: int) -> None:
    url = scripted.serve("/gone", Reply(status, b"no", {"Content-Type": "text/html"}))
    assert expect_error(make_fetcher(), url, "fetch.http_status").status == status
    assert scripted.paths().count("/gone") == 1


# -- timeouts and broken connections ---------------------------------------------------


def stall_before_headers(h: RawHandler) -> None:
    time.sleep(STALL_S)


def stall_mid_body(h: RawHandler) -> None:
    send_head(h, 1000)
    h.wfile.write(HTML[:60])
    time.sleep(STALL_S)
    h.wfile.write(b" " * (1000 - 60))


@pytest.mark.parametrize("route", [stall_before_headers, stall_mid_body])
def test_fetch_times_out_on_stalled_server(
    raw: RawServer, route: Callable[[RawHandler], None]
) -> None:
    raw.routes["/slow"] = route
    expect_error(make_fetcher(max_retries=1), raw.url("/slow"), "fetch.timeout")


@pytest.mark.parametrize(("deadline", "gap"), [(0.4, 0.02)])
def test_fetch_deadline_ends_trickling_body(raw: RawServer, deadline: float, gap: float) -> None:
    # Each byte comes well inside the read timeout; only the deadline can stop this.
    body = HTML + b" " * 120  # ~200 bytes: ~4 s at one byte per gap
    sent = {"bytes": 0}
    finished = threading.Event()

    def trickle(h: RawHandler) -> None:
        send_head(h, len(body))
        try:
            for byte in body:
                h.wfile.write(bytes([byte]))
                sent["bytes"] += 1
                time.sleep(gap)
        finally:
            finished.set()

    raw.routes["/trickle"] = trickle
    error = expect_error(make_fetcher(deadline=deadline), raw.url("/trickle"), "fetch.timeout")
    assert "deadline" in error.message
    assert finished.wait(10), "the server never noticed the client hung up"
    assert sent["bytes"] < len(body)  # the client gave up mid-body, not after reading it all


def reset_mid_body(h: RawHandler) -> None:
    send_head(h, 5000)
    h.wfile.write(HTML)
    reset(h)


def reset_before_headers(h: RawHandler) -> None:
    reset(h)


@pytest.mark.parametrize(
    ("route", "requests_seen"),
    [(reset_mid_body, 1), (reset_before_headers, 3)],  # before headers: first + 2 retries
    ids=["mid-body", "before-headers"],
)
def test_fetch_connection_reset_is_a_connection_error(
    raw: RawServer, route: Callable[[RawHandler], None], requests_seen: int
) -> None:
    raw.routes["/reset"] = route
    expect_error(make_fetcher(max_retries=2), raw.url("/reset"), "fetch.connection")
    assert [hit.path for hit in raw.hits].count("/reset") == requests_seen


@pytest.mark.parametrize("path", ["/x"])
def test_fetch_connection_refused_is_a_connection_error(path: str) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    expect_error(make_fetcher(), f"http://127.0.0.1:{port}{path}", "fetch.connection")


# -- redirects and schemes -----------------------------------------------------------


@pytest.mark.parametrize("max_redirects", [3])
def test_fetch_redirect_loop_ends_as_error(scripted: Scripted, max_redirects: int) -> None:
    scripted.serve("/a", Reply(302, b"", {"Location": "/b"}))
    scripted.serve("/b", Reply(302, b"", {"Location": "/a"}))
    fetcher = make_fetcher(max_redirects=max_redirects)
    error = expect_error(fetcher, scripted.url("/a"), "fetch.too_many_redirects")
    assert "loop" in error.message
    assert len([p for p in scripted.paths() if p in ("/a", "/b")]) == max_redirects + 1


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/page.html", "file:///etc/passwd", "javascript:alert(1)", "127.0.0.1/a"],
)
def test_fetch_refuses_non_http_scheme(url: str) -> None:
    expect_error(make_fetcher(), url, "fetch.scheme")


@pytest.mark.parametrize("url", ["http:///no-host", "http://127.0.0.1:notaport/", "http://[::1/"])
def test_fetch_refuses_invalid_url(url: str) -> None:
    expect_error(make_fetcher(), url, "fetch.invalid_url")


@pytest.mark.parametrize("location", ["ftp://127.0.0.1/file", "file:///etc/passwd"])
def test_fetch_refuses_redirect_to_non_http_scheme(scripted: Scripted, location: str) -> None:
    url = scripted.serve("/r", Reply(302, b"", {"Location": location}))
    expect_error(make_fetcher(), url, "fetch.scheme")


# -- size and type ---------------------------------------------------------------------


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "until-close"])
def test_fetch_huge_body_stops_at_cap(raw: RawServer, declared: bool) -> None:
    sent = {"bytes": 0}
    finished = threading.Event()
    chunk = b"<p>" + b"x" * (64 * 1024 - 3)

    def huge(h: RawHandler) -> None:
        send_head(h, BIG_BODY_BYTES if declared else None)
        try:
            while sent["bytes"] < BIG_BODY_BYTES:
                h.wfile.write(chunk)
                sent["bytes"] += len(chunk)
        finally:
            finished.set()

    raw.routes["/huge"] = huge
    expect_error(make_fetcher(), raw.url("/huge"), "fetch.too_large")
    assert finished.wait(10), "the server never noticed the client hung up"
    # Kernel socket buffers hold a few MB at most; the rest was never sent, so never read.
    assert sent["bytes"] < BIG_BODY_BYTES // 2


@pytest.mark.parametrize("declared", [BIG_BODY_BYTES])
def test_fetch_refuses_declared_oversize_before_reading(raw: RawServer, declared: int) -> None:
    # The server then goes quiet: only a check of Content-Length can answer too_large here.
    def promise_huge(h: RawHandler) -> None:
        send_head(h, declared)
        h.wfile.write(HTML)
        time.sleep(STALL_S)

    raw.routes["/huge"] = promise_huge
    expect_error(make_fetcher(), raw.url("/huge"), "fetch.too_large")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("application/pdf", PDF), ("image/png", PNG), ("application/json", b'{"a": 1}')],
    ids=["pdf", "png", "json"],
)
def test_fetch_refuses_non_html_content_type(
    scripted: Scripted, content_type: str, body: bytes
) -> None:
    url = scripted.serve("/f", Reply(body=body, headers={"Content-Type": content_type}))
    assert content_type in expect_error(make_fetcher(), url, "fetch.content_type").message


@pytest.mark.parametrize(
    ("body", "name"),
    [(PNG, "PNG"), (JPEG, "JPEG"), (GIF, "GIF"), (PDF, "PDF"), (ZIP, "zip")],
    ids=["png", "jpeg", "gif", "pdf", "zip"],
)
def test_fetch_refuses_non_html_bytes_served_as_html(
    scripted: Scripted, body: bytes, name: str
) -> None:
    url = scripted.serve("/img", Reply(body=body, headers={"Content-Type": "text/html"}))
    assert name in expect_error(make_fetcher(), url, "fetch.not_html").message


@pytest.mark.parametrize(
    "body", [b"just some words, no markup", PNG, b""], ids=["text", "png", "empty"]
)
def test_fetch_refuses_untyped_body_that_is_not_html(raw: RawServer, body: bytes) -> None:
    def route(h: RawHandler) -> None:
        send_head(h, len(body), content_type=None)
        h.wfile.write(body)

    raw.routes["/p"] = route
    expect_error(make_fetcher(), raw.url("/p"), "fetch.not_html")


# -- politeness ------------------------------------------------------------------------

ROBOTS = b"User-agent: takedowns\nDisallow: /private/\n\nUser-agent: *\nDisallow: /\n"


@pytest.mark.parametrize(
    ("path", "allowed"),
    [("/private/leak", False), ("/news/story", True)],
)
def test_fetch_honours_robots_txt(scripted: Scripted, path: str, allowed: bool) -> None:
    scripted.serve("/robots.txt", Reply(body=ROBOTS, headers={"Content-Type": "text/plain"}))
    url = scripted.serve(path, Reply())
    if allowed:
        assert make_fetcher().fetch(url).body == HTML
    else:
        expect_error(make_fetcher(), url, "fetch.robots_disallowed")
    assert (path in scripted.paths()) == allowed


@pytest.mark.parametrize("status", [404, 410, 403])
def test_fetch_missing_robots_txt_allows(scripted: Scripted, status: int) -> None:
    scripted.serve("/robots.txt", Reply(status, b"Disallow: /", {"Content-Type": "text/plain"}))
    assert make_fetcher().fetch(scripted.serve("/a", Reply())).body == HTML


@pytest.mark.parametrize("pages", [3])
def test_fetch_robots_txt_read_once_per_host(scripted: Scripted, pages: int) -> None:
    fetcher = make_fetcher()
    for n in range(pages):
        fetcher.fetch(scripted.serve(f"/p{n}", Reply()))
    assert scripted.paths().count("/robots.txt") == 1


@pytest.mark.parametrize("delay", [0.2])
def test_fetch_waits_between_requests_to_same_host(scripted: Scripted, delay: float) -> None:
    fetcher = make_fetcher(host_delay=delay)
    for n in range(3):
        fetcher.fetch(scripted.serve(f"/p{n}", Reply()))
    times = [hit.at for hit in scripted.hits]  # robots.txt + 3 pages, as the server saw them
    assert len(times) == 4
    assert min(later - earlier for earlier, later in itertools.pairwise(times)) >= delay


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [(None, r"^takedowns/\S+ \(\+https://github\.com/takedowns/takedowns\)$"),
     ("my-lab-bot/2.0 (+mailto:lab@example.org)", r"^my-lab-bot/2\.0 ")],
)  # fmt: skip
def test_fetch_sends_user_agent(scripted: Scripted, user_agent: str | None, expected: str) -> None:
    fetcher = make_fetcher() if user_agent is None else make_fetcher(user_agent=user_agent)
    fetcher.fetch(scripted.serve("/a", Reply()))
    assert [re.match(expected, hit.headers["User-Agent"]) is not None for hit in scripted.hits] == [
        True,
        True,
    ]


# -- politeness under failure ----------------------------------------------------------


@pytest.mark.parametrize(
    ("factor", "status"), [(fetch_module.RETRY_BACKOFF_FACTOR, 503), (0.3, 500)]
)
def test_fetch_first_retry_waits_the_backoff(
    scripted: Scripted, factor: float, status: int
) -> None:
    url = scripted.serve("/r", Reply(status, b"busy", {}), Reply())
    assert make_fetcher(backoff_factor=factor, backoff_max=30.0).fetch(url).body == HTML
    first, second = (hit.at for hit in scripted.hits if hit.path == "/r")
    assert second - first >= factor


@pytest.mark.parametrize("retry_after", [1])
def test_fetch_honours_retry_after_on_503(scripted: Scripted, retry_after: int) -> None:
    url = scripted.serve("/r", Reply(503, b"", {"Retry-After": str(retry_after)}), Reply())
    assert make_fetcher(retry_after_max=5.0).fetch(url).body == HTML
    first, second = (hit.at for hit in scripted.hits if hit.path == "/r")
    assert second - first >= retry_after


@pytest.mark.parametrize("status", [500, 503])
def test_fetch_robots_txt_server_error_disallows_all(scripted: Scripted, status: int) -> None:
    scripted.serve("/robots.txt", Reply(status, b"", {}))
    url = scripted.serve("/news/story", Reply())
    error = expect_error(make_fetcher(), url, "fetch.robots_unreachable")
    assert f"HTTP {status}" in error.message
    assert "/news/story" not in scripted.paths()


@pytest.mark.parametrize("delay", [0.05])
def test_fetch_robots_txt_redirect_loop_is_capped_and_delayed(
    scripted: Scripted, delay: float
) -> None:
    scripted.serve("/robots.txt", Reply(302, b"", {"Location": "/robots-b.txt"}))
    scripted.serve("/robots-b.txt", Reply(302, b"", {"Location": "/robots.txt"}))
    url = scripted.serve("/news/story", Reply())
    assert make_fetcher(host_delay=delay).fetch(url).body == HTML  # unavailable: allowed
    robots = [hit.at for hit in scripted.hits if hit.path.startswith("/robots")]
    assert len(robots) == fetch_module.ROBOTS_MAX_REDIRECTS + 1
    assert min(later - earlier for earlier, later in itertools.pairwise(robots)) >= delay


@pytest.mark.parametrize("hops", [1, 3])
def test_fetch_robots_txt_redirects_are_followed(scripted: Scripted, hops: int) -> None:
    for n in range(hops):
        target = f"/robots-{n + 1}.txt" if n + 1 < hops else "/real-robots.txt"
        scripted.serve("/robots.txt" if n == 0 else f"/robots-{n}.txt",
                       Reply(301, b"", {"Location": target}))  # fmt: skip
    scripted.serve("/real-robots.txt", Reply(body=ROBOTS, headers={"Content-Type": "text/plain"}))
    url = scripted.serve("/private/leak", Reply())
    expect_error(make_fetcher(), url, "fetch.robots_disallowed")
    assert "/private/leak" not in scripted.paths()


# -- the module documents what it raises ---------------------------------------------


@pytest.mark.parametrize("source", [Path(fetch_module.__file__)])
def test_fetch_docstring_lists_every_code(source: Path) -> None:
    raised = set(re.findall(r'"(fetch\.[a-z_]+)"', source.read_text(encoding="utf-8")))
    documented = set(re.findall(r"^\s+(fetch\.[a-z_]+)\s", fetch_module.__doc__ or "", re.M))
    assert raised and raised == documented


@pytest.mark.parametrize(
    ("head", "html"),
    [
        (b"<html\nlang='en'>", True),
        (b"<!DOCTYPE html>", True),
        (b"<p>x", True),
        (b"<pre>x", False),
        (b"plain text", False),
    ],
)
def test_fetch_looks_like_html_tag_ends(head, html):
    from pipeline.fetch import looks_like_html

    assert looks_like_html(head) is html
