"""The figures page, its heat-map data and its scope: who reads which node and which department."""

import datetime

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from dangjian.demo.bulk_cases import make_case
from dangjian.territory.services import area_create
from dangjian.units.models import Department

from .test_selectors import MARCH, build_march

MARCH_PARAMS = {"period": "custom", "from": MARCH[0].isoformat(), "to": MARCH[1].isoformat()}


@pytest.fixture
def march(world):
    return build_march(world)


def url(name="cases:figures", **params):
    return f"{reverse(name)}?{urlencode(params)}"


def test_it_shows_the_district_with_a_row_per_subdistrict(march, login):
    w = march.world
    page = login(w.users.district_admin).get(url(**MARCH_PARAMS)).content.decode()
    assert "香洲区 · 办件统计" in page
    assert 'data-testid="figures-children"' in page and "拱北街道" in page and "吉大街道" in page
    assert 'data-testid="figures-departments"' in page and "香洲区环卫中心" in page
    # The drill-down link keeps the period.
    assert f"node={w.s1.public_id}" in page and "from=2026-03-01" in page
    assert 'id="heatmap"' in page and reverse("cases:figures_map") in page


def test_it_drills_down_to_a_community_and_a_grid(march, login):
    w = march.world
    client = login(w.users.subdistrict_admin)
    page = client.get(url(node=w.c1.public_id, **MARCH_PARAMS)).content.decode()
    assert "婆石社区 · 办件统计" in page and "婆石第一网格" in page and "婆石第二网格" in page
    assert f'href="{reverse("cases:figures")}?node={w.s1.public_id}' in page  # breadcrumb back up
    page = client.get(url(node=w.g1a.public_id, **MARCH_PARAMS)).content.decode()
    assert 'data-testid="no-children"' in page and "网格是最小的治理单元" in page


def test_an_empty_period_says_so(march, login):
    page = login(march.world.users.district_admin).get(url(period="last_month")).content.decode()
    assert 'data-testid="no-cases"' in page
    assert 'data-testid="no-departments"' in page
    assert 'id="trend-chart"' not in page


def test_a_bad_custom_period_falls_back_to_this_month_with_a_message(march, login):
    client = login(march.world.users.district_admin)
    page = client.get(url(period="custom", **{"from": "2026-03-31", "to": "2026-03-01"})).content.decode()
    assert "开始日期不能晚于结束日期" in page
    today = datetime.date.today()
    assert f"{today.replace(day=1):%Y-%m-%d}" in page


def test_a_node_outside_scope_is_a_404(march, assert_scoped):
    w = march.world
    assert_scoped(
        url(node=w.s1.public_id, **MARCH_PARAMS),
        owner=w.users.subdistrict_admin,
        colleague=w.users.subdistrict_admin_colleague,
        outsider=w.users.subdistrict_admin_outsider,
        expect_text="婆石社区",
    )
    assert_scoped(
        url(node=w.c1.public_id),
        owner=w.users.community_worker,
        colleague=w.users.community_worker_colleague,
        outsider=w.users.community_worker_outsider,
    )
    assert_scoped(
        url("cases:figures_map", node=w.c1.public_id),
        owner=w.users.community_worker,
        outsider=w.users.community_worker_outsider,
    )


@pytest.mark.parametrize("who", ["grid_worker", "member", "resident", "unit_contact", "nobody"])
def test_other_roles_get_a_404(march, login, who):
    assert login(getattr(march.world.users, who)).get(url()).status_code == 404


def test_malformed_or_unknown_ids_are_404(march, login):
    client = login(march.world.users.district_admin)
    assert client.get(url(node="not-a-uuid")).status_code == 404
    assert client.get(url(node="6f1f0f2a-0000-4000-8000-000000000000")).status_code == 404
    assert client.get(url(department="nope")).status_code == 404


def test_department_staff_see_only_their_department(march, login):
    w = march.world
    client = login(w.users.department_staff)
    page = client.get(url(department=w.dept2.public_id, **MARCH_PARAMS)).content.decode()
    assert "香洲区城管局" in page and "香洲区环卫中心" not in page  # the other department is ignored
    assert 'data-testid="department-filter"' in page
    data = client.get(url("cases:figures_map", **MARCH_PARAMS)).json()
    assert data["total"] == 4  # cases 1, 2, 4 and 8: its own
    # A node outside the department's district is a 404.
    other = area_create(actor=None, level="district", name="金湾区", parent=None)
    assert client.get(url(node=other.public_id)).status_code == 404
    assert client.get(url(node=w.c3.public_id, **MARCH_PARAMS)).status_code == 200


def test_a_department_outside_an_admins_scope_is_a_404(march, login):
    w = march.world
    other = area_create(actor=None, level="district", name="金湾区", parent=None)
    foreign = Department.objects.create(name="金湾区城管局", kind="city_management", area=other)
    client = login(w.users.subdistrict_admin)
    assert client.get(url(department=foreign.public_id)).status_code == 404
    page = client.get(url(department=w.dept.public_id, **MARCH_PARAMS)).content.decode()
    assert "只统计「香洲区城管局」参与办理的事件" in page


def test_the_map_counts_cases_per_grid(march, login):
    w = march.world
    data = login(w.users.district_admin).get(url("cases:figures_map", **MARCH_PARAMS)).json()
    counts = {f["properties"]["name"]: f["properties"]["count"] for f in data["features"]}
    assert counts == {"婆石第一网格": 2, "婆石第二网格": 2, "茂盛第一网格": 1, "海虹第一网格": 2}


def test_the_menu_shows_the_figures_to_dispatchers_and_departments(world, login):
    for who in ("district_admin", "subdistrict_admin", "community_worker", "department_staff"):
        page = login(getattr(world.users, who)).get(reverse("dashboard:home")).content.decode()
        assert 'data-nav="case_figures"' in page, who
    for who in ("grid_worker", "resident", "member"):
        page = login(getattr(world.users, who)).get(reverse("dashboard:home")).content.decode()
        assert 'data-nav="case_figures"' not in page, who


def test_the_page_reads_a_bounded_number_of_queries(march, count_queries):
    w = march.world
    page = url(**MARCH_PARAMS)
    before = count_queries(w.users.district_admin, page)
    for k in range(4):
        sub = area_create(actor=None, level="subdistrict", name=f"新街道{k}", parent=w.district)
        community = area_create(actor=None, level="community", name=f"新社区{k}", parent=sub)
        make_case(area=community, received_at=march.one.received_at, status="submitted")
    assert count_queries(w.users.district_admin, page) == before
    assert before <= 25
