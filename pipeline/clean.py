"""Clean stage: decoded HTML -> Article (main text + metadata).

The only module that imports trafilatura; import it lazily from elsewhere so that
``takedowns --help`` stays fast.

The page is parsed once (trafilatura's own loader) and that tree feeds everything:

1. trafilatura in precision mode, comments excluded ("trafilatura"), and its metadata
   pass for the fields a Source keeps (title, author, url, site, date);
2. only when that yields almost nothing, trafilatura's balanced mode on the same tree,
   which adds its baseline rescue and recall escalation ("trafilatura");
3. when that is still short, the text of the largest ``<article>``/``<main>`` if it is
   longer ("article-tag"): explicit markup beats a scrap of navigation text;
4. when there is no text yet, the visible body text without nav/header/footer/aside/
   script/style ("body-text"). Any text at all on the page is returned.

The trafilatura text is then pruned of generic boilerplate lines (a leading copy of the
title, "Read more: ..." links to other stories, share/follow/newsletter prompts, lone
comment counters). Thresholds were chosen on the aeb-dev pages (/work/shared/aeb-dev), the
only labelled set we have; ``python scripts/aeb_score.py`` measures them.
"""

import hashlib
import logging
import re
from collections import Counter
from datetime import date

import trafilatura
from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement, HTMLParser, document_fromstring
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_domain,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document

from models.article import Article, Source, TextMethod
from models.page import Page
from pipeline.budget import check_markup, check_tree
from pipeline.errors import CleanError
from pipeline.links import extract_links, line_key, line_words

logger = logging.getLogger(__name__)

# Below this many characters the precision-mode text is treated as a miss: the balanced pass
# runs, then the <article>/<main> text is compared. 250 is trafilatura's own
# MIN_EXTRACTED_SIZE, the size under which it starts its rescue cascade; on aeb-dev the
# shortest precision-mode text is 367 characters, so neither runs on any of the 88 pages and
# they cost nothing on ordinary articles.
RESCUE_MIN_CHARS = 250

# Tags whose text is never article text in the tag fallbacks.
SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "head", "title", "iframe", "button",
     "select", "form", "nav", "header", "footer", "aside"}
)  # fmt: skip
# Tags that start a new paragraph in the tag fallbacks.
BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
     "table", "tr", "blockquote", "pre", "section", "article", "main", "figure", "figcaption",
     "hr", "address", "details", "summary"}
)  # fmt: skip

# Boilerplate lines are only dropped when they have at most this many words (split on
# whitespace): a real paragraph that happens to start with "Related" is longer. Swept on
# aeb-dev: 20/25/30/35/40/50 words gave F1 0.9765/0.9768/0.9768/0.9775/0.9775/0.9775 (a
# newsletter pitch of 33 words is the last line gained) and dropped no true line at any
# value; 40 leaves a margin above 35.
BOILERPLATE_MAX_WORDS = 40

# Lines that point at other stories: "Read more: <headline>", "Related: ...", "See also ...",
# "Also on example.com ...", "You may also like ...". Anchored at the line start.
LINK_LINE_RE = re.compile(
    r"^\W*(read more|read also|related( posts?| stories| articles| coverage)?|see also|see more"
    r"|also on \S+|also read|more on this|you may also like|you might also like"
    r"|recommended( for you)?|most (popular|read)|don'?t miss)\b\s*[:.…|-]",
    re.IGNORECASE,
)
# Prompts to share, follow, subscribe or sign up, anywhere in a short line. Narrow on
# purpose: "sign up for" alone also occurs in article sentences (aeb-dev page 287e4d9f).
PROMPT_LINE_RE = re.compile(
    r"\b(?:share (?:this|it|the) (?:story|article|post)\b|share it with\b"
    r"|follow (?:us|\w+) on (?:twitter|facebook|instagram|linkedin|youtube|tiktok|telegram)\b"
    r"|(?:subscribe|sign up)\b[^.]{0,80}\bnewsletters?\b"
    r"|(?:delivered|straight|right) (?:to|in|into) your inbox\b)"
    r"|^[^.]{0,40}\bnewsletters?\W*$",
    re.IGNORECASE,
)
# Whole lines that are widget labels: a comment counter, "Advertisement", "Comments".
LABEL_LINE_RE = re.compile(
    r"^\W*(\d*\s*comments?|advertisement|leave a (comment|reply)|share this( article| story)?"
    r"|print|email)\W*$",
    re.IGNORECASE,
)

# A body split over several containers of the same class (ad slots between them) loses every
# part but one in trafilatura. The body container is the <p> parent holding the most extracted
# text; a later element with its exact tag and class is appended when its new <p> text has at
# least this many words. On aeb-dev 10 pages have such same-class body containers: 9 add 0
# new words (trafilatura already had every part), the one split body (2f42ef1d) adds 715; 50
# sits far from both.
CONTINUATION_MIN_WORDS = 50
# trafilatura's fast mode skips its readability/jusText comparison on every page; on
# aeb-dev it costs 0.0002 F1 (0.9775 -> 0.9773) and saves 24% of the clean time
# (2.55 -> 1.94 s for the 88 pages). Pages where the fast pass finds little still get
# the full cascade in the rescue pass below.
FAST_FIRST = True
# ... and when at most this share of those words sits inside links: teaser cards that reuse
# the body's class are mostly links, while the two parts of the split body on aeb-dev have 4%
# and 7% of their words in links.
CONTINUATION_MAX_LINK_SHARE = 0.5

