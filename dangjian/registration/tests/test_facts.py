"""双报到 figures from the figures store (registration/facts.py, a stock of members by home community):
after random registrations, decisions and member changes, the stored stock equals a recomputation
from the rows and the per-community counts equal registration_summary's, counted from the rows."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.core.figures import facts
from dangjian.people.models import Member
from dangjian.registration import selectors, services
from dangjian.registration.facts import MEMBERS_HOME, home_counts
from dangjian.registration.models import Registration
from dangjian.registration.workflow import Party

OPS = ("submit", "submit_elsewhere", "confirm", "reject", "withdraw", "status", "move_home")


def _apply(w, op: str, i: int) -> None:
    members = list(Member.objects.filter(home_community__isnull=False).order_by("pk"))
    member = members[i % len(members)]
    regs = list(Registration.objects.filter(kind="member").order_by("pk"))
    reg = regs[i % len(regs)] if regs else None
    worker = w.users.community_worker
    if op in ("submit", "submit_elsewhere"):
        community = member.home_community if op == "submit" else (w.c3 if member.home_community_id == w.c1.pk else w.c1)
        services.registration_submit_member(
            actor=None, member=member, community=community, contact_mobile="13912345678"
        )
    elif op == "confirm" and reg is not None:
        services.registration_confirm(actor=worker, registration=reg)
    elif op == "reject" and reg is not None:
        services.registration_reject(actor=worker, registration=reg, reason="不在本社区居住")
    elif op == "withdraw" and reg is not None:
        services.registration_withdraw(actor=None, registration=reg, party=Party.REGISTRANT)
    elif op == "status":
        member.status = ("in_service", "retired", "in_service", "moved_out")[i % 4]
        member.save()
    elif op == "move_home":
        member.home_community = w.c3 if member.home_community_id == w.c1.pk else w.c1
        member.save()


def _assert_store_matches_rows(w) -> None:
    assert facts.reconcile_stock(MEMBERS_HOME, repair=False) == []
    summary = selectors.registration_summary(w.district)
    stored = home_counts([row.community for row in summary.rows])
    from_rows = selectors.home_counts_from_rows(w.district)
    assert {pk: counts for pk, counts in stored.items() if counts[0]} == {
        pk: counts for pk, counts in from_rows.items() if counts[0]
    }
    assert {row.community.pk: (row.members_due, row.members_done) for row in summary.rows if row.members_due} == {
        pk: counts for pk, counts in from_rows.items() if counts[0]
    }


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 30)), min_size=1, max_size=12))
def test_random_registrations_leave_the_stock_equal_to_a_recomputation(reg_world, ops):
    for op, i in ops:
        try:
            with transaction.atomic():
                _apply(reg_world, op, i)
        except ValidationError:  # a registration or a step the rules refuse: nothing changed
            pass
    _assert_store_matches_rows(reg_world)


@pytest.mark.django_db
def test_a_confirmation_counts_the_member_registered_at_home(reg_world, submit):
    w = reg_world
    assert home_counts([w.c1])[w.c1.pk] == (3, 0)  # 张三 李四 王建国 in service; 赵退休 retired
    reg = submit(w.people.zhang)
    assert home_counts([w.c1])[w.c1.pk] == (3, 0)
    services.registration_confirm(actor=w.users.community_worker, registration=reg)
    assert home_counts([w.c1])[w.c1.pk] == (3, 1)
    services.registration_withdraw(actor=None, registration=reg, party=Party.REGISTRANT)
    assert home_counts([w.c1])[w.c1.pk] == (3, 0)
    _assert_store_matches_rows(w)
