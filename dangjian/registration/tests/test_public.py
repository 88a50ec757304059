"""The public self-service pages behind a community's QR code: no account, matched by ID number AND name."""

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.registration import selectors, services
from dangjian.registration.models import PublicFormAttempt, Registration, RegistrationStatus

from .conftest import citizen_id, credit_code

NO_MATCH = "未找到您的党员信息，请联系所在党组织"


def member_url(link):
    return reverse("registration:public_member", args=[link.token])


def member_form(member, **extra):
    return {"name": member.name, "id_number": member.id_number, "mobile": "13912345678", **extra}


def test_a_member_registers_from_the_link_without_an_account(reg_world, client):
    link = reg_world.link1
    start = client.get(reverse("registration:public_start", args=[link.token]))
    assert start.status_code == 200 and "婆石社区" in start.content.decode()
    page = client.get(member_url(link)).content.decode()
    for option in ("政策宣讲", "文艺演出", "法律服务", "文明劝导", "爱心帮扶", "周末课堂", "医疗健康", "助老助残"):
        assert option in page
    response = client.post(member_url(link), member_form(reg_world.people.zhang, skills=["政策宣讲", "法律服务"]))
    assert response.status_code == 302
    reg = Registration.objects.get(member=reg_world.people.zhang)
    assert (reg.community, reg.status) == (reg_world.c1, RegistrationStatus.SUBMITTED)
    assert reg.skills == ["政策宣讲", "法律服务"]
    receipt = client.get(response["Location"]).content.decode()
    assert "已提交，等待社区确认" in receipt and "张*" in receipt and "婆石社区" in receipt
    assert reg_world.people.zhang.id_number not in receipt


def test_the_id_number_is_matched_together_with_the_name(reg_world, client):
    link, zhang = reg_world.link1, reg_world.people.zhang
    wrong_name = client.post(member_url(link), member_form(zhang, name="张三丰")).content.decode()
    unknown_id = client.post(member_url(link), member_form(zhang, id_number=citizen_id(999))).content.decode()
    # The same answer for "this ID belongs to someone else" and "no such ID": nothing is revealed.
    assert NO_MATCH in wrong_name and NO_MATCH in unknown_id
    assert "张三" not in wrong_name.split("<form")[0]
    assert not Registration.objects.exists()
    assert PublicFormAttempt.objects.filter(matched=False).count() == 2


def test_the_form_checks_the_id_number_and_mobile_before_matching(reg_world, client):
    body = client.post(
        member_url(reg_world.link1), member_form(reg_world.people.zhang, id_number="440402198501010011", mobile="123")
    ).content.decode()
    assert "身份证号校验位错误" in body and "手机号应为以 1 开头的 11 位数字" in body
    assert not PublicFormAttempt.objects.exists()


def test_a_retired_member_is_told_why(reg_world, client):
    body = client.post(member_url(reg_world.link1), member_form(reg_world.people.retired)).content.decode()
    assert "双报到面向在职党员" in body and not Registration.objects.exists()


def test_a_second_submission_gets_a_clear_message_not_an_error(reg_world, client):
    client.post(member_url(reg_world.link1), member_form(reg_world.people.zhang))
    response = client.post(member_url(reg_world.link3), member_form(reg_world.people.zhang))
    assert response.status_code == 200
    assert "向「婆石社区」提交报到（待确认），请勿重复提交" in response.content.decode()
    assert Registration.objects.count() == 1


def test_a_unit_registers_with_its_credit_code_and_name(reg_world, client):
    url = reverse("registration:public_unit", args=[reg_world.link1.token])
    data = {
        "credit_code": credit_code(1),
        "unit_name": "口岸中心党支部",  # the organization's name works as well as the unit's
        "contact_name": "刘洋",
        "contact_mobile": "13800000006",
        "skills": ["法律服务"],
    }
    wrong = client.post(url, {**data, "unit_name": "别的单位"}).content.decode()
    assert "未找到该单位信息" in wrong
    response = client.post(url, data)
    assert response.status_code == 302
    reg = Registration.objects.get(unit=reg_world.unit)
    assert (reg.kind, reg.org, reg.community, reg.contact_name) == ("unit", reg_world.ub, reg_world.c1, "刘洋")
    again = client.post(url, {**data, "unit_name": "拱北口岸中心"}).content.decode()
    assert "「口岸中心党支部」已于" in again and "请勿重复提交" in again


def test_regenerating_the_link_invalidates_the_old_one(reg_world, client, login):
    old = reg_world.link1.token
    assert client.get(reverse("registration:public_start", args=[old])).status_code == 200
    worker = login(reg_world.users.community_worker)
    response = worker.post(reverse("registration:link_generate", args=[reg_world.c1.public_id]))
    assert response.status_code == 302
    new = selectors.link_for(reg_world.c1).token
    assert new != old and len(new) >= 24
    worker.logout()
    for name in ("public_start", "public_member", "public_unit", "public_lookup"):
        gone = client.get(reverse(f"registration:{name}", args=[old]))
        assert gone.status_code == 404 and "报到链接已失效" in gone.content.decode()
    posted = client.post(member_url(reg_world.link1), member_form(reg_world.people.zhang))
    assert posted.status_code == 404 and not Registration.objects.exists()
    assert client.get(reverse("registration:public_start", args=[new])).status_code == 200
    event = AuditEvent.objects.filter(object_type="registration.registrationlink", action="update").get()
    assert event.actor == reg_world.users.community_worker and old not in str(event.changes)
    assert new not in str(event.changes)