SPACES_RE = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
LANG_RE = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*$")


def clean_html(html: str, *, page: Page, encoding: str) -> Article:
    """decoded page HTML -> Article, raises CleanError (clean.no_text, clean.parse)."""
    if not html.strip():
        raise CleanError("clean.no_text", "the page is empty", input=page.input)
    check_markup(html, input=page.input)  # the page budget: no tree for a page over it
    tree = _parse(html, page)
    check_tree(tree, input=page.input)  # ... and trafilatura never sees one
    meta = _metadata(tree, page.url)
    body = _trafilatura(tree, page.url or meta.url)
    text = ""
    method: TextMethod = "trafilatura"
    if body:
        text = _normalize(body)
        text = _prune_boilerplate(_add_continuations(tree, text), title=meta.title)
    if len(text) < RESCUE_MIN_CHARS:
        # trafilatura barely found anything: trust <article>/<main> markup when it holds more
        tagged = _tag_text(tree)
        if len(tagged) > len(text):
            text, method = tagged, "article-tag"
    if not text:
        text, method = _block_text(_body(tree)), "body-text"
    if not text:
        raise CleanError("clean.no_text", "no article text found in the page", input=page.input)
    source = _source(meta, page)
    return Article(
        source=source,
        text=text,
        language=_language(tree),
        method=method,
        encoding=encoding,
        links=extract_links(tree, text, base_url=source.url),
    )


def _parse(html: str, page: Page) -> HtmlElement:
    """decoded HTML -> lxml tree, raises CleanError(clean.parse)."""
    try:
        tree = trafilatura.load_html(html)
        if tree is None:
            # trafilatura rejects fragments ("<p>x</p>" alone); lxml still reads them
            tree = document_fromstring(html, parser=HTMLParser(remove_comments=True))
    except (etree.LxmlError, ValueError, RecursionError) as err:
        raise CleanError(
            "clean.parse", f"HTML could not be parsed: {err}", input=page.input
        ) from err
    return tree


def _trafilatura(tree: HtmlElement, url: str | None) -> str | None:
    """parsed page -> trafilatura's text, None when it finds none."""
    document = _bare(tree, url, favor_precision=True, fast=FAST_FIRST)
    text = document.text if document is not None else None
    if text and len(text) >= RESCUE_MIN_CHARS:
        return text
    # precision mode skips trafilatura's rescue cascade; run it only for these few pages
    rescue = _bare(tree, url, favor_precision=False, fast=False)
    if rescue is not None and len(rescue.text or "") > len(text or ""):
        return rescue.text
    return text


def _bare(
    tree: HtmlElement,
    url: str | None,
    *,
    favor_precision: bool,
    fast: bool,
) -> Document | None:
    """parsed page -> one trafilatura bare extraction (text only), None on no text or a parser
    failure."""
    try:
        result = trafilatura.bare_extraction(
            tree,
            url=url,
            favor_precision=favor_precision,
            include_comments=False,  # reader comments are not the article
            include_tables=True,  # aeb-dev: dropping tables cost 0.009 F1 (0.9691 -> 0.9602)
            with_metadata=False,  # read once by _metadata, for both passes
            fast=fast,
        )
    except (etree.LxmlError, RecursionError):
        # pathological markup (deep nesting, huge trees): the tag fallbacks take over
        return None
    return result if isinstance(result, Document) else None


def _metadata(tree: HtmlElement, url: str | None) -> Document:
    """parsed page -> trafilatura's metadata for the fields a Source keeps.

    These are trafilatura.extract_metadata's own steps, in its order, without the three no
    record uses (categories, tags, licence): on aeb-dev those took 3.0 of its 5.1 ms per
    page. tests/test_clean.py holds the result equal to extract_metadata's on every field
    kept, so a trafilatura release that changes the steps fails there. Never raises: a
    failing step leaves its field empty."""
    meta = Document()
    try:
        meta = examine_meta(tree)
        if meta.author and " " not in meta.author:
            meta.author = None  # a one-word author meta is a handle or a site name
        try:
            meta = extract_meta_json(tree, meta)
        except Exception as err:  # noqa: BLE001 (trafilatura's own guard: JSON-LD is often broken)
            logger.debug("JSON-LD metadata skipped: %s: %s", type(err).__name__, err)
        meta.title = meta.title or extract_title(tree)
        meta.author = meta.author or extract_author(tree)
        meta.url = meta.url or extract_url(tree, url)
        if meta.url:
            meta.hostname = extract_domain(meta.url, fast=True)
        # dates from the page's markup only: a free-text search takes "IT Act, 2000" for a
        # publish date, and relative periods are resolved against it
        meta.date = find_date(tree, url=meta.url, extensive_search=False, original_date=True)
        meta.sitename = meta.sitename or extract_sitename(tree)
        if meta.sitename:
            meta.sitename = meta.sitename.lstrip("@")
            if "." not in meta.sitename and not meta.sitename[:1].isupper():
                meta.sitename = meta.sitename.title()
        elif meta.url and (match := META_URL.match(meta.url)):
            meta.sitename = match[1]
        meta.clean_and_trim()
    except (etree.LxmlError, RecursionError, ValueError, TypeError) as err:  # as bare_extraction
        logger.debug("metadata pass stopped: %s: %s", type(err).__name__, err)
    return meta


