"""Writes of the levels above a case and of its handler's time: 督办 (supervise), 申请延期 and 审批延期
(extensions). Each is a step of the case workflow that keeps the status (workflow.CASE_FLOW)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.scoping import acting_user
from dangjian.core.workflow import TransitionRefused, take_step

from .models import Case, Extension, ExtensionStatus, LimitUnit
from .policies import DEADLINE_MARKS_CLEARED
from .services import actor_label, required_text
from .workdays import deadline_after
from .workflow import CASE_FLOW, Step


def case_supervise(*, actor: Any, case: Case, note: str, version: int | None = None) -> Case:
    """督办 by a higher level: the case is marked, and the note says what is expected by when."""

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any]:
        return {"supervised": True}  # the note is required by the step's note rule (workflow)

    return take_step(
        CASE_FLOW,
        actor=actor,
        obj=case,
        step=Step.SUPERVISE,
        version=version,
        note=note.strip(),
        public=False,
        prepare=prepare,
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
        required_text(reason, "reason", _("请填写延期理由。"))
        if locked.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise ValidationError(_("事件 %(n)s 已有待审批的延期申请。") % {"n": locked.number})

    def after(locked: Case, from_status: str) -> None:
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

    take_step(
        CASE_FLOW,
        actor=actor,
        obj=case,
        step=Step.EXTEND_ASK,
        version=version,
        note=text,
        public=False,
        prepare=prepare,
        after=after,
    )
    return made[0]


def extension_decide(
    *,
    actor: Any,
    extension: Extension,
    approve: bool,
    note: str = "",
    version: int | None = None,
    case: Case | None = None,
) -> Extension:
    """审批延期 by the level above: approved moves the deadline on from the current one.

    `case` is the case the decider is looking at (the desk's page); it defaults to the extension's."""
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

    take_step(
        CASE_FLOW,
        actor=actor,
        obj=case or extension.case,
        step=Step.EXTEND_DECIDE,
        version=version,
        note=text,
        public=False,
        prepare=prepare,
    )
    return decided["ext"]
