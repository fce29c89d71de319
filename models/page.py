"""A page as read from disk, a WARC file or the network: raw bytes plus provenance."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Page(BaseModel):
    """Raw bytes of one saved or fetched page, before any decoding."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: str  # the input spec this page came from (path, URL, "warc#offset")
    body: bytes
    url: str | None = None  # the page's own URL (sidecar, WARC target URI, fetched URL)
    path: str | None = None  # local file the bytes were read from
    content_type: str | None = None  # Content-Type header, when one was seen
    fetched_at: datetime | None = None  # capture or fetch time, when known
    status: int | None = None  # HTTP status, when fetched
