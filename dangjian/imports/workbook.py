"""Reading uploaded workbooks row by row (openpyxl opens the package; the rows are read here) and normalizing
cell values."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any, cast
from xml.etree.ElementTree import Element, XMLPullParser

from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple, range_boundaries
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._reader import INLINE_STRING
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

TEXT_TAG = f"{{{SHEET_MAIN_NS}}}t"
RUN_TAG = f"{{{SHEET_MAIN_NS}}}r"
DIMENSION_TAG = f"{{{SHEET_MAIN_NS}}}dimension"
SHEET_DATA_TAG = f"{{{SHEET_MAIN_NS}}}sheetData"

# Separators a person may put between a qualifier and a name: 拱北街道/婆石社区.
QUALIFIER_SPLIT = re.compile(r"\s*[/／>＞]\s*")
SPACES = re.compile(r"[\s\u3000\u00a0]+")
DATE_PATTERNS = [
    re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


V_TAG = f"{{{SHEET_MAIN_NS}}}v"
ROW_TAG = f"{{{SHEET_MAIN_NS}}}row"
DIGITS = "0123456789"
READ_BYTES = 1 << 14


def _number(raw: str) -> int | float:
    """A number cell's text as openpyxl reads it: float when it has a point or an exponent."""
    return float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)


def _plain_inline(cell: Any) -> bool:
    """An inline string of one text and no runs (nothing to join, no phonetic run to leave out)."""
    return len(cell) == 1 and cell[0].tag == INLINE_STRING and len(cell[0]) == 1 and cell[0][0].tag == TEXT_TAG


class _RowReader:
    """The cells of a worksheet's XML, row by row, as openpyxl's read-only parser gives their values
    (data_only: a formula cell gives its cached value), without building a cell dict per cell.

    One `end` event per element from ElementTree's C parser; a row's cells are read when the row
    ends, and the row is cleared at once, so memory stays flat whatever the sheet's length. Values:
    shared and inline strings (rich-text runs joined, phonetic runs left out), numbers (int or
    float), dates by the cell's number format (openpyxl's own date styles and epoch), booleans,
    ISO dates (t="d") and error codes as text.
    """

    def __init__(self, source: Any, shared_strings: Any, *, epoch: Any, date_formats: set, timedelta_formats: set):
        self.source, self.shared_strings, self.epoch = source, shared_strings, epoch
        self.date_formats, self.timedelta_formats = date_formats, timedelta_formats
        self._columns: dict[str, int] = {}

    def _column(self, ref: str) -> int:
        letters = ref.rstrip(DIGITS)
        column = self._columns.get(letters)
        if column is None:
            column = self._columns[letters] = column_index_from_string(letters)
        return column

    def _value(self, cell: Any) -> Any:
        kind = cell.get("t")
        if kind == "inlineStr":
            child = cell.find(INLINE_STRING)
            if child is None:
                return None
            parts = []
            for part in child:
                if part.tag == TEXT_TAG:
                    parts.append(part.text or "")
                elif part.tag == RUN_TAG:
                    parts.append(part.findtext(TEXT_TAG) or "")
            return "".join(parts)
        raw = cell.findtext(V_TAG)
        if raw is None:
            return None
        if kind is None or kind == "n":
            value = _number(raw)
            style = cell.get("s")
            if style and int(style) in self.date_formats:
                try:
                    return from_excel(value, self.epoch, timedelta=int(style) in self.timedelta_formats)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return value
        if kind == "s":
            return self.shared_strings[int(raw)]
        if kind == "b":
            return bool(int(raw))
        if kind == "d":
            return from_ISO8601(raw)
        return raw  # "str" (a formula's text result), "e" (an error code)

    def _row(self, element: Any) -> list[Any]:
        values: list[Any] = []
        columns, shared = self._columns, self.shared_strings
        column = 0
        for cell in element:
            ref = cell.get("r")
            if ref:
                column = columns.get(ref.rstrip(DIGITS)) or self._column(ref)
            else:
                column += 1
            kind = cell.get("t")
            if kind == "s":  # the common case (Excel, WPS): a shared string, inline here
                raw = cell.findtext(V_TAG)
                value = shared[int(raw)] if raw is not None else None
            elif kind == "inlineStr" and _plain_inline(cell):  # openpyxl's files: <is><t>text</t></is>
                value = cell[0][0].text or ""
            else:
                value = self._value(cell)
            if value is None:
                continue
            if column > len(values):
                values.extend([None] * (column - len(values)))
            values[column - 1] = value
        return values

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        parser: XMLPullParser = XMLPullParser(events=("end",))
        number = 0
        done = False
        while not done:
            data = self.source.read(READ_BYTES)
            if data:
                parser.feed(data)
            else:
                parser.close()
                done = True
            for event in parser.read_events():
                _kind, element = cast(tuple[str, Element], event)
                if element.tag != ROW_TAG:
                    continue
                ref = element.get("r")
                number = int(ref) if ref else number + 1
                values = self._row(element)
                element.clear()
                yield number, values


class WorkbookError(Exception):
    """The upload is not a workbook that can be read; the message says why, in Chinese."""


class _CountingReader:
    """A file wrapper that counts the bytes read, for progress by position in the sheet's XML."""

    def __init__(self, source: Any):
        self.source, self.count = source, 0

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.count += len(data)
        return data


