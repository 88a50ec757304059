"""居民注册: mobile → code → name, password, community; the household register matched by mobile and
name; placement by community, estate or location; an existing account sent to sign in; races."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.accounts.models import PhoneCode, PhoneCodePurpose, RoleAssignment, User
from dangjian.accounts.phone import codes
from dangjian.accounts.roles import Role
from dangjian.accounts.tests.phone_helpers import last_code
from dangjian.audit.models import AuditEvent
from dangjian.core.testing import run_at_once
from dangjian.people.services.residents import household_create, resident_create
from dangjian.people.signup.services import resident_signup
from dangjian.people.signup.views import signup_details

MOBILE = "13912345678"
PASSWORD = "Qingshan-2026!"


def verify(client, mobile=MOBILE):
    response = client.post(reverse("people:signup"), {"mobile": mobile})
    assert response.status_code == 302 and response["Location"] == reverse("people:signup_verify")
    response = client.post(reverse("people:signup_verify"), {"code": last_code(mobile)})
    assert response.status_code == 302 and response["Location"] == reverse("people:signup_details")


def details(**extra):
    return {"full_name": "林小梅", "password": PASSWORD, "password2": PASSWORD, **extra}


def page(response) -> str:
    return response.content.decode()


def test_a_resident_signs_up_and_lands_on_the_phone_home(client, world, outbox):
    verify(client)
    form = client.get(reverse("people:signup_details"))
    assert "139****5678" in page(form) and "婆石社区" in page(form) and 'name="idempotency_key"' in page(form)
    response = client.post(reverse("people:signup_details"), details(community=world.c1.pk))
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:home")
    user = User.objects.get(mobile=MOBILE)
    assert user.username == MOBILE and user.full_name == "林小梅" and user.check_password(PASSWORD)
    (assignment,) = RoleAssignment.objects.filter(user=user)
    assert assignment.role == Role.RESIDENT and assignment.home_community == world.c1 and assignment.area is None
    assert user.resident is None
    home = client.get(response["Location"])
    assert home.status_code == 200 and home.wsgi_request.user == user
    assert "注册成功" in page(home)
    assert PhoneCode.objects.get().redeemed_at is not None
    event = AuditEvent.objects.get(actor=user, object_id=str(user.public_id), changes__via="self_signup")
    assert event.changes["home_community"] == [None, "婆石社区"] and "resident" not in event.changes
    # Back on the sign-up pages, a signed-in person is sent home.
    assert client.get(reverse("people:signup"))["Location"] == reverse("dashboard:home")


@pytest.fixture
def registered(world):
    household = household_create(actor=None, building=world.building, room="302")
    return resident_create(actor=None, household=household, name="林小梅", mobile=MOBILE)


def test_a_resident_of_the_register_is_linked_and_placed_by_it(client, world, registered, outbox):
    verify(client)
    # They chose another community by mistake: the register says where they live.
    client.post(reverse("people:signup_details"), details(community=world.c3.pk))
    user = User.objects.get(mobile=MOBILE)
    assert user.resident == registered and registered.account == user
    assert user.role_assignments.get().home_community == world.c1
    event = AuditEvent.objects.filter(actor=user, changes__via="self_signup").get()
    assert event.changes["resident"] == [None, f"{registered.household} 林小梅"]


def test_the_same_mobile_under_another_name_is_not_linked(client, world, registered, outbox):
    verify(client)
    client.post(reverse("people:signup_details"), details(full_name="林大梅", community=world.c3.pk))
    user = User.objects.get(mobile=MOBILE)
    assert user.resident is None and user.role_assignments.get().home_community == world.c3


def test_a_resident_is_placed_by_estate_or_by_location(client, world, outbox):
    verify(client)
    client.post(reverse("people:signup_details"), details(estate="海虹花园"))
    assert User.objects.get(mobile=MOBILE).role_assignments.get().home_community == world.c3
    client.logout()
    verify(client, "13912345679")
    client.post(reverse("people:signup_details"), details(lat="22.205", lng="113.515"))  # in 婆石第二网格
    assert User.objects.get(mobile="13912345679").role_assignments.get().home_community == world.c1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({}, "请选择所在社区，或填写小区名称，或使用当前位置。"),
        ({"estate": "不存在小区"}, "没有找到名为「不存在小区」的小区"),
        ({"lat": "30.0", "lng": "120.0"}, "您的位置不在本区任何网格内，请直接选择所在社区。"),
        ({"full_name": " "}, "请填写姓名。"),
        ({"password2": "other-Pass-1"}, "两次输入的密码不一致。"),
        ({"password": "12345678", "password2": "12345678"}, "这个密码太常见了。"),
    ],
    ids=["no-place", "unknown-estate", "outside", "no-name", "mismatch", "weak"],
)
def test_a_refused_sign_up_says_why_and_writes_nothing(client, world, outbox, extra, message):
    verify(client)
    response = client.post(reverse("people:signup_details"), {**details(), **extra})
    assert response.status_code == 200 and message in page(response)
    assert not User.objects.filter(mobile=MOBILE).exists()
    assert PhoneCode.objects.get().redeemed_at is None  # the code still allows the corrected sign-up


def test_an_estate_name_two_communities_share_asks_for_the_community(client, world, outbox):
    from dangjian.territory.services import estate_save

    estate_save(actor=None, community=world.c2, name="海虹花园")
    verify(client)
    response = client.post(reverse("people:signup_details"), details(estate="海虹花园"))
    assert "有多个社区都有「海虹花园」，请同时选择所在社区。" in page(response)
    client.post(reverse("people:signup_details"), details(estate="海虹花园", community=world.c2.pk))
    assert User.objects.get(mobile=MOBILE).role_assignments.get().home_community == world.c2


def test_an_existing_account_is_told_to_sign_in_or_reset(client, world, outbox):
    world.users.resident.mobile = MOBILE
    world.users.resident.save()
    verify(client)
    response = client.get(reverse("people:signup_details"))
    assert "该手机号已注册账号，请直接登录；忘记密码可用短信找回。" in page(response)
    assert reverse("accounts:reset") in page(response)
    assert not re.search(r"\bjm\b", page(response))  # nothing about the account itself
    client.post(reverse("people:signup_details"), details(community=world.c1.pk))
    assert User.objects.filter(mobile=MOBILE).count() == 1


def test_the_details_step_needs_a_verified_code(client, world, outbox):
    client.post(reverse("people:signup"), {"mobile": MOBILE})
    response = client.post(reverse("people:signup_details"), details(community=world.c1.pk))
    assert response.status_code == 302 and response["Location"] == reverse("people:signup")
    assert not User.objects.filter(mobile=MOBILE).exists()


def test_the_final_step_is_idempotent():
    # @idempotent (core.idempotency) keys a signed-in person's retries; an anonymous sign-up's retry
    # is answered by the spent code and the unique mobile (the races below).
    assert signup_details.idempotent is True


@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_racing_on_one_mobile_make_one_account(world, outbox, settings):
    settings.PHONE_CODE_GAP_SECONDS = 0
    PhoneCode.objects.all().delete()
    first = codes.code_send(mobile=MOBILE, purpose=PhoneCodePurpose.SIGNUP, ip="10.0.0.1")
    codes.code_verify(mobile=MOBILE, purpose=PhoneCodePurpose.SIGNUP, code=last_code(MOBILE))
    PhoneCode.objects.filter(pk=first.pk).update(minute=0)  # free this minute for the second code
    second = codes.code_send(mobile=MOBILE, purpose=PhoneCodePurpose.SIGNUP, ip="10.0.0.2")
    codes.code_verify(mobile=MOBILE, purpose=PhoneCodePurpose.SIGNUP, code=last_code(MOBILE))

    def sign_up(code, name):
        return lambda: resident_signup(code_id=code.pk, mobile=MOBILE, full_name=name, password=PASSWORD,
                                       community=world.c1)  # fmt: skip

    results = run_at_once(sign_up(first, "林小梅"), sign_up(second, "林晓梅"))
    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["error", "ok"], results
    (refused,) = [value for kind, value in results if kind == "error"]
    assert isinstance(refused, ValidationError) and "该手机号已注册账号" in " ".join(refused.messages)
    assert User.objects.filter(mobile=MOBILE).count() == 1
    assert RoleAssignment.objects.filter(user__mobile=MOBILE).count() == 1
    # The loser's code was not used up: nothing of its sign-up was written.
    assert PhoneCode.objects.filter(redeemed_at__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_code_redeemed_twice_at_once_makes_one_account(world, outbox):
    code = codes.code_send(mobile=MOBILE, purpose=PhoneCodePurpose.SIGNUP, ip="10.0.0.1")
    codes.code_verify(mobile=MOBILE, purpose=PhoneCodePurpose.SIGNUP, code=last_code(MOBILE))

    def sign_up():
        return resident_signup(
            code_id=code.pk, mobile=MOBILE, full_name="林小梅", password=PASSWORD, community=world.c1
        )

    results = run_at_once(sign_up, sign_up)
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    assert User.objects.filter(mobile=MOBILE).count() == 1


def test_a_verified_mobile_stays_with_the_browser_that_verified_it(client, world, outbox):
    from django.test import Client

    verify(client)
    other = Client()  # another person's browser: a session of its own
    response = other.post(reverse("people:signup_details"), details(community=world.c1.pk))
    assert response.status_code == 302 and response["Location"] == reverse("people:signup")
    assert not User.objects.filter(mobile=MOBILE).exists()
