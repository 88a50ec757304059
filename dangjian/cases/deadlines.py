"""The deadline scans the periodic tasks run: warn before a deadline, mark overdue, escalate, remind
about cases nobody has accepted, archive called-back cases.

Each scan is idempotent (a second run finds nothing more to do: the marks it sets — warned_at,
overdue_at, escalation_level, a WARN log row, the status — are what it selects on), bounded (ids read
in chunks, at most `limit` cases a run; the next run takes the rest), and never overwrites a person's
concurrent change: every case goes through the workflow engine (take_step) with the version the scan read, so
a case changed in between is skipped (StaleObject) and looked at again on the next run.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.workflow import TransitionRefused, take_step

from . import services
from .models import Case, CaseLog, CasePolicy, CaseStatus
from .workflow import CASE_FLOW, OPEN_STATUSES, Step

log = logging.getLogger(__name__)

CHUNK = 500
DEFAULT_LIMIT = 5000
OPEN = sorted(OPEN_STATUSES)  # the declaration's open statuses (workflow.CASE_FLOW)


def scan_limit() -> int:
    return int(getattr(settings, "CASE_SCAN_LIMIT", DEFAULT_LIMIT))


@dataclass
class ScanResult:
    done: int = 0
    skipped: int = 0  # changed by someone while the scan ran; picked up next time

    def as_dict(self) -> dict[str, int]:
        return {"done": self.done, "skipped": self.skipped}


class Policies:
    """Every district's policy, read once per scan (a district without a row uses the defaults)."""

    def __init__(self) -> None:
        self.rows = {p.district_id: p for p in CasePolicy.objects.all()}
        self.default = CasePolicy()

    def for_district(self, district_id: int) -> CasePolicy:
        return self.rows.get(district_id, self.default)

    def q(self, build: Callable[[CasePolicy], Q]) -> Q:
        """`build(policy)` for each district's own policy, OR-ed: one query selects only the cases
        that are due under their district's rules (none waits behind cases that are not)."""
        out = ~Q(district_id__in=list(self.rows)) & build(self.default)
        for district_id, policy in self.rows.items():
            out |= Q(district_id=district_id) & build(policy)
        return out


def _candidates(qs: QuerySet, limit: int) -> Iterator[tuple[int, int, int]]:
    """(pk, version, district) of at most `limit` rows, read CHUNK at a time by key (no cursor stays
    open while the rows are written, and memory stays flat)."""
    rows = qs.order_by("pk").values_list("pk", "version", "district_id")
    last, seen = 0, 0
    while seen < limit:
        chunk = list(rows.filter(pk__gt=last)[: min(CHUNK, limit - seen)])
        if not chunk:
            return
        yield from chunk
        last, seen = chunk[-1][0], seen + len(chunk)


def _apply(candidates: Iterable[tuple[int, int, int]], step: Callable[[Case, int], bool]) -> ScanResult:
    result = ScanResult()
    for pk, version, district_id in candidates:
        case = Case(pk=pk, version=version, district_id=district_id)
        try:
            if step(case, version):
                result.done += 1
        except (TransitionRefused, Case.DoesNotExist):  # StaleObject is a TransitionRefused
            # Someone acted on it since we read it: their change stands; the next scan looks again.
            result.skipped += 1
        except ValidationError:
            log.exception("case %s: scan step refused", pk)
            result.skipped += 1
    return result


