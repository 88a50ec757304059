"""The demo step: every community and subdistrict funded for the year through the two-step allocation,
one community below its 服务群众专项经费 floor (flagged on the overview), one allocation waiting, a
ledger that passes every integrity check, and 民生微实事资金 left for the projects' demo."""

import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core import integrity
from dangjian.demo import funds as demo_data
from dangjian.funds import pages
from dangjian.funds.models import Allocation, AllocationStatus
from dangjian.funds.selectors import available
from dangjian.territory.models import Area


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_funds(db, monkeypatch):
    from dangjian.demo import builder

    monkeypatch.setattr(builder, "DEMO_EXTENSIONS", ["dangjian.demo.people.build"])
    built = builder.build_demo_district()
    reverse("funds:overview")  # the URL conf is loaded by the steps before (the first reverse costs seconds)
    with CaptureQueriesContext(connection) as ctx:
        demo_data.build(random.Random(7), built)
    return built, len(ctx.captured_queries)


def test_the_demo_funds_every_area_and_flags_one(demo_funds, client):
    _built, queries = demo_funds
    allocations = Allocation.objects.count()
    # What the step costs (deterministic, unlike time on a shared machine): about 53 statements per
    # allocation entered and approved (journal, entries, balances, facts and the floors' stock, log,
    # audit, message).
    assert queries <= 55 * allocations + 60, (queries, allocations)
    year = timezone.localdate().year
    district = Area.objects.get(level="district")
    communities = list(Area.objects.filter(level="community"))
    for community in communities:
        assert available(community, "micro", year) == demo_data.MICRO_PER_COMMUNITY
    short = pages.shortfalls(district, year)
    assert [(area.level, cell.kind.code) for area, cell in short] == [("community", "service")]
    assert short[0][1].gap == Decimal("40000.00")
    assert Allocation.objects.filter(status=AllocationStatus.PENDING).count() == 1
    assert not Allocation.objects.filter(status=AllocationStatus.APPROVED, approver__username="qu_admin").exists()
    results = integrity.run(["funds"])
    assert results and all(r.ok for r in results), [r.as_dict() for r in results if not r.ok]
    client.force_login(User.objects.get(username="qu_finance"))
    page = client.get(reverse("funds:overview")).content.decode()
    assert 'data-testid="floor-flag"' in page


def test_the_demo_step_runs_once(demo_funds):
    built, _seconds = demo_funds
    before = Allocation.objects.count()
    demo_data.build(random.Random(7), built)
    assert Allocation.objects.count() == before
