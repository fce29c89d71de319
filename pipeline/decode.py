"""Page bytes -> text: byte-order evidence, then declared charsets, then detection.

Order (the first source that yields readable text wins):

1. a BOM (UTF-8, UTF-16, UTF-32), or UTF-16 without a BOM seen from its NUL pattern;
2. the charset in the Content-Type header;
3. ``<meta charset>``, ``<meta http-equiv>`` or ``<?xml encoding>`` in the first bytes;
4. detection: valid (or nearly valid) UTF-8, else charset-normalizer.

A declared charset is only a claim: one that fails to decode strictly, or decodes to
garbage, or that is contradicted by bytes forming valid UTF-8, passes to the next source
instead of producing mojibake.

Error code (stable): ``decode.failed``: the page has no bytes, or no source yields text.
"""

import codecs
import logging
import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

from models.page import Page
from pipeline.errors import DecodeError

logger = logging.getLogger(__name__)

# Longest BOM first: the UTF-32-LE BOM begins with the UTF-16-LE one.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# The HTML spec's prescan reads 1024 bytes; saved pages often gain a "saved from" comment
# or long preload links before the meta tag, so we read 4 KB.
META_SNIFF_BYTES = 4096
# The NUL pattern of UTF-16 shows within the first KB of any page (its markup is ASCII).
UTF16_SNIFF_BYTES = 1024
# At least this share of one byte parity must be NUL (ASCII markup in UTF-16)...
UTF16_MIN_NUL_SHARE = 0.3
# ...and at most this share of the other (U+0100, U+0600, U+0900 are rare in text).
UTF16_MAX_OTHER_NUL_SHARE = 0.05
# charset-normalizer is sure of a legacy charset after a few KB of text; 64 KB from the
# first non-ASCII byte bounds its time on a 20 MB page.
DETECT_SAMPLE_BYTES = 64 * 1024
# Decoded text judged for garbage: enough for a paragraph of the article body.
GARBAGE_SAMPLE_CHARS = 16 * 1024
# charset-normalizer's own default threshold (from_bytes(threshold=0.2)) for "a mess".
GARBAGE_MESS_RATIO = 0.2
# UTF-8 with at most one broken sequence per ten good ones is UTF-8 with damage; legacy
# Arabic or Urdu text read as UTF-8 breaks at nearly every letter (168 broken vs 14 good
# in our windows-1256 Urdu test page).
UTF8_MAX_INVALID_SHARE = 0.1
# charset-normalizer often answers windows-1250, 1257 or even Big5 for short English,
# French or German text, all of which decode the bytes. windows-1252 wins when the pick
# reads as Latin letters too (as a browser in an English locale would: undeclared Polish or
# Turkish pages need a declared charset), or when windows-1252 reads about as cleanly
# (chaos within this margin).
DETECT_CHAOS_TIE = 0.01
# The web's most common legacy charset and the WHATWG fallback for most locales.
DETECT_TIE_PREFERENCE = "cp1252"

# Labels browsers decode as another charset (WHATWG Encoding Standard): a page declared
# iso-8859-1 routinely carries windows-1252 curly quotes in 0x80-0x9F.
WHATWG_ALIASES = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
}
# Python codecs that are not charsets a page can be written in (or that browsers refuse).
NOT_PAGE_CHARSETS = frozenset(
    {"idna", "punycode", "raw-unicode-escape", "unicode-escape", "undefined", "utf-7"}
)

HEADER_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([^\s;"',]+)""", re.IGNORECASE)
META_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w:.+-]+)""", re.IGNORECASE)
XML_ENCODING_RE = re.compile(rb"""\A\s*<\?xml[^>]*?encoding\s*=\s*["']([\w:.+-]+)""")
ASCII_BYTES = bytes(range(128))
NON_ASCII_BYTE_RE = re.compile(rb"[\x80-\xff]")
NON_ASCII_CHAR_RE = re.compile(r"[^\x00-\x7f]")
SAFE_CUT_RE = re.compile(rb"[<\n]")  # never inside a multi-byte char of any ASCII-based charset
# Markup is noise to charset-normalizer ("déjà.</p>" scores as a mess); '<' and '>' never
# occur inside a multi-byte char of an ASCII-based charset, so tags can go before detection.
TAG_BYTES_RE = re.compile(rb"<[^<>]*>")
TAG_RE = re.compile(r"<[^<>]*>")


