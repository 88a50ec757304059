"""Writes of the service-centre network: centres, hours, rooms, bookings, activities, sign-ups.

Every write is atomic and audited. Bookings and sign-ups follow the transition tables below;
anything else is refused with a clear Chinese message.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.roles import Role, acting_user, active_assignment, active_role
from dangjian.audit.services import Action, audit_record, diff, snapshot
from dangjian.core.scoping import scope_for
from dangjian.core.text import pinyin_initials
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area

from .models import (
    MANAGE_ROLES,
    Activity,
    ActivityStatus,
    BookerKind,
    Booking,
    BookingLog,
    BookingSlot,
    BookingStatus,
    CenterLevel,
    CenterLevelOption,
    CenterStandard,
    CircleSettings,
    ClosedDay,
    FunctionArea,
    Norm,
    OpeningHours,
    Room,
    ServiceCenter,
    SignUp,
    SignUpStatus,
)

# Bookings are made of fixed slots of this length (see BookingSlot); start and end fall on them.
SLOT_MINUTES = 30
MAX_BOOKING_DAYS_AHEAD = 60
WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]

# The defaults of the standards (the migration seeds the same): level → (m², required functions).
# Estates ≥ 300 m² and communities ≥ 500 m² are the seeds' figures for new estates' centres.
DEFAULT_STANDARDS: dict[str, tuple[int, list[str]]] = {
    CenterLevel.DISTRICT: (1000, ["party_activity", "party_school", "government", "volunteer", "culture"]),
    CenterLevel.SUBDISTRICT: (800, ["party_activity", "government", "mediation", "social_security", "volunteer"]),
    CenterLevel.COMMUNITY: (
        500,
        ["party_activity", "mediation", "social_security", "civil_affairs", "health", "culture"],
    ),
    CenterLevel.ESTATE: (300, ["party_activity", "deliberation"]),
    CenterLevel.PARK: (200, ["party_activity", "government"]),
    CenterLevel.OTHER: (0, []),
}
CENTER_FIELDS = [
    "name",
    "level",
    "area",
    "estate",
    "org",
    "address",
    "lat",
    "lng",
    "floor_area",
    "functions",
    "norms",
    "phone",
    "contact_name",
    "photo_urls",
    "description",
    "is_active",
]
ROOM_FIELDS = ["name", "capacity", "equipment", "requires_approval", "is_active"]


def ensure_default_standards() -> None:
    for level, (area, functions) in DEFAULT_STANDARDS.items():
        CenterStandard.objects.get_or_create(level=level, defaults={"min_area": area, "required_functions": functions})


def circle_settings_for(area: Area | None) -> CircleSettings:
    """The circle parameters of the district above `area` (unsaved defaults when none are set)."""
    district = None
    if area is not None:
        district = area if area.level == "district" else area.ancestors().filter(level="district").first()
    if district is not None:
        found = CircleSettings.objects.filter(district=district).first()
        if found:
            return found
    return CircleSettings(district=district) if district else CircleSettings()


# -- who may do what --------------------------------------------------------------------------


def role_allows(actor: Any, roles: Iterable[str]) -> bool:
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    return active_role(actor) in roles


def manages(actor: Any, center: ServiceCenter) -> bool:
    """The system, a superuser, or a manager whose territory holds the centre."""
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    scope = scope_for(actor)
    return scope.role in MANAGE_ROLES and bool(scope.area_path) and center.area.path.startswith(scope.area_path or "-")


def _require_manager(actor: Any, center: ServiceCenter) -> None:
    if not manages(actor, center):
        raise ValidationError(_("只有「%(c)s」所在辖区的管理员或社区工作者可以进行此操作。") % {"c": center.name})


# -- centres ------------------------------------------------------------------------------------


def _photo_url_allowed(url: str) -> bool:
    if len(url) > 500 or any(c.isspace() or not c.isprintable() or c == "\\" for c in url):
        return False
    if url.startswith("/"):  # this site's own files; "//host/..." would be another site
        return not url.startswith("//")
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:  # a malformed address or port
        return False
    return parts.scheme == "https" and not parts.username and not port and host in settings.PHOTO_URL_HOSTS


def clean_photo_urls(urls: Iterable[str]) -> list[str]:
    """A centre's photo links: addresses on this site, or HTTPS on an image server in PHOTO_URL_HOSTS.

    The public pages show them as images, so a link elsewhere would let anyone who edits a centre
    put a third party's picture (and tracking) on them."""
    cleaned = [url.strip() for url in urls if url.strip()]
    for url in cleaned:
        if not _photo_url_allowed(url):
            hosts = "、".join(settings.PHOTO_URL_HOSTS)
            if hosts:
                message = _(
                    "照片链接「%(u)s」不可用：只能使用本站的地址（以 / 开头），或这些图片服务器的 https 地址：%(h)s。"
                )
            else:
                message = _("照片链接「%(u)s」不可用：只能使用本站的地址（以 / 开头，如 /static/…）。")
            raise ValidationError(message % {"u": url, "h": hosts})
    return cleaned


