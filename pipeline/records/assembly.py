"""Sentences in text order -> working records: the builder that applies the rules.

Reading order, as an analyst reads a report:

1. In each sentence, every asset count ("453 Facebook accounts") is tied to the
   verb that governs it (``structure``).
2. Counts governed by an action that is not negated, threatened, demanded,
   refused, questioned or cumulative ("since 2010 ... has blocked") are takedown
   targets. Targets are split into networks where a kind repeats, the
   governing verb changes, or a country/operator phrase closes one list.
3. Each network becomes a record: actor (``discourse``), countries with roles
   (``roles``), operator, reason, period, and a total when a breakdown follows a
   stated total.
4. Sentences with no takedown of their own (reach, languages, investigators,
   origins) add to the record they refer to (``attach``). The same network
   mentioned twice is merged into one record with two evidence spans (``merge``).
"""

import re
from dataclasses import replace

from spacy.tokens import Span

from models.record import Actor
from pipeline.budget import check_records
from pipeline.claims import Claim
from pipeline.nlp import ACTOR_KINDS, Cue, country_name
from pipeline.records.attach import (
    actor_country,
    add_countries,
    country_of_actor,
    domestic,
    investigators_in,
    languages_in,
    ordered_by_government,
    reach_in,
    reason_in,
    stated_reason,
)
from pipeline.records.context import Context, Mention, claims_in, clean_name, cues_in
from pipeline.records.discourse import (
    CONTEXT_ACTOR_RULES,
    OTHER_NETWORK,
    REFERENCE_NOUNS,
    REFERENCE_PRONOUNS,
    REFERENCE_WINDOW,
    DiscourseState,
    Told,
    actor_for,
    actor_from_mention,
    kind_of_name,
    observe,
    same_actor,
    tells_new_takedown,
)
from pipeline.records.merge import breakdown_of, mark_sums, merge
from pipeline.records.periods import find_period, heading_period, respective_years
from pipeline.records.roles import (
    FOLLOW_UP_WEAK_RULES,
    GEOGRAPHIC_ACTIONS,
    WEAK_COUNTRY_RULES,
    article_country,
    countries_in,
    operator_in,
)
from pipeline.records.structure import (
    blocked_by,
    breakdown_after,
    coordinated_governors,
    resolve_ellipsis,
    resolve_partitives,
    split_networks,
)
from pipeline.records.tables import Row, TableReader
from pipeline.records.working import WorkingRecord
from pipeline.words import phrase_ends, words

REPORT_WORDS = words("report_words")
COMBINED_NOUNS = words("combined_nouns")
APP_LIST_GLUE = words("app_list_glue")
SUBSET_DETERMINERS = words("subset_determiners")
REST_WORDS = words("rest_words")
NETWORK_BREAKS = words("network_breaks")
NETWORK_JOINS = words("network_joins")
ALL_OF_THEM = words("all_of_them")
# a table whose rows add up to at least this share of the count told just above (and not
# more) breaks it down; the Turkish and TAG tables of the fixtures cover 97% and 80%
TABLE_BREAKDOWN_SHARE = 0.5
FRONTED_REACH = 8  # "Of the social media accounts," : the words before the comma
MAX_HEADING_WORDS = 8  # "Peru", "Network targeting the Tibetan diaspora": a subheading
HEADING_END_PUNCTUATION = frozenset('.!?:;,"”')
OTHER_NETWORK_REACH = 4  # "a second China-based network": words between "second" and "network"
FOLLOW_UP_BLOCKERS = frozenset({"negation", "denial", "question", "condition"})


def _a_listing(sent: Span, claim: Claim, claims: list[Claim]) -> bool:
    """Is the count in a list under a label, the list starting right after its colon
    ("- Presence on Facebook and Instagram: 18 Facebook accounts, two Pages, ...")?"""
    colon = next((t.i for t in sent if t.text == ":"), None)
    if colon is None or colon > claim.start:
        return False
    first = next((c for c in claims if c.start > colon), None)
    return first is not None and first.start == colon + 1


