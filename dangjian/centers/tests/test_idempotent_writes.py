"""A phone retrying a booking, a sign-up or a check-in with its idempotency key writes once and gets the
first answer again (core.idempotency)."""

import pytest
from django.urls import reverse

from dangjian.centers.models import Activity, Booking, SignUp
from dangjian.centers.services import activities

from .conftest import at, next_weekday

REPLAYED = "这次提交已处理，未重复提交。"


@pytest.fixture
def activity(world, net):
    day = next_weekday(2)
    return activities.activity_create(
        actor=None, kind="party_lecture", title="党课", center=net.c1, start=at(day, 9), end=at(day, 10), capacity=30
    )


def flashed(client, response) -> str:
    return client.get(response["Location"]).content.decode()


def test_a_retried_booking_is_booked_once(world, net, login):
    client = login(world.users.resident)
    url = reverse("centers:book", args=[net.meeting.public_id])
    data = {"date": next_weekday(1).isoformat(), "start": "09:00", "end": "10:00", "purpose": "读书会", "attendees": 5}
    first = client.post(url, {**data, "idempotency_key": "book-key-1"})
    retry = client.post(url, {**data, "idempotency_key": "book-key-1"})
    assert first.status_code == retry.status_code == 302
    assert retry["Location"] == first["Location"] == Booking.objects.get().get_absolute_url()
    assert REPLAYED in flashed(client, retry)
    # A new key is a new booking: the same slot is refused on the form, as before.
    again = client.post(url, {**data, "idempotency_key": "book-key-2"})
    assert again.status_code == 200 and Booking.objects.count() == 1


def test_a_refused_booking_leaves_its_key_for_the_corrected_form(world, net, login):
    client = login(world.users.resident)
    url = reverse("centers:book", args=[net.meeting.public_id])
    data = {"date": next_weekday(1).isoformat(), "start": "12:00", "end": "13:00", "purpose": "读书会", "attendees": 5}
    refused = client.post(url, {**data, "idempotency_key": "book-key-3"})
    assert refused.status_code == 200 and 'name="idempotency_key"' in refused.content.decode()
    assert 'value="book-key-3"' not in refused.content.decode()  # the form shown again has a fresh key
    made = client.post(url, {**data, "start": "09:00", "end": "10:00", "idempotency_key": "book-key-3"})
    assert made.status_code == 302 and Booking.objects.count() == 1


def test_a_retried_sign_up_and_check_in_answer_as_the_first_time(world, activity, login):
    client = login(world.users.resident)
    url = reverse("centers:signup", args=[activity.public_id])
    first = client.post(url, {"idempotency_key": "signup-key-1"})
    retry = client.post(url, {"idempotency_key": "signup-key-1"})
    assert retry["Location"] == first["Location"] and retry["Idempotent-Replayed"] == "true"
    page = flashed(client, retry)
    assert REPLAYED in page and "已报名" not in page.split(REPLAYED)[0][-200:]
    mine = SignUp.objects.get(user=world.users.resident)
    worker = login(world.users.community_worker)
    check_in = reverse("centers:check_in", args=[mine.public_id])
    assert worker.post(check_in, {"idempotency_key": "checkin-key-1"}).status_code == 302
    retry = worker.post(check_in, {"idempotency_key": "checkin-key-1"})
    assert retry["Idempotent-Replayed"] == "true" and REPLAYED in flashed(worker, retry)
    mine.refresh_from_db()
    assert mine.status == "attended" and SignUp.objects.count() == 1


def test_the_forms_carry_a_key(world, net, activity, login):
    book = login(world.users.resident).get(reverse("centers:book", args=[net.meeting.public_id])).content.decode()
    detail = login(world.users.resident).get(activity.get_absolute_url()).content.decode()
    assert 'name="idempotency_key"' in book and 'name="idempotency_key"' in detail


def test_a_managers_retried_activity_is_published_once(world, net, login):
    client = login(world.users.community_worker)
    url = reverse("centers:activity_create", args=[net.c1.public_id])
    assert 'name="idempotency_key"' in client.get(url).content.decode()
    day = next_weekday(3).isoformat()
    data = {"kind": "party_lecture", "title": "微党课", "date": day, "start": "09:00", "end": "10:00", "capacity": 30}
    first, retry = (client.post(url, {**data, "idempotency_key": "activity-key-1"}) for _i in range(2))
    assert first.status_code == 302, first.content.decode()[:2000]
    assert retry["Location"] == first["Location"] and Activity.objects.filter(title="微党课").count() == 1
