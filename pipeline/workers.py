"""Worker processes that run pages under the page budget, with results in input order.

Why processes, and why our own small supervisor rather than a pool library: a page's time
budget must hold while lxml or trafilatura sit in C code, which no Python-level timeout
can interrupt; only ending the process does. So each page runs in a worker process that

- arms ``SIGALRM`` with the page budget and leaves it at its default action, so the
  kernel ends the worker at the deadline wherever it is (the main process also kills a
  worker ``KILL_GRACE_S`` after that, should the alarm be blocked);
- writes the stage it is in (decode, clean, extract) to a shared byte, so a page that
  overruns or crashes gets a stage-specific error code (``clean.timeout``, ...);
- runs under ``RLIMIT_AS`` (``Budget.memory_bytes``): past it, allocation fails with
  MemoryError and the page ends as ``<stage>.out_of_memory``;
- retires itself after a page that left it above ``Budget.recycle_rss_bytes`` resident;
- gets ``SIGKILL`` when its parent dies (``PR_SET_PDEATHSIG``, through pyprctl), and exits
  when the pipe to the main process closes, so no worker outlives a killed run.

A worker loads the Extractor (spaCy and the patterns) once when it starts and then takes
page after page; only a worker that overran, crashed or retired is replaced, so the start-
up cost is paid per worker and per overrun, never per page. Workers come from a fork
server that has already imported the heavy modules: a replacement starts in the time the
Extractor takes to build, and it inherits no open file, socket or lock of the main
process. Each worker holds one page at a time, so a page's clock starts when it is sent.

The main process reads inputs, keeps at most ``jobs * WINDOW_PER_JOB`` pages in flight and
yields outcomes strictly in input order, so output is byte-identical for any ``jobs``.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import resource
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from models.page import Page
from pipeline.budget import Budget
from pipeline.errors import PipelineError, WorkerStartError

logger = logging.getLogger(__name__)

WINDOW_PER_JOB = 8  # pages in flight per worker: keeps both cores busy, memory bounded
# The worker's own alarm ends it at the deadline; the main process kills it this much later
# if it is somehow still there (an alarm blocked by a C library, a stopped process).
KILL_GRACE_S = 2.0
# A worker builds the Extractor in about a second; one that died this many times in a row
# before it was ready will not start at all (a broken install), and the run stops.
MAX_START_FAILURES = 3
# The stages a worker reports through its shared byte, in pipeline order.
WORKER_STAGES = ("decode", "clean", "extract")
# Modules the fork server imports once, so that every worker (and every replacement) starts
# with them loaded: spaCy, trafilatura and the pipeline's own stages.
PRELOAD = ["pipeline.extract", "pipeline.clean", "pipeline.decode", "pipeline.run"]
# Each worker runs one page at a time and the workers already use every core, so the math
# libraries under spaCy get one thread each: no oversubscription, and no per-core thread
# stacks and buffers counted against a worker's address-space budget on a large machine.
# Set for the fork server (and so every worker) only, and only where the user set nothing.
WORKER_ENVIRONMENT = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class Job:
    """One page for a worker: its place in the input order and its identity (record ids)."""

    seq: int
    page: Page
    identity: str


# --------------------------------------------------------------------------- worker side


def _die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent (the fork server) dies, and
    let the fork server die with the main process.

    The fork server exits when every holder of its "alive" pipe has closed it; the main
    process holds one end, and each child is handed a copy. A worker busy in C code would
    keep the server (and so, through PR_SET_PDEATHSIG, itself) alive after the main
    process died, so workers close their copy: they never start processes of their own.
    """
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    alive = getattr(server, "_forkserver_alive_fd", None)
    if isinstance(alive, int):
        with contextlib.suppress(OSError):
            os.close(alive)
        server._forkserver_alive_fd = None  # type: ignore[union-attr]
    if not sys.platform.startswith("linux"):
        return
    import pyprctl

    parent = os.getppid()
    pyprctl.set_pdeathsig(signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request was in place
        os._exit(0)


def _rss_bytes() -> int:
    """-> resident memory of this process now (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _limit_memory(limit: int | None) -> None:
    """Cap this process's address space (RLIMIT_AS) at limit bytes, if given."""
    if limit is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def worker_main(conn: Connection, stage: Any, budget: Budget) -> None:
    """A worker: load the Extractor, then run jobs from conn until it closes or sends None."""
    from pipeline.extract import Extractor
    from pipeline.run import process_page

    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the page alarm ends the process
    _limit_memory(budget.memory_bytes)
    extractor = Extractor(budget=budget)

    def on_stage(name: str) -> None:
        stage.value = WORKER_STAGES.index(name)

    conn.send(("ready",))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the main process is gone
        if job is None:
            return
        stage.value = 0
        signal.setitimer(signal.ITIMER_REAL, budget.page_timeout)
        outcome = process_page(
            job.page, extractor=extractor, identity=job.identity, on_stage=on_stage
        )
        signal.setitimer(signal.ITIMER_REAL, 0)
        out_of_memory = outcome.error is not None and outcome.error.code.endswith(".out_of_memory")
        retire = out_of_memory or _rss_bytes() > budget.recycle_rss_bytes
        conn.send(("done", job.seq, outcome, retire))
        if retire:
            return


# --------------------------------------------------------------------------- main side


def _start_fork_server() -> None:
    """Start the fork server (once per process) with WORKER_ENVIRONMENT in its environment."""
    from multiprocessing import forkserver

    added = {k: v for k, v in WORKER_ENVIRONMENT.items() if k not in os.environ}
    os.environ.update(added)
    try:
        forkserver.ensure_running()
    finally:
        for key in added:
            os.environ.pop(key, None)


@dataclass
class _Worker:
    process: Any  # multiprocessing Process of the fork-server context
    conn: Connection
    stage: Any  # shared byte: index into WORKER_STAGES
    ready: bool = False
    job: Job | None = None
    sent_at: float = 0.0
    killed: bool = False  # by us, for overrunning its page


class PagePool:
    """``jobs`` worker processes running pages under ``budget``; use as a context manager."""

    def __init__(self, jobs: int, *, budget: Budget) -> None:
        self.jobs = max(1, jobs)
        self.budget = budget
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(PRELOAD)
        _start_fork_server()
        self._workers: list[_Worker] = []
        self._start_failures = 0
        self.replaced = 0  # workers started to replace one that overran, crashed or retired

    def __enter__(self) -> PagePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker: idle ones are asked to exit, busy ones are killed."""
        for worker in self._workers:
            with contextlib.suppress(OSError):
                if worker.job is None and worker.ready:
                    worker.conn.send(None)
                else:
                    worker.process.kill()
        for worker in self._workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        self._workers = []

    # -- the ordered map ---------------------------------------------------------------

    def run(
        self,
        tasks: Iterable[tuple[Page | PipelineError, str]],
        *,
        upstream: Callable[[PipelineError], Any],
    ) -> Iterator[Any]:
        """(page or upstream error, identity) pairs -> outcomes in the same order.

        ``upstream`` turns an input that already failed (a read or fetch error) into its
        outcome in this process; pages go to the workers.
        """
        source = iter(tasks)
        done: dict[int, Any] = {}
        queue: deque[Job] = deque()
        next_seq = next_out = 0
        exhausted = False
        limit = self.jobs * WINDOW_PER_JOB
        while True:
            while not exhausted and next_seq - next_out < limit:
                try:
                    item, identity = next(source)
                except StopIteration:
                    exhausted = True
                    break
                if isinstance(item, PipelineError):
                    done[next_seq] = upstream(item)
                else:
                    queue.append(Job(next_seq, item, identity))
                next_seq += 1
                self._step(queue, done, block=False)  # keep workers busy while inputs load
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            if exhausted and next_out == next_seq:
                return
            if exhausted or next_seq - next_out >= limit:
                self._step(queue, done, block=True)  # the next page in order is still out

    def _step(self, queue: deque[Job], done: dict[int, Any], *, block: bool) -> None:
        """Send queued jobs to idle workers, then take in results and deaths (waiting for
        one when ``block``), and kill workers past their page's deadline."""
        self._dispatch(queue)
        timeout: float | None = 0.0
        if block:
            deadlines = [
                w.sent_at + self.budget.page_timeout + KILL_GRACE_S
                for w in self._workers
                if w.job is not None
            ]
            timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        handles: list[Any] = [w.conn for w in self._workers]
        handles += [w.process.sentinel for w in self._workers]
        ready = set(wait(handles, timeout)) if handles else set()
        for worker in list(self._workers):
            if worker.conn in ready:
                self._receive(worker, done)
            if worker.process.sentinel in ready and worker in self._workers:
                worker.process.join()
                self._bury(worker, done)
        now = time.monotonic()
        for worker in list(self._workers):
            late = worker.sent_at + self.budget.page_timeout + KILL_GRACE_S
            if worker.job is not None and now > late:
                worker.killed = True
                worker.process.kill()
                worker.process.join()
                self._bury(worker, done)
        self._dispatch(queue)

    def _dispatch(self, queue: deque[Job]) -> None:
        busy = sum(1 for w in self._workers if w.job is not None)
        while queue and len(self._workers) < min(self.jobs, busy + len(queue)):
            self._start()
        for worker in self._workers:
            if not queue:
                break
            if worker.ready and worker.job is None:
                job = queue.popleft()
                worker.job, worker.sent_at = job, time.monotonic()
                # a worker that died meanwhile is reported by its sentinel, with this job
                with contextlib.suppress(OSError):
                    worker.conn.send(job)

    def _start(self) -> None:
        parent, child = self._ctx.Pipe()
        stage = self._ctx.RawValue("b", 0)
        process = self._ctx.Process(
            target=worker_main, args=(child, stage, self.budget), name="takedowns-worker"
        )
        process.daemon = True
        process.start()
        child.close()
        self._workers.append(_Worker(process, parent, stage))

    def _receive(self, worker: _Worker, done: dict[int, Any]) -> None:
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if message[0] == "ready":
                    worker.ready = True
                    self._start_failures = 0
                else:
                    _, seq, outcome, retire = message
                    done[seq] = outcome
                    worker.job = None
                    if retire:
                        worker.ready = False  # it exits; its sentinel brings the replacement
        except (EOFError, OSError):
            pass  # it died; the sentinel says so

    def _bury(self, worker: _Worker, done: dict[int, Any]) -> None:
        """A worker process ended: account for its page, if it held one."""
        self._receive(worker, done)  # a result sent just before it exited still counts
        self._workers.remove(worker)
        worker.conn.close()
        code = worker.process.exitcode
        if worker.job is not None:
            done[worker.job.seq] = _lost_page(worker, code, self.budget.page_timeout)
            self.replaced += 1
        elif not worker.ready and code not in (0, None):
            self._start_failures += 1
            if self._start_failures >= MAX_START_FAILURES:
                raise WorkerStartError(
                    f"worker processes exit with code {code} while starting "
                    f"({self._start_failures} times in a row); see the messages above (a "
                    "script that calls run_batch needs an `if __name__ == '__main__':` guard)"
                )
        else:
            self.replaced += 1  # retired after a large page


def _lost_page(worker: _Worker, code: int | None, page_timeout: float) -> Any:
    """A worker that ended while holding a page -> that page's error outcome."""
    from pipeline.run import failed_outcome

    assert worker.job is not None
    page = worker.job.page
    stage = WORKER_STAGES[worker.stage.value]
    if worker.killed or code == -signal.SIGALRM:
        what = "timeout"
        message = (
            f"page took longer than its {page_timeout:g} s budget (stopped in the {stage} stage)"
        )
    elif code == -signal.SIGKILL:
        what = "out_of_memory"
        message = f"the worker was killed by the system in the {stage} stage (out of memory?)"
    else:
        what = "crashed"
        reason = f"signal {signal.Signals(-code).name}" if code and code < 0 else f"code {code}"
        message = f"the worker process died ({reason}) in the {stage} stage"
    logger.warning("%s: %s", page.input, message)
    return failed_outcome(page, stage, what, message, {})
