"""The demands' integrity checks (demands/integrity.py): state and log, and the time bank's settlement."""

from __future__ import annotations

import uuid

from dangjian.core.testing import integrity_findings as found
from dangjian.demands.models import Demand, DemandLog
from dangjian.demands.workflow import DEMAND_FLOW, Step


def test_demand_defects_are_found(demo):
    assert found("demands") == {}
    accepted = DemandLog.objects.filter(step=Step.ACCEPT).values("demand")
    open_ = (
        Demand.objects.filter(
            pk__in=accepted, status__in=DEMAND_FLOW.statuses(is_open=True), bank_hours=0, requester__isnull=False
        )
        .order_by("pk")[:1]
        .get()
    )
    done = Demand.objects.filter(
        status__in=DEMAND_FLOW.statuses(counts_as_closed=True), assigned_user__isnull=False, bank_hours=0
    ).order_by("pk")
    closed = done.filter(hours__gt=0)[:1].get()
    unpaid = done.filter(hours__gt=0).exclude(pk=closed.pk)[:1].get()
    other = Demand.objects.exclude(pk__in=[open_.pk, closed.pk, unpaid.pk]).order_by("pk")[:1].get()

    # An accepted demand that pays hours, but nothing was held.
    Demand.objects.filter(pk=open_.pk).update(bank_hours=2)
    # A closed free demand whose recorded hours are not what was minted to the doer.
    Demand.objects.filter(pk=closed.pk).update(hours=99)
    # One whose deposit is not there (its deposit's key, made of its public id, finds nothing).
    Demand.objects.filter(pk=unpaid.pk).update(public_id=uuid.uuid4())
    DemandLog.objects.filter(demand=closed).exclude(from_status="").delete()
    # A demand without its log.
    DemandLog.objects.filter(demand=other).delete()

    settlement = found("demands.settlement")
    assert settlement["missing_hold"] == {open_.pk}
    assert settlement["service_deposit_mismatch"] == {closed.pk}
    assert settlement["missing_service_deposit"] == {unpaid.pk}
    workflow = found("demands.workflow")
    assert other.pk in workflow["missing_creation_log"]
    assert closed.pk in workflow["log_status_mismatch"]
