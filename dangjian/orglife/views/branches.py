"""A secretary's pages (phone first): the branches they run with this period's state, a branch's
compliance calendar and records, planning a meeting, and the yearly register (PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.printing import printed_record
from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles

from .. import selectors
from ..forms import PlanForm
from ..models import MeetingRecord, RecordStatus
from ..permissions import RUN_ROLES, may_oversee
from ..rules import district_of_path, rules_for
from ..services.records import record_plan

PAGE_SIZE = 20


def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


@require_roles(RUN_ROLES)
def home(request):
    query = request.GET.get("q", "").strip()[:50]
    show = request.GET.get("show", "")
    show = show if show in ("late", "open") else ""
    page = keyset_page(
        selectors.branches(request.user, query, show=show).select_related("area"),
        selectors.BRANCH_ORDER,
        **page_params(request),
        per_page=PAGE_SIZE,
    )
    today = timezone.localdate()
    current = selectors.current_obligations([o.pk for o in page.object_list], today)
    rows = [(org, current.get(org.pk, [])) for org in page.object_list]
    return render(
        request,
        "orglife/home.html",
        {
            "page": page,
            "rows": rows,
            "q": query,
            "show": show,
            "today": today,
            "oversee": may_oversee(request.user),
            "querystring": querystring_without_page(request),
            "active_nav": "orglife",
        },
    )


@require_roles(RUN_ROLES)
def branch(request, public_id):
    org = selectors.branch_get(request.user, public_id)
    year = _year(request)
    page = keyset_page(
        selectors.records_of(org).select_related("guidance"),
        selectors.RECORD_ORDER,
        **page_params(request),
        per_page=PAGE_SIZE,
    )
    return render(
        request,
        "orglife/branch.html",
        {
            "org": org,
            "year": year,
            "years": [year - 1, year, year + 1] if year < timezone.localdate().year else [year - 1, year],
            "calendar": selectors.branch_calendar(org, year),
            "page": page,
            "querystring": querystring_without_page(request),
            "active_nav": "orglife",
        },
    )


@require_roles(RUN_ROLES)
@idempotent
def plan(request, public_id):
    org = selectors.branch_get(request.user, public_id)
    rules = rules_for(district_of_path(org.area.path))
    form = PlanForm(request.POST or None, org=org, rules=rules, initial={"kind": request.GET.get("kind", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        activity = data.get("activity")
        try:
            record = record_plan(
                actor=request.user,
                org=org,
                kind=data["kind"],
                topic=data["topic"],
                starts_at=form.starts_at(),
                place=data["place"],
                chair=data.get("chair"),
                recorder=data.get("recorder"),
                guidance=data.get("guidance"),
                linked_key=f"centers.activity:{activity.public_id}" if activity else "",
                linked_label=activity.title if activity else "",
                visit=data.get("visit", ""),
                send_notice=data.get("send_notice", False),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(
                request, _("已安排会议，会议通知已发给参会人员。") if data.get("send_notice") else _("已安排会议。")
            )
            return redirect("orglife:record", public_id=record.public_id)
    return render(request, "orglife/plan.html", {"org": org, "form": form, "active_nav": "orglife"})


@require_roles(RUN_ROLES)
def register_pdf(request, public_id, year):
    """The branch's yearly org-life register for the archive (WeasyPrint is imported here, so the app
    runs where pango is missing: then the printable page)."""
    org = selectors.branch_get(request.user, public_id)
    records = list(
        MeetingRecord.objects.filter(org=org, status=RecordStatus.HELD, starts_at__year=year)
        .select_related("meeting", "guidance")
        .order_by("starts_at", "pk")
    )
    return printed_record(
        request,
        "orglife/register.html",
        {"org": org, "year": year, "calendar": selectors.branch_calendar(org, year), "records": records},
        obj=org,
        area_path=org.area.path,
        filename=f"orglife-{org.public_id}-{year}",
        changes={"year": [None, year]},
    )
