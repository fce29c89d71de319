"""Records of many articles -> events: one line per takedown, however many outlets told it.

Two records report the same takedown when all of these hold:

- **actor**: the same once normalised (``pipeline.actors``: Facebook = Meta = Instagram,
  Twitter = X, YouTube = Google);
- **time**: their periods overlap (a month inside a quarter, a month inside a year); or one
  has no period and its publish date falls within ``PUBLISH_WINDOW_DAYS`` after the other's
  period or publish date. A later time is accepted as a *lag* only with a figure that
  agrees (below): the next month (a monthly report announced the month after), or up to
  ``REPORT_LAG_DAYS`` after a quarter or a year (quarterly reports come out weeks later);
- **place**: their origin countries overlap (all countries when one gives no origin), or
  their operators do. A record with neither joins only on a figure that agrees;
- **figures**: no figure disagrees unless another agrees. Two figures agree when they are
  equal, when one rounds the other ("over 450" and 453; an unqualified "450" and 453), or
  when a total matches the other's breakdown ("185 accounts" and 77 + 72 + 18 + 18). A lone
  figure larger than the same kind's figure of a breakdown may be such a total, and a
  misprint (8,588 for 8,558; 27 for 72: one digit changed, dropped or added, or two
  neighbours swapped) may be a typo: neither is held against a match, but once the records
  are grouped the misprint is listed as a conflict;
- **articles**: they come from different pages (one page's records are different takedowns).

Cost. Records are first put in blocks by (actor, month), a record in every month its time
can reach (its period, plus the lag; or the few weeks before its publish date), and only
records sharing a block are compared, each pair once. With a bounded number of reports per
actor and month this grows close to linearly with the number of records (README gives the
measured cost of 10,000 records).

Grouping is complete-linkage: compatible pairs are merged best first (most agreeing
evidence), and two groups join only when every record of one is compatible with every
record of the other, so a record with a wrong figure or a vague one cannot chain two
takedowns together. Records are sorted by ``record_id`` first and every tie is broken on
ids, so the events (and their ``event_id``, a hash of the member record ids) do not depend
on input order or on ``jobs``. Records that match nothing become single-source events.

Reconciling an event: each target (kind and platform) takes the figure most sources support
(a rounded figure supports the exact one it rounds; exact figures win ties), keeps every
variant with its record ids and urls, and lists a conflict where a source disagrees beyond
rounding; a lone figure that is others' breakdown summed goes to ``total``. Actions of different
classes (removing vs. restricting), periods that do not overlap and different origin
countries are listed as conflicts too.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from models.event import Conflict, Event, EventTarget, Variant
from models.record import SCHEMA_VERSION, Actor, Country, PrimarySource, TakedownRecord
from pipeline.actors import actor_group
from pipeline.data import MONTH_NAMES

# An article without a period reports a takedown announced at most this long before it was
# published. Coverage of one disclosure in ../shared/facts.md sources appears within days;
# three weeks also admits weekly round-ups and late follow-ups.
PUBLISH_WINDOW_DAYS = 21
# How long after a quarter (or a year) its report may come out and still be the same
# takedown. In ../shared/facts.md the latest is Meta's Q4 2024 report, 63 days after the
# quarter (2025-03-04); Google's bulletins came 21-45 days after theirs.
REPORT_LAG_DAYS = 75
# A figure written without "about" or "over" is read as rounded when it ends in zeros and the
# other lies within half its last unit ("450" for 453, "20,000" for 20,348; not "50" for 58).
# A qualified figure ("over 450", "nearly 2,600") covers a whole unit either way.
# Either way a rounding never stretches past this share of the figure: "about 100" is not 195.
ROUNDING_MAX_SHARE = 0.25
# Actions that do the same thing to the targets; an event whose sources mix classes lists an
# action conflict (a removal reported as a block is a different claim).
ACTION_CLASSES = {
    "removed": "removal",
    "terminated": "removal",
    "suspended": "removal",
    "banned": "removal",
    "blocked": "restriction",
    "restricted": "restriction",
}
# Work sent to a worker process at once when grouping with several jobs: blocks to compare,
# events to reconcile (a few hundred keeps pickling a small share of the work).
JOBS_CHUNK_BLOCKS = 256
JOBS_CHUNK_EVENTS = 512

OPERATOR_NOISE_RE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
# The periods records carry (pipeline/records/periods.py writes them): "August 2020", "Q1 2024", "2020".
PERIOD_MONTH_RE = re.compile(rf"^({'|'.join(MONTH_NAMES)}) ((?:19|20)\d\d)$")
PERIOD_QUARTER_RE = re.compile(r"^Q([1-4]) ((?:19|20)\d\d)$")
PERIOD_YEAR_RE = re.compile(r"^((?:19|20)\d\d)$")


class Relation(IntEnum):
    """How two records relate on one criterion."""

    NO = 0  # incompatible (time out of reach, other countries, figures that disagree)
    UNKNOWN = 1  # nothing to compare (no country on one side, no shared figure)
    LAG = 2  # time: the later one is within the lag of the earlier
    YES = 3  # overlapping time, shared country or operator, a figure that agrees


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of days a record's time can cover, and how fine it is."""

    start: date
    end: date
    grain: str  # month, quarter, year, published (the weeks before a publish date)


