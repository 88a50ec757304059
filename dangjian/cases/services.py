"""Writes of the case lifecycle. Every step goes through `_transition`: the row is locked, the step is
checked against workflow.TRANSITIONS for the parties the actor is, the version the actor read is
checked (no lost update when a dispatcher and a department act at once), and a CaseLog row and an
audit row are written."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role, acting_user, active_role, active_scope
from dangjian.audit.services import Action, audit_record
from dangjian.core.photos import CheckedPhoto, check_photos
from dangjian.core.tree import ancestor_paths
from dangjian.territory.models import Area, Level
from dangjian.units.models import Department, ResidentUnit

from .models import (
    AssigneeKind,
    Case,
    CaseCategory,
    CaseDepartment,
    CaseLog,
    CasePhoto,
    CasePolicy,
    CaseStatus,
    Channel,
    DutyItem,
    Extension,
    ExtensionStatus,
    LimitUnit,
    Placement,
    Rating,
)
from .workdays import deadline_after
from .workflow import NOTE_STEPS, TRANSITIONS, Party, Step

DISPATCH_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN})
SUPERVISE_ROLES = frozenset({Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN})


# A new deadline (reopen, approved extension) starts the warn/overdue/escalate scans afresh.
DEADLINE_MARKS_CLEARED: dict[str, Any] = {"warned_at": None, "overdue_at": None, "escalation_level": 0}


class TransitionRefused(ValidationError):
    """A step the case's status or the actor's part in it does not allow."""


class StaleCase(ValidationError):
    """The case changed since the actor read it: they must look again before acting."""


def policy_for(case: Case) -> CasePolicy:
    policy = CasePolicy.objects.filter(district_id=case.district_id).first()
    return policy or CasePolicy(district_id=case.district_id)


def limit_for(case: Case) -> tuple[int, str]:
    """The time limit: the duty item's, else the district's default."""
    item = case.duty_item if case.duty_item_id else None
    if item is not None:
        return item.limit_amount, item.limit_unit
    policy = policy_for(case)
    return policy.default_limit_amount, policy.default_limit_unit


def parties_for(user: Any, case: Case) -> set[str]:
    """The parts `user` (in their active role) plays in `case`."""
    if user is None:
        return {Party.SYSTEM}
    if not getattr(user, "is_authenticated", False):
        return set()
    parties: set[str] = set()
    if user.is_superuser:
        parties |= {Party.DISPATCHER, Party.SUPERVISOR}
    role, scope = active_role(user), active_scope(user)
    path = scope.area_path or ""
    in_area = bool(path) and case.area_path.startswith(path)
    if in_area and (role in DISPATCH_ROLES or _own_patrol_report(case, role, user)):
        parties.add(Party.DISPATCHER)
    if in_area and role in SUPERVISE_ROLES:
        parties.add(Party.SUPERVISOR)
    if case.owner_id == user.pk:
        parties.add(Party.OWNER)
    if case.reporter_id == user.pk:
        parties.add(Party.RESIDENT)
    if _is_receiver(case, role, scope, user):
        parties.add(Party.RECEIVER)
    if case.status == CaseStatus.PUBLISHED and _may_claim(case, role, scope):
        parties.add(Party.CLAIMANT)
    return parties


def _own_patrol_report(case: Case, role: str, user: Any) -> bool:
    """人在网格走，事在网格办: a grid worker accepts what they found on patrol in their grid (首问负责制)."""
    return (
        role == Role.GRID_WORKER
        and case.channel == Channel.PATROL
        and case.reporter_id == user.pk
        and case.status == CaseStatus.SUBMITTED
    )


def _is_receiver(case: Case, role: str, scope: Any, user: Any) -> bool:
    kind = case.assignee_kind
    if kind == "department":
        return scope.department_id is not None and scope.department_id == case.assigned_department_id
    if kind in ("grid", "community"):
        if case.assigned_user_id:  # a named grid worker or community worker
            return case.assigned_user_id == user.pk
        return (
            role in (Role.GRID_WORKER, Role.COMMUNITY_WORKER)
            and case.assigned_area is not None
            and scope.area_path == case.assigned_area.path
        )
    if kind == "member":
        return case.assigned_user_id == user.pk
    if kind == "unit":
        return scope.unit_id is not None and scope.unit_id == case.assigned_unit_id
    return False


def _may_claim(case: Case, role: str, scope: Any) -> bool:
    if role == Role.PARTY_MEMBER:
        home = _home_community_id(scope) if scope.user_id is not None else None
        return home is not None and home == case.community_id
    if role == Role.UNIT_CONTACT and scope.unit_id:
        from dangjian.units.models import ResidentUnit

        return ResidentUnit.objects.filter(pk=scope.unit_id, community_id=case.community_id).exists()
    return False


def _home_community_id(scope: Any) -> int | None:
    from dangjian.accounts.models import RoleAssignment

    assignment = (
        RoleAssignment.objects.filter(user_id=scope.user_id, role=Role.PARTY_MEMBER, is_active=True)
        .values_list("home_community_id", flat=True)
        .first()
    )
    return assignment


def actor_label(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return _("系统")
    return actor.full_name or actor.username


def log_step(
    case: Case,
    *,
    actor: Any,
    step: str,
    from_status: str,
    to_status: str,
    note: str = "",
    public: bool = True,
    label: str = "",
) -> CaseLog:
    """`label` names an actor that is not a person (an Open311 client)."""
    user = acting_user(actor)
    return CaseLog.objects.create(
        case=case,
        actor=user,
        actor_label=(label if user is None and label else actor_label(actor))[:100],
        step=step,
        from_status=from_status,
        to_status=to_status,
        note=(note or "")[:500],
        public=public,
    )


def _last_step_text(case: Case) -> tuple[str, str]:
    """Who took the last step on `case`, and which: the loser of a race is told who won."""
    last = case.log.order_by("-at", "-pk").first()
    if last is None:
        return _("他人"), ""
    return last.actor_label or _("他人"), str(Step(last.step).label) if last.step in Step.values else last.step


def _check_version(case: Case, version: int | None) -> None:
    if version is not None and version != case.version:
        who, step = _last_step_text(case)
        raise StaleCase(
            _("事件 %(n)s 已被 %(who)s 更新（%(step)s），请刷新后再操作。")
            % {"n": case.number, "who": who, "step": step}
        )


def _lock(case: Case) -> Case:
    # `of`: PostgreSQL refuses FOR UPDATE on the nullable side of the outer joins.
    return Case.objects.select_for_update(of=("self",)).select_related("duty_item", "assigned_area").get(pk=case.pk)


@transaction.atomic
def _transition(
    *,
    actor: Any,
    case: Case,
    step: str,
    version: int | None = None,
    note: str | Callable[[Case], str] = "",
    public: bool = True,
    fields: dict[str, Any] | None = None,
    to_status: str | None = None,
    prepare: Callable[[Case, set[str]], dict[str, Any] | None] | None = None,
    after: Callable[[Case], None] | None = None,
) -> Case:
    """Take `step` on `case`: lock, check party, status and version, update, log, audit.

    `fields` are the other columns the step sets; `to_status` overrides the table's target (unused
    by the table's steps, kept for the system's scans). `prepare(locked, parties)` runs on the
    locked row once the step is allowed: it validates what depends on the current state (raising
    ValidationError) and returns more fields; `after(case)` writes the step's other rows; `note`
    may be computed from the locked row."""
    locked = _lock(case)
    _check_version(locked, version)
    parties = parties_for(actor, locked)
    entry = TRANSITIONS.get((locked.status, step))
    if entry is not None:
        target, allowed = entry
    elif step in NOTE_STEPS and locked.status in NOTE_STEPS[step][0]:
        target, allowed = locked.status, NOTE_STEPS[step][1]
    else:
        message = _("事件 %(n)s 当前状态为「%(s)s」，不能%(step)s。") % {
            "n": locked.number,
            "s": locked.get_status_display(),
            "step": Step(step).label,
        }
        if version is None and locked.version > 1:
            # The actor did not say what they read: tell them who moved the case last.
            who, last = _last_step_text(locked)
            message += _("（最近一步：%(who)s %(step)s）") % {"who": who, "step": last}
        raise TransitionRefused(message)
    if not (parties & allowed) and not (Party.SYSTEM in parties and actor is None):
        raise TransitionRefused(
            _("您不能对事件 %(n)s 执行「%(step)s」（需由%(who)s操作）。")
            % {"n": locked.number, "step": Step(step).label, "who": "、".join(str(Party(p).label) for p in allowed)}
        )
    target = to_status or target
    from_status = locked.status
    extra = prepare(locked, parties) if prepare is not None else None
    update = {
        "status": target,
        "version": F("version") + 1,
        "updated_at": timezone.now(),
        **(fields or {}),
        **(extra or {}),
    }
    text = note(locked) if callable(note) else note
    changed = Case.objects.filter(pk=locked.pk, version=locked.version).update(**update)
    if changed != 1:  # pragma: no cover - the row lock makes this unreachable; kept as a guard
        raise StaleCase(_("事件已被他人更新，请刷新后再操作。"))
    locked.refresh_from_db()
    log_step(locked, actor=actor, step=step, from_status=from_status, to_status=target, note=text, public=public)
    if after is not None:
        after(locked)
    changes: dict[str, Any] = {"step": [None, str(Step(step).label)]}
    if from_status != target:
        changes["status"] = [str(CaseStatus(from_status).label), str(CaseStatus(target).label)]
    if text:
        changes["note"] = [None, text[:200]]
    audit_record(actor=actor, action=Action.UPDATE, obj=locked, changes=changes, area_path=locked.area_path)
    return locked


def case_accept(*, actor: Any, case: Case, version: int | None = None, note: str = "") -> Case:
    """受理: the actor becomes the owner (首问负责制) and the deadline starts."""
    now = timezone.now()
    amount, unit = limit_for(case)
    deadline = deadline_after(now, amount, unit)
    owner = acting_user(actor)
    fields = {"owner": owner, "accepted_at": now, "deadline": deadline}
    limit = _("%(a)s 个%(u)s") % {"a": amount, "u": LimitUnit(unit).label}
    when = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
    text = _("办理时限 %(limit)s，期限 %(d)s") % {"limit": limit, "d": when}
    note = f"{note}；{text}" if note else text
    return _transition(actor=actor, case=case, step=Step.ACCEPT, version=version, note=note, fields=fields)


# --- helpers of the steps below -------------------------------------------------------------

# Clearing these puts a case back in the owner's hands (recall, return, reopen).
NO_ASSIGNEE: dict[str, Any] = {
    "assignee_kind": "",
    "assigned_area": None,
    "assigned_department": None,
    "assigned_user": None,
    "assigned_unit": None,
}


def _save_photos(case: Case, photos: list[CheckedPhoto], actor: Any, stage: str) -> None:
    for photo in photos:
        CasePhoto.objects.create(case=case, stage=stage, file=photo.as_file(), uploaded_by=acting_user(actor))


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _area_chain(area: Area) -> dict[str, Area]:
    """The area and its ancestors by level: {"grid": .., "community": .., "subdistrict": .., "district": ..}."""
    nodes = Area.objects.filter(path__in=[*ancestor_paths(area.path), area.path])
    return {node.level: node for node in nodes}


def _owner_label(case: Case) -> str:
    return actor_label(case.owner) if case.owner_id else _("受理人员")


# --- dispatch, publish, claim, take ---------------------------------------------------------


def _dispatch_fields(
    case: Case, kind: str, area: Area | None, department: Department | None, user: Any, unit: ResidentUnit | None
) -> tuple[dict[str, Any], str]:
    """Validate a dispatch target for `case`; the assignee columns and a description of it."""
    from dangjian.accounts.models import RoleAssignment

    if kind not in AssigneeKind.values:
        raise ValidationError({"kind": _("请选择派单对象类型。")})
    item = case.duty_item
    if kind in (AssigneeKind.GRID, AssigneeKind.COMMUNITY) and item is not None and not item.community_may_lead:
        raise ValidationError(
            {
                "kind": _(
                    "本事件属于权责清单事项「%(i)s」，社区不得作为责任主体牵头办理（行政执法、拆迁拆违、环境整治等），"
                    "请派给牵头部门「%(d)s」，社区可配合。"
                )
                % {"i": item.name, "d": item.lead_department.name}
            }
        )
    fields: dict[str, Any] = {**NO_ASSIGNEE, "assignee_kind": kind}
    if kind == AssigneeKind.GRID:
        area = area or case.grid
        if area is None or area.level != Level.GRID:
            raise ValidationError({"area": _("请选择要派往的网格。")})
        home = case.community.path if case.community is not None else case.area_path
        if not area.path.startswith(home):
            raise ValidationError({"area": _("「%(g)s」不在本事件所在社区，不能派往该网格。") % {"g": area.name}})
        if (
            user is not None
            and not RoleAssignment.objects.filter(user=user, role=Role.GRID_WORKER, area=area, is_active=True).exists()
        ):
            raise ValidationError(
                {"user": _("%(u)s 不是「%(g)s」的网格员。") % {"u": actor_label(user), "g": area.name}}
            )
        fields.update(assigned_area=area, assigned_user=user)
        label = f"{area.name} {actor_label(user)}" if user is not None else area.name
    elif kind == AssigneeKind.COMMUNITY:
        area = area or case.community
        if area is None or area.level != Level.COMMUNITY or not case.area_path.startswith(area.path):
            raise ValidationError({"area": _("只能派给事件所在的社区。")})
        if (
            user is not None
            and not RoleAssignment.objects.filter(
                user=user, role=Role.COMMUNITY_WORKER, area=area, is_active=True
            ).exists()
        ):
            raise ValidationError(
                {"user": _("%(u)s 不是「%(c)s」的社区工作者。") % {"u": actor_label(user), "c": area.name}}
            )
        fields.update(assigned_area=area, assigned_user=user)
        label = f"{area.name} {actor_label(user)}" if user is not None else area.name
    elif kind == AssigneeKind.DEPARTMENT:
        if department is None:
            raise ValidationError({"department": _("请选择承办部门。")})
        if not case.area_path.startswith(department.area.path):
            raise ValidationError(
                {"department": _("「%(d)s」的服务辖区不含本事件所在地，不能派给该部门。") % {"d": department.name}}
            )
        fields.update(assigned_department=department)
        label = department.name
    elif kind == AssigneeKind.MEMBER:
        if user is None:
            raise ValidationError({"user": _("请选择承办党员。")})
        is_member_here = RoleAssignment.objects.filter(
            user=user, role=Role.PARTY_MEMBER, is_active=True, home_community_id=case.community_id
        ).exists()
        if case.community_id is None or not is_member_here:
            raise ValidationError({"user": _("%(u)s 不是本事件所在社区的党员。") % {"u": actor_label(user)}})
        fields.update(assigned_user=user)
        label = actor_label(user)
    else:
        if unit is None:
            raise ValidationError({"unit": _("请选择承办的驻区单位。")})
        if case.community_id is None or unit.community_id != case.community_id:
            raise ValidationError({"unit": _("「%(u)s」不是本事件所在社区的驻区单位。") % {"u": unit.name}})
        fields.update(assigned_unit=unit)
        label = unit.name
    return fields, f"{AssigneeKind(kind).label}：{label}"


def case_dispatch(
    *,
    actor: Any,
    case: Case,
    kind: str,
    area: Area | None = None,
    department: Department | None = None,
    user: Any = None,
    unit: ResidentUnit | None = None,
    version: int | None = None,
    note: str = "",
) -> Case:
    """派单 to a grid (optionally a named grid worker), the community, a department, a member or a unit.

    The owner stays the owner (首问负责制); a department dispatched to may read the case from now on."""
    target: dict[str, str] = {}

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any]:
        fields, label = _dispatch_fields(locked, kind, area, department, user, unit)
        target["label"] = label
        now = timezone.now()
        fields["dispatched_at"] = now
        if locked.deadline is None:
            amount, unit_ = limit_for(locked)
            fields["deadline"] = deadline_after(now, amount, unit_)
        return fields

    def after(locked: Case) -> None:
        if department is not None and kind == AssigneeKind.DEPARTMENT:
            CaseDepartment.objects.get_or_create(case=locked, department=department)

    def text(locked: Case) -> str:
        return f"{target['label']}；{note}" if note else target["label"]

    return _transition(
        actor=actor, case=case, step=Step.DISPATCH, version=version, note=text, prepare=prepare, after=after
    )


def case_publish(*, actor: Any, case: Case, version: int | None = None, note: str = "") -> Case:
    """发布认领: the community's members and resident units may claim it (单位和党员主动认领)."""
    fields = {**NO_ASSIGNEE, "dispatched_at": timezone.now()}
    return _transition(
        actor=actor,
        case=case,
        step=Step.PUBLISH,
        version=version,
        note=note or _("发布给党员和驻区单位认领"),
        fields=fields,
    )


