"""The event fixture sets (fixtures/events/<set>/): pages, their records and their events.

Grouping is tested twice on each set: on records made from the hand-written expected
records (independent of the record rules) and end to end on the pages. Pages and sets
marked ``known_miss`` are expected failures of the current record rules (strict=False, so
they pass once the rules read them right).
"""

import hashlib
from datetime import date
from pathlib import Path

import pytest

from models.article import Source
from models.expected import Expected, ExpectedEvents, ExpectedRecord
from models.record import Actor, Country, PrimarySource, TakedownRecord, Target, Total
from pipeline.check import EVENTS_FILE, compare, compare_events, expected_records
from pipeline.events import group_records
from pipeline.primary import match_primary
from pipeline.run import process_page
from pipeline.sources import iter_pages
from tests.conftest import FIXTURES

SETS = sorted(p.parent for p in (FIXTURES / "events").glob(f"*/{EVENTS_FILE}"))
PAGES = sorted((FIXTURES / "events").glob("*/*.html"))


def _events(directory: Path) -> ExpectedEvents:
    return ExpectedEvents.model_validate_json((directory / EVENTS_FILE).read_text("utf-8"))


def _mark(param: Path, known_miss: str | None):  # type: ignore[no-untyped-def]
    # strict: a page read right again fails until its note is taken out
    marks = [pytest.mark.xfail(reason=known_miss, strict=True)] if known_miss else []
    return pytest.param(param, marks=marks, id=f"{param.parent.name}/{param.stem}")


def test_event_fixture_sets_cover_the_cases() -> None:
    takedown_sets = [d for d in SETS if not d.name.startswith("near-miss")]
    near_misses = [d for d in SETS if d.name.startswith("near-miss")]
    assert len(takedown_sets) >= 3 and len(near_misses) >= 2
    for directory in takedown_sets:
        pages = sorted(directory.glob("*.html"))
        assert 3 <= len(pages) <= 5, directory.name
        expected = [expected_records(p) for p in pages]
        # one article covering two takedowns; pages on different site templates
        assert any(len(e.records) == 2 for e in expected), directory.name
        assert len({p.name.split("-")[0] for p in pages}) == len(pages), directory.name
        events = _events(directory).events
        main = max(events, key=lambda e: len(e.sources))
        assert len(main.sources) == len(pages)
        assert any(c.field == "targets" for c in main.conflicts)  # the outlet's wrong figure
        assert main.primary_sources and all(match_primary(u) for u in main.primary_sources)
    for directory in near_misses:
        events = _events(directory).events
        assert len(events) == 2 and all(len(e.sources) == 1 for e in events)
        assert len({e.actor for e in events}) == 1


def _record(page: Path, n: int, e: ExpectedRecord, expected: Expected) -> TakedownRecord:
    """A hand-written expected record -> the record the rules should have made of it."""
    sources = []
    for url in e.primary_sources or []:
        pattern = match_primary(url)
        sources.append(PrimarySource(url=url, text="", publisher=pattern and pattern.publisher))
    return TakedownRecord(
        record_id=f"{page.stem}#{n}",
        source=Source(
            url=expected.url,
            path=str(page),
            published=date.fromisoformat(expected.published) if expected.published else None,
            sha256=hashlib.sha256(page.name.encode()).hexdigest(),
        ),
        actor=Actor(name=e.actor.name, kind=e.actor.kind) if e.actor else None,
        action=e.action,
        targets=[
            Target(
                kind=t.kind,
                platform=t.platform,
                count=t.count,
                approximate=t.approximate,
                text="",
                start=0,
                end=0,
            )  # fmt: skip
            for t in e.targets
        ],
        total=Total(count=e.total, text="", start=0, end=0) if e.total is not None else None,
        countries=[Country(code=c.code, name=c.code, role=c.role) for c in e.countries],
        operator=e.operator,
        period=e.period,
        evidence=[],
        primary_sources=sources,
    )


@pytest.mark.parametrize("directory", SETS, ids=lambda d: d.name)
def test_event_grouping_of_hand_written_records(directory: Path) -> None:
    records = []
    for page in sorted(directory.glob("*.html")):
        expected = expected_records(page)
        records += [_record(page, n, e, expected) for n, e in enumerate(expected.records)]
    events, _ = group_records(records)
    page_of = {r.record_id: r.record_id.split("#")[0] for r in records}
    result = compare_events(_events(directory), events, page_of, directory.name)
    assert result.ok, "\n".join(result.diffs)


