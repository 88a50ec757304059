"""The unit importer: what each Excel column holds, how a row is checked, and which units service
writes the rows; and the unit name lookup other importers use (a member's workplace)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.roles import Role
from dangjian.core.scoping import Scope
from dangjian.core.tree import ancestor_paths
from dangjian.imports.conf import setting
from dangjian.imports.engine import CODE_COLUMN, Importer, Writer
from dangjian.imports.resolvers import Candidate, NameResolver, apply_resolved, chunked, community_resolver, scoped
from dangjian.imports.rows import Column, Problems, RowReader
from dangjian.territory.models import Area, Level

from . import services
from .models import ResidentUnit, UnitKind


def unit_resolver(scope: Scope) -> NameResolver:
    qs = scoped(ResidentUnit, scope)

    def fetch(names: list[str]) -> Iterable[Candidate]:
        for pk, name, cpath in qs.filter(name__in=names).values_list("pk", "name", "community__path"):
            yield Candidate(pk, name, [*ancestor_paths(cpath), cpath])

    return NameResolver(fetch=fetch, ancestor_model=Area, noun=_("驻区单位"))


UNIT_KIND = {str(label): value for value, label in UnitKind.choices}
UNIT_KIND_LABELS = {value: label for label, value in UNIT_KIND.items()}
UNIT_OWN = ("name", "kind", "credit_code", "address", "staff_count", "member_count", "instructor")


class UnitImporter(Importer):
    kind = "units"
    position = 30
    title = "驻区单位"
    label = gettext_lazy("驻区单位")
    allowed_roles = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})
    columns = [
        Column(
            "name",
            "名称",
            True,
            "单位全称，最多 150 字",
            width=26,
            aliases=("单位名称",),
            examples=("【示例】珠海市某某科技有限公司", "【示例】某某小学"),
        ),
        Column(
            "kind",
            "类型",
            True,
            "、".join(UNIT_KIND),
            choices=tuple(UNIT_KIND),
            aliases=("单位类型",),
            examples=("非公企业", "学校"),
        ),
        Column(
            "credit_code",
            "统一社会信用代码",
            False,
            "18 位，校验位会核对；请保持“文本”格式",
            kind="credit_code",
            width=22,
            aliases=("信用代码", "社会信用代码"),
            examples=("91440400MA4UJ8X16J", "12440400455860317A"),
        ),
        Column(
            "community",
            "所在社区",
            True,
            "社区名称，须在您的管辖范围内；重名时写成“街道/社区”",
            aliases=("社区",),
            examples=("婆石社区", "婆石社区"),
        ),
        Column("address", "地址", False, "最多 200 字", width=24, examples=("迎宾南路 1000 号", "")),
        Column(
            "staff_count",
            "从业人员数",
            False,
            "整数，不填为 0",
            kind="int",
            width=10,
            aliases=("从业人数", "职工人数"),
            examples=(56, 80),
        ),
        Column(
            "member_count",
            "党员人数",
            False,
            "整数，不填为 0",
            kind="int",
            width=10,
            aliases=("党员数",),
            examples=(4, 12),
        ),
        Column("instructor", "党建指导员", False, "姓名，最多 50 字", width=10, examples=("陈红", "")),
        CODE_COLUMN,
    ]
    preview_keys = ["name", "kind", "credit_code", "community", "address", "staff_count", "member_count", "instructor"]

    def parse(self, r: RowReader) -> dict[str, Any]:
        row: dict[str, Any] = {
            "name": r.text("name", max_length=150),
            "kind": r.choice("kind", UNIT_KIND),
            "credit_code": r.credit_code("credit_code"),
            "community": r.text("community", max_length=200),
            "address": r.text("address", max_length=200),
            "staff_count": r.integer("staff_count"),
            "member_count": r.integer("member_count"),
            "instructor": r.name("instructor", max_length=50),
            "code": r.text("code", max_length=40),
        }
        if row["kind"]:
            row["kind_label"] = UNIT_KIND_LABELS[row["kind"]]
        if row["member_count"] and row["staff_count"] and row["member_count"] > row["staff_count"]:
            r.error("member_count", _("党员人数不能多于从业人员数。"))
        return row

    def resolve(self, rows: list[dict[str, Any]], problems: Problems) -> None:
        communities = community_resolver(scoped(Area, self.scope)).resolve(
            r["community"] for r in rows if r["community"]
        )
        for row in rows:
            if community := apply_resolved(problems, row, "community", communities):
                row["community_id"], row["area_path"] = community.pk, community.data["path"]
        first_code: dict[str, int] = {}
        first_name: dict[tuple[int, str], int] = {}
        for row in rows:
            if row["credit_code"]:
                if row["credit_code"] in first_code:
                    problems.add(
                        row["_row"],
                        "credit_code",
                        row["credit_code"],
                        _("与第 %(n)s 行的统一社会信用代码重复。") % {"n": first_code[row["credit_code"]]},
                    )
                else:
                    first_code[row["credit_code"]] = row["_row"]
            if row["name"] and "community_id" in row:
                key = (row["community_id"], row["name"])
                if key in first_name:
                    problems.add(
                        row["_row"],
                        "name",
                        row["name"],
                        _("与第 %(n)s 行重复（同一社区、同一名称）。") % {"n": first_name[key]},
                    )
                else:
                    first_name[key] = row["_row"]
        if self.updating:
            visible = scoped(ResidentUnit, self.scope).select_related("community")
            self.match_records(rows, problems, visible=visible, key="credit_code", noun=_("单位"))
            return
        visible = scoped(ResidentUnit, self.scope)
        by_code = {r["credit_code"]: r for r in rows if r["credit_code"]}
        for chunk in chunked(sorted(by_code)):
            existing = dict(ResidentUnit.objects.filter(credit_code__in=chunk).values_list("credit_code", "pk"))
            names = dict(visible.filter(pk__in=existing.values()).values_list("pk", "name"))
            for code, pk in existing.items():
                who = names.get(pk)
                message = (
                    _("统一社会信用代码已登记（%(n)s）。") % {"n": who}
                    if who
                    else _("统一社会信用代码已登记在其他辖区的单位名下。")
                )
                problems.add(by_code[code]["_row"], "credit_code", code, message)
        by_name = {(r["community_id"], r["name"]): r for r in rows if "community_id" in r and r["name"]}
        for ids in chunked(sorted({c for c, _n in by_name})):
            for chunk in chunked(sorted({n for _c, n in by_name})):
                for cid, name in ResidentUnit.objects.filter(community_id__in=ids, name__in=chunk).values_list(
                    "community_id", "name"
                ):
                    clash = by_name.get((cid, name))
                    if clash is not None:
                        problems.add(
                            clash["_row"], "name", name, _("社区「%(c)s」已有同名单位。") % {"c": clash["community"]}
                        )

    def write(self, rows: list[dict[str, Any]], writer: Writer) -> dict[str, int]:
        if self.updating:
            changes = self.changed_records(rows, own=UNIT_OWN, links=("community",))
            changed = services.units_import_update(changes=changes, writer=writer)
            return {"units_updated": changed, "units_unchanged": len(rows) - changed}
        return {"units": services.units_import(rows=rows, writer=writer)}

    def template_options(self) -> list[tuple[str, list[str]]]:
        limit = setting("IMPORT_TEMPLATE_OPTIONS") + 1
        communities = (
            scoped(Area, self.scope).filter(level=Level.COMMUNITY).order_by("path").values_list("name", flat=True)
        )
        return [(_("社区"), list(communities[:limit]))]

    def template_dropdowns(self) -> dict[str, str]:
        return {"community": _("社区")}