def _clean_center(center: ServiceCenter) -> None:
    if not center.name.strip():
        raise ValidationError({"name": _("请填写服务中心名称。")})
    try:
        center.photo_urls = clean_photo_urls(center.photo_urls or [])
    except ValidationError as exc:
        raise ValidationError({"photo_urls": exc.messages}) from None
    levels = CenterLevelOption.for_district_path(center.area.path)
    if not levels.filter(code=center.level).exists():
        raise ValidationError({"level": _("「%(l)s」不是本区可选的中心层级，请重新选择。") % {"l": center.level}})
    valid = set(FunctionArea.values)
    unknown = [f for f in center.functions if f not in valid]
    if unknown:
        raise ValidationError({"functions": _("未知的功能区：%(f)s。") % {"f": "、".join(unknown)}})
    center.norms = {k: bool(v) for k, v in (center.norms or {}).items() if k in Norm.values}
    if not (-90 <= center.lat <= 90 and -180 <= center.lng <= 180):
        raise ValidationError({"lat": _("经纬度超出范围，请在地图上重新选点。")})
    estate = center.estate
    if estate is not None and not estate.community.path.startswith(center.area.path):
        raise ValidationError(
            {"estate": _("小区「%(e)s」不在「%(a)s」辖区内。") % {"e": center.estate, "a": center.area}}
        )


@transaction.atomic
def center_create(
    *, actor: Any, area: Area, name: str, level: str, lat: float, lng: float, **fields: Any
) -> ServiceCenter:
    center = ServiceCenter(area=area, name=name.strip(), level=level, lat=lat, lng=lng, **fields)
    if actor is not None and not manages(actor, center):
        raise ValidationError(_("您只能在自己的辖区内新建服务中心。"))
    _clean_center(center)
    if ServiceCenter.objects.filter(area=area, name=center.name).exists():
        raise ValidationError(
            {"name": _("「%(a)s」已有名为「%(n)s」的服务中心。") % {"a": area.name, "n": center.name}}
        )
    center.pinyin = pinyin_initials(center.name)
    center.save()
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=center,
        changes=diff({}, snapshot(center, CENTER_FIELDS)),
        area_path=area.path,
    )
    return center


@transaction.atomic
def center_update(*, actor: Any, center: ServiceCenter, **fields: Any) -> ServiceCenter:
    center = ServiceCenter.objects.select_for_update().select_related("area").get(pk=center.pk)
    _require_manager(actor, center)
    before = snapshot(center, CENTER_FIELDS)
    for name, value in fields.items():
        setattr(center, name, value)
    if actor is not None and not manages(actor, center):  # moved out of the actor's territory
        raise ValidationError({"area": _("不能把服务中心移出您的辖区。")})
    _clean_center(center)
    center.pinyin = pinyin_initials(center.name)
    center.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=center,
        changes=diff(before, snapshot(center, CENTER_FIELDS)),
        area_path=center.area.path,
    )
    return center


def parse_intervals(text: str, *, label: str = "") -> list[tuple[datetime.time, datetime.time]]:
    """'09:00-12:00, 14:30-17:30' → intervals; empty text: closed that day."""
    out: list[tuple[datetime.time, datetime.time]] = []
    for part in text.replace("，", ",").replace("–", "-").replace("—", "-").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            a, b = (datetime.time.fromisoformat(x.strip()) for x in part.split("-"))
        except ValueError as exc:
            raise ValidationError(
                _("%(d)s的时间「%(p)s」格式不对，应如 09:00-12:00。") % {"d": label, "p": part}
            ) from exc
        if b <= a:
            raise ValidationError(_("%(d)s的时间「%(p)s」结束早于开始。") % {"d": label, "p": part})
        out.append((a, b))
    out.sort()
    for (_a1, b1), (a2, _b2) in zip(out, out[1:], strict=False):
        if a2 < b1:
            raise ValidationError(_("%(d)s的开放时段有重叠。") % {"d": label})
    return out


