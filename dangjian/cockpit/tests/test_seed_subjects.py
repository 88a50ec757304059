"""The subjects the seed figures read (territory.areas, orgs.orgs, orgs.weak, volunteering.teams,
centers.centers, centers.circle: stocks; cases.whistles: a flow) are kept by the writers themselves: after the demo's
history and after further writes through the services (areas created and moved, organizations created
and closed by update(), a weak case flagged, volunteers joining and leaving, a centre and a standard
edited, a whistle blown, reported and its case closed) the stored facts equal a recomputation from the
raw rows, and the figures equal a count of the rows."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from dangjian.cases import services as case_services
from dangjian.cases.models import Case, CaseStatus, Whistle
from dangjian.cases.whistle import services as whistle_services
from dangjian.cases.whistle.facts import WHISTLES
from dangjian.cases.workflow import Step
from dangjian.centers.facts import CENTERS, CIRCLE
from dangjian.centers.models import CenterStandard, ServiceCenter
from dangjian.centers.services.centres import center_update, ensure_default_standards
from dangjian.cockpit import readings
from dangjian.cockpit.catalogue import BY_KEY
from dangjian.core.figures import facts
from dangjian.demo.seed_figures import _first_who_may, _staff_of
from dangjian.orgs.facts import ORGS, WEAK
from dangjian.orgs.models import PartyOrg, WeakOrgCase, WeakReason
from dangjian.orgs.services import org_close_temporary, org_create
from dangjian.orgs.weak.services import ensure_default_reasons, weak_case_flag
from dangjian.territory.facts import AREAS
from dangjian.territory.models import Area, Level
from dangjian.territory.services import area_create, area_move
from dangjian.volunteering import services as team_services
from dangjian.volunteering.facts import TEAMS
from dangjian.volunteering.models import Team, TeamMember

from .hand_counts import seed_figures_by_hand

pytestmark = pytest.mark.django_db(transaction=True)

STOCKS = (AREAS, ORGS, WEAK, TEAMS, CENTERS, CIRCLE)


def _flow_drift(subject: facts.Subject) -> list[facts.Drift]:
    return facts.differences(subject, facts.stored(subject, None, None), facts.recompute(subject).facts)


def _assert_store_equals_rows() -> None:
    for subject in STOCKS:
        assert facts.reconcile_stock(subject, repair=False) == [], subject.name
    assert _flow_drift(WHISTLES) == []
    today = readings.today()
    district = Area.objects.get(level=Level.DISTRICT)
    for node in (district, Area.objects.get(name="拱北街道"), Area.objects.get(name="婆石社区")):
        counted = seed_figures_by_hand(node, today)
        for key, value in counted.items():
            f = BY_KEY[key]
            stored = f.value(readings.measures([f.reading], node.path, today)[f.reading])
            assert stored == value, f"{node.name} {key}: store {stored} ≠ rows {value}"


def test_the_demo_history_leaves_no_drift(demo):
    _assert_store_equals_rows()
    # The demo gives the whistle and weak-organization figures something to count.
    district = Area.objects.get(level=Level.DISTRICT)
    counted = seed_figures_by_hand(district, readings.today())
    for key in ("grids", "party_orgs", "weak_open", "weak_delisted", "volunteer_teams", "centers", "whistles",
                "circle_coverage"):  # fmt: skip
        assert counted[key], key
    assert counted["whistles_solved"], "the demo sees one whistle through"


def test_writes_through_the_services_keep_the_facts(demo):
    users = {u.username: u for u in get_user_model().objects.all()}
    qu, sq = users["qu_admin"], users["sq_worker"]
    district = Area.objects.get(level=Level.DISTRICT)
    home = Area.objects.get(name="婆石社区")

    # Territory: new nodes (no boundary), a community moved to another subdistrict with its grid.
    s_a = area_create(actor=None, level=Level.SUBDISTRICT, name="测试甲街道", parent=district)
    s_b = area_create(actor=None, level=Level.SUBDISTRICT, name="测试乙街道", parent=district)
    community = area_create(actor=None, level=Level.COMMUNITY, name="测试社区", parent=s_a)
    area_create(actor=None, level=Level.GRID, name="测试网格", parent=community)
    area_create(actor=None, level=Level.GRID, name="婆石社区测试网格", parent=home)

    # Organizations: a temporary committee and branch, then closed (an update(): record_bulk).
    top = PartyOrg.objects.get(org_type="district_committee")
    temp = org_create(actor=None, org_type="temp_committee", name="测试临时党委", parent=top, area=district)
    org_create(actor=None, org_type="temp_branch", name="测试临时党支部", parent=temp, area=district)
    org_create(actor=None, org_type="branch", name="测试社区党支部", parent=top, area=community)
    _assert_store_equals_rows()
    org_close_temporary(actor=None, org=temp)

    # The weak register: an organization flagged.
    ensure_default_reasons()
    open_orgs = WeakOrgCase.objects.exclude(status="delisted").values("org_id")
    target = PartyOrg.objects.filter(org_type="branch", area__path__startswith=district.path).exclude(pk__in=open_orgs)
    weak_case_flag(actor=qu, org=target.order_by("pk").first(), reasons=[WeakReason.objects.order_by("pk").first()])

    # The move: the community, its grid, the branch placed there go with it (paths by update()).
    area_move(actor=None, area=community, new_parent=s_b)
    _assert_store_equals_rows()

    # Volunteers join and leave a team of the home community.
    team = Team.objects.filter(area=home, is_active=True).order_by("pk").first()
    members = set(TeamMember.objects.filter(team=team, left_at__isnull=True).values_list("user_id", flat=True))
    newcomer = next(u for name, u in sorted(users.items()) if u.pk not in members and name != "sq_worker")
    team_services.team_join(actor=sq, team=team, user=newcomer)
    leaver = TeamMember.objects.filter(team=team, left_at__isnull=True).exclude(user=newcomer).first()
    if leaver is not None:
        team_services.team_leave(actor=sq, team=team, user=leaver.user)

    # A centre made smaller; a standard lowered (the centres of its level follow).
    centre = ServiceCenter.objects.filter(is_active=True).order_by("pk").first()
    center_update(actor=None, center=centre, floor_area=10)
    ensure_default_standards()
    standard = CenterStandard.objects.get(level=centre.level)
    standard.min_area = 0
    standard.save()
    _assert_store_equals_rows()

    # A whistle: blown (its summonses after it), one department reports, all act, the case closes.
    unwhistled = Case.objects.filter(community=home, status=CaseStatus.HANDLING).exclude(
        pk__in=Whistle.objects.values("case_id")
    )
    case = next(c for c in unwhistled.order_by("pk") if whistle_services.may_blow(sq, c))
    departments = list(whistle_services.departments_for_case(case)[:2])
    whistle = whistle_services.whistle_blow(
        actor=sq,
        case=case,
        departments=departments,
        report_by=timezone.now() + datetime.timedelta(hours=6),
        reason="测试吹哨",
    )
    _assert_store_equals_rows()
    staff = {d.pk: _staff_of(d.pk) for d in departments}
    summonses = list(whistle.summonses.order_by("pk"))
    for s in summonses:
        for what in ("acknowledge", "attend", "act"):
            whistle_services.summons_report(actor=staff[s.department_id], summons=s, what=what)
        _assert_store_equals_rows()
    case.refresh_from_db()
    closer = _first_who_may([users["wg_worker"], sq, users["jd_admin"], qu], case, Step.CLOSE)
    case_services.case_close(actor=closer, case=case, result="测试办结")
    _assert_store_equals_rows()
    stored = facts.total(WHISTLES, district.path, readings.year_to_date(readings.today()))
    assert stored["solved"] >= 1 and stored["acted"] >= 1
