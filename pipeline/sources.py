"""Input specs -> Pages: files, directories, globs, URLs, @lists, stdin and WARC files.

``iter_pages`` expands each spec lazily and in order and yields a ``Page`` per page, or a
``PipelineError`` (its ``input`` set) per input that failed, so one bad input never stops
a batch. Bytes are read only when their page is yielded.

The two halves are public for the Spark job, which finds files on the driver and reads
them in tasks: ``iter_files`` turns a local path, directory or glob into the files it names
(with their input names), ``iter_file`` turns one file into its pages and errors. Both give
the same input names as ``iter_pages``, so record ids do not depend on the runner.

Input forms:
    page.html, page.htm, page.html.gz   a saved page (any name; gzip is seen from its magic)
    dir/                                recursive, sorted; *.html, *.htm, their .gz, *.warc[.gz]
    'dir/*.html', 'dir/**'              globs (``**`` recursive), sorted; page files only
    http://..., https://...             fetched with the fetcher (created on first use)
    @list.txt, -                        one URL or path per line (``#`` comments, blank lines
                                        skipped), from the file or from stdin
    crawl.warc, crawl.warc.gz           ``response`` records with status 200 and an HTML type

Error codes (stable; written to errors.jsonl):
    read.not_found   the path does not exist (or is a symbolic link to nothing)
    read.loop        the path is a symbolic link loop
    read.invalid_path  the name holds a NUL byte, which no file name can
    read.empty       the page has 0 bytes (after decompression)
    read.binary      NUL bytes or image/PDF/archive magic in the first KB: not a page
    read.gzip        a gzip file (or WARC record body) is truncated or corrupt
    read.too_large   the page has more than MAX_PAGE_BYTES (after decompression)
    read.permission  the OS refused to open or list the path
    read.io          any other OS error while reading the path
    read.warc        a WARC file or record could not be parsed, or is truncated
    read.no_match    a glob, directory, list or WARC that held no page
    read.list        an @list (or stdin list) could not be read
    fetch.*          a URL could not be fetched (the fetcher's FetchError); a URL of
                     another scheme (ftp://, file://) is fetch.scheme

Names are kept exactly: every ``input`` and ``path`` is written in the reversible form of
``pipeline.names`` (a byte that is not UTF-8 as ``\\xNN``), and lists are read as bytes.
Directory walks and ``**`` follow a symbolic link to a directory only when that directory
(by its real path) was not visited yet in the same walk, so a link to an ancestor is
skipped and no walk loops.
"""

import contextlib
import errno
import fnmatch
import gzip
import io
import logging
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TextIO

from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader
from warcio.recordloader import ArcWarcRecord

from models.page import Page
from pipeline.budget import MAX_PAGE_BYTES
from pipeline.decode import sniff_unicode
from pipeline.errors import PipelineError, ReadError
from pipeline.magic import GZIP_MAGIC, HTML_TYPES, NOT_PAGE_MAGIC, SNIFF_BYTES, mime_type
from pipeline.names import escape_name

logger = logging.getLogger(__name__)
# A directory walk and a glob take files with these endings (lower-cased).
PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
WARC_SUFFIXES = (".warc", ".warc.gz")
URL_PREFIXES = ("http://", "https://")
# Any other "scheme://" (RFC 3986 scheme syntax) is a URL too: the fetcher refuses it
# with fetch.scheme instead of it being looked for as a file.
URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
GLOB_CHARS = frozenset("*?[")
# Bytes read past a WARC's last record to tell trailing blank lines from lost records.
WARC_TAIL_SNIFF_BYTES = 4096

# WARC_ERRORS: on malformed input warcio raises ArchiveLoadFailed, ChunkedDataException
# (a bare Exception), zlib.error, EOFError, even AttributeError from a cut header. At the
# three warcio call sites every exception means "this record is bad", so they catch
# Exception and turn it into a read.warc error.


class PageFetcher(Protocol):
    """Anything that fetches one URL into a Page (pipeline.fetch.Fetcher)."""

    def fetch(self, url: str) -> Page: ...


