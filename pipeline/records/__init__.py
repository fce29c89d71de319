"""The record stage: entities, cues and claims of one article -> takedown records.

Modules follow the steps of reading an article:

- ``context``: what the rules read (the Doc, cues, claims, named mentions);
- ``structure``: how each sentence is built (which verb governs which count);
- ``discourse``: what carries across sentences (the actor and record in focus);
- ``roles``, ``periods``, ``attach``, ``tables``: countries, dates and what else a
  sentence tells about a record;
- ``assembly`` and ``merge``: records made, repeats merged;
- ``working``: the record being built and its freezing into the contract.
"""

from spacy.tokens import Doc

from models.article import Source
from models.record import Actor, TakedownRecord
from pipeline.claims import Claim
from pipeline.nlp import Cue
from pipeline.records.assembly import RecordBuilder
from pipeline.records.candidates import Parses
from pipeline.records.context import Context, Lexicon, acronyms, mentions_of
from pipeline.records.working import freeze

__all__ = ["build_records"]


def build_records(
    doc: Doc,
    *,
    cues: list[Cue],
    claims: list[Claim],
    source: Source,
    lexicon: Lexicon,
    title_actor: Actor | None = None,
    publisher: Actor | None = None,
    text: str | None = None,
    parses: Parses | None = None,
    input: str = "",
    max_records: int | None = None,
) -> list[TakedownRecord]:
    """Doc + cues + claims + source (+ the identity of the input, for record ids) ->
    validated takedown records (possibly none)."""
    if not any(c.label == "ACTION" for c in cues):
        return []  # every record needs a takedown verb somewhere in the article
    mentions = mentions_of(doc)
    ctx = Context(
        doc=doc,
        cues=cues,
        claims=claims,
        mentions=mentions,
        published=source.published,
        title_actor=title_actor,
        lexicon=lexicon,
        publisher=publisher,
        text=doc.text if text is None else text,  # the caller's string: doc.text rebuilds it
        aliases=acronyms(doc, mentions),
        parses=parses or Parses(),
    )
    if max_records is not None:
        ctx.max_records = max_records
    working = RecordBuilder(ctx).run()
    working.sort(key=lambda r: r.first_token)
    return [freeze(doc, rec, source, ctx.text, lexicon.platforms, input) for rec in working]
