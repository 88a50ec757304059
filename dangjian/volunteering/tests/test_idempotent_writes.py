"""A phone retrying a scan (check-in, check-out, sign-up) or a shift sign-up with its idempotency key
writes once and gets the first answer again (core.idempotency)."""

import datetime

from django.urls import reverse

from dangjian.core.models import IdempotentRequest
from dangjian.volunteering.attendance import CHECKIN
from dangjian.volunteering.models import Attendance, ServicePost, Shift, ShiftSignUp, Team

from .conftest import move_activity

REPLAYED = "这次提交已处理，未重复提交。"


def test_a_retried_check_in_and_check_out_write_once(vol, world, login):
    move_activity(
        vol.activity, start=vol.now - datetime.timedelta(minutes=5), end=vol.now + datetime.timedelta(hours=1)
    )
    token = CHECKIN.make(kind="activity", public_id=vol.activity.public_id, rotate_minutes=10)
    url = reverse("volunteering:scan", args=[token])
    client = login(world.users.member)
    assert 'name="idempotency_key"' in client.get(url).content.decode()
    first = client.post(url, {"action": "check_in", "idempotency_key": "scan-key-1"})
    retry = client.post(url, {"action": "check_in", "idempotency_key": "scan-key-1"})
    assert first["Location"] == retry["Location"] and retry["Idempotent-Replayed"] == "true"
    assert REPLAYED in client.get(retry["Location"]).content.decode()
    out = client.post(url, {"action": "check_out", "idempotency_key": "scan-key-2"})
    assert out.status_code == 302 and not out.has_header("Idempotent-Replayed")
    client.post(url, {"action": "check_out", "idempotency_key": "scan-key-2"})
    attendance = Attendance.objects.get()
    assert attendance.checked_out_at is not None and attendance.verified
    assert IdempotentRequest.objects.count() == 2


def test_a_retried_shift_sign_up_signs_up_once(vol, world, login):
    client = login(world.users.resident)
    page = client.get(reverse("volunteering:post_detail", args=[vol.post.public_id])).content.decode()
    assert 'name="idempotency_key"' in page
    url = reverse("volunteering:shift_signup", args=[vol.shift.public_id])
    first = client.post(url, {"idempotency_key": "shift-key-1"})
    retry = client.post(url, {"idempotency_key": "shift-key-1"})
    assert first["Location"] == retry["Location"] and retry["Idempotent-Replayed"] == "true"
    assert ShiftSignUp.objects.filter(shift=vol.shift, user=world.users.resident).count() == 1
    page = client.get(retry["Location"]).content.decode()
    assert REPLAYED in page


def test_a_workers_retried_creations_make_one_team_one_post_and_one_shift(vol, world, login):
    client = login(world.users.community_worker)
    assert 'name="idempotency_key"' in client.get(reverse("volunteering:team_create")).content.decode()
    team = {"community": world.c1.public_id, "name": "银发先锋队", "idempotency_key": "team-key-1"}
    first, retry = (client.post(reverse("volunteering:team_create"), team) for _i in range(2))
    assert first["Location"] == retry["Location"] and Team.objects.filter(name="银发先锋队").count() == 1
    post = {"community": world.c1.public_id, "name": "平安巡逻岗", "place": "东门", "idempotency_key": "post-key-1"}
    first, retry = (client.post(reverse("volunteering:post_create"), post) for _i in range(2))
    assert first["Location"] == retry["Location"] and ServicePost.objects.filter(name="平安巡逻岗").count() == 1
    url = reverse("volunteering:post_detail", args=[vol.post.public_id])
    day = (vol.now + datetime.timedelta(days=2)).date().isoformat()
    shift = {"date": day, "start": "09:00", "end": "11:00", "capacity": 2, "idempotency_key": "shift-add-key-1"}
    before = Shift.objects.filter(post=vol.post).count()
    first, retry = (client.post(url, shift) for _i in range(2))
    assert first.status_code == retry.status_code == 302 and retry["Idempotent-Replayed"] == "true"
    assert Shift.objects.filter(post=vol.post).count() == before + 1