@transaction.atomic
def hours_set(*, actor: Any, center: ServiceCenter, week: dict[int, list[tuple[datetime.time, datetime.time]]]) -> None:
    """Replace the weekly opening hours (weekday 0 = Monday → intervals)."""
    center = ServiceCenter.objects.select_for_update().select_related("area").get(pk=center.pk)
    _require_manager(actor, center)
    before = describe_hours(center)
    OpeningHours.objects.filter(center=center).delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(center=center, weekday=d, opens=a, closes=b) for d, intervals in week.items() for a, b in intervals
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=center,
        changes={"hours": [before, describe_hours(center)]},
        area_path=center.area.path,
    )


@transaction.atomic
def closed_day_add(*, actor: Any, center: ServiceCenter, date: datetime.date, reason: str = "") -> ClosedDay:
    _require_manager(actor, center)
    day, _created = ClosedDay.objects.update_or_create(center=center, date=date, defaults={"reason": reason.strip()})
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=day,
        object_repr=f"{center.name} 闭馆 {date}",
        changes={"reason": [None, reason]},
        area_path=center.area.path,
    )
    return day


def describe_hours(center: ServiceCenter) -> str:
    by_day = _hours_by_day(center)
    return "；".join(f"{WEEKDAYS[d]} {format_intervals(by_day.get(d, []))}" for d in range(7))


def format_intervals(intervals) -> str:
    return "、".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in intervals) if intervals else _("不开放")


def _hours_by_day(center: ServiceCenter) -> dict[int, list[tuple[datetime.time, datetime.time]]]:
    by_day: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
    for h in OpeningHours.objects.filter(center=center).order_by("weekday", "opens"):
        by_day.setdefault(h.weekday, []).append((h.opens, h.closes))
    return by_day


# -- rooms --------------------------------------------------------------------------------------


@transaction.atomic
def room_save(*, actor: Any, center: ServiceCenter, room: Room | None = None, **fields: Any) -> Room:
    _require_manager(actor, center)
    before = snapshot(room, ROOM_FIELDS) if room else {}
    room = room or Room(center=center)
    for name, value in fields.items():
        setattr(room, name, value)
    if not room.name.strip():
        raise ValidationError({"name": _("请填写功能室名称。")})
    if Room.objects.filter(center=center, name=room.name).exclude(pk=room.pk).exists():
        raise ValidationError({"name": _("「%(c)s」已有名为「%(n)s」的功能室。") % {"c": center.name, "n": room.name}})
    room.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE if before else Action.CREATE,
        obj=room,
        changes=diff(before, snapshot(room, ROOM_FIELDS)),
        area_path=center.area.path,
    )
    return room


# -- bookings -----------------------------------------------------------------------------------


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
    intervals = _hours_by_day(center).get(day.weekday(), [])
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


BOOK_ROLES = frozenset(
    {
        Role.RESIDENT,
        Role.PARTY_MEMBER,
        Role.UNIT_CONTACT,
        Role.GRID_WORKER,
        Role.COMMUNITY_WORKER,
        Role.SUBDISTRICT_ADMIN,
        Role.DISTRICT_ADMIN,
    }
)


def _log(booking: Booking, actor: Any, source: str, target: str, note: str = "") -> None:
    BookingLog.objects.create(
        booking=booking,
        actor=acting_user(actor),
        from_status=source,
        to_status=target,
        note=note[:200],
    )


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
    _log(booking, actor, "", status)
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


@dataclass(frozen=True)
class BookingTransition:
    action: str
    sources: tuple[str, ...]
    target: str
    label: str | Any
    question: str | Any
    by_manager: bool  # the centre's managers; otherwise the booker (managers may cancel too)


