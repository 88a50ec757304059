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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.roles import Role, active_role
from dangjian.audit.services import Action, audit_record
from dangjian.core.scoping import scope_for
from dangjian.core.text import mask_mobile
from dangjian.core.views import client_ip, querystring_without_page, require_roles
from dangjian.territory.models import Area, Level
from dangjian.units.models import Department

from . import desk_forms as forms
from . import selectors, services
from .models import Case, CaseStatus, Extension, ExtensionStatus
from .workflow import Step

DESK_ROLES = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.SUBDISTRICT_ADMIN,
        Role.DISTRICT_ADMIN,
        Role.GRID_WORKER,
        Role.DEPARTMENT_STAFF,
    }
)
CLAIM_ROLES = frozenset({Role.PARTY_MEMBER, Role.UNIT_CONTACT})
PAGE_SIZE = 20
NAV = "cases_desk"
# Steps other pages take (whistle) or the system takes; the case page does not offer them as forms.
ELSEWHERE = {Step.SUBMIT, Step.WHISTLE, Step.REPORT, Step.ESCALATE, Step.WARN, Step.OVERDUE, Step.REOPEN}


def _is_desk(user: Any) -> bool:
    return user.is_superuser or active_role(user) in DESK_ROLES


# --- the list -----------------------------------------------------------------------------


def _filter_choices(user: Any) -> tuple[Any, Any]:
    scope = scope_for(user)
    levels = (Level.SUBDISTRICT, Level.COMMUNITY, Level.GRID)
    areas = Area.objects.visible_to(user).filter(level__in=levels).order_by("path")
    if scope.department_id:
        departments = Department.objects.filter(pk=scope.department_id)
    elif scope.everything:
        departments = Department.objects.order_by("name")
    elif scope.area_path:
        departments = Department.objects.filter(area__path__startswith=scope.area_path[:4]).order_by("name")
    else:
        departments = Department.objects.none()
    return areas, departments


@require_roles(DESK_ROLES)
def case_list(request):
    areas, departments = _filter_choices(request.user)
    form = forms.CaseFilterForm(request.GET or None, user=request.user, areas=areas, departments=departments)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", False)}
    tab = request.GET.get("tab", "")
    tab = tab if tab in selectors.TABS or tab in selectors.QUEUES else ""
    cases = selectors.case_list(request.user, tab=tab, **filters)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.list_page_rows(page.object_list)
    is_department = active_role(request.user) == Role.DEPARTMENT_STAFF
    counts = selectors.tab_counts(request.user)
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
    context = {
        "page": page,
        "form": form,
        "tab": tab,
        "queue_label": selectors.QUEUES.get(tab, ""),
        "tabs": [(key, label, counts.get(key)) for key, label in tabs],
        "is_department": is_department,
        "may_enter": active_role(request.user) in services.DISPATCH_ROLES,
        "filtered": bool(filters or tab),
        "querystring": querystring_without_page(request),
        "active_nav": NAV,
    }
    return render(request, "cases/desk/list.html", context)


# --- the case page ------------------------------------------------------------------------


def _offered_steps(user: Any, case: Case) -> list[str]:
    parties = services.parties_for(user, case)
    steps = [s for s in dict.fromkeys(services_allowed(case, parties)) if s not in ELSEWHERE]
    # A receiver may close a case it has not signed for yet (case_close signs for it on the way).
    if case.status == CaseStatus.DISPATCHED and "receiver" in parties and Step.CLOSE not in steps:
        steps.append(Step.CLOSE)
    if Step.EXTEND_DECIDE in steps and not case.extensions.filter(status=ExtensionStatus.PENDING).exists():
        steps.remove(Step.EXTEND_DECIDE)
    if Step.EXTEND_ASK in steps and case.extensions.filter(status=ExtensionStatus.PENDING).exists():
        steps.remove(Step.EXTEND_ASK)
    if Step.CALLBACK in steps and services.handled_by(case, user):
        steps.remove(Step.CALLBACK)  # whoever handled it may not call it back
    return steps


def services_allowed(case: Case, parties: set[str]) -> list[str]:
    from .workflow import allowed_steps

    return allowed_steps(case.status, parties)


