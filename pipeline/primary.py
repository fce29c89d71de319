"""Links to a platform's or an authority's own disclosure -> the records' primary sources.

``patterns/primary_sources.jsonl`` lists where disclosures live, one host (subdomains
included, "www." ignored) and an optional path prefix per line, with the publisher's name,
its kind (platform, regulator, government, court) and, where it is one, the actor group
that publishes there. The longest matching host and path wins.

``attach_primary_sources`` runs once per page, after the records are built: every link of
the article body that matches is marked with its kind, and goes into the records of that
article as a ``PrimarySource``. A platform's disclosure speaks for that platform only, so
it is not given to a record whose actor is another known actor (Meta's newsroom is not a
source for X's takedown in a round-up); an authority's order or a court judgment may
concern any actor's action and goes to every record of the page (so does a platform's
disclosure to a record whose actor is no platform publisher, a ministry ordering removals).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from models.article import Link
from models.record import PrimarySource, TakedownRecord
from pipeline.actors import PATTERNS_DIR, actor_group

PRIMARY_SOURCES_FILE = "primary_sources.jsonl"


class PrimaryPattern(BaseModel):
    """One line of primary_sources.jsonl."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str  # "about.fb.com"; subdomains match too
    path: str = "/"  # path prefix, "/news/"
    publisher: str  # "Meta", "Google TAG", "PTA"
    kind: Literal["platform", "regulator", "government", "court"]
    actor: str | None = None  # the actor group publishing there ("Meta"), when it is one


@functools.cache
def load_patterns(path: Path = PATTERNS_DIR / PRIMARY_SOURCES_FILE) -> tuple[PrimaryPattern, ...]:
    """primary_sources.jsonl -> its patterns, most specific first; raises ValueError naming
    the bad line."""
    patterns = []
    with path.open(encoding="utf-8") as fp:
        for n, line in enumerate(fp, 1):
            if not line.strip():
                continue
            try:
                patterns.append(PrimaryPattern.model_validate(json.loads(line)))
            except ValueError as exc:
                raise ValueError(f"{path.name} line {n}: {exc}") from exc
    return tuple(sorted(patterns, key=lambda p: (-len(p.host), -len(p.path))))


def match_primary(href: str) -> PrimaryPattern | None:
    """link URL -> the disclosure pattern it falls under, None for any other link."""
    try:
        parts = urlsplit(href)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    host = host.removeprefix("www.")
    path = parts.path or "/"
    for pattern in load_patterns():
        if (host == pattern.host or host.endswith("." + pattern.host)) and path.lower().startswith(
            pattern.path.lower()
        ):
            return pattern
    return None


def attach_primary_sources(
    records: list[TakedownRecord], links: list[Link]
) -> tuple[list[TakedownRecord], list[Link]]:
    """records and body links of one page -> records with their primary sources, and the links
    with ``primary`` set on those that are disclosures."""
    marked: list[Link] = []
    sources: list[tuple[PrimarySource, PrimaryPattern]] = []
    seen: set[str] = set()
    for link in links:
        pattern = match_primary(link.href)
        if pattern is None:
            marked.append(link)
            continue
        marked.append(link.model_copy(update={"primary": pattern.kind}))
        if link.href not in seen:
            seen.add(link.href)
            source = PrimarySource(url=link.href, text=link.text, publisher=pattern.publisher)
            sources.append((source, pattern))
    if not sources:
        return records, marked
    attached = []
    for record in records:
        own = [s for s, p in sources if _speaks_for(p, record)]
        attached.append(record.model_copy(update={"primary_sources": own}) if own else record)
    return attached, marked


def _speaks_for(pattern: PrimaryPattern, record: TakedownRecord) -> bool:
    """Whether a disclosure can be a source of this record (see the module docstring)."""
    if pattern.kind != "platform" or pattern.actor is None or record.actor is None:
        return True
    group = actor_group(record.actor.name)
    return group == pattern.actor or group not in _platform_groups()


@functools.cache
def _platform_groups() -> frozenset[str]:
    """-> the actor groups that publish platform disclosures (Meta, Google, X, ...)."""
    return frozenset(p.actor for p in load_patterns() if p.kind == "platform" and p.actor)
