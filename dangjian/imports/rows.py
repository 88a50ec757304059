"""Reading the cells of an uploaded sheet: the columns an importer declares, each cell checked on
its own (in memory), and every problem kept at its row and column for the error report."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from dangjian.core.text import mask_mobile
from dangjian.core.validators import mask_citizen_id, validate_citizen_id, validate_credit_code, validate_mobile

from .workbook import compact, parse_date, text

EXAMPLE_MARK = "【示例】"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    kind: str = "text"  # text | date | int | citizen_id | mobile | credit_code | list
    width: int = 14
    aliases: tuple[str, ...] = ()
    examples: tuple[Any, Any] = ("", "")
    in_template: bool = True  # the record code comes from our exports, not the blank template

    @property
    def personal(self) -> str:
        return self.kind if self.kind in {"citizen_id", "mobile"} else ""

    def mask(self, value: Any) -> str:
        shown = text(value)
        if self.kind == "citizen_id":
            return mask_citizen_id(shown)
        if self.kind == "mobile":
            return mask_mobile(shown)
        return shown[:100]


def normalize_header(value: Any) -> str:
    out = compact(value)
    for mark in ("*", "＊", "（必填）", "(必填)", "（选填）", "(选填)"):
        out = out.replace(mark, "")
    return out


# -- errors ---------------------------------------------------------------------------------------
@dataclass
class Problem:
    row: int
    column_index: int  # 0-based position in the sheet; -1 for the whole row or file
    column_name: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": get_column_letter(self.column_index + 1) if self.column_index >= 0 else "",
            "column_name": self.column_name,
            "value": self.value,
            "message": self.message,
        }


class Problems:
    """Every problem found, by row and column. All are counted; the caller stores the first ones."""

    def __init__(self, columns: dict[str, Column]):
        self.columns = columns
        self.positions: dict[str, int] = {}
        self.items: list[Problem] = []
        self.bad_rows: set[int] = set()

    def add(self, row: int, key: str | None, value: Any, message: str) -> None:
        column = self.columns.get(key or "")
        self.items.append(
            Problem(
                row=row,
                column_index=self.positions.get(key or "", -1),
                column_name=column.header if column else "",
                value=column.mask(value) if column else text(value)[:100],
                message=message,
            )
        )
        self.bad_rows.add(row)

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: (p.row, p.column_index))


class RowReader:
    """Reads and validates the cells of one row; every problem goes to `problems` at its column."""

    def __init__(
        self,
        row: int,
        cells: dict[str, Any],
        problems: Problems,
        columns: dict[str, Column],
        today: datetime.date,
        keep_masked: bool = False,
    ):
        self.row, self.cells, self.problems, self.columns, self.today = row, cells, problems, columns, today
        self.keep_masked = keep_masked

    def masked(self, key: str) -> bool:
        """In update mode, a cell our export masked (110105********002X) means "leave it as it is"."""
        return self.keep_masked and "*" in text(self.cells.get(key))

    def error(self, key: str, message: str) -> None:
        self.problems.add(self.row, key, self.cells.get(key), message)

    def raw(self, key: str) -> Any:
        return self.cells.get(key)

    def blank(self, key: str) -> bool:
        value = self.cells.get(key)
        return value is None or (isinstance(value, str) and not value.strip())  # is_blank, inlined

    def _required(self, key: str) -> bool:
        """True when the cell is empty (and reports it if the column is required)."""
        value = self.cells.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if self.columns[key].required:
                self.error(key, _("「%(col)s」必填。") % {"col": self.columns[key].header})
            return True
        return False

    def text(self, key: str, *, max_length: int) -> str:
        if self._required(key):
            return ""
        value = text(self.cells[key])
        if len(value) > max_length:
            self.error(key, _("不能超过 %(n)s 个字（现有 %(m)s 个）。") % {"n": max_length, "m": len(value)})
            return ""
        return value

    def name(self, key: str, *, max_length: int) -> str:
        """A name of a person or a place: spaces inside are typing slips and are dropped."""
        value = self.text(key, max_length=max_length * 2)
        value = compact(value)
        if len(value) > max_length:
            self.error(key, _("不能超过 %(n)s 个字（现有 %(m)s 个）。") % {"n": max_length, "m": len(value)})
            return ""
        return value

    def date(self, key: str) -> datetime.date | None:
        if self._required(key):
            return None
        try:
            value = parse_date(self.cells[key])
        except ValueError as exc:
            self.error(key, str(exc))
            return None
        if value > self.today:
            self.error(key, _("日期 %(d)s 晚于今天。") % {"d": value.isoformat()})
            return None
        if value.year < 1900:
            self.error(key, _("日期 %(d)s 不合理。") % {"d": value.isoformat()})
            return None
        return value

    def choice(self, key: str, mapping: Mapping[str, str]) -> str:
        if self._required(key):
            return ""
        value = compact(self.cells[key])
        if value not in mapping:
            allowed = "、".join(self.columns[key].choices)
            self.error(key, _("「%(v)s」不是允许的值，应为：%(allowed)s。") % {"v": value, "allowed": allowed})
            return ""
        return mapping[value]

    def number_stored_text(self, key: str) -> bool:
        """Long codes typed into a number cell lose their last digits in Excel: refuse them."""
        value = self.cells.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and len(str(int(value))) > 15:
            self.error(
                key,
                _("%(what)s被 Excel 存成了数字，末几位可能已丢失。请把该列设为“文本”格式后重新填写。")
                % {"what": self.columns[key].header},
            )
            return True
        return False

    def citizen_id(self, key: str) -> str | None:
        """The checked number; None for a masked cell kept in update mode."""
        if self.masked(key):
            return None
        if self._required(key) or self.number_stored_text(key):
            return ""
        try:
            return validate_citizen_id(compact(self.cells[key]), today=self.today)
        except ValidationError as exc:
            self.error(key, exc.messages[0])
            return ""

    def mobile(self, key: str) -> str | None:
        """The checked number; None for a masked cell kept in update mode."""
        if self.masked(key):
            return None
        if self._required(key):
            return ""
        try:
            return validate_mobile(compact(self.cells[key]))
        except ValidationError as exc:
            self.error(key, exc.messages[0])
            return ""

    def credit_code(self, key: str) -> str:
        if self._required(key) or self.number_stored_text(key):
            return ""
        try:
            return validate_credit_code(compact(self.cells[key]))
        except ValidationError as exc:
            self.error(key, exc.messages[0])
            return ""

    def integer(self, key: str, *, default: int = 0, maximum: int = 10_000_000) -> int:
        if self._required(key):
            return default
        value = self.cells[key]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raw = compact(value).replace(",", "").replace("，", "")
            if not raw.isdigit():
                self.error(key, _("应为不小于 0 的整数。"))
                return default
            value = int(raw)
        if value < 0 or value > maximum:
            self.error(key, _("应为 0 到 %(max)s 之间的整数。") % {"max": maximum})
            return default
        return value
