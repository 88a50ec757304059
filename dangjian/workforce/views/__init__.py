"""Pages of the workforce, by sub-domain. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError

NAV = "workforce"
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