@transaction.atomic
def case_claim(*, actor: Any, case: Case, version: int | None = None, note: str = "") -> Case:
    """认领 by a member of the community or a unit contact of a unit there: the first one gets it."""
    locked = _lock(case)
    last = locked.log.order_by("-at", "-pk").first()
    if locked.status != CaseStatus.PUBLISHED and last is not None and last.step == Step.CLAIM:
        who = last.actor_label or _("他人")
        raise TransitionRefused(_("事件 %(n)s 已由 %(who)s 认领，请选择其他事件。") % {"n": locked.number, "who": who})
    scope = active_scope(actor) if acting_user(actor) is not None else None
    if scope is not None and scope.unit_id and active_role(actor) == Role.UNIT_CONTACT:
        fields = {**NO_ASSIGNEE, "assignee_kind": AssigneeKind.UNIT, "assigned_unit_id": scope.unit_id}
        fields.pop("assigned_unit")
    else:
        fields = {
            **NO_ASSIGNEE,
            "assignee_kind": AssigneeKind.MEMBER,
            "assigned_user": acting_user(actor),
        }
    return _transition(actor=actor, case=locked, step=Step.CLAIM, version=version, note=note, fields=fields)


def case_take(*, actor: Any, case: Case, version: int | None = None, note: str = "") -> Case:
    """签收: the receiver starts handling. A grid or community taker becomes the named handler."""

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any]:
        if locked.assignee_kind in (AssigneeKind.GRID, AssigneeKind.COMMUNITY) and acting_user(actor) is not None:
            return {"assigned_user": actor}
        return {}

    return _transition(actor=actor, case=case, step=Step.TAKE, version=version, note=note, prepare=prepare)


