"""Entities, cues and claims of one article -> takedown records.

Reading order, as an analyst reads a report:

1. In each sentence, every asset count ("453 Facebook accounts") is tied to the
   verb that governs it: the nearest action or non-action verb before it, or a
   passive action right after it ("95 channels were terminated").
2. Counts governed by an action that is not negated, threatened, demanded,
   refused, questioned or cumulative ("since 2010 ... has blocked") are takedown
   targets. Targets are split into networks where a kind repeats, the
   governing verb changes, or a country/operator phrase closes one list.
3. Each network becomes a record: actor (subject of the verb, "by X", or the
   actor in focus), countries with roles from their cue words, operator,
   reason, period, and a total when a breakdown follows a stated total.
4. Sentences with no takedown of their own (reach, languages, investigators,
   origins) add to the record they refer to. The same network mentioned twice
   is merged into one record with two evidence spans.

Every record lists the ids of the rules that produced it (``rules``).
"""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from models.article import Source
from models.record import (
    Actor,
    Country,
    Evidence,
    Reach,
    Reason,
    TakedownRecord,
    Target,
    Total,
)
from pipeline.claims import Claim
from pipeline.context import (
    Context,
    Mention,
    acronyms,
    claims_in,
    clean_name,
    cues_in,
    mentions_of,
)
from pipeline.nlp import Cue, country_name
from pipeline.periods import find_period, heading_period
from pipeline.roles import (
    DOMESTIC,
    GEOGRAPHIC_ACTIONS,
    WEAK_COUNTRY_RULES,
    countries_in,
    operator_in,
)

ACTOR_KINDS = {
    "PLATFORM": "platform",
    "COMPANY": "platform",
    "REGULATOR": "regulator",
    "GOVERNMENT": "government",
    "COURT": "court",
    "POLICE": "police",
}
# The platform a count belongs to when only the actor is named (DESIGN.md, targets[].platform):
# a company's main platform for each kind; a platform actor ("Telegram", "Discord") is its own.
COMPANY_PLATFORMS = {
    "Meta": {"*": "Facebook"},
    "Google": {"channel": "YouTube", "video": "YouTube", "blog": "Blogger", "*": "Google"},
    "X Corp": {"*": "X"},
    "ByteDance": {"*": "TikTok"},
}
# A platform named with one count carries over to the next counts of these kinds
# ("83 Facebook accounts, 21 Pages, 4 Groups": the Pages and Groups are Facebook's).
CARRY_PLATFORM_KINDS = frozenset({"account", "page", "group", "event", "channel", "video", "post"})

# Tokens allowed between a count and a passive action that governs it
# ("95 channels were terminated", "44,900 have been blocked").
PASSIVE_FILLERS = frozenset(
    {
        "were",
        "was",
        "have",
        "has",
        "had",
        "been",
        "are",
        "is",
        "being",
        "be",
        "all",
        "also",
        "already",
        "then",
        "subsequently",
        "later",
        "reportedly",
        "quickly",
        "since",
        "now",
        "either",
        "both",
        "each",
        "eventually",
        "permanently",
        "temporarily",
        "ultimately",
        "further",
        "got",
        "get",
        "in",
        "total",
        "of",
        "which",
        "them",
        "these",
        "those",
        ",",
    }
)
SUBJECT_PRONOUNS = frozenset({"it", "they", "we", "them"})
WHICH_WINDOW = 12  # "88,000 accounts that showed spammy behaviour, all of which ..."
PASSIVE_WINDOW = 6  # tokens between a count and its passive verb, e.g. "were all quickly taken"
PERFECT_AUX = frozenset({"has", "have", "had", "'s", "'ve"})

# How far before an action a modality cue still governs it, by kind (tokens).
MODAL_REACH = {
    "negation": 3,  # "did not remove", "has not blocked"
    "future": 4,  # "will soon block", "would be blocked"
    "plan": 6,
    "threat": 8,  # "threatened on Monday to ban"
    "demand": 10,  # "urged the platform to remove", "asked Google to take down"
    "denial": 8,
    "refusal": 8,  # "declined the ministry's request to remove"
    "condition": 8,
    "reversal": 4,
}
# Kinds whose removal is content moderation in a place (posts, sites, SIMs) rather than a
# network with an origin: with no country in their sentence, they are located in the
# country the article is about.
PLACE_BOUND_KINDS = frozenset(
    {"post", "video", "url", "link", "website", "app", "platform", "sim_card", "district"}
)
ATTRIBUTION_VERBS = frozenset({"said", "says", "announced", "reported", "confirmed", "stated"})
ORDER_REACH = 12  # "ordered the Nepal Telecommunications Authority to cut access"
CLAUSE_BREAKS = frozenset({";", "while", "whereas", "but", "although", "meanwhile"})


# Roles a later sentence's bare mention cannot give: it is not evidence of a role.
FOLLOW_UP_WEAK_RULES = frozenset(
    {
        "country-default-origin",
        "country-location-government",
        "country-origin-demonym",
        "country-location-in",
        "country-origin-in",
    }
)
LANGUAGE_NOUNS = frozenset({"language", "languages", "-language", "speaking", "-speaking"})
INVESTIGATION_WORDS = frozenset(
    {
        "investigated",
        "investigation",
        "investigating",
        "research",
        "researchers",
        "report",
        "reported",
        "found",
        "analysis",
        "analysed",
        "analyzed",
        "tip",
        "flagged",
        "identified",
        "shared",
        "according",
        "published",
        "studied",
        "uncovered",
        "exposed",
        "worked",
        "lead",
        "leads",
        "alerted",
        "discovered",
        "with",
        "help",
    }
)
REPORT_WORDS = re.compile(r"\b(?:report|bulletin|quarter)\b", re.I)
COMBINED = re.compile(r"\b(?:combined|altogether|together|overall|in all|in total)\b", re.I)
COMBINED_NOUNS = frozenset({"networks", "operations", "takedowns", "campaigns", "clusters"})
PENDING_SENTENCES = 3  # "removed a network ..." then, within three sentences, "It consisted of"
PARTS_SENTENCES = 3  # the parts of a combined total follow it within three sentences
BREAKDOWN_TOLERANCE = 0.02  # a breakdown adds up to its stated total within 2% (rounding)
ROUNDED_TWIN_SENTENCES = 3  # a rounded lede and the exact figure are a few sentences apart
ROUNDING_SHARE = 0.25  # "nearly 5,000" for 4,789; "over 2,500" for 2,596
APP_LIST_GLUE = frozenset(
    {
        "the",
        ",",
        "and",
        "app",
        "apps",
        "service",
        "platform",
        "access",
        "to",
        "short-video",
        "video",
        "messaging",
        "-",
        "sharing",
        "popular",
    }
)
SUBSET_DETERMINERS = frozenset({"the", "these", "those", "its", "their", "them"})
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
FOLLOW_UP_BLOCKERS = frozenset({"negation", "denial", "question", "condition"})
REFERENCE_WINDOW = 8  # tokens at a sentence start where "the network" / "they" is looked for
TOTAL_LEADS = frozenset({":", "(", "—", "–", "-", "including", "comprising", "namely", "spanning"})
TOTAL_LEAD_PHRASES = (
    ("made", "up", "of"),
    ("consisting", "of"),
    ("broken", "down", "into"),
    ("which", "included"),
    ("that", "included"),
    ("which", "were"),
)