def _normalize(text: str) -> str:
    """raw extracted text -> one paragraph per line, inner whitespace collapsed, no blanks."""
    lines = (SPACES_RE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _is_boilerplate(line: str) -> bool:
    """one text line -> whether it is a generic boilerplate line (link, prompt, label)."""
    if len(line.split()) > BOILERPLATE_MAX_WORDS:
        return False
    return bool(
        LINK_LINE_RE.search(line) or LABEL_LINE_RE.search(line) or PROMPT_LINE_RE.search(line)
    )


def _prune_boilerplate(text: str, *, title: str | None) -> str:
    """normalized text -> the same without a leading title copy and boilerplate lines."""
    lines = text.split("\n")
    if title and lines and line_words(lines[0]) == line_words(title):
        lines = lines[1:]
    return "\n".join(line for line in lines if not _is_boilerplate(line))


def _add_continuations(tree: HtmlElement, text: str) -> str:
    """parsed page + extracted text -> text plus later same-class body containers' paragraphs."""
    holders: dict[HtmlElement, list[HtmlElement]] = {}  # paragraph parents, in document order
    for para in tree.iter("p"):
        parent = para.getparent()
        if parent is not None:
            holders.setdefault(parent, []).append(para)
    shapes = Counter((el.tag, el.get("class")) for el in holders if el.get("class"))
    if all(count < 2 for count in shapes.values()):
        return text  # the usual page: no two paragraph holders share a class, nothing to join
    have = {line_key(line) for line in text.split("\n")}

    def extracted(holder: HtmlElement) -> int:
        return sum(len(k) for p in holders[holder] if (k := line_key(p.text_content())) in have)

    body = max(holders, key=extracted)
    shape = (body.tag, body.get("class"))
    if shape[1] is None or shapes[shape] < 2 or extracted(body) == 0:
        return text
    added: list[str] = []
    after = False
    for holder, paras in holders.items():
        if holder is body:
            after = True
        elif after and (holder.tag, holder.get("class")) == shape and not _in_skipped(holder):
            lines = [line for p in paras if (line := _block_text(p)) and line_key(line) not in have]
            words = sum(len(line_words(line)) for line in lines)
            linked = sum(len(line_words(a.text_content())) for p in paras for a in p.iter("a"))
            if words >= CONTINUATION_MIN_WORDS and linked <= CONTINUATION_MAX_LINK_SHARE * words:
                added.extend(lines)
    return "\n".join([text, *added]) if added else text


def _in_skipped(element: HtmlElement) -> bool:
    """element -> whether it sits inside a nav/header/footer/aside/... subtree."""
    return any(ancestor.tag in SKIP_TAGS for ancestor in element.iterancestors())


def _block_text(root: HtmlElement) -> str:
    """element -> its visible text, one block per line, skipping SKIP_TAGS subtrees."""
    parts: list[str] = []
    # iterwalk, not recursion: survives the deepest tree lxml will build
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in SKIP_TAGS or not tag:
                if element is not root and element.tail:
                    parts.append(element.tail)  # the tail lies outside the skipped subtree
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if element.text:
                parts.append(element.text)
        else:
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if element is not root and element.tail:
                parts.append(element.tail)
    return _normalize("".join(parts))


def _tag_text(tree: HtmlElement) -> str:
    """parsed page -> text of its largest <article> or <main> element ('' when none)."""
    return max((_block_text(el) for el in tree.iter("article", "main")), key=len, default="")


def _body(tree: HtmlElement) -> HtmlElement:
    """parsed page -> its <body>, else the whole tree."""
    body = tree.find(".//body")
    return body if body is not None else tree


def _published(value: str | None) -> date | None:
    """trafilatura's date string (YYYY-MM-DD...) -> date, None when absent or malformed."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _source(meta: Document, page: Page) -> Source:
    """trafilatura metadata + page provenance -> Source."""
    return Source(
        url=page.url or meta.url or None,
        path=page.path,
        title=meta.title or None,
        site=meta.sitename or meta.hostname or None,
        author=meta.author or None,
        published=_published(meta.date),
        fetched_at=page.fetched_at,
        sha256=hashlib.sha256(page.body).hexdigest(),
    )


def _language(tree: HtmlElement) -> str | None:
    """the <html lang> primary subtag lower-cased, else None (trafilatura's metadata has no
    language; its own detection needs a target language and an optional package)."""
    root = tree.getroottree().getroot()
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    match = LANG_RE.match(lang.strip())
    return match.group(1).lower() if match else None
