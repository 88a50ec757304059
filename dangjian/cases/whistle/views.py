"""Pages of 吹哨报到: the whistle form on a case, the board (street chief, district, community), a
whistle's page, a department's report (phone friendly) and the escalation to the district."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dangjian.accounts.roles import Role
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.scoping import active_role, active_scope
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.core.widgets import DateTimeInput
from dangjian.territory.selectors import filter_area_options
from dangjian.units.models import Department

from ..models import Case, Summons, Whistle
from ..permissions import WHISTLE_BOARD_ROLES
from ..policies import policy_for
from ..selectors import get_case_for_user
from ..workflow import OPEN_STATUSES
from . import services as ws
from .filters import WhistleFilterForm
from .filters import filter_q as whistle_filter_q

NAV = "whistles"
PAGE_SIZE = 20
OPEN = sorted(OPEN_STATUSES)


class DepartmentChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return obj.name


class WhistleForm(forms.Form):
    departments = DepartmentChoices(
        label=gettext_lazy("召集部门"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("请至少选择一个要召集的部门。")},
    )
    report_by = forms.DateTimeField(
        label=gettext_lazy("报到时限"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": gettext_lazy("请填写报到时限。"), "invalid": gettext_lazy("时间格式不正确。")},
    )
    reason = forms.CharField(
        label=gettext_lazy("吹哨事由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": gettext_lazy("社区解决不了的问题、需要各部门做什么")}),
        error_messages={"required": gettext_lazy("请写明吹哨事由。")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = ws.departments_for_case(case)


class ReportForm(forms.Form):
    what = forms.ChoiceField(choices=[(s, s) for s in ws.REPORT_STAGES])
    note = forms.CharField(max_length=500, required=False)
    at = forms.DateTimeField(required=False, widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


def _default_report_by(case) -> str:
    at = timezone.localtime() + datetime.timedelta(hours=policy_for(case).whistle_report_hours)
    return at.replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")


def _summons_prefetch() -> Prefetch:
    return Prefetch("summonses", queryset=Summons.objects.select_related("department").order_by("pk"))


def _decorate(whistles, now) -> None:
    """Each summons's state (stage times, late, red) for the templates."""
    for whistle in whistles:
        rows = []
        for summons in whistle.summonses.all():
            summons.whistle = whistle  # already loaded: no query per summons
            rows.append({"summons": summons, "state": ws.summons_state(summons, now)})
        whistle.rows = rows
        whistle.missing = sum(1 for r in rows if r["state"]["code"] == "missing")
        whistle.red = any(r["state"]["red"] for r in rows)
        whistle.is_open = whistle.closed_at is None and whistle.case.status in OPEN_STATUSES


@login_required
def whistle_blow(request, public_id):
    """The whistle form of one case: /cases/<public_id>/whistle/."""
    case = get_case_for_user(request.user, public_id)
    whistles = list(Whistle.objects.filter(case=case).select_related("blown_by").prefetch_related(_summons_prefetch()))
    _decorate(whistles, timezone.now())
    allowed = ws.may_blow(request.user, case)
    form = WhistleForm(
        request.POST or None,
        case=case,
        initial={"report_by": _default_report_by(case), "version": case.version},
    )
    if request.method == "POST" and allowed and form.is_valid():
        data = form.cleaned_data
        try:
            whistle = ws.whistle_blow(
                actor=request.user,
                case=case,
                departments=list(data["departments"]),
                report_by=data["report_by"],
                reason=data["reason"],
                version=data.get("version"),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("已吹哨，召集 %(n)s 个部门报到。") % {"n": whistle.summonses.count()},
            )
            return redirect("cases:whistle_detail", whistle.public_id)
    context = {
        "case": case,
        "form": form,
        "allowed": allowed,
        "whistles": whistles,
        "level": ws.level_for(request.user),
        "active_nav": NAV,
    }
    return render(request, "cases/whistle/blow.html", context, status=200 if allowed else 403)


