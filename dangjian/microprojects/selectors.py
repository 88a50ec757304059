"""Reads and scoping of 民生微实事: everything through visible_to (404 for missing and out of scope)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, Sum
from django.http import Http404

from dangjian.core.money import fen
from dangjian.meetings.models import Meeting
from dangjian.territory.models import Area, Level

from .models import (
    CLAIM_STATUSES,
    PUBLIC_STATUSES,
    Claim,
    NoteKind,
    Project,
    ProjectPhoto,
    ReviewMeeting,
    SatisfactionVote,
)
from .services.projects import _home_community_id

PROJECT_ORDER = ("-proposed_at", "-id")


def paid_fen(projects: QuerySet) -> int:
    """What `projects` actually paid, in fen (the figures store's amount of microprojects.projects:
    amount_paid is kept to the fen, so the sum is exact)."""
    return fen(projects.order_by().aggregate(s=Sum("amount_paid"))["s"])


CLAIM_ORDER = ("-created_at", "-id")


def projects(user: Any) -> QuerySet[Project]:
    return Project.objects.visible_to(user).select_related("community")


def project_get(user: Any, public_id: Any) -> Project:
    return Project.objects.select_related("community", "implementer_unit").get_for_user(user, public_id)


def community_of(user: Any) -> Area | None:
    pk = _home_community_id(user)
    return Area.objects.filter(pk=pk).first() if pk else None


def claim_board(community: Area) -> QuerySet[Project]:
    """The projects of a community open to 双认领 (one index walk: community, status, proposed_at)."""
    return Project.objects.filter(community=community, status__in=CLAIM_STATUSES).select_related("community")


def claimable_get(user: Any, public_id: Any) -> Project:
    """A project open to claims in the claimant's community (404 otherwise)."""
    community = community_of(user)
    if community is None:
        raise Http404
    try:
        return claim_board(community).get(public_id=public_id)
    except (Project.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def votable_get(user: Any, public_id: Any) -> Project:
    """A project of the voter's community (404 otherwise)."""
    community = community_of(user)
    if community is None:
        raise Http404
    try:
        return Project.objects.select_related("community").get(community=community, public_id=public_id)
    except (Project.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def claims_of(project: Project) -> list[Claim]:
    return list(project.claims.select_related("unit", "member").order_by("created_at", "pk"))


def claims_by(*, user: Any = None, unit: Any = None, member: Any = None) -> QuerySet[Claim]:
    """One claimant's claims (their service record on 民生微实事), newest first."""
    qs = Claim.objects.select_related("project__community")
    if unit is not None:
        return qs.filter(unit=unit)
    if member is not None:
        return qs.filter(member=member)
    return qs.filter(claimant=user)


def review_meetings(project: Project) -> list[ReviewMeeting]:
    return list(ReviewMeeting.objects.filter(project=project).select_related("meeting", "council").order_by("pk"))


def notes(project: Project) -> list[Any]:
    rows = list(project.notes.all())
    photos: dict[int, list[ProjectPhoto]] = {}
    for p in ProjectPhoto.objects.filter(note__in=rows).order_by("pk"):
        photos.setdefault(p.note_id, []).append(p)
    return [(n, photos.get(n.pk, [])) for n in rows]


def my_vote(user: Any, project: Project) -> SatisfactionVote | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return SatisfactionVote.objects.filter(project=project, voter=user).first()


def community_by_code(code: str) -> Area:
    area = Area.objects.filter(code=code, level=Level.COMMUNITY).first()
    if area is None:
        raise Http404
    return area


def board(community: Area) -> QuerySet[Project]:
    """What the public board shows of a community: projects from 待立项 on."""
    return Project.objects.filter(community=community, status__in=PUBLIC_STATUSES).select_related("implementer_unit")


def public_project(community: Area, public_id: Any) -> Project:
    try:
        return board(community).get(public_id=public_id)
    except (Project.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def public_photo(community: Area, project: Project, photo_id: Any) -> ProjectPhoto:
    try:
        return ProjectPhoto.objects.get(project=project, public_id=photo_id)
    except (ProjectPhoto.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def photo_get(user: Any, public_id: Any) -> ProjectPhoto:
    try:
        photo = ProjectPhoto.objects.select_related("project").get(public_id=public_id)
    except (ProjectPhoto.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    if not Project.objects.visible_to(user).filter(pk=photo.project_id).exists():
        raise Http404
    return photo


def acceptance_photos(project: Project) -> int:
    return ProjectPhoto.objects.filter(project=project, kind=NoteKind.ACCEPTANCE).count()


def review_meeting_of(meeting: Meeting) -> ReviewMeeting | None:
    return ReviewMeeting.objects.filter(meeting=meeting).select_related("project").first()
