"""The public finder: no sign-in. Nearby centres with their services and hours, from the visitor's
location (if they share it) or a chosen community."""

from __future__ import annotations

import numpy as np
from django.db.models import Avg, Prefetch
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.roles import active_assignment
from dangjian.territory.models import Area, Estate

from . import geo, selectors
from .models import Activity, ActivityStatus, OpeningHours, ServiceCenter
from .services.centres import circle_settings_for

NEARBY = 10


def _origin(request) -> tuple[float, float] | None:
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, ValueError):
        return None
    return (lat, lng) if -90 <= lat <= 90 and -180 <= lng <= 180 else None


def _home_community(user) -> Area | None:  # noqa: ANN001 - a user or AnonymousUser
    assignment = active_assignment(user)
    return assignment.home_community if assignment is not None else None


def _map_points(centers: list[ServiceCenter]) -> list[dict]:
    """The shown centres for the map script (passed with json_script, drawn as text)."""
    return [
        {"name": c.name, "lat": c.lat, "lng": c.lng, "url": reverse("centers_public:center", args=[c.public_id])}
        for c in centers
    ]


def finder(request):
    """Nearby centres: around the shared location, or in the chosen community; a signed-in resident
    with no choice made sees their own (home) community's."""
    communities = list(Area.objects.filter(level="community").order_by("path").only("public_id", "name", "path"))
    chosen = next((c for c in communities if str(c.public_id) == request.GET.get("community")), None)
    origin = _origin(request)
    home = None
    if chosen is None and origin is None and "community" not in request.GET:
        home = _home_community(request.user)
        chosen = next((c for c in communities if home is not None and c.pk == home.pk), None)
    if origin is None and chosen is not None:
        mid = Estate.objects.filter(community=chosen, lat__isnull=False).aggregate(lat=Avg("lat"), lng=Avg("lng"))
        if mid["lat"] is not None:
            origin = (mid["lat"], mid["lng"])
    centers = list(
        ServiceCenter.objects.filter(is_active=True)
        .select_related("area")
        .prefetch_related(Prefetch("hours", queryset=OpeningHours.objects.order_by("weekday", "opens")))
        .order_by("area__path", "name")
    )
    today = timezone.localdate()
    params = circle_settings_for(centers[0].area if centers else None)
    circle = geo.CircleParams(params.minutes, params.detour_factor, params.walk_speed, params.persons_per_household)
    if origin is not None and centers:
        meters = geo.haversine_m(
            origin[0], origin[1], np.array([c.lat for c in centers]), np.array([c.lng for c in centers])
        )
        for c, m in zip(centers, meters, strict=True):
            c.meters = float(m)
            c.minutes = float(circle.walk_minutes(m))
        centers.sort(key=lambda c: c.meters)
        shown = centers[:NEARBY]
    elif chosen is not None:
        shown = [c for c in centers if chosen.path.startswith(c.area.path) or c.area.path.startswith(chosen.path)][
            :NEARBY
        ]
    else:
        shown = [c for c in centers if c.level in ("district", "subdistrict")][:NEARBY]
    for c in shown:
        c.function_names = selectors.function_labels(c.functions)
        c.today_hours = selectors.today_hours_text(c, today)
    context = {
        "communities": communities,
        "chosen": chosen,
        "home": chosen if home is not None else None,
        "origin": origin,
        "centers": shown,
        "map_points": _map_points(shown),
        "minutes": circle.minutes,
    }
    return render(request, "centers/public_finder.html", context)


def public_center(request, public_id):
    try:
        center = ServiceCenter.objects.select_related("area").get(public_id=public_id, is_active=True)
    except (ServiceCenter.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    activities = list(
        Activity.objects.filter(center=center, status=ActivityStatus.PUBLISHED, end__gte=timezone.now())
        .select_related("room")
        .order_by("start")[:10]
    )
    selectors.activity_counts(activities)
    context = {
        "center": center,
        "hours": selectors.hours_table(center),
        "functions": selectors.function_labels(center.functions),
        "rooms": list(center.rooms.filter(is_active=True)),
        "activities": activities,
    }
    return render(request, "centers/public_center.html", context)
