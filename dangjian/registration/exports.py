"""Excel exports of the registration pages: their columns, and the 应报未报 export (served under
/imports/export/unregistered/, registered with the import engine). The summary and document
exports are served by views.py beside their pages, with these columns."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from dangjian.accounts.roles import MANAGER_ROLES
from dangjian.core.db import replica_view
from dangjian.core.views import require_roles
from dangjian.imports import registry
from dangjian.imports.exports import ExportColumn, date_text, export_response
from dangjian.territory.models import Area, Level

from . import selectors

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

DOCUMENT_COLUMNS = [
    ExportColumn(gettext_lazy("社区"), lambda d: d.community.name),
    ExportColumn(gettext_lazy("标题"), lambda d: d.title, width=30),
    ExportColumn(gettext_lazy("发布日期"), lambda d: date_text(d.published_on), width=12),
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


@require_roles(MANAGER_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_unregistered(request, public_id):
    """应报未报 of a community: in-service members living there, or (?tab=units) its units' organizations."""
    community = Area.objects.get_for_user(request.user, public_id, level=Level.COMMUNITY)
    if request.GET.get("tab") == "units":
        rows = selectors.unregistered_units(community).select_related("party_org")
        columns, what = UNREGISTERED_UNIT_COLUMNS, _("应报未报单位")
    else:
        rows = selectors.unregistered_members(community).select_related("org", "workplace")
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


registry.register_export("export/unregistered/<uuid:public_id>/", export_unregistered, "export_unregistered")
