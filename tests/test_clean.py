"""Tests of pipeline/clean.py (HTML -> Article) and of the aeb-dev score in scripts/aeb_score.py."""

import functools
import hashlib
import importlib.util
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType

import pytest

from models.article import Article
from models.page import Page
from pipeline.clean import clean_html
from pipeline.errors import CleanError

REPO = Path(__file__).resolve().parent.parent

BODY = [
    "The telecom regulator said on Tuesday that it had told internet providers to block "
    "212 gambling websites after a review of complaints that lasted several months.",
    "Officials told reporters that the list of blocked domains would appear in the official "
    "gazette, and that operators ignoring the order could be fined.",
    "Rights groups said site owners had no chance to appeal before the blocks took effect, "
    "and asked the agency to publish the criteria it had used.",
    "A spokesperson for the agency said a second batch of sites was under review and that "
    "more orders could follow before the end of the year.",
]
SIDEBAR = "Platform removes 900 fake accounts in sweep"
FOOTER = "Copyright 2021 Example Herald, all rights reserved"
NAV = "Technology"
TITLE = "Regulator blocks 212 gambling sites"

HEAD = f"""<title>{TITLE} | Example Herald</title>
<meta property="og:title" content="{TITLE}">
<meta property="og:site_name" content="Example Herald">
<meta name="author" content="Dana Reyes">
<meta property="article:published_time" content="2021-03-09T08:15:00+00:00">
<link rel="canonical" href="https://herald.example.com/news/regulator-blocks-sites">"""


def news_page(content: str, *, lang: str = "en-GB", wrapper: str = "entry-content") -> str:
    """article body HTML -> a whole news page with nav, sidebar and footer around it."""
    return f"""<!DOCTYPE html><html lang="{lang}"><head>{HEAD}</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/tech">{NAV}</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<div class="wrap"><main><article>
<div class="byline">By Dana Reyes</div>
<div class="{wrapper}">{content}</div></article></main>
<aside class="sidebar"><h3>Most read</h3><ul><li><a href="/a">{SIDEBAR}</a></li>
<li><a href="/b">Court orders a ban on a messaging app</a></li></ul></aside></div>
<footer><p>{FOOTER}.</p><a href="/privacy">Privacy policy</a></footer>
</body></html>"""


def paragraphs(texts: list[str]) -> str:
    """paragraph texts -> <p> elements."""
    return "".join(f"<p>{t}</p>" for t in texts)


def clean(
    html: str,
    *,
    url: str | None = None,
    path: str | None = None,
    fetched_at: datetime | None = None,
) -> Article:
    """HTML -> Article, through a Page holding its UTF-8 bytes."""
    body = html.encode("utf-8")
    page = Page(input="test.html", body=body, url=url, path=path, fetched_at=fetched_at)
    return clean_html(html, page=page, encoding="utf-8")


