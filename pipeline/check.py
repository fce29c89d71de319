"""Fixtures -> per-field precision, recall and F1 of the records and events the pipeline yields.

Each ``<name>.html`` with a ``<name>.expected.json`` beside it (in the directory or below
it) is run through the pipeline; produced records are paired with expected ones by shared
target counts, then compared field by field. A field omitted from an expected record
(reach, languages, investigators, operator, total, primary sources) is not checked for it.

A directory with an ``events.expected.json`` is a fixture set: the records of its pages are
grouped into events (``pipeline.events``) and compared with the expected events: which
pages make up each event, its actor, action, period and countries, the reconciled figures,
the conflicts and the primary sources.

A page or set whose expected file carries ``known_miss`` is reported with its differences
but does not fail the check (and is flagged once it matches).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from models.event import Event
from models.expected import Expected, ExpectedEvent, ExpectedEvents, ExpectedRecord
from models.record import TakedownRecord

FIELDS = (
    "record",
    "actor",
    "action",
    "target",
    "target detail",
    "country",
    "reason",
    "period",
    "is total",
    "total",
    "operator",
    "reach",
    "language",
    "investigator",
    "primary source",
    "text",
    "event",
    "event detail",
    "event target",
    "event conflict",
)
EVENTS_FILE = "events.expected.json"


@dataclass
class Tally:
    """True positives, false positives and false negatives of one field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def f1(self) -> float:
        p, r = self.precision(), self.recall()
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class FixtureResult:
    """The comparison of one fixture page."""

    name: str
    tallies: dict[str, Tally] = field(default_factory=lambda: {f: Tally() for f in FIELDS})
    diffs: list[str] = field(default_factory=list)
    error: str | None = None
    known_miss: str | None = None  # why the rules are known to miss it (does not fail)

    @property
    def ok(self) -> bool:
        return self.error is None and not any(t.fp or t.fn for t in self.tallies.values())

    @property
    def passes(self) -> bool:
        """Matches, or is a known miss."""
        return self.ok or self.known_miss is not None


def _norm(name: str | None) -> str | None:
    if name is None:
        return None
    return re.sub(r"^the\s+", "", name.strip().lower())


def _compare_sets(
    result: FixtureResult,
    fld: str,
    label: str,
    expected: Iterable[Hashable],
    produced: Iterable[Hashable],
) -> None:
    exp, got = Counter(expected), Counter(produced)
    tally = result.tallies[fld]
    common = exp & got
    tally.tp += sum(common.values())
    missing, extra = exp - got, got - exp
    tally.fn += sum(missing.values())
    tally.fp += sum(extra.values())
    for item in missing.elements():
        result.diffs.append(f"  {label}: missing {fld} {item}")
    for item in extra.elements():
        result.diffs.append(f"  {label}: extra {fld} {item}")


def _record_label(rec: ExpectedRecord | TakedownRecord) -> str:
    actor = rec.actor.name if rec.actor else "?"
    counts = ", ".join(f"{t.count} {t.kind}" for t in rec.targets[:4])
    return f"[{actor} {rec.action} {counts}]"


def _pair(
    expected: list[ExpectedRecord], produced: list[TakedownRecord]
) -> tuple[list[tuple[ExpectedRecord, TakedownRecord]], list[ExpectedRecord], list[TakedownRecord]]:
    """Greedy pairing by shared (kind, count) targets, then shared countries."""
    scores = []
    for i, e in enumerate(expected):
        e_targets = Counter((t.kind, t.count) for t in e.targets)
        e_countries = {(c.code, c.role, c.inferred) for c in e.countries}
        for j, p in enumerate(produced):
            shared = sum((e_targets & Counter((t.kind, t.count) for t in p.targets)).values())
            if not shared:
                continue
            countries = len(e_countries & {(c.code, c.role, c.inferred) for c in p.countries})
            scores.append((shared, countries, -abs(i - j), i, j))
    scores.sort(reverse=True)
    used_e: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, _, _, i, j in scores:
        if i in used_e or j in used_p:
            continue
        used_e.add(i)
        used_p.add(j)
        pairs.append((expected[i], produced[j]))
    return (
        pairs,
        [e for i, e in enumerate(expected) if i not in used_e],
        [p for j, p in enumerate(produced) if j not in used_p],
    )


