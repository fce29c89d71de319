"""Fixtures -> per-field precision, recall and F1 of the records the pipeline yields.

Each ``<name>.html`` with a ``<name>.expected.json`` beside it is run through the
pipeline; produced records are paired with expected ones by shared target
counts, then compared field by field. A field omitted from an expected record
(reach, languages, investigators, operator, total) is not checked for it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from models.expected import Expected, ExpectedRecord
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
    "total",
    "operator",
    "reach",
    "language",
    "investigator",
    "text",
)


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

    @property
    def ok(self) -> bool:
        return self.error is None and not any(t.fp or t.fn for t in self.tallies.values())


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
        "total": [p.total.count] if p.total else [],
        "reach": [(r.metric, r.count) for r in p.reach],
        "language": list(p.languages),
        "investigator": list(p.investigators),
    }
    # optional fields count only where the expected record states them
    return {k: v for k, v in items.items() if k in checked}


ALWAYS_CHECKED = ("actor", "action", "target", "target detail", "country", "reason", "period")


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


def check_dir(directory: Path, *, jobs: int = 1) -> list[FixtureResult]:
    """Directory of fixtures -> one result per ``*.html`` that has an expected file."""
    from pipeline.run import ordered_outcomes
    from pipeline.sources import iter_pages

    pages = sorted(p for p in directory.glob("*.html") if _expected_path(p).exists())
    results: list[FixtureResult] = []
    outcomes = ordered_outcomes(iter_pages([str(p) for p in pages]), jobs=jobs)
    for path, outcome in zip(pages, outcomes, strict=True):
        expected = Expected.model_validate_json(_expected_path(path).read_text(encoding="utf-8"))
        if outcome.article is None:
            res = FixtureResult(path.stem, error=outcome.error.message if outcome.error else "?")
            results.append(res)
            continue
        results.append(compare(expected, outcome.records, outcome.article.text, path.stem))
    return results


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
    failed = [r for r in results if not r.ok]
    lines.append(f"{len(results) - len(failed)}/{len(results)} fixtures match")
    for res in failed:
        lines.append(f"{res.name}:")
        if res.error:
            lines.append(f"  error: {res.error}")
        lines.extend(res.diffs)
    return "\n".join(lines)
