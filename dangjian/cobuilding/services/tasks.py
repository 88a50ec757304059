"""The steps of a task handed to a member unit (workflow.py)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from dangjian.core.workflow import take_step

from ..models import UnitTask
from ..workflow import FLOW, Step


@transaction.atomic
def task_step(*, actor: Any, task: UnitTask, step: str, note: str = "", version: int | None = None) -> UnitTask:
    fields: dict[str, Any] = {}
    if step == Step.REPORT:
        fields["report"] = note.strip()
    if step in (Step.CONFIRM, Step.CANCEL):
        fields["finished_at"] = timezone.now()
    return take_step(FLOW, actor=actor, obj=task, step=step, version=version, note=note.strip()[:500], fields=fields)
