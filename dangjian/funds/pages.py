"""Reads behind the funds pages: the floor check per area and kind (from the figures store's
allocation stock and the kinds' rules), an area's balances, its commitments and journals."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.figures import facts as store
from dangjian.core.money import yuan
from dangjian.territory.models import Area

from .facts import ALLOCATED, funded_areas
from .models import Account, AccountKind, FloorBasis, FundKind, Journal, JournalKind, Rule
from .rules import floor_of

ZERO = Decimal("0.00")
JOURNAL_ORDER = ("-id",)


@dataclass
class Cell:
    kind: FundKind
    allocated: Decimal
    floor: Decimal

    @property
    def short(self) -> bool:
        return self.floor > 0 and self.allocated < self.floor

    @property
    def gap(self) -> Decimal:
        return max(self.floor - self.allocated, ZERO)


@dataclass
class Row:
    area: Area
    cells: list[Cell] = field(default_factory=list)

    @property
    def short(self) -> list[Cell]:
        return [c for c in self.cells if c.short]


def current_year() -> int:
    return timezone.localdate().year


def kinds_of(district: Area) -> list[FundKind]:
    return list(FundKind.objects.filter(district=district, active=True).order_by("position", "pk"))


def areas_under(node: Area) -> QuerySet:
    """The communities and subdistricts funds go to, under `node` (itself included)."""
    return funded_areas(node.path).order_by("path")


def floor_rows(
    district: Area,
    node: Area,
    year: int,
    *,
    on: datetime.date | None = None,
    kinds: list[FundKind] | None = None,
) -> list[Row]:
    """Per area under `node` and per kind with a rule: allocated for `year` as of `on` (the stock) against
    the floor. Three queries whatever the number of journals."""
    kinds = kinds if kinds is not None else kinds_of(district)
    areas = list(areas_under(node))
    bases = {b.area_id: b for b in FloorBasis.objects.filter(year=year, area__in=[a.pk for a in areas])}
    cells = store.stock_cells(ALLOCATED, node.path, on=on, paths=[a.path for a in areas], dim_prefix="fy:")
    suffix = f".{year}"
    allocated: dict[tuple[str, str], int] = {}
    for (path, dim), measures in cells.items():
        code_year = dim.split(":", 1)[1]
        if code_year.endswith(suffix):
            allocated[(path, code_year[: -len(suffix)])] = measures.amount
    rows = []
    for area in areas:
        basis = bases.get(area.pk)
        row = Row(area)
        for kind in kinds:
            if kind.level != area.level:
                continue
            floor = floor_of(
                kind,
                households=basis.households if basis else 0,
                members=basis.members if basis else 0,
            )
            row.cells.append(Cell(kind, yuan(allocated.get((area.path, kind.code), 0)), floor))
        rows.append(row)
    return rows


def floor_items(
    district: Area, node: Area, year: int, *, kind: str = "", met: bool | None = None
) -> list[tuple[Area, Cell]]:
    """Each (area, kind) under `node` with a floor above zero for `year`: for the current year, the pairs
    the cockpit's 经费保底达标率 counts (funds/facts.py, "fund_floors"); those of one kind, those that
    reach their floor (met) or not. Four queries."""
    ruled = [k for k in kinds_of(district) if k.rule != Rule.NONE and (not kind or k.code == kind)]
    items = []
    for row in floor_rows(district, node, year, kinds=ruled) if ruled else ():
        for cell in row.cells:
            if cell.floor > 0 and (met is None or met != cell.short):
                items.append((row.area, cell))
    return items


def shortfalls(district: Area, year: int) -> list[tuple[Area, Cell]]:
    """Every (area, kind) of the district below its floor for the year."""
    out = []
    ruled = [k for k in kinds_of(district) if k.rule != Rule.NONE]
    if not ruled:
        return out
    for row in floor_rows(district, district, year, kinds=ruled):
        out.extend((row.area, cell) for cell in row.short)
    return out


@dataclass
class Balance:
    kind: FundKind
    available: Decimal = ZERO
    committed: Decimal = ZERO
    spent: Decimal = ZERO


def balances(area: Area, district: Area, year: int) -> list[Balance]:
    """Per kind: available (uncommitted), committed and unpaid, spent (paid less refunds). One query."""
    kinds = FundKind.objects.filter(district=district, level=area.level).order_by("position", "pk")
    by_kind = {k.code: Balance(k) for k in kinds}
    accounts = Account.objects.filter(area=area, year=year).values_list("kind", "fund", "balance")
    for kind, fund, balance in accounts:
        b = by_kind.get(fund)
        if b is None:
            continue
        if kind == AccountKind.FUND:
            b.available += balance
        elif kind == AccountKind.COMMITMENT:
            b.committed += balance
        elif kind == AccountKind.SPENT:
            b.spent += balance
    return [b for b in by_kind.values() if b.kind.active or b.available or b.committed or b.spent]


def commitments(area: Area, year: int) -> QuerySet:
    return Account.objects.filter(area=area, year=year, kind=AccountKind.COMMITMENT)


def label_commitments(accounts: list[Account]) -> list[Account]:
    """Each commitment account with `label`: the memo its commitment was written with (e.g.
    民生微实事立项：<title>), not the holder key, which is for the ledger. One query."""
    memos = dict(
        Journal.objects.filter(kind=JournalKind.COMMITMENT, holder__in=[a.holder for a in accounts])
        .order_by("-id")
        .values_list("holder", "memo")
    )
    for account in accounts:
        account.label = memos.get(account.holder) or _("经费承诺")
    return accounts


def journals(area: Area, *, year: int | None = None, kind: str = "") -> QuerySet:
    qs = Journal.objects.filter(area=area)
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def attach_people(journals_: list[Journal]) -> list[Journal]:
    """A page of journals with who entered and approved each (one query)."""
    ids = [j.pk for j in journals_]
    full = Journal.objects.filter(pk__in=ids).select_related("created_by", "approver")
    by_pk = {j.pk: j for j in full}
    return [by_pk.get(j.pk, j) for j in journals_]


def years_around(year: int) -> list[int]:
    return [year - 2, year - 1, year, year + 1]


def district_of_user_area(area: Any) -> Area | None:
    from dangjian.core.tree import STEP

    return Area.objects.filter(path=area.path[:STEP], level="district").first() if area is not None else None


@dataclass
class StatementLine:
    """One fund kind's year on the statement: the journals' sums by journal kind."""

    fund: str
    name: str
    sums: dict[str, Decimal] = field(default_factory=dict)

    @property
    def cells(self) -> list[Decimal]:
        """The sums in the order of JournalKind (the statement's columns)."""
        return [self.sums.get(kind, ZERO) for kind in JournalKind.values]


def statement(area: Area, district: Area | None, year: int) -> dict[str, Any]:
    """The year's 经费台账 of one area: every journal in the order written (with who entered and
    approved it) and, per fund kind, the sums by journal kind. Two queries."""
    names = {k.code: k.name for k in FundKind.objects.filter(district=district)} if district else {}
    rows = list(journals(area, year=year).select_related("created_by", "approver").order_by("id"))
    lines: dict[str, StatementLine] = {}
    for j in rows:
        j.fund_name = names.get(j.fund, j.fund)
        line = lines.setdefault(j.fund, StatementLine(j.fund, j.fund_name))
        line.sums[j.kind] = line.sums.get(j.kind, ZERO) + j.amount
    return {"rows": rows, "lines": list(lines.values())}
