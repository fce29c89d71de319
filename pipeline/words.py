"""Word lists the rules read, kept as data in ``patterns/words.json``: one list per idea.

Each entry has a ``note`` saying what it is for and one of ``words`` (single tokens, read
lower-cased), ``phrases`` (several words, matched token by token) or ``map`` (a table).
A missing entry is a bug, so it fails loudly at import.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from pipeline.nlp import PATTERNS_DIR


@functools.cache
def _table() -> dict[str, Any]:
    return json.loads((PATTERNS_DIR / "words.json").read_text(encoding="utf-8"))


def words(name: str) -> frozenset[str]:
    """A list of single words."""
    return frozenset(_table()[name]["words"])


def phrases(name: str) -> tuple[tuple[str, ...], ...]:
    """A list of phrases, each as its words, longest first (so the longest matches win)."""
    found = [tuple(p.split()) for p in _table()[name]["phrases"]]
    return tuple(sorted(found, key=len, reverse=True))


def mapping(name: str) -> dict[str, Any]:
    """A table."""
    return dict(_table()[name]["map"])
