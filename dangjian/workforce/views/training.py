"""Training: the course catalogue, a course's sessions, a session's page with its rotating QR code and
the organizer's roll, the worker's scan on the phone, and the hours per person per year."""

from __future__ import annotations

import datetime

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.db import replica_view
from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.qrtokens import seconds_to_next
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.territory.models import Area, Level

from .. import selectors
from ..forms import CourseForm, SessionForm
from ..models import Worker
from ..permissions import MANAGE_ROLES
from ..services import training as services
from . import NAV, PAGE_SIZE, flash, form_errors


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


@require_roles(MANAGE_ROLES)
def course_list(request):
    year = _year(request)
    page = keyset_page(
        selectors.courses(request.user, year=year), selectors.COURSE_ORDER, **page_params(request), per_page=PAGE_SIZE
    )
    return render(
        request,
        "workforce/courses.html",
        {"page": page, "year": year, "querystring": querystring_without_page(request), "active_nav": NAV},
    )


def _hosts(user) -> list[Area]:
    return list(Area.objects.visible_to(user).filter(level__in=[Level.DISTRICT, Level.SUBDISTRICT]).order_by("path"))


@require_roles(MANAGE_ROLES)
def course_new(request):
    hosts = _hosts(request.user)
    form = CourseForm(request.POST or None, areas=hosts, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        area = next(a for a in hosts if str(a.public_id) == data.pop("area"))
        try:
            course = services.course_save(actor=request.user, area=area, **data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已开设课程“%(n)s”。") % {"n": course.name})
            return redirect("workforce:course", public_id=course.public_id)
    return render(request, "workforce/course_form.html", {"form": form, "active_nav": NAV})


@require_roles(MANAGE_ROLES)
def course_detail(request, public_id):
    course = selectors.course_get(request.user, public_id)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_save(actor=request.user, course=course, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已安排场次“%(t)s”。") % {"t": session.title})
            return redirect("workforce:course", public_id=course.public_id)
    return render(
        request,
        "workforce/course.html",
        {"course": course, "sessions": list(course.sessions.all()), "form": form, "active_nav": NAV},
    )


def _qr_context(request, session) -> dict:
    token = services.CHECKIN.make(kind="session", public_id=session.public_id, rotate_minutes=services.ROTATE_MINUTES)
    url = request.build_absolute_uri(reverse("workforce:scan", args=[token]))
    return {
        "scan_url": url,
        "qr": mark_safe(segno.make(url, error="m").svg_inline(omitsize=True, dark="#1f2328", title=url)),  # noqa: S308
        "refresh_seconds": min(60, seconds_to_next(None, services.ROTATE_MINUTES)),
    }


@require_roles(MANAGE_ROLES)
def session_detail(request, public_id):
    session = selectors.session_get(request.user, public_id)
    attendances = list(session.attendances.select_related("worker__area").order_by("at", "pk"))
    present = {a.worker_id for a in attendances}
    q = request.GET.get("q", "").strip()
    roll = []
    if q:
        roll = list(
            Worker.objects.visible_to(request.user).filter(active=True, name__icontains=q).exclude(pk__in=present)
            .select_related("area").order_by("area_path", "name")[:20]
        )  # fmt: skip
    return render(
        request,
        "workforce/session.html",
        {
            "session": session,
            "course": session.course,
            "attendances": attendances,
            "q": q,
            "roll": roll,
            "active_nav": NAV,
            **_qr_context(request, session),
        },
    )


@require_roles(MANAGE_ROLES)
def session_qr(request, public_id):
    session = selectors.session_get(request.user, public_id)
    return render(request, "workforce/_qr.html", {"session": session, **_qr_context(request, session)})


@require_POST
@require_roles(MANAGE_ROLES)
@idempotent
def session_record(request, public_id):
    session = selectors.session_get(request.user, public_id)
    worker = selectors.worker_get(request.user, request.POST.get("worker") or None)
    try:
        recorded = services.attendance_record(actor=request.user, session=session, worker=worker)
    except ValidationError as exc:
        flash(request, exc)
    else:
        if recorded.created:
            messages.success(request, _("已登记%(n)s签到。") % {"n": worker.name})
        else:
            messages.info(request, _("%(n)s已签到过。") % {"n": worker.name})
    return redirect("workforce:session", public_id=session.public_id)


@login_required
@idempotent
def scan(request, token):
    """The page the session's code opens on the worker's phone: what it is, and one button to check in."""
    now = timezone.now()
    context: dict = {"token": token, "active_nav": "workforce_mine"}
    try:
        session = services.session_for_token(token, now=now)
    except ValidationError as exc:
        context["error"] = " ".join(exc.messages)
        return render(request, "workforce/scan.html", context, status=400)
    context["session"] = session
    if request.method == "POST":
        try:
            recorded = services.checkin_scan(actor=request.user, token=token, now=now)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if recorded.created:
                messages.success(request, _("签到成功，记 %(h)s 学时。") % {"h": session.hours})
            else:
                messages.info(request, _("您已签到过本场培训。"))
        return redirect("workforce:scan", token=token)
    worker = services.worker_of(request.user)
    context["done"] = worker is not None and session.attendances.filter(worker=worker).exists()
    context["worker"] = worker
    return render(request, "workforce/scan.html", context)


@require_roles(MANAGE_ROLES)
@replica_view
def hours(request):
    year = _year(request)
    page = keyset_page(
        selectors.training_years(request.user, year), selectors.HOURS_ORDER, **page_params(request), per_page=PAGE_SIZE
    )
    return render(
        request,
        "workforce/hours.html",
        {
            "page": page,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
            "querystring": querystring_without_page(request),
            "today": datetime.date.today(),
            "active_nav": NAV,
        },
    )