def iter_pages(
    specs: Sequence[str],
    *,
    stdin: TextIO | None = None,
    fetcher_factory: Callable[[], PageFetcher] | None = None,
) -> Iterator[Page | PipelineError]:
    """input specs -> a Page per page or a PipelineError per failed input, lazily; never raises
    for a bad input."""
    fetcher = _LazyFetcher(fetcher_factory)
    try:
        for spec in specs:
            if spec == "-":
                stream = stdin if stdin is not None else sys.stdin
                # bytes when there are any: a name on stdin need not be UTF-8
                yield from _iter_list(getattr(stream, "buffer", stream), "-", fetcher)
            elif spec.startswith("@") and len(spec) > 1:
                yield from _iter_list_file(spec[1:], spec, fetcher)
            else:
                yield from _iter_spec(spec, fetcher)
    finally:
        fetcher.close()  # also when the caller stops early and the generator is closed


class _LazyFetcher:
    """Creates the fetcher on the first URL, so a batch of local files never builds one."""

    def __init__(self, factory: Callable[[], PageFetcher] | None) -> None:
        self._factory = factory
        self._fetcher: PageFetcher | None = None

    def fetch(self, url: str) -> Page:
        if self._fetcher is None:
            self._fetcher = (self._factory or _default_fetcher)()
        return self._fetcher.fetch(url)

    def close(self) -> None:
        """Close the fetcher this object created (its HTTP session), if it has one."""
        close = getattr(self._fetcher, "close", None)
        if callable(close):
            close()
        self._fetcher = None


def _default_fetcher() -> PageFetcher:
    """-> the pipeline's HTTP fetcher (imported here: fetch.py pulls in requests)."""
    from pipeline.fetch import Fetcher

    return Fetcher()


def _iter_spec(spec: str, fetcher: _LazyFetcher) -> Iterator[Page | PipelineError]:
    """one URL, path or glob -> its pages and errors."""
    name = escape_name(spec)
    if spec.lower().startswith(URL_PREFIXES):
        yield _fetch(spec, name, fetcher)
        return
    if URL_RE.match(spec) and not os.path.lexists(spec):
        yield _fetch(spec, name, fetcher)  # ftp://, file://: the fetcher says which it takes
        return
    for found in iter_files(spec):
        if isinstance(found, PipelineError):
            yield found
        else:
            yield from iter_file(*found)


def iter_files(spec: str) -> Iterator[tuple[Path, str] | ReadError]:
    """local path, directory or glob -> (file, input) for each page or WARC file it names, in
    the order ``iter_pages`` reads them, or a ReadError where it names none; lazily."""
    name = escape_name(spec)
    if "\0" in spec:
        yield ReadError("read.invalid_path", "the name holds a NUL byte", input=name)
        return
    path = Path(spec)
    try:
        is_dir = path.is_dir()
        exists = is_dir or path.exists()
    except OSError as exc:  # e.g. a name too long for the file system
        yield _os_error(exc, name)
        return
    if is_dir:
        yield from _dir_files(path)
    elif exists:
        yield path, name
    elif GLOB_CHARS & set(spec):
        yield from _glob_files(spec)
    else:
        yield _missing(path, name)


def _missing(path: Path, name: str) -> ReadError:
    """path that does not resolve -> read.loop for a symlink loop, else read.not_found."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return ReadError("read.loop", "symbolic link loop", input=name)
        if os.path.islink(path):
            target = escape_name(os.readlink(path))
            return ReadError("read.not_found", f"symbolic link to {target}, which does not "
                             "exist", input=name)  # fmt: skip
    return ReadError("read.not_found", "no such file or directory", input=name)


def _fetch(url: str, name: str, fetcher: _LazyFetcher) -> Page | PipelineError:
    """URL (+ its escaped name) -> its fetched Page, or the fetcher's error, input set."""
    try:
        page = fetcher.fetch(url)
    except PipelineError as exc:
        exc.input = name
        return exc
    return page if page.input == name else page.model_copy(update={"input": name})