@dataclass(frozen=True, slots=True)
class Figure:
    """A count as one source gives it."""

    count: int
    approximate: bool


@dataclass(frozen=True, slots=True)
class Facet:
    """What grouping reads of one record."""

    record_id: str
    page: str  # sha256 of the page the record came from
    actor: str  # the actor group, case-folded ("" when unknown)
    span: Span | None
    lag_end: date | None  # how far a later report can still be this takedown
    origins: frozenset[str]
    places: frozenset[str]
    operator: str | None
    figures: dict[tuple[str, str], Figure]  # (kind, platform or "") -> figure
    totals: tuple[Figure, ...]  # a stated total; the sum of a breakdown of two or more
    single: Figure | None  # the only figure of a record that gives one


@dataclass
class GroupingStats:
    """What grouping cost: records read, blocks, pairs compared, events made."""

    records: int = 0
    duplicates: int = 0
    blocks: int = 0
    comparisons: int = 0
    events: int = 0
    largest_block: int = 0


@dataclass
class InputProblem:
    """A records line that could not be read (file, line number, why)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


# --------------------------------------------------------------------------- reading


def read_records(
    paths: Iterable[str], problems: list[InputProblem], *, stdin: TextIO | None = None
) -> Iterator[TakedownRecord]:
    """records.jsonl paths ('-' for ``stdin``) -> records; a line or file that cannot be read
    is added to ``problems`` and the rest is read on."""
    for path in paths:
        n = 0
        try:
            opened = (
                nullcontext(stdin)
                if path == "-" and stdin is not None
                else Path(path).open(encoding="utf-8")  # noqa: SIM115 (closed by the with)
            )
            with opened as fp:
                for n, line in enumerate(fp, 1):
                    if line.strip():
                        record = _parse_line(line, path, n, problems)
                        if record is not None:
                            yield record
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(InputProblem(path, n, f"cannot be read: {exc}"))


def _parse_line(
    line: str, path: str, n: int, problems: list[InputProblem]
) -> TakedownRecord | None:
    try:
        return TakedownRecord.model_validate_json(line)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        problems.append(
            InputProblem(
                path, n, f"not a record line: {where + ': ' if where else ''}{first['msg']}"
            )
        )
        return None


# --------------------------------------------------------------------------- facets


def period_span(period: str | None) -> Span | None:
    """'August 2020', 'Q1 2024', '2020' -> the days it covers; None for anything else."""
    if not period:
        return None
    if m := PERIOD_MONTH_RE.match(period):
        month, year = MONTH_NAMES.index(m.group(1)) + 1, int(m.group(2))
        return Span(date(year, month, 1), _month_end(year, month), "month")
    if m := PERIOD_QUARTER_RE.match(period):
        quarter, year = int(m.group(1)), int(m.group(2))
        return Span(date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter), "quarter")
    if m := PERIOD_YEAR_RE.match(period):
        year = int(m.group(1))
        return Span(date(year, 1, 1), date(year, 12, 31), "year")
    return None


def _month_end(year: int, month: int) -> date:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def _lag_end(span: Span) -> date:
    """span -> the last day a later report can still be the same takedown."""
    if span.grain == "month":  # the whole next month
        return _month_end(span.end.year + span.end.month // 12, span.end.month % 12 + 1)
    if span.grain == "published":
        return span.end
    return span.end + timedelta(days=REPORT_LAG_DAYS)


def target_key(kind: str, platform: str | None) -> tuple[str, str]:
    return kind, (platform or "").casefold()


def _operator(name: str | None) -> str | None:
    if not name:
        return None
    return OPERATOR_NOISE_RE.sub("", name.strip()).casefold() or None


def facet(record: TakedownRecord) -> Facet:
    """record -> what grouping compares."""
    span = period_span(record.period)
    if span is None and record.source.published is not None:
        day = record.source.published
        span = Span(day - timedelta(days=PUBLISH_WINDOW_DAYS), day, "published")
    figures: dict[tuple[str, str], Figure] = {}
    for t in record.targets:
        if t.count is None:
            continue
        key = target_key(t.kind, t.platform)
        prev = figures.get(key)
        figures[key] = (
            Figure(t.count, t.approximate)
            if prev is None
            else Figure(prev.count + t.count, prev.approximate or t.approximate)
        )
    totals: list[Figure] = []
    if record.total is not None and record.total.count is not None:
        totals.append(Figure(record.total.count, record.total.approximate))
    if len(figures) >= 2:
        totals.append(
            Figure(
                sum(f.count for f in figures.values()), any(f.approximate for f in figures.values())
            )
        )
    group = actor_group(record.actor.name) if record.actor else None
    return Facet(
        record_id=record.record_id,
        page=record.source.sha256,
        actor=(group or "").casefold(),
        span=span,
        lag_end=_lag_end(span) if span else None,
        origins=frozenset(c.code for c in record.countries if c.role == "origin"),
        places=frozenset(c.code for c in record.countries),
        operator=_operator(record.operator),
        figures=figures,
        totals=tuple(totals),
        single=next(iter(figures.values())) if len(figures) == 1 else None,
    )


def block_keys(f: Facet) -> tuple[tuple[str, str], ...]:
    """facet -> the (actor, month) blocks it is compared in, sorted."""
    if f.span is None or f.lag_end is None:
        return ((f.actor, "undated"),)
    keys = []
    year, month = f.span.start.year, f.span.start.month
    while (year, month) <= (f.lag_end.year, f.lag_end.month):
        keys.append((f.actor, f"{year:04d}-{month:02d}"))
        year, month = year + month // 12, month % 12 + 1
    return tuple(keys)


# --------------------------------------------------------------------------- comparing


def figures_agree(a: Figure, b: Figure) -> bool:
    """Two figures agree when equal or when one rounds the other (see ROUNDING_MAX_SHARE)."""
    return a.count == b.count or _rounds(a, b.count) or _rounds(b, a.count)


def _rounds(stated: Figure, other: int) -> bool:
    """Whether ``stated`` can be a rounding of ``other``."""
    if stated.count <= 0:
        return False
    unit = 1
    while stated.count % (unit * 10) == 0:
        unit *= 10
    reach = unit if stated.approximate else unit // 2
    return abs(stated.count - other) <= min(reach, ROUNDING_MAX_SHARE * stated.count)


def _shared_keys(a: Facet, b: Facet) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """Targets both give: same kind and platform, or same kind where one names no platform
    and the other has one target of that kind."""
    pairs = []
    for key in a.figures:
        if key in b.figures:
            pairs.append((key, key))
            continue
        kind, platform = key
        if platform:
            match = [k for k in b.figures if k[0] == kind and not k[1]]
        else:
            match = [k for k in b.figures if k[0] == kind]
        if len(match) == 1 and (platform or len([k for k in a.figures if k[0] == kind]) == 1):
            pairs.append((key, match[0]))
    return pairs


def figures_relation(a: Facet, b: Facet) -> tuple[Relation, int]:
    """-> YES when some figure agrees (a target, or a total and a breakdown), NO when shared
    targets all disagree and no total agrees, UNKNOWN when nothing is shared; and how many
    figures agree."""
    agree = disagree = 0
    for ka, kb in _shared_keys(a, b):
        fa, fb = a.figures[ka], b.figures[kb]
        if figures_agree(fa, fb):
            agree += 1
        elif not (misprint(fa, fb) or _lone_above(a, fa, b, fb) or _lone_above(b, fb, a, fa)):
            disagree += 1
    a_all = a.totals + ((a.single,) if a.single else ())
    b_all = b.totals + ((b.single,) if b.single else ())
    total_agrees = any(
        figures_agree(x, y)
        for x in a_all
        for y in b_all
        if not (x is a.single and y is b.single)  # two lone targets were compared above
    )
    agree += total_agrees
    if agree:
        return Relation.YES, agree
    return (Relation.NO if disagree else Relation.UNKNOWN), 0


def misprint(a: Figure, b: Figure) -> bool:
    """Whether two exact figures differ as a misprint does: one digit changed, dropped or
    added, or two neighbouring digits swapped (8,558 and 8,588; 72 and 27; 276 and 76)."""
    if a.approximate or b.approximate or a.count == b.count:
        return False
    x, y = sorted((str(a.count), str(b.count)), key=len)
    if len(y) < 2:
        return False  # any two one-digit figures differ by one digit: no sign of a typo
    if len(x) == len(y):
        diff = [i for i in range(len(x)) if x[i] != y[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and x[diff[0]] == y[diff[1]]
            and x[diff[1]] == y[diff[0]]
        )  # fmt: skip
    return (
        len(y) == len(x) + 1 and len(x) >= 2 and any(y[:i] + y[i + 1 :] == x for i in range(len(y)))
    )


def _lone_above(x: Facet, fx: Figure, y: Facet, fy: Figure) -> bool:
    """Whether ``fx`` is a lone figure above the same kind's figure in ``y``'s breakdown.
    Outlets write a total of kinds as one kind ("185 accounts" for accounts, Pages and
    groups), so such a figure is weighed against totals only, never held against a part."""
    return x.single is not None and len(y.figures) >= 2 and fx.count > fy.count


def time_relation(a: Facet, b: Facet) -> Relation:
    """-> YES when their times overlap, LAG when the later is within the earlier's lag."""
    if a.span is None or b.span is None:
        return Relation.YES if a.span is None and b.span is None else Relation.NO
    if a.span.start <= b.span.end and b.span.start <= a.span.end:
        return Relation.YES
    first, later = (a, b) if a.span.end < b.span.start else (b, a)
    assert first.span is not None and later.span is not None and first.lag_end is not None
    if first.span.grain == "published":
        return Relation.NO  # an undated article's weeks do not stretch forward
    return Relation.LAG if later.span.start <= first.lag_end else Relation.NO