@functools.cache
def load_aeb_score() -> ModuleType:
    """-> scripts/aeb_score.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("aeb_score", REPO / "scripts" / "aeb_score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("paragraph", BODY)
def test_clean_keeps_main_text(paragraph: str) -> None:
    article = clean(news_page(paragraphs(BODY)))
    assert paragraph in article.text.split("\n")
    assert article.method == "trafilatura"


@pytest.mark.parametrize("boilerplate", [NAV, SIDEBAR, FOOTER, "Privacy policy", "By Dana Reyes"])
def test_clean_drops_navigation_sidebar_footer(boilerplate: str) -> None:
    assert boilerplate not in clean(news_page(paragraphs(BODY))).text


@pytest.mark.parametrize("body", [BODY])
def test_clean_keeps_paragraph_breaks(body: list[str]) -> None:
    assert clean(news_page(paragraphs(body))).text == "\n".join(body)


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("title", TITLE),
        ("published", date(2021, 3, 9)),
        ("author", "Dana Reyes"),
        ("site", "Example Herald"),
        ("url", "https://herald.example.com/news/regulator-blocks-sites"),
    ],
)
def test_clean_parses_metadata(field: str, expected: object) -> None:
    source = clean(news_page(paragraphs(BODY))).source
    assert getattr(source, field) == expected


# Pages whose metadata comes from different places: meta tags, JSON-LD, a byline in the
# body, the URL alone, nothing at all; and every fixture page.
METADATA_PAGES = [
    news_page(paragraphs(BODY)),
    "<html><head><title>Agency blocks SIM cards</title>"
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Agency blocks '
    'SIM cards", "datePublished": "2022-07-14", "author": {"@type": "Person", "name": "Ola '
    'Bankole"}, "publisher": {"@type": "Organization", "name": "Lagos Ledger"}}</script>'
    f"</head><body><article>{paragraphs(BODY)}</article></body></html>",
    "<html><head><title>x</title></head><body><article><p class='byline'>By Mira Sandoval</p>"
    f"{paragraphs(BODY)}</article></body></html>",
    f"<html><body>{paragraphs(BODY)}</body></html>",
    "<html><head><meta name='twitter:site' content='@herald'></head><body><p>Short.</p></body>"
    "</html>",
] + [p.read_text(encoding="utf-8") for p in sorted((REPO / "fixtures").glob("**/*.html"))]


@pytest.mark.parametrize("html", METADATA_PAGES)
@pytest.mark.parametrize("url", [None, "https://news.example.net/2022/07/agency-blocks"])
def test_metadata_pass_equals_trafilatura_on_fields_kept(html: str, url: str | None) -> None:
    """The clean stage runs trafilatura's metadata steps itself, without categories, tags and
    licence; on every field a Source keeps it must give what extract_metadata gives."""
    from lxml.html import document_fromstring
    from trafilatura.metadata import extract_metadata

    from pipeline.clean import _metadata

    tree = document_fromstring(html)
    ours = _metadata(tree, url)
    theirs = extract_metadata(
        document_fromstring(html),
        default_url=url,
        date_config={"extensive_search": False, "original_date": True},
    )
    for field in ("title", "author", "url", "hostname", "sitename", "date"):
        assert getattr(ours, field) == getattr(theirs, field), field


@pytest.mark.parametrize("url", ["https://mirror.example.org/saved/page-1"])
def test_clean_prefers_page_url_and_carries_provenance(url: str) -> None:
    html = news_page(paragraphs(BODY))
    fetched = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    article = clean(html, url=url, path="/data/page-1.html", fetched_at=fetched)
    assert article.source.url == url
    assert article.source.path == "/data/page-1.html"
    assert article.source.fetched_at == fetched
    assert article.source.sha256 == hashlib.sha256(html.encode("utf-8")).hexdigest()
    assert article.encoding == "utf-8"


@pytest.mark.parametrize("heading", [f"<h1>{TITLE}</h1>", f"<h2>{TITLE}</h2>"])
def test_clean_drops_title_copy_at_text_start(heading: str) -> None:
    text = clean(news_page(heading + paragraphs(BODY))).text
    assert text.split("\n")[0] == BODY[0]


@pytest.mark.parametrize(
    "line",
    [
        f"Read more: {SIDEBAR}",
        "Related: Court orders a ban on a messaging app",
        "Follow us on Twitter for the latest updates.",
        "Get the day's top stories delivered to your inbox.",
        "12 Comments",
    ],
)
def test_clean_prunes_boilerplate_lines(line: str) -> None:
    text = clean(news_page(paragraphs([*BODY, line]))).text
    assert line not in text
    assert BODY[-1] in text


@pytest.mark.parametrize(
    "sentence",
    ["You can sign up for the agency's consultation until the end of April, officials said."],
)
def test_clean_keeps_article_sentences_like_prompts(sentence: str) -> None:
    assert sentence in clean(news_page(paragraphs([*BODY, sentence]))).text


# more body for the split-body test: trafilatura only drops the second part when the first
# is long enough for it to stop looking (its readability/justext comparison sees the rest)
MORE_BODY = [
    "The order covers betting, lottery and casino sites that take players from the country "
    "without a local licence, according to the regulator's notice.",
    "Providers must answer requests for the blocked addresses with a notice page naming the "
    "law under which each block was issued.",
    "Several of the operators moved to new domain names within hours, said a researcher who "
    "follows the lists the agency publishes.",
    "The agency said it would add mirror domains to the list as they appeared and that it "
    "was talking to app stores about removing related apps.",
    "Consumer groups welcomed the move but said the agency should also act against payment "
    "firms that handle deposits for unlicensed sites.",
    "The regulator added that providers had two weeks to comply with the order, after which "
    "it would check a sample of the blocked addresses from several networks.",
]


# trafilatura keeps only the first element whose class names an article body, so a body
# split by an ad row loses its second half unless the clean stage joins the parts
@pytest.mark.parametrize("split_class", ["article-body", "article__body grid-layout__content"])
def test_clean_joins_body_split_over_same_class_containers(split_class: str) -> None:
    first, second = BODY + MORE_BODY[:3], MORE_BODY[3:]
    content = (
        f'<div class="{split_class}">{paragraphs(first)}</div>'
        '<div class="ad-row"><span>Advertisement</span></div>'
        f'<div class="{split_class}">{paragraphs(second)}</div>'
    )
    text = clean(news_page(content, wrapper="layout")).text
    assert [p for p in first + second if p not in text] == []


# trafilatura drops a container it takes for reader comments, so a page whose only text
# sits in one leaves it nothing (or only navigation words): the tag fallbacks must find it
FALLBACK_TEXT = "The ministry suspended 40,000 SIM cards registered with forged identity papers."


@pytest.mark.parametrize(
    ("html", "method"),
    [
        (
            f'<html><body><nav><a href="/">Home page</a></nav><main><div id="comments">'
            f"<p>{FALLBACK_TEXT}</p></div></main></body></html>",
            "article-tag",
        ),
        (
            f'<html><body><article><div id="comments"><p>{FALLBACK_TEXT}</p></div></article>'
            "</body></html>",
            "article-tag",
        ),
        (
            f'<html><body><div id="comments"><p>{FALLBACK_TEXT}</p></div>'
            "<footer>Footer words</footer><script>var words = 1;</script></body></html>",
            "body-text",
        ),
    ],
)
def test_clean_falls_back_when_trafilatura_finds_nothing(html: str, method: str) -> None:
    article = clean(html)
    assert article.method == method
    assert article.text == FALLBACK_TEXT


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en-GB", "en"), ("PT-br", "pt"), ("de", "de"), ("", None), ("not a tag", None)],
)
def test_clean_language_from_html_lang(lang: str, expected: str | None) -> None:
    assert clean(news_page(paragraphs(BODY), lang=lang)).language == expected


@pytest.mark.parametrize(
    "html",
    [
        "<html><body>" + "<div>" * 4_000_000 + "text at the bottom" + "</div>" * 10,
        "<html><body><p>Words before the nesting.</p>" + "<div><b>" * 2_500_000 + "</body>",
    ],
    ids=["nested-divs-20MB", "text-then-nested-20MB"],
)
def test_clean_survives_twenty_megabytes_of_nested_tags(html: str) -> None:
    assert len(html) >= 20_000_000
    # millions of elements: the element budget stops them before a tree is built
    with pytest.raises(CleanError) as err:
        clean(html)
    assert err.value.code == "clean.too_complex"


@pytest.mark.parametrize(
    "html",
    [
        "",
        "  \n\t ",
        "<html></html>",
        "<html><head><script>var words = 'not article text';</script></head><body></body></html>",
        "<html><body><script>document.write('still not text');</script></body></html>",
    ],
    ids=["empty", "whitespace", "bare-html", "script-in-head", "script-in-body"],
)
def test_clean_rejects_page_without_text(html: str) -> None:
    with pytest.raises(CleanError) as info:
        clean(html)
    assert info.value.code == "clean.no_text"
    assert info.value.input == "test.html"


# --- scripts/aeb_score.py ------------------------------------------------------------------
#
# Worked by hand (shingles are runs of 4 \w+ tokens, counted as a multiset):
#   p1 truth "a b c d e" -> {abcd, bcde}; pred "a b c d x" -> {abcd, bcdx}
#      TP 1, FP 1, FN 1 -> normalized 1/3 each -> precision 1/2, recall 1/2
#   p2 truth "one two three four" -> {one-two-three-four}
#      pred "one two three four five six" -> {one.., two.., three..}: TP 1, FP 2, FN 0
#      -> precision 1/3, recall 1
#   means: precision (1/2 + 1/3) / 2 = 5/12, recall (1/2 + 1) / 2 = 3/4
#   F1 = 2 * 5/12 * 3/4 / (5/12 + 3/4) = (5/8) / (14/12) = 15/28
SCORE_PRED = {"p1": "a b c d x", "p2": "one two three four five six"}
SCORE_TRUTH = {"p1": "a b c d e", "p2": "one two three four"}


@pytest.mark.parametrize(
    ("key", "expected"),
    [("precision", 5 / 12), ("recall", 3 / 4), ("f1", 15 / 28), ("pages", 2)],
)
def test_aeb_score_matches_hand_count(key: str, expected: float) -> None:
    result = load_aeb_score().score(SCORE_PRED, SCORE_TRUTH)
    assert result[key] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("pred", "truth", "precision", "recall"),
    [
        ("", "", 1.0, 1.0),  # FP = FN = 0 scores 1
        ("", "some true words here", 0.0, 0.0),  # TP = FP = 0 scores 0
        ("hi there", "hi there", 1.0, 1.0),  # under 4 tokens: one shingle of what it has
        ("A b c d", "a b c d", 0.0, 0.0),  # case is kept
        # truth "a b c d a b c d" -> abcd x2, bcda, cdab, dabc; pred "a b c d" -> abcd x1:
        # TP 1, FP 0, FN 4 -> precision 1, recall 1/5 (a multiset, not a set)
        ("a b c d", "a b c d a b c d", 1.0, 0.2),
        ("café, naïve façade; über", "café naïve façade über", 1.0, 1.0),  # Unicode \w+
    ],
)
def test_aeb_score_edge_cases(pred: str, truth: str, precision: float, recall: float) -> None:
    result = load_aeb_score().score({"x": pred}, {"x": truth})
    assert (result["precision"], result["recall"]) == pytest.approx((precision, recall))


@pytest.mark.parametrize("truth", [{"p1": "a b c d e"}])
def test_aeb_score_missing_prediction_counts_as_empty(truth: dict[str, str]) -> None:
    result = load_aeb_score().score({}, truth)
    assert (result["precision"], result["recall"], result["f1"]) == (0.0, 0.0, 0.0)
