"""Reads and scoping of deliberation: everything through visible_to (404 for missing and out of scope)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from django.http import Http404

from dangjian.accounts.roles import active_assignment
from dangjian.meetings.models import Meeting
from dangjian.territory.models import Area, Level

from .models import (
    Council,
    Disclosure,
    DisclosureQuestion,
    LinkTarget,
    Matter,
    Representative,
    ResolutionLink,
    Run,
    RunMeeting,
    Topic,
)

COUNCIL_ORDER = ("area_path", "name", "id")
TOPIC_ORDER = ("-submitted_at", "-id")
RUN_ORDER = ("-started_at", "-id")
MATTER_ORDER = ("-id",)
REPRESENTATIVE_ORDER = ("council_id", "id")
BOARD_ORDER = ("-published_at", "-id")


def home_community(user: Any) -> Area | None:
    """Where a resident or member lives; a community worker's community; a grid worker's grid's community."""
    assignment = active_assignment(user)
    if assignment is None:
        return None
    if assignment.home_community_id:
        return assignment.home_community
    area = assignment.area
    if area is not None and area.level == Level.COMMUNITY:
        return area
    if area is not None and area.level == Level.GRID:
        parent = area.parent
        return parent if isinstance(parent, Area) else None
    return None


def councils(user: Any) -> QuerySet[Council]:
    return Council.objects.visible_to(user).select_related("community", "estate")


def council_get(user: Any, public_id: Any) -> Council:
    return Council.objects.select_related("community", "estate").get_for_user(user, public_id)


def council_meetings(council: Council) -> QuerySet[Meeting]:
    return Meeting.objects.filter(owner_key=f"deliberation.council:{council.pk}").order_by("-starts_at", "-pk")


def topics(user: Any) -> QuerySet[Topic]:
    return Topic.objects.visible_to(user).select_related("community", "council")


def topic_get(user: Any, public_id: Any) -> Topic:
    return Topic.objects.select_related("community", "council", "agenda_item__meeting").get_for_user(user, public_id)


def runs(user: Any) -> QuerySet[Run]:
    return Run.objects.visible_to(user).select_related("community")


def matters_of(runs: QuerySet[Run]) -> QuerySet[Matter]:
    """The matters of the runs `runs` selects (a scoped, filtered runs queryset)."""
    return Matter.objects.filter(run__in=runs.values("pk")).select_related("run__community", "kind")


def matters_amount_fen(runs: QuerySet[Run]) -> int:
    """The matters' total amount of the runs `runs` selects, in fen (the figures store's unit)."""
    total = Matter.objects.filter(run__in=runs.values("pk")).aggregate(s=Sum("amount"))["s"]
    return int((total or 0) * 100)


def representatives(user: Any) -> QuerySet[Representative]:
    """The sitting representatives of the councils in scope."""
    return Representative.objects.filter(
        active=True, council__in=Council.objects.visible_to(user).values("pk")
    ).select_related("council__community", "estate")


def run_get(user: Any, public_id: Any) -> Run:
    return Run.objects.select_related("community").get_for_user(user, public_id)


def run_meetings(run: Run) -> list[RunMeeting]:
    return list(RunMeeting.objects.filter(run=run).select_related("meeting").order_by("pk"))


def community_by_code(code: str) -> Area:
    area = Area.objects.filter(level=Level.COMMUNITY, code=code).first() if code else None
    if area is None:
        raise Http404
    return area


def board(community: Area) -> QuerySet[Disclosure]:
    """The community's public board: every disclosure of its runs, newest first."""
    return Disclosure.objects.filter(run__community=community).select_related("run")


def disclosure_public(community: Area, public_id: Any) -> Disclosure:
    try:
        return Disclosure.objects.select_related("run").get(run__community=community, public_id=public_id)
    except (Disclosure.DoesNotExist, ValidationError, ValueError) as exc:  # missing, malformed, elsewhere: 404
        raise Http404 from exc


def questions_of(disclosures: list[Disclosure]) -> dict[int, list[DisclosureQuestion]]:
    out: dict[int, list[DisclosureQuestion]] = {d.pk: [] for d in disclosures}
    for q in DisclosureQuestion.objects.filter(disclosure__in=disclosures).order_by("asked_at", "pk"):
        out[q.disclosure_id].append(q)
    return out


def question_get(user: Any, pk: Any) -> DisclosureQuestion:
    try:
        question = DisclosureQuestion.objects.select_related("disclosure__run").get(pk=int(pk))
    except (DisclosureQuestion.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not Run.objects.visible_to(user).filter(pk=question.disclosure.run_id).exists():
        raise Http404
    return question


def origin_of(obj: Any) -> ResolutionLink | None:
    """The resolution a case, demand or project came from, with its run or topic (one query)."""
    kinds = {"cases.case": LinkTarget.CASE, "microprojects.project": LinkTarget.PROJECT}
    kind = kinds.get(obj._meta.label_lower, LinkTarget.DEMAND)
    return (
        ResolutionLink.objects.select_related("matter__run__community", "topic__community")
        .filter(target_kind=kind, target_id=obj.public_id)
        .first()
    )


def matter_get(run: Run, pk: Any) -> Matter:
    try:
        return Matter.objects.get(run=run, pk=int(pk))
    except (Matter.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def links_of(run: Run | None = None, topic: Topic | None = None) -> dict[tuple[int, str], ResolutionLink]:
    """(matter or topic pk, target kind) → link, for the buttons of one page (one query)."""
    if run is not None:
        rows = ResolutionLink.objects.filter(matter__run=run)
        return {(r.matter_id, r.target_kind): r for r in rows}
    return {(r.topic_id, r.target_kind): r for r in ResolutionLink.objects.filter(topic=topic)}
