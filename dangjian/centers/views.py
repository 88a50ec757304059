"""Pages of the service-centre network. Thin: parse, call a service or selector, render."""

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

from dangjian.accounts.roles import Role, active_scope
from dangjian.core.scoping import scope_for
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area

from . import selectors, services
from .forms import (
    ActivityForm,
    BookingForm,
    CenterForm,
    CircleSettingsForm,
    ClosedDayForm,
    HoursForm,
    NoteForm,
    RoomForm,
)
from .models import (
    MANAGE_ROLES,
    Activity,
    ActivityKind,
    BookingStatus,
    CenterLevelOption,
    ClosedDay,
    Room,
    ServiceCenter,
    SignUp,
    SignUpStatus,
)

PAGE_SIZE = 20
MAX_PLAN_SITES = 20
MAX_DROPPED_POINTS = 200


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _managed_areas(user):
    return list(
        Area.objects.visible_to(user).filter(level__in=["district", "subdistrict", "community"]).order_by("path")[:500]
    )


def _managed_orgs(user):
    return list(
        PartyOrg.objects.visible_to(user)
        .filter(
            org_type__in=[
                "district_committee",
                "working_committee",
                "community_committee",
                "expanded_committee",
                "estate_branch",
                "branch",
            ]
        )
        .order_by("path")[:500]
    )


def _nav(user) -> str:
    scope = scope_for(user)
    return "centers" if (scope.everything or scope.role in MANAGE_ROLES) else "bookings"


# -- centres ------------------------------------------------------------------------------------


