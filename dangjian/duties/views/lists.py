"""Duty lists: the index (lists in scope, the figures), a list's versions side by side with the diff, a
version's entries (edited while a draft), putting a draft in force, the printed version."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.audit.printing import printed_record
from dangjian.core.db import replica_view
from dangjian.core.figures import facts
from dangjian.core.periods import Period
from dangjian.core.scoping import scope_for
from dangjian.core.views import require_roles
from dangjian.territory.models import Area
from dangjian.units.models import Department

from .. import selectors
from ..facts import ADMISSIONS, REFUSALS, REPLIES, TASKS, VERSIONS
from ..forms import EnactForm, EntryForm, ListForm
from ..models import KIND_LEVELS, DutyListEntry, ListKind, VersionStatus, scope_path
from ..permissions import LIST_ROLES, READ_ROLES, is_district_admin_of, keeps_list
from ..services import lists as services
from ..workflow import VERSION_FLOW, VersionStep
from . import NAV, done, flash, form_errors, is_sender, log_rows

EVER = datetime.date(2000, 1, 1)


def _figures(request) -> dict:
    """The node's counts from the store of facts (everything recorded up to today)."""
    path = scope_path(scope_for(request.user)) or ""
    period = Period("custom", EVER, timezone.localdate())
    kinds = facts.by_dim(VERSIONS, path, period, "kind")
    sizes = [
        (ListKind(k).label, m["entries_in_force"], m["in_force"])
        for k, m in sorted(kinds.items())
        if k in ListKind.values
    ]
    admissions = facts.total(ADMISSIONS, path, period)
    return {
        "sizes": sizes,
        "admissions": admissions,
        "money": Decimal(admissions.amount) / 100,
        "tasks": facts.total(TASKS, path, period),
        "refusals": facts.total(REFUSALS, path, period),
        "replies": facts.total(REPLIES, path, period),
    }


@require_roles(READ_ROLES)
@replica_view
def home(request):
    rows = list(selectors.lists(request.user))
    current = {
        v.duty_list_id: v for v in VERSION_FLOW.model.objects.filter(duty_list__in=rows, status=VersionStatus.IN_FORCE)
    }
    for row in rows:
        row.current = current.get(row.pk)
    path = scope_path(scope_for(request.user)) or ""
    owners = [
        a
        for a in Area.objects.visible_to(request.user)
        .filter(level__in=["district", "subdistrict", "community"])
        .order_by("path")[:200]
        if keeps_list(request.user, a.path)
    ]
    return render(
        request,
        "duties/home.html",
        {
            "sender": is_sender(request),
            "rows": rows,
            "fig": _figures(request),
            "may_create": bool(owners) and path != "",
            "form": ListForm(owners=owners),
            "active_nav": NAV,
        },
    )


@require_roles(LIST_ROLES)
@require_POST
def list_new(request):
    owners = {
        str(a.public_id): a
        for a in Area.objects.visible_to(request.user).filter(level__in=["district", "subdistrict", "community"])
    }
    owner = owners.get(request.POST.get("owner", ""))
    kind = request.POST.get("kind", "")
    if owner is None or kind not in KIND_LEVELS:
        raise Http404
    try:
        duty_list = services.list_create(actor=request.user, owner=owner, kind=kind)
    except ValidationError as exc:
        flash(request, exc)
        return redirect("duties:home")
    messages.success(request, f"已建立「{duty_list.name}」，请在草案中录入事项。")
    return redirect("duties:list", public_id=duty_list.public_id)


@require_roles(READ_ROLES)
def list_detail(request, public_id):
    duty_list = selectors.list_get(request.user, public_id)
    versions = selectors.versions_of(duty_list)
    by_number = {v.number: v for v in versions}
    current = next((v for v in versions if v.status == VersionStatus.IN_FORCE), None)
    draft = next((v for v in versions if v.status == VersionStatus.DRAFT), None)
    # Compare ?a= with ?b= (version numbers); by default the version in force with the one before it.
    try:
        b = by_number[int(request.GET["b"])]
    except (KeyError, ValueError):
        b = draft or current or (versions[-1] if versions else None)
    try:
        a = by_number[int(request.GET["a"])]
    except (KeyError, ValueError):
        a = by_number.get(b.number - 1) if b else None
    change = selectors.diff(a, b) if a and b and a != b else None
    peak = max((v.entry_count for v in versions), default=0) or 1
    for v in versions:
        v.bar = round(v.entry_count * 100 / peak)
    return render(
        request,
        "duties/list.html",
        {
            "duty_list": duty_list,
            "versions": versions,
            "current": current,
            "draft": draft,
            "a": a,
            "b": b,
            "change": change,
            "may_keep": keeps_list(request.user, duty_list.area_path),
            "active_nav": NAV,
        },
    )