@dataclass
class WorkingRecord:
    """A record being assembled (mutable); frozen into a TakedownRecord at the end."""

    actor: Actor | None
    action: str
    targets: list[Claim]
    total: Claim | None = None
    countries: dict[tuple[str, str], str] = field(default_factory=dict)  # (code, role) -> name
    operator: str | None = None
    reason: tuple[str, str] | None = None
    period: str | None = None
    reach: list[Claim] = field(default_factory=list)
    reach_metrics: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    investigators: list[str] = field(default_factory=list)
    evidence: list[tuple[int, int]] = field(default_factory=list)  # sentence char spans
    rules: list[str] = field(default_factory=list)
    first_token: int = 0
    weak: set[tuple[str, str]] = field(default_factory=set)  # countries with no cue word
    superseded: bool = False  # a total split into networks by later sentences
    last_sentence: int = 0  # index of the last sentence that reported it

    def add_country(self, code: str, name: str, role: str, *, weak: bool = False) -> None:
        if (code, role) not in self.countries and weak:
            self.weak.add((code, role))
        elif not weak:
            self.weak.discard((code, role))
        self.countries.setdefault((code, role), name)

    def add_rule(self, rule: str) -> None:
        if rule not in self.rules:
            self.rules.append(rule)

    def content(self) -> bool:
        """Are all targets things moderated where they are seen (posts, sites, SIMs)?"""
        return all(c.kind in PLACE_BOUND_KINDS for c in self.targets)

    def target_keys(self) -> set[tuple[str, float]]:
        return {
            (c.kind or "", c.value) for c in self.targets if c.value is not None and c.value > 1
        }


# --------------------------------------------------------------------------- helpers


# --------------------------------------------------------------------------- governing verbs


def _passive_action(ctx: Context, claim: Claim, sent: Span) -> Cue | None:
    """An action right after the count, over auxiliaries only ('were removed')."""
    for cue in cues_in(
        ctx.cues,
        claim.end,
        min(sent.end, claim.end + PASSIVE_WINDOW + 1),
        {"ACTION", "NONACTION", "REACH"},
    ):
        between = ctx.doc[claim.end : cue.start]
        if all(t.lower_ in PASSIVE_FILLERS for t in between):
            aux = any(
                t.lower_ in ("were", "was", "been", "are", "is", "being", "be", "got")
                for t in between
            )
            if cue.label == "ACTION" and aux:
                return cue
            if cue.label == "ACTION" and not between and ctx.doc[cue.start].lower_.endswith("ed"):
                return cue  # headline-style "95 channels terminated"
            return None
    return _which_action(ctx, claim, sent)


def _which_action(ctx: Context, claim: Claim, sent: Span) -> Cue | None:
    """'more than 88,000 accounts that showed spam, all of which it has suspended'."""
    doc = ctx.doc
    for i in range(claim.end, min(sent.end - 1, claim.end + WHICH_WINDOW)):
        if doc[i].lower_ == "all" and doc[i - 1].text in (";", ",", "and"):
            # "adding 1,210 accounts to its archive; all were suspended"
            for cue in cues_in(ctx.cues, i + 1, min(sent.end, i + 6), {"ACTION"}):
                between = doc[i + 1 : cue.start]
                if all(t.lower_ in PASSIVE_FILLERS | SUBJECT_PRONOUNS for t in between):
                    return cue
            return None
        if doc[i].lower_ == "which" and doc[i - 1].lower_ == "of":
            for cue in cues_in(ctx.cues, i + 1, min(sent.end, i + 5), {"ACTION"}):
                between = doc[i + 1 : cue.start]
                if all(t.lower_ in PASSIVE_FILLERS | SUBJECT_PRONOUNS for t in between):
                    return cue
            return None
    return None


def _governor(ctx: Context, claim: Claim, sent: Span) -> Cue | None:
    """The verb cue that governs a count: a passive action after it, else the nearest before.

    A cue inside a count ("150,000 blocked URLs") is an adjective, not a verb. A composition
    cue ("a network of 13 accounts", "it consisted of") hands the count to the action before
    it in the sentence; with none, the caller looks for a takedown reported just before."""
    passive = _passive_action(ctx, claim, sent)
    if passive is not None:
        return passive
    # "...418 accounts posted in support of X, while 277 accounts used an app": a verb of
    # another clause does not describe this count unless it is a takedown verb
    clause = _clause_start(ctx, sent, claim.start)
    before = [
        c
        for c in cues_in(ctx.cues, sent.start, claim.start, {"ACTION", "NONACTION", "COMPOSE"})
        if not _inside_any_claim(ctx.claims, c.start)
        and not _bracket_closes(ctx, c, claim)
        and (c.label == "ACTION" or c.start >= clause)
    ]
    if not before:
        return None
    cue = before[-1]
    if cue.label == "COMPOSE":
        actions = [c for c in before if c.label == "ACTION"]
        return actions[-1] if actions else cue
    return cue


def _coordinated_governors(ctx: Context, claims: list[Claim], sent: Span) -> dict[int, Cue]:
    """Each count's governing cue; 'Hundreds of Pages and dozens of accounts were removed'
    lends the passive verb of the last count to the counts coordinated before it."""
    governors: dict[int, Cue] = {}
    for claim in claims:
        cue = _governor(ctx, claim, sent)
        if cue is not None:
            governors[id(claim)] = cue
    for left, right in reversed(list(zip(claims, claims[1:], strict=False))):
        cue = governors.get(id(right))
        if id(left) in governors or cue is None or cue.start < right.end:
            continue
        if all(t.lower_ in (",", "and", "or") for t in ctx.doc[left.end : right.start]):
            governors[id(left)] = cue
    return governors


def _bracket_closes(ctx: Context, cue: Cue, claim: Claim) -> bool:
    """'(200 of which had already been disabled), 102 Pages': a verb in brackets that close
    before the count does not govern it."""
    between = ctx.doc[cue.end : claim.start]
    opened = sum(t.text == "(" for t in between)
    return sum(t.text == ")" for t in between) > opened


def _inside_any_claim(claims: Sequence[Claim], token: int) -> bool:
    return any(c.start <= token < c.end for c in claims)


def _clause_start(ctx: Context, sent: Span, token: int) -> int:
    for i in range(token - 1, sent.start - 1, -1):
        if ctx.doc[i].lower_ in CLAUSE_BREAKS:
            return i + 1
    return sent.start


def _blocked_by(ctx: Context, action: Cue, sent: Span) -> str | None:
    """Why an action does not report a takedown (modality, cumulative), or None."""
    doc = ctx.doc
    clause = _clause_start(ctx, sent, action.start)
    for cue in cues_in(ctx.cues, clause, action.start, {"MODAL"}):
        if cue.value in MODAL_REACH and action.start - cue.end < MODAL_REACH[cue.value]:
            # "removed ... without notice": negation must come before the verb, checked here
            return f"modal-{cue.value}"
    if any(
        c.label == "MODAL" and c.value == "question"
        for c in cues_in(ctx.cues, sent.start, sent.end, {"MODAL"})
    ):
        return "modal-question"
    cumulative = cues_in(ctx.cues, sent.start, sent.end, {"CUMULATIVE"})
    for cue in cumulative:
        if cue.value != "since":
            return f"cumulative-{cue.value}"
        # "Since 2010 the authority blocked ...", "has blocked ... since 2010": a running total;
        # "the largest takedown since 2019" (since after a simple past) is not
        if cue.start < action.start:
            return "cumulative-since"
        window = doc[max(sent.start, action.start - 3) : action.start]
        if any(t.lower_ in PERFECT_AUX for t in window):
            return "cumulative-since"
    order = _order_before(ctx, action, sent)
    if order is not None and order[1] is not None and order[1].label in ("PLATFORM", "COMPANY"):
        return "order-to-platform"  # a request to a platform; its compliance is told apart
    return None


