"""What carries from sentence to sentence: who is acting, which record is in focus.

``DiscourseState`` is the one place that holds it; the builder updates it as it reads
and the rules read it. Actors are resolved here: the subject or agent of an action, an
acronym or a generic "the regulator" to the last named one, else the actor in focus,
the one named before, or the headline's.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from models.record import Actor
from pipeline.claims import Claim
from pipeline.nlp import ACTOR_KINDS, Cue
from pipeline.records.context import Context, Mention, clean_name
from pipeline.records.structure import order_before
from pipeline.records.working import WorkingRecord

ATTRIBUTION_VERBS = frozenset({"said", "says", "announced", "reported", "confirmed", "stated"})
# A follow-up sentence refers to the network in focus through one of these near its start.
REFERENCE_NOUNS = frozenset(
    {
        "network",
        "operation",
        "campaign",
        "accounts",
        "pages",
        "groups",
        "channels",
        "group",
        "cluster",
        "operators",
        "profiles",
        "activity",
        "behind",
    }
)
REFERENCE_PRONOUNS = frozenset({"they", "these", "those", "its", "their", "the"})
OTHER_NETWORK = frozenset({"second", "another", "separate", "other", "third", "fourth", "fifth"})
REFERENCE_WINDOW = 8  # tokens at a sentence start where "the network" / "they" is looked for
PENDING_SENTENCES = 3  # "removed a network ..." then, within three sentences, "It consisted of"
PARTS_SENTENCES = 3  # the parts of a combined total follow it within three sentences
GENERIC_ACTOR_NAMES = frozenset(
    {
        "regulator",
        "watchdog",
        "telecom regulator",
        "government",
        "cabinet",
        "ministry",
        "authorities",
        "federal government",
        "court",
        "judge",
    }
)


@dataclass
class DiscourseState:
    """What the text is talking about at the current sentence."""

    sent_index: int = 0
    prev_sent: Span | None = None
    focus: WorkingRecord | None = None  # the record the text is talking about
    focus_actor: Actor | None = None
    # a takedown told without counts ("removed a network of fake accounts"), waiting for
    # the sentence that gives its make-up ("It consisted of 259 accounts ...")
    pending: tuple[Cue, Actor | None, int] | None = None
    pending_sent: Span | None = None
    # a record whose count spans several networks ("3,465 accounts tied to eight
    # operations"); its parts, told in the next sentences, replace it
    combined: WorkingRecord | None = None
    combined_last: int = 0
    records: list[WorkingRecord] = field(default_factory=list)

    def combined_parent(self) -> WorkingRecord | None:
        """The record of a total over several networks, while its parts may still follow."""
        parent = self.combined
        if parent is None or self.sent_index - self.combined_last > PARTS_SENTENCES:
            return None
        return parent

    def pending_takedown(self) -> tuple[Cue, Actor | None, int] | None:
        """A takedown told without counts a few sentences ago, waiting for its make-up."""
        if self.pending is None or self.sent_index - self.pending[2] > PENDING_SENTENCES:
            return None
        return self.pending

    def focus_takedown(self) -> tuple[Cue, Actor | None, int] | None:
        """The record just told, as the takedown a make-up sentence describes ("The blocked
        material included ...")."""
        rec = self.focus
        if rec is None or self.sent_index - rec.last_sentence > PENDING_SENTENCES:
            return None
        cue = Cue("ACTION", rec.action, "record-in-focus", 0, 0)
        return cue, rec.actor, rec.last_sentence


# --------------------------------------------------------------------------- actors


def actor_from_mention(ctx: Context, m: Mention) -> Actor:
    kind = ACTOR_KINDS[m.label]
    if m.label in ("PLATFORM", "COMPANY"):
        return Actor(name=m.id or m.text, kind="platform")  # type: ignore[arg-type]
    name = clean_name(m.text)
    if name in ctx.aliases:
        name = ctx.aliases[name]
    elif m.id and m.id in ctx.aliases:
        name = ctx.aliases[m.id]
    elif name.lower() in GENERIC_ACTOR_NAMES:
        named = _last_named_actor(ctx, m.start, kind)
        if named is not None:
            return named
    return Actor(name=name[:1].upper() + name[1:], kind=kind)  # type: ignore[arg-type]


def _last_named_actor(ctx: Context, before: int, kind: str) -> Actor | None:
    for m in reversed(ctx.mentions):
        if m.start >= before or m.label not in ACTOR_KINDS or ACTOR_KINDS[m.label] != kind:
            continue
        name = clean_name(m.text)
        if name.lower() not in GENERIC_ACTOR_NAMES:
            name = ctx.aliases.get(name, name)
            return Actor(name=name, kind=kind)  # type: ignore[arg-type]
    return None


def _inside_claim(claims: Sequence[Claim], m: Mention) -> bool:
    return any(c.start <= m.start and m.end <= c.end for c in claims)


def actor_for(ctx: Context, cue: Cue, sent: Span, last: Actor | None) -> tuple[Actor | None, str]:
    """The actor of an action: subject before it, 'by X' after it, else the actor in focus."""
    doc = ctx.doc
    order = order_before(ctx, cue, sent)
    if order is not None:
        # "the ministry ordered the telecom authority to cut access": the orderer acted
        givers = [
            m
            for m in ctx.mentions
            if m.label in ACTOR_KINDS
            and sent.start <= m.start < order[0].start
            and not _inside_claim(ctx.claims, m)
        ]
        if givers:
            return actor_from_mention(ctx, givers[-1]), "actor-ordered-intermediary"
    candidates = [
        m
        for m in ctx.mentions
        if m.label in ACTOR_KINDS
        and sent.start <= m.start < cue.start
        and not _inside_claim(ctx.claims, m)
        and not (
            m.start > sent.start
            and doc[m.start - 1].lower_ in ("on", "from", "across", "of", "to", "via")
        )
    ]
    if candidates:
        return actor_from_mention(ctx, candidates[-1]), "actor-subject"
    for m in ctx.mentions:
        if (
            m.label in ACTOR_KINDS
            and cue.end <= m.start < sent.end
            and doc[m.start - 1].lower_ == "by"
        ):
            return actor_from_mention(ctx, m), "actor-passive-agent"
    for m in ctx.mentions:
        # "Nearly 60 million SIMs were deactivated, the telecom commission said."
        if (
            m.label in ACTOR_KINDS
            and cue.end <= m.start < sent.end
            and m.end < sent.end
            and _says(doc, m.end)
            and doc[cue.start - 1].lower_ in ("were", "was", "been", "be")
        ):
            return actor_from_mention(ctx, m), "actor-attribution"
    if last is not None:
        return last, "actor-in-focus"
    earlier = [
        m
        for m in ctx.mentions
        if m.label in ACTOR_KINDS and m.start < sent.start and not _inside_claim(ctx.claims, m)
    ]
    if earlier:
        return actor_from_mention(ctx, earlier[-1]), "actor-previous-sentence"
    if ctx.title_actor is not None:
        return ctx.title_actor, "actor-title"
    return None, "actor-none"


def _says(doc: Doc, i: int) -> bool:
    """Is token i an attribution verb, past an "(NTC)"-style acronym?"""
    if i + 3 < len(doc) and doc[i].text == "(" and doc[i + 2].text == ")":
        i += 3
    return i < len(doc) and doc[i].lower_ in ATTRIBUTION_VERBS
