"""Page store: fetch from a real server on 127.0.0.1, store page + sidecar, skip, refresh."""

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from models.page import Page
from pipeline.errors import FetchError, ReadError
from pipeline.fetch import Fetcher
from pipeline.store import (
    StoreResult,
    fetch_to_store,
    page_key,
    page_path,
    read_sidecar,
    sidecar_path,
    store_page,
)

PAGE_V1 = b"<!DOCTYPE html><html><body><p>The regulator blocked 1,372 sites.</p></body></html>"
PAGE_V2 = b"<!DOCTYPE html><html><body><p>Update: the block was lifted.</p></body></html>"
CONTENT_TYPE = "text/html; charset=utf-8"
ETAG = '"take-v1"'
LAST_MODIFIED = "Thu, 03 Sep 2020 10:00:00 GMT"
SIDECAR_KEYS = {
    "requested_url",
    "url",
    "status",
    "headers",
    "fetched_at",
    "sha256",
    "content_type",
}


@dataclass
class Site:
    """A small news site: pages by path, each with its validators, and a request log."""

    server: HTTPServer
    pages: dict[str, tuple[bytes, dict[str, str]]] = field(default_factory=dict)
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.server.url_for(path)

    def requests_for(self, path: str) -> list[dict[str, str]]:
        return [headers for seen_path, headers in self.seen if seen_path == path]

    def handle(self, request: Request) -> Response:
        self.seen.append((request.path, dict(request.headers)))
        if request.path == "/moved":
            return Response(b"", status=301, headers={"Location": "/story"})
        if request.path not in self.pages:
            return Response(b"", status=404)
        body, validators = self.pages[request.path]
        for asked, validator in (("If-None-Match", "ETag"), ("If-Modified-Since", "Last-Modified")):
            if validator in validators and request.headers.get(asked) == validators[validator]:
                return Response(b"", status=304, headers=validators)
        return Response(body, status=200, headers=validators, content_type=CONTENT_TYPE)


@pytest.fixture(scope="module")
def http_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def site(http_server: HTTPServer) -> Iterator[Site]:
    site = Site(http_server)
    http_server.expect_request(re.compile(".*")).respond_with_handler(site.handle)
    try:
        yield site
    finally:
        http_server.clear()


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(
        read_timeout=1.0, deadline=5.0, max_retries=0, host_delay=0.0, respect_robots=False
    ) as fetcher:
        yield fetcher


def run(urls: list[str], store: Path, fetcher: Fetcher, *, refresh: bool = False) -> list[str]:
    return [r.outcome for r in fetch_to_store(urls, store, fetcher=fetcher, refresh=refresh)]


@pytest.mark.parametrize("path", ["/moved"])
def test_store_writes_page_and_sidecar(
    site: Site, fetcher: Fetcher, tmp_path: Path, path: str
) -> None:
    site.pages["/story"] = (PAGE_V1, {"ETag": ETAG})
    requested = site.url(path)
    [result] = fetch_to_store([requested], tmp_path, fetcher=fetcher)
    assert result == StoreResult(
        url=requested, outcome="stored", path=page_path(tmp_path, requested)
    )
    assert result.path is not None and result.path.read_bytes() == PAGE_V1
    sidecar = read_sidecar(result.path)
    assert sidecar is not None and set(sidecar) == SIDECAR_KEYS
    assert sidecar["requested_url"] == requested
    assert sidecar["url"] == site.url("/story")  # final URL, after the redirect
    assert (sidecar["status"], sidecar["content_type"]) == (200, CONTENT_TYPE)
    assert sidecar["headers"]["ETag"] == ETAG
    assert sidecar["sha256"] == hashlib.sha256(PAGE_V1).hexdigest()
    assert datetime.fromisoformat(sidecar["fetched_at"]).utcoffset() is not None


@pytest.mark.parametrize("url", ["https://news.example/2020/09/03/takedown"])
def test_store_file_names_follow_key_rule(tmp_path: Path, url: str) -> None:
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    assert page_key(url) == key
    assert page_path(tmp_path, url) == tmp_path / f"{key}.html"
    assert sidecar_path(tmp_path / f"{key}.html") == tmp_path / f"{key}.html.json"


@pytest.mark.parametrize("runs", [2, 3])
def test_store_second_run_skips(site: Site, fetcher: Fetcher, tmp_path: Path, runs: int) -> None:
    site.pages["/story"] = (PAGE_V1, {"ETag": ETAG})
    url = site.url("/story")
    outcomes = [run([url], tmp_path, fetcher) for _ in range(runs)]
    assert outcomes == [["stored"]] + [["skipped"]] * (runs - 1)
    assert len(site.requests_for("/story")) == 1