def _order_before(ctx: Context, action: Cue, sent: Span) -> tuple[Cue, Mention | None] | None:
    """'X ordered Y to block ...' -> (the order cue, Y's mention or None) when it governs."""
    doc = ctx.doc
    orders = [
        c
        for c in cues_in(ctx.cues, sent.start, action.start, {"ORDER"})
        if action.start - c.end <= ORDER_REACH
    ]
    # the order governs the action only through an infinitive: "told ISPs to block"
    infinitive = any(
        t.lower_ == "to" for t in doc[max(sent.start, action.start - 2) : action.start]
    )
    if not orders or not infinitive:
        return None
    order = orders[-1]
    objects = [
        m for m in ctx.mentions if m.label in ACTOR_KINDS and order.end <= m.start < action.start
    ]
    return order, objects[0] if objects else None


# --------------------------------------------------------------------------- grouping


def _is_total(ctx: Context, claim: Claim, following: Sequence[Claim]) -> bool:
    """'265 accounts, Pages, groups and events: 65 Facebook accounts, ...' -> True for 265."""
    doc = ctx.doc
    j = claim.end
    sent_end = doc[claim.start].sent.end
    # skip a coordinated list of unit words ("accounts, Pages and groups")
    while j < sent_end and (
        doc[j].lower_ in (",", "and", "or", "&")
        or doc[j].lower_ in ctx.unit_words
        or doc[j].is_title
        and not doc[j].like_num
    ):
        if doc[j].like_num:
            break
        j += 1
        if j - claim.end > 12:
            return False
    if j >= sent_end:
        return False
    lead = doc[j].lower_
    phrase_lead = any(tuple(t.lower_ for t in doc[j : j + len(p)]) == p for p in TOTAL_LEAD_PHRASES)
    if lead not in TOTAL_LEADS and not phrase_lead:
        return False
    after = [c for c in following if c.start > j and c.start - j < 8 + 6 * len(following)]
    if len(after) < 2:
        return False
    # "259 accounts (200 of which were already disabled), 102 Pages": a subset, not a breakdown
    first = after[0]
    tail = {t.lower_ for t in doc[first.end : min(len(doc), first.end + 3)]}
    return not tail & {"of", "which", "already"}


def _split_networks(
    ctx: Context, targets: list[tuple[Claim, Cue]]
) -> list[list[tuple[Claim, Cue]]]:
    """Counts of one sentence -> networks: split where a kind repeats, the verb changes, or a
    country/operator phrase closes a list."""
    groups: list[list[tuple[Claim, Cue]]] = []
    for claim, cue in targets:
        if not groups:
            groups.append([(claim, cue)])
            continue
        current = groups[-1]
        prev_claim, prev_cue = current[-1]
        kinds = {(c.kind, c.platform) for c, _ in current}
        between = ctx.doc[prev_claim.end : claim.start]
        closer = any(
            m.label in ("COUNTRY", "DEMONYM", "OPERATOR")
            and prev_claim.end <= m.start
            and m.end <= claim.start
            for m in ctx.mentions
        )
        period_between = find_period(between.text, None) is not None
        separator = any(t.text in (",", ";", "and", "while", "whereas", "plus") for t in between)
        if (
            (claim.kind, claim.platform) in kinds
            or cue.start != prev_cue.start
            or (closer and separator)
            or (period_between and separator)
        ):
            groups.append([(claim, cue)])
        else:
            current.append((claim, cue))
    return groups


# --------------------------------------------------------------------------- actors


def _actor_from_mention(ctx: Context, m: Mention) -> Actor:
    kind = ACTOR_KINDS[m.label]
    if m.label in ("PLATFORM", "COMPANY"):
        return Actor(name=m.id or m.text, kind="platform")  # type: ignore[arg-type]
    name = clean_name(m.text)
    if name in ctx.aliases:
        name = ctx.aliases[name]
    elif m.id and m.id in ctx.aliases:
        name = ctx.aliases[m.id]
    elif name.lower() in (
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
    ):
        named = _last_named_actor(ctx, m.start, kind)
        if named is not None:
            return named
    return Actor(name=name[:1].upper() + name[1:], kind=kind)  # type: ignore[arg-type]


def _last_named_actor(ctx: Context, before: int, kind: str) -> Actor | None:
    for m in reversed(ctx.mentions):
        if m.start >= before or m.label not in ACTOR_KINDS or ACTOR_KINDS[m.label] != kind:
            continue
        name = clean_name(m.text)
        if name.lower() not in (
            "regulator",
            "watchdog",
            "telecom regulator",
            "government",
            "cabinet",
            "ministry",
            "authorities",
            "court",
            "judge",
        ):
            name = ctx.aliases.get(name, name)
            return Actor(name=name, kind=kind)  # type: ignore[arg-type]
    return None


def _inside_claim(claims: Sequence[Claim], m: Mention) -> bool:
    return any(c.start <= m.start and m.end <= c.end for c in claims)


def _actor_for(ctx: Context, cue: Cue, sent: Span, last: Actor | None) -> tuple[Actor | None, str]:
    """The actor of an action: subject before it, 'by X' after it, else the actor in focus."""
    doc = ctx.doc
    order = _order_before(ctx, cue, sent)
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
            return _actor_from_mention(ctx, givers[-1]), "actor-ordered-intermediary"
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
        return _actor_from_mention(ctx, candidates[-1]), "actor-subject"
    for m in ctx.mentions:
        if (
            m.label in ACTOR_KINDS
            and cue.end <= m.start < sent.end
            and doc[m.start - 1].lower_ == "by"
        ):
            return _actor_from_mention(ctx, m), "actor-passive-agent"
    for m in ctx.mentions:
        # "Nearly 60 million SIMs were deactivated, the telecom commission said."
        if (
            m.label in ACTOR_KINDS
            and cue.end <= m.start < sent.end
            and m.end < sent.end
            and _says(doc, m.end)
            and doc[cue.start - 1].lower_ in ("were", "was", "been", "be")
        ):
            return _actor_from_mention(ctx, m), "actor-attribution"
    if last is not None:
        return last, "actor-in-focus"
    earlier = [
        m
        for m in ctx.mentions
        if m.label in ACTOR_KINDS and m.start < sent.start and not _inside_claim(ctx.claims, m)
    ]
    if earlier:
        return _actor_from_mention(ctx, earlier[-1]), "actor-previous-sentence"
    if ctx.title_actor is not None:
        return ctx.title_actor, "actor-title"
    return None, "actor-none"


def _says(doc: Doc, i: int) -> bool:
    """Is token i an attribution verb, past an "(NTC)"-style acronym?"""
    if i + 3 < len(doc) and doc[i].text == "(" and doc[i + 2].text == ")":
        i += 3
    return i < len(doc) and doc[i].lower_ in ATTRIBUTION_VERBS