class RecordBuilder:
    """Builds the records of one doc; holds the working state while reading it in order."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.state = DiscourseState()
        self.tables = TableReader()
        self.article_country: str | None = None
        self.summing = False  # the sentence being read sums up several networks
        # takedowns told with a count over several kinds, waiting for their breakdown
        self.mixed_totals: list[Told] = []
        self._defaults_read = False  # ctx.default_period and default_reason are set

    def run(self) -> list[WorkingRecord]:
        ctx = self.ctx
        for sent in ctx.doc.sents:
            sent_text = ctx.text_of(sent)
            if not sent_text.strip():
                continue  # the blank line between paragraphs is not a sentence
            self.state.sent_index += 1
            # the line a sentence starts, read only for a sentence that starts one: a long
            # paragraph is not copied again for each of its sentences
            line = self._line(sent) if self._starts_line(sent) else None
            if line is not None and self.tables.is_row(line):
                self.tables.read_row(ctx, sent)
                continue
            if line is not None and self.tables.open:
                self._flush_table()
            heading = heading_period(sent, sent_text, ctx.published)
            if heading is not None:
                ctx.heading_period = heading
                continue
            if line is not None and self._section_heading(line):
                # "Peru" over "This network originated in Peru ...": a new section is about
                # a network of its own, not the record told above it
                self.state.focus = None
                # the section is what comes under the heading: a heading names its network's
                # country again in the sentences below it ("Vietnam" / "originated in Vietnam")
                self.state.section_start = sent.end
            if not self._sentence(sent):
                self._follow_up(sent)
            observe(ctx, self.state, sent)
            self.state.prev_sent = sent
        if self.tables.open:
            self._flush_table()
        self._uncounted_mixed_totals()
        mark_sums(self.state.records)
        self.article_country = article_country(ctx) if self.state.records else None
        return [self._finish(rec) for rec in self.state.records]

    def _uncounted_mixed_totals(self) -> None:
        """'Facebook took down 150 accounts and pages.' with no breakdown anywhere after it:
        the count is the takedown's only figure, a record under the kind named first (its
        text keeps every kind). With a breakdown, the breakdown is the record instead."""
        for told in self.mixed_totals:
            claim = told.total
            if claim is None or told.counted or claim.first_kind is None or told.actor is None:
                continue  # "Global social media companies took down 3,200 posts, videos ...":
                # several actors, whose own shares the article counts
            after = told.sent.start_char
            later = [rec for rec in self.state.records if rec.evidence[0][0] >= after]
            if any(same_actor(rec.actor, told.actor) for rec in later):
                continue  # counted after it by the same actor, in a way not linked to it
            part = replace(claim, kind=claim.first_kind, rules=[*claim.rules, "unit-first-kind"])
            start, end = told.region
            self._build(told.sent, [(part, told.cue)], start, end, None, told.actor)

    def _section_heading(self, line: str) -> bool:
        """A line of its own, short and with no closing punctuation: a subheading ("Peru",
        "2. Peru", "Network targeting Moldova")."""
        line = line.strip()
        return (
            0 < len(line.split(maxsplit=MAX_HEADING_WORDS)) <= MAX_HEADING_WORDS
            and line[-1] not in HEADING_END_PUNCTUATION
            and not self.tables.is_row(line)
        )

    def _line(self, sent: Span) -> str:
        end = self.ctx.text.find("\n", sent.start_char)
        return self.ctx.text[sent.start_char : end if end >= 0 else len(self.ctx.text)]

    def _starts_line(self, sent: Span) -> bool:
        return sent.start_char == 0 or self.ctx.text[sent.start_char - 1] == "\n"

    def _flush_table(self) -> None:
        """A table ends: each count of its rows becomes a record under the takedown verb
        above it, acted on by the body its row names where its first column names bodies
        ("| Capital Markets Board | 1,615 |"), where its column says ("China-linked
        channels"); a row that repeats a record's count ("| All bodies, 2020 | 58,809 |") is
        that record, and a record the rows add up to is their total."""
        rows = self.tables.take_rows()
        if not rows:
            return
        ctx = self.ctx
        values = {v for rec in self.state.records for _, v in rec.target_keys()}
        rows = [r for r in rows if r.target.value not in values]
        if not rows:
            return
        action = self._action_above(rows[0].sent)
        if action is None:
            return
        cue, actor = action
        above = next(
            (r for r in reversed(self.state.records) if r.first_token < rows[0].sent.start), None
        )
        kinds = {row.target.kind for row in rows}
        if above is not None and len(above.targets) == 1 and above.targets[0].kind in kinds:
            # "closed 18,532 channels ... Here is how they break down by month: | July | ...":
            # rows that make up most of the count above are its parts
            whole = above.targets[0].value or 0.0
            share = sum(row.target.value or 0.0 for row in rows)
            if TABLE_BREAKDOWN_SHARE * whole <= share <= whole:
                above.is_total = True
                above.add_rule("total-of-table")
        for row in rows:
            body = self._row_body(row)
            rec = self._build(row.sent, [(row.target, cue)], row.sent.start, row.end, None,
                              body or actor)  # fmt: skip
            if body is not None:
                rec.actor = body
                rec.add_rule("actor-table-row")
            label = ctx.text[row.label[0] : row.label[1]].strip()
            period = find_period(label, ctx.published) or find_period(f"in {label}", ctx.published)
            if period is not None:
                rec.period = period  # "| April | 1,200 |": the row's month
                rec.add_rule("period-table-row")
            a, b = row.header
            header = ctx.doc.char_span(a, b, alignment_mode="expand")
            if header is not None:
                add_countries(
                    rec,
                    countries_in(ctx, header.start, header.end, header.start, rec.actor, cue.value),
                )
            for claim, metric in row.reach:
                if claim not in rec.reach:
                    rec.reach.append(claim)
                    rec.reach_metrics.append(metric)
                    rec.add_rule(f"reach-table-{metric}")

    def _row_body(self, row: Row) -> Actor | None:
        """'| Information and Communication Technologies Authority (BTK) | 52,185 |' -> the
        body the row names, as the article names it elsewhere."""
        if row.body is None:
            return None
        ctx = self.ctx
        cell = ctx.doc.char_span(*row.body, alignment_mode="expand")
        if cell is None:
            return None
        name = re.sub(r"\s*\(.*?\)\s*", " ", ctx.text[row.body[0] : row.body[1]]).strip()
        named = [m for m in ctx.mentions_in(cell.start, cell.end) if m.label in ACTOR_KINDS]
        # a known body, or one a mention names whole ("Capital Markets Board"), not a part
        # of the cell's name ("Lottery Administration" of "National Lottery Administration")
        if named and (named[0].id or clean_name(named[0].text) == name):
            return actor_from_mention(ctx, named[0])
        return Actor(name=name, kind=kind_of_name(ctx, name)) if name else None

    def _action_above(self, sent: Span) -> tuple[Cue, Actor | None] | None:
        """The takedown verb of the text just above a table -> (cue, its actor)."""
        ctx = self.ctx
        before = cues_in(ctx.cues, 0, sent.start, {"ACTION"})
        if not before:
            return None
        cue = before[-1]
        home = ctx.doc[cue.start].sent
        if blocked_by(ctx, cue, home) is not None:
            return None
        actor, _ = actor_for(ctx, self.state, cue, home)
        return Cue("ACTION", cue.value, "table-under-" + cue.rule, cue.start, cue.end), actor

    def _finish(self, rec: WorkingRecord) -> WorkingRecord:
        ctx = self.ctx
        self._article_defaults()
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
        own = country_of_actor(ctx, rec.actor)
        if own is not None and not any(role == "location" for _, role in rec.countries):
            # "the regulator blocked 2 apps": a government body blocks in its own country
            rec.add_country(own, country_name(own), "location")
            rec.add_rule("country-location-actor-name")
        if not rec.countries:
            # the text ties no country to it: the country the article is about, where
            # posts, sites and SIMs are moderated, or where a network is likely run from
            code = self.article_country
            if code is not None:
                located = (
                    rec.content()
                    or rec.action in GEOGRAPHIC_ACTIONS
                    or (rec.actor is not None and rec.actor.kind != "platform")
                )
                role = "location" if located else "origin"
                rec.add_country(code, country_name(code), role)
                rec.inferred.add((code, role))
                rec.add_rule("country-article")
        return rec

    def _article_defaults(self) -> Context:
        """The article's own period and lede reason, read once and only for an article
        with a record to give them to."""
        ctx = self.ctx
        if not self._defaults_read:
            ctx.default_period = self._default_period()
            ctx.default_reason = self._default_reason()
            self._defaults_read = True
        return ctx

    def _default_period(self) -> str | None:
        for sent in self.ctx.doc.sents:
            has_action = bool(cues_in(self.ctx.cues, sent.start, sent.end, {"ACTION"}))
            if has_action or any(t.lower_ in REPORT_WORDS for t in sent):
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
        claims = claims_in(ctx.claims, sent.start, sent.end)
        # "In all, 294 accounts were removed across the four countries": a sum over the
        # networks, kept as a record of its own and flagged
        self.summing = bool(claims) and self._sums_networks(sent)
        if self._subsets(sent, claims):
            return True
        resolve_partitives(ctx, sent, claims)
        resolve_ellipsis(ctx, sent, claims)
        targets: list[tuple[Claim, Cue]] = []
        totals_pool: list[tuple[Claim, Cue]] = []
        compose_actor: Actor | None = None
        composed: Told | None = None  # the takedown told before whose parts this counts
        governors = coordinated_governors(ctx, [c for c in claims if c.kind], sent)
        repeats: bool | None = None  # does the sentence restate a count already reported?
        for claim in claims:
            if not claim.kind or claim.whole or self._compared(claim):
                continue
            cue = governors.get(id(claim))
            parent = self.state.combined_parent()
            if parent is not None and (cue is None or cue.label == "COMPOSE"):
                # "...removed 3,465 accounts tied to eight operations. The largest set, 2,048
                # accounts, amplified ...": a network of the total, told without a verb
                cue = Cue(
                    "ACTION", parent.action, "part-of-combined-total", claim.start, claim.start
                )
                compose_actor = parent.actor
                parent.is_total = True
                self.state.combined_last = self.state.sent_index
            told = self.state.pending_takedown()
            if (
                cue is None
                and told is not None
                and (told.networks or _a_listing(sent, claim, claims))
            ):
                # "Facebook shared details on the nine networks it removed. - Congo: 66
                # accounts, 63 pages ...", "We removed a network ... - Presence on Facebook:
                # 18 accounts, two Pages": a part of the takedown told, listed without a verb
                cue = Cue("COMPOSE", "composition", "listed-part", sent.start, sent.start)
            if cue is None:
                continue
            if cue.label == "COMPOSE":
                told = told or self.state.focus_takedown(sent)
                if told is None:
                    continue
                if repeats is None:  # the same for every claim of the sentence: asked once
                    repeats = self._repeats_a_count(claims)
                if repeats:
                    continue  # "The figure of about 20,000 includes 2,235 ...": a breakdown
                compose_actor, composed = told.actor, told
                told.counted = True
                cue = Cue(
                    "ACTION",
                    told.cue.value,
                    "compose-after-" + told.cue.rule,
                    cue.start,
                    cue.end,
                    part=True,
                )
            elif cue.label != "ACTION" or blocked_by(ctx, cue, sent) is not None:
                continue
            if claim.kind in ctx.lexicon.non_target_kinds or claim.kind == "mixed":
                totals_pool.append((claim, cue))  # "88 assets (...)", "265 accounts, Pages ...:"
            else:
                targets.append((claim, cue))
        if not targets:
            total = totals_pool[0][0] if len(totals_pool) == 1 else None
            return self._named_apps(sent) or self._note_pending(sent, total)
        # a stated total followed by its breakdown: keep the breakdown, remember the total
        governed = sorted(targets + totals_pool, key=lambda x: x[0].start)
        totals: dict[int, Claim] = {}
        kept: list[tuple[Claim, Cue]] = []
        sums: list[tuple[Claim, Cue]] = []
        for n, (claim, cue) in enumerate(governed):
            rest = [c for c, _ in governed[n + 1 :] if c.kind not in ctx.lexicon.non_target_kinds]
            parts = breakdown_after(ctx, claim, rest)
            if parts and all(p.kind == claim.kind for p in parts):
                # "blocked 8,214 websites, including 5,900 for gambling and 1,410 for ...":
                # parts of one kind are takedowns of their own, and the total is their sum
                sums.append((claim, cue))
            elif parts:
                totals[rest[0].start] = claim
            elif (claim, cue) in targets:
                kept.append((claim, cue))
        for claim, cue in sums:
            self._build(sent, [(claim, cue)], claim.start, claim.end, None, None, is_total=True)
        # "(240 of which had already been disabled)": a subset in brackets is not a target
        kept = [(c, q) for c, q in kept if not self._bracketed_subset(c)]
        if not kept:
            return bool(sums)
        groups = split_networks(ctx, kept)
        cuts = [groups[0][0][0].start]
        for n in range(len(groups) - 1):
            cuts.append(self._cut(groups[n][-1][0].end, groups[n + 1][0][0].start))
        cuts.append(sent.end)
        # "blocked 1385, 2799 and 3635 URLs during 2017, 2018 and 2019 respectively"
        years = respective_years(ctx.doc, groups[-1][-1][0].end, sent.end)
        respective = bool(cues_in(ctx.cues, sent.start, sent.end, {"PAIRING"}))
        periods = years if respective and len(years) == len(groups) else [None] * len(groups)
        for n, group in enumerate(groups):
            region_start, region_end = cuts[n], cuts[n + 1]
            total = None
            for c, _ in group:
                if c.start in totals:
                    total = totals[c.start]
                    region_start = min(region_start, total.start)
            if total is None and composed is not None and len(groups) == 1:
                total = composed.total  # "It removed 88 assets. They were 35 accounts, ..."
            self._build(
                sent,
                group,
                region_start,
                region_end,
                total,
                compose_actor,
                period=periods[n],
                one_of_several=len(groups) > 1,
            )
        if composed is not None and composed.record is not None:
            composed.record.is_total = True  # its parts are records now: count it once
        return True

    def _sums_networks(self, sent: Span) -> bool:
        """'Across the two operations, 512 accounts ... were removed': a sum over counted
        networks ("combined", "in all", "across" and "two operations", "four countries")."""
        lowers = [t.lower_ for t in sent]
        counted = any(
            w in COMBINED_NOUNS and sent[i - 1].like_num for i, w in enumerate(lowers) if i
        )
        combined = phrase_ends(sent.doc, "combined_words")
        return counted and any(sent.start <= i < sent.end for i in combined)

    def _repeats_a_count(self, claims: list[Claim]) -> bool:
        """Does a make-up sentence name a count already reported ("The figure of about
        20,000 includes ...")? Then it breaks that count down rather than adding to it."""
        keys = {key for rec in self.state.records for key in rec.target_keys()}
        values = {value for _, value in keys}
        return any(
            (c.kind or "", c.value) in keys or c.kind is None and c.value in values
            for c in claims
            if c.value is not None and c.value > 1
        )

    def _compared(self, claim: Claim) -> bool:
        """'2.1 million, down from 2.5 million a year earlier': the figure compared with
        (not the object of a verb that holds the word: "acted against 300 websites")."""
        near = cues_in(self.ctx.cues, max(0, claim.start - 3), claim.start, {"COMPARE", "ACTION"})
        if not near or near[-1].label != "COMPARE" or near[-1].end < claim.start - 1:
            return False
        return not any(c.label == "ACTION" and c.end >= near[-1].end for c in near)

    def _note_pending(self, sent: Span, total: Claim | None = None) -> bool:
        """An action with no counts: remember it for a following 'it consisted of ...' ->
        True when it is a takedown of its own ("removed a network linked to ..."), False
        when it only tells again of the one in focus ("the said pages had been taken down")
        and may add to it."""
        ctx = self.ctx
        for cue in cues_in(ctx.cues, sent.start, sent.end, {"ACTION"}):
            if blocked_by(ctx, cue, sent) is not None:
                continue
            actor, _ = actor_for(ctx, self.state, cue, sent)
            new = tells_new_takedown(ctx, cue)
            before = self.state.pending
            open_told = self.state.pending_takedown()
            if not new and open_told is not None and (open_told.networks or open_told.within):
                # "Estraterra, which is now banned", "a firm, which we have banned": told
                # within the takedown of several networks that is open
                return False
            region = (sent.start, sent.end)
            told = countries_in(ctx, sent.start, sent.end, sent.start, actor, cue.value)
            if not told and before is not None and same_actor(actor, before.actor):
                region = before.region  # told again with no country: keep those told before
            networks = [
                int(c.value)
                for c in claims_in(ctx.claims, sent.start, sent.end)
                if c.kind == "network" and c.value is not None and c.value > 1
            ]
            # one of the several networks of a takedown told just before, by the same actor
            within = before if before is not None and before.networks else None
            if within is None and before is not None:
                within = before.within
            if within is not None and not (
                within.open_at(self.state.sent_index) and same_actor(actor, within.actor)
            ):
                within = None
            self.state.pending = Told(
                cue,
                actor,
                self.state.sent_index,
                sent,
                region,
                networks[0] if networks else None,
                total,
                within if not networks else None,
            )
            if total is not None and total.kind == "mixed":
                self.mixed_totals.append(self.state.pending)
            self.state.focus_actor = actor or self.state.focus_actor
            return new
        return False

    def _named_apps(self, sent: Span) -> bool:
        """'The cabinet banned TikTok': a government action on named apps, no count written."""
        ctx = self.ctx
        doc = ctx.doc
        for cue in cues_in(ctx.cues, sent.start, sent.end, {"ACTION"}):
            if cue.value not in GEOGRAPHIC_ACTIONS or blocked_by(ctx, cue, sent) is not None:
                continue
            actor, _ = actor_for(ctx, self.state, cue, sent)
            if actor is None or actor.kind == "platform":
                continue
            named: list[Mention] = []
            j = cue.end
            for m in ctx.mentions_in(cue.end, len(doc)):
                if m.start - j > 4:
                    break  # too far from the verb or the last app named: no more of the list
                if m.label != "PLATFORM":
                    continue
                if m.end < len(doc) and doc[m.end].lower_ in ctx.lexicon.unit_words:
                    break  # "blocking Telegram channels": the platform names a kind of channel
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
        parent = self.state.focus
        if parent is None:
            return False
        made = self._fronted_subsets(sent, claims, parent)
        for claim in claims:
            if claim.kind or claim.value is None or claim.end + 2 >= len(doc):
                continue
            if doc[claim.end].lower_ != "of" or doc[claim.end + 1].lower_ not in SUBSET_DETERMINERS:
                continue
            kind = ctx.lexicon.unit_kinds.get(doc[claim.end + 2].lower_)
            if kind is None or kind not in {t.kind for t in parent.targets}:
                continue
            countries = countries_in(ctx, claim.end, sent.end, sent.start, parent.actor)
            if not any(rule not in WEAK_COUNTRY_RULES for *_, rule in countries):
                continue
            platform = next((t.platform for t in parent.targets if t.kind == kind), None)
            part = claim.counted_as(
                kind,
                unit=doc[claim.end + 2].lower_,
                platform=platform,
                end=claim.end + 3,
                rule="target-subset-of-total",
            )
            cue = Cue("ACTION", parent.action, "subset-of-reported-total", claim.start, claim.start)
            self._build(sent, [(part, cue)], claim.start, sent.end, None, parent.actor)
            parent.is_total = True
            made = True
        return made

    def _fronted_subsets(self, sent: Span, claims: list[Claim], parent: WorkingRecord) -> bool:
        """'Of those, 69 were tied to Russian state actors, while the remaining 31 ...', 'Of
        the accounts, 28 were on Facebook, 19 on Instagram ...': the parts of a count of the
        record just told, each with the country or platform of its own clause (the rest,
        "the remaining 31", where the whole is when its clause names no place)."""
        ctx = self.ctx
        doc = ctx.doc
        if sent.end - sent.start <= 3 or doc[sent.start].lower_ != "of":
            return False
        comma = next((t.i for t in sent[:FRONTED_REACH] if t.text == ","), None)
        if comma is None or doc[sent.start + 1].lower_ not in SUBSET_DETERMINERS:
            return False
        # "Of those," names the record's one count; "Of the social media accounts," one kind
        named = {ctx.lexicon.unit_kinds.get(t.lower_) for t in doc[sent.start + 1 : comma]}
        wholes = [t for t in parent.targets if t.kind in named] or (
            parent.targets if len(parent.targets) == 1 else []
        )
        if len(wholes) != 1 or wholes[0].value is None:
            return False
        whole = wholes[0]
        size = whole.value or 0.0
        bare = [
            c
            for c in claims
            if c.start > comma and c.kind in (None, whole.kind) and 0 < (c.value or 0) < size
        ]
        made = False
        for n, claim in enumerate(bare):
            end = bare[n + 1].start if n + 1 < len(bare) else sent.end
            rest = claim.start > 0 and doc[claim.start - 1].lower_ in REST_WORDS
            platform = next(
                (m.id or m.text for m in ctx.mentions_in(claim.end, end) if m.label == "PLATFORM"),
                None,
            )
            # a part the sentence ties to a place ("180 were run from Iran") or a platform
            # ("28 were on Facebook"), or the rest
            placed = countries_in(ctx, claim.end, end, sent.start, parent.actor)
            if not rest and not placed and platform is None:
                continue
            part = claim.counted_as(
                whole.kind, platform=platform or whole.platform, rule="target-subset-of-total"
            )
            cue = Cue("ACTION", parent.action, "subset-of-reported-total", claim.start, claim.start)
            rec = self._build(sent, [(part, cue)], claim.start, end, None, parent.actor)
            if all(key in rec.weak for key in rec.countries):
                # "the remaining 31" with no place of its own: where the whole is
                for key in list(rec.countries):
                    del rec.countries[key]
                for key in parent.countries:
                    rec.countries.setdefault(key, parent.countries[key])
                rec.add_rule("country-of-the-whole")
            # the record is their total when that count is all it counts
            parent.is_total = parent.is_total or len(parent.targets) == 1
            made = True
        return made

    def _cut(self, start: int, end: int) -> int:
        """Between two networks of one sentence: where the first one's phrase ends.

        "13 accounts based in Russia, and 55 accounts": the last list separator in
        the gap closes the first network's postmodifiers."""
        doc = self.ctx.doc
        for i in range(end - 1, start - 1, -1):
            if doc[i].lower_ in NETWORK_BREAKS:
                return i
        for i in range(end - 1, start - 1, -1):
            if doc[i].lower_ in NETWORK_JOINS:
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
        *,
        period: str | None = None,
        one_of_several: bool = False,
        is_total: bool = False,
    ) -> WorkingRecord:
        ctx = self.ctx
        doc = ctx.doc
        cue = group[0][1]
        actor: Actor | None
        if actor_override is not None:
            actor, actor_rule = actor_override, "actor-of-reported-takedown"
        else:
            actor, actor_rule = actor_for(ctx, self.state, cue, sent)
        rec = WorkingRecord(
            actor=actor,
            action=cue.value,
            targets=[c for c, _ in group],
            total=total,
            first_token=group[0][0].start,
            one_of_several=one_of_several,
            is_total=is_total,
            actor_in_context=actor_rule in CONTEXT_ACTOR_RULES,
        )
        rec.add_rule(cue.rule)
        rec.add_rule(actor_rule)
        for c in rec.targets:
            for r in c.rules:
                rec.add_rule(r)
        if total is not None:
            rec.add_rule("total-with-breakdown")
        add_countries(
            rec,
            countries_in(
                ctx, region_start, region_end, sent.start, actor, rec.action, rec.content()
            ),
        )
        if not any(role in ("origin", "location") for _, role in rec.countries):
            # "Serbian authorities blocked ...": the sentence's lead-in serves every network in it
            lead_end = min(c.start for c, _ in group)
            if total is not None and total.start >= sent.start:
                lead_end = total.start  # "In Peru, 88 assets (35 accounts, ...)"
            add_countries(
                rec,
                countries_in(
                    ctx, sent.start, lead_end, sent.start, actor, rec.action, rec.content()
                ),
            )
        if not rec.countries and cue.rule.startswith("compose-after-"):
            # "The first network was run by a firm in the UAE ... It consisted of 259 accounts",
            # else the section the count is listed in ("Peru" / "This network originated in
            # Peru ..." / "- Presence: 41 accounts"), else the sentence that reported the
            # takedown: "removed a network in Georgia"
            section = self.state.section_start
            pending_sent = self.state.pending.sent if self.state.pending else None
            if pending_sent is not None and pending_sent.start < section:
                pending_sent = None  # told in a section before this one
            places: list[tuple[tuple[int, int] | None, bool]] = [
                ((p.start, p.end) if p is not None else None, reported)
                for p, reported in [(self.state.prev_sent, False)]
            ]
            if 0 <= section < sent.start:
                places.append(((section, sent.start), True))
            places.append(((pending_sent.start, pending_sent.end) if pending_sent else None, True))
            for region, reported in places:
                if region is None or (
                    not reported and cues_in(ctx.cues, region[0], region[1], {"ACTION"})
                ):
                    continue
                add_countries(
                    rec,
                    countries_in(
                        ctx, region[0], region[1], region[0], actor, rec.action, rec.content()
                    ),
                )
                if rec.countries:
                    break
        parent = self.state.combined
        origins = [k for k in rec.countries if k[1] == "origin" and k not in rec.weak]
        if cue.rule == "part-of-combined-total" and parent is not None and not origins:
            # "two networks run from Russia ... The larger one, with 1,228 accounts, focused
            # on Germany": a part is run from where the whole was
            stated = [k for k in parent.countries if k[1] == "origin" and k not in parent.weak]
            for key in [k for k in rec.countries if k in rec.weak] if stated else []:
                del rec.countries[key]
            for code, role in stated:
                rec.add_country(code, parent.countries[(code, role)], role)
                rec.add_rule("country-origin-of-the-total")
        rec.is_total = rec.is_total or self.summing
        pending = self.state.pending
        if (
            not rec.countries
            and not rec.is_total
            and pending is not None
            and not pending.networks  # one of several networks: its own sentences tell where
            and (actor is None or pending.actor is None or same_actor(actor, pending.actor))
        ):
            # "Facebook removed a network linked to the Philippine police. ... A total of 57
            # accounts ... have been taken down": the network told before, now counted
            start, end = pending.region
            carried = countries_in(ctx, start, end, start, actor, rec.action, rec.content())
            for code, name, role, rule in carried:
                rec.add_country(code, name, role, weak=rule in WEAK_COUNTRY_RULES)
                rec.add_rule("network-told-before-" + rule)
        if actor is not None and actor.kind != "platform":
            add_countries(rec, actor_country(self.ctx, sent, cue))
        domestic(self.ctx, rec, doc[region_start:region_end])
        operator, op_rule = operator_in(ctx, region_start, region_end)
        if operator:
            rec.operator = operator
            rec.add_rule(op_rule)
        reason = reason_in(self.ctx, region_start, region_end) or reason_in(
            self.ctx, sent.start, sent.end
        )
        if reason:
            rec.reason = reason
            rec.add_rule("reason-sentence")
        elif (
            actor is not None and actor.kind == "platform" and ordered_by_government(self.ctx, sent)
        ):
            rec.reason = ("other", "government order")
            rec.add_rule("reason-government-order")
        if period is not None:
            rec.add_rule("period-respectively")
        else:
            period = ctx.period_in(region_start, region_end) or ctx.period_in(sent.start, sent.end)
        if period is None and ctx.heading_period:
            period = ctx.heading_period
            rec.add_rule("period-heading")
        elif period:
            rec.add_rule("period-sentence")
        rec.period = period
        rec.evidence.append((sent.start_char, sent.end_char))
        reach_in(self.ctx, rec, sent, region_start, region_end)
        languages_in(self.ctx, rec, sent)
        investigators_in(self.ctx, rec, sent)
        rec.last_sentence = self.state.sent_index
        if breakdown_of(self.state.focus, rec):
            self.state.focus.is_total = True  # type: ignore[union-attr]
        networks = [
            c
            for c in claims_in(ctx.claims, sent.start, sent.end)
            if c.kind == "network" and c.value is not None and c.value > 1
        ]
        if networks and not cue.rule.startswith("part-of"):
            self.state.combined, self.state.combined_last = rec, self.state.sent_index
        merged = merge(self.state.records, rec, self.state.sent_index)
        # over the page's budget, stop at once: the passes over the records made so far
        # then stay bounded, and so the whole stage linear in the article's length
        check_records(len(self.state.records), limit=self.ctx.max_records)
        merged.last_sentence = self.state.sent_index
        told = self.state.pending
        counted_told = any(r.startswith("network-told-before-") for r in rec.rules)
        one_of_several = told is not None and bool(told.networks) and same_actor(actor, told.actor)
        if told is not None and (cue.part or one_of_several):
            told.sentence = self.state.sent_index  # more parts may follow
            if told.within is not None:
                told.within.sentence = self.state.sent_index
        elif not counted_told:
            # a takedown with counts of its own ends the one told before without counts;
            # its parts may follow one another ("The first network ... The second")
            self.state.pending = None
        self.state.focus = merged
        self.state.focus_actor = actor or self.state.focus_actor
        return merged

    def _follow_up(self, sent: Span) -> None:
        """A sentence with no takedown of its own adds what it says to the record it refers to."""
        if not self.state.records:
            return
        ctx = self.ctx
        rec, explicit = self._referent(sent)
        if rec is None:
            return
        reach_in(self.ctx, rec, sent, sent.start, sent.end)
        languages_in(self.ctx, rec, sent)
        investigators_in(self.ctx, rec, sent)
        words = {t.lower_ for t in sent}
        # "three networks from the US, Russia and Pakistan" sums up several records: no roles
        doc = ctx.doc
        summary = any(
            doc[i].lower_ in COMBINED_NOUNS
            and (doc[i - 1].like_num or doc[i - 1].lower_ in ALL_OF_THEM)
            for i in range(sent.start + 1, sent.end)
        )
        recent = [r for r in self.state.records if self.state.sent_index - r.last_sentence <= 2]
        about = explicit or self._refers_to_network(sent)
        reason = stated_reason(ctx, sent)
        if reason is not None and (about or summary):
            # "The company said it took the network down for CIB"; "Both networks were
            # removed for CIB, Meta said": the reason of each network it speaks of
            every = self.state.records if words & ALL_OF_THEM else [rec, *recent]
            for other in every if summary or words & ALL_OF_THEM else [rec]:
                if other.reason is None:
                    other.reason = reason
                    other.add_rule("follow-up-reason")
        if summary or not about:
            return
        places = [m.start for m in ctx.mentions_in(sent.start, sent.end)]
        if any(
            c.value in FOLLOW_UP_BLOCKERS and c.start < max(places, default=sent.end)
            for c in cues_in(ctx.cues, sent.start, sent.end, {"MODAL"})
        ):
            # "The party denied any link to the Pages" adds nothing; a denial after what the
            # sentence tells ("..., although it did not say how") takes nothing away
            return
        for code, name, role, rule in countries_in(
            ctx, sent.start, sent.end, sent.start, rec.actor, rec.action
        ):
            if rule in FOLLOW_UP_WEAK_RULES:
                continue  # a bare mention in a later sentence is not evidence of a role
            rec.add_country(code, name, role)
            rec.add_rule("follow-up-" + rule)
        domestic(self.ctx, rec, sent)
        operator, op_rule = operator_in(ctx, sent.start, sent.end)
        if operator:
            # "Twitter traced the activity to Smaat": every network just reported, not only one
            recent = [r for r in self.state.records if self.state.sent_index - r.last_sentence <= 2]
            for other in {id(r): r for r in [rec, *recent]}.values():
                if other.operator is None:
                    other.operator = operator
                    other.add_rule("follow-up-" + op_rule)

    def _refers_to_network(self, sent: Span) -> bool:
        """'The network was run from ...', 'They targeted ...': the sentence is about it."""
        ctx = self.ctx
        head = [
            t.lower_ for t in ctx.doc[sent.start : min(sent.end, sent.start + REFERENCE_WINDOW)]
        ]
        if self._another_network(sent):
            # "The second operation originated in ...": another network, with no record of
            # its own; what follows about "its accounts" is not about the one in focus
            self.state.focus = None
            return False
        if head and head[0] in REFERENCE_PRONOUNS - {"the"}:
            return True
        return bool(set(head) & REFERENCE_NOUNS)

    def _another_network(self, sent: Span) -> bool:
        """Does the sentence start on another network ("The second operation ...", "A
        separate China-based network ...")?"""
        doc = self.ctx.doc
        kinds = self.ctx.lexicon.unit_kinds
        for i in range(sent.start, min(sent.end, sent.start + REFERENCE_WINDOW)):
            if doc[i].lower_ in OTHER_NETWORK and any(
                kinds.get(t.lower_) == "network"
                for t in doc[i + 1 : min(sent.end, i + 1 + OTHER_NETWORK_REACH)]
            ):
                return True
        return False

    def _referent(self, sent: Span) -> tuple[WorkingRecord | None, bool]:
        """Which record a follow-up sentence is about -> (record, named explicitly?).

        A repeated count ("the 149 Pages") or a repeated origin ("The Egyptian network")
        names it; otherwise it is the record in focus."""
        ctx = self.ctx
        claims = claims_in(ctx.claims, sent.start, sent.end)
        for rec in reversed(self.state.records):
            if any((c.kind or "", c.value) in rec.target_keys() for c in claims):
                span = (sent.start_char, sent.end_char)
                if span not in rec.evidence:
                    rec.evidence.append(span)
                self.state.focus = rec
                return rec, True
        if self._another_network(sent):
            self.state.focus = None
            return None, False
        codes = {
            m.id for m in ctx.mentions_in(sent.start, sent.end) if m.label in ("COUNTRY", "DEMONYM")
        }
        if self._refers_to_network(sent):
            for rec in reversed(self.state.records):
                if any(code in codes for code, role in rec.countries if role == "origin"):
                    self.state.focus = rec
                    return rec, True
        return self.state.focus, False
