"""What carries from sentence to sentence: who is acting, which record is in focus.

``DiscourseState`` is the one place that holds it; the builder updates it as it reads
and the rules read it. Actors are resolved here: the subject or agent of an action, an
acronym or a generic "the regulator" to the last named one, else the actor in focus,
the one named before, or the headline's.
"""

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from models.record import Actor, ActorKind
from pipeline.actors import actor_group
from pipeline.actors import same_actor as same_actor_name
from pipeline.claims import Claim
from pipeline.nlp import ACTOR_KINDS, Cue, country_name
from pipeline.records.context import MAX_MENTION_TOKENS, Context, Mention, clean_name, cues_in
from pipeline.records.structure import (
    MAX_VERB_CHAIN,
    PASSIVE_AUXILIARIES,
    order_before,
    subject_of,
)
from pipeline.records.working import WorkingRecord
from pipeline.words import words

ATTRIBUTION = frozenset({"ATTRIBUTION"})
MAX_NAME_TOKENS = 24  # a subject's naming words; a longer list is no name
RELATIVE_TAGS = frozenset({"WDT", "WP"})  # "which", "that", "who"
PREPOSITIONS = words("actor_prepositions")
DOCUMENT_NOUNS = words("document_nouns")
OPENING_QUOTES = words("opening_quotes")
CLOSING_QUOTES = words("closing_quotes")
REFERENCE_NOUNS = words("reference_nouns")
INDEFINITE = words("indefinite_determiners")
REFERENCE_PRONOUNS = words("reference_pronouns")
OTHER_NETWORK = words("other_network")
REFERENCE_WINDOW = 8  # tokens at a sentence start where "the network" / "they" is looked for
PENDING_SENTENCES = 3  # "removed a network ..." then, within three sentences, "It consisted of"
PARTS_SENTENCES = 3  # the parts of a combined total follow it within three sentences
# "removed four networks ... The first network had ... The second network contained ...":
# each part is told within a few sentences of the one before
PARTS_PER_NETWORK = 3
MAX_PARTS = 12
GENERIC_ACTOR_NAMES = words("generic_actor_names")


@dataclass
class Told:
    """A takedown told without counts ("removed a network of fake accounts", "removed four
    networks"), waiting for the sentences that count it or its parts."""

    cue: Cue
    actor: Actor | None
    sentence: int  # index of the last sentence that told of it or counted a part of it
    sent: Span  # the sentence that told it
    region: tuple[int, int]  # tokens where its countries are told
    networks: int | None = None  # "removed nine networks": how many parts may follow
    total: Claim | None = None  # "removed 88 assets.": the total its parts add up to
    # "We took down three operations. ... We removed a network in China": the takedown of
    # several networks this one is one of, open again once this one is told
    within: "Told | None" = None
    counted: bool = False  # a later sentence gave counts of it
    # the record this is, when it was told with counts ("blocked 30,000 pages. Among them
    # were ..."): its parts make it a total
    record: WorkingRecord | None = None

    def open_at(self, sentence: int) -> bool:
        """Can a sentence at this index still count it?"""
        window = PENDING_SENTENCES + PARTS_PER_NETWORK * min(self.networks or 0, MAX_PARTS)
        return sentence - self.sentence <= window


@dataclass
class DiscourseState:
    """What the text is talking about at the current sentence."""

    sent_index: int = 0
    prev_sent: Span | None = None
    focus: WorkingRecord | None = None  # the record the text is talking about
    section_start: int = -1  # first token of the section under the last subheading
    focus_actor: Actor | None = None  # the actor of the last takedown told
    last_subject: Actor | None = None  # the last actor seen acting or speaking
    subjects: dict[str, Actor] = field(default_factory=dict)  # the same, by actor kind
    # a takedown told without counts ("removed a network of fake accounts"), waiting for
    # the sentence that gives its make-up ("It consisted of 259 accounts ...")
    pending: Told | None = None
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

    def pending_takedown(self) -> Told | None:
        """A takedown told without counts not long ago, waiting for its make-up."""
        told = self.pending
        if told is not None and not told.open_at(self.sent_index):
            told = told.within
        if told is None or not told.open_at(self.sent_index):
            return None
        return told

    def focus_takedown(self, sent: Span) -> Told | None:
        """The record just told, as the takedown a make-up sentence describes ("The blocked
        material included ...")."""
        rec = self.focus
        if rec is None or self.sent_index - rec.last_sentence > PENDING_SENTENCES:
            return None
        cue = Cue("ACTION", rec.action, "record-in-focus", 0, 0)
        return Told(cue, rec.actor, rec.last_sentence, sent, (sent.start, sent.start), record=rec)


