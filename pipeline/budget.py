"""Per-page budgets: every limit on one page's size, time and memory, and its checks.

A page over a budget ends as an error line with a stage-specific code; it never stalls
the batch. The limits, in the order a page meets them:

    read     MAX_PAGE_BYTES            bytes of one page after decompression   read.too_large
    clean    MAX_TREE_ELEMENTS         elements of the parsed HTML             clean.too_complex
             MAX_TREE_DEPTH            nesting depth of the parsed HTML        clean.too_deep
    extract  MAX_TEXT_CHARS            characters of the cleaned article text  extract.too_long
             MAX_CLAIMS_PER_SENTENCE   numeric claims in one sentence          extract.too_many_claims
             MAX_CLAIMS_PER_ARTICLE    numeric claims in the article           extract.too_many_claims
             MAX_RECORDS_PER_ARTICLE   takedown records of the article         extract.too_many_records
    any      PAGE_TIMEOUT_S            wall time of decode + clean + extract   <stage>.timeout
             WORKER_MEMORY_BYTES       address space of a worker process       <stage>.out_of_memory

The sizes are checked here, by the stages; time and memory are enforced by the worker
processes of ``pipeline.workers`` (a worker past its page's time is killed, even inside
lxml's C code, and replaced).

The real pages these limits were measured on are the 88 aeb-dev pages, the 49 realdev
pages and the 27 fixtures (164 pages), cleaned and extracted by this pipeline on
2026-11-29; each constant says how far it sits above the largest of them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from lxml import etree

from pipeline.errors import CleanError, ExtractError

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from spacy.tokens import Doc

# Same reasoning as the fetcher's MAX_BODY_BYTES (the largest article pages are ~5 MB), with
# room for pages saved with their images inlined as data: URIs; bounds memory per page.
MAX_PAGE_BYTES = 50 * 1024 * 1024

# The largest of the 164 real pages parses to 1,596 elements. trafilatura's time grows
# faster than linearly with the element count (50,000 <p> take 8 s to clean, 100,000 take
# 11-20 s, 200,000 take 73 s on one core here), so the cap sits at 31x the largest real
# page, where the worst shape measured (a 25,000-item list of links) cleans in 10 s.
MAX_TREE_ELEMENTS = 50_000
# The deepest real page nests 51 elements. libxml2's HTML parser stops nesting at 256 and
# silently drops what lies deeper, so a page near that depth has already lost text.
MAX_TREE_DEPTH = 200
# Characters fed to the counting parser at a time; the count stops within one chunk.
MARKUP_CHUNK_CHARS = 64 * 1024

# spaCy's own default nlp.max_length. The longest real article text is 52,991 characters;
# a page whose main text passes a million is a dump or a book, not an article.
MAX_TEXT_CHARS = 1_000_000
# The most numeric claims in one sentence of a real page is 14 (333 in one article). A
# sentence of hundreds of numbers is a flattened table or a list of figures, which the
# record rules cannot read and which costs them time that grows with its square.
MAX_CLAIMS_PER_SENTENCE = 100
MAX_CLAIMS_PER_ARTICLE = 5_000  # 15x the most in a real article (333)
# The most records of one real page is 6 (a quarterly bulletin); a report with a record
# per line of a long table may hold dozens. Hundreds means the rules misread the page.
MAX_RECORDS_PER_ARTICLE = 200

# The default: the slowest real page takes 1.2 s from bytes to records, so a page
# still running after 60 s is pathological, and a minute bounds how long it holds a core.
PAGE_TIMEOUT_S = 60.0
# Address space of one worker (RLIMIT_AS). A worker with the spaCy pipelines loaded maps
# 340 MB; a 50 MB page within the tree budget needs under 1 GB more. Past the limit the
# page fails with <stage>.out_of_memory instead of pushing the machine into swap.
WORKER_MEMORY_BYTES = 3 * 1024**3
# A worker whose resident memory is above this after a page is replaced by a fresh one
# (the allocator keeps freed memory), so one large page does not inflate a worker for
# the rest of the batch. A fresh worker sits at 150-200 MB resident.
WORKER_RECYCLE_RSS_BYTES = 1024**3


@dataclass(frozen=True)
class Budget:
    """The limits one run applies; the defaults are the constants above."""

    page_timeout: float = PAGE_TIMEOUT_S
    memory_bytes: int | None = WORKER_MEMORY_BYTES  # None: no address-space limit
    recycle_rss_bytes: int = WORKER_RECYCLE_RSS_BYTES
    claims_per_sentence: int = MAX_CLAIMS_PER_SENTENCE
    claims_per_article: int = MAX_CLAIMS_PER_ARTICLE
    records_per_article: int = MAX_RECORDS_PER_ARTICLE


class _TreeCounter:
    """lxml parser target that counts elements without building a tree."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.elements = 0

    def start(self, tag: str, attrib: dict) -> None:
        self.elements += 1
        if self.elements > self.limit:
            raise _OverBudget

    def close(self) -> None:
        return None


