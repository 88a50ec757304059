"""What the people services share: the "leave as it is" marker, masking personal data in audit rows,
and whether the acting user may see an object."""

from __future__ import annotations

from typing import Any

# Marks a keyword argument of an update service that the caller leaves as it is.
UNCHANGED: Any = object()
PERSONAL_FIELDS = {"id_number", "mobile"}


def masked_changes(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Record that personal data changed, never the values."""
    return {
        k: (["***" if v[0] else "", "***" if v[1] else ""] if k in PERSONAL_FIELDS else v) for k, v in changes.items()
    }


def visible_to_actor(actor: Any, model: Any, obj: Any) -> bool:
    """Whether the acting user may see `obj` (the system, actor None, may see everything)."""
    if actor is None or obj is None:
        return True
    return model.objects.visible_to(actor).filter(pk=obj.pk).exists()