def same_actor(a: Actor | None, b: Actor | None) -> bool:
    """Two actors that are one: the same organisation (Facebook and Meta, actor_groups.jsonl)."""
    if a is None or b is None:
        return a is b
    return a.name == b.name or same_actor_name(a.name, b.name)


def tells_new_takedown(ctx: Context, cue: Cue) -> bool:
    """Does a takedown told without counts name something new ("removed a network ...",
    "blocked fake accounts linked to ...") rather than tell again of what is in focus
    ("the said pages had been taken down", "before its removal", "cut off Smaat")?"""
    word = ctx.parses.token(cue.start)
    if word is None:
        return False
    if word.pos_ == "NOUN":  # "the removal of 400 accounts", "its removal"
        if any(c.dep_ in ("det", "poss") and c.lower_ not in INDEFINITE for c in word.children):
            return False
        thing = next((g for c in word.children if c.lower_ == "of" for g in c.children), None)
    else:
        things = [
            t for t in ctx.parses.dependents(word, "govern") if t.dep_ in ("dobj", "nsubjpass")
        ]
        thing = things[0] if things else None
    if thing is None or thing.pos_ != "NOUN":
        return False  # a pronoun or a name: what was told before, or its operator
    i = ctx.parses.index(thing)
    if any(m.label == "OPERATOR" for m in ctx.mentions_at(i)):
        return False  # "banned a marketing firm behind it": who ran it, not what it ran
    determiners = [c.lower_ for c in thing.children if c.dep_ in ("det", "poss")]
    return all(d in INDEFINITE for d in determiners)


def observe(ctx: Context, state: DiscourseState, sent: Span) -> None:
    """After a sentence: the actor it has as subject becomes the last one seen acting."""
    actor = None
    root = (
        next((t for t in ctx.parses.docs[sent.start] if t.dep_ == "ROOT"), None)
        if (ctx.parses.parsed(sent))
        else None
    )
    if root is not None:
        # a root that is a noun is a parse of a long subject with its verb taken for a
        # modifier ("the newly rebranded Meta company, ..., announced ...")
        subject = root if root.pos_ in ("NOUN", "PROPN") else subject_of(ctx, root)[0]
        if subject is not None and subject.pos_ != "PRON":
            actor, _ = resolve_subject(ctx, state, subject, sent)
    else:
        # unparsed: the first actor named outside a prepositional phrase
        for m in ctx.mentions_in(sent.start, sent.end):
            if m.label not in ACTOR_KINDS:
                continue
            if m.start > sent.start and ctx.doc[m.start - 1].lower_ in PREPOSITIONS:
                continue
            actor = actor_from_mention(ctx, m)
            break
    if actor is not None:
        state.last_subject = actor
        state.subjects[actor.kind] = actor


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
    elif name.lower() in GENERIC_ACTOR_NAMES or not any(w[:1].isupper() for w in name.split()):
        # "the regulator", "the telecoms regulator": a description of a body named before,
        # or (a lede often says who before it names them) the first one named after
        named = _last_named_actor(ctx, m.start, kind)
        if named is None and not name.endswith("s"):  # one body, not "authorities"
            named = _next_named_actor(ctx, m.end - 1, kind)
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


