"""The household register pages: grid workers keep their grid's buildings, community workers their
community's, admins their subtree; tags across the scope; removal asks first; phones revealed with audit."""

from django.urls import reverse

from dangjian.audit.models import Action, AuditEvent
from dangjian.people.models import Household, Resident
from dangjian.people.services import residents as residents_services
from dangjian.territory import services as territory_services

PERSON_ROLES = ("member", "resident", "unit_contact", "department_staff", "nobody")


def register_urls(people, world) -> list[str]:
    return [
        reverse("people:building_households", args=[world.building.public_id]),
        reverse("people:resident_create", args=[people.household.public_id]),
        reverse("people:household_remove", args=[people.household.public_id]),
        reverse("people:resident_edit", args=[people.resident.public_id]),
        reverse("people:resident_remove", args=[people.resident.public_id]),
    ]


def test_register_pages_are_scoped_to_the_grid(people, world, assert_scoped):
    u = world.users
    for url in register_urls(people, world):
        assert_scoped(url, owner=u.grid_worker, colleague=u.community_worker, outsider=u.grid_worker_outsider)
        assert_scoped(
            url, owner=u.community_worker, colleague=u.community_worker_colleague, outsider=u.community_worker_outsider
        )
        assert_scoped(url, owner=u.subdistrict_admin, colleague=u.district_admin, outsider=u.subdistrict_admin_outsider)


def test_a_grid_worker_does_not_see_the_next_grids_buildings(people, world, login):
    # A building of 婆石 in its second grid: the community's, not the first grid worker's.
    other = territory_services.building_save(
        actor=None, community=world.c1, estate=world.estate, name="9栋", lat=22.205, lng=113.515
    )
    assert other.grid == world.g1b
    url = reverse("people:building_households", args=[other.public_id])
    assert login(world.users.grid_worker).get(url).status_code == 404
    assert login(world.users.community_worker).get(url).status_code == 200
    home = login(world.users.grid_worker).get(reverse("people:resident_home")).content.decode()
    assert "中珠新村1栋" in home and "9栋" not in home


def test_person_roles_get_404_on_the_register(people, world, login):
    urls = [reverse("people:resident_home"), *register_urls(people, world)]
    for role in PERSON_ROLES:
        client = login(getattr(world.users, role))
        for url in urls:
            assert client.get(url).status_code == 404, (role, url)
        assert client.post(reverse("people:resident_reveal", args=[people.resident.public_id])).status_code == 404


def test_the_tag_filter_lists_tagged_residents_across_the_scope(people, world, login):
    client = login(world.users.grid_worker)
    response = client.get(reverse("people:resident_home"), {"tag": "elderly_alone"})
    body = response.content.decode()
    assert "张奶奶" in body and "张小军" not in body and "海虹老人" not in body
    assert "137****1111" in body and "13700001111" not in body
    assert {code: n for code, _label, n in response.context["tag_counts"]}["elderly_alone"] == 1
    veterans = client.get(reverse("people:resident_home"), {"tag": "veteran"}).content.decode()
    assert "张小军" in veterans and "张奶奶" not in veterans
    district = login(world.users.district_admin).get(reverse("people:resident_home"), {"tag": "elderly_alone"})
    assert {r.name for r in district.context["page"].object_list} == {"张奶奶", "海虹老人"}


def test_register_pages_have_bounded_queries(people, world, count_queries):
    urls = [
        reverse("people:resident_home"),
        reverse("people:resident_home") + "?tag=elderly_alone",
        reverse("people:building_households", args=[world.building.public_id]),
    ]
    before = [count_queries(world.users.grid_worker, url) for url in urls]
    for n in range(6):
        household = residents_services.household_create(actor=None, building=world.building, room=f"{n + 4}01")
        residents_services.resident_create(actor=None, household=household, name=f"居民{n}", tags=["elderly_alone"])
        territory_services.building_save(
            actor=None, community=world.c1, estate=world.estate, name=f"{n + 2}栋", lat=22.206, lng=113.506
        )
    assert [count_queries(world.users.grid_worker, url) for url in urls] == before


def test_a_grid_worker_adds_a_household_and_a_resident_with_tags(people, world, login):
    client = login(world.users.grid_worker)
    add_household = reverse("people:household_create", args=[world.building.public_id])
    duplicate = client.post(add_household, {"room": "301"})
    assert duplicate.status_code == 400 and "已有房号「301」" in duplicate.content.decode()
    response = client.post(add_household, {"room": "602"})
    household = Household.objects.get(building=world.building, room="602")
    assert response["Location"] == reverse("people:resident_create", args=[household.public_id])
    bad = client.post(response["Location"], {"name": "刘伯", "mobile": "123", "tags": ["elderly_alone"]})
    assert "固定电话" in bad.content.decode()
    done = client.post(response["Location"], {"name": "刘伯", "mobile": "0756-2123456", "tags": ["elderly_alone"]})
    assert done.status_code == 302 and done["Location"].endswith(f"#hh-{household.public_id}")
    resident = Resident.objects.get(name="刘伯")
    assert (resident.household, resident.mobile, resident.tags) == (household, "07562123456", ["elderly_alone"])
    row = AuditEvent.objects.filter(object_type="people.resident", action=Action.CREATE).latest("pk")
    assert row.actor == world.users.grid_worker and row.area_path == world.g1a.path


