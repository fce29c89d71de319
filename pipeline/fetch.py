"""HTTP fetcher: URL -> Page, politely (robots.txt, per-host delay) and defensively.

``Fetcher.fetch`` raises, it never returns None. Every failure is a ``FetchError``
with one of these stable codes (``status`` is set where an HTTP status was seen):

    fetch.scheme              the URL (or a redirect target) is not http or https
    fetch.invalid_url         the URL has no host or cannot be parsed
    fetch.robots_disallowed   the host's robots.txt disallows the URL for our user agent
    fetch.robots_unreachable  the host's robots.txt answered 5xx or could not be fetched:
                              RFC 9309 2.3.1.4 says to assume every path is disallowed
    fetch.timeout             connect or read timeout (after retries), or the whole-fetch
                              deadline passed (a body trickling in byte by byte ends here)
    fetch.connection          connection refused, reset or broken (after retries)
    fetch.tls                 TLS handshake or certificate failure
    fetch.too_many_redirects  more than max_redirects hops; redirect loops end here
    fetch.retries_exhausted   the server kept answering 408/429/5xx until retries ran out
    fetch.http_status         any other non-2xx answer
    fetch.too_large           the body (declared or streamed) is over max_body_bytes
    fetch.content_encoding    the gzip/deflate/br body could not be decoded
    fetch.content_type        the Content-Type is not HTML (application/pdf, image/png, ...)
    fetch.not_html            the bytes are not HTML: image/PDF/zip magic numbers under an
                              HTML type, or no Content-Type and no HTML-looking start

304 Not Modified is not an error: a conditional fetch (``etag`` or ``last_modified``
given) answered 304 returns a Page with ``status == 304`` and an empty body. A 304 to
an unconditional request is ``fetch.http_status``.

Retries (connection errors, read errors before the headers, 408/429/5xx) run inside
urllib3's ``Retry``: exponential backoff from the first retry on (1 s, 2 s, ...),
Retry-After honoured up to RETRY_AFTER_MAX_S, each retry logged at WARNING with its reason.

robots.txt follows RFC 9309: 2xx is parsed, 4xx means no rules (every path allowed), 5xx
means every path is disallowed (``fetch.robots_unreachable``), and so does no answer at all
(the page then fails with the network error's own code, fetch.connection, fetch.timeout,
...). The verdict is kept for the Fetcher's lifetime (one run). Its redirects
are followed by hand, at most ROBOTS_MAX_REDIRECTS hops, each hop waiting HOST_DELAY_S
like any request, and more hops count as "unavailable" (allowed), as 2.3.1.2 allows. The total
deadline is checked between redirect hops and between body chunks, so a fetch ends
at most one read timeout (plus any retry wait in progress) after it.

A Fetcher may be shared between threads: requests to one host are serialised by a
per-host lock, which is what keeps HOST_DELAY_S between them.
"""

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from types import TracebackType
from typing import Any, Self
from urllib.parse import SplitResult, urljoin, urlsplit

import requests
import urllib3
from protego import Protego
from requests.adapters import HTTPAdapter
from requests.utils import requote_uri

from models.page import Page
from pipeline.errors import FetchError
from pipeline.magic import GZIP_MAGIC, HTML_TYPES, NOT_PAGE_MAGIC, mime_type

LOGGER = logging.getLogger(__name__)

try:
    _VERSION = version("takedowns")
except PackageNotFoundError:  # running from a source tree that was never installed
    _VERSION = "0+unknown"

USER_AGENT = f"takedowns/{_VERSION} (+https://github.com/takedowns/takedowns)"
# Browsers' Accept for a navigation, minus images: we only want HTML back.
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"

CONNECT_TIMEOUT_S = 6.05  # two 3 s TCP SYN retransmission windows + 0.05 (requests' docs advice)
READ_TIMEOUT_S = 30.0  # longest silence between bytes; trafilatura's DOWNLOAD_TIMEOUT is 30 s
DEADLINE_S = 120.0  # whole fetch: redirects + body; 4 read timeouts so a slow live page fits

