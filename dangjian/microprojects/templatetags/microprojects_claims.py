"""`{% project_claims member=… %}` / `{% project_claims unit=… %}`: the 民生微实事 claims on a member's
or a resident unit's page (their service record of 双认领; people and units load this tag and know
nothing else of 民生微实事)."""

from __future__ import annotations

from typing import Any

from django import template

from .. import selectors

register = template.Library()
SHOWN = 10


@register.inclusion_tag("microprojects/_claims_of.html")
def project_claims(member: Any = None, unit: Any = None) -> dict[str, Any]:
    if member is None and unit is None:
        return {"claims": []}
    qs = selectors.claims_by(member=member) if member is not None else selectors.claims_by(unit=unit)
    return {"claims": list(qs[:SHOWN])}