# --- recall, return -------------------------------------------------------------------------


def case_recall(*, actor: Any, case: Case, version: int | None = None, note: str = "") -> Case:
    """撤回: the owner or a dispatcher takes a dispatched or published case back, to send it again."""
    return _transition(
        actor=actor, case=case, step=Step.RECALL, version=version, note=note, public=False, fields=dict(NO_ASSIGNEE)
    )


def case_return(*, actor: Any, case: Case, reason: str, version: int | None = None) -> Case:
    """退回 with a reason: back to the owner (who decides again), counted against the case."""

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any]:
        _required(reason, "reason", _("请填写退回原因。"))
        return {**NO_ASSIGNEE, "return_count": F("return_count") + 1}

    def text(locked: Case) -> str:
        return _("退回给首问负责人 %(o)s：%(r)s") % {"o": _owner_label(locked), "r": reason.strip()}

    return _transition(
        actor=actor, case=case, step=Step.RETURN, version=version, note=text, public=False, prepare=prepare
    )


# --- handling: notes, close -----------------------------------------------------------------


def case_note(
    *, actor: Any, case: Case, text: str, photos: Iterable[Any] = (), public: bool = False, version: int | None = None
) -> Case:
    """处置进展 with photos; `public` notes are shown to the resident."""
    files = check_photos(photos)

    def prepare(locked: Case, parties: set[str]) -> None:
        _required(text, "text", _("请填写处置进展。"))

    return _transition(
        actor=actor,
        case=case,
        step=Step.NOTE,
        version=version,
        note=text.strip(),
        public=public,
        prepare=prepare,
        after=lambda locked: _save_photos(locked, files, actor, CasePhoto.Stage.HANDLING),
    )


