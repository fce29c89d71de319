"""Countries and operators of a takedown, from the cue words around their mentions.

A country's role comes from the words before it ("run from" -> origin, "aimed at" ->
target), from "X-based" after it, from a list it continues, or, for blocks and government
actions, from where the action applies (location). A country with no cue word at all gets
a weak default that a cue-word origin elsewhere overrides. Operators are named through
"linked to X", "X, a PR firm", "which Microsoft calls X".
"""

from collections import Counter

from spacy.tokens import Doc

from models.record import Actor
from pipeline.nlp import country_name
from pipeline.records.context import Context, Mention, clean_name
from pipeline.words import phrase_ends, phrases, words

ORIGIN_CUES = phrases("origin_cues")
TARGET_CUES = phrases("target_cues")
AGENCY_LABELS = frozenset({"GOVERNMENT", "REGULATOR", "COURT", "POLICE"})
ROLE_WINDOW = 12  # tokens before a country where its cue words (and a place part) end
PLACE_PARTS = words("place_parts")
ROLE_ADVERBS = words("role_cue_adverbs")
TOPIC_NOUNS = words("topic_nouns")
TOPIC_PREPOSITIONS = words("topic_prepositions")
TOPIC_REACH = 3  # "Brazil's election", "the German economy": the noun right after
LIST_GLUE = words("country_list_glue")
ORIGIN_SUFFIXES = words("origin_suffixes")
NOT_PLACE_WORDS = words("not_place_words")
STANCE_PREFIXES = words("stance_prefixes")
# Actions that apply somewhere: "withheld in India", "blocked in Pakistan" name a location.
GEOGRAPHIC_ACTIONS = frozenset({"blocked", "banned", "restricted"})
LOCATION_ABLE_RULES = frozenset(
    {"country-origin-in", "country-default-origin", "country-origin-demonym"}
)
# "in Ukraine" may be where a network was run or only what it talked about
WEAK_COUNTRY_RULES = frozenset({"country-default-origin", "country-origin-in"})
# Roles a later sentence's bare mention cannot give: a country with no cue word of its own,
# or one only where a block applies, is not evidence of a role told afterwards.
FOLLOW_UP_WEAK_RULES = LOCATION_ABLE_RULES | {
    "country-location-government",
    "country-location-in",
}
OPERATOR_NOUNS = words("operator_nouns")
NAMING_WORDS = words("naming_words")
PART_QUANTIFIERS = words("part_quantifiers")
SUBSET_DETERMINERS = words("subset_determiners")
CLAUSE_BREAKS = words("clause_breaks")


def _of_a_part(doc: Doc, m: Mention, floor: int) -> bool:
    """'20,000 channels, the great majority of them linked to China', 'most of them based in
    Iran': the country of a part, not of the whole the record counts."""
    words = [t.lower_ for t in doc[max(floor, m.start - ROLE_WINDOW) : m.start]]
    for k in range(len(words) - 2):
        if (
            words[k] in PART_QUANTIFIERS
            and words[k + 1] == "of"
            and words[k + 2] in SUBSET_DETERMINERS
            and k + 3 < len(words)  # "most of the China-linked channels" names the whole
            and not any(w in CLAUSE_BREAKS for w in words[k + 3 :])
        ):
            return True
    return False


def _role_before(doc: Doc, start: int, floor: int) -> tuple[str | None, str]:
    """Cue words right before a country mention -> (role, rule id)."""
    # "focused almost entirely on Germany": degree words inside the cue are skipped
    words = [
        t.lower_
        for t in doc[max(floor, start - ROLE_WINDOW) : start]
        if t.lower_ not in ROLE_ADVERBS
    ]
    if words and words[-1] == "the":  # "people in the United States"
        words.pop()
    if len(words) >= 2 and words[-1] == "of" and words[-2] in PLACE_PARTS:
        # "focused on the southern border provinces of Thailand": the part's cue is the
        # country's; words that describe the part ("southern border") are skipped
        words.pop()
        words.pop()
        while words and words[-1] not in ROLE_CUE_WORDS:
            words.pop()
    for cue in TARGET_CUES:
        if tuple(words[-len(cue) :]) == cue:
            return "target", "country-target-" + "-".join(cue)
    for cue in ORIGIN_CUES:
        if tuple(words[-len(cue) :]) == cue:
            return "origin", "country-origin-" + "-".join(cue)
    return None, ""


