"""Notice ahead, one vote per person, minutes frozen after the comment window."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from dangjian.meetings import services
from dangjian.meetings.models import Meeting, MeetingLog, MeetingStatus, SignInHow, Vote


@pytest.mark.django_db
def test_it_refuses_to_open_without_notice_ahead(world, make_meeting):
    meeting = make_meeting(notice_days=3, starts_at=timezone.now() + datetime.timedelta(days=2))
    services.meeting_step(actor=world.users.community_worker, meeting=meeting, step="notify")
    with pytest.raises(ValidationError, match="须在开会 3 天前发出通知"):
        services.meeting_step(actor=world.users.community_worker, meeting=meeting, step="open")
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PLANNED


@pytest.mark.django_db
def test_it_opens_after_notice_in_time(world, make_meeting):
    meeting = make_meeting(notice_days=3)
    services.meeting_step(actor=world.users.community_worker, meeting=meeting, step="notify")
    done = services.meeting_step(actor=world.users.community_worker, meeting=meeting, step="open")
    assert done.status == MeetingStatus.OPEN
    assert list(MeetingLog.objects.filter(meeting=meeting).values_list("step", flat=True)) == [
        "create",
        "notify",
        "open",
    ]


def _opened(world, make_meeting):
    meeting = make_meeting()
    return services.meeting_step(actor=world.users.community_worker, meeting=meeting, step="open")


@pytest.mark.django_db
def test_it_counts_a_vote_once_per_person(world, make_meeting):
    meeting = _opened(world, make_meeting)
    member = world.users.member
    item = meeting.items.get()
    with pytest.raises(ValidationError, match="请先签到"):
        services.vote_cast(actor=member, item=item, choice="for")
    attendee = services.sign_in(actor=member, meeting=meeting)
    assert attendee.signed_in_how == SignInHow.QR
    services.vote_cast(actor=member, item=item, choice="for")
    with pytest.raises(ValidationError, match="每人只能投一次"):
        services.vote_cast(actor=member, item=item, choice="against")
    assert list(Vote.objects.values_list("choice", flat=True)) == ["for"]


@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_of_two_racing_votes(world, make_meeting):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers; the race is run on PostgreSQL")
    meeting = _opened(world, make_meeting)
    member = world.users.member
    services.sign_in(actor=member, meeting=meeting)
    item = meeting.items.get()
    outcomes = []
    barrier = threading.Barrier(2)

    def cast(choice):
        barrier.wait()
        try:
            services.vote_cast(actor=member, item=item, choice=choice)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=(c,)) for c in ("for", "against")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Vote.objects.filter(item=item).count() == 1


@pytest.mark.django_db
def test_it_freezes_the_minutes_only_after_the_comment_window(world, make_meeting):
    worker, member = world.users.community_worker, world.users.member
    meeting = _opened(world, make_meeting)
    services.sign_in(actor=member, meeting=meeting)
    meeting = services.meeting_step(actor=worker, meeting=meeting, step="close")
    assert (meeting.present_at_close, meeting.due_at_close) == (1, 3)
    with pytest.raises(ValidationError, match="请先起草会议纪要"):
        services.meeting_step(actor=worker, meeting=meeting, step="publish_minutes")
    services.minutes_save(actor=worker, meeting=meeting, text="会议审议了加装电梯方案。")
    meeting = services.meeting_step(actor=worker, meeting=meeting, step="publish_minutes")
    services.minutes_comment(actor=member, meeting=meeting, text="建议写明资金来源。")
    with pytest.raises(ValidationError, match="才结束"):
        services.meeting_step(actor=worker, meeting=meeting, step="freeze")
    later = meeting.comment_until + datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError, match="意见期已于"):
        services.minutes_comment(actor=member, meeting=meeting, text="迟到的意见", now=later)
    meeting = services.meeting_step(actor=worker, meeting=meeting, step="freeze", now=later)
    assert meeting.status == MeetingStatus.FROZEN
    with pytest.raises(ValidationError, match="已定稿，不能再修改"):
        services.minutes_save(actor=worker, meeting=meeting, text="改动")
    assert Meeting.objects.get(pk=meeting.pk).minutes == "会议审议了加装电梯方案。"


@pytest.mark.django_db
def test_it_refuses_a_secretary_step_to_an_attendee(world, make_meeting):
    meeting = make_meeting()
    with pytest.raises(ValidationError):
        services.meeting_step(actor=world.users.member, meeting=meeting, step="open")
    with pytest.raises(ValidationError, match="只有会议主持人"):
        services.sign_in(actor=world.users.member, meeting=meeting, attendee=meeting.attendees.last())