@transaction.atomic
def case_close(*, actor: Any, case: Case, result: str, photos: Iterable[Any] = (), version: int | None = None) -> Case:
    """办结 with the result. A receiver closing a case it has not signed for signs for it first
    (both steps logged). The owner stays the owner."""
    files = check_photos(photos)
    locked = _lock(case)
    _check_version(locked, version)
    if locked.status == CaseStatus.DISPATCHED and Party.RECEIVER in parties_for(actor, locked):
        locked = case_take(actor=actor, case=locked, note=_("签收并办结"))
        version = None  # checked above; the take just moved it on

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any]:
        return {"result": _required(result, "result", _("请填写办理结果。")), "closed_at": timezone.now()}

    return _transition(
        actor=actor,
        case=locked,
        step=Step.CLOSE,
        version=version,
        note=(result or "").strip()[:500],
        prepare=prepare,
        after=lambda locked: _save_photos(locked, files, actor, CasePhoto.Stage.HANDLING),
    )


# --- callback, archive ----------------------------------------------------------------------


# The steps whose actor handled the case (签收、认领、处置进展、办结): they may not call it back.
HANDLING_STEPS = (Step.TAKE, Step.CLAIM, Step.NOTE, Step.CLOSE)


def handled_by(case: Case, user: Any) -> bool:
    """Whether `user` handled `case`: its named handler, or the actor of a handling step in its log."""
    person = acting_user(user)
    if person is None:
        return False
    if case.assignee_kind and case.assigned_user_id == person.pk:
        return True
    return CaseLog.objects.filter(case_id=case.pk, actor_id=person.pk, step__in=HANDLING_STEPS).exists()


