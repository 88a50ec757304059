"""Writes of the demand loop. Every step goes through `_transition`: the row is locked, the step is
checked against workflow.TRANSITIONS for the parties the actor is, the version the actor read is
checked (no lost update when a worker reassigns while the doer records), the row is updated only if
its version is still the one locked, and a DemandLog row and an audit row are written.

Settlement (rated, or closed) credits the doer's hours (time bank) and points in the same
transaction, keyed by the demand's public_id so a retried settlement writes nothing more."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role, acting_user, active_role, active_scope
from dangjian.audit.services import Action, audit_record
from dangjian.core.photos import CheckedPhoto, check_photos
from dangjian.core.tree import STEP
from dangjian.core.validators import YEAR_DAYS, check_date_within, validate_mobile
from dangjian.people.models import Member
from dangjian.territory.models import Area, Building, Estate, Level
from dangjian.units.models import ResidentUnit
from dangjian.volunteering.models import Team

from .models import (
    AssigneeKind,
    Demand,
    DemandKind,
    DemandLog,
    DemandPhoto,
    DemandPolicy,
    DemandStatus,
    NeedCategory,
)
from .workflow import TRANSITIONS, Party, Step, step_label

WORKER_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN})
# Who may file a demand for themselves from the phone.
REQUESTER_ROLES = frozenset({Role.RESIDENT, Role.PARTY_MEMBER})

MAX_HOURS = Decimal("100")

# Clearing these puts a demand back in the community's hands (recall, refuse, give up, withdraw).
NO_ASSIGNEE: dict[str, Any] = {
    "assignee_kind": "",
    "assigned_member": None,
    "assigned_user": None,
    "assigned_unit": None,
    "assigned_team": None,
}


class TransitionRefused(ValidationError):
    """A step the demand's status or the actor's part in it does not allow."""


class StaleDemand(ValidationError):
    """The demand changed since the actor read it: they must look again before acting."""


# --- who is who -----------------------------------------------------------------------------


def actor_label(actor: Any) -> str:
    if acting_user(actor) is None:
        return _("系统")
    return actor.full_name or actor.username


def policy_for(demand: Demand) -> DemandPolicy:
    district_path = demand.area_path[:STEP]
    policy = DemandPolicy.objects.filter(district__path=district_path).first()
    if policy is None:
        district = Area.objects.filter(path=district_path).first()
        policy = DemandPolicy(district=district) if district is not None else DemandPolicy()
    return policy


def home_community_id(user: Any) -> int | None:
    """The community a member or resident lives in: their role's, else their member record's."""
    from dangjian.accounts.models import RoleAssignment

    home = (
        RoleAssignment.objects.filter(user=user, role__in=REQUESTER_ROLES, is_active=True, home_community__isnull=False)
        .order_by("pk")
        .values_list("home_community_id", flat=True)
        .first()
    )
    if home is None:
        home = Member.objects.filter(user=user).values_list("home_community_id", flat=True).first()
    return home


def led_teams(user: Any, community: Area) -> Any:
    """Active teams `user` leads in `community` (the community's own or one of its grids)."""
    return Team.objects.filter(leader=user, is_active=True, area__path__startswith=community.path).select_related(
        "area"
    )


def may_claim(user: Any, demand: Demand) -> bool:
    """A member living in the demand's community, a unit contact of a unit there, or a team leader there."""
    if acting_user(user) is None:
        return False
    role, scope = active_role(user), active_scope(user)
    if role == Role.UNIT_CONTACT:
        unit_id = scope.unit_id
        return (
            unit_id is not None and ResidentUnit.objects.filter(pk=unit_id, community_id=demand.community_id).exists()
        )
    if role == Role.PARTY_MEMBER and home_community_id(user) == demand.community_id:
        return True
    return led_teams(user, demand.community).exists()


def is_assignee(user: Any, demand: Demand) -> bool:
    if acting_user(user) is None or not demand.assignee_kind:
        return False
    if demand.assignee_kind == AssigneeKind.UNIT:
        scope = active_scope(user)
        return active_role(user) == Role.UNIT_CONTACT and scope.unit_id == demand.assigned_unit_id
    if demand.assignee_kind == AssigneeKind.TEAM:
        team = demand.assigned_team
        return demand.assigned_user_id == user.pk or (team is not None and team.leader_id == user.pk)
    return demand.assigned_user_id == user.pk


def is_worker(user: Any, demand: Demand) -> bool:
    if acting_user(user) is None:
        return False
    if user.is_superuser:
        return True
    path = active_scope(user).area_path or ""
    return active_role(user) in WORKER_ROLES and bool(path) and demand.area_path.startswith(path)


def parties_for(user: Any, demand: Demand) -> set[str]:
    """The parts `user` (in their active role) plays in `demand`; None is the system."""
    if user is None:
        return {Party.SYSTEM}
    if acting_user(user) is None:
        return set()
    parties: set[str] = set()
    if is_worker(user, demand):
        parties.add(Party.WORKER)
    if demand.requester_id == user.pk:
        parties.add(Party.REQUESTER)
    if is_assignee(user, demand):
        parties.add(Party.ASSIGNEE)
    if demand.status == DemandStatus.PUBLISHED and may_claim(user, demand):
        parties.add(Party.CLAIMANT)
    return parties


# --- the one way a step is taken ----------------------------------------------------------


def log_step(
    demand: Demand, *, actor: Any, step: str, from_status: str, to_status: str, note: str = "", public: bool = True
) -> DemandLog:
    return DemandLog.objects.create(
        demand=demand,
        actor=acting_user(actor),
        actor_label=actor_label(actor)[:100],
        step=step,
        from_status=from_status,
        to_status=to_status,
        note=(note or "")[:500],
        public=public,
    )


def last_step_text(demand: Demand) -> tuple[str, str]:
    """Who took the last step, and which: the loser of a race is told who won."""
    last = demand.log.order_by("-at", "-pk").first()
    if last is None:
        return _("他人"), ""
    label = step_label(last.step)
    return last.actor_label or _("他人"), label


def _check_version(demand: Demand, version: int | None) -> None:
    if version is not None and version != demand.version:
        who, step = last_step_text(demand)
        raise StaleDemand(
            _("需求「%(t)s」已被 %(who)s 更新（%(step)s），请刷新后再操作。")
            % {"t": demand.title, "who": who, "step": step}
        )


def _lock(demand: Demand) -> Demand:
    # `of`: PostgreSQL refuses FOR UPDATE on the nullable side of outer joins.
    return (
        Demand.objects.select_for_update(of=("self",))
        .select_related("community", "assigned_team", "requester")
        .get(pk=demand.pk)
    )


def _due(hours: float | int = 0, days: int = 0) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours, days=days)