def actor_for(
    ctx: Context, state: DiscourseState, cue: Cue, sent: Span
) -> tuple[Actor | None, str]:
    """The actor of an action -> (actor, rule id).

    The subject (or "by" agent) of the verb in the parse, resolved: a named actor, a
    pronoun ("it" after "X said", "we" on X's own page or in X's quoted words), a
    description ("the company", "the regulator") or a country standing for its government.
    A passive with no agent, or a subject that names no one, takes the actor in focus."""
    doc = ctx.doc
    order = order_before(ctx, cue, sent)
    if order is not None:
        # "the ministry ordered the telecom authority to cut access": the orderer acted; the
        # subject of the order verb where the sentence was parsed ("A court fined Google and
        # ordered it to remove ...": the court), else the last actor named before it
        verb = ctx.parses.token(order[0].start)
        subject = subject_of(ctx, verb)[0] if verb is not None else None
        if subject is not None and subject.pos_ != "PRON":
            giver, _ = resolve_subject(ctx, state, subject, sent)
            if giver is not None:
                return giver, "actor-ordered-intermediary"
        givers = [
            m
            for m in ctx.mentions_in(sent.start, order[0].start)
            if m.label in ACTOR_KINDS and not ctx.in_claim(m.start, m.end)
        ]
        if givers:
            return actor_from_mention(ctx, givers[-1]), "actor-ordered-intermediary"
    verb = ctx.parses.token(cue.start)
    if verb is not None and verb.pos_ == "NOUN":
        # "Meta announced the removal of 400 accounts", "the judge ordering the suspension
        # of dozens of accounts": a takedown named by a noun is done by whoever the verb
        # that takes the noun has as subject
        verb = ctx.parses.head(verb, "govern") or verb
    if verb is not None and not cue.passive:
        subject, _ = subject_of(ctx, verb)
        if subject is not None:
            actor, rule = resolve_subject(ctx, state, subject, sent)
            if actor is not None or rule == "actor-several":
                return actor, rule
    # no subject in the parse, or none that names anyone: the last actor named before the
    # verb in the sentence ("Twitter is adding 1,210 accounts to its archive; all were
    # suspended"), then "by X" after it
    patient = _patient_tokens(ctx, verb)
    candidates = [
        m
        for m in ctx.mentions_in(sent.start, cue.start)
        if m.label in ACTOR_KINDS
        and not ctx.in_claim(m.start, m.end)
        and not (m.start > sent.start and doc[m.start - 1].lower_ in PREPOSITIONS)
        and not _names_a_document(ctx, m)
        and m.start not in patient
    ]
    if candidates:
        return actor_from_mention(ctx, candidates[-1]), "actor-subject"
    for m in ctx.mentions_in(cue.end, sent.end):
        if m.label in ACTOR_KINDS and doc[m.start - 1].lower_ == "by":
            return actor_from_mention(ctx, m), "actor-passive-agent"
    speaker = _trailing_speaker(ctx, cue, sent)
    if speaker is not None:
        return speaker, "actor-attribution"
    return default_actor(ctx, state, sent)


def _patient_tokens(ctx: Context, verb: Token | None) -> set[int]:
    """'two apps - TikTok and Bigo Live - have been blocked': the words of a passive
    subject (what was taken down, with its appositions), which name no actor."""
    if verb is None:
        return set()
    return {
        ctx.parses.index(t)
        for c in verb.children
        if c.dep_ in ("nsubjpass", "csubjpass")
        for t in c.subtree
    }


def _names_a_document(ctx: Context, m: Mention) -> bool:
    """'the US obtained a court order to seize ...': is the mention only the modifier of a
    document noun (an order, a ruling, a report) in the parse?"""
    last = ctx.parses.token(m.end - 1)
    return (
        last is not None
        and last.dep_ == "compound"
        and last.head.i > last.i
        and last.head.lower_ in DOCUMENT_NOUNS
    )