def place_relation(a: Facet, b: Facet) -> Relation:
    """-> YES on a shared origin country (any country when one gives no origin) or operator,
    NO on countries that differ, UNKNOWN when one side names none."""
    if a.operator and b.operator and (a.operator in b.operator or b.operator in a.operator):
        return Relation.YES
    left, right = (a.origins, b.origins) if a.origins and b.origins else (a.places, b.places)
    if left and right:
        return Relation.YES if left & right else Relation.NO
    return Relation.UNKNOWN


def compare(a: Facet, b: Facet) -> int | None:
    """Two records -> a score when they can report the same takedown (higher is surer),
    None when they cannot."""
    if a.page == b.page or a.actor != b.actor:
        return None
    when = time_relation(a, b)
    if when is Relation.NO:
        return None
    where = place_relation(a, b)
    if where is Relation.NO:
        return None
    figures, agreeing = figures_relation(a, b)
    if figures is Relation.NO:
        return None
    if figures is not Relation.YES and (when is Relation.LAG or where is Relation.UNKNOWN):
        return None  # a lagged time or an unknown place needs a figure that agrees
    return 2 * (where is Relation.YES) + (when is Relation.YES) + agreeing


# --------------------------------------------------------------------------- grouping

# Set before forking workers, read-only there (workers inherit them instead of unpickling).
_RECORDS: list[TakedownRecord] = []
_FACETS: list[Facet] = []
_KEYS: list[tuple[tuple[str, str], ...]] = []


