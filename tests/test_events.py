"""Tests of pipeline/events.py on hand-written records: grouping, reconciling, stability, cost."""

import hashlib
import importlib.util
import json
import random
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from models.article import Source
from models.event import Event
from models.record import Actor, Country, PrimarySource, TakedownRecord, Target, Total
from pipeline.cli import main
from pipeline.events import Figure, figures_agree, group_records, misprint, period_span

REPO = Path(__file__).resolve().parent.parent


def rec(
    rid: str,
    *,
    actor: str | None = "Meta",
    action: str = "removed",
    targets: tuple = (("account", "Facebook", 50), ("page", "Facebook", 98)),
    countries: tuple = (("BD", "origin"),),
    period: str | None = "Q1 2024",
    published: str | None = "2024-05-30",
    page: str | None = None,
    operator: str | None = None,
    total: int | None = None,
    primary: tuple = (),
) -> TakedownRecord:
    """A record as the rules would give it; targets are (kind, platform, count[, approx])."""
    return TakedownRecord(
        record_id=rid,
        source=Source(
            url=f"https://news.example/{page or rid}",
            published=published,
            sha256=hashlib.sha256((page or rid).encode()).hexdigest(),
        ),
        actor=Actor(name=actor, kind="platform") if actor else None,
        action=action,  # type: ignore[arg-type]
        targets=[
            Target(
                kind=t[0],
                platform=t[1],
                count=t[2],
                approximate=len(t) > 3 and t[3],
                qualifier="over" if len(t) > 3 and t[3] else None,
                text="",
                start=0,
                end=0,
            )
            for t in targets
        ],
        total=Total(count=total, text="", start=0, end=0) if total is not None else None,
        countries=[Country(code=c, name=c, role=role) for c, role in countries],  # type: ignore[arg-type]
        operator=operator,
        period=period,
        evidence=[],
        primary_sources=[PrimarySource(url=u, text="report", publisher="Meta") for u in primary],
    )


def groups(records: list[TakedownRecord], *, jobs: int = 1) -> list[list[str]]:
    events, _ = group_records(records, jobs=jobs)
    return sorted(sorted(e.record_ids) for e in events)


def one_event(records: list[TakedownRecord]) -> Event:
    events, _ = group_records(records)
    assert len(events) == 1, [e.record_ids for e in events]
    return events[0]


# --------------------------------------------------------------------------- figures


@pytest.mark.parametrize(
    ("a", "b", "agree"),
    [
        (Figure(450, True), Figure(453, False), True),  # "over 450" and 453
        (Figure(450, False), Figure(453, False), True),  # an unqualified round figure
        (Figure(2600, True), Figure(2596, False), True),  # "nearly 2,600"
        (Figure(20000, False), Figure(20348, False), True),  # a headline's "20,000"
        (Figure(50, False), Figure(58, False), False),  # a wrong figure, not a rounding
        (Figure(8588, False), Figure(8558, False), False),  # a misprint
        (Figure(100, True), Figure(195, False), False),  # "about 100" is not 195
        (Figure(10000, False), Figure(20348, False), False),
        (Figure(77, False), Figure(77, False), True),
    ],
)
def test_events_figures_agree(a: Figure, b: Figure, agree: bool) -> None:
    assert figures_agree(a, b) is agree
    assert figures_agree(b, a) is agree


