"""The call-ups: the list, 发起动员, the situation view (figures per child node, the map), ending it, the
temporary Party organization, and the end-of-deployment report (PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.audit.printing import printed_record
from dangjian.core.db import replica_view
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.scoping import active_role
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.meetings.models import Meeting
from dangjian.people.models import Member

from .. import selectors, services
from ..forms import CallUpForm, EndForm, MeetingForm, TempOrgForm
from ..models import TempOrgMember
from ..permissions import COMMAND_ROLES, FIELD_ROLES, ISSUER_ROLES, commands, issuing_area, may_end
from ..services.temp_org import owner_key
from ..workflow import FLOW, Step
from . import form_errors

PAGE_SIZE = 20


@require_roles(FIELD_ROLES)
@require_GET
@replica_view
def home(request):
    page = keyset_page(
        selectors.callups(request.user).select_related("area"),
        selectors.CALLUP_ORDERING,
        per_page=PAGE_SIZE,
        **page_params(request),
    )
    context = {
        "page": page,
        "querystring": querystring_without_page(request),
        "may_issue": issuing_area(request.user) is not None,
        "active_nav": "mobilization",
    }
    return render(request, "mobilization/home.html", context)


@require_roles(ISSUER_ROLES)
@require_http_methods(["GET", "POST"])
def callup_new(request):
    issuer = issuing_area(request.user)
    if issuer is None:
        raise Http404
    form = CallUpForm(request.POST or None, issuer=issuer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            callup = services.callup_issue(
                actor=request.user,
                title=data["title"],
                kinds=data["kinds"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                brief=data["brief"],
                quotas=form.quotas(),
                call_members=data["call_members"],
                units=list(data["units"]),
                teams=list(data["teams"]),
                is_drill=data["is_drill"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("动员已发起，正在逐一通知被召集人。"))
            return redirect(callup.get_absolute_url())
    return render(request, "mobilization/new.html", {"form": form, "issuer": issuer, "active_nav": "mobilization"})


@require_roles(FIELD_ROLES)
@require_GET
@replica_view
def detail(request, public_id):
    callup = selectors.callup_of(request.user, public_id)
    if not (request.user.is_superuser or active_role(request.user) in COMMAND_ROLES):
        return redirect("mobilization:mine", public_id=callup.public_id)
    node = selectors.node_of(request.user, callup, request.GET.get("node"))
    total, children = selectors.situation(callup, node)
    context = {
        "callup": callup,
        "node": node,
        "total": total,
        "children": children,
        "live": selectors.live_counts(callup, node.path),
        "features": selectors.map_grids(callup, node),
        "crumbs": [a for a in node.ancestors() if a.path.startswith(callup.area_path)] + [node],
        "may_end": may_end(request.user, callup) and callup.is_active,
        "status": FLOW.state(callup.status),
        "my_call": selectors.my_call(request.user, callup),
        "active_nav": "mobilization",
    }
    return render(request, "mobilization/detail.html", context)


@require_roles(ISSUER_ROLES)
@require_http_methods(["GET", "POST"])
def end(request, public_id):
    callup = selectors.callup_of(request.user, public_id)
    if not may_end(request.user, callup):
        raise Http404
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.callup_end(actor=request.user, callup=callup, note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, str(FLOW.steps[Step.END].done_message))
        return redirect(callup.get_absolute_url())
    question = FLOW.steps[Step.END].question
    return render(
        request,
        "mobilization/end.html",
        {"callup": callup, "form": form, "question": question, "active_nav": "mobilization"},
    )


@require_roles(COMMAND_ROLES)
@require_http_methods(["GET", "POST"])
def temp_org(request, public_id):
    callup = selectors.callup_of(request.user, public_id)
    if not commands(request.user, callup.area_path):
        raise Http404
    org_form = TempOrgForm(request.POST if "org_type" in request.POST else None)
    meeting_form = MeetingForm(request.POST if "starts_at" in request.POST else None)
    if request.method == "POST":
        try:
            if org_form.is_bound and org_form.is_valid():
                services.temp_org_create(actor=request.user, callup=callup, **org_form.cleaned_data)
                messages.success(request, _("临时党组织已成立，下沉党员已列入。"))
                return redirect("mobilization:temp_org", public_id=callup.public_id)
            if meeting_form.is_bound and meeting_form.is_valid():
                services.temp_org_meeting(actor=request.user, callup=callup, **meeting_form.cleaned_data)
                messages.success(request, _("会议已安排。"))
                return redirect("mobilization:temp_org", public_id=callup.public_id)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    members = TempOrgMember.objects.filter(callup=callup).select_related("member").order_by("joined_at", "pk")
    context = {
        "callup": callup,
        "org_form": org_form,
        "meeting_form": meeting_form,
        "members": members,
        "meetings": Meeting.objects.filter(owner_key=owner_key(callup)).order_by("-starts_at")[:50],
        "may_manage": may_end(request.user, callup) and callup.is_active,
        "active_nav": "mobilization",
    }
    return render(request, "mobilization/temp_org.html", context)


def report_context(callup) -> dict:
    total, children = selectors.situation(callup, callup.area)
    return {
        "callup": callup,
        "total": total,
        "children": children,
        "honours": selectors.honours(callup),
        "members": TempOrgMember.objects.filter(callup=callup).select_related("member").order_by("joined_at", "pk"),
        "meetings": Meeting.objects.filter(owner_key=owner_key(callup)).order_by("starts_at"),
        "unvisited": selectors.unvisited_without_reason(callup).order_by("grid_path", "label")[:200],
    }


@require_roles(COMMAND_ROLES)
@require_GET
def report_pdf(request, public_id):
    """The end-of-deployment report: totals, by node, the honours list, the temporary organization (a PDF
    in Chinese; WeasyPrint is imported here so the app runs where pango is missing)."""
    callup = selectors.callup_of(request.user, public_id)
    if not commands(request.user, callup.area_path):
        raise Http404
    return printed_record(
        request,
        "mobilization/report.html",
        report_context(callup),
        obj=callup,
        area_path=callup.area_path,
        filename=f"mobilization-{callup.public_id}",
    )


def member_of(user) -> Member | None:
    return Member.objects.filter(user=user).first()
