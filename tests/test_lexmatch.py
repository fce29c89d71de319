"""lexmatch: the anchored matcher finds exactly what spaCy's Matcher finds, faster."""

import pytest
import spacy
import srsly
from spacy.matcher import Matcher

from pipeline.data import PATTERNS_DIR
from pipeline.lexmatch import LexicalMatcher, PatternError
from pipeline.nlp import ENTITY_FILES
from tests.conftest import FIXTURES

NLP = spacy.blank("en")


def _token_patterns():
    rows = list(srsly.read_jsonl(PATTERNS_DIR / "cues.jsonl"))
    for name in ENTITY_FILES:
        rows += [
            r for r in srsly.read_jsonl(PATTERNS_DIR / name) if not isinstance(r["pattern"], str)
        ]
    return rows


@pytest.fixture(scope="module")
def matchers():
    ours, theirs = LexicalMatcher(NLP.vocab), Matcher(NLP.vocab)
    for n, row in enumerate(_token_patterns()):
        ours.add(f"p{n}", row["pattern"])
        theirs.add(f"p{n}", [row["pattern"]])
    return ours, theirs


@pytest.mark.parametrize("page", sorted(FIXTURES.glob("*.html")), ids=lambda p: p.stem)
def test_lexmatch_equals_spacy_matcher(matchers, extractor, page):
    from pipeline.run import process_page
    from pipeline.sources import iter_pages

    (item,) = list(iter_pages([str(page)]))
    text = process_page(item, extractor=extractor).article.text
    doc = NLP.make_doc(text)
    ours, theirs = matchers
    expected = {(NLP.vocab.strings[k], s, e) for k, s, e in theirs(doc)}
    assert set(ours(doc)) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        [{"LEMMA": "remove"}],  # needs a trained pipeline
        [{"LOWER": {"IN": ["a"]}, "OP": "{2}"}],
        [{"IS_TITLE": True}],  # nothing to anchor on
    ],
)
def test_lexmatch_rejects_unsupported_patterns(pattern):
    with pytest.raises((PatternError, ValueError)):
        LexicalMatcher(NLP.vocab).add("bad", pattern)
