"""The commander's desk: answers (by status, searchable, keyset pages), placing one answer (ranked
proposals with reasons, confirm or choose a grid, move someone placed), and a grid's page (who is
deployed, duty shifts, tasks, the visit list with its assignments)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.db import replica_view
from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import capped_counts, keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.territory.models import Area, Level

from .. import proposals, selectors, services
from ..forms import AssignForm, PlaceForm, ShiftForm, TaskForm
from ..models import Call, CallStatus, DutyShift, Placement, PlacementStatus, Visit, VisitStatus
from ..permissions import COMMAND_ROLES, commands
from . import form_errors

PAGE_SIZE = 20
TABS = [
    ("available", _("待安排")),
    ("placed", _("已安排")),
    ("called", _("待答复")),
    ("declined", _("不能参加")),
]


@require_roles(COMMAND_ROLES)
@require_GET
@replica_view
def answers(request, public_id):
    callup = selectors.callup_of(request.user, public_id)
    status = request.GET.get("status", "available")
    if status not in CallStatus.values:
        status = "available"
    q = request.GET.get("q", "").strip()[:50]
    counts = capped_counts({code: selectors.answers(request.user, callup, status=code, q=q) for code, _l in TABS})
    page = keyset_page(
        selectors.answers(request.user, callup, status=status, q=q),
        selectors.CALL_ORDERING,
        per_page=PAGE_SIZE,
        count=counts[status],
        **page_params(request),
    )
    context = {
        "callup": callup,
        "page": page,
        "status": status,
        "q": q,
        "tabs": [(code, label, counts[code]) for code, label in TABS],
        "querystring": querystring_without_page(request),
        "active_nav": "mobilization",
    }
    return render(request, "mobilization/answers.html", context)


def _call_of(request, public_id) -> Call:
    call = Call.objects.visible_to(request.user).select_related("callup__area").filter(public_id=public_id).first()
    if call is None:
        raise Http404
    return call


@require_roles(COMMAND_ROLES)
@require_http_methods(["GET", "POST"])
@idempotent
def answer(request, public_id):
    """安排 one answer: the ranked proposals, confirm one or choose a grid; move someone placed."""
    call = _call_of(request, public_id)
    callup = call.callup
    grids = selectors.grids_in(callup, request.user)
    form = PlaceForm(request.POST or None, grids=grids)
    live = Placement.objects.filter(call=call, status=PlacementStatus.ACTIVE).select_related("grid").first()
    if request.method == "POST" and form.is_valid():
        grid, reason = form.cleaned_data["grid"], form.cleaned_data["reason"]
        try:
            if live is not None:
                services.placement_move(actor=request.user, placement=live, grid=grid, reason=reason)
                messages.success(request, _("%(n)s 已调整到%(g)s。") % {"n": call.name, "g": grid.name})
            else:
                services.placement_confirm(actor=request.user, call=call, grid=grid, reason=reason)
                messages.success(request, _("%(n)s 已安排到%(g)s。") % {"n": call.name, "g": grid.name})
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return redirect("mobilization:answer", public_id=call.public_id)
    ranked = []
    if call.status in (CallStatus.AVAILABLE, CallStatus.PLACED) and callup.is_active:
        in_scope = {g.pk for g in grids}
        ranked = [p for p in proposals.propose(call, limit=8) if p.grid.pk in in_scope][:5]
    context = {
        "call": call,
        "callup": callup,
        "form": form,
        "live": live,
        "proposals": ranked,
        "history": call.placements.select_related("grid", "placed_by").order_by("-placed_at", "-pk")[:20],
        "active_nav": "mobilization",
    }
    return render(request, "mobilization/answer.html", context)


def _grid_of(request, callup, grid_id) -> Area:
    grid = Area.objects.filter(public_id=grid_id, level=Level.GRID).select_related("parent").first()
    if grid is None or not commands(request.user, grid.path) or not grid.path.startswith(callup.area_path):
        raise Http404
    return grid


def _people(callup, grid):
    ids = Placement.objects.filter(callup=callup, grid=grid, status=PlacementStatus.ACTIVE).values("user_id")
    return get_user_model().objects.filter(pk__in=ids).order_by("full_name", "pk")


@require_roles(COMMAND_ROLES)
@require_http_methods(["GET", "POST"])
def grid(request, public_id, grid_id):
    """A grid's command page: who is deployed, shifts, tasks, the visit list (build it, assign visits)."""
    callup = selectors.callup_of(request.user, public_id)
    grid = _grid_of(request, callup, grid_id)
    people = _people(callup, grid)
    shift_form = ShiftForm(request.POST if "capacity" in request.POST else None)
    task_form = TaskForm(request.POST if "title" in request.POST else None, people=people)
    if request.method == "POST":
        try:
            if "build" in request.POST:
                added = services.visit_list_build(actor=request.user, callup=callup, grid=grid)
                messages.success(request, _("走访名单已生成，新增 %(n)s 户。") % {"n": added})
            elif shift_form.is_bound and shift_form.is_valid():
                services.duty_shift_create(actor=request.user, callup=callup, grid=grid, **shift_form.cleaned_data)
                messages.success(request, _("值守班次已添加，已安排本网格下沉人员。"))
            elif task_form.is_bound and task_form.is_valid():
                services.task_create(actor=request.user, callup=callup, grid=grid, **task_form.cleaned_data)
                messages.success(request, _("任务已布置。"))
            else:
                raise ValidationError(_("请检查填写的内容。"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect("mobilization:grid", public_id=callup.public_id, grid_id=grid.public_id)
    status = request.GET.get("visits", "pending")
    status = status if status in VisitStatus.values else "pending"
    visits = keyset_page(
        selectors.visits(request.user, callup, grid=grid, status=status),
        selectors.VISIT_ORDERING,
        per_page=PAGE_SIZE,
        **page_params(request),
    )
    total, _rows = selectors.situation(callup, grid)
    context = {
        "callup": callup,
        "grid": grid,
        "total": total,
        "deployed": selectors.deployed(callup, grid),
        "shifts": DutyShift.objects.filter(callup=callup, grid=grid)
        .select_related("shift__post")
        .order_by("-shift__start")[:20],
        "tasks": selectors.tasks(request.user, callup, grid=grid)
        .select_related("assignee")
        .order_by("done_at", "due_at", "pk")[:50],
        "visits": visits,
        "visit_status": status,
        "visit_tabs": VisitStatus.choices,
        "people": people,
        "shift_form": shift_form,
        "task_form": task_form,
        "querystring": querystring_without_page(request),
        "active_nav": "mobilization",
    }
    return render(request, "mobilization/grid.html", context)


@require_roles(COMMAND_ROLES)
@require_POST
def visit_assign(request, public_id):
    visit = Visit.objects.visible_to(request.user).select_related("callup", "grid").filter(public_id=public_id).first()
    if visit is None or not commands(request.user, visit.grid_path):
        raise Http404
    form = AssignForm(request.POST, people=_people(visit.callup, visit.grid))
    if form.is_valid():
        try:
            services.visit_assign(actor=request.user, visit=visit, user=form.cleaned_data["assignee"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已分派走访。"))
    else:
        messages.error(request, _("请选择走访人。"))
    return redirect("mobilization:grid", public_id=visit.callup.public_id, grid_id=visit.grid.public_id)
