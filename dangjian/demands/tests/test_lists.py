import pytest
from django.urls import reverse

from dangjian.registration.selectors import community_five_lists

from .. import lists
from ..models import DemandStatus
from . import insight_fixtures as f


@pytest.fixture(autouse=True)
def registered():
    # Another test may have popped a source from the registry it shares with the whole process.
    lists.register()


def _scene(world):
    w = world
    m = f.member("张敏", community=w.c1)
    f.demand(community=w.c1, title="帮忙买菜", status=DemandStatus.SUBMITTED)
    f.demand(community=w.c1, title="撤回的需求", status=DemandStatus.WITHDRAWN)
    f.demand(community=w.c1, title="修水龙头", status=DemandStatus.DONE, assigned_member=m, hours="1.5")
    f.demand(community=w.c1, title="陪老人看病", status=DemandStatus.RATED, assigned_member=m, hours="2.0", rating=5,
             rating_note="非常耐心")  # fmt: skip
    f.demand(community=w.c3, title="别的社区", status=DemandStatus.RATED, rating=4)


def test_the_three_lists_hold_the_communitys_demands_services_and_ratings(world):
    _scene(world)
    assert {d.title for d in lists.community_demands(world.c1)} == {"帮忙买菜", "修水龙头", "陪老人看病"}
    assert {d.title for d in lists.community_services(world.c1)} == {"修水龙头", "陪老人看病"}
    assert [d.title for d in lists.community_evaluations(world.c1)] == ["陪老人看病"]
    sections = {s.key: s for s in community_five_lists(world.c1)}
    assert sections["demands"].count == 3 and sections["services"].count == 2 and sections["evaluations"].count == 1


def test_the_five_lists_page_shows_them(world, login, count_queries):
    _scene(world)
    client = login(world.users.community_worker)
    url = reverse("registration:five_lists", args=[world.c1.public_id])
    demands = client.get(url, {"list": "demands"}).content.decode()
    assert "帮忙买菜" in demands and "撤回的需求" not in demands and "别的社区" not in demands
    services = client.get(url, {"list": "services"}).content.decode()
    assert "修水龙头" in services and "张敏" in services and "1.5" in services and "帮忙买菜" not in services
    ratings = client.get(url, {"list": "evaluations"}).content.decode()
    assert "非常耐心" in ratings and "★★★★★" in ratings
    first = count_queries(world.users.community_worker, url + "?list=services")
    for i in range(6):
        f.demand(community=world.c1, title=f"服务{i}", status=DemandStatus.DONE, assigned_member=f.member(
            f"党员{i}", community=world.c1), hours="1.0")  # fmt: skip
    assert count_queries(world.users.community_worker, url + "?list=services") == first