def decode_page(page: Page) -> tuple[str, str]:
    """Page -> (text, Python codec name), raises DecodeError."""
    body = page.body
    if not body:
        raise DecodeError("decode.failed", "page has no bytes", input=page.input)
    sniffed = sniff_unicode(body)
    if sniffed is not None:
        encoding, bom_length = sniffed
        return body[bom_length:].decode(encoding, errors="replace"), encoding
    utf8 = _check_utf8(body)
    tried: set[str | None] = set()
    for source, label in _declared_charsets(page):
        if normalize_charset(label) in tried:
            continue  # the header and the meta tag often agree; decode once
        tried.add(normalize_charset(label))
        decoded = _decode_declared(body, label, utf8=utf8)
        if decoded is not None:
            return decoded
        logger.debug("%s: %s charset %r rejected", page.input, source, label)
    decoded = _detect(body, utf8=utf8)
    if decoded is None:
        raise DecodeError("decode.failed", "no charset yields readable text", input=page.input)
    return decoded


def sniff_unicode(body: bytes) -> tuple[str, int] | None:
    """bytes -> (UTF encoding, BOM length) from a BOM or a UTF-16 NUL pattern, else None."""
    for bom, encoding in BOMS:
        if body.startswith(bom):
            return encoding, len(bom)
    head = body[:UTF16_SNIFF_BYTES]
    half = len(head) // 2
    if half == 0:
        return None
    even_nul = head[0::2].count(0) / half
    odd_nul = head[1::2].count(0) / half
    if odd_nul >= UTF16_MIN_NUL_SHARE and even_nul <= UTF16_MAX_OTHER_NUL_SHARE:
        return "utf-16-le", 0
    if even_nul >= UTF16_MIN_NUL_SHARE and odd_nul <= UTF16_MAX_OTHER_NUL_SHARE:
        return "utf-16-be", 0
    return None


def normalize_charset(label: str) -> str | None:
    """charset label -> Python codec name as a browser would read it, or None if unknown."""
    try:
        codec = codecs.lookup(label.strip().strip("\"'"))
    except (LookupError, ValueError):
        return None
    name = codec.name
    # _is_text_encoding is False for bytes-to-bytes codecs such as base64 and rot13.
    if name in NOT_PAGE_CHARSETS or not getattr(codec, "_is_text_encoding", True):
        return None
    return WHATWG_ALIASES.get(name, name)


class _Utf8(NamedTuple):
    """What a page's bytes say about UTF-8."""

    text: str | None  # the text when the bytes are UTF-8 (maybe with a few broken sequences)
    multibyte: bool  # the bytes are valid UTF-8 with at least one multi-byte character


