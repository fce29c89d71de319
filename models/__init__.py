"""Pydantic v2 models of everything the pipeline reads and writes.

The record contract (``TakedownRecord``) is documented in DESIGN.md; a change to
its core fields bumps ``SCHEMA_VERSION``.
"""

from models.article import Article, ArticleLine, Entity, Link, NumericClaim, Source
from models.errors import ErrorLine
from models.event import Conflict, Event, EventTarget, Variant
from models.expected import Expected, ExpectedRecord
from models.page import Page
from models.record import (
    SCHEMA_VERSION,
    Actor,
    Country,
    Evidence,
    PrimarySource,
    Reach,
    Reason,
    TakedownRecord,
    Target,
    Total,
)

__all__ = [
    "SCHEMA_VERSION",
    "Actor",
    "Article",
    "ArticleLine",
    "Conflict",
    "Country",
    "Entity",
    "ErrorLine",
    "Event",
    "EventTarget",
    "Evidence",
    "Expected",
    "ExpectedRecord",
    "Link",
    "NumericClaim",
    "Page",
    "PrimarySource",
    "Reach",
    "Reason",
    "Source",
    "TakedownRecord",
    "Target",
    "Total",
    "Variant",
]
