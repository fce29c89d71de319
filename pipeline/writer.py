"""Records -> JSON Lines. The only place where models become bytes.

Each line is serialized first, then written with one call and flushed, so a
crash leaves every finished line valid. A run writes to ``<name>.partial`` and
renames it at the end: a file without the suffix is complete; a ``.partial``
file is clearly unfinished and ``--resume`` continues it, cutting a half-written
last line first.

A run holds an exclusive ``flock`` on ``<name>.lock`` beside each output from before it
reads anything until its files have their final names, so a second run on the same
outputs stops at once instead of writing into them. The lock files hold the pid of the
run that last held them and stay behind (removing one could let two runs lock two
different files of the same name).
"""

import fcntl
import os
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from pydantic import BaseModel

from pipeline.errors import OutputBusyError, OutputError

PARTIAL_SUFFIX = ".partial"
LOCK_SUFFIX = ".lock"


class JsonlWriter:
    """Writes one model per line to a file the caller opened (and closes)."""

    def __init__(self, fp: IO[str]) -> None:
        self._fp = fp

    def write(self, item: BaseModel) -> None:
        """Model -> one flushed line; a serialization failure touches nothing on disk."""
        line = item.model_dump_json() + "\n"
        self._fp.write(line)
        self._fp.flush()


def partial_path(path: Path) -> Path:
    return path.with_name(path.name + PARTIAL_SUFFIX)


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + LOCK_SUFFIX)


class OutputLock:
    """Exclusive locks on the lock files of a run's outputs (a context manager)."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self._paths = sorted(set(paths))
        self._fds: list[int] = []

    def __enter__(self) -> "OutputLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        """Lock every output, raises OutputBusyError (another run has one) or OutputError."""
        for path in self._paths:
            lock = lock_path(path)
            try:
                fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as exc:
                self.release()
                raise OutputError(f"cannot write beside {path}: {exc.strerror}") from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                holder = os.read(fd, 32).decode("ascii", "replace").strip()
                os.close(fd)
                self.release()
                pid = f" (pid {holder})" if holder.isdigit() else ""
                raise OutputBusyError(
                    f"{path} is being written by another run{pid}; wait for it to end "
                    "or choose other outputs"
                ) from exc
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            self._fds.append(fd)

    def release(self) -> None:
        """Unlock (closing a descriptor drops its flock)."""
        for fd in self._fds:
            os.close(fd)
        self._fds = []


def repair_partial(path: Path) -> int:
    """Cut a half-written last line off a file -> bytes removed (0 if it ended cleanly)."""
    if not path.exists():
        return 0
    size = path.stat().st_size
    if size == 0:
        return 0
    with path.open("rb+") as fp:
        # scan back from the end for the last newline, a block at a time
        block = 1 << 16
        pos = size
        while pos > 0:
            start = max(0, pos - block)
            fp.seek(start)
            chunk = fp.read(pos - start)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                keep = start + nl + 1
                fp.truncate(keep)
                return size - keep
            pos = start
        fp.truncate(0)
        return size


def finish(path: Path) -> None:
    """Rename the finished ``.partial`` file to its final name, atomically."""
    os.replace(partial_path(path), path)
