"""Article text -> spaCy Doc with entities and cue matches, from pattern data files.

The pipeline is ``spacy.blank("en")`` plus rule components only: a sentencizer
that also breaks at paragraph ends, one span ruler for named things
(platforms, companies, regulators, ministries, courts, police, research
groups, operators, languages, reasons), one for countries (pycountry names plus
``country_aliases.jsonl``), and a Matcher for action and cue words
(``cues.jsonl``). Patterns are data; a bad pattern fails at load time.
"""

import json
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pycountry
import spacy
import srsly
from spacy.attrs import IS_PUNCT, IS_SPACE, ORTH, SENT_START
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span, SpanGroup

from models.article import Entity
from pipeline.data import PATTERNS_DIR
from pipeline.errors import ExtractError
from pipeline.lexmatch import LexicalMatcher, PatternError

ENTITY_FILES = ("entities.jsonl", "reasons.jsonl", "languages.jsonl")
ENTITY_KEY = "things"  # doc.spans key of the named-thing ruler (phrase patterns)
TOKEN_KEY = "things_tok"  # doc.spans key of the named-thing token patterns
COUNTRY_KEY = "countries"  # doc.spans key of the country ruler
# Entity labels of things that act, and the actor kind each one is.
ACTOR_KINDS = {
    "PLATFORM": "platform",
    "COMPANY": "platform",
    "REGULATOR": "regulator",
    "GOVERNMENT": "government",
    "COURT": "court",
    "POLICE": "police",
}
ACTOR_LABELS = frozenset(ACTOR_KINDS)
NAMED_BODIES = ACTOR_LABELS | {"RESEARCH", "OPERATOR"}  # names whose words are no cues


# spaCy's Sentencizer rule, on the doc's arrays: a sentence starts at the first token after
# one of these that is not punctuation itself (closing quotes and brackets stay behind).
SENTENCE_ENDS = (".", "!", "?", "…", "۔", "؟", "।", "॥", "。", "！", "？")


@Language.component("sentence_breaks")
def sentence_breaks(doc: Doc) -> Doc:
    """Doc -> Doc with sentence starts after sentence-final punctuation and after every
    newline (headings, bullets and table rows are sentences of their own).

    The same boundaries as spaCy's Sentencizer plus paragraph ends, found from the token
    arrays: building a Token per word was a fifth of the NLP time."""
    if len(doc) == 0:
        return doc
    arrays = doc.to_array([ORTH, IS_PUNCT, IS_SPACE])
    orth, punct, space = arrays[:, 0], arrays[:, 1], arrays[:, 2]
    strings = doc.vocab.strings
    ends = np.isin(orth, [strings.add(e) for e in SENTENCE_ENDS])
    starts = {0}
    for i in np.nonzero(ends)[0].tolist():
        j = i + 1
        while j < len(doc) and (punct[j] or ends[j]):
            j += 1
        if j < len(doc):
            starts.add(j)
    for i in np.nonzero(space)[0].tolist():
        if i + 1 < len(doc) and "\n" in strings[int(orth[i])]:
            starts.add(i + 1)
    flags = np.full(len(doc), -1, dtype=np.int32)  # SENT_START: 1 starts, -1 does not
    flags[sorted(starts)] = 1
    doc.from_array([SENT_START], flags.reshape(-1, 1).astype(np.uint64))  # type: ignore[arg-type]
    return doc


