"""今日待办 counts agree with the lists they open: for every demo account, every counted item's link
opens a list holding exactly that many rows (a count and its list come from one selector)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.accounts.models import User
from dangjian.demo.accounts import DEMO_ACCOUNTS
from dangjian.demo.cases import STREET_CHIEF_KINDS

USERNAMES = [a.username for a in DEMO_ACCOUNTS] + [username for _kind, _name, username in STREET_CHIEF_KINDS]


def list_total(response) -> int:
    """How many rows the list page holds: its paginator's count, or the count of its open tasks."""
    context = response.context
    if "open_count" in context:
        return context["open_count"]
    if "page" in context:
        return context["page"].paginator.count
    raise AssertionError(f"{response.request['PATH_INFO']} is not a list page")


@pytest.mark.django_db(transaction=True)
def test_every_counted_item_opens_a_list_of_that_many(demo, client):
    checked = set()
    for username in dict.fromkeys(USERNAMES):
        user = User.objects.get(username=username)
        client.force_login(user)
        todos = client.get(reverse("dashboard:home")).context["todos"]
        for item in todos:
            if item.count is None:
                continue
            response = client.get(item.url)
            assert response.status_code == 200, (username, item.title, item.url)
            assert list_total(response) == item.count, (username, item.title, item.url)
            checked.add(username)
    # The demo gives most roles something counted to check (admins, workers, departments).
    assert {"qu_admin", "jd_admin", "sq_worker", "bm_staff"} <= checked, checked


@pytest.mark.django_db(transaction=True)
def test_a_grid_workers_home_shows_the_overdue_cases_his_list_shows(demo, client):
    grid_worker = User.objects.get(username="wg_worker")
    client.force_login(grid_worker)
    overdue = client.get(reverse("cases:list") + "?tab=overdue").context["page"]
    assert 0 < overdue.paginator.count <= 5  # the demo's grid has a few: each on the home page
    todos = client.get(reverse("dashboard:home")).context["todos"]
    shown = {item.url for item in todos if item.urgent and "已超期" in item.title}
    assert shown == {case.get_absolute_url() for case in overdue.object_list}
