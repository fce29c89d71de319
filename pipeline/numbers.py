"""Numbers as newsrooms write them -> values.

Works on spaCy tokens of a blank English pipeline: "453", "1,372", "1.1 million",
"2.5m", "27k", "thirteen", "twenty-five", "two dozen", "half a dozen",
"hundreds of", "1.488" (a dot before three digits groups thousands, as in
Spanish and Portuguese copy). Pure functions; no pipeline state.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token

WORD_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
WORD_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
MULTIPLIERS = {
    "hundred": 100,
    "thousand": 1_000,
    "k": 1_000,
    "lakh": 100_000,
    "lakhs": 100_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "mln": 1_000_000,
    "crore": 10_000_000,
    "crores": 10_000_000,
    "billion": 1_000_000_000,
    "bn": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}
# Multipliers that follow number words: "four lakh", "two million"
WORD_MULTIPLIERS = frozenset({"thousand", "lakh", "lakhs", "million", "crore", "crores", "billion"})
# Vague quantities: "hundreds of Pages" has no count, only an order of magnitude.
VAGUE = {
    "dozens": "dozens of",
    "hundreds": "hundreds of",
    "thousands": "thousands of",
    "millions": "millions of",
    "scores": "scores of",
    "tens": "tens of",
}

# "1,372" / "46, 431" is split by the tokenizer; "1.488" groups thousands (3 digits after dot).
GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
DOTTED_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")
PLAIN = re.compile(r"^\d+(\.\d+)?$")
SUFFIXED = re.compile(r"^(\d+(?:[.,]\d+)?)(k|m|mn|bn|b)$", re.IGNORECASE)
CURRENCY_PREFIXED = re.compile(r"^(?:US|A|C|HK|NZ|S)?\$(\d[\d,]*(?:\.\d+)?)$")


@dataclass(frozen=True)
class ParsedNumber:
    """A number found at tokens [start, end) of a sentence or doc."""

    value: float | None
    start: int  # token index of the first number token
    end: int  # token index after the last number token (multiplier included)
    vague: str | None = None  # "hundreds of" etc. when value is None or a vague count
    from_words: bool = False


def digits_value(text: str) -> float | None:
    """'1,372' -> 1372.0, '1.1' -> 1.1, '1.488' -> 1488.0, '2.5m' -> 2500000.0; else None."""
    text = text.strip().lstrip("~")
    m = CURRENCY_PREFIXED.match(text)
    if m:
        text = m.group(1)
    if GROUPED.match(text):
        return float(text.replace(",", ""))
    if DOTTED_THOUSANDS.match(text):
        return float(text.replace(".", ""))
    if PLAIN.match(text):
        return float(text)
    m = SUFFIXED.match(text)
    if m:
        base = float(m.group(1).replace(",", "."))
        suffix = m.group(2).lower()
        mult = 1_000_000_000 if suffix in ("bn", "b") else MULTIPLIERS[suffix]
        return base * mult
    return None


def _word_value(tokens: Sequence[Token] | Doc, i: int) -> tuple[float, int] | None:
    """Cardinal words from tokens[i]: 'two hundred eleven' -> (211, end); None if none."""
    total = 0.0
    current = 0.0
    j = i
    seen = False
    n = len(tokens)
    while j < n:
        low = tokens[j].lower_
        if low in WORD_UNITS:
            current += WORD_UNITS[low]
        elif low in WORD_TENS:
            current += WORD_TENS[low]
            # "twenty-five": the tokenizer splits on the hyphen
            if j + 2 < n and tokens[j + 1].text == "-" and tokens[j + 2].lower_ in WORD_UNITS:
                current += WORD_UNITS[tokens[j + 2].lower_]
                j += 2
        elif low == "hundred" and seen:
            current = (current or 1) * 100
        elif low in WORD_MULTIPLIERS and seen:
            total += (current or 1) * MULTIPLIERS[low]
            current = 0
        elif (
            low == "and"
            and seen
            and j + 1 < n
            and (tokens[j + 1].lower_ in WORD_UNITS or tokens[j + 1].lower_ in WORD_TENS)
            and j > i
            and tokens[j - 1].lower_ in ("hundred", "thousand", "million")
        ):
            pass  # "two hundred and eleven"
        else:
            break
        seen = True
        j += 1
    if not seen:
        return None
    return total + current, j


def parse_number_at(tokens: Sequence[Token] | Doc, i: int) -> ParsedNumber | None:
    """The number that starts at tokens[i], with a following multiplier; None if none starts there."""
    tok = tokens[i]
    n = len(tokens)
    low = tok.lower_
    # "a dozen", "two dozen", "half a dozen"
    if (
        low == "half"
        and i + 2 < n
        and tokens[i + 1].lower_ == "a"
        and tokens[i + 2].lower_ == "dozen"
    ):
        return ParsedNumber(6, i, i + 3, from_words=True)
    if low in ("a", "one") and i + 1 < n and tokens[i + 1].lower_ == "dozen":
        return ParsedNumber(12, i, i + 2, from_words=True)
    if (
        low == "tens"
        and i + 3 < n
        and tokens[i + 1].lower_ == "of"
        and tokens[i + 2].lower_ == "thousands"
    ):
        return ParsedNumber(None, i, i + 4, vague="tens of thousands of")
    if low in VAGUE and i + 1 < n and tokens[i + 1].lower_ == "of":
        return ParsedNumber(None, i, i + 2, vague=VAGUE[low])

    value: float | None = digits_value(tok.text)
    end = i + 1
    from_words = False
    if value is not None and _split_group(tokens, i):
        # "46, 431": a thousands group split off by a stray space after the comma
        value = value * 1000 + float(tokens[i + 2].text)
        end = i + 3
    if value is None:
        words = _word_value(tokens, i)
        if words is None:
            return None
        value, end = words
        from_words = True
    # "two dozen"
    if end < n and tokens[end].lower_ == "dozen":
        return ParsedNumber(value * 12, i, end + 1, from_words=True)
    # multiplier in the next token: "1.1 million", "2.5 m", "73m" split as "73", "m"
    if end < n:
        nxt = tokens[end].lower_.rstrip(".")
        if nxt in MULTIPLIERS and nxt != "hundred" and not from_words:
            # a lone "m" after a number is metres only in sports copy; here it is millions
            value *= MULTIPLIERS[nxt]
            end += 1
        elif nxt == "hundred" and not from_words:
            value *= 100
            end += 1
    if end < n and tokens[end].text == "+":  # "10,900+ channels": at least that many
        return ParsedNumber(value, i, end + 1, vague="+", from_words=from_words)
    return ParsedNumber(value, i, end, from_words=from_words)


def _split_group(tokens: Sequence[Token] | Doc, i: int) -> bool:
    """Is tokens[i:i+3] one number written '46, 431' (and not a list '120, 340, 560')?"""
    n = len(tokens)
    if i + 2 >= n or tokens[i + 1].text != "," or not tokens[i + 1].whitespace_:
        return False
    head, group = tokens[i].text, tokens[i + 2].text
    if not (re.fullmatch(r"\d{1,3}", head) and re.fullmatch(r"\d{3}", group)):
        return False
    in_list_before = i >= 2 and tokens[i - 1].text == "," and tokens[i - 2].like_num
    in_list_after = (
        i + 4 < n and tokens[i + 3].lower_ in (",", "and", "or") and tokens[i + 4].like_num
    )
    return not (in_list_before or in_list_after)


def is_year(tok: Token) -> bool:
    """'2020' and the like: four digits, no separator, in a plausible year range."""
    return bool(re.fullmatch(r"(19|20)\d\d", tok.text))
