"""How a sentence is built: which verb governs each count, whether the verb reports a done
takedown, where one network's words end and the next begin, and stated totals.
"""

from collections.abc import Sequence

from spacy.tokens import Span, Token

from pipeline.claims import Claim
from pipeline.nlp import ACTOR_KINDS, Cue
from pipeline.records.context import Context, Mention, claims_in, cues_in
from pipeline.records.periods import find_period, names_years
from pipeline.words import phrase_ends, words

PASSIVE_FILLERS = words("passive_fillers")
SUBJECT_PRONOUNS = words("subject_pronouns")
WHICH_WINDOW = 12  # "88,000 accounts that showed spammy behaviour, all of which ..."
PASSIVE_WINDOW = 6  # tokens between a count and its passive verb, e.g. "were all quickly taken"
RECENT_SINCE = words("recent_since")
TO_DATE = frozenset({"to-date", "so-far", "thus-far"})  # CUMULATIVE cue values up to now
PERFECT_AUX = words("perfect_auxiliaries")

# How far before an action a modality cue still governs it, by kind (tokens).
LISTING_OPENER = 2  # "Among them are ...", "They included ...": the cue opens the sentence
MAX_BLOCK_CHAIN = 3  # verbs climbed from a takedown verb to the one whose modality it shares
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
ORDER_REACH = 12  # "ordered the Nepal Telecommunications Authority to cut access"
CLAUSE_BREAKS = words("clause_breaks")
TOTAL_LEADS = words("total_leads")
MAX_PHRASE_DEPTH = 8  # nouns climbed from a count to its phrase head; lists are shorter
BACK_REFERENCE = words("back_reference")
DEFINITE = words("definite_determiners")
ELLIPSIS_LIST_GAP = 8  # tokens between listed numbers: "4,572 were blocked in 2022, 3,724 in"
ACTION = frozenset({"ACTION"})
THEM = frozenset({"them", "they", "these", "those"})
VERB_CUES = frozenset(
    {"ACTION", "COMPOSE", "NONACTION", "REACH"}
)  # nouns climbed from a count to its phrase head; lists are shorter


# --------------------------------------------------------------------------- governing verbs

# "ordered it to remove": the object pronouns that stand for the body named before
ORDER_OBJECT_PRONOUNS = words("order_object_pronouns")
PASSIVE_AUXILIARIES = words("passive_auxiliaries")
# what may stand between two networks told in one sentence
NETWORK_SEPARATORS = words("network_breaks") | words("network_joins")
PLATFORM_LABELS = ("PLATFORM", "COMPANY")  # mentions of a platform or the company behind one
# verbs followed up a chain of coordinations ('blocked ... and banned ...')
MAX_VERB_CHAIN = 4


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
            aux = any(t.lower_ in PASSIVE_AUXILIARIES for t in between)
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


