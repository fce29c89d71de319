"""Word lists the rules read, kept as data in ``patterns/words.json``: one list per idea.

Each entry has a ``note`` saying what it is for and one of ``words`` (single tokens, read
lower-cased), ``phrases`` (several words, matched token by token) or ``map`` (a table).
A missing entry is a bug, so it fails loudly at import. ``phrase_ends`` finds the phrases
of a list anywhere in a Doc with spaCy's PhraseMatcher.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.data import PATTERNS_DIR

# vocabulary id -> (the vocabulary, kept alive with its id, and a matcher of every phrase list)
_MATCHERS: dict[int, tuple[Vocab, PhraseMatcher]] = {}


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


def _phrase_matcher(vocab: Vocab) -> PhraseMatcher:
    """One PhraseMatcher on lower case per vocabulary, holding every phrase list by name."""
    kept = _MATCHERS.get(id(vocab))
    if kept is None or kept[0] is not vocab:
        matcher = PhraseMatcher(vocab, attr="LOWER")
        for name, entry in _table().items():
            if isinstance(entry, dict) and "phrases" in entry:
                # the phrases' own words: tokenised as listed, as the rules read them
                matcher.add(name, [Doc(vocab, words=p.split()) for p in entry["phrases"]])
        kept = _MATCHERS[id(vocab)] = (vocab, matcher)
    return kept[1]


def phrase_ends(doc: Doc, name: str) -> dict[int, int]:
    """Where a phrase list's phrases occur in a Doc: start token -> end of the longest one
    starting there. The matcher runs once per Doc for all lists."""
    if "phrases" not in _table()[name]:
        raise KeyError(f"{name} is not a phrase list")
    found = doc.user_data.get("phrases")
    if found is None:
        matcher = _phrase_matcher(doc.vocab)
        found = {}
        for key, start, end in matcher(doc):
            ends = found.setdefault(doc.vocab.strings[key], {})
            ends[start] = max(end, ends.get(start, end))
        doc.user_data["phrases"] = found
    return found.get(name, {})
