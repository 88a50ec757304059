"""SMS verification codes: hashed, five minutes, five tries, one a minute and five an hour per mobile,
a limit per address, and a picture captcha from the fourth request within an hour."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.crypto import salted_hmac

from dangjian.accounts.models import PhoneCode, PhoneCodePurpose
from dangjian.accounts.phone import codes
from dangjian.notifications import channels
from dangjian.notifications.channels import Backend, DeliveryError
from dangjian.notifications.channels.console import read_outbox

from .phone_helpers import last_code

SIGNUP = PhoneCodePurpose.SIGNUP
MOBILE = "13912345678"


def send(mobile=MOBILE, ip="10.0.0.1", **kw):
    return codes.code_send(mobile=mobile, purpose=SIGNUP, ip=ip, **kw)


def refusal(fn, **kw) -> str:
    with pytest.raises(ValidationError) as caught:
        fn(**kw)
    return " ".join(caught.value.messages)


def test_it_sends_a_six_digit_code_and_keeps_only_its_hash(db, outbox, clock):
    row = send()
    (message,) = read_outbox()
    code = message["params"]["code"]
    assert len(code) == 6 and code.isdigit()
    assert message["template"] == "verify_code" and message["address"] == MOBILE and code in message["text"]
    # A keyed hash of the code, never the code: the table alone does not give the code away.
    assert len(row.code_hash) == 64 and row.code_hash != code
    assert (
        row.code_hash
        == salted_hmac("dangjian.accounts.phone_code", f"{MOBILE}:signup:{code}", algorithm="sha256").hexdigest()
    )
    assert row.expires_at == clock.now + codes.timedelta(seconds=300)


def test_it_refuses_a_bad_number_saying_why(db, outbox, clock):
    assert "11 位" in refusal(send, mobile="1391234")
    assert not PhoneCode.objects.exists()


def test_a_code_works_until_the_end_of_its_five_minutes(db, outbox, clock):
    send()
    clock.advance(299)
    row = codes.code_verify(mobile=MOBILE, purpose=SIGNUP, code=last_code(MOBILE))
    assert row.verified_at == clock.now


def test_a_code_has_expired_after_five_minutes(db, outbox, clock):
    send()
    clock.advance(300)
    assert (
        refusal(codes.code_verify, mobile=MOBILE, purpose=SIGNUP, code=last_code(MOBILE))
        == "验证码已过期，请重新获取。"
    )


def test_five_wrong_tries_use_up_the_code(db, outbox, clock):
    send()
    code = last_code(MOBILE)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        assert (
            refusal(codes.code_verify, mobile=MOBILE, purpose=SIGNUP, code=wrong)
            == f"验证码不正确，还可再试 {left} 次。"
        )
    assert refusal(codes.code_verify, mobile=MOBILE, purpose=SIGNUP, code=wrong) == "验证码错误次数过多，请重新获取。"
    # The tries were kept although each check was refused; now even the right code is refused.
    assert PhoneCode.objects.get().tries == 5
    assert refusal(codes.code_verify, mobile=MOBILE, purpose=SIGNUP, code=code) == "验证码错误次数过多，请重新获取。"


def test_the_fourth_wrong_try_still_leaves_the_right_code_working(db, outbox, clock):
    send()
    wrong = "999999" if last_code(MOBILE) != "999999" else "000000"
    for _ in range(4):
        refusal(codes.code_verify, mobile=MOBILE, purpose=SIGNUP, code=wrong)
    assert codes.code_verify(mobile=MOBILE, purpose=SIGNUP, code=last_code(MOBILE)).verified_at


def test_a_code_is_for_its_purpose_only(db, outbox, clock):
    send()
    message = refusal(codes.code_verify, mobile=MOBILE, purpose=PhoneCodePurpose.RESET, code=last_code(MOBILE))
    assert message == "请先获取验证码。"


def test_one_code_a_minute_per_mobile(db, outbox, clock):
    send()
    clock.advance(59)
    assert refusal(send) == "验证码已发送，请 1 秒后再重新获取。"
    clock.advance(1)
    send()
    assert PhoneCode.objects.count() == 2


def test_five_codes_an_hour_per_mobile(db, outbox, clock):
    for i in range(5):
        send(ip=f"10.0.0.{i}", captcha_passed=True)
        clock.advance(60)
    assert refusal(send, captcha_passed=True) == "该手机号一小时内获取验证码已达 5 次，请 55 分钟后再试。"
    clock.advance(3600 - 5 * 60 - 1)  # a second before the first code is an hour old
    assert refusal(send, captcha_passed=True).startswith("该手机号一小时内")
    clock.advance(1)
    send(captcha_passed=True)


def test_the_captcha_is_needed_from_the_fourth_request_of_an_address(db, outbox, clock):
    for i in range(3):
        assert not codes.captcha_required(mobile=None, ip="10.9.9.9")
        send(mobile=f"1391234560{i}", ip="10.9.9.9")
    assert codes.captcha_required(mobile=None, ip="10.9.9.9")
    assert not codes.captcha_required(mobile=None, ip="10.9.9.8")
    assert refusal(send, mobile="13912345609", ip="10.9.9.9") == "获取验证码次数较多，请先输入图片中的字符。"
    send(mobile="13912345609", ip="10.9.9.9", captcha_passed=True)
    clock.advance(3601)  # an hour after the first three, no captcha again
    assert not codes.captcha_required(mobile=None, ip="10.9.9.9")


def test_the_captcha_is_needed_from_the_fourth_request_for_a_mobile(db, outbox, clock):
    for i in range(3):
        assert not codes.captcha_required(mobile=MOBILE, ip=f"10.1.1.{i}")
        send(ip=f"10.1.1.{i}")
        clock.advance(60)
    assert codes.captcha_required(mobile=MOBILE, ip="10.1.1.200")
    assert refusal(send, ip="10.1.1.200") == "获取验证码次数较多，请先输入图片中的字符。"
    assert not codes.captcha_required(mobile="13912345600", ip="10.1.1.200")


def test_an_address_has_its_own_hourly_limit(db, outbox, clock, settings):
    settings.PHONE_CODE_IP_PER_HOUR = 4
    for i in range(4):
        send(mobile=f"1391234561{i}", captcha_passed=True)
    assert refusal(send, mobile="13912345619", captcha_passed=True) == "此网络获取验证码过于频繁，请一小时后再试。"
    send(mobile="13912345619", ip="10.0.0.2")


def test_two_requests_in_the_same_minute_send_one_code(db, outbox, clock):
    # The row a racing request wrote a moment ago (its created_at is older than the gap check
    # looks, as when two requests pass the check together): the unique minute refuses the second.
    PhoneCode.objects.create(
        mobile=MOBILE, purpose=SIGNUP, code_hash="x", created_at=clock.now - codes.timedelta(seconds=61),
        minute=int(clock.now.timestamp() // 60), expires_at=clock.now,
    )  # fmt: skip
    assert refusal(send) == "验证码已发送，请稍后再重新获取。"
    assert read_outbox() == []
    with pytest.raises(IntegrityError):
        PhoneCode.objects.create(
            mobile=MOBILE, purpose=SIGNUP, code_hash="y", minute=int(clock.now.timestamp() // 60), expires_at=clock.now
        )


class RefusingSms(Backend):
    channel = "sms"

    def send(self, **kwargs):
        raise DeliveryError("InternalError.Timeout", retryable=True)


def test_a_code_the_provider_refused_is_not_kept_and_does_not_count(db, outbox, clock, settings):
    settings.NOTIFY_BACKENDS = {"sms": f"{__name__}.RefusingSms"}
    channels._backend.cache_clear()
    assert refusal(send) == "短信发送失败，请稍后再试。"
    assert not PhoneCode.objects.exists()


def test_a_verified_code_is_redeemed_once_and_goes_stale(db, outbox, clock):
    send()
    row = codes.code_verify(mobile=MOBILE, purpose=SIGNUP, code=last_code(MOBILE))
    assert codes.verified_code(code_id=row.pk, mobile=MOBILE, purpose=SIGNUP) == row
    assert codes.verified_code(code_id=row.pk, mobile="13900000000", purpose=SIGNUP) is None
    codes.code_redeem(code_id=row.pk, mobile=MOBILE, purpose=SIGNUP)
    assert (
        refusal(codes.code_redeem, code_id=row.pk, mobile=MOBILE, purpose=SIGNUP)
        == "手机验证已失效，请重新获取验证码。"
    )
    clock.advance(60)
    send(captcha_passed=True)
    fresh = codes.code_verify(mobile=MOBILE, purpose=SIGNUP, code=last_code(MOBILE))
    clock.advance(30 * 60 + 1)
    assert codes.verified_code(code_id=fresh.pk, mobile=MOBILE, purpose=SIGNUP) is None
    assert refusal(codes.code_redeem, code_id=fresh.pk, mobile=MOBILE, purpose=SIGNUP).startswith("手机验证已失效")


def test_old_codes_are_purged(db, outbox, clock):
    send()
    clock.advance(86401)
    send(mobile="13912340000")
    assert codes.purge_old_codes() == 1
    assert list(PhoneCode.objects.values_list("mobile", flat=True)) == ["13912340000"]
