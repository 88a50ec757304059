"""The secretary's side: their sheets (我的述职) and the 述职 page, made for a 390 px phone."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dangjian.core.idempotency import idempotent
from dangjian.core.views import require_roles
from dangjian.core.workflow import TransitionRefused
from dangjian.notices.attachments import ACCEPT

from .. import selectors
from ..models import FindingStatus, SheetStatus
from ..permissions import REPORT_ROLES
from ..services import sheets as services
from ..workflow import FLOW
from . import flash, parse_version

NAV = "assessment_mine"


@require_roles(REPORT_ROLES)
def mine(request):
    """我的述职: the user's sheets, the findings at their organizations, the 述职 waiting for their score as
        a panel member, the departments waiting for their score as a street chief; ?show=owed / findings / panel /
    chief keeps one list (a 今日待办 item opens it, with its count)."""
    user = request.user
    show = request.GET.get("show", "")
    sheets = selectors.reports_owed(user) if show == "owed" else selectors.my_sheets(user)
    findings = selectors.my_findings(user).exclude(status=FindingStatus.VERIFIED)
    if show == "findings":
        findings = findings.filter(status=FindingStatus.OPEN)
    lists = {
        "sheets": list(sheets[:100]) if show in ("", "owed") else [],
        "findings": list(findings[:100]) if show in ("", "findings") else [],
        "waiting": list(selectors.panel_waiting(user)[:100]) if show in ("", "panel") else [],
        "chief": list(selectors.chief_waiting(user)[:100]) if show in ("", "chief") else [],
    }
    counted = {"owed": "sheets", "findings": "findings", "panel": "waiting", "chief": "chief"}.get(show)
    context = {**lists, "show": show, "active_nav": NAV}
    if counted:
        context["open_count"] = len(lists[counted])
    return render(request, "assessment/mine.html", context)


@require_roles(REPORT_ROLES)
@idempotent
def report(request, public_id):
    sheet = selectors.my_sheet_get(request.user, public_id)
    text = sheet.report_text
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            services.report_submit(
                actor=request.user, sheet=sheet, text=text, uploads=request.FILES.getlist("files"),
                version=parse_version(request.POST.get("version")),
            )  # fmt: skip
        except (ValidationError, TransitionRefused) as exc:
            flash(request, exc)
        else:
            messages.success(request, _("述职已提交，等待评议组打分。"))
            return redirect("assessment:report", public_id=sheet.public_id)
    return render(
        request,
        "assessment/report.html",
        {
            "sheet": sheet,
            "scheme": sheet.scheme,
            "text": text,
            "open": sheet.status == SheetStatus.DRAFT,
            "state": FLOW.state(sheet.status),
            "files": list(sheet.files.all()),
            "accept": ACCEPT,
            "returned": sheet.log.filter(step="return").order_by("-at", "-pk").first()
            if sheet.status == SheetStatus.DRAFT
            else None,
            "active_nav": NAV,
        },
    )
