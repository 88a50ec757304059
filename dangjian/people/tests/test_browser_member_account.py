"""Browser journey: a community worker gives a member an account, unlinks it, asks to link it back;
the member signs in with the temporary password, must change it, and accepts the link from 今日待办.
Phone and desktop."""

import pytest

from dangjian.accounts.models import User
from dangjian.audit.models import AuditEvent
from dangjian.demo.accounts import DEMO_PASSWORD
from dangjian.orgs.models import OrgType
from dangjian.people.models import Member

pytestmark = pytest.mark.browser


def test_a_worker_links_a_member_to_an_account_and_the_member_signs_in(browser, new_browser, people_demo):
    taken = User.objects.exclude(mobile=None).values("mobile")
    member = (
        Member.objects.filter(
            org__org_type=OrgType.ESTATE_BRANCH, org__area__name="婆石社区", status="in_service", user__isnull=True
        )
        .exclude(mobile="")
        .exclude(mobile__in=taken)
        .order_by("pk")
        .first()
    )
    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.go(f"/people/members/{member.public_id}/")
    assert "未关联" in page.locator("[data-testid=member-account]").inner_text()
    page.click("[data-testid=account-link]")
    page.wait_for_url(f"**/people/members/{member.public_id}/account/")
    form = page.locator("[data-testid=create-account]")
    # The member's own number is offered masked, never shown in full.
    assert member.masked_mobile in form.inner_text() and member.mobile not in page.content()
    form.locator("#id_username").fill("member_new01")
    browser.assert_fits()
    browser.shot("people-account-new")
    form.get_by_role("button", name="新建并关联").click()
    created = page.locator("[data-testid=account-created]")
    created.wait_for()
    temporary = page.locator("#temporary-password").inner_text().strip()
    assert len(temporary) == 12 and "member_new01" in created.inner_text()
    browser.assert_fits()
    browser.shot("people-account-created")

    # Unlink, after a confirmation.
    page.get_by_role("link", name="返回党员详情").click()
    assert "member_new01" in page.locator("[data-testid=member-account]").inner_text()
    page.click("[data-testid=account-link]")
    page.get_by_role("link", name="解除关联").click()
    page.locator("[data-testid=unlink-confirm]").wait_for()
    member.refresh_from_db()
    assert member.user is not None  # nothing happens before the confirmation
    browser.assert_fits()
    browser.shot("people-account-unlink-confirm")
    page.get_by_role("button", name="确认解除").click()
    page.wait_for_url(f"**/people/members/{member.public_id}/")
    assert "已解除" in page.locator(".messages").inner_text()

    # Link the same account back, found by its username.
    page.click("[data-testid=account-link]")
    page.get_by_role("searchbox", name="搜索账号").fill("member_new01")
    page.get_by_role("searchbox", name="搜索账号").press("Enter")
    candidates = page.locator("[data-testid=account-candidates]")
    candidates.wait_for()
    browser.assert_fits()
    browser.shot("people-account-search")
    candidates.get_by_role("button", name="请求关联").click()
    confirm = page.locator("[data-testid=account-confirm]")
    confirm.wait_for()
    assert f"确定请求将党员「{member.name}」关联到账号「member_new01」吗" in confirm.inner_text()
    browser.assert_fits()
    browser.shot("people-account-link-confirm")
    page.get_by_role("button", name="发出关联请求").click()
    pending = page.locator("[data-testid=pending-account]")
    pending.wait_for()
    assert "member_new01" in pending.inner_text() and "已向账号「member_new01」发出关联请求" in page.content()
    browser.assert_fits()
    browser.shot("people-account-link-pending")
    member.refresh_from_db()
    assert member.user is None and member.pending_user.username == "member_new01"  # asked, not linked

    # The member signs in with the temporary password, must change it first, then accepts the link.
    own_browser = new_browser(browser.width_name)
    own = own_browser.sign_in(member.mobile, temporary)
    assert own.url.endswith("/accounts/password/")
    own_browser.go("/")  # anything else leads back to the change page
    assert own.url.endswith("/accounts/password/")
    own_browser.assert_fits()
    own_browser.shot("people-account-first-sign-in")
    own.fill("#id_old_password", temporary)
    own.fill("#id_new_password", "Poshi-member-2026")
    own.fill("#id_new_password2", "Poshi-member-2026")
    own.get_by_role("button", name="保存新密码").click()
    own.wait_for_url(own_browser.base_url + "/")
    own.get_by_role("link", name="党员账号关联请求待您确认").click()
    request_card = own.locator("[data-testid=account-request]")
    request_card.wait_for()
    assert member.name in request_card.inner_text() and "婆石社区" in request_card.inner_text()
    own_browser.assert_fits()
    own_browser.shot("people-account-request")
    own.get_by_role("button", name="是本人，同意关联").click()
    own.locator("[data-testid=no-account-requests]").wait_for()
    assert f"您的账号已关联党员「{member.name}」" in own.locator(".messages").inner_text()
    own_browser.assert_fits()
    own_browser.shot("people-account-request-accepted")
    member.refresh_from_db()
    assert member.user.username == "member_new01" and member.pending_user is None
    assert AuditEvent.objects.filter(object_id=str(member.public_id), changes__has_key="user").count() == 3
