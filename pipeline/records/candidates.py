"""Candidate sentences and their parse: the trained pipeline runs only where it can pay off.

Every page gets the blank English tokenizer and the cheap cue scan. Only an article with a
takedown verb somewhere has candidates: its sentences with a takedown verb, a counted
asset ("453 Facebook accounts") or a make-up cue ("consisted of"). Those, and only those,
go through spaCy's trained English pipeline (tagger, dependency parser); its entity
recogniser, nearly half the cost, runs later on the one sentence whose subject needs it.

Each candidate sentence is parsed as a Doc of its own built from the blank Doc's tokens,
so token ``i`` of the parse is token ``sentence.start + i`` of the article: the rules
read both without any alignment step.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import spacy
import srsly
from spacy.language import Language
from spacy.matcher import DependencyMatcher
from spacy.tokens import Doc, Span, Token

from pipeline.claims import Claim
from pipeline.data import PATTERNS_DIR
from pipeline.errors import ExtractError
from pipeline.model import ModelMissingError, check_model, model_name, not_installed
from pipeline.nlp import Cue
from pipeline.words import words

MODEL_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner")
CANDIDATE_LABELS = frozenset({"ACTION", "COMPOSE"})
# kinds whose words are everyday nouns ("three groups", "two events", "14 districts"): a
# count of them makes an article worth parsing only next to a takedown verb
GENERIC_KINDS = words("generic_asset_kinds")
# subjects, and the objects whose list a misparsed apposition continues
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
OBJECT_DEPS = frozenset({"dobj", "attr", "oprd"})
PARSE_BATCH = 32  # sentences per nlp.pipe batch: the measured speed levels off above 16


def load_trained(name: str | None = None) -> Language:
    """Package name -> loaded trained pipeline; raises ModelMissingError naming the fix."""
    name = name or model_name()
    check_model(name)
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise not_installed(name) from exc
    missing = [c for c in MODEL_COMPONENTS if c not in nlp.pipe_names]
    if missing:
        raise ModelMissingError(f"spaCy pipeline {name!r} lacks {', '.join(missing)}")
    return nlp


@dataclass
class Parses:
    """The parse of an article's candidate sentences, keyed by the blank Doc's tokens, and
    the relations the structure patterns read off it."""

    docs: dict[int, Doc] = field(default_factory=dict)  # sentence start -> parsed Doc
    starts: list[int] = field(default_factory=list)  # sorted sentence starts
    # relation -> dependent token -> (its head, pattern id); blank-Doc token indices
    up: dict[str, dict[int, tuple[int, str]]] = field(default_factory=dict)
    # relation -> head token -> [(dependent, pattern id)]
    down: dict[str, dict[int, list[tuple[int, str]]]] = field(default_factory=dict)
    # the entity recogniser, run on a parsed sentence only when asked (``entities``)
    recognise: Callable[[Doc], Doc] | None = None

    def entities(self, doc: Doc) -> Doc:
        """A parsed sentence with its named entities set (once per sentence)."""
        if self.recognise is not None and not doc.user_data.get("ner"):
            self.recognise(doc)
            doc.user_data["ner"] = True
        return doc

    def head(self, tok: Token, relation: str) -> Token | None:
        """The token a parsed token depends on by a relation ("govern", "link", ...)."""
        found = self.up.get(relation, {}).get(self.index(tok))
        return None if found is None else tok.doc[found[0] - tok.doc.user_data["start"]]

    def dependents(self, tok: Token, relation: str) -> list[Token]:
        """The tokens that depend on a parsed token by a relation ("subject", ...)."""
        start = tok.doc.user_data["start"]
        found = self.down.get(relation, {}).get(self.index(tok), [])
        return [tok.doc[i - start] for i, _ in found]

    def token(self, i: int) -> Token | None:
        """Blank-Doc token index -> the parsed token, or None outside the candidates."""
        k = bisect_right(self.starts, i) - 1
        if k < 0:
            return None
        start = self.starts[k]
        doc = self.docs[start]
        return doc[i - start] if i - start < len(doc) else None

    def index(self, tok: Token) -> int:
        """A parsed token -> its index in the blank Doc."""
        return tok.doc.user_data["start"] + tok.i

    def parsed(self, sent: Span) -> bool:
        return sent.start in self.docs


def candidate_sentences(
    doc: Doc, cues: list[Cue], claims: list[Claim], asset_words: frozenset[str]
) -> list[Span]:
    """Sentences worth parsing: a takedown verb or make-up cue, or a counted asset, in an
    article that may hold a record: a takedown verb and a count it could take (a counted
    asset of a kind that names what takedowns take, anywhere; a count of any kind in a
    sentence with a takedown verb; a bare number there beside an asset word, "blocked
    websites ...: 2,310 were blocked in 2022"); ``asset_words`` are the one-word asset units
    (``Lexicon.unit_kinds``)."""
    acting = {doc[c.start].sent.start for c in cues if c.label == "ACTION"}
    if not acting:
        return []

    def holds(c: Claim) -> bool:
        if c.kind:
            return c.kind not in GENERIC_KINDS or doc[c.start].sent.start in acting
        if c.currency is not None or c.metric is not None or c.value is None:
            return False
        sent = doc[c.start].sent
        return sent.start in acting and any(t.lower_ in asset_words for t in sent)

    if not any(holds(c) for c in claims):
        return []
    starts = {doc[c.start].sent.start for c in cues if c.label in CANDIDATE_LABELS}
    starts |= {doc[c.start].sent.start for c in claims if c.kind}
    return [s for s in doc.sents if s.start in starts]


class Parser:
    """The trained pipeline and the structure patterns read with spaCy's DependencyMatcher
    (``patterns/structure.jsonl``: each names a relation between a "head" node and a "dep"
    node); one per worker process."""

    def __init__(self, trained: Language | None = None, patterns_dir: Path = PATTERNS_DIR):
        self.nlp = trained or load_trained()
        self.matcher = DependencyMatcher(self.nlp.vocab, validate=True)
        self.relation: dict[int, str] = {}  # match id -> relation
        self.ends: dict[int, tuple[int, int]] = {}  # match id -> node positions of head, dep
        for row in srsly.read_jsonl(patterns_dir / "structure.jsonl"):
            try:
                self.matcher.add(row["id"], [row["pattern"]])
            except (ValueError, KeyError) as exc:
                raise ExtractError(
                    "extract.patterns", f"structure.jsonl {row.get('id')}: {exc}"
                ) from exc
            names = [node["RIGHT_ID"] for node in row["pattern"]]
            key = self.nlp.vocab.strings[row["id"]]
            self.relation[key] = row["relation"]
            self.ends[key] = (names.index("head"), names.index("dep"))

    def parse(self, sentences: list[Span]) -> Parses:
        """Sentences of the blank Doc -> their parse and the relations in it."""
        parses = Parses(recognise=self.nlp.get_pipe("ner"))
        docs = []
        for sent in sentences:
            words = [t.text for t in sent]
            spaces = [bool(t.whitespace_) for t in sent]
            parsed = Doc(self.nlp.vocab, words=words, spaces=spaces)
            parsed.user_data["start"] = sent.start
            docs.append(parsed)
        for parsed in self.nlp.pipe(docs, batch_size=PARSE_BATCH, disable=["ner"]):
            start = parsed.user_data["start"]
            parses.docs[start] = parsed
            _repair_appositions(parsed)
            for key, tokens in self.matcher(parsed):
                relation = self.relation[key]
                h, d = self.ends[key]
                head, dep = start + tokens[h], start + tokens[d]
                rule = self.nlp.vocab.strings[key]
                parses.up.setdefault(relation, {})[dep] = (head, rule)
                parses.down.setdefault(relation, {}).setdefault(head, []).append((dep, rule))
        parses.starts = sorted(parses.docs)
        for found in parses.down.values():
            for deps in found.values():
                deps.sort()
        return parses


def _repair_appositions(parsed: Doc) -> None:
    """An apposition sits next to what it renames; one the parser hangs on the subject
    across the verb ("The company removed 32 Pages, 14 Facebook accounts and ...", with
    "accounts" an apposition of "company") is the next item of the verb's object list."""
    for tok in parsed:
        subject = tok.head
        verb = subject.head
        if tok.dep_ != "appos" or subject.dep_ not in SUBJECT_DEPS or verb is subject:
            continue
        if not subject.i < verb.i < tok.i:
            continue
        objects = [c for c in verb.children if c.dep_ in OBJECT_DEPS and c.i < tok.i]
        if objects:
            tok.head, tok.dep_ = objects[-1], "conj"
        else:
            tok.head, tok.dep_ = verb, "dobj"