RETRY_TOTAL = 2  # first request + 2 retries (scrapy RETRY_TIMES = 2)
# scrapy's RETRY_HTTP_CODES: timeouts, rate limits, server and gateway errors
# (522/524 are Cloudflare's origin-unreachable / origin-timeout).
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 522, 524})
# Wait before retry n: factor * 2**(n-1) s, so 1 s, 2 s, 4 s ... (urllib3's own formula waits
# 0 s before the first retry, which hammers a server that just failed; _LoggingRetry fixes it)
RETRY_BACKOFF_FACTOR = 1.0
RETRY_BACKOFF_MAX_S = 30.0  # never back off longer than one read timeout
# Longest Retry-After we honour. urllib3's own cap is 6 hours; a server asking for
# more than a minute is cut to a minute so it cannot stall a batch.
RETRY_AFTER_MAX_S = 60.0

MAX_REDIRECTS = 10  # news URLs need 1-3 hops (http->https->www->canonical); Chrome allows 20
MAX_BODY_BYTES = 20_000_000  # trafilatura's MAX_FILE_SIZE; the largest article pages are ~5 MB
CHUNK_BYTES = 64 * 1024  # one read1 call: bounds memory per step and the overshoot past the cap
SNIFF_BYTES = 512  # WHATWG MIME Sniffing reads a 512-byte resource header
HOST_DELAY_S = 1.0  # gap between requests to one host; 1 s is the usual polite Crawl-delay
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 2.5: parse at least the first 500 KiB of robots.txt
ROBOTS_MAX_REDIRECTS = 5  # RFC 9309 2.3.1.2: follow at least five consecutive redirects


# Formats that misconfigured servers send as text/html; a gzip body left after transfer
# decoding is not a page either.
NON_HTML_MAGIC: tuple[tuple[bytes, str], ...] = (*NOT_PAGE_MAGIC, (GZIP_MAGIC, "gzip data"))
# WHATWG MIME Sniffing, "identifying an unknown MIME type": HTML starts (case-insensitive,
# after whitespace) followed by a tag-terminating byte, plus an XML declaration (XHTML).
HTML_STARTS = tuple(
    tag.encode()
    for tag in (
        "<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font",
        "<table", "<a", "<style", "<title", "<b", "<body", "<br", "<p",
    )
)  # fmt: skip
TAG_TERMINATORS = b" >\t\n\r\x0c"  # WHATWG: a space or ">" ends the tag name
HTML_PREFIXES_ANY_END = (b"<!--", b"<?xml")
SNIFF_WHITESPACE = b"\t\n\x0c\r "
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class FetchResult:
    """A fetched page plus the final response's headers (the store keeps them)."""

    page: Page
    headers: dict[str, str]


class _LoggingRetry(urllib3.util.Retry):
    """urllib3 Retry that logs each retry with its reason and caps Retry-After."""

    def __init__(self, *args: Any, wait_cap: float = RETRY_AFTER_MAX_S, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wait_cap = wait_cap

    def new(self, **kw: Any) -> Self:
        # Retry.new() rebuilds the object from its known params; carry ours along.
        kw.setdefault("wait_cap", self.wait_cap)
        return super().new(**kw)

    def get_backoff_time(self) -> float:
        """-> seconds before the next retry: factor * 2**(n-1) for the n-th consecutive one."""
        consecutive = 0
        for attempt in reversed(self.history):
            if attempt.redirect_location is not None:
                break
            consecutive += 1
        if consecutive == 0:
            return 0.0
        return float(min(self.backoff_max, self.backoff_factor * 2 ** (consecutive - 1)))

    def get_retry_after(self, response: Any) -> float | None:
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, self.wait_cap)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        where = url or ""
        if _pool is not None:
            where = f"{_pool.scheme}://{_pool.host}:{_pool.port}{where}"
        if response is not None and response.status:
            reason = f"HTTP {response.status}"
            after = retry.get_retry_after(response)
            wait = after if after else retry.get_backoff_time()
        else:
            reason = f"{type(error).__name__}: {error}"
            wait = retry.get_backoff_time()
        LOGGER.warning(
            "retrying %s %s after %s; waiting %.2f s, %s retries left",
            method, where, reason, wait, retry.total,
        )  # fmt: skip
        return retry


