"""Pages of the centres, their hours, closed days and rooms, and the ten-minute service circle."""

from __future__ import annotations

import datetime
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dangjian.core.scoping import active_scope
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area
from dangjian.territory.selectors import filter_area_options

from .. import selectors
from ..filters import CenterFilterForm, filter_centers
from ..forms import CenterForm, CircleSettingsForm, ClosedDayForm, HoursForm, RoomForm
from ..models import CenterLevelOption, ClosedDay, Room, ServiceCenter
from ..permissions import BOOK_ROLES, CIRCLE_ROLES, MANAGE_ROLES, manages, role_allows
from ..services import centres
from .common import PAGE_SIZE, form_errors, managed_areas, managed_orgs, nav_for

MAX_PLAN_SITES = 20
MAX_DROPPED_POINTS = 200

# -- centres ------------------------------------------------------------------------------------


@require_roles(MANAGE_ROLES)
def center_list(request):
    query = request.GET.get("q", "").strip()
    level = request.GET.get("level", "")
    levels = list(CenterLevelOption.for_district_path(active_scope(request.user).area_path).values_list("code", "name"))
    centers = selectors.center_list(request.user, query=query, level=level if level in dict(levels) else "")
    form = CenterFilterForm(request.GET or None, user=request.user)
    filters = form.list_filters()
    if filters:
        centers = filter_centers(centers, **filters)
    page = Paginator(centers, PAGE_SIZE).get_page(request.GET.get("page"))
    page.count = page.paginator.count  # the list's exact count, as the cockpit's links read it
    selectors.attach_gaps(page.object_list)
    context = {
        "page": page,
        "q": query,
        "level": level,
        "levels": levels,
        "form": form,
        "filtered": bool(filters or query or level in dict(levels)),
        "area_options": filter_area_options(
            request.user, form.fields["area"].queryset, getattr(form, "cleaned_data", {}).get("area")
        ),
        "pending": selectors.pending_bookings(request.user).count(),
        "querystring": querystring_without_page(request),
        "active_nav": "centers",
    }
    return render(request, "centers/list.html", context)


def _center_form_values(form, user) -> dict:
    data = form.cleaned_data
    area = Area.objects.get_for_user(user, data["area"])
    org = PartyOrg.objects.get_for_user(user, data["org"]) if data.get("org") else None
    return {
        "area": area,
        "org": org,
        "name": data["name"],
        "level": data["level"],
        "address": data["address"],
        "lat": data["lat"],
        "lng": data["lng"],
        "floor_area": data["floor_area"],
        "functions": data["functions"],
        "norms": dict.fromkeys(data["norms"], True),
        "phone": data["phone"],
        "contact_name": data["contact_name"],
        "photo_urls": data["photo_urls"],
        "description": data["description"],
        "is_active": data["is_active"],
    }


