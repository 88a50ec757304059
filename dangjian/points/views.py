"""Pages of classified points: the member's own points (phone), rankings, the district's rules, and the
worker's hand award and corrections."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.roles import Role
from dangjian.core.keyset import KeysetPage, keyset_page, page_params
from dangjian.core.scoping import active_role
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Member
from dangjian.territory.models import Area, Level

from . import selectors, services
from .forms import ManualAwardForm, RuleEditForm
from .models import PointCategory, PointEntry, PointRule
from .permissions import AWARDING_ROLES, MEMBER_ROLES, RANKING_ROLES, RULE_ROLES

PAGE_SIZE = 25
NAV_MINE, NAV_MANAGE = "points_mine", "points_manage"


def _year(request) -> int:
    current = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or current)
    except ValueError:
        return current
    return year if 2000 <= year <= current + 1 else current


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _entries_page(request, member, year: int) -> KeysetPage:
    """A member's entries of a year, newest first: numbered pages, then by cursor (core.keyset)."""
    return keyset_page(
        selectors.entries_for(member, year),
        selectors.ENTRY_ORDER,
        **page_params(request),
        per_page=PAGE_SIZE,
    )


# --- the member's own page ----------------------------------------------------------------


@require_roles(MEMBER_ROLES)
def mine(request):
    member = selectors.member_for_user(request.user)
    year = _year(request)
    context: dict = {"member": member, "year": year, "active_nav": NAV_MINE}
    if member is not None:
        page = _entries_page(request, member, year)
        community = member.home_community
        context.update(
            totals=services.totals(member, year),
            page=page,
            years=selectors.years_for(member, timezone.localdate().year),
            community=community,
            rank=selectors.rank_of(member, year=year, area=community) if community else None,
            querystring=querystring_without_page(request),
        )
    return render(request, "points/mine.html", context)


# --- rankings ----------------------------------------------------------------------------


@require_roles(RANKING_ROLES)
def ranking(request):
    year = _year(request)
    areas = selectors.ranking_areas(request.user)
    orgs = selectors.ranking_orgs(request.user)
    area = org = None
    if request.GET.get("org"):
        org = next((o for o in orgs if str(o.public_id) == request.GET["org"]), None)
        if org is None:  # outside the user's organizations, or none at all
            org = PartyOrg.objects.get_for_user(request.user, request.GET["org"])
    elif request.GET.get("area"):
        area = next((a for a in areas if str(a.public_id) == request.GET["area"]), None)
        if area is None:
            if active_role(request.user) == Role.PARTY_MEMBER:
                raise Http404
            area = Area.objects.get_for_user(request.user, request.GET["area"])
            if area.level == Level.GRID:
                raise Http404
    elif areas:
        area = areas[0]
    categories = list(PointCategory.objects.all())
    category = next((c for c in categories if c.code == request.GET.get("category")), None)
    rows = selectors.ranking(year=year, category_id=category.pk if category else None, area=area, org=org)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    own_member_id = None
    if active_role(request.user) == Role.PARTY_MEMBER:
        own_member_id = Member.objects.filter(user_id=request.user.pk).values_list("pk", flat=True).first()
    context = {
        "year": year,
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        "areas": areas,
        "orgs": orgs,
        "area": area,
        "org": org,
        "categories": categories,
        "category": category,
        "page": page,
        "own_member_id": own_member_id,
        "is_member": active_role(request.user) == Role.PARTY_MEMBER,
        "querystring": querystring_without_page(request),
        "active_nav": NAV_MINE if active_role(request.user) == Role.PARTY_MEMBER else NAV_MANAGE,
    }
    return render(request, "points/ranking.html", context)


# --- the district's rules ----------------------------------------------------------------


def _rules_district(request) -> Area:
    district = services.district_of_scope(request.user)
    if district is None and request.user.is_superuser:
        district = Area.objects.filter(level=Level.DISTRICT).order_by("path").first()
    if district is None:
        raise Http404
    return district


