"""The weak-organization workflow (软弱涣散整顿), declared once and run by core.workflow.take_step.

列入 (flag) → 整改方案批准 (approve_plan) → 申请摘帽 (apply) → 摘帽 (delist), or sent back to
rectifying. Cases have no version column: the update is conditional on the status read under the lock.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.scoping import active_role
from dangjian.core.workflow import Move, State, StepSpec, TransitionRefused, Workflow

from ..models import WeakCaseLog, WeakCaseStatus, WeakOrgCase
from ..permissions import ADMINS, ROLE_NAMES, WEAK_ROLES, role_refusal

S = WeakCaseStatus
FLAG = "flag"  # the log row of a flagging: the case starts there, no one takes it as a step


class Step(models.TextChoices):
    APPROVE_PLAN = "approve_plan", gettext_lazy("批准整改方案")
    APPLY = "apply", gettext_lazy("申请摘帽")
    SEND_BACK = "send_back", gettext_lazy("退回继续整改")
    DELIST = "delist", gettext_lazy("批准摘帽")


class Party(models.TextChoices):
    ADMIN = "admin", gettext_lazy("区级或街道管理员")
    COMMUNITY_WORKER = "community_worker", gettext_lazy("社区工作者")


# The roles each party stands for (the system and superusers are every party).
PARTY_ROLES: dict[str, frozenset[str]] = {
    Party.ADMIN: ADMINS,
    Party.COMMUNITY_WORKER: WEAK_ROLES - ADMINS,
}


class WeakCaseWorkflow(Workflow):
    name = "orgs.weak_case"
    model = WeakOrgCase
    log_model = WeakCaseLog
    log_fk = "case"
    version_field = None
    status_choices = WeakCaseStatus
    step_choices = Step
    party_choices = Party
    log_only_steps = {FLAG: gettext_lazy("列为软弱涣散")}

    def label(self, step: str) -> str:
        """The step as its button names it (and so every message about it)."""
        spec = self.steps[step]
        return str(spec.button or self.step_label(step))

    def step_roles(self, step: str) -> frozenset[str]:
        parties = {p for move in self.moves if move.step == step for p in move.parties}
        return frozenset(role for party in parties for role in PARTY_ROLES[party])

    def source(self, step: str) -> str:
        return next(move.sources[0] for move in self.moves if move.step == step)

    def role_refusal(self, actor: Any, step: str) -> str | None:
        """Why the actor's role may not take `step` (None: it may). Checked before the row is locked."""
        return role_refusal(actor, self.step_roles(step), self.label(step))

    def rule_refusal(self, case: WeakOrgCase, step: str) -> str | None:
        """What the plan's steps say against `step` (None: nothing)."""
        if step == Step.APPROVE_PLAN and not case.steps.exists():
            return _("整改方案还没有整改措施，请先添加至少一项整改措施再批准。")
        if step in {Step.APPLY, Step.DELIST}:
            undone = list(
                case.steps.filter(done_at__isnull=True).order_by("deadline", "pk").values_list("title", flat=True)
            )
            if undone:
                return _("还有 %(n)s 项整改措施未完成：%(titles)s。全部完成后才能%(action)s。") % {
                    "n": len(undone),
                    "titles": "、".join(f"「{t}」" for t in undone),
                    "action": self.label(step),
                }
        return None

    def refusal(self, case: WeakOrgCase, step: str) -> str | None:
        """Why `step` cannot be taken on the case now, its role aside (None: it can)."""
        if self.move(case.status, step) is None:
            return self.refuse_state(case, step, None)
        return self.rule_refusal(case, step)

    # --- the engine's hooks ---------------------------------------------------------------------

    def lock(self, obj: Any) -> Any:
        return WeakOrgCase.objects.select_for_update().select_related("org__area").get(pk=obj.pk)

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        if actor is None:
            return set(Party.values)
        if not WeakOrgCase.objects.visible_to(actor).filter(pk=obj.pk).exists():
            raise TransitionRefused(_("「%(org)s」不在您的管辖范围内。") % {"org": obj.org.name})
        if getattr(actor, "is_superuser", False):
            return set(Party.values)
        role = active_role(actor)
        return {party for party, roles in PARTY_ROLES.items() if role in roles}

    def check(self, obj: Any, *, actor: Any, step: str, version: int | None = None) -> Any:
        move, parties = super().check(obj, actor=actor, step=step, version=version)
        # The plan's rules come before the note is asked for, as the pages have always said them.
        refusal = self.rule_refusal(obj, step)
        if refusal:
            raise TransitionRefused(refusal)
        return move, parties

    def area_path(self, obj: Any) -> str:
        return obj.org.area.path

    def recipients(self, obj: Any, name: str, actor: Any) -> list[int]:
        """Who a step's `notify` names mean: the admins above the organization's area, the workers of
        its community (who carry out the plan)."""
        from dangjian.notifications import recipients as who

        if name == "admins":
            return who.admins_above(obj.org.area.path)
        if name == "workers":
            return who.community_workers(obj.org.area.path)
        raise LookupError(f"orgs.weak_case: no recipients named {name!r}")

    def notice_text(self, obj: Any, step: str, note: str) -> tuple[str, str]:
        return _("软弱涣散整顿「%(org)s」：%(action)s") % {"org": obj.org.name, "action": self.step_label(step)}, note

    def refuse_state(self, obj: Any, step: str, version: int | None) -> str:
        return _("「%(org)s」当前为「%(status)s」，不能%(action)s（只有「%(source)s」时可以）。") % {
            "org": obj.org.name,
            "status": obj.get_status_display(),
            "action": self.label(step),
            "source": S(self.source(step)).label,
        }

    def refuse_party(self, obj: Any, move: Move, parties: set[str]) -> str:
        # The service checks the role before locking (role_refusal); this is the engine's own guard.
        return _("您当前的身份不能%(what)s，需由%(who)s操作。") % {
            "what": self.label(move.step),
            "who": ROLE_NAMES[self.step_roles(move.step)],
        }


