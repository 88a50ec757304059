"""The centre list's place and standard filters (the cockpit's centres figures link here): open centres
at a place or below, those meeting their level's floor area and those meeting the whole standard, counted
as centers.facts counts them; an out-of-scope place or an unknown choice is dropped with its error, and
a filtered page stays bounded in queries."""

import pytest
from django.urls import reverse

from dangjian.centers.facts import center_counts, standards_now
from dangjian.centers.models import Norm, ServiceCenter
from dangjian.centers.services import centres

LIST = reverse("centers:list")
ALL_NORMS = dict.fromkeys(Norm.values, True)


@pytest.fixture
def more(world, net):
    full = centres.center_create(
        actor=None, area=world.c1, name="中珠新村小区党群服务站", level="estate", lat=22.205, lng=113.505,
        floor_area=350, functions=["party_activity", "deliberation"], norms=ALL_NORMS,
    )  # fmt: skip
    closed = centres.center_create(
        actor=None, area=world.c1, name="停用服务站", level="estate", lat=22.205, lng=113.505, floor_area=600,
        is_active=False,
    )  # fmt: skip
    small = centres.center_create(
        actor=None, area=world.g1a, name="网格服务点", level="estate", lat=22.2, lng=113.5, floor_area=100
    )
    return full, closed, small


def _names(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    page = response.context["page"]
    assert page.count == page.paginator.count
    return response, {c.name for c in page.object_list}


def test_the_filters_count_what_the_figures_count(world, net, more, login):
    full, closed, small = more
    admin = login(world.users.district_admin)
    _, names = _names(admin, open="on")
    assert names == {net.c1.name, net.c3.name, full.name, small.name}
    _, names = _names(admin, open="on", meets="area")
    assert names == {net.c3.name, full.name}  # 800 ≥ 500, 350 ≥ 300
    _, names = _names(admin, open="on", meets="standard")
    assert names == {full.name}
    _, names = _names(admin, open="on", meets="area_short")
    assert names == {net.c1.name, small.name}
    _, names = _names(admin, meets="short")
    assert names == {net.c1.name, net.c3.name, small.name, closed.name}
    _, names = _names(admin, open="on", area=str(world.c1.public_id))
    assert names == {net.c1.name, full.name, small.name}  # the grid's centre lies under the community
    _, names = _names(admin, open="on", area=str(world.g1a.public_id))
    assert names == {small.name}
    # The same test as the figures: each filter's rows are the centres whose counter is 1.
    standards = standards_now()
    for meets, counter in (("area", "area_met"), ("standard", "standard_met")):
        by_hand = {
            c.name
            for c in ServiceCenter.objects.filter(is_active=True)
            if center_counts(
                level=c.level, floor_area=c.floor_area, functions=c.functions, norms=c.norms, standards=standards
            )[counter]
        }
        assert _names(admin, open="on", meets=meets)[1] == by_hand, meets


def test_an_out_of_scope_place_or_a_bad_choice_is_dropped(world, net, more, login):
    full, closed, small = more
    worker = login(world.users.community_worker)
    response, names = _names(worker, open="on", area=str(world.c3.public_id))
    assert response.context["form"].errors and names == {net.c1.name, full.name, small.name}
    assert 'data-testid="filter-errors"' in response.content.decode()
    response, names = _names(worker, area="not-a-uuid", meets="bogus")
    assert set(response.context["form"].errors) == {"area", "meets"}
    assert names == {net.c1.name, full.name, small.name, closed.name}
    response, names = _names(worker, meets="standard")
    assert not response.context["form"].errors and names == {full.name}
    assert "符合条件的服务中心共 1 个" in response.content.decode()


def test_a_filtered_list_stays_bounded(world, net, more, count_queries):
    from .test_views import _more_centres

    url = f"{LIST}?area={world.c1.public_id}&open=on&meets=area_short"
    _more_centres(world, 2, 0)
    before = count_queries(world.users.district_admin, url)
    _more_centres(world, 5, 10)
    assert count_queries(world.users.district_admin, url) == before