def due_for(status: str, policy: DemandPolicy) -> datetime.datetime | None:
    """When a demand that has just entered `status` is late; None once nothing more is owed."""
    if status in (DemandStatus.SUBMITTED, DemandStatus.ACCEPTED):
        return _due(hours=policy.accept_within_hours)
    if status == DemandStatus.PUBLISHED:
        return _due(hours=policy.claim_within_hours)
    if status == DemandStatus.DISPATCHED:
        return _due(hours=policy.take_within_hours)
    if status == DemandStatus.TAKEN:
        return _due(days=policy.do_within_days)
    return None


@transaction.atomic
def _transition(
    *,
    actor: Any,
    demand: Demand,
    step: str,
    version: int | None = None,
    note: str | Callable[[Demand], str] = "",
    public: bool = True,
    fields: dict[str, Any] | None = None,
    prepare: Callable[[Demand, set[str]], dict[str, Any] | None] | None = None,
    after: Callable[[Demand, str], None] | None = None,
) -> Demand:
    """Take `step` on `demand`: lock, check version, status and party, update, log, audit.

    `prepare(locked, parties)` validates what depends on the current row and returns more fields;
    `after(demand, from_status)` writes the step's other rows (photos, hours, points)."""
    locked = _lock(demand)
    _check_version(locked, version)
    entry = TRANSITIONS.get((locked.status, step))
    if entry is None:
        message = _("需求「%(t)s」当前状态为「%(s)s」，不能%(step)s。") % {
            "t": locked.title,
            "s": locked.get_status_display(),
            "step": Step(step).label,
        }
        if version is None and locked.version > 1:
            who, last = last_step_text(locked)
            message += _("（最近一步：%(who)s %(step)s）") % {"who": who, "step": last}
        raise TransitionRefused(message)
    target, allowed = entry
    parties = parties_for(actor, locked)
    if not (parties & allowed):
        raise TransitionRefused(
            _("您不能对需求「%(t)s」执行「%(step)s」（需由%(who)s操作）。")
            % {"t": locked.title, "step": Step(step).label, "who": "、".join(str(Party(p).label) for p in allowed)}
        )
    from_status = locked.status
    extra = prepare(locked, parties) if prepare is not None else None
    update = {
        "status": target,
        "version": F("version") + 1,
        "updated_at": timezone.now(),
        "step_due_at": due_for(target, policy_for(locked)),
        "escalated_at": None,  # a new step starts the lateness scan afresh
        **(fields or {}),
        **(extra or {}),
    }
    text = note(locked) if callable(note) else note
    changed = Demand.objects.filter(pk=locked.pk, version=locked.version).update(**update)
    if changed != 1:  # pragma: no cover - the row lock makes this unreachable; kept as a guard
        raise StaleDemand(_("需求已被他人更新，请刷新后再操作。"))
    locked.refresh_from_db()
    log_step(locked, actor=actor, step=step, from_status=from_status, to_status=target, note=text, public=public)
    if after is not None:
        after(locked, from_status)
    changes: dict[str, Any] = {"step": [None, str(Step(step).label)]}
    if from_status != target:
        changes["status"] = [str(DemandStatus(from_status).label), str(DemandStatus(target).label)]
    if text:
        changes["note"] = [None, text[:200]]
    audit_record(actor=actor, action=Action.UPDATE, obj=locked, changes=changes, area_path=locked.area_path)
    return locked