def test_the_public_form_is_throttled_per_address(reg_world, client, settings):
    settings.REGISTRATION_PUBLIC_MAX_MISSES = 3
    settings.REGISTRATION_PUBLIC_MAX_ATTEMPTS = 5
    url = member_url(reg_world.link1)
    for n in range(3):
        body = client.post(url, member_form(reg_world.people.zhang, name=f"猜名{n}")).content.decode()
        assert NO_MATCH in body
    # Now even the right details are refused until the window passes: guessing costs time.
    body = client.post(url, member_form(reg_world.people.zhang)).content.decode()
    assert "提交过于频繁，请 15 分钟后再试" in body and not Registration.objects.exists()
    # Another address is not affected.
    other = client.post(url, member_form(reg_world.people.zhang), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_successful_submissions_count_too(reg_world, client, settings):
    settings.REGISTRATION_PUBLIC_MAX_ATTEMPTS = 2
    url = member_url(reg_world.link1)
    assert client.post(url, member_form(reg_world.people.zhang)).status_code == 302
    assert client.post(url, member_form(reg_world.people.li)).status_code == 302
    body = client.post(url, member_form(reg_world.people.wang)).content.decode()
    assert "提交过于频繁" in body


def test_old_attempts_are_purged(reg_world):
    from datetime import timedelta

    from django.utils import timezone

    from dangjian.registration import throttle
    from dangjian.registration.tasks import purge_public_form_attempts

    throttle.record_attempt("10.0.0.1", matched=False)
    throttle.record_attempt("10.0.0.1", matched=False)
    PublicFormAttempt.objects.filter(pk=PublicFormAttempt.objects.first().pk).update(
        at=timezone.now() - timedelta(hours=1)
    )
    assert purge_public_form_attempts.call_local() == 1
    assert PublicFormAttempt.objects.count() == 1


def test_the_receipt_shows_the_reason_of_a_rejection_and_lets_the_registrant_withdraw(reg_world, client, submit):
    reg = submit(reg_world.people.zhang)
    url = reverse("registration:receipt", args=[selectors.receipt_token(reg)])
    assert "撤回报到" in client.get(url).content.decode()
    response = client.post(url, {"note": "填错社区"})
    assert response.status_code == 302
    assert "已撤回报到" in client.get(response["Location"]).content.decode()
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.WITHDRAWN and reg.decision_note == "填错社区"
    again = submit(reg_world.people.zhang)
    services.registration_reject(actor=reg_world.users.community_worker, registration=again, reason="请到居住社区报到")
    body = client.get(reverse("registration:receipt", args=[selectors.receipt_token(again)])).content.decode()
    assert "未通过" in body and "请到居住社区报到" in body and "撤回报到" not in body


def test_a_tampered_receipt_is_refused(reg_world, client, submit):
    reg = submit(reg_world.people.zhang)
    token = selectors.receipt_token(reg)
    response = client.get(reverse("registration:receipt", args=[token[:-2] + "xx"]))
    assert response.status_code == 404 and "回执链接无效" in response.content.decode()
    assert client.get(reverse("registration:receipt", args=[str(reg.public_id)])).status_code == 404


def test_the_lookup_finds_the_receipt_with_the_same_two_details(reg_world, client, submit):
    url = reverse("registration:public_lookup", args=[reg_world.link1.token])
    zhang = reg_world.people.zhang
    data = {"kind": "member", "identifier": zhang.id_number, "name": "张三"}
    body = client.post(url, data).content.decode()
    assert "未找到报到记录" in body  # not registered yet: the same answer as an unknown person
    assert "未找到报到记录" in client.post(url, {**data, "name": "李四"}).content.decode()
    reg = submit(zhang)
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("registration:receipt", args=[selectors.receipt_token(reg)])
    unit = {"kind": "unit", "identifier": credit_code(1), "name": "拱北口岸中心"}
    assert "未找到报到记录" in client.post(url, unit).content.decode()


def test_a_signed_in_member_registers_from_the_link_without_typing_the_id(reg_world, login):
    client = login(reg_world.users.member)
    start = client.get(reverse("registration:public_start", args=[reg_world.link3.token])).content.decode()
    assert "用当前账号报到" in start
    response = client.post(reverse("registration:public_account", args=[reg_world.link3.token]))
    assert response.status_code == 302 and response["Location"] == reverse("registration:mine")
    reg = Registration.objects.get(member=reg_world.people.wang)
    assert reg.community == reg_world.c3 and reg.contact_mobile == reg_world.people.wang.mobile


@pytest.mark.parametrize("who", ["resident", "community_worker", "nobody"])
def test_the_account_shortcut_is_for_members_only(reg_world, login, who):
    client = login(getattr(reg_world.users, who))
    response = client.post(reverse("registration:public_account", args=[reg_world.link1.token]))
    assert response.status_code == 404 and not Registration.objects.exists()


def test_the_account_shortcut_sends_a_stranger_to_sign_in(reg_world, client):
    response = client.post(reverse("registration:public_account", args=[reg_world.link1.token]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
