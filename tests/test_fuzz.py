"""Fuzzing: generated hostile HTML and raw bytes through extract_records and the CLI.

Whatever the page, the pipeline answers with records, a "no takedown" article or an error
line with a known code; it never raises, never crashes a worker, never writes a line that
is not JSON, and every offset it writes points at the text it quotes.

`make test` runs a short campaign (the "ci" profile); `make fuzz` a long one
(HYPOTHESIS_PROFILE=fuzz).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import extract_page

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same examples on every run: make test stays repeatable
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
CLI_EXAMPLES = 3 if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci" else 40

# Words that wake the record rules, numbers in every form they read, and plain filler.
WORDS = st.sampled_from(
    ["Facebook", "removed", "accounts", "Pages", "groups", "blocked", "websites", "Twitter",
     "suspended", "the", "regulator", "PTA", "network", "based", "in", "Pakistan", "Iran",
     "1,372", "453", "1.1 million", "thirteen", "hundreds of", "over", "about", "%", "$60",
     "2020", "August", "Q1", "said", ".", ",", ";", "(", ")", "|", "—", "\u200b", "\u0000",
     "\ufffd", "ü", "ذ", "हिं", "\U0001f600", "&amp;", "&#0;", "&#xD800;", "<!--", "]]>"]
)  # fmt: skip
TEXT = st.lists(WORDS, max_size=40).map(" ".join)
NUMBERS = st.lists(st.integers(0, 10**9), min_size=1, max_size=400).map(
    lambda ns: "Facebook removed " + ", ".join(f"{n:,}" for n in ns) + " accounts."
)
TAGS = st.sampled_from(
    ["p", "div", "span", "a", "li", "td", "th", "h1", "h2", "article", "main", "section",
     "b", "i", "blockquote", "script", "style", "nav", "footer", "aside", "table", "tr",
     "ul", "ol", "pre", "x-custom", "svg", "math", "template", "noscript", "iframe"]
)  # fmt: skip
ATTRIBUTE = st.tuples(
    st.sampled_from(["class", "id", "href", "style", "data-x", "lang", "charset", "content"]),
    st.one_of(st.text(max_size=20), st.integers(0, 200_000).map(lambda n: "v" * n)),
)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def build(tag: str, attrs: list[tuple[str, str]], inner: list[str], closed: bool) -> str:
        attributes = "".join(f' {k}="{v}"' for k, v in attrs)
        return f"<{tag}{attributes}>{''.join(inner)}" + (f"</{tag}>" if closed else "")

    return st.builds(
        build, TAGS, st.lists(ATTRIBUTE, max_size=3), st.lists(children, max_size=6),
        st.booleans(),
    )  # fmt: skip


FRAGMENT = st.recursive(st.one_of(TEXT, NUMBERS), _element, max_leaves=60)
NESTED = st.builds(
    lambda tag, depth, inner: f"<{tag}>" * depth + inner + f"</{tag}>" * depth,
    TAGS, st.integers(1, 400), TEXT,
)  # fmt: skip
LONG_LIST = st.builds(
    lambda n, item: "<ul>" + f"<li>{item}</li>" * n + "</ul>", st.integers(1, 3000), TEXT
)
TABLE = st.builds(
    lambda rows, cells: "<table>" + ("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    * rows + "</table>",
    st.integers(1, 500), st.lists(st.one_of(TEXT, st.integers().map(str)), max_size=8),
)  # fmt: skip
BODY = st.lists(st.one_of(FRAGMENT, NESTED, LONG_LIST, TABLE), min_size=1, max_size=4).map("".join)
ENCODINGS = st.sampled_from(["utf-8", "utf-16", "utf-16-le", "cp1252", "shift_jis", "koi8-r"])
DECLARED = st.one_of(st.none(), st.sampled_from(["utf-8", "iso-8859-1", "utf-16", "bogus", ""]))


@st.composite
def pages(draw: st.DrawFn) -> bytes:
    """-> the bytes of a generated page: a document around hostile markup, encoded in one
    charset (perhaps not the declared one), perhaps with raw bytes spliced in."""
    declared = draw(DECLARED)
    meta = f'<meta charset="{declared}">' if declared is not None else ""
    title = draw(TEXT)
    html = f"<!DOCTYPE html><html><head>{meta}<title>{title}</title></head><body>"
    html += draw(BODY) + "</body></html>"
    data = html.encode(draw(ENCODINGS), errors="replace")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=64)) + data[at:]
    return data


RAW = st.one_of(st.binary(max_size=2048), pages())


def _check_outcome(body: bytes) -> None:
    outcome = extract_page(body, url="https://fuzz.example.org/page")
    if outcome.error is not None:
        assert not outcome.error.code.endswith(".unexpected"), outcome.error
        json.dumps(outcome.error.model_dump(mode="json"))
        return
    article = outcome.article
    assert article is not None
    article.model_dump_json()
    for claim in article.claims:
        assert article.text[claim.start : claim.end] == claim.text
    for record in outcome.records:
        record.model_dump_json()
        assert record.record_id in article.record_ids
        for target in record.targets:
            assert article.text[target.start : target.end] == target.text
        for evidence in record.evidence:
            assert evidence.text in article.text[evidence.start : evidence.end]


@given(pages())
def test_fuzz_generated_pages_through_extract_records(body: bytes) -> None:
    _check_outcome(body)


@given(st.binary(max_size=4096))
def test_fuzz_raw_bytes_through_extract_records(body: bytes) -> None:
    _check_outcome(body)


@settings(max_examples=CLI_EXAMPLES)
@given(st.lists(RAW, min_size=1, max_size=8))
def test_fuzz_pages_through_the_cli(tmp_path_factory, bodies: list[bytes]) -> None:  # type: ignore[no-untyped-def]
    directory = tmp_path_factory.mktemp("fuzz")
    for n, body in enumerate(bodies):
        (directory / f"{n:02d}.html").write_bytes(body)
    out = directory / "out"
    cmd = [sys.executable, "-m", "pipeline", "extract", str(directory), "-o",
           str(out / "records.jsonl"), "--jobs", "2", "--quiet"]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    rows = {}
    for name in ("records.jsonl", "articles.jsonl", "errors.jsonl"):
        rows[name] = [json.loads(line) for line in Path(out / name).read_text().splitlines()]
    assert len(rows["articles.jsonl"]) + len(rows["errors.jsonl"]) == len(bodies)
    for error in rows["errors.jsonl"]:
        assert not error["code"].endswith((".unexpected", ".crashed")), error
    ids = [i for a in rows["articles.jsonl"] for i in a["record_ids"]]
    assert sorted(ids) == sorted(r["record_id"] for r in rows["records.jsonl"])
