"""Every write of the cockpit: the district's targets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from dangjian.audit.models import Action
from dangjian.audit.services import audit_record

from .catalogue import BY_KEY
from .models import Target


@transaction.atomic
def targets_set(*, actor: Any, district: Any, values: dict[str, Decimal | None], year: int | None = None) -> int:
    """Set (a value), change or clear (None) the district's targets of the given figures, standing
    (`year` None) or for one year; one audit row names every change. Returns how many changed."""
    known = {
        t.figure: t for t in Target.objects.select_for_update().filter(district=district, year=year, figure__in=values)
    }
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if key not in BY_KEY:
            raise ValueError(f"unknown figure {key!r}")
        target = known.get(key)
        old = target.value if target is not None else None
        if value == old:
            continue
        if value is None:
            assert target is not None
            target.delete()
        elif target is None:
            Target.objects.create(district=district, figure=key, value=value, year=year, updated_by=actor)
        else:
            target.value, target.updated_by = value, actor
            target.save(update_fields=["value", "updated_by", "updated_at"])
        changes[key] = [None if old is None else str(old), None if value is None else str(value)]
    if changes:
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            object_type="cockpit.target",
            object_id=str(district.public_id),
            object_repr=f"{district.name} 驾驶舱目标值" + (f" {year}" if year else ""),
            changes=changes,
            area_path=district.path,
        )
    return len(changes)