B = BookingStatus
HOLDING = {str(B.PENDING), str(B.APPROVED)}
BOOKING_TRANSITIONS = {
    t.action: t
    for t in (
        BookingTransition(
            "approve", (B.PENDING,), B.APPROVED, gettext_lazy("批准"), gettext_lazy("确认批准这次预约？"), True
        ),
        BookingTransition(
            "reject",
            (B.PENDING,),
            B.REJECTED,
            gettext_lazy("不批准"),
            gettext_lazy("确认不批准这次预约？请填写原因。"),
            True,
        ),
        BookingTransition(
            "cancel",
            (B.PENDING, B.APPROVED),
            B.CANCELLED,
            gettext_lazy("取消预约"),
            gettext_lazy("确认取消这次预约？取消后该时段可被他人预约。"),
            False,
        ),
    )
}


@transaction.atomic
def booking_transition(*, actor: Any, booking: Booking, action: str, note: str = "") -> Booking:
    t = BOOKING_TRANSITIONS.get(action)
    if t is None:
        raise ValidationError(_("未知的操作。"))
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    center = ServiceCenter.objects.select_related("area").get(pk=booking.room.center_id)
    is_manager = manages(actor, center)
    is_booker = actor is not None and booking.booked_by_id == getattr(actor, "pk", None)
    if not (is_manager or (is_booker and not t.by_manager)):
        raise ValidationError(_("您不能对这次预约进行「%(a)s」。") % {"a": t.label})
    if booking.status not in t.sources:
        raise ValidationError(_("预约当前为「%(s)s」，不能%(a)s。") % {"s": booking.get_status_display(), "a": t.label})
    if action == "reject" and not note.strip():
        raise ValidationError({"note": _("请填写不批准的原因。")})
    if action == "cancel" and booking.end <= timezone.now():
        raise ValidationError(_("预约时段已经结束，不能取消。"))
    source = booking.status
    booking.status = t.target
    booking.save(update_fields=["status"])
    if t.target not in (B.PENDING, B.APPROVED):
        booking.slots.all().delete()  # the time is free again
    _log(booking, actor, source, t.target, note)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=booking,
        changes={"status": [source, t.target], "note": [None, note]},
        area_path=center.area.path,
    )
    return booking


# -- activities and sign-ups ---------------------------------------------------------------------

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
        _require_manager(actor, center)
        area = area or center.area
    if area is None:
        raise ValidationError(_("请选择活动所属的服务中心或属地。"))
    if actor is not None and not getattr(actor, "is_superuser", False):
        scope = scope_for(actor)
        if scope.role not in MANAGE_ROLES or not area.path.startswith(scope.area_path or "-"):
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
    scope_ok = (
        actor is None
        or getattr(actor, "is_superuser", False)
        or (scope_for(actor).role in MANAGE_ROLES and activity.area.path.startswith(scope_for(actor).area_path or "-"))
    )
    if not scope_ok:
        raise ValidationError(_("只有活动所在辖区的管理员或社区工作者可以取消活动。"))
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("活动已经取消。"))
    activity.status = ActivityStatus.CANCELLED
    activity.save(update_fields=["status"])
    held = activity.booking
    if held is not None and held.status in HOLDING:
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
    scope = scope_for(actor) if actor is not None else None
    if (
        scope is not None
        and not scope.everything
        and not (scope.role in MANAGE_ROLES and activity.area.path.startswith(scope.area_path or "-"))
    ):
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


# -- circle settings -----------------------------------------------------------------------------


@transaction.atomic
def circle_settings_save(*, actor: Any, district: Area, **values: Any) -> CircleSettings:
    if actor is not None and not role_allows(actor, {Role.DISTRICT_ADMIN}):
        raise ValidationError(_("只有区级管理员可以修改十分钟服务圈参数。"))
    settings_obj, _created = CircleSettings.objects.get_or_create(district=district)
    fields = ["minutes", "detour_factor", "walk_speed", "persons_per_household"]
    before = snapshot(settings_obj, fields)
    if values.get("detour_factor", 1) < 1:
        raise ValidationError({"detour_factor": _("绕行系数不能小于 1。")})
    if values.get("walk_speed", 1) <= 0 or values.get("minutes", 1) <= 0:
        raise ValidationError(_("步行速度和时间须大于 0。"))
    for k, v in values.items():
        setattr(settings_obj, k, v)
    settings_obj.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=settings_obj,
        changes=diff(before, snapshot(settings_obj, fields)),
        area_path=district.path,
    )
    return settings_obj