def _step_forms(request, case: Case, steps: list[str]) -> dict[str, Any]:
    """An unbound form per offered step, rendered at the case's current version."""
    initial = {"version": case.version}
    built: dict[str, Any] = {}
    for step in steps:
        form_class, extra = _form_for(request, case, step)
        form = form_class(initial=dict(initial), **extra)
        if step == Step.MERGE and case.possible_duplicate_of_id:
            form.initial["main"] = case.possible_duplicate_of.number
        if step == Step.EXTEND_DECIDE:
            pending = case.extensions.filter(status=ExtensionStatus.PENDING).first()
            form.initial["extension"] = pending.public_id if pending else None
        built[step] = form
    return built


def _form_for(request, case: Case, step: str) -> tuple[type, dict[str, Any]]:
    if step == Step.DISPATCH:
        return forms.DispatchForm, {"case": case}
    if step == Step.ROUTE:
        grids = Area.objects.visible_to(request.user).filter(level=Level.GRID).order_by("path")
        if case.grid_id:
            grids = grids | Area.objects.filter(pk=case.grid_id)
        return forms.RouteForm, {"case": case, "grids": grids}
    return {
        Step.REJECT: forms.ReasonForm,
        Step.RETURN: forms.ReasonForm,
        Step.NOTE: forms.PhotoNoteForm,
        Step.CLOSE: forms.CloseForm,
        Step.CALLBACK: forms.CallbackForm,
        Step.MERGE: forms.MergeForm,
        Step.SUPERVISE: forms.SuperviseForm,
        Step.EXTEND_ASK: forms.ExtendAskForm,
        Step.EXTEND_DECIDE: forms.ExtendDecideForm,
    }.get(step, forms.NoteOnlyForm), {}


WARNINGS = {
    Step.REJECT: _("不予受理后该事件结束，反映人可看到原因。"),
    Step.RECALL: _("撤回后承办方将不能再处理该事件，需重新派单。"),
    Step.RETURN: _("退回后事件回到首问负责人，退回次数将被记录。"),
    Step.CLOSE: _("办结后将进入回访，请确认已处置完毕。"),
    Step.ARCHIVE: _("归档后事件不能再修改。"),
    Step.MERGE: _("合并后本事件不再单独办理，随主事件办结。"),
}


def _actions(request, case: Case, steps: list[str]) -> list[dict[str, Any]]:
    forms_by_step = _step_forms(request, case, steps)
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
        actions.append(
            {"step": step, "label": label, "form": forms_by_step[step], "warning": WARNINGS.get(step, ""), "hint": hint}
        )
    return actions


@login_required
def case_detail(request, public_id):
    case = selectors.get_case_for_user(request.user, public_id)
    internal = _is_desk(request.user)
    steps = _offered_steps(request.user, case)
    case.time_left = selectors.list_page_rows([case])[0].time_left
    extra = selectors.case_detail(case, internal=internal)
    for entry in extra["log"]:
        entry.step_label = Step(entry.step).label if entry.step in Step.values else entry.step
        entry.to_label = CaseStatus(entry.to_status).label if entry.to_status in CaseStatus.values else ""
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
    if case.status not in (CaseStatus.ACCEPTED, CaseStatus.DISPATCHED, CaseStatus.HANDLING):
        return None
    try:
        return reverse("cases:whistle_blow", args=[case.public_id])
    except NoReverseMatch:
        return None


DONE_MESSAGES = {
    Step.ACCEPT: _("已受理，您是该事件的首问负责人。"),
    Step.REJECT: _("已不予受理，反映人可看到原因。"),
    Step.DISPATCH: _("已派单。"),
    Step.PUBLISH: _("已发布，等待党员或驻区单位认领。"),
    Step.TAKE: _("已签收，请按期办结。"),
    Step.RECALL: _("已撤回，可重新派单。"),
    Step.RETURN: _("已退回首问负责人。"),
    Step.NOTE: _("已记录处置进展。"),
    Step.CLOSE: _("已办结，等待回访。"),
    Step.CALLBACK: _("已记录回访。"),
    Step.ARCHIVE: _("已归档。"),
    Step.MERGE: _("已合并到主事件。"),
    Step.ROUTE: _("已调整。"),
    Step.SUPERVISE: _("已督办。"),
    Step.EXTEND_ASK: _("已提交延期申请，等待上级审批。"),
    Step.EXTEND_DECIDE: _("已审批延期申请。"),
}


