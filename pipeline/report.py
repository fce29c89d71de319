"""Records (with their article, error and event lines) -> one self-contained HTML review page.

The page comes from Jinja2 templates kept as package data (``pipeline/templates``) with
autoescaping on; its CSS and script are inlined, so it opens with no network. The records
table, the filters' choices, the summary charts (SVG) and the events view are rendered
here. Each record's detail view is drawn by the page's script on demand from JSON embedded
once (each article text once), so a report of 10,000 records does not build 10,000
detail panes up front.

Offsets in records and article lines count code points of the article text; the script
slices JavaScript strings, which count UTF-16 code units, so every offset sent to the page
is converted here (``utf16_offsets``).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup
from pydantic import BaseModel, ValidationError

from models.article import ArticleLine, Entity
from models.errors import ErrorLine
from models.event import Conflict, Event, Variant
from models.record import TakedownRecord
from pipeline import __version__
from pipeline.errors import ReportError
from pipeline.events import period_span

M = TypeVar("M", bound=BaseModel)

DEFAULT_TITLE = "Takedown records"
ARTICLES_NAME, ERRORS_NAME = "articles.jsonl", "errors.jsonl"  # what `extract` writes beside
CONTEXT_PARAGRAPHS = 1  # paragraphs shown before and after those holding the evidence
ACTOR_BARS = 12  # actors charted by name; the rest share one "other actors" bar
KIND_BARS = 12  # target kinds charted by name, the rest as "other kinds"
MAX_MONTH_BARS = 120  # ten years of months; a longer span is charted by year
MIN_TICK_GAP = 4  # months between two year labels under the columns, so they do not overlap
NO_TAKEDOWN_CLAIMS = 4  # numbers shown for a page with no takedown, to say what it held
LINK_SCHEMES = frozenset({"http", "https"})  # anything else (javascript:, data:) stays text
# Chart geometry in SVG user units; the SVG scales to its box, so these only set proportions
# (a 480-unit-wide chart stays legible down to a 375 px wide phone screen).
CHART_WIDTH = 480
CHART_LABEL_WIDTH = 170  # room for a label of CHART_LABEL_CHARS characters at 12 units
CHART_LABEL_CHARS = 22  # measured: 22 characters of the system sans font fit in 170 units
CHART_VALUE_WIDTH = 80  # room for "73,000,000" after the longest bar
CHART_ROW_HEIGHT = 22
CHART_COLUMNS_HEIGHT = 140
CHART_AXIS_HEIGHT = 18

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # characters JavaScript counts as two


@dataclass(frozen=True)
class ReportInputs:
    """What one report shows: records, and the article, error and event lines beside them."""

    records: list[TakedownRecord]
    articles: list[ArticleLine] = field(default_factory=list)
    errors: list[ErrorLine] = field(default_factory=list)
    events: list[Event] | None = None  # None: no events view
    files: dict[str, str] = field(default_factory=dict)  # role -> path read, shown on the page


class Span(NamedTuple):
    """A highlighted stretch of text: code-point offsets, what it is, its label."""

    start: int
    end: int
    kind: str  # evidence, target, total, actor, country, claim
    label: str


# ---------------------------------------------------------------------------- reading


def read_jsonl(path: Path, model: type[M]) -> list[M]:
    """A JSON Lines file -> validated models; raises ReportError naming the bad line."""
    items: list[M] = []
    try:
        with path.open(encoding="utf-8") as fp:
            for number, line in enumerate(fp, 1):
                if not line.strip():
                    continue
                try:
                    items.append(model.model_validate_json(line))
                except ValidationError as exc:
                    first = exc.errors()[0]
                    where = ".".join(str(x) for x in first["loc"]) or "line"
                    raise ReportError(
                        "report.bad_line",
                        f"{path}:{number}: not a {model.__name__} line ({where}: {first['msg']})",
                        input=str(path),
                    ) from exc
    except OSError as exc:
        raise ReportError("report.read", f"{path}: {exc.strerror or exc}", input=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ReportError("report.read", f"{path}: not UTF-8 ({exc})", input=str(path)) from exc
    return items


def load_inputs(
    records: Path,
    *,
    articles: Path | None = None,
    errors: Path | None = None,
    events: Path | None = None,
) -> ReportInputs:
    """Paths -> ReportInputs; articles and errors default to the files `extract` writes
    beside the records file, when they are there. Raises ReportError."""
    if articles is None and (records.parent / ARTICLES_NAME).is_file():
        articles = records.parent / ARTICLES_NAME
    if errors is None and (records.parent / ERRORS_NAME).is_file():
        errors = records.parent / ERRORS_NAME
    files = {"records": str(records)}
    for role, path in (("articles", articles), ("errors", errors), ("events", events)):
        if path is not None:
            files[role] = str(path)
    return ReportInputs(
        records=read_jsonl(records, TakedownRecord),
        articles=read_jsonl(articles, ArticleLine) if articles else [],
        errors=read_jsonl(errors, ErrorLine) if errors else [],
        events=read_jsonl(events, Event) if events else None,
        files=files,
    )


# ---------------------------------------------------------------------------- small helpers


def safe_href(url: str | None) -> str | None:
    """A URL -> itself when it is an http(s) link, else None (shown as text, never a link)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in LINK_SCHEMES else None