def _iter_list_file(
    list_path: str, spec: str, fetcher: _LazyFetcher
) -> Iterator[Page | PipelineError]:
    """@list path -> the pages and errors of every entry, or one read.list error."""
    try:
        fh = open(list_path, "rb")  # noqa: SIM115 (closed below, generator)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        yield ReadError("read.list", f"cannot open list: {_os_reason(exc)}",
                        input=escape_name(spec))  # fmt: skip
        return
    with fh:
        yield from _iter_list(fh, spec, fetcher)


def list_entry(raw: bytes | str, *, first: bool = False) -> str | None:
    """One line of an input list -> its entry, None for a blank line or a ``#`` comment.

    The one reading of a list's lines, for ``extract``, ``spark`` and ``fetch``: entries are
    file names, so bytes that are not UTF-8 are kept (surrogateescape); lists saved by
    Windows editors start with a BOM (``first``: this is the list's first line)."""
    line = raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else raw
    if first:
        line = line.removeprefix("\ufeff")
    entry = line.strip()
    return entry if entry and not entry.startswith("#") else None


def _iter_list(
    lines: BinaryIO | TextIO, spec: str, fetcher: _LazyFetcher
) -> Iterator[Page | PipelineError]:
    """open list (file or stdin, bytes or text) -> the pages and errors of every entry, read
    line by line."""
    entries = 0
    first = True
    while True:
        try:
            raw = lines.readline()
        except (OSError, UnicodeDecodeError) as exc:
            yield ReadError("read.list", f"list unreadable after {entries} entries: {exc}",
                            input=escape_name(spec))  # fmt: skip
            return
        if not raw:
            break
        entry, first = list_entry(raw, first=first), False
        if entry is None:
            continue
        entries += 1
        # Entries are URLs or paths (globs and directories too), never nested lists.
        yield from _iter_spec(entry, fetcher)
    if entries == 0:
        yield ReadError("read.no_match", "list has no entries", input=escape_name(spec))


def _dir_files(root: Path) -> Iterator[tuple[Path, str] | ReadError]:
    """directory -> its page and WARC files, recursively in sorted order."""
    yielded = False  # an unlistable subdirectory is already counted by its own error
    for item in _walk(root, set()):
        yielded = True
        yield item if isinstance(item, ReadError) else (item, escape_name(item))
    if not yielded:
        yield ReadError("read.no_match", "directory holds no page files",
                        input=escape_name(root))  # fmt: skip


def _walk(directory: Path, visited: set[str]) -> Iterator[Path | ReadError]:
    """directory + real paths of the directories this walk entered -> its page files, depth
    first, in the order sorted() gives their paths; a directory already entered (through a
    symlink to it or to an ancestor) is skipped, so the walk never loops.

    Holds one directory's names at a time, so a directory of a million files streams.
    """
    real = os.path.realpath(directory)
    if real in visited:
        logger.info("%s: skipped, the walk already read %s", escape_name(directory),
                    escape_name(real))  # fmt: skip
        return
    visited.add(real)
    try:
        with os.scandir(directory) as scan:
            # "name/" sorts a subdirectory exactly where its files sort as full paths.
            keys = sorted(key for key in map(_walk_key, scan) if key is not None)
    except OSError as exc:
        yield _os_error(exc, escape_name(directory))
        return
    for key in keys:
        if key.endswith("/"):
            yield from _walk(directory / key[:-1], visited)
        else:
            yield directory / key


def _walk_key(entry: os.DirEntry[str]) -> str | None:
    """directory entry -> "name/" for a directory (or a symlink to one), "name" for a page
    file, else None.

    FIFOs and devices are skipped (opening one blocks), though a path given by name is read
    whatever it is.
    """
    try:
        if entry.is_dir():  # follows a symlink; _walk skips a directory it has entered
            return entry.name + "/"
        if is_input_name(entry.name) and entry.is_file():
            return entry.name
    except OSError:
        pass  # vanished or unreadable while listing: nothing to read
    return None


def is_input_name(name: str) -> bool:
    """file name -> True when a directory walk or glob should read it."""
    return name.lower().endswith(PAGE_SUFFIXES) or is_warc_name(name)


def is_warc_name(name: str) -> bool:
    """file name -> True when it is read as a WARC file."""
    return name.lower().endswith(WARC_SUFFIXES)


