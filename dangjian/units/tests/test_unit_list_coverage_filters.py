"""The unit list's coverage filters (the cockpit's drill-down to the row): ?sector=new (两新组织) and
?covered=org|red|work|blank list exactly the units each coverage figure counts (units.facts, read from
the store) at every place, stay in the viewer's scope, ignore unknown values with a message, and cost
the same queries whatever the rows."""

from __future__ import annotations

from django.urls import reverse

from dangjian.core.figures import facts
from dangjian.core.testing import walk_pages
from dangjian.units.coverage import area_figures
from dangjian.units.models import CoverageRule, ResidentUnit

# The list's filters and the figure (units.coverage.Figures field) whose units they are.
FILTERS = [
    ("sector=new&covered=org", "new_sector_covered"),
    ("sector=new", "new_sector"),
    ("covered=blank", "blank"),
    ("kind=owners_committee", "owners_committees"),
    ("kind=owners_committee&covered=red", "red_owners_committees"),
    ("kind=owners_committee&covered=work", "owners_committees_work_covered"),
    ("kind=property_company&covered=red", "red_property"),
    ("kind=property_company&covered=work", "property_work_covered"),
]


def names(client, params: str) -> set[str]:
    rows, _links = walk_pages(client, reverse("units:list"), params)
    return {u.name for u in rows}


def test_each_filter_lists_the_units_its_figure_counts_at_every_place(cov, login):
    w = cov.world
    client = login(w.users.district_admin)
    for place in (None, w.s1, w.s2, w.c1, w.c2, w.c3):
        figures = area_figures(place)  # the store, as the cockpit reads it
        for params, figure in FILTERS:
            query = params + (f"&area={place.public_id}" if place is not None else "")
            response = client.get(f"{reverse('units:list')}?{query}")
            assert response.status_code == 200
            assert response.context["page"].count == getattr(figures, figure), (place, params)
            assert "个单位" in response.content.decode()  # the count is printed when filtered
    # The hand-counted table (conftest.SPECS): who is which.
    u = {key: unit.name for key, unit in cov.units.items()}
    assert names(client, "covered=blank") == {u["U2"], u["U5"], u["U6"], u["U9"], u["U12"]}
    assert names(client, "sector=new&covered=org") == {u["U3"], u["U4"], u["U10"], u["U11"]}
    assert names(client, "kind=owners_committee&covered=work") == {u["U7"]}  # an instructor only
    assert names(client, "kind=property_company&covered=red") == {u["U14"]}  # an organization located at it


def test_a_blank_spot_is_judged_by_its_districts_rule(cov, login):
    w = cov.world
    client = login(w.users.district_admin)
    before = names(client, "covered=blank")
    CoverageRule.objects.create(district=w.district, min_members_for_single=3, min_staff_social_org=31)
    facts.rebuild(["units"])
    after = names(client, "covered=blank")
    assert before - after == {cov.units["U12"].name}  # 30 staff: no longer a big social organization
    assert client.get(f"{reverse('units:list')}?covered=blank").context["page"].count == area_figures(None).blank


def test_the_filters_stay_in_scope(cov, login):
    w = cov.world
    worker = login(w.users.community_worker)  # 婆石 (c1)
    assert names(worker, "covered=blank") == {cov.units[k].name for k in ("U2", "U5", "U6")}
    # Another place: 404, never its rows.
    assert worker.get(f"{reverse('units:list')}?covered=blank&area={w.c3.public_id}").status_code == 404
    outsider = login(w.users.subdistrict_admin_outsider)  # 吉大 (c3)
    assert names(outsider, "sector=new") == {cov.units[k].name for k in ("U11", "U12")}
    assert outsider.get(f"{reverse('units:list')}?sector=new&area={w.s1.public_id}").status_code == 404


def test_unknown_values_are_ignored_with_a_message(cov, login):
    client = login(cov.world.users.district_admin)
    everything = client.get(reverse("units:list")).context["page"].count
    response = client.get(reverse("units:list"), {"covered": "all-of-them", "sector": "<b>x</b>"})
    assert response.status_code == 200 and response.context["page"].count == everything
    body = response.content.decode()
    assert "筛选条件「覆盖情况」的取值无效，已忽略。" in body and "筛选条件「单位类别」的取值无效，已忽略。" in body
    assert "<b>x</b>" not in body


def test_a_filtered_list_costs_the_same_queries_whatever_the_rows(cov, count_queries):
    w = cov.world
    urls = [
        f"{reverse('units:list')}?{params}"
        for params in ("covered=blank", "covered=work&kind=owners_committee", "sector=new&covered=org")
    ]
    few = [count_queries(w.users.district_admin, url) for url in urls]
    ResidentUnit.objects.bulk_create(
        [
            ResidentUnit(name=f"批量{kind}{k:03d}", kind=kind, community=w.c1 if k % 2 else w.c2, member_count=1)
            for k in range(40)
            for kind in ("enterprise", "owners_committee")
        ]
    )
    assert [count_queries(w.users.district_admin, url) for url in urls] == few
