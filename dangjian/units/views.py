from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dangjian.accounts.roles import Role
from dangjian.core.db import replica_view
from dangjian.core.figures import facts
from dangjian.core.keyset import KeysetPage, keyset_page, page_params
from dangjian.core.scoping import active_role, scope_for
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.imports.exports import export_response
from dangjian.orgs.models import OrgType, PartyOrg
from dangjian.people.models import ACTIVE_STATUSES, Member
from dangjian.territory.models import Area, Level

from . import coverage as unit_coverage
from . import exports, selectors, services
from .filters import UnitFilter
from .forms import (
    AdjunctForm,
    AllianceForm,
    FormationForm,
    MembershipForm,
    OwnBranchForm,
    RuleForm,
    UnitForm,
    apply_errors,
)
from .models import AdjunctMember, Alliance, AllianceMembership, ResidentUnit
from .permissions import RULE_ROLES, UNIT_ROLES, UNIT_VIEW_ROLES, can_edit_rules, can_edit_units

_COVERAGE_LEVELS = [Level.DISTRICT, Level.SUBDISTRICT, Level.ZONE, Level.COMMUNITY]
PAGE_SIZE = 25
BLANK_PAGE_SIZE = 20
COMMITTEE_TYPES = [
    OrgType.DISTRICT_COMMITTEE,
    OrgType.WORKING_COMMITTEE,
    OrgType.COMMUNITY_COMMITTEE,
    OrgType.EXPANDED_COMMITTEE,
]


def _area_param(request, name: str, **lookups) -> Area | None:
    value = request.GET.get(name, "")
    return Area.objects.get_for_user(request.user, value, **lookups) if value else None


def _page(request, queryset, ordering) -> KeysetPage:
    """A list page in `ordering` (stored columns, the last one unique): numbered first, by cursor deeper."""
    return keyset_page(
        queryset,
        ordering,
        **page_params(request),
        per_page=PAGE_SIZE,
    )


# -- units --------------------------------------------------------------------------------------------
@require_roles(UNIT_VIEW_ROLES)
def unit_list(request):
    if active_role(request.user) == Role.UNIT_CONTACT:
        own = ResidentUnit.objects.visible_to(request.user).first()
        if own is None:
            raise Http404
        return redirect("units:detail", public_id=own.public_id)
    filters = UnitFilter.parse(request.user, request.GET)
    for name in filters.ignored(request.GET):
        messages.warning(request, _("筛选条件「%(name)s」的取值无效，已忽略。") % {"name": UnitFilter.LABELS[name]})
    page = _page(request, filters.units(request.user), selectors.UNIT_ORDER)
    selectors.attach_unit_facts(page.object_list)
    context = {
        "page": page,
        "q": filters.query,
        "kind": filters.kind,
        "formation": filters.formation,
        "community": filters.community,
        "area": filters.area,
        "sector": filters.sector,
        "covered": filters.covered,
        "kinds": UnitFilter.kinds(request.user),
        "formations": selectors.formation_choices(),
        "sectors": selectors.sector_choices(),
        "covereds": selectors.covered_choices(),
        "communities": selectors.communities_visible(request.user),
        "querystring": querystring_without_page(request),
        "can_edit": can_edit_units(request.user),
        "filtered": filters.filtered,
        "active_nav": "units",
    }
    return render(request, "units/unit_list.html", context)


