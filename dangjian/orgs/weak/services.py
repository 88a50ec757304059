"""软弱涣散基层党组织: flag an organization, plan and follow its rectification, delist it (摘帽).

Every write is atomic and audited; every change of a case's status writes a log row.
The workflow is declared in workflow.py and run by core.workflow.take_step; anything else is refused
with a clear message.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record, diff, snapshot
from dangjian.core.scoping import acting_user
from dangjian.core.workflow import take_step

from ..models import (
    PartyOrg,
    RectificationStep,
    WeakAspect,
    WeakCaseNote,
    WeakCaseStatus,
    WeakOrgCase,
    WeakReason,
)
from ..permissions import ADMINS, FLAG_ROLES, WEAK_ROLES, can_mark_done, role_refusal
from .workflow import EDITABLE_STATUSES, FLAG, FLOW, OPEN_WEAK_STATUSES, Step

S = WeakCaseStatus

# The defaults of the reasons table (the migration seeds the same list). code, label, aspect.
DEFAULT_REASONS: list[tuple[str, str, str]] = [
    ("team_incomplete", "班子不健全", WeakAspect.PARTY_BUILDING),
    ("secretary_vacant", "书记长期缺职", WeakAspect.PARTY_BUILDING),
    ("secretary_unfit", "书记不胜任现职", WeakAspect.PARTY_BUILDING),
    ("team_disunited", "班子不团结、内耗严重", WeakAspect.PARTY_BUILDING),
    ("org_life_irregular", "组织生活不正常", WeakAspect.PARTY_BUILDING),
    ("members_lax", "党员管理松散", WeakAspect.PARTY_BUILDING),
    ("public_complaints", "群众反映强烈", WeakAspect.LIVELIHOOD),
    ("services_poor", "服务群众不到位", WeakAspect.LIVELIHOOD),
    ("affairs_opaque", "居务公开和民主管理混乱", WeakAspect.LIVELIHOOD),
    ("development_lagging", "发展滞后", WeakAspect.DEVELOPMENT),
    ("collective_economy_weak", "集体经济薄弱", WeakAspect.DEVELOPMENT),
    ("public_order_problems", "治安问题突出", WeakAspect.PUBLIC_ORDER),
    ("disputes_concentrated", "矛盾纠纷和信访问题集中", WeakAspect.PUBLIC_ORDER),
    ("gang_interference", "黑恶势力干扰渗透", WeakAspect.PUBLIC_ORDER),
]


def ensure_default_reasons() -> None:
    """Create the default reasons that are missing (the migration does this once; tests and the demo
    call it after a flush)."""
    for n, (code, label, aspect) in enumerate(DEFAULT_REASONS, start=1):
        WeakReason.objects.get_or_create(code=code, defaults={"label": label, "aspect": aspect, "sort_order": n * 10})


# -- who may do what -------------------------------------------------------------------------


def _require_role(actor: Any, roles: frozenset[str], what: str) -> None:
    refusal = role_refusal(actor, roles, what)
    if refusal:
        raise ValidationError(refusal)


def _require_in_scope(actor: Any, case: WeakOrgCase) -> None:
    if actor is None:
        return
    if not WeakOrgCase.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise ValidationError(_("「%(org)s」不在您的管辖范围内。") % {"org": case.org.name})


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


def _locked_case(case: WeakOrgCase) -> WeakOrgCase:
    return WeakOrgCase.objects.select_for_update().select_related("org__area").get(pk=case.pk)


def responsible_candidates(org: PartyOrg, actor: Any) -> list[tuple[Any, str]]:
    """People who may be made responsible for a step of `org`'s plan, with a label each.

    Anyone holding an admin or community-worker role whose territory covers the organization
    (so they can open the case), and, for a person choosing, inside that person's own territory.
    """
    from dangjian.accounts.models import RoleAssignment
    from dangjian.core.scoping import scope_for
    from dangjian.core.tree import ancestor_paths

    org_area_path = org.area.path
    rows = (
        RoleAssignment.objects.filter(
            is_active=True,
            user__is_active=True,
            role__in=sorted(WEAK_ROLES),
            area__path__in=[*ancestor_paths(org_area_path), org_area_path],
        )
        .select_related("user", "area")
        .order_by("area__depth", "role", "user__username")
    )
    scope = scope_for(actor) if actor is not None else None

    def inside_actors_territory(path: str) -> bool:
        # The system (actor None) and superusers may choose anyone covering the organization.
        if scope is None or scope.everything:
            return True
        return scope.area_path is not None and path.startswith(scope.area_path)

    out: dict[int, tuple[Any, str]] = {}
    for assignment in rows:
        if assignment.area is None or not inside_actors_territory(assignment.area.path):
            continue
        if assignment.user_id not in out:
            out[assignment.user_id] = (assignment.user, f"{assignment.user} · {assignment}")
    return list(out.values())


# -- flagging ---------------------------------------------------------------------------------


@transaction.atomic
def weak_case_flag(
    *,
    actor: Any,
    org: PartyOrg,
    reasons: Iterable[WeakReason],
    other_reason: str = "",
    situation: str = "",
    at: datetime.datetime | None = None,
) -> WeakOrgCase:
    """列为软弱涣散: open a case for `org`. Refused while the organization has an open case."""
    _require_role(actor, FLAG_ROLES, _("把组织列为软弱涣散"))
    if actor is not None and not PartyOrg.objects.visible_to(actor).filter(pk=org.pk).exists():
        raise ValidationError({"org": _("「%(org)s」不在您的管辖范围内。") % {"org": org.name}})
    reasons = list(reasons)
    other_reason, situation = other_reason.strip(), situation.strip()
    if not reasons and not other_reason:
        raise ValidationError({"reasons": _("请至少选择一项列入原因，或填写其他原因。")})
    # Lock the organization row so two admins flagging it at once queue up here.
    org = PartyOrg.objects.select_for_update().select_related("area").get(pk=org.pk)
    existing = WeakOrgCase.objects.filter(org=org, status__in=OPEN_WEAK_STATUSES).first()
    if existing is not None:
        raise ValidationError(
            {
                "org": _("「%(org)s」已在整顿中（%(status)s），摘帽前不能重复列入。")
                % {"org": org.name, "status": existing.get_status_display()}
            }
        )
    at = _now(at)
    case = WeakOrgCase(
        org=org,
        other_reason=other_reason,
        situation=situation,
        flagged_at=at,
        flagged_by=acting_user(actor),
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:  # the one-open-case constraint, when a racing writer got there first
        raise ValidationError({"org": _("「%(org)s」已在整顿中，摘帽前不能重复列入。") % {"org": org.name}}) from exc
    case.reasons.set(reasons)
    FLOW.log(case, actor=actor, step=FLAG, from_status="", to_status=S.FLAGGED, note=other_reason, at=at)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=case,
        changes={
            "org": [None, org.name],
            "status": [None, S.FLAGGED.value],
            "reasons": [None, [r.label for r in reasons]],
            "other_reason": [None, other_reason],
            "situation": [None, situation],
        },
        area_path=org.area.path,
    )
    return case


# -- the workflow -----------------------------------------------------------------------------


@transaction.atomic
def weak_case_transition(
    *, actor: Any, case: WeakOrgCase, action: str, note: str = "", at: datetime.datetime | None = None
) -> WeakOrgCase:
    """Take one declared step of the workflow; anything else is refused with the reason."""
    if action not in FLOW.steps:
        raise ValidationError(_("未知的操作：%(a)s。") % {"a": action})
    refusal = FLOW.role_refusal(actor, action)  # the role first, before the row is locked
    if refusal:
        raise ValidationError(refusal)
    note = note.strip()
    at = _now(at)
    user = acting_user(actor)
    audit: dict[str, Any] = {"note": [None, note]} if note else {}

    def prepare(locked: WeakOrgCase, parties: set[str]) -> dict[str, Any]:
        if action == Step.DELIST and user is None:
            raise ValidationError(_("摘帽须由区级或街道管理员审批，系统不能代为批准。"))
        # The audit row keeps the status codes, as the case's audit rows always have.
        audit["status"] = [locked.status, FLOW.target(locked.status, action)]
        if action == Step.APPROVE_PLAN:
            return {"plan_approved_at": at, "plan_approved_by": user}
        if action == Step.APPLY:
            return {"applied_at": at, "applied_by": user}
        if action == Step.DELIST:
            return {"delisted_at": at, "delisted_by": user, "delisting_note": note}
        return {}

    return take_step(FLOW, actor=actor, obj=case, step=action, note=note, prepare=prepare, at=at, audit=audit)


# -- the plan's steps -------------------------------------------------------------------------

STEP_FIELDS = ["title", "deadline", "responsible"]


def _require_editable(case: WeakOrgCase) -> None:
    if case.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("「%(org)s」当前为「%(status)s」，整改措施不能再增加或修改。")
            % {"org": case.org.name, "status": case.get_status_display()}
        )


def _check_responsible(case: WeakOrgCase, responsible: Any, actor: Any) -> None:
    if responsible is None:
        raise ValidationError({"responsible": _("请选择责任人。")})
    if responsible.pk not in {user.pk for user, _label in responsible_candidates(case.org, actor)}:
        raise ValidationError(
            {
                "responsible": _("「%(name)s」不能担任责任人：责任人须是「%(org)s」所在辖区的管理员或社区工作者。")
                % {"name": responsible, "org": case.org.name}
            }
        )


@transaction.atomic
def weak_step_add(
    *,
    actor: Any,
    case: WeakOrgCase,
    title: str,
    deadline: datetime.date,
    responsible: Any,
    at: datetime.datetime | None = None,
) -> RectificationStep:
    _require_role(actor, ADMINS, _("制定整改方案"))
    case = _locked_case(case)
    _require_in_scope(actor, case)
    _require_editable(case)
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("请填写整改措施。")})
    at = _now(at)
    if deadline < timezone.localdate(at):
        raise ValidationError({"deadline": _("完成时限不能早于今天。")})
    _check_responsible(case, responsible, actor)
    step = RectificationStep.objects.create(
        case=case, title=title, deadline=deadline, responsible=responsible, created_at=at
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=step,
        changes={"case": [None, str(case)], **diff({}, snapshot(step, STEP_FIELDS))},
        area_path=case.org.area.path,
    )
    return step


def _locked_step(step: RectificationStep) -> tuple[RectificationStep, WeakOrgCase]:
    # The case first, then the step: every writer takes the locks in the same order.
    case = _locked_case(step.case)
    step = RectificationStep.objects.select_for_update().select_related("responsible").get(pk=step.pk)
    return step, case


@transaction.atomic
def weak_step_update(
    *,
    actor: Any,
    step: RectificationStep,
    title: str | None = None,
    deadline: datetime.date | None = None,
    responsible: Any = None,
) -> RectificationStep:
    _require_role(actor, ADMINS, _("修改整改措施"))
    step, case = _locked_step(step)
    _require_in_scope(actor, case)
    _require_editable(case)
    if step.is_done:
        raise ValidationError(_("「%(t)s」已完成，不能再修改。") % {"t": step.title})
    before = snapshot(step, STEP_FIELDS)
    if title is not None:
        if not title.strip():
            raise ValidationError({"title": _("请填写整改措施。")})
        step.title = title.strip()
    if deadline is not None and deadline != step.deadline:
        if deadline < timezone.localdate():
            raise ValidationError({"deadline": _("完成时限不能改到今天以前。")})
        step.deadline = deadline
    if responsible is not None and responsible.pk != step.responsible_id:
        _check_responsible(case, responsible, actor)
        step.responsible = responsible
    changes = diff(before, snapshot(step, STEP_FIELDS))
    if changes:
        step.save(update_fields=["title", "deadline", "responsible"])
        audit_record(actor=actor, action=Action.UPDATE, obj=step, changes=changes, area_path=case.org.area.path)
    return step


@transaction.atomic
def weak_step_delete(*, actor: Any, step: RectificationStep) -> None:
    _require_role(actor, ADMINS, _("删除整改措施"))
    step, case = _locked_step(step)
    _require_in_scope(actor, case)
    _require_editable(case)
    if step.is_done:
        raise ValidationError(_("「%(t)s」已完成，不能删除。") % {"t": step.title})
    audit_record(
        actor=actor,
        action=Action.DELETE,
        obj=step,
        changes={"case": [str(case), None], **diff(snapshot(step, STEP_FIELDS), {})},
        area_path=case.org.area.path,
    )
    step.delete()


@transaction.atomic
def weak_step_done(
    *, actor: Any, step: RectificationStep, note: str, at: datetime.datetime | None = None
) -> RectificationStep:
    """Mark a step done with what was done. Only while the case is being rectified."""
    _require_role(actor, WEAK_ROLES, _("标记整改措施完成"))
    step, case = _locked_step(step)
    _require_in_scope(actor, case)
    if case.status != S.RECTIFYING:
        raise ValidationError(
            _("「%(org)s」当前为「%(status)s」，只有整改方案批准后（整改中）才能标记整改措施完成。")
            % {"org": case.org.name, "status": case.get_status_display()}
        )
    if not can_mark_done(actor, step):
        raise ValidationError(
            _("只有责任人（%(name)s）或区级、街道管理员可以标记「%(t)s」完成。")
            % {"name": step.responsible, "t": step.title}
        )
    if step.is_done:
        raise ValidationError(
            _("「%(t)s」已于 %(at)s 标记完成。")
            % {"t": step.title, "at": timezone.localtime(step.done_at).strftime("%Y-%m-%d %H:%M")}
        )
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("请填写完成情况。")})
    step.done_at, step.done_by, step.done_note = _now(at), acting_user(actor), note
    step.save(update_fields=["done_at", "done_by", "done_note"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=step,
        changes={"done": [False, True], "done_note": [None, note]},
        area_path=case.org.area.path,
    )
    return step


# -- progress notes ---------------------------------------------------------------------------


@transaction.atomic
def weak_note_add(*, actor: Any, case: WeakOrgCase, text: str, at: datetime.datetime | None = None) -> WeakCaseNote:
    _require_role(actor, WEAK_ROLES, _("记录整改进展"))
    _require_in_scope(actor, case)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("请填写进展情况。")})
    if len(text) > 1000:
        raise ValidationError({"text": _("进展情况不能超过 1000 字。")})
    note = WeakCaseNote.objects.create(case=case, author=acting_user(actor), text=text, at=_now(at))
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=note,
        object_repr=str(case),
        changes={"case": [None, str(case)], "text": [None, text]},
        area_path=case.org.area.path,
    )
    return note
