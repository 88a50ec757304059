"""Reads of the service-centre network: lists, gaps against the standards, the week calendar,
and the ten-minute circle over the estates of a territory node."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.search import name_or_pinyin_q
from dangjian.territory.models import Area, Estate

from . import geo
from .models import (
    Activity,
    ActivityStatus,
    Booking,
    BookingStatus,
    CenterStandard,
    ClosedDay,
    FunctionArea,
    Norm,
    OpeningHours,
    ServiceCenter,
    SignUp,
    SignUpStatus,
)
from .permissions import manages
from .services.centres import WEEKDAYS, circle_settings_for, ensure_default_standards, format_intervals


def standards() -> dict[str, CenterStandard]:
    found = {s.level: s for s in CenterStandard.objects.all()}
    if not found:
        ensure_default_standards()
        found = {s.level: s for s in CenterStandard.objects.all()}
    return found


def center_gaps(center: ServiceCenter, by_level: dict[str, CenterStandard]) -> list[str]:
    """What the centre lacks against its level's standard and the four norms, in words."""
    gaps: list[str] = []
    standard = by_level.get(center.level)
    if standard is not None:
        if center.floor_area < standard.min_area:
            gaps.append(
                _("面积 %(a)s 平方米，低于%(l)s标准 %(m)s 平方米")
                % {"a": center.floor_area, "l": center.get_level_display(), "m": standard.min_area}
            )
        missing = [str(FunctionArea(f).label) for f in standard.required_functions if f not in (center.functions or [])]
        if missing:
            gaps.append(_("缺少功能区：%(f)s") % {"f": "、".join(missing)})
    unmet = [str(label) for code, label in Norm.choices if not (center.norms or {}).get(code)]
    if unmet:
        gaps.append(_("未达到：%(n)s") % {"n": "、".join(unmet)})
    return gaps


def function_labels(codes) -> list[str]:
    valid = set(FunctionArea.values)
    return [str(FunctionArea(c).label) for c in codes or [] if c in valid]


def center_list(user, *, query: str = "", level: str = "", gaps_only: bool = False):
    qs = ServiceCenter.objects.visible_to(user).select_related("area", "org").annotate(room_count=Count("rooms"))
    if query:
        qs = qs.filter(name_or_pinyin_q(query) | Q(address__icontains=query))
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("area__path", "level", "name")


def attach_gaps(centers, by_level=None) -> None:
    by_level = by_level if by_level is not None else standards()
    for c in centers:
        c.gaps = center_gaps(c, by_level)
        c.function_names = function_labels(c.functions)


def hours_table(center: ServiceCenter, hours=None) -> list[dict[str, Any]]:
    rows = list(hours if hours is not None else OpeningHours.objects.filter(center=center))
    return [
        {
            "day": WEEKDAYS[d],
            "weekday": d,
            "text": format_intervals([(h.opens, h.closes) for h in rows if h.weekday == d]),
        }
        for d in range(7)
    ]


def today_hours_text(center: ServiceCenter, today: datetime.date) -> str:
    hours = [h for h in center.hours.all() if h.weekday == today.weekday()]
    return format_intervals([(h.opens, h.closes) for h in hours])


# -- the week calendar ----------------------------------------------------------------------------


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def week_calendar(center: ServiceCenter, monday: datetime.date, user) -> list[dict[str, Any]]:
    """Seven days of a centre: opening hours, room bookings (whose they are only to managers and the
    booker) and activities."""
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(monday, datetime.time(0), tzinfo=tz)
    end = begin + datetime.timedelta(days=7)
    manager = manages(user, center)
    bookings = list(
        Booking.objects.filter(
            room__center=center,
            start__lt=end,
            end__gt=begin,
            status__in=[BookingStatus.PENDING, BookingStatus.APPROVED],
        )
        .select_related("room", "activity")
        .order_by("start")
    )
    activities = list(
        Activity.objects.filter(center=center, start__lt=end, end__gt=begin, status=ActivityStatus.PUBLISHED)
        .select_related("room")
        .order_by("start")
    )
    hours = list(OpeningHours.objects.filter(center=center))
    closed = {
        d.date: d.reason
        for d in ClosedDay.objects.filter(center=center, date__gte=monday, date__lt=monday + datetime.timedelta(days=7))
    }
    days = []
    for n in range(7):
        day = monday + datetime.timedelta(days=n)
        items = []
        for b in bookings:
            if timezone.localtime(b.start, tz).date() != day or getattr(b, "activity", None) is not None:
                continue
            mine = user.is_authenticated and b.booked_by_id == user.pk
            items.append(
                {
                    "kind": "booking",
                    "start": timezone.localtime(b.start, tz),
                    "end": timezone.localtime(b.end, tz),
                    "room": b.room.name,
                    "title": b.purpose if (manager or mine) else _("已被预约"),
                    "status": b.get_status_display(),
                    "pending": b.status == BookingStatus.PENDING,
                    "mine": mine,
                    "url": b.get_absolute_url() if (manager or mine) else "",
                }
            )
        for a in activities:
            if timezone.localtime(a.start, tz).date() != day:
                continue
            items.append(
                {
                    "kind": "activity",
                    "start": timezone.localtime(a.start, tz),
                    "end": timezone.localtime(a.end, tz),
                    "room": a.room.name if a.room else a.place,
                    "title": a.title,
                    "status": a.get_kind_display(),
                    "url": a.get_absolute_url(),
                }
            )
        items.sort(key=lambda i: i["start"])
        days.append(
            {
                "date": day,
                "weekday": WEEKDAYS[n],
                "closed": closed.get(day),
                "is_closed": day in closed,
                "hours": format_intervals([(h.opens, h.closes) for h in hours if h.weekday == n]),
                "items": items,
                "today": day == timezone.localdate(),
            }
        )
    return days


