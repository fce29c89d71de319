"""Golden: every fixture page yields exactly its hand-written expected records."""

import pytest

from models.expected import Expected
from pipeline.check import compare
from pipeline.run import process_page
from pipeline.sources import iter_pages
from tests.conftest import FIXTURES

PAGES = sorted(FIXTURES.glob("*.html"))


def test_golden_enough_fixtures():
    assert len(PAGES) >= 24
    zero = [p for p in PAGES if not _expected(p).records]
    assert len(zero) >= 5  # distractor pages with no takedown


def _expected(page) -> Expected:
    path = page.with_name(page.name.removesuffix(".html") + ".expected.json")
    return Expected.model_validate_json(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_golden_fixture(extractor, page):
    expected = _expected(page)
    (item,) = list(iter_pages([str(page)]))
    outcome = process_page(item, extractor=extractor)
    assert outcome.error is None, outcome.error
    result = compare(expected, outcome.records, outcome.article.text, page.stem)
    assert result.ok, "\n".join(result.diffs)
    text = outcome.article.text
    for record in outcome.records:  # every offset holds the text the record says it holds
        for ev in record.evidence:
            assert text[ev.start : ev.end] == ev.text and ev.text == ev.text.strip(), ev
        for target in record.targets:
            assert text[target.start : target.end] == target.text, target
    if expected.title:
        assert outcome.article.source.title == expected.title
    if expected.published:
        assert str(outcome.article.source.published) == expected.published