def case_callback(*, actor: Any, case: Case, rating: str, note: str = "", version: int | None = None) -> Case:
    """回访: the rating of the resident, recorded by the owner or a dispatcher, or given by the resident
    from their phone. Nobody records the callback of a case they handled themselves.

    Satisfied or basically satisfied: called back. Unsatisfied: reopened to the owner, with a new limit."""
    if rating not in Rating.values:
        raise ValidationError({"rating": _("请选择评价：满意、基本满意或不满意。")})
    now = timezone.now()
    note = (note or "").strip()
    label = str(Rating(rating).label)
    text = f"{label}：{note}" if note else label
    fields: dict[str, Any] = {"rating": rating, "rating_note": note[:300], "called_back_at": now}

    def not_by_handler(locked: Case) -> None:
        if handled_by(locked, actor):
            raise TransitionRefused(
                _("事件 %(n)s 由您办理，不能由您回访；请由首问负责人、受理派单人员回访，或由反映人评价。")
                % {"n": locked.number}
            )

    if rating != Rating.UNSATISFIED:

        def check(locked: Case, parties: set[str]) -> None:
            not_by_handler(locked)

        return _transition(
            actor=actor, case=case, step=Step.CALLBACK, version=version, note=text, fields=fields, prepare=check
        )

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any]:
        not_by_handler(locked)
        if not note:
            if parties == {Party.RESIDENT}:
                raise ValidationError({"note": _("请写下您不满意的地方，便于重新办理。")})
            raise ValidationError({"note": _("不满意时请记录居民的意见，便于重办。")})
        amount, unit = limit_for(locked)
        return {
            **NO_ASSIGNEE,
            "reopen_count": F("reopen_count") + 1,
            "closed_at": None,
            "deadline": deadline_after(now, amount, unit),
            **DEADLINE_MARKS_CLEARED,
        }

    return _transition(
        actor=actor, case=case, step=Step.REOPEN, version=version, note=text, fields=fields, prepare=prepare
    )


