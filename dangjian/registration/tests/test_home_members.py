"""The home-members list (registration:members, the rows behind the 双报到 figures): ?area= and
?registered=yes|no list exactly the members registration.facts counts as due and registered at every
place, within the worker's territory; a place out of scope or an unknown choice is dropped with its
error while the other filter still applies."""

from __future__ import annotations

from django.urls import reverse

from dangjian.registration import services
from dangjian.registration.facts import home_counts
from dangjian.territory.models import Area, Level

from .conftest import make_member


def listed(client, **params) -> tuple[int, set[str], object]:
    response = client.get(reverse("registration:members"), params)
    assert response.status_code == 200
    page = response.context["page"]
    return int(page.count), {m.name for m in page.object_list}, response


def test_the_list_counts_who_is_due_and_who_registered_as_the_store_does(reg_world, login, submit):
    w = reg_world
    p = w.people
    services.registration_confirm(actor=w.users.community_worker, registration=submit(p.zhang))
    submit(p.li)  # submitted, not confirmed: due, not registered
    make_member("新党员", 40, org=w.eb3, home=w.c3)
    client = login(w.users.district_admin)
    communities = list(Area.objects.filter(level=Level.COMMUNITY))
    store = home_counts(communities)
    for place in [w.s1, w.s2, *communities]:
        due = sum(store.get(c.pk, (0, 0))[0] for c in communities if c.path.startswith(place.path))
        registered = sum(store.get(c.pk, (0, 0))[1] for c in communities if c.path.startswith(place.path))
        assert listed(client, area=place.public_id)[0] == due, place.name
        assert listed(client, area=place.public_id, registered="yes")[0] == registered, place.name
        assert listed(client, area=place.public_id, registered="no")[0] == due - registered, place.name
    count, names, response = listed(client, area=w.c1.public_id, registered="yes")
    assert (count, names) == (1, {"张三"})
    assert "符合条件的党员共 1 名" in response.content.decode()
    assert listed(client, area=w.c1.public_id, registered="no")[1] == {"李四", "王建国"}  # 赵退休 is retired
    assert listed(client, area=w.c3.public_id, registered="no")[1] == {"海员", "新党员"}
    body = listed(client)[2].content.decode()
    assert "已报到" in body and "待确认" in body and "未报到" in body


def test_a_place_out_of_scope_is_dropped_and_shows_nothing_of_it(reg_world, login):
    w = reg_world
    worker = login(w.users.community_worker)  # 婆石 (c1)
    count, names, response = listed(worker, area=w.c3.public_id, registered="no")
    assert response.context["form"].errors and "area" in response.context["form"].errors
    assert names == {"张三", "李四", "王建国"} and "海员" not in response.content.decode()
    assert 'data-testid="filter-errors"' in response.content.decode()
    outsider = login(w.users.community_worker_outsider)  # 海虹 (c3)
    assert listed(outsider)[1] == {"海员"}
    assert listed(outsider, area=w.s1.public_id)[1] == {"海员"}


def test_unknown_values_are_dropped_with_their_error(reg_world, login):
    w = reg_world
    client = login(w.users.district_admin)
    count, names, response = listed(client, area=w.c1.public_id, registered="<b>maybe</b>")
    assert response.context["form"].errors.keys() == {"registered"}
    assert names == {"张三", "李四", "王建国"}  # the place still applies
    assert "<b>maybe</b>" not in response.content.decode()
    count, names, response = listed(client, area="not-a-uuid")
    assert response.context["form"].errors.keys() == {"area"} and count == 4
    grid = listed(client, area=w.g1a.public_id)[2]  # a member lives at a community: no grid filter
    assert grid.context["form"].errors.keys() == {"area"}


def test_a_filtered_list_costs_the_same_queries_whatever_the_rows(reg_world, submit, count_queries):
    w = reg_world
    url = f"{reverse('registration:members')}?area={w.s1.public_id}&registered=no"
    few = count_queries(w.users.district_admin, url)
    for k in range(12):  # more members due, some of them with a pending registration
        member = make_member(f"加测党员{k}", 60 + k, org=w.eb3, home=w.c1)
        if k % 2:
            submit(member)
    assert count_queries(w.users.district_admin, url) == few
