"""report: the review page, opened in a real headless Chromium (Debian's, driven by Playwright).

The main page is made the way a user makes it: the real `takedowns extract` over
`fixtures/` into a temporary directory, then `takedowns report`. Expected rows, spans and
texts come from the records and article lines that run wrote, never from the page itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import expect, sync_playwright

from models.article import ArticleLine
from models.event import Event
from models.record import TakedownRecord
from pipeline.cli import main
from pipeline.errors import ReportError
from pipeline.report import (
    ReportInputs,
    Span,
    excerpt_ranges,
    load_inputs,
    period_key,
    read_jsonl,
    record_spans,
    render_report,
    safe_href,
    utf16_offsets,
)
from tests.conftest import FIXTURES

NARROW = {"width": 375, "height": 800}  # the smallest common phone width
WIDE = {"width": 1280, "height": 900}


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory) -> dict:
    """The real extract over fixtures/, then the real report: paths and what they hold."""
    out = tmp_path_factory.mktemp("run")
    records_path = out / "records.jsonl"
    runner = CliRunner()
    result = runner.invoke(
        main, ["extract", str(FIXTURES), "-o", str(records_path), "--jobs", "1", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    report_path = out / "report.html"
    result = runner.invoke(main, ["report", str(records_path), "-o", str(report_path)])
    assert result.exit_code == 0, result.output
    records = read_jsonl(records_path, TakedownRecord)
    articles = read_jsonl(out / "articles.jsonl", ArticleLine)
    text_of = {rid: a.text for a in articles for rid in a.record_ids}
    return {
        "dir": out,
        "report": report_path,
        "records": records,
        "articles": articles,
        "text_of": text_of,
    }


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from tests.chromium import launch

    with sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()


class Opened:
    """A page of the report with every console error and page error it raised."""

    def __init__(self, browser, path: Path, viewport: dict, hash: str = "") -> None:
        self.page = browser.new_page(viewport=viewport)
        self.problems: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"request: {r.url}"))
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.resolve().as_uri() + hash)
        self.page.wait_for_selector("html[data-ready]")

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def open_page(browser):
    opened: list[Opened] = []

    def run(path: Path, viewport: dict = WIDE, hash: str = "") -> Opened:
        o = Opened(browser, path, viewport, hash)
        opened.append(o)
        return o

    yield run
    for o in opened:
        o.close()


def _visible_ids(page) -> list[str]:
    return page.eval_on_selector_all(
        "tr[data-record-id]:not([hidden])", "rows => rows.map(r => r.dataset.recordId)"
    )


def _marks(page) -> list[dict]:
    return page.eval_on_selector_all(
        "#detail-body mark",
        """ms => ms.map(m => ({kind: m.dataset.kind, label: m.dataset.label,
             start: +m.dataset.start, end: +m.dataset.end, text: m.textContent,
             clipped: m.dataset.clipped === 'true'}))""",
    )


# ---------------------------------------------------------------------------- the page


def test_report_one_row_per_record(fixture_run, open_page):
    o = open_page(fixture_run["report"])
    ids = o.page.eval_on_selector_all(
        "#records-table tbody tr[data-record-id]", "rows => rows.map(r => r.dataset.recordId)"
    )
    records = fixture_run["records"]
    assert len(ids) == len(records) > 0
    assert sorted(ids) == sorted(r.record_id for r in records)
    assert o.page.inner_text("#shown") == f"{len(records)} of {len(records)} records shown"
    assert o.problems == []


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["wide", "narrow"])
def test_report_table_keeps_its_roles(fixture_run, open_page, viewport):
    """Rows drawn as grids (wide) or cards (narrow) are still a table to assistive tools."""
    n = len(fixture_run["records"])
    o = open_page(fixture_run["report"], viewport=viewport)
    table = o.page.get_by_role("table", name="Takedown records")
    assert table.get_by_role("row").count() == n + 1
    assert table.get_by_role("columnheader").count() == 7
    assert table.get_by_role("rowheader").count() == n
    assert table.get_by_role("button", name="Period").count() == 1
    assert o.problems == []


def test_report_loads_nothing_from_the_network(fixture_run, open_page):
    o = open_page(fixture_run["report"])
    o.page.click("tr[data-record-id] a.open")
    o.page.wait_for_selector("dialog[open]")
    assert all(url.startswith("file://") for url in o.requests), o.requests
    assert o.problems == []


def _country(code):
    return lambda r: any(c.code == code for c in r.countries)


@pytest.mark.parametrize(
    ("select", "value", "keep"),
    [
        ("#f-country", "PK", _country("PK")),
        ("#f-country", "CN", _country("CN")),
        ("#f-actor", "Twitter", lambda r: r.actor is not None and r.actor.name == "Twitter"),
        ("#f-kind", "channel", lambda r: any(t.kind == "channel" for t in r.targets)),
        ("#f-period", "y:2020", lambda r: (r.period or "").endswith("2020")),
        ("#f-period", "p:August 2020", lambda r: r.period == "August 2020"),
        ("#f-period", "none", lambda r: r.period is None),
    ],
    ids=["country-PK", "country-CN", "actor", "kind", "year", "period", "no-period"],
)
def test_report_filter_keeps_matching_rows(fixture_run, open_page, select, value, keep):
    records = fixture_run["records"]
    expected = sorted(r.record_id for r in records if keep(r))
    assert 0 < len(expected) < len(records)  # the filter must have something to drop
    o = open_page(fixture_run["report"])
    o.page.select_option(select, value)
    assert sorted(_visible_ids(o.page)) == expected
    assert o.page.inner_text("#shown") == f"{len(expected)} of {len(records)} records shown"
    o.page.click("#f-reset")
    expect(o.page.locator("#shown")).to_have_text(f"{len(records)} of {len(records)} records shown")
    assert len(_visible_ids(o.page)) == len(records)
    assert o.problems == []


def test_report_filters_combine_with_free_text(fixture_run, open_page):
    records = fixture_run["records"]
    o = open_page(fixture_run["report"])
    o.page.select_option("#f-actor", "Google")
    o.page.fill("#f-text", "china")
    shown = set(_visible_ids(o.page))
    google = {r.record_id for r in records if r.actor and r.actor.name == "Google"}
    by_id = {r.record_id: r for r in records}
    assert shown and shown < google
    for rid in shown:
        assert "china" in by_id[rid].model_dump_json().lower()
    for rid in google - shown:
        assert all(c.code != "CN" for c in by_id[rid].countries)
    assert o.problems == []


def test_report_filter_by_keyboard(fixture_run, open_page):
    """Tab to the country filter, arrow to a country, Tab on to the text box and type."""
    records = fixture_run["records"]
    o = open_page(fixture_run["report"])
    page = o.page
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "f-country":
            break
    else:
        pytest.fail("the country filter cannot be reached with Tab")
    page.keyboard.press("ArrowDown")
    code = page.eval_on_selector("#f-country", "s => s.value")
    assert code
    expected = sorted(r.record_id for r in records if _country(code)(r))
    assert sorted(_visible_ids(page)) == expected
    page.keyboard.press("ArrowUp")
    assert len(_visible_ids(page)) == len(records)
    while page.evaluate("document.activeElement.id") != "f-text":
        page.keyboard.press("Tab")
    page.keyboard.type("russia")
    shown = _visible_ids(page)
    by_id = {r.record_id: r for r in records}
    assert 0 < len(shown) < len(records)
    assert all("russia" in by_id[rid].model_dump_json().lower() for rid in shown)
    assert o.problems == []


def test_report_open_record_by_keyboard_and_close(fixture_run, open_page):
    o = open_page(fixture_run["report"])
    page = o.page
    first = page.locator("tr[data-record-id] a.open").first
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("dialog[open]")
    assert page.evaluate("document.activeElement.id") == "detail-title"
    page.keyboard.press("Escape")
    page.wait_for_selector("dialog:not([open])", state="attached")
    assert page.evaluate("document.activeElement.classList.contains('open')")
    assert page.evaluate("document.activeElement.closest('tr').dataset.recordId") == first.evaluate(
        "a => a.closest('tr').dataset.recordId"
    )
    assert o.problems == []


@pytest.mark.parametrize("column", ["period", "actor", "targets"])
def test_report_sort_by_column(fixture_run, open_page, column):
    records = {r.record_id: r for r in fixture_run["records"]}
    o = open_page(fixture_run["report"])
    page = o.page
    header = page.locator(f'th[data-sort="{column}"]')
    assert header.get_attribute("aria-sort") is None
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    up = _visible_ids(page)
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    down = _visible_ids(page)

    def key(rid):
        r = records[rid]
        if column == "period":
            return period_key(r.period)
        if column == "actor":
            return r.actor.name.casefold() if r.actor else ""
        return sum(t.count or 0 for t in r.targets)

    keys_up = [key(x) for x in up]
    filled = [k for k in keys_up if k != ""]
    assert filled == sorted(filled) and len(set(filled)) > 1
    keys_down = [key(x) for x in down if key(x) != ""]
    assert keys_down == sorted(keys_down, reverse=True)
    if column == "period":  # records with no period stay last in both directions
        assert all(k == "" for k in keys_up[len(filled) :])
    assert o.problems == []


def test_report_every_record_shows_its_evidence_and_targets(fixture_run, open_page):
    """Open each record: every evidence sentence and target is highlighted, and each
    highlight's text is the article text at the record's offsets."""
    text_of = fixture_run["text_of"]
    o = open_page(fixture_run["report"])
    page = o.page
    for record in fixture_run["records"]:
        text = text_of[record.record_id]
        page.click(f'tr[data-record-id="{record.record_id}"] a.open')
        page.wait_for_selector(f'#detail-body[data-record-id="{record.record_id}"]')
        marks = _marks(page)
        for m in marks:
            assert not m["clipped"], m
            assert m["text"] == text[m["start"] : m["end"]], m
        evidence = sorted(
            (m["start"], m["end"], m["text"]) for m in marks if m["kind"] == "evidence"
        )
        assert evidence == sorted((e.start, e.end, e.text) for e in record.evidence)
        targets = sorted((m["start"], m["end"], m["text"]) for m in marks if m["kind"] == "target")
        assert targets == sorted((t.start, t.end, t.text) for t in record.targets)
        codes = {c.code for c in record.countries}
        for m in marks:
            if m["kind"] == "country":
                assert m["label"].split()[0] in codes
        heading = page.inner_text("#detail-title")
        assert heading.startswith(record.actor.name if record.actor else "(no actor)")
        rules = page.eval_on_selector_all(".rules code", "cs => cs.map(c => c.textContent)")
        assert rules == record.rules
        page.keyboard.press("Escape")
        page.wait_for_selector("dialog:not([open])", state="attached")
    assert o.problems == []


def test_report_detail_marks_countries_and_actor(fixture_run, open_page):
    """The seed page's Pakistani network: Pakistan marked as origin, Facebook as actor."""
    (record,) = [
        r
        for r in fixture_run["records"]
        if r.source.path
        and r.source.path.endswith("haqooq-facebook-cib-pakistan-august-2020.html")
        and any(c.code == "PK" for c in r.countries)
    ]
    o = open_page(fixture_run["report"], hash=f"#record-{record.record_id}")
    o.page.wait_for_selector("dialog[open]")
    marks = _marks(o.page)
    countries = {(m["text"], m["label"]) for m in marks if m["kind"] == "country"}
    assert ("Pakistan", "PK origin") in countries
    assert {m["text"] for m in marks if m["kind"] == "actor"} == {"Facebook"}
    link = o.page.locator("#detail-body a", has_text=record.source.url)
    assert link.get_attribute("href") == record.source.url
    assert o.problems == []


