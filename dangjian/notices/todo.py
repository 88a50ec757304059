"""今日待办 of the notices: a recipient's notices still to sign, and an issuer's running fan-outs."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core.keyset import capped_count
from dangjian.core.scoping import active_role
from dangjian.core.todo import TodoItem, register

from . import selectors

COUNT_CAP = 99


@register(order=45)
def notice_todos(user: Any) -> list[TodoItem]:
    role = active_role(user)
    if not role or role in ("superuser", "resident"):
        return []
    waiting = capped_count(selectors.unsigned_receipts(user), COUNT_CAP)
    if not waiting:
        return []
    return [TodoItem(_("待签收的通知"), reverse("notices:mine"), waiting)]