# months a period of each grain covers: the key's last part, so a month sorts before its
# quarter and the quarter before its year
GRAIN_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def period_key(period: str | None) -> str:
    """A normalized period -> a key that sorts by start then length ('2020-08-01', ...).

    'August 2020' -> '2020-08-01', 'Q2 2020' -> '2020-04-03', '2020' -> '2020-01-12';
    anything else -> '' (sorts first). The period is read as events read it.
    """
    span = period_span(period)
    if span is None:
        return ""
    return f"{span.start:%Y-%m}-{GRAIN_MONTHS[span.grain]:02d}"


def kind_label(kind: str, count: int | float | None) -> str:
    """'sim_card', 2 -> 'sim cards'; 'account', 1 -> 'account'."""
    words = kind.replace("_", " ")
    return words if count == 1 else words + "s"


def format_count(value: int | float | None) -> str:
    """73000000 -> '73,000,000'; 2.5 -> '2.5'; None -> 'unknown number of'."""
    if value is None:
        return "unknown number of"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


def target_text(kind: str, platform: str | None, count: int | None, qualifier: str | None) -> str:
    """A target -> '453 accounts on Facebook', 'more than 10,000 channels', 'hundreds of pages'."""
    if count is None:
        words = f"{qualifier or 'some'} {kind_label(kind, None)}"
    else:
        number = format_count(count)
        words = f"{qualifier} {number}" if qualifier else number
        words = f"{words} {kind_label(kind, count)}"
    return f"{words} on {platform}" if platform else words


def utf16_offsets(text: str) -> Callable[[int], int]:
    """Text -> a function from code-point offsets to UTF-16 offsets (JavaScript's)."""
    if text.isascii() or not _ASTRAL.search(text):
        return lambda i: i
    prefix = [0] * (len(text) + 1)
    for i, char in enumerate(text):
        prefix[i + 1] = prefix[i] + (2 if ord(char) > 0xFFFF else 1)
    return lambda i: prefix[max(0, min(i, len(text)))]


@functools.lru_cache(maxsize=4096)  # the same few entity names recur on every page
def _norm_name(name: str) -> str:
    words = name.casefold().split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def actor_names(name: str) -> set[str]:
    """An actor name -> the forms that name it in text: itself without 'the', and the
    initials of its capitalised words ('Pakistan Telecommunication Authority' -> 'pta')."""
    names = {_norm_name(name)}
    capitals = [w[0] for w in name.split() if w[:1].isupper()]
    if len(capitals) >= 2:
        names.add("".join(capitals).casefold())
    return names


# ---------------------------------------------------------------------------- highlights


