"""Report tables: '| Romania | 27,217 | 70,892 | Run from Romania ... |', one network a row.

The header row names what a column counts ("Accounts in network", "Followers"); each data
row is kept with its asset count and reach figures until the table ends, when the builder
turns the rows into records under the takedown verb of the text above the table.
"""

import re
from dataclasses import dataclass, field

from spacy.tokens import Span

from pipeline.claims import Claim
from pipeline.records.context import Context

MIN_BARE_ROW_BARS = 2  # "Source | Accounts | Followers": two bars inside a line make a row

# (sentence of the row, its asset count, its reach figures with metrics, token end of the row)
Row = tuple[Span, Claim, list[tuple[Claim, str]], int]


@dataclass
class TableReader:
    """The table being read: its columns once the header is seen, and its rows."""

    table: tuple[tuple[int, str] | None, list[tuple[int, str]]] | None = None
    rows: list[Row] = field(default_factory=list)

    @staticmethod
    def is_row(line: str) -> bool:
        """Is a line a table row: '| a | b |', or 'a | b | c' with no leading bar?"""
        line = line.strip()
        return line.startswith("|") or line.count(" | ") >= MIN_BARE_ROW_BARS

    @property
    def open(self) -> bool:
        return self.table is not None

    def take_rows(self) -> list[Row]:
        """The table ends: hand over its rows and forget its columns."""
        rows, self.rows, self.table = self.rows, [], None
        return rows

    def read_row(self, ctx: Context, sent: Span) -> None:
        """'| Romania | 27,217 | 70,892 | Run from Romania ... |': one network per table row.

        The header row names what a column counts ("Accounts in network", "Followers");
        each data row becomes a record with the action and actor of the text above it."""
        doc = ctx.doc
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
                break
            cells.append((pos + 1, nxt))
            pos = nxt
        texts = [ctx.text[a:b].strip().lower() for a, b in cells]
        if all(set(t) <= set("-: ") for t in texts):
            return  # the |---|---| separator
        if self.table is None:
            asset = None
            reach: list[tuple[int, str]] = []
            for n, text in enumerate(texts):
                words = re.findall(r"[a-z]+", text)
                kinds = [ctx.lexicon.unit_kinds[w] for w in words if w in ctx.lexicon.unit_kinds]
                if asset is None and kinds and kinds[0] not in ctx.lexicon.non_target_kinds:
                    asset = (n, kinds[0])
                elif any(w in ("followers", "subscribers") for w in words):
                    reach.append((n, "followers"))
                elif any(w == "members" for w in words):
                    reach.append((n, "group_members"))
            self.table = (asset, reach)
            return
        asset, reach = self.table
        if asset is None or asset[0] >= len(cells):
            return
        column, kind = asset
        a, b = cells[column]
        counts = [c for c in ctx.claims if a <= doc[c.num_start].idx < b and c.value]
        if not counts:
            return
        found = counts[0]
        target = Claim(
            value=found.value,
            start=found.start,
            end=found.end,
            num_start=found.num_start,
            num_end=found.num_end,
            unit=kind,
            kind=kind,
            qualifier=found.qualifier,
            approximate=found.approximate,
            rules=["target-table-column"],
        )
        row = doc.char_span(cells[0][0], line_end, alignment_mode="expand")
        end = row.end if row is not None else sent.end
        row_reach = []
        for column, metric in reach:
            if column < len(cells):
                a, b = cells[column]
                row_reach += [(c, metric) for c in ctx.claims if a <= doc[c.num_start].idx < b]
        self.rows.append((sent, target, row_reach, end))
