"""takedowns: saved news-article pages -> structured records of online takedowns.

The library entry point is ``extract_records(html_or_bytes, url=...)`` for one
page; batches go through ``pipeline.run.run_batch``. Heavy modules load lazily,
so importing ``pipeline`` is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from models.record import TakedownRecord
    from pipeline.run import PageOutcome

__all__ = ["__version__", "extract_page", "extract_records"]

_EXTRACTOR = None


def extract_page(body: bytes | str, *, url: str | None = None) -> PageOutcome:
    """One page's HTML -> its outcome (article line, records, or an error line)."""
    global _EXTRACTOR
    from models.page import Page
    from pipeline.extract import Extractor
    from pipeline.run import process_page

    if _EXTRACTOR is None:
        _EXTRACTOR = Extractor()
    raw = body.encode("utf-8") if isinstance(body, str) else body
    page = Page(input=url or "<memory>", body=raw, url=url)
    return process_page(page, extractor=_EXTRACTOR)


def extract_records(body: bytes | str, *, url: str | None = None) -> list[TakedownRecord]:
    """One page's HTML -> its takedown records; raises ValueError if the page failed."""
    outcome = extract_page(body, url=url)
    if outcome.error is not None:
        raise ValueError(f"{outcome.error.code}: {outcome.error.message}")
    return outcome.records