def _sentence_reporter(ctx: Context, state: DiscourseState, sent: Span) -> Actor | None:
    """'The removal of 310 accounts follows a tip from researchers, Meta said.': the actor
    who reports the sentence, when the takedown itself names no one."""
    for cue in cues_in(ctx.cues, sent.start, sent.end, {"ATTRIBUTION"}):
        verb = ctx.parses.token(cue.start)
        if verb is None:
            continue
        subject, _ = subject_of(ctx, verb)
        if subject is not None and subject.pos_ != "PRON":
            actor, _ = resolve_subject(ctx, state, subject, sent)
            if actor is not None:
                return actor
    return None


# rules that take the actor from the discourse, not from the sentence's own words
CONTEXT_ACTOR_RULES = frozenset(
    {
        "actor-in-focus",
        "actor-last-subject",
        "actor-attribution",
        "actor-title",
        "actor-previous-sentence",
        "actor-publisher",
        "actor-none",
    }
)


def default_actor(ctx: Context, state: DiscourseState, sent: Span) -> tuple[Actor | None, str]:
    """The actor of an agentless takedown: the one in focus, else the last one seen acting
    or speaking, the headline's, the last one named, or the page's own publisher."""
    if state.focus_actor is not None:
        return state.focus_actor, "actor-in-focus"
    if state.last_subject is not None:
        return state.last_subject, "actor-last-subject"
    reporter = _sentence_reporter(ctx, state, sent)
    if reporter is not None:
        return reporter, "actor-attribution"
    if ctx.title_actor is not None:
        return ctx.title_actor, "actor-title"
    for m in reversed(ctx.mentions_in(0, sent.start)):
        if m.label in ACTOR_KINDS and not ctx.in_claim(m.start, m.end):
            return actor_from_mention(ctx, m), "actor-previous-sentence"
    if ctx.publisher is not None:
        return ctx.publisher, "actor-publisher"
    return None, "actor-none"


def resolve_subject(
    ctx: Context, state: DiscourseState, tok: Token, sent: Span
) -> tuple[Actor | None, str]:
    """A subject token -> the actor it names, or (None, "") when it names none."""
    clause_of = ctx.parses.head(tok.head, "modify") if tok.tag_ in RELATIVE_TAGS else None
    if clause_of is not None:
        tok = clause_of  # "Facebook, which removed ...": the noun the clause is about
    i = ctx.parses.index(tok)
    # the words that name the subject: its head, compounds, possessors, appositions and
    # conjuncts ("Meta's security team", "Facebook and its sister company Instagram"), not
    # what its prepositional phrases are about ("presence on Facebook and Instagram")
    naming = {ctx.parses.index(t) for t in _naming_tokens(ctx, tok)}
    near = ctx.mentions_in(min(naming) - MAX_MENTION_TOKENS, max(naming) + 1)
    named = [
        m for m in near if m.label in ACTOR_KINDS and any(m.start <= k < m.end for k in naming)
    ]
    covering = [m for m in named if m.start <= i < m.end]
    if covering or named:
        return actor_from_mention(ctx, (covering or named)[0]), "actor-subject"
    for m in near:
        # "TAG terminated ...": a company's own research unit acts for the company
        if m.label == "RESEARCH" and any(m.start <= k < m.end for k in naming):
            owner = actor_group(m.id or m.text)
            if owner and owner in ctx.lexicon.actor_names.values() and owner != (m.id or m.text):
                return Actor(name=owner, kind="platform"), "actor-company-unit"
    if tok.pos_ == "PRON":
        return _pronoun(ctx, state, tok, sent)
    if tok.tag_ == "NNS" and _described_kind(ctx, tok) is not None:
        return None, "actor-several"  # "social media companies took down ...": no one actor
    description = _description(ctx, state, tok)
    if description is not None:
        return description, "actor-description"
    organisation = _organisation_name(ctx, tok)
    if organisation is not None and not any(m.label == "RESEARCH" for m in _covering(ctx, i)):
        return Actor(name=organisation, kind=kind_of_name(ctx, organisation)), "actor-organisation"
    country = next(
        (m for m in _covering(ctx, i) if m.label in ("COUNTRY", "DEMONYM") and m.id), None
    )
    if country is not None and country.id is not None:
        # "the United States seized 33 websites": a country acts through its government
        return Actor(name=country_name(country.id), kind="government"), "actor-country"
    return None, ""


