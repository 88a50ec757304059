"""Deadlines: working days on the official calendar (Spring Festival and National Day 2026 with
their make-up workdays), hour limits, weekend starts; loading a year's calendar (package or file);
and the scans that warn, mark overdue, escalate, remind about unaccepted cases and archive."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from dangjian.audit.models import AuditEvent
from dangjian.cases import deadlines, services
from dangjian.cases.models import CalendarDay, Case, CaseLog, CasePolicy, CaseStatus, LimitUnit
from dangjian.cases.workdays import add_workdays, deadline_after, workdays_between
from dangjian.cases.workflow import Step

from .whistle.test_whistle import accepted_case, dispatched_case, filed

D = datetime.date


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


# -- working-day arithmetic -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Spring Festival 2026: Feb 15–23 off; Saturday Feb 14 and Saturday Feb 28 are make-up workdays.
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Friday → the make-up Saturday
        (D(2026, 2, 13), 2, D(2026, 2, 24)),  # ...then nine days off
        (D(2026, 2, 12), 3, D(2026, 2, 24)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),  # started on the make-up Saturday itself
        (D(2026, 2, 16), 1, D(2026, 2, 24)),  # started inside the holiday
        (D(2026, 2, 27), 1, D(2026, 2, 28)),  # Friday → the second make-up Saturday
        (D(2026, 2, 27), 2, D(2026, 3, 2)),
        (D(2026, 2, 10), 5, D(2026, 2, 24)),  # 11, 12, 13, 14 (make-up), then 24
        # National Day 2026: Oct 1–7 off; Sunday Sep 20 and Saturday Oct 10 are make-up workdays.
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # Friday → the make-up Sunday (Saturday 19 is off)
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # 8, 9, and the make-up Saturday 10
        (D(2026, 9, 29), 5, D(2026, 10, 12)),  # 30, 8, 9, 10, 12
        # Plain weekends: starting on a Saturday or Sunday counts from Monday.
        (D(2026, 3, 7), 1, D(2026, 3, 9)),
        (D(2026, 3, 8), 1, D(2026, 3, 9)),
        (D(2026, 3, 6), 5, D(2026, 3, 13)),
    ],
)
def test_it_counts_working_days_across_holidays_and_make_up_days(db, start, days, due):
    assert add_workdays(start, days) == due
    assert deadline_after(at(start), days, LimitUnit.WORKDAYS) == end_of(due)
    assert workdays_between(start, due) == days


def test_it_counts_hours_straight_through_holidays(db):
    start = at(D(2026, 2, 14), 20)
    assert deadline_after(start, 48, LimitUnit.HOURS) == at(D(2026, 2, 16), 20)
    assert deadline_after(at(D(2026, 10, 1), 9), 2, LimitUnit.HOURS) == at(D(2026, 10, 1), 11)


def test_it_ends_a_working_day_limit_at_the_close_of_the_day_whatever_the_hour(db):
    assert deadline_after(at(D(2026, 3, 9), 0, 1), 1, LimitUnit.WORKDAYS) == end_of(D(2026, 3, 10))
    assert deadline_after(at(D(2026, 3, 9), 23, 50), 1, LimitUnit.WORKDAYS) == end_of(D(2026, 3, 10))


# -- loading a year's calendar ----------------------------------------------------------------------------
def run(*args) -> str:
    out = io.StringIO()
    call_command("load_calendar", *args, stdout=out)
    return out.getvalue()


def test_it_loads_a_year_from_the_package_idempotently(db):
    CalendarDay.objects.filter(date__year=2026).delete()
    assert add_workdays(D(2026, 2, 13), 2) == D(2026, 2, 17)  # no calendar: Monday to Friday only
    first = run("2026")
    assert "新增" in first and CalendarDay.objects.get(date=D(2026, 2, 14)).is_workday
    assert CalendarDay.objects.get(date=D(2026, 10, 1)).name == "国庆节"
    rows = CalendarDay.objects.filter(date__year=2026).count()
    assert add_workdays(D(2026, 2, 13), 2) == D(2026, 2, 24)
    audits = AuditEvent.objects.filter(object_type="cases.calendarday").count()
    second = run("2026")
    assert "新增 0，修改 0，删除 0" in second
    assert CalendarDay.objects.filter(date__year=2026).count() == rows
    assert AuditEvent.objects.filter(object_type="cases.calendarday").count() == audits  # nothing changed


def test_it_matches_the_rows_the_migration_seeded(db):
    seeded = set(CalendarDay.objects.filter(date__year=2025).values_list("date", "is_workday", "name"))
    assert "新增 0，修改 0，删除 0" in run("2025")
    assert set(CalendarDay.objects.filter(date__year=2025).values_list("date", "is_workday", "name")) == seeded


def test_it_says_when_the_package_does_not_know_the_year_yet(db):
    with pytest.raises(CommandError, match="没有 2031 年的节假日数据"):
        run("2031")


def write_csv(tmp_path, text: str):
    path = tmp_path / "2027.csv"
    path.write_text(text, encoding="utf-8")
    return path


SPRING_2027 = """日期,是否工作日,名称
2027-02-06,否,春节
2027-02-07,否,春节
2027-02-08,否,春节
2027-02-09,否,春节
2027-02-10,否,春节
2027-02-11,否,春节
2027-02-12,否,春节
2027-02-13,否,春节
2027-02-14,是,春节调休
"""


def test_it_loads_next_years_calendar_from_a_file_and_the_deadlines_follow(db, tmp_path):
    friday = D(2027, 2, 5)
    assert add_workdays(friday, 1) == D(2027, 2, 8)  # unknown year: a plain Monday
    assert "8 天放假、1 天调休上班" in run("2027", "--file", str(write_csv(tmp_path, SPRING_2027)))
    assert add_workdays(friday, 1) == D(2027, 2, 14)  # the make-up Sunday
    assert add_workdays(friday, 2) == D(2027, 2, 15)
    assert deadline_after(at(friday), 2, LimitUnit.WORKDAYS) == end_of(D(2027, 2, 15))
    # The official notice differs from the draft: loading again replaces the year exactly.
    corrected = SPRING_2027.replace("2027-02-14,是,春节调休\n", "2027-02-20,是,春节调休\n")
    out = run("2027", "--file", str(write_csv(tmp_path, corrected)))
    assert "新增 1，修改 0，删除 1" in out
    assert add_workdays(friday, 1) == D(2027, 2, 15)
    assert "新增 0，修改 0，删除 0" in run("2027", "--file", str(write_csv(tmp_path, corrected)))


def test_it_loads_an_xlsx_file_too(db, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["日期", "是否工作日", "名称"])
    ws.append([datetime.datetime(2027, 10, 1), "否", "国庆节"])
    ws.append(["2027/10/9", "是", "国庆节调休"])
    path = tmp_path / "2027.xlsx"
    wb.save(path)
    run("2027", "--file", str(path))
    assert dict(CalendarDay.objects.filter(date__year=2027).values_list("date", "is_workday")) == {
        D(2027, 10, 1): False,
        D(2027, 10, 9): True,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("日期,是否工作日,名称\n2027-02-30,否,春节\n", "第 2 行 日期"),
        ("日期,是否工作日,名称\n2027-02-06,也许,春节\n", "应为 是 或 否"),
        ("日期,是否工作日,名称\n2027-02-06,否,春节\n2027-02-06,否,春节\n", "重复"),
        ("日期,名称\n2027-02-06,春节\n", "表头"),
        ("日期,是否工作日,名称\n2028-02-06,否,春节\n", "不在 2027 年内"),
    ],
)
def test_it_refuses_a_bad_file_and_loads_nothing(db, tmp_path, text, message):
    with pytest.raises(CommandError, match=message):
        run("2027", "--file", str(write_csv(tmp_path, text)))
    assert not CalendarDay.objects.filter(date__year=2027).exists()


# -- the scans ---------------------------------------------------------------------------------------------
def steps(case: Case, step: str) -> list[CaseLog]:
    return list(CaseLog.objects.filter(case=case, step=step))


def test_it_warns_once_before_the_deadline(world):
    case = dispatched_case(world)
    far = deadlines.scan_warn(now=case.deadline - datetime.timedelta(hours=30))
    assert far.done == 0
    now = case.deadline - datetime.timedelta(hours=3)
    assert deadlines.scan_warn(now=now).done == 1
    case.refresh_from_db()
    assert case.warned_at == now and case.status == CaseStatus.DISPATCHED
    (entry,) = steps(case, Step.WARN)
    assert entry.actor is None and entry.actor_label == "系统" and not entry.public
    assert deadlines.scan_warn(now=now).done == 0
    assert deadlines.scan_warn(now=now + datetime.timedelta(hours=1)).done == 0
    assert len(steps(case, Step.WARN)) == 1


def test_it_follows_each_districts_own_warning_time(world):
    case = dispatched_case(world)
    CasePolicy.objects.create(district=world.district, warn_before_hours=2)
    assert deadlines.scan_warn(now=case.deadline - datetime.timedelta(hours=3)).done == 0
    assert deadlines.scan_warn(now=case.deadline - datetime.timedelta(hours=1)).done == 1


def test_it_marks_overdue_once_and_escalates_to_the_subdistrict_then_the_district(world):
    case = dispatched_case(world)
    deadline = case.deadline
    assert deadlines.scan_overdue(now=deadline - datetime.timedelta(minutes=1)).done == 0
    now = deadline + datetime.timedelta(minutes=5)
    assert deadlines.scan_overdue(now=now).done == 1
    assert deadlines.scan_overdue(now=now).done == 0
    case.refresh_from_db()
    assert case.overdue_at == now and case.escalation_level == 0
    assert deadlines.scan_escalate(now=deadline + datetime.timedelta(hours=23)).done == 0
    assert deadlines.scan_escalate(now=deadline + datetime.timedelta(hours=25)).done == 1
    assert deadlines.scan_escalate(now=deadline + datetime.timedelta(hours=25)).done == 0
    case.refresh_from_db()
    assert case.escalation_level == 1
    assert deadlines.scan_escalate(now=deadline + datetime.timedelta(hours=73)).done == 1
    case.refresh_from_db()
    assert case.escalation_level == 2
    assert deadlines.scan_escalate(now=deadline + datetime.timedelta(days=30)).done == 0
    notes = [e.note for e in steps(case, Step.ESCALATE)]
    assert notes == ["超期超过 24 小时，上报街道督办", "超期超过 72 小时，上报区督办"]
    assert len(steps(case, Step.OVERDUE)) == 1


def test_it_escalates_straight_to_the_district_when_the_scan_was_down(world):
    case = dispatched_case(world)
    later = case.deadline + datetime.timedelta(days=4)
    deadlines.scan_all(now=later)
    case.refresh_from_db()
    assert case.overdue_at == later and case.escalation_level == 2
    assert len(steps(case, Step.ESCALATE)) == 1
    assert deadlines.scan_all(now=later) == {
        "unaccepted": {"done": 0, "skipped": 0},
        "warn": {"done": 0, "skipped": 0},
        "overdue": {"done": 0, "skipped": 0},
        "escalate": {"done": 0, "skipped": 0},
    }


def test_it_leaves_closed_cases_alone(world):
    case = dispatched_case(world)
    services.case_close(actor=world.users.department_staff, case=case, result="已处理")
    later = case.deadline + datetime.timedelta(days=10)
    assert all(r["done"] == 0 for r in deadlines.scan_all(now=later).values())


def test_it_never_overwrites_a_change_made_after_the_scan_read_the_case(world):
    case = dispatched_case(world)
    read = case.version
    # A person acts between the scan's read and its write: the department signs for it.
    services.case_take(actor=world.users.department_staff, case=case, version=case.version)
    now = case.deadline + datetime.timedelta(minutes=1)
    result = deadlines._apply(iter([(case.pk, read, case.district_id)]), deadlines.overdue_step(now))
    assert (result.done, result.skipped) == (0, 1)
    case.refresh_from_db()
    assert case.status == CaseStatus.HANDLING and case.overdue_at is None
    assert deadlines.scan_overdue(now=now).done == 1  # the next run takes it, on the new version


def test_it_works_in_bounded_batches(world):
    cases = [dispatched_case(world, description=f"第{n}号楼下垃圾桶满了没人清") for n in range(3)]
    now = max(c.deadline for c in cases) + datetime.timedelta(minutes=1)
    assert deadlines.scan_overdue(now=now, limit=2).done == 2
    assert deadlines.scan_overdue(now=now, limit=2).done == 1
    assert deadlines.scan_overdue(now=now, limit=2).done == 0
    assert Case.objects.filter(overdue_at=now).count() == 3


def test_it_reminds_once_about_a_case_nobody_accepted(world):
    case = filed(world)
    assert deadlines.scan_unaccepted(now=case.received_at + datetime.timedelta(hours=1)).done == 0
    later = case.received_at + datetime.timedelta(hours=3)
    assert deadlines.scan_unaccepted(now=later).done == 1
    assert deadlines.scan_unaccepted(now=later + datetime.timedelta(hours=5)).done == 0
    (entry,) = steps(case, Step.WARN)
    assert "超过 2 小时未受理" in entry.note and entry.to_status == CaseStatus.SUBMITTED


def test_it_archives_called_back_cases_after_the_districts_days(world):
    case = accepted_case(world)
    owner = world.users.community_worker
    case = services.case_dispatch(actor=owner, case=case, kind="department", department=world.dept)
    case = services.case_close(actor=world.users.department_staff, case=case, result="已清运")
    case = services.case_callback(actor=owner, case=case, rating="satisfied")
    assert deadlines.scan_archive(now=case.called_back_at + datetime.timedelta(days=6)).done == 0
    later = case.called_back_at + datetime.timedelta(days=8)
    assert deadlines.scan_archive(now=later).done == 1
    assert deadlines.scan_archive(now=later).done == 0
    case.refresh_from_db()
    assert case.status == CaseStatus.ARCHIVED
    (entry,) = steps(case, Step.ARCHIVE)
    assert entry.actor is None and entry.actor_label == "系统"
