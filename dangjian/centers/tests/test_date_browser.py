"""In a real browser, at phone and desktop width: the booking form opens with its date filled in (the
browser's date input takes only ISO values; the locale's 2026/12/07 left it blank)."""

import datetime

import pytest
from django.utils import timezone

from dangjian.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_the_booking_form_shows_its_initial_date(world, net, browser):
    page = browser.sign_in("jm", PASSWORD)
    browser.go(f"/centers/rooms/{net.meeting.public_id}/book/")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert page.locator("#id_date").get_attribute("type") == "date"
    assert page.locator("#id_date").input_value() == tomorrow.isoformat()
    day = tomorrow + datetime.timedelta(days=7)
    browser.go(f"/centers/rooms/{net.meeting.public_id}/book/?date={day.isoformat()}")
    assert page.locator("#id_date").input_value() == day.isoformat()
    browser.assert_fits()
    browser.shot("centers-book-initial-date")
