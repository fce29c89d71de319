"""The cleaned article and the per-page line of articles.jsonl."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Source(BaseModel):
    """Where a record or article came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str | None = None
    path: str | None = None
    title: str | None = None
    site: str | None = None
    author: str | None = None
    published: date | None = None
    fetched_at: datetime | None = None
    sha256: str


TextMethod = Literal["trafilatura", "article-tag", "body-text"]


class Link(BaseModel):
    """A link of the article body: where it points, its anchor text, where it sits."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    href: str  # absolute URL (resolved against the page's URL when it has one)
    text: str  # anchor text, whitespace collapsed
    start: int | None = None  # offsets of the anchor text in the cleaned article text,
    end: int | None = None  # None when the anchor text is not found there
    primary: str | None = None  # kind of primary source it is ("platform", "authority", ...)


class Article(BaseModel):
    """The output of the clean stage: main text plus metadata."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Source
    text: str
    language: str | None = None
    method: TextMethod  # how the text was obtained
    encoding: str  # the encoding the bytes were decoded with
    links: list[Link] = Field(default_factory=list)  # links of the article body


class Entity(BaseModel):
    """A named thing found in the article text by the pattern rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: (
        str  # PLATFORM, COMPANY, COUNTRY, GOV, COURT, POLICE, RESEARCH, OPERATOR, LANGUAGE, REASON
    )
    text: str
    start: int
    end: int
    id: str | None = None  # normalized value: ISO code, reason label, canonical name
    rule: str | None = None  # pattern id that matched


class NumericClaim(BaseModel):
    """A number found in the text with what it counts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float | None  # None for vague quantities ("hundreds of")
    unit: str | None  # the counted noun, lower-cased as written ("accounts", "followers")
    kind: str | None  # normalized asset kind when the unit is one (account, page, ...)
    platform: str | None = None  # platform named with the count
    currency: str | None = None  # ISO 4217 code for money amounts
    qualifier: str | None = None  # over, about, nearly, hundreds of, ...
    approximate: bool = False
    text: str
    start: int
    end: int


class ArticleLine(BaseModel):
    """One line of articles.jsonl: everything found on one page."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: str
    input: str
    source: Source
    text: str
    language: str | None
    method: TextMethod
    encoding: str
    entities: list[Entity]
    claims: list[NumericClaim]
    links: list[Link] = Field(default_factory=list)  # links of the article body
    record_ids: list[str]  # empty when the page reports no takedown
    status: Literal["records", "no_takedown"]
