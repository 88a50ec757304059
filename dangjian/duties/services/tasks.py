"""Tasks sent down to communities (任务下派) and the communities' replies.

A task must cite a 社区工作事项清单 entry in force that communities may be responsible for, or an admitted
admission request; otherwise sending is refused with the reason and the refused attempt is kept
(`SendRefusal`, written in its own transaction so the refusal the sender sees is on record)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.figures import facts
from dangjian.core.scoping import acting_user
from dangjian.core.tree import STEP
from dangjian.core.workflow import TransitionRefused, take_step
from dangjian.notifications.services import notify
from dangjian.territory.models import Area, Level

from ..models import (
    AdmissionRequest,
    AdmissionStatus,
    DownTask,
    DutyListEntry,
    FieldKind,
    ListKind,
    RefusalReason,
    ReplyLog,
    ReplyStatus,
    SendRefusal,
    TaskField,
    TaskReply,
    VersionStatus,
)
from ..workflow import CREATE, REPLY_FLOW, TASK_FLOW, ReplyStep, TaskStep
from .admission import applicant_of

UNADMITTED = gettext_lazy("该事项未列入社区工作事项清单，也未经准入审批，不得下派到社区。请先提交准入申请。")


@transaction.atomic
def task_create(
    *,
    actor: Any,
    title: str,
    body: str,
    deadline: datetime.date,
    communities: list[Area],
    entry: DutyListEntry | None = None,
    admission: AdmissionRequest | None = None,
    fields: list[dict[str, Any]] | None = None,
    sender: Any = None,
) -> DownTask:
    """A draft task with its form; it reaches no community until it is sent."""
    department, office = applicant_of(actor, sender)
    node = department.area if department else office
    assert node is not None  # applicant_of names one of the two
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("请填写任务名称。")
    if deadline is None:
        errors["deadline"] = _("请填写填报截止日期。")
    elif deadline < timezone.localdate():
        errors["deadline"] = _("截止日期不能早于今天。")
    chosen = [c for c in communities if c.level == Level.COMMUNITY and c.path.startswith(node.path)]
    if not chosen or len(chosen) != len(communities):
        errors["communities"] = _("请选择本辖区内的社区。")
    if errors:
        raise ValidationError(errors)
    task = DownTask.objects.create(
        area_path=node.path,
        sender_department=department,
        sender_area=office,
        created_by=acting_user(actor),
        title=title.strip()[:200],
        body=(body or "").strip(),
        deadline=deadline,
        entry=entry,
        admission=admission,
    )
    task.communities.set(chosen)
    for i, spec in enumerate(fields or [], start=1):
        field_add(task=task, sort=i, **spec)
    TASK_FLOW.log(task, actor=actor, step=CREATE, from_status="", to_status=task.status)
    return task


@transaction.atomic
def task_cite(
    *, actor: Any, task: DownTask, entry: DutyListEntry | None = None, admission: AdmissionRequest | None = None
) -> DownTask:
    """What a draft task rests on: a community list entry, an admitted request (or, again, nothing)."""
    locked = DownTask.objects.select_for_update().get(pk=task.pk)
    TASK_FLOW.check(locked, actor=actor, step=TaskStep.SEND)  # the sender, while it is a draft
    locked.entry, locked.admission = entry, admission
    locked.save(update_fields=["entry", "admission"])
    TASK_FLOW.log(
        locked,
        actor=actor,
        step="cite",
        from_status=locked.status,
        to_status=locked.status,
        note=(admission.title if admission else (entry.name if entry else "")),
    )
    return locked


def field_add(
    *, task: DownTask, label: str, kind: str = FieldKind.TEXT, required: bool = True, choices: str = "", sort: int = 0
) -> TaskField:
    label = (label or "").strip()
    if not label:
        raise ValidationError({"fields": _("填报项须有名称。")})
    if kind not in FieldKind.values:
        raise ValidationError({"fields": _("填报项类型不正确。")})
    field = TaskField(
        task=task, label=label[:60], kind=kind, required=bool(required), choices=(choices or "")[:300], sort=sort
    )
    if kind == FieldKind.CHOICE and len(field.options) < 2:
        raise ValidationError({"fields": _("选项类填报项「%(l)s」至少需要两个选项（以、分隔）。") % {"l": label}})
    field.save()
    return field


def citation_refusal(
    task: DownTask, communities: list[Area] | None = None
) -> tuple[str, str, DutyListEntry | None] | None:
    """Why the task may not go down to communities (reason, message, entry), or None when it may."""
    district = task.area_path[:STEP]
    admission = task.admission
    if admission is not None and admission.status == AdmissionStatus.ADMITTED and admission.district.path == district:
        return None
    entry = task.entry
    if entry is None:
        return RefusalReason.UNADMITTED, str(UNADMITTED), None
    version = entry.list_version
    duty_list = version.duty_list
    if duty_list.kind != ListKind.COMMUNITY_WORK or not duty_list.area_path.startswith(district):
        return RefusalReason.UNADMITTED, str(UNADMITTED), entry
    if version.status != VersionStatus.IN_FORCE:
        return (
            RefusalReason.NOT_IN_FORCE,
            _(
                "「%(n)s」不在现行的社区工作事项清单中（第%(v)s版%(s)s），不得据此下派。请引用现行清单事项或提交准入申请。"
            )
            % {"n": entry.name, "v": version.number, "s": version.get_status_display()},
            entry,
        )
    if not duty_list.is_shared:
        paths = {c.path for c in (communities if communities is not None else task.communities.all())}
        if paths - {duty_list.area_path}:
            return RefusalReason.UNADMITTED, str(UNADMITTED), entry
    if not entry.community_may_be_responsible:
        return (
            RefusalReason.NOT_FOR_COMMUNITY,
            _("「%(n)s」属于%(k)s事项，社区不得作为责任主体，不得下派到社区。")
            % {"n": entry.name, "k": entry.kind.name},
            entry,
        )
    return None


def _record_refusal(actor: Any, task: DownTask, reason: str, message: str, entry: Any, communities: int) -> None:
    with transaction.atomic():
        refusal = SendRefusal.objects.create(
            task=task,
            area_path=task.area_path,
            actor=acting_user(actor),
            actor_label=TASK_FLOW.actor_label(actor),
            at=timezone.now(),
            reason=reason,
            message=message[:300],
            entry=entry,
            communities=communities,
        )
        from dangjian.audit.models import Action
        from dangjian.audit.services import audit_record

        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=task,
            area_path=task.area_path,
            changes={"refused": [None, refusal.get_reason_display()], "message": [None, message[:200]]},
        )


def task_send(*, actor: Any, task: DownTask, version: int | None = None, note: str = "") -> DownTask:
    """Send the task down: refused (and the attempt recorded) unless it cites an admitted item; else every
    chosen community gets a reply row in the step's transaction and its workers are told."""
    task = DownTask.objects.select_related("entry__kind", "entry__list_version__duty_list", "admission__district").get(
        pk=task.pk
    )  # as stored: what it cites now
    TASK_FLOW.check(task, actor=actor, step=TaskStep.SEND, version=version)  # state and sender first
    communities = list(task.communities.order_by("path"))
    refusal = citation_refusal(task, communities)
    if refusal is not None:
        reason, message, entry = refusal
        _record_refusal(actor, task, reason, message, entry, len(communities))
        raise TransitionRefused(message)
    return _send(actor, task, communities, version, note)