@require_roles(MANAGE_ROLES)
def center_create(request):
    form = CenterForm(request.POST or None, areas=managed_areas(request.user), orgs=managed_orgs(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            center = centres.center_create(actor=request.user, **_center_form_values(form, request.user))
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已新建服务中心「%(n)s」，请设置开放时间和功能室。") % {"n": center.name})
            return redirect("centers:hours", public_id=center.public_id)
    return render(request, "centers/center_form.html", {"form": form, "active_nav": "centers"})


@require_roles(MANAGE_ROLES)
def center_edit(request, public_id):
    center = ServiceCenter.objects.get_for_user(request.user, public_id)
    initial = {
        "name": center.name,
        "level": center.level,
        "area": str(center.area.public_id),
        "org": str(center.org.public_id) if center.org else "",
        "address": center.address,
        "lat": center.lat,
        "lng": center.lng,
        "floor_area": center.floor_area,
        "functions": center.functions,
        "norms": [k for k, v in (center.norms or {}).items() if v],
        "phone": center.phone,
        "contact_name": center.contact_name,
        "photo_urls": "\n".join(center.photo_urls or []),
        "description": center.description,
        "is_active": center.is_active,
    }
    form = CenterForm(
        request.POST or None, initial=initial, areas=managed_areas(request.user), orgs=managed_orgs(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            centres.center_update(actor=request.user, center=center, **_center_form_values(form, request.user))
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(center.get_absolute_url())
    return render(request, "centers/center_form.html", {"form": form, "center": center, "active_nav": "centers"})


@login_required
def center_detail(request, public_id):
    center = ServiceCenter.objects.get_for_user(request.user, public_id)
    manager = manages(request.user, center)
    rooms = list(center.rooms.all() if manager else center.rooms.filter(is_active=True))
    activities = list(selectors.upcoming_activities(request.user, center=center)[:10])
    selectors.activity_counts(activities)
    context = {
        "center": center,
        "manager": manager,
        "rooms": rooms,
        "hours": selectors.hours_table(center),
        "closed_days": list(center.closed_days.filter(date__gte=timezone.localdate())[:10]),
        "functions": selectors.function_labels(center.functions),
        "gaps": selectors.center_gaps(center, selectors.standards()) if manager else [],
        "activities": activities,
        "can_book": role_allows(request.user, BOOK_ROLES),
        "active_nav": nav_for(request.user),
    }
    return render(request, "centers/detail.html", context)


@require_roles(MANAGE_ROLES)
def center_hours(request, public_id):
    center = ServiceCenter.objects.get_for_user(request.user, public_id)
    initial = {
        f"day{row['weekday']}": row["text"] if row["text"] != _("不开放") else ""
        for row in selectors.hours_table(center)
    }
    form = HoursForm(request.POST or None, initial=initial)
    closed_form = ClosedDayForm()
    if request.method == "POST" and form.is_valid():
        try:
            week = {
                n: centres.parse_intervals(form.cleaned_data[f"day{n}"], label=centres.WEEKDAYS[n]) for n in range(7)
            }
            centres.hours_set(actor=request.user, center=center, week=week)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("开放时间已保存。"))
            return redirect(center.get_absolute_url())
    context = {
        "center": center,
        "form": form,
        "closed_form": closed_form,
        "closed_days": list(ClosedDay.objects.filter(center=center, date__gte=timezone.localdate())),
        "active_nav": "centers",
    }
    return render(request, "centers/hours.html", context)


@require_roles(MANAGE_ROLES)
@require_POST
def closed_day_add(request, public_id):
    center = ServiceCenter.objects.get_for_user(request.user, public_id)
    form = ClosedDayForm(request.POST)
    if form.is_valid():
        centres.closed_day_add(actor=request.user, center=center, **form.cleaned_data)
        messages.success(request, _("已设置闭馆日。"))
    else:
        messages.error(request, _("请填写有效的日期。"))
    return redirect("centers:hours", public_id=center.public_id)


@require_roles(MANAGE_ROLES)
def room_form(request, public_id, room_id=None):
    center = ServiceCenter.objects.get_for_user(request.user, public_id)
    room = Room.objects.get_for_user(request.user, room_id, center=center) if room_id else None
    form = RoomForm(request.POST or None, instance=room)
    if request.method == "POST" and form.is_valid():
        try:
            centres.room_save(
                actor=request.user, center=center, room=room, **{f: form.cleaned_data[f] for f in RoomForm.Meta.fields}
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("功能室已保存。"))
            return redirect(center.get_absolute_url())
    return render(
        request, "centers/room_form.html", {"center": center, "room": room, "form": form, "active_nav": "centers"}
    )


@login_required
def calendar(request, public_id):
    center = ServiceCenter.objects.get_for_user(request.user, public_id)
    try:
        day = datetime.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    monday = selectors.week_start(day)
    context = {
        "center": center,
        "days": selectors.week_calendar(center, monday, request.user),
        "monday": monday,
        "sunday": monday + datetime.timedelta(days=6),
        "prev_week": monday - datetime.timedelta(days=7),
        "next_week": monday + datetime.timedelta(days=7),
        "rooms": list(center.rooms.filter(is_active=True)),
        "can_book": role_allows(request.user, BOOK_ROLES),
        "active_nav": nav_for(request.user),
    }
    return render(request, "centers/calendar.html", context)


# -- the ten-minute circle ------------------------------------------------------------------------


def _circle_area(request) -> Area:
    wanted = request.GET.get("area") or request.POST.get("area")
    if wanted:
        return Area.objects.get_for_user(request.user, wanted, level__in=["district", "subdistrict", "community"])
    area = (
        Area.objects.visible_to(request.user)
        .filter(level__in=["district", "subdistrict", "community"])
        .order_by("path")
        .first()
    )
    if area is None:
        raise Http404
    return area


@require_roles(MANAGE_ROLES)
def circle(request):
    area = _circle_area(request)
    result = selectors.circle_for(area)
    uncovered = result.uncovered()
    context = {
        "area": area,
        "circle": result,
        "uncovered": uncovered[:100],
        "uncovered_total": len(uncovered),
        "rows": result.subdistricts if area.level == "district" else result.communities,
        "communities": result.communities,
        "can_edit_settings": role_allows(request.user, CIRCLE_ROLES),
        "active_nav": "centers",
    }
    return render(request, "centers/circle.html", context)


@require_roles(MANAGE_ROLES)
@require_GET
def circle_data(request):
    return JsonResponse(selectors.circle_geojson(selectors.circle_for(_circle_area(request))))


@require_roles(MANAGE_ROLES)
@require_POST
def circle_plan(request):
    area = _circle_area(request)
    try:
        k = int(request.POST.get("k", "3"))
        points = json.loads(request.POST.get("points") or "[]")
        extra = [(float(p[0]), float(p[1])) for p in points][:MAX_DROPPED_POINTS]
    except (ValueError, TypeError, IndexError, json.JSONDecodeError):
        return JsonResponse({"error": _("参数有误：请填写新增站点数量，并在地图上正确选点。")}, status=400)
    if not 1 <= k <= MAX_PLAN_SITES:
        return JsonResponse({"error": _("新增站点数量应在 1 到 %(n)s 之间。") % {"n": MAX_PLAN_SITES}}, status=400)
    if any(not (-90 <= lat <= 90 and -180 <= lng <= 180) for lat, lng in extra):
        return JsonResponse({"error": _("选点坐标超出范围。")}, status=400)
    return JsonResponse(selectors.plan_for(selectors.circle_for(area), k, extra))


@require_roles(CIRCLE_ROLES)
def circle_settings(request):
    district = Area.objects.visible_to(request.user).filter(level="district").order_by("path").first()
    if district is None:
        raise Http404
    current = centres.circle_settings_for(district)
    form = CircleSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            centres.circle_settings_save(
                actor=request.user,
                district=district,
                **{f: form.cleaned_data[f] for f in CircleSettingsForm.Meta.fields},
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("十分钟服务圈参数已保存。"))
            return redirect("centers:circle")
    return render(
        request, "centers/circle_settings.html", {"form": form, "district": district, "active_nav": "centers"}
    )
