"""The phone side: the reply link of a call (答复), 我的下沉 (placement, shifts, tasks, visits), a visit with
its needs checklist or the reason it was not made, a task's progress report with a photo."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.core.idempotency import idempotent
from dangjian.core.photos import photo_response
from dangjian.core.views import require_roles
from dangjian.volunteering.models import ShiftSignUp

from .. import selectors, services
from ..forms import AnswerForm, ExcuseForm, ReportForm, VisitForm
from ..models import NeedKind, Placement, PlacementStatus, Task, TaskReport, Visit, VisitStatus
from ..permissions import FIELD_ROLES
from ..services.command import may_report
from ..services.visits import may_visit
from . import form_errors


@require_roles(FIELD_ROLES)
@require_http_methods(["GET", "POST"])
@idempotent
def reply(request, public_id):
    """答复召集: the link every called person gets."""
    callup = selectors.callup_of(request.user, public_id)
    call = selectors.my_call(request.user, callup)
    if call is None:
        raise Http404
    initial = {"available": "1", "skills": call.skills, "limits": call.limits}
    form = AnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.call_answer(actor=request.user, callup=callup, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已答复，谢谢！安排好网格后会通知您。"))
            return redirect("mobilization:mine", public_id=callup.public_id)
    return render(
        request, "mobilization/reply.html", {"callup": callup, "call": call, "form": form, "active_nav": "mobilization"}
    )


@require_roles(FIELD_ROLES)
@require_GET
def mine(request, public_id):
    """我的下沉: where I am placed, my shifts (with the post to scan at), my tasks and visits."""
    callup = selectors.callup_of(request.user, public_id)
    call = selectors.my_call(request.user, callup)
    placements = Placement.objects.filter(callup=callup, user=request.user, status=PlacementStatus.ACTIVE)
    shifts = (
        ShiftSignUp.objects.filter(user=request.user, shift__duty__callup=callup, status="confirmed")
        .select_related("shift__post")
        .order_by("shift__start")[:20]
    )
    grid_ids = list(placements.values_list("grid_id", flat=True))
    tasks = Task.objects.filter(callup=callup, done_at__isnull=True).filter(
        assignee=request.user
    ) | Task.objects.filter(callup=callup, done_at__isnull=True, assignee__isnull=True, grid_id__in=grid_ids)
    visits = Visit.objects.filter(callup=callup, status=VisitStatus.PENDING).filter(
        assignee=request.user
    ) | Visit.objects.filter(callup=callup, status=VisitStatus.PENDING, assignee__isnull=True, grid_id__in=grid_ids)
    context = {
        "callup": callup,
        "call": call,
        "placements": placements.select_related("grid"),
        "shifts": shifts,
        "tasks": tasks.order_by("due_at", "pk")[:50],
        "visits": visits.order_by("label", "pk")[:100],
        "active_nav": "mobilization",
    }
    return render(request, "mobilization/mine.html", context)


def _visit_of(request, public_id) -> Visit:
    visit = Visit.objects.select_related("callup", "grid").filter(public_id=public_id).first()
    if visit is None or not may_visit(request.user, visit):
        raise Http404
    return visit


@require_roles(FIELD_ROLES)
@require_http_methods(["GET", "POST"])
@idempotent
def visit(request, public_id):
    """入户走访: the needs checklist (each ticked item becomes one demand) or why the visit was not made."""
    visit = _visit_of(request, public_id)
    form = VisitForm(request.POST if "needs" in request.POST or "note" in request.POST else None)
    excuse = ExcuseForm(request.POST if "reason" in request.POST else None)
    if request.method == "POST":
        try:
            if excuse.is_bound and excuse.is_valid():
                services.visit_excuse(actor=request.user, visit=visit, reason=excuse.cleaned_data["reason"])
                messages.success(request, _("已登记未走访原因。"))
                return redirect("mobilization:mine", public_id=visit.callup.public_id)
            if form.is_bound and form.is_valid():
                data = form.cleaned_data
                services.visit_record(
                    actor=request.user,
                    visit=visit,
                    needs=data["needs"],
                    notes={NeedKind.OTHER: data["other"]},
                    note=data["note"],
                )
                messages.success(request, _("走访已登记，勾选的需求已生成需求单并派给本网格下沉党员。"))
                return redirect("mobilization:mine", public_id=visit.callup.public_id)
        except ValidationError as exc:
            form_errors(excuse if excuse.is_bound else form, exc)
    needs = visit.needs.select_related("demand").order_by("kind")
    context = {
        "visit": visit,
        "form": form,
        "excuse": excuse,
        "needs": needs,
        "active_nav": "mobilization",
    }
    return render(request, "mobilization/visit.html", context)


def _task_of(request, public_id) -> Task:
    task = Task.objects.select_related("callup", "grid", "assignee").filter(public_id=public_id).first()
    if task is None or not may_report(request.user, task):
        raise Http404
    return task


@require_roles(FIELD_ROLES)
@require_http_methods(["GET", "POST"])
@idempotent
def task(request, public_id):
    """进展上报 from the phone, with a photo."""
    task = _task_of(request, public_id)
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        photo = form.cleaned_data.get("photo")
        try:
            services.task_report(
                actor=request.user,
                task=task,
                text=form.cleaned_data["text"],
                photos=[photo] if photo else [],
                done=form.cleaned_data["done"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("进展已上报。"))
            return redirect("mobilization:task", public_id=task.public_id)
    reports = task.reports.select_related("author").order_by("-at", "-pk")[:50]
    return render(
        request,
        "mobilization/task.html",
        {"task": task, "form": form, "reports": reports, "active_nav": "mobilization"},
    )


@require_roles(FIELD_ROLES)
@require_GET
def task_photo(request, pk):
    report = TaskReport.objects.select_related("task__callup", "task__grid").filter(pk=pk).first()
    if report is None or not report.photo or not may_report(request.user, report.task):
        raise Http404
    return photo_response(report.photo)