@transaction.atomic
def _send(actor: Any, task: DownTask, communities: list[Area], version: int | None, note: str) -> DownTask:
    def prepare(locked: DownTask, parties: set[str]) -> dict[str, Any]:
        # Read again under the lock: a list version superseded meanwhile refuses the send.
        again = citation_refusal(
            DownTask.objects.select_related("entry__list_version__duty_list", "admission").get(pk=locked.pk),
            communities,
        )
        if again is not None:
            raise TransitionRefused(again[1])
        if not communities:
            raise ValidationError(_("请选择下派的社区。"))
        return {"sent_at": timezone.now()}

    def after(locked: DownTask, from_status: str) -> None:
        made = TaskReply.objects.bulk_create(TaskReply(task=locked, community=c, area_path=c.path) for c in communities)
        now, label = timezone.now(), TASK_FLOW.actor_label(actor)
        ReplyLog.objects.bulk_create(
            ReplyLog(
                reply=r,
                at=now,
                actor=acting_user(actor),
                actor_label=label[:100],
                step=CREATE,
                from_status="",
                to_status=ReplyStatus.PENDING,
            )
            for r in made
        )
        from ..facts import REPLIES

        facts.record_rows(REPLIES, [r.pk for r in made])  # bulk_create sends no signals

    return take_step(
        TASK_FLOW, actor=actor, obj=task, step=TaskStep.SEND, version=version, note=note, prepare=prepare, after=after
    )


