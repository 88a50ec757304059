"""Excel exports of funds: allocations (every allocation in the user's scope, any status) and the
balances and floor check of a year (per area × kind, read from the figures store and the accounts)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from dangjian.core.db import replica_view
from dangjian.core.views import require_roles
from dangjian.imports import registry
from dangjian.imports.exports import ExportColumn, export_response

from . import pages
from .models import Account, AccountKind, Allocation
from .permissions import DESK_ROLES


def _local(value: Any) -> Any:
    return value or ""


ALLOCATION_COLUMNS = [
    ExportColumn(gettext_lazy("拨付对象"), lambda a: a.area.name, width=18),
    ExportColumn(gettext_lazy("层级"), lambda a: a.area.get_level_display(), width=8),
    ExportColumn(gettext_lazy("经费类别"), lambda a: a.fund, width=14),
    ExportColumn(gettext_lazy("年度"), lambda a: a.year, width=8),
    ExportColumn(gettext_lazy("金额（元）"), lambda a: a.amount, width=14),
    ExportColumn(gettext_lazy("状态"), lambda a: a.get_status_display(), width=10),
    ExportColumn(gettext_lazy("摘要"), lambda a: a.memo, width=26),
    ExportColumn(gettext_lazy("录入人"), lambda a: str(a.entered_by), width=12),
    ExportColumn(gettext_lazy("录入时间"), lambda a: a.created_at, width=18),
    ExportColumn(gettext_lazy("审批人"), lambda a: str(a.approver or ""), width=12),
    ExportColumn(gettext_lazy("审批时间"), lambda a: _local(a.decided_at), width=18),
]

BALANCE_COLUMNS = [
    ExportColumn(gettext_lazy("社区/街道"), lambda r: r["area"], width=18),
    ExportColumn(gettext_lazy("经费类别"), lambda r: r["kind"], width=16),
    ExportColumn(gettext_lazy("年度"), lambda r: r["year"], width=8),
    ExportColumn(gettext_lazy("已拨付（元）"), lambda r: r["allocated"], width=14),
    ExportColumn(gettext_lazy("保底（元）"), lambda r: r["floor"], width=14),
    ExportColumn(gettext_lazy("未达保底"), lambda r: r["short"], width=10),
    ExportColumn(gettext_lazy("可用（元）"), lambda r: r["available"], width=14),
    ExportColumn(gettext_lazy("已承诺未支付（元）"), lambda r: r["committed"], width=16),
    ExportColumn(gettext_lazy("已支出（元）"), lambda r: r["spent"], width=14),
]


def _own_area(request):
    from dangjian.accounts.roles import active_assignment

    assignment = active_assignment(request.user)
    if assignment is None or assignment.area is None:
        raise Http404
    return assignment.area


@require_roles(DESK_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_allocations(request):
    qs = Allocation.objects.visible_to(request.user).select_related("area", "entered_by", "approver").order_by("-id")
    return export_response(
        request=request,
        queryset_or_rows=qs,
        columns=ALLOCATION_COLUMNS,
        filename=_("经费拨付"),
        actor=request.user,
        object_type="funds.allocation",
    )


def balance_rows(node: Any, year: int) -> list[dict[str, Any]]:
    """Per area × kind under `node`: allocated against the floor, and the accounts' balances."""
    district = pages.district_of_user_area(node)
    if district is None:
        return []
    kinds = pages.kinds_of(district)
    rows = pages.floor_rows(district, node, year, kinds=kinds)
    held: dict[tuple[int, str, str], Any] = {}
    accounts = Account.objects.filter(area__in=[r.area.pk for r in rows], year=year).values_list(
        "area_id", "kind", "fund", "balance"
    )
    for area_id, kind, fund, balance in accounts.iterator(chunk_size=5000):
        key = (area_id, fund, kind)
        held[key] = held.get(key, 0) + balance
    out = []
    for row in rows:
        for cell in row.cells:
            k = cell.kind.code
            out.append(
                {
                    "area": row.area.name,
                    "kind": cell.kind.name,
                    "year": year,
                    "allocated": cell.allocated,
                    "floor": cell.floor,
                    "short": _("是") if cell.short else "",
                    "available": held.get((row.area.pk, k, AccountKind.FUND), 0),
                    "committed": held.get((row.area.pk, k, AccountKind.COMMITMENT), 0),
                    "spent": held.get((row.area.pk, k, AccountKind.SPENT), 0),
                }
            )
    return out


@require_roles(DESK_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_balances(request):
    try:
        year = int(request.GET.get("year") or pages.current_year())
    except ValueError:
        year = pages.current_year()
    node = _own_area(request)
    return export_response(
        request=request,
        queryset_or_rows=balance_rows(node, year),
        columns=BALANCE_COLUMNS,
        filename=_("经费余额与保底"),
        actor=request.user,
        object_type="funds.balance",
        filters={"year": year},
        area_path=node.path,
    )


registry.register_export(
    "export/funds-allocations/",
    export_allocations,
    "export_funds_allocations",
    label=gettext_lazy("经费拨付"),
    roles=DESK_ROLES,
    position=170,
)
registry.register_export(
    "export/funds-balances/",
    export_balances,
    "export_funds_balances",
    label=gettext_lazy("经费余额与保底"),
    roles=DESK_ROLES,
    position=171,
)
