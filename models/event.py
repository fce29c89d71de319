"""One takedown across articles: the line of events.jsonl (see ``takedowns events``)."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from models.record import Actor, Country, PrimarySource

_STRICT = ConfigDict(extra="forbid", frozen=True)


class Variant(BaseModel):
    """One figure some sources gave for a target, and which ones."""

    model_config = _STRICT

    count: int | None
    approximate: bool = False
    qualifier: str | None = None
    value: str | None = None  # the value of a field that is no count ("Q1 2024", "BD")
    record_ids: list[str]
    urls: list[str] = Field(default_factory=list)


class EventTarget(BaseModel):
    """A reconciled target: the figure most sources give, and every variant seen."""

    model_config = _STRICT

    kind: str
    platform: str | None
    count: int | None  # the figure most sources give (exact figures win ties over rounded)
    approximate: bool = False
    variants: list[Variant]


class Conflict(BaseModel):
    """Sources that disagree beyond rounding on one field of the event."""

    model_config = _STRICT

    field: str  # "targets", "countries", "period", "action", ...
    key: str | None = None  # which target ("account/Facebook"), when field is targets
    values: list[Variant]  # each differing value with its sources
    note: str | None = None


class Event(BaseModel):
    """One takedown as reported by one or more articles."""

    model_config = _STRICT

    schema_version: str
    event_id: str  # stable across runs, input order and --jobs
    actor: Actor | None
    action: str
    period: str | None
    countries: list[Country] = Field(default_factory=list)
    operator: str | None = None
    targets: list[EventTarget] = Field(default_factory=list)
    # a stated total ("185 accounts and groups", kind "total"), when sources give one
    total: EventTarget | None = None
    record_ids: list[str]
    urls: list[str] = Field(default_factory=list)
    first_published: date | None = None
    last_published: date | None = None
    conflicts: list[Conflict] = Field(default_factory=list)
    primary_sources: list[PrimarySource] = Field(default_factory=list)
