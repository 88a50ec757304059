"""The demands' integrity checks (core/integrity.py): declared state and log, and the time bank's
settlement (settlement.py): a demand the requester pays hours for has its hold once it was accepted
(its log has the accept step) and none before; the hold is released to the doer once the demand counts
as closed (rated or closed), refunded once it ended without the service (a state neither open nor
done), and still held otherwise. A free demand closed with recorded hours has them minted to the doer."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows
from dangjian.timebank.models import AccountKind, Entry, Journal, JournalKind

from .models import Demand, DemandLog
from .settlement import hold_key
from .workflow import DEMAND_FLOW, Step

integrity.register_workflow(DEMAND_FLOW)

BATCH = 1000


def _batches(it: Iterator[dict], n: int = BATCH) -> Iterator[list[dict]]:
    while batch := list(islice(it, n)):
        yield batch


def _key(row: dict, suffix: str) -> str:
    return f"demand:{row['public_id']}:{suffix}"


@integrity.register("demands.settlement", gettext_lazy("需求的时间币托管与结算"))
def settlement(options: Options) -> Iterator[Finding]:
    closed = DEMAND_FLOW.statuses(counts_as_closed=True)
    ended = DEMAND_FLOW.statuses(is_open=False, is_done=False)  # ended without the service
    accepted = Exists(DemandLog.objects.filter(demand=OuterRef("pk"), step=Step.ACCEPT))
    paid = Demand.objects.filter(bank_hours__gt=0, requester__isnull=False).annotate(accepted=accepted)
    for batch in _batches(rows(paid, "status", "accepted", "bank_hours")):
        keys = {row["pk"]: hold_key(Demand(public_id=row["public_id"])) for row in batch}
        holds = {
            j["key"]: j
            for j in Journal.objects.filter(
                key__in=list(keys.values()), kind=JournalKind.HOLD, entries__account__kind=AccountKind.ESCROW
            ).values("key", "settled_by__kind", "entries__amount")
        }
        for row in batch:
            hold = holds.get(keys[row["pk"]])
            status = row["status"]
            settled = hold["settled_by__kind"] if hold else None
            if row["accepted"] and hold is None:
                yield finding(Demand, row, "missing_hold", _("已受理的需求没有预付时间币的托管记账"), status=status)
            elif not row["accepted"] and hold is not None:
                yield finding(Demand, row, "unexpected_hold", _("未受理的需求却有托管记账"), status=status)
            elif hold is None:
                continue
            elif hold["entries__amount"] != row["bank_hours"]:
                yield finding(
                    Demand,
                    row,
                    "hold_amount_mismatch",
                    _("托管 %(h)s 小时，与需求预付的 %(b)s 小时不符")
                    % {"h": hold["entries__amount"], "b": row["bank_hours"]},
                    held=hold["entries__amount"],
                    bank_hours=row["bank_hours"],
                )
            elif status in closed and settled != JournalKind.RELEASE:
                yield finding(
                    Demand, row, "hold_not_released", _("已结束服务的需求，托管的时间币未支付给服务者"), status=status
                )
            elif status in ended and settled != JournalKind.REFUND:
                yield finding(Demand, row, "hold_not_refunded", _("已终止的需求，托管的时间币未退回"), status=status)
            elif status not in closed and status not in ended and settled is not None:
                yield finding(
                    Demand, row, "hold_settled_early", _("需求尚未结束，托管却已结清"), status=status, settled=settled
                )
    free = Demand.objects.filter(
        Q(bank_hours=0) | Q(requester__isnull=True),
        status__in=sorted(closed),
        hours__gt=0,
        assigned_user__isnull=False,
    )
    for batch in _batches(rows(free, "status", "hours")):
        keys = {row["pk"]: _key(row, "service") for row in batch}
        minted = dict(
            Entry.objects.filter(journal__key__in=list(keys.values()), account__kind=AccountKind.PERSON).values_list(
                "journal__key", "amount"
            )
        )
        for row in batch:
            if keys[row["pk"]] in minted and minted[keys[row["pk"]]] != row["hours"]:
                yield finding(
                    Demand,
                    row,
                    "service_deposit_mismatch",
                    _("存入服务者 %(m)s 小时，与登记的服务时长 %(h)s 小时不符")
                    % {"m": minted[keys[row["pk"]]], "h": row["hours"]},
                    minted=minted[keys[row["pk"]]],
                    hours=row["hours"],
                )
            elif keys[row["pk"]] not in minted:
                yield finding(
                    Demand,
                    row,
                    "missing_service_deposit",
                    _("已结束的需求未给服务者存入服务时长"),
                    status=row["status"],
                )
