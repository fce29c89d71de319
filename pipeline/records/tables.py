"""Report tables: '| Romania | 27,217 | 70,892 | Run from Romania ... |', one network a row.

The header row names what each column counts ("Accounts in network", "China-linked
channels", "Followers") and whether the first column names the body that acted ("Issuing
body", "Authority"); each data row is kept with a count per counted column and its reach
figures until the table ends, when the builder turns the rows into records under the
takedown verb of the text above the table.
"""

import re
from dataclasses import dataclass, field

from spacy.tokens import Span

from pipeline.claims import Claim
from pipeline.records.context import Context, claims_in
from pipeline.words import words

MIN_BARE_ROW_BARS = 1  # "Issuing body | Websites": a bar inside a line makes a row
ACTOR_HEADERS = words("table_actor_headers")
OTHER_COUNT_HEADERS = words("table_other_count_headers")


@dataclass(frozen=True)
class Column:
    """A counted column: its position, the kind it counts and the header's characters."""

    index: int
    kind: str
    header: tuple[int, int]  # character offsets of the header cell ("China-linked channels")


@dataclass(frozen=True)
class Row:
    """One count of a data row."""

    sent: Span  # the row's sentence
    target: Claim  # its count, of the column's kind
    reach: list[tuple[Claim, str]]  # reach figures of the row, with their metrics
    end: int  # token end of the row
    header: tuple[int, int]  # character offsets of the column's header cell
    label: tuple[int, int]  # character offsets of the row's first cell ("April", "Romania")
    body: tuple[int, int] | None  # the first cell again when it names who acted


@dataclass
class TableReader:
    """The table being read: its columns once the header is seen, and its rows."""

    columns: list[Column] | None = None
    reach_columns: list[tuple[int, str]] = field(default_factory=list)
    names_bodies: bool = False  # the first column names the body that acted
    rows: list[Row] = field(default_factory=list)

    @staticmethod
    def is_row(line: str) -> bool:
        """Is a line a table row: '| a | b |', or 'a | b | c' with no leading bar?"""
        line = line.strip()
        return line.startswith("|") or line.count(" | ") >= MIN_BARE_ROW_BARS

    @property
    def open(self) -> bool:
        return self.columns is not None

    def take_rows(self) -> list[Row]:
        """The table ends: hand over its rows and forget its columns."""
        rows, self.rows, self.columns = self.rows, [], None
        self.reach_columns, self.names_bodies = [], False
        return rows

    def read_row(self, ctx: Context, sent: Span) -> None:
        """A header or data row of a table."""
        line_end = ctx.text.find("\n", sent.start_char)
        line_end = len(ctx.text) if line_end < 0 else line_end
        cells: list[tuple[int, int]] = []
        pos = ctx.text.index("|", sent.start_char)
        if ctx.text[sent.start_char : pos].strip():
            # "Internal | 27,217 | ...": a row written without its leading bar
            cells.append((sent.start_char, pos))
        while True:
            nxt = ctx.text.find("|", pos + 1, line_end)
            if nxt < 0:
                if ctx.text[pos + 1 : line_end].strip():
                    cells.append((pos + 1, line_end))  # "a | b | c": no closing bar
                break
            cells.append((pos + 1, nxt))
            pos = nxt
        texts = [ctx.text[a:b].strip().lower() for a, b in cells]
        if all(set(t) <= set("-: ") for t in texts):
            return  # the |---|---| separator
        if self.columns is None:
            self._read_header(ctx, cells, texts)
        else:
            self._read_data(ctx, sent, cells, line_end)

    def _read_header(self, ctx: Context, cells: list[tuple[int, int]], texts: list[str]) -> None:
        """'Month | China-linked channels | Russia-linked channels', 'Issuing body | Domains':
        what each column counts."""
        self.columns = []
        for n, text in enumerate(texts):
            found = re.findall(r"[a-z]+", text)
            kinds = [ctx.lexicon.unit_kinds[w] for w in found if w in ctx.lexicon.unit_kinds]
            told_apart = bool(set(found) & OTHER_COUNT_HEADERS)  # "Tweets archived"
            if kinds and kinds[0] not in ctx.lexicon.non_target_kinds and n > 0 and not told_apart:
                self.columns.append(Column(n, kinds[0], cells[n]))
            elif any(w in ("followers", "subscribers") for w in found):
                self.reach_columns.append((n, "followers"))
            elif any(w == "members" for w in found):
                self.reach_columns.append((n, "group_members"))
        self.names_bodies = bool(texts) and bool(set(texts[0].split()) & ACTOR_HEADERS)

    def _read_data(
        self, ctx: Context, sent: Span, cells: list[tuple[int, int]], line_end: int
    ) -> None:
        """'| July | 2,497 | 3,286 |': a count per counted column of the header."""
        doc = ctx.doc
        row = doc.char_span(cells[0][0], line_end, alignment_mode="expand")
        end = row.end if row is not None else sent.end
        reach = []
        for column, metric in self.reach_columns:
            if column < len(cells):
                a, b = cells[column]
                reach += [(c, metric) for c in _claims_in_cell(ctx, a, b)]
        body = cells[0] if self.names_bodies else None
        for col in self.columns or []:
            if col.index >= len(cells):
                continue
            a, b = cells[col.index]
            counts = [c for c in _claims_in_cell(ctx, a, b) if c.value]
            if not counts:
                continue  # "| August | 2,533 | - |": nothing in this column
            target = counts[0].counted_as(col.kind, unit=col.kind, rule="target-table-column")
            self.rows.append(Row(sent, target, reach, end, col.header, cells[0], body))
            reach = []  # reach figures go with the row's first count


def _claims_in_cell(ctx: Context, start: int, end: int) -> list[Claim]:
    """Claims whose number starts in the characters [start, end) of one table cell."""
    span = ctx.doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return []
    doc = ctx.doc
    return [
        c
        for c in claims_in(ctx.claims, span.start, span.end)
        if start <= doc[c.num_start].idx < end
    ]


def holds_rows(text: str) -> bool:
    """Does a text hold a line the table reader takes for a row?"""
    return "|" in text and any(TableReader.is_row(line) for line in text.split("\n"))