def _compare_blocks(
    blocks: list[tuple[tuple[str, str], list[int]]],
) -> tuple[list[tuple[int, int, int]], int]:
    """blocks -> (compatible pairs with their score, pairs compared); each pair is compared
    in the first block its two records share only."""
    edges: list[tuple[int, int, int]] = []
    compared = 0
    for key, members in blocks:
        for x, i in enumerate(members):
            keys_i = _KEYS[i]
            for j in members[x + 1 :]:
                # a record's keys are consecutive months of one actor: the first block two
                # records share is the later of their first ones
                if max(keys_i[0], _KEYS[j][0]) != key:
                    continue
                compared += 1
                score = compare(_FACETS[i], _FACETS[j])
                if score is not None:
                    edges.append((i, j, score))
    return edges, compared


def group_records(
    records: Iterable[TakedownRecord], *, jobs: int = 1
) -> tuple[list[Event], GroupingStats]:
    """records of any number of articles -> events (sorted by first publish date, actor and
    id) and what grouping cost. Output does not depend on input order or ``jobs``."""
    global _RECORDS, _FACETS, _KEYS
    with _gc_paused():
        try:
            return _group(records, jobs)
        finally:
            _RECORDS, _FACETS, _KEYS = [], [], []  # the workers are gone; let go of the records


