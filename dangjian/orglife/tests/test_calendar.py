"""Compliance from the rules at period edges: quarter boundaries (a meeting late on 31 March counts for
Q1, one early on 1 April for Q2), a branch founded mid-quarter, the scan's rows and their held counts."""

import datetime

import pytest

from dangjian.meetings.services import sign_in
from dangjian.orglife import calendar, selectors
from dangjian.orglife.models import BranchStart, Frequency, MeetingRule, Obligation
from dangjian.orglife.services import compliance, records

from .conftest import at

D = datetime.date


def test_periods_are_calendar_aligned():
    q = Frequency.QUARTERLY
    assert calendar.period_of(q, D(2026, 3, 31)) == calendar.Span(D(2026, 1, 1), D(2026, 3, 31))
    assert calendar.period_of(q, D(2026, 4, 1)) == calendar.Span(D(2026, 4, 1), D(2026, 6, 30))
    assert calendar.period_of(Frequency.MONTHLY, D(2026, 12, 31)) == calendar.Span(D(2026, 12, 1), D(2026, 12, 31))
    assert calendar.period_of(Frequency.HALF_YEARLY, D(2026, 7, 1)).end == D(2026, 12, 31)
    assert calendar.period_of(Frequency.YEARLY, D(2026, 5, 5)) == calendar.Span(D(2026, 1, 1), D(2026, 12, 31))
    spans = calendar.periods_between(q, D(2026, 2, 1), D(2026, 7, 1))
    assert [s.start for s in spans] == [D(2026, 1, 1), D(2026, 4, 1), D(2026, 7, 1)]


def test_a_branch_founded_mid_quarter_owes_from_its_founding():
    q1 = calendar.period_of(Frequency.QUARTERLY, D(2026, 2, 1))
    assert q1.middle == D(2026, 2, 14)
    assert calendar.owes(q1, D(2026, 2, 14))  # founded by the middle: owes the quarter
    assert not calendar.owes(q1, D(2026, 2, 15))  # after it: owes from Q2
    assert calendar.owes(calendar.period_of(Frequency.QUARTERLY, D(2026, 4, 1)), D(2026, 2, 15))
    assert calendar.due_on(calendar.period_of(Frequency.MONTHLY, D(2026, 5, 9)), 15) == D(2026, 5, 15)


def _held(plan, branch, kind, when):
    record = plan(kind=kind, when=when, send_notice=False)
    sign_in(actor=branch.secretary, meeting=record.meeting, attendee=record.meeting.attendees.first())
    return records.record_hold(actor=branch.secretary, record=record)


@pytest.mark.django_db
def test_meetings_count_in_the_quarter_of_their_local_date(world, branch, plan):
    _held(plan, branch, "members_meeting", at(2026, 3, 31, 23, 30))
    _held(plan, branch, "members_meeting", at(2026, 4, 1, 0, 10))
    rows = {r.kind: r for r in selectors.branch_calendar(world.eb, 2026, today=D(2026, 7, 2))}
    cells = rows["members_meeting"].cells
    assert [(c.label, c.held, c.state) for c in cells[:3]] == [
        ("第1季度", 1, "met"),
        ("第2季度", 1, "met"),
        ("第3季度", 0, "open"),
    ]
    assert cells[3].state == "future"
    # The obligations the records made on the way (the scan had not run) say the same.
    q1 = Obligation.objects.get(org=world.eb, kind="members_meeting", period_start=D(2026, 1, 1))
    q2 = Obligation.objects.get(org=world.eb, kind="members_meeting", period_start=D(2026, 4, 1))
    assert (q1.held, q1.period_end, q2.held) == (1, D(2026, 3, 31), 1)


@pytest.mark.django_db
def test_the_calendar_of_a_branch_founded_mid_quarter(world, branch):
    BranchStart.objects.filter(org=world.eb).update(founded_on=D(2026, 2, 20))
    rows = {r.kind: r for r in selectors.branch_calendar(world.eb, 2026, today=D(2026, 5, 2))}
    quarters = rows["members_meeting"].cells
    assert [c.state for c in quarters[:2]] == ["not_owed", "open"]
    months = rows["committee"].cells
    assert [c.state for c in months[:5]] == ["not_owed", "not_owed", "behind", "behind", "open"]
    assert "group" in rows  # 1栋楼宇党小组 sits under it
    assert "group" not in {r.kind for r in selectors.branch_calendar(world.eb3, 2026)}  # no 党小组: no 党小组会


@pytest.mark.django_db
def test_the_scan_writes_this_and_the_last_period_once_with_held_counts(world, branch, plan):
    _held(plan, branch, "committee", at(2026, 3, 10))
    BranchStart.objects.filter(org=world.eb3).update(founded_on=D(2026, 2, 20))
    first = compliance.obligations_scan(today=D(2026, 4, 2), tell=False)
    again = compliance.obligations_scan(today=D(2026, 4, 2), tell=False)
    assert first.written > 0 and again.written == 0
    eb = Obligation.objects.filter(org=world.eb)
    assert set(eb.filter(kind="members_meeting").values_list("period_start", flat=True)) == {
        D(2026, 1, 1),
        D(2026, 4, 1),
    }
    march = eb.get(kind="committee", period_start=D(2026, 3, 1))
    assert (march.held, march.due) == (1, 1)
    # eb3 was founded after the middle of Q1 and of February: it owes Q2, March and April only.
    eb3 = Obligation.objects.filter(org=world.eb3)
    assert set(eb3.filter(kind="members_meeting").values_list("period_start", flat=True)) == {D(2026, 4, 1)}
    assert set(eb3.filter(kind="committee").values_list("period_start", flat=True)) == {D(2026, 3, 1), D(2026, 4, 1)}


@pytest.mark.django_db
def test_overdue_obligations_tell_the_secretary_once(world, branch):
    from dangjian.notifications.models import Message

    compliance.obligations_scan(today=D(2026, 4, 2), tell=False)
    late, told = compliance.overdue_tell(today=D(2026, 4, 2))
    assert late > 0 and told == 3  # eb: its secretary and organization officer; eb3: its secretary
    assert Message.objects.filter(recipient=branch.secretary, event="orglife.overdue").count() == 1
    assert compliance.overdue_tell(today=D(2026, 4, 2)) == (0, 0)


@pytest.mark.django_db
def test_a_district_rule_replaces_the_default(world, branch):
    MeetingRule.objects.create(district=world.district, kind="theme_day", frequency="monthly", fixed_day=15, order=5)
    MeetingRule.objects.create(district=world.district, kind="talk", is_active=False, order=8)
    rows = {r.kind: r for r in selectors.branch_calendar(world.eb, 2026, today=D(2026, 5, 16))}
    may = rows["theme_day"].cells[4]
    assert (may.due_on, may.state) == (D(2026, 5, 15), "behind")  # its fixed day has passed
    assert "talk" not in rows
