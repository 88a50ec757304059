"""The member and resident importers: what each Excel column holds, how a row is checked, and which
people service writes the rows. The rules themselves live once in the people app (validators,
services); the import engine (dangjian.imports) reads the sheet and reports problems by row and column."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.roles import Role
from dangjian.core.scoping import Scope
from dangjian.core.tree import ancestor_paths
from dangjian.core.validators import citizen_id_birth_date
from dangjian.imports.conf import setting
from dangjian.imports.engine import CODE_COLUMN, Importer, Writer
from dangjian.imports.models import ImportMode
from dangjian.imports.resolvers import (
    Candidate,
    NameResolver,
    apply_resolved,
    chunked,
    community_resolver,
    estates_by_name,
    lookup_chunks,
    scoped,
    value_in,
)
from dangjian.imports.rows import Column, Problems, RowReader
from dangjian.imports.workbook import split_list
from dangjian.orgs.models import OrgType, PartyOrg
from dangjian.territory.models import Area, Building, Level
from dangjian.units.importers import unit_resolver
from dangjian.units.models import ResidentUnit

from .models import Household, Member, MemberCategory, MemberStatus, Resident, ResidentTag
from .services import members as member_services
from .services import residents as resident_services
from .validators import MIN_JOIN_AGE, dates_errors, org_missing_error

# Plain strings (the choices' values), not the enum members: the check keeps every parsed row
# (pickled, ImportUpload.parsed_rows) and an enum member costs a constructor call per row to load.
MEMBER_CATEGORY = {"正式党员": MemberCategory.FULL.value, "正式": MemberCategory.FULL.value}
MEMBER_CATEGORY |= {"预备党员": MemberCategory.PROBATIONARY.value, "预备": MemberCategory.PROBATIONARY.value}
MEMBER_STATUS = {
    "在职": MemberStatus.IN_SERVICE.value,
    "退休": MemberStatus.RETIRED.value,
    "流动": MemberStatus.FLOATING.value,
    "流动党员": MemberStatus.FLOATING.value,
    "口袋": MemberStatus.POCKET.value,
    "口袋党员": MemberStatus.POCKET.value,
}
MEMBER_LINKS = ("org", "workplace", "home_community", "home_estate")
MEMBER_OWN = ("name", "category", "joined_on", "confirmed_on", "status", "mobile", "id_number")
# Groups and hub households sit inside a branch; a member's relationship is held by the branch.
NOT_HOLDING_TYPES = {OrgType.PARTY_GROUP, OrgType.BUILDING_GROUP, OrgType.HUB_HOUSEHOLD}


class MemberImporter(Importer):
    kind = "members"
    position = 10
    title = "党员"
    label = gettext_lazy("党员")
    allowed_roles = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})
    columns = [
        Column("name", "姓名", True, "最多 50 字", width=10, examples=("【示例】张三", "【示例】李四")),
        Column(
            "id_number",
            "身份证号",
            True,
            "18 位居民身份证号，末位可为 X；校验位和出生日期都会核对。请保持“文本”格式",
            kind="citizen_id",
            width=22,
            aliases=("身份证号码", "公民身份号码"),
            examples=("44040219800101001X", "440402199203150023"),
        ),
        Column(
            "mobile",
            "手机号",
            False,
            "11 位手机号",
            kind="mobile",
            width=14,
            aliases=("手机", "联系电话", "电话"),
            examples=("13800138000", ""),
        ),
        Column(
            "category",
            "党员类别",
            True,
            "正式党员 或 预备党员",
            choices=("正式党员", "预备党员"),
            aliases=("类别",),
            examples=("正式党员", "预备党员"),
        ),
        Column(
            "joined_on",
            "入党日期",
            True,
            f"如 2005-07-01、2005/7/1，或 Excel 日期；须年满 {MIN_JOIN_AGE} 周岁",
            kind="date",
            aliases=("入党时间",),
            examples=(datetime.date(2005, 7, 1), datetime.date(2024, 6, 28)),
        ),
        Column(
            "confirmed_on",
            "转正日期",
            False,
            "正式党员可填；预备党员不填",
            kind="date",
            aliases=("转正时间",),
            examples=(datetime.date(2006, 7, 1), ""),
        ),
        Column(
            "status",
            "状态",
            True,
            "在职、退休、流动 或 口袋",
            choices=("在职", "退休", "流动", "口袋"),
            aliases=("党员状态",),
            examples=("在职", "退休"),
        ),
        Column(
            "org",
            "所在党组织",
            False,
            "组织全称，须在您的管辖范围内；重名时写成“上级组织/组织名称”。口袋党员可不填，其余必填",
            width=26,
            aliases=("党组织", "所在支部"),
            examples=("中珠新村小区党支部", "婆石社区大党委/中珠新村小区党支部"),
        ),
        Column("home_community", "居住社区", False, "社区名称；口袋党员未填所在党组织时必填", width=14),
        Column("home_estate", "居住小区", False, "须在所填居住社区内", width=14),
        Column("workplace", "工作单位", False, "驻区单位名称，须在您的管辖范围内；不是驻区单位时留空", width=20),
        CODE_COLUMN,
    ]
    preview_keys = [
        "name",
        "id_number",
        "mobile",
        "category",
        "joined_on",
        "confirmed_on",
        "status",
        "org",
        "home_community",
        "home_estate",
        "workplace",
    ]

    def __init__(self, scope: Scope, mode: str = ImportMode.CREATE):
        super().__init__(scope, mode=mode)
        # Translated once per check, not once per row.
        self.labels = {
            "category": {k: str(v) for k, v in MemberCategory.choices},
            "status": {k: str(v) for k, v in MemberStatus.choices},
        }

    def parse(self, r: RowReader) -> dict[str, Any]:
        row: dict[str, Any] = {
            "name": r.name("name", max_length=50),
            "id_number": r.citizen_id("id_number"),
            "mobile": r.mobile("mobile"),
            "category": r.choice("category", MEMBER_CATEGORY),
            "joined_on": r.date("joined_on"),
            "confirmed_on": r.date("confirmed_on"),
            "status": r.choice("status", MEMBER_STATUS),
            "org": r.text("org", max_length=300),
            "home_community": r.text("home_community", max_length=200),
            "home_estate": r.text("home_estate", max_length=100),
            "workplace": r.text("workplace", max_length=300),
            "code": r.text("code", max_length=40),
        }
        birth = citizen_id_birth_date(row["id_number"]) if row["id_number"] else None
        for field, message in dates_errors(
            category=row["category"], joined_on=row["joined_on"], confirmed_on=row["confirmed_on"], birth_date=birth
        ):
            r.error(field, message)
        if no_org := org_missing_error(row["status"], has_org=bool(row["org"])):
            r.error("org", no_org)
        if row["status"] == MemberStatus.POCKET and not row["org"] and not row["home_community"]:
            r.error("home_community", _("口袋党员未填所在党组织时，请填写居住社区。"))
        if row["home_estate"] and r.blank("home_community"):
            r.error("home_estate", _("填写居住小区时，请同时填写居住社区。"))
        for key in ("category", "status"):
            if row[key]:
                row[f"{key}_label"] = self.labels[key][row[key]]
        return row

    def resolve(self, rows: list[dict[str, Any]], problems: Problems) -> None:
        scope = self.scope
        if self.updating:
            self.match_existing(rows, problems)
        orgs_qs = scoped(PartyOrg, scope)

        def fetch_orgs(names: list[str]) -> Iterable[Candidate]:
            for pk, name, path, area_path, org_type in orgs_qs.filter(name__in=names).values_list(
                "pk", "name", "path", "area__path", "org_type"
            ):
                yield Candidate(pk, name, ancestor_paths(path), {"area_path": area_path, "org_type": org_type})

        orgs = NameResolver(fetch=fetch_orgs, ancestor_model=PartyOrg, noun=_("党组织")).resolve(
            r["org"] for r in rows if r["org"] and not r.get("org_kept")
        )
        communities = community_resolver(scoped(Area, scope)).resolve(
            r["home_community"] for r in rows if r["home_community"] and not r.get("home_community_kept")
        )
        units = unit_resolver(scope).resolve(
            r["workplace"] for r in rows if r["workplace"] and not r.get("workplace_kept")
        )
        for row in rows:
            if org := apply_resolved(problems, row, "org", orgs):
                if org.data["org_type"] in NOT_HOLDING_TYPES:
                    problems.add(
                        row["_row"],
                        "org",
                        row["org"],
                        _("「%(o)s」是%(t)s；党员的组织关系应在党支部、党总支或党委。")
                        % {"o": org.name, "t": OrgType(org.data["org_type"]).label},
                    )
                else:
                    row["org_id"], row["area_path"] = org.pk, org.data["area_path"]
            if community := apply_resolved(problems, row, "home_community", communities):
                row["home_community_id"] = community.pk
                row.setdefault("area_path", community.data["path"])
            if unit := apply_resolved(problems, row, "workplace", units):
                row["workplace_id"] = unit.pk
        # Estates: by name within the row's (resolved) community.
        pairs = {
            (r["home_community_id"], r["home_estate"])
            for r in rows
            if r["home_estate"] and "home_community_id" in r and not r.get("home_estate_kept")
        }
        estates = estates_by_name(pairs)
        for row in rows:
            if row["home_estate"] and "home_community_id" in row and not row.get("home_estate_kept"):
                estate_id = estates.get((row["home_community_id"], row["home_estate"]))
                if estate_id is None:
                    problems.add(
                        row["_row"],
                        "home_estate",
                        row["home_estate"],
                        _("社区「%(c)s」里没有小区「%(e)s」。") % {"c": row["home_community"], "e": row["home_estate"]},
                    )
                else:
                    row["home_estate_id"] = estate_id
        # The same person twice in the file, and people already on record.
        first_row: dict[str, int] = {}
        for row in rows:
            number = row["id_number"]
            if not number:
                continue
            if number in first_row:
                problems.add(
                    row["_row"], "id_number", number, _("与第 %(n)s 行的身份证号重复。") % {"n": first_row[number]}
                )
            else:
                first_row[number] = row["_row"]
        if self.updating:
            return  # matched above: updating a member on record is the point
        visible = scoped(Member, scope)
        by_number = {r["id_number"]: r for r in rows if r["id_number"]}
        for chunk in lookup_chunks(sorted(by_number)):
            existing = dict(Member.objects.filter(value_in("id_number", chunk)).values_list("id_number", "pk"))
            if not existing:
                continue
            # Who holds each number, for the message: only what it names (a rerun of a whole file
            # finds every row here).
            seen: dict[str, tuple[str, str | None]] = {}
            for ids in lookup_chunks(existing.values()):
                for number, name, community, org_area in visible.filter(value_in("pk", ids)).values_list(
                    "id_number", "name", "home_community__name", "org__area__name"
                ):
                    seen[number] = (name, community or org_area)
            for number in existing:
                if number in seen:
                    name, where = seen[number]
                    who = f"{name}，{where}" if where else name
                    message = _(
                        "身份证号已存在于党员库（%(who)s）。“新增”方式不修改已有党员；要修改请改用“更新”方式导入。"
                    ) % {"who": who}
                else:
                    message = _("身份证号已存在于党员库（该党员不在您的管辖范围内，如需转入请办理组织关系转接）。")
                problems.add(by_number[number]["_row"], "id_number", number, message)

    def match_existing(self, rows: list[dict[str, Any]], problems: Problems) -> None:
        """Update mode: each row's member in the uploader's scope, by record code, else by ID number."""
        visible = scoped(Member, self.scope).select_related("org__area", "workplace", "home_community", "home_estate")
        self.match_records(rows, problems, visible=visible, key="id_number", noun=_("党员"))
        for row in rows:
            member = row.get("record")
            if member is None:
                continue
            # A cell still naming what the member is linked to now is left as it is, even when that
            # organization or unit lies outside the uploader's scope (a member living here, working there).
            for key in MEMBER_LINKS:
                current = getattr(member, key)
                if current is not None and row[key] == current.name:
                    row[f"{key}_id"], row[f"{key}_kept"] = current.pk, True
            if row.get("org_kept"):
                row["area_path"] = member.org.area.path if member.org.area else ""
            elif row.get("home_community_kept"):
                row.setdefault("area_path", member.home_community.path)

    def write(self, rows: list[dict[str, Any]], writer: Writer) -> dict[str, int]:
        if self.updating:
            changes = self.changed_records(rows, own=MEMBER_OWN, links=MEMBER_LINKS)
            changed = member_services.members_import_update(changes=changes, writer=writer)
            return {"members_updated": changed, "members_unchanged": len(rows) - changed}
        return {"members": member_services.members_import(rows=rows, writer=writer)}

    def template_options(self) -> list[tuple[str, list[str]]]:
        orgs = scoped(PartyOrg, self.scope).order_by("path").values_list("name", flat=True)
        communities = scoped(Area, self.scope).filter(level=Level.COMMUNITY).order_by("path").values_list("name")
        units = scoped(ResidentUnit, self.scope).order_by("name").values_list("name", flat=True)
        limit = setting("IMPORT_TEMPLATE_OPTIONS") + 1
        return [
            (_("党组织"), list(orgs[:limit])),
            (_("社区"), [c for (c,) in communities[:limit]]),
            (_("驻区单位"), list(units[:limit])),
        ]

    def template_dropdowns(self) -> dict[str, str]:
        return {"org": _("党组织"), "home_community": _("社区"), "workplace": _("驻区单位")}

    def notes(self) -> list[str]:
        return [
            _("“新增”方式只新增党员：身份证号已在党员库中的行会被列为错误，不会修改已有党员。"),
            _("“更新”方式修改已有党员：按“记录编号”（导出表最后一列）或身份证号找到原记录；带 * 的隐去内容保持不变。"),
            _("性别和出生日期由身份证号得出，无需填写。"),
        ]


TAG_LABELS = {str(label): value for value, label in ResidentTag.choices}


class ResidentImporter(Importer):
    kind = "residents"
    position = 20
    title = "居民"
    label = gettext_lazy("居民")
    allowed_roles = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.GRID_WORKER})
    columns = [
        Column(
            "community",
            "社区",
            True,
            "社区名称，须在您的管辖范围内；重名时写成“街道/社区”",
            aliases=("所在社区",),
            examples=("【示例】婆石社区", "【示例】婆石社区"),
        ),
        Column(
            "estate",
            "小区",
            False,
            "楼栋所在小区；楼栋不属于小区时留空",
            aliases=("所在小区",),
            examples=("中珠新村", "中珠新村"),
        ),
        Column(
            "building", "楼栋", True, "楼栋名称，如 1栋；网格员只能导入本网格的楼栋", width=10, examples=("1栋", "1栋")
        ),
        Column(
            "room",
            "门牌/房号",
            True,
            "如 101、2单元302；该户不存在时自动新建",
            width=12,
            aliases=("门牌号", "房号", "门牌", "房间号"),
            examples=("101", "101"),
        ),
        Column("name", "姓名", True, "最多 50 字", width=10, examples=("王五", "赵六")),
        Column(
            "mobile",
            "电话",
            False,
            "11 位手机号",
            kind="mobile",
            aliases=("手机号", "联系电话", "手机"),
            examples=("13900139000", ""),
        ),
        Column(
            "tags",
            "标签",
            False,
            "可多个，用“、”分隔：" + "、".join(TAG_LABELS),
            kind="list",
            width=22,
            aliases=("居民标签",),
            examples=("独居老人", "退役军人、残疾人"),
        ),
        CODE_COLUMN,
    ]
    preview_keys = ["community", "estate", "building", "room", "name", "mobile", "tags"]

    def parse(self, r: RowReader) -> dict[str, Any]:
        row: dict[str, Any] = {
            "community": r.text("community", max_length=200),
            "estate": r.name("estate", max_length=100),
            "building": r.name("building", max_length=100),
            "room": r.name("room", max_length=30),
            "name": r.name("name", max_length=50),
            "mobile": r.mobile("mobile"),
            "tags": [],
            "tags_label": "",
            "code": r.text("code", max_length=40),
        }
        if not r.blank("tags"):
            labels = split_list(r.raw("tags"))
            unknown = [label for label in labels if label not in TAG_LABELS]
            if unknown:
                r.error(
                    "tags",
                    _("标签「%(t)s」不是允许的值，应为：%(allowed)s（多个用“、”分隔）。")
                    % {"t": "、".join(unknown), "allowed": "、".join(TAG_LABELS)},
                )
            else:
                row["tags"] = list(dict.fromkeys(TAG_LABELS[label] for label in labels))
                row["tags_label"] = "、".join(dict.fromkeys(labels))
        return row

    def community_queryset(self) -> models.QuerySet:
        if self.scope.area_level == Level.GRID and self.scope.area_path:
            return Area.objects.filter(path__in=ancestor_paths(self.scope.area_path))
        return scoped(Area, self.scope)

    def resolve(self, rows: list[dict[str, Any]], problems: Problems) -> None:
        communities = community_resolver(self.community_queryset()).resolve(
            r["community"] for r in rows if r["community"]
        )
        for row in rows:
            if community := apply_resolved(problems, row, "community", communities):
                row["community_id"], row["community_path"] = community.pk, community.data["path"]
        ready = [r for r in rows if "community_id" in r and r["building"]]
        estates = estates_by_name({(r["community_id"], r["estate"]) for r in ready if r["estate"]})
        for row in ready:
            if row["estate"]:
                row["estate_id"] = estates.get((row["community_id"], row["estate"]))
                if row["estate_id"] is None:
                    problems.add(
                        row["_row"],
                        "estate",
                        row["estate"],
                        _("社区「%(c)s」里没有小区「%(e)s」。") % {"c": row["community"], "e": row["estate"]},
                    )
        # Buildings the user may see, by (community, name); the estate (when given) picks among them.
        buildings: dict[tuple[int, str], list[tuple[int, int | None, str]]] = defaultdict(list)
        community_ids = sorted({r["community_id"] for r in ready})
        names = sorted({r["building"] for r in ready})
        qs = scoped(Building, self.scope)
        for ids in chunked(community_ids):
            for chunk in chunked(names):
                for pk, cid, name, estate_id, grid_path in qs.filter(community_id__in=ids, name__in=chunk).values_list(
                    "pk", "community_id", "name", "estate_id", "grid__path"
                ):
                    buildings[(cid, name)].append((pk, estate_id, grid_path or ""))
        in_grid = _("（或不在您负责的网格内）") if self.scope.area_level == Level.GRID else ""
        for row in ready:
            if row["estate"] and row.get("estate_id") is None:
                continue
            found = buildings.get((row["community_id"], row["building"]), [])
            if row["estate"]:
                found = [b for b in found if b[1] == row["estate_id"]]
            place = row["community"] + (row["estate"] or "")
            if len(found) == 1:
                row["building_id"] = found[0][0]
                row["area_path"] = found[0][2] or row["community_path"]
            elif not found:
                problems.add(
                    row["_row"],
                    "building",
                    row["building"],
                    _("在「%(p)s」未找到楼栋「%(b)s」%(g)s。") % {"p": place, "b": row["building"], "g": in_grid},
                )
            else:
                problems.add(
                    row["_row"],
                    "estate",
                    row["estate"],
                    _("社区「%(c)s」有多个小区都有「%(b)s」，请填写小区。")
                    % {"c": row["community"], "b": row["building"]},
                )
        placed = [r for r in rows if "building_id" in r and r["room"]]
        households: dict[tuple[int, str], int] = {}
        for ids in chunked(sorted({r["building_id"] for r in placed})):
            for building_id, room, pk in Household.objects.filter(building_id__in=ids).values_list(
                "building_id", "room", "pk"
            ):
                households[(building_id, room)] = pk
        existing_names: set[tuple[int, str]] = set()
        for ids in chunked(sorted(set(households.values()))):
            existing_names.update(Resident.objects.filter(household_id__in=ids).values_list("household_id", "name"))
        first_row: dict[tuple[int, str, str], int] = {}
        for row in placed:
            household_id = households.get((row["building_id"], row["room"]))
            row["household_id"] = household_id
            if not row["name"]:
                continue
            key = (row["building_id"], row["room"], row["name"])
            where = f"{row['estate'] or ''}{row['building']} {row['room']}"
            row["household"] = where
            if key in first_row:
                problems.add(
                    row["_row"],
                    "name",
                    row["name"],
                    _("与第 %(n)s 行重复（同一户、同一姓名）。") % {"n": first_row[key]},
                )
            else:
                first_row[key] = row["_row"]
            if self.updating and household_id is None:
                message = _("该户（%(w)s）尚未登记；“更新”方式不新建户，请先用“新增”方式导入。") % {"w": where}
                problems.add(row["_row"], "room", row["room"], message)
            elif not self.updating and household_id is not None and (household_id, row["name"]) in existing_names:
                problems.add(
                    row["_row"],
                    "name",
                    row["name"],
                    _("该户（%(w)s）已有居民「%(n)s」。") % {"w": where, "n": row["name"]},
                )

        if self.updating:
            visible = scoped(Resident, self.scope).select_related("household__building")
            self.match_records(rows, problems, visible=visible, key=None, noun=_("居民"))

    def write(self, rows: list[dict[str, Any]], writer: Writer) -> dict[str, int]:
        if self.updating:
            changes = self.changed_records(rows, own=("name", "mobile", "tags"), links=("household",))
            changed = resident_services.residents_import_update(changes=changes, writer=writer)
            return {"residents_updated": changed, "residents_unchanged": len(rows) - changed}
        return resident_services.residents_import(rows=rows, writer=writer)

    def template_options(self) -> list[tuple[str, list[str]]]:
        limit = setting("IMPORT_TEMPLATE_OPTIONS") + 1
        buildings = (
            scoped(Building, self.scope)
            .order_by("community__path", "estate__name", "name")
            .values_list("community__name", "estate__name", "name")[:limit]
        )
        return [(_("楼栋（社区/小区/楼栋）"), ["/".join(p for p in parts if p) for parts in buildings])]

    def notes(self) -> list[str]:
        return [
            _("“可选值”表列出了您可以导入的楼栋（社区/小区/楼栋）。"),
            _("同一户、同一姓名的居民已在系统中时，该行会被列为错误，不会重复新增。"),
        ]