def _run_step(request, case: Case, step: str, data: dict[str, Any]) -> Case | None:
    """Call the step's service with the form's cleaned data (the service validates the rest)."""
    user, version = request.user, data["version"]
    s = services
    if step == Step.ACCEPT:
        return s.case_accept(actor=user, case=case, version=version, note=data.get("note", ""))
    if step == Step.REJECT:
        return s.case_reject(actor=user, case=case, reason=data["reason"], version=version)
    if step == Step.DISPATCH:
        assignment = data.get("user")
        area = data.get("grid") if data["kind"] == "grid" else None
        return s.case_dispatch(
            actor=user,
            case=case,
            kind=data["kind"],
            area=area,
            department=data.get("department") if data["kind"] == "department" else None,
            user=assignment.user if assignment is not None and data["kind"] in ("grid", "member") else None,
            unit=data.get("unit") if data["kind"] == "unit" else None,
            version=version,
            note=data.get("note", ""),
        )
    if step == Step.PUBLISH:
        return s.case_publish(actor=user, case=case, version=version, note=data.get("note", ""))
    if step == Step.TAKE:
        return s.case_take(actor=user, case=case, version=version, note=data.get("note", ""))
    if step == Step.RECALL:
        return s.case_recall(actor=user, case=case, version=version, note=data.get("note", ""))
    if step == Step.RETURN:
        return s.case_return(actor=user, case=case, reason=data["reason"], version=version)
    if step == Step.NOTE:
        return s.case_note(
            actor=user, case=case, text=data["text"], photos=data["photos"], public=data["public"], version=version
        )
    if step == Step.CLOSE:
        return s.case_close(actor=user, case=case, result=data["result"], photos=data["photos"], version=version)
    if step == Step.CALLBACK:
        return s.case_callback(actor=user, case=case, rating=data["rating"], note=data["note"], version=version)
    if step == Step.ARCHIVE:
        return s.case_archive(actor=user, case=case, version=version, note=data.get("note", ""))
    if step == Step.MERGE:
        main = selectors.visible_cases(user).filter(number=data["main"].strip()).first()
        if main is None:
            raise ValidationError(_("找不到编号为 %(n)s 的事件。") % {"n": data["main"]})
        return s.case_merge(actor=user, case=case, main=main, version=version, note=data.get("note", ""))
    if step == Step.ROUTE:
        return s.case_route(
            actor=user,
            case=case,
            category=data.get("category"),
            grid=data.get("grid"),
            duty_item=data.get("duty_item"),
            version=version,
            note=data.get("note", ""),
        )
    if step == Step.SUPERVISE:
        return s.case_supervise(actor=user, case=case, note=data["note"], version=version)
    if step == Step.EXTEND_ASK:
        s.extension_ask(
            actor=user, case=case, amount=data["amount"], unit=data["unit"], reason=data["reason"], version=version
        )
        return None
    if step == Step.EXTEND_DECIDE:
        extension = Extension.objects.filter(case=case, public_id=data["extension"]).first()
        if extension is None:
            raise Http404
        s.extension_decide(
            actor=user,
            extension=extension,
            approve=data["decision"] == "approve",
            note=data.get("note", ""),
            version=version,
        )
        return None
    raise Http404


@login_required
@require_POST
def case_step(request, public_id, step):
    if step not in Step.values or step in ELSEWHERE:
        raise Http404
    case = selectors.get_case_for_user(request.user, public_id)
    form_class, extra = _form_for(request, case, step)
    form = form_class(request.POST, request.FILES, **extra)
    if not form.is_valid():
        errors = [f"{form.fields[k].label if k in form.fields else ''} {' '.join(v)}" for k, v in form.errors.items()]
        messages.error(request, _("未能%(step)s：%(e)s") % {"step": Step(step).label, "e": "；".join(errors)})
        return redirect(case.get_absolute_url())
    try:
        _run_step(request, case, step, form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(case.get_absolute_url())
    messages.success(request, DONE_MESSAGES.get(step, _("已完成。")))
    # Routed away from the viewer's scope: back to the list rather than a 404.
    if not selectors.visible_cases(request.user).filter(pk=case.pk).exists():
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
    messages.success(request, _("认领成功，请尽快处置并记录进展。"))
    return redirect(case.get_absolute_url())
