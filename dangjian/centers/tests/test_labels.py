"""Booking pages show every status by its Chinese label, never the stored value."""

from django.urls import reverse

from dangjian.centers.services import bookings

from .conftest import next_weekday
from .test_bookings import TUESDAY, book


def test_the_booking_history_shows_status_labels(world, net, login):
    u = world.users
    booking = book(u.unit_contact, net.hall, next_weekday(TUESDAY), 14, 30, 16, 0, attendees=40)
    bookings.booking_transition(actor=u.community_worker, booking=booking, action="approve")
    page = login(u.unit_contact).get(reverse("centers:booking_detail", args=[booking.public_id])).content.decode()
    history = page[page.index("流转记录") :]
    assert '<span data-testid="log-status">待审批</span>' in history
    assert '<span data-testid="log-status">已预约</span>' in history
    for raw in ("pending", "approved"):
        assert raw not in history
