"""Liaison pages, and the liaisons shown on a territory node's page."""

from django.urls import reverse

from dangjian.audit.models import Action, AuditEvent
from dangjian.people.models import Liaison
from dangjian.people.services import liaisons as liaisons_services
from dangjian.territory import services as territory_services

PERSON_ROLES = ("member", "resident", "unit_contact", "department_staff", "nobody")


def test_the_list_shows_only_liaisons_in_scope(people, world, login):
    url = reverse("people:liaison_list")
    body = login(world.users.community_worker).get(url).content.decode()
    assert "林国栋" in body and "陈副书记" in body and "李委员" in body and "郑主任" not in body
    assert "安排包联" not in body  # community workers read, admins assign
    body = login(world.users.grid_worker).get(url).content.decode()
    assert "陈副书记" in body and "李委员" in body  # the grid's and the estate lying in it
    assert "林国栋" not in body
    assert "郑主任" not in login(world.users.grid_worker).get(url, {"state": "all"}).content.decode()
    admin = login(world.users.subdistrict_admin).get(url).content.decode()
    assert "安排包联" in admin and "郑主任" not in admin


def test_the_list_filters_per_node_level_and_state(people, world, login):
    client = login(world.users.district_admin)
    url = reverse("people:liaison_list")

    def names(**params):
        return {lia.leader_name for lia in client.get(url, params).context["page"].object_list}

    assert names(node=str(world.c1.public_id)) == {"林国栋", "陈副书记", "李委员"}
    assert names(node=str(world.g1a.public_id)) == {"陈副书记", "李委员"}
    assert names(node=str(world.s2.public_id)) == {"郑主任"}
    assert names(level="district") == {"林国栋", "郑主任"}
    liaisons_services.liaison_end(actor=None, liaison=people.liaison_c3)
    assert "郑主任" not in names()
    assert names(state="ended") == {"郑主任"}
    assert len(names(state="all")) == 4


def test_assigning_and_ending_are_for_admins_only(people, world, login, assert_scoped):
    u = world.users
    create = reverse("people:liaison_create")
    end = reverse("people:liaison_end", args=[people.liaison_c1.public_id])
    for user in (u.community_worker, u.grid_worker):
        client = login(user)
        assert client.get(create).status_code == 404
        assert client.get(end).status_code == 404
    assert_scoped(end, owner=u.subdistrict_admin, colleague=u.district_admin, outsider=u.subdistrict_admin_outsider)
    for role in PERSON_ROLES:
        client = login(getattr(u, role))
        for url in (reverse("people:liaison_list"), create, end):
            assert client.get(url).status_code == 404, (role, url)


def test_an_admin_assigns_a_liaison_from_a_node_and_ends_it_with_confirmation(people, world, login):
    client = login(world.users.subdistrict_admin)
    form = client.get(reverse("people:liaison_create"), {"area": str(world.g1b.public_id)})
    assert form.context["form"].initial["area"] == world.g1b.public_id
    response = client.post(
        reverse("people:liaison_create"),
        {
            "leader_name": "周副主任",
            "post": "街道办事处副主任",
            "level": "subdistrict",
            "area": str(world.g1b.public_id),
        },
    )
    assert response["Location"] == reverse("territory:detail", args=[world.g1b.public_id])
    liaison = Liaison.objects.get(leader_name="周副主任")
    assert liaison.area == world.g1b and liaison.is_active
    both = client.post(
        reverse("people:liaison_create"),
        {
            "leader_name": "甲",
            "post": "乙",
            "level": "district",
            "area": str(world.c1.public_id),
            "estate": str(world.estate.public_id),
        },
    )
    assert "只选一个" in both.content.decode()
    outside = client.post(
        reverse("people:liaison_create"),
        {"leader_name": "甲", "post": "乙", "level": "district", "area": str(world.c3.public_id)},
    )
    assert outside.status_code == 200 and not Liaison.objects.filter(leader_name="甲").exists()
    end_url = reverse("people:liaison_end", args=[liaison.public_id])
    assert "确定结束「周副主任（街道办事处副主任）」" in client.get(end_url).content.decode()
    client.post(end_url)
    liaison.refresh_from_db()
    assert not liaison.is_active and liaison.ended_on is not None
    assert AuditEvent.objects.filter(object_id=str(liaison.public_id), action=Action.UPDATE).exists()
    assert "已经结束" in client.post(end_url).content.decode()


def test_the_territory_page_shows_the_liaisons_of_the_node(people, world, login):
    community = login(world.users.community_worker).get(reverse("territory:detail", args=[world.c1.public_id]))
    body = community.content.decode()
    assert "包联领导" in body
    for name in ("林国栋", "陈副书记", "李委员"):
        assert name in body
    assert "安排包联" not in body
    grid = login(world.users.grid_worker).get(reverse("territory:detail", args=[world.g1a.public_id])).content.decode()
    assert "陈副书记" in grid and "李委员" in grid and "林国栋" not in grid
    admin = login(world.users.subdistrict_admin).get(reverse("territory:detail", args=[world.c1.public_id]))
    assert f"{reverse('people:liaison_create')}?area={world.c1.public_id}" in admin.content.decode()
    liaisons_services.liaison_end(actor=None, liaison=people.liaison_c1)
    again = login(world.users.community_worker).get(reverse("territory:detail", args=[world.c1.public_id]))
    assert "林国栋" not in again.content.decode()  # ended assignments stay in the list page, not on the node


def test_the_territory_page_stays_bounded_with_liaisons(people, world, count_queries):
    url = reverse("territory:detail", args=[world.c1.public_id])
    before = count_queries(world.users.district_admin, url)
    for n in range(5):
        estate = territory_services.estate_save(
            actor=None, community=world.c1, name=f"新小区{n}", lat=22.201, lng=113.501
        )
        liaisons_services.liaison_assign(
            actor=None, leader_name=f"领导{n}", post="委员", level="community", estate=estate
        )
        liaisons_services.liaison_assign(
            actor=None, leader_name=f"领导{n}", post="委员", level="community", area=world.g1b
        )
    assert count_queries(world.users.district_admin, url) == before


def test_the_liaison_list_has_bounded_queries(people, world, count_queries):
    url = reverse("people:liaison_list")
    before = count_queries(world.users.district_admin, url)
    for n in range(5):
        liaisons_services.liaison_assign(
            actor=None, leader_name=f"领导{n}", post="委员", level="district", area=world.c3
        )
        liaisons_services.liaison_assign(
            actor=None, leader_name=f"领导{n}", post="委员", level="district", estate=world.estate3
        )
    assert count_queries(world.users.district_admin, url) == before