def _targeted_by_before(doc: Doc, floor: int, start: int) -> bool:
    words = [t.lower_ for t in doc[max(floor, start - 12) : start]]
    return any(
        a in ("targeted", "targeting") and b == "by" for a, b in zip(words, words[1:], strict=False)
    )


def is_domestic(doc: Doc, start: int, end: int) -> bool:
    """Does the span say the network aimed at home ("domestic audiences", "inside the
    country"), and not "domestic and foreign"?"""
    for i, phrase_end in phrase_ends(doc, "domestic_phrases").items():
        if start <= i < end and [t.lower_ for t in doc[phrase_end : phrase_end + 2]] != [
            "and",
            "foreign",
        ]:
            return True
    return False


def names_a_place(ctx: Context, m: Mention) -> bool:
    """Is a country mention about the country, not a stance ("pro-Russian"), a language
    ("Russian-language", "Russian-speaking", "posted in English and Romanian") or a currency
    ("US dollars")?"""
    doc = ctx.doc
    if _in_a_language(ctx, m):
        return False
    prev = doc[m.start - 1].lower_ if m.start > 0 else ""
    prev2 = doc[m.start - 2].lower_ if m.start > 1 else ""
    nxt = doc[m.end].lower_ if m.end < len(doc) else ""
    nxt2 = doc[m.end + 1].lower_ if m.end + 1 < len(doc) else ""
    if prev == "-" and prev2 in STANCE_PREFIXES or prev in ("pro-", "anti-"):
        return False
    if nxt == "-" and nxt2 in NOT_PLACE_WORDS:
        return False
    return nxt not in NOT_PLACE_WORDS


def _in_a_topic(doc: Doc, m: Mention, floor: int) -> bool:
    """'"fakes" about the military operation in Ukraine': a country inside what the posts
    were about (after "about", "regarding", ...) is no place of the takedown."""
    for i in range(m.start - 1, max(floor, m.start - ROLE_WINDOW) - 1, -1):
        word = doc[i].lower_
        if word in TOPIC_PREPOSITIONS and not doc[i + 1].like_num:  # not "about 150 tweets"
            return True
        if (word in ROLE_CUE_WORDS and word not in ("in", "of")) or doc[i].is_punct:
            return False  # "aimed at", "run from": a role of its own
    return False


def _about_a_topic(doc: Doc, m: Mention) -> bool:
    """'German voices', 'the German economy', 'Brazil's election': a country word that
    says what the posts were about, not who ran them."""
    after = doc[m.end : m.end + TOPIC_REACH]
    words = [t.lower_ for t in after if t.lower_ not in ("'s", "-")]
    return bool(words) and words[0] in TOPIC_NOUNS


def _in_a_language(ctx: Context, m: Mention) -> bool:
    """'posted in English and Romanian': a demonym that names a language, in a list of
    languages after "in"."""
    near = ctx.mentions_in(max(0, m.start - ROLE_WINDOW), m.end)
    languages = {(x.start, x.end) for x in near if x.label == "LANGUAGE"}
    if (m.start, m.end) not in languages:
        return False
    i = m.start - 1
    while i >= 0:
        word = ctx.doc[i].lower_
        if word == "in":
            return True
        starts = [a for a, b in languages if b == i + 1]
        if starts:
            i = starts[0] - 1
        elif word in (",", "and", "or", "mostly", "mainly", "primarily", "both"):
            i -= 1
        else:
            return False
    return False


