"""Identity: file names kept as bytes, record ids unique per input, --resume keyed by input."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.names import escape_name, name_bytes
from tests.conftest import FIXTURES

SEED = FIXTURES / "haqooq-facebook-cib-pakistan-august-2020.html"  # 3 records
QUIET = next(p for p in sorted(FIXTURES.glob("*.html")) if "election" in p.name)  # none


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _extract(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    cmd = [sys.executable, "-m", "pipeline", "extract", *args, "--jobs", "1", "--quiet"]
    return subprocess.run(cmd, input=stdin, capture_output=True, check=False)


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "raw",
    [b"a\xe9.html", b"back\\slash.html", b"x\\xe9.html", "ünï.html".encode(), b"\xff\xfe.html"],
)
def test_names_escape_is_reversible(raw: bytes) -> None:
    name = os.fsdecode(raw)
    escaped = escape_name(name)
    escaped.encode("utf-8")  # valid Unicode: JSON, DuckDB and jq can read it
    assert name_bytes(escaped) == raw


@pytest.mark.parametrize("how", ["directory", "argument", "stdin", "list", "missing"])
def test_names_non_utf8_file_name_is_kept_exactly(tmp_path: Path, how: str) -> None:
    pages = tmp_path / "d"
    pages.mkdir()
    raw = os.fsencode(pages) + b"/a\xe9.html"
    if how != "missing":
        shutil.copy(SEED, os.fsdecode(raw))
    out = tmp_path / "o" / "records.jsonl"
    listing = tmp_path / "list.txt"
    listing.write_bytes(raw + b"\n")
    spec = {"directory": str(pages), "argument": os.fsdecode(raw), "stdin": "-",
            "list": f"@{listing}", "missing": os.fsdecode(raw)}[how]  # fmt: skip
    result = _extract(spec, "-o", str(out), stdin=raw + b"\n")
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
    if how == "missing":
        assert result.returncode == 1
        (error,) = _lines(tmp_path / "o" / "errors.jsonl")
        assert (name_bytes(error["input"]), error["code"]) == (raw, "read.not_found")
        return
    assert result.returncode == 0, result.stderr
    (article,) = _lines(tmp_path / "o" / "articles.jsonl")
    assert name_bytes(article["input"]) == raw
    assert name_bytes(article["source"]["path"]) == raw
    records = _lines(out)
    assert len(records) == 3 and {name_bytes(r["source"]["path"]) for r in records} == {raw}


def test_names_non_utf8_file_name_resumes(tmp_path: Path) -> None:
    pages = tmp_path / "d"
    pages.mkdir()
    shutil.copy(SEED, os.fsdecode(os.fsencode(pages) + b"/a\xe9.html"))
    shutil.copy(QUIET, pages / "b.html")
    out = tmp_path / "o"
    assert _extract(str(pages), "-o", str(out / "records.jsonl")).returncode == 0
    for name in ("records.jsonl", "articles.jsonl", "errors.jsonl"):
        (out / name).rename(out / f"{name}.partial")  # as if killed at the very end
    result = _extract(str(pages), "-o", str(out / "records.jsonl"), "--resume")
    assert result.returncode == 0, result.stderr
    assert len(_lines(out / "articles.jsonl")) == 2 and len(_lines(out / "records.jsonl")) == 3


# --------------------------------------------------------------------------- record ids


def _run(specs: list[str], out: Path, *extra: str) -> int:
    args = ["extract", *specs, "-o", str(out / "records.jsonl"), "--jobs", "1", "-q", *extra]
    return CliRunner().invoke(main, args).exit_code


def test_ids_two_copies_of_one_article_get_their_own_ids(tmp_path: Path) -> None:
    for name in ("a.html", "b.html"):
        shutil.copy(SEED, tmp_path / name)
    assert _run([str(tmp_path / "a.html"), str(tmp_path / "b.html")], tmp_path / "o") == 0
    records = _lines(tmp_path / "o" / "records.jsonl")
    assert len(records) == 6
    assert len({r["record_id"] for r in records}) == 6
    articles = _lines(tmp_path / "o" / "articles.jsonl")
    assert set(articles[0]["record_ids"]).isdisjoint(articles[1]["record_ids"])


def _kill_before_last_article_line(out: Path) -> None:
    """Leave a finished run as a kill between the last page's records and its article line
    would: every record line written, the last article line not."""
    for name in ("records.jsonl", "errors.jsonl"):
        (out / name).rename(out / f"{name}.partial")
    lines = (out / "articles.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (out / "articles.jsonl.partial").write_text("".join(lines[:-1]), encoding="utf-8")
    (out / "articles.jsonl").unlink()


@pytest.mark.parametrize("same_path", [False, True], ids=["two-copies", "listed-twice"])
def test_ids_resume_after_kill_between_records_and_article_line(
    tmp_path: Path, same_path: bool
) -> None:
    for name in ("a.html", "b.html"):
        shutil.copy(SEED, tmp_path / name)
    second = "a.html" if same_path else "b.html"
    specs = [str(tmp_path / "a.html"), str(tmp_path / second)]
    assert _run(specs, tmp_path / "whole") == 0
    assert _run(specs, tmp_path / "cut") == 0
    _kill_before_last_article_line(tmp_path / "cut")
    assert _run(specs, tmp_path / "cut", "--resume") == 0
    for name in ("records.jsonl", "articles.jsonl", "errors.jsonl"):
        whole = (tmp_path / "whole" / name).read_bytes()
        assert (tmp_path / "cut" / name).read_bytes() == whole, name
    assert len(_lines(tmp_path / "cut" / "records.jsonl")) == 6
    assert len(_lines(tmp_path / "cut" / "articles.jsonl")) == 2


# --------------------------------------------------------------------------- resume


def test_resume_exit_code_counts_errors_from_before_the_kill(tmp_path: Path) -> None:
    (tmp_path / "a-empty.html").write_bytes(b"")
    shutil.copy(SEED, tmp_path / "b-seed.html")
    specs = [str(tmp_path / "a-empty.html"), str(tmp_path / "b-seed.html")]
    assert _run(specs, tmp_path / "o") == 1
    _kill_before_last_article_line(tmp_path / "o")  # the error line stays, the page is redone
    result = CliRunner().invoke(
        main,
        ["extract", *specs, "-o", str(tmp_path / "o" / "records.jsonl"), "--jobs", "1", "--resume"],
    )
    assert result.exit_code == 1
    assert (
        "inputs 2: 1 pages with records (3 records), 0 pages with no takedown found, 1 errors"
        in (result.stderr)
    )


@pytest.mark.parametrize("broken", ["articles.jsonl", "errors.jsonl", "records.jsonl"])
def test_resume_broken_middle_line_names_file_and_line(tmp_path: Path, broken: str) -> None:
    (tmp_path / "a-empty.html").write_bytes(b"")
    shutil.copy(SEED, tmp_path / "b-seed.html")
    shutil.copy(QUIET, tmp_path / "c-quiet.html")
    out = tmp_path / "o"
    assert _run([str(tmp_path)], out) == 1
    for name in ("records.jsonl", "articles.jsonl", "errors.jsonl"):
        (out / name).rename(out / f"{name}.partial")
    part = out / f"{broken}.partial"
    lines = part.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(0, '{"input": "x", "record_ids": [\n')  # a torn line, then whole lines
    part.write_text("".join(lines), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["extract", str(tmp_path), "-o", str(out / "records.jsonl"), "--resume"]
    )
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert f"line 1 of {part}" in result.stderr
