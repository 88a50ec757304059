"""Excel exports: one helper every list page uses, and the exports of the main lists.

`export_response` writes the rows the caller passes (a visible_to() queryset: the helper does
not widen or narrow scope) into a write-only workbook spooled to a temporary file, reading the
queryset with iterator() so memory stays flat, masks personal data unless full values are asked
for (by POST) and the role may see them, and records one 导出 audit row with the filters and
the row count.
"""

from __future__ import annotations

import operator
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dangjian.accounts.roles import Role, active_assignment, active_role
from dangjian.audit import changes as audit_changes
from dangjian.audit.services import Action, audit_record
from dangjian.core import excel
from dangjian.core.text import mask_mobile
from dangjian.core.tree import ancestor_paths
from dangjian.core.validators import mask_citizen_id
from dangjian.core.views import client_ip
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Household, Member, Resident
from dangjian.territory.models import Area, Building, Estate, Level
from dangjian.units.models import ResidentUnit

from .conf import setting

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Roles whose work needs full ID numbers and mobiles; they still get masked values unless they ask.
FULL_VALUE_ROLES = {Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER}
MASKS: dict[str, Callable[[str], str]] = {"citizen_id": mask_citizen_id, "mobile": mask_mobile}


@dataclass(frozen=True)
class ExportColumn:
    header: Any  # str or a lazy translation
    value: Callable[[Any], Any]
    personal: str = ""  # "citizen_id" or "mobile": masked unless full values are allowed
    width: int = 14


class ExportTooLarge(Exception):
    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


