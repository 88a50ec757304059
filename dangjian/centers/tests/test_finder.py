"""The public centre finder (/nearby/) for a signed-in resident: their own community by default, a map
of the listed centres, and the way to case tracking."""

import json
import re

from django.urls import reverse

from dangjian.conftest import make_user


def map_points(body: str) -> list[dict]:
    found = re.search(r'<script id="finder-points" type="application/json">(.*?)</script>', body, re.S)
    assert found, "no map data on the page"
    return json.loads(found.group(1))


def test_a_signed_in_resident_sees_their_own_communitys_centres_first(world, net, login):
    body = login(world.users.resident).get(reverse("centers_public:finder")).content.decode()
    assert "按您所在的婆石社区查找" in body
    assert body.index("婆石社区党群服务中心") < body.index("海虹社区党群服务中心")  # nearest to home first
    points = map_points(body)
    assert points[0]["name"] == "婆石社区党群服务中心"
    assert (points[0]["lat"], points[0]["lng"]) == (net.c1.lat, net.c1.lng)
    assert points[0]["url"] == reverse("centers_public:center", args=[net.c1.public_id])
    assert reverse("cases:track") in body


def test_an_explicit_choice_or_location_wins_over_the_home_community(world, net, login):
    client = login(world.users.resident)
    body = client.get(reverse("centers_public:finder") + f"?community={world.c3.public_id}").content.decode()
    assert "按您所在的" not in body
    assert map_points(body)[0]["name"] == "海虹社区党群服务中心"  # nearest to the chosen community first
    body = client.get(reverse("centers_public:finder") + "?lat=22.40&lng=113.70").content.decode()
    assert "按您所在的" not in body and map_points(body)[0]["name"] == "海虹社区党群服务中心"


def test_without_a_home_community_or_sign_in_nothing_is_assumed(world, net, client, login):
    body = client.get(reverse("centers_public:finder")).content.decode()
    assert "按您所在的" not in body and "请选择所在社区，或允许使用您的位置" in body
    assert 'id="finder-map"' not in body and reverse("cases:track") in body
    body = login(make_user("jm9", "resident")).get(reverse("centers_public:finder")).content.decode()
    assert "按您所在的" not in body


def test_the_login_page_links_to_case_tracking(client):
    body = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{reverse("cases:track")}"' in body


def test_map_names_are_data_not_markup(world, net, login):
    net.c1.name = "</script><script>alert(1)</script>"
    net.c1.save()
    body = login(world.users.resident).get(reverse("centers_public:finder")).content.decode()
    assert "<script>alert(1)" not in body
    assert map_points(body)[0]["name"] == "</script><script>alert(1)</script>"
