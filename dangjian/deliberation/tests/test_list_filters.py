"""The runs list's place, date, 不含撤回 filters and its matters view with their total amount, and the
representatives list's place and Party filters (the cockpit's links carry them): a place in scope
narrows the list, a place out of scope, a bad date or an unknown choice is dropped with its error and
leaves the other filters working, and a filtered page costs the same queries whatever the rows."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.deliberation.models import Run, RunStatus
from dangjian.deliberation.services import councils

pytestmark = pytest.mark.django_db


def _get(client, name, **params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return response


def _count(client, name, **params):
    response = _get(client, name, **params)
    return int(response.context["page"].count), response


def test_runs_narrow_by_place_days_and_withdrawn_and_the_matters_view_totals_them(world, kinds, start_run, client):
    a = start_run(
        title="婆石加装电梯",
        matters=[
            {"kind": kinds[0], "title": "电梯筹资", "amount": "1200.50"},
            {"kind": kinds[1], "title": "电梯选址", "amount": "300.25"},
        ],
    )
    withdrawn = start_run(title="婆石撤回的流程")
    old = start_run(title="婆石旧流程")
    Run.objects.filter(pk=withdrawn.pk).update(status=RunStatus.WITHDRAWN)
    Run.objects.filter(pk=old.pk).update(started_at=timezone.now() - datetime.timedelta(days=400))
    client.force_login(world.users.subdistrict_admin)
    assert _count(client, "deliberation:runs")[0] == 3
    assert _count(client, "deliberation:runs", area=world.c1.public_id)[0] == 3
    assert _count(client, "deliberation:runs", area=world.c2.public_id)[0] == 0
    # A grid: runs lie at their community, so a grid holds none.
    assert _count(client, "deliberation:runs", area=world.g1a.public_id)[0] == 0
    today = timezone.localdate()
    days = {"date_from": (today - datetime.timedelta(days=30)).isoformat(), "date_to": today.isoformat()}
    count, response = _count(client, "deliberation:runs", area=world.c1.public_id, unwithdrawn="on", **days)
    assert count == 1
    html = response.content.decode()
    assert 'data-testid="list-total"' in html and a.title in html and withdrawn.title not in html
    assert response.context["amount_total"] == 150075  # fen
    assert "0.15 万元" in html
    count, response = _count(client, "deliberation:runs", view="matters", unwithdrawn="on", **days)
    assert count == 2 and response.context["amount_total"] == 150075
    html = response.content.decode()
    assert "电梯筹资" in html and "电梯选址" in html
    # The withdrawn run's matter counts once 不含撤回 is off; the old run's falls outside the days.
    assert _count(client, "deliberation:runs", view="matters", **days)[0] == 3
    assert _count(client, "deliberation:runs", view="nonsense", **days)[0] == 2  # the runs view


def test_a_run_filter_out_of_scope_or_a_bad_date_is_dropped_with_its_error(world, start_run, client):
    start_run(title="婆石加装电梯")
    client.force_login(world.users.community_worker)
    count, response = _count(client, "deliberation:runs", area=world.c3.public_id, date_from="2024-13-40")
    assert count == 1
    assert set(response.context["form"].errors) == {"area", "date_from"}
    html = response.content.decode()
    assert 'data-testid="filter-errors"' in html and world.c3.name not in html
    assert _count(client, "deliberation:runs", area="not-a-uuid", view="matters")[0] == 1
    # The outsider sees none of 婆石's runs or matters, whatever place it names.
    client.force_login(world.users.community_worker_outsider)
    for view in ("runs", "matters"):
        count, response = _count(client, "deliberation:runs", area=world.c1.public_id, view=view)
        assert count == 0 and "婆石加装电梯" not in response.content.decode()


def test_representatives_narrow_by_place_and_party_and_stay_in_scope(world, council, client):
    retired = council.representatives.order_by("pk").last()
    councils.representative_retire(actor=None, representative=retired)  # 5 elected, 2 Party members, 1 left
    elsewhere = councils.council_save(
        actor=None,
        community=world.c3,
        name="海虹社区议事会",
        term_start=datetime.date(2024, 1, 1),
        term_end=datetime.date(2026, 12, 31),
    )
    councils.representative_elect(actor=None, council=elsewhere, name="海虹代表", is_party_member=True)
    client.force_login(world.users.district_admin)
    assert _count(client, "deliberation:representatives")[0] == 5
    assert _count(client, "deliberation:representatives", party="yes")[0] == 3
    assert _count(client, "deliberation:representatives", area=world.s1.public_id)[0] == 4
    count, response = _count(client, "deliberation:representatives", area=world.c1.public_id, party="yes")
    assert count == 2
    html = response.content.decode()
    assert 'data-testid="list-total"' in html and "海虹代表" not in html and retired.name not in html
    assert _count(client, "deliberation:representatives", area=world.c1.public_id, party="no")[0] == 2
    assert _count(client, "deliberation:representatives", area=world.g1a.public_id)[0] == 0
    # The community worker: another subdistrict's community and an unknown choice are dropped, said so.
    client.force_login(world.users.community_worker)
    count, response = _count(client, "deliberation:representatives", area=world.c3.public_id, party="maybe")
    assert count == 4
    assert set(response.context["form"].errors) == {"area", "party"}
    assert "海虹代表" not in response.content.decode()
    client.force_login(world.users.community_worker_outsider)
    assert _count(client, "deliberation:representatives", area=world.c1.public_id)[0] == 1  # its own only
    for user in (world.users.resident, world.users.member):
        client.force_login(user)
        assert client.get(reverse("deliberation:representatives")).status_code == 404


def test_the_filtered_lists_cost_the_same_queries_whatever_the_rows(world, council, kinds, start_run, count_queries):
    worker = world.users.community_worker
    runs = reverse("deliberation:runs") + f"?area={world.c1.public_id}&date_from=2020-01-01&unwithdrawn=on"
    urls = [runs, runs + "&view=matters", reverse("deliberation:representatives") + "?party=yes"]
    start_run(title="提议")
    few = [count_queries(worker, url) for url in urls]
    for i in range(22):
        start_run(title=f"提议{i}", matters=[{"kind": kinds[0], "title": f"事项{i}", "amount": "10"}] * 2)
        councils.representative_elect(actor=None, council=council, name=f"新代表{i}", is_party_member=True)
    assert [count_queries(worker, url) for url in urls] == few
    assert max(few) <= 16, few