def _glob_files(pattern: str) -> Iterator[tuple[Path, str] | ReadError]:
    """glob pattern -> the page and WARC files it matches, in sorted order."""
    # Sorting needs every matching name; names are small, bytes are read one page at a time.
    matches = sorted(
        {match for match in _glob(pattern) if is_input_name(match) and os.path.isfile(match)}
    )
    if not matches:
        yield ReadError("read.no_match", "pattern matches no page files",
                        input=escape_name(pattern))  # fmt: skip
        return
    for match in matches:
        yield Path(match), escape_name(match)


def _glob(pattern: str) -> Iterator[str]:
    """glob pattern -> the paths it matches (files and directories, unsorted).

    The standard library's ``glob`` semantics (``*``, ``?``, ``[...]`` within a name; ``**``
    as a whole part for zero or more directories; hidden names only for a part that starts
    with "."), except that ``**`` enters each real directory once: glob.glob follows a
    symlink to an ancestor until the path is too long.
    """
    parts = pattern.split("/")
    base = "/" if pattern.startswith("/") else ""
    yield from _glob_parts(base, [p for p in parts if p])


def _glob_parts(base: str, parts: list[str]) -> Iterator[str]:
    if not parts:
        yield base
        return
    part, rest = parts[0], parts[1:]
    if part == "**":
        for directory in _dirs_below(base, set()):
            if rest:
                yield from _glob_parts(directory, rest)
            else:
                yield from (os.path.join(directory, n) for n in _names(directory, "*"))
                if directory != base:
                    yield directory
    elif GLOB_CHARS & set(part):
        for name in _names(base, part):
            yield from _glob_parts(os.path.join(base, name), rest)
    else:
        path = os.path.join(base, part)
        if os.path.lexists(path):
            yield from _glob_parts(path, rest)


def _names(directory: str, part: str) -> Iterable[str]:
    """directory + one pattern part -> the names in it that match (hidden ones only for a
    part that starts with ".")."""
    try:
        names = os.listdir(directory or ".")
    except OSError:
        return []
    if not part.startswith("."):
        names = [n for n in names if not n.startswith(".")]
    return fnmatch.filter(names, part)


def _dirs_below(directory: str, visited: set[str]) -> Iterator[str]:
    """directory -> it and every directory below it, each real directory once, hidden
    ones left out (as glob's ``**``)."""
    real = os.path.realpath(directory or ".")
    if real in visited:
        return
    visited.add(real)
    yield directory
    for name in sorted(_names(directory, "*")):
        path = os.path.join(directory, name)
        if os.path.isdir(path):
            yield from _dirs_below(path, visited)


def iter_file(path: Path, input: str) -> Iterator[Page | PipelineError]:
    """page or WARC file + its input name -> its pages and errors (a WARC record's input is
    ``<input>#<offset>``); never raises for a bad file."""
    if is_warc_name(path.name):
        yield from _iter_warc(path, input)
    else:
        yield _read_page(path, input)


def _read_page(path: Path, input: str) -> Page | ReadError:
    """saved page file (+ optional sidecar) -> Page, or the ReadError that stops it."""
    try:
        with open(path, "rb") as fh:
            body = _read_capped(fh, input)
    except OSError as exc:
        return _os_error(exc, input)
    except ReadError as exc:
        return exc
    problem = _body_problem(body, input)
    if problem is not None:
        return problem
    meta = _sidecar_fields(path)
    return Page(input=input, body=body, path=escape_name(path), **meta)


def _read_capped(fh: io.BufferedReader, input: str) -> bytes:
    """open file -> its bytes (gunzipped when gzip), raises ReadError past MAX_PAGE_BYTES."""
    # Gzip is recognised by its magic, not the name: saved pages are often gzip without .gz.
    # peek, not read + seek: a named pipe (`<(zcat pages.gz)`) cannot seek.
    if fh.peek(len(GZIP_MAGIC))[: len(GZIP_MAGIC)] == GZIP_MAGIC:
        try:
            # read(n) decompresses at most n bytes: a gzip bomb costs no more than the cap.
            body = gzip.GzipFile(fileobj=fh).read(MAX_PAGE_BYTES + 1)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise ReadError("read.gzip", f"truncated or corrupt gzip: {exc}", input=input) from exc
    else:
        if os.fstat(fh.fileno()).st_size > MAX_PAGE_BYTES:
            raise ReadError("read.too_large", _too_large_message(), input=input)
        body = fh.read(MAX_PAGE_BYTES + 1)  # the file may have grown since fstat
    if len(body) > MAX_PAGE_BYTES:
        raise ReadError("read.too_large", _too_large_message(), input=input)
    return body


