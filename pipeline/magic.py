"""Magic numbers of files that are not web pages, shared by the file reader and the fetcher.

Both sniff the first bytes so that an image, a PDF or an archive saved as ``.html`` or
served as ``text/html`` becomes a clear error instead of garbage text.
"""

# Every magic number below fits in this many leading bytes.
SNIFF_BYTES = 1024

NOT_PAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "zip archive"),
    (b"PK\x05\x06", "zip archive"),
    (b"\xd0\xcf\x11\xe0", "MS Office document"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"Rar!", "RAR archive"),
    (b"\x7fELF", "executable"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"wOFF", "web font"),
    (b"wOF2", "web font"),
    (b"RIFF", "RIFF (WebP/AVI/WAV) data"),
)
GZIP_MAGIC = b"\x1f\x8b"

# Content types of a web page, in a fetched response and in a WARC record alike.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def mime_type(content_type: str | None) -> str | None:
    """'text/html; charset=utf-8' -> 'text/html'; missing or blank -> None."""
    if content_type is None:
        return None
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime or None
