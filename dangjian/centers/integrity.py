"""The bookings' integrity checks (core/integrity.py): declared state and log; a room's time is held
once: no two holding bookings of a room overlap, and only holding bookings hold slots."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows

from .models import Booking, BookingSlot
from .workflow import FLOW, HOLDING_STATUSES

integrity.register_workflow(FLOW)


@integrity.register("centers.slots", gettext_lazy("功能室预约不重叠"))
def slots(options: Options) -> Iterator[Finding]:
    holding = Booking.objects.filter(status__in=HOLDING_STATUSES)
    overlap = holding.filter(
        room=OuterRef("room"), start__lt=OuterRef("end"), end__gt=OuterRef("start"), pk__lt=OuterRef("pk")
    )
    for row in rows(holding.filter(Exists(overlap)), "room_id", "start", "end"):
        yield finding(
            Booking,
            row,
            "overlapping_booking",
            _("与同一功能室的另一有效预约时间重叠"),
            room_id=row["room_id"],
            start=row["start"],
            end=row["end"],
        )
    own = BookingSlot.objects.filter(booking=OuterRef("pk"))
    for row in rows(holding.filter(~Exists(own)), "status"):
        yield finding(Booking, row, "holding_without_slots", _("有效预约未占用时段"), status=row["status"])
    released = Booking.objects.exclude(status__in=HOLDING_STATUSES).filter(Exists(own))
    for row in rows(released, "status"):
        yield finding(Booking, row, "released_with_slots", _("已结束的预约仍占用时段"), status=row["status"])
    foreign = BookingSlot.objects.exclude(room=OuterRef("room")).filter(booking=OuterRef("pk"))
    for row in rows(Booking.objects.filter(Exists(foreign)), "room_id"):
        yield finding(Booking, row, "slot_other_room", _("预约占用了其他功能室的时段"), room_id=row["room_id"])