def record_spans(
    record: TakedownRecord, text: str, entities: Iterable[Entity]
) -> tuple[list[Span], list[str]]:
    """A record and its article's text and entities -> spans to highlight, and warnings
    for offsets that do not hold the text the record says they hold."""
    spans: list[Span] = []
    warnings: list[str] = []

    def add(start: int, end: int, said: str, kind: str, label: str, what: str) -> None:
        if 0 <= start < end <= len(text) and text[start:end] == said:
            spans.append(Span(start, end, kind, label))
        else:
            warnings.append(
                f"{what} at {start}-{end} does not match the article text "
                f"(expected {said!r}); it is not highlighted"
            )

    for i, ev in enumerate(record.evidence, 1):
        add(ev.start, ev.end, ev.text, "evidence", f"evidence {i}", f"evidence sentence {i}")
    for target in record.targets:
        add(target.start, target.end, target.text, "target", target.kind.upper(), "target")
    if record.total is not None:
        t = record.total
        add(t.start, t.end, t.text, "total", "TOTAL", "total")
    counted = [(s.start, s.end) for s in spans if s.kind in ("target", "total")]
    roles: dict[str, list[str]] = defaultdict(list)
    for country in record.countries:
        roles[country.code].append(country.role)
    names = actor_names(record.actor.name) if record.actor else set()
    for ent in entities:
        if not 0 <= ent.start < ent.end <= len(text):
            continue
        if any(a <= ent.start and ent.end <= b for a, b in counted):
            continue  # "Facebook" in "453 Facebook accounts" is the target's platform
        if ent.label == "COUNTRY" and ent.id in roles:
            spans.append(
                Span(ent.start, ent.end, "country", f"{ent.id} {', '.join(roles[ent.id])}")
            )
        elif (
            ent.label != "COUNTRY"
            and names
            and (_norm_name(ent.text) in names or (ent.id and _norm_name(ent.id) in names))
        ):
            spans.append(Span(ent.start, ent.end, "actor", "ACTOR"))
    return sorted(spans, key=_span_order), warnings


_KIND_ORDER = {"evidence": 0, "total": 1, "target": 2, "actor": 3, "country": 4, "claim": 5}


def _span_order(span: Span) -> tuple[int, int, int]:
    # outer spans first, so the page can nest inner ones inside them
    return (span.start, -span.end, _KIND_ORDER.get(span.kind, 9))


def excerpt_ranges(text: str, spans: Iterable[Span]) -> list[tuple[int, int]]:
    """Text and spans -> the paragraph ranges around the evidence and targets (whole
    paragraphs, CONTEXT_PARAGRAPHS either side, merged), or the whole text if none."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for line in text.split("\n"):
        bounds.append((start, start + len(line)))
        start += len(line) + 1
    wanted: set[int] = set()
    for span in spans:
        if span.kind not in ("evidence", "target", "total"):
            continue
        for i, (p_start, p_end) in enumerate(bounds):
            if p_start <= span.end and span.start <= p_end:
                lo, hi = (
                    max(0, i - CONTEXT_PARAGRAPHS),
                    min(len(bounds) - 1, i + CONTEXT_PARAGRAPHS),
                )
                wanted.update(range(lo, hi + 1))
    if not wanted:
        return [(0, len(text))]
    ranges: list[tuple[int, int]] = []
    for i in sorted(wanted):
        p_start, p_end = bounds[i]
        if ranges and i - 1 in wanted:
            ranges[-1] = (ranges[-1][0], p_end)
        else:
            ranges.append((p_start, p_end))
    return ranges


def _evidence_only(record: TakedownRecord) -> tuple[str, list[Span], list[str], list[int]]:
    """A record with no article line -> a text of its evidence sentences and spans into it,
    warnings, and the record offset each text offset 0 of a sentence stands for."""
    parts: list[str] = []
    spans: list[Span] = []
    shift: list[int] = []  # per span: record offset - text offset
    offset = 0
    for i, ev in enumerate(record.evidence, 1):
        if parts:
            offset += 2
        parts.append(ev.text)
        spans.append(Span(offset, offset + len(ev.text), "evidence", f"evidence {i}"))
        shift.append(ev.start - offset)
        inner = [t for t in record.targets if ev.start <= t.start and t.end <= ev.end]
        for t in inner:
            local = t.start - ev.start
            if ev.text[local : local + len(t.text)] == t.text:
                spans.append(
                    Span(offset + local, offset + local + len(t.text), "target", t.kind.upper())
                )
                shift.append(ev.start - offset)
        offset += len(ev.text)
    warnings = ["no article line for this record: only its evidence sentences are shown"]
    order = sorted(range(len(spans)), key=lambda k: _span_order(spans[k]))
    return "\n\n".join(parts), [spans[k] for k in order], warnings, [shift[k] for k in order]


def _spans_json(
    spans: list[Span], to16: Callable[[int], int], shifts: list[int] | None = None
) -> list[list[Any]]:
    out = []
    for i, s in enumerate(spans):
        shift = shifts[i] if shifts else 0
        out.append([to16(s.start), to16(s.end), s.kind, s.label, s.start + shift, s.end + shift])
    return out


# ---------------------------------------------------------------------------- charts


@dataclass(frozen=True)
class Bar:
    label: str  # shown (maybe shortened)
    full: str  # the whole label, as the bar's tooltip and in the numbers table
    value: float
    text: str  # the value as shown
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    """An SVG chart's geometry, computed here so the template only draws it."""

    id: str
    title: str
    note: str
    bars: list[Bar]
    width: int
    height: int
    columns: bool = False  # vertical columns over time rather than labelled rows
    ticks: list[tuple[float, str]] = field(default_factory=list)  # x, label under columns


