"""The audit rows of what other layers announce (core cannot import this app)."""

from __future__ import annotations

from typing import Any

from .services import Action, audit_record, diff


def record_step(sender: Any, *, workflow: Any, actor: Any, obj: Any, changes: dict[str, Any], **kwargs: Any) -> None:
    """Every workflow step (core.workflow.take_step) leaves one audit row, in the step's transaction."""
    audit_record(actor=actor, action=Action.UPDATE, obj=obj, changes=changes, area_path=workflow.area_path(obj))


def record_admin_write(
    sender: Any, *, actor: Any, obj: Any, action: str, before: dict, after: dict, area_path: str, **kwargs: Any
) -> None:
    """Every write through the scoped Django admin (core.admin.ScopedAdmin) leaves one audit row."""
    changes = None if action == Action.DELETE else diff(before, after)
    audit_record(actor=actor, action=Action(action), obj=obj, changes=changes, area_path=area_path)
