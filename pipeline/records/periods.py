"""When a takedown happened, as the text says it: 'August 2020', 'Q3 2023', '2020'.

Periods are normalized to a full month name and year, 'Qn YYYY' or a year. 'Last month',
a month without a year and weekdays ('said on Thursday') are resolved against the publish
date; a story's dateline ('ISLAMABAD, 5 October 2020:') dates the story, not the action,
and is left out; a short line that is only a date heads the bulletin lines under it.
"""

import re
from datetime import date, timedelta

from spacy.tokens import Doc, Span

from pipeline.data import MONTH_NAMES

MONTH_RE = "|".join(MONTH_NAMES)
PERIOD_MONTH_YEAR_ONLY = re.compile(rf"\b({MONTH_RE})\s+((?:19|20)\d\d)\b")
PERIOD_QUARTER = re.compile(r"\b(?:Q([1-4])\s*((?:19|20)\d\d)|((?:19|20)\d\d)\s*Q([1-4]))\b")
PERIOD_QUARTER_WORDS = re.compile(
    r"\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\s+(?:of\s+)?((?:19|20)\d\d)\b", re.I
)
PERIOD_MONTH_ALONE = re.compile(
    rf"\b(?i:in|during|for|between|of|throughout)\s+({MONTH_RE})\b(?!\s+\d)"
)
# "between January and March" is the first quarter
PERIOD_MONTH_RANGE = re.compile(
    rf"\b(?i:between|from)\s+({MONTH_RE})\s+(?:and|to|through|until)\s+({MONTH_RE})"
    r"(?:,?\s+((?:19|20)\d\d))?"
)
PERIOD_FULL_DATE = re.compile(
    rf"\b(?:\d{{1,2}}\s+)?({MONTH_RE})\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?,?\s+((?:19|20)\d\d)\b"
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PERIOD_WEEKDAY = re.compile(
    rf"\b(?:(?:on|last|this|late|early)\s+)?(?:{'|'.join(WEEKDAYS)})\b"
    r"|\b(?i:today|yesterday|this week|earlier this week)\b"
)
# "ISLAMABAD, 5 October 2020:", "SAN FRANCISCO, Aug 1 (Meridian Wire) -", "HANOI:"
SHORT_MONTHS = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
DATELINE_DATE = (
    rf"(?:\d{{1,2}}\s+)?(?:{MONTH_RE}|{SHORT_MONTHS})\.?(?:\s+\d{{1,2}})?,?(?:\s+(?:19|20)\d\d)?"
)
# "ISLAMABAD:" (a place in capitals), "Islamabad, September 3, 2020 –" (a place and a
# date), "September 3, 2020 –" (a date), each maybe with "(Agency)", then : or a dash
DATELINE = re.compile(
    rf"^\s*(?:[A-Z][A-Z .'’-]{{1,30}},?\s*(?:{DATELINE_DATE})?"
    rf"|[A-Z][\w .'’-]{{0,30}}?,\s*{DATELINE_DATE}|{DATELINE_DATE})"
    r"\s*(?:\([^)]{1,40}\))?\s*[:–—-]\s"
)
PERIOD_YEAR = re.compile(r"\b(?:in|during|throughout|for)\s+((?:19|20)\d\d)\b")
PERIOD_RELATIVE = re.compile(r"\b(last|this|previous|past)\s+month\b", re.I)
QUARTER_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
}
# "from 2017 to 2022", "during the year 2021", "in 2022": a span of time with a year named
NAMED_YEARS = re.compile(
    r"\b(?:from|during|in|between|throughout|for|years?)\s+(?:the\s+years?\s+)?(?:19|20)\d\d\b",
    re.I,
)
HEADING_MAX_TOKENS = 6  # "April 2020", "Q2 2020 bulletin": a line this short is a heading


def _normalize_period(match_kind: str, groups: tuple[str, ...]) -> str:
    if match_kind == "month_year":
        return f"{groups[0]} {groups[1]}"
    if match_kind == "quarter":
        q, y, y2, q2 = groups
        return f"Q{q or q2} {y or y2}"
    if match_kind == "quarter_words":
        return f"Q{QUARTER_WORDS[groups[0].lower()]} {groups[1]}"
    return groups[0]


