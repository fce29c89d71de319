"""claims: every count in a sentence with value, unit, qualifier and offsets."""

import pytest


def _claims(extractor, text):
    doc = extractor.analyzer.parse(text)
    return [
        (c.text(doc), c.value, c.kind or c.metric, c.platform, c.qualifier, c.approximate)
        for c in extractor.claim_finder.find(doc)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Meta removed 453 Facebook accounts and 103 Pages.",
            [
                ("453 Facebook accounts", 453, "account", "Facebook", None, False),
                ("103 Pages", 103, "page", None, None, False),
            ],
        ),
        (
            "The regulator blocked more than 10,000 websites.",
            [("more than 10,000 websites", 10_000, "website", None, "more than", True)],
        ),
        (
            "Nearly 1,000 YouTube channels were terminated.",
            [("Nearly 1,000 YouTube channels", 1000, "channel", "YouTube", "nearly", True)],
        ),
        (
            "At least 50 accounts were suspended.",
            [("At least 50 accounts", 50, "account", None, "at least", True)],
        ),
        (
            "Hundreds of Pages were removed.",
            [("Hundreds of Pages", None, "page", None, "hundreds of", True)],
        ),
        (
            "It also deleted two dozen channels.",
            [("two dozen channels", 24, "channel", None, None, False)],
        ),
        (
            "About 70,000 accounts followed one or more of the Pages.",
            [("About 70,000 accounts", 70_000, "account", None, "about", True)],
        ),
        (
            "The Pages had 2.5m followers.",
            [("2.5m followers", 2_500_000, "followers", None, None, False)],
        ),
        (
            "It terminated 186 channels in April, 1,098 in May and 1,312 in June.",
            [
                ("186 channels", 186, "channel", None, None, False),
                ("1,098", 1098, "channel", None, None, False),
                ("1,312", 1312, "channel", None, None, False),
            ],
        ),
        (
            "The operators spent about $12,500 on ads.",
            [("about $12,500", 12_500, "money", None, "about", True)],
        ),
        (
            "Operators barred outgoing calls on some 72.77 million SIMs.",
            [("some 72.77 million SIMs", 72_770_000, "sim_card", None, "some", True)],
        ),
    ],
)
def test_claims_find(extractor, text, expected):
    assert _claims(extractor, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "The store dropped over 240 virtual private network (VPN) apps.",
            [("over 240 virtual private network (VPN) apps", 240, "vpn", None, "over", True)],
            id="bracketed-acronym-then-head-noun-vpn-apps-are-vpns",
        ),
        pytest.param(
            "Officials cut 5,120 website links.",
            [("5,120 website links", 5120, "url", None, None, False)],
            id="unit-word-modifying-a-later-unit",
        ),
        pytest.param(
            "It deleted 310 accounts and a Page on Facebook and 27 on Instagram.",
            [
                ("310 accounts", 310, "account", "Facebook", None, False),
                ("a Page", 1, "page", "Facebook", None, False),
                ("27", 27, "account", "Instagram", None, False),
            ],
            id="a-in-a-list-counts-one-and-figures-follow-figures",
        ),
        pytest.param(
            "The network ran 44 accounts from three countries.",
            [
                ("44 accounts", 44, "account", None, None, False),
                ("three", 3, None, None, None, False),
            ],
            id="a-number-with-a-noun-of-its-own-inherits-nothing",
        ),
        pytest.param(
            "Police closed 12 Telegram channels and 40 chatbots.",
            [
                ("12 Telegram channels", 12, "channel", "Telegram", None, False),
                ("40 chatbots", 40, "bot", None, None, False),
            ],
            id="chatbots",
        ),
    ],
)
def test_claims_find_units_as_written(extractor, text, expected):
    assert _claims(extractor, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "On September 3, 2020 the report came out.",
        "In 2019 the authority met at 5 pm under Section 37.",
        "The order was made under Rule 2 in Q3 2021.",
    ],
)
def test_claims_dates_and_sections_are_not_counts(extractor, text):
    assert _claims(extractor, text) == []


def test_claims_offsets_point_into_text(extractor):
    text = "Facebook said it removed 1,372 sites and 18 Instagram accounts."
    doc = extractor.analyzer.parse(text)
    for claim in extractor.claim_finder.find(doc):
        start, end = claim.char_span(doc)
        assert text[start:end] == claim.text(doc)
