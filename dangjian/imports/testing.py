"""Helpers for the import and export tests of every app: workbooks built in memory, valid ID numbers
and credit codes, exported workbooks read back."""

import io

from openpyxl import Workbook, load_workbook

from dangjian.core.validators import citizen_id_check_char, credit_code_check_char

MEMBER_HEADER = [
    "姓名",
    "身份证号",
    "手机号",
    "党员类别",
    "入党日期",
    "转正日期",
    "状态",
    "所在党组织",
    "居住社区",
    "居住小区",
    "工作单位",
]
RESIDENT_HEADER = ["社区", "小区", "楼栋", "门牌/房号", "姓名", "电话", "标签"]
UNIT_HEADER = ["名称", "类型", "统一社会信用代码", "所在社区", "地址", "从业人员数", "党员人数", "党建指导员"]


def citizen_id(seq: int, birth: str = "19800101", region: str = "440402") -> str:
    first17 = f"{region}{birth}{seq % 1000:03d}"
    return first17 + citizen_id_check_char(first17)


def credit_code(seq: int) -> str:
    first17 = f"914404007{seq:08d}"
    return first17 + credit_code_check_char(first17)


def xlsx(header: list[str], rows: list[list], *, title: str = "Sheet1", before: list[list] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in before or []:
        ws.append(row)
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def member_row(seq: int, name: str = "", **overrides) -> list:
    values = {
        "姓名": name or f"党员{seq}",
        "身份证号": citizen_id(seq),
        "手机号": f"139{seq:08d}",
        "党员类别": "正式党员",
        "入党日期": "2005-07-01",
        "转正日期": "2006/7/1",
        "状态": "在职",
        "所在党组织": "中珠新村小区党支部",
        "居住社区": "婆石社区",
        "居住小区": "中珠新村",
        "工作单位": "",
    }
    values.update(overrides)
    return [values[h] for h in MEMBER_HEADER]


def read_xlsx(content: bytes, sheet: str | None = None) -> list[tuple]:
    wb = load_workbook(io.BytesIO(content))
    ws = wb[sheet] if sheet else wb.worksheets[0]
    return [tuple(row) for row in ws.iter_rows(values_only=True)]


def body(response) -> bytes:
    """The workbook an export answered with (and that it answered with one)."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(response.streaming_content)