@pytest.mark.parametrize("directory", [_mark(d, _events(d).known_miss) for d in SETS])
def test_event_fixture_end_to_end(extractor, directory: Path) -> None:  # type: ignore[no-untyped-def]
    records, page_of = [], {}
    for page in sorted(directory.glob("*.html")):
        (item,) = list(iter_pages([str(page)]))
        outcome = process_page(item, extractor=extractor)
        assert outcome.error is None, outcome.error
        records += outcome.records
        page_of.update({r.record_id: page.stem for r in outcome.records})
    events, _ = group_records(records, jobs=2)
    result = compare_events(_events(directory), events, page_of, directory.name)
    assert result.ok, "\n".join(result.diffs)


@pytest.mark.parametrize("page", [_mark(p, expected_records(p).known_miss) for p in PAGES])
def test_event_fixture_page(extractor, page: Path) -> None:  # type: ignore[no-untyped-def]
    expected = expected_records(page)
    (item,) = list(iter_pages([str(page)]))
    outcome = process_page(item, extractor=extractor)
    assert outcome.error is None and outcome.article is not None, outcome.error
    assert outcome.article.source.title == expected.title
    assert str(outcome.article.source.published) == expected.published
    assert outcome.article.source.url == expected.url  # events list their sources by url
    result = compare(expected, outcome.records, outcome.article.text, page.stem)
    assert result.ok, "\n".join(result.diffs)


SERBIA = FIXTURES / "events" / "twitter-serbia-april-2020"


def _copy_set(tmp_path: Path) -> Path:
    target = tmp_path / "fixtures" / "events" / SERBIA.name
    target.mkdir(parents=True)
    for f in SERBIA.iterdir():
        (target / f.name).write_bytes(f.read_bytes())
    return tmp_path / "fixtures"


def _run_check(directory: Path):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from pipeline.cli import main

    return CliRunner().invoke(main, ["check", str(directory)])


def test_check_events_of_a_set_pass(tmp_path: Path) -> None:
    result = _run_check(_copy_set(tmp_path))
    assert result.exit_code == 0, result.output
    assert "5/5 fixtures match" in result.output
    assert "events/twitter-serbia-april-2020 (events)" not in result.output  # no diff lines


@pytest.mark.parametrize("change", ["split", "conflict", "primary", "actor", "unlisted"])
def test_check_events_fails_on_a_wrong_expectation(tmp_path: Path, change: str) -> None:
    root = _copy_set(tmp_path)
    path = root / "events" / SERBIA.name / EVENTS_FILE
    expected = ExpectedEvents.model_validate_json(path.read_text("utf-8"))
    serbia, honduras = expected.events
    if change == "split":  # the misprinting outlet as an event of its own
        odd = "closedweb-serbia-twitter-removes-sns-accounts"
        serbia = serbia.model_copy(update={"sources": [s for s in serbia.sources if s != odd]})
        events = [serbia, serbia.model_copy(update={"sources": [odd]}), honduras]
    elif change == "conflict":
        events = [serbia.model_copy(update={"conflicts": []}), honduras]
    elif change == "actor":  # a name of the group, not the name the event carries
        events = [serbia.model_copy(update={"actor": "Twitter"}), honduras]
    elif change == "unlisted":  # a page of the set whose records the check would not read
        page = next(path.parent.glob("*.html"))
        (path.parent / "copy-without-expectation.html").write_bytes(page.read_bytes())
        events = [serbia, honduras]
    else:
        events = [serbia, honduras.model_copy(update={"primary_sources": []})]
    path.write_text(expected.model_copy(update={"events": events}).model_dump_json(), "utf-8")
    result = _run_check(root)
    assert result.exit_code == 1, result.output
    assert f"events/{SERBIA.name} (events):" in result.output


def test_check_known_miss_reported_but_not_failed(tmp_path: Path) -> None:
    root = _copy_set(tmp_path)
    page = (
        root
        / "events"
        / SERBIA.name
        / "crosswire-twitter-removes-serbia-honduras-state-linked-accounts.expected.json"
    )
    expected = Expected.model_validate_json(page.read_text("utf-8"))
    wrong = expected.records[1].model_copy(update={"period": "May 2020"})
    page.write_text(
        expected.model_copy(update={"records": [expected.records[0], wrong]}).model_dump_json(
            exclude_unset=True
        ),
        "utf-8",
    )
    assert _run_check(root).exit_code == 1
    noted = expected.model_copy(
        update={"records": [expected.records[0], wrong], "known_miss": "test"}
    )
    page.write_text(noted.model_dump_json(exclude_unset=True), "utf-8")
    result = _run_check(root)
    assert result.exit_code == 0, result.output
    assert "known miss (test)" in result.output and "missing period May 2020" in result.output