def _too_large_message() -> str:
    return f"page exceeds {MAX_PAGE_BYTES // (1024 * 1024)} MB"


def _body_problem(body: bytes, input: str) -> ReadError | None:
    """page bytes -> a read.empty or read.binary error when they are not a page, else None."""
    if not body:
        return ReadError("read.empty", "page has 0 bytes", input=input)
    head = body[:SNIFF_BYTES]
    for magic, kind in NOT_PAGE_MAGIC:
        if head.startswith(magic):
            return ReadError("read.binary", f"not a page: {kind}", input=input)
    if b"\x00" in head and sniff_unicode(body) is None:
        # UTF-16/32 pages are full of NULs; anything else with them is binary.
        return ReadError("read.binary", "not a page: NUL bytes in the first KB", input=input)
    return None


def _sidecar_fields(path: Path) -> dict[str, Any]:
    """page path -> the Page fields its fetch sidecar (<path>.json) holds, if any."""
    if not Path(f"{path}.json").is_file():
        return {}
    # Imported here: only pages saved by `takedowns fetch --store` have sidecars.
    from pipeline.store import read_sidecar

    try:
        sidecar = read_sidecar(path)
    except (OSError, ValueError, PipelineError) as exc:
        logger.warning("%s: sidecar ignored: %s", path, exc)
        return {}
    if not sidecar:
        return {}
    fields: dict[str, Any] = {}
    url = sidecar.get("url")
    if isinstance(url, str) and url:
        fields["url"] = url
    content_type = sidecar.get("content_type")
    if isinstance(content_type, str) and content_type:
        fields["content_type"] = content_type
    status = sidecar.get("status")
    if isinstance(status, int) and not isinstance(status, bool):
        fields["status"] = status
    fetched_at = sidecar.get("fetched_at")
    if isinstance(fetched_at, datetime):
        fields["fetched_at"] = fetched_at
    elif isinstance(fetched_at, str):
        parsed = _parse_datetime(fetched_at)
        if parsed is None:
            logger.warning("%s: sidecar fetched_at %r is not ISO 8601", path, fetched_at)
        else:
            fields["fetched_at"] = parsed
    return fields


def _parse_datetime(text: str) -> datetime | None:
    """ISO 8601 text (sidecar fetched_at, WARC-Date) -> datetime, or None."""
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return None


