"""What a sentence adds to a record: reach, languages, investigators, reason, countries.

Each function reads one sentence (or token range) of the context and adds to the working
record it is given; none of them decides which record a sentence is about.
"""

from spacy.tokens import Span

from models.record import Actor
from pipeline.claims import Claim
from pipeline.nlp import Cue, country_name
from pipeline.records.context import Context, claims_in, cues_in
from pipeline.records.roles import AGENCY_LABELS, WEAK_COUNTRY_RULES, is_domestic
from pipeline.records.working import WorkingRecord
from pipeline.words import words

LANGUAGE_NOUNS = words("language_nouns")
AD_WORDS = words("ad_words")
INVESTIGATION_WORDS = words("investigation_words")


def reach_metric(ctx: Context, claim: Claim, sent: Span) -> str | None:
    doc = ctx.doc
    after = cues_in(ctx.cues, claim.end, min(sent.end, claim.end + 6), {"REACH"})
    before = cues_in(ctx.cues, max(sent.start, claim.start - 4), claim.start, {"REACH"})
    if claim.metric == "money" or claim.currency:
        words = {t.lower_ for t in sent}
        if words & AD_WORDS:
            return "ad_spend"
        return None
    if claim.metric == "percent":
        return None
    if after:
        value = after[0].value
        if value == "group_members" and not any(t.lower_ in ("group", "groups") for t in sent):
            return "members"
        return value
    if before and before[-1].value == "ad_spend":
        return None
    if claim.metric in ("followers", "group_members"):
        return claim.metric
    if claim.metric == "users" and any(
        t.lower_ in ("group", "groups") for t in doc[claim.end : sent.end]
    ):
        return "group_members"
    return None


def reach_in(ctx: Context, rec: WorkingRecord, sent: Span, start: int, end: int) -> None:
    for claim in claims_in(ctx.claims, start, end):
        if not (start <= claim.start < end) or claim in rec.targets or claim is rec.total:
            continue
        metric = reach_metric(ctx, claim, sent)
        if metric and claim not in rec.reach:
            rec.reach.append(claim)
            rec.reach_metrics.append(metric)
            rec.add_rule(f"reach-{metric}")


def languages_in(ctx: Context, rec: WorkingRecord, sent: Span) -> None:
    """'posted in Urdu, Hindi and English', 'Arabic-language Pages' -> languages.

    A language name only counts after "in" (or in a list that began so) or before
    "language": "Turkish authorities" and "Russian accounts" are not languages."""
    doc = ctx.doc
    listed = False
    last_end = -1
    for m in ctx.mentions_in(sent.start, sent.end):
        if m.label != "LANGUAGE" or not m.id:
            continue
        prev = doc[m.start - 1].lower_ if m.start > sent.start else ""
        nxt = doc[m.end].lower_ if m.end < sent.end else ""
        nxt2 = doc[m.end + 1].lower_ if m.end + 1 < sent.end else ""
        in_list = listed and all(t.lower_ in (",", "and", "or") for t in doc[last_end : m.start])
        named = prev == "in" or nxt in LANGUAGE_NOUNS or (nxt == "-" and nxt2 in LANGUAGE_NOUNS)
        listed = named or in_list
        last_end = m.end
        if listed and m.id not in rec.languages:
            rec.languages.append(m.id)
            rec.add_rule("language-in-context")


def investigators_in(ctx: Context, rec: WorkingRecord, sent: Span) -> None:
    words = {t.lower_ for t in sent}
    # "removed after a tip from the FBI": the police investigate what a platform removes
    labels = {"RESEARCH", "POLICE"} if rec.actor and rec.actor.kind == "platform" else {"RESEARCH"}
    for m in ctx.mentions_in(sent.start, sent.end):
        if m.label in labels and words & INVESTIGATION_WORDS:
            name = m.id or m.text
            if not any(name == known or known.endswith(" " + name) for known in rec.investigators):
                rec.investigators.append(name)
                rec.add_rule("investigator")