def _when(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


# Each scan: the cases due (one query, per district's policy), and the step taken on each of them.
# A step gets the version the scan read; the engine refuses it (StaleObject) if the case moved since.
ScanStep = Callable[[Case, int], bool]


def warn_step(now: datetime.datetime, policies: Policies) -> ScanStep:
    def step(case: Case, version: int) -> bool:
        current = Case.objects.only("deadline", "district_id").get(pk=case.pk)
        hours = policies.for_district(current.district_id).warn_before_hours
        if current.deadline is None or current.deadline > now + datetime.timedelta(hours=hours):
            return False
        note = _("距办理期限（%(d)s）不足 %(h)s 小时") % {"d": _when(current.deadline), "h": hours}
        take_step(
            CASE_FLOW,
            actor=None,
            obj=case,
            step=Step.WARN,
            version=version,
            note=note,
            public=False,
            fields={"warned_at": now},
        )
        return True

    return step


def scan_warn(now: datetime.datetime | None = None, limit: int | None = None) -> ScanResult:
    """临期预警: open cases whose deadline falls within the district's warn_before_hours."""
    now = now or timezone.now()
    policies = Policies()
    due = policies.q(lambda p: Q(deadline__lte=now + datetime.timedelta(hours=p.warn_before_hours)))
    qs = Case.objects.filter(due, status__in=OPEN, warned_at__isnull=True, deadline__gt=now)
    return _apply(_candidates(qs, limit or scan_limit()), warn_step(now, policies))


def overdue_step(now: datetime.datetime) -> ScanStep:
    def step(case: Case, version: int) -> bool:
        current = Case.objects.only("deadline").get(pk=case.pk)
        if current.deadline is None or current.deadline >= now:
            return False
        note = _("已超过办理期限（%(d)s）") % {"d": _when(current.deadline)}
        take_step(
            CASE_FLOW,
            actor=None,
            obj=case,
            step=Step.OVERDUE,
            version=version,
            note=note,
            public=False,
            fields={"overdue_at": now},
        )
        return True

    return step


def scan_overdue(now: datetime.datetime | None = None, limit: int | None = None) -> ScanResult:
    """超期: open cases past their deadline, marked once (overdue_at)."""
    now = now or timezone.now()
    qs = Case.objects.filter(status__in=OPEN, overdue_at__isnull=True, deadline__lt=now)
    return _apply(_candidates(qs, limit or scan_limit()), overdue_step(now))


def escalate_step(now: datetime.datetime, policies: Policies) -> ScanStep:
    def step(case: Case, version: int) -> bool:
        current = Case.objects.only("deadline", "district_id", "escalation_level").get(pk=case.pk)
        if current.deadline is None:
            return False
        policy = policies.for_district(current.district_id)
        late = now - current.deadline
        level = current.escalation_level
        if late >= datetime.timedelta(hours=policy.escalate_district_after_hours):
            target = 2
        elif late >= datetime.timedelta(hours=policy.escalate_after_hours):
            target = 1
        else:
            target = level
        if target <= level:
            return False
        where = _("街道") if target == 1 else _("区")
        hours = policy.escalate_after_hours if target == 1 else policy.escalate_district_after_hours
        note = _("超期超过 %(h)s 小时，上报%(w)s督办") % {"h": hours, "w": where}
        take_step(
            CASE_FLOW,
            actor=None,
            obj=case,
            step=Step.ESCALATE,
            version=version,
            note=note,
            public=False,
            fields={"escalation_level": target},
        )
        return True

    return step


def scan_escalate(now: datetime.datetime | None = None, limit: int | None = None) -> ScanResult:
    """上报: overdue for escalate_after_hours → the subdistrict (1); for escalate_district_after_hours →
    the district (2). A case that has waited long enough for both goes straight to 2."""
    now = now or timezone.now()
    policies = Policies()

    def due_q(p: CasePolicy) -> Q:
        first = now - datetime.timedelta(hours=p.escalate_after_hours)
        second = now - datetime.timedelta(hours=p.escalate_district_after_hours)
        return Q(escalation_level=0, deadline__lte=first) | Q(escalation_level__lt=2, deadline__lte=second)

    qs = Case.objects.filter(policies.q(due_q), status__in=OPEN, overdue_at__isnull=False)
    return _apply(_candidates(qs, limit or scan_limit()), escalate_step(now, policies))


def unaccepted_warned_q() -> Exists:
    """A submitted case already reminded about (nothing returns a case to submitted: one row is enough)."""
    return Exists(CaseLog.objects.filter(case=OuterRef("pk"), step=Step.WARN))


def unaccepted_step(now: datetime.datetime, policies: Policies) -> ScanStep:
    def step(case: Case, version: int) -> bool:
        current = Case.objects.only("received_at", "district_id").get(pk=case.pk)
        hours = policies.for_district(current.district_id).accept_within_hours
        if current.received_at > now - datetime.timedelta(hours=hours):
            return False
        note = _("登记后超过 %(h)s 小时未受理") % {"h": hours}
        take_step(CASE_FLOW, actor=None, obj=case, step=Step.WARN, version=version, note=note, public=False)
        return True

    return step


def scan_unaccepted(now: datetime.datetime | None = None, limit: int | None = None) -> ScanResult:
    """超时未受理: a submitted case nobody accepted within accept_within_hours: one WARN row, which
    puts it at the top of the community's 今日待办."""
    now = now or timezone.now()
    policies = Policies()
    due = policies.q(lambda p: Q(received_at__lte=now - datetime.timedelta(hours=p.accept_within_hours)))
    qs = Case.objects.filter(due, status=CaseStatus.SUBMITTED).exclude(unaccepted_warned_q())
    return _apply(_candidates(qs, limit or scan_limit()), unaccepted_step(now, policies))


def archive_step(now: datetime.datetime, policies: Policies) -> ScanStep:
    def step(case: Case, version: int) -> bool:
        current = Case.objects.only("called_back_at", "district_id").get(pk=case.pk)
        days = policies.for_district(current.district_id).archive_after_days
        if current.called_back_at is None or current.called_back_at > now - datetime.timedelta(days=days):
            return False
        services.case_archive(actor=None, case=case, version=version)
        return True

    return step


def scan_archive(now: datetime.datetime | None = None, limit: int | None = None) -> ScanResult:
    """归档: called-back cases older than archive_after_days, archived by the system."""
    now = now or timezone.now()
    policies = Policies()
    due = policies.q(lambda p: Q(called_back_at__lte=now - datetime.timedelta(days=p.archive_after_days)))
    qs = Case.objects.filter(due, status=CaseStatus.CALLED_BACK)
    return _apply(_candidates(qs, limit or scan_limit()), archive_step(now, policies))


def scan_all(now: datetime.datetime | None = None) -> dict[str, dict[str, int]]:
    """Every deadline scan, in the order that lets one run take a case from warned to escalated."""
    now = now or timezone.now()
    return {
        "unaccepted": scan_unaccepted(now).as_dict(),
        "warn": scan_warn(now).as_dict(),
        "overdue": scan_overdue(now).as_dict(),
        "escalate": scan_escalate(now).as_dict(),
    }
