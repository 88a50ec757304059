"""Excel exports of the smaller lists of the people-and-units pages (liaisons, floating and
pocket members, adjunct members, alliance members, those who should register and have not), and
the columns of the exports whose views sit beside their pages (organization transfers, blank
spots, a community's documents, the registration summary), which read the page's own filters.

Each reads through visible_to() or a scoped selector, masks personal data, and is audited by
export_response like the main exports in views.py.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from dangjian.accounts.roles import Role
from dangjian.core.scoping import prefix_q
from dangjian.core.views import require_roles
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Liaison, Member, MemberStatus
from dangjian.people.selectors import LIAISON_ROLES, MEMBER_ROLES
from dangjian.registration import selectors as registration_selectors
from dangjian.territory.models import Area, Level
from dangjian.units import selectors as unit_selectors
from dangjian.units.models import AdjunctMember, AllianceMembership

from . import exports
from .exports import ExportColumn, export_response

MANAGERS = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})


def _date(value) -> str:
    return value.isoformat() if value else ""


@require_roles(MEMBER_ROLES)
@require_http_methods(["GET", "POST"])
def export_floating(request):
    """Floating and pocket members, of one organization's subtree when ?org= is given."""
    members = Member.objects.visible_to(request.user).filter(status__in=[MemberStatus.FLOATING, MemberStatus.POCKET])
    filters = {}
    if request.GET.get("org"):
        org = PartyOrg.objects.get_for_user(request.user, request.GET["org"])
        members = members.filter(prefix_q("org__path", org.path))
        filters["org"] = org.name
    return export_response(
        request=request,
        queryset_or_rows=exports.member_rows(members.order_by("org__path", "name")),
        columns=exports.MEMBER_COLUMNS,
        filename=_("流动和口袋党员"),
        actor=request.user,
        object_type="people.member",
        masked=not exports.wants_full_values(request),
        filters=filters,
    )


LIAISON_COLUMNS = [
    ExportColumn(gettext_lazy("领导姓名"), lambda x: x.leader_name, width=10),
    ExportColumn(gettext_lazy("职务"), lambda x: x.post, width=24),
    ExportColumn(gettext_lazy("层级"), lambda x: x.get_level_display(), width=8),
    ExportColumn(gettext_lazy("包联对象"), lambda x: str(x.area or x.estate), width=20),
    ExportColumn(gettext_lazy("起始日期"), lambda x: _date(x.since), width=12),
    ExportColumn(gettext_lazy("状态"), lambda x: _("在岗") if x.is_active else _("已结束"), width=8),
]


@require_roles(LIAISON_ROLES)
@require_http_methods(["GET", "POST"])
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


ADJUNCT_COLUMNS = [
    ExportColumn(gettext_lazy("大党委/大工委"), lambda a: a.committee.name, width=22),
    ExportColumn(gettext_lazy("姓名"), lambda a: a.name, width=10),
    ExportColumn(gettext_lazy("来自"), lambda a: a.source_name, width=26),
    ExportColumn(gettext_lazy("职务"), lambda a: a.post, width=16),
    ExportColumn(gettext_lazy("任职日期"), lambda a: _date(a.since), width=12),
    ExportColumn(gettext_lazy("状态"), lambda a: _("在任") if a.is_active else _("已卸任"), width=8),
]


@require_roles(MANAGERS)
@require_http_methods(["GET", "POST"])
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


ALLIANCE_COLUMNS = [
    ExportColumn(gettext_lazy("党建联盟"), lambda m: m.alliance.name, width=24),
    ExportColumn(gettext_lazy("牵头党组织"), lambda m: m.alliance.lead_org.name, width=22),
    ExportColumn(gettext_lazy("成员单位"), lambda m: m.unit.name, width=26),
    ExportColumn(gettext_lazy("加入日期"), lambda m: _date(m.joined_on), width=12),
    ExportColumn(gettext_lazy("共建约定"), lambda m: m.covenant, width=40),
]


@require_roles(MANAGERS)
@require_http_methods(["GET", "POST"])
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


