"""The record being assembled (``WorkingRecord``) and its freezing into a ``TakedownRecord``.

A working record holds claims (token offsets into the article's Doc) while the rules
add to it; ``freeze`` turns it into the validated record of the contract: character
offsets, platforms of targets, a stable id.
"""

import hashlib
from dataclasses import dataclass, field

from spacy.tokens import Doc

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
from pipeline.words import mapping, words

COMPANY_PLATFORMS = mapping("company_platforms")
CARRY_PLATFORM_KINDS = words("carry_platform_kinds")
PLACE_BOUND_KINDS = words("place_bound_kinds")


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
    inferred: set[tuple[str, str]] = field(default_factory=set)  # from the article, not the text
    is_total: bool = False  # a sum of other records of the article (TakedownRecord.is_total)
    one_of_several: bool = False  # one of several networks told in the same sentence
    actor_in_context: bool = False  # the actor came from the discourse, not the sentence
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


def record_id(source: Source, rec: WorkingRecord, input: str = "") -> str:
    """A stable id: the input, the page's identity and where in its text the record starts.

    The input (path, URL, warc#offset, and which repeat of it) makes ids unique per input:
    two copies of one article, or one page listed twice, hold the same source."""
    basis = (
        f"{input}\x00{source.url or source.path or ''}|{source.sha256}|{rec.evidence[0][0]}"
        f"|{rec.first_token}"
    )
    return hashlib.sha256(basis.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def target_platform(
    claim: Claim, carried: str | None, actor: Actor | None, platforms: frozenset[str]
) -> tuple[str | None, str]:
    """A count's platform: named with it, carried along its list, else the actor's own."""
    if claim.platform:
        return claim.platform, "platform-named"
    if carried and claim.kind in CARRY_PLATFORM_KINDS and not claim.unnamed_platform:
        return carried, "platform-carried"
    if actor is not None and actor.name in COMPANY_PLATFORMS:
        table = COMPANY_PLATFORMS[actor.name]
        return table.get(claim.kind or "", table.get("*")), "platform-actor"
    if actor is not None and actor.name in platforms:
        return actor.name, "platform-actor"
    return None, "platform-none"


def freeze(
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
        platform, rule = target_platform(c, carried, rec.actor, platforms)
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
        Country(code=code, name=name, role=role, inferred=(code, role) in rec.inferred)  # type: ignore[arg-type]
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
    evidence: list[Evidence] = []
    for s, e in rec.evidence:
        # offsets of the sentence without the blank around it, so text[start:end] is its text
        s += len(text[s:e]) - len(text[s:e].lstrip())
        e -= len(text[s:e]) - len(text[s:e].rstrip())
        if e > s and not any(x.start == s and x.end == e for x in evidence):
            evidence.append(Evidence(text=text[s:e], start=s, end=e))
    return TakedownRecord(
        record_id=record_id(source, rec, input),
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
        is_total=rec.is_total,
        rules=rec.rules,
    )
