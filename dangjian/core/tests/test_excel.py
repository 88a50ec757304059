"""Cells written from data stay text: no value comes back as a live formula."""

import datetime
import io
import zoneinfo

from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from dangjian.core import excel
from dangjian.core.testing import formula_cells

LOOKS_LIKE_FORMULAS = ['=HYPERLINK("http://example.com","点我")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]
# What comes back, up to the carriage return: openpyxl keeps it through lxml (a dependency since the
# cockpit's Word report) and reads it as a line feed through the standard library's XML.
READ_BACK = [value.replace("\r", "\n") for value in LOOKS_LIKE_FORMULAS]


def read_back(values: list) -> list:
    return [value.replace("\r", "\n") if isinstance(value, str) else value for value in values]


def save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_it_writes_formula_like_text_as_quoted_text_in_write_only_sheets():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    ws.append(excel.row(ws, [*LOOKS_LIKE_FORMULAS, "普通文字", 12, -5]))
    content = save(wb)
    assert formula_cells(content) == []
    cells = list(load_workbook(io.BytesIO(content))["数据"].iter_rows())[0]
    assert read_back([c.value for c in cells]) == [*READ_BACK, "普通文字", 12, -5]
    assert [c.quotePrefix for c in cells] == [True] * len(LOOKS_LIKE_FORMULAS) + [False, False, False]
    assert [c.data_type for c in cells[-2:]] == ["n", "n"]  # numbers stay numbers


def test_it_writes_formula_like_text_as_text_in_ordinary_sheets():
    wb = Workbook()
    ws = wb.active
    for index, value in enumerate(LOOKS_LIKE_FORMULAS, start=1):
        excel.put(ws, row=index, column=1, value=value)
    content = save(wb)
    assert formula_cells(content) == []
    assert read_back([c.value for (c,) in load_workbook(io.BytesIO(content)).active.iter_rows()]) == READ_BACK


def test_it_stores_local_times_json_and_lazy_text_and_drops_control_characters():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    moment = datetime.datetime(2026, 3, 1, 2, 30, tzinfo=datetime.UTC)
    ws.append(excel.row(ws, [moment, ["独居老人", "=1"], "甲\x01乙\x0b", gettext_lazy("非公企业")]))
    values = list(load_workbook(io.BytesIO(save(wb)))["数据"].iter_rows(values_only=True))[0]
    shanghai = moment.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert values == (shanghai, '["独居老人", "=1"]', "甲乙", "非公企业")
