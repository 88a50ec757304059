"""软弱涣散基层党组织: flag an organization, plan and follow its rectification, delist it (摘帽).

Every write is atomic and audited; every change of a case's status writes a log row.
The workflow is the table TRANSITIONS below; anything else is refused with a clear message.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.roles import Role, acting_user, active_role
from dangjian.audit.services import Action, audit_record, diff, snapshot

from .models import (
    OPEN_WEAK_STATUSES,
    PartyOrg,
    RectificationStep,
    WeakAspect,
    WeakCaseLog,
    WeakCaseNote,
    WeakCaseStatus,
    WeakOrgCase,
    WeakReason,
)

S = WeakCaseStatus
ADMINS: frozenset[str] = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN})
# Who works on weak-organization cases at all: admins, and the community workers of the org's community.
WEAK_ROLES: frozenset[str] = frozenset({*ADMINS, Role.COMMUNITY_WORKER})
# Steps are added, changed and marked done while the plan is drafted or carried out.
EDITABLE_STATUSES = (S.FLAGGED, S.RECTIFYING)

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


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    roles: frozenset[str]
    label: str | Promise  # the button
    question: str | Promise  # the confirmation
    note_label: str | Promise = ""
    note_required: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "approve_plan",
            S.FLAGGED,
            S.RECTIFYING,
            ADMINS,
            gettext_lazy("批准整改方案，开始整改"),
            gettext_lazy("确认批准整改方案？批准后各项整改措施开始计算时限。"),
            gettext_lazy("批准意见（可选）"),
        ),
        Transition(
            "apply",
            S.RECTIFYING,
            S.APPLIED,
            WEAK_ROLES,
            gettext_lazy("申请摘帽"),
            gettext_lazy("确认整改已全部完成，申请摘帽？提交后由区级或街道管理员审批。"),
            gettext_lazy("整改成效（可选）"),
        ),
        Transition(
            "send_back",
            S.APPLIED,
            S.RECTIFYING,
            ADMINS,
            gettext_lazy("退回继续整改"),
            gettext_lazy("确认退回摘帽申请？该组织将回到「整改中」。"),
            gettext_lazy("退回原因"),
            note_required=True,
        ),
        Transition(
            "delist",
            S.APPLIED,
            S.DELISTED,
            ADMINS,
            gettext_lazy("批准摘帽"),
            gettext_lazy("确认批准摘帽？摘帽后本次整顿结束，审批人和审批意见将记录在案。"),
            gettext_lazy("审批意见"),
            note_required=True,
        ),
    )
}
FLAG_ROLES = ADMINS
ROLE_NAMES: dict[frozenset[str], str | Promise] = {
    ADMINS: gettext_lazy("区级或街道管理员"),
    WEAK_ROLES: gettext_lazy("区级、街道管理员或社区工作者"),
}


def ensure_default_reasons() -> None:
    """Create the default reasons that are missing (the migration does this once; tests and the demo
    call it after a flush)."""
    for n, (code, label, aspect) in enumerate(DEFAULT_REASONS, start=1):
        WeakReason.objects.get_or_create(code=code, defaults={"label": label, "aspect": aspect, "sort_order": n * 10})


# -- who may do what -------------------------------------------------------------------------


def role_allows(actor: Any, roles: Iterable[str]) -> bool:
    """The system (actor None) and superusers may do everything; a person acts in their active role."""
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    return active_role(actor) in roles


def _require_role(actor: Any, roles: frozenset[str], what: str) -> None:
    if not role_allows(actor, roles):
        role = active_role(actor)
        raise ValidationError(
            _("您当前的身份（%(role)s）不能%(what)s，需由%(who)s操作。")
            % {"role": Role(role).label if role in Role.values else _("无角色"), "what": what, "who": ROLE_NAMES[roles]}
        )


def _require_in_scope(actor: Any, case: WeakOrgCase) -> None:
    if actor is None:
        return
    if not WeakOrgCase.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise ValidationError(_("「%(org)s」不在您的管辖范围内。") % {"org": case.org.name})


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


def _log(case: WeakOrgCase, *, actor: Any, from_status: str, to_status: str, note: str, at) -> WeakCaseLog:
    return WeakCaseLog.objects.create(
        case=case,
        actor=acting_user(actor),
        from_status=from_status,
        to_status=to_status,
        note=note,
        at=at,
    )


def _locked_case(case: WeakOrgCase) -> WeakOrgCase:
    return WeakOrgCase.objects.select_for_update().select_related("org__area").get(pk=case.pk)


def _undone_titles(case: WeakOrgCase) -> list[str]:
    return list(case.steps.filter(done_at__isnull=True).order_by("deadline", "pk").values_list("title", flat=True))


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
    _log(case, actor=actor, from_status="", to_status=S.FLAGGED, note=other_reason, at=at)
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


def transition_refusal(case: WeakOrgCase, transition: Transition) -> str | None:
    """Why `transition` cannot be taken from the case's current state (None: it can)."""
    if case.status != transition.source:
        return _("「%(org)s」当前为「%(status)s」，不能%(action)s（只有「%(source)s」时可以）。") % {
            "org": case.org.name,
            "status": case.get_status_display(),
            "action": transition.label,
            "source": S(transition.source).label,
        }
    if transition.action == "approve_plan" and not case.steps.exists():
        return _("整改方案还没有整改措施，请先添加至少一项整改措施再批准。")
    if transition.action in {"apply", "delist"}:
        undone = _undone_titles(case)
        if undone:
            return _("还有 %(n)s 项整改措施未完成：%(titles)s。全部完成后才能%(action)s。") % {
                "n": len(undone),
                "titles": "、".join(f"「{t}」" for t in undone),
                "action": transition.label,
            }
    return None