def test_editing_a_resident(people, world, login):
    client = login(world.users.grid_worker)
    url = reverse("people:resident_edit", args=[people.resident.public_id])
    page = client.get(url).content.decode()
    assert 'value="elderly_alone"' in page and "checked" in page
    assert "13700001111" in page  # the form shows the number to change it: recorded as a reveal
    assert AuditEvent.objects.get(action=Action.REVEAL).changes == {"field": "mobile", "via": "edit"}
    client.post(url, {"name": "张奶奶", "mobile": "", "tags": ["elderly_alone", "in_hardship"]})
    people.resident.refresh_from_db()
    assert people.resident.tags == ["elderly_alone", "in_hardship"] and people.resident.mobile == ""


def test_removing_a_resident_asks_first(people, world, login):
    client = login(world.users.grid_worker)
    url = reverse("people:resident_remove", args=[people.resident.public_id])
    confirm = client.get(url)
    assert "确定要把「张奶奶」" in confirm.content.decode()
    assert Resident.objects.filter(pk=people.resident.pk).exists()
    client.post(url)
    assert not Resident.objects.filter(pk=people.resident.pk).exists()
    assert client.post(reverse("people:resident_remove", args=[people.resident3.public_id])).status_code == 404
    assert Resident.objects.filter(pk=people.resident3.pk).exists()


def test_a_household_is_deleted_only_when_empty(people, world, login):
    client = login(world.users.community_worker)
    url = reverse("people:household_remove", args=[people.household.public_id])
    refused = client.post(url)
    assert "请先移除居民" in refused.content.decode()
    Resident.objects.filter(household=people.household).delete()
    assert client.post(url).status_code == 302
    assert not Household.objects.filter(pk=people.household.pk).exists()


def test_revealing_a_residents_phone_is_audited(people, world, login):
    url = reverse("people:resident_reveal", args=[people.resident.public_id])
    client = login(world.users.grid_worker)
    assert client.get(url).status_code == 405
    assert client.post(url).content.decode() == "13700001111"
    row = AuditEvent.objects.get(action=Action.REVEAL)
    assert row.object_type == "people.resident" and row.changes == {"field": "mobile"}
    assert login(world.users.grid_worker_outsider).post(url).status_code == 404
    assert AuditEvent.objects.filter(action=Action.REVEAL).count() == 1


def test_residents_follow_their_building_into_another_grid_and_a_moved_community(people, world, login):
    """A resident's stored path (its scope and the tag list's order) follows the building's grid and a
    move of its community: the grid worker who now keeps the building sees the resident, the old one not."""
    u = world.users
    assert people.resident.area_path == world.g1a.path

    # Redrawn: the building's point now lies in the second grid of 婆石.
    territory_services.building_save(
        actor=None,
        building=world.building,
        community=world.c1,
        estate=world.estate,
        name="1栋",
        lat=22.205,
        lng=113.515,
    )
    people.resident.refresh_from_db()
    assert people.resident.area_path == world.g1b.path
    assert not Resident.objects.visible_to(u.grid_worker).filter(pk=people.resident.pk).exists()
    assert Resident.objects.visible_to(u.community_worker).filter(pk=people.resident.pk).exists()

    territory_services.area_move(actor=None, area=world.c1, new_parent=world.s2)
    world.g1b.refresh_from_db()
    people.resident.refresh_from_db()
    assert people.resident.area_path == world.g1b.path and world.g1b.path.startswith(world.s2.path)
    assert Resident.objects.visible_to(u.subdistrict_admin_outsider).filter(pk=people.resident.pk).exists()
    assert not Resident.objects.visible_to(u.subdistrict_admin).filter(pk=people.resident.pk).exists()


def test_the_tag_list_pages_by_cursor_past_the_numbered_pages(people, world, login):
    for n in range(6 * 25 + 3):  # past the five numbered pages of 25
        household = residents_services.household_create(actor=None, building=world.building, room=f"{n + 1000}")
        residents_services.resident_create(actor=None, household=household, name=f"老人{n:03d}", tags=["elderly_alone"])
    client = login(world.users.grid_worker)
    url = reverse("people:resident_home")
    seen: list[str] = []
    response = client.get(url, {"tag": "elderly_alone", "page": 5})
    page = response.context["page"]
    seen_first = [r.name for r in client.get(url, {"tag": "elderly_alone"}).context["page"].object_list]
    assert len(seen_first) == 25 and page.has_next
    while page.has_next:
        seen += [r.name for r in page.object_list]
        response = client.get(url + "?tag=elderly_alone&" + page.next_query)
        page = response.context["page"]
    seen += [r.name for r in page.object_list]
    assert len(seen) == len(set(seen)) and seen[-1] == "老人152"  # the last added, in order; none twice
