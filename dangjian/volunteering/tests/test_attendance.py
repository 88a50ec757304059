import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dangjian.audit.models import AuditEvent
from dangjian.centers.models import SignUpStatus
from dangjian.centers.services import activities as center_services
from dangjian.points.models import PointEntry
from dangjian.timebank import services as timebank
from dangjian.timebank.models import Journal
from dangjian.volunteering import attendance, services
from dangjian.volunteering.models import Attendance, VolunteerSettings

from .conftest import move_activity

H = datetime.timedelta(hours=1)
M = datetime.timedelta(minutes=1)


def token_for(vol, now, kind="activity"):
    pid = vol.activity.public_id if kind == "activity" else vol.post.public_id
    return attendance.CHECKIN.make(kind=kind, public_id=pid, rotate_minutes=10, now=now)


def started(vol, *, minutes_ago=5, length=2 * H):
    start = vol.now - minutes_ago * M
    return move_activity(vol.activity, start=start, end=start + length)


def scan(vol, user, now, expected):
    return attendance.scan(actor=user, token=token_for(vol, now), expected=expected, now=now)


@pytest.mark.parametrize(
    ("checked_in", "checked_out", "hours"),
    [
        (0, 120, "2.0"),  # the whole activity
        (-30, 150, "2.0"),  # early and late scans are clipped to the activity's time
        (10, 55, "0.8"),  # 45 minutes, rounded half up to one decimal
        (0, 3, "0.1"),  # 3 minutes = 0.05 h rounds up
        (0, 2, "0.0"),  # 2 minutes = 0.033 h
        (-30, -5, "0.0"),  # both before the start
    ],
)
def test_it_computes_hours_clipped_to_the_activity(checked_in, checked_out, hours):
    start = datetime.datetime(2026, 5, 1, 9, 0, tzinfo=datetime.UTC)
    result = services.hours_between(start + checked_in * M, start + checked_out * M, start, start + 2 * H)
    assert result == Decimal(hours)


def test_it_checks_in_then_out_verifies_and_credits_hours_and_points(vol, world):
    member = world.users.member
    started(vol, minutes_ago=0)
    first = scan(vol, member, vol.now + 2 * M, "check_in")
    assert first.step == "check_in" and first.attendance.checked_in_at == vol.now + 2 * M
    vol.signup.refresh_from_db()
    assert vol.signup.status == SignUpStatus.ATTENDED  # centers' own state follows
    assert not first.attendance.verified
    done = scan(vol, member, vol.now + 92 * M, "check_out")
    att = done.attendance
    assert done.step == "check_out" and att.verified and att.hours == Decimal("1.5")
    assert timebank.balance(member) == Decimal("1.5")
    entries = PointEntry.objects.filter(member=vol.member)
    by_rule = {e.rule.code: e.points for e in entries}
    assert by_rule["service_hour"] == Decimal("1.5") * entries.get(rule__code="service_hour").rule.points
    assert "activity_attendance" in by_rule
    assert AuditEvent.objects.filter(object_type="volunteering.attendance", object_id=str(att.public_id)).count() == 2


def test_it_credits_once_on_double_scan_and_retry(vol, world):
    member = world.users.member
    started(vol)
    scan(vol, member, vol.now, "check_in")
    again = scan(vol, member, vol.now + M, "check_in")  # a double tap on the check-in button
    assert again.step == "nothing" and "已签到" in again.message
    scan(vol, member, vol.now + H, "check_out")
    twice = scan(vol, member, vol.now + H + M, "check_out")  # the retried request
    assert twice.step == "nothing"
    third = scan(vol, member, vol.now + H + 2 * M, "check_in")  # a third scan later on
    assert third.step == "nothing" and "已签退" in third.message
    att = Attendance.objects.get()
    attendance._credit(att, actor=None, title="retry")  # a retried credit changes nothing
    assert Journal.objects.filter(key__startswith="volunteering:").count() == 1
    assert timebank.balance(member) == att.hours
    assert PointEntry.objects.filter(member=vol.member, rule__code="service_hour").count() == 1
    assert PointEntry.objects.filter(member=vol.member, rule__code="activity_attendance").count() == 1


def test_it_refuses_outside_the_window(vol, world):
    member = world.users.member
    rules = services.settings_for(world.c1)
    start = vol.now + 2 * H
    move_activity(vol.activity, start=start, end=start + 2 * H)
    too_early = start - (rules.early_minutes + 1) * M
    with pytest.raises(ValidationError, match="还没到签到时间"):
        scan(vol, member, too_early, "check_in")
    scan(vol, member, start - (rules.early_minutes - 1) * M, "check_in")  # within the slack
    too_late = start + 2 * H + (rules.late_minutes + 1) * M
    with pytest.raises(ValidationError, match="已过签退时间"):
        scan(vol, member, too_late, "check_out")
    assert not Attendance.objects.get().verified


def test_it_takes_the_slack_from_the_districts_rules(vol, world):
    VolunteerSettings.objects.create(district=world.district, early_minutes=5, late_minutes=5, rotate_minutes=10)
    start = vol.now + 2 * H
    move_activity(vol.activity, start=start, end=start + H)
    with pytest.raises(ValidationError, match="还没到签到时间"):
        scan(vol, world.users.member, start - 10 * M, "check_in")


def test_it_refuses_check_in_after_the_end(vol, world):
    started(vol, minutes_ago=200)
    with pytest.raises(ValidationError, match="已经结束"):
        scan(vol, world.users.member, vol.now, "check_in")


