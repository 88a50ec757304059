"""Residents' questions on a public disclosure and the committee's answers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import audit_record
from dangjian.core.scoping import acting_user

from ..models import Disclosure, DisclosureQuestion
from ..permissions import require_manager


@transaction.atomic
def question_ask(*, actor: Any, disclosure: Disclosure, text: str) -> DisclosureQuestion:
    user = acting_user(actor)
    if user is None:
        raise ValidationError(_("请先登录再提问。"))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("请填写您的问题。")})
    if len(text) > 300:
        raise ValidationError({"text": _("问题不能超过 300 个字。")})
    return DisclosureQuestion.objects.create(disclosure=disclosure, asker=user, text=text)


@transaction.atomic
def question_answer(*, actor: Any, question: DisclosureQuestion, answer: str) -> DisclosureQuestion:
    question = DisclosureQuestion.objects.select_for_update().select_related("disclosure__run").get(pk=question.pk)
    run = question.disclosure.run
    require_manager(actor, run.area_path, _("答复居民提问"))
    if not answer.strip():
        raise ValidationError({"answer": _("请填写答复。")})
    if question.answered_at is not None:
        raise ValidationError(_("这个问题已经答复过了。"))
    question.answer, question.answered_by, question.answered_at = (
        answer.strip()[:500],
        acting_user(actor),
        timezone.now(),
    )
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    audit_record(
        actor=acting_user(actor),
        action="update",
        obj=run,
        changes={"answer": [None, question.answer[:100]]},
        area_path=run.area_path,
    )
    return question
