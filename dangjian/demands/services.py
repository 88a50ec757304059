"""Writes of the demand loop. Every step is taken by core.workflow.take_step on the declaration in
workflow.py: the row is locked, the version the actor read is checked (no lost update when a worker
reassigns while the doer records), the step is checked for the demand's status and the parties the
actor is, the row is updated only if its version is still the one locked, and a DemandLog row and an
audit row are written.

Settlement (rated, or closed) credits the doer's hours and points in the same transaction: see
settlement.py."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role
from dangjian.audit.services import Action, audit_record
from dangjian.core.photos import CheckedPhoto, check_photos
from dangjian.core.scoping import acting_user, active_role, active_scope
from dangjian.core.tree import STEP
from dangjian.core.validators import YEAR_DAYS, check_date_within, validate_mobile
from dangjian.core.workflow import TransitionRefused, take_step
from dangjian.people.models import Member
from dangjian.territory.models import Area, Building, Estate, Level
from dangjian.units.models import ResidentUnit
from dangjian.volunteering.models import Team

from . import settlement
from .models import (
    AssigneeKind,
    Demand,
    DemandKind,
    DemandPhoto,
    DemandPolicy,
    DemandStatus,
    NeedCategory,
)
from .permissions import REQUESTER_ROLES, WORKER_ROLES, home_community_id, led_teams
from .workflow import DEMAND_FLOW, Party, Step, due_for, policy_for

MAX_HOURS = Decimal("100")

# Clearing these puts a demand back in the community's hands (recall, refuse, give up, withdraw).
NO_ASSIGNEE: dict[str, Any] = {
    "assignee_kind": "",
    "assigned_member": None,
    "assigned_user": None,
    "assigned_unit": None,
    "assigned_team": None,
}


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
    if grid is not None and not grid.path.startswith(community.path):
        grid = None  # a grid of another community: the demand is the community's (the desk lists rely on it)
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
    DEMAND_FLOW.log(demand, actor=actor, step=Step.SUBMIT, from_status="", to_status=DemandStatus.SUBMITTED, note=note)
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
        settlement.hold(locked, actor)
        return {"accepted_by": acting_user(actor), "accepted_at": timezone.now()}

    return take_step(
        DEMAND_FLOW, actor=actor, obj=demand, step=Step.ACCEPT, version=version, note=note, prepare=prepare
    )


def demand_decline(*, actor: Any, demand: Demand, reason: str, version: int | None = None) -> Demand:
    """不予受理 with a reason the resident reads on their phone."""

    def prepare(locked: Demand, parties: set[str]) -> dict[str, Any]:
        # The reason is the step's note, which the declaration requires.
        return {"decline_reason": (reason or "").strip()[:300]}

    return take_step(
        DEMAND_FLOW,
        actor=actor,
        obj=demand,
        step=Step.DECLINE,
        version=version,
        note=(reason or "").strip(),
        prepare=prepare,
        after=lambda locked, from_status: settlement.refund(locked, from_status, actor),
    )


def demand_withdraw(*, actor: Any, demand: Demand, note: str = "", version: int | None = None) -> Demand:
    """撤回: the requester changes their mind, or a worker withdraws it for them (with a note why)."""

    def prepare(locked: Demand, parties: set[str]) -> dict[str, Any]:
        if Party.REQUESTER not in parties:
            _required(note, "note", _("代为撤回时请写明原因。"))
        return dict(NO_ASSIGNEE)

    return take_step(
        DEMAND_FLOW,
        actor=actor,
        obj=demand,
        step=Step.WITHDRAW,
        version=version,
        note=(note or "").strip(),
        prepare=prepare,
        after=lambda locked, from_status: settlement.refund(locked, from_status, actor),
    )


# --- publish, dispatch, claim, take ---------------------------------------------------------


def demand_publish(*, actor: Any, demand: Demand, version: int | None = None, note: str = "") -> Demand:
    """发布认领: members, unit contacts and team leaders of the community may claim it."""
    fields = {**NO_ASSIGNEE, "assigned_at": timezone.now(), "taken_at": None}
    return take_step(
        DEMAND_FLOW,
        actor=actor,
        obj=demand,
        step=Step.PUBLISH,
        version=version,
        note=note or _("发布给党员、驻区单位和志愿服务队认领"),
        fields=fields,
    )


def _dispatch_fields(
    demand: Demand,
    kind: str,
    member: Member | None,
    unit: ResidentUnit | None,
    team: Team | None,
    anywhere: bool = False,
) -> tuple[dict[str, Any], str]:
    if kind not in AssigneeKind.values:
        raise ValidationError({"kind": _("请选择派单对象类型。")})
    fields: dict[str, Any] = {**NO_ASSIGNEE, "assignee_kind": kind}
    if kind == AssigneeKind.MEMBER:
        if member is None:
            raise ValidationError({"member": _("请选择承接的党员。")})
        if member.user_id is None:
            raise ValidationError({"member": _("%(m)s 尚未开通账号，不能在手机上接单。") % {"m": member.name}})
        home = member.home_community_id, home_community_id(member.user)
        if not anywhere and demand.community_id not in home:
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
    anywhere: bool = False,
) -> Demand:
    """派单 to a named member, unit or team (also a reassignment of a dispatched or taken demand).
    `anywhere`: a member who does not live in the community (one sent down to its grid, emergency.py)."""
    target: dict[str, str] = {}

    def prepare(locked: Demand, parties: set[str]) -> dict[str, Any]:
        fields, label = _dispatch_fields(locked, kind, member, unit, team, anywhere)
        target["label"] = f"{AssigneeKind(kind).label}：{label}"
        if locked.status in (DemandStatus.DISPATCHED, DemandStatus.TAKEN):
            target["label"] = _("改派给") + target["label"]
        return {**fields, "assigned_at": timezone.now(), "taken_at": None}

    def text(locked: Demand) -> str:
        return f"{target['label']}；{note}" if note else target["label"]

    return take_step(
        DEMAND_FLOW, actor=actor, obj=demand, step=Step.DISPATCH, version=version, note=text, prepare=prepare
    )


@transaction.atomic
def demand_claim(
    *, actor: Any, demand: Demand, team: Team | None = None, version: int | None = None, note: str = ""
) -> Demand:
    """认领: the first claimant gets it; anyone after is told who took it.

    A unit contact claims for their unit, a team leader naming their team for the team, a member for
    themselves. Whoever claims does it: the demand is taken at once."""
    locked = DEMAND_FLOW.lock(demand)
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
        label = DEMAND_FLOW.actor_label(actor)
    fields.update(assigned_user=acting_user(actor), assigned_at=now, taken_at=now)

    def prepare(current: Demand, parties: set[str]) -> dict[str, Any] | None:
        # A team leader who is not a member living here claims for the team, not for themselves.
        as_member = role == Role.PARTY_MEMBER and home_community_id(actor) == current.community_id
        if team is None and role != Role.UNIT_CONTACT and not as_member:
            raise TransitionRefused(_("请以服务队名义认领。"))
        return None

    text = f"{AssigneeKind(fields['assignee_kind']).label}：{label}"
    return take_step(
        DEMAND_FLOW,
        actor=actor,
        obj=locked,
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

    return take_step(DEMAND_FLOW, actor=actor, obj=demand, step=Step.TAKE, version=version, note=note, prepare=prepare)


# --- refuse, recall, give up ----------------------------------------------------------------


def demand_refuse(*, actor: Any, demand: Demand, reason: str, version: int | None = None) -> Demand:
    """拒绝接单 with a reason: back to the community to dispatch again."""

    def prepare(locked: Demand, parties: set[str]) -> dict[str, Any]:
        return {**NO_ASSIGNEE, "assigned_at": None}

    return take_step(
        DEMAND_FLOW,
        actor=actor,
        obj=demand,
        step=Step.REFUSE,
        version=version,
        note=(reason or "").strip(),
        public=False,
        prepare=prepare,
    )


def demand_recall(*, actor: Any, demand: Demand, version: int | None = None, note: str = "") -> Demand:
    """收回: the community takes a published or dispatched demand back, to place it again."""
    fields = {**NO_ASSIGNEE, "assigned_at": None, "taken_at": None}
    return take_step(
        DEMAND_FLOW, actor=actor, obj=demand, step=Step.RECALL, version=version, note=note, public=False, fields=fields
    )


def demand_give_up(*, actor: Any, demand: Demand, reason: str, version: int | None = None) -> Demand:
    """放弃办理 with a reason: back to the community."""

    def prepare(locked: Demand, parties: set[str]) -> dict[str, Any]:
        return {**NO_ASSIGNEE, "assigned_at": None, "taken_at": None}

    return take_step(
        DEMAND_FLOW,
        actor=actor,
        obj=demand,
        step=Step.GIVE_UP,
        version=version,
        note=(reason or "").strip(),
        public=False,
        prepare=prepare,
    )


# --- done, rate, close ------------------------------------------------------------------


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

    return take_step(
        DEMAND_FLOW,
        actor=actor,
        obj=demand,
        step=Step.DONE,
        version=version,
        note=text,
        prepare=prepare,
        after=lambda locked, from_status: _save_photos(locked, files, actor, DemandPhoto.Stage.DONE),
    )


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
    return take_step(
        DEMAND_FLOW,
        actor=actor,
        obj=demand,
        step=Step.RATE,
        version=version,
        note=f"{label}：{text}" if text else label,
        fields=fields,
        after=lambda locked, from_status: settlement.settle(locked, actor=actor),
    )


def demand_close(*, actor: Any, demand: Demand, version: int | None = None, note: str = "") -> Demand:
    """关闭 a done demand the requester has not rated: by the system after the policy's days, or a worker."""
    return take_step(
        DEMAND_FLOW,
        actor=actor,
        obj=demand,
        step=Step.CLOSE,
        version=version,
        note=note or (_("完成后未评价，自动关闭") if actor is None else ""),
        after=lambda locked, from_status: settlement.settle(locked, actor=actor),
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
