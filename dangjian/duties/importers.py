"""The duty-list entry importer: rows appended to the draft of a list (named by its owner and its kind), each
checked by the same rule as the page (services.lists.entry_clean: an item of a kind communities may not
be responsible for never names a community); all or nothing, through the import engine."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.roles import Role
from dangjian.core.tree import ancestor_paths
from dangjian.imports.engine import Importer, Writer
from dangjian.imports.resolvers import Candidate, NameResolver, apply_resolved, scoped
from dangjian.imports.rows import Column, Problems, RowReader
from dangjian.territory.models import Area, Level

from .models import DutyKind, DutyList, DutyListVersion, ListKind, VersionStatus
from .permissions import LIST_ROLES, scope_holds
from .services.lists import entries_import, entry_clean

LISTS = {str(label): value for value, label in ListKind.choices}
YES_NO = {"是": "1", "否": "0"}


def _owner_resolver(qs) -> NameResolver:
    def fetch(names: list[str]):
        levels = [Level.DISTRICT, Level.SUBDISTRICT, Level.COMMUNITY]
        for pk, name, path in qs.filter(level__in=levels, name__in=names).values_list("pk", "name", "path"):
            yield Candidate(pk=pk, name=name, anc_paths=ancestor_paths(path), data={"path": path})

    return NameResolver(fetch=fetch, ancestor_model=Area, noun=_("区、街道或社区"))


class EntryImporter(Importer):
    kind = "duty_entries"  # ImportJob.kind holds at most 16 characters
    position = 85
    title = "清单事项"
    label = gettext_lazy("清单事项（追加到清单草案）")
    allowed_roles = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN})
    columns = [
        Column(
            "owner",
            "所属",
            True,
            "区、街道或社区的名称；须已建立该清单且有草案",
            width=14,
            examples=("拱北街道", "香洲区"),
        ),
        Column(
            "list_kind",
            "清单",
            True,
            "、".join(LISTS),
            choices=tuple(LISTS),
            width=20,
            examples=("街道权责清单", "社区工作事项清单"),
        ),
        Column(
            "name",
            "事项名称",
            True,
            "最多 200 字",
            width=30,
            examples=("【示例】党群服务中心阵地运行", "【示例】居家养老服务"),
        ),
        Column(
            "kind",
            "类别",
            True,
            "党建、治理、服务、行政协助、行政执法、拆迁拆违、环境整治、其他",
            width=10,
            examples=("服务", "服务"),
        ),
        Column("lead_text", "责任主体", False, "最多 100 字", width=16, examples=("街道社会事务办", "社区居委会")),
        Column(
            "community",
            "社区可作为责任主体",
            False,
            "是 或 否；不填按类别默认",
            choices=tuple(YES_NO),
            width=10,
            examples=("", "是"),
        ),
        Column("legal_basis", "设定依据", False, "最多 300 字", width=30, examples=("", "")),
    ]
    preview_keys = ["owner", "list_kind", "name", "kind", "community"]

    def parse(self, r: RowReader) -> dict[str, Any]:
        return {
            "owner": r.text("owner", max_length=100),
            "list_kind": r.choice("list_kind", LISTS),
            "name": r.name("name", max_length=200),
            "kind_name": r.text("kind", max_length=30),
            "lead_text": r.text("lead_text", max_length=100),
            "community": None if r.blank("community") else r.choice("community", YES_NO) == "1",
            "legal_basis": r.text("legal_basis", max_length=300),
        }

    def resolve(self, rows: list[dict[str, Any]], problems: Problems) -> None:
        kinds = {k.name: k for k in DutyKind.objects.all()}
        owners = _owner_resolver(scoped(Area, self.scope)).resolve(r["owner"] for r in rows if r["owner"])
        drafts = {
            (v.duty_list.owner_id, v.duty_list.kind): v
            for v in DutyListVersion.objects.filter(status=VersionStatus.DRAFT).select_related("duty_list")
            if v.duty_list.owner_id in {o.pk for o in owners.values() if isinstance(o, Candidate)}
        }
        for row in rows:
            kind = kinds.get(row["kind_name"])
            if kind is None:
                problems.add(row["_row"], "kind", row["kind_name"], _("没有这个类别。"))
            owner = apply_resolved(problems, row, "owner", owners)
            if owner is None or not row["list_kind"]:
                continue
            draft = drafts.get((owner.pk, row["list_kind"]))
            if draft is None or not scope_holds(self.scope, LIST_ROLES, draft.area_path):
                exists = DutyList.objects.filter(owner_id=owner.pk, kind=row["list_kind"]).exists()
                problems.add(
                    row["_row"],
                    "list_kind",
                    row["list_kind"] and ListKind(row["list_kind"]).label,
                    _("该清单没有草案，请先在清单页新建草案。") if exists else _("该清单尚未建立。"),
                )
                continue
            row["version_id"] = draft.pk
            if kind is not None:
                data = {
                    "name": row["name"],
                    "kind": kind,
                    "lead_text": row["lead_text"],
                    "community_may_be_responsible": row["community"],
                    "legal_basis": row["legal_basis"],
                }
                try:
                    entry_clean(data)
                except ValidationError as exc:
                    for key, messages in exc.message_dict.items():
                        column = "community" if key == "community_may_be_responsible" else "name"
                        problems.add(row["_row"], column, row.get(column) or "", " ".join(messages))
                row["kind_id"] = kind.pk

    def write(self, rows: list[dict[str, Any]], writer: Writer) -> dict[str, int]:
        kinds = {k.pk: k for k in DutyKind.objects.all()}
        by_version: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_version[row["version_id"]].append(
                {
                    "name": row["name"],
                    "kind": kinds[row["kind_id"]],
                    "lead_text": row["lead_text"],
                    "community_may_be_responsible": row["community"],
                    "legal_basis": row["legal_basis"],
                }
            )
        done = 0
        for pk, items in by_version.items():
            # Scope was checked in resolve(); the write runs as the system inside the import's transaction.
            made = entries_import(actor=None, version=DutyListVersion.objects.get(pk=pk), rows=items, writer=writer)
            done += len(made)
        return {"entries": done}
