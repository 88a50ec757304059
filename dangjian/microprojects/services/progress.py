"""实施 and 验收: progress notes with photos, acceptance records, payments through the funds API,
and the residents' satisfaction votes (once per person, decided by the unique index)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from dangjian.audit.services import audit_record
from dangjian.core.photos import check_photos
from dangjian.core.scoping import acting_user, active_role

from .. import budget
from ..models import NoteKind, ProgressNote, Project, ProjectPhoto, SatisfactionVote, Status, Verdict
from ..permissions import VOTE_ROLES, require_manager
from ..workflow import PROJECT_FLOW
from .projects import _home_community_id, parse_amount, record_facts

NOTE_STATUSES = {NoteKind.PROGRESS: (Status.IMPLEMENTING,), NoteKind.ACCEPTANCE: (Status.ACCEPTING,)}
PAY_STATUSES = (Status.IMPLEMENTING, Status.ACCEPTING, Status.PUBLICIZING)


@transaction.atomic
def note_add(
    *,
    actor: Any,
    project: Project,
    text: str,
    photos: Iterable[Any] = (),
    percent: int | None = None,
    kind: str = NoteKind.PROGRESS,
) -> ProgressNote:
    """A progress note (实施中) or the acceptance record (验收中), each with its photos."""
    files = check_photos(photos)
    locked = Project.objects.select_for_update().get(pk=project.pk)
    require_manager(actor, locked.area_path, _("记录项目进展"))
    if locked.status not in NOTE_STATUSES[NoteKind(kind)]:
        raise ValidationError(
            _("「%(p)s」当前为「%(s)s」，不能登记%(k)s。")
            % {"p": locked.title, "s": locked.get_status_display(), "k": NoteKind(kind).label}
        )
    if not (text or "").strip():
        raise ValidationError({"text": _("请填写进展情况。")})
    if kind == NoteKind.ACCEPTANCE and not files:
        raise ValidationError({"photos": _("验收记录须附现场照片。")})
    if percent is not None and not 0 <= percent <= 100:
        raise ValidationError({"percent": _("完成进度为 0 到 100。")})
    user = acting_user(actor)
    note = ProgressNote.objects.create(
        project=locked,
        kind=kind,
        text=text.strip()[:2000],
        percent=percent,
        author=user,
        author_name=(getattr(user, "full_name", "") or getattr(user, "username", ""))[:50],
    )
    for f in files:
        ProjectPhoto.objects.create(project=locked, note=note, kind=kind, file=f.as_file())
    Project.objects.filter(pk=locked.pk).update(notes_count=F("notes_count") + 1)
    PROJECT_FLOW.log(
        locked, actor=actor, step="progress", from_status=locked.status, to_status=locked.status, note=text[:200]
    )
    return note


@transaction.atomic
def payment_record(
    *, actor: Any, project: Project, amount: Any, payee: str, memo: str, key: str, voucher: Any = None
) -> Project:
    """A payment to the implementer against the project's commitment (the funds ledger refuses more
    than is committed and unpaid); `key` makes a retry pay once."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    require_manager(actor, locked.area_path, _("登记项目支付"))
    if locked.status not in PAY_STATUSES:
        raise ValidationError(
            _("「%(p)s」当前为「%(s)s」，不能支付。") % {"p": locked.title, "s": locked.get_status_display()}
        )
    if budget.paid_with(key):  # a retry of a payment already made: nothing more to write
        return locked
    value = parse_amount(amount, "amount")
    assert value is not None
    if value <= 0:
        raise ValidationError({"amount": _("支付金额须大于 0。")})
    if value > locked.budget_committed - locked.amount_paid:
        raise ValidationError(
            {
                "amount": _("支付 %(a)s 元超过了未支付的立项资金 %(r)s 元。")
                % {"a": value, "r": locked.budget_committed - locked.amount_paid}
            }
        )
    payee = (payee or locked.implementer).strip()
    if not payee:
        raise ValidationError({"payee": _("请填写收款单位。")})
    before = budget.summary(locked).spent
    budget.pay(
        actor=actor,
        project=locked,
        amount=value,
        payee=payee,
        memo=memo or _("民生微实事支付：%(t)s") % {"t": locked.title},
        key=key,
        voucher=voucher,
    )
    paid = Decimal(budget.summary(locked).spent)
    if paid == before:  # a retry of a payment already made: nothing more to record
        return locked
    Project.objects.filter(pk=locked.pk).update(amount_paid=paid)
    locked.refresh_from_db()
    PROJECT_FLOW.log(
        locked,
        actor=actor,
        step="payment",
        from_status=locked.status,
        to_status=locked.status,
        note=_("支付 %(a)s 元给 %(p)s") % {"a": value, "p": payee},
    )
    audit_record(
        actor=acting_user(actor),
        action="update",
        obj=locked,
        changes={"amount_paid": [str(before), str(paid)]},
        area_path=locked.area_path,
    )
    record_facts(locked)
    return locked


def may_vote(actor: Any, project: Project) -> bool:
    return actor is not None and active_role(actor) in VOTE_ROLES and _home_community_id(actor) == project.community_id


@transaction.atomic
def vote_cast(*, actor: Any, project: Project, verdict: str, comment: str = "") -> SatisfactionVote:
    """A resident's satisfaction at acceptance, once per person (a racing second is refused)."""
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": _("请选择满意、基本满意或不满意。")})
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.status != Status.ACCEPTING:
        raise ValidationError(_("「%(p)s」不在验收阶段，现在不能评价。") % {"p": locked.title})
    if not may_vote(actor, locked):
        raise ValidationError(_("只有本社区的居民和党员可以评价本社区的项目。"))
    try:
        with transaction.atomic():
            vote = SatisfactionVote.objects.create(
                project=locked, voter=actor, verdict=verdict, comment=(comment or "").strip()[:300]
            )
    except IntegrityError as exc:
        raise ValidationError(_("您已评价过「%(p)s」，每人只能评价一次。") % {"p": locked.title}) from exc
    Project.objects.filter(pk=locked.pk).update(
        votes_count=F("votes_count") + 1,
        satisfied_count=F("satisfied_count") + int(verdict != Verdict.UNSATISFIED),
    )
    record_facts(locked)
    return vote
