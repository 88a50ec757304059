"""The matters list's place, date, solved and source filters and the estates list's place and branch
filters (the cockpit's links carry them): a place in scope narrows the list, solved is what
facts.matter_solved reads, a place out of scope, a bad date or an unknown choice is dropped with its
error and leaves the other filters working, and a filtered page costs the same queries whatever the
rows."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.cases.models import Case, CaseCategory, CaseStatus
from dangjian.cobuilding.facts import matter_solved
from dangjian.cobuilding.models import Matter, TaskStatus, UnitTask
from dangjian.cobuilding.services import estates, liaisons
from dangjian.cobuilding.services import matters as matter_services

pytestmark = pytest.mark.django_db


def _count(client, name, **params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return int(response.context["page"].count), response


def test_matters_narrow_by_place_days_solved_and_source(world, joint, liaison, client):
    cw = world.users.community_worker
    raise_ = matter_services.matter_raise
    closed = matter_services.matter_close(
        actor=cw, matter=raise_(actor=cw, comeeting=joint, title="口岸停车"), reason="已答复"
    )
    tasked, task = matter_services.matter_to_task(
        actor=cw,
        matter=raise_(actor=cw, comeeting=joint, title="海关围墙"),
        unit=world.unit,
        due_on=timezone.localdate(),
    )
    open_ = raise_(actor=cw, comeeting=joint, title="婆石绿化")
    old = raise_(actor=cw, comeeting=joint, title="婆石旧事项", raised_at=timezone.now() - datetime.timedelta(days=400))
    visit = liaisons.liaison_checkin(actor=None, liaison=liaison, lat=None, lng=None)
    category = CaseCategory.objects.filter(is_active=True).first()
    problems = [
        liaisons.liaison_problem_file(actor=None, visit=visit, category=category, description=f"楼道问题{i}")[0]
        for i in range(2)
    ]
    Case.objects.filter(public_id=problems[0].target_id).update(status=CaseStatus.CLOSED)
    client.force_login(world.users.subdistrict_admin)
    assert _count(client, "cobuilding:matters")[0] == 6
    today = timezone.localdate()
    days = {"date_from": (today - datetime.timedelta(days=30)).isoformat(), "date_to": today.isoformat()}
    assert _count(client, "cobuilding:matters", area=world.c1.public_id, **days)[0] == 5
    assert _count(client, "cobuilding:matters", area=world.g1a.public_id, **days)[0] == 2  # the liaison's grid
    assert _count(client, "cobuilding:matters", area=world.c2.public_id)[0] == 0
    assert _count(client, "cobuilding:matters", source="liaison", **days)[0] == 2
    assert _count(client, "cobuilding:matters", source="meeting", **days)[0] == 3
    assert _count(client, "cobuilding:matters", source="visit")[0] == 0
    # Solved as the figures read it: closed with a reason, the liaison's closed case; not the open task.
    count, response = _count(client, "cobuilding:matters", solved="yes", **days)
    expected = matter_solved([(m.pk, m.outcome, m.target_id) for m in Matter.objects.exclude(pk=old.pk)])
    assert count == sum(expected.values()) == 2
    html = response.content.decode()
    assert 'data-testid="list-total"' in html and closed.title in html and open_.title not in html
    assert _count(client, "cobuilding:matters", solved="no", **days)[0] == 3
    UnitTask.objects.filter(pk=task.pk).update(status=TaskStatus.DONE)
    count, response = _count(client, "cobuilding:matters", solved="yes", **days)
    assert count == 3 and tasked.title in response.content.decode()
    assert _count(client, "cobuilding:matters", source="liaison", solved="yes", **days)[0] == 1


def test_a_matter_filter_out_of_scope_or_a_bad_value_is_dropped_with_its_error(world, joint, matter, client):
    client.force_login(world.users.community_worker)
    count, response = _count(
        client, "cobuilding:matters", area=world.c3.public_id, date_from="2024-13-40", solved="perhaps", source="x"
    )
    assert count == 1
    assert set(response.context["form"].errors) == {"area", "date_from", "solved", "source"}
    html = response.content.decode()
    assert 'data-testid="filter-errors"' in html and world.c3.name not in html
    client.force_login(world.users.community_worker_outsider)
    count, response = _count(client, "cobuilding:matters", area=world.c1.public_id)
    assert count == 0 and matter.title not in response.content.decode()
    for user in (world.users.resident, world.users.unit_contact):
        client.force_login(user)
        assert client.get(reverse("cobuilding:matters")).status_code == 404


def test_estates_narrow_by_place_and_branch(world, client):
    cw, admin = world.users.community_worker, world.users.district_admin
    estates.governance_save(actor=cw, estate=world.estate, mode="residents", branch=world.eb)
    estates.governance_save(actor=admin, estate=world.estate3, mode="community")
    client.force_login(admin)
    assert _count(client, "cobuilding:estates")[0] == 2
    assert _count(client, "cobuilding:estates", branch="yes")[0] == 1
    assert _count(client, "cobuilding:estates", branch="no")[0] == 1
    count, response = _count(client, "cobuilding:estates", area=world.s2.public_id, branch="no")
    assert count == 1
    html = response.content.decode()
    assert 'data-testid="list-total"' in html and world.estate3.name in html and world.estate.name not in html
    assert _count(client, "cobuilding:estates", area=world.g1a.public_id)[0] == 0  # estates lie at communities
    client.force_login(cw)
    count, response = _count(client, "cobuilding:estates", area=world.c3.public_id, branch="maybe")
    assert count == 1 and set(response.context["form"].errors) == {"area", "branch"}
    assert world.estate3.name not in response.content.decode()
    client.force_login(world.users.community_worker_outsider)
    assert _count(client, "cobuilding:estates", area=world.c1.public_id, branch="yes")[0] == 0


def test_the_filtered_lists_cost_the_same_queries_whatever_the_rows(world, joint, count_queries):
    cw = world.users.community_worker
    urls = [
        reverse("cobuilding:matters") + f"?area={world.c1.public_id}&date_from=2020-01-01&solved=yes&source=meeting",
        reverse("cobuilding:matters") + "?solved=no",
        reverse("cobuilding:estates") + f"?area={world.c1.public_id}&branch=yes",
    ]
    matter_services.matter_close(
        actor=cw, matter=matter_services.matter_raise(actor=cw, comeeting=joint, title="甲"), reason="已答复"
    )
    matter_services.matter_to_task(
        actor=cw,
        matter=matter_services.matter_raise(actor=cw, comeeting=joint, title="乙"),
        unit=world.unit,
        due_on=timezone.localdate(),
    )  # a page's solved marks read the tasks of its rows: one query however many
    few = [count_queries(cw, url) for url in urls]
    for i in range(22):
        m = matter_services.matter_raise(actor=cw, comeeting=joint, title=f"事项{i}")
        if i % 2:
            matter_services.matter_close(actor=cw, matter=m, reason="已答复")
        else:
            matter_services.matter_to_task(actor=cw, matter=m, unit=world.unit, due_on=timezone.localdate())
    assert [count_queries(cw, url) for url in urls] == few
    assert max(few) <= 16, few
