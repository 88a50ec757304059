"""Pages of duty lists, admission and tasks sent down. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError

NAV = "duties"
PAGE_SIZE = 20


def flash(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def form_errors(form, exc: ValidationError) -> None:
    """A service's errors on the form: keyed ones on their field where the form has it."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def done(request, flow: Any, step: str, obj: Any) -> None:
    messages.success(request, str(flow.steps[step].done_message) % {"obj": flow.describe(obj)})


def log_rows(flow: Any, qs: Any) -> list[Any]:
    """An object's log rows, each with its step's label (log-only steps too)."""
    rows = list(qs.order_by("at", "pk"))
    for row in rows:
        row.label = flow.step_label(row.step)
    return rows


def step_buttons(flow: Any, status: str, parties: set[str]) -> list[dict[str, Any]]:
    """The steps a person may take now, each with its label and question (for the templates)."""
    return [
        {
            "code": code,
            "label": flow.step_label(code),
            "question": flow.steps[code].question,
            "note_label": flow.steps[code].note_label,
            "note_required": flow.steps[code].note_required,
        }
        for code in flow.allowed_steps(status, parties)
    ]


def is_sender(request) -> bool:
    """Whether the active role sends tasks down (the tabs show 下派任务, else the community's 上级任务)."""
    from dangjian.core.scoping import scope_for

    from ..permissions import SENDER_ROLES

    scope = scope_for(request.user)
    return scope.everything or scope.role in SENDER_ROLES
