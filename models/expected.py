"""The hand-written expectations beside each fixture page (`*.expected.json`).

Only the fields a record is checked on are written; a field left out of an
expected record is not checked for that record.
"""

from pydantic import BaseModel, ConfigDict

from models.record import Action, ActorKind, CountryRole, ReasonLabel

_STRICT = ConfigDict(extra="forbid", frozen=True)


class ExpectedActor(BaseModel):
    model_config = _STRICT
    name: str
    kind: ActorKind


class ExpectedTarget(BaseModel):
    model_config = _STRICT
    kind: str
    count: int | None
    platform: str | None = None
    approximate: bool = False


class ExpectedCountry(BaseModel):
    model_config = _STRICT
    code: str
    role: CountryRole
    inferred: bool = False


class ExpectedReach(BaseModel):
    model_config = _STRICT
    metric: str
    count: float | None


class ExpectedRecord(BaseModel):
    """What one record must carry; omitted optional fields are not checked."""

    model_config = _STRICT

    actor: ExpectedActor | None
    action: Action
    targets: list[ExpectedTarget]
    countries: list[ExpectedCountry] = []
    reason: ReasonLabel | None = None
    period: str | None = None
    total: int | None = None
    is_total: bool = False
    operator: str | None = None
    reach: list[ExpectedReach] | None = None
    languages: list[str] | None = None
    investigators: list[str] | None = None
    primary_sources: list[str] | None = None  # urls of the disclosures the record must carry


class Expected(BaseModel):
    """The expectations for one fixture page."""

    model_config = _STRICT

    url: str | None = None
    title: str | None = None
    published: str | None = None
    text_contains: list[str] = []
    text_excludes: list[str] = []
    records: list[ExpectedRecord]
    notes: str | None = None
    # why the current rules miss this page (the text is the truth): `takedowns check` reports
    # the page but does not fail on it; remove the note once the rules read the page right
    known_miss: str | None = None


class ExpectedConflict(BaseModel):
    """A field on which the sources of an event must disagree."""

    model_config = _STRICT
    field: str  # "targets", "total", "period", "action", "countries"
    key: str | None = None  # "account/Facebook" for a target
    counts: list[int] = []  # the differing figures (targets, total)
    values: list[str] = []  # the differing values (other fields)


class ExpectedEvent(BaseModel):
    """One takedown the pages of a fixture set must group into."""

    model_config = _STRICT
    actor: str | None  # the actor group ("Meta" for Facebook and Instagram, "X" for Twitter)
    action: Action
    period: str | None = None
    countries: list[ExpectedCountry] = []
    targets: list[ExpectedTarget]  # the reconciled figures
    total: int | None = None  # the reconciled stated total; null: none
    sources: list[str]  # the pages (file names without .html) whose records make it up
    conflicts: list[ExpectedConflict] = []
    primary_sources: list[str] = []


class ExpectedEvents(BaseModel):
    """The expectations for one fixture set (`events.expected.json` beside its pages)."""

    model_config = _STRICT
    events: list[ExpectedEvent]
    notes: str | None = None
    known_miss: str | None = None  # as in Expected: reported, not failed