# --- helpers ------------------------------------------------------------------------------


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _save_photos(demand: Demand, photos: list[CheckedPhoto], actor: Any, stage: str) -> None:
    for photo in photos:
        DemandPhoto.objects.create(demand=demand, stage=stage, file=photo.as_file(), uploaded_by=acting_user(actor))


def _hours(value: Any, field: str, *, allow_zero: bool) -> Decimal:
    """Hours with one decimal, 0 (when allowed) to 100."""
    try:
        hours = Decimal(str(value if value not in (None, "") else 0)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("请填写正确的小时数。")}) from exc
    if hours < 0 or (hours == 0 and not allow_zero) or hours > MAX_HOURS:
        low = "0" if allow_zero else "0.1"
        raise ValidationError({field: _("小时数应在 %(a)s 至 %(b)s 之间。") % {"a": low, "b": MAX_HOURS}})
    return hours


def hold_key(demand: Demand) -> str:
    return f"demand:{demand.public_id}:hold"


# --- submit -------------------------------------------------------------------------------


def _place(community: Area, estate: Estate | None, building: Building | None) -> tuple[Area | None, str]:
    """The grid and the deepest path known: the building's grid, else the estate's (by its point or its only grid)."""
    grid = None
    if building is not None and building.grid_id:
        grid = building.grid
    elif estate is not None:
        from dangjian.territory.services import locate_grid

        grid = locate_grid(community=community, lat=estate.lat, lng=estate.lng)
        if grid is None:
            grids = list(estate.grids.all()[:2])
            grid = grids[0] if len(grids) == 1 else None
    return grid, (grid.path if grid is not None else community.path)