def governor(ctx: Context, claim: Claim, sent: Span) -> Cue | None:
    """The verb cue that governs a count: a passive action after it, else the nearest before.

    A cue inside a count ("150,000 blocked URLs") is an adjective, not a verb. A composition
    cue ("a network of 13 accounts", "it consisted of") hands the count to the action before
    it in the sentence; with none, the caller looks for a takedown reported just before."""
    passive = _passive_action(ctx, claim, sent)
    if passive is not None:
        return passive
    # "...418 accounts posted in support of X, while 277 accounts used an app": a verb of
    # another clause does not describe this count unless it is a takedown verb
    clause = clause_start(ctx, sent, claim.start)
    before = [
        c
        for c in cues_in(ctx.cues, sent.start, claim.start, {"ACTION", "NONACTION", "COMPOSE"})
        if not ctx.in_claim(c.start, c.start + 1)
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


def claim_head(ctx: Context, claim: Claim) -> int:
    """The token a count's phrase hangs on in the parse: its counted noun ("accounts" in
    "453 fake Facebook accounts"), the first of a mixed list, or the number itself."""
    if claim.unit is None:
        return claim.num_end - 1
    if claim.kind == "mixed":
        for i in range(claim.num_end, claim.end):
            if ctx.doc[i].lower_ in ctx.lexicon.unit_words:
                return i
    return claim.end - 1


def phrase_path(ctx: Context, tok: Token) -> list[Token]:
    """A counted noun -> the nouns up to the head of the phrase it sits in, by the "link"
    relations: coordination ("77 accounts, 72 pages, and 18 groups") and "of" ("a network
    of 13 accounts", "a total of 57 accounts", "hundreds of accounts")."""
    path = [tok]
    while len(path) <= MAX_PHRASE_DEPTH:
        up = ctx.parses.head(tok, "link")
        if up is None:
            break
        tok = up
        path.append(tok)
    return path


def parsed_governor(ctx: Context, claim: Claim) -> tuple[bool, Cue | None]:
    """The verb that governs a count, read off the structure relations -> (read?, its cue).

    (False, None) when the sentence was not parsed or the count hangs on no verb (a list
    heading, a fragment): the caller falls back to the words around it. (True, None) when
    the governing verb is no cue at all ("418 accounts posted in support of ...")."""
    parses = ctx.parses
    tok = parses.token(claim_head(ctx, claim))
    if tok is None:
        return False, None
    for _ in range(MAX_PHRASE_DEPTH):
        path = phrase_path(ctx, tok)
        head = path[-1]
        verb = parses.head(head, "govern")
        subject = verb is None and parses.head(head, "govern-subject") is not None
        if subject:
            verb = parses.head(head, "govern-subject")
        if verb is not None and ctx.in_claim(parses.index(verb), parses.index(verb) + 1):
            return False, None  # the parser took a counted noun for a verb ("accounts")
        cue = ctx.cue_at(parses.index(verb), VERB_CUES) if verb is not None else None
        for node in path[1:]:
            nominal = ctx.cue_at(parses.index(node), ACTION)
            if nominal is not None:
                return True, nominal  # "the removal of 310 accounts", "the blocking of 80 sites"
        if cue is not None and cue.label == "NONACTION" and verb is not None:
            # "found 944 accounts ... and banned all of them": the count the later verb takes
            later = _acts_on_them(ctx, verb)
            if later is not None:
                return True, later
        modified = parses.head(verb, "modify") if verb is not None else None
        if cue is not None and cue.label == "COMPOSE" and modified is not None:
            tok = modified  # "a network that included 50 accounts": the network's verb
            continue
        if cue is not None and cue.label == "ACTION" and subject:
            # the subject of "deleted" deletes; it is not deleted. A bare participle is
            # passive in meaning: "saw 377 channels terminated"
            return True, (cue if _bare_participle(verb) else None)  # type: ignore[arg-type]
        if cue is None and subject and verb is not None:
            # "9,000 channels tied to the war were removed": the parser made the count the
            # subject of the modifier; the passive verb it hangs on lacks a subject of its own
            outer = ctx.cue_at(parses.index(verb.head), VERB_CUES)
            if (
                verb.dep_ in ("advcl", "acl", "ccomp")
                and outer is not None
                and outer.label == "ACTION"
                and _passive_without_subject(ctx, verb.head)
            ):
                return True, outer
        if cue is not None:
            return True, cue
        # "saw 1,045 channels terminated", "2,000 removed channels", "accounts that were
        # removed": an action participle on the phrase, under a verb that is no cue word
        for node in path:
            for participle in parses.dependents(node, "modify"):
                found = ctx.cue_at(parses.index(participle), VERB_CUES)
                if (
                    found is not None
                    and found.label == "ACTION"
                    and not _own_subject(ctx, participle)
                ):
                    return True, found
        # "seized 33 websites used by X and three websites operated by Y": the parser hung
        # the second count inside the first one's modifier; it is coordinated with it
        earlier = _counted_ancestor(ctx, claim, tok)
        if earlier is not None:
            return parsed_governor(ctx, earlier)
        return verb is not None, None
    return False, None


def _acts_on_them(ctx: Context, verb: Token) -> Cue | None:
    """A takedown verb coordinated with this one whose object refers back ("and banned all
    of them", "and removed them")."""
    for other in ctx.parses.dependents(verb, "coordinated"):
        cue = ctx.cue_at(ctx.parses.index(other), ACTION)
        if cue is None:
            continue
        for thing in ctx.parses.dependents(other, "govern"):
            if thing.lower_ in BACK_REFERENCE or thing.lower_ in THEM:
                return cue
    return None


def _counted_ancestor(ctx: Context, claim: Claim, tok: Token) -> Claim | None:
    """An earlier count of the same kind whose noun the parse puts above this one's."""
    heads = {claim_head(ctx, c): c for c in ctx.claims if c.kind == claim.kind and c is not claim}
    for ancestor in tok.ancestors:
        outer = heads.get(ctx.parses.index(ancestor))
        if outer is not None and outer.start < claim.start:
            return outer
    return None


def _bare_participle(verb: Token) -> bool:
    """'(saw) 377 channels terminated': a past participle with no auxiliary, in a clause
    that is not the sentence's main one."""
    return (
        verb.tag_ == "VBN"
        and verb.dep_ != "ROOT"
        and not any(c.dep_ in ("aux", "auxpass") for c in verb.children)
    )


def _passive_without_subject(ctx: Context, verb: Token) -> bool:
    """A passive verb whose subject the parser gave to something else."""
    passive = ctx.parses.dependents(verb, "passive")
    return (
        any(t.dep_ == "auxpass" for t in passive)
        and not any(t.dep_ == "nsubjpass" for t in passive)
        and not ctx.parses.dependents(verb, "subject")
    )


def _own_subject(ctx: Context, verb: Token) -> bool:
    """'URLs, of which 44,900 have been blocked': the clause counts a subject of its own."""
    subjects = ctx.parses.dependents(verb, "subject") + [
        t for t in ctx.parses.dependents(verb, "passive") if t.dep_ == "nsubjpass"
    ]
    return any(t.like_num or any(g.like_num for g in t.children) for t in subjects)


def resolve_ellipsis(ctx: Context, sent: Span, claims: list[Claim]) -> None:
    """'316 websites were removed for scams, and 249 were blocked for ...': a bare number
    that a takedown verb takes as its subject or object counts what was counted before.

    The unit comes from the nearest asset word before it in the sentence ("The number of
    blocked websites ...: 4,572 were blocked in 2022"), else from the last counted claim
    of the last few sentences; numbers listed after it ("3,724 in 2023") share it."""
    if not ctx.parses.parsed(sent):
        return
    antecedent: Claim | None = None
    for claim in claims:
        if claim.kind is not None or claim.metric is not None or claim.currency is not None:
            antecedent = claim if claim.kind is not None else antecedent
            continue
        tok = ctx.parses.token(claim.num_end - 1)
        if tok is None:
            continue
        verb = ctx.parses.head(tok, "govern")
        cue = ctx.cue_at(ctx.parses.index(verb), VERB_CUES) if verb is not None else None
        taken = cue is not None and cue.label == "ACTION"
        listed = (
            antecedent is not None
            and "unit-elliptical" in antecedent.rules
            and (claim.start - antecedent.end <= ELLIPSIS_LIST_GAP)
        )
        # "all three were taken down", "the two were removed": a reference back, not a count
        back = ctx.doc[claim.start - 1].lower_ in BACK_REFERENCE if claim.start else False
        if not (taken or listed) or back:
            continue
        if listed and antecedent is not None:
            source: tuple[str, str] | None = (antecedent.unit or "", antecedent.kind or "")
        else:
            source = _unit_before(ctx, sent, claim)
        if source is None:
            continue
        claim.unit, claim.kind = source
        claim.rules.append("unit-elliptical")
        antecedent = claim


def _unit_before(ctx: Context, sent: Span, claim: Claim) -> tuple[str, str] | None:
    """The asset word nearest before a claim in its sentence, else the unit of the last
    counted claim within a few sentences -> (unit, kind)."""
    doc = ctx.doc
    for i in range(claim.start - 1, sent.start - 1, -1):
        kind = ctx.lexicon.unit_kinds.get(doc[i].lower_)
        if kind is None or kind in ctx.lexicon.non_target_kinds:
            continue
        if not doc[i].lower_.endswith("s") and i > 0 and doc[i - 1].lower_ in DEFINITE:
            continue  # "12,600 URLs ..., out of which the said platform removed 4,100"
        return doc[i].lower_, kind
    floor = doc[max(sent.start - 1, 0)].sent.start if sent.start else 0
    earlier = [c for c in claims_in(ctx.claims, floor, claim.start) if c.kind and c.unit]
    if earlier:
        last = earlier[-1]
        return last.unit or "", last.kind or ""
    return None


def coordinated_governors(ctx: Context, claims: list[Claim], sent: Span) -> dict[int, Cue]:
    """Each count's governing cue; 'Hundreds of Pages and dozens of accounts were removed'
    lends the passive verb of the last count to the counts coordinated before it."""
    governors: dict[int, Cue] = {}
    for claim in claims:
        read, cue = parsed_governor(ctx, claim)
        if not read:
            cue = governor(ctx, claim, sent)
        elif cue is None:
            # "88,000 accounts that showed spam, all of which it has suspended": the parser
            # hangs the verb anywhere; the words say which count it takes
            cue = _which_action(ctx, claim, sent)
            if cue is None:
                # "Among them are 12,000 materials ...": a make-up cue before the count
                # whose copula the parser took for the verb
                near = governor(ctx, claim, sent)
                opens = near is not None and near.start - sent.start <= LISTING_OPENER
                cue = near if near is not None and near.label == "COMPOSE" and opens else None
        if cue is not None:
            governors[id(claim)] = cue
    for left, right in reversed(list(zip(claims, claims[1:], strict=False))):
        cue = governors.get(id(right))
        if id(left) in governors or cue is None or cue.start < right.end:
            continue
        if all(t.lower_ in (",", "and", "or") for t in ctx.doc[left.end : right.start]):
            governors[id(left)] = cue
    for left, right in zip(claims, claims[1:], strict=False):
        # "took action against 9,000 pages with ..., 6,000 promoting suicide, 6,000 selling
        # ... and 5,000 that ...": a figure that takes its unit from the one before, listed
        # after it, is taken by the same verb
        cue = governors.get(id(left))
        if id(right) in governors or cue is None or cue.end > left.start or not right.inherited:
            continue
        between = ctx.doc[left.end : right.start]
        if (
            len(between)
            and between[-1].lower_ in (",", "and", "or")
            and not any(t.lower_ in CLAUSE_BREAKS or t.text in (";", ":") for t in between)
        ):
            governors[id(right)] = cue
    return governors


def _bracket_closes(ctx: Context, cue: Cue, claim: Claim) -> bool:
    """'(200 of which had already been disabled), 102 Pages': a verb in brackets that close
    before the count does not govern it."""
    between = ctx.doc[cue.end : claim.start]
    opened = sum(t.text == "(" for t in between)
    return sum(t.text == ")" for t in between) > opened


def clause_start(ctx: Context, sent: Span, token: int) -> int:
    for i in range(token - 1, sent.start - 1, -1):
        if ctx.doc[i].lower_ in CLAUSE_BREAKS:
            return i + 1
    return sent.start


def blocked_by(ctx: Context, action: Cue, sent: Span, depth: int = 0) -> str | None:
    """Why an action does not report a takedown (modality, cumulative), or None."""
    doc = ctx.doc
    clause = clause_start(ctx, sent, action.start)
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
        if cue.value in TO_DATE and names_years(ctx.text_of(sent)):
            continue  # "blocked ... from 2017 to 2022, till date": a figure for named years
        if cue.value != "since":
            return f"cumulative-{cue.value}"
        word = ctx.parses.token(cue.start)
        if word is not None and word.dep_ == "advmod":
            continue  # "the number has since fallen": since then, not a running total
        after = cue.end < len(doc) and doc[cue.end].lower_
        if after in RECENT_SINCE:
            continue  # "has suspended 70,000 accounts since Friday": one recent action
        # "Since 2010 the authority blocked ...", "has blocked ... since 2010": a running total;
        # "the largest takedown since 2019" (since after a simple past) is not
        if cue.start < action.start:
            return "cumulative-since"
        window = doc[max(sent.start, action.start - 3) : action.start]
        if any(t.lower_ in PERFECT_AUX for t in window):
            return "cumulative-since"
    order = order_before(ctx, action, sent)
    if (
        order is not None
        and order[1] is not None
        and order[1].label in PLATFORM_LABELS
        and not _by_a_court(ctx, order[0], sent)
    ):
        return "order-to-platform"  # a request to a platform; its compliance is told apart
    return _blocked_with(ctx, action, sent, depth)


def _blocked_with(ctx: Context, action: Cue, sent: Span, depth: int) -> str | None:
    """'asked the bank to block 573 accounts and the regulator to block 7,599': a takedown
    verb that goes with another one asked for, planned or threatened is that too (a
    negation does not carry: "did not remove X but blocked Y")."""
    verb = ctx.parses.token(action.start)
    if verb is None or depth >= MAX_BLOCK_CHAIN:
        return None
    head = ctx.parses.head(verb, "coordinated") or ctx.parses.head(verb, "shares-subject")
    if head is None:
        return None
    at = ctx.parses.index(head)
    if at == action.start:
        return None
    # the verb it goes with, whether a takedown verb or not ("asked the bank to freeze ...
    # and the regulator to block ...")
    other = ctx.cue_at(at, ACTION) or Cue("ACTION", action.value, action.rule, at, at + 1)
    reason = blocked_by(ctx, other, sent, depth + 1)
    if reason is None or not reason.startswith("modal-") or reason == "modal-negation":
        return None
    return reason


def _by_a_court(ctx: Context, order: Cue, sent: Span) -> bool:
    """'The court ordered X to suspend 7 accounts': a court's order binds the platform and is
    the takedown (the court acted), where a government's order to one is a request whose
    compliance the text tells apart."""
    verb = ctx.parses.token(order.start)
    subject = subject_of(ctx, verb)[0] if verb is not None else None
    if subject is not None:
        i = ctx.parses.index(subject)
        covering = [m for m in ctx.mentions_in(sent.start, i + 1) if m.start <= i < m.end]
        if covering:
            return covering[0].label == "COURT"
        return ctx.lexicon.references.get(subject.lower_, ("",))[0] == "court"
    givers = [m for m in ctx.mentions_in(sent.start, order.start) if m.label in ACTOR_KINDS]
    return bool(givers) and givers[-1].label == "COURT"


def subject_of(ctx: Context, verb: Token) -> tuple[Token | None, bool]:
    """A verb in the parse -> (the token naming who acts, passive?), by the structure
    relations.

    The subject, or the "by" agent of a passive; a verb with none shares its subject with
    the verb it is coordinated with or depends on ("blocked 7,000 videos and banned 19
    channels", "decided to remove", "..., eliminating hundreds of accounts")."""
    parses = ctx.parses
    for _ in range(MAX_VERB_CHAIN):
        agents = parses.dependents(verb, "agent")
        if agents:
            return agents[0], True
        if parses.dependents(verb, "passive"):
            return None, True
        # the subject nearest the verb: a dateline's agency name is parsed as one too
        subjects = parses.dependents(verb, "subject")
        subject = min(subjects, key=lambda c: abs(verb.i - c.i)) if subjects else None
        if subject is not None:
            return (None if subject.dep_ == "expl" else subject), False
        shared = parses.head(verb, "coordinated") or parses.head(verb, "shares-subject")
        if shared is None:
            return None, False
        verb = shared
    return None, False


def order_before(ctx: Context, action: Cue, sent: Span) -> tuple[Cue, Mention | None] | None:
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
    objects = [m for m in ctx.mentions_in(order.end, action.start) if m.label in ACTOR_KINDS]
    if objects:
        return order, objects[0]
    return order, _platform_referred_to(ctx, order, action, sent)


def _platform_referred_to(ctx: Context, order: Cue, action: Cue, sent: Span) -> Mention | None:
    """'directed it to block', 'told the platform to remove': the platform named before that
    the order's object refers to, None when it refers to none."""
    between = ctx.doc[order.end : action.start]
    if any(ctx.lexicon.references.get(t.lower_, ("",))[0] == "platform" for t in between):
        # "the platform", "the company": the last platform or company named
        return ctx.last_mention_before(sent.start, PLATFORM_LABELS)
    if any(t.lower_ in ORDER_OBJECT_PRONOUNS for t in between):
        # "it": the last body named, when that is a platform or company
        named = ctx.last_mention_before(sent.start, tuple(ACTOR_KINDS))
        return named if named is not None and named.label in PLATFORM_LABELS else None
    return None


# --------------------------------------------------------------------------- grouping


def breakdown_after(ctx: Context, claim: Claim, following: Sequence[Claim]) -> list[Claim]:
    """'265 accounts, Pages, groups and events: 65 Facebook accounts, ...' -> the counts
    that break the stated total down (empty when it is no total)."""
    doc = ctx.doc
    j = claim.end
    sent_end = doc[claim.start].sent.end
    # skip a coordinated list of unit words ("accounts, Pages and groups")
    while j < sent_end and (
        doc[j].lower_ in (",", "and", "or", "&")
        or doc[j].lower_ in ctx.lexicon.unit_words
        or doc[j].is_title
        and not doc[j].like_num
    ):
        if doc[j].like_num:
            break
        j += 1
        if j - claim.end > 12:
            return []
    if j >= sent_end:
        return []
    lead = doc[j].lower_
    phrase_lead = j in phrase_ends(doc, "total_lead_phrases")
    if lead not in TOTAL_LEADS and not phrase_lead:
        return []
    after = [c for c in following if c.start > j and c.start - j < 8 + 6 * len(following)]
    if lead == "(":
        # the breakdown is what the brackets hold: "88 assets (35 accounts, 14 Pages, ...)"
        close = next((k for k in range(j, sent_end) if doc[k].text == ")"), sent_end)
        after = [c for c in after if c.start < close]
    if len(after) < 2:
        return []
    # "259 accounts (200 of which were already disabled), 102 Pages": a subset, not a breakdown
    first = after[0]
    tail = {t.lower_ for t in doc[first.end : min(len(doc), first.end + 3)]}
    return [] if tail & {"of", "which", "already"} else after


def resolve_partitives(ctx: Context, sent: Span, claims: list[Claim]) -> None:
    """'Google had removed 4,500 of the 5,200 videos it was asked to take down': the bare
    number is the part that was acted on, counted in the whole's unit; the whole is only
    what it was counted from."""
    doc = ctx.doc
    for part, whole in zip(claims, claims[1:], strict=False):
        if part.kind is not None or part.value is None or whole.kind is None:
            continue
        between = [t.lower_ for t in doc[part.end : whole.start]]
        if len(between) == 2 and between[0] == "of" and between[1] in BACK_REFERENCE:
            part.unit, part.kind, part.platform = whole.unit, whole.kind, whole.platform
            part.rules.append("unit-partitive")
            whole.whole = True


def one_operation(ctx: Context, first: Cue, second: Cue) -> bool:
    """'blocked over 7,000 videos and banned 19 channels': two takedown verbs coordinated
    under one subject are one operation (a verb with a subject of its own is another)."""
    a, b = ctx.parses.token(first.start), ctx.parses.token(second.start)
    if a is None or b is None or a.doc is not b.doc:
        return False
    if ctx.parses.dependents(b, "subject") or _own_subject(ctx, b):
        return False
    joined = ctx.parses.head(b, "coordinated")
    if joined is not None:
        return joined.i == a.i
    # the parser may hang the second verb elsewhere ("took down 3 channels linked to X and
    # blocked 2 domains"): "and" right before it still joins it to the first
    return first.start < second.start and ctx.doc[second.start - 1].lower_ == "and"


def _kind_as_written(claim: Claim) -> tuple[str | None, str | None, str]:
    """A count's kind, platform and unit word in the singular ("accounts" -> "account")."""
    unit = (claim.unit or "").lower()
    return claim.kind, claim.platform, unit[:-1] if unit.endswith("s") else unit


def split_networks(ctx: Context, targets: list[tuple[Claim, Cue]]) -> list[list[tuple[Claim, Cue]]]:
    """Counts of one sentence -> networks: split where a kind repeats, the verb changes, or a
    country/operator phrase closes a list."""
    groups: list[list[tuple[Claim, Cue]]] = []
    for claim, cue in targets:
        if not groups:
            groups.append([(claim, cue)])
            continue
        current = groups[-1]
        prev_claim, prev_cue = current[-1]
        # "371 accounts and 120 profiles": two words for one kind list two things, not two
        # networks; the same word again ("40 accounts ..., and 55 accounts") starts one
        kinds = {_kind_as_written(c) for c, _ in current}
        between = ctx.doc[prev_claim.end : claim.start]
        closer = any(
            m.label in ("COUNTRY", "DEMONYM", "OPERATOR") and m.end <= claim.start
            for m in ctx.mentions_in(prev_claim.end, claim.start)
        )
        period_between = find_period(between.text, None) is not None
        separator = any(t.lower_ in NETWORK_SEPARATORS for t in between)
        if (
            _kind_as_written(claim) in kinds
            or (cue.start != prev_cue.start and not one_operation(ctx, prev_cue, cue))
            or (closer and separator)
            or (period_between and separator)
        ):
            groups.append([(claim, cue)])
        else:
            current.append((claim, cue))
    return groups