def _naming_tokens(ctx: Context, tok: Token) -> list[Token]:
    """A noun and the tokens that name what it is, by the "names" relations only."""
    out: list[Token] = []
    todo = [tok]
    while todo and len(out) < MAX_NAME_TOKENS:
        t = todo.pop()
        out.append(t)
        todo.extend(ctx.parses.dependents(t, "names"))
    return sorted(out, key=lambda t: t.i)


def _organisation_name(ctx: Context, tok: Token) -> str | None:
    """A subject the parser knows as an organisation -> its name: the proper-noun compound
    it heads ("The State Cyber Inspectorate"), whose words the entity recogniser marks ORG
    at least in part and never as a person (run on the sentence only for such a name)."""
    words = [c for c in tok.children if c.dep_ == "compound" and c.i < tok.i] + [tok]
    words = [t for t in tok.doc[words[0].i : tok.i + 1]]
    if not all(t.is_title or t.is_upper for t in words):
        return None
    ctx.parses.entities(tok.doc)
    types = {t.ent_type_ for t in words}
    if "ORG" not in types or "PERSON" in types:
        return None
    return clean_name(" ".join(t.text for t in words))


def _covering(ctx: Context, i: int) -> list[Mention]:
    return ctx.mentions_at(i)


def _pronoun(
    ctx: Context, state: DiscourseState, tok: Token, sent: Span
) -> tuple[Actor | None, str]:
    """'we' -> the page's publisher, or the speaker of the quote; 'it', 'they' -> the one
    who said so ("X said it had removed"), an actor named before it in the sentence
    ("Facebook's action was small: it took down ..."), else the actor in focus."""
    i = ctx.parses.index(tok)
    speaker = _reporter(ctx, state, tok, sent)
    if "1" in tok.morph.get("Person", []):
        if ctx.publisher is not None and not _inside_quotes(ctx, sent, i):
            return ctx.publisher, "actor-publisher"
        if speaker is not None:
            return speaker, "actor-speaker"
        if state.last_subject is not None:
            return state.last_subject, "actor-speaker-in-focus"
        return (ctx.publisher, "actor-publisher") if ctx.publisher else (None, "")
    if speaker is not None:
        return speaker, "actor-pronoun-speaker"
    before = [m for m in ctx.mentions_in(sent.start, i) if m.label in ACTOR_KINDS]
    if before:
        return actor_from_mention(ctx, before[-1]), "actor-pronoun-antecedent"
    actor = state.focus_actor or state.last_subject
    return (actor, "actor-pronoun") if actor is not None else (None, "")


def _reporter(ctx: Context, state: DiscourseState, tok: Token, sent: Span) -> Actor | None:
    """Who says the clause a token is in: the subject of the reporting verb it hangs on
    ("The inspectorate said it had shut down ...", "..., Facebook said."), or None."""
    verb = tok.head
    for _ in range(MAX_VERB_CHAIN):
        up = ctx.parses.head(verb, "clause")
        if up is None:
            break
        verb = up
        if ctx.cue_at(ctx.parses.index(verb), ATTRIBUTION) is not None:
            subject, _ = subject_of(ctx, verb)
            if subject is not None and subject.pos_ != "PRON":
                actor, _ = resolve_subject(ctx, state, subject, sent)
                return actor
            break
    return None


