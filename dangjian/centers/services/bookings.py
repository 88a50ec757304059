"""Writes of room bookings: a booking holds its slots; its steps are the workflow in centers/workflow.py.

A booking starts pending (a room that needs approval) or approved; the centre's managers approve or
reject it; the booker or a manager cancels it; a rejected or cancelled booking frees its time.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role, active_assignment
from dangjian.audit.services import Action, audit_record, diff
from dangjian.core.scoping import active_role
from dangjian.core.workflow import TransitionRefused, take_step
from dangjian.orgs.models import PartyOrg

from ..models import BookerKind, Booking, BookingSlot, BookingStatus, ClosedDay, Room, ServiceCenter
from ..permissions import BOOK_ROLES, role_allows
from ..workflow import BOOK, FLOW, HOLDING_STATUSES, Step
from .centres import WEEKDAYS, format_intervals, hours_by_day

# Bookings are made of fixed slots of this length (see BookingSlot); start and end fall on them.
SLOT_MINUTES = 30
MAX_BOOKING_DAYS_AHEAD = 60


def check_opening(center: ServiceCenter, start: datetime.datetime, end: datetime.datetime) -> None:
    """Refuse a time outside the centre's opening hours or on a closed day, naming the hours."""
    tz = timezone.get_current_timezone()
    start_l, end_l = timezone.localtime(start, tz), timezone.localtime(end, tz)
    day = start_l.date()
    when = f"{start_l:%H:%M}–{end_l:%H:%M}"
    if end_l.date() != day and not (
        end_l.date() == day + datetime.timedelta(days=1) and end_l.time() == datetime.time(0)
    ):
        raise ValidationError(_("预约须在同一天内，请分开预约。"))
    closed = ClosedDay.objects.filter(center=center, date=day).first()
    if closed:
        raise ValidationError(
            _("「%(c)s」%(d)s 闭馆%(r)s，请选择其他日期。")
            % {"c": center.name, "d": day.isoformat(), "r": f"（{closed.reason}）" if closed.reason else ""}
        )
    intervals = hours_by_day(center).get(day.weekday(), [])
    wd = WEEKDAYS[day.weekday()]
    if not intervals:
        raise ValidationError(_("「%(c)s」%(wd)s不开放，请选择其他日期。") % {"c": center.name, "wd": wd})
    end_t = end_l.time() if end_l.date() == day else datetime.time(23, 59, 59)
    if not any(a <= start_l.time() and end_t <= b for a, b in intervals):
        raise ValidationError(
            _("所选时段 %(when)s 不在开放时间内：「%(c)s」%(wd)s的开放时间为 %(hours)s。")
            % {"when": when, "c": center.name, "wd": wd, "hours": format_intervals(intervals)}
        )


def slot_starts(start: datetime.datetime, end: datetime.datetime) -> list[datetime.datetime]:
    step = datetime.timedelta(minutes=SLOT_MINUTES)
    out, t = [], start
    while t < end:
        out.append(t)
        t += step
    return out


def booker_for(actor: Any, org: PartyOrg | None = None) -> tuple[str, Any, PartyOrg | None]:
    """Who the booking is for, from the actor's active role: (kind, unit, org)."""
    role = active_role(actor) if actor is not None else ""
    if role == Role.UNIT_CONTACT:
        assignment = active_assignment(actor)
        return BookerKind.UNIT, assignment.unit if assignment else None, None
    if org is not None:
        return BookerKind.ORG, None, org
    if role == Role.PARTY_MEMBER:
        return BookerKind.MEMBER, None, None
    return BookerKind.RESIDENT, None, None


@transaction.atomic
def booking_create(
    *,
    actor: Any,
    room: Room,
    start: datetime.datetime,
    end: datetime.datetime,
    purpose: str,
    attendees: int = 1,
    org: PartyOrg | None = None,
    now: datetime.datetime | None = None,
    auto_approve: bool = False,
) -> Booking:
    """Book a room. The slots' unique constraint refuses a time already held, also under a race."""
    now = now or timezone.now()
    room = Room.objects.select_related("center__area").get(pk=room.pk)
    center = room.center
    if actor is not None and not role_allows(actor, BOOK_ROLES):
        raise ValidationError(_("您当前的角色不能预约功能室。"))
    if not (room.is_active and center.is_active):
        raise ValidationError(_("「%(r)s」暂停预约。") % {"r": room})
    if not purpose.strip():
        raise ValidationError({"purpose": _("请填写用途。")})
    if end <= start:
        raise ValidationError(_("结束时间须晚于开始时间。"))
    step = SLOT_MINUTES * 60
    for t in (start, end):
        if int(t.timestamp()) % step or t.microsecond:
            raise ValidationError(
                _("预约按 %(m)s 分钟为一个时段，开始和结束时间须为整点或半点。") % {"m": SLOT_MINUTES}
            )
    if start < now:
        raise ValidationError(_("不能预约已经过去的时间。"))
    if start > now + datetime.timedelta(days=MAX_BOOKING_DAYS_AHEAD):
        raise ValidationError(_("最多只能预约 %(n)s 天内的时段。") % {"n": MAX_BOOKING_DAYS_AHEAD})
    if attendees < 1:
        raise ValidationError({"attendees": _("人数至少为 1。")})
    if attendees > room.capacity:
        raise ValidationError({"attendees": _("「%(r)s」最多容纳 %(n)s 人。") % {"r": room.name, "n": room.capacity}})
    check_opening(center, start, end)
    kind, unit, org = booker_for(actor, org)
    status = BookingStatus.PENDING if room.requires_approval and not auto_approve else BookingStatus.APPROVED
    booking = Booking.objects.create(
        room=room,
        booked_by=actor,
        booker_kind=kind,
        unit=unit,
        org=org,
        purpose=purpose.strip(),
        attendees=attendees,
        start=start,
        end=end,
        status=status,
    )
    try:
        with transaction.atomic():  # a savepoint, so the clash becomes a clear message
            BookingSlot.objects.bulk_create(
                BookingSlot(room=room, slot_start=t, booking=booking) for t in slot_starts(start, end)
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("「%(r)s」%(when)s 已被预约，请选择其他时段。")
            % {"r": room.name, "when": f"{timezone.localtime(start):%m-%d %H:%M}–{timezone.localtime(end):%H:%M}"}
        ) from exc
    FLOW.log(booking, actor=actor, step=BOOK, from_status="", to_status=status)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=booking,
        changes=diff(
            {}, {"room": str(room), "start": str(start), "end": str(end), "status": status, "purpose": booking.purpose}
        ),
        area_path=center.area.path,
    )
    return booking


@transaction.atomic
def booking_transition(*, actor: Any, booking: Booking, action: str, note: str = "") -> Booking:
    """Take one declared step of the booking workflow (approve, reject, cancel)."""
    if action not in FLOW.steps:
        raise TransitionRefused(_("未知的操作。"))
    note = note.strip()
    # The audit row keeps the status codes and the note, as the booking's audit rows always have.
    audit: dict[str, Any] = {"note": [None, note]}

    def prepare(locked: Booking, parties: set[str]) -> None:
        if action == Step.CANCEL and locked.end <= timezone.now():
            raise ValidationError(_("预约时段已经结束，不能取消。"))
        audit["status"] = [locked.status, FLOW.target(locked.status, action)]

    def after(locked: Booking, from_status: str) -> None:
        if locked.status not in HOLDING_STATUSES:
            locked.slots.all().delete()  # the time is free again

    return take_step(FLOW, actor=actor, obj=booking, step=action, note=note, prepare=prepare, after=after, audit=audit)
