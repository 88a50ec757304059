"""The figures store keeps the funds figures in the writer's transaction: per node and period
(allocated, committed, paid, refunded, released), and the allocation stock read at any date."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from dangjian.core.figures import facts as store
from dangjian.core.money import yuan
from dangjian.core.periods import Period
from dangjian.funds import pages
from dangjian.funds.facts import ALLOCATED, FLOWS
from dangjian.funds.services import commit_funds, pay_commitment, refund_payment, release_commitment
from dangjian.funds.services.allocations import allocate_now
from dangjian.funds.services.kinds import bases_refresh

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def period():
    today = timezone.localdate()
    return Period(key="custom", date_from=today - datetime.timedelta(days=1), date_to=today)


def flow(path, kind):
    return yuan(store.total(FLOWS, path, period(), f"flow:{kind}").amount)


def test_every_flow_is_counted_at_the_node_and_above(funded):
    commit_funds(actor=None, holder="h", community=funded.c1, kind="micro", year=YEAR, amount=1000, memo="", key="c")
    pay = pay_commitment(actor=None, holder="h", amount="600.50", payee="x", memo="", key="p")
    refund_payment(actor=None, holder="h", payment=pay, amount="100.25", memo="", key="r")
    release_commitment(actor=None, holder="h", memo="", key="x")
    for path in (funded.c1.path, funded.s1.path, funded.district.path):
        assert flow(path, "allocation") == Decimal("100000.00")
        assert flow(path, "commitment") == Decimal("1000.00")
        assert flow(path, "payment") == Decimal("600.50")
        assert flow(path, "refund") == Decimal("100.25")
        assert flow(path, "release") == Decimal("499.75")
    assert flow(funded.s2.path, "allocation") == 0
    assert store.total(FLOWS, funded.c1.path, period(), "ff:payment.micro").amount == 60050


def test_the_allocation_stock_reads_any_date_and_the_floor_check(funded, second_admin):
    allocate_now(actor=funded.users.district_admin, approver=second_admin, area=funded.c1, kind="service",
                 year=YEAR, amount=60000)  # fmt: skip
    stock = store.stock_cells(ALLOCATED, funded.c1.path, paths=[funded.c1.path], dim_prefix="fy:")
    assert stock[(funded.c1.path, f"fy:service.{YEAR}")].amount == 6000000
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert not store.stock_cells(ALLOCATED, funded.c1.path, on=yesterday, paths=[funded.c1.path], dim_prefix="fy:")
    short = {(a.pk, c.kind.code): c for a, c in pages.shortfalls(funded.district, YEAR)}
    assert short[(funded.c1.pk, "service")].gap == Decimal("40000.00")
    assert (funded.c1.pk, "micro") not in short  # no floor
    allocate_now(actor=funded.users.district_admin, approver=second_admin, area=funded.c1, kind="service",
                 year=YEAR, amount=40000)  # fmt: skip
    short = {(a.pk, c.kind.code) for a, c in pages.shortfalls(funded.district, YEAR)}
    assert (funded.c1.pk, "service") not in short and (funded.c2.pk, "service") in short


def test_household_and_member_floors_from_the_bases(funded, second_admin):
    funded.estate.households = 20000
    funded.estate.save()
    bases_refresh(actor=funded.users.district_admin, district=funded.district, year=YEAR, members={funded.c1.pk: 50})
    rows = {r.area.pk: r for r in pages.floor_rows(funded.district, funded.district, YEAR)}
    street = next(c for c in rows[funded.s1.pk].cells if c.kind.code == "street")
    assert street.floor == Decimal("400000")  # 20 元 × 20,000 户, within 30–50万
    street2 = next(c for c in rows[funded.s2.pk].cells if c.kind.code == "street")
    assert street2.floor == Decimal("300000")  # no households: the minimum
    member = next(c for c in rows[funded.c1.pk].cells if c.kind.code == "member")
    assert member.floor == Decimal("10000")  # 200 元 × 50 members
