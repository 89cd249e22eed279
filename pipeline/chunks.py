"""Long texts in pieces the model can take, and their rows put back together.

spaCy refuses a text longer than `nlp.max_length` (E088) and the parser's memory grows with
the text, so an article longer than `[nlp] chunk_chars` is processed piece by piece: cut at a
paragraph end, else a sentence end, else a space, in the second half of the window. Every
row's `start_char`/`end_char` is shifted back into the whole article's text.
"""
from __future__ import annotations

from typing import Any

from pipeline.extract import Rows, add_mentions
from pipeline.offices import OfficeParser

CUTS = ("\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ")


def text_pieces(text: str, limit: int) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces of at most `limit` characters covering `text`."""
    pieces = []
    start = 0
    while len(text) - start > limit:
        end = start + limit
        cut = next((i + len(sep) for sep in CUTS if (i := text.rfind(sep, start + limit // 2, end)) != -1), end)
        pieces.append((start, cut))
        start = cut
    pieces.append((start, len(text)))
    return pieces


def _shifted(row: dict[str, Any], offset: int) -> dict[str, Any]:
    if offset and "start_char" in row:
        return {**row, "start_char": row["start_char"] + offset, "end_char": row["end_char"] + offset}
    return row


def merge_pieces(pieces: list[tuple[int, Rows]], offices: OfficeParser) -> Rows:
    """Rows of one article from the rows of its pieces, each given with its start offset.
    A person named in several pieces is one row, as for an article read whole; the office is
    read again from all the titles."""
    if len(pieces) == 1 and pieces[0][0] == 0:
        return pieces[0][1]
    merged: Rows = {}
    officials: dict[str, dict[str, Any]] = {}
    for offset, rows in pieces:
        for table, table_rows in rows.items():
            target = merged.setdefault(table, [])
            if table == "articles":
                # The first piece that tells the province speaks for the article.
                if not target or (target[0]["province_code"] is None and table_rows[0]["province_code"]):
                    target[:] = table_rows
            elif table == "officials":
                for row in table_rows:
                    if row["name_key"] in officials:
                        kept = officials[row["name_key"]]
                        add_mentions(kept, row["honorific"], row["titles"], row["n_mentions"])
                        kept["organization"], kept["level"] = offices(kept["titles"])
                    else:
                        officials[row["name_key"]] = _shifted(dict(row, titles=list(row["titles"])), offset)
                        target.append(officials[row["name_key"]])
            else:
                target.extend(_shifted(row, offset) for row in table_rows)
    return merged
