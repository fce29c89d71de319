"""Links of the article body: where they point, their anchor text, where they sit in the text.

The clean stage calls ``extract_links`` once, with the page it already parsed and the text it
kept. Only the body blocks that carry links are read with beautifulsoup4:

1. every ``<a href>`` of the parsed page is taken to its paragraph-like block (``<p>``,
   ``<li>``, a heading, ...), a few inline levels up at most;
2. a block is part of the article when its words are one line of the cleaned text (the
   cleaned text keeps one paragraph per line), so menus, share bars, tag lists and related
   stories fall away with the lines trafilatura dropped;
3. those blocks, serialized in document order, are the main-content fragment that
   beautifulsoup4 parses; each anchor gives its absolute href, its text and the offsets of
   that text inside the block's line.

Cost is bounded: a fragment over ``LINKS_MAX_FRAGMENT_CHARS`` is not parsed (a page that size
is a dump, not an article with a few citations), and any failure of the link pass is logged
and yields no links: links never fail a page.
"""

from __future__ import annotations

import html
import logging
import re
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag
from lxml import etree
from lxml.html import HtmlElement

from models.article import Link

logger = logging.getLogger(__name__)

# The largest main-content fragment beautifulsoup4 is given. On the 88 aeb-dev pages the
# linked body blocks serialize to at most 15,848 characters (median 1,165); bs4 took 50 s and
# 2.2 GB on a 20 MB page of nested tags. 200,000 characters of linked paragraphs parse in
# 0.14 s and 4 MB here (28,000 nested tags in 0.9 s), so the bound sits far above any article
# and far below the pathological pages.
LINKS_MAX_FRAGMENT_CHARS = 200_000
# Blocks that hold one paragraph line of the cleaned text.
LINK_BLOCK_TAGS = frozenset(
    {"p", "li", "dd", "dt", "blockquote", "h2", "h3", "h4", "h5", "h6", "td", "th",
     "figcaption", "pre"}
)  # fmt: skip
# Anchors looked at on one page. The 88 aeb-dev pages have at most 439 (median 135); a page
# with ten times that is a link farm or a dump, and walking it would cost seconds.
LINKS_MAX_ANCHORS = 5_000
# Inline levels between an anchor and its block ("<p><em><a>"); an anchor deeper than this
# inside its paragraph is not article prose.
LINKS_MAX_CLIMB = 6
# Targets that are not documents: in-page jumps, scripts, mail and phone links.
SKIP_SCHEMES = frozenset({"javascript", "mailto", "tel", "data", "sms", "about"})

WORD_RE = re.compile(r"\w+")
SPACES_RE = re.compile(r"\s+")


def extract_links(tree: HtmlElement, text: str, *, base_url: str | None) -> list[Link]:
    """parsed page + cleaned text -> links of the article body; never raises."""
    try:
        return _links(tree, text, base_url)
    except Exception as exc:  # noqa: BLE001 (a link pass must never cost the page)
        logger.debug("link extraction skipped: %s: %s", type(exc).__name__, exc)
        return []


def _links(tree: HtmlElement, text: str, base_url: str | None) -> list[Link]:
    placed = _body_blocks(tree, text)
    if not placed:
        return []
    parts = [_inner_html(block) for block, _ in placed]
    size = sum(len(p) for p in parts)
    if size > LINKS_MAX_FRAGMENT_CHARS:
        logger.debug("link extraction skipped: fragment of %d characters", size)
        return []
    # each block's content in a <div> of its own: a lone <li> or <td> would be re-nested
    soup = BeautifulSoup("".join(f"<div>{p}</div>" for p in parts), "lxml")
    found: list[Link] = []
    for block, (_, line_start) in zip(_top_blocks(soup), placed, strict=True):
        line_end = text.find("\n", line_start)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        cursor = 0
        for anchor in block.find_all("a", href=True):
            href = _resolve(str(anchor["href"]), base_url)
            label = _squash(anchor.get_text())
            if href is None or not label:
                continue
            where = _locate(line, label, cursor)
            if where is None:
                found.append(Link(href=href, text=label))
                continue
            cursor = where[1]
            found.append(
                Link(href=href, text=label, start=line_start + where[0], end=line_start + where[1])
            )
    return found