@require_roles(MANAGE_ROLES)
def center_list(request):
    query = request.GET.get("q", "").strip()
    level = request.GET.get("level", "")
    levels = list(CenterLevelOption.for_district_path(active_scope(request.user).area_path).values_list("code", "name"))
    centers = selectors.center_list(request.user, query=query, level=level if level in dict(levels) else "")
    page = Paginator(centers, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.attach_gaps(page.object_list)
    context = {
        "page": page,
        "q": query,
        "level": level,
        "levels": levels,
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
    form = CenterForm(request.POST or None, areas=_managed_areas(request.user), orgs=_managed_orgs(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            center = services.center_create(actor=request.user, **_center_form_values(form, request.user))
        except ValidationError as exc:
            _form_errors(form, exc)
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
        request.POST or None, initial=initial, areas=_managed_areas(request.user), orgs=_managed_orgs(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.center_update(actor=request.user, center=center, **_center_form_values(form, request.user))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(center.get_absolute_url())
    return render(request, "centers/center_form.html", {"form": form, "center": center, "active_nav": "centers"})


@login_required
def center_detail(request, public_id):
    center = ServiceCenter.objects.get_for_user(request.user, public_id)
    manager = selectors.manages_center(request.user, center)
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
        "can_book": services.role_allows(request.user, services.BOOK_ROLES),
        "active_nav": _nav(request.user),
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
                n: services.parse_intervals(form.cleaned_data[f"day{n}"], label=services.WEEKDAYS[n]) for n in range(7)
            }
            services.hours_set(actor=request.user, center=center, week=week)
        except ValidationError as exc:
            _form_errors(form, exc)
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
        services.closed_day_add(actor=request.user, center=center, **form.cleaned_data)
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
            services.room_save(
                actor=request.user, center=center, room=room, **{f: form.cleaned_data[f] for f in RoomForm.Meta.fields}
            )
        except ValidationError as exc:
            _form_errors(form, exc)
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
        "can_book": services.role_allows(request.user, services.BOOK_ROLES),
        "active_nav": _nav(request.user),
    }
    return render(request, "centers/calendar.html", context)


# -- bookings -----------------------------------------------------------------------------------


@require_roles(services.BOOK_ROLES)
def book(request, room_id):
    room = (
        Room.objects.visible_to(request.user)
        .select_related("center__area")
        .filter(is_active=True)
        .get_for_user(request.user, room_id)
    )
    center = room.center
    initial = {
        "date": request.GET.get("date") or timezone.localdate() + datetime.timedelta(days=1),
        "start": "09:00",
        "end": "10:00",
    }
    form = BookingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        start, end = form.times(timezone.get_current_timezone())
        try:
            booking = services.booking_create(
                actor=request.user,
                room=room,
                start=start,
                end=end,
                purpose=form.cleaned_data["purpose"],
                attendees=form.cleaned_data["attendees"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if booking.status == "pending":
                messages.success(request, _("预约已提交，等待服务中心审批。"))
            else:
                messages.success(request, _("预约成功。"))
            return redirect(booking.get_absolute_url())
    context = {
        "room": room,
        "center": center,
        "form": form,
        "hours": selectors.hours_table(center),
        "active_nav": _nav(request.user),
    }
    return render(request, "centers/book.html", context)


@login_required
def my_bookings(request):
    bookings = Paginator(selectors.my_bookings(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    signups = list(selectors.my_signups(request.user)[:30])
    context = {
        "page": bookings,
        "signups": signups,
        "querystring": querystring_without_page(request),
        "active_nav": "bookings",
    }
    return render(request, "centers/my_bookings.html", context)


@login_required
def booking_detail(request, public_id):
    booking = selectors.booking_for(request.user, public_id)
    center = booking.room.center
    manager = selectors.manages_center(request.user, center)
    is_booker = booking.booked_by_id == request.user.pk
    actions = [
        t
        for t in services.BOOKING_TRANSITIONS.values()
        if booking.status in t.sources and (manager or (is_booker and not t.by_manager))
    ]
    log = list(booking.log.select_related("actor"))
    labels = dict(BookingStatus.choices)
    for row in log:
        row.to_label = labels.get(row.to_status, row.to_status)
    context = {
        "booking": booking,
        "center": center,
        "manager": manager,
        "actions": actions,
        "log": log,
        "active_nav": "centers" if manager and not is_booker else "bookings",
    }
    return render(request, "centers/booking_detail.html", context)


@login_required
def booking_action(request, public_id, action):
    booking = selectors.booking_for(request.user, public_id)
    transition = services.BOOKING_TRANSITIONS.get(action)
    if transition is None:
        raise Http404
    form = NoteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_transition(
                actor=request.user, booking=booking, action=action, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已%(a)s。") % {"a": transition.label})
            return redirect(booking.get_absolute_url())
    context = {"booking": booking, "transition": transition, "form": form, "active_nav": _nav(request.user)}
    return render(request, "centers/booking_action.html", context)


@require_roles(MANAGE_ROLES)
def approvals(request):
    page = Paginator(selectors.pending_bookings(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "centers/approvals.html",
        {"page": page, "querystring": querystring_without_page(request), "active_nav": "centers"},
    )


# -- activities ---------------------------------------------------------------------------------


@login_required
def activity_list(request):
    kind = request.GET.get("kind", "")
    qs = selectors.upcoming_activities(request.user, kind=kind if kind in ActivityKind.values else "")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.activity_counts(page.object_list)
    context = {
        "page": page,
        "kind": kind,
        "kinds": ActivityKind.choices,
        "querystring": querystring_without_page(request),
        "active_nav": _nav(request.user),
    }
    return render(request, "centers/activity_list.html", context)


@require_roles(MANAGE_ROLES)
def activity_create(request, public_id):
    center = ServiceCenter.objects.get_for_user(request.user, public_id)
    rooms = list(center.rooms.filter(is_active=True))
    form = ActivityForm(
        request.POST or None, rooms=rooms, initial={"date": timezone.localdate() + datetime.timedelta(days=7)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(data["date"], datetime.time.fromisoformat(data["start"]), tzinfo=tz)
        end = datetime.datetime.combine(data["date"], datetime.time.fromisoformat(data["end"]), tzinfo=tz)
        room = next((r for r in rooms if str(r.public_id) == data["room"]), None)
        try:
            activity = services.activity_create(
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                start=start,
                end=end,
                center=center,
                room=room,
                place=data["place"],
                capacity=data["capacity"],
                organizer_org=center.org,
                description=data["description"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("活动已发布。"))
            return redirect(activity.get_absolute_url())
    return render(request, "centers/activity_form.html", {"center": center, "form": form, "active_nav": "centers"})


@login_required
def activity_detail(request, public_id):
    activity = Activity.objects.select_related("center__area", "room", "area", "organizer_org").get_for_user(
        request.user, public_id
    )
    selectors.activity_counts([activity])
    manager = services.role_allows(request.user, MANAGE_ROLES) and (
        scope_for(request.user).everything or activity.area.path.startswith(scope_for(request.user).area_path or "-")
    )
    mine = SignUp.objects.filter(activity=activity, user=request.user).exclude(status=SignUpStatus.CANCELLED).first()
    roster = list(activity.signups.exclude(status=SignUpStatus.CANCELLED).select_related("user")) if manager else []
    context = {
        "activity": activity,
        "mine": mine,
        "manager": manager,
        "roster": roster,
        "open": activity.status == "published" and activity.start > timezone.now(),
        "active_nav": _nav(request.user),
    }
    return render(request, "centers/activity_detail.html", context)


@login_required
@require_POST
def signup(request, public_id):
    activity = Activity.objects.get_for_user(request.user, public_id)
    try:
        made = services.signup_create(actor=request.user, activity=activity)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if made.status == SignUpStatus.WAITLISTED:
            messages.warning(request, _("名额已满，您已进入候补名单；有人取消时将按顺序递补。"))
        else:
            messages.success(request, _("报名成功。"))
    return redirect(activity.get_absolute_url())


@login_required
@require_POST
def signup_cancel(request, public_id):
    try:
        mine = SignUp.objects.select_related("activity").get(public_id=public_id, user=request.user)
    except (SignUp.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
    try:
        services.signup_cancel(actor=request.user, signup=mine)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已取消报名。"))
    return redirect(mine.activity.get_absolute_url())


@require_roles(MANAGE_ROLES)
@require_POST
def check_in(request, public_id):
    signup_obj = SignUp.objects.select_related("activity").get_for_user(request.user, public_id)
    try:
        services.signup_check_in(actor=request.user, signup=signup_obj)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(u)s 已签到。") % {"u": signup_obj.user})
    return redirect(signup_obj.activity.get_absolute_url())


@require_roles(MANAGE_ROLES)
@require_POST
def activity_cancel(request, public_id):
    activity = Activity.objects.get_for_user(request.user, public_id)
    try:
        services.activity_cancel(actor=request.user, activity=activity)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("活动已取消。"))
    return redirect(activity.get_absolute_url())


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
        "can_edit_settings": services.role_allows(request.user, {Role.DISTRICT_ADMIN}),
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


@require_roles({Role.DISTRICT_ADMIN})
def circle_settings(request):
    district = Area.objects.visible_to(request.user).filter(level="district").order_by("path").first()
    if district is None:
        raise Http404
    current = services.circle_settings_for(district)
    form = CircleSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.circle_settings_save(
                actor=request.user,
                district=district,
                **{f: form.cleaned_data[f] for f in CircleSettingsForm.Meta.fields},
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("十分钟服务圈参数已保存。"))
            return redirect("centers:circle")
    return render(
        request, "centers/circle_settings.html", {"form": form, "district": district, "active_nav": "centers"}
    )
