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
    operator: str | None = None
    reach: list[ExpectedReach] | None = None
    languages: list[str] | None = None
    investigators: list[str] | None = None


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
