"""Targets for a chosen year beside the standing ones: the targets page sets either, shows the standing
value under each field of a year, and the tiles of a date prefer that year's target, falling back to the
standing one (and an outsider of the district gets no page)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from dangjian.cockpit import readings
from dangjian.cockpit.models import Target

pytestmark = pytest.mark.django_db


def _tiles(client, area, **params):
    response = client.get(reverse("cockpit:node", args=[area.public_id]), params)
    return {t.figure.key: t for g in response.context["groups"] for t, _url in g["tiles"]}


def test_a_year_target_beside_the_standing_one(world, client):
    u = world.users
    today = readings.today()
    url = reverse("cockpit:targets")
    client.force_login(u.subdistrict_admin)
    assert client.get(url, {"year": today.year}).status_code == 404
    client.force_login(u.district_admin)

    # The standing target, then this year's for the same figure.
    assert client.post(url, {"year": "", "council_party_share": "40"}).status_code == 302
    response = client.post(url, {"year": str(today.year), "council_party_share": "45", "grids": "3"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?year={today.year}"
    rows = set(Target.objects.values_list("figure", "value", "year"))
    assert rows == {
        ("council_party_share", Decimal("40.00"), None),
        ("council_party_share", Decimal("45.00"), today.year),
        ("grids", Decimal("3.00"), today.year),
    }

    # The year's page shows its own values and, under each field, the standing one.
    page = client.get(url, {"year": today.year})
    form = page.context["form"]
    assert form["council_party_share"].initial == Decimal("45.00")
    assert "40" in str(form.fields["council_party_share"].help_text)
    html = page.content.decode()
    assert f'data-testid="target-year-{today.year}"' in html and 'aria-current="page"' in html
    # The standing page shows the standing values only.
    page = client.get(url)
    assert page.context["form"]["council_party_share"].initial == Decimal("40.00")
    assert page.context["form"]["grids"].initial is None
    # A year not offered is the standing page.
    assert client.get(url, {"year": "1999"}).context["year"] is None

    # The tiles: this year's target today; last year's date falls back to the standing one.
    tiles = _tiles(client, world.district)
    assert tiles["council_party_share"].target == Decimal("45")
    assert tiles["grids"].target == Decimal("3")
    last_year = datetime.date(today.year - 1, 6, 30)
    tiles = _tiles(client, world.district, on=last_year.isoformat())
    assert tiles["council_party_share"].target == Decimal("40")
    assert tiles["grids"].target is None

    # Clearing the year's value falls back to the standing target.
    client.post(url, {"year": str(today.year), "council_party_share": "", "grids": "3"})
    assert _tiles(client, world.district)["council_party_share"].target == Decimal("40")
    assert readings.target_values(world.district, today) == {
        "council_party_share": Decimal("40.00"),
        "grids": Decimal("3.00"),
    }