def _short(label: str) -> str:
    return label if len(label) <= CHART_LABEL_CHARS else label[: CHART_LABEL_CHARS - 1] + "…"


def bar_chart(
    chart_id: str, title: str, counts: list[tuple[str, float]], *, note: str = ""
) -> Chart:
    """(label, value) pairs in the order to draw -> a horizontal bar chart."""
    top = max((v for _, v in counts), default=0) or 1
    room = CHART_WIDTH - CHART_LABEL_WIDTH - CHART_VALUE_WIDTH
    bars = [
        Bar(
            label=_short(label),
            full=label,
            value=value,
            text=format_count(value),
            x=CHART_LABEL_WIDTH,
            y=i * CHART_ROW_HEIGHT,
            width=max(1.0, room * value / top),
            height=CHART_ROW_HEIGHT - 6,
        )
        for i, (label, value) in enumerate(counts)
    ]
    height = max(1, len(bars)) * CHART_ROW_HEIGHT
    return Chart(chart_id, title, note, bars, CHART_WIDTH, height)


def _top(counter: Counter[str], limit: int, other: str) -> list[tuple[str, float]]:
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    pairs: list[tuple[str, float]] = [(k, float(v)) for k, v in ranked[:limit]]
    rest = ranked[limit:]
    if rest:
        pairs.append((other.format(n=len(rest)), float(sum(v for _, v in rest))))
    return pairs


def month_chart(chart_id: str, title: str, days: list[date], *, note: str = "") -> Chart:
    """Dates -> columns of counts per month from the first to the last (empty months kept),
    or per year when that is more than MAX_MONTH_BARS months."""
    if not days:
        return Chart(chart_id, title, note, [], CHART_WIDTH, CHART_ROW_HEIGHT, columns=True)
    first, last = min(days), max(days)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    by_year = months > MAX_MONTH_BARS
    counts: Counter[tuple[int, int]] = Counter((d.year, 1 if by_year else d.month) for d in days)
    keys: list[tuple[int, int]] = []
    y, m = first.year, 1 if by_year else first.month
    while (y, m) <= (last.year, 1 if by_year else last.month):
        keys.append((y, m))
        if by_year:
            y += 1
        else:
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    top = max(counts.values())
    slot = CHART_WIDTH / len(keys)
    bars, ticks = [], []
    label_every = max(1, round(len(keys) / 10)) if by_year else 1
    for i, (year, month) in enumerate(keys):
        value = counts.get((year, month), 0)
        h = CHART_COLUMNS_HEIGHT * value / top
        name = str(year) if by_year else date(year, month, 1).strftime("%B %Y")
        bars.append(
            Bar(
                label=name,
                full=name,
                value=value,
                text=format_count(value),
                x=i * slot + slot * 0.1,
                y=CHART_COLUMNS_HEIGHT - h,
                width=slot * 0.8,
                height=h,
            )
        )
        # a year under its January; the first year too, unless its January comes soon after
        first_label = i == 0 and (by_year or 13 - month >= MIN_TICK_GAP)
        if (by_year and i % label_every == 0) or (not by_year and (month == 1 or first_label)):
            ticks.append((i * slot, str(year)))
    height = CHART_COLUMNS_HEIGHT + CHART_AXIS_HEIGHT
    return Chart(chart_id, title, note, bars, CHART_WIDTH, height, columns=True, ticks=ticks)