# The list orders (core.keyset pages): stored columns, pk the unique tiebreaker the old orders lacked.
MY_BOOKINGS_ORDER = ("-start", "-pk")  # the booker's own (booked_by_id index)
PENDING_BOOKINGS_ORDER = ("start", "pk")  # bookings awaiting approval in the scope
ACTIVITY_ORDER = ("start", "pk")  # upcoming activities (centers_activity_center_start within a centre)


def my_bookings(user):
    return Booking.objects.filter(booked_by=user).select_related("room__center").order_by(*MY_BOOKINGS_ORDER)


def my_signups(user):
    return (
        SignUp.objects.filter(user=user)
        .exclude(status=SignUpStatus.CANCELLED)
        .select_related("activity__center")
        .order_by("-activity__start")
    )


def pending_bookings(user):
    return (
        Booking.objects.visible_to(user)
        .filter(status=BookingStatus.PENDING)
        .select_related("room__center", "booked_by", "unit", "org")
        .order_by(*PENDING_BOOKINGS_ORDER)
    )


def booking_for(user, public_id) -> Booking:
    """A booking the user may see: their own, or one in their territory (404 otherwise)."""
    from django.http import Http404

    try:
        return (
            Booking.objects.filter(Q(booked_by=user) | Q(pk__in=Booking.objects.visible_to(user).values("pk")))
            .select_related("room__center__area", "booked_by", "unit", "org")
            .get(public_id=public_id)
        )
    except (Booking.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def activity_counts(activities) -> None:
    """Attach confirmed and waitlisted counts (one query for the lot)."""
    ids = [a.pk for a in activities]
    rows = (
        SignUp.objects.filter(activity_id__in=ids)
        .values("activity_id")
        .annotate(
            confirmed=Count("pk", filter=Q(status__in=[SignUpStatus.CONFIRMED, SignUpStatus.ATTENDED])),
            waitlisted=Count("pk", filter=Q(status=SignUpStatus.WAITLISTED)),
        )
    )
    by_id = {r["activity_id"]: r for r in rows}
    for a in activities:
        r: Any = by_id.get(a.pk, {})
        a.confirmed = r.get("confirmed", 0)
        a.waitlisted = r.get("waitlisted", 0)
        a.places_left = None if a.capacity is None else max(a.capacity - a.confirmed, 0)


def upcoming_activities(user, *, center: ServiceCenter | None = None, kind: str = ""):
    qs = Activity.objects.visible_to(user).filter(end__gte=timezone.now()).select_related("center", "room")
    if center is not None:
        qs = qs.filter(center=center)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by(*ACTIVITY_ORDER)


# -- the ten-minute circle --------------------------------------------------------------------------


@dataclass
class AreaFigure:
    area: Area
    estates: int = 0
    covered_estates: int = 0
    residents: float = 0.0
    covered_residents: float = 0.0

    @property
    def estate_share(self) -> float:
        return self.covered_estates / self.estates if self.estates else 0.0

    @property
    def resident_share(self) -> float:
        return self.covered_residents / self.residents if self.residents else 0.0


@dataclass
class Circle:
    area: Area
    params: geo.CircleParams
    estates: list[Estate]
    centers: list[ServiceCenter]
    coverage: geo.Coverage
    residents: np.ndarray
    total: AreaFigure
    subdistricts: list[AreaFigure] = field(default_factory=list)
    communities: list[AreaFigure] = field(default_factory=list)

    def estate_rows(self, covered: bool | None = None) -> list[dict[str, Any]]:
        """The placed estates (in the circle, outside it, or all), by community and name, each with its
        estimated residents and its nearest open centre by walk."""
        out: list[dict[str, Any]] = []
        for i, e in enumerate(self.estates):
            inside = bool(self.coverage.covered[i])
            if covered is not None and inside != covered:
                continue
            near = self.centers[self.coverage.nearest[i]] if self.coverage.nearest[i] >= 0 else None
            out.append(
                {
                    "estate": e,
                    "covered": inside,
                    "residents": round(float(self.residents[i])),
                    "nearest": near,
                    "minutes": float(self.coverage.minutes[i]) if near else None,
                }
            )
        return out

    def uncovered(self) -> list[dict[str, Any]]:
        """The estates outside the circle, the most residents first (where a new centre helps most)."""
        return sorted(self.estate_rows(covered=False), key=lambda r: -r["residents"])


def district_of(area: Area) -> Area:
    return area if area.level == "district" else (area.ancestors().filter(level="district").first() or area)


def circle_for(area: Area) -> Circle:
    """Coverage of the placed estates under `area` by every open centre of its district (a centre
    across a border still serves its neighbours)."""
    settings_obj = circle_settings_for(area)
    params = geo.CircleParams(
        minutes=settings_obj.minutes,
        detour_factor=settings_obj.detour_factor,
        walk_speed=settings_obj.walk_speed,
        persons_per_household=settings_obj.persons_per_household,
    )
    district = district_of(area)
    estates = list(
        Estate.objects.filter(community__path__startswith=area.path, lat__isnull=False)
        .select_related("community")
        .order_by("community__path", "name")
    )
    centers = list(
        ServiceCenter.objects.filter(area__path__startswith=district.path, is_active=True).order_by(
            "area__path", "name"
        )
    )
    cov = geo.coverage(
        [e.lat for e in estates], [e.lng for e in estates], [c.lat for c in centers], [c.lng for c in centers], params
    )
    residents = np.array([e.households for e in estates], dtype=float) * params.persons_per_household
    nodes = list(
        Area.objects.filter(path__startswith=area.path, level__in=["subdistrict", "community"]).order_by("path")
    )
    subs = [AreaFigure(n) for n in nodes if n.level == "subdistrict"]
    comms = {n.pk: AreaFigure(n) for n in nodes if n.level == "community"}
    total = AreaFigure(area)
    for i, e in enumerate(estates):
        figs = [total, comms.get(e.community_id)]
        figs += [s for s in subs if e.community.path.startswith(s.area.path)]
        for f in figs:
            if f is None:
                continue
            f.estates += 1
            f.residents += residents[i]
            if cov.covered[i]:
                f.covered_estates += 1
                f.covered_residents += residents[i]
    return Circle(area, params, estates, centers, cov, residents, total, subs, list(comms.values()))


def circle_geojson(circle: Circle) -> dict[str, Any]:
    features = []
    for c in circle.centers:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [c.lng, c.lat]},
                "properties": {
                    "kind": "center",
                    "name": c.name,
                    "level": c.get_level_display(),
                    "url": c.get_absolute_url(),
                },
            }
        )
    for i, e in enumerate(circle.estates):
        near = circle.centers[circle.coverage.nearest[i]].name if circle.coverage.nearest[i] >= 0 else ""
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [e.lng, e.lat]},
                "properties": {
                    "kind": "estate",
                    "id": str(e.public_id),
                    "name": e.name,
                    "covered": bool(circle.coverage.covered[i]),
                    "residents": round(float(circle.residents[i])),
                    "minutes": round(float(circle.coverage.minutes[i]), 1) if near else None,
                    "nearest": near,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features, "radius_m": round(circle.params.radius_m, 1)}