@require_roles(LIST_ROLES)
@require_POST
def draft_new(request, public_id):
    duty_list = selectors.list_get(request.user, public_id)
    try:
        draft = services.draft_create(actor=request.user, duty_list=duty_list)
    except ValidationError as exc:
        flash(request, exc)
        return redirect("duties:list", public_id=duty_list.public_id)
    messages.success(request, f"已新建第{draft.number}版草案（复制自现行版本）。")
    return redirect("duties:version", public_id=draft.public_id)


def _departments(request, version):
    return Department.objects.filter(area__path__startswith=version.area_path[:4]).order_by("area__path", "name")


@require_roles(READ_ROLES)
def version(request, public_id):
    v = selectors.version_get(request.user, public_id)
    editable = v.status == VersionStatus.DRAFT and keeps_list(request.user, v.area_path)
    form = EntryForm(departments=_departments(request, v) if editable else ())
    if request.method == "POST":
        if not editable:
            raise Http404
        form = EntryForm(request.POST, departments=_departments(request, v))
        if form.is_valid():
            try:
                services.entry_save(actor=request.user, version=v, data=form.data_for_service())
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, "已添加事项。")
                return redirect("duties:version", public_id=v.public_id)
    parties = VERSION_FLOW.parties_for(request.user, v)
    may_enact = VersionStep.ENACT in VERSION_FLOW.allowed_steps(v.status, parties)
    return render(
        request,
        "duties/version.html",
        {
            "v": v,
            "duty_list": v.duty_list,
            "entries": selectors.entries_of(v),
            "editable": editable,
            "form": form,
            "may_enact": may_enact,
            "enact_form": EnactForm(initial={"effective_on": timezone.localdate()}),
            "state": VERSION_FLOW.state(v.status),
            "log": log_rows(VERSION_FLOW, v.log),
            "active_nav": NAV,
        },
    )


@require_roles(LIST_ROLES)
def entry_edit(request, public_id):
    entry = get_object_or_404(
        DutyListEntry.objects.select_related("list_version__duty_list", "kind"), public_id=public_id
    )
    v = selectors.version_get(request.user, entry.list_version.public_id)
    if v.status != VersionStatus.DRAFT or not keeps_list(request.user, v.area_path):
        raise Http404
    departments = _departments(request, v)
    initial = {
        "name": entry.name,
        "kind": entry.kind,
        "lead_text": entry.lead_text,
        "lead_department": str(entry.lead_department.public_id) if entry.lead_department_id else "",
        "community_may_be_responsible": "1" if entry.community_may_be_responsible else "0",
        "legal_basis": entry.legal_basis,
        "sort": entry.sort,
    }
    form = EntryForm(initial=initial, departments=departments)
    if request.method == "POST":
        if request.POST.get("delete"):
            try:
                services.entry_delete(actor=request.user, entry=entry)
            except ValidationError as exc:
                flash(request, exc)
            else:
                messages.success(request, "已删除事项。")
            return redirect("duties:version", public_id=v.public_id)
        form = EntryForm(request.POST, departments=departments)
        if form.is_valid():
            try:
                services.entry_save(actor=request.user, version=v, entry=entry, data=form.data_for_service())
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, "已保存事项。")
                return redirect("duties:version", public_id=v.public_id)
    return render(request, "duties/entry_form.html", {"form": form, "entry": entry, "v": v, "active_nav": NAV})


@require_roles(LIST_ROLES)
@require_POST
def version_enact(request, public_id):
    v = selectors.version_get(request.user, public_id)
    if not is_district_admin_of(request.user, v.area_path):
        raise Http404
    form = EnactForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("duties:version", public_id=v.public_id)
    try:
        v = services.version_enact(
            actor=request.user,
            list_version=v,
            version=int(request.POST.get("version") or v.version),
            **form.cleaned_data,
        )
    except ValidationError as exc:
        flash(request, exc)
        return redirect("duties:version", public_id=v.public_id)
    done(request, VERSION_FLOW, VersionStep.ENACT, v)
    return redirect("duties:list", public_id=v.duty_list.public_id)


@require_roles(READ_ROLES)
def version_pdf(request, public_id):
    v = selectors.version_get(request.user, public_id)
    return printed_record(
        request,
        "duties/version_print.html",
        {"v": v, "duty_list": v.duty_list, "entries": selectors.entries_of(v), "printed_on": timezone.localdate()},
        obj=v,
        area_path=v.area_path,
        filename=f"duty-list-{v.duty_list.owner.code or v.duty_list.pk}-v{v.number}",
    )
