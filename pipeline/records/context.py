"""What the record rules read about one article: its Doc, cues, claims and mentions.

``Context`` is built once per article by ``records.build_records``; the helpers here look
things up in it by token range (cue and claim lists are sorted, so lookups bisect).
"""

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pycountry
import srsly
from spacy.tokens import Doc, Span

from models.record import Actor
from pipeline.budget import MAX_RECORDS_PER_ARTICLE
from pipeline.claims import Claim
from pipeline.nlp import ACTOR_LABELS, Analyzer, Covering, Cue, entity_rows, iter_spans
from pipeline.records.candidates import Parses
from pipeline.records.periods import find_period, strip_dateline


@dataclass(frozen=True)
class Lexicon:
    """Word tables the record rules read, built once per process from pipeline/patterns."""

    non_target_kinds: frozenset[str] = frozenset()  # "network", "asset": totals, not targets
    unit_words: frozenset[str] = frozenset()  # every word of an asset unit
    unit_kinds: dict[str, str] = field(default_factory=dict)  # "channels" -> "channel"
    platforms: frozenset[str] = frozenset()  # canonical platform names
    # head noun of a description -> (actor kind, modifier it needs): "the company", "the
    # social network" (references.jsonl)
    references: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    # lower-cased names of platforms and companies -> canonical name ("fb" -> "Facebook"),
    # to know a publisher from its web address
    actor_names: dict[str, str] = field(default_factory=dict)
    agency_countries: dict[str, str] = field(default_factory=dict)  # "PTA" -> "PK"
    # first-level regions and large cities of one country, as lower-cased words -> ISO
    # code: "in Colima", a "NEW DELHI:" dateline tell which country an article is about
    # (pycountry's subdivisions; capitals and cities of a million from GeoNames, cities.jsonl)
    places: dict[tuple[str, ...], str] = field(default_factory=dict)
    # country names and demonyms as lower-cased words -> ISO code ("malaysian" -> "MY")
    country_words: dict[tuple[str, ...], str] = field(default_factory=dict)


def load_lexicon(analyzer: Analyzer) -> Lexicon:
    """The loaded Analyzer's tables and the pattern files -> the rules' Lexicon."""
    units = analyzer.asset_units
    rows = list(entity_rows(analyzer.patterns_dir, raw=True))
    references = {
        row["noun"]: (row["kind"], row.get("modifier"))
        for row in srsly.read_jsonl(analyzer.patterns_dir / "references.jsonl")
    }
    return Lexicon(
        non_target_kinds=analyzer.non_target_kinds,
        unit_words=frozenset(w for words in units for w in words),
        unit_kinds={words[0]: kind for words, kind in units.items() if len(words) == 1},
        platforms=analyzer.platform_names,
        references=references,
        actor_names={
            row["pattern"].lower(): row.get("id") or row["pattern"]
            for row in rows
            if row["label"] in ("PLATFORM", "COMPANY") and isinstance(row["pattern"], str)
        },
        agency_countries={row["id"]: row["country"] for row in rows if row.get("country")},
        places=_places(analyzer.patterns_dir),
        country_words=_country_words(analyzer.patterns_dir),
    )


def _country_words(patterns_dir: Path) -> dict[tuple[str, ...], str]:
    words = {tuple(c.name.lower().split()): c.alpha_2 for c in pycountry.countries}
    for row in srsly.read_jsonl(patterns_dir / "country_aliases.jsonl"):
        for name in [*row["names"], *row["demonyms"]]:
            words[tuple(name.lower().split())] = row["code"]
    return words


# Subdivision types too small or too often a common word to name an article's country.
MINOR_PLACE_TYPES = frozenset(
    {"Municipality", "District", "County", "Parish", "Local council", "Rayon", "City", "Canton"}
)
MIN_PLACE_NAME = 5  # shorter names of regions are often words ("Meta", "Pool", "East")


def _places(patterns_dir: Path) -> dict[tuple[str, ...], str]:
    """pycountry's first-level regions named in one country only, not a country name, and
    the cities of cities.jsonl."""
    countries: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        if getattr(sub, "parent_code", None) or sub.type in MINOR_PLACE_TYPES:
            continue
        if len(sub.name) >= MIN_PLACE_NAME and "," not in sub.name:
            countries.setdefault(sub.name, set()).add(sub.country_code)
    names = {c.name.lower() for c in pycountry.countries}
    places = {
        tuple(name.lower().split()): codes.pop()
        for name, codes in countries.items()
        if len(codes) == 1 and name.lower() not in names
    }
    for row in srsly.read_jsonl(patterns_dir / "cities.jsonl"):
        places.setdefault(tuple(row["name"].lower().split()), row["code"])
    return places


MAX_CUE_TOKENS = 8
# the longest name a mention holds ("Ministry of Communication and Information Technology
# of the Republic of ..."): how far back a token's covering mention may start
MAX_MENTION_TOKENS = 24
# a word that is several cues ("reported": a finding and an attribution) reads as a verb first
CUE_PRECEDENCE = {
    "ACTION": 0,
    "COMPOSE": 1,
    "NONACTION": 2,
    "REACH": 3,
    "ATTRIBUTION": 4,
}  # the longest cue pattern ("over the past 12 months") is shorter


@dataclass
class Mention:
    """A named thing in the doc (token offsets, label, normalized id)."""

    label: str
    text: str
    id: str | None
    start: int
    end: int


