"""The workbench of cases: the list (a department's inbox too), the case page with the steps the
viewer may take, the claim board of members and units, and the audited reveal of a reporter's phone."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.roles import Role
from dangjian.audit.services import Action, audit_record
from dangjian.core.db import replica_view
from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import page_params
from dangjian.core.scoping import active_role
from dangjian.core.text import mask_mobile
from dangjian.core.views import client_ip, querystring_without_page, require_roles
from dangjian.territory.selectors import filter_area_options

from .. import selectors, services
from ..models import Case, CaseStatus
from ..permissions import CLAIM_ROLES, DESK_ROLES, is_desk, may_dispatch
from ..workflow import CASE_FLOW, DESK_STEPS, Step
from . import forms
from .selectors import filter_choices, offered_steps

PAGE_SIZE = 20
NAV = "cases_desk"
# --- the list -----------------------------------------------------------------------------


# The filters under 更多条件 (the template's <details>): with one of them set it opens, places and all.
MORE_FILTERS = (
    "channel",
    "area",
    "department",
    "date_from",
    "date_to",
    "overdue",
    "supervised",
    "mine",
    *forms.CaseFilterForm.STATE_FILTERS,
)


@require_roles(DESK_ROLES)
@replica_view
def case_list_filter(request, field):
    """One place filter of the list, for htmx when 更多条件 is first opened: its options, none chosen."""
    if field not in ("area", "department"):
        raise Http404
    areas, departments = filter_choices(request.user)
    context = {"field": field}
    if field == "area":
        context["area_options"] = filter_area_options(request.user, areas, None)
    else:
        context["form"] = forms.CaseFilterForm(user=request.user, areas=areas, departments=departments)
    return render(request, "cases/desk/_place_filters.html", context)


@require_roles(DESK_ROLES)
@replica_view
def case_list(request):
    areas, departments = filter_choices(request.user)
    form = forms.CaseFilterForm(request.GET or None, user=request.user, areas=areas, departments=departments)
    filters = form.list_filters()  # a filter in error is dropped (its message shown), the others still apply
    tab = request.GET.get("tab", "")
    tab = tab if tab in selectors.TABS or tab in selectors.QUEUES else ""
    # The scope's parts once, for the page and the tabs; the counts query tells which hold rows.
    scopes = selectors.list_scopes(request.user, check_owned=False)
    page = selectors.case_page(
        request.user,
        **page_params(request),
        per_page=PAGE_SIZE,
        scopes=scopes,
        with_tab_counts=True,  # one query counts the page's list and every quick tab
        tab=tab,
        **filters,
    )
    selectors.list_page_rows(page.object_list)
    is_department = active_role(request.user) == Role.DEPARTMENT_STAFF
    counts = page.tab_counts
    if is_department:
        tabs = [("dispatched", _("待签收")), ("handling", _("处置中")), ("overdue", _("已超期"))]
    else:
        tabs = [
            ("todo", _("待办")),
            ("dispatched", _("已派单")),
            ("handling", _("处置中")),
            ("overdue", _("已超期")),
            ("supervised", _("督办")),
            ("mine", _("我负责的")),
        ]
    # 更多条件 opens on a page filtered by one of its fields; closed, its places load when opened.
    more_open = any(request.GET.get(name) for name in MORE_FILTERS) or bool(form.errors)
    context = {
        "page": page,
        "form": form,
        "tab": tab,
        "more_open": more_open,
        "queue_label": selectors.QUEUES.get(tab, ""),
        # Counts as text: "1000+" past the cap (a number filter would drop the "+").
        "tabs": [(key, label, str(counts[key]) if counts.get(key) else "") for key, label in tabs],
        "is_department": is_department,
        "may_enter": may_dispatch(request.user),
        "area_options": (
            filter_area_options(request.user, areas, getattr(form, "cleaned_data", {}).get("area")) if more_open else []
        ),
        "filtered": bool(filters or tab),
        "querystring": querystring_without_page(request),
        "active_nav": NAV,
    }
    return render(request, "cases/desk/list.html", context)


# --- the case page ------------------------------------------------------------------------


def _step_form(request, case: Case, step: str, *args: Any) -> Any:
    """The step's form as the declaration names it (StepSpec.form), bound to `args` when given."""
    form_class = import_string(CASE_FLOW.steps[step].form)
    return form_class(*args, case=case, user=request.user, initial={"version": case.version})


