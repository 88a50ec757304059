"""Scope of every page, the attendee's QR sign-in and vote, and the list's cost."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dangjian.meetings import services
from dangjian.meetings.models import Vote


@pytest.mark.django_db
def test_the_meeting_page_is_scoped(world, make_meeting, assert_scoped):
    meeting = make_meeting()
    u = world.users
    url = reverse("meetings:detail", args=[meeting.public_id])
    assert_scoped(
        url,
        owner=u.community_worker,
        colleague=u.community_worker_colleague,
        outsider=u.community_worker_outsider,
        expect_text="婆石社区党员大会",
    )
    assert_scoped(
        reverse("meetings:quorum", args=[meeting.public_id]),
        owner=u.subdistrict_admin,
        outsider=u.subdistrict_admin_outsider,
    )


@pytest.mark.django_db
def test_the_attend_page_is_only_for_the_roster(world, make_meeting, assert_scoped):
    meeting = make_meeting()
    u = world.users
    assert_scoped(
        reverse("meetings:attend", args=[meeting.public_id]),
        owner=u.member,
        outsider=u.resident,
        expect_text="加装电梯方案",
    )


@pytest.mark.django_db
def test_an_attendee_signs_in_by_the_code_and_votes(world, make_meeting, client):
    meeting = services.meeting_step(actor=None, meeting=make_meeting(), step="open")
    client.force_login(world.users.member)
    token = services.signin_token(meeting)
    response = client.get(reverse("meetings:scan") + "?t=" + token)
    attend = reverse("meetings:attend", args=[meeting.public_id])
    assert response.url == attend + "?t=" + token
    client.post(attend, {"action": "sign_in", "t": "forged"})
    assert meeting.attendees.get(user=world.users.member).signed_in_at is None
    client.post(attend, {"action": "sign_in", "t": token})
    assert meeting.attendees.get(user=world.users.member).signed_in_at is not None
    item = meeting.items.get()
    client.post(attend, {"action": "vote", "item": item.pk, "choice": "for"})
    response = client.post(attend, {"action": "vote", "item": item.pk, "choice": "against"}, follow=True)
    assert "每人只能投一次" in response.content.decode()
    assert Vote.objects.filter(item=item).count() == 1


@pytest.mark.django_db
def test_a_forged_code_is_refused_in_chinese(client, world):
    response = client.get(reverse("meetings:scan") + "?t=abc")
    assert response.status_code == 400
    assert "签到二维码无效" in response.content.decode()


@pytest.mark.django_db
def test_the_list_costs_the_same_for_more_meetings(world, make_meeting, count_queries):
    make_meeting()
    url = reverse("meetings:list")
    few = count_queries(world.users.community_worker, url)
    for _ in range(5):
        make_meeting()
    assert count_queries(world.users.community_worker, url) == few


@pytest.mark.django_db
def test_a_retried_sign_in_and_vote_write_once(world, make_meeting, client):
    from dangjian.meetings import views

    assert views.attend.idempotent is True
    meeting = services.meeting_step(actor=None, meeting=make_meeting(), step="open")
    client.force_login(world.users.member)
    attend = reverse("meetings:attend", args=[meeting.public_id])
    token = services.signin_token(meeting)
    assert 'name="idempotency_key"' in client.get(attend + "?t=" + token).content.decode()
    client.post(attend, {"action": "sign_in", "t": token, "idempotency_key": "sign-in-key-1"})
    retry = client.post(attend, {"action": "sign_in", "t": token, "idempotency_key": "sign-in-key-1"})
    assert retry["Idempotent-Replayed"] == "true"
    item = meeting.items.get()
    client.post(attend, {"action": "vote", "item": item.pk, "choice": "for", "idempotency_key": "vote-key-2"})
    retry = client.post(attend, {"action": "vote", "item": item.pk, "choice": "for", "idempotency_key": "vote-key-2"})
    assert retry["Idempotent-Replayed"] == "true"
    assert Vote.objects.filter(item=item).count() == 1


@pytest.mark.django_db
def test_a_sign_in_code_is_refused_once_old_or_of_another_meeting(world, make_meeting):
    meeting = make_meeting()
    token = services.signin_token(meeting, now=timezone.now() - datetime.timedelta(hours=5))
    with pytest.raises(ValidationError, match="已过期"):
        services.signin_token_read(token)
    fresh = services.signin_token(meeting, now=timezone.now() - datetime.timedelta(hours=1))
    assert services.signin_token_read(fresh) == str(meeting.public_id)
    with pytest.raises(ValidationError, match="签到二维码无效"):
        services.signin_token_read(fresh[:-2] + "xx")