def countries_in(
    ctx: Context,
    start: int,
    end: int,
    floor: int,
    actor: Actor | None,
    action: str | None = None,
    content: bool = False,
) -> list[tuple[str, str, str, str]]:
    """Country mentions in [start, end) -> (code, name, role, rule) using cue words and lists.

    Where a block applies ("withheld ... in India", a regulator's own country) the role is
    location; a country with no cue word at all gets a weak default (``country-default-*``)
    that a record drops when a cue word gives it an origin elsewhere."""
    doc = ctx.doc
    out: list[tuple[str, str, str, str]] = []
    role: str | None = None
    role_rule = ""
    last_end = -1
    government_actor = actor is not None and actor.kind != "platform"
    # posts, sites and SIMs are taken down where they are seen, not where they come from
    geographic = government_actor or action in GEOGRAPHIC_ACTIONS or content
    # "blocked by the Malaysian Communications ... Commission": a country in an agency's
    # name is where the agency acts (attach.actor_country), not where targets come from
    agencies = [
        m for m in ctx.mentions_in(start, end) if m.label in AGENCY_LABELS and government_actor
    ]
    for m in ctx.mentions_in(start, end):
        if (
            m.label not in ("COUNTRY", "DEMONYM")
            or not (start <= m.start and m.end <= end)
            or not m.id
            or any(a.start <= m.start and m.end <= a.end for a in agencies)
        ):
            continue
        if not names_a_place(ctx, m) or _in_a_topic(doc, m, floor) or _of_a_part(doc, m, floor):
            continue
        prev = doc[m.start - 1].lower_ if m.start > 0 else ""
        nxt = doc[m.end].lower_ if m.end < len(doc) else ""
        nxt2 = doc[m.end + 1].lower_ if m.end + 1 < len(doc) else ""
        name = country_name(m.id)
        continuing = last_end >= 0 and all(t.lower_ in LIST_GLUE for t in doc[last_end : m.start])
        cue_role, rule = _role_before(doc, m.start, floor)
        if rule == "country-origin-based-in" and _targeted_by_before(doc, floor, m.start):
            # "accounts targeted by the network were based in Pakistan and India"
            cue_role, rule = "target", "country-target-targeted-by"
        if cue_role is None and any(c.num_end <= m.start and m.end <= c.end for c in ctx.claims):
            cue_role, rule = "origin", "country-origin-modifier"  # "59 Chinese apps"
        if nxt == "-" and nxt2 in ORIGIN_SUFFIXES or nxt in ("based", "-based"):
            cue_role, rule = "origin", f"country-origin-{nxt2 or nxt}"
        if cue_role is None and continuing and role is not None:
            # "targeted Libya, Sudan and Qatar": the list shares its first member's cue
            cue_role, rule = role, role_rule
        if cue_role is None:
            if government_actor:
                cue_role, rule = "location", "country-location-government"
            elif (m.label == "DEMONYM" or prev == "'s" or nxt == "'s") and not _about_a_topic(
                doc, m
            ):
                cue_role, rule = "origin", "country-origin-demonym"
            else:
                cue_role, rule = "origin", "country-default-origin"
        if geographic and cue_role == "origin" and rule in LOCATION_ABLE_RULES:
            cue_role, rule = "location", "country-location-in"
        role, role_rule = cue_role, rule
        last_end = m.end
        out.append((m.id, name, cue_role, rule))
    # "run from Thailand and aimed at audiences there", "aimed at people in the country":
    # the place named last
    for i in sorted(phrase_ends(doc, "place_references")):
        if not start <= i < end:
            continue
        cue_role, rule = _role_before(doc, i, floor)
        named = ctx.last_mention_before(i, ("COUNTRY", "DEMONYM"))
        if cue_role is not None and named is not None and named.id:
            code = named.id
            if geographic and cue_role == "origin" and rule in LOCATION_ABLE_RULES:
                cue_role, rule = "location", "country-location-in"  # "withheld in the country"
            out.append((code, country_name(code), cue_role, rule + "-there"))
    return out


