"""The figures store for demands: random sequences of real steps leave the facts equal to a
recomputation from raw rows; the reminder scan (a log row, no step) refreshes a demand's facts; the
figures page reads the store, never the demands table."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.core import periods
from dangjian.core.figures import facts
from dangjian.core.models import FactMark
from dangjian.demands import reminders, services
from dangjian.demands.facts import DEMANDS
from dangjian.demands.insight import figures
from dangjian.demands.models import Demand
from dangjian.people.models import Member

OPS = ("submit", "accept", "decline", "withdraw", "publish", "claim", "done", "rate", "close")


@pytest.fixture
def doer(world):
    Member.objects.create(name="党员甲", home_community=world.c1, org=world.eb, user=world.users.member)
    return world.users.member


def _submit(w, k: int) -> Demand:
    return services.demand_submit(actor=w.users.resident, kind="family_help", title=f"帮忙更换厨房灯泡{k}")


def _apply(w, doer, op: str, demand: Demand | None, k: int) -> None:
    u = w.users
    steps = {
        "accept": lambda d: services.demand_accept(actor=u.community_worker, demand=d),
        "decline": lambda d: services.demand_decline(actor=u.community_worker, demand=d, reason="不属于服务范围"),
        "withdraw": lambda d: services.demand_withdraw(actor=u.resident, demand=d, note="已自行解决"),
        "publish": lambda d: services.demand_publish(actor=u.community_worker, demand=d),
        "claim": lambda d: services.demand_claim(actor=doer, demand=d),
        "done": lambda d: services.demand_done(actor=doer, demand=d, note="已更换", hours=str(1 + k % 3)),
        "rate": lambda d: services.demand_rate(actor=u.resident, demand=d, rating=1 + k % 5),
        "close": lambda d: services.demand_close(actor=None, demand=d),
    }
    if op == "submit":
        _submit(w, k)
        return
    if demand is None:
        return
    try:
        with transaction.atomic():
            steps[op](Demand.objects.get(pk=demand.pk))
    except ValidationError:  # TransitionRefused too: a step the demand's state does not allow
        pass


def _assert_store_matches_raw_rows():
    want = facts.recompute(DEMANDS)
    assert facts.differences(DEMANDS, facts.stored(DEMANDS, None, None), want.facts) == []
    marks = {pk: (day, applied) for pk, day, applied in FactMark.objects.filter(subject="demands").values_list(
        "object_id", "day", "applied")}  # fmt: skip
    assert marks == want.marks


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 50)), min_size=1, max_size=14))
def test_random_steps_leave_the_facts_equal_to_a_recomputation(world, doer, ops):
    _submit(world, 0)
    for k, (op, i) in enumerate(ops):
        demands = list(Demand.objects.order_by("pk"))
        _apply(world, doer, op, demands[i % len(demands)] if demands else None, k)
    _assert_store_matches_raw_rows()


def test_a_demand_through_its_loop_reads_back_from_the_store(world, doer):
    w = world
    demand = _submit(w, 1)
    demand = services.demand_accept(actor=w.users.community_worker, demand=demand)
    demand = services.demand_publish(actor=w.users.community_worker, demand=demand)
    demand = services.demand_claim(actor=doer, demand=demand)
    demand = services.demand_done(actor=doer, demand=demand, note="已更换", hours="1.5")
    services.demand_rate(actor=w.users.resident, demand=demand, rating=4)
    services.demand_withdraw(actor=w.users.resident, demand=_submit(w, 2), note="不需要了")
    today = timezone.localdate()
    report = figures.demand_figures(user=w.users.district_admin, node=w.district, period=periods.Period(
        "custom", today, today))  # fmt: skip
    t = report.total
    assert (t.received, t.accepted, t.taken, t.done, t.rated, t.good, t.stars) == (1, 1, 1, 1, 1, 1, 4.0)
    assert str(t.hours) == "1.5"
    _assert_store_matches_raw_rows()


def test_the_reminder_scan_refreshes_a_late_demand_without_a_step(world):
    w = world
    demand = services.demand_accept(actor=w.users.community_worker, demand=_submit(w, 1))
    Demand.objects.filter(pk=demand.pk).update(step_due_at=timezone.now() - datetime.timedelta(hours=2))
    today = timezone.localdate()
    period = periods.Period("custom", today, today)
    assert figures.demand_figures(user=w.users.district_admin, node=w.district, period=period).total.late == 0
    reminders.scan_remind()  # logs a REMIND row: the store follows it in the same transaction
    assert figures.demand_figures(user=w.users.district_admin, node=w.district, period=period).total.late == 1
    _assert_store_matches_raw_rows()


def test_the_figures_page_never_reads_the_demands_table(world, login):
    w = world
    _submit(w, 1)
    client = login(w.users.district_admin)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("demands:figures"), {"period": "this_month"})
    assert response.status_code == 200
    assert not [q["sql"] for q in ctx.captured_queries if '"demands_demand"' in q["sql"]]
    assert any("core_dailyfact" in q["sql"] for q in ctx.captured_queries)
