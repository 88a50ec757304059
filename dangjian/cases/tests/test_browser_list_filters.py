"""In a real browser: the lists the cockpit's case, whistle, demand and project figures link to, opened
from such a link (their 更多条件 open, the count and any total printed), fit the phone and the desktop."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.cases.models import CaseStatus, Rating, Whistle
from dangjian.conftest import PASSWORD
from dangjian.demo.bulk_cases import make_case
from dangjian.demo.bulk_demands import generate_demands

pytestmark = pytest.mark.browser

HOUR = datetime.timedelta(hours=1)


def test_the_linked_lists_fit_phone_and_desktop(world, new_browser):
    u, now = world.users, timezone.now()
    for k in range(3):
        case = make_case(
            area=world.g1a,
            received_at=now - 3 * HOUR,
            status=CaseStatus.CLOSED,
            closed_at=now - HOUR,
            deadline=now,
            rating=Rating.SATISFIED,
            description=f"路灯不亮第{k}处，晚上行人看不清路面",
        )
        Whistle.objects.create(case=case, blown_by=u.community_worker, report_by=now + HOUR, reason="请到场")
    generate_demands(12, root=world.c1, seed=3, progress=False)
    today = timezone.localdate()
    days = f"date_from={today.replace(month=1, day=1).isoformat()}&date_to={today.isoformat()}"
    area = f"area={world.c1.public_id}&{days}"
    pages = {
        "cases-list-figure-filters": f"{reverse('cases:list')}?{area}&unmerged=on&closed=on&on_time=on",
        "cases-whistles-figure-filters": f"{reverse('cases:whistle_board')}?state=all&{area}&solved=on",
        "demands-desk-hours-total": f"{reverse('demands:desk')}?tab=all&{area}&unwithdrawn=on&served=on",
        "microprojects-list-paid-total": f"{reverse('microprojects:list')}?{area}&unwithdrawn=on",
    }
    for width in ("phone", "desktop"):
        browser = new_browser(width)
        browser.sign_in(u.community_worker.username, PASSWORD)
        for name, path in pages.items():
            browser.go(path)
            browser.page.wait_for_load_state("networkidle")
            assert browser.page.locator("[data-testid=list-total]").count() == 1, name
            browser.assert_fits()
            browser.shot(name)
