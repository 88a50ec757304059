"""Tasks handed to member units: the list (the unit's own, or the desk's in scope) and the steps."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles

from .. import selectors
from ..permissions import TASK_ROLES
from ..services.tasks import task_step
from ..workflow import FLOW
from . import NAV, PAGE_SIZE, flash


@require_roles(TASK_ROLES)
def task_list(request):
    status = request.GET.get("status", "open")
    qs = selectors.tasks(request.user)
    if status == "open":
        qs = qs.filter(status__in=FLOW.statuses(is_open=True))
    elif status == "closed":
        qs = qs.filter(status__in=FLOW.statuses(is_open=False))
    page = keyset_page(qs, selectors.TASK_ORDER, **page_params(request), per_page=PAGE_SIZE)
    return render(
        request,
        "cobuilding/tasks.html",
        {
            "page": page,
            "status": status,
            "flow": FLOW,
            "querystring": querystring_without_page(request),
            "active_nav": NAV,
        },
    )


@require_roles(TASK_ROLES)
def task(request, public_id):
    task = get_object_or_404(selectors.tasks(request.user), public_id=public_id)
    parties = FLOW.parties_for(request.user, task)
    steps = [FLOW.steps[code] for code in FLOW.allowed_steps(task.status, parties)]
    return render(
        request,
        "cobuilding/task.html",
        {
            "task": task,
            "state": FLOW.state(task.status),
            "steps": steps,
            "log": task.log.select_related("actor").order_by("at", "pk"),
            "active_nav": NAV,
        },
    )


@require_roles(TASK_ROLES)
@require_POST
def task_act(request, public_id, step):
    task = get_object_or_404(selectors.tasks(request.user), public_id=public_id)
    if step not in FLOW.steps:
        raise Http404
    try:
        task_step(
            actor=request.user,
            task=task,
            step=step,
            note=request.POST.get("note", ""),
            version=int(request.POST.get("version") or task.version),
        )
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, str(FLOW.steps[step].done_message))
    return redirect("cobuilding:task", public_id=task.public_id)