@transaction.atomic
def demand_submit(
    *,
    actor: Any,
    kind: str,
    title: str,
    description: str = "",
    category: NeedCategory | None = None,
    needed_by: datetime.date | None = None,
    community: Area | None = None,
    estate: Estate | None = None,
    building: Building | None = None,
    photos: Iterable[Any] = (),
    bank_hours: Any = 0,
    requester_name: str = "",
    requester_phone: str = "",
) -> Demand:
    """我要点单 from a resident's phone, or a worker entering it at the desk for someone (代录).

    A resident's demand lies in their home community; a worker's in the community they name (or
    the estate's / building's), which must be in their scope. Paying time-bank hours needs an account
    of one's own and enough hours (they are held when the community accepts)."""
    if acting_user(actor) is None:
        raise ValidationError(_("请先登录。"))
    role = active_role(actor)
    files = check_photos(photos)
    if kind not in DemandKind.values:
        raise ValidationError({"kind": _("请选择需求类型。")})
    title = _required(title, "title", _("请填写需求标题。"))[:100]
    description = (description or "").strip()[:2000]
    try:
        check_date_within(needed_by, past=0, future=YEAR_DAYS)
    except ValidationError as exc:
        raise ValidationError({"needed_by": exc.messages}) from exc
    hours = _hours(bank_hours, "bank_hours", allow_zero=True)
    acting_as_worker = role in WORKER_ROLES or (actor.is_superuser and role not in REQUESTER_ROLES)
    if acting_as_worker:
        community = community or (building.community if building else estate.community if estate else None)
        if community is None or community.level != Level.COMMUNITY:
            raise ValidationError({"community": _("请选择需求所在社区。")})
        path = active_scope(actor).area_path or ""
        if not actor.is_superuser and not (path and community.path.startswith(path)):
            raise ValidationError({"community": _("「%(c)s」不在您的管辖范围内。") % {"c": community.name}})
        requester = None
        name = _required(requester_name, "requester_name", _("请填写求助人姓名。"))[:50]
        phone = (requester_phone or "").strip()
        if hours:
            raise ValidationError({"bank_hours": _("代录的需求不能支付时间币：请由本人在手机上点单。")})
    elif role in REQUESTER_ROLES:
        home = home_community_id(actor)
        if home is None:
            raise ValidationError(_("您的账号未登记居住社区，请联系社区工作者。"))
        community = Area.objects.get(pk=home)
        requester = actor
        name = (requester_name or actor.full_name or actor.username)[:50]
        phone = (requester_phone or actor.mobile or "").strip()
    else:
        raise ValidationError(_("您当前的角色不能点单。"))
    if phone:
        try:
            phone = validate_mobile(phone)
        except ValidationError as exc:
            raise ValidationError({"requester_phone": exc.messages}) from exc
    if estate is not None and estate.community_id != community.pk:
        raise ValidationError({"estate": _("「%(e)s」不在%(c)s。") % {"e": estate.name, "c": community.name}})
    if building is not None:
        if building.community_id != community.pk or (estate is not None and building.estate_id != estate.pk):
            raise ValidationError({"building": _("「%(b)s」不在所选小区或社区。") % {"b": building.name}})
        estate = estate or building.estate
    if hours and requester is not None:
        from dangjian.timebank.services import balance

        have = balance(requester)
        if have < hours:
            raise ValidationError(
                {"bank_hours": _("您的时间币余额为 %(b)s 小时，不足 %(h)s 小时。") % {"b": have, "h": hours}}
            )
    grid, area_path = _place(community, estate, building)
    demand = Demand(
        kind=kind,
        category=category,
        title=title,
        description=description,
        needed_by=needed_by,
        community=community,
        estate=estate,
        building=building,
        grid=grid,
        area_path=area_path,
        requester=requester,
        requester_name=name,
        requester_phone=phone,
        bank_hours=hours,
    )
    demand.step_due_at = due_for(DemandStatus.SUBMITTED, policy_for(demand))
    demand.save()
    _save_photos(demand, files, actor, DemandPhoto.Stage.REQUEST)
    note = _("社区代录") if requester is None else ""
    log_step(demand, actor=actor, step=Step.SUBMIT, from_status="", to_status=DemandStatus.SUBMITTED, note=note)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=demand,
        changes={"title": [None, title], "kind": [None, str(DemandKind(kind).label)]},
        area_path=area_path,
    )
    return demand


# --- accept, decline, withdraw --------------------------------------------------------------


def demand_accept(*, actor: Any, demand: Demand, version: int | None = None, note: str = "") -> Demand:
    """受理. When the requester pays time-bank hours they are held in the community's escrow now."""

    def prepare(locked: Demand, parties: set[str]) -> dict[str, Any]:
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
        return {"accepted_by": acting_user(actor), "accepted_at": timezone.now()}

    return _transition(actor=actor, demand=demand, step=Step.ACCEPT, version=version, note=note, prepare=prepare)


def _refund(locked: Demand, from_status: str, actor: Any) -> None:
    """Give held hours back: only a demand that was accepted (hence held) has any."""
    if locked.bank_hours > 0 and locked.requester_id and from_status != DemandStatus.SUBMITTED:
        from dangjian.timebank.services import escrow_refund

        escrow_refund(
            hold_key=hold_key(locked),
            key=f"demand:{locked.public_id}:refund",
            memo=_("点单「%(t)s」退回时间币") % {"t": locked.title},
            actor=acting_user(actor),
        )