@transaction.atomic
def weak_case_transition(
    *, actor: Any, case: WeakOrgCase, action: str, note: str = "", at: datetime.datetime | None = None
) -> WeakOrgCase:
    """Take one step of the workflow (see TRANSITIONS); anything else is refused with the reason."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("未知的操作：%(a)s。") % {"a": action})
    _require_role(actor, transition.roles, str(transition.label))
    case = _locked_case(case)
    _require_in_scope(actor, case)
    note = note.strip()
    refusal = transition_refusal(case, transition)
    if refusal:
        raise ValidationError(refusal)
    if transition.note_required and not note:
        raise ValidationError({"note": _("请填写%(what)s。") % {"what": transition.note_label}})
    if action == "delist" and acting_user(actor) is None:
        raise ValidationError(_("摘帽须由区级或街道管理员审批，系统不能代为批准。"))
    at = _now(at)
    before = snapshot(case, ["status"])
    case.status = transition.target
    fields = ["status", "updated_at"]
    if action == "approve_plan":
        case.plan_approved_at, case.plan_approved_by = at, acting_user(actor)
        fields += ["plan_approved_at", "plan_approved_by"]
    elif action == "apply":
        case.applied_at, case.applied_by = at, acting_user(actor)
        fields += ["applied_at", "applied_by"]
    elif action == "delist":
        case.delisted_at, case.delisted_by, case.delisting_note = at, actor, note
        fields += ["delisted_at", "delisted_by", "delisting_note"]
    case.save(update_fields=fields)
    _log(case, actor=actor, from_status=transition.source, to_status=transition.target, note=note, at=at)
    changes = diff(before, snapshot(case, ["status"]))
    if note:
        changes["note"] = [None, note]
    audit_record(actor=actor, action=Action.UPDATE, obj=case, changes=changes, area_path=case.org.area.path)
    return case


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


def can_mark_done(actor: Any, step: RectificationStep) -> bool:
    """The responsible person, or an admin, may mark a step done."""
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    return step.responsible_id == actor.pk or active_role(actor) in ADMINS


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
