"""The message of every workflow step that declares who is told (StepSpec / Move `notify`), written
in the step's transaction: core sends `step_taken`, this app listens (core imports no app)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.dispatch import receiver

from dangjian.core.workflow import Workflow, step_taken

from .services import notify


def tell(
    flow: Workflow,
    obj: Any,
    *,
    step: str,
    names: Iterable[str],
    actor: Any = None,
    note: str = "",
    event: str = "",
) -> int:
    """Tell the people `names` means for `obj` about `step` (also what the scans call): one message
    each, collapsed per (person, event, object), never to the actor."""
    title, body = flow.notice_text(obj, step, note)
    context = {"object": flow.describe(obj), "step": flow.step_label(step), "area_path": flow.area_path(obj)}
    told: set[int] = set()
    written = 0
    for name in names:
        # Someone two names mean is told once, with the link of the first name (their main part).
        ids = {int(getattr(r, "pk", r)) for r in flow.recipients(obj, name, actor) or () if r is not None} - told
        if not ids:
            continue
        told |= ids
        written += notify(
            recipients=sorted(ids),
            event=event or f"{flow.name}.{step}",
            title=title,
            body=body,
            url=flow.object_url(obj, name),
            object_key=flow.object_key(obj),
            actor=actor,
            context=context,
        )
    return written


@receiver(step_taken, dispatch_uid="notifications.step_taken")
def step_taken_notify(
    sender: Any, workflow: Workflow, actor: Any, obj: Any, step: str, from_status: str, note: str = "", **kwargs: Any
) -> None:
    names = workflow.notify_names(step, from_status)
    if names:
        tell(workflow, obj, step=step, names=names, actor=actor, note=note)