UNREGISTERED_MEMBER_COLUMNS = [
    ExportColumn(gettext_lazy("姓名"), lambda m: m.name, width=10),
    ExportColumn(gettext_lazy("手机号"), lambda m: m.mobile, personal="mobile"),
    ExportColumn(gettext_lazy("所在党组织"), lambda m: m.org.name if m.org_id else "", width=26),
    ExportColumn(gettext_lazy("工作单位"), lambda m: m.workplace.name if m.workplace_id else "", width=24),
]
UNREGISTERED_UNIT_COLUMNS = [
    ExportColumn(gettext_lazy("单位"), lambda u: u.name, width=26),
    ExportColumn(gettext_lazy("类型"), lambda u: u.get_kind_display(), width=12),
    ExportColumn(gettext_lazy("党组织"), lambda u: u.party_org.name if u.party_org_id else "", width=26),
]


@require_roles(MANAGERS)
@require_http_methods(["GET", "POST"])
def export_unregistered(request, public_id):
    """应报未报 of a community: in-service members living there, or (?tab=units) its units' organizations."""
    community = Area.objects.get_for_user(request.user, public_id, level=Level.COMMUNITY)
    if request.GET.get("tab") == "units":
        rows = registration_selectors.unregistered_units(community).select_related("party_org")
        columns, what = UNREGISTERED_UNIT_COLUMNS, _("应报未报单位")
    else:
        rows = registration_selectors.unregistered_members(community).select_related("org", "workplace")
        columns, what = UNREGISTERED_MEMBER_COLUMNS, _("应报未报党员")
    return export_response(
        request=request,
        queryset_or_rows=rows,
        columns=columns,
        filename=f"{community.name}{what}",
        actor=request.user,
        object_type="registration.unregistered",
        filters={"community": community.name, "date": timezone.localdate().isoformat()},
        area_path=community.path,
    )


# -- columns of the exports served from the pages' own apps --------------------------------------------


def _local(value) -> str:
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

BLANK_SPOT_COLUMNS = [
    ExportColumn(gettext_lazy("单位"), lambda u: u.name, width=28),
    ExportColumn(gettext_lazy("类型"), lambda u: u.get_kind_display(), width=12),
    ExportColumn(gettext_lazy("统一社会信用代码"), lambda u: u.credit_code, width=22),
    ExportColumn(gettext_lazy("所在社区"), lambda u: u.community.name),
    ExportColumn(gettext_lazy("从业人员数"), lambda u: u.staff_count, width=10),
    ExportColumn(gettext_lazy("党员人数"), lambda u: u.eff_members, width=10),
    ExportColumn(gettext_lazy("原因"), lambda u: "；".join(unit_selectors.blank_reasons(u)), width=50),
]

DOCUMENT_COLUMNS = [
    ExportColumn(gettext_lazy("社区"), lambda d: d.community.name),
    ExportColumn(gettext_lazy("标题"), lambda d: d.title, width=30),
    ExportColumn(gettext_lazy("发布日期"), lambda d: _date(d.published_on), width=12),
    ExportColumn(gettext_lazy("内容"), lambda d: d.body, width=50),
    ExportColumn(gettext_lazy("链接"), lambda d: d.link, width=30),
]


def _share(value) -> float | str:
    return value if value is not None else ""


SUMMARY_COLUMNS = [
    ExportColumn(gettext_lazy("街道"), lambda r: r.subdistrict.name if r.subdistrict is not None else ""),
    ExportColumn(gettext_lazy("社区"), lambda r: r.community_label, width=16),
    ExportColumn(gettext_lazy("应报到党员"), lambda r: r.members_due, width=11),
    ExportColumn(gettext_lazy("已报到党员"), lambda r: r.members_done, width=11),
    ExportColumn(gettext_lazy("应报未报党员"), lambda r: max(r.members_due - r.members_done, 0), width=12),
    ExportColumn(gettext_lazy("党员报到率(%)"), lambda r: _share(r.members_share), width=13),
    ExportColumn(gettext_lazy("党员待确认"), lambda r: r.members_pending, width=11),
    ExportColumn(gettext_lazy("应报到单位"), lambda r: r.units_due, width=11),
    ExportColumn(gettext_lazy("已报到单位"), lambda r: r.units_done, width=11),
    ExportColumn(gettext_lazy("应报未报单位"), lambda r: max(r.units_due - r.units_done, 0), width=12),
    ExportColumn(gettext_lazy("单位报到率(%)"), lambda r: _share(r.units_share), width=13),
    ExportColumn(gettext_lazy("单位待确认"), lambda r: r.units_pending, width=11),
]