def test_report_whole_article_toggle(fixture_run, open_page):
    record = max(fixture_run["records"], key=lambda r: len(fixture_run["text_of"][r.record_id]))
    text = fixture_run["text_of"][record.record_id]
    o = open_page(fixture_run["report"], hash=f"#record-{record.record_id}")
    page = o.page
    page.wait_for_selector("dialog[open]")
    excerpt = page.inner_text("#detail-body .text")
    assert len(excerpt) < len(text)
    page.click("#detail-body button[aria-expanded]")
    whole = page.eval_on_selector_all(".excerpt", "es => es.map(e => e.textContent).join('')")
    assert whole == text
    assert o.problems == []


def test_report_pages_with_no_takedown_and_summary(fixture_run, open_page):
    articles = fixture_run["articles"]
    none = [a for a in articles if a.status == "no_takedown"]
    assert none
    o = open_page(fixture_run["report"])
    inputs = o.page.eval_on_selector_all(
        "#no-takedown li[data-input]", "ls => ls.map(l => l.dataset.input)"
    )
    assert sorted(inputs) == sorted(a.input for a in none)
    assert "No takedown found" in o.page.inner_text("#no-takedown")
    assert o.page.locator("#summary svg[role=img]").count() == 3
    actors = o.page.text_content("#chart-actor-title")
    top = max(
        {r.actor.name for r in fixture_run["records"] if r.actor},
        key=lambda n: sum(1 for r in fixture_run["records"] if r.actor and r.actor.name == n),
    )
    assert top in actors
    assert o.problems == []


