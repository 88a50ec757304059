"""Writing data into spreadsheet cells (openpyxl): text from data always stays text.

Spreadsheet programs read a cell that starts with = + - @ (or a tab or a carriage return) as a
formula, and openpyxl itself stores any string that starts with = as a live formula, so a name
or an uploaded value like `=HYPERLINK(...)` would come back as a link or a calculation. Every cell
the platform writes goes through `cell` (write-only sheets) or `put` (ordinary sheets): strings
are stored as text cells, and those that could be read as a formula also carry Excel's quote
prefix, so editing the cell in Excel or WPS keeps it text.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def plain(value: Any) -> Any:
    """A value openpyxl can store: local naive datetimes, lists and dicts as JSON text, lazy
    translations as their text, and no control characters that an .xlsx may not hold."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def as_text(target: Cell) -> Cell:
    """Store a string cell as text, never as a formula."""
    if isinstance(target.value, str):
        target.data_type = "s"
        if target.value.startswith(FORMULA_START):
            target.quotePrefix = True
    return target


def cell(ws: Any, value: Any) -> Cell:
    """A cell of a write-only sheet, for `ws.append`."""
    return as_text(WriteOnlyCell(ws, value=plain(value)))


def row(ws: Any, values: Iterable[Any]) -> list[Cell]:
    """A row of cells of a write-only sheet, for `ws.append`."""
    return [cell(ws, value) for value in values]


def put(ws: Any, *, row: int, column: int, value: Any) -> Cell:
    """Set one cell of an ordinary sheet; returns it for styling."""
    target = ws.cell(row=row, column=column)
    target.value = plain(value)
    return as_text(target)
