"""The bookings' integrity checks (centers/integrity.py): state and log; a room's time held once."""

from __future__ import annotations

import uuid

from dangjian.centers.models import Booking, BookingLog, BookingStatus
from dangjian.core.testing import integrity_findings as found


def test_booking_defects_are_found(demo):
    assert found("centers") == {}
    held = list(
        Booking.objects.filter(status=BookingStatus.APPROVED, slots__isnull=False).distinct().order_by("pk")[:2]
    )
    # A second approved booking of the same room and time, written around the slots.
    twin = Booking.objects.get(pk=held[0].pk)
    twin.pk, twin.public_id = None, uuid.uuid4()
    twin.save()
    BookingLog.objects.create(booking=twin, step="book", from_status="", to_status=twin.status)
    # A cancelled booking whose slots were not given back.
    Booking.objects.filter(pk=held[1].pk).update(status=BookingStatus.CANCELLED)

    slots = found("centers.slots")
    assert slots["overlapping_booking"] == {twin.pk}
    assert slots["holding_without_slots"] == {twin.pk}
    assert slots["released_with_slots"] == {held[1].pk}
    assert found("centers.workflow") == {"log_status_mismatch": {held[1].pk}}
