"""Load a year's official holidays and make-up workdays (调休) into CalendarDay.

    manage.py load_calendar 2027                  # from the installed chinesecalendar package
    manage.py load_calendar 2027 --file 2027.csv  # from a file: 日期, 是否工作日, 名称 (csv or xlsx)

Idempotent: running it again with the same source changes nothing; the year's rows become exactly
what the source says. The State Council publishes next year's calendar around November: update the
package (pip install -U chinesecalendar) or type the notice into a file and load it.
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dangjian.cases.duty.services import calendar_load
from dangjian.imports.workbook import Sheet, WorkbookError, compact, is_blank, parse_date, text

# The package names its holidays in English.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
WORKDAY_WORDS = {"是", "工作日", "上班", "班", "调休上班", "1", "true", "yes", "y"}
OFFDAY_WORDS = {"否", "休息", "休", "放假", "假", "节假日", "0", "false", "no", "n"}
HEADERS = {"日期": "date", "date": "date", "是否工作日": "workday", "工作日": "workday", "is_workday": "workday"}
HEADERS |= {"名称": "name", "节日": "name", "name": "name", "说明": "name"}


def from_package(year: int) -> dict[datetime.date, tuple[bool, str]]:
    try:
        from chinese_calendar import constants
    except ImportError as exc:  # pragma: no cover - the package is a dependency
        raise CommandError("chinesecalendar 未安装：pip install chinesecalendar") from exc
    days: dict[datetime.date, tuple[bool, str]] = {}
    for day, holiday in constants.holidays.items():
        if day.year == year:
            days[day] = (False, HOLIDAY_NAMES.get(holiday, holiday))
    for day, holiday in constants.workdays.items():
        if day.year == year:
            days[day] = (True, f"{HOLIDAY_NAMES.get(holiday, holiday)}调休")
    if not days:
        raise CommandError(
            f"chinesecalendar 中没有 {year} 年的节假日数据：请升级该包（pip install -U chinesecalendar），"
            f"或用 --file 导入国务院办公厅公布的 {year} 年安排。"
        )
    return days


def _rows(path: Path) -> list[tuple[int, list[Any]]]:
    content = path.read_bytes()
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            with Sheet(content, "") as sheet:
                return [(n, list(values)) for n, values in sheet.rows()]
        except WorkbookError as exc:
            raise CommandError(str(exc)) from exc
    raw = content.decode("utf-8-sig") if not content.startswith(b"\xff\xfe") else content.decode("utf-16")
    return [(n, row) for n, row in enumerate(csv.reader(io.StringIO(raw)), start=1)]


def from_file(path: Path) -> dict[datetime.date, tuple[bool, str]]:
    if not path.exists():
        raise CommandError(f"找不到文件：{path}")
    rows = _rows(path)
    columns: dict[str, int] = {}
    days: dict[datetime.date, tuple[bool, str]] = {}
    errors: list[str] = []
    for number, values in rows:
        if all(is_blank(v) for v in values):
            continue
        if not columns:
            names = [HEADERS.get(compact(v).lower(), HEADERS.get(compact(v), "")) for v in values]
            columns = {key: index for index, key in enumerate(names) if key}
            if "date" not in columns or "workday" not in columns:
                raise CommandError(f"第 {number} 行应为表头：日期, 是否工作日, 名称")
            continue

        def cell(key: str, values: list[Any] = values, columns: dict[str, int] = columns) -> Any:
            index = columns.get(key)
            return values[index] if index is not None and index < len(values) else None

        try:
            day = parse_date(cell("date"))
        except ValueError as exc:
            errors.append(f"第 {number} 行 日期：{exc}")
            continue
        flag = compact(cell("workday")).lower()
        if flag in WORKDAY_WORDS:
            is_workday = True
        elif flag in OFFDAY_WORDS:
            is_workday = False
        else:
            errors.append(f"第 {number} 行 是否工作日：「{text(cell('workday'))}」应为 是 或 否")
            continue
        if day in days:
            errors.append(f"第 {number} 行 日期：{day.isoformat()} 重复")
            continue
        days[day] = (is_workday, text(cell("name"))[:40])
    if errors:
        raise CommandError("文件有问题，未导入：\n" + "\n".join(errors[:50]))
    if not days:
        raise CommandError("文件中没有日期行。")
    return days


class Command(BaseCommand):
    help = "载入某一年的法定节假日和调休上班日（来自 chinesecalendar 包，或 CSV/xlsx 文件：日期, 是否工作日, 名称）。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="年份，如 2027")
        parser.add_argument("--file", type=Path, help="CSV 或 xlsx 文件，列为 日期, 是否工作日, 名称")

    def handle(self, *args, **options):
        year, path = options["year"], options.get("file")
        if not 2000 <= year <= 2100:
            raise CommandError(f"年份不合理：{year}")
        days = from_file(path) if path else from_package(year)
        source = str(path.name) if path else "chinesecalendar"
        try:
            counts = calendar_load(actor=None, year=year, days=days, source=source)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        off = sum(1 for is_workday, _n in days.values() if not is_workday)
        self.stdout.write(
            f"{year} 年（{source}）：{off} 天放假、{len(days) - off} 天调休上班；"
            f"新增 {counts['created']}，修改 {counts['updated']}，"
            f"删除 {counts['deleted']}，未变 {counts['unchanged']}。"
        )
