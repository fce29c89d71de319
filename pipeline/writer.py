"""Records -> JSON Lines. The only place where models become bytes.

Each line is serialized first, then written with one call and flushed, so a
crash leaves every finished line valid. A run writes to ``<name>.partial`` and
renames it at the end: a file without the suffix is complete; a ``.partial``
file is clearly unfinished and ``--resume`` continues it, cutting a half-written
last line first.
"""

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from pydantic import BaseModel

PARTIAL_SUFFIX = ".partial"


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


def read_lines(path: Path) -> Iterator[dict]:
    """JSON Lines file -> parsed objects, skipping nothing (a bad line raises ValueError)."""
    with path.open(encoding="utf-8") as fp:
        for line in fp:
            if line.strip():
                yield json.loads(line)


def finish(path: Path) -> None:
    """Rename the finished ``.partial`` file to its final name, atomically."""
    os.replace(partial_path(path), path)
