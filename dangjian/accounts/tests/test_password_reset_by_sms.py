"""找回密码 by SMS: mobile → code → a new password that passes Django's validators; audited; the
picture captcha appears on the page once requests pile up."""

import re

import pytest
from captcha.models import CaptchaStore
from django.urls import reverse

from dangjian.accounts.models import LoginFailure, PhoneCode
from dangjian.audit.models import Action, AuditEvent
from dangjian.conftest import make_user

from .phone_helpers import last_code

MOBILE = "13912345678"
NEW_PASSWORD = "Qingshan-2026!"


@pytest.fixture
def account(db):
    user = make_user("li", "resident")
    user.mobile = MOBILE
    user.save()
    return user


def page(response) -> str:
    return response.content.decode()


def verified(client, mobile=MOBILE):
    response = client.post(reverse("accounts:reset"), {"mobile": mobile})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:reset_verify")
    response = client.post(reverse("accounts:reset_verify"), {"code": last_code(mobile)})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:reset_password")


def test_the_sign_in_page_offers_sign_up_and_reset(client, db):
    html = page(client.get(reverse("accounts:login")))
    assert reverse("people:signup") in html and reverse("accounts:reset") in html


def test_a_person_resets_their_password_with_the_code(client, account, outbox):
    LoginFailure.objects.create(identifier="li", user=account)
    response = client.post(reverse("accounts:reset"), {"mobile": MOBILE})
    assert "验证码已发送至 139****5678，5 分钟内有效" in page(client.get(response["Location"]))
    client.post(reverse("accounts:reset_verify"), {"code": last_code(MOBILE)})
    weak = client.post(reverse("accounts:reset_password"), {"password": "12345678", "password2": "12345678"})
    assert weak.status_code == 200 and "密码" in page(weak) and "errorlist" in page(weak)
    done = client.post(reverse("accounts:reset_password"), {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:login")
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD) and not account.must_change_password
    assert not LoginFailure.objects.filter(user=account).exists()  # the lockout no longer holds
    event = AuditEvent.objects.get(action=Action.RESET_PASSWORD)
    assert event.actor == account and event.changes == {"via": "sms_code"}
    # The journey is over: its page sends the person back to the start, and the code is spent.
    again = client.get(reverse("accounts:reset_password"))
    assert again.status_code == 302 and again["Location"] == reverse("accounts:reset")
    assert PhoneCode.objects.get().redeemed_at is not None
    assert client.login(username=MOBILE, password=NEW_PASSWORD)


def test_a_wrong_code_says_so_and_keeps_the_person_on_the_step(client, account, outbox):
    client.post(reverse("accounts:reset"), {"mobile": MOBILE})
    wrong = "000000" if last_code(MOBILE) != "000000" else "111111"
    response = client.post(reverse("accounts:reset_verify"), {"code": wrong})
    assert response.status_code == 200 and "验证码不正确，还可再试 4 次。" in page(response)
    assert client.get(reverse("accounts:reset_password")).status_code == 302


def test_the_password_step_needs_a_verified_code(client, account, outbox):
    client.post(reverse("accounts:reset"), {"mobile": MOBILE})
    response = client.post(reverse("accounts:reset_password"), {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:reset")
    account.refresh_from_db()
    assert not account.check_password(NEW_PASSWORD)


def test_a_number_without_an_account_is_told_only_after_the_code(client, db, outbox):
    # The first step answers the same for any number, so it cannot be used to find accounts.
    response = client.post(reverse("accounts:reset"), {"mobile": "13700000000"})
    assert response.status_code == 302
    client.post(reverse("accounts:reset_verify"), {"code": last_code("13700000000")})
    response = client.get(reverse("accounts:reset_password"))
    assert "该手机号没有注册账号" in page(response) and 'name="password"' not in page(response)


def captcha_answer(html: str) -> dict:
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', html).group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def test_the_page_asks_for_a_captcha_from_the_fourth_request_of_an_address(client, db, outbox):
    for i in range(3):
        assert 'name="captcha_1"' not in page(client.get(reverse("accounts:reset")))
        client.post(reverse("accounts:reset"), {"mobile": f"1391234560{i}"})
    html = page(client.get(reverse("accounts:reset")))
    assert 'name="captcha_1"' in html and "图片验证码" in html
    missing = client.post(reverse("accounts:reset"), {"mobile": MOBILE})
    assert missing.status_code == 200 and "请输入图片中的字符。" in page(missing)
    wrong = client.post(reverse("accounts:reset"), {"mobile": MOBILE, **captcha_answer(html), "captcha_1": "zzzz"})
    assert "图片验证码不正确" in page(wrong)
    assert PhoneCode.objects.count() == 3
    answered = client.post(reverse("accounts:reset"), {"mobile": MOBILE, **captcha_answer(page(missing))})
    assert answered.status_code == 302 and PhoneCode.objects.filter(mobile=MOBILE).exists()


def test_the_page_asks_for_a_captcha_when_one_mobile_was_asked_for_three_times(client, db, outbox):
    for i in range(3):
        PhoneCode.objects.create(
            mobile=MOBILE, purpose="reset", code_hash="x", ip=f"10.0.0.{i}", minute=i,
            expires_at="2030-01-01T00:00:00Z",
        )  # fmt: skip
    html = page(client.get(reverse("accounts:reset")))
    assert 'name="captcha_1"' not in html  # the address is new: nothing to ask yet
    response = client.post(reverse("accounts:reset"), {"mobile": MOBILE})
    assert response.status_code == 200 and 'name="captcha_1"' in page(response)
    assert "请输入图片中的字符。" in page(response)
    assert PhoneCode.objects.count() == 3