def _target_platform(
    claim: Claim, carried: str | None, actor: Actor | None, platforms: frozenset[str]
) -> tuple[str | None, str]:
    """A count's platform: named with it, carried along its list, else the actor's own."""
    if claim.platform:
        return claim.platform, "platform-named"
    if carried and claim.kind in CARRY_PLATFORM_KINDS:
        return carried, "platform-carried"
    if actor is not None and actor.name in COMPANY_PLATFORMS:
        table = COMPANY_PLATFORMS[actor.name]
        return table.get(claim.kind or "", table.get("*")), "platform-actor"
    if actor is not None and actor.name in platforms:
        return actor.name, "platform-actor"
    return None, "platform-none"


# --------------------------------------------------------------------------- countries


# --------------------------------------------------------------------------- assembling


class RecordBuilder:
    """Builds the records of one doc; holds the working state while reading it in order."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.records: list[WorkingRecord] = []
        self.focus: WorkingRecord | None = None  # the record the text is talking about
        self.focus_actor: Actor | None = None
        # a takedown told without counts ("removed a network of fake accounts"), waiting for
        # the sentence that gives its make-up ("It consisted of 259 accounts ...")
        self.pending: tuple[Cue, Actor | None, int] | None = None
        self.sent_index = 0
        self.prev_sent: Span | None = None
        self.pending_sent: Span | None = None
        # a record whose count spans several networks ("3,465 accounts tied to eight
        # operations"); its parts, told in the next sentences, replace it
        self.combined: WorkingRecord | None = None
        self.combined_last = 0
        # columns of the table being read: asset kind column and reach columns
        self.table: tuple[tuple[int, str] | None, list[tuple[int, str]]] | None = None
        self.table_rows: list[tuple[Span, Claim, list[tuple[Claim, str]], int]] = []

    def run(self) -> list[WorkingRecord]:
        ctx = self.ctx
        ctx.default_period = self._default_period()
        ctx.default_reason = self._default_reason()
        for sent in ctx.doc.sents:
            sent_text = ctx.text_of(sent)
            if not sent_text.strip():
                continue  # the blank line between paragraphs is not a sentence
            self.sent_index += 1
            if sent_text.lstrip().startswith("|"):
                self._table_row(sent)
                continue
            if self._starts_line(sent) and self.table is not None:
                self._flush_table()
            heading = heading_period(sent, sent_text, ctx.published)
            if heading is not None:
                ctx.heading_period = heading
                continue
            if not self._sentence(sent):
                self._follow_up(sent)
            self.prev_sent = sent
        if self.table is not None:
            self._flush_table()
        return [self._finish(rec) for rec in self.records if not rec.superseded]

    def _starts_line(self, sent: Span) -> bool:
        return sent.start_char == 0 or self.ctx.text[sent.start_char - 1] == "\n"

    def _table_row(self, sent: Span) -> None:
        """'| Romania | 27,217 | 70,892 | Run from Romania ... |': one network per table row.

        The header row names what a column counts ("Accounts in network", "Followers");
        each data row becomes a record with the action and actor of the text above it."""
        ctx = self.ctx
        doc = ctx.doc
        line_end = self.ctx.text.find("\n", sent.start_char)
        line_end = len(self.ctx.text) if line_end < 0 else line_end
        cells: list[tuple[int, int]] = []
        pos = self.ctx.text.index("|", sent.start_char)
        while True:
            nxt = self.ctx.text.find("|", pos + 1, line_end)
            if nxt < 0:
                break
            cells.append((pos + 1, nxt))
            pos = nxt
        texts = [self.ctx.text[a:b].strip().lower() for a, b in cells]
        if all(set(t) <= set("-: ") for t in texts):
            return  # the |---|---| separator
        if self.table is None:
            asset = None
            reach: list[tuple[int, str]] = []
            for n, text in enumerate(texts):
                words = re.findall(r"[a-z]+", text)
                kinds = [ctx.unit_kinds[w] for w in words if w in ctx.unit_kinds]
                if asset is None and kinds and kinds[0] not in ctx.non_target_kinds:
                    asset = (n, kinds[0])
                elif any(w in ("followers", "subscribers") for w in words):
                    reach.append((n, "followers"))
                elif any(w == "members" for w in words):
                    reach.append((n, "group_members"))
            self.table = (asset, reach)
            return
        asset, reach = self.table
        if asset is None or asset[0] >= len(cells):
            return
        column, kind = asset
        a, b = cells[column]
        counts = [c for c in ctx.claims if a <= doc[c.num_start].idx < b and c.value]
        if not counts:
            return
        found = counts[0]
        target = Claim(
            value=found.value,
            start=found.start,
            end=found.end,
            num_start=found.num_start,
            num_end=found.num_end,
            unit=kind,
            kind=kind,
            qualifier=found.qualifier,
            approximate=found.approximate,
            rules=["target-table-column"],
        )
        row = doc.char_span(cells[0][0], line_end, alignment_mode="expand")
        end = row.end if row is not None else sent.end
        row_reach = []
        for column, metric in reach:
            if column < len(cells):
                a, b = cells[column]
                row_reach += [(c, metric) for c in ctx.claims if a <= doc[c.num_start].idx < b]
        self.table_rows.append((sent, target, row_reach, end))

    def _flush_table(self) -> None:
        """A table ends: its rows become records, unless it breaks down a reported total
        ("| All bodies, 2020 | 58,809 |" repeats a record's count, or the rows add up to one)."""
        rows, self.table_rows, self.table = self.table_rows, [], None
        if not rows:
            return
        values = {v for rec in self.records for _, v in rec.target_keys()}
        row_values = [t.value for _, t, _, _ in rows if t.value is not None]
        if values & set(row_values) or sum(row_values) in values:
            return
        action = self._action_above(rows[0][0])
        if action is None:
            return
        cue, actor = action
        for sent, target, row_reach, end in rows:
            rec = self._build(sent, [(target, cue)], sent.start, end, None, actor)
            for claim, metric in row_reach:
                if claim not in rec.reach:
                    rec.reach.append(claim)
                    rec.reach_metrics.append(metric)
                    rec.add_rule(f"reach-table-{metric}")

    def _action_above(self, sent: Span) -> tuple[Cue, Actor | None] | None:
        """The takedown verb of the text just above a table -> (cue, its actor)."""
        ctx = self.ctx
        before = [c for c in ctx.cues if c.label == "ACTION" and c.start < sent.start]
        if not before:
            return None
        cue = before[-1]
        home = ctx.doc[cue.start].sent
        if _blocked_by(ctx, cue, home) is not None:
            return None
        actor, _ = _actor_for(ctx, cue, home, self.focus_actor)
        return Cue("ACTION", cue.value, "table-under-" + cue.rule, cue.start, cue.end), actor

    def _finish(self, rec: WorkingRecord) -> WorkingRecord:
        ctx = self.ctx
        if rec.period is None and ctx.default_period:
            rec.period = ctx.default_period
            rec.add_rule("period-article")
        if rec.reason is None and ctx.default_reason is not None:
            rec.reason = ctx.default_reason
            rec.add_rule("reason-article-lede")
        strong = {code for (code, role) in rec.countries if role == "origin"} - {
            code for (code, role) in rec.weak
        }
        if strong:
            for key in [k for k in rec.weak if k[1] == "origin" and k in rec.countries]:
                del rec.countries[key]
        if not rec.countries and all(c.kind in PLACE_BOUND_KINDS for c in rec.targets):
            # posts, sites, SIMs: moderated in the country the article is about
            for m in ctx.mentions:
                if m.label in ("COUNTRY", "DEMONYM") and m.id:
                    rec.add_country(m.id, country_name(m.id), "location")
                    rec.add_rule("country-location-article")
                    break
        return rec

    def _default_period(self) -> str | None:
        for sent in self.ctx.doc.sents:
            has_action = bool(cues_in(self.ctx.cues, sent.start, sent.end, {"ACTION"}))
            if has_action or REPORT_WORDS.search(self.ctx.text_of(sent)):
                period = self.ctx.period_in(sent.start, sent.end)
                if period:
                    return period
        # "this week both Facebook and Twitter acted ...": the lede dates the news
        lede_end = self.ctx.text.find("\n")
        for sent in self.ctx.doc.sents:
            if 0 <= lede_end < sent.start_char:
                break
            period = self.ctx.period_in(sent.start, sent.end)
            if period:
                return period
        return None

    def _default_reason(self) -> tuple[str, str] | None:
        """The reason named in the lede paragraph applies to every record of the article."""
        doc = self.ctx.doc
        lede_end = self.ctx.text.find("\n")
        lede_end = len(self.ctx.text) if lede_end < 0 else lede_end
        for m in self.ctx.mentions:
            if m.label == "REASON" and m.id and doc[m.start].idx < lede_end:
                return m.id, m.text
        return None

    # -- sentences with takedowns

    def _sentence(self, sent: Span) -> bool:
        """Make the records a sentence reports -> True if it reported (or summed up) any."""
        ctx = self.ctx
        words = {t.lower_ for t in sent}
        claims = claims_in(ctx.claims, sent.start, sent.end)
        if COMBINED.search(ctx.text_of(sent)) and words & COMBINED_NOUNS and claims:
            return True  # "Taken together, the two takedowns covered 476 accounts": a sum
        if self._subsets(sent, claims):
            return True
        targets: list[tuple[Claim, Cue]] = []
        totals_pool: list[tuple[Claim, Cue]] = []
        compose_actor: Actor | None = None
        governors = _coordinated_governors(ctx, [c for c in claims if c.kind], sent)
        for claim in claims:
            if not claim.kind or self._compared(claim):
                continue
            cue = governors.get(id(claim))
            parent = self._combined_parent()
            if parent is not None and (cue is None or cue.label == "COMPOSE"):
                # "...removed 3,465 accounts tied to eight operations. The largest set, 2,048
                # accounts, amplified ...": a network of the total, told without a verb
                cue = Cue(
                    "ACTION", parent.action, "part-of-combined-total", claim.start, claim.start
                )
                compose_actor = parent.actor
                parent.superseded = True
                self.combined_last = self.sent_index
            if cue is None:
                continue
            if cue.label == "COMPOSE":
                if self.pending is None or self.sent_index - self.pending[2] > PENDING_SENTENCES:
                    continue
                if self._repeats_a_count(claims):
                    continue  # "The figure of about 20,000 includes 2,235 ...": a breakdown
                action, compose_actor, _ = self.pending
                cue = Cue(
                    "ACTION", action.value, "compose-after-" + action.rule, cue.start, cue.end
                )
            elif cue.label != "ACTION" or _blocked_by(ctx, cue, sent) is not None:
                continue
            if claim.kind in ctx.non_target_kinds or claim.kind == "mixed":
                totals_pool.append((claim, cue))  # "88 assets (...)", "265 accounts, Pages ...:"
            else:
                targets.append((claim, cue))
        if not targets:
            return self._named_apps(sent) or self._note_pending(sent)
        # a stated total followed by its breakdown: keep the breakdown, remember the total
        governed = sorted(targets + totals_pool, key=lambda x: x[0].start)
        totals: dict[int, Claim] = {}
        kept: list[tuple[Claim, Cue]] = []
        for n, (claim, cue) in enumerate(governed):
            rest = [c for c, _ in governed[n + 1 :] if c.kind not in ctx.non_target_kinds]
            if _is_total(ctx, claim, rest):
                totals[rest[0].start] = claim
            elif (claim, cue) in targets:
                kept.append((claim, cue))
        # "(240 of which had already been disabled)": a subset in brackets is not a target
        kept = [(c, q) for c, q in kept if not self._bracketed_subset(c)]
        if not kept:
            return False
        groups = _split_networks(ctx, kept)
        cuts = [groups[0][0][0].start]
        for n in range(len(groups) - 1):
            cuts.append(self._cut(groups[n][-1][0].end, groups[n + 1][0][0].start))
        cuts.append(sent.end)
        for n, group in enumerate(groups):
            region_start, region_end = cuts[n], cuts[n + 1]
            total = None
            for c, _ in group:
                if c.start in totals:
                    total = totals[c.start]
                    region_start = min(region_start, total.start)
            self._build(sent, group, region_start, region_end, total, compose_actor)
        return True

    def _combined_parent(self) -> WorkingRecord | None:
        """The record of a total over several networks, while its parts may still follow."""
        parent = self.combined
        if parent is None or self.sent_index - self.combined_last > PARTS_SENTENCES:
            return None
        return parent

    def _repeats_a_count(self, claims: list[Claim]) -> bool:
        values = {v for rec in self.records for _, v in rec.target_keys()}
        return any(c.value in values for c in claims if c.value is not None and c.value > 1)

    def _compared(self, claim: Claim) -> bool:
        """'2.1 million, down from 2.5 million a year earlier': the figure compared with."""
        cues = cues_in(self.ctx.cues, max(0, claim.start - 3), claim.start, {"COMPARE"})
        return bool(cues) and cues[-1].end >= claim.start - 1

    def _note_pending(self, sent: Span) -> bool:
        """An action with no counts: remember it for a following 'it consisted of ...'."""
        for cue in cues_in(self.ctx.cues, sent.start, sent.end, {"ACTION"}):
            if _blocked_by(self.ctx, cue, sent) is None:
                actor, _ = _actor_for(self.ctx, cue, sent, self.focus_actor)
                self.pending = (cue, actor, self.sent_index)
                self.pending_sent = sent
                break
        return False

    def _named_apps(self, sent: Span) -> bool:
        """'The cabinet banned TikTok': a government action on named apps, no count written."""
        ctx = self.ctx
        doc = ctx.doc
        for cue in cues_in(ctx.cues, sent.start, sent.end, {"ACTION"}):
            if cue.value not in GEOGRAPHIC_ACTIONS or _blocked_by(ctx, cue, sent) is not None:
                continue
            actor, _ = _actor_for(ctx, cue, sent, self.focus_actor)
            if actor is None or actor.kind == "platform":
                continue
            named: list[Mention] = []
            j = cue.end
            for m in ctx.mentions:
                if m.label != "PLATFORM" or m.start < cue.end:
                    continue
                if all(t.lower_ in APP_LIST_GLUE for t in doc[j : m.start]) and m.start - j <= 4:
                    named.append(m)
                    j = m.end
            if not named:
                continue
            claim = Claim(
                value=float(len(named)),
                start=named[0].start,
                end=named[-1].end,
                num_start=named[0].start,
                num_end=named[-1].end,
                unit="app",
                kind="app",
                platform=(named[0].id or named[0].text) if len(named) == 1 else None,
                rules=["target-named-app"],
            )
            self._build(sent, [(claim, cue)], claim.start, sent.end, None, None)
            return True
        return False

    def _subsets(self, sent: Span, claims: list[Claim]) -> bool:
        """'About 18,000 of the channels were tied to China': a network split out of a total.

        The part becomes its own record (actor and action of the total's record) when the
        sentence ties it to a country or operator; the total then stops being a record."""
        ctx = self.ctx
        doc = ctx.doc
        parent = self.focus
        if parent is None:
            return False
        made = False
        for claim in claims:
            if claim.kind or claim.value is None or claim.end + 2 >= len(doc):
                continue
            if doc[claim.end].lower_ != "of" or doc[claim.end + 1].lower_ not in SUBSET_DETERMINERS:
                continue
            kind = ctx.unit_kinds.get(doc[claim.end + 2].lower_)
            if kind is None or kind not in {t.kind for t in parent.targets}:
                continue
            countries = countries_in(ctx, claim.end, sent.end, sent.start, parent.actor)
            if not any(rule not in WEAK_COUNTRY_RULES for *_, rule in countries):
                continue
            platform = next((t.platform for t in parent.targets if t.kind == kind), None)
            part = Claim(
                value=claim.value,
                start=claim.start,
                end=claim.end + 3,
                num_start=claim.num_start,
                num_end=claim.num_end,
                unit=doc[claim.end + 2].lower_,
                kind=kind,
                platform=platform,
                qualifier=claim.qualifier,
                approximate=claim.approximate,
                rules=["target-subset-of-total"],
            )
            cue = Cue("ACTION", parent.action, "subset-of-reported-total", claim.start, claim.start)
            self._build(sent, [(part, cue)], claim.start, sent.end, None, parent.actor)
            parent.superseded = True
            made = True
        if made:
            self.focus = parent if not parent.superseded else self.focus
        return made

    def _cut(self, start: int, end: int) -> int:
        """Between two networks of one sentence: where the first one's phrase ends.

        "13 accounts based in Russia, and 55 accounts": the last list separator in
        the gap closes the first network's postmodifiers."""
        doc = self.ctx.doc
        for i in range(end - 1, start - 1, -1):
            if doc[i].text in (",", ";") or doc[i].lower_ in ("while", "whereas"):
                return i
        for i in range(end - 1, start - 1, -1):
            if doc[i].lower_ in ("and", "plus"):
                return i
        return end

    def _bracketed_subset(self, claim: Claim) -> bool:
        doc = self.ctx.doc
        before = doc[max(0, claim.start - 2) : claim.start]
        after = doc[claim.end : min(len(doc), claim.end + 4)]
        in_bracket = any(t.text == "(" for t in before)
        subset = any(t.lower_ in ("of", "which", "whom", "already") for t in after)
        return in_bracket and subset

    def _build(
        self,
        sent: Span,
        group: list[tuple[Claim, Cue]],
        region_start: int,
        region_end: int,
        total: Claim | None,
        actor_override: Actor | None,
    ) -> WorkingRecord:
        ctx = self.ctx
        doc = ctx.doc
        cue = group[0][1]
        actor: Actor | None
        if actor_override is not None:
            actor, actor_rule = actor_override, "actor-of-reported-takedown"
        else:
            actor, actor_rule = _actor_for(ctx, cue, sent, self.focus_actor)
        rec = WorkingRecord(
            actor=actor,
            action=cue.value,
            targets=[c for c, _ in group],
            total=total,
            first_token=group[0][0].start,
        )
        rec.add_rule(cue.rule)
        rec.add_rule(actor_rule)
        for c in rec.targets:
            for r in c.rules:
                rec.add_rule(r)
        if total is not None:
            rec.add_rule("total-with-breakdown")
        self._add_countries(
            rec,
            countries_in(
                ctx, region_start, region_end, sent.start, actor, rec.action, rec.content()
            ),
        )
        if not any(role in ("origin", "location") for _, role in rec.countries):
            # "Serbian authorities blocked ...": the sentence's lead-in serves every network in it
            lead_end = min(c.start for c, _ in group) if total is None else total.start
            self._add_countries(
                rec,
                countries_in(
                    ctx, sent.start, lead_end, sent.start, actor, rec.action, rec.content()
                ),
            )
        if not rec.countries and cue.rule.startswith("compose-after-"):
            # "The first network was run by a firm in the UAE ... It consisted of 259 accounts",
            # else the sentence that reported the takedown: "removed a network in Georgia"
            told = [(self.prev_sent, False), (self.pending_sent, True)]
            for prev, reported in told:
                if prev is None or (
                    not reported and cues_in(ctx.cues, prev.start, prev.end, {"ACTION"})
                ):
                    continue
                self._add_countries(
                    rec,
                    countries_in(
                        ctx, prev.start, prev.end, prev.start, actor, rec.action, rec.content()
                    ),
                )
                if rec.countries:
                    break
        if actor is not None and actor.kind != "platform":
            self._add_countries(rec, self._actor_country(sent, cue))
        self._domestic(rec, doc[region_start:region_end])
        operator, op_rule = operator_in(ctx, region_start, region_end)
        if operator:
            rec.operator = operator
            rec.add_rule(op_rule)
        reason = self._reason_in(region_start, region_end) or self._reason_in(sent.start, sent.end)
        if reason:
            rec.reason = reason
            rec.add_rule("reason-sentence")
        elif actor is not None and actor.kind == "platform" and self._ordered_by_government(sent):
            rec.reason = ("other", "government order")
            rec.add_rule("reason-government-order")
        period = ctx.period_in(region_start, region_end) or ctx.period_in(sent.start, sent.end)
        if period is None and ctx.heading_period:
            period = ctx.heading_period
            rec.add_rule("period-heading")
        elif period:
            rec.add_rule("period-sentence")
        rec.period = period
        rec.evidence.append((sent.start_char, sent.end_char))
        self._reach_in(rec, sent, region_start, region_end)
        self._languages_in(rec, sent)
        self._investigators_in(rec, sent)
        rec.last_sentence = self.sent_index
        if self._breakdown_of_focus(rec):
            return self.focus  # type: ignore[return-value]
        networks = [
            c
            for c in claims_in(ctx.claims, sent.start, sent.end)
            if c.kind == "network" and c.value is not None and c.value > 1
        ]
        if networks and not cue.rule.startswith("part-of"):
            self.combined, self.combined_last = rec, self.sent_index
        merged = self._merge(rec)
        merged.last_sentence = self.sent_index
        self.pending = None  # the takedown told before has now got its counts, or is past
        self.focus = merged
        self.focus_actor = actor or self.focus_actor
        return merged

    def _breakdown_of_focus(self, rec: WorkingRecord) -> bool:
        """'blocked 464,440 pieces of content. The blocked material included 428,969
        websites, 19,250 accounts, ...': counts adding up to the record just told are its
        breakdown; that record keeps them as targets and its single count as the total."""
        focus = self.focus
        if focus is None or len(focus.targets) != 1 or len(rec.targets) < 2 or focus.total:
            return False
        whole = focus.targets[0].value
        parts = [c.value for c in rec.targets]
        if whole is None or None in parts or focus.action != rec.action:
            return False
        if abs(sum(v or 0.0 for v in parts) - whole) > BREAKDOWN_TOLERANCE * whole:
            return False
        focus.total = focus.targets[0]
        focus.targets = list(rec.targets)
        focus.evidence.extend(e for e in rec.evidence if e not in focus.evidence)
        for r in rec.rules + ["breakdown-of-total"]:
            focus.add_rule(r)
        focus.last_sentence = self.sent_index
        return True

    def _actor_country(self, sent: Span, cue: Cue) -> list[tuple[str, str, str, str]]:
        """'The Indian government has blocked ...': a government's own country is where its
        block applies."""
        ctx = self.ctx
        actors = [
            m
            for m in ctx.mentions
            if m.label in ("GOVERNMENT", "REGULATOR", "COURT", "POLICE")
            and sent.start <= m.start < cue.start
        ]
        out = []
        for m in ctx.mentions:
            if (
                m.label in ("COUNTRY", "DEMONYM")
                and m.id
                and any(a.start <= m.start and m.end <= a.end for a in actors)
            ):
                out.append((m.id, country_name(m.id), "location", "country-location-actor"))
        return out

    @staticmethod
    def _add_countries(rec: WorkingRecord, found: list[tuple[str, str, str, str]]) -> None:
        for code, name, role, rule in found:
            rec.add_country(code, name, role, weak=rule in WEAK_COUNTRY_RULES)
            rec.add_rule(rule)

    def _ordered_by_government(self, sent: Span) -> bool:
        """'after the government ordered it to act': a legal order is the stated reason."""
        ctx = self.ctx
        for order in cues_in(ctx.cues, sent.start, sent.end, {"ORDER"}):
            if any(
                m.label in ("GOVERNMENT", "REGULATOR", "COURT") and 0 <= order.start - m.end <= 2
                for m in ctx.mentions
            ):
                return True
        return False

    def _domestic(self, rec: WorkingRecord, span: Span) -> None:
        if DOMESTIC.search(self.ctx.text_of(span)):
            for (code, role), name in list(rec.countries.items()):
                if role == "origin":
                    rec.add_country(code, name, "target")
                    rec.add_rule("country-domestic")

    def _reason_in(self, start: int, end: int) -> tuple[str, str] | None:
        for m in self.ctx.mentions:
            if m.label == "REASON" and m.id and start <= m.start < end:
                return m.id, m.text
        return None

    def _merge(self, rec: WorkingRecord) -> WorkingRecord:
        """The same network told twice -> one record with both evidence spans."""
        keys = rec.target_keys()
        for old in self.records:
            if old.action != rec.action and not (keys and keys <= old.target_keys()):
                continue
            if rec.actor and old.actor and rec.actor.name != old.actor.name:
                continue
            origins_old = {c for c, r in old.countries if r == "origin"}
            origins_new = {c for c, r in rec.countries if r == "origin"}
            if origins_old and origins_new and not origins_old & origins_new:
                continue
            shared = keys & old.target_keys()
            rounded = not shared and self._rounded_twin(old, rec)
            if not shared and not rounded:
                continue
            if shared and len(shared) < min(len(keys), len(old.target_keys())) and len(shared) < 2:
                continue
            if rounded:
                # "thousands of fake accounts ... The company took down 4,789 Facebook accounts":
                # the exact figure replaces the rounded one
                exact = {c.kind for c in rec.targets if c.value is not None and not c.approximate}
                old.targets = [c for c in old.targets if c.kind not in exact]
                old.add_rule("merged-rounded-mention")
            old_keys = {(c.kind, c.value) for c in old.targets}
            old.targets.extend(c for c in rec.targets if (c.kind, c.value) not in old_keys)
            for key, name in rec.countries.items():
                old.countries.setdefault(key, name)
            old.operator = old.operator or rec.operator
            old.reason = old.reason or rec.reason
            old.period = old.period or rec.period
            old.total = old.total or rec.total
            old.evidence.extend(e for e in rec.evidence if e not in old.evidence)
            for r in rec.rules + ["merged-repeat-mention"]:
                old.add_rule(r)
            self._absorb(old, rec)
            self.records.remove(old)
            self.records.append(old)  # the record in focus is the last one
            return old
        self.records.append(rec)
        return rec

    def _rounded_twin(self, old: WorkingRecord, new: WorkingRecord) -> bool:
        """Is new the same network as old, told once rounded ("hundreds of", "nearly 5,000")
        and once exactly, a few sentences apart?"""
        if old.action != new.action or self.sent_index - old.last_sentence > ROUNDED_TWIN_SENTENCES:
            return False
        if any(r.startswith("subset-of") for r in old.rules + new.rules):
            return False
        by_kind_old = {c.kind: c for c in old.targets}
        shared = [(by_kind_old[c.kind], c) for c in new.targets if c.kind in by_kind_old]
        if not shared:
            return False
        loose = False
        for a, b in shared:
            if a.value is None or b.value is None:
                loose = True
            elif a.value != b.value:
                close = abs(a.value - b.value) <= ROUNDING_SHARE * max(a.value, b.value)
                if not ((a.approximate or b.approximate) and close):
                    return False
                loose = True
        return loose

    @staticmethod
    def _absorb(old: WorkingRecord, new: WorkingRecord) -> None:
        for c, metric in zip(new.reach, new.reach_metrics, strict=True):
            if (metric, c.value) not in zip(
                old.reach_metrics, [x.value for x in old.reach], strict=True
            ):
                old.reach.append(c)
                old.reach_metrics.append(metric)
        old.languages.extend(x for x in new.languages if x not in old.languages)
        old.investigators.extend(x for x in new.investigators if x not in old.investigators)

    # -- what a sentence adds to a record

    def _reach_metric(self, claim: Claim, sent: Span) -> str | None:
        doc = self.ctx.doc
        after = cues_in(self.ctx.cues, claim.end, min(sent.end, claim.end + 6), {"REACH"})
        before = cues_in(self.ctx.cues, max(sent.start, claim.start - 4), claim.start, {"REACH"})
        if claim.metric == "money" or claim.currency:
            words = {t.lower_ for t in sent}
            if words & {"ads", "ad", "advertising", "advertisements", "spent", "spend", "spending"}:
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

    def _reach_in(self, rec: WorkingRecord, sent: Span, start: int, end: int) -> None:
        for claim in self.ctx.claims:
            if not (start <= claim.start < end) or claim in rec.targets or claim is rec.total:
                continue
            metric = self._reach_metric(claim, sent)
            if metric and claim not in rec.reach:
                rec.reach.append(claim)
                rec.reach_metrics.append(metric)
                rec.add_rule(f"reach-{metric}")

    def _languages_in(self, rec: WorkingRecord, sent: Span) -> None:
        """'posted in Urdu, Hindi and English', 'Arabic-language Pages' -> languages.

        A language name only counts after "in" (or in a list that began so) or before
        "language": "Turkish authorities" and "Russian accounts" are not languages."""
        doc = self.ctx.doc
        listed = False
        last_end = -1
        for m in self.ctx.mentions:
            if m.label != "LANGUAGE" or not (sent.start <= m.start < sent.end) or not m.id:
                continue
            prev = doc[m.start - 1].lower_ if m.start > sent.start else ""
            nxt = doc[m.end].lower_ if m.end < sent.end else ""
            nxt2 = doc[m.end + 1].lower_ if m.end + 1 < sent.end else ""
            in_list = listed and all(
                t.lower_ in (",", "and", "or") for t in doc[last_end : m.start]
            )
            named = prev == "in" or nxt in LANGUAGE_NOUNS or (nxt == "-" and nxt2 in LANGUAGE_NOUNS)
            listed = named or in_list
            last_end = m.end
            if listed and m.id not in rec.languages:
                rec.languages.append(m.id)
                rec.add_rule("language-in-context")

    def _investigators_in(self, rec: WorkingRecord, sent: Span) -> None:
        words = {t.lower_ for t in sent}
        for m in self.ctx.mentions:
            if (
                m.label == "RESEARCH"
                and sent.start <= m.start < sent.end
                and words & INVESTIGATION_WORDS
            ):
                name = m.id or m.text
                if not any(
                    name == known or known.endswith(" " + name) for known in rec.investigators
                ):
                    rec.investigators.append(name)
                    rec.add_rule("investigator")

    def _follow_up(self, sent: Span) -> None:
        """A sentence with no takedown of its own adds what it says to the record it refers to."""
        if not self.records:
            return
        ctx = self.ctx
        rec, explicit = self._referent(sent)
        if rec is None:
            return
        self._reach_in(rec, sent, sent.start, sent.end)
        self._languages_in(rec, sent)
        self._investigators_in(rec, sent)
        words = {t.lower_ for t in sent}
        # "three networks from the US, Russia and Pakistan" sums up several records: no roles
        summary = bool(words & COMBINED_NOUNS)
        if summary or not (explicit or self._refers_to_network(sent)):
            return
        if any(
            c.value in FOLLOW_UP_BLOCKERS
            for c in cues_in(ctx.cues, sent.start, sent.end, {"MODAL"})
        ):
            return  # "The party denied any link to the Pages" adds nothing
        for code, name, role, rule in countries_in(
            ctx, sent.start, sent.end, sent.start, rec.actor, rec.action
        ):
            if rule in FOLLOW_UP_WEAK_RULES:
                continue  # a bare mention in a later sentence is not evidence of a role
            rec.add_country(code, name, role)
            rec.add_rule("follow-up-" + rule)
        self._domestic(rec, sent)
        operator, op_rule = operator_in(ctx, sent.start, sent.end)
        if operator:
            # "Twitter traced the activity to Smaat": every network just reported, not only one
            recent = [r for r in self.records if self.sent_index - r.last_sentence <= 2]
            for other in {id(r): r for r in [rec, *recent]}.values():
                if other.operator is None:
                    other.operator = operator
                    other.add_rule("follow-up-" + op_rule)

    def _refers_to_network(self, sent: Span) -> bool:
        """'The network was run from ...', 'They targeted ...': the sentence is about it."""
        head = [
            t.lower_
            for t in self.ctx.doc[sent.start : min(sent.end, sent.start + REFERENCE_WINDOW)]
        ]
        if set(head) & OTHER_NETWORK:
            # "The second operation originated in ...": another network, with no record of
            # its own; what follows about "its accounts" is not about the one in focus
            self.focus = None
            return False
        if head and head[0] in REFERENCE_PRONOUNS - {"the"}:
            return True
        return bool(set(head) & REFERENCE_NOUNS)

    def _referent(self, sent: Span) -> tuple[WorkingRecord | None, bool]:
        """Which record a follow-up sentence is about -> (record, named explicitly?).

        A repeated count ("the 149 Pages") or a repeated origin ("The Egyptian network")
        names it; otherwise it is the record in focus."""
        ctx = self.ctx
        claims = claims_in(ctx.claims, sent.start, sent.end)
        for rec in reversed(self.records):
            if any((c.kind or "", c.value) in rec.target_keys() for c in claims):
                span = (sent.start_char, sent.end_char)
                if span not in rec.evidence:
                    rec.evidence.append(span)
                self.focus = rec
                return rec, True
        codes = {
            m.id
            for m in ctx.mentions
            if m.label in ("COUNTRY", "DEMONYM") and sent.start <= m.start < sent.end
        }
        if len(self.records) > 1 and self._refers_to_network(sent):
            for rec in reversed(self.records):
                if any(code in codes for code, role in rec.countries if role == "origin"):
                    self.focus = rec
                    return rec, True
        return self.focus, False


# --------------------------------------------------------------------------- public


def build_records(
    doc: Doc,
    *,
    cues: list[Cue],
    claims: list[Claim],
    source: Source,
    non_target_kinds: frozenset[str],
    unit_words: frozenset[str] = frozenset(),
    unit_kinds: dict[str, str] | None = None,
    title_actor: Actor | None = None,
    text: str | None = None,
    platforms: frozenset[str] = frozenset(),
    input: str = "",
) -> list[TakedownRecord]:
    """Doc + cues + claims + source (+ input identity) -> validated takedown records."""
    mentions = mentions_of(doc)
    ctx = Context(
        doc=doc,
        cues=cues,
        claims=claims,
        mentions=mentions,
        published=source.published,
        title_actor=title_actor,
        non_target_kinds=non_target_kinds,
        text=doc.text if text is None else text,  # the caller's string: doc.text rebuilds it
        unit_words=unit_words,
        unit_kinds=unit_kinds or {},
        aliases=acronyms(doc, mentions),
    )
    if not any(c.label == "ACTION" for c in cues):
        return []  # every record needs a takedown verb somewhere in the article
    working = RecordBuilder(ctx).run()
    working.sort(key=lambda r: r.first_token)
    return [_freeze(doc, rec, source, ctx.text, platforms, input) for rec in working]


def _record_id(source: Source, rec: WorkingRecord, input: str) -> str:
    # The input (path, URL, warc#offset, and which repeat of it) makes ids unique per input:
    # two copies of one article, or one page listed twice, hold the same source.
    basis = (
        f"{input}\x00{source.url or source.path or ''}|{source.sha256}|{rec.evidence[0][0]}"
        f"|{rec.first_token}"
    )
    return hashlib.sha256(basis.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def _freeze(
    doc: Doc,
    rec: WorkingRecord,
    source: Source,
    text: str,
    platforms: frozenset[str],
    input: str = "",
) -> TakedownRecord:
    targets = []
    carried: str | None = None
    for c in rec.targets:
        platform, rule = _target_platform(c, carried, rec.actor, platforms)
        if c.platform:
            carried = c.platform
        rec.add_rule(rule)
        start, end = c.char_span(doc)
        targets.append(
            Target(
                kind=c.kind or "unknown",
                platform=platform,
                count=int(round(c.value)) if c.value is not None else None,
                approximate=c.approximate,
                qualifier=c.qualifier,
                text=c.text(doc),
                start=start,
                end=end,
            )
        )
    total = None
    if rec.total is not None:
        start, end = rec.total.char_span(doc)
        total = Total(
            count=int(round(rec.total.value)) if rec.total.value is not None else None,
            approximate=rec.total.approximate,
            qualifier=rec.total.qualifier,
            text=rec.total.text(doc),
            start=start,
            end=end,
        )
    countries = [
        Country(code=code, name=name, role=role)  # type: ignore[arg-type]
        for (code, role), name in rec.countries.items()
    ]
    reach = [
        Reach(
            metric=metric,
            count=c.value,
            approximate=c.approximate,
            currency=c.currency,
            text=c.text(doc),
        )
        for c, metric in zip(rec.reach, rec.reach_metrics, strict=True)
    ]
    evidence = [Evidence(text=text[s:e].strip(), start=s, end=e) for s, e in rec.evidence]
    return TakedownRecord(
        record_id=_record_id(source, rec, input),
        source=source,
        actor=rec.actor,
        action=rec.action,  # type: ignore[arg-type]
        targets=targets,
        total=total,
        countries=countries,
        operator=rec.operator,
        reason=Reason(label=rec.reason[0], text=rec.reason[1]) if rec.reason else None,  # type: ignore[arg-type]
        period=rec.period,
        reach=reach,
        languages=rec.languages,
        investigators=rec.investigators,
        evidence=evidence,
        rules=rec.rules,
    )
