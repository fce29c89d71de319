"""Cleaned article -> entities, numeric claims and takedown records (the NLP half).

``extract_article`` is the one entry point; the Analyzer (spaCy pipeline, cue
matcher, unit tables) is loaded once per process and passed in.
"""

import functools
import time
from dataclasses import dataclass
from urllib.parse import urlparse

from spacy.tokens import Doc

from models.article import Article, Entity, NumericClaim, Source
from models.record import Actor, TakedownRecord
from pipeline.budget import MAX_TEXT_CHARS, Budget, check_claims, check_records, check_text
from pipeline.claims import Claim, ClaimFinder
from pipeline.nlp import ENTITY_KEY, Analyzer, Cue, entities, iter_spans
from pipeline.records import build_records
from pipeline.records.candidates import Parser, candidate_sentences
from pipeline.records.context import load_lexicon
from pipeline.records.tables import holds_rows

NAME_CACHE = 4096  # distinct headlines, site names and bylines remembered per worker


@dataclass(frozen=True)
class Extraction:
    """What the NLP stages found in one article."""

    entities: list[Entity]
    claims: list[NumericClaim]
    records: list[TakedownRecord]


class Extractor:
    """Holds the loaded Analyzer and ClaimFinder; one per worker process."""

    def __init__(
        self,
        analyzer: Analyzer | None = None,
        parser: Parser | None = None,
        *,
        budget: Budget | None = None,
    ) -> None:
        self.analyzer = analyzer or Analyzer()
        self.parser = parser or Parser()  # parses candidate sentences only
        self.budget = budget or Budget()
        self.claim_finder = ClaimFinder(self.analyzer)
        self.lexicon = load_lexicon(self.analyzer)  # read once, not per page
        self.asset_words = frozenset(self.lexicon.unit_kinds)

    def title_actor(self, title: str | None) -> Actor | None:
        """Headline -> the actor it names first, for agentless sentences in the body."""
        if not title:
            return None
        name = self._named_company(title)
        return Actor(name=name, kind="platform") if name else None

    @functools.lru_cache(maxsize=NAME_CACHE)  # noqa: B019 (one Extractor per worker)
    def _named_company(self, text: str) -> str | None:
        """A short text (headline, site name, byline) -> the platform or company it names
        first; site names and bylines repeat across a batch's pages."""
        for span in iter_spans(self.analyzer.parse(text)):
            if span.label_ in ("PLATFORM", "COMPANY"):
                return str(span.id_ or span.text)
        return None

    def publisher(self, source: Source) -> Actor | None:
        """A platform's or company's own page (its web address or site name) -> that
        organisation, the "we" of a first-person bulletin; None for a news site."""
        host = urlparse(source.url).hostname if source.url else None
        for label in (host or "").split("."):
            name = self.lexicon.actor_names.get(label)
            if name is not None:
                return Actor(name=name, kind="platform")
        for text in (source.site, source.author):  # og:site_name, the byline
            company = self._named_company(text) if text else None
            if company is not None:
                return Actor(name=company, kind="platform")
        return None

    def extract(
        self,
        article: Article,
        *,
        timings: dict[str, float] | None = None,
        input: str | None = None,
    ) -> Extraction:
        """Article (+ the identity of the input it came from, for record ids) -> entities,
        claims and records; raises ExtractError for an article over its budget."""
        check_text(article.text)
        t0 = time.perf_counter()
        doc = self.analyzer.parse(article.text)
        cues = self.analyzer.cues(doc)
        found = self.claim_finder.find(doc)
        check_claims(
            doc,
            sorted(c.start for c in found),
            per_sentence=self.budget.claims_per_sentence,
            per_article=self.budget.claims_per_article,
        )
        ents = entities(doc)
        t1 = time.perf_counter()
        candidates = candidate_sentences(doc, cues, found, self.asset_words)
        parses = self.parser.parse(candidates)
        t_parse = time.perf_counter()
        records: list[TakedownRecord] = []
        if candidates or _may_hold_uncounted(doc, cues, article.text):
            acting = any(c.label == "ACTION" for c in cues)
            records = build_records(
                doc,
                cues=cues,
                claims=found,
                source=article.source,
                lexicon=self.lexicon,
                # the headline is read only when the body has a takedown verb to give it to
                title_actor=self.title_actor(article.source.title) if acting else None,
                publisher=self.publisher(article.source) if acting else None,
                text=article.text,
                parses=parses,
                input=input or "",
                max_records=self.budget.records_per_article,
            )
        check_records(len(records), limit=self.budget.records_per_article)
        t2 = time.perf_counter()
        if timings is not None:
            timings["nlp"] = timings.get("nlp", 0.0) + (t1 - t0)
            timings["parse"] = timings.get("parse", 0.0) + (t_parse - t1)
            timings["records"] = timings.get("records", 0.0) + (t2 - t_parse)
        return Extraction(ents, [_claim_model(doc, c) for c in found], records)


def _may_hold_uncounted(doc: Doc, cues: list[Cue], text: str) -> bool:
    """Can an article whose sentences give the parser nothing still hold a record: an app
    banned by name ("the cabinet banned TikTok"), or table rows under a takedown verb?"""
    if not any(c.label == "ACTION" for c in cues):
        return False
    return holds_rows(text) or any(s.label_ == "PLATFORM" for s in doc.spans.get(ENTITY_KEY, []))


def _claim_model(doc, c: Claim) -> NumericClaim:  # type: ignore[no-untyped-def]
    start, end = c.char_span(doc)
    return NumericClaim(
        value=c.value,
        unit=c.unit,
        kind=c.kind or c.metric,
        platform=c.platform,
        currency=c.currency,
        qualifier=c.qualifier,
        approximate=c.approximate,
        text=c.text(doc),
        start=start,
        end=end,
    )


__all__ = ["MAX_TEXT_CHARS", "Extraction", "Extractor"]