@pytest.mark.parametrize(
    ("a", "b", "typo"),
    [
        (8558, 8588, True),  # one digit changed
        (72, 27, True),  # neighbours swapped
        (276, 76, True),  # a digit dropped
        (58, 50, True),
        (299, 1846, False),
        (453, 1372, False),
        (123, 321, False),  # swapped, but not neighbours
        (5, 7, False),  # one digit alone is no evidence of a typo
    ],
)
def test_events_misprint(a: int, b: int, typo: bool) -> None:
    assert misprint(Figure(a, False), Figure(b, False)) is typo
    assert misprint(Figure(b, False), Figure(a, False)) is typo
    assert not misprint(Figure(a, True), Figure(b, False))  # a rounded figure is no typo


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("August 2020", "2020-08-01", "2020-08-31"),
        ("February 2024", "2024-02-01", "2024-02-29"),
        ("Q1 2024", "2024-01-01", "2024-03-31"),
        ("Q4 2019", "2019-10-01", "2019-12-31"),
        ("2020", "2020-01-01", "2020-12-31"),
    ],
)
def test_events_period_span(period: str, start: str, end: str) -> None:
    span = period_span(period)
    assert span is not None
    assert (str(span.start), str(span.end)) == (start, end)


# --------------------------------------------------------------------------- grouping


@pytest.mark.parametrize("actors", [("Meta", "Facebook", "Instagram"), ("the Meta", "FB", "Meta")])
def test_events_actor_names_normalised(actors: tuple[str, ...]) -> None:
    records = [rec(f"r{i}", actor=name) for i, name in enumerate(actors)]
    event = one_event(records)
    assert event.actor is not None and event.actor.name == "Meta"


@pytest.mark.parametrize("names", [("Twitter", "X"), ("YouTube", "Google")])
def test_events_twitter_is_x_youtube_is_google(names: tuple[str, str]) -> None:
    records = [
        rec(f"r{i}", actor=name, targets=(("account", None, 8558),), countries=(("RS", "origin"),))
        for i, name in enumerate(names)
    ]
    assert len(one_event(records).record_ids) == 2


@pytest.mark.parametrize("other", ["Google", "TikTok"])
def test_events_other_actor_separate(other: str) -> None:
    assert groups([rec("a"), rec("b", actor=other)]) == [["a"], ["b"]]


def test_events_rounded_and_wrong_figures_join_with_a_conflict() -> None:
    records = [
        rec("exact1"),
        rec("exact2", published="2024-05-29"),
        rec("rounded", targets=(("account", "Facebook", 50), ("page", "Facebook", 100, True))),
        rec("wrong", targets=(("account", "Facebook", 58), ("page", "Facebook", 98))),
    ]
    event = one_event(records)
    by_key = {f"{t.kind}/{t.platform}": t for t in event.targets}
    assert by_key["account/Facebook"].count == 50
    assert by_key["page/Facebook"].count == 98
    assert {(v.count, tuple(v.record_ids)) for v in by_key["account/Facebook"].variants} == {
        (50, ("exact1", "exact2", "rounded")),
        (58, ("wrong",)),
    }
    (conflict,) = event.conflicts
    assert (conflict.field, conflict.key) == ("targets", "account/Facebook")
    assert [v.count for v in conflict.values] == [50, 58]
    assert not any(c.key == "page/Facebook" for c in event.conflicts)  # 100 rounds 98


def test_events_total_beside_breakdown_is_the_event_total() -> None:
    thai = (("account", "Facebook", 77), ("page", "Facebook", 72), ("group", "Facebook", 18),
            ("account", "Instagram", 18))  # fmt: skip
    records = [
        rec("breakdown1", targets=thai, countries=(("TH", "origin"),), period="February 2021"),
        rec("breakdown2", targets=thai, countries=(("TH", "origin"),), period="February 2021"),
        rec("headline", targets=(("account", "Facebook", 185),), countries=(("TH", "origin"),),
            period="February 2021"),
    ]  # fmt: skip
    event = one_event(records)
    assert event.total is not None and event.total.count == 185
    assert event.total.variants[0].record_ids == ["headline"]
    assert sorted((t.kind, t.platform, t.count) for t in event.targets) == [
        ("account", "Facebook", 77),
        ("account", "Instagram", 18),
        ("group", "Facebook", 18),
        ("page", "Facebook", 72),
    ]
    assert event.conflicts == []


