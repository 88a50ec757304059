"""Workbooks the import writes: the template to fill in, and the error report of a check."""

from __future__ import annotations

import io
import tempfile
from collections import defaultdict
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from dangjian.core import excel

from .conf import setting
from .engine import Importer
from .rows import EXAMPLE_MARK, normalize_header
from .workbook import Sheet

RED = PatternFill("solid", fgColor="FDE2E1")
HEADER_REQUIRED = PatternFill("solid", fgColor="C8161D")
HEADER_OPTIONAL = PatternFill("solid", fgColor="5F6B76")
WHITE_BOLD = Font(bold=True, color="FFFFFF")
EXAMPLE_FONT = Font(italic=True, color="8A8F98")
TEMPLATE_ROWS = 5000  # rows that get the dropdowns and the text/date formats
TEXT_KINDS = {"citizen_id", "mobile", "credit_code"}
OPTIONS_SHEET = "可选值"
ERROR_HEADER = "错误"


def build_template(importer: Importer) -> bytes:
    """A workbook to fill in: the data sheet (headers, two marked examples), 填写说明, 可选值."""
    wb = Workbook()
    ws = wb.active
    ws.title = importer.title
    ws.freeze_panes = "A2"
    for index, column in enumerate(importer.template_columns, start=1):
        letter = get_column_letter(index)
        cell = excel.put(ws, row=1, column=index, value=column.header)
        cell.font = WHITE_BOLD
        cell.fill = HEADER_REQUIRED if column.required else HEADER_OPTIONAL
        cell.alignment = Alignment(horizontal="center")
        note = (_("必填。") if column.required else _("选填。")) + column.help
        cell.comment = Comment(note, "dangjian", width=260, height=90)
        ws.column_dimensions[letter].width = column.width + 4
        number_format = "@" if column.kind in TEXT_KINDS else ("yyyy-mm-dd" if column.kind == "date" else None)
        if number_format:
            ws.column_dimensions[letter].number_format = number_format
        for row, example in enumerate(column.examples, start=2):
            target = excel.put(ws, row=row, column=index, value=example if example != "" else None)
            target.font = EXAMPLE_FONT
            if number_format:
                target.number_format = number_format
        if column.choices:
            choices = DataValidation(
                type="list",
                formula1='"' + ",".join(column.choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=_("不是允许的值"),
                error=_("请从下拉列表中选择：%(v)s") % {"v": "、".join(column.choices)},
            )
            choices.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
            ws.add_data_validation(choices)

    _instructions_sheet(wb, importer)
    options = _options_sheet(wb, importer)
    for key, list_name in importer.template_dropdowns().items():
        where = options.get(list_name)
        if not where:
            continue
        index = next(i for i, c in enumerate(importer.template_columns, start=1) if c.key == key)
        letter = get_column_letter(index)
        col_letter, count = where
        # A helper, not a rule: qualified names (上级/名称) typed by hand stay allowed.
        dropdown = DataValidation(
            type="list",
            formula1=f"'{OPTIONS_SHEET}'!${col_letter}$2:${col_letter}${count + 1}",
            allow_blank=True,
            showErrorMessage=False,
        )
        dropdown.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
        ws.add_data_validation(dropdown)

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _options_sheet(wb: Workbook, importer: Importer) -> dict[str, tuple[str, int]]:
    """The 可选值 sheet; returns list name → (its column letter, how many values) for dropdowns."""
    lists = importer.template_options()
    if not lists:
        return {}
    ws = wb.create_sheet(OPTIONS_SHEET)
    limit = setting("IMPORT_TEMPLATE_OPTIONS")
    usable: dict[str, tuple[str, int]] = {}
    for index, (name, values) in enumerate(lists, start=1):
        letter = get_column_letter(index)
        truncated = len(values) > limit
        values = values[:limit]
        header = excel.put(ws, row=1, column=index, value=name)
        header.font = Font(bold=True)
        ws.column_dimensions[letter].width = 30
        for row, value in enumerate(values, start=2):
            excel.put(ws, row=row, column=index, value=value)
        if truncated:
            excel.put(
                ws, row=len(values) + 2, column=index, value=_("……仅列出前 %(n)s 个") % {"n": limit}
            ).font = EXAMPLE_FONT
        elif values:
            usable[name] = (letter, len(values))
    return usable


def _instructions_sheet(wb: Workbook, importer: Importer) -> None:
    ws = wb.create_sheet(_("填写说明"))
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 8
    ws.column_dimensions["C"].width = 70
    ws.column_dimensions["D"].width = 36
    general = [
        _("在“%(t)s”表中填写，每行一条。第一行是列名，请不要修改。") % {"t": importer.title},
        _("第一列以“%(m)s”开头的行是示例，导入时会被跳过；可以直接删除。") % {"m": EXAMPLE_MARK},
        _("上传后系统会先逐行检查并列出所有问题（按行号和列），确认无误后才会写入；写入时全部成功或全部不写入。"),
        _("日期可写成 2020-07-01、2020/7/1、2020年7月1日，或使用 Excel 日期格式。"),
        _("身份证号、手机号、信用代码请保持“文本”格式，否则 Excel 会丢失末几位。"),
        _("名称在您的管辖范围内查找；有重名时写成“上级名称/名称”，如“拱北街道/婆石社区”。"),
        *importer.notes(),
    ]
    excel.put(ws, row=1, column=1, value=_("填写说明")).font = Font(bold=True, size=14)
    row = 2
    for line in general:
        excel.put(ws, row=row, column=1, value=f"· {line}")
        row += 1
    row += 1
    for index, title in enumerate((_("列名"), _("必填"), _("格式与说明"), _("允许的值")), start=1):
        cell = excel.put(ws, row=row, column=index, value=title)
        cell.font = WHITE_BOLD
        cell.fill = HEADER_OPTIONAL
    for column in importer.columns:
        row += 1
        excel.put(ws, row=row, column=1, value=column.header)
        excel.put(ws, row=row, column=2, value=_("必填") if column.required else _("选填"))
        excel.put(ws, row=row, column=3, value=column.help).alignment = Alignment(wrap_text=True)
        excel.put(ws, row=row, column=4, value="、".join(column.choices))


def build_error_report(
    *, content: bytes, importer: Importer, errors: list[dict[str, Any]], header_row: int
) -> IO[bytes]:
    """The uploaded rows as they were, the cells with problems shaded, and a 错误 column.

    Uploading the corrected report again works: the 错误 column is ignored (and rewritten).
    A second sheet lists every problem. Written with write_only into a spooled temporary file.
    """
    by_row: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for problem in errors:
        by_row[int(problem["row"])].append(problem)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(importer.title)
    error_at: int | None = None
    with Sheet(content, importer.title) as sheet:
        for number, read in sheet.rows():
            values = list(read)
            if number == header_row:
                while values and values[-1] is None:
                    values.pop()
                names = [normalize_header(v) for v in values]
                error_at = names.index(ERROR_HEADER) if ERROR_HEADER in names else len(values)
            problems = by_row.get(number, [])
            if error_at is not None and number >= header_row:
                values.extend([None] * (error_at + 1 - len(values)))
                values[error_at] = ERROR_HEADER if number == header_row else None
            cells = []
            shaded = {column_index_from_string(p["column"]) - 1 for p in problems if p.get("column")}
            for index, value in enumerate(values):
                cell = excel.cell(ws, value)
                if number == header_row:
                    cell.font = Font(bold=True)
                elif index in shaded:
                    cell.fill = RED
                cells.append(cell)
            if problems:
                message = "；".join(_problem_text(p) for p in problems)
                if error_at is None or number <= header_row:
                    cells.append(excel.cell(ws, message))
                else:
                    cell = excel.cell(ws, message)
                    cell.font = Font(color="B42318")
                    cells[error_at] = cell
            ws.append(cells)
    listing = wb.create_sheet(_("错误清单"))
    listing.append(excel.row(listing, [_("行号"), _("列"), _("列名"), _("值"), _("问题")]))
    for problem in errors:
        listing.append(
            excel.row(
                listing,
                [problem["row"], problem["column"], problem["column_name"], problem["value"], problem["message"]],
            )
        )
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned to the caller, closed by the response
    wb.save(out)
    out.seek(0)
    return out


def _problem_text(problem: dict[str, Any]) -> str:
    where = f"{problem['column']}列（{problem['column_name']}）" if problem.get("column") else ""
    return f"{where}{problem['message']}"
