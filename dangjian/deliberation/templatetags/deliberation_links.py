"""`{% resolution_origin obj %}`: the line a case or demand page shows when a deliberation resolution
created it (the cases and demands apps load this tag; they know nothing else of deliberation)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from dangjian.meetings.permissions import manages_area

from .. import selectors

register = template.Library()


@register.inclusion_tag("deliberation/_origin.html", takes_context=True)
def resolution_origin(context: dict[str, Any], obj: Any) -> dict[str, Any]:
    """The run (or topic) the case or demand came from: its page for a manager in scope, the
    community's public board for anyone else (a topic has no public page: its title only)."""
    link = selectors.origin_of(obj) if obj is not None else None
    if link is None:
        return {"origin": None}
    request = context.get("request")
    user = getattr(request, "user", None)
    internal = user is not None and user.is_authenticated and manages_area(user, link.area_path)
    if link.matter_id:
        run = link.matter.run
        title, url = f"{run.title} · {link.matter.title}", reverse("deliberation:run", args=[run.public_id])
        if not internal:
            code = run.community.code
            url = reverse("deliberation:board", args=[code]) if code else ""
    else:
        title = link.topic.title
        url = reverse("deliberation:topic", args=[link.topic.public_id]) if internal else ""
    return {"origin": {"title": title, "url": url}}
