"""Tests of pipeline/primary.py and pipeline/actors.py: disclosures linked from articles."""

import hashlib
import json

import pytest

from models.article import Link, Source
from models.page import Page
from models.record import Actor, TakedownRecord
from pipeline.actors import PATTERNS_DIR, actor_group
from pipeline.primary import attach_primary_sources, load_patterns, match_primary
from pipeline.run import process_page

META = "https://about.fb.com/news/2024/05/metas-adversarial-threat-report-first-quarter-2024/"
TWITTER = "https://transparency.twitter.com/en/reports/information-operations.html"
PTA = "https://www.pta.gov.pk/en/media-center/single-media/pta-blocks-urls-2020"


@pytest.mark.parametrize(
    ("href", "publisher", "kind"),
    [
        (META, "Meta", "platform"),
        ("https://transparency.meta.com/metasecurity/threat-reporting", "Meta Transparency Center", "platform"),
        ("https://transparency.fb.com/en-gb/metasecurity/threat-reporting/", "Meta Transparency Center", "platform"),
        ("https://blog.google/threat-analysis-group/tag-bulletin-q3-2020/", "Google TAG", "platform"),
        (TWITTER, "Twitter Transparency Center", "platform"),
        ("https://blog.x.com/en_us/topics/company/2021/disclosing-networks", "X", "platform"),
        ("https://www.tiktok.com/transparency/en-us/covert-influence-operations/", "TikTok Transparency Center", "platform"),
        ("https://blogs.microsoft.com/on-the-issues/2019/03/27/new-steps-to-protect-customers/", "Microsoft On the Issues", "platform"),
        ("https://openai.com/global-affairs/disrupting-deceptive-uses-of-ai/", "OpenAI", "platform"),
        (PTA, "PTA", "regulator"),
        ("http://btrc.gov.bd/site/notices/some-notice", "BTRC", "regulator"),
        ("https://pib.gov.in/PressReleasePage.aspx?PRID=1", "Press Information Bureau", "government"),
        ("https://rkn.gov.ru/news/rsoc/news74001.htm", "Roskomnadzor", "regulator"),
        ("https://main.sci.gov.in/judgment/2020.pdf", "Supreme Court of India", "court"),
    ],
)  # fmt: skip
def test_primary_disclosure_links_match(href: str, publisher: str, kind: str) -> None:
    pattern = match_primary(href)
    assert pattern is not None
    assert (pattern.publisher, pattern.kind) == (publisher, kind)


@pytest.mark.parametrize(
    "href",
    [
        "https://about.fb.com/company-info/",  # Meta's site, not its newsroom
        "https://blog.google/products/search/new-feature/",  # Google's blog, not TAG
        "https://www.tiktok.com/@someone/video/1",
        "https://about.fb.com.example.net/news/fake",  # look-alike host
        "https://notpta.gov.pk/news",
        "mailto:press@pta.gov.pk",
        "/news/2024/05/relative-link/",
        "https://www.facebook.com/haqooqmonitor",
    ],
)
def test_primary_other_links_do_not_match(href: str) -> None:
    assert match_primary(href) is None


def test_primary_pattern_file_lines_all_valid() -> None:
    patterns = load_patterns()
    lines = [ln for ln in (PATTERNS_DIR / "primary_sources.jsonl").read_text().splitlines() if ln]
    assert len(patterns) == len(lines)
    for p in patterns:
        # every publishing actor is an actor group, so events and records can be told apart
        assert p.actor is None or actor_group(p.actor) == p.actor, p


@pytest.mark.parametrize(
    ("name", "group"),
    [("Facebook", "Meta"), ("FB", "Meta"), ("Instagram", "Meta"), ("Twitter", "X"),
     ("X Corp.", "X"), ("Youtube", "Google"), ("the PTA", "PTA"), ("Telenor", "Telenor")],
)  # fmt: skip
def test_actors_group_names(name: str, group: str) -> None:
    assert actor_group(name) == group


def test_actors_group_file_has_no_name_twice() -> None:
    rows = [json.loads(ln) for ln in (PATTERNS_DIR / "actor_groups.jsonl").read_text().splitlines()]
    names = [n.casefold() for row in rows for n in row["names"]]
    assert len(names) == len(set(names))


def record(rid: str, actor: str | None) -> TakedownRecord:
    return TakedownRecord(
        record_id=rid,
        source=Source(sha256=hashlib.sha256(rid.encode()).hexdigest()),
        actor=Actor(name=actor, kind="platform") if actor else None,
        action="removed",
        targets=[],
        evidence=[],
    )


LINKS = [
    Link(href=META, text="its quarterly report", start=10, end=30),
    Link(href=META, text="the same report", start=50, end=65),
    Link(href=TWITTER, text="Twitter's archive", start=70, end=87),
    Link(href=PTA, text="the regulator's notice", start=90, end=112),
    Link(href="https://example.org/analysis", text="an analysis", start=120, end=131),
]


@pytest.mark.parametrize(
    ("actor", "urls", "first_text"),
    [
        ("Facebook", [META, PTA], "its quarterly report"),  # Meta's newsroom, not Twitter's
        ("X", [TWITTER, PTA], "Twitter's archive"),
        # no platform publisher: every disclosure, the first anchor of each
        ("the ministry", [META, TWITTER, PTA], "its quarterly report"),
        (None, [META, TWITTER, PTA], "its quarterly report"),
    ],
)
def test_primary_sources_attached_by_publisher(
    actor: str | None, urls: list[str], first_text: str
) -> None:
    (got,), _ = attach_primary_sources([record("r", actor)], LINKS)
    assert [p.url for p in got.primary_sources] == urls
    assert got.primary_sources[0].text == first_text


def test_primary_links_marked_with_their_kind() -> None:
    _, links = attach_primary_sources([], LINKS)
    assert [lk.primary for lk in links] == ["platform", "platform", "platform", "regulator", None]


PAGE = f"""<!DOCTYPE html><html lang="en"><head><title>Meta removes Bangladesh network</title>
<meta property="article:published_time" content="2024-05-30T09:00:00+00:00"></head><body>
<nav><a href="/">Home</a> <a href="https://about.fb.com/news/">Meta newsroom</a></nav>
<article><h1>Meta removes Bangladesh network</h1>
<p>Meta said it had removed 50 Facebook accounts and 98 Pages run from Bangladesh for
coordinated inauthentic behaviour, according to its
<a href="{META}">adversarial threat report for the first quarter of 2024</a>.</p>
<p>The Pages posed as news outlets and praised the ruling party, the company said, and some
of them carried the name of the opposition while attacking it.</p>
<p>Researchers said the network had targeted voters in the months before the January
election, and that most of its posts were in Bengali.</p></article>
<footer><a href="https://www.pta.gov.pk/">a footer link</a></footer></body></html>"""


def test_primary_sources_end_to_end_on_a_page(extractor) -> None:  # type: ignore[no-untyped-def]
    page = Page(input="p.html", body=PAGE.encode(), url="https://news.example/bd-network")
    outcome = process_page(page, extractor=extractor)
    assert outcome.article is not None and outcome.records
    for r in outcome.records:
        assert [(p.url, p.publisher) for p in r.primary_sources] == [(META, "Meta")]
        assert (
            r.primary_sources[0].text == "adversarial threat report for the first quarter of 2024"
        )
    (link,) = outcome.article.links  # menu and footer links are not article links
    assert (link.href, link.primary) == (META, "platform")
    assert outcome.article.text[link.start : link.end] == link.text