def task_close(*, actor: Any, task: DownTask, version: int | None = None, note: str = "") -> DownTask:
    return take_step(TASK_FLOW, actor=actor, obj=task, step=TaskStep.CLOSE, version=version, note=note)


@transaction.atomic
def task_remind(*, actor: Any, task: DownTask) -> int:
    """Tell the workers of every community that has not replied yet; returns how many communities."""
    task = DownTask.objects.select_for_update().get(pk=task.pk)
    TASK_FLOW.check(task, actor=actor, step=TaskStep.CLOSE)  # the sender, while the task is open
    from ..selectors import community_workers

    pending = list(task.replies.filter(status=ReplyStatus.PENDING).values_list("pk", "area_path"))
    if not pending:
        raise ValidationError(_("各社区均已填报，无需提醒。"))
    now = timezone.now()
    for pk, path in pending:
        notify(
            recipients=community_workers([path]),
            event="duties.remind",
            title=_("请尽快填报：%(t)s（截止 %(d)s）") % {"t": task.title, "d": task.deadline.isoformat()},
            url=reverse("duties:inbox"),
            object_key=f"duties.reply:{pk}",
            actor=actor,
            context={"area_path": path},
        )
    TaskReply.objects.filter(pk__in=[pk for pk, _p in pending]).update(reminded_at=now)
    TASK_FLOW.log(
        task,
        actor=actor,
        step="remind",
        from_status=task.status,
        to_status=task.status,
        note=_("提醒 %(n)s 个社区") % {"n": len(pending)},
    )
    return len(pending)


def values_clean(fields: list[TaskField], raw: dict[str, Any]) -> dict[str, Any]:
    """The reply's values by field label, each checked against its type; errors keyed by field name."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in fields:
        text = str(raw.get(field.name, "") or "").strip()
        if not text:
            if field.required:
                errors[field.name] = _("请填写「%(l)s」。") % {"l": field.label}
            continue
        if field.kind == FieldKind.NUMBER:
            try:
                number = Decimal(text.replace(",", ""))
            except InvalidOperation:
                errors[field.name] = _("「%(l)s」须填写数字。") % {"l": field.label}
                continue
            if not number.is_finite():
                errors[field.name] = _("「%(l)s」须填写数字。") % {"l": field.label}
                continue
            values[str(field.pk)] = str(number)
        elif field.kind == FieldKind.DATE:
            try:
                values[str(field.pk)] = datetime.date.fromisoformat(text).isoformat()
            except ValueError:
                errors[field.name] = _("「%(l)s」须填写日期（如 2026-12-31）。") % {"l": field.label}
        elif field.kind == FieldKind.CHOICE:
            if text not in field.options:
                errors[field.name] = _("「%(l)s」请从选项中选择。") % {"l": field.label}
                continue
            values[str(field.pk)] = text
        else:
            values[str(field.pk)] = text[:2000]
    if errors:
        raise ValidationError(errors)
    return values


def reply_submit(
    *, actor: Any, reply: TaskReply, values: dict[str, Any], version: int | None = None, note: str = ""
) -> TaskReply:
    """A community's reply (or its correction while the task is open), each value checked by its type."""
    clean = values_clean(list(reply.task.fields.all()), values)
    return take_step(
        REPLY_FLOW,
        actor=actor,
        obj=reply,
        step=ReplyStep.REPLY,
        version=version,
        note=note,
        fields={"values": clean, "replied_by": acting_user(actor), "replied_at": timezone.now()},
    )