class Fetcher:
    """Holds one requests.Session, the robots.txt cache and per-host timing."""

    def __init__(
        self,
        *,
        user_agent: str = USER_AGENT,
        connect_timeout: float = CONNECT_TIMEOUT_S,
        read_timeout: float = READ_TIMEOUT_S,
        deadline: float = DEADLINE_S,
        max_retries: int = RETRY_TOTAL,
        backoff_factor: float = RETRY_BACKOFF_FACTOR,
        backoff_max: float = RETRY_BACKOFF_MAX_S,
        retry_after_max: float = RETRY_AFTER_MAX_S,
        max_redirects: int = MAX_REDIRECTS,
        max_body_bytes: int = MAX_BODY_BYTES,
        host_delay: float = HOST_DELAY_S,
        respect_robots: bool = True,
    ) -> None:
        self.user_agent = user_agent
        self.timeout = (connect_timeout, read_timeout)
        self.deadline = deadline
        self.max_redirects = max_redirects
        self.max_body_bytes = max_body_bytes
        self.host_delay = host_delay
        self.respect_robots = respect_robots
        self.retry_statuses = RETRY_STATUSES
        retry = _LoggingRetry(
            total=max_retries,
            connect=max_retries,
            read=max_retries,
            status=max_retries,
            other=0,  # anything else (TLS, proxy) will not get better by asking again
            allowed_methods=frozenset({"GET", "HEAD"}),
            status_forcelist=RETRY_STATUSES,
            backoff_factor=backoff_factor,
            backoff_max=backoff_max,
            respect_retry_after_header=True,
            # Give back the last 429/5xx response so its status reaches the FetchError.
            raise_on_status=False,
            wait_cap=retry_after_max,
        )
        self._session = requests.Session()
        self._session.headers["User-Agent"] = user_agent
        self._session.headers["Accept"] = ACCEPT
        self._session.max_redirects = max_redirects  # only robots.txt follows redirects itself
        adapter = HTTPAdapter(max_retries=retry)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        # origin -> parser; None = allow all; an error = robots.txt unreachable, disallow all
        self._robots: dict[str, Protego | FetchError | None] = {}
        self._last_request: dict[str, float] = {}  # netloc -> monotonic end of last request
        self._host_locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Fetcher -> None; closes the pooled connections."""
        self._session.close()

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Page:
        """URL -> Page (status 304, empty body: unchanged since etag), raises FetchError."""
        return self.fetch_with_headers(url, etag=etag, last_modified=last_modified).page

    def fetch_with_headers(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """URL -> FetchResult (page + final response headers), raises FetchError."""
        deadline = time.monotonic() + self.deadline
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        visited: list[str] = []
        for _ in range(self.max_redirects + 1):
            netloc = _check_url(current, input=url).netloc.lower()
            _check_deadline(deadline, self.deadline, input=url)
            if self.respect_robots:
                self._check_robots(current, deadline, input=url)
            with self._host_lock(netloc):
                self._wait_for_host(netloc)
                try:
                    response = self._send(current, headers, input=url)
                    try:
                        target = self._session.get_redirect_target(response)
                        if target is None:
                            return self._read_result(
                                response, input=url, conditional=bool(headers), deadline=deadline
                            )
                    finally:
                        response.close()
                finally:
                    self._mark_host(netloc)
            visited.append(current)
            current = urljoin(response.url, requote_uri(target))
        loop = " (a loop)" if len(set(visited)) < len(visited) else ""
        raise FetchError(
            "fetch.too_many_redirects",
            f"more than {self.max_redirects} redirects{loop}: {' -> '.join(visited[:4])} ...",
            input=url,
        )

    # -- one request ---------------------------------------------------------------

    def _send(self, url: str, headers: dict[str, str], *, input: str) -> requests.Response:
        try:
            return self._session.get(
                url, headers=headers, timeout=self.timeout, stream=True, allow_redirects=False
            )
        except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
            raise _error_from_exception(exc, url=url, input=input) from exc

    def _read_result(
        self, response: requests.Response, *, input: str, conditional: bool, deadline: float
    ) -> FetchResult:
        fetched_at = datetime.now(UTC)
        status = response.status_code
        content_type = response.headers.get("Content-Type") or None
        headers = dict(response.headers)

        def page(body: bytes) -> Page:
            return Page(
                input=input,
                url=response.url,
                body=body,
                content_type=content_type,
                fetched_at=fetched_at,
                status=status,
            )

        if status == 304 and conditional:
            return FetchResult(page(b""), headers)
        if status in self.retry_statuses:
            raise FetchError(
                "fetch.retries_exhausted",
                f"HTTP {status} from {response.url} after {_retries_used(response)} retries",
                input=input,
                status=status,
            )
        if not 200 <= status < 300:
            raise FetchError(
                "fetch.http_status",
                f"HTTP {status} {response.reason} from {response.url}",
                input=input,
                status=status,
            )
        mime = mime_type(content_type)
        if mime is not None and mime not in HTML_TYPES:
            raise FetchError(
                "fetch.content_type",
                f"{response.url} is {mime}, not HTML (text/html or application/xhtml+xml)",
                input=input,
                status=status,
            )
        declared = _content_length(response)
        if declared is not None and declared > self.max_body_bytes:
            raise FetchError(
                "fetch.too_large",
                f"{response.url} declares {declared} bytes, over the {self.max_body_bytes} cap",
                input=input,
                status=status,
            )
        body = self._read_body(response, limit=self.max_body_bytes, deadline=deadline, input=input)
        _check_html(body, mime, url=response.url, input=input, status=status)
        return FetchResult(page(body), headers)

    def _read_body(
        self,
        response: requests.Response,
        *,
        limit: int,
        deadline: float,
        input: str,
        truncate: bool = False,
    ) -> bytes:
        """Streamed response -> body of at most `limit` bytes, raises FetchError."""
        buffer = bytearray()
        try:
            while True:
                _check_deadline(deadline, self.deadline, input=input)
                # read1 returns as soon as some bytes arrive; read(n) would wait for n bytes
                # and let a trickling server hold us far past the deadline.
                chunk = response.raw.read1(CHUNK_BYTES, decode_content=True)
                if not chunk:
                    return bytes(buffer)
                if len(buffer) + len(chunk) > limit:
                    if truncate:
                        buffer += chunk[: limit - len(buffer)]
                        return bytes(buffer)
                    raise FetchError(
                        "fetch.too_large",
                        f"{response.url} sent more than the {limit}-byte cap; stopped reading",
                        input=input,
                        status=response.status_code,
                    )
                buffer += chunk
        except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:
            raise _error_from_exception(exc, url=response.url, input=input) from exc

    # -- politeness ----------------------------------------------------------------

    def _host_lock(self, netloc: str) -> threading.Lock:
        with self._locks_guard:
            return self._host_locks.setdefault(netloc, threading.Lock())

    def _wait_for_host(self, netloc: str) -> None:
        last = self._last_request.get(netloc)
        if last is not None:
            wait = last + self.host_delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)

    def _mark_host(self, netloc: str) -> None:
        # Marked when a request ends, so the gap holds however long the answer took.
        self._last_request[netloc] = time.monotonic()

    def _check_robots(self, url: str, deadline: float, *, input: str) -> None:
        """URL -> None when robots.txt lets us fetch it, raises FetchError otherwise."""
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        netloc = parts.netloc.lower()
        with self._host_lock(netloc):
            if origin not in self._robots:
                self._robots[origin] = self._fetch_robots(origin, deadline)
        rules = self._robots[origin]
        if isinstance(rules, FetchError):
            raise FetchError(
                rules.code,
                f"{rules.message}; RFC 9309 says to assume every path is disallowed until "
                "robots.txt can be read",
                input=input,
                status=rules.status,
            )
        if rules is not None and not rules.can_fetch(url, self.user_agent):
            raise FetchError(
                "fetch.robots_disallowed",
                f"robots.txt of {netloc} disallows {url} for {self.user_agent!r}",
                input=input,
            )

    def _fetch_robots(self, origin: str, deadline: float) -> Protego | FetchError | None:
        """Origin -> parsed robots.txt; None (allow all) when it is unavailable (4xx, too
        many redirects); the error (disallow all) when it is unreachable (5xx, network)."""
        url = f"{origin}/robots.txt"
        for _ in range(ROBOTS_MAX_REDIRECTS + 1):
            netloc = urlsplit(url).netloc.lower()
            self._wait_for_host(netloc)
            try:
                response = self._session.get(
                    url, timeout=self.timeout, stream=True, allow_redirects=False
                )
                try:
                    target = self._session.get_redirect_target(response)
                    status = response.status_code
                    if target is None and 200 <= status < 300:
                        body = self._read_body(
                            response, limit=ROBOTS_MAX_BYTES, deadline=deadline, input=url,
                            truncate=True,
                        )  # fmt: skip
                        return Protego.parse(body.decode("utf-8", errors="replace"))
                finally:
                    response.close()
            except (requests.RequestException, urllib3.exceptions.HTTPError, FetchError) as exc:
                LOGGER.warning("cannot read %s (%s); treating every path as disallowed", url, exc)
                if isinstance(exc, FetchError):
                    return exc
                return _error_from_exception(exc, url=url, input=url)
            finally:
                self._mark_host(netloc)
            if target is None:
                if status >= 500:
                    LOGGER.warning("%s answered HTTP %d; treating every path as disallowed",
                                   url, status)  # fmt: skip
                    return FetchError("fetch.robots_unreachable",
                                      f"{url} answered HTTP {status}", input=url, status=status)  # fmt: skip
                LOGGER.info("no robots.txt at %s (HTTP %d)", url, status)
                return None
            url = urljoin(response.url, requote_uri(target))
            if urlsplit(url).scheme.lower() not in ("http", "https"):
                LOGGER.info("robots.txt redirects to %s; treating it as unavailable", url)
                return None
        LOGGER.info("robots.txt of %s redirects more than %d times; treating it as unavailable",
                    origin, ROBOTS_MAX_REDIRECTS)  # fmt: skip
        return None


# -- pure helpers --------------------------------------------------------------------


def _check_url(url: str, *, input: str) -> SplitResult:
    """URL -> its parts, raises FetchError (fetch.scheme, fetch.invalid_url)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a non-numeric or out-of-range port
    except ValueError as exc:
        raise FetchError(
            "fetch.invalid_url", f"cannot parse URL {url!r}: {exc}", input=input
        ) from exc
    if parts.scheme.lower() not in ("http", "https"):
        scheme = f"{parts.scheme}:" if parts.scheme else "no scheme"
        raise FetchError(
            "fetch.scheme", f"only http and https URLs are fetched, got {scheme} in {url!r}",
            input=input,
        )  # fmt: skip
    if not parts.hostname:
        raise FetchError("fetch.invalid_url", f"URL has no host: {url!r}", input=input)
    return parts


