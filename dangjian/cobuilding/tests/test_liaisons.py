"""Liaison work: a check-in with the phone's location, problems filed as cases through 挂点收集 with the
liaison's name, and the liaison's figures (visits due vs made, problems collected vs solved)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.cases.models import Case, CaseCategory, CaseStatus, Channel
from dangjian.cobuilding.models import LiaisonRule, Matter, Outcome
from dangjian.cobuilding.selectors import liaison_figures
from dangjian.cobuilding.services import liaisons as services

pytestmark = pytest.mark.django_db


def test_a_check_in_and_a_problem_become_a_case_with_the_liaisons_name(world, liaison):
    visit = services.liaison_checkin(
        actor=world.users.subdistrict_admin, liaison=liaison, lat=22.205, lng=113.505, notes="走访网格"
    )
    category = CaseCategory.objects.filter(is_active=True).first()
    matter, case = services.liaison_problem_file(
        actor=world.users.subdistrict_admin, visit=visit, category=category, description="楼道堆放杂物"
    )
    assert case.channel == Channel.LIAISON and case.get_channel_display() == "挂点收集"
    assert case.reporter_name.startswith("王副区长") and case.grid_id == world.g1a.pk
    assert matter.outcome == Outcome.CASE and matter.target_id == case.public_id and matter.liaison_id == liaison.pk


def test_nobody_else_checks_in_for_the_liaison(world, liaison):
    with pytest.raises(ValidationError):
        services.liaison_checkin(actor=world.users.community_worker_outsider, liaison=liaison, lat=None, lng=None)
    with pytest.raises(ValidationError):
        services.liaison_checkin(actor=world.users.subdistrict_admin, liaison=liaison, lat=200.0, lng=0.0)
    # The community's own worker may log it for them.
    assert services.liaison_checkin(actor=world.users.community_worker, liaison=liaison, lat=None, lng=None).pk


def test_figures_per_liaison_follow_the_districts_rule(world, liaison):
    today = datetime.date(2026, 1, 29)  # 29 days into the year: 4 whole weeks
    at = timezone.make_aware(datetime.datetime(2026, 1, 5, 10))
    for days in (0, 7):
        services.liaison_checkin(actor=None, liaison=liaison, lat=None, lng=None, at=at + datetime.timedelta(days=days))
    fig = liaison_figures([liaison], 2026, today=today)[0]
    assert (fig.made, fig.due, fig.behind) == (2, 4, True)
    LiaisonRule.objects.create(district=world.district, level="district", every_days=14, visits=1)
    fig = liaison_figures([liaison], 2026, today=today)[0]
    assert (fig.made, fig.due, fig.behind) == (2, 2, False)


def test_problems_collected_vs_solved(world, liaison):
    visit = services.liaison_checkin(actor=None, liaison=liaison, lat=None, lng=None)
    category = CaseCategory.objects.filter(is_active=True).first()
    cases = [
        services.liaison_problem_file(actor=None, visit=visit, category=category, description=f"问题{i}")[1]
        for i in range(3)
    ]
    Case.objects.filter(pk=cases[0].pk).update(status=CaseStatus.CLOSED)
    fig = liaison_figures([liaison], timezone.localdate().year)[0]
    assert (fig.collected, fig.solved) == (3, 1)
    assert Matter.objects.filter(liaison=liaison).count() == 3
