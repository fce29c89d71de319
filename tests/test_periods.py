"""periods: dates as stories write them -> 'August 2020', 'Q3 2023', '2020'."""

from datetime import date

import pytest

from pipeline.records.periods import find_period, strip_dateline

PUBLISHED = date(2021, 3, 4)  # a Thursday


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("the monthly report for August 2020", "August 2020"),
        ("in the third quarter of 2022", "Q3 2022"),
        ("its Q1 2024 adversarial threat report", "Q1 2024"),
        ("In an announcement on Wednesday, March 3, 2021, the company", "March 2021"),
        ("Between January and March, Facebook removed", "Q1 2021"),
        ("In January, Google also terminated", "January 2021"),
        ("In November, Google also terminated", "November 2020"),
        ("Facebook removed 30 Pages last month.", "February 2021"),
        ("Twitter said on Monday it had removed", "March 2021"),
        ("blocked access to 58,809 domain names in 2020", "2020"),
        ("The company did not say when.", None),
    ],
)
def test_periods_find_period(text, period):
    assert find_period(text, PUBLISHED) == period


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("ISLAMABAD, 5 October 2020: The authority", "The authority"),
        ("SAN FRANCISCO, Aug 1 (Meridian Wire) - Facebook", "Facebook"),
        ("September 3, 2020 – Facebook has", "Facebook has"),
        ("HANOI: Global companies", "Global companies"),
        ("Facebook removed 20 accounts - a lot.", "Facebook removed 20 accounts - a lot."),
    ],
)
def test_periods_strip_dateline_keeps_offsets(text, kept):
    stripped = strip_dateline(text)
    assert len(stripped) == len(text)
    assert stripped.strip() == kept
