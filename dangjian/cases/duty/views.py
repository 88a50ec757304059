"""Pages of the street-chief duty list (街长制 权责清单): the list of a subdistrict, its items, the
Excel import (template, check and preview, then confirm), the export; and the working-day calendar."""

from __future__ import annotations

import base64
import binascii

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.roles import Role
from dangjian.core.db import replica_view
from dangjian.core.scoping import active_role, active_scope
from dangjian.core.tree import ancestor_paths
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.imports.exports import ExportColumn, export_response
from dangjian.imports.sheets import build_template
from dangjian.imports.workbook import WorkbookError
from dangjian.territory.models import Area, Level
from dangjian.units.models import Department

from ..models import CalendarDay, CaseCategory, DutyArea, DutyItem, LimitUnit
from ..permissions import CALENDAR_ROLES, DUTY_EDIT_ROLES, DUTY_READ_ROLES, may_edit_duty_list
from . import services as duty_services
from .importers import DutyImporter

NAV = "duty"
PAGE_SIZE = 50
MAX_UPLOAD = 2 * 1024 * 1024
IMPORT_SALT = "cases.duty_import"
IMPORT_MAX_AGE = 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- which subdistrict ------------------------------------------------------------------------------
def _own_subdistrict(user) -> Area | None:
    """The subdistrict an area role sits in (its own, or the one above its community or grid)."""
    path = active_scope(user).area_path
    if not path:
        return None
    return Area.objects.filter(path__in=[*ancestor_paths(path), path], level=Level.SUBDISTRICT).first()


def _subdistricts(user):
    return Area.objects.visible_to(user).filter(level=Level.SUBDISTRICT).order_by("path")


def _subdistrict(request, *, required: bool) -> Area | None:
    """The subdistrict the page is about: ?subdistrict= for those above one, else the user's own."""
    own = _own_subdistrict(request.user)
    wanted = request.GET.get("subdistrict") or request.POST.get("subdistrict")
    if own is not None and active_role(request.user) != Role.DISTRICT_ADMIN:
        return own
    if wanted:
        return Area.objects.get_for_user(request.user, wanted, level=Level.SUBDISTRICT)
    if active_role(request.user) == Role.DEPARTMENT_STAFF and not required:
        return None
    first = _subdistricts(request.user).first()
    if first is None and required:
        raise Http404
    return first


def _require_edit(request, subdistrict: Area) -> None:
    if not may_edit_duty_list(request.user, subdistrict):
        raise Http404


# -- the list ---------------------------------------------------------------------------------------
def _filtered(request, subdistrict: Area | None):
    qs = DutyItem.objects.visible_to(request.user)
    if active_scope(request.user).department_id:
        qs = qs.distinct()  # lead OR supporting: the join may repeat an item
    if subdistrict is not None:
        qs = qs.filter(subdistrict=subdistrict)
    query = request.GET.get("q", "").strip()[:60]
    area = request.GET.get("area", "")
    if query:
        qs = qs.filter(
            Q(name__icontains=query) | Q(lead_department__name__icontains=query) | Q(categories__name__icontains=query)
        ).distinct()
    if area in DutyArea.values:
        qs = qs.filter(duty_area=area)
    return qs, {"q": query, "area": area}


