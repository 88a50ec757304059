"""The district admin's page of API keys: issue (shown once), list, search, deactivate, audit, scope."""

import pytest

from dangjian.audit.models import AuditEvent
from dangjian.open311 import services
from dangjian.open311.models import ApiClient, hash_key

URL = "/open311/v2/clients/"


def test_it_issues_a_key_shown_once_and_stored_hashed(login, world):
    client = login(world.users.district_admin)
    response = client.post(URL + "new/", {"name": "随手拍小程序"})
    assert response.status_code == 302
    created = ApiClient.objects.get(name="随手拍小程序")
    assert created.district == world.district and created.created_by == world.users.district_admin
    page = client.get(response["Location"])
    raw = page.context["raw_key"]
    assert raw and raw in page.content.decode()
    assert created.key_hash == hash_key(raw) and created.key_prefix == raw[:8]
    assert raw not in str(ApiClient.objects.filter(pk=created.pk).values().get())
    assert page["Cache-Control"] == "no-store"
    again = client.get(response["Location"])
    assert again.context["raw_key"] is None
    assert raw not in again.content.decode()
    assert created.key_prefix in again.content.decode()
    assert services.client_for_key(raw) == created


def test_it_refuses_an_empty_or_duplicate_name(login, world):
    client = login(world.users.district_admin)
    response = client.post(URL + "new/", {"name": "  "})
    assert response.status_code == 400
    assert ApiClient.objects.count() == 0
    services.client_create(actor=None, name="热线", district=world.district)
    response = client.post(URL + "new/", {"name": "热线"})
    assert response.status_code == 400
    assert "已有名为「热线」" in response.content.decode()


def test_it_lists_searches_and_shows_last_use(login, world):
    a, _ = services.client_create(actor=None, name="市民服务平台", district=world.district)
    services.client_create(actor=None, name="街拍应用", district=world.district)
    services.client_touch(a)
    client = login(world.users.district_admin)
    body = client.get(URL).content.decode()
    assert "市民服务平台" in body and "街拍应用" in body and "从未使用" in body
    body = client.get(URL + "?q=街拍").content.decode()
    assert "街拍应用" in body and "市民服务平台" not in body
    assert "没有找到匹配的密钥" in client.get(URL + "?q=nothing").content.decode()


def test_it_shows_an_empty_state(login, world):
    body = login(world.users.district_admin).get(URL).content.decode()
    assert "还没有签发接口密钥" in body


def test_it_deactivates_after_confirmation(login, world):
    api_client, raw = services.client_create(actor=None, name="热线", district=world.district)
    client = login(world.users.district_admin)
    url = f"{URL}{api_client.public_id}/deactivate/"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "确认停用" in confirm.content.decode()
    api_client.refresh_from_db()
    assert api_client.is_active  # a GET changes nothing
    response = client.post(url)
    assert response.status_code == 302
    api_client.refresh_from_db()
    assert not api_client.is_active
    assert services.client_for_key(raw) is None
    event = AuditEvent.objects.filter(object_type="open311.apiclient", action="update").get()
    assert event.changes == {"is_active": [True, False]}
    assert event.area_path == world.district.path
    again = client.post(url, follow=True)
    assert "已停用" in again.content.decode()


def test_it_audits_the_issue_without_the_key(login, world):
    client = login(world.users.district_admin)
    client.post(URL + "new/", {"name": "热线"})
    event = AuditEvent.objects.get(object_type="open311.apiclient", action="create")
    created = ApiClient.objects.get()
    assert event.changes["key_prefix"] == [None, created.key_prefix]
    assert event.actor == world.users.district_admin


@pytest.mark.parametrize(
    "who", ["subdistrict_admin", "community_worker", "department_staff", "resident", "member", "nobody"]
)
def test_it_hides_the_pages_from_everyone_but_district_admins(login, world, who):
    api_client, _ = services.client_create(actor=None, name="热线", district=world.district)
    client = login(getattr(world.users, who))
    for url in (URL, f"{URL}{api_client.public_id}/deactivate/", f"{URL}{api_client.public_id}/created/"):
        assert client.get(url).status_code == 404
    assert client.post(URL + "new/", {"name": "x"}).status_code == 404
    assert client.post(f"{URL}{api_client.public_id}/deactivate/").status_code == 404
    api_client.refresh_from_db()
    assert api_client.is_active and ApiClient.objects.count() == 1


def test_it_keeps_another_districts_keys_out_of_reach(assert_scoped, login, world):
    from dangjian.conftest import make_user
    from dangjian.territory import services as territory_services

    other = territory_services.area_create(actor=None, level="district", name="金湾区", parent=None, code="440404")
    outsider = make_user("jw", "district_admin", area=other)
    colleague = make_user("qu2", "district_admin", area=world.district)
    api_client, _ = services.client_create(actor=None, name="金湾不可见", district=world.district)
    assert_scoped(
        f"{URL}{api_client.public_id}/deactivate/",
        owner=world.users.district_admin,
        colleague=colleague,
        outsider=outsider,
    )
    assert "金湾不可见" not in login(outsider).get(URL).content.decode()


def test_it_lists_in_a_fixed_number_of_queries(count_queries, world):
    services.client_create(actor=world.users.district_admin, name="a", district=world.district)
    one = count_queries(world.users.district_admin, URL)
    for n in range(8):
        services.client_create(actor=world.users.district_admin, name=f"客户端 {n}", district=world.district)
    assert count_queries(world.users.district_admin, URL) == one


def test_it_puts_the_page_in_the_district_admins_menu(login, world):
    body = login(world.users.district_admin).get("/").content.decode()
    assert 'data-nav="open311_clients"' in body
    body = login(world.users.subdistrict_admin).get("/").content.decode()
    assert 'data-nav="open311_clients"' not in body