def test_events_misprinted_lone_figure_joins_with_a_conflict() -> None:
    serbia = (("RS", "origin"),)
    records = [
        rec(f"exact{i}", actor="Twitter", targets=(("account", "Twitter", 8558),),
            countries=serbia, period="April 2020")
        for i in range(2)
    ] + [rec("misprint", actor="Twitter", targets=(("account", "Twitter", 8588),),
             countries=serbia, period="April 2020")]  # fmt: skip
    event = one_event(records)
    assert [t.count for t in event.targets] == [8558]
    (conflict,) = event.conflicts
    assert [(v.count, v.record_ids) for v in conflict.values] == [
        (8558, ["exact0", "exact1"]),
        (8588, ["misprint"]),
    ]


def test_events_misprint_alone_does_not_bridge_months() -> None:
    # a lagged time needs a figure that agrees; a misprint is not one
    a = rec("a", targets=(("account", "Facebook", 72),), period="July 2020")
    b = rec("b", targets=(("account", "Facebook", 27),), period="August 2020")
    assert groups([a, b]) == [["a"], ["b"]]


def test_events_total_only_record_joins_a_breakdown_with_a_wrong_figure() -> None:
    thai = (("TH", "origin"),)
    right = (("account", "Facebook", 77), ("page", "Facebook", 72), ("group", "Facebook", 18),
             ("account", "Instagram", 18))  # fmt: skip
    wrong = (("account", "Facebook", 80, True), ("page", "Facebook", 27),
             ("group", "Facebook", 18), ("account", "Instagram", 18))  # fmt: skip
    records = [
        rec("right", targets=right, countries=thai, period="March 2021"),
        rec("wrong", targets=wrong, countries=thai, period="March 2021"),
        rec("total", targets=(("account", "Facebook", 185),), countries=thai, period="March 2021"),
    ]
    event = one_event(records)
    assert event.total is not None and event.total.count == 185
    assert [(c.field, c.key) for c in event.conflicts] == [("targets", "page/Facebook")]


@pytest.mark.parametrize(
    ("first", "second"),
    [("July 2020", "September 2020"), ("Q1 2024", "Q3 2024"), ("2019", "2021")],
)
def test_events_same_actor_and_country_in_periods_apart_stay_separate(
    first: str, second: str
) -> None:
    # same figures on purpose: the periods alone keep them apart
    records = [rec("a", period=first, published=None), rec("b", period=second, published=None)]
    assert groups(records) == [["a"], ["b"]]


@pytest.mark.parametrize(("first", "second"), [("July 2020", "August 2020")])
def test_events_adjacent_months_need_a_figure_that_agrees(first: str, second: str) -> None:
    china = (("CN", "origin"),)
    july = rec("july", period=first, targets=(("channel", "YouTube", 299),), countries=china)
    august = rec("august", period=second, targets=(("channel", "YouTube", 1846),), countries=china)
    announced = rec("announced", period=second, targets=(("channel", "YouTube", 299),),
                    countries=china)  # fmt: skip
    blogs = rec("blogs", period=second, targets=(("blog", "Blogger", 5),), countries=china)
    assert groups([july, august]) == [["august"], ["july"]]
    assert groups([july, blogs]) == [["blogs"], ["july"]]  # nothing shared: not enough
    assert groups([july, announced]) == [["announced", "july"]]


@pytest.mark.parametrize("countries", [(("UA", "origin"),), (("UA", "target"),)])
def test_events_same_month_other_country_stays_separate(countries: tuple) -> None:
    brazil = rec("brazil", countries=(("BR", "origin"),), period="July 2020")
    other = rec("ukraine", countries=countries, period="July 2020")
    assert groups([brazil, other]) == [["brazil"], ["ukraine"]]


def test_events_operator_overlap_stands_for_country() -> None:
    a = rec("a", countries=(("IL", "origin"),), operator="STOIC")
    b = rec("b", countries=(("US", "target"),), operator="a Tel Aviv firm called STOIC")
    c = rec("c", countries=(("CA", "target"),))
    assert groups([a, b, c]) == [["a", "b"], ["c"]]


