"""Settling a demand with the time bank and points, in the transaction of the step that calls it.

Hours the requester pays are held when the community accepts, given back when the demand is declined
or withdrawn, and released to the doer when it is rated or closed (else the recorded hours are minted);
points are awarded then. Every call is keyed by the demand's public_id, so a retry writes nothing more."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.scoping import acting_user

from .models import Demand, DemandStatus
from .workflow import policy_for


def hold_key(demand: Demand) -> str:
    return f"demand:{demand.public_id}:hold"


def hold(locked: Demand, actor: Any) -> None:
    """受理 of a demand the requester pays hours for: the hours go into the community's escrow."""
    if locked.bank_hours > 0 and locked.requester_id:
        from dangjian.timebank.services import escrow_hold

        escrow_hold(
            user=locked.requester,
            hours=locked.bank_hours,
            community=locked.community,
            key=hold_key(locked),
            memo=_("点单「%(t)s」预付时间币") % {"t": locked.title},
            actor=acting_user(actor),
        )


def refund(locked: Demand, from_status: str, actor: Any) -> None:
    """Give held hours back: only a demand that was accepted (hence held) has any."""
    if locked.bank_hours > 0 and locked.requester_id and from_status != DemandStatus.SUBMITTED:
        from dangjian.timebank.services import escrow_refund

        escrow_refund(
            hold_key=hold_key(locked),
            key=f"demand:{locked.public_id}:refund",
            memo=_("点单「%(t)s」退回时间币") % {"t": locked.title},
            actor=acting_user(actor),
        )


def settle(demand: Demand, *, actor: Any = None) -> None:
    """Credit the doer: hours (the held hours, else the recorded hours minted) and points.

    Every call is keyed by the demand, so running it again changes nothing."""
    from dangjian.points.services import award
    from dangjian.timebank.services import escrow_release, service_deposit

    doer = demand.assigned_user
    if doer is None:
        return
    pid = demand.public_id
    by = acting_user(actor)
    memo = _("点单「%(t)s」服务") % {"t": demand.title}
    if demand.bank_hours > 0 and demand.requester_id:
        escrow_release(hold_key=hold_key(demand), to_user=doer, key=f"demand:{pid}:release", memo=memo, actor=by)
    elif demand.hours:
        service_deposit(
            user=doer, hours=demand.hours, community=demand.community, key=f"demand:{pid}:service", memo=memo, actor=by
        )
    when = demand.done_at or timezone.now()
    key = f"demand:{pid}"
    award(user=doer, rule_code="demand_done", event_key=key, occurred_at=when, note=memo, actor=by)
    if demand.hours:
        award(
            user=doer,
            rule_code="service_hour",
            event_key=key,
            quantity=demand.hours,
            occurred_at=when,
            note=memo,
            actor=by,
        )
    if demand.rating is not None and demand.rating >= policy_for(demand).good_rating:
        award(user=doer, rule_code="good_rating", event_key=key, occurred_at=when, note=memo, actor=by)
