"""Importing a subdistrict's duty list from Excel, on the import app's machinery (its row reader,
name resolver, problem list and template builder): every row is checked first — departments by name
within the subdistrict's reach, categories by name or code, the unit, duplicates in the file and in
the list — and nothing is written until the person confirms; then all rows or none (duty.services)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.db.models import Q
from django.utils.translation import gettext as _

from dangjian.core.scoping import Scope
from dangjian.core.tree import ancestor_paths
from dangjian.imports.engine import Importer
from dangjian.imports.resolvers import Candidate, NameResolver, chunked
from dangjian.imports.rows import Column, Problems, RowReader
from dangjian.imports.workbook import compact, split_list
from dangjian.territory.models import Area

from ..models import CaseCategory, DutyArea, DutyItem, LimitUnit, community_may_lead_default
from .services import MAX_LIMIT, departments_for

DUTY_AREAS = {str(label): value for value, label in DutyArea.choices}
UNITS = {str(label): value for value, label in LimitUnit.choices} | {"天": LimitUnit.WORKDAYS, "时": LimitUnit.HOURS}
YES_NO = {"是": True, "否": False, "可以": True, "不可以": False}
MAX_ROWS = 1000


class DutyImporter(Importer):
    kind = "duty_items"
    title = "权责清单"
    columns = [
        Column(
            "name",
            "事项",
            True,
            "事项名称，最多 100 字；同一街道内不能重名",
            width=28,
            aliases=("事项名称", "项目", "职责事项"),
            examples=("【示例】占道经营整治", "【示例】燃气泄漏应急处置"),
        ),
        Column(
            "duty_area",
            "领域",
            True,
            "、".join(DUTY_AREAS),
            choices=tuple(DUTY_AREAS),
            aliases=("类别", "方面"),
            examples=("综合执法", "应急处理"),
        ),
        Column(
            "lead_department",
            "牵头部门",
            True,
            "部门名称，须服务本街道；重名时写成“区/部门名称”",
            width=20,
            aliases=("牵头单位", "责任部门"),
            examples=("香洲区城管局", "香洲区消防救援大队"),
        ),
        Column(
            "supporting_departments",
            "配合部门",
            False,
            "可填多个，用顿号“、”分隔",
            kind="list",
            width=26,
            aliases=("配合单位", "协办部门"),
            examples=("香洲区市场监管局、香洲区环卫中心", ""),
        ),
        Column(
            "categories",
            "对应类别",
            False,
            "事件类别的名称或编码，可填多个，用顿号分隔；事件按类别对应到事项",
            kind="list",
            width=22,
            aliases=("事件类别", "类别编码"),
            examples=("占道经营", "燃气安全"),
        ),
        Column(
            "limit_amount",
            "办理时限",
            True,
            "正整数",
            kind="int",
            width=10,
            aliases=("时限",),
            examples=(3, 2),
        ),
        Column(
            "limit_unit",
            "时限单位",
            True,
            "小时 或 工作日",
            choices=("小时", "工作日"),
            aliases=("单位",),
            examples=("工作日", "小时"),
        ),
        Column("sort", "序号", False, "整数，决定清单中的顺序；不填则排在最后", kind="int", width=6, examples=(1, 2)),
        Column(
            "community_may_lead",
            "社区可牵头",
            False,
            "是 或 否；不填则按领域：综合执法为“否”（社区只能配合，不能派给社区或网格），其他为“是”",
            choices=("是", "否"),
            width=10,
            aliases=("社区可否牵头", "社区可牵头办理"),
            examples=("否", ""),
        ),
    ]
    preview_keys = [
        "name",
        "duty_area",
        "lead_department",
        "supporting_departments",
        "categories",
        "limit_amount",
        "limit_unit",
        "sort",
        "community_may_lead",
    ]

    def __init__(self, subdistrict: Area):
        super().__init__(Scope(area_path=subdistrict.path))
        self.subdistrict = subdistrict

    def parse(self, r: RowReader) -> dict[str, Any]:
        row: dict[str, Any] = {
            "sort": r.integer("sort", default=0, maximum=9999),
            "name": r.text("name", max_length=100),
            "duty_area": r.choice("duty_area", DUTY_AREAS),
            "lead_department": compact(r.raw("lead_department")) if not r.blank("lead_department") else "",
            "supporting_departments": [compact(v) for v in split_list(r.raw("supporting_departments"))],
            "categories": [compact(v) for v in split_list(r.raw("categories"))],
            "limit_unit": r.choice("limit_unit", UNITS),
        }
        before = len(r.problems.items)
        row["limit_amount"] = r.integer("limit_amount", maximum=100_000)
        amount_ok = len(r.problems.items) == before  # one message per cell
        if r.blank("lead_department"):
            r.error("lead_department", _("「牵头部门」必填。"))
        if row["duty_area"]:
            row["duty_area_label"] = str(DutyArea(row["duty_area"]).label)
        if row["limit_unit"]:
            row["limit_unit_label"] = str(LimitUnit(row["limit_unit"]).label)
            top = MAX_LIMIT[row["limit_unit"]]
            if amount_ok and not r.blank("limit_amount") and not 1 <= row["limit_amount"] <= top:
                r.error(
                    "limit_amount",
                    _("办理时限应在 1 到 %(n)s %(u)s之间。") % {"n": top, "u": row["limit_unit_label"]},
                )
        # RowReader.choice returns the mapping's value: here a boolean.
        lead: Any = (
            r.choice("community_may_lead", cast("dict[str, str]", YES_NO))
            if not r.blank("community_may_lead")
            else None
        )
        if lead is None or lead == "":
            lead = community_may_lead_default(row["duty_area"]) if row["duty_area"] else True
        row["community_may_lead"] = lead
        row["community_may_lead_label"] = _("是") if lead else _("否")
        row["supporting_departments_label"] = "、".join(row["supporting_departments"])
        row["categories_label"] = "、".join(row["categories"])
        if row["sort"] == 0:
            row["sort_label"] = ""
        return row

    def _department_resolver(self) -> NameResolver:
        reach = departments_for(self.subdistrict)

        def fetch(names: list[str]) -> Iterable[Candidate]:
            for pk, name, path in reach.filter(name__in=names).values_list("pk", "name", "area__path"):
                yield Candidate(pk=pk, name=name, anc_paths=[*ancestor_paths(path), path])

        return NameResolver(fetch=fetch, ancestor_model=Area, noun=_("部门"))

    def resolve(self, rows: list[dict[str, Any]], problems: Problems) -> None:
        if len(rows) > MAX_ROWS:
            problems.add(rows[MAX_ROWS]["_row"], None, "", _("一次最多导入 %(n)s 项。") % {"n": MAX_ROWS})
        names = {r["lead_department"] for r in rows if r["lead_department"]}
        names |= {d for r in rows for d in r["supporting_departments"]}
        departments = self._department_resolver().resolve(names)
        categories, category_names = self._categories({c for r in rows for c in r["categories"]})
        for row in rows:
            lead = departments.get(row["lead_department"]) if row["lead_department"] else None
            if isinstance(lead, Candidate):
                row["lead_department_id"] = lead.pk
            elif lead:
                problems.add(row["_row"], "lead_department", row["lead_department"], str(lead))
            row["supporting_ids"] = []
            for name in row["supporting_departments"]:
                found = departments.get(name)
                if not isinstance(found, Candidate):
                    problems.add(row["_row"], "supporting_departments", name, str(found))
                elif found.pk == row.get("lead_department_id"):
                    problems.add(
                        row["_row"], "supporting_departments", name, _("「%(n)s」已是牵头部门。") % {"n": name}
                    )
                elif found.pk not in row["supporting_ids"]:
                    row["supporting_ids"].append(found.pk)
            row["category_ids"] = []
            for value in row["categories"]:
                pk = categories.get(value)
                if pk is None:
                    problems.add(
                        row["_row"],
                        "categories",
                        value,
                        _("没有名称或编码为「%(v)s」的事件类别。") % {"v": value},
                    )
                elif pk not in row["category_ids"]:
                    row["category_ids"].append(pk)
            # The preview shows the categories as they will be linked (a code shows as its name).
            row["categories_label"] = "、".join(category_names[pk] for pk in row["category_ids"])
        first: dict[str, int] = {}
        for row in rows:
            if not row["name"]:
                continue
            if row["name"] in first:
                problems.add(
                    row["_row"], "name", row["name"], _("与第 %(n)s 行的事项重名。") % {"n": first[row["name"]]}
                )
            else:
                first[row["name"]] = row["_row"]
        for chunk in chunked(sorted(first)):
            for name in DutyItem.objects.filter(subdistrict=self.subdistrict, name__in=chunk).values_list(
                "name", flat=True
            ):
                problems.add(
                    first[name],
                    "name",
                    name,
                    _("「%(s)s」的权责清单已有该事项；要修改请在清单中编辑。") % {"s": self.subdistrict.name},
                )

    @staticmethod
    def _categories(values: set[str]) -> tuple[dict[str, int], dict[int, str]]:
        """Name or code → category id (active ones); and id → name."""
        found: dict[str, int] = {}
        names: dict[int, str] = {}
        for chunk in chunked(sorted(values)):
            for pk, code, name in CaseCategory.objects.filter(
                Q(name__in=chunk) | Q(code__in=[c.lower() for c in chunk]), is_active=True
            ).values_list("pk", "code", "name"):
                found[name] = pk
                found.setdefault(code, pk)
                names[pk] = name
        for value in values:
            if value not in found and value.lower() in found:
                found[value] = found[value.lower()]
        return found, names

    # -- the template --------------------------------------------------------------------------------
    def template_options(self) -> list[tuple[str, list[str]]]:
        departments = list(
            departments_for(self.subdistrict).order_by("area__path", "name").values_list("name", flat=True)
        )
        categories = list(CaseCategory.objects.filter(is_active=True).values_list("name", flat=True))
        return [(_("部门"), departments), (_("事件类别"), categories)]

    def template_dropdowns(self) -> dict[str, str]:
        return {"lead_department": _("部门")}

    def notes(self) -> list[str]:
        return [
            _("本模板用于「%(s)s」的权责清单；导入只新增事项，已有的同名事项请在清单页面修改。")
            % {"s": self.subdistrict.name},
            _("领域：综合执法、应急处理、秩序维护。时限单位：小时 或 工作日（按国家法定节假日和调休计算）。"),
        ]