def _description(ctx: Context, state: DiscourseState, tok: Token) -> Actor | None:
    """'the company', 'the tech giant', 'the social network', 'the regulator' -> the last
    actor of that kind seen acting or named."""
    if tok.tag_ != "NN" or not any(c.dep_ in ("det", "poss") for c in tok.children):
        return None  # "social media companies" are many; a description names one
    kind = _described_kind(ctx, tok)
    if kind is None:
        return None
    i = ctx.parses.index(tok)
    found = state.subjects.get(kind) or _last_named_actor(ctx, i, kind)
    if found is not None or kind == "platform":
        return found
    # "..., the telecoms regulator said" before the article names it: the first one of that
    # kind named after it; else the description, all the article says of it ("Kenya's
    # online-safety regulator")
    if any(c.dep_ == "poss" for c in tok.children):
        return _described_actor(tok, kind)  # "Kenya's online-safety regulator": that one
    return _next_named_actor(ctx, i, kind) or _described_actor(tok, kind)


def _next_named_actor(ctx: Context, after: int, kind: str) -> Actor | None:
    for m in ctx.mentions_in(after + 1, len(ctx.doc)):
        if m.label not in ACTOR_KINDS or ACTOR_KINDS[m.label] != kind:
            continue
        name = clean_name(m.text)
        if name.lower() not in GENERIC_ACTOR_NAMES:
            return Actor(name=ctx.aliases.get(name, name), kind=kind)  # type: ignore[arg-type]
    return None


def _described_actor(tok: Token, kind: str) -> Actor | None:
    """'Kenya's online-safety regulator' -> that description as the actor's name, when it
    says more than the kind ("the regulator" alone names no one)."""
    modifiers = [
        c for c in tok.children if c.i < tok.i and c.dep_ in ("poss", "amod", "compound", "nmod")
    ]
    if not modifiers:
        return None
    first = min(c.left_edge.i for c in modifiers)
    for k in range(first, tok.i):
        if tok.doc[k].is_punct and tok.doc[k].whitespace_:
            first = k + 1  # "NAIROBI - Kenya's ...": a dateline or clause before it
    name = clean_name(tok.doc[first : tok.i + 1].text)
    return Actor(name=name[:1].upper() + name[1:], kind=kind)  # type: ignore[arg-type]


def _described_kind(ctx: Context, tok: Token) -> str | None:
    """The actor kind a noun describes ("company", "social network"), or None."""
    entry = ctx.lexicon.references.get(tok.lemma_.lower())
    if entry is None:
        return None
    kind, modifier = entry
    if modifier is not None and not any(c.lower_ == modifier for c in tok.children):
        return None
    return kind


def kind_of_name(ctx: Context, name: str) -> ActorKind:
    """'National Investigation Inspectorate' -> the actor kind its words suggest."""
    for word in reversed(name.lower().split()):
        entry = ctx.lexicon.references.get(word) or ctx.lexicon.references.get(word[:-1])
        if entry is not None and entry[0] != "platform":
            return entry[0]  # type: ignore[return-value]
    return "other"


def _inside_quotes(ctx: Context, sent: Span, i: int) -> bool:
    """Is token i inside quotation marks opened earlier in its sentence?"""
    before = ctx.text[sent.start_char : ctx.doc[i].idx]
    opened = sum(before.count(q) for q in OPENING_QUOTES)
    closed = sum(before.count(q) for q in CLOSING_QUOTES)
    return opened > closed or before.count('"') % 2 == 1


def _trailing_speaker(ctx: Context, cue: Cue, sent: Span) -> Actor | None:
    """'Nearly 60 million SIMs were deactivated, the telecom commission said.'"""
    doc = ctx.doc
    for m in ctx.mentions_in(cue.end, sent.end):
        if (
            m.label in ACTOR_KINDS
            and m.end < sent.end
            and _says(ctx, m.end)
            and doc[cue.start - 1].lower_ in PASSIVE_AUXILIARIES
        ):
            return actor_from_mention(ctx, m)
    return None


def _says(ctx: Context, i: int) -> bool:
    """Is token i an attribution verb, past an "(NTC)"-style acronym?"""
    doc = ctx.doc
    if i + 3 < len(doc) and doc[i].text == "(" and doc[i + 2].text == ")":
        i += 3
    return i < len(doc) and ctx.cue_at(i, ATTRIBUTION) is not None
