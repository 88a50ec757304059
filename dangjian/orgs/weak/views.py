"""Pages of 软弱涣散基层党组织整顿: the list with figures and chart, a case, flagging, the plan's steps,
progress notes and the workflow's steps (each behind a confirmation page)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.search import name_or_pinyin_q
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.territory.filters import PlaceFilterForm
from dangjian.territory.selectors import filter_area_options

from ..models import PartyOrg, WeakCaseStatus, WeakOrgCase
from ..permissions import ADMINS, FLAG_ROLES, WEAK_ROLES, can_mark_done, role_allows
from . import selectors, services
from .forms import DoneForm, FlagForm, NoteForm, StepForm, TransitionForm
from .workflow import EDITABLE_STATUSES, FLOW, OPEN_WEAK_STATUSES
from .workflow import action as step_action

NAV = "weak_orgs"
PAGE_SIZE = 20
FLAG_SEARCH_LIMIT = 20


def _form_errors(form, exc: ValidationError) -> None:
    """Put a service's refusal on the form: on its field when there is one, else on the whole form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _list_filters(request, subdistricts, form: PlaceFilterForm) -> dict:
    """The list's filters; the place (?area=, any node below the district in scope: the cockpit's links
    carry it) through the shared place filter, which drops one out of scope with its error shown."""
    chosen = next((s for s in subdistricts if str(s.public_id) == request.GET.get("subdistrict")), None)
    return {
        "status": request.GET.get("status", ""),
        "subdistrict": chosen,
        "area": form.list_filters().get("area"),
        "overdue": request.GET.get("overdue") == "1",
        "mine": request.GET.get("mine") == "1",
        "query": request.GET.get("q", "").strip(),
        "plan": request.GET.get("plan", ""),
    }


@require_roles(WEAK_ROLES)
def weak_list(request):
    today = timezone.localdate()
    subdistricts = selectors.subdistricts_for(request.user)
    form = PlaceFilterForm(request.GET or None, user=request.user)
    filters = _list_filters(request, subdistricts, form)
    cases = selectors.case_list(request.user, today=today, **filters)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.case_rows(page.object_list, today=today, subdistricts=subdistricts)
    context = {
        "page": page,
        "rows": rows,
        "figures": selectors.figures(request.user, today),
        "chart": selectors.chart_for(request.user, subdistricts),
        "subdistricts": subdistricts,
        "form": form,
        "area_options": filter_area_options(request.user, form.fields["area"].queryset, filters["area"]),
        "statuses": WeakCaseStatus.choices,
        "filters": filters,
        "q": filters["query"],
        "year": today.year,
        "can_flag": role_allows(request.user, FLAG_ROLES),
        "querystring": querystring_without_page(request),
        "active_nav": NAV,
    }
    return render(request, "orgs/weak_list.html", context)


