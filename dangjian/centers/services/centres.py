"""Writes of the service-centre network's places: centres, opening hours, closed days, rooms, and the
ten-minute service circle's parameters. Every write is atomic and audited."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record, diff, snapshot
from dangjian.core.text import pinyin_initials
from dangjian.territory.models import Area

from ..models import (
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
)
from ..permissions import CIRCLE_ROLES, manages, require_manager, role_allows

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
    require_manager(actor, center)
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
    require_manager(actor, center)
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
    require_manager(actor, center)
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
    by_day = hours_by_day(center)
    return "；".join(f"{WEEKDAYS[d]} {format_intervals(by_day.get(d, []))}" for d in range(7))


def format_intervals(intervals) -> str:
    return "、".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in intervals) if intervals else _("不开放")


def hours_by_day(center: ServiceCenter) -> dict[int, list[tuple[datetime.time, datetime.time]]]:
    by_day: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
    for h in OpeningHours.objects.filter(center=center).order_by("weekday", "opens"):
        by_day.setdefault(h.weekday, []).append((h.opens, h.closes))
    return by_day


# -- rooms --------------------------------------------------------------------------------------


@transaction.atomic
def room_save(*, actor: Any, center: ServiceCenter, room: Room | None = None, **fields: Any) -> Room:
    require_manager(actor, center)
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


# -- circle settings -----------------------------------------------------------------------------


@transaction.atomic
def circle_settings_save(*, actor: Any, district: Area, **values: Any) -> CircleSettings:
    if actor is not None and not role_allows(actor, CIRCLE_ROLES):
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