def _actions(request, case: Case, steps: list[str]) -> list[dict[str, Any]]:
    actions = []
    for step in steps:
        label = Step(step).label
        if step == Step.CLOSE and case.status == CaseStatus.DISPATCHED:
            label = _("签收并办结")
        hint = ""
        if step == Step.DISPATCH and case.duty_item_id:
            hint = _("按权责清单「%(i)s」建议由 %(d)s 牵头。") % {
                "i": case.duty_item.name,
                "d": case.duty_item.lead_department.name,
            }
            if not case.duty_item.community_may_lead:
                hint += _("该事项社区不得牵头办理，不能派给社区或网格，社区可配合。")
        form = _step_form(request, case, step)
        actions.append(
            {"step": step, "label": label, "form": form, "warning": CASE_FLOW.steps[step].warning, "hint": hint}
        )
    return actions


@login_required
def case_detail(request, public_id):
    case = selectors.get_case_for_user(request.user, public_id)
    internal = is_desk(request.user)
    steps = offered_steps(request.user, case)
    case.time_left = selectors.list_page_rows([case])[0].time_left
    extra = selectors.case_detail(case, internal=internal)
    for entry in extra["log"]:
        entry.step_label = CASE_FLOW.step_label(entry.step)
        entry.to_label = CASE_FLOW.status_label(entry.to_status) if entry.to_status in CaseStatus.values else ""
    context = {
        "case": case,
        "internal": internal,
        "actions": _actions(request, case, steps),
        "can_merge": Step.MERGE in steps,
        "masked_phone": mask_mobile(case.reporter_phone),
        "whistle_url": _whistle_url(case) if internal else None,
        "active_nav": NAV if internal else "",
        **extra,
    }
    return render(request, "cases/desk/detail.html", context)


def _whistle_url(case: Case) -> str | None:
    """The whistle page (H-whistle's), when it is there and the case is in a status one may whistle."""
    if CASE_FLOW.move(case.status, Step.WHISTLE) is None:
        return None
    try:
        return reverse("cases:whistle_blow", args=[case.public_id])
    except NoReverseMatch:
        return None


@login_required
@require_POST
def case_step(request, public_id, step):
    if step not in DESK_STEPS:
        raise Http404
    case = selectors.get_case_for_user(request.user, public_id)
    form = _step_form(request, case, step, request.POST, request.FILES)
    if not form.is_valid():
        errors = [f"{form.fields[k].label if k in form.fields else ''} {' '.join(v)}" for k, v in form.errors.items()]
        messages.error(request, _("未能%(step)s：%(e)s") % {"step": Step(step).label, "e": "；".join(errors)})
        return redirect(case.get_absolute_url())
    try:
        kwargs = form.service_kwargs()
        CASE_FLOW.service(step)(actor=request.user, case=case, version=form.cleaned_data["version"], **kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(case.get_absolute_url())
    messages.success(request, CASE_FLOW.steps[step].done_message)
    # Routed away from the viewer's scope: back to the list rather than a 404.
    if not selectors.workbench_cases(request.user).filter(pk=case.pk).exists():
        return redirect("cases:list")
    return redirect(case.get_absolute_url())


@require_roles(DESK_ROLES)
@require_POST
def reveal_phone(request, public_id):
    case = selectors.get_case_for_user(request.user, public_id)
    audit_record(
        actor=request.user,
        action=Action.REVEAL,
        obj=case,
        changes={"field": "reporter_phone"},
        ip=client_ip(request),
        area_path=case.area_path,
    )
    return HttpResponse(case.reporter_phone or _("未留电话"))


# --- the claim board of members and units ------------------------------------------------


@require_roles(CLAIM_ROLES)
def claim_board(request):
    cases = selectors.claimable_cases(request.user)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "querystring": querystring_without_page(request), "active_nav": "cases_claim"}
    return render(request, "cases/desk/claim_board.html", context)


@require_roles(CLAIM_ROLES)
@require_POST
@idempotent
def claim(request, public_id):
    case = selectors.claimable_cases(request.user, include_taken=True).filter(public_id=public_id).first()
    if case is None:
        raise Http404
    form = forms.StepForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.case_claim(actor=request.user, case=case, version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cases:claim_board")
    messages.success(request, CASE_FLOW.steps[Step.CLAIM].done_message)
    return redirect(case.get_absolute_url())