@require_roles(FLAG_ROLES)
def weak_flag(request):
    """Choose an organization in scope (search by name or pinyin; or ?org= from its page) and the reasons."""
    visible = PartyOrg.objects.visible_to(request.user).select_related("area")
    chosen_id = request.POST.get("org") or request.GET.get("org")
    chosen = cast(PartyOrg, visible.get_for_user(request.user, chosen_id)) if chosen_id else None
    query = request.GET.get("q", "").strip()
    results = []
    if query:
        open_cases = WeakOrgCase.objects.filter(org=OuterRef("pk"), status__in=OPEN_WEAK_STATUSES).values("pk")[:1]
        results = list(
            visible.filter(name_or_pinyin_q(query))
            .annotate(open_case_id=Subquery(open_cases))
            .order_by("path")[:FLAG_SEARCH_LIMIT]
        )
    open_case = WeakOrgCase.objects.filter(org=chosen, status__in=OPEN_WEAK_STATUSES).first() if chosen else None
    form = FlagForm(request.POST or None, initial={"org": chosen.public_id if chosen else None})
    if request.method == "POST" and form.is_valid() and chosen is not None:
        try:
            case = services.weak_case_flag(
                actor=request.user,
                org=chosen,
                reasons=form.cleaned_data["reasons"],
                other_reason=form.cleaned_data["other_reason"],
                situation=form.cleaned_data["situation"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("已将「%(org)s」列为软弱涣散基层党组织，请制定整改方案。") % {"org": chosen.name}
            )
            return redirect(case.get_absolute_url())
    context = {
        "form": form,
        "chosen": chosen,
        "q": query,
        "results": results,
        "open_case": open_case,
        "reason_groups": selectors.active_reasons_by_aspect(),
        "selected_reasons": set(request.POST.getlist("reasons")),
        "active_nav": NAV,
    }
    if request.headers.get("HX-Request") and request.GET.get("partial") == "search":
        return render(request, "orgs/weak_flag_results.html", context)
    return render(request, "orgs/weak_flag.html", context)


@require_roles(WEAK_ROLES)
def weak_detail(request, public_id):
    case = selectors.case_for(request.user, public_id)
    today = timezone.localdate()
    steps = selectors.steps_of(case, request.user, today)
    context = {
        "case": case,
        "reason_groups": selectors.reasons_by_aspect(case),
        "steps": steps,
        "steps_done": sum(1 for s in steps if s.step.is_done),
        "actions": selectors.case_actions(request.user, case),
        "can_edit_plan": case.status in EDITABLE_STATUSES and role_allows(request.user, ADMINS),
        "timeline": selectors.timeline(case),
        "note_form": NoteForm(),
        "today": today,
        "active_nav": NAV,
    }
    return render(request, "orgs/weak_detail.html", context)


@require_roles(WEAK_ROLES)
def weak_transition(request, public_id, action):
    step = action  # the URL keeps its name; the declaration calls it a step
    case = selectors.case_for(request.user, public_id)
    transition = step_action(step)
    if transition is None:
        raise Http404
    refusal = None
    if not role_allows(request.user, transition.roles):
        refusal = _("您当前的身份不能%(action)s。") % {"action": transition.label}
    else:
        refusal = FLOW.refusal(case, step)
    if refusal:
        messages.error(request, refusal)
        return redirect(case.get_absolute_url())
    form = TransitionForm(request.POST or None, label=str(transition.note_label), required=transition.note_required)
    if request.method == "POST" and form.is_valid():
        try:
            services.weak_case_transition(actor=request.user, case=case, action=step, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            case.refresh_from_db(fields=["status"])
            messages.success(
                request,
                str(FLOW.steps[step].done_message)
                % {"org": case.org.name, "action": transition.label, "status": case.get_status_display()},
            )
            return redirect(case.get_absolute_url())
    context = {"case": case, "transition": transition, "form": form, "active_nav": NAV}
    return render(request, "orgs/weak_confirm.html", context)


@require_roles(ADMINS)
def weak_step_add(request, public_id):
    case = selectors.case_for(request.user, public_id)
    if case.status not in EDITABLE_STATUSES:
        messages.error(
            request, _("「%(status)s」的整顿记录不能再增加整改措施。") % {"status": case.get_status_display()}
        )
        return redirect(case.get_absolute_url())
    candidates = services.responsible_candidates(case.org, request.user)
    form = StepForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.weak_step_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已添加整改措施「%(t)s」。") % {"t": form.cleaned_data["title"]})
            return redirect(case.get_absolute_url())
    return render(request, "orgs/weak_step_form.html", {"case": case, "form": form, "step": None, "active_nav": NAV})


@require_roles(ADMINS)
def weak_step_edit(request, public_id):
    step = selectors.step_for(request.user, public_id)
    case = step.case
    if step.is_done or case.status not in EDITABLE_STATUSES:
        messages.error(request, _("「%(t)s」已不能修改。") % {"t": step.title})
        return redirect(case.get_absolute_url())
    candidates = services.responsible_candidates(case.org, request.user)
    if step.responsible_id not in {user.pk for user, _label in candidates}:
        candidates.append((step.responsible, str(step.responsible)))
    initial = {"title": step.title, "deadline": step.deadline, "responsible": str(step.responsible.public_id)}
    form = StepForm(request.POST or None, initial=initial, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.weak_step_update(actor=request.user, step=step, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已修改整改措施「%(t)s」。") % {"t": form.cleaned_data["title"]})
            return redirect(case.get_absolute_url())
    return render(request, "orgs/weak_step_form.html", {"case": case, "form": form, "step": step, "active_nav": NAV})


@require_roles(ADMINS)
def weak_step_delete(request, public_id):
    step = selectors.step_for(request.user, public_id)
    case = step.case
    if request.method == "POST":
        try:
            services.weak_step_delete(actor=request.user, step=step)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已删除整改措施「%(t)s」。") % {"t": step.title})
        return redirect(case.get_absolute_url())
    return render(request, "orgs/weak_step_delete.html", {"case": case, "step": step, "active_nav": NAV})


@require_roles(WEAK_ROLES)
def weak_step_done(request, public_id):
    step = selectors.step_for(request.user, public_id)
    case = step.case
    if not can_mark_done(request.user, step):
        messages.error(
            request,
            _("只有责任人（%(name)s）或区级、街道管理员可以标记「%(t)s」完成。")
            % {"name": step.responsible, "t": step.title},
        )
        return redirect(case.get_absolute_url())
    if case.status != WeakCaseStatus.RECTIFYING:
        messages.error(request, _("整改方案批准后（整改中）才能标记整改措施完成。"))
        return redirect(case.get_absolute_url())
    if step.is_done:
        messages.info(request, _("「%(t)s」已标记完成。") % {"t": step.title})
        return redirect(case.get_absolute_url())
    form = DoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.weak_step_done(actor=request.user, step=step, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("「%(t)s」已标记完成。") % {"t": step.title})
            return redirect(case.get_absolute_url())
    return render(request, "orgs/weak_step_done.html", {"case": case, "step": step, "form": form, "active_nav": NAV})


@require_roles(WEAK_ROLES)
@require_POST
def weak_note_add(request, public_id):
    case = selectors.case_for(request.user, public_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.weak_note_add(actor=request.user, case=case, text=form.cleaned_data["text"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已记录整改进展。"))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(case.get_absolute_url() + "#timeline")


@require_roles(WEAK_ROLES)
def weak_export(request):
    """The list's cases as Excel, with the list's filters; audited as an export."""
    from dangjian.imports.exports import ExportColumn, export_response

    today = timezone.localdate()
    form = PlaceFilterForm(request.GET or None, user=request.user)
    filters = _list_filters(request, selectors.subdistricts_for(request.user), form)
    cases = selectors.case_list(request.user, today=today, **filters).select_related("org__area")
    columns = [
        ExportColumn(_("党组织"), lambda c: c.org.name, width=28),
        ExportColumn(_("所在属地"), lambda c: c.org.area.name),
        ExportColumn(_("状态"), lambda c: c.get_status_display()),
        ExportColumn(_("列入时间"), lambda c: timezone.localtime(c.flagged_at).strftime("%Y-%m-%d")),
        ExportColumn(_("其他原因"), lambda c: c.other_reason, width=24),
    ]
    return export_response(
        request=request,
        queryset_or_rows=cases,
        columns=columns,
        filename=_("软弱涣散党组织"),
        actor=request.user,
        object_type="orgs.weakorgcase",
        filters={k: str(v) for k, v in filters.items() if v},
    )
