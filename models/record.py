"""The takedown record: the contract downstream tools read (see DESIGN.md)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models.article import Source

SCHEMA_VERSION = "1"

ActorKind = Literal["platform", "regulator", "government", "court", "police", "other"]
Action = Literal["removed", "terminated", "suspended", "blocked", "banned", "restricted"]
CountryRole = Literal["origin", "target", "location"]
ReasonLabel = Literal[
    "coordinated_inauthentic_behaviour",
    "spam",
    "hate_speech",
    "misinformation",
    "blasphemy",
    "obscenity",
    "anti_state",
    "court_order",
    "gambling",
    "other",
]

_STRICT = ConfigDict(extra="forbid", frozen=True)


class Actor(BaseModel):
    """Who took the action."""

    model_config = _STRICT

    name: str
    kind: ActorKind


class Target(BaseModel):
    """One counted kind of thing acted upon."""

    model_config = _STRICT

    kind: str  # singular snake_case: account, page, group, channel, website, sim_card, ...
    platform: str | None
    count: int | None  # None for vague quantities ("hundreds of")
    approximate: bool = False
    qualifier: str | None = None
    text: str
    start: int
    end: int


class Total(BaseModel):
    """A stated total next to its breakdown ("265 accounts, Pages and groups: ...")."""

    model_config = _STRICT

    count: int | None
    approximate: bool = False
    qualifier: str | None = None
    text: str
    start: int
    end: int


class Country(BaseModel):
    """A country tied to the takedown, with its role."""

    model_config = _STRICT

    code: str  # ISO 3166-1 alpha-2
    name: str
    role: CountryRole
    # not tied to this takedown by the text: the country the article is about, where most
    # of its places are (a record the text gives no country otherwise gets it)
    inferred: bool = False


class Reason(BaseModel):
    """Why the actor says it acted, normalized to a small label set."""

    model_config = _STRICT

    label: ReasonLabel
    text: str


class Reach(BaseModel):
    """Audience or spend figure of the network (not a target)."""

    model_config = _STRICT

    metric: str  # followers, group_members, ad_spend, users, ...
    count: float | None
    approximate: bool = False
    currency: str | None = None
    text: str


class Evidence(BaseModel):
    """A sentence of the cleaned text that supports the record."""

    model_config = _STRICT

    text: str
    start: int
    end: int


class PrimarySource(BaseModel):
    """A link in the article to the actor's or an authority's own disclosure."""

    model_config = _STRICT

    url: str
    text: str  # anchor text
    publisher: str | None = None  # whose disclosure it is ("Meta", "Google TAG", "PTA", ...)


class TakedownRecord(BaseModel):
    """One takedown action reported in one article."""

    model_config = _STRICT

    schema_version: str = SCHEMA_VERSION
    record_id: str
    source: Source
    actor: Actor | None
    action: Action
    targets: list[Target]
    total: Total | None = None
    # the record is a sum of takedowns the article also reports one by one, as records of
    # their own (a year's total beside each month, a report's total beside each network):
    # count it once, not on top of them
    is_total: bool = False
    countries: list[Country] = Field(default_factory=list)
    operator: str | None = None
    reason: Reason | None = None
    period: str | None = None
    reach: list[Reach] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    investigators: list[str] = Field(default_factory=list)
    evidence: list[Evidence]
    primary_sources: list[PrimarySource] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list)  # ids of the rules that produced it