@pytest.mark.parametrize(
    ("published", "joins"),
    [("2024-05-29", True), ("2024-06-10", True), ("2024-07-20", False)],
)
def test_events_quarter_and_a_later_undated_article(published: str, joins: bool) -> None:
    quarter = rec("quarter", period="Q1 2024", published="2024-05-29")
    undated = rec("undated", period=None, published=published)
    assert (len(groups([quarter, undated])) == 1) is joins


@pytest.mark.parametrize(("a", "b", "joins"), [("2020-04-02", "2020-04-20", True),
                                               ("2020-04-02", "2020-05-20", False)])  # fmt: skip
def test_events_articles_without_period_join_within_weeks(a: str, b: str, joins: bool) -> None:
    records = [rec("a", period=None, published=a), rec("b", period=None, published=b)]
    assert (len(groups(records)) == 1) is joins


def test_events_record_without_country_joins_only_on_a_figure() -> None:
    known = rec("known")
    agrees = rec("agrees", countries=())
    vague = rec("vague", countries=(), targets=(("account", "Facebook", None),))
    assert groups([known, agrees, vague]) == [["agrees", "known"], ["vague"]]


def test_events_no_chaining_through_a_vague_record() -> None:
    # the bridge agrees with both, but the two ends name different countries
    bd = rec("bd", countries=(("BD", "origin"),))
    bridge = rec("bridge", countries=())
    india = rec("india", countries=(("IN", "origin"),))
    found = groups([bd, bridge, india])
    assert len(found) == 2
    assert ["india"] in found or ["bd"] in found


def test_events_records_of_one_page_never_join() -> None:
    records = [rec("a", page="one-page"), rec("b", page="one-page")]
    assert groups(records) == [["a"], ["b"]]


def test_events_unmatched_record_is_a_single_source_event() -> None:
    events, _ = group_records([rec("lonely")])
    (event,) = events
    assert event.record_ids == ["lonely"]
    assert event.urls == ["https://news.example/lonely"]
    assert event.first_published == event.last_published


def test_events_sources_dates_and_primary_sources_collected() -> None:
    report = "https://about.fb.com/news/2024/05/metas-adversarial-threat-report-first-quarter-2024/"
    records = [
        rec("a", published="2024-05-29", primary=(report,)),
        rec("b", published="2024-06-02", primary=(report,)),
        rec("c", published="2024-05-30"),
    ]
    event = one_event(records)
    assert event.urls == [f"https://news.example/{x}" for x in "abc"]
    assert (str(event.first_published), str(event.last_published)) == ("2024-05-29", "2024-06-02")
    assert [p.url for p in event.primary_sources] == [report]


@pytest.mark.parametrize(
    ("actions", "conflict"),
    [(("removed", "suspended"), False), (("removed", "blocked"), True)],
)
def test_events_action_conflict_only_across_classes(
    actions: tuple[str, str], conflict: bool
) -> None:
    records = [rec(f"r{i}", action=a) for i, a in enumerate(actions)]
    event = one_event(records)
    assert any(c.field == "action" for c in event.conflicts) is conflict


def test_events_period_conflict_when_periods_do_not_overlap() -> None:
    records = [rec("a", period="Q1 2024"), rec("b", period="Q1 2024"), rec("c", period="May 2024")]
    event = one_event(records)
    assert event.period == "Q1 2024"
    (conflict,) = [c for c in event.conflicts if c.field == "period"]
    assert [(v.value, v.record_ids) for v in conflict.values] == [
        ("Q1 2024", ["a", "b"]),
        ("May 2024", ["c"]),
    ]


# --------------------------------------------------------------------------- stability


def _corpus() -> list[TakedownRecord]:
    bench = load_bench()
    records, _ = bench.synthetic_records(400, seed=3)
    return records


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_events_ids_do_not_depend_on_input_order(seed: int) -> None:
    records = _corpus()
    shuffled = records[:]
    random.Random(seed).shuffle(shuffled)
    a, _ = group_records(records)
    b, _ = group_records(shuffled)
    assert [e.model_dump() for e in a] == [e.model_dump() for e in b]
    assert len({e.event_id for e in a}) == len(a)


