"""The coverage pages read the figures store when the whole node lies in the user's territorial scope,
and count the units the user sees otherwise: either way the cards are the figures the rows give."""

import dataclasses

import pytest
from django.urls import reverse

from dangjian.core import scoping
from dangjian.units import coverage as unit_coverage
from dangjian.units.models import ResidentUnit

pytestmark = pytest.mark.django_db


def test_the_area_page_cards_equal_the_figures_of_the_rows_from_the_store(cov, login):
    w = cov.world
    client = login(w.users.district_admin)
    for area in (w.district, w.s1, w.c1, w.c3):
        response = client.get(reverse("units:coverage_area", args=[area.public_id]))
        assert response.status_code == 200
        from_rows = unit_coverage.area_coverage(area, units=ResidentUnit.objects.all())
        assert response.context["figures"] == from_rows.figures
        assert response.context["figures"].units > 0
        page_rows = [(r.label, r.figures) for r in response.context["rows"]]
        assert page_rows == [(r.label, r.figures) for r in from_rows.rows]
    # The store path was taken: a unit written behind the store's back (no signal, no record_bulk)
    # is not on the page, though it is in the rows.
    ResidentUnit.objects.bulk_create([ResidentUnit(name="未记入单位", kind="enterprise", community=w.c2)])
    response = client.get(reverse("units:coverage_area", args=[w.c2.public_id]))
    assert (
        response.context["figures"].units
        == unit_coverage.area_coverage(w.c2, units=ResidentUnit.objects.all()).figures.units - 1
    )


def test_the_org_page_cards_equal_the_figures_of_the_rows_from_the_store(cov, login):
    w = cov.world
    client = login(w.users.subdistrict_admin)
    for org in (w.wc1, w.cc1, cov.j1):
        response = client.get(reverse("units:coverage_org", args=[org.public_id]))
        assert response.status_code == 200
        from_rows = unit_coverage.org_coverage(org, units=ResidentUnit.objects.all())
        assert response.context["figures"] == from_rows.figures
        assert response.context["figures"].units > 0
        assert [(r.label, r.figures) for r in response.context["rows"]] == [
            (r.label, r.figures) for r in from_rows.rows
        ]


def test_a_unit_only_scope_counts_the_units_it_sees(cov, login, monkeypatch):
    w = cov.world
    # No role today joins a territory to one unit (accounts_role_unit_scope): the scope a resolver
    # would give one is installed for the community worker, so the unit-based path is exercised.
    worker = w.users.community_worker
    real = scoping._resolver

    def resolver(user):
        found = real(user)
        return dataclasses.replace(found, unit_id=w.unit.pk) if user.pk == worker.pk else found

    monkeypatch.setattr(scoping, "_resolver", resolver)
    client = login(worker)
    response = client.get(reverse("units:coverage_area", args=[w.c1.public_id]))
    assert response.status_code == 200
    own = ResidentUnit.objects.filter(pk=w.unit.pk)
    assert response.context["figures"] == unit_coverage.area_coverage(w.c1, units=own).figures
    assert response.context["figures"].units == 1
    response = client.get(reverse("units:coverage_org", args=[w.cc1.public_id]))
    assert response.status_code == 200
    assert response.context["figures"] == unit_coverage.org_coverage(w.cc1, units=own).figures
    assert response.context["figures"].units == 1


def test_an_outsider_still_gets_404(cov, login):
    w = cov.world
    client = login(w.users.community_worker_outsider)
    assert client.get(reverse("units:coverage_area", args=[w.c1.public_id])).status_code == 404
    assert client.get(reverse("units:coverage_org", args=[w.cc1.public_id])).status_code == 404
    client = login(w.users.subdistrict_admin_outsider)
    assert client.get(reverse("units:coverage_area", args=[w.s1.public_id])).status_code == 404
    assert client.get(reverse("units:coverage_org", args=[w.wc1.public_id])).status_code == 404
