"""Two community workers confirm the same registration at the same moment: one decision stands.

Real threads, real connections: on PostgreSQL the row lock makes the second wait and then read the
first one's decision; on SQLite the IMMEDIATE transactions serialize the writers the same way.
"""

import pytest

from dangjian.core.testing import run_at_once
from dangjian.registration import services
from dangjian.registration.models import Registration, RegistrationLog, RegistrationStatus


@pytest.mark.django_db(transaction=True)
def test_two_workers_confirming_at_once_leave_one_decision(reg_world, submit):
    reg = submit(reg_world.people.zhang)
    first, second = reg_world.users.community_worker, reg_world.users.community_worker_colleague
    results = run_at_once(
        lambda: services.registration_confirm(actor=first, registration=reg, note="甲"),
        lambda: services.registration_confirm(actor=second, registration=reg, note="乙"),
    )
    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["error", "ok"], results
    winner = first if results[0][0] == "ok" else second
    loser_error = next(value for kind, value in results if kind == "error")
    assert isinstance(loser_error, services.TransitionRefused)
    assert f"该报到已由 {winner} 处理" in " ".join(loser_error.messages)
    reg = Registration.objects.get(pk=reg.pk)
    assert reg.status == RegistrationStatus.CONFIRMED and reg.decided_by == winner
    steps = list(RegistrationLog.objects.filter(registration=reg).values_list("to_status", flat=True))
    assert steps == [RegistrationStatus.SUBMITTED, RegistrationStatus.CONFIRMED]


@pytest.mark.django_db(transaction=True)
def test_confirm_and_reject_at_once_leave_one_decision(reg_world, submit):
    reg = submit(reg_world.people.li)
    worker, colleague = reg_world.users.community_worker, reg_world.users.community_worker_colleague
    results = run_at_once(
        lambda: services.registration_confirm(actor=worker, registration=reg),
        lambda: services.registration_reject(actor=colleague, registration=reg, reason="不符"),
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    reg = Registration.objects.get(pk=reg.pk)
    assert reg.status in {RegistrationStatus.CONFIRMED, RegistrationStatus.REJECTED}
    assert RegistrationLog.objects.filter(registration=reg).count() == 2
