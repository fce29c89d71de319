"""One line of errors.jsonl: an input that did not become records, and why."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

Stage = Literal["read", "fetch", "decode", "clean", "extract", "write"]


class ErrorLine(BaseModel):
    """Why one input produced no article line."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: str
    stage: Stage
    code: str  # stable, documented in README ("fetch.timeout", "read.empty", ...)
    message: str
    url: str | None = None