def test_it_refuses_people_not_signed_up_and_the_waiting_list(vol, world):
    started(vol)
    with pytest.raises(ValidationError, match="没有报名"):
        scan(vol, world.users.resident, vol.now, "check_in")
    # Before the start, the scan page offers the sign-up while places remain.
    move_activity(vol.activity, start=vol.now + H, end=vol.now + 3 * H)
    target = attendance.resolve(
        user=world.users.resident, scanned=attendance.CHECKIN.read(token_for(vol, vol.now)), now=vol.now
    )
    assert target.signup is None and target.can_sign_up
    center_services.signup_create(actor=world.users.resident, activity=vol.activity)  # the second place
    waiting = center_services.signup_create(actor=world.users.grid_worker, activity=vol.activity)
    assert waiting.status == SignUpStatus.WAITLISTED
    target = attendance.resolve(
        user=world.users.unit_contact, scanned=attendance.CHECKIN.read(token_for(vol, vol.now)), now=vol.now
    )
    assert not target.can_sign_up  # full
    started(vol)
    with pytest.raises(ValidationError, match="候补"):
        scan(vol, world.users.grid_worker, vol.now, "check_in")


def test_it_refuses_expired_codes(vol, world):
    started(vol)
    old = token_for(vol, vol.now - 25 * M)
    with pytest.raises(ValidationError, match="过期"):
        attendance.scan(actor=world.users.member, token=old, expected="check_in", now=vol.now)
    assert not Attendance.objects.exists()


def test_it_audits_a_correction_and_recredits_through_reversals(vol, world):
    member, worker = world.users.member, world.users.community_worker
    start = started(vol, minutes_ago=150).start  # over: 2 h from 150 min ago
    scan(vol, member, vol.now - 140 * M, "check_in")
    scan(vol, member, vol.now - 40 * M, "check_out")
    att = Attendance.objects.get()
    assert att.hours == Decimal("1.7") and timebank.balance(member) == Decimal("1.7")
    with pytest.raises(ValidationError, match="原因"):
        attendance.attendance_correct(
            actor=worker, source=vol.signup, note=" ", checked_in_at=start, checked_out_at=start + 2 * H
        )
    attendance.attendance_correct(
        actor=worker, source=vol.signup, note="签退时手机没电", checked_in_at=start, checked_out_at=start + 2 * H
    )
    att.refresh_from_db()
    assert (att.hours, att.verified, att.method, att.credit_round) == (Decimal("2.0"), True, "manual", 2)
    assert att.corrected_by == worker and att.correction_note == "签退时手机没电"
    assert timebank.balance(member) == Decimal("2.0")  # 1.7 reversed, 2.0 credited
    hour_points = PointEntry.objects.filter(member=vol.member, rule__code="service_hour")
    assert sum(e.points for e in hour_points) == Decimal("2.0") * hour_points.first().rule.points
    event = AuditEvent.objects.filter(object_id=str(att.public_id), actor=worker).get()
    assert event.changes["reason"] == [None, "签退时手机没电"] and "hours" in event.changes
    # Marked absent: everything credited is reversed.
    attendance.attendance_correct(actor=worker, source=vol.signup, note="核实未到场", absent=True)
    att.refresh_from_db()
    assert (att.verified, att.hours, att.credited_hours) == (False, Decimal("0"), Decimal("0"))
    assert timebank.balance(member) == Decimal("0.0")
    assert sum(e.points for e in PointEntry.objects.filter(member=vol.member)) == 0
    # The same correction again changes nothing more.
    journals = Journal.objects.count()
    attendance.attendance_correct(actor=worker, source=vol.signup, note="核实未到场", absent=True)
    assert Journal.objects.count() == journals


def test_it_lets_only_the_territorys_workers_correct(vol, world):
    started(vol, minutes_ago=150)
    for outsider in (world.users.community_worker_outsider, world.users.member, world.users.grid_worker):
        with pytest.raises(ValidationError, match="辖区"):
            attendance.attendance_correct(actor=outsider, source=vol.signup, note="x", absent=True)
    attendance.attendance_correct(actor=world.users.subdistrict_admin, source=vol.signup, note="补录", absent=True)


def test_it_refuses_corrections_with_times_out_of_order(vol, world):
    start = started(vol, minutes_ago=150).start
    with pytest.raises(ValidationError, match="晚于签到"):
        attendance.attendance_correct(
            actor=world.users.community_worker,
            source=vol.signup,
            note="补录",
            checked_in_at=start + H,
            checked_out_at=start,
        )


def test_it_checks_in_and_out_at_a_post_shift(vol, world):
    member = world.users.member
    signup = services.shift_signup_create(actor=member, shift=vol.shift, now=vol.now)
    start = vol.shift.start
    post_token = token_for(vol, start - 10 * M, kind="post")
    first = attendance.scan(actor=member, token=post_token, expected="check_in", now=start - 10 * M)
    assert first.attendance.shift_signup == signup
    later = token_for(vol, start + 70 * M, kind="post")
    done = attendance.scan(actor=member, token=later, expected="check_out", now=start + 70 * M)
    assert done.attendance.verified and done.attendance.hours == Decimal("1.2")
    assert timebank.balance(member) == Decimal("1.2")
    # Shifts earn service hours; attending an activity is an activity's own rule.
    assert not PointEntry.objects.filter(member=vol.member, rule__code="activity_attendance").exists()
    with pytest.raises(ValidationError, match="没有报名的班次"):
        attendance.scan(actor=world.users.resident, token=later, expected="check_in", now=start + 70 * M)