def test_report_narrow_screen_has_no_sideways_scroll(fixture_run, open_page, tmp_path):
    o = open_page(fixture_run["report"], viewport=NARROW)
    page = o.page
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[2] and widths[1] <= widths[2], widths
    page.screenshot(path=str(tmp_path / "narrow.png"), full_page=True)
    page.click("tr[data-record-id] a.open")
    page.wait_for_selector("dialog[open]")
    fits = page.eval_on_selector("#detail", "d => d.scrollWidth <= d.clientWidth")
    assert fits
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    assert o.problems == []


def test_report_screenshot(fixture_run, open_page, tmp_path):
    o = open_page(fixture_run["report"])
    shot = tmp_path / "report.png"
    o.page.screenshot(path=str(shot))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    viewport = o.page.viewport_size
    assert viewport is not None and (width, height) == (viewport["width"], viewport["height"])
    # what the shot shows: the page's heading and its summary
    assert o.page.get_by_role("heading", name="Takedown records", level=1).is_visible()
    assert o.page.locator("#summary").is_visible()
    assert o.problems == []


# ---------------------------------------------------------------------------- hostile input

HOSTILE_TITLE = "</title><script>window.__pwned = 1</script> \"quoted\" & 'single'"
HOSTILE_TEXT = (
    "Intro 😀 line.\n"
    '</script><script>window.__pwned = 2</script> <img src=x onerror="window.__pwned=3"> '
    "Meta removed 12 Facebook accounts based in Iran.\n"
    "Closing line."
)


