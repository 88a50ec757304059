"""Councils and their representatives; the home page of deliberation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.audit.services import Action, audit_record
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.tree import STEP
from dangjian.core.views import client_ip, querystring_without_page, require_roles
from dangjian.imports.permissions import may_see_full_values
from dangjian.territory.models import Area, Estate, Level
from dangjian.territory.selectors import filter_area_options

from .. import selectors
from ..filters import RepresentativeFilterForm, representative_filter_q
from ..models import CouncilKind
from ..permissions import MANAGE_ROLES
from ..rules import district_rules
from ..services import councils as services
from . import NAV, PAGE_SIZE, flash, parse_date, parse_datetime


@require_roles(MANAGE_ROLES)
def home(request):
    page = keyset_page(
        selectors.councils(request.user), selectors.COUNCIL_ORDER, **page_params(request), per_page=PAGE_SIZE
    )
    targets: dict[str, object] = {}
    rows = []
    for council in page.object_list:
        district = council.area_path[:STEP]
        if district not in targets:
            targets[district] = district_rules(council.community).party_share_target
        rows.append((council, services.below_target(council, targets[district])))
    return render(
        request,
        "deliberation/home.html",
        {"page": page, "rows": rows, "querystring": querystring_without_page(request), "active_nav": NAV},
    )


@require_roles(MANAGE_ROLES)
def representative_list(request):
    """The councils' sitting representatives in scope (a stock), by place and Party membership
    (deliberation.filters): the rows of 议事会党员代表占比."""
    form = RepresentativeFilterForm(request.GET or None, user=request.user)
    filters = form.list_filters()
    qs = selectors.representatives(request.user)
    if filters:
        qs = qs.filter(representative_filter_q(**filters))
    page = keyset_page(qs, selectors.REPRESENTATIVE_ORDER, **page_params(request), per_page=PAGE_SIZE)
    return render(
        request,
        "deliberation/representatives.html",
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


def _communities(user):
    return Area.objects.visible_to(user).filter(level=Level.COMMUNITY).order_by("path")


@require_roles(MANAGE_ROLES)
def council_new(request):
    communities = _communities(request.user)
    if request.method == "POST":
        post = request.POST
        try:
            community = communities.filter(public_id=post.get("community") or None).first()
            if community is None:
                raise ValidationError(_("请选择社区。"))
            estate = Estate.objects.filter(community=community, pk=post.get("estate") or None).first()
            council = services.council_save(
                actor=request.user,
                community=community,
                name=post.get("name", ""),
                kind=post.get("kind", CouncilKind.RED),
                estate=estate,
                charter=post.get("charter", ""),
                charter_file=request.FILES.get("charter_file"),
                election_committee=post.get("election_committee", ""),
                term_start=parse_date(post.get("term_start", ""), _("任期开始日期")),
                term_end=parse_date(post.get("term_end", ""), _("任期结束日期")),
            )
        except ValidationError as exc:
            flash(request, exc)
        else:
            messages.success(request, _("已设立「%(c)s」。") % {"c": council.name})
            return redirect("deliberation:council", public_id=council.public_id)
    return render(
        request,
        "deliberation/council_form.html",
        {
            "communities": communities,
            "estates": Estate.objects.filter(community__in=communities).order_by("community__path", "name"),
            "kinds": CouncilKind.choices,
            "post": request.POST,
            "active_nav": NAV,
        },
    )


@require_roles(MANAGE_ROLES)
def council_detail(request, public_id):
    council = selectors.council_get(request.user, public_id)
    target = district_rules(council.community).party_share_target
    return render(
        request,
        "deliberation/council.html",
        {
            "council": council,
            "target": target,
            "below": services.below_target(council, target),
            "may_reveal": may_see_full_values(request.user),
            "reps": list(council.representatives.filter(active=True).select_related("estate", "election_meeting")),
            "estates": Estate.objects.filter(community=council.community).order_by("name"),
            "meetings": list(selectors.council_meetings(council)[:20]),
            "accepted": council.topics.filter(status="accepted", agenda_item__isnull=True).count(),
            "active_nav": NAV,
        },
    )


@require_POST
@require_roles(MANAGE_ROLES)
def council_act(request, public_id, action):
    council = selectors.council_get(request.user, public_id)
    post = request.POST
    try:
        if action == "elect":
            estate = Estate.objects.filter(community=council.community, pk=post.get("estate") or None).first()
            meeting = selectors.council_meetings(council).filter(public_id=post.get("election_meeting") or None).first()
            rep = services.representative_elect(
                actor=request.user,
                council=council,
                name=post.get("name", ""),
                household=post.get("household", ""),
                estate=estate,
                is_party_member=post.get("is_party_member") == "1",
                election_meeting=meeting,
            )
            messages.success(request, _("已登记议事代表「%(n)s」。") % {"n": rep.name})
        elif action == "retire":
            rep = council.representatives.filter(public_id=post.get("rep") or None).first()
            if rep is None:
                raise ValidationError(_("没有这位代表。"))
            services.representative_retire(actor=request.user, representative=rep)
            messages.success(request, _("「%(n)s」已不再担任议事代表。") % {"n": rep.name})
        elif action == "meeting":
            meeting = services.council_meeting_call(
                actor=request.user,
                council=council,
                title=post.get("title", "") or _("%(c)s议事会议") % {"c": council.name},
                starts_at=parse_datetime(post.get("starts_at", ""), _("开会时间")),
                place=post.get("place", ""),
            )
            messages.success(request, _("已召集议事会议，议题已列入议程。"))
            return redirect("meetings:detail", public_id=meeting.public_id)
        else:
            raise ValidationError(_("无效的操作。"))
    except ValidationError as exc:
        flash(request, exc)
    return redirect("deliberation:council", public_id=council.public_id)


@require_POST
@require_roles(MANAGE_ROLES)
def rep_household(request, public_id, rep):
    """A representative's full household, for a role whose work needs it; every reveal is audited."""
    council = selectors.council_get(request.user, public_id)
    representative = council.representatives.filter(public_id=rep).first()
    if representative is None or not may_see_full_values(request.user):
        raise Http404
    audit_record(
        actor=request.user,
        action=Action.REVEAL,
        obj=representative,
        changes={"field": "household"},
        ip=client_ip(request),
        area_path=council.area_path,
    )
    return HttpResponse(representative.household or _("未登记"))
