"""Activities: capacity, waiting list and promotion, check-in, and the room an activity holds."""

import pytest
from django.core.exceptions import ValidationError

from dangjian.centers.models import Booking, SignUp, SignUpStatus
from dangjian.centers.services import activities, bookings

from .conftest import at, next_weekday

S = SignUpStatus


@pytest.fixture
def opera(world, net):
    day = next_weekday(5)
    return activities.activity_create(
        actor=world.users.community_worker,
        kind="public_class",
        title="少儿粤剧公益课",
        room=net.hall,
        start=at(day, 9, 30),
        end=at(day, 11),
        capacity=2,
        organizer_org=world.cc1,
    )


def test_an_activity_in_a_room_holds_the_room(world, net, opera):
    assert opera.booking.status == "approved" and opera.booking.room == net.hall
    with pytest.raises(ValidationError, match="已被预约"):
        bookings.booking_create(
            actor=world.users.resident, room=net.hall, start=opera.start, end=opera.end, purpose="排练"
        )
    activities.activity_cancel(actor=world.users.community_worker, activity=opera)
    assert Booking.objects.get(pk=opera.booking_id).status == "cancelled"


def test_only_managers_in_scope_publish_activities(world, net):
    day = next_weekday(2)
    for user in (world.users.resident, world.users.community_worker_outsider):
        with pytest.raises(ValidationError):
            activities.activity_create(
                actor=user, kind="party_lecture", title="党课", center=net.c1, start=at(day, 9), end=at(day, 10)
            )


def test_sign_up_fills_places_then_the_waiting_list_and_promotes_on_cancel(world, net, opera):
    u = world.users
    first = activities.signup_create(actor=u.resident, activity=opera)
    second = activities.signup_create(actor=u.member, activity=opera)
    third = activities.signup_create(actor=u.unit_contact, activity=opera)
    fourth = activities.signup_create(actor=u.grid_worker, activity=opera)
    assert [s.status for s in (first, second, third, fourth)] == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.WAITLISTED]
    with pytest.raises(ValidationError, match="已报名"):
        activities.signup_create(actor=u.resident, activity=opera)
    with pytest.raises(ValidationError, match="只能取消自己的报名"):
        activities.signup_cancel(actor=u.member, signup=first)
    promoted = activities.signup_cancel(actor=u.resident, signup=first)
    assert promoted == third  # the first on the waiting list
    statuses = dict(SignUp.objects.values_list("user__username", "status"))
    assert statuses == {"jm": S.CANCELLED, "dy": S.CONFIRMED, "dw": S.CONFIRMED, "wg1": S.WAITLISTED}
    # Cancelling a waiting place promotes nobody; signing up again after cancelling is allowed.
    assert activities.signup_cancel(actor=u.grid_worker, signup=fourth) is None
    again = activities.signup_create(actor=u.resident, activity=opera)
    assert again.status == S.WAITLISTED


def test_check_in_is_for_confirmed_people_by_the_manager(world, net, opera):
    u = world.users
    a = activities.signup_create(actor=u.resident, activity=opera)
    activities.signup_create(actor=u.member, activity=opera)
    w = activities.signup_create(actor=u.unit_contact, activity=opera)
    with pytest.raises(ValidationError):
        activities.signup_check_in(actor=u.community_worker_outsider, signup=a)
    with pytest.raises(ValidationError, match="候补"):
        activities.signup_check_in(actor=u.community_worker, signup=w)
    a = activities.signup_check_in(actor=u.community_worker, signup=a)
    assert a.status == S.ATTENDED and a.checked_in_at is not None
    with pytest.raises(ValidationError):
        activities.signup_cancel(actor=u.resident, signup=a)


def test_a_cancelled_activity_takes_no_sign_ups(world, net, opera):
    activities.activity_cancel(actor=world.users.community_worker, activity=opera)
    with pytest.raises(ValidationError, match="已取消"):
        activities.signup_create(actor=world.users.resident, activity=opera)