def case_archive(*, actor: Any, case: Case, version: int | None = None, note: str = "") -> Case:
    return _transition(actor=actor, case=case, step=Step.ARCHIVE, version=version, note=note)


def case_reject(*, actor: Any, case: Case, reason: str, version: int | None = None) -> Case:
    """不予受理 with a reason the resident reads."""

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any]:
        return {"reject_reason": _required(reason, "reason", _("请填写不予受理的原因。"))[:300]}

    return _transition(actor=actor, case=case, step=Step.REJECT, version=version, note=reason.strip(), prepare=prepare)


# --- merge, route, supervise ----------------------------------------------------------------


@transaction.atomic
def case_merge(*, actor: Any, case: Case, main: Case, version: int | None = None, note: str = "") -> Case:
    """合并: `case` is a duplicate of the open case `main`; it follows main from now on."""
    from .selectors import visible_cases

    if main.pk == case.pk:
        raise ValidationError({"main": _("不能把事件合并到它自己。")})
    # Lock both in a fixed order so two opposite merges cannot deadlock.
    first, second = sorted([case.pk, main.pk])
    list(Case.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk").values_list("pk", flat=True))
    main = Case.objects.get(pk=main.pk)

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any]:
        if main.status == CaseStatus.MERGED:
            raise ValidationError(
                {"main": _("主事件 %(m)s 本身已合并到其他事件，请合并到最终的主事件。") % {"m": main.number}}
            )
        if not main.is_open:
            raise ValidationError(
                {
                    "main": _("主事件 %(m)s 已「%(s)s」，不能再合并。")
                    % {"m": main.number, "s": main.get_status_display()}
                }
            )
        if main.district_id != locked.district_id:
            raise ValidationError({"main": _("不能跨区合并事件。")})
        if acting_user(actor) is not None and not visible_cases(actor).filter(pk=main.pk).exists():
            raise ValidationError({"main": _("您无权查看主事件 %(m)s，不能合并。") % {"m": main.number}})
        return {"merged_into": main, "possible_duplicate_of": None}

    def after(locked: Case) -> None:
        log_step(
            main,
            actor=actor,
            step=Step.MERGE,
            from_status=main.status,
            to_status=main.status,
            note=_("合并了重复事件 %(n)s") % {"n": locked.number},
            public=False,
        )

    text = _("合并到主事件 %(m)s") % {"m": main.number}
    return _transition(
        actor=actor,
        case=case,
        step=Step.MERGE,
        version=version,
        note=f"{text}；{note}" if note else text,
        prepare=prepare,
        after=after,
    )