def _check_utf8(body: bytes) -> _Utf8:
    """bytes -> their text if UTF-8 or nearly so, and whether valid with non-ASCII."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return _Utf8(text, multibyte=len(text) != len(body))
    text = body.decode("utf-8", errors="replace")
    broken = text.count("\ufffd") - body.count("\ufffd".encode())
    non_ascii = len(body.translate(None, ASCII_BYTES))
    # Each good multi-byte char is 2-4 non-ASCII bytes; count chars, not bytes.
    good = len(text) - (len(body) - non_ascii) - text.count("\ufffd")
    if good > 0 and broken <= good * UTF8_MAX_INVALID_SHARE:
        return _Utf8(text, multibyte=False)
    return _Utf8(None, multibyte=False)


def _declared_charsets(page: Page) -> Iterator[tuple[str, str]]:
    """Page -> (source, label) for each charset it declares: header, then markup."""
    if page.content_type:
        header = HEADER_CHARSET_RE.search(page.content_type)
        if header:
            yield "header", header.group(1)
    head = page.body[:META_SNIFF_BYTES]
    for source, pattern in (("xml", XML_ENCODING_RE), ("meta", META_CHARSET_RE)):
        markup = pattern.search(head)
        if markup:
            yield source, markup.group(1).decode("ascii")


def _decode_declared(body: bytes, label: str, *, utf8: _Utf8) -> tuple[str, str] | None:
    """bytes + declared label -> (text, codec) if the claim holds up, else None."""
    encoding = normalize_charset(label)
    if encoding is None:
        return None
    if encoding.startswith(("utf-16", "utf-32")):
        # No BOM and no NUL pattern (checked before): the bytes are not UTF-16, and the HTML
        # spec reads such a declaration as UTF-8.
        encoding = "utf-8"
    if encoding in ("utf-8", "utf-8-sig"):
        return (utf8.text, "utf-8") if utf8.text is not None else None
    if utf8.multibyte:
        # Legacy text almost never forms valid multi-byte UTF-8 by chance: the label is wrong.
        return None
    try:
        text = body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    if _looks_garbled(text):
        return None
    return text, encoding


def _detect(body: bytes, *, utf8: _Utf8) -> tuple[str, str] | None:
    """bytes -> (text, codec) guessed from the bytes alone, or None."""
    if utf8.text is not None:
        return utf8.text, "ascii" if body.isascii() else "utf-8"
    encoding = _detect_legacy(body)
    if encoding is None:
        return None
    try:
        return body.decode(encoding), encoding
    except UnicodeDecodeError:
        # Detected on a sample; a stray byte elsewhere is replaced, not fatal.
        return body.decode(encoding, errors="replace"), encoding


def _detect_legacy(body: bytes) -> str | None:
    """bytes (not UTF-8) -> the codec charset-normalizer finds most coherent, or None."""
    first = NON_ASCII_BYTE_RE.search(body)
    start = first.start() if first else 0
    end = start + DETECT_SAMPLE_BYTES
    cut = SAFE_CUT_RE.search(body, end)
    sample = TAG_BYTES_RE.sub(b" ", body[start : cut.start() if cut else len(body)])
    best = from_bytes(sample).best()
    if best is None:
        return None
    encoding = normalize_charset(best.encoding)
    if encoding is None or encoding == DETECT_TIE_PREFERENCE:
        return encoding
    try:
        preferred = sample.decode(DETECT_TIE_PREFERENCE)
    except UnicodeDecodeError:
        return encoding
    if _latin_letters_only(str(best)) and not _looks_garbled(preferred):
        return DETECT_TIE_PREFERENCE  # two Latin readings: take the web's default
    if _mess(preferred, maximum=1.0) <= best.chaos + DETECT_CHAOS_TIE:
        return DETECT_TIE_PREFERENCE  # a CJK or other guess that reads no better
    return encoding


def _latin_letters_only(text: str) -> bool:
    """text -> True when every non-ASCII letter in it is a Latin-script letter."""
    return all(
        unicodedata.name(char, "").startswith("LATIN")
        for char in set(NON_ASCII_CHAR_RE.findall(text))
        if char.isalpha()
    )


def _looks_garbled(text: str) -> bool:
    """decoded text -> True when its non-ASCII part reads as mojibake."""
    return _mess(text, maximum=GARBAGE_MESS_RATIO) >= GARBAGE_MESS_RATIO


def _mess(text: str, *, maximum: float) -> float:
    """decoded text -> charset-normalizer's mess ratio of its non-ASCII part (0 = clean)."""
    first = NON_ASCII_CHAR_RE.search(text)
    if first is None:
        return 0.0
    sample = TAG_RE.sub(" ", text[first.start() : first.start() + GARBAGE_SAMPLE_CHARS])
    return float(mess_ratio(sample, maximum))
