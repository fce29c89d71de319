"""Worker processes: a page over its time or memory budget ends as an error line, the batch
goes on in order, and no worker outlives the main process."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from pipeline.budget import Budget
from pipeline.run import Outputs, run_batch
from tests.conftest import FIXTURES

SEED = FIXTURES / "haqooq-facebook-cib-pakistan-august-2020.html"
GOOD = sorted(FIXTURES.glob("*.html"))
# A page trafilatura needs well over a minute for (its time grows with the square of the
# inline elements in one paragraph), yet under every size budget: only the clock stops it.
SLOW_PAGE = "<html><body><article><p>" + "<span>w</span> " * 20_000 + "</p></article></body></html>"
MILLION_PARAGRAPHS = "<html><body><article>" + "<p>x</p>" * 1_000_000 + "</article></body></html>"
NUMBERS_PAGE = (
    "<html><body><article><h1>Figures</h1><p>Facebook removed 120 accounts and the figures "
    "were " + ", ".join(str(3 + 7 * i) for i in range(10_000)) + ".</p></article></body></html>"
)
SMALL_TIMEOUT_S = 2.0  # the budget the tests pass in, so a slow page costs 2 s, not 60
BUSY_CPU_S = 3.0  # CPU seconds after which a worker is surely inside its page


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _outputs(directory: Path) -> Outputs:
    return Outputs.beside(str(directory / "records.jsonl"), articles=None, errors=None)


@pytest.mark.parametrize("jobs", [1, 2])
def test_workers_slow_page_ends_as_timeout_error(tmp_path: Path, jobs: int) -> None:
    (tmp_path / "b-slow.html").write_text(SLOW_PAGE)
    shutil.copy(SEED, tmp_path / "a-seed.html")
    shutil.copy(SEED, tmp_path / "c-seed.html")
    out = _outputs(tmp_path / "out")
    summary = run_batch(
        [str(tmp_path / n) for n in ("a-seed.html", "b-slow.html", "c-seed.html")],
        outputs=out,
        jobs=jobs,
        budget=Budget(page_timeout=SMALL_TIMEOUT_S),
    )
    (error,) = _lines(out.errors)
    assert (error["input"], error["code"]) == (str(tmp_path / "b-slow.html"), "clean.timeout")
    assert [a["input"] for a in _lines(out.articles)] == [
        str(tmp_path / "a-seed.html"),
        str(tmp_path / "c-seed.html"),
    ]
    assert summary.records == 6 and summary.errors == 1
    assert summary.replaced_workers == 1  # one replacement for the overrun, none per page


def test_workers_hostile_pages_among_good_pages_keep_every_good_record(tmp_path: Path) -> None:
    good = []
    for i in range(40):
        path = tmp_path / "good" / f"{i:03d}-{GOOD[i % len(GOOD)].name}"
        path.parent.mkdir(exist_ok=True)
        shutil.copy(GOOD[i % len(GOOD)], path)
        good.append(str(path))
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    for name, body in (
        ("million.html", MILLION_PARAGRAPHS),
        ("numbers.html", NUMBERS_PAGE),
        ("slow.html", SLOW_PAGE),
    ):
        (hostile / name).write_text(body)
    mixed = good[:10] + [str(hostile / "million.html")] + good[10:20]
    mixed += [str(hostile / "slow.html")] + good[20:30] + [str(hostile / "numbers.html")]
    mixed += good[30:]
    budget = Budget(page_timeout=SMALL_TIMEOUT_S)
    run_batch(mixed, outputs=_outputs(tmp_path / "mixed"), jobs=2, budget=budget)
    run_batch(good, outputs=_outputs(tmp_path / "alone"), jobs=2, budget=budget)
    mixed_out, alone_out = tmp_path / "mixed", tmp_path / "alone"
    assert (mixed_out / "records.jsonl").read_bytes() == (alone_out / "records.jsonl").read_bytes()
    assert (mixed_out / "articles.jsonl").read_bytes() == (
        alone_out / "articles.jsonl"
    ).read_bytes()
    codes = {Path(e["input"]).name: e["code"] for e in _lines(mixed_out / "errors.jsonl")}
    assert codes == {
        "million.html": "clean.too_complex",
        "numbers.html": "extract.too_many_claims",
        "slow.html": "clean.timeout",
    }


@pytest.mark.parametrize("memory_mb", [600])
def test_workers_page_over_memory_budget_is_an_error_line(tmp_path: Path, memory_mb: int) -> None:
    # 45 MB in 22,000 paragraphs (under the element budget): decoding, parsing and cleaning
    # it needs several copies, more than the 250 MB a worker has left under 600 MB.
    paragraph = "<p>" + "Some words of a long paragraph here. " * 55 + "</p>"
    body = "<html><body><article>" + paragraph * 22_000 + "</article></body></html>"
    (tmp_path / "a-huge.html").write_text(body)
    shutil.copy(SEED, tmp_path / "b-seed.html")
    out = _outputs(tmp_path / "out")
    summary = run_batch(
        [str(tmp_path / "a-huge.html"), str(tmp_path / "b-seed.html")],
        outputs=out,
        jobs=1,
        budget=Budget(memory_bytes=memory_mb * 1024 * 1024),
    )
    (error,) = _lines(out.errors)
    assert error["code"].endswith(".out_of_memory"), error
    assert [a["input"] for a in _lines(out.articles)] == [str(tmp_path / "b-seed.html")]
    assert summary.records == 3


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _cpu(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return times.user + times.system


def _alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    alive = []
    for p in processes:
        try:
            if p.status() != psutil.STATUS_ZOMBIE:
                alive.append(p)
        except psutil.NoSuchProcess:
            pass
    return alive


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_exit_when_the_main_process_dies(tmp_path: Path, sig: int) -> None:
    for name in ("a.html", "b.html", "c.html"):
        (tmp_path / name).write_text(SLOW_PAGE)
    cmd = [sys.executable, "-m", "pipeline", "extract", str(tmp_path), "-o",
           str(tmp_path / "out" / "records.jsonl"), "--jobs", "2", "--quiet"]  # fmt: skip
    proc = subprocess.Popen(cmd, start_new_session=True)
    everyone: list[psutil.Process] = []
    try:
        # wait until two workers hold a page: past loading the pipelines (about a second
        # of CPU), deep in trafilatura's C calls on the slow page
        deadline = time.monotonic() + 90
        workers: list[psutil.Process] = []
        while time.monotonic() < deadline:
            workers = [p for p in _alive(_descendants(proc.pid)) if _cpu(p) > BUSY_CPU_S]
            if len(workers) >= 2:
                break
            time.sleep(0.2)
        assert len(workers) >= 2, "the workers never started"
        everyone = _descendants(proc.pid)
        os.kill(proc.pid, sig)
        proc.wait(timeout=10)
        # the kernel kills them at once (PR_SET_PDEATHSIG); the wait is a failsafe only, long
        # enough for a loaded machine, not a measure of speed
        _, alive = psutil.wait_procs(everyone, timeout=60)
        assert alive == []
    finally:  # leave nothing running, whatever the outcome
        survivors = everyone + _descendants(proc.pid)
        if proc.poll() is None:
            proc.kill()
        for p in _alive(survivors):
            p.kill()