def _hostile_files(tmp_path: Path) -> tuple[Path, TakedownRecord, ArticleLine]:
    sentence_start = HOSTILE_TEXT.index("</script>")
    sentence = HOSTILE_TEXT[sentence_start : HOSTILE_TEXT.index("Iran.") + len("Iran.")]
    target = "12 Facebook accounts"
    t_start = HOSTILE_TEXT.index(target)
    source = {
        "url": "javascript:window.__pwned=4",
        "title": HOSTILE_TITLE,
        "site": "<b>Site</b>",
        "sha256": "1" * 64,
        "published": "2021-05-06",
    }
    record = TakedownRecord.model_validate(
        {
            "record_id": "r-hostile",
            "source": source,
            "actor": {"name": "Meta <i>x</i>", "kind": "platform"},
            "action": "removed",
            "targets": [
                {
                    "kind": "account",
                    "platform": "Facebook",
                    "count": 12,
                    "text": target,
                    "start": t_start,
                    "end": t_start + len(target),
                }
            ],
            "countries": [{"code": "IR", "name": "Iran", "role": "origin"}],
            "period": "May 2021",
            "evidence": [
                {"text": sentence, "start": sentence_start, "end": sentence_start + len(sentence)}
            ],
            "primary_sources": [
                {"url": "javascript:window.__pwned=5", "text": "<script>x</script>"},
                {"url": 'https://about.example/report?a=1&b="2"', "text": "Meta's report"},
            ],
            "rules": ["rule-<b>"],
        }
    )
    article = ArticleLine.model_validate(
        {
            "schema_version": "1",
            "input": "pages/<hostile>.html",
            "source": source,
            "text": HOSTILE_TEXT,
            "language": "en",
            "method": "trafilatura",
            "encoding": "utf-8",
            "entities": [
                {
                    "label": "COUNTRY",
                    "text": "Iran",
                    "start": HOSTILE_TEXT.index("Iran"),
                    "end": HOSTILE_TEXT.index("Iran") + 4,
                    "id": "IR",
                },
            ],
            "claims": [],
            "record_ids": ["r-hostile"],
            "status": "records",
        }
    )
    (tmp_path / "records.jsonl").write_text(record.model_dump_json() + "\n", encoding="utf-8")
    (tmp_path / "articles.jsonl").write_text(article.model_dump_json() + "\n", encoding="utf-8")
    (tmp_path / "errors.jsonl").write_text(
        json.dumps(
            {
                "input": "<script>e</script>",
                "stage": "read",
                "code": "read.empty",
                "message": 'empty "file" <b>',
            }
        )
        + "\n",
        encoding="utf-8",
    )
    return tmp_path / "records.jsonl", record, article


