"""Planning on the meeting engine, holding once (attendance → 学习 points exactly once), cancelling with
a notice, files, and the guidance's coverage."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.meetings.models import MeetingStatus
from dangjian.meetings.services import sign_in
from dangjian.notifications.models import Message
from dangjian.orglife.facts import OBLIGATIONS, RECORDS
from dangjian.orglife.models import Guidance, Obligation, RecordStatus
from dangjian.orglife.services import guidance as guidance_services
from dangjian.orglife.services import records
from dangjian.points.models import PointEntry

from .conftest import PNG

pytestmark = pytest.mark.django_db


def test_a_committee_meeting_is_planned_on_the_engine_with_its_rule(world, branch, plan):
    record = plan(kind="committee")
    meeting = record.meeting
    assert meeting.owner_key == f"orglife.record:{record.pk}"
    assert (meeting.quorum_num, meeting.quorum_den, meeting.quorum_strict) == (1, 2, True)
    assert sorted(a.name for a in meeting.attendees.filter(due=True)) == ["m0", "m1"]  # the committee
    assert meeting.notice_sent_at is not None
    assert Message.objects.filter(recipient=branch.officer, event="meetings.notice").count() == 1


def test_a_members_meeting_rosters_every_member_with_or_without_an_account(world, branch, plan):
    record = plan(kind="members_meeting", send_notice=False)
    assert record.meeting.attendees.filter(due=True).count() == 4
    assert record.meeting.notice_sent_at is None


def test_holding_counts_attendance_points_and_the_obligation_once(world, branch, plan):
    record = plan(kind="members_meeting")
    meeting = record.meeting
    for a in meeting.attendees.filter(user__in=branch.members[:2]):
        sign_in(actor=branch.secretary, meeting=meeting, attendee=a)
    held = records.record_hold(actor=branch.secretary, record=record)
    assert held.status == RecordStatus.HELD
    assert (held.due_count, held.present_count, held.attendance_rate) == (4, 2, 50.0)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED
    entries = PointEntry.objects.filter(rule__code="orglife_attendance", event_key=f"orglife.record:{record.public_id}")
    assert sorted(e.member.name for e in entries) == ["m0", "m1"]
    assert all(e.category.code == "study" for e in entries)
    with pytest.raises(ValidationError):
        records.record_hold(actor=branch.secretary, record=held)
    assert entries.count() == 2  # a second hold is refused: nothing awarded twice
    day = timezone.localdate(record.starts_at)
    o = Obligation.objects.get(org=world.eb, kind="members_meeting", period_start__lte=day, period_end__gte=day)
    assert o.held == 1 and o.met
    # The facts follow in the same transaction: the store agrees with a rebuild from the rows.
    quarter = facts.stored(OBLIGATIONS, None, None)
    assert facts.differences(OBLIGATIONS, quarter, facts.recompute(OBLIGATIONS, None, None).facts) == []
    assert (
        facts.differences(RECORDS, facts.stored(RECORDS, None, None), facts.recompute(RECORDS, None, None).facts) == []
    )


def test_holding_needs_someone_signed_in_and_the_day_come(world, branch, plan):
    record = plan(kind="committee")
    with pytest.raises(ValidationError, match="还没有人签到"):
        records.record_hold(actor=branch.secretary, record=record)
    later = plan(kind="committee", when=timezone.now() + datetime.timedelta(days=3))
    with pytest.raises(ValidationError, match="届时才能登记召开"):
        records.record_hold(actor=branch.secretary, record=later)


def test_an_outsider_can_neither_plan_nor_hold(world, branch, plan):
    with pytest.raises(ValidationError):
        records.record_plan(
            actor=branch.outsider, org=world.eb, kind="committee", topic="x", starts_at=timezone.now(), place="y"
        )
    record = plan(kind="committee")
    sign_in(actor=branch.secretary, meeting=record.meeting, attendee=record.meeting.attendees.first())
    with pytest.raises(ValidationError):
        records.record_hold(actor=branch.outsider, record=record)
    with pytest.raises(ValidationError):
        records.record_hold(actor=world.users.community_worker_outsider, record=record)
    assert records.record_hold(actor=world.users.community_worker, record=record).status == RecordStatus.HELD


def test_cancelling_needs_a_reason_and_tells_the_roster(world, branch, plan):
    record = plan(kind="committee", send_notice=False)
    with pytest.raises(ValidationError):
        records.record_cancel(actor=branch.secretary, record=record, note="")
    done = records.record_cancel(actor=branch.secretary, record=record, note="书记出差，改期")
    assert done.status == RecordStatus.CANCELLED
    assert Message.objects.filter(recipient=branch.officer, event__startswith="orglife.record").count() == 1


def test_photos_are_checked_by_their_bytes_and_attachments_by_type(world, branch, plan):
    record = plan(kind="theme_day", visit="珠海市博物馆")
    made = records.record_files_add(
        actor=branch.secretary, record=record, kind="photo", uploads=[SimpleUploadedFile("a.jpg", PNG)]
    )
    assert made[0].file.name.endswith(".png")
    with pytest.raises(ValidationError):
        records.record_files_add(
            actor=branch.secretary, record=record, kind="photo", uploads=[SimpleUploadedFile("a.jpg", b"not a photo")]
        )
    with pytest.raises(ValidationError):
        records.record_files_add(
            actor=branch.secretary, record=record, kind="attachment", uploads=[SimpleUploadedFile("x.exe", b"MZ")]
        )
    ok = records.record_files_add(
        actor=branch.secretary,
        record=record,
        kind="attachment",
        uploads=[SimpleUploadedFile("签到表.pdf", b"%PDF-1.4")],
    )
    assert ok[0].name == "签到表.pdf"


def test_a_visit_is_only_for_a_theme_day(world, branch, plan):
    with pytest.raises(ValidationError):
        plan(kind="committee", visit="博物馆")


def test_guidance_coverage_counts_each_branch_once(world, branch, plan):
    admin = world.users.district_admin
    g = guidance_services.guidance_save(
        actor=admin, district=world.district, year=2026, quarter=2, title="第二季度重点动作指引", topics="学习党章"
    )
    with pytest.raises(ValidationError):
        plan(kind="lecture", guidance=g)  # a draft cannot be followed
    g = guidance_services.guidance_publish(actor=admin, guidance=g)
    assert g.branch_count == 3  # the district's branches: eb, ub and eb3
    for _ in range(2):
        r = plan(kind="lecture", guidance=g)
        sign_in(actor=branch.secretary, meeting=r.meeting, attendee=r.meeting.attendees.first())
        records.record_hold(actor=branch.secretary, record=r)
    g.refresh_from_db()
    assert g.uptake_count == 1 and g.coverage == 33.3
    with pytest.raises(ValidationError):
        guidance_services.guidance_publish(actor=admin, guidance=g)
    with pytest.raises(ValidationError):
        guidance_services.guidance_save(
            actor=world.users.community_worker, district=world.district, year=2026, quarter=3, title="t", topics="x"
        )
    assert Guidance.objects.count() == 1
