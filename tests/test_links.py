"""Tests of pipeline/links.py through the clean stage: the links of the article body."""

import pytest

from models.article import Article
from models.page import Page
from pipeline.clean import clean_html
from pipeline.links import LINKS_MAX_ANCHORS, LINKS_MAX_FRAGMENT_CHARS

URL = "https://news.example.org/tech/2024/05/meta-network/"
REPORT = "https://about.fb.com/news/2024/05/metas-adversarial-threat-report-first-quarter-2024/"

BODY = f"""
<p>Meta said it had removed 50 Facebook accounts and 98 Pages run from Bangladesh, according
to its <a href="{REPORT}">quarterly adversarial threat report</a> published on Wednesday.</p>
<p>The company said the network posed as news outlets. Researchers at the
<a href="/tags/dfrlab">Digital Forensic Research Lab</a> had flagged some of the Pages, and
<a href="https://example.com/one">one group</a> said that
<a href="https://example.com/two">one group</a> was not enough.</p>
<ul><li>The network spent about $60 on ads, <a href="../ads-library">the ad library shows</a>.</li></ul>
<p>Officials in Dhaka did not respond to a request for comment on the removal, which came
months before the next round of local elections in the country.</p>
<p>Skip these: <a href="javascript:void(0)">share</a>, <a href="mailto:desk@example.org">email
the desk</a>, <a href="#top">back to the top</a> and <a href="http://[::1">a broken link</a>.</p>
"""


def page(body: str, *, url: str | None = URL) -> str:
    """article body -> a news page with a menu, a tag list, a related box and a footer."""
    return f"""<!DOCTYPE html><html lang="en"><head><title>Meta removes network</title>
<meta property="og:title" content="Meta removes network"></head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/tech">Technology</a></li>
<li><a href="https://transparency.meta.com/">Meta</a></li></ul></nav></header>
<main><article><h1>Meta removes network</h1><div class="entry-content">{body}</div>
<div class="tags"><a href="/tag/meta">Meta</a> <a href="/tag/bangladesh">Bangladesh</a></div>
</article>
<aside><h3>Related</h3><ul><li><a href="/old-story">Facebook removes 453 accounts run from
Pakistan in its August report</a></li></ul></aside></main>
<footer><p>Copyright News Example. <a href="/privacy">Privacy</a></p></footer>
</body></html>"""


def clean(html: str, *, url: str | None = URL) -> Article:
    return clean_html(
        html, page=Page(input="t.html", body=html.encode(), url=url), encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("href", "text"),
    [
        (REPORT, "quarterly adversarial threat report"),
        ("https://news.example.org/tags/dfrlab", "Digital Forensic Research Lab"),
        ("https://news.example.org/tech/2024/05/ads-library", "the ad library shows"),
    ],
)
def test_links_body_link_kept_with_absolute_href_and_offsets(href: str, text: str) -> None:
    article = clean(page(BODY))
    (link,) = [lk for lk in article.links if lk.href == href]
    assert link.text == text
    assert link.start is not None and link.end is not None
    assert article.text[link.start : link.end] == text


@pytest.mark.parametrize(
    "href",
    [
        "https://news.example.org/",
        "https://news.example.org/tech",
        "https://transparency.meta.com/",
        "https://news.example.org/tag/meta",
        "https://news.example.org/old-story",
        "https://news.example.org/privacy",
    ],
    ids=["menu", "menu-section", "menu-external", "tag-list", "related-box", "footer"],
)
def test_links_boilerplate_links_dropped(href: str) -> None:
    assert href not in {lk.href for lk in clean(page(BODY)).links}


@pytest.mark.parametrize("text", ["share", "email the desk", "back to the top", "a broken link"])
def test_links_non_document_links_dropped(text: str) -> None:
    article = clean(page(BODY))
    assert text not in {lk.text for lk in article.links}
    assert len(article.links) == 5  # the other links of the page survive the bad ones


@pytest.mark.parametrize("anchor", ["one group"])
def test_links_repeated_anchor_text_gets_each_its_own_offsets(anchor: str) -> None:
    article = clean(page(BODY))
    links = [lk for lk in article.links if lk.text == anchor]
    assert [lk.href for lk in links] == ["https://example.com/one", "https://example.com/two"]
    assert links[0].start is not None and links[1].start is not None
    assert links[0].start < links[1].start
    assert all(article.text[lk.start : lk.end] == anchor for lk in links)  # type: ignore[misc]


@pytest.mark.parametrize("href", ["/tags/dfrlab"])
def test_links_relative_href_kept_as_written_without_page_url(href: str) -> None:
    article = clean(page(BODY), url=None)
    assert href in {lk.href for lk in article.links}


@pytest.mark.parametrize(
    "body",
    [
        "<p>Nothing links here: the regulator blocked 212 websites on Tuesday after a review of "
        "complaints that lasted several months, officials said in a statement.</p>" * 3
    ],
)
def test_links_page_without_body_links_has_none(body: str) -> None:
    article = clean(page(body))
    assert article.links == []
    assert "212 websites" in article.text


@pytest.mark.parametrize(
    "paragraph",
    [
        '<p>Officials said <a href="https://gov.example.org/notice">the notice</a> listed every '
        "site the regulator had blocked during the week, with the reason for each block.</p>"
    ],
)
def test_links_fragment_over_the_bound_is_skipped_but_page_cleaned(paragraph: str) -> None:
    body = paragraph * (2 * LINKS_MAX_FRAGMENT_CHARS // len(paragraph))
    article = clean(page(body))
    assert article.links == []
    assert "the notice listed every site" in article.text


@pytest.mark.parametrize(
    "paragraph",
    ['<p>Word <a href="https://example.org/x">w</a> and more words follow here.</p>'],
)
def test_links_page_with_too_many_anchors_is_skipped_but_page_cleaned(paragraph: str) -> None:
    body = paragraph * (LINKS_MAX_ANCHORS + 10)
    article = clean(page(body))
    assert article.links == []
    assert "more words follow here" in article.text
