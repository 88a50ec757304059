import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.orgs import services
from dangjian.orgs.models import PartyOrg


def test_it_enforces_the_shape_of_the_tree(world):
    with pytest.raises(ValidationError, match="上级组织应为"):
        services.org_create(actor=None, org_type="hub_household", name="悬空中心户", parent=world.wc1, area=world.c1)
    with pytest.raises(ValidationError):
        services.org_create(actor=None, org_type="working_committee", name="第二区委下", parent=None, area=world.s1)
    with pytest.raises(ValidationError, match="属地范围"):
        services.org_create(
            actor=None, org_type="branch", name="错位支部", parent=world.cc3, area=world.c3, unit=world.unit
        )
    ok = services.org_create(actor=None, org_type="party_group", name="第一党小组", parent=world.eb, area=world.c1)
    assert ok.parent == world.eb and ok.depth == world.eb.depth + 1


def test_org_pages_are_scoped(world, assert_scoped):
    u = world.users
    for name in ("detail", "children"):
        url = reverse(f"orgs:{name}", args=[world.cc1.public_id])
        assert_scoped(
            url, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider
        )
    url = reverse("orgs:detail", args=[world.hub.public_id])
    assert_scoped(url, owner=u.community_worker, colleague=u.district_admin, outsider=u.subdistrict_admin_outsider)


def test_org_tree_starts_at_the_users_top_and_searches_by_pinyin(world, login):
    client = login(world.users.community_worker)
    body = client.get(reverse("orgs:tree")).content.decode()
    assert "婆石社区大党委" in body and "拱北街道党工委" not in body
    body = client.get(reverse("orgs:tree"), {"q": "zzxc"}).content.decode()  # 中珠新村…
    assert "中珠新村小区党支部" in body
    assert "海虹" not in client.get(reverse("orgs:tree"), {"q": "hhhy"}).content.decode()
    assert login(world.users.resident).get(reverse("orgs:tree")).status_code == 404


def test_org_detail_shows_counts_by_type_at_any_depth(world, login):
    body = login(world.users.district_admin).get(reverse("orgs:detail", args=[world.dc.public_id])).content.decode()
    assert "党员中心户" in body and "楼宇党小组" in body and "街道党工委" in body


def test_org_pages_have_bounded_queries(world, count_queries):
    admin = world.users.district_admin
    urls = [reverse("orgs:tree"), reverse("orgs:detail", args=[world.cc1.public_id])]
    before = [count_queries(admin, url) for url in urls]
    for n in range(6):
        services.org_create(actor=None, org_type="branch", name=f"新支部{n}", parent=world.cc1, area=world.c1)
        services.org_create(
            actor=None, org_type="working_committee", name=f"新党工委{n}", parent=world.dc, area=world.s2
        )
    assert [count_queries(admin, url) for url in urls] == before
    assert PartyOrg.objects.filter(parent=world.cc1).count() == 8