@require_roles(RULE_ROLES)
def rules(request):
    district = _rules_district(request)
    year = _year(request)
    current = timezone.localdate().year
    context = {
        "district": district,
        "year": year,
        "years": [current + 1, *range(current, current - 4, -1)],
        "rules": services.rules_for_year(district, year),
        "active_nav": NAV_MANAGE,
    }
    return render(request, "points/rules.html", context)


@require_roles(RULE_ROLES)
def rule_edit(request, public_id):
    """Edit one rule's points or switch: the form, then a confirmation showing old and new, then the change."""
    district = _rules_district(request)
    rule = PointRule.objects.get_for_user(request.user, public_id)
    if rule.district_id not in (None, district.pk):
        raise Http404
    in_force = {r.code: r for r in services.rules_for_year(district, rule.year)}
    if in_force.get(rule.code) != rule:  # a default the district has its own row for: edit that one
        return redirect("points:rule_edit", public_id=in_force[rule.code].public_id)
    form = RuleEditForm(request.POST or None, initial={"points": rule.points, "is_active": rule.is_active})
    confirming = False
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirmed") == "1":
            try:
                services.rule_update(
                    actor=request.user,
                    district=district,
                    rule=rule,
                    points=form.cleaned_data["points"],
                    is_active=form.cleaned_data["is_active"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("积分规则「%(n)s」已更新。") % {"n": rule.name})
                return redirect(f"{reverse('points:rules')}?year={rule.year}")
        else:
            confirming = True
    context = {
        "district": district,
        "rule": rule,
        "form": form,
        "confirming": confirming,
        "active_nav": NAV_MANAGE,
    }
    return render(request, "points/rule_edit.html", context)


# --- the worker's hand award and corrections ---------------------------------------------


def _occurred_at(day: datetime.date) -> datetime.datetime:
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


@require_roles(AWARDING_ROLES)
def award(request):
    query = request.GET.get("q", "").strip()
    member = None
    if request.GET.get("member"):
        member = Member.objects.get_for_user(request.user, request.GET["member"])
    form = None
    if member is not None:
        member = Member.objects.select_related("home_community", "org__area").get(pk=member.pk)
        year = timezone.localdate().year
        if request.method == "POST":
            try:
                day = datetime.date.fromisoformat(request.POST.get("occurred_on", ""))
                year = day.year
            except ValueError:
                pass
        manual_rules = [
            r for r in services.rules_for_year(services.district_of_member(member), year) if r.manual and r.is_active
        ]
        form = ManualAwardForm(request.POST or None, rules=manual_rules, initial={"token": services.new_token()})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.award_manual(
                    actor=request.user,
                    member=member,
                    rule_code=data["rule"],
                    reason=data["reason"],
                    token=data["token"],
                    quantity=data["quantity"],
                    occurred_at=_occurred_at(data["occurred_on"]),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("已为 %(m)s 记分。") % {"m": member.name})
                return redirect("points:member", public_id=member.public_id)
    context = {
        "query": query,
        "results": selectors.members_for_award(request.user, query) if query and member is None else [],
        "member": member,
        "form": form,
        "active_nav": NAV_MANAGE,
    }
    return render(request, "points/award.html", context)


@require_roles(AWARDING_ROLES)
def member_points(request, public_id):
    member = Member.objects.get_for_user(request.user, public_id)
    year = _year(request)
    page = _entries_page(request, member, year)
    reversed_ids = set(
        PointEntry.objects.filter(reverses__in=[e.pk for e in page.object_list]).values_list("reverses_id", flat=True)
    )
    for entry in page.object_list:
        entry.can_correct = entry.reverses_id is None and entry.pk not in reversed_ids
    context = {
        "member": member,
        "year": year,
        "years": selectors.years_for(member, timezone.localdate().year),
        "totals": services.totals(member, year),
        "page": page,
        "querystring": querystring_without_page(request),
        "active_nav": NAV_MANAGE,
    }
    return render(request, "points/member.html", context)


@require_roles(AWARDING_ROLES)
@require_POST
def correct(request, public_id):
    entry = PointEntry.objects.get_for_user(request.user, public_id)
    member = entry.member
    try:
        services.correct(actor=request.user, entry=entry, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已更正，冲正记录已写入。"))
    return redirect(f"{reverse('points:member', args=[member.public_id])}?year={entry.year}")
