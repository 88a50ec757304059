"""Pages of 应急动员: call-ups and the situation (callups), the commander's desk (command), the phone
side of those called (field)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
