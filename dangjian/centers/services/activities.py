"""Writes of activities and their sign-ups. An activity in a room books the room (approved)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record, diff, snapshot
from dangjian.core.scoping import acting_user
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area

from ..models import Activity, ActivityStatus, Room, ServiceCenter, SignUp, SignUpStatus
from ..permissions import manages_area, require_manager
from ..workflow import HOLDING_STATUSES
from .bookings import booking_create, booking_transition

ACTIVITY_FIELDS = ["kind", "title", "center", "room", "place", "start", "end", "capacity", "organizer_org", "status"]


@transaction.atomic
def activity_create(
    *,
    actor: Any,
    kind: str,
    title: str,
    start: datetime.datetime,
    end: datetime.datetime,
    area: Area | None = None,
    center: ServiceCenter | None = None,
    room: Room | None = None,
    place: str = "",
    capacity: int | None = None,
    organizer_org: PartyOrg | None = None,
    description: str = "",
) -> Activity:
    """Publish an activity. In a room it also books the room (approved: the manager holds it)."""
    if room is not None:
        center = room.center
    if center is not None:
        require_manager(actor, center)
        area = area or center.area
    if area is None:
        raise ValidationError(_("请选择活动所属的服务中心或属地。"))
    if not manages_area(actor, area):
        raise ValidationError(_("您只能在自己的辖区内发布活动。"))
    if not title.strip():
        raise ValidationError({"title": _("请填写活动名称。")})
    if end <= start:
        raise ValidationError(_("活动结束时间须晚于开始时间。"))
    if capacity is not None and capacity < 1:
        raise ValidationError({"capacity": _("名额至少为 1，不限名额请留空。")})
    if room is not None and capacity is not None and capacity > room.capacity:
        raise ValidationError({"capacity": _("「%(r)s」最多容纳 %(n)s 人。") % {"r": room.name, "n": room.capacity}})
    booking = None
    if room is not None:
        booking = booking_create(
            actor=actor,
            room=room,
            start=start,
            end=end,
            purpose=title,
            attendees=capacity or 1,
            org=organizer_org,
            auto_approve=True,
        )
    activity = Activity.objects.create(
        kind=kind,
        title=title.strip(),
        description=description,
        area=area,
        center=center,
        room=room,
        booking=booking,
        place=place.strip(),
        start=start,
        end=end,
        capacity=capacity,
        organizer_org=organizer_org,
        created_by=acting_user(actor),
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=activity,
        changes=diff({}, snapshot(activity, ACTIVITY_FIELDS)),
        area_path=area.path,
    )
    return activity


@transaction.atomic
def activity_cancel(*, actor: Any, activity: Activity) -> Activity:
    activity = Activity.objects.select_for_update().select_related("area").get(pk=activity.pk)
    if not manages_area(actor, activity.area):
        raise ValidationError(_("只有活动所在辖区的管理员或社区工作者可以取消活动。"))
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("活动已经取消。"))
    activity.status = ActivityStatus.CANCELLED
    activity.save(update_fields=["status"])
    held = activity.booking
    if held is not None and held.status in HOLDING_STATUSES:
        booking_transition(actor=None, booking=held, action="cancel", note=_("活动取消"))
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=activity,
        changes={"status": ["published", "cancelled"]},
        area_path=activity.area.path,
    )
    return activity


def _live(activity: Activity):
    return SignUp.objects.filter(activity=activity).exclude(status=SignUpStatus.CANCELLED)


@transaction.atomic
def signup_create(*, actor: Any, activity: Activity, now: datetime.datetime | None = None) -> SignUp:
    """Sign up: confirmed while places remain, else on the waiting list. The activity row is locked,
    so two people cannot take the last place at once."""
    now = now or timezone.now()
    activity = Activity.objects.select_for_update().select_related("area").get(pk=activity.pk)
    if activity.status != ActivityStatus.PUBLISHED:
        raise ValidationError(_("活动「%(t)s」已取消，不能报名。") % {"t": activity.title})
    if activity.start <= now:
        raise ValidationError(_("活动「%(t)s」已经开始，报名已截止。") % {"t": activity.title})
    if _live(activity).filter(user=actor).exists():
        raise ValidationError(_("您已报名「%(t)s」。") % {"t": activity.title})
    taken = _live(activity).filter(status__in=[SignUpStatus.CONFIRMED, SignUpStatus.ATTENDED]).count()
    full = activity.capacity is not None and taken >= activity.capacity
    status = SignUpStatus.WAITLISTED if full else SignUpStatus.CONFIRMED
    try:
        with transaction.atomic():
            signup = SignUp.objects.create(activity=activity, user=actor, status=status)
    except IntegrityError as exc:
        raise ValidationError(_("您已报名「%(t)s」。") % {"t": activity.title}) from exc
    audit_record(
        actor=actor, action=Action.CREATE, obj=signup, changes={"status": [None, status]}, area_path=activity.area.path
    )
    return signup


@transaction.atomic
def signup_cancel(*, actor: Any, signup: SignUp) -> SignUp | None:
    """Cancel a sign-up; a freed place goes to the first on the waiting list. Returns the promoted one."""
    activity = Activity.objects.select_for_update().select_related("area").get(pk=signup.activity_id)
    signup = SignUp.objects.select_for_update().get(pk=signup.pk)
    if actor is not None and signup.user_id != actor.pk:
        raise ValidationError(_("只能取消自己的报名。"))
    if signup.status not in (SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED):
        raise ValidationError(_("报名当前为「%(s)s」，不能取消。") % {"s": signup.get_status_display()})
    freed = signup.status == SignUpStatus.CONFIRMED
    source = signup.status
    signup.status = SignUpStatus.CANCELLED
    signup.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=signup,
        changes={"status": [source, "cancelled"]},
        area_path=activity.area.path,
    )
    promoted = None
    if freed and activity.start > timezone.now():
        promoted = _live(activity).filter(status=SignUpStatus.WAITLISTED).order_by("created_at", "pk").first()
        if promoted is not None:
            promoted.status = SignUpStatus.CONFIRMED
            promoted.save(update_fields=["status"])
            audit_record(
                actor=None,
                action=Action.UPDATE,
                obj=promoted,
                changes={"status": ["waitlisted", "confirmed"], "note": [None, "候补递补"]},
                area_path=activity.area.path,
            )
    return promoted


@transaction.atomic
def signup_check_in(*, actor: Any, signup: SignUp, now: datetime.datetime | None = None) -> SignUp:
    signup = SignUp.objects.select_for_update().select_related("activity__area").get(pk=signup.pk)
    activity = signup.activity
    if not manages_area(actor, activity.area):
        raise ValidationError(_("只有活动所在辖区的管理员或社区工作者可以签到。"))
    if signup.status != SignUpStatus.CONFIRMED:
        raise ValidationError(_("报名当前为「%(s)s」，不能签到。") % {"s": signup.get_status_display()})
    signup.status = SignUpStatus.ATTENDED
    signup.checked_in_at = now or timezone.now()
    signup.save(update_fields=["status", "checked_in_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=signup,
        changes={"status": ["confirmed", "attended"]},
        area_path=activity.area.path,
    )
    return signup
