"""What other apps' writes change here, in their transaction: a demand raised on a visit is done (its
need is met), an attendance on a duty shift is verified or corrected (the person's hours)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from dangjian.core.workflow import step_taken
from dangjian.volunteering.models import Attendance


@receiver(step_taken)
def demand_step(sender: Any, workflow: Any, obj: Any, to_status: str, **kwargs: Any) -> None:
    if workflow.name != "demands.demand":
        return
    from .services import need_met

    need_met(demand_ids=[obj.pk], to_status=to_status)


@receiver(post_save, sender=Attendance)
def attendance_saved(sender: Any, instance: Attendance, **kwargs: Any) -> None:
    if instance.shift_signup_id is None:
        return
    from .services import call_hours_refresh

    shift_id = instance.shift_signup.shift_id if instance.shift_signup else None
    if shift_id is not None:
        call_hours_refresh(user_id=instance.user_id, shift_id=shift_id)