A, W = Party.ADMIN, Party.COMMUNITY_WORKER
SERVICE = "dangjian.orgs.weak.services.weak_case_transition"
FLOW = WeakCaseWorkflow(
    states=[
        State(S.FLAGGED, is_open=True, badge="red", hint=gettext_lazy("已列入，待批准整改方案")),
        State(S.RECTIFYING, is_open=True, badge="pending", hint=gettext_lazy("整改中")),
        State(S.APPLIED, is_open=True, badge="pending", hint=gettext_lazy("已申请摘帽，待审批")),
        State(S.DELISTED, is_open=False, is_done=True, counts_as_closed=True, badge="ok", hint=gettext_lazy("已摘帽")),
    ],
    steps=[
        StepSpec(
            Step.APPROVE_PLAN,
            service=SERVICE,
            form="dangjian.orgs.weak.forms.TransitionForm",
            button=gettext_lazy("批准整改方案，开始整改"),
            question=gettext_lazy("确认批准整改方案？批准后各项整改措施开始计算时限。"),
            note_label=gettext_lazy("批准意见（可选）"),
            done_message=gettext_lazy("「%(org)s」：%(action)s，当前状态「%(status)s」。"),
            notify=("workers",),
        ),
        StepSpec(
            Step.APPLY,
            service=SERVICE,
            form="dangjian.orgs.weak.forms.TransitionForm",
            question=gettext_lazy("确认整改已全部完成，申请摘帽？提交后由区级或街道管理员审批。"),
            note_label=gettext_lazy("整改成效（可选）"),
            done_message=gettext_lazy("「%(org)s」：%(action)s，当前状态「%(status)s」。"),
            notify=("admins",),
        ),
        StepSpec(
            Step.SEND_BACK,
            service=SERVICE,
            form="dangjian.orgs.weak.forms.TransitionForm",
            question=gettext_lazy("确认退回摘帽申请？该组织将回到「整改中」。"),
            note_label=gettext_lazy("退回原因"),
            note_required=True,
            done_message=gettext_lazy("「%(org)s」：%(action)s，当前状态「%(status)s」。"),
            notify=("workers",),
        ),
        StepSpec(
            Step.DELIST,
            service=SERVICE,
            form="dangjian.orgs.weak.forms.TransitionForm",
            question=gettext_lazy("确认批准摘帽？摘帽后本次整顿结束，审批人和审批意见将记录在案。"),
            note_label=gettext_lazy("审批意见"),
            note_required=True,
            done_message=gettext_lazy("「%(org)s」：%(action)s，当前状态「%(status)s」。"),
            notify=("workers",),
        ),
    ],
    moves=[
        Move(S.FLAGGED, Step.APPROVE_PLAN, S.RECTIFYING, {A}),
        Move(S.RECTIFYING, Step.APPLY, S.APPLIED, {A, W}),
        Move(S.APPLIED, Step.SEND_BACK, S.RECTIFYING, {A}),
        Move(S.APPLIED, Step.DELIST, S.DELISTED, {A}),
    ],
)

# A case is open until it is delisted; an organization has at most one open case.
OPEN_WEAK_STATUSES = [code for code, state in FLOW.states.items() if state.is_open]
# Steps are added, changed and marked done while the plan is drafted or carried out.
EDITABLE_STATUSES = (S.FLAGGED, S.RECTIFYING)


@dataclasses.dataclass(frozen=True)
class Action:
    """A step as the pages show it (its button, question and note), read from the declaration."""

    action: str
    source: str
    target: str
    label: str | Promise
    question: str | Promise
    note_label: str | Promise
    note_required: bool
    roles: frozenset[str]


def action(step: str) -> Action | None:
    if step not in FLOW.steps:
        return None
    spec = FLOW.steps[step]
    move = next(m for m in FLOW.moves if m.step == step)
    return Action(
        step,
        move.sources[0],
        move.target,
        spec.button or Step(step).label,
        spec.question,
        spec.note_label,
        spec.note_required,
        FLOW.step_roles(step),
    )
