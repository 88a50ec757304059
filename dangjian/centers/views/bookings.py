"""Pages of room bookings: book, my bookings, a booking and its steps, the approvals list."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles

from .. import selectors
from ..forms import BookingForm, NoteForm
from ..models import BookingStatus, Room
from ..permissions import BOOK_ROLES, MANAGE_ROLES, manages
from ..services import bookings
from ..workflow import FLOW, allowed_actions
from ..workflow import action as step_action
from .common import PAGE_SIZE, form_errors, nav_for

# -- bookings -----------------------------------------------------------------------------------


@require_roles(BOOK_ROLES)
@idempotent
def book(request, room_id):
    room = (
        Room.objects.visible_to(request.user)
        .select_related("center__area")
        .filter(is_active=True)
        .get_for_user(request.user, room_id)
    )
    center = room.center
    initial = {
        "date": request.GET.get("date") or timezone.localdate() + datetime.timedelta(days=1),
        "start": "09:00",
        "end": "10:00",
    }
    form = BookingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        start, end = form.times(timezone.get_current_timezone())
        try:
            booking = bookings.booking_create(
                actor=request.user,
                room=room,
                start=start,
                end=end,
                purpose=form.cleaned_data["purpose"],
                attendees=form.cleaned_data["attendees"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if booking.status == "pending":
                messages.success(request, _("预约已提交，等待服务中心审批。"))
            else:
                messages.success(request, _("预约成功。"))
            return redirect(booking.get_absolute_url())
    context = {
        "room": room,
        "center": center,
        "form": form,
        "hours": selectors.hours_table(center),
        "active_nav": nav_for(request.user),
    }
    return render(request, "centers/book.html", context)


@login_required
def my_bookings(request):
    mine = selectors.my_bookings(request.user)
    page = keyset_page(mine, selectors.MY_BOOKINGS_ORDER, **page_params(request), per_page=PAGE_SIZE)
    signups = list(selectors.my_signups(request.user)[:30])
    context = {
        "page": page,
        "signups": signups,
        "querystring": querystring_without_page(request),
        "active_nav": "bookings",
    }
    return render(request, "centers/my_bookings.html", context)


@login_required
def booking_detail(request, public_id):
    booking = selectors.booking_for(request.user, public_id)
    center = booking.room.center
    manager = manages(request.user, center)
    is_booker = booking.booked_by_id == request.user.pk
    actions = allowed_actions(booking, manager=manager, is_booker=is_booker)
    log = list(booking.log.select_related("actor"))
    labels = dict(BookingStatus.choices)
    for row in log:
        row.to_label = labels.get(row.to_status, row.to_status)
    context = {
        "booking": booking,
        "center": center,
        "manager": manager,
        "actions": actions,
        "log": log,
        "active_nav": "centers" if manager and not is_booker else "bookings",
    }
    return render(request, "centers/booking_detail.html", context)


@login_required
def booking_action(request, public_id, action):
    booking = selectors.booking_for(request.user, public_id)
    transition = step_action(action)
    if transition is None:
        raise Http404
    form = NoteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            bookings.booking_transition(
                actor=request.user, booking=booking, action=action, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, str(FLOW.steps[action].done_message) % {"a": transition.label})
            return redirect(booking.get_absolute_url())
    context = {"booking": booking, "transition": transition, "form": form, "active_nav": nav_for(request.user)}
    return render(request, "centers/booking_action.html", context)


@require_roles(MANAGE_ROLES)
def approvals(request):
    pending = selectors.pending_bookings(request.user)
    page = keyset_page(pending, selectors.PENDING_BOOKINGS_ORDER, **page_params(request), per_page=PAGE_SIZE)
    return render(
        request,
        "centers/approvals.html",
        {"page": page, "querystring": querystring_without_page(request), "active_nav": "centers"},
    )
