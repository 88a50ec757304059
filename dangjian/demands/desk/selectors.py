"""The desk's reads that the page and the API share: the communities one may order for, the demand a
step is taken on, the steps a person is offered, the columns the desk list leaves out."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from dangjian.core.scoping import active_scope
from dangjian.territory.models import Area

from .. import selectors
from ..models import Demand
from ..permissions import home_community_id, is_desk
from ..workflow import BACKWARD_STEPS, DEMAND_FLOW, PAGE_STEPS

DESK_DEFERRED = ("description", "done_note", "community__boundary", "community__pinyin", "community__pinyin_full")


def communities_for(user: Any) -> list[Area]:
    if is_desk(user):
        path = active_scope(user).area_path or ""
        qs = Area.objects.filter(level="community").order_by("path")
        return list(qs if user.is_superuser else qs.filter(path__startswith=path)) if path or user.is_superuser else []
    home = home_community_id(user)
    return list(Area.objects.filter(pk=home)) if home else []


def find_for_step(user: Any, public_id: Any) -> Demand:
    """In scope, or a task of the user's (a unit contact's unit demand is also in scope)."""
    try:
        return selectors.get_demand_for_user(user, public_id)
    except Http404:
        task = selectors.task_for_user(user, public_id)
        if task is None:
            raise
        return task


def offered_steps(user: Any, demand: Demand, parties: set[str] | None = None) -> list[str]:
    """The page steps `user` may take on `demand`: those that move it on first (the first is the primary
    button), those that end it or hand it back last."""
    if parties is None:
        parties = DEMAND_FLOW.parties_for(user, demand)
    steps = sorted(DEMAND_FLOW.allowed_steps(demand.status, parties), key=lambda step: step in BACKWARD_STEPS)
    return [step for step in steps if step in PAGE_STEPS]
