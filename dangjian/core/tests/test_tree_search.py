"""The tree browsers (organizations, territory) find a node by its name, its pinyin initials, and its full
pinyin; the full pinyin is stored (and backfilled for existing rows), so the search reads one column."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.urls import reverse

from dangjian.orgs import services as org_services
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area


def test_the_org_tree_finds_by_full_pinyin(world, login):
    org_services.org_create(
        actor=None, org_type="estate_branch", name="恒雅苑小区党支部", parent=world.cc1, area=world.c1
    )
    client = login(world.users.community_worker)
    for query in ("hengya", "HengYaYuan", "hyy", "恒雅"):
        assert "恒雅苑小区党支部" in client.get(reverse("orgs:tree"), {"q": query}).content.decode(), query
    # Still scoped: the outsider's search does not reach it.
    outsider = login(world.users.community_worker_outsider)
    assert "恒雅苑" not in outsider.get(reverse("orgs:tree"), {"q": "hengya"}).content.decode()


def test_the_territory_tree_finds_by_full_pinyin(world, login):
    client = login(world.users.subdistrict_admin)
    body = client.get(reverse("territory:tree"), {"q": "poshi"}).content.decode()
    assert "婆石社区" in body and "茂盛社区" not in body
    assert "海虹社区" not in client.get(reverse("territory:tree"), {"q": "haihong"}).content.decode()  # out of scope


def test_a_renamed_org_is_found_by_its_new_full_pinyin(world):
    org = org_services.org_update(actor=None, org=world.eb, name="恒雅苑小区党支部")
    assert org.pinyin_full == "hengyayuanxiaoqudangzhibu"


def test_the_migrations_backfill_existing_rows(world):
    PartyOrg.objects.update(pinyin_full="")
    Area.objects.update(pinyin_full="")
    importlib.import_module("dangjian.orgs.migrations.0003_party_org_full_pinyin").backfill(apps, None)
    importlib.import_module("dangjian.territory.migrations.0003_area_full_pinyin").backfill(apps, None)
    assert PartyOrg.objects.get(pk=world.eb.pk).pinyin_full == "zhongzhuxincunxiaoqudangzhibu"
    assert Area.objects.get(pk=world.s1.pk).pinyin_full == "gongbeijiedao"
    assert not Area.objects.filter(pinyin_full="").exists()
