import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.conftest import square
from dangjian.territory import services
from dangjian.territory.models import Area


def test_tree_shows_only_the_users_subtree(world, login):
    client = login(world.users.subdistrict_admin)
    body = client.get(reverse("territory:tree")).content.decode()
    assert "拱北街道" in body and "吉大街道" not in body and "香洲区" not in body


def test_tree_is_not_for_person_roles(world, login):
    for user in (world.users.resident, world.users.member, world.users.unit_contact, world.users.department_staff):
        assert login(user).get(reverse("territory:tree")).status_code == 404


def test_tree_searches_by_name_and_pinyin_initials_within_scope(world, login):
    client = login(world.users.district_admin)
    body = client.get(reverse("territory:tree"), {"q": "pssq"}).content.decode()
    assert "婆石社区" in body
    body = client.get(reverse("territory:tree"), {"q": "海虹"}).content.decode()
    assert "海虹社区" in body
    partial = client.get(reverse("territory:tree"), {"q": "hh", "partial": "search"}, HTTP_HX_REQUEST="true")
    assert "海虹社区" in partial.content.decode() and "<html" not in partial.content.decode()
    outsider = login(world.users.subdistrict_admin_outsider)  # 吉大 admin: 婆石 is not theirs
    assert "婆石社区" not in outsider.get(reverse("territory:tree"), {"q": "pssq"}).content.decode()


def test_detail_children_map_and_map_data_are_scoped(world, assert_scoped):
    u = world.users
    for name in ("detail", "children", "map", "map_data"):
        url = reverse(f"territory:{name}", args=[world.c1.public_id])
        assert_scoped(
            url, owner=u.community_worker, colleague=u.community_worker_colleague, outsider=u.community_worker_outsider
        )
        assert_scoped(url, owner=u.subdistrict_admin, colleague=u.district_admin, outsider=u.subdistrict_admin_outsider)
    grid_url = reverse("territory:detail", args=[world.g1a.public_id])
    assert_scoped(grid_url, owner=u.grid_worker, colleague=u.community_worker, outsider=u.grid_worker_outsider)
    missing = reverse("territory:detail", args=["00000000-0000-0000-0000-000000000000"])
    assert_scoped(missing, owner=None, outsider=u.district_admin)


def test_map_data_is_geojson_of_what_the_user_sees(world, login):
    data = login(world.users.grid_worker).get(reverse("territory:map_data", args=[world.g1a.public_id])).json()
    kinds = sorted((f["properties"]["kind"], f["properties"]["name"]) for f in data["features"])
    assert kinds == [("building", "中珠新村1栋"), ("estate", "中珠新村"), ("grid", "婆石第一网格")]
    data = login(world.users.district_admin).get(reverse("territory:map_data", args=[world.district.public_id])).json()
    assert sum(f["properties"]["kind"] == "grid" for f in data["features"]) == 4
    assert data["features"][0]["geometry"]["type"] == "Polygon"


def test_locate_answers_only_inside_the_scope(world, login):
    url = reverse("territory:locate")
    inside = login(world.users.community_worker).get(url, {"lat": 22.205, "lng": 113.505}).json()
    assert inside["grid"] == "婆石第一网格" and inside["status"] == "inside"
    border = login(world.users.community_worker).get(url, {"lat": 22.205, "lng": 113.51}).json()
    assert border["status"] == "border" and "边界" in border["message"]
    hidden = login(world.users.community_worker_outsider).get(url, {"lat": 22.205, "lng": 113.505}).json()
    assert hidden["status"] == "outside" and "grid" not in hidden
    assert login(world.users.community_worker).get(url, {"lat": "x"}).status_code == 400


def test_grid_import_page_is_scoped_and_reports_overlaps(world, login, assert_scoped):
    u = world.users
    url = reverse("territory:grid_import", args=[world.c1.public_id])
    assert_scoped(
        url, owner=u.community_worker, colleague=u.community_worker_colleague, outsider=u.community_worker_outsider
    )
    assert login(u.grid_worker).get(url).status_code == 404  # grid workers don't import
    assert login(u.district_admin).get(reverse("territory:grid_import", args=[world.g1a.public_id])).status_code == 404
    bad = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"name": "撞车网格"}, "geometry": square(113.505, 22.2)}],
    }
    client = login(u.community_worker)
    response = client.post(url, {"file": SimpleUploadedFile("g.geojson", json.dumps(bad).encode())})
    assert response.status_code == 200
    assert "「婆石社区 · 撞车网格」与「婆石社区 · 婆石第一网格」重叠" in response.content.decode()
    assert not Area.objects.filter(name="撞车网格").exists()
    response = client.post(url, {"file": SimpleUploadedFile("g.geojson", b"{not json")})
    assert "不是有效的 JSON" in response.content.decode()
    good = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"name": "新网格"}, "geometry": square(113.6, 22.0)}],
    }
    response = client.post(url, {"file": SimpleUploadedFile("g.geojson", json.dumps(good).encode())})
    assert response.status_code == 302
    assert Area.objects.get(name="新网格").parent == world.c1


def test_tree_and_detail_pages_have_bounded_queries(world, count_queries):
    admin = world.users.district_admin
    tree_url, detail_url = reverse("territory:tree"), reverse("territory:detail", args=[world.c1.public_id])
    before = (count_queries(admin, tree_url), count_queries(admin, detail_url))
    for n in range(5):
        services.area_create(actor=None, level="subdistrict", name=f"新街道{n}", parent=world.district)
        estate = services.estate_save(
            actor=None, community=world.c1, name=f"新小区{n}", lat=22.201 + n / 1000, lng=113.501
        )
        services.building_save(actor=None, community=world.c1, estate=estate, name="1栋", lat=22.201, lng=113.501)
    assert (count_queries(admin, tree_url), count_queries(admin, detail_url)) == before