def demand_decline(*, actor: Any, demand: Demand, reason: str, version: int | None = None) -> Demand:
    """不予受理 with a reason the resident reads on their phone."""

    def prepare(locked: Demand, parties: set[str]) -> dict[str, Any]:
        return {"decline_reason": _required(reason, "reason", _("请填写不予受理的原因，点单人会看到。"))[:300]}

    return _transition(
        actor=actor,
        demand=demand,
        step=Step.DECLINE,
        version=version,
        note=(reason or "").strip(),
        prepare=prepare,
        after=lambda locked, from_status: _refund(locked, from_status, actor),
    )


def demand_withdraw(*, actor: Any, demand: Demand, note: str = "", version: int | None = None) -> Demand:
    """撤回: the requester changes their mind, or a worker withdraws it for them (with a note why)."""

    def prepare(locked: Demand, parties: set[str]) -> dict[str, Any]:
        if Party.REQUESTER not in parties:
            _required(note, "note", _("代为撤回时请写明原因。"))
        return dict(NO_ASSIGNEE)

    return _transition(
        actor=actor,
        demand=demand,
        step=Step.WITHDRAW,
        version=version,
        note=(note or "").strip(),
        prepare=prepare,
        after=lambda locked, from_status: _refund(locked, from_status, actor),
    )


# --- publish, dispatch, claim, take ---------------------------------------------------------


def demand_publish(*, actor: Any, demand: Demand, version: int | None = None, note: str = "") -> Demand:
    """发布认领: members, unit contacts and team leaders of the community may claim it."""
    fields = {**NO_ASSIGNEE, "assigned_at": timezone.now(), "taken_at": None}
    return _transition(
        actor=actor,
        demand=demand,
        step=Step.PUBLISH,
        version=version,
        note=note or _("发布给党员、驻区单位和志愿服务队认领"),
        fields=fields,
    )


def _dispatch_fields(
    demand: Demand, kind: str, member: Member | None, unit: ResidentUnit | None, team: Team | None
) -> tuple[dict[str, Any], str]:
    if kind not in AssigneeKind.values:
        raise ValidationError({"kind": _("请选择派单对象类型。")})
    fields: dict[str, Any] = {**NO_ASSIGNEE, "assignee_kind": kind}
    if kind == AssigneeKind.MEMBER:
        if member is None:
            raise ValidationError({"member": _("请选择承接的党员。")})
        if member.user_id is None:
            raise ValidationError({"member": _("%(m)s 尚未开通账号，不能在手机上接单。") % {"m": member.name}})
        if member.home_community_id != demand.community_id and home_community_id(member.user) != demand.community_id:
            raise ValidationError({"member": _("%(m)s 不是本社区的党员。") % {"m": member.name}})
        fields.update(assigned_member=member, assigned_user=member.user)
        return fields, member.name
    if kind == AssigneeKind.UNIT:
        if unit is None:
            raise ValidationError({"unit": _("请选择承接的驻区单位。")})
        if unit.community_id != demand.community_id:
            raise ValidationError({"unit": _("「%(u)s」不是本社区的驻区单位。") % {"u": unit.name}})
        fields.update(assigned_unit=unit)
        return fields, unit.name
    if team is None:
        raise ValidationError({"team": _("请选择承接的志愿服务队。")})
    if not team.is_active or not team.area.path.startswith(demand.community.path):
        raise ValidationError({"team": _("「%(t)s」不是本社区的志愿服务队。") % {"t": team.name}})
    if team.leader_id is None:
        raise ValidationError({"team": _("「%(t)s」没有队长，不能派单。") % {"t": team.name}})
    fields.update(assigned_team=team, assigned_user=team.leader)
    return fields, team.name


def demand_dispatch(
    *,
    actor: Any,
    demand: Demand,
    kind: str,
    member: Member | None = None,
    unit: ResidentUnit | None = None,
    team: Team | None = None,
    version: int | None = None,
    note: str = "",
) -> Demand:
    """派单 to a named member, unit or team (also a reassignment of a dispatched or taken demand)."""
    target: dict[str, str] = {}

    def prepare(locked: Demand, parties: set[str]) -> dict[str, Any]:
        fields, label = _dispatch_fields(locked, kind, member, unit, team)
        target["label"] = f"{AssigneeKind(kind).label}：{label}"
        if locked.status in (DemandStatus.DISPATCHED, DemandStatus.TAKEN):
            target["label"] = _("改派给") + target["label"]
        return {**fields, "assigned_at": timezone.now(), "taken_at": None}

    def text(locked: Demand) -> str:
        return f"{target['label']}；{note}" if note else target["label"]

    return _transition(actor=actor, demand=demand, step=Step.DISPATCH, version=version, note=text, prepare=prepare)