class Sheet:
    """One worksheet of an uploaded .xlsx, read once, row by row. Use as a context manager.

    The package is opened with openpyxl's reader (strings, styles for date cells, the sheet
    list) but no worksheet object is built: openpyxl's read-only worksheet looks for the
    declared size when it is created, which for a file that declares none means parsing the
    whole sheet an extra time.
    """

    def __init__(self, content: bytes, preferred_title: str):
        if content[:4] == b"\xd0\xcf\x11\xe0":  # the old binary .xls format
            raise WorkbookError(_("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为”.xlsx 格式后再上传。"))
        try:
            reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True)
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            sheets = [
                (sheet.name, rel.target)
                for sheet, rel in reader.parser.find_sheets()
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type
            ]
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError, SyntaxError) as exc:
            raise WorkbookError(_("无法读取该文件，请上传 Excel 工作簿（.xlsx）。")) from exc
        if not sheets:
            reader.archive.close()
            raise WorkbookError(_("工作簿里没有工作表。"))
        self.archive, self.workbook, self.shared_strings = reader.archive, reader.wb, reader.shared_strings
        self.title, self.path = next(((n, p) for n, p in sheets if n == preferred_title), sheets[0])
        self.xml_bytes = self.archive.getinfo(self.path).file_size  # uncompressed
        self._reader: _CountingReader | None = None
        # The size the file declares (may be missing or wrong): used only to decide where to work.
        self.declared_rows = self._declared_rows()

    def _declared_rows(self) -> int | None:
        with self.archive.open(self.path) as source:
            for _event, element in iterparse(source, events=("start",)):
                if element.tag == DIMENSION_TAG:
                    ref = element.get("ref", "")
                    try:
                        return range_boundaries(ref)[3] if ":" in ref else coordinate_to_tuple(ref)[0]
                    except (ValueError, TypeError):
                        return None
                if element.tag == SHEET_DATA_TAG:
                    return None
        return None

    @property
    def fraction_read(self) -> float:
        """How far through the sheet's XML the row reader is (0–1)."""
        return min(1.0, self._reader.count / self.xml_bytes) if self._reader and self.xml_bytes else 0.0

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(row number as Excel shows it, cell values) for every row, empty ones included.

        Every row in the file is read, whatever size the file declares (some writers declare a
        wrong one).
        """
        wb = self.workbook
        with self.archive.open(self.path) as raw:
            self._reader = _CountingReader(raw)
            reader = _RowReader(
                self._reader,
                self.shared_strings,
                epoch=wb.epoch,
                date_formats=wb._date_formats,
                timedelta_formats=wb._timedelta_formats,
            )
            expected = 1
            for number, values in reader.rows():
                while expected < number:  # rows the file leaves out are empty rows
                    yield expected, ()
                    expected += 1
                yield number, tuple(values)
                expected = number + 1

    def close(self) -> None:
        self.archive.close()

    def __enter__(self) -> Sheet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def workbook_size(content: bytes, preferred_title: str) -> tuple[int | None, int]:
    """(data rows the sheet declares, or None; bytes of its XML), without reading the rows."""
    with Sheet(content, preferred_title) as sheet:
        rows = max(0, sheet.declared_rows - 1) if sheet.declared_rows else None
        return rows, sheet.xml_bytes


# -- cell values ----------------------------------------------------------------------------------
def is_blank(value: Any) -> bool:
    # str.strip() and SPACES agree on what a space is (Unicode whitespace: \u3000, \u00a0 too).
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str:
    """A cell as trimmed text: 1201.0 → '1201', dates → '2020-07-01', inner runs of spaces → one."""
    if value is None:
        return ""
    if type(value) is str:
        return " ".join(value.split())  # as SPACES.sub(" ", value).strip(), in C
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
        return value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return SPACES.sub(" ", str(value)).strip()


def compact(value: Any) -> str:
    """Text with every space removed (codes, numbers, names where spaces are typing slips)."""
    return "".join(text(value).split())


def parse_date(value: Any) -> datetime.date:
    """An Excel date cell, or text like 2020-07-01, 2020/7/1, 2020.7.1, 2020年7月1日, 20200701."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raw = str(int(value)) if float(value).is_integer() else ""
    else:
        raw = text(value)
    for pattern in DATE_PATTERNS:
        match = pattern.match(raw)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return datetime.date(year, month, day)
            except ValueError:
                raise ValueError(_("日期「%(v)s」不存在。") % {"v": raw}) from None
    raise ValueError(_("日期格式无法识别，请写成 2020-07-01 或 2020/7/1，或使用 Excel 日期格式。"))


def split_qualified(value: str) -> tuple[list[str], str]:
    """'拱北街道/婆石社区' → (['拱北街道'], '婆石社区')."""
    parts = [part for part in QUALIFIER_SPLIT.split(value.strip()) if part]
    if not parts:
        return [], ""
    return parts[:-1], parts[-1]


def split_list(value: Any) -> list[str]:
    """'独居老人、退役军人' (also , ， ; ；or spaces) → ['独居老人', '退役军人']."""
    return [part for part in re.split(r"[、,，;；\s]+", text(value)) if part]