def _body_blocks(tree: HtmlElement, text: str) -> list[tuple[HtmlElement, int]]:
    """parsed page -> (block, where its line starts) for each block holding a link whose text
    is a whole line of the cleaned text, in document order."""
    verdict: dict[HtmlElement, int] = {}
    lines = _Lines(text)
    for n, anchor in enumerate(tree.iter("a")):
        if n >= LINKS_MAX_ANCHORS:
            logger.debug("link extraction skipped: over %d anchors", LINKS_MAX_ANCHORS)
            return []
        # most anchors are menu items and teasers whose words are nowhere in the text: a plain
        # substring test on the anchor's own text drops them before anything is walked
        label = anchor.text
        if label is None or len(anchor):
            label = anchor.text_content()
        label = label.strip()
        if not label:
            continue
        if label not in text:
            squashed = " ".join(label.split())  # only when the markup spaced it differently
            if squashed == label or squashed not in text:
                continue
        if not anchor.get("href"):
            continue
        block = _block_of(anchor)
        if block is not None and block not in verdict:
            verdict[block] = lines.start_of(block.text_content())
    kept = {block: start for block, start in verdict.items() if start >= 0}
    # a block inside another kept block (<li> in a <blockquote>) is read with its container
    return [(b, at) for b, at in kept.items() if not any(a in kept for a in b.iterancestors())]


class _Lines:
    """Finds which line of the cleaned text a block's text is."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._keys: dict[str, int] | None = None  # word key -> line start, built on demand

    def start_of(self, block_text: str) -> int:
        """block text -> where its line starts in the cleaned text, -1 when it is no line."""
        squashed = " ".join(block_text.split())
        if not squashed:
            return -1
        text = self.text
        at = text.find(squashed)
        while at >= 0:
            end = at + len(squashed)
            if (at == 0 or text[at - 1] == "\n") and (end == len(text) or text[end] == "\n"):
                return at
            at = text.find(squashed, at + 1)
        # markup and extracted text may still differ in spacing around inline tags or in
        # punctuation: compare their words
        if self._keys is None:
            self._keys = {}
            pos = 0
            for line in text.split("\n"):
                self._keys.setdefault(line_key(line), pos)
                pos += len(line) + 1
        return self._keys.get(line_key(block_text), -1)


def line_words(text: str) -> list[str]:
    """text -> its \\w+ tokens, lower-cased (for comparing lines of text and of markup)."""
    return WORD_RE.findall(text.lower())


def line_key(text: str) -> str:
    """text -> its lower-cased words joined by spaces (compares lines across markup)."""
    return " ".join(line_words(text))


def _block_of(anchor: HtmlElement) -> HtmlElement | None:
    """anchor -> its nearest paragraph-like ancestor, None when it is too far up."""
    for depth, element in enumerate(anchor.iterancestors()):
        if depth >= LINKS_MAX_CLIMB:
            return None
        if element.tag in LINK_BLOCK_TAGS:
            return element
    return None


def _inner_html(block: HtmlElement) -> str:
    """element -> the HTML of its content, without its own tag."""
    head = html.escape(block.text or "", quote=False)
    return head + "".join(
        etree.tostring(child, encoding="unicode", method="html") for child in block
    )


def _top_blocks(soup: BeautifulSoup) -> list[Tag]:
    """parsed fragment -> the <div> around each serialized block, in order."""
    body = soup.body or soup
    return [child for child in body.children if isinstance(child, Tag)]


def _resolve(href: str, base_url: str | None) -> str | None:
    """raw href -> absolute URL (when a base is known), None for in-page or non-document links."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        scheme = urlsplit(href).scheme.lower()
        if scheme in SKIP_SCHEMES:
            return None
        return urljoin(base_url, href) if base_url and not scheme else href
    except ValueError:  # "http://[::1" and the like: not a usable link
        return None


def _locate(line: str, label: str, cursor: int) -> tuple[int, int] | None:
    """line + anchor text -> (start, end) of the anchor text in the line, searching on from
    ``cursor``; whitespace and case may differ; None when it is not there."""
    at = line.find(label, cursor)
    if at >= 0:
        return at, at + len(label)
    words = WORD_RE.findall(label)
    if not words:
        return None
    pattern = re.compile(r"\W+".join(re.escape(w) for w in words), re.IGNORECASE)
    match = pattern.search(line, cursor) or pattern.search(line)
    return (match.start(), match.end()) if match else None


def _squash(text: str) -> str:
    return SPACES_RE.sub(" ", text).strip()
