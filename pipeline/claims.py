"""Doc -> numeric claims: every count in the text with what it counts.

A claim is a number (digits, words, "hundreds of") with its qualifier ("more
than", "about"), its counted noun ("accounts", "followers") normalized to an
asset kind or a reach metric, the platform named with it ("453 Facebook
accounts"), a currency for money, and character offsets into the text.
"""

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from spacy.attrs import LIKE_NUM, LOWER, SHAPE
from spacy.tokens import Doc, Span

from pipeline.nlp import Analyzer, iter_spans
from pipeline.numbers import (
    VAGUE,
    WORD_TENS,
    WORD_UNITS,
    ParsedNumber,
    is_year,
    parse_number_at,
)
from pipeline.words import mapping, phrases, words

UNIT_LIST_SEPARATORS = words("unit_list_separators")
# Words a number may start with; any other token needs a digit to start a claim.
NUMBER_START_WORDS = frozenset({*WORD_UNITS, *WORD_TENS, *VAGUE, "a", "an", "half", "tens"})
QUALIFIERS = phrases("qualifiers")
CURRENCY_SYMBOLS = mapping("currency_symbols")
CURRENCY_WORDS = mapping("currency_words")
# Tokens that may sit between a number and its noun: "453 fake Facebook accounts".
MAX_MODIFIERS = 4  # covers "55 inauthentic state-linked Facebook accounts"
MODIFIER_STOP = words("modifier_stop")
NOT_A_COUNT_BEFORE = words("not_a_count_before")
MONTHS = words("months")
MAX_DAY = 31
NOT_A_COUNT_AFTER = words("not_a_count_after")
PERCENT_WORDS = words("percent_words")
SPECIFIC_KINDS = words("specific_kinds")


@dataclass
class Claim:
    """A working claim with token offsets (the models.NumericClaim is built from it)."""

    value: float | None
    start: int  # token offsets of the whole claim: qualifier .. unit
    end: int
    num_start: int
    num_end: int
    unit: str | None = None
    kind: str | None = None  # asset kind (account, page, ...) when the unit is one
    metric: str | None = None  # reach metric (followers, ...) when the unit is one
    platform: str | None = None
    currency: str | None = None
    qualifier: str | None = None
    approximate: bool = False
    inherited: bool = False  # unit taken from an earlier claim ("1,098 in May")
    whole: bool = False  # the whole a part is counted from: "4,500 of the 5,200 videos"
    # "on file-sharing platforms": a place named after it that is no platform we know, so
    # no platform of the counts before it is carried to it
    unnamed_platform: bool = False
    # "150 accounts and pages": the kind named first in a count over several kinds
    first_kind: str | None = None
    rules: list[str] = field(default_factory=list)

    def text(self, doc: Doc) -> str:
        return doc[self.start : self.end].text

    def counted_as(
        self,
        kind: str | None,
        *,
        rule: str,
        unit: str | None = None,
        platform: str | None = None,
        end: int | None = None,
    ) -> "Claim":
        """The same figure read as a count of a kind its own words do not give (a table
        column's, a whole's it is a part of): its number and qualifier, nothing else."""
        return Claim(
            value=self.value,
            start=self.start,
            end=self.end if end is None else end,
            num_start=self.num_start,
            num_end=self.num_end,
            unit=unit,
            kind=kind,
            platform=platform,
            qualifier=self.qualifier,
            approximate=self.approximate,
            rules=[rule],
        )

    def char_span(self, doc: Doc) -> tuple[int, int]:
        span = doc[self.start : self.end]
        return span.start_char, span.end_char


QUALIFIER_SET = frozenset(QUALIFIERS)
# "took over", "shut down": a qualifier word that is the particle of the verb before it
PARTICLE_VERBS: dict[str, frozenset[str]] = {
    word: frozenset(verbs) for word, verbs in mapping("particle_verbs").items()
}
MAX_QUALIFIER = max(len(q) for q in QUALIFIERS)


