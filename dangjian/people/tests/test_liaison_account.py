"""A liaison's leader account: picked on the form (optional, searchable), shown, and the leader's own list."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.accounts import services as account_services
from dangjian.audit.models import Action, AuditEvent
from dangjian.conftest import PASSWORD
from dangjian.people.models import Liaison
from dangjian.people.services import liaisons as liaisons_services


def leader(username, full_name, role="subdistrict_admin", area=None, mobile=None):
    user = account_services.user_create(
        actor=None, username=username, password=PASSWORD, full_name=full_name, mobile=mobile, validate=False
    )
    if role:
        account_services.role_assign(actor=None, user=user, role=role, area=area)
    return user


def test_the_form_takes_the_leaders_account_by_username_or_mobile(people, world, login):
    chen = leader("chen_fsj", "陈副书记", area=world.s1, mobile="13611112222")
    client = login(world.users.subdistrict_admin)
    url = reverse("people:liaison_create")
    data = {
        "leader_name": "陈副书记",
        "post": "街道党工委副书记",
        "level": "subdistrict",
        "area": str(world.g1b.public_id),
    }
    assert client.post(url, data | {"account": "13611112222"}).status_code == 302
    liaison = Liaison.objects.get(leader_name="陈副书记", area=world.g1b)
    assert liaison.user == chen
    event = AuditEvent.objects.get(action=Action.CREATE, object_id=str(liaison.public_id))
    assert event.changes["user"] == [None, "chen_fsj"]
    # Optional: left empty, the liaison has no account.
    assert client.post(url, data | {"leader_name": "周主任", "account": ""}).status_code == 302
    assert Liaison.objects.get(leader_name="周主任").user is None
    # An unknown account is said so, in Chinese, and nothing is saved.
    unknown = client.post(url, data | {"leader_name": "吴委员", "account": "nobody-here"})
    assert "没有找到用户名或手机号为「nobody-here」的账号" in unknown.content.decode()
    assert not Liaison.objects.filter(leader_name="吴委员").exists()


def test_the_suggestions_search_accounts_for_admins_only(people, world, login):
    leader("lin_gd", "林国栋", role="district_admin", area=world.district)
    url = reverse("people:account_search")
    body = login(world.users.district_admin).get(url, {"account": "林国"}).content.decode()
    assert "lin_gd" in body and "林国栋" in body
    # A subdistrict admin does not browse district accounts by name, but finds one by its exact username.
    admin = login(world.users.subdistrict_admin)
    assert "lin_gd" not in admin.get(url, {"account": "林国"}).content.decode()
    assert "lin_gd" in admin.get(url, {"account": "lin_gd"}).content.decode()
    for user in (world.users.grid_worker, world.users.member, world.users.resident):
        assert login(user).get(url, {"account": "lin_gd"}).status_code == 404


def test_a_leader_signing_in_sees_their_own_assignments(people, world, login):
    chen = leader("chen_fsj", "陈副书记", area=world.s1)
    liaisons_services.liaison_set_account(actor=world.users.subdistrict_admin, liaison=people.liaison_grid, user=chen)
    body = login(chen).get(reverse("people:liaison_list")).content.decode()
    assert 'data-testid="my-liaisons"' in body and "婆石第一网格" in body
    # Someone else's list has no such section; the account shows in the table.
    other = login(world.users.subdistrict_admin).get(reverse("people:liaison_list")).content.decode()
    assert 'data-testid="my-liaisons"' not in other and "chen_fsj" in other
    liaisons_services.liaison_end(actor=None, liaison=people.liaison_grid)
    assert 'data-testid="my-liaisons"' not in login(chen).get(reverse("people:liaison_list")).content.decode()


def test_an_admin_sets_and_clears_the_account_of_an_assignment(people, world, login, assert_scoped):
    chen = leader("chen_fsj", "陈副书记", area=world.s1)
    url = reverse("people:liaison_account", args=[people.liaison_grid.public_id])
    u = world.users
    assert_scoped(url, owner=u.subdistrict_admin, colleague=u.district_admin, outsider=u.subdistrict_admin_outsider)
    assert login(u.community_worker).get(url).status_code == 404
    client = login(u.subdistrict_admin)
    assert client.post(url, {"account": "chen_fsj"}).status_code == 302
    people.liaison_grid.refresh_from_db()
    assert people.liaison_grid.user == chen
    assert client.post(url, {"account": ""}).status_code == 302
    people.liaison_grid.refresh_from_db()
    assert people.liaison_grid.user is None
    changes = list(
        AuditEvent.objects.filter(object_id=str(people.liaison_grid.public_id), action=Action.UPDATE)
        .order_by("pk")
        .values_list("changes", flat=True)
    )
    assert changes == [{"user": [None, "chen_fsj"]}, {"user": ["chen_fsj", None]}]


def test_an_ended_assignment_or_a_disabled_account_is_refused(people, world):
    chen = leader("chen_fsj", "陈副书记", area=world.s1)
    chen.is_active = False
    chen.save(update_fields=["is_active"])
    with pytest.raises(ValidationError, match="不能用作包联领导的账号"):
        liaisons_services.liaison_set_account(actor=None, liaison=people.liaison_grid, user=chen)
    liaisons_services.liaison_end(actor=None, liaison=people.liaison_c1)
    with pytest.raises(ValidationError, match="该包联已经结束"):
        liaisons_services.liaison_set_account(actor=None, liaison=people.liaison_c1, user=None)
