"""Late demands: remind once when the current step is past its due time, escalate to the community's
Party secretary when it stays late for the district's escalate_after_hours more.

Each scan is idempotent (what it selects on is what it writes: a REMIND log row at or after the
step's due time; escalated_at, which a person's next step clears), bounded (at most `limit` demands a
run, ids read in chunks; the next run takes the rest), and never overwrites a person's concurrent
change: a demand is locked and re-read with the version and status the scan saw, and skipped when a
person moved it in between (it is looked at again next run with its new due time).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.notifications.receivers import tell

from .models import Demand, DemandLog, DemandPolicy
from .workflow import DEMAND_FLOW, ESCALATE, OPEN_DEMAND_STATUSES, REMIND

log = logging.getLogger(__name__)

CHUNK = 500
DEFAULT_LIMIT = 5000
OPEN = sorted(OPEN_DEMAND_STATUSES)


def scan_limit() -> int:
    return int(getattr(settings, "DEMAND_SCAN_LIMIT", DEFAULT_LIMIT))


@dataclass
class ScanResult:
    done: int = 0
    skipped: int = 0  # changed by a person while the scan ran

    def as_dict(self) -> dict[str, int]:
        return {"done": self.done, "skipped": self.skipped}


def _policies_q(build: Callable[[DemandPolicy], Q]) -> Q:
    """`build(policy)` for each district's own policy, OR-ed, and the defaults elsewhere: one query
    selects only the demands due under their own district's rules."""
    rows = list(DemandPolicy.objects.select_related("district"))
    q = Q(pk__in=[])
    own = Q(pk__in=[])
    for policy in rows:
        district = Q(area_path__startswith=policy.district.path)
        q |= district & build(policy)
        own |= district
    return q | (~own & build(DemandPolicy()))


def reminded_q() -> Exists:
    """A REMIND row written at or after the current step's due time: this lateness was reminded."""
    return Exists(DemandLog.objects.filter(demand=OuterRef("pk"), step=REMIND, at__gte=OuterRef("step_due_at")))


def _candidates(qs: QuerySet, limit: int) -> Iterator[tuple[int, int, str]]:
    """(pk, version, status) of at most `limit` rows, CHUNK at a time by key (no long cursor)."""
    last, seen = 0, 0
    while seen < limit:
        rows = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", "version", "status")[:CHUNK])
        if not rows:
            return
        yield from rows[: limit - seen]
        seen += len(rows)
        last = rows[-1][0]


def _late_text(demand: Demand, now: datetime.datetime) -> str:
    late = now - demand.step_due_at
    hours = int(late.total_seconds() // 3600)
    span = (
        _("%(d)s 天 %(h)s 小时") % {"d": hours // 24, "h": hours % 24}
        if hours >= 24
        else _("%(h)s 小时") % {"h": max(hours, 1)}
    )
    return span


@transaction.atomic
def _step(pk: int, version: int, status: str, write: Callable[[Demand], None]) -> bool:
    locked = Demand.objects.select_for_update(of=("self",)).filter(pk=pk, version=version, status=status).first()
    if locked is None:
        return False
    write(locked)
    return True


def scan_remind(now: datetime.datetime | None = None, limit: int | None = None) -> ScanResult:
    """Log one reminder (not shown to the requester) for each demand whose current step is late."""
    now = now or timezone.now()
    qs = Demand.objects.filter(status__in=OPEN, step_due_at__lt=now).filter(~reminded_q())
    result = ScanResult()

    def write(demand: Demand) -> None:
        if DemandLog.objects.filter(demand=demand, step=REMIND, at__gte=demand.step_due_at).exists():
            return  # another run reminded it a moment ago
        note = _("「%(s)s」环节已超时 %(t)s，请尽快办理。") % {
            "s": demand.get_status_display(),
            "t": _late_text(demand, now),
        }
        DEMAND_FLOW.log(
            demand, actor=None, step=REMIND, from_status=demand.status, to_status=demand.status, note=note, public=False
        )
        # Whoever holds the step is told; a later lateness of the same demand re-surfaces that message.
        tell(DEMAND_FLOW, demand, step=REMIND, names=("handler",), note=note)

    for pk, version, status in _candidates(qs, limit or scan_limit()):
        if _step(pk, version, status, write):
            result.done += 1
        else:
            result.skipped += 1
    return result


def scan_escalate(now: datetime.datetime | None = None, limit: int | None = None) -> ScanResult:
    """Escalate demands late for escalate_after_hours beyond their due time to the community secretary."""
    now = now or timezone.now()

    def due(policy: DemandPolicy) -> Q:
        return Q(step_due_at__lt=now - datetime.timedelta(hours=policy.escalate_after_hours))

    qs = Demand.objects.filter(status__in=OPEN, step_due_at__isnull=False, escalated_at__isnull=True).filter(
        _policies_q(due)
    )
    result = ScanResult()

    def write(demand: Demand) -> None:
        changed = Demand.objects.filter(
            pk=demand.pk, version=demand.version, status=demand.status, escalated_at__isnull=True
        ).update(escalated_at=now)
        if changed:
            note = _("「%(s)s」环节超时 %(t)s，已上报社区书记。") % {
                "s": demand.get_status_display(),
                "t": _late_text(demand, now),
            }
            DEMAND_FLOW.log(
                demand,
                actor=None,
                step=ESCALATE,
                from_status=demand.status,
                to_status=demand.status,
                note=note,
                public=False,
            )
            tell(DEMAND_FLOW, demand, step=ESCALATE, names=("workers",), note=note)

    for pk, version, status in _candidates(qs, limit or scan_limit()):
        if _step(pk, version, status, write):
            result.done += 1
        else:
            result.skipped += 1
    return result


def scan_all(now: datetime.datetime | None = None) -> dict[str, dict[str, int]]:
    now = now or timezone.now()
    out = {"remind": scan_remind(now).as_dict(), "escalate": scan_escalate(now).as_dict()}
    log.info("demand scans: %s", out)
    return out
