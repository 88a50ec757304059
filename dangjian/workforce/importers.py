"""The worker importer: what each Excel column holds, how a row is checked (services.workers.check_worker,
the form's own rules), and the service that writes the rows (services.workers.workers_import)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.roles import Role
from dangjian.core.tree import ancestor_paths
from dangjian.imports.engine import Importer, Writer
from dangjian.imports.resolvers import Candidate, NameResolver, apply_resolved, chunked, scoped
from dangjian.imports.rows import Column, Problems, RowReader
from dangjian.territory.models import Area, Level

from .models import Education, Gender, Worker, WorkerKind
from .services.workers import check_worker, workers_import

KINDS = {str(label): value for value, label in WorkerKind.choices}
EDUCATIONS = {str(label): value for value, label in Education.choices}
GENDERS = {str(label): value for value, label in Gender.choices}
YES_NO = {"是": "1", "否": ""}


def _area_resolver(qs) -> NameResolver:
    def fetch(names: list[str]):
        rows = qs.filter(level__in=[Level.COMMUNITY, Level.SUBDISTRICT], name__in=names).values_list(
            "pk", "name", "path"
        )
        for pk, name, path in rows:
            yield Candidate(pk=pk, name=name, anc_paths=ancestor_paths(path), data={"path": path})

    return NameResolver(fetch=fetch, ancestor_model=Area, noun=_("社区或街道"))


class WorkerImporter(Importer):
    kind = "workforce"  # ImportJob.kind holds at most 16 characters
    position = 80
    title = "社区工作者"
    label = gettext_lazy("社区工作者")
    allowed_roles = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})
    columns = [
        Column("name", "姓名", True, "最多 50 字", width=10, examples=("【示例】李华", "【示例】王芳")),
        Column(
            "area",
            "所在社区或街道",
            True,
            "名称，须在您的管辖范围内；重名时写成“街道/社区”",
            width=18,
            aliases=("社区", "所在社区"),
            examples=("婆石社区", "拱北街道"),
        ),  # fmt: skip
        Column("gender", "性别", False, "男 或 女", choices=tuple(GENDERS), width=6, examples=("男", "女")),
        Column(
            "birth_date", "出生日期", True, "年-月-日", kind="date", width=12, examples=("1986-05-01", "1979-11-20")
        ),
        Column(
            "id_number",
            "身份证号",
            False,
            "18 位，校验位会核对；请保持“文本”格式",
            kind="citizen_id",
            width=22,
            examples=("", ""),
        ),  # fmt: skip
        Column("mobile", "手机号", False, "11 位", kind="mobile", width=14, examples=("", "")),
        Column(
            "education",
            "学历",
            True,
            "、".join(EDUCATIONS),
            choices=tuple(EDUCATIONS),
            width=10,
            examples=("本科", "大专"),
        ),  # fmt: skip
        Column(
            "kind",
            "类别",
            True,
            "、".join(KINDS),
            choices=tuple(KINDS),
            width=16,
            examples=("社区党组织书记", "专职网格员"),
        ),
        Column("title", "现任职务", False, "最多 60 字", width=16, examples=("社区党委书记、居委会主任", "")),
        Column("is_committee", "两委成员", False, "是 或 否", choices=tuple(YES_NO), width=8, examples=("是", "否")),
        Column(
            "dual_role",
            "一肩挑",
            False,
            "是 或 否；只有书记可填“是”",
            choices=tuple(YES_NO),
            width=8,
            examples=("是", "否"),
        ),  # fmt: skip
        Column(
            "placed", "下沉社区", False, "是 或 否；不填为“是”", choices=tuple(YES_NO), width=8, examples=("是", "是")
        ),
        Column("sending_unit", "派出单位", False, "第一书记必填", width=18, examples=("", "")),
        Column("batch", "批次", False, "第一书记的批次，整数", kind="int", width=6, examples=("", "")),
        Column("joined_on", "入职日期", True, "年-月-日", kind="date", width=12, examples=("2015-03-01", "2019-07-01")),
    ]
    preview_keys = ["name", "area", "kind", "education", "birth_date", "id_number", "dual_role", "joined_on"]

    def parse(self, r: RowReader) -> dict[str, Any]:
        def yes(key: str, default: bool = False) -> bool:
            return default if r.blank(key) else bool(r.choice(key, YES_NO))

        row: dict[str, Any] = {
            "name": r.name("name", max_length=50),
            "area": r.text("area", max_length=200),
            "gender": r.choice("gender", GENDERS) if not r.blank("gender") else "",
            "birth_date": r.date("birth_date"),
            "id_number": r.citizen_id("id_number") or "",
            "mobile": r.mobile("mobile") or "",
            "education": r.choice("education", EDUCATIONS),
            "kind": r.choice("kind", KINDS),
            "title": r.text("title", max_length=60),
            "is_committee": yes("is_committee"),
            "dual_role": yes("dual_role"),
            "placed": yes("placed", True),
            "sending_unit": r.text("sending_unit", max_length=100),
            "batch": r.integer("batch", maximum=99) or None,
            "joined_on": r.date("joined_on"),
        }
        if row["birth_date"] and row["joined_on"] and row["education"] and row["kind"]:
            try:
                row.update(check_worker(row))
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    r.error(key if key in self.by_key else "name", " ".join(messages))
        return row

    def resolve(self, rows: list[dict[str, Any]], problems: Problems) -> None:
        areas = _area_resolver(scoped(Area, self.scope)).resolve(r["area"] for r in rows if r["area"])
        for row in rows:
            if area := apply_resolved(problems, row, "area", areas):
                row["area_id"], row["area_path"] = area.pk, area.data["path"]
        first: dict[str, int] = {}
        for row in rows:
            number = row["id_number"]
            if number and number in first:
                problems.add(
                    row["_row"], "id_number", number, _("与第 %(n)s 行的身份证号重复。") % {"n": first[number]}
                )
            elif number:
                first[number] = row["_row"]
        for chunk in chunked(sorted(first)):
            for number in Worker.objects.filter(id_number__in=chunk).values_list("id_number", flat=True):
                problems.add(first[number], "id_number", number, _("该身份证号已登记。"))

    def write(self, rows: list[dict[str, Any]], writer: Writer) -> dict[str, int]:
        return {"workers": workers_import(rows=rows, writer=writer)}
