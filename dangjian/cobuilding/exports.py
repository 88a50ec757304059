"""Excel exports of co-building (served under /imports/export/, registered with the import engine): the
covenant fulfilment table of a year, the liaisons' visits and problems of a year, and the estates by
governance. Each reads through visible_to() and is audited by export_response; none carries personal data
(names of leaders and units are public roles, not residents)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from dangjian.core.db import replica_view
from dangjian.core.views import require_roles
from dangjian.imports import registry
from dangjian.imports.conf import setting
from dangjian.imports.exports import ExportColumn, date_text, export_response, label, name_of

from . import selectors
from .fulfilment import MEASURES, Fulfilment, fulfilment
from .models import FIVE_HAVES
from .permissions import MANAGE_ROLES
from .views import year_of

CHUNK = 500


def _yes(value: bool) -> str:
    return _("是") if value else _("否")


def _measure(key: str) -> ExportColumn:
    def value(row: Fulfilment) -> str:
        line = next(line for line in row.lines if line.key == key)
        return f"{line.made} / {line.due}"

    header = format_lazy("{m}{s}", m=dict(MEASURES)[key], s=gettext_lazy("（完成/应完成）"))
    return ExportColumn(header, value, width=16)


def _have(key: str) -> Any:
    def value(governance: Any) -> str:
        return _yes(getattr(governance, key))

    return value


FULFILMENT_COLUMNS = [
    ExportColumn(gettext_lazy("年度"), lambda r: r.year, width=8),
    ExportColumn(gettext_lazy("街道/社区"), lambda r: r.covenant.area.name, width=18),
    ExportColumn(gettext_lazy("共建单位"), lambda r: r.covenant.unit.name, width=24),
    ExportColumn(gettext_lazy("契约起始"), lambda r: date_text(r.covenant.starts_on), width=12),
    ExportColumn(gettext_lazy("契约截止"), lambda r: date_text(r.covenant.ends_on), width=12),
    *[_measure(key) for key, _label in MEASURES],
    ExportColumn(gettext_lazy("履约率（%）"), lambda r: r.share if r.share is not None else "", width=10),
    ExportColumn(gettext_lazy("是否滞后"), lambda r: _yes(not r.kept), width=8),
    ExportColumn(gettext_lazy("滞后项"), lambda r: "、".join(line.label for line in r.behind), width=30),
]

LIAISON_COLUMNS = [
    ExportColumn(gettext_lazy("领导姓名"), lambda f: f.liaison.leader_name, width=10),
    ExportColumn(gettext_lazy("职务"), lambda f: f.liaison.post, width=20),
    ExportColumn(gettext_lazy("层级"), lambda f: label(f.liaison, "level"), width=10),
    ExportColumn(gettext_lazy("包联社区/网格/小区"), lambda f: str(f.liaison.target or ""), width=22),
    ExportColumn(gettext_lazy("应走访（次）"), lambda f: f.due, width=12),
    ExportColumn(gettext_lazy("已走访（次）"), lambda f: f.made, width=12),
    ExportColumn(gettext_lazy("收集问题"), lambda f: f.collected, width=10),
    ExportColumn(gettext_lazy("已解决"), lambda f: f.solved, width=10),
    ExportColumn(gettext_lazy("走访滞后"), lambda f: _yes(f.behind), width=10),
]

ESTATE_COLUMNS = [
    ExportColumn(gettext_lazy("社区"), lambda g: g.estate.community.name, width=16),
    ExportColumn(gettext_lazy("小区"), lambda g: g.estate.name, width=20),
    ExportColumn(gettext_lazy("管理方式"), lambda g: label(g, "mode"), width=14),
    ExportColumn(gettext_lazy("物业服务企业"), lambda g: name_of(g.company), width=24),
    ExportColumn(gettext_lazy("物业企业党组织"), lambda g: _yes(bool(g.company and g.company.branch_id)), width=10),
    ExportColumn(gettext_lazy("小区党支部"), lambda g: name_of(g.branch), width=20),
    ExportColumn(gettext_lazy("业主委员会"), lambda g: g.owners_committee, width=20),
    ExportColumn(gettext_lazy("红色业委会"), lambda g: _yes(g.red_committee), width=10),
    ExportColumn(gettext_lazy("业委会党员/人数"), lambda g: f"{g.committee_party_members} / {g.committee_size}"),
    *[ExportColumn(text, _have(key), width=10) for key, text in FIVE_HAVES],
]


def _chunks(qs: QuerySet) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for obj in qs.iterator(chunk_size=CHUNK):
        batch.append(obj)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _too_large(qs: QuerySet) -> bool:
    return qs.count() > setting("EXPORT_MAX_ROWS")


@require_roles(MANAGE_ROLES)
@require_http_methods(["GET"])
@replica_view
def export_fulfilment(request):
    """One row per covenant in force in the year (?year=), computed from the records a chunk at a time."""
    year = year_of(request)
    qs = selectors.covenants(request.user).order_by("area_path", "unit__name", "pk")
    rows: Any = qs if _too_large(qs) else (r for chunk in _chunks(qs) for r in fulfilment(chunk, year))
    return export_response(
        request=request,
        queryset_or_rows=rows,
        columns=FULFILMENT_COLUMNS,
        filename=_("共建契约履约%(y)s") % {"y": year},
        actor=request.user,
        object_type="cobuilding.covenant",
        filters={"year": year},
    )


@require_roles(MANAGE_ROLES)
@require_http_methods(["GET"])
@replica_view
def export_liaisons(request):
    """One row per active liaison: visits due vs made, problems collected vs solved in the year (?year=)."""
    year = year_of(request)
    qs = selectors.liaisons(request.user).order_by("level", "leader_name", "pk")
    rows: Any = qs if _too_large(qs) else (
        f for chunk in _chunks(qs) for f in selectors.liaison_figures(chunk, year)
    )  # fmt: skip
    return export_response(
        request=request,
        queryset_or_rows=rows,
        columns=LIAISON_COLUMNS,
        filename=_("挂点走访与问题%(y)s") % {"y": year},
        actor=request.user,
        object_type="cobuilding.liaison",
        filters={"year": year},
    )


@require_roles(MANAGE_ROLES)
@require_http_methods(["GET"])
@replica_view
def export_estates(request):
    qs = selectors.estates(request.user).order_by("area_path", "estate__name", "pk")
    return export_response(
        request=request,
        queryset_or_rows=qs,
        columns=ESTATE_COLUMNS,
        filename=_("小区治理"),
        actor=request.user,
        object_type="cobuilding.estate",
    )


registry.register_export(
    "export/cobuilding-fulfilment/",
    export_fulfilment,
    "export_cobuilding_fulfilment",
    label=gettext_lazy("共建契约履约"),
    roles=MANAGE_ROLES,
    position=175,
)
registry.register_export(
    "export/cobuilding-liaisons/",
    export_liaisons,
    "export_cobuilding_liaisons",
    label=gettext_lazy("挂点走访与问题"),
    roles=MANAGE_ROLES,
    position=176,
)
registry.register_export(
    "export/cobuilding-estates/",
    export_estates,
    "export_cobuilding_estates",
    label=gettext_lazy("小区治理（红色物业）"),
    roles=MANAGE_ROLES,
    position=177,
)
