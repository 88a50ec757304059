"""A phone retrying a training check-in (or an organizer's double tap) with its idempotency key writes
once and gets the first answer again (core.idempotency)."""

from django.urls import reverse
from django.utils import timezone

from dangjian.workforce.models import Attendance
from dangjian.workforce.services import training


def test_a_retried_check_in_writes_once(world, make_worker, login):
    course = training.course_save(actor=None, area=world.district, name="党建大讲堂", kind="lecture", year=2024)
    session = training.session_save(actor=None, course=course, title="基层治理", starts_at=timezone.now(), hours=2)
    w = make_worker(name="李华")
    w.user = world.users.community_worker
    w.save()
    token = training.CHECKIN.make(kind="session", public_id=session.public_id, rotate_minutes=training.ROTATE_MINUTES)
    url = reverse("workforce:scan", args=[token])
    client = login(world.users.community_worker)
    assert 'name="idempotency_key"' in client.get(url).content.decode()
    first = client.post(url, {"idempotency_key": "retry-key-1"})
    retry = client.post(url, {"idempotency_key": "retry-key-1"})
    assert first["Location"] == retry["Location"] and retry["Idempotent-Replayed"] == "true"
    assert Attendance.objects.count() == 1
    organizer = login(world.users.district_admin)
    record = reverse("workforce:session_record", args=[session.public_id])
    other = make_worker(name="王芳")
    organizer.post(record, {"worker": other.public_id, "idempotency_key": "retry-key-2"})
    again = organizer.post(record, {"worker": other.public_id, "idempotency_key": "retry-key-2"})
    assert again["Idempotent-Replayed"] == "true"
    assert Attendance.objects.count() == 2
