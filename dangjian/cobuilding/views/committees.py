"""Expanded committees (大党委/大工委): adjunct members' duties, their attendance at the committee's
meetings and what they brought per year; calling a committee meeting."""

from __future__ import annotations

import datetime
from collections import Counter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.idempotency import idempotent
from dangjian.core.views import require_roles
from dangjian.orgs.models import PartyOrg
from dangjian.units.models import AdjunctMember

from ..models import AdjunctContribution, CoMeeting, ContributionKind, MeetingKind, Seat
from ..permissions import MANAGE_ROLES
from ..services import estates as services
from ..services import meetings as meeting_services
from . import NAV, flash, lines, parse_datetime, parse_int, year_of

EXPANDED = ("expanded_committee", "working_committee")


def _committees(user):
    return PartyOrg.objects.visible_to(user).filter(org_type__in=EXPANDED)


@require_roles(MANAGE_ROLES)
def committee_list(request):
    rows = _committees(request.user).annotate(n=Count("adjunct_members")).order_by("path")[:200]
    return render(request, "cobuilding/committees.html", {"rows": rows, "active_nav": NAV})


@require_roles(MANAGE_ROLES)
def committee(request, public_id):
    org = get_object_or_404(_committees(request.user).select_related("area"), public_id=public_id)
    year = year_of(request)
    tz = timezone.get_current_timezone()
    start, end = datetime.datetime(year, 1, 1, tzinfo=tz), datetime.datetime(year + 1, 1, 1, tzinfo=tz)
    members = list(
        AdjunctMember.objects.filter(committee=org, is_active=True)
        .select_related("unit", "department")
        .prefetch_related("cobuilding_duties")
    )
    seats = Seat.objects.filter(
        comeeting__committee=org, comeeting__starts_at__gte=start, comeeting__starts_at__lt=end, adjunct__in=members
    )
    due = Counter(seats.values_list("adjunct_id", flat=True))
    present = Counter(seats.filter(attendee__signed_in_at__isnull=False).values_list("adjunct_id", flat=True))
    brought: dict[int, list[AdjunctContribution]] = {}
    for c in AdjunctContribution.objects.filter(member__in=members, year=year).order_by("pk"):
        brought.setdefault(c.member_id, []).append(c)
    rows = [(m, due[m.pk], present[m.pk], brought.get(m.pk, [])) for m in members]
    meetings = list(
        CoMeeting.objects.filter(committee=org, kind=MeetingKind.COMMITTEE)
        .select_related("meeting")
        .order_by("-starts_at")[:20]
    )
    return render(
        request,
        "cobuilding/committee.html",
        {
            "org": org,
            "rows": rows,
            "year": year,
            "meetings": meetings,
            "kinds": ContributionKind.choices,
            "now": timezone.localtime(),
            "active_nav": NAV,
        },
    )


def _member(request, public_id, member_id) -> AdjunctMember:
    org = get_object_or_404(_committees(request.user), public_id=public_id)
    return get_object_or_404(
        AdjunctMember.objects.select_related("committee__area"), committee=org, public_id=member_id
    )


@require_roles(MANAGE_ROLES)
@require_POST
def adjunct_act(request, public_id, member_id):
    member = _member(request, public_id, member_id)
    post = request.POST
    try:
        if post.get("duty") is not None:
            services.adjunct_duty_add(actor=request.user, member=member, text=post.get("duty", ""))
        else:
            services.adjunct_contribution_add(
                actor=request.user,
                member=member,
                year=parse_int(post.get("year"), timezone.localdate().year),
                kind=post.get("kind", ""),
                description=post.get("description", ""),
                amount=post.get("amount") or 0,
            )
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("已保存。"))
    return redirect("cobuilding:committee", public_id=public_id)


@require_roles(MANAGE_ROLES)
@require_POST
@idempotent
def committee_meeting(request, public_id):
    org = get_object_or_404(_committees(request.user).select_related("area"), public_id=public_id)
    try:
        co = meeting_services.committee_meeting_call(
            actor=request.user,
            committee=org,
            starts_at=parse_datetime(request.POST.get("starts_at", ""), _("会议时间")),
            place=request.POST.get("place", ""),
            agenda=lines(request.POST.get("agenda", "")),
        )
    except ValidationError as exc:
        flash(request, exc)
        return redirect("cobuilding:committee", public_id=public_id)
    messages.success(request, _("已召集大党委会议。"))
    return redirect("cobuilding:meeting", public_id=co.public_id)
