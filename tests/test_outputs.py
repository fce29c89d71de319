"""Outputs: usage errors before any work, one run at a time, a full disk, --jobs capped."""

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import EXIT_OUTPUT, main
from pipeline.run import Outputs
from pipeline.writer import OutputLock
from tests.conftest import FIXTURES

SEED = FIXTURES / "haqooq-facebook-cib-pakistan-august-2020.html"  # 3 records
QUIET = FIXTURES / "valleycourier-election-count-ends-ruling-alliance-140-seats.html"  # none
PAGES = sorted(FIXTURES.glob("*.html"))


def _invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["extract", *args])


def _one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--articles", "{out}/records.jsonl"],
            "the records file and the articles file are the same file",
        ),
        (
            ["--errors", "{out}/./records.jsonl"],
            "the records file and the errors file are the same file",
        ),
        (
            ["--errors", "{out}/articles.jsonl"],
            "the articles file and the errors file are the same file",
        ),
        (
            ["--errors", "{out}/records.jsonl.partial"],
            "the records file and the errors file are the same file",
        ),
    ],
    ids=[
        "articles-is-records",
        "errors-is-records",
        "errors-is-default-articles",
        "errors-is-records-while-written",
    ],  # fmt: skip
)
def test_outputs_same_file_twice_is_refused_before_work(
    tmp_path: Path, extra: list[str], message: str
) -> None:
    out = tmp_path / "out"
    args = [a.format(out=out) for a in extra]
    result = _invoke(str(SEED), "-o", str(out / "records.jsonl"), *args)
    assert result.exit_code == 2
    assert message in _one_error_line(result.stderr)
    assert not out.exists() or not any(p.suffix == ".partial" for p in out.iterdir())


@pytest.mark.parametrize("which", ["-o", "--articles", "--errors"])
def test_outputs_directory_as_output_is_refused_before_work(tmp_path: Path, which: str) -> None:
    taken = tmp_path / "taken"
    taken.mkdir()
    args = {"-o": [str(taken)], "--articles": [str(tmp_path / "r.jsonl"), "--articles", str(taken)],
            "--errors": [str(tmp_path / "r.jsonl"), "--errors", str(taken)]}[which]  # fmt: skip
    result = _invoke(str(SEED), "-o", *args)
    assert result.exit_code == 2
    assert f"{taken} is a directory" in _one_error_line(result.stderr)
    assert list(taken.iterdir()) == []
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize("place", ["/sys/takedowns-records.jsonl"])
def test_outputs_unwritable_place_is_refused_before_work(place: str) -> None:
    # sysfs refuses new files even to root: a real place no run can write to
    result = _invoke(str(SEED), "-o", place, "--errors", place + ".errors")
    assert result.exit_code == 2
    line = _one_error_line(result.stderr)
    assert "cannot write beside /sys/" in line and "Permission denied" in line


def test_outputs_second_run_on_same_outputs_stops_at_once(tmp_path: Path) -> None:
    out = tmp_path / "out"
    outputs = Outputs.beside(str(out / "records.jsonl"), articles=None, errors=None)
    out.mkdir()
    with OutputLock(outputs.files()):  # the first run, holding the outputs
        result = _invoke(str(SEED), "-o", str(out / "records.jsonl"))
    assert result.exit_code == 2
    line = _one_error_line(result.stderr)
    assert "is being written by another run" in line and f"pid {os.getpid()}" in line
    assert not list(out.glob("*.partial"))


def _cmd(pages: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", "extract", str(pages), "-o",
            str(out / "records.jsonl"), "--jobs", "1", "--quiet", *extra]  # fmt: skip


def test_outputs_full_disk_exits_3_and_resume_continues(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(QUIET, pages / "a-quiet.html")
    shutil.copy(SEED, pages / "b-seed.html")
    shutil.copy(QUIET, pages / "c-quiet.html")
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    subprocess.run(_cmd(pages, whole), check=True)
    cut.mkdir()
    # the records file lives on a device that is always full (writes fail with ENOSPC)
    (cut / "records.jsonl.partial").symlink_to("/dev/full")
    result = subprocess.run(_cmd(pages, cut), capture_output=True, text=True, check=False)
    assert result.returncode == EXIT_OUTPUT
    line = _one_error_line(result.stderr)
    assert "no space left for" in line and "No space left on device" in line
    assert "--resume" in line
    (cut / "records.jsonl.partial").unlink()  # room again
    subprocess.run(_cmd(pages, cut, "--resume"), check=True)
    for name in ("records.jsonl", "articles.jsonl", "errors.jsonl"):
        assert (cut / name).read_bytes() == (whole / name).read_bytes(), name


@pytest.mark.parametrize("limit_bytes", [40_000])
def test_outputs_file_size_limit_mid_run_then_resume_is_whole(
    tmp_path: Path, limit_bytes: int
) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for i, page in enumerate(PAGES[:12]):
        shutil.copy(page, pages / f"{i:02d}.html")
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    subprocess.run(_cmd(pages, whole), check=True)

    def small_files() -> None:  # writes past the limit fail with EFBIG (Python ignores SIGXFSZ)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    result = subprocess.run(
        _cmd(pages, cut), capture_output=True, text=True, check=False, preexec_fn=small_files
    )
    assert result.returncode == EXIT_OUTPUT, result.stderr
    assert "File too large" in _one_error_line(result.stderr)
    done_before = (cut / "articles.jsonl.partial").read_text().count("\n")
    assert 0 < done_before < 12
    subprocess.run(_cmd(pages, cut, "--resume"), check=True)
    for name in ("records.jsonl", "articles.jsonl", "errors.jsonl"):
        assert (cut / name).read_bytes() == (whole / name).read_bytes(), name


def test_outputs_jobs_above_cores_warns_and_caps(tmp_path: Path) -> None:
    out = tmp_path / "out" / "records.jsonl"
    result = _invoke(str(SEED), "-o", str(out), "--jobs", "64", "--timings", str(tmp_path / "t"))
    assert result.exit_code == 0, result.output
    cores = len(os.sched_getaffinity(0))
    assert f"--jobs 64 is more than the {cores} cores this run may use; using {cores}" in (
        result.stderr
    )
    assert json.loads((tmp_path / "t").read_text())["records"] == 3


@pytest.mark.parametrize("listing", ["missing.txt", "dir"])
def test_outputs_fetch_unreadable_list_is_one_line(tmp_path: Path, listing: str) -> None:
    (tmp_path / "dir").mkdir()
    result = CliRunner().invoke(
        main, ["fetch", f"@{tmp_path / listing}", "--store", str(tmp_path / "store")]
    )
    assert result.exit_code == 2
    assert f"cannot read the list {tmp_path / listing}" in _one_error_line(result.stderr)