def operator_in(ctx: Context, start: int, end: int) -> tuple[str | None, str]:
    """An operator named in [start, end): 'linked to STOIC', 'a PR firm in Kyiv'."""
    doc = ctx.doc
    for i in range(start, min(end, len(doc) - 1)):
        # "the group, which Microsoft calls Phosphorus", "known as Storm-1152"
        low = doc[i].lower_
        named_as = low in NAMING_WORDS or (
            low in ("known", "tracked", "tracks") and doc[i + 1].lower_ == "as"
        )
        # "the group, which Microsoft calls Phosphorus", not "an app called Twitter Patria"
        about_operator = {t.lower_ for t in doc[max(start, i - 5) : i]} & OPERATOR_NOUNS
        if named_as and about_operator:
            k = i + 1 if low in NAMING_WORDS else i + 2
            j = k
            while j < end and _proper(doc[j]):
                j += 1
            if j > k:
                return doc[k:j].text, "operator-named-as"
    for m in ctx.mentions_in(start, end):
        if m.label == "OPERATOR" and m.end <= end:
            # "STOIC, a Tel Aviv political-marketing firm" / "the ad agency Panda"
            if m.start >= 2 and doc[m.start - 1].text == "," and _proper(doc[m.start - 2]):
                j = m.start - 2
                while j - 1 >= start and _proper(doc[j - 1]):
                    j -= 1
                return doc[j : m.start - 1].text, "operator-appositive"
            if m.end < end and _proper(doc[m.end]) and doc[m.end].lower_ not in ("in", "of"):
                k = m.end
                while k < end and _proper(doc[k]):
                    k += 1
                return doc[m.end : k].text, "operator-named"
            return clean_name(m.text), "operator-phrase"
    for i in range(start, min(end, len(doc) - 2)):
        pair = (doc[i].lower_, doc[i + 1].lower_)
        if doc[i].lower_ == "traced":  # "traced the activity to Smaat"
            to = next((k for k in range(i + 1, min(end, i + 5)) if doc[k].lower_ == "to"), None)
            if to is not None:
                pair = ("traced", "to")
                i = to - 1
        if pair in (
            ("linked", "to"),
            ("tied", "to"),
            ("associated", "with"),
            ("run", "by"),
            ("traced", "to"),
            ("attributed", "to"),
        ):
            k = i + 2
            if k < end and doc[k].lower_ == "the":
                k += 1
            country = next(
                (m for m in ctx.mentions_in(k, k + 1) if m.label in ("COUNTRY", "DEMONYM")),
                None,
            )
            if country is not None and country.end < end and doc[country.end].lower_ == "'s":
                k = country.end + 1  # "linked to Thailand's Internal Security Operations Command"
            j = k
            while j < end and _proper(doc[j]):
                j += 1
            if j > k and not any(
                m.label in ("COUNTRY", "DEMONYM", "PLATFORM", "COMPANY") for m in ctx.mentions_at(k)
            ):
                return doc[k:j].text, "operator-linked-to"
    return None, ""


def _proper(tok) -> bool:  # type: ignore[no-untyped-def]
    return (
        (tok.is_title or tok.is_upper)
        and tok.is_alpha
        and len(tok.text) > 1
        and tok.lower_ not in ("the", "a", "an", "and", "in", "of", "its", "his", "her", "their")
    )


PLACE_PREPOSITIONS = words("place_prepositions")
DATELINE_MARKS = words("dateline_marks")
MAX_PLACE_WORDS = 3  # "Baja California Sur"
ARTICLE_COUNTRY_LEAD = 2  # the article's country is named at least twice as often as any other


def _dateline_at(ctx: Context, i: int) -> bool:
    """Does a paragraph start at token i with a place name before ':', ',', '(' or a dash
    ("NEW DELHI:", "Islamabad, 5 May -")?"""
    doc = ctx.doc
    start = doc[i].idx
    if start and ctx.text[start - 1] != "\n" or not (doc[i].is_title or doc[i].is_upper):
        return False
    for j in range(i + 1, min(len(doc), i + 1 + MAX_PLACE_WORDS)):
        if doc[j].text in DATELINE_MARKS:
            return True
        if not (doc[j].is_title or doc[j].is_upper):
            return False
    return False


def article_country(ctx: Context) -> str | None:
    """The country an article is about: the one its country names and its regions ("in
    Colima", "at Quintana Roo") point to most often, the first named on a tie."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    doc = ctx.doc
    for m in ctx.mentions:
        if (
            m.label in ("COUNTRY", "DEMONYM")
            and m.id
            and names_a_place(ctx, m)
            and not _in_a_topic(doc, m, doc[m.start].sent.start)
        ):
            counts[m.id] += 1
            first.setdefault(m.id, m.start)
    for i in range(len(doc)):
        after_preposition = i > 0 and doc[i - 1].lower_ in PLACE_PREPOSITIONS and doc[i].is_title
        if not after_preposition and not _dateline_at(ctx, i):
            continue
        for n in range(MAX_PLACE_WORDS, 0, -1):
            code = ctx.lexicon.places.get(tuple(t.lower_ for t in doc[i : i + n]))
            if code is not None:
                counts[code] += 1
                first.setdefault(code, i)
                break
    ranked = sorted(counts, key=lambda code: (-counts[code], first[code]))
    if not ranked:
        return None
    if len(ranked) > 1 and counts[ranked[0]] < ARTICLE_COUNTRY_LEAD * counts[ranked[1]]:
        return None  # a report about several countries is about none of them in particular
    return ranked[0]


ROLE_CUE_WORDS = frozenset(w for cue in (*ORIGIN_CUES, *TARGET_CUES) for w in cue)
