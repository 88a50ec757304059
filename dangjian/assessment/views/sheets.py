"""A score sheet: each item's score and where it came from, the manual scores the district enters, the
panel's scores, the 述职, the steps; and the sheet printed for the archive."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.audit.printing import printed_record
from dangjian.core.db import replica_view
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.core.workflow import TransitionRefused
from dangjian.territory.selectors import filter_area_options

from .. import selectors
from ..filters import SheetFilterForm, filter_q
from ..models import ReportFile, Sheet, SheetStatus, Source
from ..permissions import READ_ROLES, SHEET_ROLES, is_panel_member, may_chief_score, may_manage, may_report
from ..services import schemes as scheme_services
from ..services import sheets as services
from ..workflow import FLOW, Party, Step
from . import NAV, PAGE_SIZE, flash, parse_points, parse_version

SHEET_LIST_ORDER = ("-cohort_at", "-id")


@require_roles(READ_ROLES)
@replica_view
def sheet_list(request):
    """The score sheets of the viewer's territory by place, year, status and grade (the cockpit's 考评结果
    公布 and 考评优秀率 link here)."""
    form = SheetFilterForm(request.GET or None, user=request.user)
    filters = form.list_filters()
    qs = Sheet.objects.visible_to(request.user)
    if filters:
        qs = qs.filter(filter_q(**filters))
    qs = qs.select_related("scheme", "org", "department")
    page = keyset_page(qs, SHEET_LIST_ORDER, **page_params(request), per_page=PAGE_SIZE)
    return render(
        request,
        "assessment/sheets.html",
        {
            "page": page,
            "form": form,
            "filtered": bool(filters),
            "area_options": filter_area_options(
                request.user, form.fields["area"].queryset, getattr(form, "cleaned_data", {}).get("area")
            ),
            "querystring": querystring_without_page(request),
            "active_nav": NAV,
        },
    )


def _context(request, sheet) -> dict:
    manages = may_manage(request.user, sheet.scheme)
    panelist = is_panel_member(request.user, sheet.scheme)
    parties = set()
    if manages:
        parties.add(Party.DISTRICT)
    if may_report(request.user, sheet):
        parties.add(Party.SECRETARY)
    panel = selectors.panel_scores(sheet)
    mine = next((p for p in panel if p.member_id == request.user.pk), None)
    chiefs = selectors.chief_scores(sheet) if sheet.department_id else []
    steps = [
        (s, FLOW.step_label(s), FLOW.steps[s])
        for s in FLOW.allowed_steps(sheet.status, parties)
        if s in (Step.RETURN, Step.CONFIRM)
        # an organization's sheet is confirmed after its 述职; a department's has none
        and not (s == Step.CONFIRM and sheet.org_id and sheet.status == SheetStatus.DRAFT)
    ]
    return {
        "sheet": sheet,
        "scheme": sheet.scheme,
        "scores": selectors.scores_of(sheet),
        "panel": panel,
        "my_panel": mine,
        "chiefs": chiefs,
        "my_chief": next((c for c in chiefs if c.chief_id == request.user.pk), None),
        "may_chief": sheet.status in services.EDITABLE and may_chief_score(request.user, sheet),
        "manages": manages,
        "editable": sheet.status in services.EDITABLE,
        "may_panel": panelist and sheet.status == SheetStatus.REPORTED,
        "may_report": Party.SECRETARY in parties and sheet.status == SheetStatus.DRAFT,
        "steps": steps,
        "files": list(sheet.files.all()),
        "state": FLOW.state(sheet.status),
        "sources": Source,
        "active_nav": NAV,
    }


@require_roles(SHEET_ROLES)
def sheet(request, public_id):
    obj = selectors.sheet_get(request.user, public_id)
    return render(request, "assessment/sheet.html", _context(request, obj))


@require_roles(SHEET_ROLES)
@require_POST
def sheet_score(request, public_id):
    obj = selectors.sheet_get(request.user, public_id)
    item = (
        obj.scheme.items.filter(pk=request.POST.get("item") or 0).first()
        if str(request.POST.get("item", "")).isdigit()
        else None
    )
    if item is None:
        raise Http404
    try:
        services.score_enter(
            actor=request.user, sheet=obj, item=item, points=parse_points(request.POST.get("points")),
            note=request.POST.get("note", ""),
        )  # fmt: skip
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("「%(i)s」的得分已保存。") % {"i": item.name})
    return redirect("assessment:sheet", public_id=obj.public_id)


@require_roles(SHEET_ROLES)
@require_POST
def sheet_panel(request, public_id):
    obj = selectors.sheet_get(request.user, public_id)
    try:
        services.panel_score(
            actor=request.user, sheet=obj, points=parse_points(request.POST.get("points")),
            note=request.POST.get("note", ""),
        )  # fmt: skip
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("您的评议分已保存。"))
    return redirect("assessment:sheet", public_id=obj.public_id)


@require_roles(SHEET_ROLES)
@require_POST
def sheet_chief(request, public_id):
    obj = selectors.sheet_get(request.user, public_id)
    if not obj.department_id:
        raise Http404
    try:
        services.chief_score(
            actor=request.user, sheet=obj, points=parse_points(request.POST.get("points")),
            note=request.POST.get("note", ""),
        )  # fmt: skip
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("您的街长评分已保存。"))
    return redirect("assessment:sheet", public_id=obj.public_id)


@require_roles(SHEET_ROLES)
@require_POST
def sheet_recompute(request, public_id):
    obj = selectors.sheet_get(request.user, public_id)
    try:
        services.sheet_recompute(actor=request.user, sheet=obj)
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("已按最新数据重新计算自动得分。"))
    return redirect("assessment:sheet", public_id=obj.public_id)


@require_roles(SHEET_ROLES)
@require_POST
def sheet_step(request, public_id):
    obj = selectors.sheet_get(request.user, public_id)
    step = request.POST.get("step", "")
    version = parse_version(request.POST.get("version"))
    note = request.POST.get("note", "")
    try:
        if step == Step.RETURN:
            services.report_return(actor=request.user, sheet=obj, note=note, version=version)
        elif step == Step.CONFIRM:
            services.sheet_confirm(actor=request.user, sheet=obj, version=version, note=note)
        elif step == Step.PUBLISH:
            scheme_services.scheme_publish(actor=request.user, scheme=obj.scheme, note=note)
        else:
            raise Http404
    except (ValidationError, TransitionRefused) as exc:
        flash(request, exc)
    else:
        messages.success(request, str(FLOW.steps[step].done_message) % {"obj": FLOW.describe(obj)})
    return redirect("assessment:sheet", public_id=obj.public_id)


@require_roles(SHEET_ROLES)
def report_file(request, public_id, pk):
    obj = selectors.sheet_get(request.user, public_id)
    row = ReportFile.objects.filter(sheet=obj, pk=pk).first()
    if row is None or not row.file:
        raise Http404
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.name)


@require_roles(SHEET_ROLES)
def sheet_pdf(request, public_id):
    obj = selectors.sheet_get(request.user, public_id)
    return printed_record(
        request,
        "assessment/sheet_print.html",
        {
            "sheet": obj,
            "scheme": obj.scheme,
            "scores": selectors.scores_of(obj),
            "panel": selectors.panel_scores(obj),
            "chiefs": selectors.chief_scores(obj) if obj.department_id else [],
        },
        obj=obj,
        area_path=obj.area_path,
        filename=f"assessment-{obj.public_id}",
        changes={"scheme": [None, obj.scheme.title]},
    )