def test_events_same_with_two_jobs() -> None:
    records = _corpus()
    a, stats_a = group_records(records, jobs=1)
    b, stats_b = group_records(records, jobs=2)
    assert [e.model_dump() for e in a] == [e.model_dump() for e in b]
    assert stats_a.comparisons == stats_b.comparisons


def test_events_duplicate_record_lines_read_once() -> None:
    records = [rec("a"), rec("a"), rec("b")]
    events, stats = group_records(records)
    assert stats.duplicates == 1
    assert [e.record_ids for e in events] == [["a", "b"]]


def load_bench() -> ModuleType:
    """-> scripts/bench_events.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "bench_events", REPO / "scripts" / "bench_events.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("small", "large"), [(1_000, 8_000)])
def test_events_comparisons_grow_close_to_linearly(small: int, large: int) -> None:
    bench = load_bench()
    counts = []
    for n in (small, large):
        records, _ = bench.synthetic_records(n, seed=5)
        _, stats = group_records(records[:n])
        counts.append(stats.comparisons)
    growth = counts[1] / counts[0]
    # linear would be 8; comparing every pair would be 64
    assert growth < 1.5 * large / small, counts


# --------------------------------------------------------------------------- command line


def test_cli_events_writes_events_and_is_order_independent(tmp_path: Path) -> None:
    records = _corpus()
    forward, backward = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    forward.write_text("".join(r.model_dump_json() + "\n" for r in records))
    backward.write_text("".join(r.model_dump_json() + "\n" for r in reversed(records)))
    outs = []
    for src, jobs in ((forward, "1"), (backward, "2")):
        out = tmp_path / f"events-{jobs}.jsonl"
        result = CliRunner().invoke(main, ["events", str(src), "-o", str(out), "--jobs", jobs])
        assert result.exit_code == 0, result.output
        outs.append(out.read_text())
        assert not list(tmp_path.glob("*.partial"))
    assert outs[0] == outs[1]
    lines = [Event.model_validate_json(x) for x in outs[0].splitlines()]
    assert sum(len(e.record_ids) for e in lines) == len(records)


def test_cli_events_bad_line_reported_rest_grouped(tmp_path: Path) -> None:
    src = tmp_path / "records.jsonl"
    src.write_text(rec("a").model_dump_json() + "\n{not json\n" + rec("b").model_dump_json() + "\n")
    out = tmp_path / "events.jsonl"
    result = CliRunner().invoke(main, ["events", str(src), str(tmp_path / "missing.jsonl"),
                                       "-o", str(out)])  # fmt: skip
    assert result.exit_code == 1
    assert f"error: {src}:2: not a record line" in result.stderr
    assert "missing.jsonl:0: cannot be read" in result.stderr
    (line,) = out.read_text().splitlines()
    assert json.loads(line)["record_ids"] == ["a", "b"]


def test_cli_schema_event() -> None:
    result = CliRunner().invoke(main, ["schema", "--what", "event"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert {"event_id", "targets", "conflicts", "primary_sources", "record_ids"} <= set(
        schema["properties"]
    )


def test_cli_events_does_not_load_the_nlp_stack(tmp_path: Path) -> None:
    import subprocess
    import sys

    src = tmp_path / "records.jsonl"
    src.write_text(rec("a").model_dump_json() + "\n")
    code = (
        "import sys; from pipeline.cli import main\n"
        f"try:\n    main(['events', {str(src)!r}, '-o', {str(tmp_path / 'e.jsonl')!r}, '-q'])\n"
        "except SystemExit as exit:\n    assert exit.code == 0, exit.code\n"
        "print('HEAVY', [m for m in ('spacy', 'trafilatura', 'bs4') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout
