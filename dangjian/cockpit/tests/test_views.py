"""The cockpit's pages: who reaches which node (404 above or beside their scope), what one page and
one group cost in queries, the wall's refresh, comparison dates, and the district's targets."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.cases.intake.services import case_submit
from dangjian.cases.models import CaseCategory, Channel
from dangjian.cockpit import readings
from dangjian.cockpit.catalogue import FIGURES, GROUPS
from dangjian.cockpit.models import Target

pytestmark = pytest.mark.django_db


def node_url(area, **params):
    url = reverse("cockpit:node", args=[area.public_id])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_each_role_opens_its_own_node_and_nothing_above_or_beside(world, client, assert_scoped):
    u = world.users
    # The home page is each user's own node.
    for user, node in (
        (u.district_admin, world.district),
        (u.subdistrict_admin, world.s1),
        (u.community_worker, world.c1),
    ):
        client.force_login(user)
        response = client.get(reverse("cockpit:home"))
        assert response.status_code == 200
        assert response.context["node"] == node
    # A subdistrict: its admins in, the other subdistrict's admin out; the district above it is out.
    for url in (
        node_url(world.s1),
        reverse("cockpit:group", args=[world.s1.public_id, "governance"]),
        reverse("cockpit:figure", args=[world.s1.public_id, "cases_received"]),
    ):
        assert_scoped(
            url,
            owner=u.subdistrict_admin,
            colleague=u.subdistrict_admin_colleague,
            outsider=u.subdistrict_admin_outsider,
        )
    assert_scoped(
        node_url(world.c1),
        owner=u.community_worker,
        colleague=u.subdistrict_admin,
        outsider=u.community_worker_outsider,
    )
    for user, above in ((u.subdistrict_admin, world.district), (u.community_worker, world.s1)):
        client.force_login(user)
        assert client.get(node_url(above)).status_code == 404
        assert client.get(reverse("cockpit:figure", args=[above.public_id, "units"])).status_code == 404
    # Roles without the cockpit get 404 even for their own node.
    for user in (u.grid_worker, u.member, u.resident, u.unit_contact, u.department_staff):
        client.force_login(user)
        assert client.get(reverse("cockpit:home")).status_code == 404
    client.force_login(u.district_admin)
    assert client.get(reverse("cockpit:figure", args=[world.s1.public_id, "no_such_figure"])).status_code == 404
    assert client.get(reverse("cockpit:group", args=[world.s1.public_id, "nothing"])).status_code == 404


def _report(world, grid, text):
    return case_submit(
        actor=world.users.resident,
        channel=Channel.PHONE,
        category=CaseCategory.objects.get(code="garbage"),
        description=text,
        grid=grid,
    )


def test_a_page_costs_the_same_queries_whatever_the_rows(world, count_queries):
    """A whole cockpit and one group: the same number of queries before and after more rows."""
    u = world.users
    page_before = count_queries(u.district_admin, node_url(world.district))
    group_before = count_queries(
        u.district_admin, reverse("cockpit:group", args=[world.district.public_id, "governance"])
    )
    figure_before = count_queries(
        u.district_admin, reverse("cockpit:figure", args=[world.district.public_id, "cases_received"])
    )
    for i in range(5):
        _report(world, world.g1a, f"路灯不亮 {i}")
    assert count_queries(u.district_admin, node_url(world.district)) == page_before
    # A node below the top adds its breadcrumb's one query.
    assert count_queries(u.district_admin, node_url(world.s1)) == page_before + 1
    group = count_queries(u.district_admin, reverse("cockpit:group", args=[world.district.public_id, "governance"]))
    assert group == group_before
    figure = count_queries(
        u.district_admin, reverse("cockpit:figure", args=[world.district.public_id, "cases_received"])
    )
    assert figure == figure_before
    # The bounds: each subject read once per date (a stock: its snapshot marker too), the trends, the
    # targets, and what every page costs (session, user, role, menu).
    subjects = {f.subject for f in FIGURES}
    assert page_before <= 3 * len(subjects) * 2 + 20, page_before
    assert group <= 20, group
    assert figure <= 20, figure


def test_the_tiles_show_the_store_and_the_change_since_the_comparison_date(world, client):
    for i in range(3):
        _report(world, world.g1a, f"井盖松动 {i}")
    client.force_login(world.users.district_admin)
    today = readings.today()
    response = client.get(node_url(world.district))
    tiles = {t.figure.key: t for g in response.context["groups"] for t, _url in g["tiles"]}
    assert set(tiles) == {f.key for f in FIGURES}
    assert tiles["cases_received"].value == 3
    assert response.context["selection"].compare_on == readings.month_back(today)
    assert tiles["cases_received"].change_display in ("+3", "持平")  # the first days of January hold none a month ago
    # A chosen date before the cases: nothing then.
    past = today - datetime.timedelta(days=400)
    response = client.get(node_url(world.district, vs="date", vs_date=past.isoformat()))
    assert response.context["selection"].compare_on == past
    tiles = {t.figure.key: t for g in response.context["groups"] for t, _url in g["tiles"]}
    assert tiles["cases_received"].compared == 0
    assert tiles["cases_received"].change_display == "+3"
    # Last year's same day.
    response = client.get(node_url(world.district, vs="year"))
    assert response.context["selection"].compare_on == readings.year_back(today)
    # The page names each group and draws the trend from json_script data.
    html = response.content.decode()
    for g in GROUPS:
        assert f'data-testid="group-{g.key}"' in html
    assert 'id="trend-governance-data" type="application/json"' in html


def test_the_wall_refreshes_each_group_by_its_own_request(world, client):
    client.force_login(world.users.district_admin)
    html = client.get(node_url(world.district, wall=1)).content.decode()
    assert 'class="wall"' in html
    for g in GROUPS:
        url = reverse("cockpit:group", args=[world.district.public_id, g.key])
        assert f'hx-get="{url}?wall=1"' in html
    assert html.count('hx-trigger="every 60s"') == len(GROUPS)
    fragment = client.get(reverse("cockpit:group", args=[world.district.public_id, "service"]) + "?wall=1")
    body = fragment.content.decode()
    assert 'data-testid="group-service"' in body
    assert 'data-testid="group-governance"' not in body
    assert "<html" not in body


def test_the_district_sets_targets_and_the_tile_shows_them(world, client):
    u = world.users
    client.force_login(u.subdistrict_admin)
    assert client.get(reverse("cockpit:targets")).status_code == 404
    client.force_login(u.district_admin)
    response = client.post(reverse("cockpit:targets"), {"council_party_share": "40", "cases_received": "10"})
    assert response.status_code == 302
    assert dict(Target.objects.values_list("figure", "value")) == {
        "council_party_share": Decimal("40.00"),
        "cases_received": Decimal("10.00"),
    }
    event = AuditEvent.objects.filter(object_type="cockpit.target").get()
    assert set(event.changes) == {"council_party_share", "cases_received"}
    # A rate above 100 % is refused; a blank clears.
    response = client.post(reverse("cockpit:targets"), {"council_party_share": "140"})
    assert response.status_code == 200
    assert Target.objects.filter(figure="council_party_share", value=Decimal("40")).exists()
    client.post(reverse("cockpit:targets"), {"cases_received": "10"})
    assert list(Target.objects.values_list("figure", flat=True)) == ["cases_received"]
    # The tile of a node below shows its district's target.
    _report(world, world.g1a, "楼道堆物")
    client.force_login(u.subdistrict_admin)
    response = client.get(node_url(world.s1))
    tiles = {t.figure.key: t for g in response.context["groups"] for t, _url in g["tiles"]}
    assert tiles["cases_received"].target == Decimal("10")
    assert tiles["cases_received"].target_met is False
    assert 'data-testid="target-cases_received"' in response.content.decode()


def test_a_grid_has_no_children_and_its_own_cases_are_not_called_unplaced(world, client):
    _report(world, world.g1a, "楼道堆放杂物")
    client.force_login(world.users.district_admin)
    grid = client.get(reverse("cockpit:figure", args=[world.g1a.public_id, "cases_received"]))
    assert grid.context["total"].value == 1
    assert grid.context["rows"] == []
    assert "网格是最小的治理单元" in grid.content.decode()
    assert "未定位到下级" not in grid.content.decode()
    community = client.get(reverse("cockpit:figure", args=[world.c1.public_id, "cases_received"]))
    rows = {row["label"]: row["tile"].value for row in community.context["rows"]}
    assert rows == {"婆石第一网格": 1, "婆石第二网格": 0}