class _OverBudget(Exception):
    """Raised by the counter to stop lxml's parser early."""


def check_markup(html: str, *, input: str, max_elements: int = MAX_TREE_ELEMENTS) -> None:
    """Decoded HTML -> None, raises CleanError(clean.too_complex) before a tree is built.

    Every element starts with "<", so a page with fewer "<" than the budget passes at the
    cost of one str.count. Otherwise lxml's parser runs with a counting target (no tree,
    so memory stays flat) and stops as soon as the count passes the budget.
    """
    if html.count("<") <= max_elements:
        return
    counter = _TreeCounter(max_elements)
    parser = etree.HTMLParser(target=counter, remove_comments=True)
    try:
        # fed in chunks: lxml stops at the chunk where the target raised, whereas
        # fromstring() would make libxml2 run through all 50 MB first
        for at in range(0, len(html), MARKUP_CHUNK_CHARS):
            parser.feed(html[at : at + MARKUP_CHUNK_CHARS])
        parser.close()
    except _OverBudget:
        _too_complex(counter.elements, max_elements, input, more=True)
    except (etree.LxmlError, ValueError):
        return  # the real parse reports what is wrong with the markup


def check_tree(
    tree: HtmlElement,
    *,
    input: str,
    max_elements: int = MAX_TREE_ELEMENTS,
    max_depth: int = MAX_TREE_DEPTH,
) -> None:
    """Parsed page -> None, raises CleanError (clean.too_complex, clean.too_deep).

    Both tests run in libxml2's XPath engine, with no Python object per element: a walk in
    Python cost 0.7 ms of a page's ~20 ms on aeb-dev, these 0.2 ms."""
    elements = int(COUNT_ELEMENTS(tree))
    if elements > max_elements:
        _too_complex(elements, max_elements, input)
    # "/*/*/.../*" with one step per level: linear in the tree, empty unless an element
    # sits below max_depth levels (the exact depth is measured only for the message)
    if _below(max_depth)(tree):
        raise CleanError(
            "clean.too_deep",
            f"page nests elements {_depth(tree)} deep, over the budget of {max_depth}",
            input=input,
        )


COUNT_ELEMENTS = etree.XPath("count(//*)")


@lru_cache(maxsize=4)
def _below(depth: int) -> etree.XPath:
    """depth -> compiled XPath: is any element nested deeper than this?"""
    return etree.XPath("boolean(" + "/*" * (depth + 1) + ")")


def _depth(tree: HtmlElement) -> int:
    """parsed page -> its deepest nesting of elements."""
    depth = deepest = 0
    for event, _ in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def _too_complex(elements: int, limit: int, input: str, *, more: bool = False) -> None:
    count = f"over {limit:,}" if more else f"{elements:,}"
    raise CleanError(
        "clean.too_complex",
        f"page has {count} HTML elements, over the budget of {limit:,}",
        input=input,
    )


def check_text(text: str, *, max_chars: int = MAX_TEXT_CHARS) -> None:
    """Cleaned article text -> None, raises ExtractError(extract.too_long)."""
    if len(text) > max_chars:
        raise ExtractError(
            "extract.too_long",
            f"article text has {len(text):,} characters, over the budget of {max_chars:,}",
        )


def check_claims(
    doc: Doc,
    claim_starts: Sequence[int],
    *,
    per_sentence: int = MAX_CLAIMS_PER_SENTENCE,
    per_article: int = MAX_CLAIMS_PER_ARTICLE,
) -> None:
    """Parsed article + first token of each claim (in text order) -> None, raises
    ExtractError(extract.too_many_claims) before the record rules see them."""
    if len(claim_starts) > per_article:
        raise ExtractError(
            "extract.too_many_claims",
            f"article has {len(claim_starts):,} numeric claims, over the budget of {per_article:,}",
        )
    if len(claim_starts) <= per_sentence:
        return
    for sent in doc.sents:
        inside = bisect_left(claim_starts, sent.end) - bisect_left(claim_starts, sent.start)
        if inside > per_sentence:
            raise ExtractError(
                "extract.too_many_claims",
                f"a sentence at character {sent.start_char:,} has {inside:,} numeric claims, "
                f"over the budget of {per_sentence:,}",
            )


def check_records(count: int, *, limit: int = MAX_RECORDS_PER_ARTICLE) -> None:
    """Number of records of one article -> None, raises ExtractError(extract.too_many_records)."""
    if count > limit:
        raise ExtractError(
            "extract.too_many_records",
            f"article yields {count:,} records, over the budget of {limit:,}",
        )