def _group(records: Iterable[TakedownRecord], jobs: int) -> tuple[list[Event], GroupingStats]:
    global _RECORDS, _FACETS, _KEYS
    stats = GroupingStats()
    unique: dict[str, TakedownRecord] = {}
    for record in records:
        stats.records += 1
        prev = unique.get(record.record_id)
        if prev is None:
            unique[record.record_id] = record
        else:
            stats.duplicates += 1
            if prev != record:  # same id, other content: keep one, whatever the input order
                unique[record.record_id] = min((prev, record), key=lambda r: r.model_dump_json())
    _RECORDS = ordered = [unique[rid] for rid in sorted(unique)]
    _FACETS = [facet(r) for r in ordered]
    _KEYS = [block_keys(f) for f in _FACETS]
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, keys in enumerate(_KEYS):
        for key in keys:
            blocks[key].append(i)
    items = sorted(blocks.items())
    stats.blocks = len(items)
    stats.largest_block = max((len(m) for _, m in items), default=0)
    with _pool(jobs) as pool:
        edges, stats.comparisons = _edges(items, pool)
        groups = _cluster(len(ordered), edges)
        events = _events(groups, pool)
    events.sort(
        key=lambda e: (e.first_published or date.max, e.actor.name if e.actor else "", e.event_id)
    )
    stats.events = len(events)
    return events, stats


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while records are read and grouped: they make no
    cycles, and each full pass rescans every live record. On the synthetic records of
    scripts/bench_events.py that took the cost per record from about 65 us at 1,000 records
    to 160 us at 10,000; paused, it stays flat."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _pool(jobs: int) -> Iterator[ProcessPoolExecutor | None]:
    """-> worker processes forked after the facets are set (None for one job)."""
    if jobs <= 1:
        yield None
        return
    context = multiprocessing.get_context("fork")  # workers inherit the facets, unpickled
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        yield pool