class LexicalRuler:
    """spaCy component: token patterns of named things, matched by LexicalMatcher."""

    def __init__(self, vocab, rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
        self.matcher = LexicalMatcher(vocab)
        self.meta: dict[str, tuple[str, str]] = {}
        for n, row in enumerate(rows):
            key = f"{row['label']}#{n}"
            self.meta[key] = (row["label"], row.get("id") or "")
            try:
                self.matcher.add(key, row["pattern"])
            except (PatternError, ValueError) as exc:
                raise ExtractError("extract.patterns", f"bad pattern {row}: {exc}") from exc

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for key, start, end in self.matcher(doc):
            label, id_ = self.meta[key]
            spans.append(Span(doc, start, end, label=label, span_id=id_))
        doc.spans[TOKEN_KEY] = SpanGroup(doc, name=TOKEN_KEY, spans=spans)
        return doc


@lru_cache(maxsize=1)
def _alias_names() -> dict[str, str]:
    return {
        row["code"]: row["names"][0]
        for row in srsly.read_jsonl(PATTERNS_DIR / "country_aliases.jsonl")
        if row["names"]
    }


def country_name(code: str) -> str:
    """ISO alpha-2 -> the name newsrooms use ('Russia', not 'Russian Federation')."""
    if code in _alias_names():
        return _alias_names()[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def _country_patterns() -> list[dict]:
    """pycountry names plus our aliases and demonyms -> phrase patterns with ISO codes as ids."""
    patterns: list[dict] = []
    for country in pycountry.countries:
        names = {country.name, getattr(country, "common_name", None)}
        official = getattr(country, "official_name", None)
        if official and "," not in official:
            names.add(official)
        for name in names:
            if name and "," not in name:
                patterns.append({"label": "COUNTRY", "pattern": name, "id": country.alpha_2})
    for row in srsly.read_jsonl(PATTERNS_DIR / "country_aliases.jsonl"):
        for name in row["names"]:
            patterns.append({"label": "COUNTRY", "pattern": name, "id": row["code"]})
        for name in row["demonyms"]:
            patterns.append({"label": "DEMONYM", "pattern": name, "id": row["code"]})
    return patterns


def load_nlp(patterns_dir: Path = PATTERNS_DIR) -> Language:
    """patterns dir -> blank English pipeline with the rulers; raises ExtractError on a bad pattern."""
    nlp = spacy.blank("en")
    # URL and emoticon matching run on every token and cost a quarter of tokenizing; a URL
    # splits into pieces instead, which no rule reads (measured: 4.9 -> 3.7 ms per page)
    tokenizer = nlp.tokenizer
    assert isinstance(tokenizer, Tokenizer)
    tokenizer.url_match = None
    tokenizer.token_match = None
    # The special cases for "\n", "\t" and " " send every whitespace run down the slow
    # special-case path; the tokenizer makes whitespace runs tokens of their own anyway.
    # Dropping them left the tokens of all 88 aeb-dev pages unchanged and cut the
    # tokenizer's time from 3.4 to 2.7 ms per page.
    tokenizer.rules = {k: v for k, v in tokenizer.rules.items() if k.strip()}
    try:
        rows = list(entity_rows(patterns_dir))
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        raise ExtractError("extract.patterns", f"bad pattern file: {exc}") from exc
    # "... posted on X.": a platform named by one capital letter keeps its full stop apart
    # (the English suffix rules leave a capital letter's full stop on it, as in "J. Smith")
    for row in rows:
        name = row["pattern"]
        if row["label"] == "PLATFORM" and isinstance(name, str) and len(name) == 1:
            tokenizer.add_special_case(f"{name}.", [{"ORTH": name}, {"ORTH": "."}])
    nlp.add_pipe("sentence_breaks")
    things = nlp.add_pipe(
        "span_ruler", name="things", config={"spans_key": ENTITY_KEY, "validate": True}
    )
    countries = nlp.add_pipe(
        "span_ruler", name="countries", config={"spans_key": COUNTRY_KEY, "validate": True}
    )
    try:
        phrases = [row for row in rows if isinstance(row["pattern"], str)]
        things.add_patterns(phrases)  # type: ignore[attr-defined]
        countries.add_patterns(_country_patterns())  # type: ignore[attr-defined]
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        raise ExtractError("extract.patterns", f"bad pattern file: {exc}") from exc
    nlp.add_pipe("lexical_things", after="things", config={"patterns_dir": str(patterns_dir)})
    return nlp


def entity_rows(patterns_dir: Path = PATTERNS_DIR, *, raw: bool = False) -> Iterator[dict]:
    """The named-thing pattern rows; ``raw`` keeps the keys that are ours, not spaCy's
    (``rule``, and ``country`` for agencies: the country whose agency it is)."""
    for name in ENTITY_FILES:
        for row in srsly.read_jsonl(patterns_dir / name):
            row = dict(row)
            if not raw:
                row.pop("rule", None)
                row.pop("country", None)
            yield row


@Language.factory("lexical_things", default_config={"patterns_dir": str(PATTERNS_DIR)})
def make_lexical_things(nlp: Language, name: str, patterns_dir: str) -> "LexicalRuler":
    """The token patterns of the entity files, as a pipeline component."""
    rows = [r for r in entity_rows(Path(patterns_dir)) if not isinstance(r["pattern"], str)]
    return LexicalRuler(nlp.vocab, rows)


@dataclass(frozen=True)
class Cue:
    """A matched cue: label (ACTION, MODAL, ...), value (removed, denial, ...), rule id."""

    label: str
    value: str
    rule: str
    start: int  # token offsets
    end: int
    passive: bool = False  # passive in meaning: the subject is what is taken down ("lost")
    part: bool = False  # made by the rules: a part of a takedown told before ("It had ...")


class Analyzer:
    """Holds the loaded pipeline, cue matcher and unit tables; one per worker process."""

    def __init__(self, patterns_dir: Path = PATTERNS_DIR) -> None:
        self.patterns_dir = patterns_dir
        self.nlp = load_nlp(patterns_dir)
        self.matcher = LexicalMatcher(self.nlp.vocab)
        self._cue_meta: dict[str, tuple[str, str, str, bool]] = {}
        for n, row in enumerate(srsly.read_jsonl(patterns_dir / "cues.jsonl")):
            key = f"{row['rule']}#{n}"
            self._cue_meta[key] = (row["label"], row["id"], row["rule"], row.get("passive", False))
            try:
                self.matcher.add(key, row["pattern"])
            except (PatternError, ValueError) as exc:
                raise ExtractError("extract.patterns", f"cues.jsonl line {n + 1}: {exc}") from exc
        units = json.loads((patterns_dir / "units.json").read_text())
        self.asset_units: dict[tuple[str, ...], str] = {
            tuple(form.split()): kind for kind, forms in units["asset"].items() for form in forms
        }
        self.reach_units: dict[str, str] = {
            form: metric for metric, forms in units["reach"].items() for form in forms
        }
        self.non_target_kinds = frozenset(units["non_target_kinds"])

    @property
    def platform_names(self) -> frozenset[str]:
        """Canonical names of the platforms in entities.jsonl ("Facebook", "Telegram")."""
        return frozenset(
            row["id"] for row in entity_rows(self.patterns_dir) if row["label"] == "PLATFORM"
        )

    def parse(self, text: str) -> Doc:
        """Text -> Doc with sentences and entity spans."""
        return self.nlp(text)

    def cues(self, doc: Doc) -> list[Cue]:
        """Doc -> cue matches, longest first where they overlap, in text order."""
        found = []
        for key, start, end in self.matcher(doc):
            label, value, rule, passive = self._cue_meta[key]
            found.append(Cue(label, value, rule, start, end, passive))
        # keep the longest of overlapping matches of the same label
        found.sort(key=lambda c: (c.start, -(c.end - c.start)))
        # a cue word inside a name is part of the name: "Threat Analysis Group"
        named = (
            [
                (s.start, s.end)
                for s in iter_spans(doc)
                if s.label_ in NAMED_BODIES and s.end - s.start > 1
            ]
            if found
            else []
        )
        kept: list[Cue] = []
        label_end: dict[str, int] = {}  # the furthest end of a kept cue of each label
        inside = Covering(named)
        for cue in found:
            # sorted by start: a cue overlaps a kept one of its label iff it starts before
            # the furthest end among them
            if cue.start < label_end.get(cue.label, -1) or inside.covers(cue.start, cue.end):
                continue
            kept.append(cue)
            label_end[cue.label] = max(label_end.get(cue.label, -1), cue.end)
        return kept


class Covering:
    """Spans sorted by start -> is a range inside one of them? (in log time)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = sorted(spans)
        self.starts = [a for a, _ in self.spans]
        # the furthest end among the spans that start at or before each one
        self.reach: list[int] = []
        for _, b in self.spans:
            self.reach.append(max(b, self.reach[-1]) if self.reach else b)

    def covers(self, start: int, end: int) -> bool:
        k = bisect_right(self.starts, start) - 1
        return k >= 0 and self.reach[k] >= end


def _family(label: str) -> str:
    """Overlaps are resolved within a family: a reason phrase may sit inside an actor's name."""
    if label in ("COUNTRY", "DEMONYM"):
        return "country"
    if label in ("REASON", "LANGUAGE"):
        return label
    return "thing"


def iter_spans(doc: Doc) -> Iterator[Span]:
    """Doc -> named-thing and country spans, overlaps resolved longest-first, in text order."""
    spans = [
        *doc.spans.get(ENTITY_KEY, []),
        *doc.spans.get(TOKEN_KEY, []),
        *doc.spans.get(COUNTRY_KEY, []),
    ]
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    taken: list[Span] = []
    family_end: dict[str, int] = {}  # the furthest end of a taken span of each family
    for span in spans:
        family = _family(span.label_)
        # sorted by start: a span overlaps a taken one of its family iff it starts before
        # the furthest end among them
        if span.start < family_end.get(family, -1):
            continue
        taken.append(span)
        family_end[family] = max(family_end.get(family, -1), span.end)
    yield from taken


def entities(doc: Doc) -> list[Entity]:
    """Doc -> the Entity models written to articles.jsonl."""
    out = []
    for span in iter_spans(doc):
        label = "COUNTRY" if span.label_ == "DEMONYM" else span.label_
        out.append(
            Entity(
                label=label,
                text=span.text,
                start=span.start_char,
                end=span.end_char,
                id=span.id_ or None,
                rule=span.id_ or span.label_.lower(),
            )
        )
    return out