def summary_charts(records: list[TakedownRecord]) -> list[Chart]:
    """Records -> the summary's charts: by actor, by month published, counts by kind."""
    actors = Counter(r.actor.name if r.actor else "(no actor)" for r in records)
    kinds: Counter[str] = Counter()
    vague = 0
    for r in records:
        for t in r.targets:
            if t.count is None:
                vague += 1
            else:
                kinds[kind_label(t.kind, 2)] += t.count
    days = [r.source.published for r in records if r.source.published]
    undated = len(records) - len(days)
    kind_note = "Approximate figures are added as given."
    if vague:
        kind_note += f" {vague} targets with no figure (such as 'hundreds of') are not counted."
    return [
        bar_chart(
            "chart-actor",
            "Records by actor",
            _top(actors, ACTOR_BARS, "{n} other actors"),
        ),
        month_chart(
            "chart-month",
            "Records by month published",
            days,
            note=f"{undated} records from pages with no publish date are not shown."
            if undated
            else "",
        ),
        bar_chart(
            "chart-kind",
            "Counts removed, blocked or restricted, by kind",
            _top(kinds, KIND_BARS, "{n} other kinds"),
            note=kind_note,
        ),
    ]


# ---------------------------------------------------------------------------- page model


@dataclass(frozen=True)
class Row:
    """One records-table row, as the template prints it."""

    id: str
    actor: str
    actor_kind: str
    action: str
    targets: list[str]
    total: str | None
    countries: str  # "PK origin, IN target"
    period: str | None
    reason: str | None
    site: str
    href: str | None
    published: str | None


def _row(record: TakedownRecord) -> Row:
    src = record.source
    total = None
    if record.total is not None:
        t = record.total
        total = target_text("item", None, t.count, t.qualifier) + " in all"
    return Row(
        id=record.record_id,
        actor=record.actor.name if record.actor else "(no actor)",
        actor_kind=record.actor.kind if record.actor else "",
        action=record.action,
        targets=[target_text(t.kind, t.platform, t.count, t.qualifier) for t in record.targets],
        total=total,
        countries=", ".join(f"{c.code} {c.role}" for c in record.countries),
        period=record.period,
        reason=record.reason.label.replace("_", " ") if record.reason else None,
        site=src.site or _host(src.url) or src.path or "(unknown source)",
        href=safe_href(src.url),
        published=src.published.isoformat() if src.published else None,
    )


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _search_text(record: TakedownRecord) -> str:
    parts: list[str | None] = [
        record.actor.name if record.actor else None,
        record.action,
        record.operator,
        record.period,
        record.reason.label.replace("_", " ") if record.reason else None,
        record.reason.text if record.reason else None,
        record.source.title,
        record.source.site,
        record.source.url,
        record.source.path,
        record.record_id,
        *record.languages,
        *record.investigators,
    ]
    for t in record.targets:
        parts += [t.kind.replace("_", " "), t.platform, t.text]
    for c in record.countries:
        parts += [c.code, c.name, c.role]
    # the evidence sentences are added by the page's script from the article texts, on the
    # first text search, so they are not sent twice
    return " ".join(p for p in parts if p).lower()  # lower(), as JavaScript's toLowerCase


def _index_row(record: TakedownRecord) -> dict[str, Any]:
    """What the page's script filters and sorts a row by."""
    key = period_key(record.period)
    return {
        "id": record.record_id,
        "actor": record.actor.name if record.actor else "",
        "action": record.action,
        "codes": sorted({c.code for c in record.countries}),
        "kinds": sorted({t.kind for t in record.targets}),
        "period": record.period or "",
        "pk": key,
        "year": key[:4] or ("other" if record.period else ""),
        "n": sum(t.count for t in record.targets if t.count is not None),
        "reason": record.reason.label if record.reason else "",
        "pub": record.source.published.isoformat() if record.source.published else "",
        "site": (record.source.site or "").casefold(),
        "q": _search_text(record),
    }


