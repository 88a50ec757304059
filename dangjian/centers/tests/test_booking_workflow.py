"""The booking workflow, generated from its declaration: every status, step and party."""

import pytest
from django.core.exceptions import ValidationError

from dangjian.centers.models import Booking, BookingLog, BookingSlot, BookingStatus
from dangjian.centers.services import bookings
from dangjian.centers.workflow import FLOW, Party, Step

from .conftest import at, next_weekday

S = BookingStatus
TUESDAY = 1


def booking_in(world, net, status):
    """A hall booking by the unit contact (pending until approved), moved into `status` by the manager."""
    day = next_weekday(TUESDAY)
    b = bookings.booking_create(
        actor=world.users.unit_contact, room=net.hall, start=at(day, 9), end=at(day, 10), purpose="议事"
    )
    manager = world.users.community_worker
    if status == S.APPROVED:
        b = bookings.booking_transition(actor=manager, booking=b, action=Step.APPROVE)
    elif status == S.REJECTED:
        b = bookings.booking_transition(actor=manager, booking=b, action=Step.REJECT, note="另有安排")
    elif status == S.CANCELLED:
        b = bookings.booking_transition(actor=manager, booking=b, action=Step.CANCEL)
    assert b.status == status
    return b


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("step", list(Step))
@pytest.mark.parametrize("party", list(Party))
def test_it_follows_the_declaration_for_every_status_step_and_party(world, net, status, step, party):
    b = booking_in(world, net, status)
    actor = world.users.community_worker if party == Party.MANAGER else world.users.unit_contact
    move = FLOW.move(status, step)
    logs = BookingLog.objects.filter(booking=b).count()
    if move is not None and party in move.parties:
        b = bookings.booking_transition(actor=actor, booking=b, action=step, note="说明")
        assert b.status == move.target
        last = BookingLog.objects.filter(booking=b).latest("pk")
        assert (last.step, last.from_status, last.to_status, last.actor) == (step, status, move.target, actor)
        assert BookingSlot.objects.filter(booking=b).exists() == (move.target in (S.PENDING, S.APPROVED))
    else:
        with pytest.raises(ValidationError, match="不能"):
            bookings.booking_transition(actor=actor, booking=b, action=step, note="说明")
        assert Booking.objects.get(pk=b.pk).status == status
        assert BookingLog.objects.filter(booking=b).count() == logs
