"""Admission requests: the list (by status), a new request, a request with the district's decision, and
an admitted new item put into the community list's draft."""

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
from ..forms import AdmissionForm, DecisionForm, ToDraftForm
from ..models import AdmissionStatus, ListKind, scope_path
from ..permissions import LIST_ROLES, READ_ROLES, SENDER_ROLES, is_district_admin_of
from ..services import admission as services
from ..workflow import ADMISSION_FLOW
from . import NAV, PAGE_SIZE, done, flash, form_errors, is_sender, log_rows, step_buttons


def _district_path(request) -> str:
    return (scope_path(scope_for(request.user)) or "")[:4]


@require_roles(READ_ROLES)
def admissions(request):
    status = request.GET.get("status", "")
    qs = selectors.admissions(request.user, status)
    page = keyset_page(qs, selectors.ADMISSION_ORDER, **page_params(request), per_page=PAGE_SIZE)
    return render(
        request,
        "duties/admissions.html",
        {
            "sender": is_sender(request),
            "page": page,
            "status": status,
            "statuses": AdmissionStatus.choices,
            "flow": ADMISSION_FLOW,
            "querystring": querystring_without_page(request),
            "may_apply": scope_for(request.user).role in SENDER_ROLES,
            "active_nav": NAV,
        },
    )


@require_roles(SENDER_ROLES)
@idempotent
def admission_new(request):
    entries = list(selectors.community_list_entries(request.user, _district_path(request)))
    form = AdmissionForm(request.POST or None, entries=entries)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            req = services.admission_submit(
                actor=request.user,
                title=d["title"],
                reason=d["reason"],
                entry=form.entries.get(d["entry"] or ""),
                money=d["money"],
                people=d["people"],
                powers=d["powers"],
                resources_note=d["resources_note"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "准入申请已提交，等待区委区政府或联席会议审批。")
            return redirect("duties:admission", public_id=req.public_id)
    return render(request, "duties/admission_form.html", {"form": form, "active_nav": NAV})


@require_roles(READ_ROLES)
def admission(request, public_id):
    req = selectors.admission_get(request.user, public_id)
    parties = ADMISSION_FLOW.parties_for(request.user, req)
    steps = step_buttons(ADMISSION_FLOW, req.status, parties)
    for s in steps:  # one form per step, prefixed, so the two forms' fields keep distinct ids
        s["form"] = DecisionForm(
            prefix=s["code"], initial={"decided_on": timezone.localdate(), "decision_body": "joint_meeting"}
        )
    to_draft = None
    if (
        req.status == AdmissionStatus.ADMITTED
        and not req.added_entry_id
        and is_district_admin_of(request.user, req.district.path)
    ):
        community_lists = [
            d
            for d in selectors.lists(request.user)
            if d.kind == ListKind.COMMUNITY_WORK and d.area_path.startswith(req.district.path)
        ]
        to_draft = ToDraftForm(lists=community_lists) if community_lists else None
    return render(
        request,
        "duties/admission.html",
        {
            "req": req,
            "state": ADMISSION_FLOW.state(req.status),
            "steps": steps,
            "to_draft": to_draft,
            "log": log_rows(ADMISSION_FLOW, req.log),
            "tasks": req.tasks.order_by("-created_at")[:20],
            "active_nav": NAV,
        },
    )


@require_roles(LIST_ROLES)
@require_POST
def admission_decide(request, public_id, step):
    req = selectors.admission_get(request.user, public_id)
    if step not in ADMISSION_FLOW.steps:
        raise Http404
    form = DecisionForm(request.POST, prefix=step)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("duties:admission", public_id=req.public_id)
    try:
        req = services.admission_decide(
            actor=request.user,
            request=req,
            step=step,
            version=int(request.POST.get("version") or req.version),
            **form.cleaned_data,
        )
    except ValidationError as exc:
        flash(request, exc)
    else:
        done(request, ADMISSION_FLOW, step, req)
    return redirect("duties:admission", public_id=req.public_id)


@require_roles(LIST_ROLES)
@require_POST
def admission_to_draft(request, public_id):
    req = selectors.admission_get(request.user, public_id)
    community_lists = [d for d in selectors.lists(request.user) if d.kind == ListKind.COMMUNITY_WORK]
    form = ToDraftForm(request.POST, lists=community_lists)
    if not form.is_valid():
        raise Http404
    try:
        entry = services.admission_to_draft(
            actor=request.user,
            request=req,
            duty_list=form.lists[form.cleaned_data["duty_list"]],
            kind=form.cleaned_data["kind"],
        )
    except ValidationError as exc:
        flash(request, exc)
        return redirect("duties:admission", public_id=req.public_id)
    messages.success(request, f"已列入「{entry.list_version.duty_list.name}」第{entry.list_version.number}版草案。")
    return redirect("duties:version", public_id=entry.list_version.public_id)