def _qualifier_before(doc: Doc, i: int, floor: int) -> tuple[str | None, int]:
    """Tokens before index i -> (qualifier text, its first token index) or (None, i)."""
    lowers = [doc[j].lower_ for j in range(max(floor, i - MAX_QUALIFIER), i)]
    for k in range(len(lowers), 0, -1):  # longest first: "a little fewer than" before "than"
        words = tuple(lowers[-k:])
        if words in QUALIFIER_SET:
            start = i - k
            if start > floor and doc[start - 1].lower_ in PARTICLE_VERBS.get(words[0], ()):
                continue  # "had taken over 50 domains": the verb's particle, no qualifier
            return " ".join(words), start
    return None, i


def _currency_before(doc: Doc, i: int, floor: int) -> tuple[str | None, int]:
    """The currency symbol or code right before a number -> (ISO code, start index)."""
    tok = doc[i]
    text = tok.text.lower().lstrip("~")
    for symbol, code in CURRENCY_SYMBOLS.items():
        if text.startswith(symbol) and text[len(symbol) :][:1].isdigit():
            return code, i
    if i - 1 >= floor:
        prev = doc[i - 1].text.lower().lstrip("~")
        if prev in CURRENCY_SYMBOLS:
            start = i - 1
            # "Rs. 5,000" splits into "Rs", ".", "5,000"
            return CURRENCY_SYMBOLS[prev], start
        if prev == "." and i - 2 >= floor and doc[i - 2].lower_ in ("rs",):
            return "PKR", i - 2
    return None, i


ON_PLATFORM_KINDS = words("on_platform_kinds")
UNNAMED_PLATFORM_NOUNS = words("unnamed_platform_nouns")
UNNAMED_PLATFORM_REACH = 4  # "on other social media platforms": words up to the noun


def _shared_units(doc: Doc, claims: list[Claim]) -> None:
    """'networks of 16 and 50 accounts': a bare number coordinated with a counted one
    shares its unit."""
    for left, right in reversed(list(zip(claims, claims[1:], strict=False))):
        bare = left.unit is None or left.inherited  # "16" in "of 16 and 50 accounts"
        if not bare or left.currency is not None or right.unit is None or right.inherited:
            continue
        if all(t.lower_ in (",", "and", "or") for t in doc[left.end : right.start]):
            left.unit, left.kind, left.metric = right.unit, right.kind, right.metric
            left.platform = left.platform or right.platform
            left.inherited = False
            left.rules.append("unit-shared")


def _platforms_after(doc: Doc, claims: list[Claim], platform_at: dict[int, str]) -> None:
    """'40 accounts, 11 Pages and 2 groups on Facebook and 9 accounts on Instagram': a
    platform named after a list belongs to the counts of that list that name none."""
    for n, claim in enumerate(claims):
        j = claim.end
        if j + 1 >= len(doc) or doc[j].lower_ not in ("on", "across"):
            continue
        if j + 1 not in platform_at:
            place = doc[j + 1 : j + 1 + UNNAMED_PLATFORM_REACH]
            noun = next((t.i for t in place if t.lower_ in UNNAMED_PLATFORM_NOUNS), None)
            if noun is not None and not any(k in platform_at for k in range(j + 1, noun)):
                claim.unnamed_platform = True
            continue
        platform = platform_at[j + 1]
        listed = _list_before(doc, claims, n)
        # "71 accounts, 18 pages and 7 accounts on Instagram": a kind said again in the list
        # is set apart by this platform, which names that count alone
        if any(c.kind == claim.kind for c in listed[:-1]):
            listed = listed[-1:]
        for c in reversed(listed):
            if c.platform is not None or c.kind not in ON_PLATFORM_KINDS:
                break
            c.platform = platform
            c.rules.append("platform-named-after")


def _platforms_before(doc: Doc, claims: list[Claim], platform_at: dict[int, str]) -> None:
    """'..., and on Instagram 11 accounts': a platform put before the count it is for."""
    for claim in claims:
        k = claim.start - 1
        if claim.platform is not None or k < 1 or k not in platform_at:
            continue
        first = k
        while first - 1 in platform_at and platform_at[first - 1] == platform_at[k]:
            first -= 1
        if doc[first - 1].lower_ in ("on", "across") and claim.kind in ON_PLATFORM_KINDS:
            claim.platform = platform_at[k]
            claim.rules.append("platform-named-before")