def test_report_hostile_text_shows_as_text(tmp_path, open_page):
    records_path, record, article = _hostile_files(tmp_path)
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        main, ["report", str(records_path), "-o", str(out), "--title", HOSTILE_TITLE]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in html
    assert "<img src=x" not in html
    o = open_page(out)
    page = o.page
    assert page.title() == HOSTILE_TITLE
    assert page.inner_text("h1") == HOSTILE_TITLE
    assert page.locator("script").count() == 3  # the two JSON blobs and the page's script
    assert page.locator("img").count() == 0
    assert "Meta <i>x</i>" in page.inner_text("#records-table")
    assert "<script>e</script>" in page.inner_text("#errors")
    assert page.locator("a[href^='javascript']").count() == 0
    page.click("tr[data-record-id] a.open")
    page.wait_for_selector("dialog[open]")
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("#detail-body img, #detail-body script").count() == 0
    body = page.inner_text("#detail-body")
    assert "</script><script>window.__pwned = 2</script>" in body
    assert "<script>x</script>" in body and "rule-<b>" in body
    href = page.locator("#detail-body a", has_text="Meta's report").get_attribute("href")
    assert href == record.primary_sources[1].url
    marks = _marks(page)
    # offsets after an emoji (two UTF-16 units) still land on the same characters
    (target,) = [m for m in marks if m["kind"] == "target"]
    assert target["text"] == "12 Facebook accounts" == article.text[target["start"] : target["end"]]
    (evidence,) = [m for m in marks if m["kind"] == "evidence"]
    assert evidence["text"] == record.evidence[0].text
    assert page.evaluate("window.__pwned") is None
    assert o.problems == []