def reason_in(ctx: Context, start: int, end: int) -> tuple[str, str] | None:
    for m in ctx.mentions_in(start, end):
        if m.label == "REASON" and m.id:
            return m.id, m.text
    return None


def stated_reason(ctx: Context, sent: Span) -> tuple[str, str] | None:
    """A reason a later sentence gives for a takedown: after "for", "against", "on", "over"
    or "under" ("removed for coordinated inauthentic behaviour", "its rules on platform
    manipulation"), not a word that describes something else ("a separatist insurgency")."""
    doc = ctx.doc
    for m in ctx.mentions_in(sent.start, sent.end):
        if m.label != "REASON" or not m.id:
            continue
        before = {t.lower_ for t in doc[max(sent.start, m.start - REASON_REACH) : m.start]}
        if before & REASON_PREPOSITIONS:
            return m.id, m.text
    return None


def domestic(ctx: Context, rec: WorkingRecord, span: Span) -> None:
    if is_domestic(ctx.doc, span.start, span.end):
        for (code, role), name in list(rec.countries.items()):
            if role == "origin":
                rec.add_country(code, name, "target")
                rec.add_rule("country-domestic")


def add_countries(rec: WorkingRecord, found: list[tuple[str, str, str, str]]) -> None:
    for code, name, role, rule in found:
        rec.add_country(code, name, role, weak=rule in WEAK_COUNTRY_RULES)
        rec.add_rule(rule)


def actor_country(ctx: Context, sent: Span, cue: Cue) -> list[tuple[str, str, str, str]]:
    """'The Indian government has blocked ...': a government's own country is where its
    block applies."""
    actors = [m for m in ctx.mentions_in(sent.start, cue.start) if m.label in AGENCY_LABELS]
    out = []
    doc = ctx.doc
    for m in ctx.mentions_in(sent.start, cue.start) if actors else []:
        if m.label not in ("COUNTRY", "DEMONYM") or not m.id:
            continue
        for a in actors:
            if a.start <= m.start and m.end <= a.end:
                out.append((m.id, country_name(m.id), "location", "country-location-actor"))
                break
            # "India's IT ministry", "the Indian IT ministry": the country just before it
            between = [t.lower_ for t in doc[m.end : a.start]]
            if between in ([], ["'s"], ["’s"]) and m.end <= a.start:
                out.append((m.id, country_name(m.id), "location", "country-location-actor-of"))
                break
    return out


def ordered_by_government(ctx: Context, sent: Span) -> bool:
    """'after the government ordered it to act': a legal order is the stated reason."""
    for order in cues_in(ctx.cues, sent.start, sent.end, {"ORDER"}):
        if any(
            m.label in ("GOVERNMENT", "REGULATOR", "COURT") and 0 <= order.start - m.end <= 2
            for m in ctx.mentions_in(sent.start, order.start)
        ):
            return True
    return False


REASON_PREPOSITIONS = words("reason_prepositions")
REASON_REACH = 3  # "for violating its", "its policy against"
MAX_COUNTRY_WORDS = 4  # "Democratic Republic of the Congo"


def country_of_actor(ctx: Context, actor: Actor | None) -> str | None:
    """A government body's own country, as its name or our agency list tells it:
    "Pakistan Telecommunication Authority", "Malaysian Communications ... Commission",
    "MeitY"."""
    if actor is None or actor.kind == "platform":
        return None
    known = ctx.lexicon.agency_countries
    if actor.name in known:
        return known[actor.name]
    for short, long in ctx.aliases.items():  # "Ministry of ... Technology (MeitY)"
        if long == actor.name and short in known:
            return known[short]
    words = actor.name.lower().replace("'s", "").split()
    for i in range(len(words)):
        for n in range(MAX_COUNTRY_WORDS, 0, -1):
            code = ctx.lexicon.country_words.get(tuple(words[i : i + n]))
            if code is not None:
                return code
    return None
