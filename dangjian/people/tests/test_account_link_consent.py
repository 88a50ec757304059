"""Linking a member record to an existing account needs the account holder (issue 10, item 2).

The attack: a subdistrict admin links a member record in their subdistrict to the district admin's
account (found by exact username), so the district admin holds a role "inside" the subdistrict,
then resets the district admin's password and signs in as them.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.accounts import services as account_services
from dangjian.accounts.models import RoleAssignment, User
from dangjian.accounts.roles import Role
from dangjian.people import selectors
from dangjian.people.services import accounts as accounts_services
from dangjian.people.services import members as members_services


def party_member_roles(user):
    return RoleAssignment.objects.filter(user=user, role=Role.PARTY_MEMBER)


def test_it_refuses_the_reset_chain_through_a_member_link(people, world, login):
    u = world.users
    attacker, target = u.subdistrict_admin, u.district_admin
    client = login(attacker)
    link = reverse("people:member_account_link", args=[people.floating.public_id])
    response = client.post(link, {"user": target.public_id, "q": target.username, "confirm": "1"})
    assert response.status_code == 302
    people.floating.refresh_from_db()
    # Only a request: no link, no role, until the district admin accepts it themselves.
    assert people.floating.user is None and people.floating.pending_user == target
    assert not party_member_roles(target).exists()
    reset = reverse("accounts:user_reset_password", args=[target.public_id])
    assert client.get(reset).status_code == 404
    assert client.post(reset).status_code == 404
    target.refresh_from_db()
    assert not target.must_change_password
    # Even once the district admin accepts (they do live there), the lower rank may not reset them.
    accounts_services.member_accept_account_link(actor=target, member=people.floating)
    assert party_member_roles(target).filter(home_community=world.c1).exists()
    assert login(attacker).post(reset).status_code == 404
    reveal = reverse("accounts:user_reveal_mobile", args=[target.public_id])
    assert login(attacker).post(reveal).status_code == 404
    target.refresh_from_db()
    assert not target.must_change_password


def test_a_peer_subdistrict_admin_is_refused(world, login):
    u = world.users
    for peer in (u.subdistrict_admin_colleague, u.subdistrict_admin_outsider):
        reset = reverse("accounts:user_reset_password", args=[peer.public_id])
        assert login(u.subdistrict_admin).post(reset).status_code == 404
        peer.refresh_from_db()
        assert not peer.must_change_password


def test_only_the_account_holder_answers_a_request(people, world, login):
    account = User.objects.get(username="nobody")
    accounts_services.member_request_account_link(
        actor=world.users.community_worker, member=people.floating, user=account
    )
    accept = reverse("people:account_request_answer", args=[people.floating.public_id, "accept"])
    for other in (world.users.community_worker, world.users.subdistrict_admin, world.users.member):
        assert login(other).post(accept).status_code == 404
        assert "赵流动" not in login(other).get(reverse("people:account_requests")).content.decode()
    people.floating.refresh_from_db()
    assert people.floating.user is None
    holder = login(account)
    page = holder.get(reverse("people:account_requests")).content.decode()
    assert "赵流动" in page and "是本人，同意关联" in page
    decline = reverse("people:account_request_answer", args=[people.floating.public_id, "decline"])
    assert holder.post(decline).status_code == 302
    people.floating.refresh_from_db()
    assert people.floating.pending_user is None and people.floating.user is None
    assert not party_member_roles(account).exists()
    # An answered request cannot be accepted afterwards.
    assert holder.post(accept).status_code == 404


def test_the_worker_sees_the_pending_request_and_withdraws_it(people, world, login):
    account = User.objects.get(username="nobody")
    accounts_services.member_request_account_link(
        actor=world.users.community_worker, member=people.floating, user=account
    )
    client = login(world.users.community_worker)
    page = client.get(reverse("people:member_account", args=[people.floating.public_id])).content.decode()
    assert "等待本人登录后确认" in page and "nobody" in page
    cancel = reverse("people:member_account_cancel", args=[people.floating.public_id])
    assert login(world.users.community_worker_outsider).post(cancel).status_code == 404
    people.floating.refresh_from_db()
    assert people.floating.pending_user == account
    assert login(world.users.community_worker).post(cancel).status_code == 302
    people.floating.refresh_from_db()
    assert people.floating.pending_user is None
    assert not selectors.account_requests_for(account).exists()


def test_the_account_search_shows_no_names_outside_the_scope(people, world, login):
    u = world.users
    account_services.user_update(actor=None, user=u.district_admin, full_name="张区长", mobile="13900000001")
    account_services.user_update(actor=None, user=u.subdistrict_admin_outsider, full_name="李主任")
    client = login(u.community_worker)
    for typed in ("qu", "13900000001"):
        found = client.get(reverse("people:account_search"), {"account": typed}).content.decode()
        assert "qu" in found and "张区长" not in found and "139****0001" not in found
    page = client.get(reverse("people:member_account", args=[people.floating.public_id]), {"q": "jd2"})
    body = page.content.decode()
    assert "jd2" in body and "（本人确认后可见）" in body and "李主任" not in body
    # An admin still sees the names of the accounts in their own territory.
    (candidate,) = selectors.account_candidates(u.subdistrict_admin, "sq1b")
    assert candidate.named
    (stranger,) = selectors.account_candidates(u.subdistrict_admin, "jd2")
    assert not stranger.named


def test_the_request_list_costs_the_same_for_one_request_or_many(people, world, login):
    account = User.objects.get(username="nobody")
    client = login(account)
    url = reverse("people:account_requests")

    def page_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    worker = world.users.community_worker
    accounts_services.member_request_account_link(actor=worker, member=people.floating, user=account)
    one = page_queries()
    for i in range(3):
        member = members_services.member_create(actor=None, name=f"候选{i}", org=world.eb, home_community=world.c1)
        accounts_services.member_request_account_link(actor=worker, member=member, user=account)
    page = client.get(url).content.decode()
    assert all(f"候选{i}" in page for i in range(3))
    assert page_queries() == one
