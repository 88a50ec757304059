"""The score-sheet list (the cockpit's 考评结果公布 and 考评优秀率 link here): place, year (the sheet's day
in the store of facts: its scheme's 1 January), status and grade filters counting what
assessment/facts.py counts, a place out of scope or a bad value dropped with its error, outsiders kept
out, and a page that costs the same queries whatever the rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.assessment.models import Grade, SchemeKind, Sheet, SheetStatus
from dangjian.assessment.services import schemes

pytestmark = pytest.mark.django_db


def _get(client, **params):
    response = client.get(reverse("assessment:sheets"), params)
    assert response.status_code == 200
    return int(response.context["page"].count), response


def test_sheets_narrow_by_place_year_status_and_grade(world, year_of_work, client):
    scheme, dept_scheme = year_of_work
    year = scheme.year
    cc1 = Sheet.objects.get(scheme=scheme, org=world.cc1)
    assert cc1.status == SheetStatus.PUBLISHED and cc1.grade
    days = {"date_from": f"{year}-01-01", "date_to": f"{year}-12-31"}
    client.force_login(world.users.district_admin)
    everything = Sheet.objects.count()
    assert _get(client)[0] == everything
    assert _get(client, status="published", **days)[0] == 3  # 婆石社区大党委 and two departments
    assert _get(client, status="published", area=world.c1.public_id, **days)[0] == 1
    assert _get(client, status="published", area=world.g1a.public_id)[0] == 0
    count, response = _get(client, status="published", grade=cc1.grade, area=world.s1.public_id, **days)
    assert count == 1
    html = response.content.decode()
    assert 'data-testid="list-total"' in html and world.cc1.name in html
    other = next(g for g in Grade.values if g != cc1.grade)
    assert _get(client, status="published", grade=other, area=world.c1.public_id)[0] == 0
    assert _get(client, date_to=f"{year - 1}-12-31")[0] == 0  # the sheets lie on their scheme's 1 January
    # The street chief reads the district's departments too, but not under its own subdistrict.
    client.force_login(world.users.subdistrict_admin)
    assert _get(client, status="published")[0] == 3
    assert _get(client, status="published", area=world.s1.public_id)[0] == 1


def test_a_filter_out_of_scope_or_bad_is_dropped_and_outsiders_see_nothing(world, year_of_work, client):
    client.force_login(world.users.community_worker)
    own = _get(client)[0]
    count, response = _get(client, area=world.c3.public_id, grade="best", status="nope", date_from="x")
    assert count == own > 0
    assert set(response.context["form"].errors) == {"area", "grade", "status", "date_from"}
    html = response.content.decode()
    assert 'data-testid="filter-errors"' in html and world.cc3.name not in html
    client.force_login(world.users.community_worker_outsider)
    count, response = _get(client, area=world.c1.public_id, status="published")
    assert count == 0 and world.cc1.name not in response.content.decode()
    for user in (world.users.resident, world.users.member):
        client.force_login(user)
        assert client.get(reverse("assessment:sheets")).status_code == 404


def test_the_filtered_sheets_cost_the_same_queries_whatever_the_rows(world, cast, scheme, count_queries):
    url = reverse("assessment:sheets") + f"?area={world.s1.public_id}&date_from={scheme.year}-01-01&status=draft"
    few = count_queries(world.users.district_admin, url)
    more = schemes.scheme_create(
        actor=cast.district, district=world.district, year=scheme.year, kind=SchemeKind.MODEL_BRANCH
    )
    schemes.sheets_open(actor=cast.district, scheme=more)
    assert Sheet.objects.filter(scheme=more).exists()
    assert count_queries(world.users.district_admin, url) == few <= 12