@pytest.mark.parametrize(
    ("validators", "sent_header", "sent_value"),
    [
        ({"ETag": ETAG}, "If-None-Match", ETAG),
        ({"Last-Modified": LAST_MODIFIED}, "If-Modified-Since", LAST_MODIFIED),
    ],
    ids=["etag", "last-modified"],
)
def test_store_refresh_sends_validators_and_gets_not_modified(
    site: Site,
    fetcher: Fetcher,
    tmp_path: Path,
    validators: dict[str, str],
    sent_header: str,
    sent_value: str,
) -> None:
    site.pages["/story"] = (PAGE_V1, validators)
    url = site.url("/story")
    assert run([url], tmp_path, fetcher) == ["stored"]
    before = read_sidecar(page_path(tmp_path, url))
    assert run([url], tmp_path, fetcher, refresh=True) == ["not_modified"]
    first, second = site.requests_for("/story")
    assert sent_header not in first
    assert second[sent_header] == sent_value
    assert page_path(tmp_path, url).read_bytes() == PAGE_V1
    assert read_sidecar(page_path(tmp_path, url)) == before  # a 304 leaves the entry alone


@pytest.mark.parametrize("new_etag", ['"take-v2"'])
def test_store_refresh_replaces_changed_page(
    site: Site, fetcher: Fetcher, tmp_path: Path, new_etag: str
) -> None:
    site.pages["/story"] = (PAGE_V1, {"ETag": ETAG})
    url = site.url("/story")
    run([url], tmp_path, fetcher)
    site.pages["/story"] = (PAGE_V2, {"ETag": new_etag})
    assert run([url], tmp_path, fetcher, refresh=True) == ["stored"]
    assert page_path(tmp_path, url).read_bytes() == PAGE_V2
    sidecar = read_sidecar(page_path(tmp_path, url))
    assert sidecar is not None and sidecar["headers"]["ETag"] == new_etag
    assert sidecar["sha256"] == hashlib.sha256(PAGE_V2).hexdigest()


@pytest.mark.parametrize(
    ("bad", "code"),
    [("/missing", "fetch.http_status"), ("ftp://127.0.0.1/story", "fetch.scheme")],
)
def test_store_bad_url_does_not_stop_the_rest(
    site: Site, fetcher: Fetcher, tmp_path: Path, bad: str, code: str
) -> None:
    site.pages["/one"] = (PAGE_V1, {})
    site.pages["/two"] = (PAGE_V2, {})
    bad_url = site.url(bad) if bad.startswith("/") else bad
    urls = [site.url("/one"), bad_url, site.url("/two")]
    results = list(fetch_to_store(urls, tmp_path, fetcher=fetcher))
    assert [r.outcome for r in results] == ["stored", "failed", "stored"]
    failed = results[1]
    assert isinstance(failed.error, FetchError) and failed.error.code == code
    assert (failed.url, failed.path) == (bad_url, None)
    assert page_path(tmp_path, urls[2]).read_bytes() == PAGE_V2
    assert not page_path(tmp_path, bad_url).exists()


@pytest.mark.parametrize("damage", ["{not json", "[1, 2]"])
def test_store_damaged_sidecar_is_fetched_again(
    site: Site, fetcher: Fetcher, tmp_path: Path, damage: str
) -> None:
    site.pages["/story"] = (PAGE_V1, {})
    url = site.url("/story")
    run([url], tmp_path, fetcher)
    sidecar_path(page_path(tmp_path, url)).write_text(damage, encoding="utf-8")
    with pytest.raises(ReadError):
        read_sidecar(page_path(tmp_path, url))
    assert run([url], tmp_path, fetcher) == ["stored"]
    assert read_sidecar(page_path(tmp_path, url)) is not None


@pytest.mark.parametrize("name", ["nothing-here.html"])
def test_store_read_sidecar_missing_is_none(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(PAGE_V1)
    assert read_sidecar(tmp_path / name) is None


@pytest.mark.parametrize("body", [PAGE_V1, b""])
def test_store_page_leaves_no_temp_files(tmp_path: Path, body: bytes) -> None:
    url = "https://news.example/a"
    page = Page(input=url, url=url, body=body, status=200, content_type="text/html")
    path = store_page(page, tmp_path / "store", requested_url=url, headers={"X-A": "1"})
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, path.name + ".json"]
    assert json.loads(sidecar_path(path).read_text(encoding="utf-8"))["fetched_at"] is None