def _iter_warc(path: Path, input: str) -> Iterator[Page | PipelineError]:
    """WARC or WARC.gz file -> a Page per HTML 200 response, an error per bad record."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 (closed below, generator)
    except OSError as exc:
        yield _os_error(exc, input)
        return
    with fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            yield ReadError("read.empty", "file has 0 bytes", input=input)
            return
        yielded = False
        for item in _iter_warc_records(fh, size, input, path=escape_name(path)):
            yielded = True
            yield item
        if not yielded:
            yield ReadError("read.no_match", "WARC holds no HTML 200 response", input=input)


def _iter_warc_records(
    fh: BinaryIO, size: int, input: str, *, path: str
) -> Iterator[Page | PipelineError]:
    """open WARC -> its HTML pages and record errors; stops where warcio cannot go on."""
    records = ArchiveIterator(fh)
    end = 0  # where the last record read whole ends
    while True:
        try:
            with _warcio_to_log():
                record = next(records)
        except StopIteration:
            break
        except Exception as exc:  # noqa: BLE001 (see WARC_ERRORS)
            # warcio's record generator is finished after an error: no later record is reachable.
            # Its offset attribute (not public API) still holds where the bad record began.
            offset = getattr(records, "offset", end)
            yield ReadError("read.warc", f"unparsable record: {exc}", input=f"{input}#{offset}")
            return
        item = _warc_page(record, input, path=path)
        try:
            # Reads the record to its end, so truncation shows in the LimitReader below.
            with _warcio_to_log():
                offset = records.get_record_offset()
                end = offset + records.get_record_length()
        except Exception as exc:  # noqa: BLE001 (see WARC_ERRORS)
            yield ReadError("read.warc", f"unreadable record: {exc}", input=f"{input}#{end}")
            return
        record_input = f"{input}#{offset}"
        truncation = _record_truncation(record)
        if truncation is not None:
            yield ReadError("read.warc", truncation, input=record_input)
            return
        if isinstance(item, Page):
            yield item.model_copy(update={"input": record_input})
        elif isinstance(item, ReadError):
            item.input = record_input
            yield item
    tail = _warc_tail(fh, end, size)
    if tail is not None:
        yield ReadError("read.warc", tail, input=f"{input}#{end}")


def _warc_page(record: ArcWarcRecord, input: str, *, path: str) -> Page | ReadError | None:
    """WARC record -> Page for an HTML 200 response, ReadError for one that cannot be read,
    None for any other record."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    status = record.http_headers.get_statuscode()
    content_type = record.http_headers.get_header("Content-Type") or ""
    if status != "200" or mime_type(content_type) not in HTML_TYPES:
        return None
    try:
        # content_stream() undoes chunked transfer and gzip/deflate content encodings.
        body = record.content_stream().read(MAX_PAGE_BYTES + 1)
    except Exception as exc:  # noqa: BLE001 (see WARC_ERRORS)
        return ReadError("read.warc", f"record body unreadable: {exc}", input=input)
    if len(body) > MAX_PAGE_BYTES:
        return ReadError("read.too_large", _too_large_message(), input=input)
    if body.startswith(GZIP_MAGIC):
        # warcio hands back the raw bytes when a Content-Encoding fails at its first block.
        return ReadError("read.gzip", "record body is gzip that does not decode", input=input)
    problem = _body_problem(body, input)
    if problem is not None:
        return problem
    uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    date = record.rec_headers.get_header("WARC-Date") or ""
    return Page(
        input=input,
        body=body,
        url=uri or None,
        path=path,
        content_type=content_type or None,
        fetched_at=_parse_datetime(date),
        status=200,
    )


class _LogLines(io.TextIOBase):
    """A text stream whose lines go to the log at INFO (hidden by --quiet)."""

    def write(self, text: str) -> int:
        if text.strip():
            logger.info("warcio: %s", " ".join(text.split()))
        return len(text)


@contextlib.contextmanager
def _warcio_to_log() -> Iterator[None]:
    """warcio prints its warnings straight to sys.stderr; send them to our log instead."""
    with contextlib.redirect_stderr(_LogLines()):
        yield


def _record_truncation(record: ArcWarcRecord) -> str | None:
    """WARC record read to its end -> why it is truncated or malformed, else None."""
    declared = (record.rec_headers.get_header("Content-Length") or "").strip()
    if not declared.isdigit():
        return "record has no valid Content-Length (truncated header?)"
    stream = record.raw_stream
    if isinstance(stream, LimitReader) and stream.limit > 0:
        return f"record truncated: {stream.limit} of {declared} bytes missing"
    return None


def _warc_tail(fh: BinaryIO, end: int, size: int) -> str | None:
    """open WARC + end of its last whole record -> why the bytes after it matter, else None."""
    if end >= size:
        return None
    fh.seek(end)
    if fh.read(WARC_TAIL_SNIFF_BYTES).strip():
        # warcio stops silently inside a truncated gzip member; the lost bytes show here.
        return f"{size - end} bytes after the last record are not readable records (truncated?)"
    return None


def _os_error(exc: OSError, input: str) -> ReadError:
    """OSError -> the ReadError code users group it under."""
    if isinstance(exc, FileNotFoundError):
        code = "read.not_found"
    elif isinstance(exc, PermissionError):
        code = "read.permission"
    else:
        code = "read.io"
    return ReadError(code, _os_reason(exc), input=input)


def _os_reason(exc: OSError | ValueError) -> str:
    """OSError -> its message without the path (the error's input already names it)."""
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