def case_route(
    *,
    actor: Any,
    case: Case,
    category: CaseCategory | None = None,
    duty_item: DutyItem | None = None,
    grid: Area | None = None,
    version: int | None = None,
    note: str = "",
) -> Case:
    """Change the category, the duty item or the grid by hand; place and rollup path follow the grid."""
    changes: list[str] = []

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        subdistrict_id = locked.subdistrict_id
        if grid is not None and grid.pk != locked.grid_id:
            if grid.level != Level.GRID:
                raise ValidationError({"grid": _("请选择网格。")})
            chain = _area_chain(grid)
            if chain.get(Level.DISTRICT) is None or chain[Level.DISTRICT].pk != locked.district_id:
                raise ValidationError({"grid": _("不能把事件调整到其他区的网格。")})
            community, subdistrict = chain.get(Level.COMMUNITY), chain.get(Level.SUBDISTRICT)
            fields.update(
                grid=grid,
                community=community,
                subdistrict=subdistrict,
                area_path=grid.path,
                placement=Placement.MANUAL,
            )
            subdistrict_id = subdistrict.pk if subdistrict else None
            changes.append(_("网格：%(a)s → %(b)s") % {"a": locked.grid.name if locked.grid else "—", "b": grid.name})
        new_category = category if category is not None and category.pk != locked.category_id else None
        if new_category is not None:
            fields["category"] = new_category
            changes.append(_("类别：%(a)s → %(b)s") % {"a": locked.category.name, "b": new_category.name})
        item = duty_item
        if item is None and (new_category is not None or subdistrict_id != locked.subdistrict_id):
            # The category or the subdistrict changed: propose that subdistrict's item for the category.
            item = (
                DutyItem.objects.filter(subdistrict_id=subdistrict_id, categories=new_category or locked.category)
                .order_by("sort", "pk")
                .first()
            )
            if item is None and locked.duty_item is not None:
                fields["duty_item"] = None
                changes.append(_("权责事项：%(a)s → 无") % {"a": locked.duty_item.name})
        if item is not None and item.pk != locked.duty_item_id:
            if item.subdistrict_id != subdistrict_id:
                raise ValidationError({"duty_item": _("「%(i)s」不是本事件所在街道的权责事项。") % {"i": item.name}})
            fields["duty_item"] = item
            old = locked.duty_item.name if locked.duty_item is not None else "—"
            changes.append(_("权责事项：%(a)s → %(b)s") % {"a": old, "b": item.name})
        if not changes:
            raise ValidationError(_("没有需要调整的内容。"))
        return fields

    def text(locked: Case) -> str:
        body = "；".join(changes)
        return f"{body}；{note}" if note else body

    return _transition(
        actor=actor, case=case, step=Step.ROUTE, version=version, note=text, public=False, prepare=prepare
    )