def _board_filters(request) -> dict:
    state = request.GET.get("state", "open")
    return {
        "q": request.GET.get("q", "").strip()[:60],
        "state": state if state in ("open", "closed", "all") else "open",
        "late": request.GET.get("late") == "1",
    }


@require_roles(WHISTLE_BOARD_ROLES)
def whistle_board(request):
    """吹哨报到看板. Departments see their own summonses and report from them; the street chief, the
    district and the community see the whistles in their scope and who has not reported (red)."""
    now = timezone.now()
    filters = _board_filters(request)
    if active_role(request.user) == Role.DEPARTMENT_STAFF:
        return _department_board(request, filters, now)
    qs = ws.whistles_visible_to(request.user)
    if filters["state"] == "open":
        qs = qs.filter(ws.open_whistle_q())
    elif filters["state"] == "closed":
        qs = qs.exclude(ws.open_whistle_q())
    if filters["q"]:
        qs = qs.filter(Q(case__number__icontains=filters["q"]) | Q(case__description__icontains=filters["q"]))
    behind = Summons.objects.filter(whistle=OuterRef("pk"), acted_at__isnull=True)
    if filters["late"]:
        qs = qs.filter(Exists(behind), report_by__lt=now)
    # The place, the days blown and 已解决, as the cockpit's links carry them (吹哨报到, 吹哨解决).
    form = WhistleFilterForm(request.GET or None, user=request.user)
    listed = form.list_filters()
    if listed:
        qs = qs.filter(whistle_filter_q(**listed))
    qs = qs.select_related("case", "case__category", "case__community", "blown_by", "escalated_from").prefetch_related(
        _summons_prefetch()
    )
    # An open whistle is not closed (closed_at is null): the soonest report time first.
    ordering = ("report_by", "pk") if filters["state"] == "open" else ("-blown_at", "-pk")
    page = keyset_page(qs, ordering, **page_params(request), per_page=PAGE_SIZE)
    _decorate(page.object_list, now)
    visible = ws.whistles_visible_to(request.user).filter(ws.open_whistle_q())
    stats = {
        "open": visible.count(),
        "missing": Summons.objects.filter(
            whistle__in=visible.values("pk"), whistle__report_by__lt=now, acknowledged_at__isnull=True
        ).count(),
        "behind": Summons.objects.filter(
            whistle__in=visible.values("pk"), whistle__report_by__lt=now, acted_at__isnull=True
        ).count(),
    }
    context = {
        "page": page,
        "filters": filters,
        "form": form,
        "filtered": bool(listed),
        "area_options": filter_area_options(
            request.user, form.fields["area"].queryset, getattr(form, "cleaned_data", {}).get("area")
        ),
        "stats": stats,
        "querystring": querystring_without_page(request),
        "may_escalate_role": active_role(request.user) == Role.SUBDISTRICT_ADMIN or request.user.is_superuser,
        "now": now,
        "active_nav": NAV,
    }
    return render(request, "cases/whistle/board.html", context)