@transaction.atomic
def demand_claim(
    *, actor: Any, demand: Demand, team: Team | None = None, version: int | None = None, note: str = ""
) -> Demand:
    """认领: the first claimant gets it; anyone after is told who took it.

    A unit contact claims for their unit, a team leader naming their team for the team, a member for
    themselves. Whoever claims does it: the demand is taken at once."""
    locked = _lock(demand)
    if locked.status != DemandStatus.PUBLISHED:
        last = locked.log.order_by("-at", "-pk").first()
        if last is not None and last.step == Step.CLAIM:
            raise TransitionRefused(
                _("需求「%(t)s」已由 %(who)s 认领，请选择其他需求。")
                % {"t": locked.title, "who": last.actor_label or _("他人")}
            )
    now = timezone.now()
    role = active_role(actor) if acting_user(actor) is not None else ""
    if team is not None:
        if acting_user(actor) is None or not led_teams(actor, locked.community).filter(pk=team.pk).exists():
            raise TransitionRefused(_("您不是「%(t)s」的队长，不能以服务队名义认领。") % {"t": team.name})
        fields: dict[str, Any] = {**NO_ASSIGNEE, "assignee_kind": AssigneeKind.TEAM, "assigned_team": team}
        label = team.name
    elif role == Role.UNIT_CONTACT:
        unit_id = active_scope(actor).unit_id
        fields = {**NO_ASSIGNEE, "assignee_kind": AssigneeKind.UNIT, "assigned_unit_id": unit_id}
        del fields["assigned_unit"]
        names = ResidentUnit.objects.filter(pk=unit_id).values_list("name", flat=True) if unit_id is not None else []
        label = next(iter(names), "") or ""
    else:
        member = Member.objects.filter(user=actor).first() if acting_user(actor) is not None else None
        fields = {**NO_ASSIGNEE, "assignee_kind": AssigneeKind.MEMBER, "assigned_member": member}
        label = actor_label(actor)
    fields.update(assigned_user=acting_user(actor), assigned_at=now, taken_at=now)

    def prepare(current: Demand, parties: set[str]) -> dict[str, Any] | None:
        # A team leader who is not a member living here claims for the team, not for themselves.
        as_member = role == Role.PARTY_MEMBER and home_community_id(actor) == current.community_id
        if team is None and role != Role.UNIT_CONTACT and not as_member:
            raise TransitionRefused(_("请以服务队名义认领。"))
        return None

    text = f"{AssigneeKind(fields['assignee_kind']).label}：{label}"
    return _transition(
        actor=actor,
        demand=locked,
        step=Step.CLAIM,
        version=version,
        note=f"{text}；{note}" if note else text,
        fields=fields,
        prepare=prepare,
    )


def demand_take(*, actor: Any, demand: Demand, version: int | None = None, note: str = "") -> Demand:
    """接单: the one it was dispatched to starts. For a unit, the contact who takes it is the doer."""

    def prepare(locked: Demand, parties: set[str]) -> dict[str, Any]:
        fields: dict[str, Any] = {"taken_at": timezone.now()}
        if locked.assignee_kind == AssigneeKind.UNIT and acting_user(actor) is not None:
            fields["assigned_user"] = actor
        return fields

    return _transition(actor=actor, demand=demand, step=Step.TAKE, version=version, note=note, prepare=prepare)


# --- refuse, recall, give up ----------------------------------------------------------------


def demand_refuse(*, actor: Any, demand: Demand, reason: str, version: int | None = None) -> Demand:
    """拒绝接单 with a reason: back to the community to dispatch again."""

    def prepare(locked: Demand, parties: set[str]) -> dict[str, Any]:
        _required(reason, "reason", _("请填写不能接单的原因。"))
        return {**NO_ASSIGNEE, "assigned_at": None}

    return _transition(
        actor=actor,
        demand=demand,
        step=Step.REFUSE,
        version=version,
        note=(reason or "").strip(),
        public=False,
        prepare=prepare,
    )


