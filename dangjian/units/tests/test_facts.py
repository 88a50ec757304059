"""The coverage figures from the figures store (units/facts.py, a stock): after random sequences of
writes (units created, edited, organized, deleted; members on record coming and going; a district's
rule) the stored stock equals a recomputation from the rows and the figures equal those counted from
the units; a write that bypasses the signals is found by the check and repaired; and the figures of a
past date are those the units had then."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.core.figures import facts
from dangjian.core.models import DailyFact
from dangjian.people.facts import MEMBERS
from dangjian.people.models import Member
from dangjian.people.selectors import member_counts, member_counts_from_rows
from dangjian.units import coverage as unit_coverage
from dangjian.units import services
from dangjian.units.facts import UNITS, UNITS_ORG
from dangjian.units.models import ResidentUnit

KINDS = ("enterprise", "social_organization", "owners_committee", "property_company", "hospital")
STATUSES = ("in_service", "retired", "floating", "moved_out")
SERIAL = itertools.count(1)  # hypothesis runs its examples on the same fixture: names stay unique
OPS = ("create", "edit", "joint", "own", "none", "member", "member_move", "member_delete", "unit_delete", "rule")


def _apply(cov, op: str, i: int, k: int) -> None:
    w = cov.world
    units = list(ResidentUnit.objects.order_by("pk"))
    members = list(Member.objects.filter(workplace__isnull=False).order_by("pk"))
    unit = units[i % len(units)] if units else None
    communities = (w.c1, w.c2, w.c3)
    if op == "create":
        ResidentUnit.objects.create(
            name=f"随机单位{next(SERIAL)}",
            kind=KINDS[i % len(KINDS)],
            community=communities[i % 3],
            staff_count=(i * 7) % 60,
            member_count=i % 6,
            instructor="赵指导" if i % 4 == 0 else "",
        )
    elif op == "edit" and unit is not None:
        unit.kind, unit.member_count, unit.staff_count = KINDS[(i + k) % len(KINDS)], (i + k) % 5, (i * 11) % 70
        unit.instructor = "" if unit.instructor else "钱指导"
        unit.save()
    elif op in ("joint", "none") and unit is not None:
        services.unit_set_formation(actor=None, unit=unit, party_org=(cov.j1, cov.j2)[i % 2] if op == "joint" else None)
    elif op == "own" and unit is not None:
        services.unit_form_own_branch(actor=None, unit=unit, parent=w.cc3 if unit.community_id == w.c3.pk else w.cc1)
    elif op == "member" and unit is not None:
        Member.objects.create(name=f"随机党员{k}", workplace=unit, org=(w.eb, cov.j1)[i % 2], status=STATUSES[i % 4])
    elif op == "member_move" and members:
        member = members[i % len(members)]
        member.workplace, member.status = unit, STATUSES[(i + k) % 4]
        member.org = (w.eb, cov.j1, cov.j2)[(i + k) % 3]
        member.save()
    elif op == "member_delete" and members:
        members[i % len(members)].delete()
    elif op == "unit_delete" and unit is not None:
        unit.delete()
    elif op == "rule":
        services.coverage_rule_save(
            actor=None, district=w.district, min_members_for_single=2 + i % 3, min_staff_social_org=25 + i % 10
        )


def _assert_store_matches_rows(cov) -> None:
    for subject in (UNITS, UNITS_ORG, MEMBERS):
        assert facts.reconcile_stock(subject, repair=False) == [], subject.name
    w = cov.world
    for area in (None, w.district, w.s1, w.c1, w.c2, w.c3):
        counted = unit_coverage.figures_of(unit_coverage.units_under_area(area), rules=unit_coverage.area_rules(area))
        assert unit_coverage.area_figures(area) == counted
        assert unit_coverage.area_coverage(area).figures == counted
    for org in (w.dc, w.wc1, w.cc1, cov.j1):
        units = unit_coverage.units_under_org(org)
        assert unit_coverage.org_figures(org) == unit_coverage.figures_of(units, rules=unit_coverage.org_rules(org))
        assert member_counts(org) == member_counts_from_rows(org)
    assert member_counts(None) == member_counts_from_rows(None)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 40)), min_size=1, max_size=12))
def test_random_writes_leave_the_stock_equal_to_a_recomputation(cov, ops):
    for k, (op, i) in enumerate(ops):
        try:
            with transaction.atomic():
                _apply(cov, op, i, k)
        except (ValidationError, ProtectedError):  # a write the rules refuse: nothing changed
            pass
    _assert_store_matches_rows(cov)


def test_a_write_that_bypasses_the_signals_is_found_and_repaired(cov):
    u2 = cov.units["U2"]
    ResidentUnit.objects.filter(pk=u2.pk).update(party_org=cov.j1)  # no signal: the store lags
    Member.objects.filter(workplace=cov.units["U4"]).update(status="moved_out")
    drift = facts.reconcile_stock(UNITS, repair=False)
    assert {(d.area_path, d.measure) for d in drift} >= {(cov.world.c1.path, "joint"), (cov.world.c1.path, "blank")}
    assert unit_coverage.area_figures(cov.world.c1).joint == 2  # still the stored, stale figure
    assert facts.reconcile(timezone.localdate(), ["units", "units_org", "members"], repair=True)
    assert facts.reconcile_stock(UNITS) == [] and facts.reconcile_stock(UNITS_ORG) == []
    _assert_store_matches_rows(cov)
    assert unit_coverage.area_figures(cov.world.c1).joint == 3


def test_a_past_dates_figures_are_those_the_units_had_then(cov):
    """The seeds' before/after: changes recorded on their days, read back as of any date, through the
    monthly snapshots as well as without them."""
    w = cov.world
    today = timezone.localdate()
    long_ago = today - datetime.timedelta(days=120)
    DailyFact.objects.filter(subject__in=["units", "units@m"]).update(day=long_ago)  # the units' state then
    before = unit_coverage.area_figures(w.c1)
    assert (before.single, before.joint, before.blank) == (1, 2, 3)

    def change_on(day: datetime.date, unit: ResidentUnit, org) -> None:
        ResidentUnit.objects.filter(pk=unit.pk).update(party_org=org)
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
        facts.record_rows(UNITS, [unit.pk], now=at)

    middle = today - datetime.timedelta(days=60)
    change_on(middle, cov.units["U2"], cov.j1)  # 婆石甲 joins the joint branch
    change_on(today - datetime.timedelta(days=5), cov.units["U5"], cov.j1)  # and the 长者服务中心
    for snapshots in (False, True):
        if snapshots:
            assert facts.snapshot(UNITS) >= 4  # every month since the first delta
        assert unit_coverage.area_figures(w.c1, on=middle - datetime.timedelta(days=1)) == before
        then = unit_coverage.area_figures(w.c1, on=middle)
        assert (then.joint, then.blank) == (3, 2)
        now = unit_coverage.area_figures(w.c1)
        assert (now.joint, now.blank, now.unformed) == (4, 1, 2)
        assert unit_coverage.area_coverage(w.district, on=middle).figures == unit_coverage.area_figures(
            w.district, on=middle
        )
        assert unit_coverage.area_figures(w.c1, on=long_ago - datetime.timedelta(days=1)).units == 0


def test_a_snapshot_equals_the_sum_of_the_deltas_before_it(cov):
    today = timezone.localdate()
    for k, back in enumerate((200, 95, 40, 3)):
        day = today - datetime.timedelta(days=back)
        unit = cov.units["U2"]
        ResidentUnit.objects.filter(pk=unit.pk).update(kind=KINDS[k % 2], member_count=k % 2)
        facts.record_rows(UNITS, [unit.pk], now=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))))
    facts.snapshot(UNITS)
    snapshots = DailyFact.objects.filter(subject="units@m").exclude(area_path="")
    assert snapshots.exists()
    for row in snapshots:
        deltas = DailyFact.objects.filter(subject="units", area_path=row.area_path, dim=row.dim, day__lt=row.day)
        assert row.c0 == sum(d.c0 for d in deltas) and row.c3 == sum(d.c3 for d in deltas)
        assert row.c8 == sum(d.c8 for d in deltas)


def test_a_stock_cannot_be_rebuilt_by_days(cov):
    with pytest.raises(ValueError):
        facts.rebuild(["units"], since=timezone.localdate())


def test_a_bulk_write_is_recorded_by_record_bulk(cov):
    w = cov.world
    units = ResidentUnit.objects.bulk_create(
        [
            ResidentUnit(name=f"批量单位{n}", kind=KINDS[n % len(KINDS)], community=w.c2, member_count=n % 4)
            for n in range(6)
        ]
    )
    members = Member.objects.bulk_create(
        [Member(name=f"批量党员{n}", workplace=units[n % 6], org=w.eb, status="in_service") for n in range(9)]
    )
    assert facts.reconcile_stock(UNITS, repair=False) != []  # no signal: the store does not know them yet
    facts.record_bulk(ResidentUnit, [u.pk for u in units])
    facts.record_bulk(Member, [m.pk for m in members])
    _assert_store_matches_rows(cov)


def test_the_nightly_task_checks_the_stocks_and_keeps_their_snapshots(cov):
    from dangjian.core.tasks import nightly_facts_check

    ResidentUnit.objects.filter(pk=cov.units["U5"].pk).update(party_org=cov.j1)  # drift, planted
    DailyFact.objects.filter(subject="units").update(day=timezone.localdate() - datetime.timedelta(days=70))
    result = nightly_facts_check.call_local()
    assert any(d["subject"] == "units" and d["measure"] == "blank" for d in result["differences"])
    assert result["snapshots"]["units"] >= 2
    _assert_store_matches_rows(cov)


@pytest.mark.parametrize("flush_at", [5, 200_000])
def test_a_stock_rebuild_gives_the_same_stock_in_memory_or_flushed_by_parts(cov, flush_at):
    ResidentUnit.objects.filter(pk=cov.units["U9"].pk).update(party_org=cov.j1)  # a change the store missed
    facts._rebuild_stock(UNITS, flush_at=flush_at, page=4)
    assert facts.reconcile_stock(UNITS, repair=False) == []
    assert unit_coverage.area_figures(cov.world.c2).blank == 0  # U9 organized: no blank spot left in 茂盛
