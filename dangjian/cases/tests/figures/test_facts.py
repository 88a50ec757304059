"""The figures store for cases: random sequences of real steps leave the facts equal to a
recomputation from raw rows; the nightly check finds planted drift and repairs it; the figures read
the store only, never the cases table; a past period keeps its history."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.cases import services
from dangjian.cases.facts import CASES
from dangjian.cases.figures import selectors as figures
from dangjian.cases.intake.services import case_submit
from dangjian.cases.models import Case, CaseStatus
from dangjian.core import periods
from dangjian.core.figures import facts
from dangjian.core.models import DailyFact, FactMark
from dangjian.core.tasks import nightly_facts_check

G1A_POINT = {"lat": 22.205, "lng": 113.505}
OPS = ("submit", "accept", "reject", "dispatch_dept", "dispatch_dept2", "take", "return", "close", "callback_good",
       "callback_bad", "archive", "merge")  # fmt: skip


def _submit(w, k: int) -> Case:
    return case_submit(
        actor=w.users.resident,
        channel="phone",
        category="garbage",
        description=f"小区门口垃圾堆放三天无人清运，第{k}次反映",
        **G1A_POINT,
    )


def _apply(w, op: str, case: Case | None, other: Case | None, k: int) -> None:
    u = w.users
    steps = {
        "accept": lambda c: services.case_accept(actor=u.community_worker, case=c),
        "reject": lambda c: services.case_reject(actor=u.community_worker, case=c, reason="不属于受理范围"),
        "dispatch_dept": lambda c: services.case_dispatch(
            actor=u.community_worker, case=c, kind="department", department=w.dept
        ),
        "dispatch_dept2": lambda c: services.case_dispatch(
            actor=u.community_worker, case=c, kind="department", department=w.dept2
        ),
        "take": lambda c: services.case_take(actor=u.department_staff, case=c),
        "return": lambda c: services.case_return(actor=u.department_staff, case=c, reason="不属于本部门职责"),
        "close": lambda c: services.case_close(actor=u.department_staff, case=c, result="已清运完毕"),
        "callback_good": lambda c: services.case_callback(actor=u.community_worker, case=c, rating="satisfied"),
        "callback_bad": lambda c: services.case_callback(
            actor=u.community_worker, case=c, rating="unsatisfied", note="垃圾仍未清走"
        ),
        "archive": lambda c: services.case_archive(actor=None, case=c),
        "merge": lambda c: services.case_merge(actor=u.community_worker, case=c, main=other),
    }
    if op == "submit":
        _submit(w, k)
        return
    if case is None or (op == "merge" and (other is None or other.pk == case.pk)):
        return
    try:
        with transaction.atomic():
            steps[op](Case.objects.get(pk=case.pk))
    except ValidationError:  # TransitionRefused too: a step the case's state does not allow
        pass


def _assert_store_matches_raw_rows():
    want = facts.recompute(CASES)
    have = facts.stored(CASES, None, None)
    assert facts.differences(CASES, have, want.facts) == []
    marks = {pk: (day, applied) for pk, day, applied in FactMark.objects.filter(subject="cases").values_list(
        "object_id", "day", "applied")}  # fmt: skip
    assert marks == want.marks


@pytest.mark.django_db(transaction=False)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=14))
def test_random_steps_leave_the_facts_equal_to_a_recomputation(world, ops):
    w = world
    _submit(w, 0)
    for k, (op, i, j) in enumerate(ops):
        cases = list(Case.objects.order_by("pk"))
        case = cases[i % len(cases)] if cases else None
        other = cases[j % len(cases)] if cases else None
        _apply(w, op, case, other, k)
    _assert_store_matches_raw_rows()


def test_a_case_through_its_life_counts_once_at_every_level(world):
    w = world
    case = _submit(w, 1)
    case = services.case_accept(actor=w.users.community_worker, case=case)
    case = services.case_dispatch(actor=w.users.community_worker, case=case, kind="department", department=w.dept)
    case = services.case_take(actor=w.users.department_staff, case=case)
    case = services.case_close(actor=w.users.department_staff, case=case, result="已清运完毕")
    today = timezone.localdate()
    rows = DailyFact.objects.filter(subject="cases", day=today, dim="")
    # The grid, its community, its subdistrict and the district: one row each, the same counts.
    assert sorted(rows.values_list("area_path", flat=True)) == [
        w.district.path,
        w.s1.path,
        w.c1.path,
        w.g1a.path,
    ]
    received, closed = CASES.slot("received"), CASES.slot("closed")
    assert set(rows.values_list(received, closed)) == {(1, 1)}
    assert DailyFact.objects.get(subject="cases", day=today, area_path=w.g1a.path, dim=f"department:{w.dept.pk}")
    period = periods.Period("custom", today, today)
    total = figures.case_figures(user=w.users.district_admin, date_from=today, date_to=today).total
    assert (total.received, total.dispatched, total.closed, total.closed_on_time) == (1, 1, 1, 1)
    assert figures.figures_by_department(w.district.path, period)[w.dept.pk].closed == 1
    # Reopened by an unsatisfied callback: closed no more, in the same transaction as the step.
    services.case_callback(actor=w.users.community_worker, case=case, rating="unsatisfied", note="垃圾仍未清走")
    total = figures.case_figures(user=w.users.district_admin, date_from=today, date_to=today).total
    assert (total.received, total.closed, total.rated, total.satisfied) == (1, 0, 1, 0)
    _assert_store_matches_raw_rows()


def test_the_nightly_check_finds_planted_drift_and_repairs_it(world):
    w = world
    for k in range(3):
        _submit(w, k)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Case.objects.update(received_at=timezone.now() - datetime.timedelta(days=1))  # behind the signals
    facts.rebuild(["cases"], since=yesterday, until=yesterday)
    assert facts.reconcile(yesterday, ["cases"], repair=False) == []
    # Plant drift: one grid row loses a case, a stray row appears.
    received = CASES.slot("received")
    DailyFact.objects.filter(subject="cases", day=yesterday, area_path=w.g1a.path, dim="").update(**{received: 2})
    DailyFact.objects.create(subject="cases", day=yesterday, area_path=w.g2.path, depth=w.g2.depth, c0=5)
    found = facts.reconcile(yesterday, ["cases"], repair=False)
    assert {(d.area_path, d.measure, d.stored, d.expected) for d in found if d.dim == ""} == {
        (w.g1a.path, "received", 2, 3),
        (w.g2.path, "received", 5, 0),
    }
    result = nightly_facts_check.call_local()  # the periodic task: reports, then repairs
    assert result["day"] == yesterday.isoformat() and len(result["differences"]) == len(found)
    assert facts.reconcile(yesterday, ["cases"], repair=False) == []
    total = figures.case_figures(user=w.users.district_admin, date_from=yesterday, date_to=yesterday).total
    assert total.received == 3


def test_the_command_rebuilds_and_checks(world, capsys):
    w = world
    _submit(w, 1)
    DailyFact.objects.filter(subject="cases").delete()
    call_command("facts", "--check", "--day", timezone.localdate().isoformat())
    assert "differences (not repaired)" in capsys.readouterr().out
    call_command("facts", "--rebuild", "--subject", "cases")
    assert "facts cases:" in capsys.readouterr().out
    call_command("facts", "--check", "--day", timezone.localdate().isoformat())
    assert "0 differences (no drift)" in capsys.readouterr().out
    assert figures.case_figures(user=w.users.district_admin, date_from=timezone.localdate(),
                                date_to=timezone.localdate()).total.received == 1  # fmt: skip


def test_the_figures_pages_never_read_the_cases_table(world, login):
    w = world
    for k in range(3):
        _submit(w, k)
    client = login(w.users.district_admin)
    today = timezone.localdate().isoformat()
    params = urlencode({"period": "custom", "from": today, "to": today})
    for name in ("cases:figures", "cases:figures_map"):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{reverse(name)}?{params}")
        assert response.status_code == 200
        assert not [q["sql"] for q in ctx.captured_queries if '"cases_case"' in q["sql"]], name
        assert any("core_dailyfact" in q["sql"] for q in ctx.captured_queries)
    assert "3" in response.content.decode()


def test_past_days_keep_their_figures(world):
    """Facts are kept per cohort day: a past period reads what its days hold, whatever came later."""
    w = world
    old = timezone.now() - datetime.timedelta(days=40)
    for k in range(2):
        _submit(w, k)
    Case.objects.update(received_at=old)
    facts.rebuild(["cases"])
    _submit(w, 9)
    day = timezone.localdate(old)
    past = figures.case_figures(user=w.users.district_admin, date_from=day, date_to=day).total
    now = figures.case_figures(user=w.users.district_admin, date_from=day, date_to=timezone.localdate()).total
    assert (past.received, now.received) == (2, 3)
    assert Case.objects.filter(status=CaseStatus.SUBMITTED).count() == 3


def test_a_deleted_case_leaves_the_facts(world):
    w = world
    keep, gone = _submit(w, 1), _submit(w, 2)
    Case.objects.filter(pk=gone.pk).delete()
    today = timezone.localdate()
    assert figures.case_figures(user=w.users.district_admin, date_from=today, date_to=today).total.received == 1
    assert list(FactMark.objects.filter(subject="cases").values_list("object_id", flat=True)) == [keep.pk]
    _assert_store_matches_raw_rows()


def test_a_whistle_counts_the_summoned_departments_with_its_step(world):
    from dangjian.cases.whistle import services as whistle_services

    case = _submit(world, 1)
    case = services.case_accept(actor=world.users.community_worker, case=case)
    case = services.case_dispatch(
        actor=world.users.community_worker, case=case, kind="department", department=world.dept
    )
    whistle_services.whistle_blow(
        actor=world.users.community_worker,
        case=case,
        departments=[world.dept2],
        report_by=timezone.now() + datetime.timedelta(hours=4),
        reason="涉及两个部门，请到场会商",
    )
    _assert_store_matches_raw_rows()  # the summoned department is in the facts now, not at the next step