@require_roles(DUTY_READ_ROLES)
def duty_list(request):
    subdistrict = _subdistrict(request, required=False)
    qs, filters = _filtered(request, subdistrict)
    items = (
        qs.select_related("lead_department", "subdistrict")
        .prefetch_related("supporting_departments", "categories")
        .order_by("subdistrict__path", "sort", "pk")
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = {}
    if subdistrict is not None:
        counts = dict(
            DutyItem.objects.filter(subdistrict=subdistrict)
            .values_list("duty_area")
            .annotate(n=Count("pk"))
            .values_list("duty_area", "n")
        )
    areas = [{"value": v, "label": label, "count": counts.get(v, 0)} for v, label in DutyArea.choices]
    context = {
        "subdistrict": subdistrict,
        "subdistricts": list(_subdistricts(request.user)) if active_role(request.user) == Role.DISTRICT_ADMIN else [],
        "page": page,
        "filters": filters,
        "areas": areas,
        "total": sum(counts.values()),
        "may_edit": subdistrict is not None and may_edit_duty_list(request.user, subdistrict),
        "querystring": querystring_without_page(request),
        "sd_query": f"subdistrict={subdistrict.public_id}" if subdistrict is not None else "",
        "may_calendar": request.user.is_superuser or active_role(request.user) in CALENDAR_ROLES,
        "active_nav": NAV,
    }
    return render(request, "cases/duty/list.html", context)


@require_roles(DUTY_READ_ROLES)
@replica_view
def duty_export(request):
    subdistrict = _subdistrict(request, required=False)
    qs, filters = _filtered(request, subdistrict)
    qs = (
        qs.select_related("lead_department", "subdistrict")
        .prefetch_related("supporting_departments", "categories")
        .order_by("subdistrict__path", "sort", "pk")
    )
    columns = [
        ExportColumn(_("街道"), lambda i: i.subdistrict.name, width=14),
        ExportColumn(_("序号"), lambda i: i.sort, width=6),
        ExportColumn(_("事项"), lambda i: i.name, width=28),
        ExportColumn(_("领域"), lambda i: i.get_duty_area_display(), width=10),
        ExportColumn(_("牵头部门"), lambda i: i.lead_department.name, width=20),
        ExportColumn(_("配合部门"), lambda i: "、".join(d.name for d in i.supporting_departments.all()), width=30),
        ExportColumn(_("对应类别"), lambda i: "、".join(c.name for c in i.categories.all()), width=22),
        ExportColumn(_("办理时限"), lambda i: i.limit_amount, width=8),
        ExportColumn(_("时限单位"), lambda i: i.get_limit_unit_display(), width=8),
        ExportColumn(_("社区可牵头"), lambda i: _("是") if i.community_may_lead else _("否"), width=10),
    ]
    return export_response(
        request=request,
        queryset_or_rows=qs,
        columns=columns,
        filename=_("权责清单") + (f"-{subdistrict.name}" if subdistrict else ""),
        actor=request.user,
        object_type="cases.dutyitem",
        filters={**filters, "subdistrict": subdistrict.name if subdistrict else ""},
        area_path=subdistrict.path if subdistrict else None,
    )


# -- one item ---------------------------------------------------------------------------------------
class NameChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class NameChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


COMMUNITY_LEAD_CHOICES = [
    ("", gettext_lazy("按领域（综合执法不可，其他可以）")),
    ("yes", gettext_lazy("可以，社区或网格可牵头办理")),
    ("no", gettext_lazy("不可以，社区只能配合")),
]


class DutyItemForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("事项"), max_length=100)
    duty_area = forms.ChoiceField(label=gettext_lazy("领域"), choices=DutyArea.choices)
    lead_department = NameChoice(label=gettext_lazy("牵头部门"), queryset=Department.objects.none())
    supporting_departments = NameChoices(
        label=gettext_lazy("配合部门"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    categories = NameChoices(
        label=gettext_lazy("对应类别"),
        queryset=CaseCategory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("这些类别的事件会建议对应到本事项（牵头部门和时限）。"),
    )
    limit_amount = forms.IntegerField(label=gettext_lazy("办理时限"), min_value=1, max_value=100_000)
    limit_unit = forms.ChoiceField(label=gettext_lazy("时限单位"), choices=LimitUnit.choices)
    community_may_lead = forms.TypedChoiceField(
        label=gettext_lazy("社区可否牵头办理"),
        choices=COMMUNITY_LEAD_CHOICES,
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        required=False,
        help_text=gettext_lazy(
            "行政执法、拆迁拆违、环境整治不得由社区牵头，社区只能配合；这类事项不能派给社区或网格。"
        ),
    )
    sort = forms.IntegerField(label=gettext_lazy("序号"), min_value=0, max_value=9999, required=False)

    def __init__(self, *args, subdistrict: Area, **kwargs):
        super().__init__(*args, **kwargs)
        departments = duty_services.departments_for(subdistrict).order_by("area__path", "name")
        self.fields["lead_department"].queryset = departments
        self.fields["supporting_departments"].queryset = departments
        self.fields["categories"].queryset = CaseCategory.objects.filter(is_active=True)


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _list_url(subdistrict: Area) -> str:
    return f"{reverse('cases:duty_list')}?subdistrict={subdistrict.public_id}"


@require_roles(DUTY_EDIT_ROLES)
def duty_create(request):
    subdistrict = _subdistrict(request, required=True)
    _require_edit(request, subdistrict)
    form = DutyItemForm(
        request.POST or None, subdistrict=subdistrict, initial={"limit_amount": 5, "limit_unit": "workdays"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = duty_services.duty_item_create(actor=request.user, subdistrict=subdistrict, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已添加事项「%(n)s」。") % {"n": item.name})
            return redirect(_list_url(subdistrict))
    context = {"form": form, "subdistrict": subdistrict, "item": None, "active_nav": NAV}
    return render(request, "cases/duty/form.html", context)


def _item(request, public_id) -> DutyItem:
    item = DutyItem.objects.select_related("subdistrict", "lead_department").get_for_user(request.user, public_id)
    _require_edit(request, item.subdistrict)
    return item


@require_roles(DUTY_EDIT_ROLES)
def duty_edit(request, public_id):
    item = _item(request, public_id)
    initial = {
        "name": item.name,
        "duty_area": item.duty_area,
        "lead_department": item.lead_department_id,
        "supporting_departments": list(item.supporting_departments.values_list("pk", flat=True)),
        "categories": list(item.categories.values_list("pk", flat=True)),
        "limit_amount": item.limit_amount,
        "limit_unit": item.limit_unit,
        "community_may_lead": "yes" if item.community_may_lead else "no",
        "sort": item.sort,
    }
    form = DutyItemForm(request.POST or None, subdistrict=item.subdistrict, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            duty_services.duty_item_update(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已保存事项「%(n)s」。") % {"n": form.cleaned_data["name"]})
            return redirect(_list_url(item.subdistrict))
    context = {"form": form, "subdistrict": item.subdistrict, "item": item, "active_nav": NAV}
    return render(request, "cases/duty/form.html", context)


@require_roles(DUTY_EDIT_ROLES)
def duty_delete(request, public_id):
    item = _item(request, public_id)
    if request.method == "POST":
        duty_services.duty_item_delete(actor=request.user, item=item)
        messages.success(request, _("已删除事项「%(n)s」。") % {"n": item.name})
        return redirect(_list_url(item.subdistrict))
    context = {"item": item, "linked": item.cases.count(), "subdistrict": item.subdistrict, "active_nav": NAV}
    return render(request, "cases/duty/delete.html", context)


# -- import -----------------------------------------------------------------------------------------
@require_roles(DUTY_EDIT_ROLES)
def duty_template(request):
    subdistrict = _subdistrict(request, required=True)
    _require_edit(request, subdistrict)
    content = build_template(DutyImporter(subdistrict))
    response = HttpResponse(content, content_type=XLSX)
    filename = f"权责清单导入模板-{subdistrict.name}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def _pack(subdistrict: Area, content: bytes) -> str:
    payload = {"sd": str(subdistrict.public_id), "b": base64.b64encode(content).decode("ascii")}
    return signing.dumps(payload, salt=IMPORT_SALT, compress=True)


def _unpack(subdistrict: Area, token: str) -> bytes:
    payload = signing.loads(token, salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
    if payload.get("sd") != str(subdistrict.public_id):
        raise signing.BadSignature("another subdistrict")
    return base64.b64decode(payload["b"])


@require_roles(DUTY_EDIT_ROLES)
def duty_import(request):
    """Upload → every row checked, problems by row and column, a preview → confirm → all rows or none."""
    subdistrict = _subdistrict(request, required=True)
    _require_edit(request, subdistrict)
    context: dict = {"subdistrict": subdistrict, "active_nav": NAV, "max_mb": MAX_UPLOAD // (1024 * 1024)}
    if request.method != "POST":
        return render(request, "cases/duty/import.html", context)
    if "token" in request.POST:  # the confirmation
        try:
            content = _unpack(subdistrict, request.POST["token"])
        except (signing.BadSignature, binascii.Error, KeyError):
            messages.error(request, _("确认已过期，请重新上传文件。"))
            return redirect(f"{reverse('cases:duty_import')}?subdistrict={subdistrict.public_id}")
        try:
            items = duty_services.duty_import(actor=request.user, subdistrict=subdistrict, content=content)
        except ValidationError as exc:
            context["error"] = "；".join(exc.messages)
            return render(request, "cases/duty/import.html", context, status=400)
        messages.success(request, _("已导入 %(n)s 项。") % {"n": len(items)})
        return redirect(_list_url(subdistrict))
    upload = request.FILES.get("file")
    if upload is None:
        context["error"] = _("请选择要上传的 Excel 文件。")
        return render(request, "cases/duty/import.html", context, status=400)
    if upload.size > MAX_UPLOAD:
        context["error"] = _("文件太大（超过 %(n)s MB）。") % {"n": context["max_mb"]}
        return render(request, "cases/duty/import.html", context, status=400)
    content = upload.read()
    try:
        result = DutyImporter(subdistrict).check(content)
    except WorkbookError as exc:
        context["error"] = str(exc)
        return render(request, "cases/duty/import.html", context, status=400)
    context.update(
        {
            "result": result,
            "problems": [p.as_dict() for p in result.problems[:300]],
            "filename": upload.name,
            "token": _pack(subdistrict, content) if not result.problems and result.rows else "",
        }
    )
    return render(request, "cases/duty/import.html", context)


# -- the calendar -----------------------------------------------------------------------------------
@require_roles(CALENDAR_ROLES)
def calendar(request):
    """A year's official holidays and make-up workdays, as the deadlines use them."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2100)
    rows = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    years = sorted({d.year for d in CalendarDay.objects.dates("date", "year")} | {today.year})
    context = {
        "year": year,
        "rows": rows,
        "years": years,
        "off": sum(1 for r in rows if not r.is_workday),
        "on": sum(1 for r in rows if r.is_workday),
        "next_year": today.year + 1,
        "has_next": CalendarDay.objects.filter(date__year=today.year + 1).exists(),
        "weekday_names": ["一", "二", "三", "四", "五", "六", "日"],
        "active_nav": NAV,
    }
    for row in rows:
        row.weekday = context["weekday_names"][row.date.weekday()]
        row.weekend = row.date.weekday() >= 5
    return render(request, "cases/duty/calendar.html", context)
