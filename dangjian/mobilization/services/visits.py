"""The vulnerable households' visit list per grid, from the household register's resident tags (which tags
count is data: VulnerableTag), the visits, the needs checklist, and its demands.

Each ticked need becomes exactly one demand (demands.emergency, the demands app's own service) routed to
a member deployed in the grid: the visit row is locked while its needs are written, and a need is unique
per visit and kind, so a second tap, a retry or a colleague ticking the same item at once writes nothing
more. A household stays on the list until it is visited or a reason is recorded."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.core.figures import facts
from dangjian.core.scoping import acting_user
from dangjian.core.tree import STEP
from dangjian.demands.emergency import demand_raise_on_visit
from dangjian.demands.models import SERVED_STATUSES
from dangjian.people.models import Member, Resident
from dangjian.territory.models import Area

from ..facts import VISITS
from ..models import CallUp, CallUpStatus, Need, NeedKind, Placement, PlacementStatus, Visit, VisitStatus, VulnerableTag
from ..permissions import commands


def vulnerable_tags(area: Area) -> dict[str, str]:
    """code → label of the tags that put a household on the list in `area`'s district (its own rows,
    else the defaults)."""
    district_path = area.path[:STEP]
    rows = VulnerableTag.objects.filter(is_active=True, district__path=district_path)
    if not rows.exists():
        rows = VulnerableTag.objects.filter(is_active=True, district__isnull=True)
    return dict(rows.values_list("code", "label"))


@transaction.atomic
def visit_list_build(*, actor: Any, callup: CallUp, grid: Area) -> int:
    """生成走访名单 for a grid: every household of the grid's buildings with a resident carrying a
    vulnerable tag, once (a household already listed stays as it is). Returns how many were added."""
    if actor is not None and not commands(actor, grid.path):
        raise ValidationError(_("「%(g)s」不在您的指挥范围内。") % {"g": grid.name})
    if callup.status != CallUpStatus.ACTIVE:
        raise ValidationError(_("该动员已结束。"))
    tags = vulnerable_tags(grid)
    households: dict[int, dict[str, Any]] = {}
    residents = (
        Resident.objects.filter(household__building__grid=grid)
        .select_related("household__building__estate")
        .order_by("household_id", "pk")
    )
    for resident in residents.iterator(chunk_size=2000):
        hit = [t for t in resident.tags if t in tags]
        if not hit:
            continue
        entry = households.setdefault(
            resident.household_id,
            {"label": str(resident.household)[:150], "name": resident.name, "phone": resident.mobile, "tags": []},
        )
        entry["tags"] = list(dict.fromkeys([*entry["tags"], *(tags[t] for t in hit)]))
    known = set(
        Visit.objects.filter(callup=callup, household_id__in=list(households)).values_list("household_id", flat=True)
    )
    now = timezone.now()
    made = Visit.objects.bulk_create(
        [
            Visit(
                callup=callup,
                household_id=hid,
                grid=grid,
                grid_path=grid.path,
                label=e["label"],
                contact_name=e["name"][:50],
                contact_phone=e["phone"],
                tags=e["tags"],
                created_at=now,
            )
            for hid, e in households.items()
            if hid not in known
        ]
    )
    pks = list(Visit.objects.filter(callup=callup, grid=grid, created_at=now).values_list("pk", flat=True))
    facts.record_rows(VISITS, pks)
    if made:
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=callup,
            changes={"visit_list": [None, len(made)]},
            area_path=grid.path,
        )
    return len(made)


def _deployed(visit: Visit, user_id: int | None) -> bool:
    return (
        user_id is not None
        and Placement.objects.filter(
            callup_id=visit.callup_id, grid_id=visit.grid_id, user_id=user_id, status=PlacementStatus.ACTIVE
        ).exists()
    )


def may_visit(actor: Any, visit: Visit) -> bool:
    if actor is None:  # the system (demo, bench)
        return True
    user = acting_user(actor)
    if user is None:
        return False
    return visit.assignee_id == user.pk or _deployed(visit, user.pk) or commands(actor, visit.grid_path)


@transaction.atomic
def visit_assign(*, actor: Any, visit: Visit, user: Any) -> Visit:
    """分派走访 to a person placed in the grid."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if not commands(actor, visit.grid_path):
        raise ValidationError(_("这户不在您的指挥范围内。"))
    if not _deployed(visit, user.pk):
        raise ValidationError({"assignee": _("%(n)s 没有下沉在本网格。") % {"n": user}})
    Visit.objects.filter(pk=visit.pk).update(assignee=user)
    visit.refresh_from_db()
    audit_record(
        actor=actor, action=Action.UPDATE, obj=visit, changes={"assignee": [None, str(user)]}, area_path=visit.grid_path
    )
    from dangjian.notifications.services import notify

    notify(
        recipients=[user],
        event="mobilization.visit.assign",
        actor=actor,
        title=_("走访任务：%(h)s") % {"h": visit.label},
        body=_("请尽快入户走访，登记需求。"),
        url=visit.callup.get_absolute_url() + "mine/",
        object_key=f"mobilization.visit:{visit.public_id}",
        context={"area_path": visit.grid_path},
    )
    return visit


