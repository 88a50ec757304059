"""Every log of the demo reads as it would in life: its steps in the order they were taken, each at a
time no earlier than the step before, each starting from the state the step before left."""

from __future__ import annotations

import pytest

from dangjian.cases.models import CaseLog
from dangjian.centers.models import BookingLog
from dangjian.demands.models import DemandLog
from dangjian.orgs.models import WeakCaseLog
from dangjian.registration.models import RegistrationLog

# (log model, the field naming the object whose log it is)
LOGS = (
    (CaseLog, "case_id"),
    (DemandLog, "demand_id"),
    (RegistrationLog, "registration_id"),
    (WeakCaseLog, "case_id"),
    (BookingLog, "booking_id"),
)


@pytest.mark.parametrize(("model", "owner"), LOGS, ids=[m.__name__ for m, _o in LOGS])
def test_every_demo_log_is_in_the_workflows_order(demo, model, owner):
    rows = model.objects.order_by(owner, "pk").values_list(owner, "pk", "at", "from_status", "to_status")
    assert rows.exists(), f"the demo has no {model.__name__} rows"
    problems = []
    previous = None
    for row in rows:
        obj, pk, at, from_status, to_status = row
        if previous is None or previous[0] != obj:
            if from_status:  # the first step starts from nothing
                problems.append(f"{obj}: first step #{pk} starts from {from_status}")
        else:
            if at < previous[2]:
                problems.append(f"{obj}: step #{pk} at {at} is earlier than #{previous[1]} at {previous[2]}")
            if from_status != previous[4]:
                problems.append(f"{obj}: step #{pk} starts from {from_status}, the step before left {previous[4]}")
        previous = row
    assert not problems, f"{model.__name__}: {len(problems)} problems, e.g. " + "; ".join(problems[:5])


def test_a_demo_case_has_one_deadline_the_one_its_acceptance_set(demo):
    from django.utils import timezone

    from dangjian.cases.models import Case, Extension

    stretched = Extension.objects.filter(status="approved").values("case_id")
    cases = Case.objects.filter(reopen_count=0, deadline__isnull=False).exclude(pk__in=stretched)
    checked = 0
    for case in cases:
        accept = case.log.filter(step="accept").first()
        if accept is None:
            continue
        when = timezone.localtime(case.deadline).strftime("%Y-%m-%d %H:%M")
        assert accept.note.endswith(f"期限 {when}"), (case.number, accept.note, when)
        assert accept.at == case.accepted_at, case.number
        checked += 1
    assert checked > 50
