"""words.json: every list says what it is for and is read by the rules."""

import json
from pathlib import Path

import pytest

from pipeline.data import PATTERNS_DIR

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
    # words("x"), phrases("x") or phrase_ends(doc, "x")
    assert f'("{name}")' in SOURCE or f', "{name}")' in SOURCE


def test_words_phrase_ends_finds_a_list_s_phrases_in_any_case():
    from pipeline.nlp import Analyzer
    from pipeline.words import phrase_ends

    doc = Analyzer().parse("Aimed at people INSIDE THE COUNTRY, and at voters within the country.")
    assert phrase_ends(doc, "domestic_phrases") == {3: 6, 10: 13}
    assert phrase_ends(doc, "place_references") == {4: 6, 11: 13}
    with pytest.raises(KeyError):
        phrase_ends(doc, "domestic_words")


def test_words_every_city_and_alias_names_a_known_country_once():
    import pycountry
    import srsly

    aliases = {row["code"] for row in srsly.read_jsonl(PATTERNS_DIR / "country_aliases.jsonl")}
    seen: dict[str, str] = {}
    for row in srsly.read_jsonl(PATTERNS_DIR / "cities.jsonl"):
        name, code = row["name"], row["code"]
        assert name == name.strip() and name, row
        assert pycountry.countries.get(alpha_2=code) is not None or code in aliases, row
        assert seen.setdefault(name.lower(), code) == code, row
