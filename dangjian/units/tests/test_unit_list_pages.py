"""The unit list costs a page: keyset pages by name (numbered, then by cursor) that keep the filters, each
row with its formation and effective members as before, a count capped at core.keyset.COUNT_CAP."""

from __future__ import annotations

from django.urls import reverse

from dangjian.core.keyset import COUNT_CAP
from dangjian.core.testing import walk_pages
from dangjian.units import selectors
from dangjian.units.models import ResidentUnit


def walk(client, params: str = "") -> tuple[list[ResidentUnit], list[str]]:
    return walk_pages(client, reverse("units:list"), params)


def test_every_unit_is_reached_once_by_name_with_its_facts_and_the_filters_kept(cov, login):
    world = cov.world
    ResidentUnit.objects.bulk_create(
        [
            ResidentUnit(name=f"批量单位{k:04d}", kind="enterprise", community=world.c1 if k % 2 else world.c2)
            for k in range(170)
        ]
    )
    admin = world.users.district_admin
    client = login(admin)
    rows, links = walk(client)
    expected = list(selectors.unit_list(admin))  # annotated in one query, the old way
    assert [u.pk for u in rows] == [u.pk for u in expected] and len(rows) > 170
    assert [(u.formation, u.eff_members) for u in rows] == [(u.formation, u.eff_members) for u in expected]
    assert any(link.startswith("after=") for link in links)
    rows, links = walk(client, f"community={world.c1.public_id}&formation=none")
    assert rows == [u for u in expected if u.community_id == world.c1.pk and u.formation == "none"]
    assert len(rows) > 85 and all("formation=none" in link and "community=" in link for link in links)


def test_the_unit_count_is_capped(cov, login):
    world = cov.world
    ResidentUnit.objects.bulk_create(
        [ResidentUnit(name=f"批量单位{k:05d}", kind="enterprise", community=world.c1) for k in range(COUNT_CAP)]
    )
    page = login(world.users.district_admin).get(reverse("units:list")).context["page"]
    assert page.count.capped and str(page.count) == f"{COUNT_CAP}+"
