"""Page store behind ``takedowns fetch URL... --store DIR``: fetched pages + JSON sidecars.

Layout, one pair per requested URL (key = first KEY_HEX_CHARS hex chars of the
sha256 of the requested URL, so the same URL always lands on the same files):

    DIR/<key>.html        the raw bytes as served (after content decoding)
    DIR/<key>.html.json   sidecar: requested_url, url (after redirects), status,
                          headers, fetched_at (ISO 8601, UTC), sha256, content_type

The sidecar path is always the page path + ".json" (``sidecar_path``); the sources
stage reads it with ``read_sidecar`` to give a stored page its URL. Both files are
written atomically (temp file + os.replace), the sidecar last, so a sidecar exists
only beside a complete page, and an entry counts as stored only when its sidecar does.
"""

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from models.page import Page
from pipeline.errors import PipelineError, ReadError, WriteError
from pipeline.fetch import Fetcher

LOGGER = logging.getLogger(__name__)

# 64 bits of sha256: a collision is unlikely (p < 1e-6) below ~6 million URLs per store
# (birthday bound sqrt(2 * 2**64 * 1e-6)), far above one researcher's crawl.
KEY_HEX_CHARS = 16
PAGE_SUFFIX = ".html"
SIDECAR_SUFFIX = ".json"
# mkstemp creates files 0600; stored pages are meant to be shared and read by other tools.
STORE_FILE_MODE = 0o644

Outcome = Literal["stored", "skipped", "not_modified", "failed"]


@dataclass(frozen=True)
class StoreResult:
    """What happened to one URL: stored, skipped, not_modified (with path) or failed (error)."""

    url: str
    outcome: Outcome
    path: Path | None = None
    error: PipelineError | None = None


def page_key(requested_url: str) -> str:
    """Requested URL -> store key (first KEY_HEX_CHARS hex chars of its sha256)."""
    return hashlib.sha256(requested_url.encode("utf-8")).hexdigest()[:KEY_HEX_CHARS]


def page_path(store_dir: Path, requested_url: str) -> Path:
    """Store dir + requested URL -> path of the stored page (<key>.html)."""
    return store_dir / f"{page_key(requested_url)}{PAGE_SUFFIX}"


def sidecar_path(page_file: Path) -> Path:
    """Page path -> its sidecar path (page path + '.json')."""
    return page_file.with_name(page_file.name + SIDECAR_SUFFIX)


def store_page(page: Page, store_dir: Path, *, requested_url: str, headers: dict[str, str]) -> Path:
    """Fetched Page -> path of <key>.html written with its <key>.html.json, raises WriteError."""
    path = page_path(store_dir, requested_url)
    sidecar = {
        "requested_url": requested_url,
        "url": page.url,
        "status": page.status,
        "headers": {str(name): str(value) for name, value in headers.items()},
        "fetched_at": page.fetched_at.isoformat() if page.fetched_at else None,
        "sha256": hashlib.sha256(page.body).hexdigest(),
        "content_type": page.content_type,
    }
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, page.body)
        # Last: a sidecar on disk promises a complete page beside it.
        text = json.dumps(sidecar, ensure_ascii=False, indent=2) + "\n"
        _write_atomic(sidecar_path(path), text.encode("utf-8"))
    except OSError as exc:
        raise WriteError("write.store", f"cannot store {requested_url} in {store_dir}: {exc}",
                         input=requested_url) from exc  # fmt: skip
    return path


def read_sidecar(page_file: Path) -> dict[str, Any] | None:
    """Page path -> its sidecar as a dict, None if there is none, raises ReadError if bad."""
    path = sidecar_path(page_file)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ReadError("read.sidecar", f"cannot read {path}: {exc}", input=str(page_file)) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError("read.sidecar", f"{path} is not valid JSON: {exc}",
                        input=str(page_file)) from exc  # fmt: skip
    if not isinstance(data, dict):
        raise ReadError("read.sidecar", f"{path} does not hold a JSON object",
                        input=str(page_file))  # fmt: skip
    return data


def fetch_to_store(
    urls: Iterable[str], store_dir: Path, *, fetcher: Fetcher, refresh: bool = False
) -> Iterator[StoreResult]:
    """URLs -> one StoreResult per URL, in order; a failed URL never stops the rest."""
    for url in urls:
        try:
            yield _fetch_one(url, store_dir, fetcher=fetcher, refresh=refresh)
        except PipelineError as exc:
            LOGGER.warning("%s: %s", url, exc)
            yield StoreResult(url=url, outcome="failed", error=exc)


def _fetch_one(url: str, store_dir: Path, *, fetcher: Fetcher, refresh: bool) -> StoreResult:
    path = page_path(store_dir, url)
    stored = _stored_sidecar(path)
    if stored is not None and not refresh:
        return StoreResult(url=url, outcome="skipped", path=path)
    etag = last_modified = None
    if stored is not None:
        stored_headers = {str(k).lower(): v for k, v in (stored.get("headers") or {}).items()}
        etag = stored_headers.get("etag")
        last_modified = stored_headers.get("last-modified")
    result = fetcher.fetch_with_headers(url, etag=etag, last_modified=last_modified)
    if result.page.status == 304:
        return StoreResult(url=url, outcome="not_modified", path=path)
    store_page(result.page, store_dir, requested_url=url, headers=result.headers)
    return StoreResult(url=url, outcome="stored", path=path)


def _stored_sidecar(path: Path) -> dict[str, Any] | None:
    """Page path -> sidecar of a complete entry, None if absent or damaged (refetched then)."""
    if not path.is_file():
        return None
    try:
        return read_sidecar(path)
    except ReadError as exc:
        LOGGER.warning("%s; fetching the page again", exc)
        return None


def _write_atomic(path: Path, data: bytes) -> None:
    """Bytes -> file at path, replaced in one step so readers never see half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fp:
            os.fchmod(fp.fileno(), STORE_FILE_MODE)
            fp.write(data)
            fp.flush()
            os.fsync(fp.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