def _details(records: list[TakedownRecord], articles: list[ArticleLine]) -> dict[str, Any]:
    """Records and article lines -> what the detail view is drawn from: each article text
    once, each record with its spans and excerpt ranges in JavaScript offsets."""
    by_record: dict[str, int] = {}
    by_sha: dict[str, int] = {}
    for i, art in enumerate(articles):
        for rid in art.record_ids:
            by_record[rid] = i
        by_sha.setdefault(art.source.sha256, i)
    used: dict[int, int] = {}  # article line index -> index in the page's article list
    page_articles: list[dict[str, Any]] = []
    converters: dict[int, Callable[[int], int]] = {}
    out: dict[str, Any] = {}
    for record in records:
        art_i = by_record.get(record.record_id, by_sha.get(record.source.sha256))
        # defaults (nulls, empty lists, false) are left out: the page's script fills them in
        rec = record.model_dump(
            mode="json",
            exclude={"schema_version", "record_id"},
            exclude_none=True,
            exclude_defaults=True,
        )
        if art_i is None:
            text, spans, warnings, shifts = _evidence_only(record)
            to16 = utf16_offsets(text)
            entry: dict[str, Any] = {"a": None, "text": text}
            span_json = _spans_json(spans, to16, shifts)
        else:
            art = articles[art_i]
            if art_i not in used:
                used[art_i] = len(page_articles)
                page_articles.append(
                    {"text": art.text, "source": art.source.model_dump(mode="json")}
                )
                converters[art_i] = utf16_offsets(art.text)
            to16 = converters[art_i]
            spans, warnings = record_spans(record, art.text, art.entities)
            entry = {"a": used[art_i]}
            span_json = _spans_json(spans, to16)
            text = art.text
            rec.pop("source")  # the page's article entry carries it
            for ev in rec["evidence"]:
                ev.pop("text")  # the article text holds it
        ranges = excerpt_ranges(text, spans) if art_i is not None else [(0, len(text))]
        entry.update(
            {"rec": rec, "spans": span_json, "ranges": [[to16(s), to16(e)] for s, e in ranges]}
        )
        if warnings:
            entry["warn"] = warnings
        out[record.record_id] = entry
    return {"records": out, "articles": page_articles}


def _options(records: list[TakedownRecord]) -> dict[str, Any]:
    """The filters' choices, each with how many records it keeps."""
    actors = Counter(r.actor.name for r in records if r.actor)
    countries: Counter[tuple[str, str]] = Counter()
    kinds: Counter[str] = Counter()
    periods: Counter[str] = Counter()
    for r in records:
        for code, name in {(c.code, c.name) for c in r.countries}:
            countries[(code, name)] += 1
        for kind in {t.kind for t in r.targets}:
            kinds[kind] += 1
        if r.period:
            periods[r.period] += 1
    years: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for period in sorted(periods, key=lambda p: (period_key(p), p)):
        years[period_key(period)[:4] or "other"].append((period, periods[period]))
    year_counts = {y: sum(n for _, n in ps) for y, ps in years.items()}
    return {
        "actors": sorted(actors.items(), key=lambda kv: kv[0].casefold()),
        "countries": sorted(
            ((code, name, n) for (code, name), n in countries.items()), key=lambda x: x[1]
        ),
        "kinds": sorted(kinds.items()),
        "years": sorted(
            ((y, year_counts[y], ps) for y, ps in years.items()), key=lambda x: x[0], reverse=True
        ),
    }


@dataclass(frozen=True)
class NoTakedown:
    title: str
    href: str | None
    url: str | None
    site: str | None
    published: str | None
    input: str
    numbers: list[str]
    more: int


def _no_takedown(articles: list[ArticleLine]) -> list[NoTakedown]:
    out = []
    for art in articles:
        if art.status != "no_takedown":
            continue
        src = art.source
        out.append(
            NoTakedown(
                title=src.title or src.url or art.input,
                href=safe_href(src.url),
                url=src.url,
                site=src.site,
                published=src.published.isoformat() if src.published else None,
                input=art.input,
                numbers=[c.text for c in art.claims[:NO_TAKEDOWN_CLAIMS]],
                more=max(0, len(art.claims) - NO_TAKEDOWN_CLAIMS),
            )
        )
    return out


