"""Tests for pipeline.decode: BOMs, declared charsets that lie, legacy Arabic-script pages."""

import codecs

import pytest

from models.page import Page
from pipeline.decode import decode_page, normalize_charset, sniff_unicode
from pipeline.errors import DecodeError

# Test sentences written for this project.
URDU = (
    "پی ٹی اے نے ملک بھر میں ہزاروں ویب سائٹس بند کر دیں"
    " اور فیس بک نے جعلی اکاؤنٹس کا ایک گروہ ہٹا دیا۔"
)
ARABIC = "قالت الشركة إنها أزالت شبكة من الحسابات الوهمية التي كانت تروج لرسائل سياسية في المنطقة."
HINDI = "दूरसंचार विभाग ने कई ऐप्स पर रोक लगाई और फेसबुक ने फर्जी खातों का एक नेटवर्क हटाया।"
LATIN1 = "The café owner in Zürich said the naïve ban on her façade was lifted in März."
CP1252 = "The regulator’s order — issued in “haste” — blocked 1,372 sites, it said."


def legacy_urdu(text: str) -> str:
    """Urdu -> the same text as windows-1256 pages typed it (Arabic yeh, Latin full stop)."""
    return text.replace("\u06cc", "\u064a").replace("\u06d4", ".")


def page_html(text: str, head: str = "") -> str:
    """article text + extra <head> markup -> a small news page around the text."""
    return (
        f"<!DOCTYPE html><html><head>{head}<title>News</title></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/tech'>Tech</a></nav>"
        f"<article><h1>Report</h1><p>{text}</p><p>{text}</p></article>"
        "<footer>All rights reserved</footer></body></html>"
    )


def make_page(body: bytes, content_type: str | None = None) -> Page:
    return Page(input="test.html", body=body, content_type=content_type)


META_1256 = '<meta charset="windows-1256">'
HTTP_EQUIV_1256 = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
HTTP_EQUIV_88596 = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-6">'

ARABIC_SCRIPT_CASES = {
    "urdu-1256-meta": (legacy_urdu(URDU), "cp1256", META_1256, None),
    "urdu-1256-http-equiv": (legacy_urdu(URDU), "cp1256", HTTP_EQUIV_1256, None),
    "urdu-1256-header": (legacy_urdu(URDU), "cp1256", "", "text/html; charset=windows-1256"),
    "urdu-1256-undeclared": (legacy_urdu(URDU), "cp1256", "", None),
    "urdu-1256-declared-utf8": (legacy_urdu(URDU), "cp1256", '<meta charset="utf-8">', None),
    "urdu-1256-header-utf8": (legacy_urdu(URDU), "cp1256", "", "text/html; charset=UTF-8"),
    "arabic-1256-meta": (ARABIC, "cp1256", META_1256, None),
    "arabic-1256-undeclared": (ARABIC, "cp1256", "", None),
    "arabic-1256-declared-latin1": (ARABIC, "cp1256", "", "text/html; charset=iso-8859-1"),
    "arabic-88596-declared": (ARABIC, "iso8859-6", HTTP_EQUIV_88596, None),
    "arabic-88596-undeclared": (ARABIC, "iso8859-6", "", None),
    "urdu-utf8": (URDU, "utf-8", '<meta charset="utf-8">', None),
    "arabic-utf8-undeclared": (ARABIC, "utf-8", "", None),
}


@pytest.mark.parametrize(
    ("text", "encoding", "head", "content_type"),
    ARABIC_SCRIPT_CASES.values(),
    ids=ARABIC_SCRIPT_CASES.keys(),
)
def test_decode_arabic_script_pages(
    text: str, encoding: str, head: str, content_type: str | None
) -> None:
    html = page_html(text, head)
    decoded, name = decode_page(make_page(html.encode(encoding), content_type))
    assert decoded == html
    assert name == encoding


HINDI_CASES = {
    "utf8-header-latin1": ("utf-8", "", "text/html; charset=ISO-8859-1", "utf-8"),
    "utf8-meta-1252": ("utf-8", '<meta charset="windows-1252">', None, "utf-8"),
    "utf8-meta-1256": ("utf-8", META_1256, None, "utf-8"),
    "utf8-undeclared": ("utf-8", "", None, "utf-8"),
    "utf16le-bom": ("utf-16-le", "", None, "utf-16-le"),
    "utf16be-bom": ("utf-16-be", "", None, "utf-16-be"),
    "utf16le-bom-header-latin1": ("utf-16-le", "", "text/html; charset=latin1", "utf-16-le"),
}


@pytest.mark.parametrize(
    ("encoding", "head", "content_type", "expected"),
    HINDI_CASES.values(),
    ids=HINDI_CASES.keys(),
)
def test_decode_hindi_pages(
    encoding: str, head: str, content_type: str | None, expected: str
) -> None:
    html = page_html(HINDI, head)
    body = html.encode(encoding)
    if encoding.startswith("utf-16"):
        body = "\ufeff".encode(encoding) + body
    decoded, name = decode_page(make_page(body, content_type))
    assert decoded == html
    assert name == expected


