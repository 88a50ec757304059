"""Joint boards, co-building meetings and the matters raised at them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.cases.models import CaseCategory
from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.tree import STEP
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.microprojects.models import Kind as ProjectKind
from dangjian.territory.models import Area, Level
from dangjian.units.models import ResidentUnit

from .. import selectors
from ..models import DistrictRules, Outcome
from ..permissions import MANAGE_ROLES
from ..rules import district_rules
from ..services import matters as matter_services
from ..services import meetings as services
from . import NAV, PAGE_SIZE, flash, lines, parse_date, parse_datetime, year_of


@require_roles(MANAGE_ROLES)
def home(request):
    year = year_of(request)
    page = keyset_page(
        selectors.boards(request.user), selectors.BOARD_ORDER, **page_params(request), per_page=PAGE_SIZE
    )
    held = selectors.meeting_counts([b.pk for b in page.object_list], year)
    rules_by_district: dict[str, DistrictRules] = {}
    rows = []
    for board in page.object_list:
        key = board.area_path[:STEP]
        if key not in rules_by_district:
            rules_by_district[key] = district_rules(board.area)
        rows.append((board, held.get(board.pk, 0), rules_by_district[key].meetings_due(board.level)))
    areas = (
        Area.objects.visible_to(request.user)
        .filter(level__in=(Level.DISTRICT, Level.SUBDISTRICT, Level.COMMUNITY))
        .order_by("path")[:300]
    )
    return render(
        request,
        "cobuilding/home.html",
        {
            "page": page,
            "rows": rows,
            "year": year,
            "areas": areas,
            "querystring": querystring_without_page(request),
            "active_nav": NAV,
        },
    )


@require_roles(MANAGE_ROLES)
@require_POST
def board_new(request):
    area = Area.objects.visible_to(request.user).filter(public_id=request.POST.get("area") or None).first()
    try:
        if area is None:
            raise ValidationError(_("请选择属地。"))
        board = services.board_save(
            actor=request.user, area=area, name=request.POST.get("name", ""), convener=request.POST.get("convener", "")
        )
    except ValidationError as exc:
        flash(request, exc)
        return redirect("cobuilding:home")
    messages.success(request, _("已设立「%(b)s」。") % {"b": board.name})
    return redirect("cobuilding:board", public_id=board.public_id)


def _board(request, public_id):
    return get_object_or_404(selectors.boards(request.user), public_id=public_id)


@require_roles(MANAGE_ROLES)
def board(request, public_id):
    board = _board(request, public_id)
    page = keyset_page(
        selectors.meetings(request.user).filter(board=board),
        selectors.MEETING_ORDER,
        **page_params(request),
        per_page=PAGE_SIZE,
    )
    units = ResidentUnit.objects.visible_to(request.user).filter(community__path__startswith=board.area_path)
    return render(
        request,
        "cobuilding/board.html",
        {
            "board": board,
            "members": board.members.filter(is_active=True).select_related("unit"),
            "page": page,
            "units": units.order_by("name")[:300],
            "querystring": querystring_without_page(request),
            "now": timezone.localtime(),
            "active_nav": NAV,
        },
    )


@require_roles(MANAGE_ROLES)
@require_POST
def board_member(request, public_id):
    board = _board(request, public_id)
    post = request.POST
    try:
        if post.get("retire"):
            member = board.members.filter(pk=post.get("retire")).first()
            if member is None:
                raise Http404
            services.board_member_retire(actor=request.user, member=member)
        else:
            unit = ResidentUnit.objects.visible_to(request.user).filter(public_id=post.get("unit") or None).first()
            services.board_member_add(
                actor=request.user,
                board=board,
                unit=unit,
                org_name=post.get("org_name", ""),
                representative=post.get("representative", ""),
            )
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("成员单位已更新。"))
    return redirect("cobuilding:board", public_id=board.public_id)


@require_roles(MANAGE_ROLES)
@require_POST
@idempotent
def meeting_call(request, public_id):
    board = _board(request, public_id)
    post = request.POST
    try:
        co = services.joint_meeting_call(
            actor=request.user,
            board=board,
            starts_at=parse_datetime(post.get("starts_at", ""), _("会议时间")),
            title=post.get("title", ""),
            place=post.get("place", ""),
            agenda=lines(post.get("agenda", "")),
            extra=lines(post.get("extra", "")),
        )
    except ValidationError as exc:
        flash(request, exc)
        return redirect("cobuilding:board", public_id=board.public_id)
    messages.success(request, _("已召集会议「%(t)s」。") % {"t": co.meeting.title})
    return redirect("cobuilding:meeting", public_id=co.public_id)


def _meeting(request, public_id):
    return get_object_or_404(selectors.meetings(request.user), public_id=public_id)


@require_roles(MANAGE_ROLES)
def meeting(request, public_id):
    co = _meeting(request, public_id)
    rows = list(co.matters.select_related("task__unit").order_by("raised_at", "pk"))
    units = []
    if co.board_id is not None:
        units = [m.unit for m in co.board.members.filter(is_active=True, unit__isnull=False).select_related("unit")]
    elif co.estate_id is not None:
        units = list(ResidentUnit.objects.filter(community_id=co.area_id).order_by("name")[:100])
    return render(
        request,
        "cobuilding/meeting.html",
        {
            "co": co,
            "m": co.meeting,
            "matters": rows,
            "units": units,
            "categories": CaseCategory.objects.filter(is_active=True).order_by("pk")[:100],
            "project_kinds": ProjectKind.choices,
            "is_community": co.area.level == Level.COMMUNITY,
            "open": Outcome.OPEN,
            "active_nav": NAV,
        },
    )


@require_roles(MANAGE_ROLES)
@require_POST
@idempotent
def matter_raise(request, public_id):
    co = _meeting(request, public_id)
    try:
        matter_services.matter_raise(
            actor=request.user,
            comeeting=co,
            title=request.POST.get("title", ""),
            description=request.POST.get("description", ""),
        )
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("已登记议定事项。"))
    return redirect("cobuilding:meeting", public_id=co.public_id)


@require_roles(MANAGE_ROLES)
@require_POST
def matter_route(request, public_id, action):
    matter = get_object_or_404(selectors.matters(request.user), public_id=public_id)
    post = request.POST
    try:
        if action == "case":
            category = CaseCategory.objects.filter(pk=post.get("category") or None).first()
            matter_services.matter_to_case(actor=request.user, matter=matter, category=category)
        elif action == "demand":
            matter_services.matter_to_demand(actor=request.user, matter=matter)
        elif action == "project":
            matter_services.matter_to_project(actor=request.user, matter=matter, kind=post.get("kind") or "services")
        elif action == "task":
            unit = ResidentUnit.objects.filter(public_id=post.get("unit") or None).first()
            if unit is None:
                raise ValidationError(_("请选择承办单位。"))
            matter_services.matter_to_task(
                actor=request.user,
                matter=matter,
                unit=unit,
                due_on=parse_date(post.get("due_on", ""), _("办理时限")),
                title=post.get("title", ""),
            )
        elif action == "close":
            matter_services.matter_close(actor=request.user, matter=matter, reason=post.get("reason", ""))
        else:
            raise Http404
    except ValidationError as exc:
        flash(request, exc)
    else:
        outcome = Outcome.CLOSED if action == "close" else Outcome(action)
        messages.success(request, _("事项去向：%(o)s。") % {"o": outcome.label})
    return redirect("cobuilding:matter", public_id=matter.public_id)


@require_roles(MANAGE_ROLES)
def matter(request, public_id):
    matter = get_object_or_404(
        selectors.matters(request.user).select_related("comeeting__meeting", "visit", "liaison", "area"),
        public_id=public_id,
    )
    return render(
        request,
        "cobuilding/matter.html",
        {"matter": matter, "target": matter_services.target_of(matter), "active_nav": NAV},
    )