def plan_for(circle: Circle, k: int, extra_points: list[tuple[float, float]]) -> dict[str, Any]:
    """k new sites among the estates' own positions and the points dropped on the map, each covering
    the most residents still outside the circle (greedy maximum coverage)."""
    cand_lats = [e.lat for e in circle.estates] + [p[0] for p in extra_points]
    cand_lngs = [e.lng for e in circle.estates] + [p[1] for p in extra_points]
    labels = [_("「%(e)s」小区旁") % {"e": e.name} for e in circle.estates] + [
        _("地图选点 %(n)s") % {"n": n + 1} for n in range(len(extra_points))
    ]
    indptr, indices = geo.candidate_sets(
        cand_lats, cand_lngs, [e.lat for e in circle.estates], [e.lng for e in circle.estates], circle.params
    )
    picks = geo.greedy_plan(indptr, indices, circle.residents, circle.coverage.covered, k)
    before = float(circle.residents[circle.coverage.covered].sum())
    total = float(circle.residents.sum())
    return {
        "k": k,
        "residents_total": round(total),
        "covered_before": round(before),
        "share_before": round(before / total, 4) if total else 0,
        "radius_m": round(circle.params.radius_m, 1),
        "picks": [
            {
                "rank": n + 1,
                "label": labels[p.candidate],
                "lat": cand_lats[p.candidate],
                "lng": cand_lngs[p.candidate],
                "gain": round(p.gain),
                "covered_total": round(p.covered_total),
                "share": round(p.covered_total / total, 4) if total else 0,
                "estates": [circle.estates[i].name for i in p.estates],
            }
            for n, p in enumerate(picks)
        ],
    }


def public_centers(*, community: Area | None = None):
    qs = (
        ServiceCenter.objects.filter(is_active=True)
        .select_related("area")
        .prefetch_related(Prefetch("hours", queryset=OpeningHours.objects.order_by("weekday", "opens")))
    )
    if community is not None:
        qs = qs.filter(area__path__in=[community.path, *[a.path for a in community.ancestors()]]) | qs.filter(
            area__path__startswith=community.path
        )
    return qs