def _edges(
    items: list[tuple[tuple[str, str], list[int]]], pool: ProcessPoolExecutor | None
) -> tuple[list[tuple[int, int, int]], int]:
    if pool is None:
        return _compare_blocks(items)
    chunks = [items[n : n + JOBS_CHUNK_BLOCKS] for n in range(0, len(items), JOBS_CHUNK_BLOCKS)]
    edges: list[tuple[int, int, int]] = []
    compared = 0
    for part, n in pool.map(_compare_blocks, chunks):
        edges.extend(part)
        compared += n
    return edges, compared


def _events(groups: list[list[int]], pool: ProcessPoolExecutor | None) -> list[Event]:
    if pool is None:
        return _reconcile_groups(groups)
    chunks = [groups[n : n + JOBS_CHUNK_EVENTS] for n in range(0, len(groups), JOBS_CHUNK_EVENTS)]
    return [event for part in pool.map(_reconcile_groups, chunks) for event in part]


def _reconcile_groups(groups: list[list[int]]) -> list[Event]:
    """groups of record indexes -> their events (in a worker: the records are inherited)."""
    return [
        _event([_RECORDS[i] for i in members], [_FACETS[i] for i in members]) for members in groups
    ]


def _cluster(n: int, edges: list[tuple[int, int, int]]) -> list[list[int]]:
    """record count + compatible pairs -> groups of record indexes (complete linkage)."""
    ok = {(i, j) for i, j, _ in edges}
    group_of = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    for i, j, _ in sorted(edges, key=lambda e: (-e[2], e[0], e[1])):
        gi, gj = group_of[i], group_of[j]
        if gi == gj:
            continue
        if all((min(x, y), max(x, y)) in ok for x in members[gi] for y in members[gj]):
            keep, gone = min(gi, gj), max(gi, gj)
            for x in members[gone]:
                group_of[x] = keep
            members[keep].extend(members.pop(gone))
    return [sorted(m) for _, m in sorted(members.items())]


# --------------------------------------------------------------------------- reconciling


def event_id(record_ids: Iterable[str]) -> str:
    """member record ids -> a stable id (the same set gives the same id, in any order)."""
    return hashlib.sha256("\n".join(sorted(record_ids)).encode()).hexdigest()[:16]


def _url(record: TakedownRecord) -> str | None:
    return record.source.url or record.source.path


def _variant(
    records: list[TakedownRecord], *, count: int | None = None, approximate: bool = False,
    qualifier: str | None = None, value: str | None = None,
) -> Variant:  # fmt: skip
    return Variant(
        count=count,
        approximate=approximate,
        qualifier=qualifier,
        value=value,
        record_ids=sorted(r.record_id for r in records),
        urls=sorted({u for r in records if (u := _url(r))}),
    )


@dataclass
class _Said:
    """One record's figure for one target."""

    record: TakedownRecord
    count: int | None
    approximate: bool
    qualifier: str | None