@dataclass(frozen=True)
class EventView:
    id: str
    heading: str
    period: str | None
    countries: list[tuple[str, str, str]]
    operator: str | None
    targets: list[tuple[str, list[tuple[str, list[tuple[str, str | None]]]]]]
    sources: list[tuple[str, str | None]]  # url, href
    records: list[tuple[str, bool]]  # record id, in this report
    first: str | None
    last: str | None
    conflicts: list[tuple[str, list[tuple[str, list[tuple[str, str | None]]]], str | None]]
    primary: list[tuple[str, str | None, str | None]]  # text, href, publisher


def _variant(v: Variant, kind: str | None = None) -> tuple[str, list[tuple[str, str | None]]]:
    value = target_text(kind, None, v.count, v.qualifier) if kind else format_count(v.count)
    return value, [(u, safe_href(u)) for u in v.urls] or [(rid, None) for rid in v.record_ids]


def _conflict(
    c: Conflict,
) -> tuple[str, list[tuple[str, list[tuple[str, str | None]]]], str | None]:
    what = c.field + (f" ({c.key})" if c.key else "")
    kind = c.key.split("/")[0] if c.field == "targets" and c.key else None
    return what, [_variant(v, kind) for v in c.values], c.note


def _events(events: list[Event], record_ids: set[str]) -> list[EventView]:
    views = []
    for ev in events:
        actor = ev.actor.name if ev.actor else "(no actor)"
        views.append(
            EventView(
                id=ev.event_id,
                heading=f"{actor} {ev.action}",
                period=ev.period,
                countries=[(c.code, c.name, c.role) for c in ev.countries],
                operator=ev.operator,
                targets=[
                    (
                        target_text(t.kind, t.platform, t.count, None),
                        [_variant(v, t.kind) for v in t.variants],
                    )
                    for t in ev.targets
                ],
                sources=[(u, safe_href(u)) for u in ev.urls],
                records=[(rid, rid in record_ids) for rid in ev.record_ids],
                first=ev.first_published.isoformat() if ev.first_published else None,
                last=ev.last_published.isoformat() if ev.last_published else None,
                conflicts=[_conflict(c) for c in ev.conflicts],
                primary=[(p.text, safe_href(p.url), p.publisher) for p in ev.primary_sources],
            )
        )
    return views


# ---------------------------------------------------------------------------- rendering


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pipeline", "templates"),
        autoescape=True,  # every template, whatever its name: data never becomes markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # |tojson escapes <, >, & and ' as \\u escapes, so embedded JSON cannot end its <script>
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "separators": (",", ":")}
    env.filters["count"] = format_count
    return env


def render_report(inputs: ReportInputs, *, title: str = DEFAULT_TITLE) -> str:
    """ReportInputs -> the HTML page, as one string."""
    records = inputs.records
    record_ids = {r.record_id for r in records}
    articles = inputs.articles
    with_records = sum(1 for a in articles if a.status == "records")
    context = {
        "title": title,
        "files": inputs.files,
        "rows": [_row(r) for r in records],
        "options": _options(records),
        "charts": summary_charts(records),
        "counts": {
            "records": len(records),
            "pages": len(articles),
            "with_records": with_records,
            "no_takedown": len(articles) - with_records,
            "errors": len(inputs.errors),
            "events": len(inputs.events) if inputs.events is not None else None,
        },
        "no_takedown": _no_takedown(articles),
        "errors": inputs.errors,
        "events": _events(inputs.events, record_ids) if inputs.events is not None else None,
        "index": {"rows": [_index_row(r) for r in records]},
        "details": _details(records, articles),
    }
    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    context.update(
        {
            "version": __version__,
            "stylesheet": Markup(_asset("report.css")),
            "script": Markup(script),
            # only this script may run: markup slipped into the data could not run any other
            "script_hash": f"sha256-{digest}",
        }
    )
    return _environment().get_template("report.html.j2").render(context)


def _asset(name: str) -> str:
    """A stylesheet or script of the package's templates, as text (inlined, not templated)."""
    return (resources.files("pipeline") / "templates" / name).read_text(encoding="utf-8")


def write_report(html: str, path: Path) -> None:
    """The page -> a file, written whole to a temporary name and renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
