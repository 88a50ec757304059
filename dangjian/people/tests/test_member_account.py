"""Linking a member record to the account the member signs in with (关联账号), and unlinking it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.accounts import services as account_services
from dangjian.accounts.models import RoleAssignment, User
from dangjian.accounts.roles import Role
from dangjian.audit.models import Action, AuditEvent
from dangjian.conftest import PASSWORD, make_user
from dangjian.core.testing import run_at_once
from dangjian.people import selectors
from dangjian.people.models import Member
from dangjian.people.services import accounts as accounts_services
from dangjian.people.services import members as members_services


def make_account(username, full_name="", mobile=None):
    return account_services.user_create(
        actor=None, username=username, password=PASSWORD, full_name=full_name, mobile=mobile, validate=False
    )


def party_member_roles(user):
    return list(RoleAssignment.objects.filter(user=user, role=Role.PARTY_MEMBER, is_active=True))


def link(actor, member, user):
    """A worker asks, the account holder accepts: the only way an existing account gets linked."""
    accounts_services.member_request_account_link(actor=actor, member=member, user=user)
    return accounts_services.member_accept_account_link(actor=user, member=member)


def test_it_links_an_existing_account_and_gives_it_the_party_member_role(people, world):
    account = make_account("wangjg", "王建国")
    floating = people.floating
    accounts_services.member_request_account_link(actor=world.users.community_worker, member=floating, user=account)
    floating.refresh_from_db()
    # Asked, not done: no link and no role until the holder accepts.
    assert floating.user is None and floating.pending_user == account and party_member_roles(account) == []
    assert selectors.my_member(account) is None
    accounts_services.member_accept_account_link(actor=account, member=floating)
    floating.refresh_from_db()
    assert floating.pending_user is None
    assert floating.user == account
    (role,) = party_member_roles(account)
    assert role.home_community == world.c1 and role.org == world.eb
    event = AuditEvent.objects.filter(object_type="people.member", object_id=str(floating.public_id)).latest("pk")
    assert event.changes == {"user": [None, "wangjg"]}
    assert event.area_path == world.c1.path
    # The account now sees exactly its own record (a fresh instance: roles are cached per instance).
    assert selectors.my_member(User.objects.get(pk=account.pk)) == floating


def test_it_refuses_links_that_would_break_one_account_per_member(people, world):
    worker = world.users.community_worker
    updates = AuditEvent.objects.filter(object_type="people.member", action=Action.UPDATE, changes__has_key="user")
    with pytest.raises(ValidationError, match="该党员已关联账号「dy」"):
        accounts_services.member_request_account_link(actor=worker, member=people.own, user=make_user("other"))
    with pytest.raises(ValidationError, match="账号「dy」已关联党员「王建国」"):
        accounts_services.member_request_account_link(actor=worker, member=people.floating, user=world.users.member)
    members_services.member_set_status(actor=None, member=people.floating, status="deceased", note="病故")
    people.floating.refresh_from_db()
    with pytest.raises(ValidationError, match="状态为「已去世」，不能关联账号"):
        accounts_services.member_request_account_link(actor=worker, member=people.floating, user=make_user("late"))
    admin = User.objects.create_superuser("root", password=PASSWORD)
    with pytest.raises(ValidationError, match="系统管理员账号不能关联"):
        accounts_services.member_request_account_link(actor=worker, member=people.pocket, user=admin)
    # A member organized in 海虹 is not a 婆石 worker's to link, even though they live in 婆石.
    with pytest.raises(ValidationError, match="不在您的管理范围内"):
        accounts_services.member_request_account_link(actor=worker, member=people.lodger, user=make_user("lodger"))
    assert not updates.exists()
    assert not Member.objects.filter(pending_user__isnull=False).exists()


def test_it_creates_an_account_with_a_temporary_password_to_change_at_first_sign_in(people, world):
    member, user, temporary = accounts_services.member_create_account(
        actor=world.users.community_worker, member=people.floating, username="zhaold01", use_member_mobile=True
    )
    assert member.user == user and user.full_name == "赵流动"
    assert user.mobile == "13600001111"  # the member's registered number, never shown to the worker
    assert user.must_change_password and user.check_password(temporary) and len(temporary) == 12
    assert [r.home_community for r in party_member_roles(user)] == [world.c1]
    actions = set(AuditEvent.objects.filter(object_id=str(user.public_id)).values_list("action", flat=True))
    assert {Action.CREATE, Action.RESET_PASSWORD} <= actions
    assert temporary not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_creating_an_account_refuses_bad_or_taken_names_and_numbers(people, world):
    worker = world.users.community_worker
    with pytest.raises(ValidationError) as exc:
        accounts_services.member_create_account(actor=worker, member=people.pocket, username="王 建")
    assert "username" in exc.value.message_dict
    with pytest.raises(ValidationError, match="已被使用"):
        accounts_services.member_create_account(actor=worker, member=people.pocket, username="sq1")
    make_account("phone_owner", mobile="13700009999")
    with pytest.raises(ValidationError, match="该手机号已被其他账号使用"):
        accounts_services.member_create_account(
            actor=worker, member=people.pocket, username="qianko", mobile="13700009999"
        )
    with pytest.raises(ValidationError, match="该党员已关联账号"):
        accounts_services.member_create_account(actor=worker, member=people.own, username="wang2")
    assert not User.objects.filter(username__in=["qianko", "wang2"]).exists()  # all or nothing


def test_unlinking_ends_the_party_member_role_and_is_audited(people, world):
    member_user = world.users.member
    assert party_member_roles(member_user)
    accounts_services.member_unlink_account(actor=world.users.community_worker, member=people.own)
    people.own.refresh_from_db()
    assert people.own.user is None and party_member_roles(member_user) == []
    assert User.objects.filter(pk=member_user.pk, is_active=True).exists()  # the account itself stays
    event = AuditEvent.objects.filter(object_type="people.member", object_id=str(people.own.public_id)).latest("pk")
    assert event.changes == {"user": ["dy", None]}
    with pytest.raises(ValidationError, match="尚未关联账号"):
        accounts_services.member_unlink_account(actor=world.users.community_worker, member=people.own)


def test_the_account_search_finds_strangers_only_by_exact_name_or_number(people, world):
    stranger = make_account("zhangsan", "张三", mobile="13512345678")
    worker, admin = world.users.community_worker, world.users.district_admin
    assert selectors.account_candidates(worker, "zhang") == []  # no browsing the whole directory
    assert selectors.account_candidates(worker, "ZhangSan") == [stranger]
    assert selectors.account_candidates(worker, "13512345678") == [stranger]
    # An admin browses the accounts holding a role in their territory, by part of a name.
    assert {u.username for u in selectors.account_candidates(admin, "sq")} == {"sq1", "sq1b", "sq3"}
    assert selectors.account_candidates(worker, "dy", unlinked_only=True) == []  # linked to 王建国


def test_the_pages_are_for_the_members_managers_only(people, world, login, assert_scoped):
    u = world.users
    page = reverse("people:member_account", args=[people.own.public_id])
    assert_scoped(page, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider)
    # Seen but not managed (organized elsewhere): 404, like the other changing pages.
    assert (
        login(u.community_worker).get(reverse("people:member_account", args=[people.lodger.public_id])).status_code
        == 404
    )
    for user in (u.grid_worker, u.member, u.resident, u.unit_contact):
        assert login(user).get(page).status_code == 404
    unlink = reverse("people:member_account_unlink", args=[people.own.public_id])
    assert_scoped(unlink, owner=u.community_worker, colleague=u.district_admin, outsider=u.subdistrict_admin_outsider)
    create = reverse("people:member_account_create", args=[people.pocket.public_id])
    response = login(u.community_worker_outsider).post(create, {"username": "qian01"})
    assert response.status_code == 404 and not User.objects.filter(username="qian01").exists()
    link = reverse("people:member_account_link", args=[people.pocket.public_id])
    stranger = make_user("qian")
    response = login(u.community_worker_outsider).post(link, {"user": stranger.public_id, "q": "qian", "confirm": "1"})
    assert response.status_code == 404
    people.pocket.refresh_from_db()
    assert people.pocket.user is None


def test_a_worker_links_a_found_account_after_confirming(people, world, login):
    account = make_account("zhao_ld", "赵六")
    client = login(world.users.community_worker)
    page = reverse("people:member_account", args=[people.floating.public_id])
    body = client.get(page, {"q": "zhao_ld"}).content.decode()
    assert "zhao_ld" in body and "赵六" not in body  # a stranger's name is not shown to the worker
    link = reverse("people:member_account_link", args=[people.floating.public_id])
    confirm = client.post(link, {"user": account.public_id, "q": "zhao_ld"})
    text = confirm.content.decode()
    assert confirm.status_code == 200 and "确认关联" in text and "赵六" not in text
    people.floating.refresh_from_db()
    assert people.floating.user is None and people.floating.pending_user is None  # nothing before the confirmation
    done = client.post(link, {"user": account.public_id, "q": "zhao_ld", "confirm": "1"})
    assert done.status_code == 302
    people.floating.refresh_from_db()
    assert people.floating.user is None and people.floating.pending_user == account  # asked, not linked
    # The holder accepts after signing in (今日待办 → 关联请求).
    holder = login(account)
    assert "党员账号关联请求待您确认" in holder.get(reverse("dashboard:home")).content.decode()
    answer = reverse("people:account_request_answer", args=[people.floating.public_id, "accept"])
    assert holder.post(answer).status_code == 302
    people.floating.refresh_from_db()
    assert people.floating.user == account
    client = login(world.users.community_worker)
    # The account is linked now: a second member cannot take it, and a tampered id is refused.
    again = client.post(
        reverse("people:member_account_link", args=[people.pocket.public_id]),
        {"user": account.public_id, "q": "zhao_ld", "confirm": "1"},
    )
    assert again.status_code == 400 and "请重新搜索并选择要关联的账号" in again.content.decode()


def test_a_worker_creates_an_account_and_sees_the_temporary_password_once(people, world, login, client):
    client = login(world.users.community_worker)
    create = reverse("people:member_account_create", args=[people.pocket.public_id])
    bad = client.post(create, {"username": "sq1", "mobile": ""})
    assert bad.status_code == 400 and "用户名「sq1」已被使用" in bad.content.decode()
    response = client.post(create, {"username": "qianko", "mobile": "13800001234"})
    assert response.status_code == 200 and "no-store" in response.get("Cache-Control", "")
    temporary = response.context["temporary"]
    assert temporary in response.content.decode()
    detail = client.get(reverse("people:member_detail", args=[people.pocket.public_id])).content.decode()
    assert "qianko" in detail and temporary not in detail
    # The member signs in with it and is sent to change the password first.
    client.logout()
    signed_in = client.post(reverse("accounts:login"), {"username": "13800001234", "password": temporary})
    assert signed_in.status_code == 302 and signed_in.url == reverse("accounts:password_change")


def test_unlinking_asks_first(people, world, login):
    client = login(world.users.community_worker)
    url = reverse("people:member_account_unlink", args=[people.own.public_id])
    assert "确认解除" in client.get(url).content.decode()
    people.own.refresh_from_db()
    assert people.own.user_id is not None
    assert client.post(url).status_code == 302
    people.own.refresh_from_db()
    assert people.own.user_id is None
    # With nothing linked the page leads back to linking.
    assert client.get(url).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_two_workers_linking_one_account_to_two_members_at_once_leave_one_link(people, world):
    account = make_account("shared01", "赵流动")
    first, second = world.users.community_worker, world.users.community_worker_colleague
    accounts_services.member_request_account_link(actor=first, member=people.floating, user=account)
    accounts_services.member_request_account_link(actor=second, member=people.pocket, user=account)
    results = run_at_once(
        lambda: accounts_services.member_accept_account_link(actor=account, member=people.floating),
        lambda: accounts_services.member_accept_account_link(actor=account, member=people.pocket),
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    refusal = next(value for kind, value in results if kind == "error")
    text = " ".join(refusal.messages) if isinstance(refusal, ValidationError) else ""
    assert "已关联" in text or "已处理" in text, refusal  # linked elsewhere, or the request ended with it
    assert Member.objects.filter(user=account).count() == 1
    assert len(party_member_roles(account)) == 1
