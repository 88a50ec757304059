"""The workbook reader gives the values openpyxl gives, for files as Excel and as openpyxl write them."""

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from dangjian.imports.workbook import Sheet, WorkbookError, parse_date, split_list, split_qualified, text, workbook_size

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


DEFAULT_ROWS = """
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>
<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" s="1"><v>38534</v></c><c r="C2" t="b"><v>1</v></c></row>
<row r="4"><c r="A4" t="s"><v>4</v></c><c r="C4"><f>1+1</f><v>2</v></c></row>
"""


def excel_style_file(*, dimension: str | None, rows: str | None = None) -> bytes:
    """A workbook as Excel writes it: a shared string table (one entry with rich text), a date
    cell by style, a boolean, a formula with its cached value, a missing row and a missing cell."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{NS}" xmlns:r="{REL}">{dim}<sheetData>{rows or DEFAULT_ROWS}</sheetData></worksheet>"""
    strings = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="{NS}" count="5" uniqueCount="5"><si><t>姓名</t></si><si><t>入党日期</t></si><si><t>备注</t></si>
<si><r><rPr><b/></rPr><t>张</t></r><r><t>三</t></r></si><si><t xml:space="preserve"> 李四 </t></si></sst>"""
    styles = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{NS}"><fonts count="1"><font/></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""
    workbook = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets><sheet name="党员" sheetId="1" r:id="rId1"/></sheets></workbook>"""
    rels = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/></Relationships>"""
    root_rels = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
 Target="xl/workbook.xml"/></Relationships>"""
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    types = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml" ContentType="{ct}.styles+xml"/></Types>"""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", strings)
        z.writestr("xl/styles.xml", styles)
    return out.getvalue()


def openpyxl_rows(content: bytes) -> list[tuple]:
    wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    ws = wb.worksheets[0]
    ws.reset_dimensions()
    rows = [tuple(v for v in row) for row in ws.iter_rows(values_only=True)]
    wb.close()
    return rows


def our_rows(content: bytes) -> list[tuple]:
    with Sheet(content, "党员") as sheet:
        return [values for _n, values in sheet.rows()]


def trimmed(rows):
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        out.append(tuple(row))
    return out


@pytest.mark.parametrize("dimension", ["A1:C4", None])
def test_an_excel_style_file_reads_as_openpyxl_reads_it(dimension):
    content = excel_style_file(dimension=dimension)
    ours = our_rows(content)
    assert ours == [
        ("姓名", "入党日期", "备注"),
        ("张三", datetime.datetime(2005, 7, 1), True),
        (),
        (" 李四 ", None, 2),
    ]
    assert trimmed(ours) == trimmed(openpyxl_rows(content))
    rows, xml_bytes = workbook_size(content, "党员")
    assert rows == (3 if dimension else None) and xml_bytes > 0


def test_cells_without_references_and_every_cell_type_read_as_openpyxl_reads_them():
    """Rows and cells without r="..." (some writers leave them out), a formula's text result, an error
    code, an ISO date cell, numbers with an exponent, a dated number with a fraction, an empty value."""
    rows = """
<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c></row>
<row><c t="str"><f>A1</f><v>姓名</v></c><c s="1"><v>38534.5</v></c><c t="e"><v>#DIV/0!</v></c></row>
<row r="5"><c r="B5" t="d"><v>2020-07-01T00:00:00</v></c><c r="C5"><v>1.5E3</v></c><c r="D5" t="s"/></row>
<row r="6"><c r="A6" t="inlineStr"><is><t>内联</t></is></c><c r="C6" t="b"><v>0</v></c></row>
<row r="7"><c r="A7" t="inlineStr"><is><r><t>张</t></r><r><t>三</t></r><rPh sb="0" eb="1"><t>zhang</t></rPh></is></c>\
<c r="B7" t="inlineStr"><is><t>李四</t><rPh sb="0" eb="1"><t>li</t></rPh></is></c>\
<c r="C7" t="inlineStr"><is/></c></row>
"""
    content = excel_style_file(dimension=None, rows=rows)
    ours = our_rows(content)
    assert ours == [
        ("姓名", "入党日期", "备注"),
        ("姓名", datetime.datetime(2005, 7, 1, 12), "#DIV/0!"),
        (),
        (),
        (None, datetime.datetime(2020, 7, 1), 1500.0),
        ("内联", None, False),
        ("张三", "李四", ""),  # runs joined, phonetic runs left out, an empty inline string
    ]
    assert trimmed(ours) == trimmed(openpyxl_rows(content))


def test_an_openpyxl_file_with_inline_rich_text_reads_as_openpyxl_reads_it():
    wb = Workbook()
    ws = wb.active
    ws.title = "党员"
    ws.append(["姓名", "日期", "数"])
    ws.append([CellRichText(TextBlock(InlineFont(b=True), "王"), "五"), datetime.date(2020, 7, 1), 3.5])
    ws.append(["  空格  ", None, 12])
    ws["E5"] = "跳过的行之后"
    out = io.BytesIO()
    wb.save(out)
    content = out.getvalue()
    assert trimmed(our_rows(content)) == trimmed(openpyxl_rows(content))
    assert our_rows(content)[1][0] == "王五"


def test_a_sheet_named_as_the_template_is_preferred_over_the_first():
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["这不是数据"])
    wb.create_sheet("党员").append(["姓名"])
    out = io.BytesIO()
    wb.save(out)
    with Sheet(out.getvalue(), "党员") as sheet:
        assert sheet.title == "党员" and [v for _n, v in sheet.rows()] == [("姓名",)]
    with Sheet(out.getvalue(), "居民") as sheet:
        assert sheet.title == "说明"


def test_what_is_not_a_workbook():
    for content in (b"", b"plain text", b"PK\x03\x04broken"):
        with pytest.raises(WorkbookError):
            Sheet(content, "党员")
    empty_zip = io.BytesIO()
    zipfile.ZipFile(empty_zip, "w").close()
    with pytest.raises(WorkbookError):
        Sheet(empty_zip.getvalue(), "党员")


def test_cell_values():
    assert text(1201.0) == "1201" and text(" 婆石\u3000社区 ") == "婆石 社区"
    assert text(datetime.datetime(2020, 7, 1)) == "2020-07-01"
    for raw in ("2020-07-01", "2020/7/1", "2020.7.1", "2020年7月1日", "20200701", 20200701, " 2020 / 07 / 01 "):
        assert parse_date(raw) == datetime.date(2020, 7, 1), raw
    for raw in ("2020-02-30", "七月一日", "2020-7", 45000.5):
        with pytest.raises(ValueError):
            parse_date(raw)
    assert split_qualified("拱北街道 / 婆石社区") == (["拱北街道"], "婆石社区")
    assert split_qualified("婆石社区") == ([], "婆石社区")
    assert split_list("独居老人、退役军人，残疾人; 留守儿童") == ["独居老人", "退役军人", "残疾人", "留守儿童"]
