"""Tasks sent down to communities: the sender's list and new task, the task with who has replied (send,
remind, close), and the community's inbox and reply on the phone."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.scoping import scope_for
from dangjian.core.views import querystring_without_page, require_roles

from .. import selectors
from ..forms import CiteForm, TaskForm
from ..models import FieldKind, ReplyStatus, TaskStatus, scope_path
from ..permissions import REPLY_ROLES, SENDER_ROLES
from ..services import tasks as services
from ..workflow import REPLY_FLOW, TASK_FLOW, ReplyStep, TaskStep
from . import NAV, PAGE_SIZE, done, flash, form_errors, is_sender, log_rows, step_buttons


@require_roles(SENDER_ROLES)
def tasks(request):
    status = request.GET.get("status", "")
    qs = selectors.tasks(request.user, status)
    page = keyset_page(qs, selectors.TASK_ORDER, **page_params(request), per_page=PAGE_SIZE)
    selectors.attach_reply_counts(page.object_list)
    return render(
        request,
        "duties/tasks.html",
        {
            "sender": is_sender(request),
            "page": page,
            "status": status,
            "statuses": TaskStatus.choices,
            "flow": TASK_FLOW,
            "querystring": querystring_without_page(request),
            "active_nav": NAV,
        },
    )


def _citable(request) -> dict:
    district = (scope_path(scope_for(request.user)) or "")[:4]
    return {
        "entries": list(selectors.community_list_entries(request.user, district)),
        "admissions": list(selectors.admitted_for(request.user)),
    }


def _task_form(request, data=None):
    return TaskForm(data, communities=selectors.reachable_communities(request.user), **_citable(request))


@require_roles(SENDER_ROLES)
@idempotent
def task_new(request):
    form = _task_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(actor=request.user, **form.for_service())
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "任务已拟定。核对后点「下派」发送到社区。")
            return redirect("duties:task", public_id=task.public_id)
    return render(request, "duties/task_form.html", {"form": form, "kinds": FieldKind.choices, "active_nav": NAV})


@require_roles(SENDER_ROLES)
def task(request, public_id):
    t = selectors.task_get(request.user, public_id)
    parties = TASK_FLOW.parties_for(request.user, t)
    steps = step_buttons(TASK_FLOW, t.status, parties)
    replies = selectors.replies_of(t)
    replied = sum(1 for r in replies if r.status == ReplyStatus.REPLIED)
    fields = list(t.fields.all())
    for r in replies:
        r.cells = [r.values.get(str(f.pk), "") for f in fields]
    return render(
        request,
        "duties/task.html",
        {
            "task": t,
            "state": TASK_FLOW.state(t.status),
            "steps": steps,
            "replies": replies,
            "replied": replied,
            "fields": fields,
            "communities": t.communities.order_by("path") if t.status == TaskStatus.DRAFT else (),
            "refusals": selectors.refusals_of(t),
            "is_sender": bool(parties),
            "log": log_rows(TASK_FLOW, t.log),
            "cite_form": CiteForm(
                initial={
                    "entry": str(t.entry.public_id) if t.entry else "",
                    "admission": str(t.admission.public_id) if t.admission else "",
                },
                **_citable(request),
            )
            if parties and t.status == TaskStatus.DRAFT
            else None,
            "active_nav": NAV,
        },
    )


@require_roles(SENDER_ROLES)
@require_POST
def task_act(request, public_id, step):
    t = selectors.task_get(request.user, public_id)
    version = int(request.POST.get("version") or t.version)
    try:
        if step == TaskStep.SEND:
            t = services.task_send(actor=request.user, task=t, version=version)
        elif step == TaskStep.CLOSE:
            t = services.task_close(actor=request.user, task=t, version=version)
        elif step == "cite":
            form = CiteForm(request.POST, **_citable(request))
            if not form.is_valid():
                raise Http404
            services.task_cite(
                actor=request.user,
                task=t,
                entry=form.entries.get(form.cleaned_data["entry"]),
                admission=form.admissions.get(form.cleaned_data["admission"]),
            )
            messages.success(request, "已修改任务依据。")
            return redirect("duties:task", public_id=t.public_id)
        elif step == "remind":
            n = services.task_remind(actor=request.user, task=t)
            messages.success(request, f"已提醒 {n} 个未填报的社区。")
            return redirect("duties:task", public_id=t.public_id)
        else:
            raise Http404
    except ValidationError as exc:
        flash(request, exc)
    else:
        done(request, TASK_FLOW, step, t)
    return redirect("duties:task", public_id=t.public_id)


@require_roles(REPLY_ROLES)
def inbox(request):
    show = request.GET.get("show", "")
    qs = selectors.inbox(request.user, show)
    page = keyset_page(qs, selectors.REPLY_ORDER, **page_params(request), per_page=PAGE_SIZE)
    return render(
        request,
        "duties/inbox.html",
        {
            "page": page,
            "show": show,
            "flow": REPLY_FLOW,
            "today": timezone.localdate(),
            "querystring": querystring_without_page(request),
            "active_nav": "duties_inbox",
        },
    )


@require_roles(REPLY_ROLES)
def reply(request, public_id):
    r = selectors.reply_get(request.user, public_id)
    fields = list(r.task.fields.all())
    errors: dict = {}
    values = {f.name: r.values.get(str(f.pk), "") for f in fields}
    if request.method == "POST":
        values = {f.name: request.POST.get(f.name, "") for f in fields}
        try:
            r = services.reply_submit(
                actor=request.user, reply=r, values=values, version=int(request.POST.get("version") or r.version)
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = {k: v[0] for k, v in exc.message_dict.items()}
            else:
                flash(request, exc)
        else:
            done(request, REPLY_FLOW, ReplyStep.REPLY, r)
            return redirect("duties:reply", public_id=r.public_id)
    rows = [(f, values.get(f.name, ""), errors.get(f.name, "")) for f in fields]
    may_reply = r.task.status == TaskStatus.SENT and bool(REPLY_FLOW.parties_for(request.user, r))
    return render(
        request,
        "duties/reply.html",
        {
            "r": r,
            "task": r.task,
            "rows": rows,
            "may_reply": may_reply,
            "state": REPLY_FLOW.state(r.status),
            "active_nav": "duties_inbox",
        },
    )
