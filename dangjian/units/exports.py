"""Excel exports of the units lists: their columns, and the export views (served under
/imports/export/, registered with the import engine). Each reads through visible_to() or the
list's own filter parser and is audited by export_response."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from dangjian.core.db import replica_view
from dangjian.core.views import require_roles
from dangjian.imports import registry
from dangjian.imports.exports import ExportColumn, date_text, export_response, label, name_of

from . import coverage as unit_coverage
from . import selectors
from .filters import UnitFilter
from .models import AdjunctMember, AllianceMembership
from .permissions import UNIT_ROLES


def _formation(unit: Any) -> str:
    """The unit list's formation annotation (单独组建 / 联合组建 / 未组建), as that list labels it."""
    return str(dict(selectors.formation_choices()).get(getattr(unit, "formation", ""), ""))


UNIT_COLUMNS = [
    ExportColumn(gettext_lazy("名称"), lambda u: u.name, width=28),
    ExportColumn(gettext_lazy("类型"), lambda u: label(u, "kind"), width=12),
    ExportColumn(gettext_lazy("统一社会信用代码"), lambda u: u.credit_code, width=22),
    ExportColumn(gettext_lazy("所在社区"), lambda u: u.community.name),
    ExportColumn(gettext_lazy("地址"), lambda u: u.address, width=28),
    ExportColumn(gettext_lazy("从业人员数"), lambda u: u.staff_count, width=10),
    ExportColumn(gettext_lazy("党员人数"), lambda u: u.member_count, width=10),
    ExportColumn(gettext_lazy("组建方式"), _formation, width=10),
    ExportColumn(gettext_lazy("所属党组织"), lambda u: name_of(u.party_org), width=24),
    ExportColumn(gettext_lazy("党建指导员"), lambda u: u.instructor, width=10),
    ExportColumn(gettext_lazy("记录编号"), lambda u: str(u.public_id), width=38),
]

ADJUNCT_COLUMNS = [
    ExportColumn(gettext_lazy("大党委/大工委"), lambda a: a.committee.name, width=22),
    ExportColumn(gettext_lazy("姓名"), lambda a: a.name, width=10),
    ExportColumn(gettext_lazy("来自"), lambda a: a.source_name, width=26),
    ExportColumn(gettext_lazy("职务"), lambda a: a.post, width=16),
    ExportColumn(gettext_lazy("任职日期"), lambda a: date_text(a.since), width=12),
    ExportColumn(gettext_lazy("状态"), lambda a: _("在任") if a.is_active else _("已卸任"), width=8),
]

ALLIANCE_COLUMNS = [
    ExportColumn(gettext_lazy("党建联盟"), lambda m: m.alliance.name, width=24),
    ExportColumn(gettext_lazy("牵头党组织"), lambda m: m.alliance.lead_org.name, width=22),
    ExportColumn(gettext_lazy("成员单位"), lambda m: m.unit.name, width=26),
    ExportColumn(gettext_lazy("加入日期"), lambda m: date_text(m.joined_on), width=12),
    ExportColumn(gettext_lazy("共建约定"), lambda m: m.covenant, width=40),
]

BLANK_SPOT_COLUMNS = [
    ExportColumn(gettext_lazy("单位"), lambda u: u.name, width=28),
    ExportColumn(gettext_lazy("类型"), lambda u: u.get_kind_display(), width=12),
    ExportColumn(gettext_lazy("统一社会信用代码"), lambda u: u.credit_code, width=22),
    ExportColumn(gettext_lazy("所在社区"), lambda u: u.community.name),
    ExportColumn(gettext_lazy("从业人员数"), lambda u: u.staff_count, width=10),
    ExportColumn(gettext_lazy("党员人数"), lambda u: u.eff_members, width=10),
    ExportColumn(gettext_lazy("原因"), lambda u: "；".join(unit_coverage.blank_reasons(u)), width=50),
]


def unit_rows(qs: QuerySet) -> QuerySet:
    return qs.select_related("community", "party_org")


@require_roles(UNIT_ROLES)  # as units:list (a unit contact sees only their own unit's page)
@replica_view
def export_units(request):
    """The unit list (units:list) with its filters, all pages."""
    filters = UnitFilter.parse(request.user, request.GET)
    return export_response(
        request=request,
        queryset_or_rows=unit_rows(filters.units(request.user)),
        columns=UNIT_COLUMNS,
        filename=_("驻区单位"),
        actor=request.user,
        object_type="units.residentunit",
        filters=filters.given(request.GET),
    )


@require_roles(UNIT_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_adjuncts(request):
    adjuncts = AdjunctMember.objects.visible_to(request.user).select_related("committee", "unit", "department")
    return export_response(
        request=request,
        queryset_or_rows=adjuncts.order_by("committee__path", "name"),
        columns=ADJUNCT_COLUMNS,
        filename=_("兼职委员"),
        actor=request.user,
        object_type="units.adjunctmember",
    )


@require_roles(UNIT_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_alliances(request):
    memberships = AllianceMembership.objects.visible_to(request.user).select_related("alliance__lead_org", "unit")
    return export_response(
        request=request,
        queryset_or_rows=memberships.order_by("alliance__name", "unit__name"),
        columns=ALLIANCE_COLUMNS,
        filename=_("党建联盟成员单位"),
        actor=request.user,
        object_type="units.alliancemembership",
    )


registry.register_export(
    "export/units/", export_units, "export_units", label=gettext_lazy("驻区单位"), roles=UNIT_ROLES, position=30
)
registry.register_export("export/adjuncts/", export_adjuncts, "export_adjuncts")
registry.register_export("export/alliances/", export_alliances, "export_alliances")
