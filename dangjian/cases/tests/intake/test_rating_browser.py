"""The resident rates their own closed case from the phone: that rating is the case's callback, and an
unsatisfied one (with a reason) sends the case back to be handled again. Phone and desktop width."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse

from dangjian.accounts.models import User
from dangjian.cases import services
from dangjian.cases.intake.services import case_submit
from dangjian.cases.models import Case, CaseStatus
from dangjian.demo.accounts import DEMO_PASSWORD
from dangjian.demo.cases import _point_in
from dangjian.territory.models import Area
from dangjian.units.models import Department

pytestmark = pytest.mark.browser


def closed_case_of_the_resident() -> Case:
    """A case jm_resident reported from her phone, handled by the city management bureau and closed."""
    people = {u.username: u for u in User.objects.filter(username__in=["jm_resident", "sq_worker", "bm_staff"])}
    lat, lng = _point_in(Area.objects.get(name="婆石社区第一网格"), random.Random(1))
    case = case_submit(
        actor=people["jm_resident"],
        channel="phone",
        category="street_light",
        description="楼下路灯坏了三晚，晚上回家很黑",
        lat=lat,
        lng=lng,
    )
    case = services.case_accept(actor=people["sq_worker"], case=case)
    bureau = Department.objects.get(name="香洲区城市管理和综合执法局")
    case = services.case_dispatch(actor=people["sq_worker"], case=case, kind="department", department=bureau)
    return services.case_close(actor=people["bm_staff"], case=case, result="已更换灯泡，路灯恢复照明")


def test_the_resident_rates_a_closed_case_from_the_phone(browser, demo):
    case = closed_case_of_the_resident()
    page = browser.sign_in("jm_resident", DEMO_PASSWORD)
    browser.go(reverse("cases:mine"))
    page.locator(f"[data-testid=my-cases] a[href$='{case.public_id}/']").click()
    page.wait_for_selector("[data-testid=rating-form]")
    assert "已更换灯泡" in page.inner_text("main")
    browser.assert_fits()
    browser.shot("case-rate")
    # Unsatisfied without a word: told what to write, nothing recorded.
    page.get_by_label("不满意", exact=True).check()
    page.click("[data-testid=rate-submit]")
    page.wait_for_selector("[data-testid=rating-form] .errorlist")
    assert "请写下您不满意的地方" in page.inner_text("[data-testid=rating-form]")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    browser.assert_fits()
    # With the reason: the callback is recorded and the case goes back to be handled again.
    page.fill("[data-testid=rating-form] textarea", "只亮了一晚，第二天又不亮了")
    page.click("[data-testid=rate-submit]")
    page.wait_for_selector("text=已收到您的意见，诉求将重新办理。")
    assert page.locator("[data-testid=rating-form]").count() == 0
    steps = page.inner_text("main")
    assert "重办" in steps and "只亮了一晚" in steps
    browser.assert_fits()
    browser.shot("case-rated")
    case.refresh_from_db()
    assert (case.status, case.rating, case.reopen_count) == (CaseStatus.ACCEPTED, "unsatisfied", 1)
