"""Room bookings: hours, closed days, approval, cancellation, and no double booking (also under a race)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections

from dangjian.audit.models import AuditEvent
from dangjian.centers.models import Booking, BookingSlot, BookingStatus
from dangjian.centers.services import bookings, centres

from .conftest import at, next_weekday

TUESDAY = 1


def book(user, room, day, h1, m1, h2, m2, **kw):
    return bookings.booking_create(
        actor=user, room=room, start=at(day, h1, m1), end=at(day, h2, m2), purpose=kw.pop("purpose", "议事"), **kw
    )


def test_a_resident_books_a_room_without_approval(world, net):
    day = next_weekday(TUESDAY)
    b = book(world.users.resident, net.meeting, day, 9, 0, 10, 30, attendees=8)
    assert b.status == BookingStatus.APPROVED and b.booker_kind == "resident"
    assert [s.slot_start for s in b.slots.order_by("slot_start")] == [at(day, 9), at(day, 9, 30), at(day, 10)]
    assert AuditEvent.objects.filter(object_type="centers.booking", object_id=str(b.public_id)).exists()
    assert b.log.get().to_status == "approved"


def test_an_overlapping_booking_is_refused_and_an_adjacent_one_is_not(world, net):
    day = next_weekday(TUESDAY)
    book(world.users.resident, net.meeting, day, 9, 0, 10, 30)
    with pytest.raises(ValidationError) as exc:
        book(world.users.member, net.meeting, day, 10, 0, 11, 0)
    assert "会议室" in exc.value.messages[0] and "已被预约" in exc.value.messages[0]
    assert Booking.objects.count() == 1  # the refused booking left nothing behind
    book(world.users.member, net.meeting, day, 10, 30, 11, 30)
    book(world.users.member, net.hall, day, 9, 0, 10, 0)  # another room, same time


def test_a_booking_outside_the_opening_hours_is_refused_naming_the_hours(world, net):
    day = next_weekday(TUESDAY)
    with pytest.raises(ValidationError) as exc:
        book(world.users.resident, net.meeting, day, 12, 0, 13, 0)
    assert exc.value.messages == [
        "所选时段 12:00–13:00 不在开放时间内：「婆石社区党群服务中心」周二的开放时间为 09:00–12:00、14:30–17:30。"
    ]
    with pytest.raises(ValidationError) as exc:
        book(world.users.resident, net.meeting, next_weekday(6), 9, 0, 10, 0)
    assert exc.value.messages == ["「婆石社区党群服务中心」周日不开放，请选择其他日期。"]


def test_a_closed_day_is_refused(world, net):
    day = next_weekday(TUESDAY)
    centres.closed_day_add(actor=world.users.community_worker, center=net.c1, date=day, reason="设备检修")
    with pytest.raises(ValidationError) as exc:
        book(world.users.resident, net.meeting, day, 9, 0, 10, 0)
    assert exc.value.messages == [f"「婆石社区党群服务中心」{day.isoformat()} 闭馆（设备检修），请选择其他日期。"]


def test_times_off_the_half_hour_the_past_and_too_many_people_are_refused(world, net):
    day = next_weekday(TUESDAY)
    with pytest.raises(ValidationError, match="整点或半点"):
        book(world.users.resident, net.meeting, day, 9, 15, 10, 0)
    with pytest.raises(ValidationError, match="已经过去"):
        book(world.users.resident, net.meeting, next_weekday(TUESDAY, weeks=-2), 9, 0, 10, 0)
    with pytest.raises(ValidationError) as exc:
        book(world.users.resident, net.meeting, day, 9, 0, 10, 0, attendees=21)
    assert "最多容纳 20 人" in exc.value.messages[0]
    with pytest.raises(ValidationError, match="不能预约功能室"):
        book(world.users.department_staff, net.meeting, day, 9, 0, 10, 0)


def test_a_hall_needing_approval_waits_for_the_centres_manager(world, net):
    u = world.users
    day = next_weekday(TUESDAY)
    b = book(u.unit_contact, net.hall, day, 14, 30, 16, 0, attendees=40)
    assert b.status == BookingStatus.PENDING and b.booker_kind == "unit" and b.unit == world.unit
    with pytest.raises(ValidationError):  # a pending booking already holds the time
        book(u.resident, net.hall, day, 15, 0, 15, 30)
    for stranger in (u.unit_contact, u.community_worker_outsider, u.resident):
        with pytest.raises(ValidationError):
            bookings.booking_transition(actor=stranger, booking=b, action="approve")
    with pytest.raises(ValidationError, match="原因"):
        bookings.booking_transition(actor=u.community_worker, booking=b, action="reject")
    b = bookings.booking_transition(actor=u.community_worker, booking=b, action="approve")
    assert b.status == BookingStatus.APPROVED
    with pytest.raises(ValidationError, match="不能批准"):
        bookings.booking_transition(actor=u.community_worker, booking=b, action="approve")
    assert [row.to_status for row in b.log.all()] == ["pending", "approved"]


def test_cancelling_or_rejecting_frees_the_time(world, net):
    u = world.users
    day = next_weekday(TUESDAY)
    b = book(u.resident, net.meeting, day, 9, 0, 10, 0)
    with pytest.raises(ValidationError):
        bookings.booking_transition(actor=u.member, booking=b, action="cancel")  # not theirs
    bookings.booking_transition(actor=u.resident, booking=b, action="cancel")
    assert not BookingSlot.objects.exists()
    again = book(u.member, net.hall, day, 9, 0, 10, 0)
    bookings.booking_transition(actor=u.subdistrict_admin, booking=again, action="reject", note="当天有党课")
    book(u.resident, net.meeting, day, 9, 0, 10, 0)
    book(u.resident, net.hall, day, 9, 0, 10, 0)


def _race(world, net, users):
    """Each user books the same room and time in their own thread at the same instant."""
    day = next_weekday(TUESDAY)
    barrier = threading.Barrier(len(users))
    results: list[str] = []

    def attempt(user):
        try:
            barrier.wait()
            book(user, net.meeting, day, 9, 0, 11, 0)
            results.append("ok")
        except ValidationError as exc:
            results.append(exc.messages[0])
        finally:
            close_old_connections()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_the_same_slot_make_exactly_one_booking(world, net):
    u = world.users
    results = _race(world, net, [u.resident, u.member, u.unit_contact, u.community_worker])
    assert results.count("ok") == 1, results
    assert all("已被预约" in r for r in results if r != "ok"), results
    assert Booking.objects.count() == 1
    assert BookingSlot.objects.count() == 4
