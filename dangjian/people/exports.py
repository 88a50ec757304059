"""Excel exports of the people lists: their columns, and the export views (served under
/imports/export/, registered with the import engine). Each reads through visible_to() or the
list's own filter parser, masks personal data unless full values are asked for, and is audited
by export_response."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from dangjian.core.db import replica_view
from dangjian.core.scoping import prefix_q
from dangjian.core.views import require_roles
from dangjian.imports import registry
from dangjian.imports.exports import ExportColumn, date_text, export_response, label, name_of, wants_full_values
from dangjian.orgs.models import PartyOrg

from .filters import MemberFilter, ResidentFilter, given
from .models import Liaison, Member, MemberStatus
from .permissions import LIAISON_ROLES, MEMBER_ROLES, RESIDENT_ROLES

MEMBER_COLUMNS = [
    ExportColumn(gettext_lazy("姓名"), lambda m: m.name, width=10),
    ExportColumn(gettext_lazy("性别"), lambda m: label(m, "sex") if m.sex else "", width=6),
    ExportColumn(gettext_lazy("出生日期"), lambda m: m.birth_date, width=12),
    ExportColumn(gettext_lazy("身份证号"), lambda m: m.id_number or "", personal="citizen_id", width=22),
    ExportColumn(gettext_lazy("手机号"), lambda m: m.mobile, personal="mobile", width=14),
    ExportColumn(gettext_lazy("党员类别"), lambda m: label(m, "category"), width=10),
    ExportColumn(gettext_lazy("入党日期"), lambda m: m.joined_on, width=12),
    ExportColumn(gettext_lazy("转正日期"), lambda m: m.confirmed_on, width=12),
    ExportColumn(gettext_lazy("状态"), lambda m: label(m, "status"), width=8),
    ExportColumn(gettext_lazy("所在党组织"), lambda m: name_of(m.org), width=26),
    ExportColumn(gettext_lazy("居住社区"), lambda m: name_of(m.home_community)),
    ExportColumn(gettext_lazy("居住小区"), lambda m: name_of(m.home_estate)),
    ExportColumn(gettext_lazy("工作单位"), lambda m: name_of(m.workplace), width=22),
    # What the member import's 更新 mode matches on when the ID number is masked.
    ExportColumn(gettext_lazy("记录编号"), lambda m: str(m.public_id), width=38),
]

RESIDENT_COLUMNS = [
    ExportColumn(gettext_lazy("社区"), lambda r: r.household.building.community.name),
    ExportColumn(gettext_lazy("小区"), lambda r: name_of(r.household.building.estate)),
    ExportColumn(gettext_lazy("楼栋"), lambda r: r.household.building.name, width=10),
    ExportColumn(gettext_lazy("门牌/房号"), lambda r: r.household.room, width=12),
    ExportColumn(gettext_lazy("姓名"), lambda r: r.name, width=10),
    ExportColumn(gettext_lazy("电话"), lambda r: r.mobile, personal="mobile"),
    ExportColumn(gettext_lazy("标签"), lambda r: "、".join(r.tag_labels), width=22),
    ExportColumn(gettext_lazy("记录编号"), lambda r: str(r.public_id), width=38),
]

LIAISON_COLUMNS = [
    ExportColumn(gettext_lazy("领导姓名"), lambda x: x.leader_name, width=10),
    ExportColumn(gettext_lazy("职务"), lambda x: x.post, width=24),
    ExportColumn(gettext_lazy("层级"), lambda x: x.get_level_display(), width=8),
    ExportColumn(gettext_lazy("包联对象"), lambda x: str(x.area or x.estate), width=20),
    ExportColumn(gettext_lazy("起始日期"), lambda x: date_text(x.since), width=12),
    ExportColumn(gettext_lazy("状态"), lambda x: _("在岗") if x.is_active else _("已结束"), width=8),
]


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


TRANSFER_COLUMNS = [
    ExportColumn(gettext_lazy("时间"), lambda t: _local(t.at), width=17),
    ExportColumn(gettext_lazy("党员姓名"), lambda t: t.member.name, width=10),
    ExportColumn(gettext_lazy("身份证号"), lambda t: t.member.id_number or "", personal="citizen_id", width=22),
    ExportColumn(gettext_lazy("转出组织"), lambda t: t.from_org.name if t.from_org_id else _("组织关系不明"), width=26),
    ExportColumn(gettext_lazy("转入组织"), lambda t: t.to_org.name if t.to_org_id else "", width=26),
    ExportColumn(gettext_lazy("转接原因"), lambda t: t.reason, width=24),
    ExportColumn(gettext_lazy("经办人"), lambda t: str(t.actor) if t.actor_id else "", width=12),
]


def member_rows(qs: QuerySet) -> QuerySet:
    return qs.select_related("org", "home_community", "home_estate", "workplace")


def resident_rows(qs: QuerySet) -> QuerySet:
    return qs.select_related("household__building__community", "household__building__estate").order_by(
        "household__building__community__path",
        "household__building__estate__name",
        "household__building__name",
        "household__room",
        "pk",
    )


@require_roles(MEMBER_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_members(request):
    """The member list (people:member_list) with its filters, all pages."""
    filters = MemberFilter.parse(request.user, request.GET, strict=True)
    return export_response(
        request=request,
        queryset_or_rows=member_rows(filters.members(request.user)),
        columns=MEMBER_COLUMNS,
        filename=_("党员"),
        actor=request.user,
        object_type="people.member",
        masked=not wants_full_values(request),
        filters=given(request.GET, MemberFilter.NAMES),
    )


@require_roles(RESIDENT_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_residents(request):
    """The household register (people:resident_home) with its filters."""
    filters = ResidentFilter.parse(request.GET)
    return export_response(
        request=request,
        queryset_or_rows=resident_rows(filters.residents(request.user)),
        columns=RESIDENT_COLUMNS,
        filename=_("居民"),
        actor=request.user,
        object_type="people.resident",
        masked=not wants_full_values(request),
        filters=given(request.GET, ResidentFilter.NAMES),
    )


@require_roles(MEMBER_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_floating(request):
    """Floating and pocket members, of one organization's subtree when ?org= is given."""
    members = Member.objects.visible_to(request.user).filter(status__in=[MemberStatus.FLOATING, MemberStatus.POCKET])
    filters = {}
    if request.GET.get("org"):
        org = cast(PartyOrg, PartyOrg.objects.get_for_user(request.user, request.GET["org"]))
        members = members.filter(prefix_q("org__path", org.path))
        filters["org"] = org.name
    return export_response(
        request=request,
        queryset_or_rows=member_rows(members.order_by("org__path", "name")),
        columns=MEMBER_COLUMNS,
        filename=_("流动和口袋党员"),
        actor=request.user,
        object_type="people.member",
        masked=not wants_full_values(request),
        filters=filters,
    )


@require_roles(LIAISON_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_liaisons(request):
    liaisons = (
        Liaison.objects.visible_to(request.user).select_related("area", "estate").order_by("level", "leader_name")
    )
    return export_response(
        request=request,
        queryset_or_rows=liaisons,
        columns=LIAISON_COLUMNS,
        filename=_("包联"),
        actor=request.user,
        object_type="people.liaison",
    )


registry.register_export(
    "export/members/",
    export_members,
    "export_members",
    label=gettext_lazy("党员"),
    roles=MEMBER_ROLES,
    personal=True,
    position=10,
)
registry.register_export(
    "export/residents/",
    export_residents,
    "export_residents",
    label=gettext_lazy("居民"),
    roles=RESIDENT_ROLES,
    personal=True,
    position=20,
)
registry.register_export("export/floating/", export_floating, "export_floating")
registry.register_export("export/liaisons/", export_liaisons, "export_liaisons")