def _expected_items(e: ExpectedRecord) -> dict[str, list[Hashable]]:
    items: dict[str, list[Hashable]] = {
        "actor": [(_norm(e.actor.name), e.actor.kind)] if e.actor else [],
        "action": [e.action],
        "target": [(t.kind, t.count) for t in e.targets],
        "target detail": [(t.kind, t.count, t.platform, t.approximate) for t in e.targets],
        "country": [(c.code, c.role, c.inferred) for c in e.countries],
        "reason": [e.reason] if e.reason else [],
        "period": [e.period] if e.period else [],
        "is total": [e.is_total],
    }
    given = e.model_fields_set
    if "total" in given:  # "total": null says the record has none, and is checked too
        items["total"] = [e.total] if e.total is not None else []
    if "reach" in given and e.reach is not None:
        items["reach"] = [(r.metric, r.count) for r in e.reach]
    if "languages" in given and e.languages is not None:
        items["language"] = list(e.languages)
    if "investigators" in given and e.investigators is not None:
        items["investigator"] = list(e.investigators)
    if "primary_sources" in given and e.primary_sources is not None:
        items["primary source"] = list(e.primary_sources)
    return items


def _produced_items(p: TakedownRecord, checked: Iterable[str]) -> dict[str, list[Hashable]]:
    items: dict[str, list[Hashable]] = {
        "actor": [(_norm(p.actor.name), p.actor.kind)] if p.actor else [],
        "action": [p.action],
        "target": [(t.kind, t.count) for t in p.targets],
        "target detail": [(t.kind, t.count, t.platform, t.approximate) for t in p.targets],
        "country": [(c.code, c.role, c.inferred) for c in p.countries],
        "reason": [p.reason.label] if p.reason else [],
        "period": [p.period] if p.period else [],
        "is total": [p.is_total],
        "total": [p.total.count] if p.total else [],
        "reach": [(r.metric, r.count) for r in p.reach],
        "language": list(p.languages),
        "investigator": list(p.investigators),
        "primary source": [s.url for s in p.primary_sources],
    }
    # optional fields count only where the expected record states them
    return {k: v for k, v in items.items() if k in checked}


ALWAYS_CHECKED = (
    "actor",
    "action",
    "target",
    "target detail",
    "country",
    "reason",
    "period",
    "is total",
)


def compare(
    expected: Expected, produced: list[TakedownRecord], text: str, name: str
) -> FixtureResult:
    """Expected file + produced records + article text -> per-field tallies and diffs."""
    result = FixtureResult(name)
    pairs, missing, extra = _pair(expected.records, produced)
    result.tallies["record"].tp += len(pairs)
    result.tallies["record"].fn += len(missing)
    result.tallies["record"].fp += len(extra)
    for e in missing:
        result.diffs.append(f"  missing record {_record_label(e)}")
        for fld, values in _expected_items(e).items():
            result.tallies[fld].fn += len(values)
    for p in extra:
        result.diffs.append(f"  extra record {_record_label(p)} from: {p.evidence[0].text[:120]!r}")
        for fld, values in _produced_items(p, ALWAYS_CHECKED).items():
            result.tallies[fld].fp += len(values)
    for e, p in pairs:
        exp_items = _expected_items(e)
        got_items = _produced_items(p, list(exp_items))
        label = _record_label(e)
        for fld, values in exp_items.items():
            _compare_sets(result, fld, label, values, got_items.get(fld, []))
        if "operator" in e.model_fields_set:
            want, got = _norm(e.operator), _norm(p.operator)
            same = (want is None and got is None) or (
                want is not None and got is not None and (want in got or got in want)
            )
            if same:
                result.tallies["operator"].tp += 1
            else:
                result.tallies["operator"].fn += want is not None
                result.tallies["operator"].fp += got is not None
                result.diffs.append(f"  {label}: operator {e.operator!r} != {p.operator!r}")
    for phrase in expected.text_contains:
        if _squash(phrase) in _squash(text):
            result.tallies["text"].tp += 1
        else:
            result.tallies["text"].fn += 1
            result.diffs.append(f"  text lacks {phrase!r}")
    for phrase in expected.text_excludes:
        if _squash(phrase) in _squash(text):
            result.tallies["text"].fp += 1
            result.diffs.append(f"  text has boilerplate {phrase!r}")
    return result