def case_supervise(*, actor: Any, case: Case, note: str, version: int | None = None) -> Case:
    """督办 by a higher level: the case is marked, and the note says what is expected by when."""

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any]:
        _required(note, "note", _("请填写督办意见。"))
        return {"supervised": True}

    return _transition(
        actor=actor, case=case, step=Step.SUPERVISE, version=version, note=note.strip(), public=False, prepare=prepare
    )


# --- extensions -----------------------------------------------------------------------------


def extension_ask(
    *, actor: Any, case: Case, amount: int, unit: str, reason: str, version: int | None = None
) -> Extension:
    """申请延期: by whoever handles the case (or its owner); one pending request at a time."""
    made: list[Extension] = []

    def prepare(locked: Case, parties: set[str]) -> None:
        if acting_user(actor) is None:
            raise TransitionRefused(_("延期须由承办人或首问负责人申请。"))
        if unit not in LimitUnit.values:
            raise ValidationError({"unit": _("请选择延期单位。")})
        if not amount or int(amount) < 1 or int(amount) > 60:
            raise ValidationError({"amount": _("延长时间应为 1 至 60。")})
        _required(reason, "reason", _("请填写延期理由。"))
        if locked.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise ValidationError(_("事件 %(n)s 已有待审批的延期申请。") % {"n": locked.number})

    def after(locked: Case) -> None:
        made.append(
            Extension.objects.create(
                case=locked,
                requested_by=actor,
                amount=int(amount),
                unit=unit,
                reason=reason.strip()[:300],
                old_deadline=locked.deadline,
            )
        )

    def text(locked: Case) -> str:
        return _("申请延长 %(a)s 个%(u)s：%(r)s") % {"a": amount, "u": LimitUnit(unit).label, "r": reason.strip()}

    _transition(
        actor=actor,
        case=case,
        step=Step.EXTEND_ASK,
        version=version,
        note=text,
        public=False,
        prepare=prepare,
        after=after,
    )
    return made[0]


def extension_decide(
    *, actor: Any, extension: Extension, approve: bool, note: str = "", version: int | None = None
) -> Extension:
    """审批延期 by the level above: approved moves the deadline on from the current one."""
    decided: dict[str, Any] = {}

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any] | None:
        ext = Extension.objects.select_for_update().get(pk=extension.pk)
        if ext.case_id != locked.pk:
            raise ValidationError(_("延期申请不属于该事件。"))
        if ext.status != ExtensionStatus.PENDING:
            raise TransitionRefused(
                _("该延期申请已「%(s)s」（%(who)s），无需再审批。")
                % {"s": ext.get_status_display(), "who": actor_label(ext.decided_by)}
            )
        now = timezone.now()
        ext.decided_by = acting_user(actor)
        ext.decided_at = now
        ext.decision_note = (note or "").strip()[:300]
        ext.old_deadline = locked.deadline
        ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        fields: dict[str, Any] | None = None
        if approve:
            ext.new_deadline = deadline_after(locked.deadline or now, ext.amount, ext.unit)
            fields = {"deadline": ext.new_deadline, **DEADLINE_MARKS_CLEARED}
        ext.save(update_fields=["decided_by", "decided_at", "decision_note", "old_deadline", "status", "new_deadline"])
        decided["ext"] = ext
        return fields

    def text(locked: Case) -> str:
        ext = decided["ext"]
        if approve:
            when = timezone.localtime(ext.new_deadline).strftime("%Y-%m-%d %H:%M")
            body = _("批准延期，期限延至 %(d)s") % {"d": when}
        else:
            body = _("不批准延期，期限不变")
        return f"{body}；{note.strip()}" if note and note.strip() else body

    _transition(
        actor=actor,
        case=extension.case,
        step=Step.EXTEND_DECIDE,
        version=version,
        note=text,
        public=False,
        prepare=prepare,
    )
    return decided["ext"]