def may_see_full_values(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or active_role(user) in FULL_VALUE_ROLES


def wants_full_values(request: HttpRequest) -> bool:
    """Full values are asked for by POST (a deliberate step, like revealing one value)."""
    return request.method == "POST" and request.POST.get("full") == "1"


def _scope_path(user: Any) -> str:
    assignment = active_assignment(user)
    return assignment.area.path if assignment is not None and assignment.area is not None else ""


def export_response(
    *,
    request: HttpRequest,
    queryset_or_rows: QuerySet | Iterable[Any],
    columns: list[ExportColumn],
    filename: str,
    actor: Any,
    object_type: str,
    masked: bool = True,
    filters: dict[str, Any] | None = None,
    area_path: str | None = None,
) -> HttpResponseBase:
    """An .xlsx of `queryset_or_rows` (already scoped by the caller), audited as one export."""
    full = not masked and may_see_full_values(actor)
    rows: Iterable[Any]
    if isinstance(queryset_or_rows, QuerySet):
        total = queryset_or_rows.count()
        if total > setting("EXPORT_MAX_ROWS"):
            return render(
                request,
                "imports/export_too_large.html",
                {"count": total, "limit": setting("EXPORT_MAX_ROWS"), "active_nav": "imports"},
                status=400,
            )
        rows = queryset_or_rows.iterator(chunk_size=2000)
    else:
        rows = queryset_or_rows
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(filename[:31])
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    header = []
    for column in columns:
        cell = excel.cell(ws, str(column.header))
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    count = 0
    for obj in rows:
        values = []
        for column in columns:
            value = column.value(obj)
            if column.personal and not full:
                value = MASKS[column.personal](value or "")
            values.append(excel.cell(ws, value))
        ws.append(values)
        count += 1
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - returned to the caller, closed by the response
    wb.save(out)
    out.seek(0)
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        object_type=object_type,
        object_repr=_("导出%(what)s %(n)s 条") % {"what": filename, "n": count},
        changes={"filters": filters or {}, "rows": count, "masked": not full},
        area_path=_scope_path(actor) if area_path is None else area_path,
        ip=client_ip(request),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(out, as_attachment=True, filename=f"{filename}-{stamp}.xlsx", content_type=XLSX)


# -- the columns of each list ----------------------------------------------------------------------
def _label(obj: Any, field: str) -> str:
    return str(getattr(obj, f"get_{field}_display")())


def _name(obj: Any) -> str:
    return obj.name if obj is not None else ""


MEMBER_COLUMNS = [
    ExportColumn(gettext_lazy("姓名"), lambda m: m.name, width=10),
    ExportColumn(gettext_lazy("性别"), lambda m: _label(m, "sex") if m.sex else "", width=6),
    ExportColumn(gettext_lazy("出生日期"), lambda m: m.birth_date, width=12),
    ExportColumn(gettext_lazy("身份证号"), lambda m: m.id_number or "", personal="citizen_id", width=22),
    ExportColumn(gettext_lazy("手机号"), lambda m: m.mobile, personal="mobile", width=14),
    ExportColumn(gettext_lazy("党员类别"), lambda m: _label(m, "category"), width=10),
    ExportColumn(gettext_lazy("入党日期"), lambda m: m.joined_on, width=12),
    ExportColumn(gettext_lazy("转正日期"), lambda m: m.confirmed_on, width=12),
    ExportColumn(gettext_lazy("状态"), lambda m: _label(m, "status"), width=8),
    ExportColumn(gettext_lazy("所在党组织"), lambda m: _name(m.org), width=26),
    ExportColumn(gettext_lazy("居住社区"), lambda m: _name(m.home_community)),
    ExportColumn(gettext_lazy("居住小区"), lambda m: _name(m.home_estate)),
    ExportColumn(gettext_lazy("工作单位"), lambda m: _name(m.workplace), width=22),
    # What the member import's 更新 mode matches on when the ID number is masked.
    ExportColumn(gettext_lazy("记录编号"), lambda m: str(m.public_id), width=38),
]

RESIDENT_COLUMNS = [
    ExportColumn(gettext_lazy("社区"), lambda r: r.household.building.community.name),
    ExportColumn(gettext_lazy("小区"), lambda r: _name(r.household.building.estate)),
    ExportColumn(gettext_lazy("楼栋"), lambda r: r.household.building.name, width=10),
    ExportColumn(gettext_lazy("门牌/房号"), lambda r: r.household.room, width=12),
    ExportColumn(gettext_lazy("姓名"), lambda r: r.name, width=10),
    ExportColumn(gettext_lazy("电话"), lambda r: r.mobile, personal="mobile"),
    ExportColumn(gettext_lazy("标签"), lambda r: "、".join(r.tag_labels), width=22),
    ExportColumn(gettext_lazy("记录编号"), lambda r: str(r.public_id), width=38),
]


def _formation(unit: Any) -> str:
    """The unit list's formation annotation (单独组建 / 联合组建 / 未组建), as that list labels it."""
    from dangjian.units.selectors import formation_choices

    return str(dict(formation_choices()).get(getattr(unit, "formation", ""), ""))


UNIT_COLUMNS = [
    ExportColumn(gettext_lazy("名称"), lambda u: u.name, width=28),
    ExportColumn(gettext_lazy("类型"), lambda u: _label(u, "kind"), width=12),
    ExportColumn(gettext_lazy("统一社会信用代码"), lambda u: u.credit_code, width=22),
    ExportColumn(gettext_lazy("所在社区"), lambda u: u.community.name),
    ExportColumn(gettext_lazy("地址"), lambda u: u.address, width=28),
    ExportColumn(gettext_lazy("从业人员数"), lambda u: u.staff_count, width=10),
    ExportColumn(gettext_lazy("党员人数"), lambda u: u.member_count, width=10),
    ExportColumn(gettext_lazy("组建方式"), _formation, width=10),
    ExportColumn(gettext_lazy("所属党组织"), lambda u: _name(u.party_org), width=24),
    ExportColumn(gettext_lazy("党建指导员"), lambda u: u.instructor, width=10),
    ExportColumn(gettext_lazy("记录编号"), lambda u: str(u.public_id), width=38),
]

AUDIT_COLUMNS = [
    ExportColumn(gettext_lazy("时间"), lambda e: e.at, width=20),
    ExportColumn(gettext_lazy("操作人"), lambda e: e.actor_name, width=12),
    ExportColumn(gettext_lazy("角色"), lambda e: e.role_label, width=14),
    ExportColumn(gettext_lazy("操作"), lambda e: _label(e, "action"), width=10),
    ExportColumn(gettext_lazy("对象类型"), lambda e: e.object_type, width=18),
    ExportColumn(gettext_lazy("对象"), lambda e: e.object_repr, width=28),
    ExportColumn(gettext_lazy("变更"), audit_changes.as_text, width=60),
    ExportColumn(gettext_lazy("IP"), lambda e: e.ip or "", width=16),
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


def unit_rows(qs: QuerySet) -> QuerySet:
    return qs.select_related("community", "party_org")


def audit_rows(qs: QuerySet) -> QuerySet:
    return qs.order_by("-at", "-pk")


# -- the territory tree with counts ------------------------------------------------------------------
TERRITORY_COUNTS = [
    ("grids", gettext_lazy("网格数")),
    ("estates", gettext_lazy("小区数")),
    ("buildings", gettext_lazy("楼栋数")),
    ("households", gettext_lazy("住户数")),
    ("residents", gettext_lazy("居民数")),
    ("orgs", gettext_lazy("党组织数")),
    ("members", gettext_lazy("党员数")),
    ("units", gettext_lazy("驻区单位数")),
]


def territory_rows(user: Any) -> list[dict[str, Any]]:
    """Every node the user sees, root first, with what lies under it (only what they may see).

    A dozen grouped queries whatever the size: counts are taken per community (or per grid, or
    per anchoring node) and added up the tree in memory.
    """
    areas = list(
        Area.objects.visible_to(user).order_by("path").values("pk", "path", "level", "name", "code", "parent_id")
    )
    if not areas:
        return []
    by_pk = {a["pk"]: a for a in areas}
    names = {a["path"]: a["name"] for a in areas}
    top_ancestors = {p for a in areas for p in ancestor_paths(a["path"]) if p not in names}
    names.update(Area.objects.filter(path__in=sorted(top_ancestors)).values_list("path", "name"))
    rolled: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    own: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def roll(metric: str, counts: Iterable[tuple[int | None, int]]) -> None:
        for pk, n in counts:
            area = by_pk.get(pk) if pk is not None else None
            if area is None:
                continue
            for path in [*ancestor_paths(area["path"]), area["path"]]:
                rolled[path][metric] += n

    def grouped(qs: QuerySet, field: str) -> list[tuple[int | None, int]]:
        return list(qs.order_by().values_list(field).annotate(n=Count("pk")))

    roll("grids", [(a["pk"], 1) for a in areas if a["level"] == Level.GRID])
    roll("estates", grouped(Estate.objects.visible_to(user), "community_id"))
    roll("buildings", grouped(Building.objects.visible_to(user), "community_id"))
    roll("households", grouped(Household.objects.visible_to(user), "building__community_id"))
    roll("residents", grouped(Resident.objects.visible_to(user), "household__building__community_id"))
    roll("orgs", grouped(PartyOrg.objects.visible_to(user), "area_id"))
    roll("members", grouped(Member.objects.visible_to(user).filter(org__isnull=False), "org__area_id"))
    roll("members", grouped(Member.objects.visible_to(user).filter(org__isnull=True), "home_community_id"))
    roll("units", grouped(ResidentUnit.objects.visible_to(user), "community_id"))
    # A grid's own figures: what lies in it (estates may lie in several grids).
    through = Estate.grids.through.objects.filter(area_id__in=[a["pk"] for a in areas if a["level"] == Level.GRID])
    for pk, n in through.order_by().values_list("area_id").annotate(n=Count("pk")):
        own[pk]["estates"] = n
    for metric, qs, field in (
        ("buildings", Building.objects.visible_to(user), "grid_id"),
        ("households", Household.objects.visible_to(user), "building__grid_id"),
        ("residents", Resident.objects.visible_to(user), "household__building__grid_id"),
    ):
        for pk, n in grouped(qs.filter(**{f"{field}__isnull": False}), field):
            if pk is not None:
                own[pk][metric] = n
    out = []
    for area in areas:
        counts = own[area["pk"]] if area["level"] == Level.GRID else rolled[area["path"]]
        if area["level"] == Level.GRID:
            counts["grids"] = 1
            for metric in ("orgs", "members", "units"):
                counts[metric] = rolled[area["path"]][metric]
        out.append(
            {
                "level": str(Level(area["level"]).label),
                "name": area["name"],
                "above": "/".join(names.get(p, "") for p in ancestor_paths(area["path"])),
                "code": area["code"],
                **{metric: counts.get(metric, 0) for metric, _label in TERRITORY_COUNTS},
            }
        )
    return out


TERRITORY_COLUMNS = [
    ExportColumn(gettext_lazy("层级"), lambda r: r["level"], width=8),
    ExportColumn(gettext_lazy("名称"), lambda r: r["name"], width=24),
    ExportColumn(gettext_lazy("上级"), lambda r: r["above"], width=30),
    ExportColumn(gettext_lazy("区划代码"), lambda r: r["code"], width=14),
    *[ExportColumn(label, operator.itemgetter(metric), width=10) for metric, label in TERRITORY_COUNTS],
]