def _squash(text: str) -> str:
    return " ".join(text.split())


def _event_items(
    e: ExpectedEvent | Event, conflicts: list[tuple[str, str | None, tuple, tuple]]
) -> dict[str, list[Hashable]]:
    """An expected or produced event -> the items each event field is compared on."""
    # the produced actor is already its group's name ("Meta"); the expected one is written so
    actor = e.actor if isinstance(e, ExpectedEvent) else (e.actor.name if e.actor else None)
    countries = [(c.code, c.role, c.inferred) for c in e.countries]
    targets: list[Hashable] = [(t.kind, t.platform, t.count, t.approximate) for t in e.targets]
    total = e.total if isinstance(e, ExpectedEvent) else (e.total.count if e.total else None)
    if total is not None:
        targets.append(("total", None, total, False))
    return {
        "event detail": [
            ("actor", actor.casefold() if actor else None),
            ("action", e.action),
            ("period", e.period),
            *[("country", *c) for c in countries],
        ],
        "event target": targets,
        "event conflict": list(conflicts),
        "primary source": [p if isinstance(p, str) else p.url for p in e.primary_sources],
    }


def _produced_conflicts(e: Event) -> list[tuple[str, str | None, tuple, tuple]]:
    return [
        (
            c.field,
            c.key,
            tuple(sorted({v.count for v in c.values if v.count is not None})),
            tuple(sorted({v.value for v in c.values if v.value is not None})),
        )
        for c in e.conflicts
    ]


def _expected_conflicts(e: ExpectedEvent) -> list[tuple[str, str | None, tuple, tuple]]:
    return [
        (c.field, c.key, tuple(sorted(set(c.counts))), tuple(sorted(set(c.values))))
        for c in e.conflicts
    ]


def compare_events(
    expected: ExpectedEvents, produced: list[Event], page_of: dict[str, str], name: str
) -> FixtureResult:
    """Expected events + produced events + the page of each record id -> tallies and diffs.

    An expected event matches the produced event made of exactly its pages' records; when
    no event has exactly those pages, the one sharing most pages is compared field by field
    and the event itself counts as missed."""
    result = FixtureResult(name, known_miss=expected.known_miss)
    sources = [frozenset(page_of.get(r, r) for r in e.record_ids) for e in produced]
    used: set[int] = set()
    for exp in expected.events:
        want = frozenset(exp.sources)
        overlap = [(len(want & got), -len(got ^ want), -j) for j, got in enumerate(sources)]
        candidates = [o for o in overlap if o[0] and -o[2] not in used]
        label = f"[{exp.actor} {exp.period} {', '.join(sorted(want))}]"
        exp_items = _event_items(exp, _expected_conflicts(exp))
        if not candidates:
            result.tallies["event"].fn += 1
            result.diffs.append(f"  missing event {label}")
            for fld, values in exp_items.items():
                result.tallies[fld].fn += len(values)
            continue
        j = -max(candidates)[2]
        used.add(j)
        got = produced[j]
        if sources[j] == want:
            result.tallies["event"].tp += 1
        else:
            result.tallies["event"].fn += 1
            result.tallies["event"].fp += 1
            result.diffs.append(f"  event {label}: made of {', '.join(sorted(sources[j]))} instead")
        got_items = _event_items(got, _produced_conflicts(got))
        for fld, values in exp_items.items():
            _compare_sets(result, fld, label, values, got_items[fld])
    for j, got in enumerate(produced):
        if j in used:
            continue
        result.tallies["event"].fp += 1
        result.diffs.append(f"  extra event made of {', '.join(sorted(sources[j]))}")
        for fld, values in _event_items(got, _produced_conflicts(got)).items():
            result.tallies[fld].fp += len(values)
    return result


