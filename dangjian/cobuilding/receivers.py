"""Keep the matters' facts true when what they went to moves on: a step of a case, a demand or a unit task
re-records the matters that point at it (one indexed read), inside the step's transaction.

Every case and demand step of the district reaches this receiver, so it returns before any query unless the
object can concern a matter: a case filed by a liaison (channel 挂点收集) or marked by `matter_to_case`
(`Case.attributes[MATTER_KEY]`), a demand of the one kind `matter_to_demand` creates (public need)."""

from __future__ import annotations

from typing import Any

from dangjian.cases.models import Case, Channel
from dangjian.core.figures import facts
from dangjian.core.workflow import step_taken
from dangjian.demands.models import Demand, DemandKind

from .facts import MATTERS
from .models import MATTER_KEY, Matter, UnitTask


def may_concern_a_matter(sender: Any, obj: Any) -> bool:
    """Whether `obj` can be a matter's target, decided from the row in hand (no query)."""
    if sender is UnitTask:
        return True
    if sender is Case:
        return obj.channel == Channel.LIAISON or MATTER_KEY in (obj.attributes or {})
    if sender is Demand:
        return obj.kind == DemandKind.PUBLIC_NEED
    return False


def matters_follow_targets(sender: Any, obj: Any = None, **kwargs: Any) -> None:
    if obj is None or not may_concern_a_matter(sender, obj):
        return
    pks = list(Matter.objects.filter(target_id=obj.public_id).values_list("pk", flat=True))
    if pks:
        facts.record_rows(MATTERS, pks)


def connect() -> None:
    for model in (Case, Demand, UnitTask):
        step_taken.connect(matters_follow_targets, sender=model, dispatch_uid=f"cobuilding.matters.{model._meta.label}")