def find_period(text: str, published: date | None) -> str | None:
    """Text -> the period it names ('August 2020', 'Q3 2023', '2019'), resolved by date.

    Month-and-year and quarters rank first, then a full date ("March 3, 2021"), then a
    month alone, "last month" or a weekday resolved against the publish date, then a year."""
    ranked: list[tuple[int, int, str]] = []  # (rank, position, period)
    for m in PERIOD_MONTH_YEAR_ONLY.finditer(text):
        ranked.append((0, m.start(), _normalize_period("month_year", m.groups())))
    for m in PERIOD_QUARTER.finditer(text):
        ranked.append((0, m.start(), _normalize_period("quarter", m.groups())))
    for m in PERIOD_QUARTER_WORDS.finditer(text):
        ranked.append((0, m.start(), _normalize_period("quarter_words", m.groups())))
    for m in PERIOD_FULL_DATE.finditer(text):
        ranked.append((1, m.start(), f"{m.group(1)} {m.group(2)}"))
    if published is not None:
        for m in PERIOD_MONTH_ALONE.finditer(text):
            month = MONTH_NAMES.index(m.group(1)) + 1
            year = published.year if month <= published.month else published.year - 1
            ranked.append((2, m.start(1), f"{m.group(1)} {year}"))
        for m in PERIOD_RELATIVE.finditer(text):
            shift = 0 if m.group(1).lower() == "this" else 1
            month = published.month - shift
            year = published.year
            if month == 0:
                month, year = 12, year - 1
            ranked.append((2, m.start(), f"{MONTH_NAMES[month - 1]} {year}"))
        for m in PERIOD_WEEKDAY.finditer(text):
            day = _weekday_date(m.group(0), published)
            ranked.append((4, m.start(), f"{MONTH_NAMES[day.month - 1]} {day.year}"))
    for m in PERIOD_YEAR.finditer(text):
        ranked.append((3, m.start(1), m.group(1)))
    for m in PERIOD_MONTH_RANGE.finditer(text):
        first, last = MONTH_NAMES.index(m.group(1)), MONTH_NAMES.index(m.group(2))
        range_year = m.group(3) or (str(published.year) if published else None)
        if range_year and first % 3 == 0 and last == first + 2:
            ranked.append((0, m.start(), f"Q{first // 3 + 1} {range_year}"))
        elif range_year:
            ranked.append((1, m.start(), f"{m.group(1)} {range_year}"))
    if not ranked:
        return None
    ranked.sort()
    return ranked[0][2]


def _weekday_date(phrase: str, published: date) -> date:
    """'on Monday', 'yesterday', 'this week' -> the day it points to, on or before publishing."""
    low = phrase.lower()
    if "yesterday" in low:
        return published - timedelta(days=1)
    for n, name in enumerate(WEEKDAYS):
        if name.lower() in low:
            back = (published.weekday() - n) % 7
            if low.startswith("last") and back == 0:
                back = 7
            return published - timedelta(days=back)
    return published  # today, this week


def strip_dateline(text: str) -> str:
    """'ISLAMABAD, 5 October 2020: The ...' -> the same text with the dateline blanked.

    A dateline dates the story, not the action it reports; offsets are kept."""
    m = DATELINE.match(text)
    if not m:
        return text
    return " " * m.end() + text[m.end() :]


def heading_period(sent: Span, text: str, published: date | None) -> str | None:
    """A short line that is only a date ('April 2020', 'May') -> the period it heads."""
    if len(sent) > 2 * HEADING_MAX_TOKENS:
        return None
    words = [t for t in sent if not t.is_space and not t.is_punct]
    if not words or len(words) > HEADING_MAX_TOKENS:
        return None
    if any(t.like_num and not re.fullmatch(r"(19|20)\d\d", t.text) for t in words):
        return None
    text = text.strip()
    m = PERIOD_MONTH_YEAR_ONLY.search(text)
    if m:
        return f"{m.group(1)} {m.group(2)}"
    m = re.fullmatch(rf"({MONTH_RE})[:.]?", text)
    if m and published is not None:
        month = MONTH_NAMES.index(m.group(1)) + 1
        year = published.year if month <= published.month else published.year - 1
        return f"{m.group(1)} {year}"
    return None


def names_years(text: str) -> bool:
    """Does the text put a figure in named years ("from 2017 to 2022", "during 2021")?"""
    return NAMED_YEARS.search(text) is not None


def respective_years(doc: Doc, start: int, end: int) -> list[str]:
    """The years listed in tokens [start, end), in order ("2017, 2018 and 2019")."""
    return [t.text for t in doc[start:end] if re.fullmatch(r"(?:19|20)\d\d", t.text)]
