"""/api/v1/figures: every subject of the figures store (core/figures/facts.py), per node and period:
the node's total and its children's rows, read from the facts as the figures pages read them, never
from raw rows. Flow subjects (cases, demands…) sum a period; stocks (members, units…) are read as of a
date. A subject counted on the territory is read for an area the token's role may read figures of
(facts.readable_path); one counted on the organization tree, for a visible Party organization."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.utils import timezone
from ninja import Query, Router, Schema

from dangjian.core.api import ERRORS, ApiError
from dangjian.core.figures import facts
from dangjian.core.periods import PeriodError, period_for
from dangjian.core.tree import STEP
from dangjian.orgs.models import PartyOrg
from dangjian.orgs.selectors import org_roots_for
from dangjian.territory.models import Area

router = Router(tags=["统计数据"])

# Subjects whose node paths are Party organizations' (people/facts.py, units/facts.py UnitOrgFacts).
ORG_TREE_SUBJECTS = frozenset({"members", "units_org"})
PERIODS = ("this_month", "last_month", "this_year", "last_year", "custom")


class SubjectOut(Schema):
    name: str
    tree: str  # "area" or "org": which tree `node` names
    stock: bool  # read as of a date (`on`), else summed over a period
    counts: list[str]
    amount: str
    durations: bool
    dims: list[str]


def _tree(subject: facts.Subject) -> str:
    return "org" if subject.name in ORG_TREE_SUBJECTS else "area"


@router.get("/figures", response={200: list[SubjectOut], **ERRORS}, summary="可查询的统计主题")
def subjects(request):
    return [
        SubjectOut(
            name=s.name,
            tree=_tree(s),
            stock=s.stock,
            counts=list(s.counts),
            amount=s.amount,
            durations=s.durations,
            dims=list(s.dims),
        )
        for s in sorted(facts.SUBJECTS.values(), key=lambda s: s.name)
    ]


class NodeOut(Schema):
    id: UUID | None = None  # None: placed on the node itself, not at any child (未定位到下级)
    name: str


class RowOut(Schema):
    node: NodeOut
    values: dict[str, int]
    p50_hours: float | None = None
    p90_hours: float | None = None


class FigureOut(Schema):
    subject: str
    node: NodeOut
    date_from: datetime.date | None = None
    date_to: datetime.date
    total: RowOut
    children: list[RowOut]


class FigureParams(Schema):
    node: UUID | None = None
    period: str = "this_month"
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    on: datetime.date | None = None  # stocks: as of the end of this day (default today)
    dim: str = ""  # e.g. "department:12"; "" the total


def _node(request, subject: facts.Subject, node_id: UUID | None) -> Any:
    """The node asked for (404 outside the role's reach), with the path its facts are kept at."""
    user = request.user
    if _tree(subject) == "org":
        if node_id is None:
            roots = org_roots_for(user)
            if not roots:
                raise ApiError(404, "not_found", "当前身份没有可查询统计的党组织。")
            return roots[0]
        return PartyOrg.objects.get_for_user(user, node_id)
    if node_id is None:
        path = facts.readable_path(user, "")
        if path is None:
            raise ApiError(404, "not_found", "当前身份没有可查询统计的属地。")
        node = Area.objects.filter(path=path).first() if path else None
        return node if node is not None else _Everything()
    area = Area.objects.get_for_user(user, node_id)
    if facts.readable_path(user, area.path) != area.path:
        raise ApiError(404, "not_found", "未找到该对象，或不在您的管辖范围内。")
    return area


class _Everything:
    """The whole deployment (a superuser without a node): the roots' sum."""

    public_id = None
    name = "全部"
    path = ""


def _row(subject: facts.Subject, node: NodeOut, m: facts.Measures) -> RowOut:
    values = {name: m[name] for name in subject.counts}
    if subject.amount:
        values[subject.amount] = m.amount
    row = RowOut(node=node, values=values)
    if subject.durations:
        row.p50_hours, row.p90_hours = m.percentile(0.5), m.percentile(0.9)
    return row


@router.get("/figures/{subject_name}", response={200: FigureOut, **ERRORS}, summary="一个统计主题：本级合计与下级分项")
def figure(request, subject_name: str, params: Query[FigureParams]):
    subject = facts.SUBJECTS.get(subject_name)
    if subject is None:
        raise ApiError(404, "not_found", "没有这个统计主题。")
    node = _node(request, subject, params.node)
    path = node.path
    model = PartyOrg if _tree(subject) == "org" else Area
    if subject.stock:
        on = params.on or timezone.localdate()
        day = facts.stock_day(subject, on)
        total = facts.stock_total(subject, path, on=day, dim=params.dim)
        cells = facts.stock_cells(subject, path, on=day, children=True, dim=params.dim)
        parts = {cell_path: m for (cell_path, _dim), m in cells.items()}
        date_from, date_to = None, on
    else:
        if params.period not in PERIODS:
            raise ApiError(422, "invalid", "不支持的统计区间。", {"period": "可选：" + "、".join(PERIODS)})
        try:
            period = period_for(params.period, params.date_from, params.date_to)
        except PeriodError as exc:
            raise ApiError(422, "invalid", str(exc), {"date_from": str(exc)}) from exc
        total = facts.total(subject, path, period, params.dim)
        parts = facts.children(subject, path, period, params.dim, node_total=total)
        date_from, date_to = period.date_from, period.date_to
    names = {n.path: n for n in model.objects.filter(path__in=list(parts)).only("public_id", "name", "path")}
    depth = len(path) // STEP + 1
    children = []
    for child_path in sorted(parts):
        child = names.get(child_path)
        if child_path == path or child is None or len(child_path) // STEP != depth:
            label = NodeOut(name="未定位到下级")
        else:
            label = NodeOut(id=child.public_id, name=child.name)
        children.append(_row(subject, label, parts[child_path]))
    return FigureOut(
        subject=subject.name,
        node=NodeOut(id=node.public_id, name=node.name),
        date_from=date_from,
        date_to=date_to,
        total=_row(subject, NodeOut(id=node.public_id, name=node.name), total),
        children=children,
    )