def _reconcile(key: str, said: list[_Said]) -> tuple[EventTarget, Conflict | None]:
    """what each source said of one target -> the reconciled target and any conflict."""
    kind, platform = key.split("/", 1) if "/" in key else (key, "")
    by_value: dict[tuple[int | None, bool, str | None], list[TakedownRecord]] = defaultdict(list)
    for s in said:
        by_value[(s.count, s.approximate, s.qualifier)].append(s.record)
    counted = [s for s in said if s.count is not None]
    if not counted:
        chosen: tuple[int | None, bool] = (None, any(s.approximate for s in said))
    else:
        # exact figures are the candidates when there are any; a rounded one only otherwise
        candidates: set[tuple[int | None, bool]] = {
            (s.count, s.approximate) for s in counted if not s.approximate
        } or {(s.count, s.approximate) for s in counted}

        def rank(c: tuple[int | None, bool]) -> tuple[int, bool, int, int]:
            figure = Figure(c[0] or 0, c[1])
            support = sum(
                figures_agree(figure, Figure(s.count or 0, s.approximate)) for s in counted
            )
            same = sum(s.count == c[0] for s in counted)
            return (-support, c[1], -same, c[0] or 0)

        chosen = min(candidates, key=rank)
    variants = sorted(
        (
            _variant(recs, count=c, approximate=a, qualifier=q)
            for (c, a, q), recs in by_value.items()
        ),
        key=lambda v: (-len(v.record_ids), v.count is None, v.count or 0, v.qualifier or ""),
    )
    target = EventTarget(
        kind=kind,
        platform=platform or None,
        count=chosen[0],
        approximate=chosen[1],
        variants=variants,
    )
    if chosen[0] is None:
        return target, None
    pick = Figure(chosen[0], chosen[1])
    off = [
        v
        for v in variants
        if v.count is not None and not figures_agree(pick, Figure(v.count, v.approximate))
    ]
    if not off:
        return target, None
    # the figure kept, then each that disagrees with it (roundings of it are in the variants)
    kept = [v for v in variants if (v.count, v.approximate) == chosen]
    return target, Conflict(
        field="total" if kind == "total" else "targets",
        key=None if kind == "total" else key,
        values=kept + off,
        note=f"{len(off)} figure(s) disagree beyond rounding with {chosen[0]:,}",
    )


def _targets(
    records: list[TakedownRecord], facets_of: list[Facet]
) -> tuple[list[EventTarget], EventTarget | None, list[Conflict]]:
    """an event's records (and their facets) -> reconciled targets, its total, and figure
    conflicts."""
    facets = {f.record_id: f for f in facets_of}
    breakdowns = [f for f in facets.values() if len(f.figures) >= 2]
    # the platform of a target that names none, when the event has one target of that kind
    platforms: dict[str, set[str]] = defaultdict(set)
    for r in records:
        for t in r.targets:
            if t.platform:
                platforms[t.kind].add(t.platform)
    said: dict[str, list[_Said]] = defaultdict(list)
    totals: list[_Said] = []
    for r in records:
        f = facets[r.record_id]
        if r.total is not None:
            totals.append(_Said(r, r.total.count, r.total.approximate, r.total.qualifier))
        if f.single is not None and _is_total(f, breakdowns):
            (t,) = [t for t in r.targets if t.count is not None]
            totals.append(_Said(r, t.count, t.approximate, t.qualifier))
            continue
        per_key: dict[str, _Said] = {}
        for t in r.targets:
            platform = t.platform
            if platform is None and len(platforms[t.kind]) == 1:
                platform = next(iter(platforms[t.kind]))
            key = f"{t.kind}/{platform}" if platform else t.kind
            prev = per_key.get(key)
            if prev is None:
                per_key[key] = _Said(r, t.count, t.approximate, t.qualifier)
            elif prev.count is not None and t.count is not None:
                prev.count += t.count
                prev.approximate = prev.approximate or t.approximate
        for key, s in per_key.items():
            said[key].append(s)
    targets: list[EventTarget] = []
    conflicts: list[Conflict] = []
    for key in sorted(said):
        target, conflict = _reconcile(key, said[key])
        targets.append(target)
        if conflict is not None:
            conflicts.append(conflict)
    total = None
    if totals:
        total, conflict = _reconcile("total", totals)
        if conflict is not None:
            conflicts.append(conflict)
    return targets, total, conflicts