def demand_recall(*, actor: Any, demand: Demand, version: int | None = None, note: str = "") -> Demand:
    """收回: the community takes a published or dispatched demand back, to place it again."""
    fields = {**NO_ASSIGNEE, "assigned_at": None, "taken_at": None}
    return _transition(
        actor=actor, demand=demand, step=Step.RECALL, version=version, note=note, public=False, fields=fields
    )


def demand_give_up(*, actor: Any, demand: Demand, reason: str, version: int | None = None) -> Demand:
    """放弃办理 with a reason: back to the community."""

    def prepare(locked: Demand, parties: set[str]) -> dict[str, Any]:
        _required(reason, "reason", _("请填写放弃的原因。"))
        return {**NO_ASSIGNEE, "assigned_at": None, "taken_at": None}

    return _transition(
        actor=actor,
        demand=demand,
        step=Step.GIVE_UP,
        version=version,
        note=(reason or "").strip(),
        public=False,
        prepare=prepare,
    )


# --- done, rate, close, settlement ----------------------------------------------------------


def demand_done(
    *, actor: Any, demand: Demand, note: str, hours: Any, photos: Iterable[Any] = (), version: int | None = None
) -> Demand:
    """完成登记: what was done, how long it took, photos. The requester is asked to rate it."""
    files = check_photos(photos)
    recorded: dict[str, Decimal] = {}

    def prepare(locked: Demand, parties: set[str]) -> dict[str, Any]:
        text = _required(note, "note", _("请填写完成情况。"))
        recorded["hours"] = _hours(hours, "hours", allow_zero=False)
        fields: dict[str, Any] = {"done_note": text[:2000], "hours": recorded["hours"], "done_at": timezone.now()}
        if locked.assigned_user_id is None and acting_user(actor) is not None:
            fields["assigned_user"] = actor
        return fields

    def text(locked: Demand) -> str:
        return _("服务 %(h)s 小时：%(n)s") % {"h": recorded["hours"], "n": (note or "").strip()}

    return _transition(
        actor=actor,
        demand=demand,
        step=Step.DONE,
        version=version,
        note=text,
        prepare=prepare,
        after=lambda locked, from_status: _save_photos(locked, files, actor, DemandPhoto.Stage.DONE),
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


def demand_rate(*, actor: Any, demand: Demand, rating: Any, note: str = "", version: int | None = None) -> Demand:
    """评价 1-5 stars: the demand is settled (hours and points to the doer)."""
    try:
        stars = int(rating)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise ValidationError({"rating": _("请选择 1 至 5 星。")})
    text = (note or "").strip()[:300]
    fields = {"rating": stars, "rating_note": text, "rated_at": timezone.now()}
    label = _("%(n)s 星") % {"n": stars}
    return _transition(
        actor=actor,
        demand=demand,
        step=Step.RATE,
        version=version,
        note=f"{label}：{text}" if text else label,
        fields=fields,
        after=lambda locked, from_status: settle(locked, actor=actor),
    )


def demand_close(*, actor: Any, demand: Demand, version: int | None = None, note: str = "") -> Demand:
    """关闭 a done demand the requester has not rated: by the system after the policy's days, or a worker."""
    return _transition(
        actor=actor,
        demand=demand,
        step=Step.CLOSE,
        version=version,
        note=note or (_("完成后未评价，自动关闭") if actor is None else ""),
        after=lambda locked, from_status: settle(locked, actor=actor),
    )


def close_unrated(*, now: datetime.datetime | None = None) -> int:
    """The system's scan: close done demands left unrated past their district's auto_close_after_days."""
    now = now or timezone.now()
    closed = 0
    policies: dict[str, DemandPolicy] = {}
    candidates = Demand.objects.filter(status=DemandStatus.DONE, done_at__isnull=False).order_by("done_at", "pk")
    for demand in candidates.iterator():
        district = demand.area_path[:STEP]
        if district not in policies:
            policies[district] = policy_for(demand)
        done_at = demand.done_at
        if done_at is None or done_at + datetime.timedelta(days=policies[district].auto_close_after_days) > now:
            continue
        try:
            demand_close(actor=None, demand=demand, version=demand.version)
        except ValidationError:  # rated or closed meanwhile: nothing to do
            continue
        closed += 1
    return closed