def _list_before(doc: Doc, claims: list[Claim], n: int) -> list[Claim]:
    """The counts of the list that claims[n] ends: those joined to it by commas and 'and'."""
    k = n
    while k > 0 and all(
        t.lower_ in (",", "and", "or", ";") for t in doc[claims[k - 1].end : claims[k].start]
    ):
        k -= 1
    return claims[k : n + 1]


class ClaimFinder:
    """Finds claims in sentences using the Analyzer's unit tables and entity spans."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.max_unit_len = max(len(k) for k in analyzer.asset_units)
        strings = analyzer.nlp.vocab.strings
        self._word_hashes = np.array(
            [strings.add(w) for w in sorted(NUMBER_START_WORDS)], dtype=np.uint64
        )
        self._unit_first_words = frozenset(u[0] for u in analyzer.asset_units)

    def find(self, doc: Doc) -> list[Claim]:
        """Doc -> claims in text order."""
        platform_at: dict[int, str] = {}
        for span in iter_spans(doc):
            if span.label_ in ("PLATFORM", "COMPANY"):
                for t in range(span.start, span.end):
                    platform_at[t] = span.id_ or span.text
        starts = self._candidates(doc)
        claims: list[Claim] = []
        for sent in doc.sents:
            lo, hi = bisect_left(starts, sent.start), bisect_left(starts, sent.end)
            if lo < hi:
                found = self._find_in_sentence(doc, sent, platform_at, starts[lo:hi])
                _shared_units(doc, found)
                _platforms_after(doc, found, platform_at)
                _platforms_before(doc, found, platform_at)
                claims.extend(found)
        return claims

    def _candidates(self, doc: Doc) -> list[int]:
        """Token indices where a number may start: digits anywhere in the token, or a
        number word. Read from the doc's arrays so most tokens are never built in Python."""
        arrays = doc.to_array([LIKE_NUM, LOWER, SHAPE])
        strings = doc.vocab.strings
        shapes = {int(h) for h in np.unique(arrays[:, 2])}
        digit_shapes = np.fromiter((h for h in shapes if "d" in strings[h]), dtype=np.uint64)
        words = self._word_hashes
        mask = (
            (arrays[:, 0] == 1) | np.isin(arrays[:, 1], words) | np.isin(arrays[:, 2], digit_shapes)
        )
        return np.nonzero(mask)[0].tolist()

    def _find_in_sentence(
        self, doc: Doc, sent: Span, platform_at: dict[int, str], starts: list[int]
    ) -> list[Claim]:
        out: list[Claim] = []
        consumed = sent.start
        for i in starts:
            if i < consumed:
                continue
            parsed = parse_number_at(doc, i) or self._article_in_list(doc, i, out)
            if parsed is None or parsed.end > sent.end:
                continue
            claim = self._claim(doc, sent, parsed, platform_at, out)
            single = parsed.end == i + 1 and doc[i].lower_ in ("a", "an")
            if claim is not None and single and claim.kind is None:
                continue  # "and a statement": one of nothing we count
            if claim is not None:
                out.append(claim)
                consumed = max(claim.end, parsed.end)
            else:
                consumed = parsed.end
        return out

    @staticmethod
    def _article_in_list(doc: Doc, i: int, earlier: Sequence[Claim]) -> ParsedNumber | None:
        """'700 accounts and a page', '20 channels, four Ads accounts, and a Blogger site':
        "a" in a list of counts counts one."""
        if doc[i].lower_ not in ("a", "an") or not earlier:
            return None
        between = doc[earlier[-1].end : i]
        if not between or not all(t.lower_ in UNIT_LIST_SEPARATORS for t in between):
            return None
        return ParsedNumber(1.0, i, i + 1, from_words=True)

    def _skip(self, doc: Doc, sent: Span, parsed: ParsedNumber) -> bool:
        tok = doc[parsed.start]
        prev = doc[parsed.start - 1].lower_ if parsed.start > sent.start else ""
        nxt = doc[parsed.end].lower_ if parsed.end < sent.end else ""
        if (
            parsed.value is not None
            and not parsed.from_words
            and is_year(tok)
            and parsed.end == parsed.start + 1
        ):
            unit = nxt
            if not (unit in self._unit_first_words or unit in self.analyzer.reach_units):
                return True
        if prev in NOT_A_COUNT_BEFORE or prev in MONTHS or nxt in NOT_A_COUNT_AFTER:
            return True
        if nxt in MONTHS:  # "3 September"
            return True
        if self._day_of_a_range(doc, sent, parsed):
            return True
        if (
            prev in ("q", "h")
            or tok.text.lower().endswith(("st", "nd", "rd", "th"))
            and not parsed.from_words
        ):
            return True
        # "one of the", "one such": not a count
        if (
            parsed.from_words
            and parsed.value == 1
            and nxt in ("of", "such", "another", "-", "day", "by", "or")
        ):
            return True
        return (
            parsed.from_words
            and parsed.value == 1
            and tok.lower_ == "one"
            and nxt in ("in", "that", "which", "who", ",")
        )

    @staticmethod
    def _day_of_a_range(doc: Doc, sent: Span, parsed: ParsedNumber) -> bool:
        """'between 15 and 30 December', 'from 1 to 28 September', 'on December 15 and
        30': a day of the month at one end of a range or pair of dates."""
        value = parsed.value
        if value is None or parsed.from_words or not 1 <= value <= MAX_DAY or value % 1:
            return False
        glue = ("and", "to", "-", "–", "through", "until", "till")
        j, k = parsed.end, parsed.start - 1
        # the day before the other end: "15 and 30 December"
        if (
            j + 2 < sent.end
            and doc[j].lower_ in glue
            and doc[j + 1].like_num
            and doc[j + 2].lower_ in MONTHS
        ):
            return True
        # the day after the other end: "December 15 and 30"
        if k - 1 >= sent.start and doc[k].lower_ in glue and doc[k - 1].like_num:
            return k - 2 >= sent.start and doc[k - 2].lower_ in MONTHS
        return False

    def _claim(
        self,
        doc: Doc,
        sent: Span,
        parsed: ParsedNumber,
        platform_at: dict[int, str],
        earlier: Sequence[Claim],
    ) -> Claim | None:
        if self._skip(doc, sent, parsed):
            return None
        start = parsed.start
        qualifier = parsed.vague
        approximate = parsed.vague is not None
        currency, cur_start = _currency_before(doc, parsed.start, sent.start)
        start = min(start, cur_start)
        q, q_start = _qualifier_before(doc, start, sent.start)
        if doc[parsed.start].text.startswith("~") and q is None:
            q = "~"
        if q is not None:
            qualifier = q if qualifier is None else f"{q} {qualifier}"
            approximate = True
            start = q_start
        claim = Claim(
            value=parsed.value,
            start=start,
            end=parsed.end,
            num_start=parsed.start,
            num_end=parsed.end,
            qualifier=qualifier,
            approximate=approximate,
            currency=currency,
        )
        self._attach_unit(doc, sent, claim, platform_at)
        if claim.unit is None and claim.currency is None:
            self._inherit_unit(doc, claim, earlier)
        return claim

    def _attach_unit(self, doc: Doc, sent: Span, claim: Claim, platform_at: dict[int, str]) -> None:
        """Look right of the number for the counted noun, over a few modifiers."""
        j = claim.num_end
        end = min(sent.end, claim.num_end + MAX_MODIFIERS + self.max_unit_len)
        platform = None
        modifiers = 0
        # the lower-cased words of the window, read once (a Doc slice per try was a fifth of
        # the claims stage)
        base = claim.num_end
        lowers = [t.lower_ for t in doc[base : min(len(doc), end + self.max_unit_len)]]
        while j < end:
            tok = doc[j]
            low = lowers[j - base]
            if low in PERCENT_WORDS:
                claim.unit, claim.metric, claim.end = "percent", "percent", j + 1
                claim.rules.append("unit-percent")
                return
            if low in CURRENCY_WORDS and claim.currency is None:
                claim.currency = CURRENCY_WORDS[low] or low
                claim.end = j + 1
                claim.rules.append("unit-currency-word")
                return
            for n in range(self.max_unit_len, 0, -1):
                words = tuple(lowers[j - base : j - base + n])
                if len(words) == n and words in self.analyzer.asset_units:
                    first = self.analyzer.asset_units[words]
                    j, n = self._compound_head(doc, sent, j, n)
                    claim.unit = doc[j : j + n].text.lower()
                    claim.kind = self.analyzer.asset_units[tuple(t.lower_ for t in doc[j : j + n])]
                    if first in SPECIFIC_KINDS:
                        claim.kind = first  # "virtual private network (VPN) apps" are VPNs
                    claim.platform = platform
                    claim.end = j + n
                    claim.rules.append("unit-asset")
                    self._mixed_units(doc, sent, claim)
                    return
            if low in self.analyzer.reach_units:
                claim.unit = low
                claim.metric = self.analyzer.reach_units[low]
                claim.platform = platform
                claim.end = j + 1
                claim.rules.append("unit-reach")
                return
            if j in platform_at:
                platform = platform_at[j]
            elif (
                low in MODIFIER_STOP
                or tok.is_punct
                and tok.text != "-"
                or tok.like_num
                or not (tok.is_alpha or tok.text == "-" or "-" in tok.text)
            ):
                break
            modifiers += 1
            if modifiers > MAX_MODIFIERS:
                break
            j += 1
        if claim.currency is not None:
            claim.metric = "money"
            claim.rules.append("unit-currency")

    def _compound_head(self, doc: Doc, sent: Span, j: int, n: int) -> tuple[int, int]:
        """A unit word that modifies another one names a kind of the later one: "website
        links", "virtual private network (VPN) apps" count links and apps."""
        k = j + n
        if k + 2 < sent.end and doc[k].text == "(" and doc[k + 2].text == ")":
            k += 3  # a bracketed acronym: "(VPN)"
        for m in range(self.max_unit_len, 0, -1):
            words = tuple(t.lower_ for t in doc[k : k + m])
            if len(words) == m and k + m <= sent.end and words in self.analyzer.asset_units:
                return k, m
        return j, n

    def _mixed_units(self, doc: Doc, sent: Span, claim: Claim) -> None:
        """'3,200 posts, videos and clips': one number over several kinds is a mixed total.

        The list goes on over separators and at most two modifiers per item; a number
        ("and dozens of accounts") starts a claim of its own and ends it."""
        kinds = {claim.kind}
        end = j = claim.end
        while j < sent.end and doc[j].lower_ in UNIT_LIST_SEPARATORS:
            found = None
            for k in range(j + 1, min(sent.end, j + 4)):
                tok = doc[k]
                if tok.like_num or tok.lower_ in NUMBER_START_WORDS or not tok.is_alpha:
                    break
                kind = self.analyzer.asset_units.get((tok.lower_,))
                if kind is not None:
                    found = (kind, k)
                    break
            if found is None:
                break
            kinds.add(found[0])
            end = j = found[1] + 1
        if len(kinds) > 1:
            claim.end = end
            claim.unit = doc[claim.num_end : claim.end].text.lower()
            claim.first_kind = claim.kind
            claim.kind = "mixed"
            claim.rules.append("unit-mixed")

    def _inherit_unit(self, doc: Doc, claim: Claim, earlier: Sequence[Claim]) -> None:
        """'1,098 in May and 1,312 in June', 'of which 44,900': take the unit of the last claim."""
        # "700 accounts and a page on Facebook and 48 on Instagram": a figure takes the unit
        # of the last figure, not of "a page"
        last = next(
            (
                c
                for c in reversed(earlier)
                if c.num_end > c.num_start + 1 or doc[c.num_start].like_num
            ),
            None,
        )
        if last is None:
            return
        if last.kind is None and last.metric is None:
            return
        nxt = doc[claim.end] if claim.end < len(doc) else None
        # "6,000 promoting suicide": a participle after it describes what the figure before
        # counted; any other word is a noun of its own ("in those two countries")
        participle = nxt is not None and len(nxt) > 4 and nxt.lower_.endswith("ing")
        if nxt is not None and nxt.is_alpha and nxt.lower_ not in MODIFIER_STOP and not participle:
            return
        between = doc[last.end : claim.start]
        if len(between) > 8 or any(t.text in (";", ":") for t in between):
            return
        claim.unit, claim.kind, claim.metric = last.unit, last.kind, last.metric
        claim.platform = last.platform
        claim.currency = claim.currency or last.currency
        claim.inherited = True
        claim.rules.append("unit-inherited")
