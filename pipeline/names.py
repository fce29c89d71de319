"""File names are bytes: their reversible text form in JSON (``input``, ``source.path``).

POSIX file names are any bytes but NUL and "/". Python hands them over as str, with each
byte that is not UTF-8 as a lone surrogate U+DC80..U+DCFF (PEP 383, "surrogateescape"),
and a lone surrogate cannot be written as UTF-8 JSON. So inputs and paths are written with
one escape, applied to every input (paths, URLs, list entries) the same way:

    a backslash                          ->  \\\\      (two backslashes)
    a byte that is not part of UTF-8     ->  \\xNN    (backslash, x, two lower-case hex digits)

Every other character is kept as it is. ``name_bytes`` reverses it, so
``name_bytes(row["input"])`` is the exact name of the file an output line came from, and
a name that is valid UTF-8 and has no backslash is written unchanged.
"""

import os
import re

_SURROGATE_RE = re.compile("[\udc80-\udcff]")
_ESCAPE_RE = re.compile(r"\\(\\|x[0-9a-f]{2})")


def escape_name(name: str | os.PathLike[str]) -> str:
    """OS name (str with surrogateescape'd bytes, or a Path) -> its JSON-safe text form."""
    text = os.fspath(name).replace("\\", "\\\\")
    return _SURROGATE_RE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text)


def name_bytes(escaped: str) -> bytes:
    """Text form written by escape_name -> the name's exact bytes."""
    parts: list[bytes] = []
    at = 0
    for match in _ESCAPE_RE.finditer(escaped):
        parts.append(escaped[at : match.start()].encode("utf-8"))
        code = match.group(1)
        parts.append(b"\\" if code == "\\" else bytes([int(code[1:], 16)]))
        at = match.end()
    parts.append(escaped[at:].encode("utf-8"))
    return b"".join(parts)


def safe_text(text: str) -> str:
    """Message text -> the same with any lone surrogate escaped, so it can be JSON."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