LATIN_CASES = {
    "latin1-meta": (LATIN1, "latin-1", '<meta charset="iso-8859-1">', None),
    "latin1-header": (LATIN1, "latin-1", "", "text/html; charset=ISO-8859-1"),
    "latin1-undeclared": (LATIN1, "latin-1", "", None),
    "cp1252-declared-latin1": (CP1252, "cp1252", '<meta charset="iso-8859-1">', None),
    "cp1252-undeclared": (CP1252, "cp1252", "", None),
    "cp1252-header": (CP1252, "cp1252", "", "text/html; charset=windows-1252"),
}


@pytest.mark.parametrize(
    ("text", "encoding", "head", "content_type"),
    LATIN_CASES.values(),
    ids=LATIN_CASES.keys(),
)
def test_decode_latin_pages_as_windows_1252(
    text: str, encoding: str, head: str, content_type: str | None
) -> None:
    html = page_html(text, head)
    decoded, name = decode_page(make_page(html.encode(encoding), content_type))
    assert decoded == html
    # Browsers read iso-8859-1 labels as windows-1252 (WHATWG), the superset.
    assert name == "cp1252"


@pytest.mark.parametrize("label", ["iso-8859-1", "windows-1252", "windows-1256"])
def test_decode_valid_utf8_beats_declared_legacy_charset(label: str) -> None:
    # One accented word in a long English page: read as windows-1252 it would look almost
    # clean ("cafÃ©"), so only the UTF-8 validity of the bytes gives the label away.
    text = "The café said so. " + "The regulator blocked the sites after a review. " * 40
    html = page_html(text, f'<meta charset="{label}">')
    assert decode_page(make_page(html.encode("utf-8"))) == (html, "utf-8")


@pytest.mark.parametrize("bad", [b"\xff", b"\xc3", b"\xe0\xa4", b"\xed\xa0\x80"])
def test_decode_replaces_invalid_bytes_in_utf8_page(bad: bytes) -> None:
    body = page_html(HINDI, '<meta charset="utf-8">').encode("utf-8")
    body = body.replace(b"<footer>", b"<footer>" + bad)
    decoded, name = decode_page(make_page(body))
    assert name == "utf-8"
    assert HINDI in decoded
    assert "<footer>\ufffd" in decoded


@pytest.mark.parametrize(
    ("content_type", "head"),
    [
        ("text/html; charset=x-no-such-charset", ""),
        ("text/html; charset=rot13", ""),
        (None, '<meta charset="utf-16">'),
        (None, '<meta charset="">'),
    ],
)
def test_decode_ignores_unusable_declarations(content_type: str | None, head: str) -> None:
    html = page_html(HINDI, head)
    decoded, name = decode_page(make_page(html.encode("utf-8"), content_type))
    assert (decoded, name) == (html, "utf-8")


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-32-le", codecs.BOM_UTF32_LE),
        ("utf-32-be", codecs.BOM_UTF32_BE),
    ],
)
def test_decode_bom_wins_over_declarations(encoding: str, bom: bytes) -> None:
    html = page_html(URDU, META_1256)
    body = bom + html.encode(encoding)
    decoded, name = decode_page(make_page(body, "text/html; charset=windows-1256"))
    assert (decoded, name) == (html, encoding)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_decode_utf16_without_bom(encoding: str) -> None:
    html = page_html(HINDI)
    assert sniff_unicode(html.encode(encoding)) == (encoding, 0)
    assert decode_page(make_page(html.encode(encoding))) == (html, encoding)


@pytest.mark.parametrize("body", [b"", bytes(range(256)) * 8], ids=["empty", "binary"])
def test_decode_fails_without_text(body: bytes) -> None:
    with pytest.raises(DecodeError) as info:
        decode_page(make_page(body))
    assert info.value.code == "decode.failed"
    assert info.value.input == "test.html"


@pytest.mark.parametrize(
    ("body", "expected"),
    [(b"<p>plain ascii</p>", "ascii"), (b"<p>" * 5_000_000 + b"deep", "ascii")],
    ids=["small", "20mb"],
)
def test_decode_ascii_pages(body: bytes, expected: str) -> None:
    decoded, name = decode_page(make_page(body))
    assert (len(decoded), name) == (len(body), expected)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("UTF-8", "utf-8"),
        ("windows-1256", "cp1256"),
        ("ISO-8859-6", "iso8859-6"),
        ("latin1", "cp1252"),
        ("us-ascii", "cp1252"),
        ('"gb2312"', "gb18030"),
        ("no-such-charset", None),
        ("unicode_escape", None),
        ("base64", None),
    ],
)
def test_decode_normalize_charset(label: str, expected: str | None) -> None:
    assert normalize_charset(label) == expected
