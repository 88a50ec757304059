"""`{% idempotency_field %}`: the hidden key of an idempotent write form (core.idempotency)."""

import uuid

from django import template
from django.utils.html import format_html

from ..idempotency import FIELD

register = template.Library()


@register.simple_tag
def idempotency_field() -> str:
    """A new key each time the form is rendered: a form shown again with errors gets a fresh one (the
    failed sending used none up), and a retry of the same page's sending carries the same one."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4())