def expected_records(path: Path) -> Expected:
    """``<page>.html`` -> its parsed ``<page>.expected.json``."""
    return Expected.model_validate_json(_expected_path(path).read_text(encoding="utf-8"))


def check_dir(directory: Path, *, jobs: int = 1) -> list[FixtureResult]:
    """Directory of fixtures -> one result per ``*.html`` that has an expected file (in the
    directory or below it), then one per fixture set with an ``events.expected.json``."""
    from pipeline.events import group_records
    from pipeline.run import ordered_outcomes
    from pipeline.sources import iter_pages

    pages = sorted(p for p in directory.rglob("*.html") if _expected_path(p).exists())
    results: list[FixtureResult] = []
    records: dict[Path, list[TakedownRecord]] = {}
    outcomes = ordered_outcomes(iter_pages([str(p) for p in pages]), jobs=jobs)
    for path, outcome in zip(pages, outcomes, strict=True):
        expected = expected_records(path)
        name = _name(path, directory)
        if outcome.article is None:
            message = outcome.error.message if outcome.error else "?"
            results.append(FixtureResult(name, error=message, known_miss=expected.known_miss))
            continue
        res = compare(expected, outcome.records, outcome.article.text, name)
        res.known_miss = expected.known_miss
        results.append(res)
        records[path] = outcome.records
    for events_file in sorted(directory.rglob(EVENTS_FILE)):
        expected_events = ExpectedEvents.model_validate_json(
            events_file.read_text(encoding="utf-8")
        )
        members = {p: r for p, r in records.items() if p.parent == events_file.parent}
        unexpected = [p.name for p in sorted(events_file.parent.glob("*.html")) if p not in records]
        if unexpected:
            # every page of a set goes into its events: one left out could hide a wrong merge
            name = f"{_name(events_file.parent, directory)} (events)"
            message = f"set pages not checked (no expected file, or the page failed): {', '.join(unexpected)}"
            results.append(FixtureResult(name, error=message))
            continue
        page_of = {rec.record_id: p.stem for p, recs in members.items() for rec in recs}
        events, _ = group_records(rec for recs in members.values() for rec in recs)
        name = f"{_name(events_file.parent, directory)} (events)"
        results.append(compare_events(expected_events, events, page_of, name))
    return results


def _name(path: Path, directory: Path) -> str:
    """fixture path -> its name in reports: the path below the checked directory, no suffix."""
    rel = path.relative_to(directory)
    return str(rel.with_suffix("")) if rel.suffix == ".html" else str(rel)


def _expected_path(page: Path) -> Path:
    return page.with_name(page.name.removesuffix(".html") + ".expected.json")


def report(results: list[FixtureResult]) -> str:
    """Results -> the table of per-field scores over all fixtures, then every mismatch."""
    totals = {f: Tally() for f in FIELDS}
    for res in results:
        for f, t in res.tallies.items():
            totals[f].tp += t.tp
            totals[f].fp += t.fp
            totals[f].fn += t.fn
    lines = [f"{'field':<14}{'precision':>10}{'recall':>9}{'f1':>7}{'tp':>6}{'fp':>5}{'fn':>5}"]
    for f in FIELDS:
        t = totals[f]
        lines.append(
            f"{f:<14}{t.precision():>10.3f}{t.recall():>9.3f}{t.f1():>7.3f}"
            f"{t.tp:>6}{t.fp:>5}{t.fn:>5}"
        )
    failed = [r for r in results if not r.passes]
    known = [r for r in results if not r.ok and r.known_miss]
    fixed = [r for r in results if r.ok and r.known_miss]
    matched = sum(r.ok for r in results)
    lines.append(
        f"{matched}/{len(results)} fixtures match"
        + (f", {len(known)} known misses of the current rules" if known else "")
    )
    for res in failed:
        lines.append(f"{res.name}:")
        if res.error:
            lines.append(f"  error: {res.error}")
        lines.extend(res.diffs)
    for res in known:
        lines.append(f"{res.name}: known miss ({res.known_miss}):")
        if res.error:
            lines.append(f"  error: {res.error}")
        lines.extend(res.diffs)
    for res in fixed:
        lines.append(f"{res.name}: matches now; remove its known_miss note")
    return "\n".join(lines)
