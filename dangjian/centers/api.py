"""/api/v1/centers and /api/v1/bookings: service centres, their rooms, and room bookings as the pages
read and write them (book: the booking form and booking_create; a step: booking_transition)."""

from __future__ import annotations

import datetime
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Schema

from dangjian.core.api import (
    ERRORS,
    Page,
    StepOut,
    api_idempotent,
    created,
    form_values,
    keyset_body,
    ordering_of,
    require_role,
    step_answer,
    step_data,
    unknown_if_unset,
)
from dangjian.core.scoping import active_scope

from . import selectors
from .forms import BookingForm, NoteForm
from .models import Booking, CenterLevelOption, Room, ServiceCenter
from .permissions import BOOK_ROLES, MANAGE_ROLES, manages
from .services import bookings
from .workflow import FLOW, allowed_actions

router = Router(tags=["服务中心与预约"])

# ?ordering=: centres are few per scope (a page sorts them); bookings follow the booker's index.
CENTER_ORDERINGS = {"name": ("name", "pk"), "-floor_area": ("-floor_area", "pk")}
BOOKING_ORDERINGS = {"-start": selectors.MY_BOOKINGS_ORDER, "start": ("start", "pk")}


class RoomOut(Schema):
    id: UUID
    name: str
    capacity: int
    equipment: str
    requires_approval: bool
    is_active: bool


class CenterOut(Schema):
    id: UUID
    name: str
    level: str
    address: str
    lat: float
    lng: float
    area: str

    @staticmethod
    def of(center: ServiceCenter) -> CenterOut:
        return CenterOut(
            id=center.public_id,
            name=center.name,
            level=center.level,
            address=center.address,
            lat=center.lat,
            lng=center.lng,
            area=center.area.name,
        )


class CenterDetailOut(CenterOut):
    functions: list[str]
    rooms: list[RoomOut]


class CenterFilters(Schema):
    q: str = ""
    level: str = ""
    ordering: str = "name"
    cursor: str | None = None
    limit: int | None = None


@router.get("/centers", response={200: Page[CenterOut], **ERRORS}, summary="服务中心列表")
def center_list(request, filters: Query[CenterFilters]):
    user = request.user
    require_role(user, MANAGE_ROLES)
    _, ordering = ordering_of(filters.ordering, CENTER_ORDERINGS, "name")
    levels = dict(CenterLevelOption.for_district_path(active_scope(user).area_path).values_list("code", "name"))
    level = filters.level if filters.level in levels else ""
    unknown_if_unset({"level": filters.level}, {"level": level})
    centers = selectors.center_list(user, query=filters.q.strip(), level=level)
    return keyset_body(centers, ordering, cursor=filters.cursor, limit=filters.limit, item=CenterOut.of)


@router.get("/centers/{center_id}", response={200: CenterDetailOut, **ERRORS}, summary="一个服务中心及其功能室")
def center_detail(request, center_id: UUID):
    center = ServiceCenter.objects.select_related("area").get_for_user(request.user, center_id)
    rooms = center.rooms.all() if manages(request.user, center) else center.rooms.filter(is_active=True)
    return CenterDetailOut(
        **CenterOut.of(center).model_dump(),
        functions=selectors.function_labels(center.functions),
        rooms=[
            RoomOut(
                id=r.public_id,
                name=r.name,
                capacity=r.capacity,
                equipment=r.equipment,
                requires_approval=r.requires_approval,
                is_active=r.is_active,
            )
            for r in rooms.order_by("name", "pk")
        ],
    )


class BookingOut(Schema):
    id: UUID
    center: str
    room: str
    purpose: str
    attendees: int
    start: datetime.datetime
    end: datetime.datetime
    status: str
    status_label: str

    @staticmethod
    def of(booking: Booking) -> BookingOut:
        return BookingOut(
            id=booking.public_id,
            center=booking.room.center.name,
            room=booking.room.name,
            purpose=booking.purpose,
            attendees=booking.attendees,
            start=booking.start,
            end=booking.end,
            status=booking.status,
            status_label=str(FLOW.status_label(booking.status)),
        )


class BookingDetailOut(BookingOut):
    steps: list[str]


class BookingParams(Schema):
    ordering: str = "-start"
    cursor: str | None = None
    limit: int | None = None


@router.get("/bookings", response={200: Page[BookingOut], **ERRORS}, summary="我的预约")
def booking_list(request, params: Query[BookingParams]):
    _, ordering = ordering_of(params.ordering, BOOKING_ORDERINGS, "-start")
    mine = selectors.my_bookings(request.user)
    return keyset_body(mine, ordering, cursor=params.cursor, limit=params.limit, item=BookingOut.of)


def _booking_detail(user, booking: Booking) -> BookingDetailOut:  # noqa: ANN001 - a user
    manager = manages(user, booking.room.center)
    steps = allowed_actions(booking, manager=manager, is_booker=booking.booked_by_id == user.pk)
    return BookingDetailOut(**BookingOut.of(booking).model_dump(), steps=[a.action for a in steps])


@router.get("/bookings/{booking_id}", response={200: BookingDetailOut, **ERRORS}, summary="一条预约")
def booking_detail(request, booking_id: UUID):
    return _booking_detail(request.user, selectors.booking_for(request.user, booking_id))


class BookIn(Schema):
    date: datetime.date
    start: str  # "09:00", on the half hour
    end: str
    purpose: str
    attendees: int = 1


@router.post(
    "/rooms/{room_id}/bookings", response={201: BookingOut, **ERRORS}, summary="预约功能室；支持 Idempotency-Key"
)
@api_idempotent
def book(request, room_id: UUID, payload: BookIn):
    user = request.user
    require_role(user, BOOK_ROLES)
    room = (
        Room.objects.visible_to(user).select_related("center__area").filter(is_active=True).get_for_user(user, room_id)
    )
    form = BookingForm(step_data(payload.model_dump()))
    form_values(form)
    start, end = form.times(timezone.get_current_timezone())
    booking = bookings.booking_create(
        actor=user,
        room=room,
        start=start,
        end=end,
        purpose=form.cleaned_data["purpose"],
        attendees=form.cleaned_data["attendees"],
    )
    return created(BookingOut.of(Booking.objects.select_related("room__center").get(pk=booking.pk)))


class BookingStepIn(Schema):
    note: str = ""


@router.post(
    "/bookings/{booking_id}/steps/{step}", response={200: StepOut, **ERRORS}, summary="预约的一步（审批、取消…）"
)
def booking_step(request, booking_id: UUID, step: str, payload: BookingStepIn):
    if step not in FLOW.steps:
        raise Http404
    booking = selectors.booking_for(request.user, booking_id)
    form = NoteForm(step_data(payload.model_dump()))
    note = form_values(form)["note"]
    booking = bookings.booking_transition(actor=request.user, booking=booking, action=step, note=note)
    return step_answer(FLOW, step, booking)
