"""The worker's desk: the list, a registration and its decision, the summary, and their exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dangjian.accounts.roles import Role, active_assignment
from dangjian.audit.services import Action, audit_record
from dangjian.core.db import replica_view
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.scoping import active_role
from dangjian.core.views import client_ip, querystring_without_page, require_roles
from dangjian.territory.models import Area, Level
from dangjian.territory.selectors import area_roots_for

from .. import selectors, services
from ..models import CommunityDocument, Registration, RegistrationKind, RegistrationStatus
from ..permissions import DECIDING_ROLES, REGISTRANT_ROLES, WORKER_ROLES, can_decide
from ..workflow import FLOW, Party, Step, allowed_steps
from .common import NAV, PAGE_SIZE, community_or_404, safe_next


@login_required
def home(request):
    """The menu's one entry: workers land on the desk, members and unit contacts on their own page."""
    role = active_role(request.user)
    if role in WORKER_ROLES or role == "superuser":
        return redirect("registration:desk")
    if role in REGISTRANT_ROLES:
        return redirect("registration:mine")
    raise Http404


# --- the worker's desk ---------------------------------------------------------------------


def _desk_filters(request) -> tuple:
    community = None
    if request.GET.get("community"):
        community = community_or_404(request, request.GET["community"])
    filters = {
        "status": request.GET.get("status", ""),
        "kind": request.GET.get("kind", ""),
        "flagged": request.GET.get("flagged") == "1",
        "query": request.GET.get("q", "").strip(),
    }
    return community, filters


@require_roles(WORKER_ROLES)
@replica_view
def desk(request):
    community, filters = _desk_filters(request)
    registrations = selectors.desk_registrations(request.user, community=community, **filters)
    page = keyset_page(
        registrations.select_related(*selectors.DESK_RELATED),
        selectors.DESK_ORDER,
        **page_params(request),
        per_page=PAGE_SIZE,
    )
    for reg in page.object_list:
        reg.out_of_home = selectors.is_out_of_home(reg)
    role = active_role(request.user)
    assignment = active_assignment(request.user)
    own_community = assignment.area if role == Role.COMMUNITY_WORKER and assignment else None
    communities = []
    if role != Role.COMMUNITY_WORKER:
        communities = list(
            Area.objects.visible_to(request.user)
            .filter(level=Level.COMMUNITY)
            .order_by("path")
            .only("public_id", "name")[:500]
        )
    context = {
        "page": page,
        "filters": filters,
        "community": community,
        "communities": communities,
        "own_community": own_community,
        "statuses": RegistrationStatus.choices,
        "kinds": RegistrationKind.choices,
        "can_decide": can_decide(request.user),
        "pending": selectors.pending_count(request.user),
        "querystring": querystring_without_page(request),
        "here": request.get_full_path(),
        "active_nav": NAV,
    }
    return render(request, "registration/desk.html", context)


@require_roles(WORKER_ROLES)
def detail(request, public_id):
    reg = Registration.objects.select_related(
        "community", "member__home_community", "member__org", "org", "unit__community", "decided_by"
    ).get_for_user(request.user, public_id)
    reg.out_of_home = selectors.is_out_of_home(reg)
    deciding = can_decide(request.user)
    context = {
        "reg": reg,
        "log": list(reg.log.select_related("actor")),
        "steps": allowed_steps(reg, Party.COMMUNITY) if deciding else [],
        "can_decide": deciding,
        "here": request.get_full_path(),
        "active_nav": NAV,
    }
    return render(request, "registration/detail.html", context)