def _doer(visit: Visit, actor: Any) -> Member | None:
    """Who a need goes to: the visitor when they are deployed in the grid with a member account, else
    the first member placed there (the commander redispatches from the demand desk if need be)."""
    user = acting_user(actor)
    placed = Placement.objects.filter(callup_id=visit.callup_id, grid_id=visit.grid_id, status=PlacementStatus.ACTIVE)
    users = list(placed.order_by("placed_at", "pk").values_list("user_id", flat=True))
    if user is not None and user.pk in users:
        users.remove(user.pk)
        users.insert(0, user.pk)
    members = {m.user_id: m for m in Member.objects.filter(user_id__in=users)}
    return next((members[u] for u in users if u in members), None)


@transaction.atomic
def visit_record(
    *, actor: Any, visit: Visit, needs: Sequence[str] = (), notes: dict[str, str] | None = None, note: str = ""
) -> Visit:
    """入户走访: the household was visited; each need ticked that is not raised yet becomes one demand
    dispatched to a member deployed in the grid. Recording again adds needs, never a second demand."""
    visit = Visit.objects.select_for_update(of=("self",)).select_related("household__building__estate").get(pk=visit.pk)
    if not may_visit(actor, visit):
        raise ValidationError(_("您不能登记这户的走访。"))
    if any(k not in NeedKind.values for k in needs):
        raise ValidationError({"needs": _("请从清单中选择需求。")})
    notes = notes or {}
    if NeedKind.OTHER in needs and not (notes.get(NeedKind.OTHER) or "").strip():
        raise ValidationError({"needs": _("选择“其他”时请说明需要什么。")})
    have = set(visit.needs.values_list("kind", flat=True))
    new = [k for k in dict.fromkeys(needs) if k not in have]
    building = visit.household.building
    doer = _doer(visit, actor) if new else None
    for kind in new:
        label = str(NeedKind(kind).label)
        extra = (notes.get(kind) or "").strip()[:200]
        demand = demand_raise_on_visit(
            actor=actor,
            community=building.community,
            estate=building.estate,
            building=building,
            title=_("%(k)s：%(h)s") % {"k": label, "h": visit.label},
            description=extra or _("应急动员「%(c)s」入户走访登记的需求。") % {"c": visit.callup.title},
            requester_name=visit.contact_name,
            requester_phone=visit.contact_phone,
            assignee=doer,
            origin=_("应急走访：%(c)s") % {"c": visit.callup.title},
        )
        Need.objects.create(visit=visit, kind=kind, note=extra, demand=demand)
    fields: dict[str, Any] = {"need_count": F("need_count") + len(new)}
    if visit.status != VisitStatus.VISITED:
        fields.update(status=VisitStatus.VISITED, visited_at=timezone.now(), visited_by=acting_user(actor))
    if note.strip():
        fields["note"] = note.strip()[:300]
    Visit.objects.filter(pk=visit.pk).update(**fields)
    visit.refresh_from_db()
    facts.record(VISITS, visit)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=visit,
        changes={"status": [None, visit.status], "needs": [None, ",".join(new)]},
        area_path=visit.grid_path,
    )
    return visit


@transaction.atomic
def visit_excuse(*, actor: Any, visit: Visit, reason: str) -> Visit:
    """未走访 with a reason (已搬离、住院、拒绝入户…): the household leaves the unvisited count."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if not may_visit(actor, visit):
        raise ValidationError(_("您不能登记这户的走访。"))
    reason = (reason or "").strip()[:300]
    if not reason:
        raise ValidationError({"reason": _("请填写未走访的原因。")})
    if visit.status == VisitStatus.VISITED:
        raise ValidationError(_("这户已走访。"))
    Visit.objects.filter(pk=visit.pk).update(
        status=VisitStatus.EXCUSED, note=reason, visited_at=timezone.now(), visited_by=acting_user(actor)
    )
    visit.refresh_from_db()
    facts.record(VISITS, visit)
    audit_record(
        actor=actor, action=Action.UPDATE, obj=visit, changes={"excused": [None, reason]}, area_path=visit.grid_path
    )
    return visit


def need_met(*, demand_ids: Iterable[int], to_status: str) -> None:
    """A demand raised on a visit was done: its need is met (once), in the demand step's transaction."""
    if to_status not in SERVED_STATUSES:
        return
    for need in Need.objects.select_for_update().filter(demand_id__in=list(demand_ids), met_at__isnull=True):
        Need.objects.filter(pk=need.pk).update(met_at=timezone.now())
        Visit.objects.filter(pk=need.visit_id).update(met_count=F("met_count") + 1)
        visit = Visit.objects.get(pk=need.visit_id)
        facts.record(VISITS, visit)