@require_roles(UNIT_VIEW_ROLES)
def unit_detail(request, public_id):
    # The unit's district is not known before it is read: the rules of every district (one query).
    units = unit_coverage.with_unit_facts(
        selectors.with_formation(ResidentUnit.objects.select_related("community__parent", "party_org__area")),
        unit_coverage.rules_for(None),
    )
    unit = units.get_for_user(request.user, public_id)
    on_record = Member.objects.filter(workplace=unit, status__in=ACTIVE_STATUSES).count()
    own_orgs = list(PartyOrg.objects.filter(unit=unit).order_by("path"))
    memberships = list(unit.alliance_memberships.select_related("alliance").order_by("alliance__name"))
    can_edit = can_edit_units(request.user)
    # Link only to the organizations and alliances this user may open (a unit contact: none).
    org_ids = [o.pk for o in own_orgs] + ([unit.party_org_id] if unit.party_org_id else [])
    linkable_orgs = (
        set(PartyOrg.objects.visible_to(request.user).filter(pk__in=org_ids).values_list("pk", flat=True))
        if can_edit and org_ids
        else set()
    )
    linkable_alliances = (
        set(
            Alliance.objects.visible_to(request.user)
            .filter(pk__in=[m.alliance_id for m in memberships])
            .values_list("pk", flat=True)
        )
        if can_edit and memberships
        else set()
    )
    context = {
        "unit": unit,
        "on_record": on_record,
        "own_orgs": own_orgs,
        "linkable_orgs": linkable_orgs,
        "linkable_alliances": linkable_alliances,
        "reasons": unit_coverage.blank_reasons(unit),
        "single_due_but_joint": unit.formation == selectors.Formation.JOINT and unit.eff_members >= unit.min_members,
        "red": unit_coverage.is_red(unit) if unit.kind in unit_coverage.RED_KINDS else None,
        "memberships": memberships,
        "seats": list(unit.adjunct_members.select_related("committee").order_by("-is_active", "name")),
        "can_edit": can_edit,
        "active_nav": "units",
    }
    return render(request, "units/unit_detail.html", context)