@require_roles(DECIDING_ROLES)
@require_POST
def decide(request, public_id, step):
    if step not in Step.values:
        raise Http404
    reg = Registration.objects.select_related("member", "org", "community").get_for_user(request.user, public_id)
    try:
        services.registration_step(
            actor=request.user, registration=reg, step=step, party=Party.COMMUNITY, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        who = reg.member.name if reg.member_id else str(reg.org)
        messages.success(request, str(FLOW.steps[step].done_message) % {"who": who})
    return redirect(safe_next(request, reverse("registration:desk")))


@require_roles(WORKER_ROLES)
@require_POST
def reveal_mobile(request, public_id):
    reg = Registration.objects.select_related("community").get_for_user(request.user, public_id)
    audit_record(
        actor=request.user,
        action=Action.REVEAL,
        obj=reg,
        changes={"field": "contact_mobile"},
        ip=client_ip(request),
        area_path=reg.community.path,
    )
    return HttpResponse(reg.contact_mobile or _("未填写"))


# --- the summary ---------------------------------------------------------------------------


def _summary_area(request) -> Area:
    if request.GET.get("area"):
        area = Area.objects.get_for_user(request.user, request.GET["area"])
        if area.level == Level.GRID:
            raise Http404
        return area
    roots = area_roots_for(request.user)
    if not roots:
        raise Http404
    return roots[0]


@require_roles(WORKER_ROLES)
@replica_view
def summary(request):
    area = _summary_area(request)
    result = selectors.registration_summary(area)
    subdistricts = []
    if area.level == Level.DISTRICT:
        subdistricts = list(Area.objects.filter(parent=area, level=Level.SUBDISTRICT).order_by("path"))
    context = {
        "area": area,
        "summary": result,
        "chart": result.chart(),
        "subdistricts": subdistricts,
        "breadcrumb": list(area.ancestors().visible_to(request.user)),
        "active_nav": NAV,
    }
    return render(request, "registration/summary.html", context)


@require_roles(WORKER_ROLES)
@replica_view
def desk_export(request):
    """The desk's rows as Excel, with the desk's filters; contact numbers masked; audited."""
    from dangjian.imports.exports import ExportColumn, export_response

    community, filters = _desk_filters(request)
    rows = selectors.desk_registrations(request.user, community=community, **filters).select_related(
        "member", "org", "community"
    )
    columns = [
        ExportColumn(_("类型"), lambda r: r.get_kind_display()),
        ExportColumn(_("报到人/单位党组织"), lambda r: r.subject_name, width=24),
        ExportColumn(_("报到社区"), lambda r: r.community.name),
        ExportColumn(_("状态"), lambda r: r.get_status_display()),
        ExportColumn(_("联系电话"), lambda r: r.contact_mobile, personal="mobile"),
        ExportColumn(_("提交时间"), lambda r: timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M")),
        ExportColumn(
            _("确认时间"), lambda r: timezone.localtime(r.decided_at).strftime("%Y-%m-%d %H:%M") if r.decided_at else ""
        ),
    ]
    return export_response(
        request=request,
        queryset_or_rows=rows,
        columns=columns,
        filename=_("双报到"),
        actor=request.user,
        object_type="registration.registration",
        filters={k: v for k, v in filters.items() if v},
    )


@require_roles(WORKER_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def summary_export(request):
    """The summary table of a node (one row per community, then the total) as Excel; audited.
    Counts only: the people behind them are in each community's 应报未报 export."""
    from dangjian.imports.exports import export_response

    from ..exports import SUMMARY_COLUMNS

    area = _summary_area(request)
    result = selectors.registration_summary(area)
    for row in result.rows:
        row.community_label = row.community.name
    rows = list(result.rows)
    if result.total is not None:
        result.total.community_label = _("合计")
        rows.append(result.total)
    return export_response(
        request=request,
        queryset_or_rows=rows,
        columns=SUMMARY_COLUMNS,
        filename=_("%(area)s双报到汇总") % {"area": area.name},
        actor=request.user,
        object_type="registration.summary",
        filters={"area": area.name, "date": timezone.localdate().isoformat()},
        area_path=area.path,
    )


@require_roles(WORKER_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def documents_export(request, public_id):
    """A community's 文件清单 as Excel, as the five-lists page shows it; audited."""
    from dangjian.imports.exports import export_response

    from ..exports import DOCUMENT_COLUMNS

    area = community_or_404(request, public_id)
    documents = CommunityDocument.objects.visible_to(request.user).filter(community=area).select_related("community")
    return export_response(
        request=request,
        queryset_or_rows=documents.order_by("-published_on", "-pk"),
        columns=DOCUMENT_COLUMNS,
        filename=_("%(c)s文件清单") % {"c": area.name},
        actor=request.user,
        object_type="registration.communitydocument",
        filters={"community": area.name},
        area_path=area.path,
    )
