"""CLI end to end: extract, check, schema, fetch; exit codes and messages."""

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from models.record import TakedownRecord
from pipeline.cli import main
from tests.conftest import FIXTURES

SEED = FIXTURES / "haqooq-facebook-cib-pakistan-august-2020.html"


def test_cli_extract_seed_fixture(tmp_path):
    out = tmp_path / "out" / "records.jsonl"
    result = CliRunner().invoke(main, ["extract", str(SEED), "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    records = [TakedownRecord.model_validate_json(x) for x in out.read_text().splitlines()]
    by_origin = {next(c.code for c in r.countries if c.role == "origin"): r for r in records}
    assert sorted(by_origin) == ["PK", "RU", "US"]
    assert sorted((t.kind, t.count) for t in by_origin["PK"].targets) == [
        ("account", 107),
        ("account", 453),
        ("group", 78),
        ("page", 103),
    ]
    articles = (tmp_path / "out" / "articles.jsonl").read_text().splitlines()
    assert len(articles) == 1
    article = json.loads(articles[0])
    assert sorted(article["record_ids"]) == sorted(r.record_id for r in records)
    assert "1,372" not in article["text"]  # the sidebar headline is not article text
    for r in records:
        for t in r.targets:
            assert article["text"][t.start : t.end] == t.text
    assert (tmp_path / "out" / "errors.jsonl").read_text() == ""
    assert not list((tmp_path / "out").glob("*.partial"))


def test_cli_extract_to_stdout(tmp_path, monkeypatch):
    # records to stdout; article and error lines in the current directory, so that a page
    # with no takedown still leaves its line
    monkeypatch.chdir(tmp_path)
    quiet = FIXTURES / "valleycourier-election-count-ends-ruling-alliance-140-seats.html"
    result = CliRunner().invoke(
        main, ["extract", str(SEED), str(quiet), "-o", "-", "--jobs", "1", "--quiet"]
    )
    assert result.exit_code == 0
    assert len(result.stdout.strip().splitlines()) == 3
    articles = [json.loads(x) for x in (tmp_path / "articles.jsonl").read_text().splitlines()]
    assert [a["status"] for a in articles] == ["records", "no_takedown"]
    assert (tmp_path / "errors.jsonl").read_text() == ""


def test_cli_extract_exit_1_on_failed_input(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    out = tmp_path / "r.jsonl"
    result = CliRunner().invoke(
        main, ["extract", str(SEED), str(empty), "-o", str(out), "--jobs", "1"]
    )
    assert result.exit_code == 1
    (line,) = (tmp_path / "errors.jsonl").read_text().splitlines()
    assert json.loads(line)["code"] == "read.empty"
    assert (
        "inputs 2: 1 pages with records (3 records), 0 pages with no takedown found, 1 errors"
        in result.stderr
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["extract"], "Missing argument 'INPUTS...'"),
        (["extract", "x.html"], "Missing option '-o'"),
        (["extract", "x.html", "-o", "-", "--resume"], "--resume needs a records file"),
        (["extract", "x.html", "-o", "r.jsonl", "--jobs", "0"], "Invalid value for '-j'"),
    ],
)
def test_cli_bad_usage_exits_2(args, message):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert message in result.output


def test_cli_schema_is_record_json_schema():
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "TakedownRecord"
    assert {"actor", "action", "targets", "countries", "evidence"} <= set(schema["properties"])


def test_cli_check_passes_and_fails(tmp_path):
    for suffix in (".html", ".expected.json"):
        shutil.copy(SEED.with_name(SEED.stem + suffix), tmp_path / f"page{suffix}")
    ok = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    assert "1/1 fixtures match" in ok.output
    expected = json.loads((tmp_path / "page.expected.json").read_text())
    expected["records"][0]["targets"][0]["count"] += 1
    (tmp_path / "page.expected.json").write_text(json.dumps(expected))
    bad = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert bad.exit_code == 1
    assert "0/1 fixtures match" in bad.output
    assert "missing target" in bad.output


@pytest.mark.parametrize("command", sorted(main.commands))
def test_cli_every_command_has_help_with_example(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


@pytest.mark.parametrize("args", [["--help"], ["schema"], ["events", "--help"]])
def test_cli_light_commands_do_not_import_nlp(args):
    code = (
        "import sys; from pipeline.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('spacy', 'trafilatura') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout


def test_cli_python_dash_m():
    out = subprocess.run(
        [sys.executable, "-m", "pipeline", "--version"], capture_output=True, text=True, check=True
    )
    assert "takedowns" in out.stdout


def test_library_extract_records():
    from pipeline import extract_records

    records = extract_records(SEED.read_bytes(), url="https://example.org/seed")
    assert len(records) == 3
    assert {r.source.url for r in records} == {"https://example.org/seed"}


def test_library_exports():
    import pipeline

    assert pipeline.__all__ == ["__version__", "extract_page", "extract_records"]