@require_roles(UNIT_ROLES)
def unit_create(request):
    communities = selectors.communities_visible(request.user)
    initial = {}
    if request.GET.get("community"):
        initial["community"] = _area_param(request, "community", level=Level.COMMUNITY)
    form = UnitForm(request.POST or None, communities=communities, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记单位「%(name)s」。") % {"name": unit.name})
            return redirect("units:detail", public_id=unit.public_id)
    return render(request, "units/unit_form.html", {"form": form, "unit": None, "active_nav": "units"})


@require_roles(UNIT_ROLES)
def unit_edit(request, public_id):
    unit = ResidentUnit.objects.select_related("community").get_for_user(request.user, public_id)
    initial = {
        "name": unit.name,
        "kind": unit.kind,
        "credit_code": unit.credit_code,
        "community": unit.community,
        "address": unit.address,
        "staff_count": unit.staff_count,
        "member_count": unit.member_count,
    }
    form = UnitForm(request.POST or None, communities=selectors.communities_visible(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("units:detail", public_id=unit.public_id)
    return render(request, "units/unit_form.html", {"form": form, "unit": unit, "active_nav": "units"})


@require_roles(UNIT_ROLES)
def unit_formation(request, public_id):
    unit = ResidentUnit.objects.select_related("community", "party_org").get_for_user(request.user, public_id)
    candidates = selectors.formation_candidates(unit, request.user)
    parents = selectors.branch_parent_candidates(unit, request.user)
    action = request.POST.get("action", "formation") if request.method == "POST" else ""
    form = FormationForm(
        request.POST if action == "formation" else None,
        candidates=candidates,
        initial={"party_org": unit.party_org, "instructor": unit.instructor},
    )
    branch_form = OwnBranchForm(
        request.POST if action == "own_branch" else None,
        parents=parents,
        initial={"parent": parents.first(), "name": f"{unit.name}党支部"},
    )
    if action == "formation" and form.is_valid():
        try:
            services.unit_set_formation(
                actor=request.user,
                unit=unit,
                party_org=form.cleaned_data["party_org"],
                instructor=form.cleaned_data["instructor"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存组建与覆盖情况。"))
            return redirect("units:detail", public_id=unit.public_id)
    if action == "own_branch" and branch_form.is_valid():
        try:
            branch = services.unit_form_own_branch(actor=request.user, unit=unit, **branch_form.cleaned_data)
        except ValidationError as exc:
            apply_errors(branch_form, exc)
        else:
            messages.success(request, _("已建立「%(org)s」，本单位为单独组建。") % {"org": branch.name})
            return redirect("units:detail", public_id=unit.public_id)
    context = {
        "unit": unit,
        "form": form,
        "branch_form": branch_form,
        "has_own": any(org.unit_id == unit.pk for org in candidates),
        "active_nav": "units",
    }
    return render(request, "units/unit_formation.html", context)


# -- coverage -------------------------------------------------------------------------------------------
@require_roles(UNIT_ROLES)
@replica_view
def coverage_home(request):
    """The coverage page of the user's own scope node."""
    scope = scope_for(request.user)
    if scope.everything:
        return _coverage_page(request, None)
    area = Area.objects.visible_to(request.user).filter(path=scope.area_path).first()
    if area is None:
        raise Http404
    return redirect("units:coverage_area", public_id=area.public_id)


@require_roles(UNIT_ROLES)
@replica_view
def coverage_area(request, public_id):
    area = Area.objects.select_related("parent").get_for_user(request.user, public_id, level__in=_COVERAGE_LEVELS)
    return _coverage_page(request, area)


def _chart(rows) -> dict:
    return {
        "labels": [row.label for row in rows],
        "urls": [row.url for row in rows],
        "series": [
            {"key": key, "name": name, "data": [row.figures.chart_rates()[key] for row in rows]}
            for key, name in (
                ("single", _("单建率")),
                ("formation", _("组建率")),
                ("org", _("组织覆盖率")),
                ("work", _("工作覆盖率")),
            )
        ],
    }


class _LinkedRow:
    def __init__(self, row, url: str):
        self.label, self.figures, self.node, self.note, self.url = row.label, row.figures, row.node, row.note, url


def _reads_store(user, path: str) -> bool:
    """Whether a coverage page of the node at `path` ("" : everything) reads the figures store: only
    when the whole node lies in the user's territorial scope (the store keeps no row-level scope); a
    unit-only scope, or a node above the user's own, counts the units the user sees instead."""
    return not scope_for(user).unit_id and facts.readable_path(user, path) == path


def _coverage_page(request, area: Area | None):
    user = request.user
    visible = ResidentUnit.objects.visible_to(user)
    rules = unit_coverage.area_rules(area)
    node_units = unit_coverage.units_under_area(area, visible)
    children = unit_coverage.child_areas(area) if area is None or area.level != Level.COMMUNITY else []
    if _reads_store(user, area.path if area is not None else ""):
        coverage = unit_coverage.area_coverage(area, children=children, rules=rules)
    else:
        coverage = unit_coverage.area_coverage(area, units=visible, children=children, rules=rules)
    figures = coverage.figures
    rows = [_LinkedRow(row, reverse("units:coverage_area", args=[row.node.public_id])) for row in coverage.rows]
    kind_rows = [_LinkedRow(row, _unit_list_url(area, kind=row.node)) for row in coverage.kinds]
    paginator = Paginator(unit_coverage.blank_spots(node_units, rules=rules), BLANK_PAGE_SIZE)
    paginator.count = figures.blank  # known already: no second pass over the node's units
    blank_page = paginator.get_page(request.GET.get("page"))
    blank_rows = [(unit, unit_coverage.blank_reasons(unit)) for unit in blank_page.object_list]
    chart_rows = rows or kind_rows
    committees = (
        list(PartyOrg.objects.visible_to(user).filter(area=area, org_type__in=COMMITTEE_TYPES).order_by("path"))
        if area is not None
        else []
    )
    context = {
        "area": area,
        "node_name": area.name if area is not None else _("全部辖区"),
        "breadcrumb": list(area.ancestors().visible_to(user)) if area is not None else [],
        "figures": figures,
        "thresholds": rules.thresholds,
        "rows": rows,
        "kind_rows": kind_rows,
        "chart": _chart(chart_rows) if chart_rows else None,
        "chart_by": "children" if rows else "kind",
        "blank_page": blank_page,
        "blank_rows": blank_rows,
        "querystring": querystring_without_page(request),
        "blank_export_url": reverse("units:coverage_blank_export")
        + (f"?{urlencode({'area': str(area.public_id)})}" if area is not None else ""),
        "committees": committees,
        "can_edit_rule": area is not None and can_edit_rules(user),
        "units_url": _unit_list_url(area),
        "active_nav": "coverage",
    }
    return render(request, "units/coverage.html", context)


def _coverage_node(request) -> Area | None:
    """The node of a coverage page: ?area= (in scope, 404 otherwise), else the user's own node."""
    if request.GET.get("area"):
        return Area.objects.get_for_user(request.user, request.GET["area"], level__in=_COVERAGE_LEVELS)
    scope = scope_for(request.user)
    if scope.everything:
        return None
    area = Area.objects.visible_to(request.user).filter(path=scope.area_path, level__in=_COVERAGE_LEVELS).first()
    if area is None:
        raise Http404
    return area


@require_roles(UNIT_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def coverage_blank_export(request):
    """The coverage page's blank spots (空白点) of one node as Excel, with why each is one; audited."""
    area = _coverage_node(request)
    units = unit_coverage.units_under_area(area, ResidentUnit.objects.visible_to(request.user))
    name = area.name if area is not None else _("全部辖区")
    return export_response(
        request=request,
        queryset_or_rows=unit_coverage.blank_spots(units, rules=unit_coverage.area_rules(area)),
        columns=exports.BLANK_SPOT_COLUMNS,
        filename=_("%(node)s空白点") % {"node": name},
        actor=request.user,
        object_type="units.blankspot",
        filters={"area": name},
        area_path=area.path if area is not None else None,
    )


def _unit_list_url(area: Area | None, **params) -> str:
    if area is not None:
        key = "community" if area.level == Level.COMMUNITY else "area"
        params = {key: str(area.public_id), **params}
    return reverse("units:list") + (f"?{urlencode(params)}" if params else "")


@require_roles(UNIT_ROLES)
def coverage_org(request, public_id):
    """The figures of an organization node: the units organized into its subtree."""
    org = PartyOrg.objects.select_related("area").get_for_user(request.user, public_id)
    rules = unit_coverage.org_rules(org)
    if _reads_store(request.user, org.area.path):
        coverage = unit_coverage.org_coverage(org, rules=rules)
    else:
        visible = ResidentUnit.objects.visible_to(request.user)
        coverage = unit_coverage.org_coverage(org, units=visible, rules=rules)
    rows = [
        _LinkedRow(row, reverse("units:coverage_org", args=[row.node.public_id]) if row.node is not None else "")
        for row in coverage.rows
    ]
    kind_rows = [_LinkedRow(row, "") for row in coverage.kinds]
    chart_rows = rows or kind_rows
    context = {
        "org": org,
        "breadcrumb": list(org.ancestors().visible_to(request.user)),
        "figures": coverage.figures,
        "thresholds": rules.thresholds,
        "rows": rows,
        "kind_rows": kind_rows,
        "chart": _chart(chart_rows) if chart_rows else None,
        "chart_by": "children" if rows else "kind",
        "active_nav": "coverage",
    }
    return render(request, "units/coverage_org.html", context)


@require_roles(RULE_ROLES)
def coverage_rule(request):
    scope = scope_for(request.user)
    district = Area.objects.visible_to(request.user).filter(path=scope.area_path, level=Level.DISTRICT).first()
    if district is None:
        raise Http404
    current = unit_coverage.thresholds_for(district.path)
    form = RuleForm(
        request.POST or None,
        initial={
            "min_members_for_single": current.min_members_for_single,
            "min_staff_social_org": current.min_staff_social_org,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.coverage_rule_save(actor=request.user, district=district, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存%(d)s的组建覆盖规则，统计即时按新规则计算。") % {"d": district.name})
            return redirect("units:coverage_area", public_id=district.public_id)
    context = {"form": form, "district": district, "current": current, "active_nav": "coverage"}
    return render(request, "units/coverage_rule.html", context)


# -- expanded committees and adjunct members ----------------------------------------------------------------
@require_roles(UNIT_ROLES)
def committee_list(request):
    committees = (
        PartyOrg.objects.visible_to(request.user)
        .filter(org_type__in=services.ADJUNCT_COMMITTEE_TYPES)
        .select_related("area")
    )
    page = _page(request, committees, ("path",))  # paths are unique
    active = dict(
        AdjunctMember.objects.filter(committee__in=page.object_list, is_active=True)
        .order_by()
        .values_list("committee_id")
        .annotate(n=Count("pk"))
    )
    for committee in page.object_list:
        committee.active = active.get(committee.pk, 0)
    context = {"page": page, "querystring": querystring_without_page(request), "active_nav": "units"}
    return render(request, "units/committee_list.html", context)


@require_roles(UNIT_ROLES)
def committee_adjuncts(request, public_id):
    committee = PartyOrg.objects.select_related("area__parent").get_for_user(
        request.user, public_id, org_type__in=services.ADJUNCT_COMMITTEE_TYPES
    )
    within = services.committee_area(committee)
    form = AdjunctForm(
        request.POST or None,
        units=selectors.units_for_selection(request.user, within=within),
        departments=selectors.departments_for_committee(committee, within=within),
    )
    if request.method == "POST" and form.is_valid():
        try:
            seat = services.adjunct_add(actor=request.user, committee=committee, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s 已任兼职委员。") % {"name": seat.name})
            return redirect("units:committee_adjuncts", public_id=committee.public_id)
    seats = (
        AdjunctMember.objects.filter(committee=committee)
        .select_related("unit__community", "department")
        .order_by("-is_active", "name", "pk")
    )
    seats = list(seats)
    # Seats may come from units elsewhere in the subdistrict: link only those the user may open.
    linkable = set(
        ResidentUnit.objects.visible_to(request.user)
        .filter(pk__in=[s.unit_id for s in seats if s.unit_id])
        .values_list("pk", flat=True)
    )
    context = {
        "committee": committee,
        "seats": seats,
        "linkable": linkable,
        "form": form,
        "within": within,
        "active_nav": "units",
    }
    return render(request, "units/committee_adjuncts.html", context)


@require_roles(UNIT_ROLES)
def adjunct_end(request, public_id):
    seat = AdjunctMember.objects.select_related("committee__area", "unit").get_for_user(request.user, public_id)
    if request.method == "POST":
        try:
            services.adjunct_end(actor=request.user, adjunct=seat)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(name)s 已卸任。") % {"name": seat.name})
        return redirect("units:committee_adjuncts", public_id=seat.committee.public_id)
    return render(request, "units/adjunct_end.html", {"seat": seat, "active_nav": "units"})


# -- alliances ---------------------------------------------------------------------------------------------
@require_roles(UNIT_ROLES)
def alliance_list(request):
    query = request.GET.get("q", "").strip()
    alliances = Alliance.objects.visible_to(request.user).select_related("area", "lead_org")
    if query:
        alliances = alliances.filter(name__icontains=query)
    page = _page(request, alliances, ("name", "pk"))
    n_units = dict(
        AllianceMembership.objects.filter(alliance__in=page.object_list)
        .order_by()
        .values_list("alliance_id")
        .annotate(n=Count("pk"))
    )
    for alliance in page.object_list:
        alliance.n_units = n_units.get(alliance.pk, 0)
    context = {"page": page, "q": query, "querystring": querystring_without_page(request), "active_nav": "units"}
    return render(request, "units/alliance_list.html", context)


def _alliance_form(request, data=None):
    areas = Area.objects.visible_to(request.user).exclude(level=Level.GRID).order_by("path")
    orgs = PartyOrg.objects.visible_to(request.user).filter(org_type__in=COMMITTEE_TYPES).order_by("path")
    return AllianceForm(data, areas=areas, orgs=orgs)


@require_roles(UNIT_ROLES)
def alliance_create(request):
    form = _alliance_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alliance = services.alliance_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已建立「%(name)s」，请添加成员单位。") % {"name": alliance.name})
            return redirect("units:alliance_detail", public_id=alliance.public_id)
    return render(request, "units/alliance_form.html", {"form": form, "active_nav": "units"})


@require_roles(UNIT_ROLES)
def alliance_detail(request, public_id):
    alliance = Alliance.objects.select_related("area", "lead_org").get_for_user(request.user, public_id)
    memberships = list(alliance.memberships.select_related("unit__community").order_by("unit__name"))
    units = selectors.units_for_selection(
        request.user, within=alliance.area, exclude_ids=[m.unit_id for m in memberships]
    )
    form = MembershipForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            services.alliance_add_unit(actor=request.user, alliance=alliance, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("「%(unit)s」已加入联盟。") % {"unit": form.cleaned_data["unit"]})
            return redirect("units:alliance_detail", public_id=alliance.public_id)
    context = {"alliance": alliance, "memberships": memberships, "form": form, "active_nav": "units"}
    return render(request, "units/alliance_detail.html", context)


@require_roles(UNIT_ROLES)
def alliance_remove_unit(request, public_id, unit_id):
    alliance = Alliance.objects.select_related("area").get_for_user(request.user, public_id)
    membership = (
        alliance.memberships.select_related("unit")
        .filter(unit__in=ResidentUnit.objects.visible_to(request.user), unit__public_id=unit_id)
        .first()
    )
    if membership is None:
        raise Http404
    if request.method == "POST":
        try:
            services.alliance_remove_unit(actor=request.user, alliance=alliance, unit=membership.unit)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("「%(unit)s」已退出联盟。") % {"unit": membership.unit})
        return redirect("units:alliance_detail", public_id=alliance.public_id)
    return render(
        request, "units/alliance_remove.html", {"alliance": alliance, "membership": membership, "active_nav": "units"}
    )
