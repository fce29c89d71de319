"""words.json: every list says what it is for and is read by the rules."""

import json
from pathlib import Path

import pytest

from pipeline.nlp import PATTERNS_DIR

ROOT = Path(__file__).resolve().parent.parent
TABLE = json.loads((PATTERNS_DIR / "words.json").read_text(encoding="utf-8"))
SOURCE = "\n".join(p.read_text() for p in (ROOT / "pipeline").rglob("*.py"))


@pytest.mark.parametrize("name", sorted(k for k in TABLE if k != "note"))
def test_words_entry_has_a_note_and_one_list(name):
    entry = TABLE[name]
    assert entry["note"].strip()
    assert len({"words", "phrases", "map"} & set(entry)) == 1
    assert all(isinstance(w, str) and w == w.strip() for w in entry.get("words", []))


@pytest.mark.parametrize("name", sorted(k for k in TABLE if k != "note"))
def test_words_entry_is_read_by_the_rules(name):
    assert f'("{name}")' in SOURCE