def _is_total(f: Facet, breakdowns: list[Facet]) -> bool:
    """A lone figure is a total when it matches another source's breakdown sum and not that
    source's figure of the same target."""
    assert f.single is not None
    for other in breakdowns:
        if other.record_id == f.record_id:
            continue
        same_key = [other.figures[kb] for ka, kb in _shared_keys(f, other)]
        if any(figures_agree(f.single, t) for t in other.totals) and not any(
            figures_agree(f.single, s) for s in same_key
        ):
            return True
    return False


def _most_common(values: list[str]) -> str | None:
    counts = Counter(v for v in values if v)
    if not counts:
        return None
    return min(counts, key=lambda v: (-counts[v], v))


def _field_conflict(
    field_name: str,
    records: list[TakedownRecord],
    value_of,
    differ,  # type: ignore[no-untyped-def]
) -> Conflict | None:
    """records + how to read one field + whether two values differ -> a conflict or None."""
    groups: dict[str, list[TakedownRecord]] = defaultdict(list)
    for r in records:
        value = value_of(r)
        if value:
            groups[value].append(r)
    values = sorted(groups, key=lambda v: (-len(groups[v]), v))
    if not any(differ(a, b) for a in values for b in values if a < b):
        return None
    return Conflict(
        field=field_name,
        values=[_variant(groups[v], value=v) for v in values],
    )


def _periods_differ(a: str, b: str) -> bool:
    sa, sb = period_span(a), period_span(b)
    if sa is None or sb is None:
        return a != b
    return not (sa.start <= sb.end and sb.start <= sa.end)


def _event(records: list[TakedownRecord], facets: list[Facet]) -> Event:
    """the records of one takedown (and their facets) -> its event line."""
    ids = [r.record_id for r in records]
    actors = [r.actor for r in records if r.actor is not None]
    actor: Actor | None = None
    if actors:
        names = [actor_group(a.name) or a.name for a in actors]
        name = _most_common(names) or actors[0].name
        kind = _most_common([a.kind for a in actors]) or actors[0].kind
        actor = Actor(name=name, kind=kind)  # type: ignore[arg-type]
    countries: dict[tuple[str, str], Country] = {}
    for r in records:
        for c in r.countries:
            countries.setdefault((c.code, c.role), c)
    primary: dict[str, PrimarySource] = {}
    for r in records:
        for p in r.primary_sources:
            primary.setdefault(p.url, p)
    targets, total, conflicts = _targets(records, facets)
    for conflict in (
        _field_conflict(
            "action",
            records,
            lambda r: r.action,
            lambda a, b: ACTION_CLASSES[a] != ACTION_CLASSES[b],
        ),
        _field_conflict("period", records, lambda r: r.period, _periods_differ),
        _field_conflict(
            "countries",
            records,
            lambda r: ",".join(sorted({c.code for c in r.countries if c.role == "origin"})),
            lambda a, b: a != b,
        ),
    ):
        if conflict is not None:
            conflicts.append(conflict)
    published = sorted(d for r in records if (d := r.source.published) is not None)
    return Event(
        schema_version=SCHEMA_VERSION,
        event_id=event_id(ids),
        actor=actor,
        action=_most_common([r.action for r in records]) or records[0].action,
        period=_period([r.period for r in records if r.period]),
        countries=sorted(countries.values(), key=lambda c: (c.role, c.code)),
        operator=_most_common([r.operator or "" for r in records]),
        targets=targets,
        total=total,
        record_ids=sorted(ids),
        urls=sorted({u for r in records if (u := _url(r))}),
        first_published=published[0] if published else None,
        last_published=published[-1] if published else None,
        conflicts=conflicts,
        primary_sources=sorted(primary.values(), key=lambda p: p.url),
    )


def _period(periods: list[str]) -> str | None:
    """the periods sources give -> the most common; on a tie the earliest (the activity
    rather than its announcement), then the finest."""
    if not periods:
        return None
    counts = Counter(periods)

    def rank(p: str) -> tuple[int, date, date, str]:
        span = period_span(p)
        return (-counts[p], span.start if span else date.max, span.end if span else date.max, p)

    return min(counts, key=rank)
