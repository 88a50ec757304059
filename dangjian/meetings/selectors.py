"""Reads and scoping of meetings: the territory sees its area's meetings, a person those they are on."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from dangjian.core.scoping import acting_user

from .models import AgendaItem, Attendee, Meeting

MEETING_ORDER = ("-starts_at", "-id")


def meetings_visible(user: Any) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(user)


def meeting_get(user: Any, public_id: Any) -> Meeting:
    return Meeting.objects.select_related("area", "chair", "recorder").get_for_user(user, public_id)


def my_attendee(user: Any, meeting: Meeting) -> Attendee | None:
    user = acting_user(user)
    return Attendee.objects.filter(meeting=meeting, user=user).first() if user else None


def attend_get(user: Any, public_id: Any) -> tuple[Meeting, Attendee]:
    """A meeting the user is on the roster of (404 otherwise, as if it did not exist)."""
    try:
        attendee = Attendee.objects.select_related("meeting__area").get(
            meeting__public_id=public_id, user=acting_user(user)
        )
    except (Attendee.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc  # a malformed id is as unknown as a missing one
    return attendee.meeting, attendee


def item_get(meeting: Meeting, pk: Any) -> AgendaItem:
    try:
        return AgendaItem.objects.get(meeting=meeting, pk=int(pk))
    except (AgendaItem.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def attendee_get(meeting: Meeting, pk: Any) -> Attendee:
    try:
        return Attendee.objects.get(meeting=meeting, pk=int(pk))
    except (Attendee.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def roster(meeting: Meeting) -> list[Attendee]:
    return list(meeting.attendees.all())