@dataclass
class Context:
    """Everything about one doc that the record rules read."""

    doc: Doc
    cues: list[Cue]
    claims: list[Claim]
    mentions: list[Mention]
    published: date | None
    title_actor: Actor | None
    lexicon: Lexicon
    publisher: Actor | None = None  # the organisation whose own page this is ("we")
    aliases: dict[str, str] = field(default_factory=dict)  # acronym -> full name
    default_period: str | None = None
    default_reason: tuple[str, str] | None = None
    heading_period: str | None = None
    text: str = ""  # doc.text, built once: spaCy joins every token on each access
    parses: Parses = field(default_factory=Parses)  # trained parse of candidate sentences
    max_records: int = MAX_RECORDS_PER_ARTICLE  # the page's budget (pipeline.budget)
    _starts: list[int] = field(default_factory=list, init=False, repr=False)
    _claimed: Covering = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._starts = [m.start for m in self.mentions]  # mentions come in text order
        self._claimed = Covering([(c.start, c.end) for c in self.claims])

    def in_claim(self, start: int, end: int) -> bool:
        """Are tokens [start, end) inside a numeric claim ("53 Facebook accounts")?"""
        return self._claimed.covers(start, end)

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        """Mentions that start in tokens [start, end), in text order (a bisect, not a scan:
        the rules ask per sentence, and a scan per sentence makes a long page quadratic)."""
        return self.mentions[bisect_left(self._starts, start) : bisect_left(self._starts, end)]

    def last_mention_before(self, token: int, labels: Sequence[str]) -> Mention | None:
        """The last mention of these labels that ends at or before a token."""
        for k in range(bisect_left(self._starts, token) - 1, -1, -1):
            m = self.mentions[k]
            if m.label in labels and m.end <= token:
                return m
        return None

    def mentions_at(self, token: int) -> list[Mention]:
        """Mentions that cover a token."""
        near = self.mentions_in(token - MAX_MENTION_TOKENS, token + 1)
        return [m for m in near if m.start <= token < m.end]

    def cue_at(self, token: int, labels: frozenset[str] | None = None) -> Cue | None:
        """The cue covering a token (of these labels), if any; verb cues come first."""
        lo = bisect_left(self.cues, token - MAX_CUE_TOKENS, key=lambda c: c.start)
        found = []
        for c in self.cues[lo:]:
            if c.start > token:
                break
            if c.start <= token < c.end and (labels is None or c.label in labels):
                found.append(c)
        return min(found, key=lambda c: CUE_PRECEDENCE.get(c.label, 9)) if found else None

    def text_of(self, span: Span) -> str:
        """A span's text, sliced from the article string (span.text joins its tokens)."""
        return self.text[span.start_char : span.end_char]

    def period_in(self, start: int, end: int) -> str | None:
        """The period named in tokens [start, end), the story's dateline left out."""
        span = self.doc[start:end]
        text = self.text_of(span)
        if span.start_char == 0:
            text = strip_dateline(text)
        return find_period(text, self.published)


def mentions_of(doc: Doc) -> list[Mention]:
    return [Mention(s.label_, s.text, s.id_ or None, s.start, s.end) for s in iter_spans(doc)]


def acronyms(doc: Doc, mentions: Sequence[Mention]) -> dict[str, str]:
    """'Pakistan Telecommunication Authority (PTA)' -> {'PTA': 'Pakistan Telecommunication Authority'}."""
    aliases: dict[str, str] = {}
    for m in mentions:
        if m.label not in ACTOR_LABELS or m.end + 2 >= len(doc):
            continue
        # one token in brackets, in any case: "(PTA)", "(MeitY)"
        if doc[m.end].text == "(" and doc[m.end + 2].text == ")":
            aliases[doc[m.end + 1].text] = clean_name(m.text)
    # "The Telecommunication Authority has blocked ..." where the article also says "PTA":
    # a name whose initials end an acronym of the same kind is that acronym's body
    shorts = {m.id: m.label for m in mentions if m.id and m.id.isupper() and len(m.id) >= 2}
    for m in mentions:
        name = clean_name(m.text)
        words = [w for w in name.split() if w[:1].isupper()]
        if m.id or len(words) < 2 or m.label not in ACTOR_LABELS or name in aliases.values():
            continue
        initials = "".join(w[0] for w in words).upper()
        for short, label in shorts.items():
            if label == m.label and short != initials and short.endswith(initials):
                aliases.setdefault(name, short)
    return aliases


def clean_name(text: str) -> str:
    text = re.sub(r"^(?:the|a|an)\s+", "", text.strip(), flags=re.I)
    return text.strip(" ,")


def cues_in(cues: Sequence[Cue], start: int, end: int, labels: set[str]) -> list[Cue]:
    """Cues (sorted by start, as Analyzer.cues returns them) of these labels in [start, end)."""
    lo = bisect_left(cues, start, key=lambda c: c.start)
    out = []
    for c in cues[lo:]:
        if c.start >= end:
            break
        if c.label in labels:
            out.append(c)
    return out


def claims_in(claims: Sequence[Claim], start: int, end: int) -> list[Claim]:
    """Claims (in text order) whose number starts in tokens [start, end)."""
    lo = bisect_left(claims, start, key=lambda c: c.num_start)
    out = []
    for c in claims[lo:]:
        if c.num_start >= end:
            break
        out.append(c)
    return out
