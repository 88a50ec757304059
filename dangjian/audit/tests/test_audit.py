from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.conftest import make_user
from dangjian.territory import services as territory_services


def test_service_writes_record_actor_role_and_changes(world):
    admin = world.users.district_admin
    territory_services.area_update(actor=admin, area=world.c2, name="茂盛新社区", code="440402001002")
    event = AuditEvent.objects.filter(object_id=str(world.c2.public_id), action="update").get()
    assert event.actor == admin and event.role == "district_admin" and event.actor_name == "qu"
    assert event.changes == {"name": ["茂盛社区", "茂盛新社区"], "code": ["", "440402001002"]}
    assert event.area_path == world.c2.path
    # A write that changes nothing records nothing.
    territory_services.area_update(actor=admin, area=world.c2, name="茂盛新社区")
    assert AuditEvent.objects.filter(object_id=str(world.c2.public_id), action="update").count() == 1
    created = AuditEvent.objects.get(object_id=str(world.g1a.public_id), action="create")
    assert created.actor is None and created.actor_name == "系统" and created.changes["name"] == [None, "婆石第一网格"]


def test_audit_page_is_for_district_admins_of_that_district_only(world, login):
    u = world.users
    url = reverse("audit:list")
    body = login(u.district_admin).get(url).content.decode()
    assert "婆石第一网格" in body
    for user in (u.subdistrict_admin, u.community_worker, u.grid_worker, u.resident, u.department_staff):
        assert login(user).get(url).status_code == 404
    other_district = territory_services.area_create(
        actor=None, level="district", name="斗门区", parent=None, code="440403"
    )
    outsider = make_user("qu2", "district_admin", area=other_district)
    body = login(outsider).get(url).content.decode()
    assert "斗门区" in body and "婆石第一网格" not in body


def test_audit_page_filters_by_who_what_and_when(world, login):
    admin = world.users.district_admin
    territory_services.area_update(actor=admin, area=world.c2, name="茂盛新社区")
    client = login(admin)
    page = client.get(reverse("audit:list"), {"who": "qu"}).context["page"]
    assert [e.object_repr for e in page.object_list] == ["茂盛新社区"]
    page = client.get(reverse("audit:list"), {"action": "update", "what": "茂盛"}).context["page"]
    assert len(page.object_list) == 1
    page = client.get(reverse("audit:list"), {"since": "2000-01-01", "until": "2000-01-02"}).context["page"]
    assert len(page.object_list) == 0
    assert client.get(reverse("audit:list"), {"since": "not-a-date"}).status_code == 200


def test_audit_page_has_bounded_queries(world, count_queries):
    admin = world.users.district_admin
    before = count_queries(admin, reverse("audit:list"))
    for n in range(10):
        territory_services.area_update(actor=admin, area=world.c2, name=f"茂盛{n}")
    assert count_queries(admin, reverse("audit:list")) == before


def test_the_audit_page_links_its_export_with_the_same_filters(world, login):
    body = login(world.users.district_admin).get(reverse("audit:list"), {"who": "qu"}).content.decode()
    assert reverse("imports:export_audit") + "?who=qu&amp;" in body
    export = login(world.users.district_admin).get(reverse("imports:export_audit"), {"who": "qu"})
    assert export.status_code == 200
    assert AuditEvent.objects.filter(action="export").exists()