def _check_deadline(deadline: float, budget: float, *, input: str) -> None:
    if time.monotonic() > deadline:
        raise FetchError("fetch.timeout", f"fetch took longer than its {budget} s deadline",
                         input=input)  # fmt: skip


def _content_length(response: requests.Response) -> int | None:
    try:
        return int(response.headers["Content-Length"])
    except (KeyError, ValueError):
        return None


def _retries_used(response: requests.Response) -> int:
    retries = getattr(response.raw, "retries", None)
    return len(retries.history) if retries is not None else 0


def sniff_non_html(body: bytes) -> str | None:
    """First bytes -> name of a non-HTML format they start with, or None."""
    for magic, name in NON_HTML_MAGIC:
        if body.startswith(magic):
            return name
    return None


def looks_like_html(body: bytes) -> bool:
    """First bytes -> True if they start like an HTML or XHTML document (WHATWG sniffing)."""
    head = body[:SNIFF_BYTES].removeprefix(UTF8_BOM).lstrip(SNIFF_WHITESPACE).lower()
    if head.startswith(HTML_PREFIXES_ANY_END):
        return True
    return any(
        head.startswith(tag) and len(head) > len(tag) and head[len(tag)] in TAG_TERMINATORS
        for tag in HTML_STARTS
    )


def _check_html(body: bytes, mime: str | None, *, url: str, input: str, status: int) -> None:
    """Body + declared type -> None if it is HTML, raises FetchError (fetch.not_html)."""
    found = sniff_non_html(body)
    if found is not None:
        declared = mime or "no Content-Type"
        raise FetchError(
            "fetch.not_html", f"{url} is served as {declared} but its bytes are a {found}",
            input=input, status=status,
        )  # fmt: skip
    if mime is None and not looks_like_html(body):
        raise FetchError(
            "fetch.not_html", f"{url} has no Content-Type and its bytes do not start like HTML",
            input=input, status=status,
        )  # fmt: skip


