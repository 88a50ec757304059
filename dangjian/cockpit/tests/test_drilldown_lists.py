"""Drill-down to the row: for every demo account whose role opens the cockpit, every figure that links
to a list, at the account's home node, two children it can see and one grid, the figure's value on its
page (each part of a rate) equals the count (or total) the linked list page shows, through the normal
scoped list pages (the same client, the same role). And the lists' new place and date filters:
out-of-scope places and bad dates are dropped with a message, outsiders see nothing of another place,
and a filtered page stays bounded."""

from __future__ import annotations

import datetime

import pytest
from django.core.paginator import Page
from django.urls import reverse

from dangjian.accounts.models import User
from dangjian.cockpit import readings
from dangjian.cockpit.catalogue import BY_KEY, FIGURES
from dangjian.cockpit.links import DEN, LINKS, MODULES, NUM
from dangjian.cockpit.permissions import COCKPIT_ROLES
from dangjian.demo.accounts import DEMO_ACCOUNTS
from dangjian.territory.models import Area, Level

LINKED = [f for f in FIGURES if f.key in LINKS]


def _figure(client, node, key):
    response = client.get(reverse("cockpit:figure", args=[node.public_id, key]))
    assert response.status_code == 200, (node.name, key)
    return response.context


def _list_reads(client, url, figure, counts):
    """What the list page shows of the figure's part: its row count, or for an amount figure's rows
    their total (`amount_total`, in the store's unit); and whether the count is exact."""
    response = client.get(url)
    assert response.status_code == 200, url
    form = response.context.get("form")
    assert form is None or not form.errors, (url, form.errors)  # every filter of the link holds
    if counts == NUM and figure.num == "amount":
        return response.context["amount_total"], True
    page = response.context["page"]
    if isinstance(page, Page):  # Django's paginator
        return page.paginator.count, True
    count = page.count  # core.keyset.KeysetPage: a count that may be capped on a huge list
    return int(count), not getattr(count, "capped", False)


def _walk_places(user, node):
    """The account's home node, two of the children it sees (the first and the last: a district's
    subdistricts, a subdistrict's zone and communities), and one grid below (the deepest filter)."""
    children = list(Area.objects.visible_to(user).filter(parent=node).order_by("path"))
    children = children[:1] + children[-1:] if len(children) > 2 else children
    grid = Area.objects.visible_to(user).filter(path__startswith=node.path, level=Level.GRID).order_by("path").first()
    return [node, *children, *([grid] if grid and grid not in children and grid != node else [])]


@pytest.mark.parametrize("module", [m.__name__.rsplit(".", 1)[1] for m in MODULES])
def test_every_linked_figure_equals_its_list_for_every_demo_role(demo, client, module):
    """One links module at a time (-k organization runs one)."""
    declared = next(m.LINKS for m in MODULES if m.__name__.endswith(f".{module}"))
    linked = [f for f in LINKED if f.key in declared]
    if not linked:
        pytest.skip(f"cockpit.links.{module} links no figure yet")
    roles = [a for a in DEMO_ACCOUNTS if a.role in COCKPIT_ROLES]
    assert {a.role for a in roles} == set(COCKPIT_ROLES)  # every cockpit role is walked
    assert set(declared) <= set(BY_KEY), "links name catalogued figures"
    for key, links in declared.items():
        parts = [link.counts for link in links]
        assert parts == ([NUM, DEN] if BY_KEY[key].rate else [NUM]), (key, "a rate links both parts; a count its rows")
    checked = nonzero = 0
    for account in roles:
        user = User.objects.get(username=account.username)
        client.force_login(user)
        home = client.get(reverse("cockpit:home"))
        assert home.status_code == 200, account.username
        node = home.context["node"]
        places = _walk_places(user, node)
        assert len(places) > 1, account.username
        for place in places:
            for figure in linked:
                context = _figure(client, place, figure.key)
                total = context["total"]
                links = {link["counts"]: link["url"] for link in context["list_links"]}
                for link in LINKS[figure.key]:
                    url = links.get(link.counts)
                    if url is None:
                        assert link.url(place, context["span"].date_from, context["span"].date_to) is None
                        # a zone has no list filter; a figure kept only down to the community, no grid link
                        assert place.level in (Level.ZONE, Level.GRID), (account.username, place.name, figure.key)
                        continue
                    expected = total.num if link.counts == NUM else total.den
                    shown, exact = _list_reads(client, url, figure, link.counts)
                    where = (account.username, place.name, figure.key, link.counts, expected, shown)
                    assert (expected == shown) if exact else (expected >= shown), where
                    nonzero += bool(expected)
                    checked += 1
    assert nonzero, "the walk reads real rows (the demo fills every figure)"
    assert checked >= len(roles) * len(linked) * 2


def test_a_stock_links_its_list_only_today(demo, client):
    """A stock's list holds the rows as they are now: a past date's drill-down says so instead."""
    client.force_login(User.objects.get(username="qu_admin"))
    stock = next(f for f in LINKED if f.stock)
    flow = next(f for f in LINKED if not f.stock)
    node = client.get(reverse("cockpit:home")).context["node"]
    past = (readings.today() - datetime.timedelta(days=40)).isoformat()
    context = _figure(client, node, stock.key)
    assert context["list_links"] and not context["past_stock"]
    response = client.get(reverse("cockpit:figure", args=[node.public_id, stock.key]), {"on": past})
    assert response.context["list_links"] == [] and response.context["past_stock"]
    assert "查看今天的数据时才提供" in response.content.decode()
    response = client.get(reverse("cockpit:figure", args=[node.public_id, flow.key]), {"on": past})
    assert response.context["list_links"] and not response.context["past_stock"]