def _department_board(request, filters: dict, now):
    department_id = active_scope(request.user).department_id
    qs = ws.summonses_of_department(department_id)
    open_q = Q(whistle__closed_at__isnull=True, whistle__case__status__in=OPEN, acted_at__isnull=True)
    if filters["state"] == "open":
        qs = qs.filter(open_q)
    elif filters["state"] == "closed":
        qs = qs.exclude(open_q)
    if filters["q"]:
        qs = qs.filter(
            Q(whistle__case__number__icontains=filters["q"]) | Q(whistle__case__description__icontains=filters["q"])
        )
    if filters["late"]:
        qs = qs.filter(whistle__report_by__lt=now, acted_at__isnull=True)
    qs = qs.select_related(
        "department", "whistle", "whistle__case", "whistle__case__category", "whistle__case__community"
    ).order_by("whistle__report_by", "pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for summons in page.object_list:
        summons.state = ws.summons_state(summons, now)
        summons.is_open = summons.whistle.closed_at is None and summons.whistle.case.status in OPEN_STATUSES
    waiting = ws.summonses_of_department(department_id).filter(open_q)
    stats = {"waiting": waiting.count(), "late": waiting.filter(whistle__report_by__lt=now).count()}
    context = {
        "page": page,
        "filters": filters,
        "stats": stats,
        "querystring": querystring_without_page(request),
        "now": now,
        "here": request.get_full_path(),
        "active_nav": NAV,
    }
    return render(request, "cases/whistle/department_board.html", context)


def _whistle_for(user, public_id) -> Whistle:
    try:
        return (
            ws.whistles_visible_to(user)
            .select_related("case", "case__category", "case__community", "case__subdistrict", "blown_by")
            .select_related("escalated_from")
            .prefetch_related(_summons_prefetch())
            .get(public_id=public_id)
        )
    except (Whistle.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


@login_required
def whistle_detail(request, public_id):
    now = timezone.now()
    whistle = _whistle_for(request.user, public_id)
    _decorate([whistle], now)
    scope = active_scope(request.user)
    for row in whistle.rows:
        row["mine"] = ws.may_report(request.user, row["summons"]) and whistle.is_open
    escalations = list(whistle.escalations.all())
    context = {
        "whistle": whistle,
        "case": whistle.case,
        "escalations": escalations,
        "may_escalate": ws.may_escalate(request.user, whistle) and not escalations,
        "is_department": scope.department_id is not None,
        "here": request.get_full_path(),
        "now": now,
        "active_nav": NAV,
    }
    return render(request, "cases/whistle/detail.html", context)


@require_POST
@require_roles({Role.DEPARTMENT_STAFF})
def summons_report(request, public_id):
    """A department's report on one summons (acknowledge / attend / act), from the board or the whistle."""
    department_id = active_scope(request.user).department_id
    try:
        summons = ws.summonses_of_department(department_id).get(public_id=public_id)
    except (Summons.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
    form = ReportForm(request.POST)
    fallback = reverse("cases:whistle_board")
    if not form.is_valid():
        problems = "；".join(m for errors in form.errors.values() for m in errors)
        messages.error(request, _("报到内容不完整：%(e)s") % {"e": problems})
        return redirect(_safe_next(request, fallback))
    data = form.cleaned_data
    try:
        ws.summons_report(actor=request.user, summons=summons, what=data["what"], note=data["note"], at=data["at"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已%(stage)s。") % {"stage": ws.stage_label(data["what"])})
    return redirect(_safe_next(request, fallback))


class EscalateForm(WhistleForm):
    reason = forms.CharField(
        label=gettext_lazy("上报理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请写明上报理由。")},
    )


@require_roles({Role.SUBDISTRICT_ADMIN})
def whistle_escalate(request, public_id):
    """The street chief escalates an open whistle to the district (with confirmation)."""
    whistle = _whistle_for(request.user, public_id)
    if not ws.may_escalate(request.user, whistle) or whistle.escalations.exists():
        messages.error(request, _("该吹哨不能上报区级（已结束、已是区级或已上报）。"))
        return redirect("cases:whistle_detail", whistle.public_id)
    case = whistle.case
    pending = [s.department_id for s in whistle.summonses.all() if s.acted_at is None]
    form = EscalateForm(
        request.POST or None,
        case=case,
        initial={"departments": pending, "report_by": _default_report_by(case), "version": case.version},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            escalated = ws.whistle_escalate(
                actor=request.user,
                whistle=whistle,
                departments=list(data["departments"]),
                report_by=data["report_by"],
                reason=data["reason"],
                version=data.get("version"),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已上报区级，召集 %(n)s 个部门。") % {"n": escalated.summonses.count()})
            return redirect("cases:whistle_detail", escalated.public_id)
    context = {"whistle": whistle, "case": case, "form": form, "active_nav": NAV}
    return render(request, "cases/whistle/escalate.html", context)