def _error_from_exception(exc: BaseException, *, url: str, input: str) -> FetchError:
    """requests/urllib3 exception -> FetchError with the matching stable code."""
    reason = _innermost_reason(exc)
    if _is_timeout(exc) or _is_timeout(reason):
        code = "fetch.timeout"
    elif isinstance(exc, requests.exceptions.SSLError) or isinstance(
        reason, urllib3.exceptions.SSLError
    ):
        code = "fetch.tls"
    elif isinstance(
        exc,
        requests.exceptions.InvalidURL
        | requests.exceptions.MissingSchema
        | requests.exceptions.InvalidSchema
        | urllib3.exceptions.LocationParseError,
    ):
        code = "fetch.invalid_url"
    elif isinstance(exc, requests.exceptions.ContentDecodingError | urllib3.exceptions.DecodeError):
        code = "fetch.content_encoding"
    elif isinstance(exc, requests.exceptions.RetryError):
        code = "fetch.retries_exhausted"
    else:
        code = "fetch.connection"
    detail = reason if reason is not None else exc
    return FetchError(code, f"{url}: {type(detail).__name__}: {detail}", input=input)


def _innermost_reason(exc: BaseException) -> BaseException | None:
    """Unwrap requests' ConnectionError(MaxRetryError(reason)) to the urllib3 reason."""
    inner: BaseException | None = exc
    for _ in range(4):  # requests wraps at most 2-3 deep
        if isinstance(inner, urllib3.exceptions.MaxRetryError):
            inner = inner.reason
        elif inner is not None and inner.args and isinstance(inner.args[0], BaseException):
            inner = inner.args[0]
        else:
            break
    return None if inner is exc else inner


def _is_timeout(exc: BaseException | None) -> bool:
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return False  # a subclass of ConnectTimeoutError for old callers; really "refused"
    return isinstance(
        exc,
        requests.Timeout
        | urllib3.exceptions.TimeoutError
        | TimeoutError,  # socket.timeout is TimeoutError since 3.10
    )