def test_report_records_without_articles_show_their_evidence(tmp_path, open_page):
    records_path, record, _ = _hostile_files(tmp_path)
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "records.jsonl").write_bytes(records_path.read_bytes())
    out = alone / "report.html"
    result = CliRunner().invoke(main, ["report", str(alone / "records.jsonl"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    o = open_page(out, hash="#record-r-hostile")
    o.page.wait_for_selector("dialog[open]")
    marks = _marks(o.page)
    assert [m["text"] for m in marks if m["kind"] == "evidence"] == [record.evidence[0].text]
    (target,) = [m for m in marks if m["kind"] == "target"]
    assert (target["text"], target["start"]) == ("12 Facebook accounts", record.targets[0].start)
    assert "no article line" in o.page.inner_text("#detail-body .warn")
    assert "not known" in o.page.inner_text("#no-takedown")
    assert o.problems == []


# ---------------------------------------------------------------------------- events


def _events(records: list[TakedownRecord]) -> list[Event]:
    """Two hand-written events over the fixture records: one told by two outlets with
    a disagreeing figure, one of a single record."""
    pk = next(
        r
        for r in records
        if any(c.code == "PK" for c in r.countries) and r.actor and r.actor.name == "Facebook"
    )
    ru = next(
        r
        for r in records
        if any(c.code == "RU" for c in r.countries) and r.actor and r.actor.name == "Facebook"
    )
    return [
        Event.model_validate(
            {
                "schema_version": "1",
                "event_id": "ev-pk",
                "actor": {"name": "Facebook", "kind": "platform"},
                "action": "removed",
                "period": "August 2020",
                "countries": [{"code": "PK", "name": "Pakistan", "role": "origin"}],
                "targets": [
                    {
                        "kind": "account",
                        "platform": "Facebook",
                        "count": 453,
                        "variants": [
                            {"count": 453, "record_ids": [pk.record_id], "urls": [pk.source.url]},
                            {
                                "count": 450,
                                "approximate": True,
                                "qualifier": "about",
                                "record_ids": ["elsewhere-1"],
                                "urls": ["https://other.example/pk"],
                            },
                        ],
                    }
                ],
                "record_ids": [pk.record_id, "elsewhere-1"],
                "urls": [pk.source.url, "https://other.example/pk"],
                "first_published": "2020-09-02",
                "last_published": "2020-09-03",
                "conflicts": [
                    {
                        "field": "targets",
                        "key": "group/Facebook",
                        "values": [
                            {"count": 78, "record_ids": [pk.record_id], "urls": [pk.source.url]},
                            {
                                "count": 87,
                                "record_ids": ["elsewhere-1"],
                                "urls": ["https://other.example/pk"],
                            },
                        ],
                        "note": "87 and 78: a transposed figure?",
                    }
                ],
                "primary_sources": [
                    {
                        "url": "https://about.fb.example/news/2020/09/august-cib-report/",
                        "text": "August 2020 CIB report",
                        "publisher": "Meta",
                    }
                ],
            }
        ),
        Event.model_validate(
            {
                "schema_version": "1",
                "event_id": "ev-ru",
                "actor": {"name": "Facebook", "kind": "platform"},
                "action": "removed",
                "period": "August 2020",
                "countries": [{"code": "RU", "name": "Russia", "role": "origin"}],
                "targets": [
                    {
                        "kind": "account",
                        "platform": "Facebook",
                        "count": 13,
                        "variants": [
                            {"count": 13, "record_ids": [ru.record_id], "urls": [ru.source.url]}
                        ],
                    }
                ],
                "record_ids": [ru.record_id],
                "urls": [ru.source.url],
            }
        ),
    ]


def test_report_events_view(fixture_run, open_page, tmp_path):
    events = _events(fixture_run["records"])
    events_path = tmp_path / "events.jsonl"
    events_path.write_text("".join(e.model_dump_json() + "\n" for e in events), encoding="utf-8")
    out = tmp_path / "report.html"
    records_path = fixture_run["dir"] / "records.jsonl"
    result = CliRunner().invoke(
        main, ["report", str(records_path), "--events", str(events_path), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    o = open_page(out)
    page = o.page
    ids = page.eval_on_selector_all("[data-event-id]", "es => es.map(e => e.dataset.eventId)")
    assert ids == ["ev-pk", "ev-ru"]
    pk = page.locator('[data-event-id="ev-pk"]')
    text = pk.inner_text()
    assert "87 and 78: a transposed figure?" in text
    assert "about 450 accounts" in text and "453 accounts" in text
    assert pk.locator("a", has_text="https://other.example/pk").count() >= 1
    assert pk.locator("a", has_text="August 2020 CIB report").get_attribute("href") == (
        "https://about.fb.example/news/2020/09/august-cib-report/"
    )
    assert "elsewhere-1" in pk.locator(".records-of-event code").inner_text()
    pk.locator(".records-of-event a.open").click()
    page.wait_for_selector("dialog[open]")
    assert page.get_attribute("#detail-body", "data-record-id") == events[0].record_ids[0]
    assert o.problems == []


def test_report_events_view_absent_without_events(fixture_run, open_page):
    o = open_page(fixture_run["report"])
    assert o.page.locator("#events").count() == 0
    assert o.problems == []


# ---------------------------------------------------------------------------- no browser


@pytest.mark.parametrize(
    ("period", "key"),
    [
        ("August 2020", "2020-08-01"),
        ("Q2 2020", "2020-04-03"),
        ("2020", "2020-01-12"),
        (None, ""),
        ("sometime", ""),
    ],
)
def test_report_period_key(period, key):
    assert period_key(period) == key


def test_report_period_keys_sort_by_start():
    periods = ["2021", "December 2020", "Q1 2021", "January 2021"]
    assert sorted(periods, key=period_key) == ["December 2020", "January 2021", "Q1 2021", "2021"]


@pytest.mark.parametrize(
    ("text", "index", "expected"),
    [("abc", 2, 2), ("a😀b", 2, 3), ("😀😀x", 2, 4), ("ü", 1, 1)],
)
def test_report_utf16_offsets(text, index, expected):
    assert utf16_offsets(text)(index) == expected


@pytest.mark.parametrize(
    ("url", "href"),
    [
        ("https://a.example/x", "https://a.example/x"),
        ("http://a.example", "http://a.example"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,x", None),
        (None, None),
    ],
)
def test_report_safe_href(url, href):
    assert safe_href(url) == href


def test_report_excerpt_is_paragraphs_around_evidence():
    text = "p0\np1\np2 evidence here\np3\np4\np5\np6 more evidence\np7"
    s2 = text.index("evidence here")
    s6 = text.index("more evidence")
    spans = [Span(s2, s2 + 8, "evidence", "1"), Span(s6, s6 + 4, "target", "X")]
    ranges = excerpt_ranges(text, spans)
    assert [text[a:b] for a, b in ranges] == [
        "p1\np2 evidence here\np3",
        "p5\np6 more evidence\np7",
    ]


def test_report_spans_warn_about_offsets_that_do_not_match():
    record = TakedownRecord.model_validate(
        {
            "record_id": "x",
            "source": {"sha256": "0" * 64},
            "actor": {"name": "Meta", "kind": "platform"},
            "action": "removed",
            "targets": [
                {
                    "kind": "account",
                    "platform": None,
                    "count": 5,
                    "text": "5 accounts",
                    "start": 0,
                    "end": 10,
                }
            ],
            "evidence": [{"text": "Meta removed 5 accounts.", "start": 0, "end": 24}],
        }
    )
    spans, warnings = record_spans(record, "Meta removed 5 accounts.", [])
    assert [s.kind for s in spans] == ["evidence"]
    assert len(warnings) == 1 and "target at 0-10" in warnings[0]


def test_report_bad_line_is_a_clear_error(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text('{"record_id": "a"}\n', encoding="utf-8")
    with pytest.raises(ReportError) as err:
        load_inputs(path)
    assert err.value.code == "report.bad_line"
    assert f"{path}:1: not a TakedownRecord line" in err.value.message
    result = CliRunner().invoke(main, ["report", str(path), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}:1: not a TakedownRecord line")
    assert not (tmp_path / "r.html").exists()


def test_report_reads_articles_and_errors_beside_the_records(fixture_run):
    inputs = load_inputs(fixture_run["dir"] / "records.jsonl")
    assert set(inputs.files) == {"records", "articles", "errors"}
    assert len(inputs.articles) == len(fixture_run["articles"])


def test_report_renders_with_no_records():
    html = render_report(ReportInputs(records=[]))
    assert "0 of 0 records shown" in html
