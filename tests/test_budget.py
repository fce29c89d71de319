"""Per-page budgets: a page over one ends as an error line with its stage's code."""

import pytest

from models.article import Article, Source
from models.page import Page
from pipeline.budget import (
    MAX_CLAIMS_PER_SENTENCE,
    MAX_TREE_DEPTH,
    MAX_TREE_ELEMENTS,
    Budget,
)
from pipeline.extract import Extractor
from pipeline.run import process_page

SENTENCE = "Facebook said it removed 41 accounts and 12 Pages run from Georgia."


def _page(body: str) -> Page:
    return Page(input="hostile.html", body=body.encode("utf-8"))


def _article(text: str) -> Article:
    return Article(
        source=Source(sha256="0" * 64), text=text, method="trafilatura", encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        # one element past the budget, in the cheapest shape there is
        (
            "<html><body><article>" + "<p>x</p>" * MAX_TREE_ELEMENTS + "</article></body></html>",
            "clean.too_complex",
        ),  # fmt: skip
        # the page: a million paragraphs (8 MB); no tree is built for it
        (
            "<html><body><article>" + "<p>x</p>" * 1_000_000 + "</article></body></html>",
            "clean.too_complex",
        ),  # fmt: skip
        (
            "<html><body>" + "<div>" * (MAX_TREE_DEPTH + 10) + f"<p>{SENTENCE}</p></body></html>",
            "clean.too_deep",
        ),  # fmt: skip
    ],
    ids=["elements", "million-paragraphs", "depth"],
)
def test_budget_tree_over_budget_is_a_clean_error(extractor, body: str, code: str) -> None:
    outcome = process_page(_page(body), extractor=extractor)
    assert outcome.error is not None and outcome.error.code == code
    assert outcome.error.stage == "clean"
    assert outcome.records == []


@pytest.mark.parametrize("count", [MAX_TREE_ELEMENTS - 50])
def test_budget_tree_within_budget_is_read(extractor, count: int) -> None:
    paragraphs = "<p>x</p>" * count
    body = f"<html><body><article><p>{SENTENCE}</p>{paragraphs}</article></body></html>"
    outcome = process_page(_page(body), extractor=extractor)
    assert outcome.error is None, outcome.error
    assert SENTENCE in outcome.article.text


@pytest.mark.parametrize("numbers", [10_000, MAX_CLAIMS_PER_SENTENCE + 1])
def test_budget_numbers_in_one_sentence_are_an_extract_error(extractor, numbers: int) -> None:
    # The page: a takedown sentence trailing thousands of bare figures.
    figures = ", ".join(str(3 + 7 * i) for i in range(numbers))
    text = f"Facebook removed 120 accounts and the figures were {figures}."
    with pytest.raises(Exception) as info:
        extractor.extract(_article(text))
    assert getattr(info.value, "code", None) == "extract.too_many_claims"


@pytest.mark.parametrize(
    ("budget", "text", "code"),
    [
        (
            Budget(claims_per_article=3),
            " ".join(["Facebook removed 41 accounts."] * 4),
            "extract.too_many_claims",
        ),  # fmt: skip
        (
            Budget(records_per_article=1),
            "Facebook removed 41 accounts run from Georgia. Twitter suspended 12 accounts based "
            "in Iran.",
            "extract.too_many_records",
        ),  # fmt: skip
    ],
    ids=["claims-per-article", "records-per-article"],
)
def test_budget_article_over_budget_is_an_extract_error(
    extractor, budget: Budget, text: str, code: str
) -> None:
    small = Extractor(extractor.analyzer, budget=budget)
    with pytest.raises(Exception) as info:
        small.extract(_article(text))
    assert getattr(info.value, "code", None) == code
    assert len(extractor.extract(_article(text)).claims) >= 2  # the default budget reads it


@pytest.mark.parametrize("budget", [Budget(claims_per_sentence=2)])
def test_budget_is_an_error_line_through_process_page(extractor, budget: Budget) -> None:
    small = Extractor(extractor.analyzer, budget=budget)
    body = (
        f"<html><body><article><p>{SENTENCE} It had 3, 4 and 5 Pages.</p></article></body></html>"
    )
    outcome = process_page(_page(body), extractor=small)
    assert outcome.error is not None
    assert (outcome.error.stage, outcome.error.code) == ("extract", "extract.too_many_claims")
