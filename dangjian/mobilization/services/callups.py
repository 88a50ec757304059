"""Issuing a call-up, its fan-out to everyone called, ending it (the temporary organization closed and the
record archived).

The fan-out (fanout_batch) runs on the queue after issuing, one transaction per batch of FANOUT_BATCH
people, as notices' does: it moves the call-up's cursor by a conditional update (a second run of the same
batch finds it moved and writes nothing), writes the batch's Call rows, tells each person through the
message centre with the reply link, and records the figures, all in the batch's transaction. The sweep
(callup_fanouts_resume) queues again a fan-out left half-way."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.core.figures import facts
from dangjian.core.scoping import acting_user
from dangjian.core.tree import subtree_q
from dangjian.core.workflow import take_step
from dangjian.notifications.services import notify
from dangjian.people.models import Member, MemberStatus
from dangjian.territory.models import Area, Level
from dangjian.units.models import ResidentUnit
from dangjian.volunteering.models import Team, TeamMember

from ..facts import CALLS, QUOTAS
from ..models import Call, CallSource, CallUp, CallUpStatus, HelpKind, Placement, PlacementStatus, Quota
from ..permissions import issuing_area
from ..workflow import FLOW, ISSUE, Step

logger = logging.getLogger(__name__)

FANOUT_BATCH = 1000
FANOUT_STALE = datetime.timedelta(minutes=2)
EVENT_CALL = "mobilization.callup.call"
QUOTA_LEVELS = (Level.SUBDISTRICT, Level.ZONE, Level.COMMUNITY, Level.GRID)
MAX_DAYS = 90


def _check(
    *,
    title: str,
    kinds: Sequence[str],
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    area: Area,
    quotas: Sequence[tuple[Area, int]],
    call_members: bool,
    units: Sequence[ResidentUnit],
    teams: Sequence[Team],
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("请填写动员名称。")
    if not kinds or any(k not in HelpKind.values for k in kinds):
        errors["kinds"] = _("请选择需要的帮助。")
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        errors["ends_at"] = _("结束时间须晚于开始时间。")
    elif ends_at - starts_at > datetime.timedelta(days=MAX_DAYS):
        errors["ends_at"] = _("一次动员最长 %(d)s 天。") % {"d": MAX_DAYS}
    if not quotas:
        errors["quotas"] = _("请至少填写一个街道、社区或网格的需要人数。")
    for node, headcount in quotas:
        if node.level not in QUOTA_LEVELS or not node.path.startswith(area.path) or node.pk == area.pk:
            errors["quotas"] = _("「%(n)s」不在「%(a)s」之下。") % {"n": node.name, "a": area.name}
        elif headcount < 1:
            errors["quotas"] = _("「%(n)s」的需要人数至少为 1。") % {"n": node.name}
    if len({node.pk for node, _h in quotas}) != len(quotas):
        errors["quotas"] = _("同一属地只能填写一次需要人数。")
    if not call_members and not units and not teams:
        errors["call_members"] = _("请选择召集哪些人。")
    return errors


@transaction.atomic
def callup_issue(
    *,
    actor: Any,
    title: str,
    kinds: Sequence[str],
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    quotas: Sequence[tuple[Area, int]],
    brief: str = "",
    call_members: bool = True,
    units: Sequence[ResidentUnit] = (),
    teams: Sequence[Team] = (),
    is_drill: bool = False,
    area: Area | None = None,
    issued_by: Any = None,
) -> CallUp:
    """发起动员 for the district or subdistrict the actor's role is bound to (the system, actor None,
    names the `area` and the account `issued_by`); the fan-out is queued once this commits."""
    if actor is not None:
        area, issued_by = issuing_area(actor), acting_user(actor)
    if area is None or area.level not in (Level.DISTRICT, Level.SUBDISTRICT):
        raise ValidationError(_("只有区或街道可以发起应急动员。"))
    errors = _check(
        title=title,
        kinds=kinds,
        starts_at=starts_at,
        ends_at=ends_at,
        area=area,
        quotas=quotas,
        call_members=call_members,
        units=units,
        teams=teams,
    )
    if errors:
        raise ValidationError(errors)
    assert starts_at is not None and ends_at is not None
    callup = CallUp.objects.create(
        title=title.strip()[:100],
        area=area,
        area_path=area.path,
        kinds=list(dict.fromkeys(kinds)),
        brief=(brief or "").strip()[:2000],
        starts_at=starts_at,
        ends_at=ends_at,
        is_drill=is_drill,
        call_members=call_members,
        issued_by=issued_by,
    )
    callup.units.set(units)
    callup.teams.set(teams)
    made = Quota.objects.bulk_create(
        [Quota(callup=callup, area=node, area_path=node.path, headcount=headcount) for node, headcount in quotas]
    )
    facts.record_rows(QUOTAS, [q.pk for q in made])
    FLOW.log(callup, actor=actor, step=ISSUE, from_status="", to_status=callup.status)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=callup,
        changes={"title": [None, callup.title], "wanted": [None, sum(h for _n, h in quotas)]},
        area_path=area.path,
    )
    enqueue_fanout(callup.pk)
    return callup


def enqueue_fanout(callup_id: int) -> None:
    """Queue the fan-out once the transaction commits; a queue that cannot take it costs only time (the
    sweep finds the call-up again)."""

    def enqueue() -> None:
        from ..tasks import callup_fanout

        try:
            callup_fanout(callup_id)
        except Exception:  # noqa: BLE001 - the call-up stands; the sweep queues it again
            logger.exception("could not queue the fan-out of call-up %s", callup_id)

    transaction.on_commit(enqueue)


# --- who is called --------------------------------------------------------------------------------


def _batch(callup: CallUp, *, after: int, size: int) -> list[tuple[int, dict[str, Any]]]:
    """The next `size` people called, by account id after `after`: (user id, what their Call row needs).
    Members living in the scope (in service, with an account), the cadres of the named units, the live
    members of the named teams; a person in several is called once (the first source names them)."""
    found: dict[int, dict[str, Any]] = {}
    fields = ("user_id", "pk", "name", "home_community__path")
    sources: list[tuple[str, Iterable[dict[str, Any]]]] = []
    if callup.call_members:
        communities = Area.objects.filter(subtree_q("path", callup.area_path), level=Level.COMMUNITY)
        members = Member.objects.filter(
            status=MemberStatus.IN_SERVICE, user_id__gt=after, home_community__in=communities
        ).order_by("user_id")
        sources.append((CallSource.MEMBER, members.values(*fields)[:size]))
    unit_ids = list(callup.units.values_list("pk", flat=True))
    if unit_ids:
        cadres = Member.objects.filter(
            workplace_id__in=unit_ids, user_id__gt=after, status__in=[MemberStatus.IN_SERVICE]
        ).order_by("user_id")
        sources.append((CallSource.UNIT, cadres.values(*fields)[:size]))
    team_ids = list(callup.teams.values_list("pk", flat=True))
    if team_ids:
        volunteers = (
            TeamMember.objects.filter(team_id__in=team_ids, left_at__isnull=True, user_id__gt=after)
            .order_by("user_id")
            .values("user_id", "user__full_name", "user__username")
            .distinct()[:size]
        )
        sources.append(
            (
                CallSource.TEAM,
                [
                    {"user_id": v["user_id"], "pk": None, "name": v["user__full_name"] or v["user__username"]}
                    for v in volunteers
                ],
            )
        )
    for source, rows in sources:
        for row in rows:
            found.setdefault(
                row["user_id"],
                {
                    "member_id": row["pk"],
                    "name": (row["name"] or "")[:50],
                    "source": source,
                    "home_path": row.get("home_community__path") or callup.area_path,
                },
            )
    chosen = sorted(found)[:size]
    # A volunteer who is also a member: where they live comes from their member record.
    missing = [uid for uid in chosen if found[uid]["member_id"] is None]
    if missing:
        for row in Member.objects.filter(user_id__in=missing).values(*fields):
            found[row["user_id"]].update(member_id=row["pk"], home_path=row["home_community__path"] or callup.area_path)
    return [(uid, found[uid]) for uid in chosen]


def _message(callup: CallUp) -> dict[str, Any]:
    start = timezone.localtime(callup.starts_at).strftime("%m-%d %H:%M")
    return {
        "title": _("应急动员：%(t)s") % {"t": callup.title},
        "body": _("%(a)s发起动员（%(k)s），自 %(s)s 起，请尽快答复能否参加。")
        % {"a": callup.area.name, "k": "、".join(callup.kind_labels), "s": start},
        "url": reverse("mobilization:reply", args=[callup.public_id]),
        "object_key": f"mobilization.callup:{callup.public_id}",
        "context": {"area_path": callup.area_path, "title": callup.title},
    }


@transaction.atomic
def fanout_batch(callup_id: int, *, size: int = FANOUT_BATCH) -> int | None:
    """Call the next batch: the number of people newly called, or None when the fan-out is over."""
    callup = CallUp.objects.select_for_update().select_related("area").filter(pk=callup_id).first()
    if callup is None or callup.status != CallUpStatus.ACTIVE or callup.fanout_done_at is not None:
        return None
    cursor = callup.fanout_cursor
    rows = _batch(callup, after=cursor, size=size)
    now = timezone.now()
    if not rows:
        CallUp.objects.filter(pk=callup.pk, fanout_cursor=cursor).update(fanout_done_at=now, updated_at=now)
        return None
    known = set(Call.objects.filter(callup=callup, user_id__in=[u for u, _r in rows]).values_list("user_id", flat=True))
    new = [(uid, row) for uid, row in rows if uid not in known]
    moved = CallUp.objects.filter(pk=callup.pk, fanout_cursor=cursor).update(
        fanout_cursor=rows[-1][0], called_count=F("called_count") + len(new), updated_at=now
    )
    if not moved:
        return 0
    made = Call.objects.bulk_create(
        [
            Call(
                callup=callup,
                user_id=uid,
                member_id=row["member_id"],
                name=row["name"],
                source=row["source"],
                home_path=row["home_path"],
                place_path=row["home_path"],
                called_at=now,
            )
            for uid, row in new
        ],
        batch_size=FANOUT_BATCH,
    )
    pks = [c.pk for c in made if c.pk is not None] or list(
        Call.objects.filter(callup=callup, user_id__in=[u for u, _r in new]).values_list("pk", flat=True)
    )
    facts.record_rows(CALLS, pks, now=now)
    if new:
        notify(recipients=[uid for uid, _r in new], event=EVENT_CALL, actor=callup.issued_by, **_message(callup))
    return len(new)


def fanout_run(callup_id: int, *, size: int = FANOUT_BATCH) -> int:
    """Call everyone a call-up names, batch after batch; returns how many were called."""
    called = 0
    while True:
        n = fanout_batch(callup_id, size=size)
        if n is None:
            return called
        called += n


def fanouts_resume(*, now: datetime.datetime | None = None) -> int:
    """The sweep: queue again every active fan-out not done and untouched for FANOUT_STALE."""
    now = now or timezone.now()
    stale = CallUp.objects.filter(
        status=CallUpStatus.ACTIVE, fanout_done_at__isnull=True, updated_at__lt=now - FANOUT_STALE
    ).values_list("pk", flat=True)
    from ..tasks import callup_fanout

    count = 0
    for pk in stale.iterator():
        callup_fanout(pk)
        count += 1
    return count


# --- ending ---------------------------------------------------------------------------------------


@transaction.atomic
def callup_end(*, actor: Any, callup: CallUp, note: str = "") -> CallUp:
    """结束动员: placements still running end now, the temporary organization is closed, and the record
    (totals, the honours list, the organization and its members) is archived on the call-up."""
    from . import report

    now = timezone.now()

    def after(locked: CallUp, from_status: str) -> None:
        live = Placement.objects.filter(callup=locked, status=PlacementStatus.ACTIVE, ends_at__gt=now)
        live.filter(starts_at__gte=now).update(status=PlacementStatus.RELEASED)
        live.filter(status=PlacementStatus.ACTIVE).update(ends_at=now)
        if locked.temp_org is not None:
            from dangjian.orgs.services import org_close_temporary

            org_close_temporary(actor=actor, org=locked.temp_org, on=timezone.localdate(now))
        CallUp.objects.filter(pk=locked.pk).update(archive=report.archive_of(locked))

    ended = take_step(FLOW, actor=actor, obj=callup, step=Step.END, note=note, fields={"ended_at": now}, after=after)
    ended.refresh_from_db()
    return ended
