"""Every write of the notices: drafting, publishing (and the fan-out it starts), withdrawing, reading,
signing and reminding. Keyword-only; each one transaction.

The fan-out (fanout_batch) runs on the queue after publishing, one transaction per batch of
FANOUT_BATCH recipients: it moves the notice's cursor by a conditional update (a second run of the
same batch finds the cursor moved and writes nothing), writes the batch's receipts and tells each
recipient through the message centre in the same transaction. A run that dies loses at most its
uncommitted batch, which the sweep (fanouts_resume) queues again.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.core.figures import facts
from dangjian.core.workflow import TransitionRefused, take_step
from dangjian.duties.models import DownTask, TaskStatus
from dangjian.notifications.services import notify
from dangjian.territory.models import Area

from . import audience as audiences
from .attachments import check_attachments
from .facts import NOTICES
from .models import Audience, Notice, NoticeAttachment, NoticeReceipt, NoticeStatus, ReceiptState
from .permissions import issuing_area
from .workflow import CREATE, FLOW, Step

logger = logging.getLogger(__name__)

FANOUT_BATCH = 1000
REMIND_EVERY = datetime.timedelta(hours=1)
# A published fan-out untouched this long is taken for dead and queued again by the sweep.
FANOUT_STALE = datetime.timedelta(minutes=2)
EVENT_PUBLISH = "notices.notice.publish"
EVENT_REMIND = "notices.notice.remind"


def _check_fields(
    *,
    title: str,
    body: str,
    audience: str,
    audience_area: Area | None,
    issuer: Area,
    is_public: bool,
    receipt_deadline: datetime.datetime | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("请填写标题。")
    if not body.strip():
        errors["body"] = _("请填写正文。")
    if audience not in Audience.values:
        errors["audience"] = _("请选择接收范围。")
    elif audience == Audience.NONE and not is_public:
        errors["audience"] = _("不指定接收人的通知须向居民公开，否则没有人能看到它。")
    if audience_area is None or not audience_area.path.startswith(issuer.path):
        errors["audience_area"] = _("接收范围须在「%(a)s」之内。") % {"a": issuer.name}
    elif audience in audiences.SPECS and audience_area.level not in audiences.SPECS[audience].levels:
        errors["audience_area"] = _("请选择区、街道或社区作为接收范围。")
    if receipt_deadline is not None and receipt_deadline <= timezone.now():
        errors["receipt_deadline"] = _("签收截止时间须晚于现在。")
    return errors


@transaction.atomic
def notice_create(
    *,
    actor: Any,
    title: str,
    body: str,
    audience: str,
    audience_area: Area | None,
    is_public: bool = False,
    receipt_deadline: datetime.datetime | None = None,
    attachments: Iterable[Any] = (),
    carries_task: bool = False,
    task: DownTask | None = None,
    issuer: Area | None = None,
    issued_by: Any = None,
) -> Notice:
    """A draft notice of the node the actor's role issues for; the system (demo, bench: actor None)
    names the `issuer` node and the account `issued_by`."""
    if actor is not None:
        issuer, issued_by = issuing_area(actor), actor
    if issuer is None or issued_by is None:
        raise ValidationError(_("您当前的角色不能发布通知。"))
    errors = _check_fields(
        title=title,
        body=body,
        audience=audience,
        audience_area=audience_area,
        issuer=issuer,
        is_public=is_public,
        receipt_deadline=receipt_deadline,
    )
    checked = []
    try:
        checked = check_attachments(attachments)
    except ValidationError as exc:
        errors.update({k: "".join(v) for k, v in exc.message_dict.items()})
    if task is not None and not task.area_path.startswith(issuer.path):
        errors["task"] = _("所附任务须是「%(a)s」下派的任务。") % {"a": issuer.name}
    if errors:
        raise ValidationError(errors)
    assert audience_area is not None  # checked above
    notice = Notice.objects.create(
        area=issuer,
        area_path=issuer.path,
        issuer_name=issuer.name,
        issued_by=issued_by,
        title=title.strip(),
        body=body.strip(),
        audience=audience,
        audience_area=audience_area,
        is_public=is_public,
        receipt_deadline=receipt_deadline,
        carries_task=carries_task or task is not None,
        task=task,
    )
    for item in checked:
        NoticeAttachment.objects.create(
            notice=notice, file=item.as_file(), name=item.name, kind=item.kind, size=len(item.content)
        )
    FLOW.log(notice, actor=actor, step=CREATE, from_status="", to_status=notice.status)
    changes = {"title": [None, notice.title], "audience": [None, notice.get_audience_display()]}
    audit_record(actor=actor, action=Action.CREATE, obj=notice, area_path=notice.area_path, changes=changes)
    return notice


def task_refusal(notice: Notice) -> str | None:
    """Why a notice that sets communities work may not go out (社区工作事项准入), or None.

    Work reaches communities only as a task sent through duties, which refuses at sending whatever is
    neither an item of the community duty list in force nor admitted; a notice only announces it."""
    if notice.audience != Audience.COMMUNITY_WORKERS or not (notice.carries_task or notice.task_id):
        return None
    task = DownTask.objects.filter(pk=notice.task_id).first() if notice.task_id else None
    if task is None:
        return _(
            "本通知布置了需社区落实的工作，但没有关联已下派的任务。未经准入的事项不得下派到社区："
            "请在「清单与准入」中引用社区工作事项清单事项或提交准入申请，任务下派后再发布本通知。"
        )
    if task.status != TaskStatus.SENT:
        return _("所附任务「%(t)s」尚未下派（%(s)s），本通知不能发布。任务须引用现行清单事项或经准入后下派。") % {
            "t": task.title,
            "s": task.get_status_display(),
        }
    return None


@transaction.atomic
def notice_publish(*, actor: Any, notice: Notice) -> Notice:
    """Publish a draft: the audience is counted, and the fan-out is queued once this commits."""
    now = timezone.now()

    def prepare(locked: Notice, parties: set[str]) -> dict[str, Any]:
        if locked.receipt_deadline is not None and locked.receipt_deadline <= now:
            raise ValidationError({"receipt_deadline": _("签收截止时间已过，请修改后再发布。")})
        refusal = task_refusal(locked)
        if refusal:
            raise ValidationError({"task": refusal})
        return {"published_at": now, "fanout_total": audiences.count(locked.audience, locked.audience_area)}

    published = take_step(FLOW, actor=actor, obj=notice, step=Step.PUBLISH, prepare=prepare)
    enqueue_fanout(published.pk)
    return published


@transaction.atomic
def notice_withdraw(*, actor: Any, notice: Notice, note: str = "") -> Notice:
    """Withdraw a notice: recipients no longer see it nor sign it; the fan-out stops at its next batch."""
    return take_step(
        FLOW, actor=actor, obj=notice, step=Step.WITHDRAW, note=note, fields={"withdrawn_at": timezone.now()}
    )


def enqueue_fanout(notice_id: int) -> None:
    """Queue the fan-out once the current transaction commits. A queue that cannot take it costs
    nothing but time: the sweep finds the notice again."""

    def enqueue() -> None:
        from .tasks import notice_fanout

        try:
            notice_fanout(notice_id)
        except Exception:  # noqa: BLE001 - the notice is published; the sweep queues it again
            logger.exception("could not queue the fan-out of notice %s", notice_id)

    transaction.on_commit(enqueue)


def _message(notice: Notice, *, remind: bool) -> dict[str, Any]:
    title = _("【请签收】%(t)s") if remind else _("新通知：%(t)s")
    return {
        "title": title % {"t": notice.title},
        "body": _("%(i)s发布，请及时阅读并签收。") % {"i": notice.issuer_name},
        "url": reverse("notices:read", args=[notice.public_id]),
        "object_key": f"notice:{notice.public_id}",
        "context": {"issuer": notice.issuer_name, "area_path": notice.area_path},
    }


@transaction.atomic
def fanout_batch(notice_id: int, *, size: int = FANOUT_BATCH) -> int | None:
    """Deliver the next batch of one notice: the number of receipts written, or None when the fan-out
    is over (done, withdrawn, or nothing left, which marks it done)."""
    notice = Notice.objects.select_for_update().filter(pk=notice_id).first()
    if notice is None or notice.status != NoticeStatus.PUBLISHED or notice.fanout_done_at is not None:
        return None
    cursor = notice.fanout_cursor
    rows = audiences.batch(notice.audience, notice.audience_area, after=cursor, size=size)
    now = timezone.now()
    if not rows:
        Notice.objects.filter(pk=notice.pk, fanout_cursor=cursor).update(fanout_done_at=now, updated_at=now)
        return None
    known = set(
        NoticeReceipt.objects.filter(notice=notice, user_id__in=[uid for uid, _p in rows]).values_list(
            "user_id", flat=True
        )
    )
    new = [(uid, place) for uid, place in rows if uid not in known]
    # The cursor moves first and only from where this run read it: a second run of the same batch
    # (a re-queued task, the sweep) finds it moved, writes nothing and stops.
    moved = Notice.objects.filter(pk=notice.pk, fanout_cursor=cursor).update(
        fanout_cursor=rows[-1][0], recipient_count=F("recipient_count") + len(new), updated_at=now
    )
    if not moved:
        return 0
    NoticeReceipt.objects.bulk_create(
        [NoticeReceipt(notice=notice, user_id=uid, place=place[:150], delivered_at=now) for uid, place in new],
        batch_size=FANOUT_BATCH,
        ignore_conflicts=True,
    )
    if new:
        notify(
            recipients=[uid for uid, _p in new],
            event=EVENT_PUBLISH,
            actor=notice.issued_by,
            **_message(notice, remind=False),
        )
    notice.refresh_from_db()
    facts.record(NOTICES, notice)
    return len(new)


def fanout_run(notice_id: int, *, size: int = FANOUT_BATCH) -> int:
    """Deliver a notice to its whole audience, batch after batch; returns the receipts written."""
    written = 0
    while True:
        n = fanout_batch(notice_id, size=size)
        if n is None:
            return written
        written += n


def fanouts_resume(*, now: datetime.datetime | None = None) -> int:
    """The sweep: queue again every published fan-out not done and untouched for FANOUT_STALE."""
    now = now or timezone.now()
    stale = Notice.objects.filter(
        status=NoticeStatus.PUBLISHED, fanout_done_at__isnull=True, updated_at__lt=now - FANOUT_STALE
    ).values_list("pk", flat=True)
    from .tasks import notice_fanout

    count = 0
    for pk in stale.iterator():
        notice_fanout(pk)
        count += 1
    return count


def _receipt_of(actor: Any, notice: Notice) -> NoticeReceipt:
    receipt = NoticeReceipt.objects.filter(notice=notice, user_id=actor.pk).first() if actor else None
    if receipt is None:
        raise ValidationError(_("您不是该通知的接收人。"))
    return receipt


def _bump(notice: Notice, **counters: int) -> None:
    Notice.objects.filter(pk=notice.pk).update(**{k: F(k) + v for k, v in counters.items() if v})
    notice.refresh_from_db()
    facts.record(NOTICES, notice)


@transaction.atomic
def receipt_read(*, actor: Any, notice: Notice) -> NoticeReceipt:
    """The recipient opened the notice: read once (a conditional update; opening again changes nothing)."""
    receipt = _receipt_of(actor, notice)
    now = timezone.now()
    if NoticeReceipt.objects.filter(pk=receipt.pk, read_at__isnull=True).update(read_at=now, state=ReceiptState.READ):
        _bump(notice, read_count=1)
        receipt.refresh_from_db()
    return receipt


@transaction.atomic
def receipt_sign(*, actor: Any, notice: Notice) -> bool:
    """签收: True when this call signed it, False when it was signed already (two taps, a retry). A
    withdrawn notice cannot be signed."""
    if notice.status != NoticeStatus.PUBLISHED:
        raise TransitionRefused(_("该通知已撤回，无需签收。"))
    receipt = _receipt_of(actor, notice)
    now = timezone.now()
    read_now = NoticeReceipt.objects.filter(pk=receipt.pk, read_at__isnull=True).update(
        read_at=now, state=ReceiptState.READ
    )
    signed = NoticeReceipt.objects.filter(pk=receipt.pk, signed_at__isnull=True).update(
        signed_at=now, state=ReceiptState.SIGNED
    )
    if read_now or signed:
        _bump(notice, read_count=read_now, signed_count=signed)
    return bool(signed)


@transaction.atomic
def notice_remind(*, actor: Any, notice: Notice) -> int:
    """一键提醒未签收: a message to every recipient who has not signed, at most once an hour per notice;
    returns how many were reminded."""
    if notice.status != NoticeStatus.PUBLISHED:
        raise TransitionRefused(_("只能提醒已发布通知的接收人。"))
    now = timezone.now()
    allowed = Q(reminded_at__isnull=True) | Q(reminded_at__lte=now - REMIND_EVERY)
    if not Notice.objects.filter(allowed, pk=notice.pk).update(reminded_at=now):
        notice.refresh_from_db()
        again = timezone.localtime(notice.reminded_at + REMIND_EVERY) if notice.reminded_at else now
        raise TransitionRefused(_("每小时最多提醒一次，请于 %(t)s 后再提醒。") % {"t": again.strftime("%H:%M")})
    unsigned = NoticeReceipt.objects.filter(notice=notice, signed_at__isnull=True)
    reminded = 0
    after = 0
    while True:
        page = unsigned.filter(user_id__gt=after).order_by("user_id").values_list("user_id", flat=True)
        ids = list(page[:FANOUT_BATCH])
        if not ids:
            break
        unsigned.filter(user_id__in=ids).update(reminded_at=now, reminder_count=F("reminder_count") + 1)
        notify(recipients=ids, event=EVENT_REMIND, actor=actor, **_message(notice, remind=True))
        reminded += len(ids)
        after = ids[-1]
    audit_record(
        actor=actor, action=Action.UPDATE, obj=notice, area_path=notice.area_path, changes={"remind": [None, reminded]}
    )
    return reminded
