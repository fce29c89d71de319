"""numbers: how newsrooms write numbers -> values."""

import pytest
import spacy

from pipeline.numbers import digits_value, parse_number_at

NLP = spacy.blank("en")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("453", 453),
        ("1,372", 1372),
        ("1.1", 1.1),
        ("1.488", 1488),  # Spanish/Portuguese thousands separator
        ("2.5m", 2_500_000),
        ("27k", 27_000),
        ("3bn", 3_000_000_000),
        ("US$800", 800),
        ("~60", 60),
        ("abc", None),
        ("12-15", None),
    ],
)
def test_numbers_digits_value(text, value):
    assert digits_value(text) == value


@pytest.mark.parametrize(
    ("text", "value", "vague"),
    [
        ("453 accounts", 453, None),
        ("1.1 million users", 1_100_000, None),
        ("13.7 million followers", 13_700_000, None),
        ("73m lines", 73_000_000, None),
        ("thirteen accounts", 13, None),
        ("twenty-five pages", 25, None),
        ("Two hundred eleven accounts", 211, None),
        ("two hundred and eleven accounts", 211, None),
        ("two dozen channels", 24, None),
        ("half a dozen groups", 6, None),
        ("a dozen groups", 12, None),
        ("hundreds of Pages", None, "hundreds of"),
        ("dozens of accounts", None, "dozens of"),
        ("tens of thousands of posts", None, "tens of thousands of"),
        ("three million lines", 3_000_000, None),
        ("four lakh accounts", 400_000, None),
        ("two crore users", 20_000_000, None),
        ("12, 760 sites", 12_760, None),  # a stray space after the thousands comma
        ("8,300+ channels", 8_300, "+"),
    ],
)
def test_numbers_parse_number_at(text, value, vague):
    doc = NLP(text)
    parsed = parse_number_at(doc, 0)
    assert parsed is not None
    assert parsed.value == value
    assert parsed.vague == vague


@pytest.mark.parametrize("text", ["accounts were removed", "the network", "Section 69A"])
def test_numbers_no_number(text):
    assert parse_number_at(NLP(text), 0) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("figures of 120, 340, 560 and 780", [120, 340, 560, 780]),
        ("in 2021, 310 apps", [2021, 310]),
        ("counts of 120, 340 and 9", [120, 340, 9]),
    ],
)
def test_numbers_lists_are_not_split_groups(text, expected):
    doc = NLP(text)
    values = [p.value for i in range(len(doc)) if (p := parse_number_at(doc, i)) is not None]
    assert values == expected
