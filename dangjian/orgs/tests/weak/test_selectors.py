"""Reads of weak-organization cases: overdue arithmetic for a given day, figures, chart, filters."""

import datetime

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.orgs.models import RectificationStep, WeakCaseStatus, WeakOrgCase
from dangjian.orgs.weak import selectors, services
from dangjian.territory import services as territory_services

S = WeakCaseStatus
DAY = datetime.timedelta(days=1)


def test_a_step_is_overdue_from_the_day_after_its_deadline_while_the_case_is_rectified(world, make_case):
    deadline = timezone.localdate() + 10 * DAY
    case = make_case(world.eb, S.RECTIFYING, deadline=deadline)
    worker = world.users.community_worker

    def overdue_on(day):
        return selectors.figures(worker, day)["overdue_steps"]

    assert overdue_on(deadline) == 0  # due today: not yet overdue
    assert overdue_on(deadline + DAY) == 1
    views = selectors.steps_of(case, worker, deadline + 3 * DAY)
    assert (views[0].overdue_days, views[0].days_left) == (3, None)
    views = selectors.steps_of(case, worker, deadline - 2 * DAY)
    assert (views[0].overdue_days, views[0].days_left) == (0, 2)
    listed = selectors.case_list(worker, today=deadline + DAY, overdue=True)
    assert [r.steps_overdue for r in selectors.case_rows(listed, today=deadline + DAY, subdistricts=[])] == [1]
    assert not selectors.case_list(worker, today=deadline, overdue=True).exists()
    # A done step is never overdue; nor a step whose case has not started or has applied.
    step = case.steps.get()
    RectificationStep.objects.filter(pk=step.pk).update(done_at=timezone.now(), done_note="已完成")
    assert overdue_on(deadline + 5 * DAY) == 0
    flagged = make_case(world.ub, S.FLAGGED, deadline=deadline)
    assert overdue_on(deadline + 5 * DAY) == 0
    assert selectors.steps_of(flagged, worker, deadline + 5 * DAY)[0].overdue_days == 0


def test_figures_count_this_years_cases_in_scope(world, make_case):
    make_case(world.eb, S.RECTIFYING)
    make_case(world.ub, S.DELISTED)
    make_case(world.eb3, S.APPLIED)  # in 吉大街道
    old = make_case(world.cc1, S.FLAGGED)
    WeakOrgCase.objects.filter(pk=old.pk).update(flagged_at=timezone.now() - datetime.timedelta(days=400))
    today = timezone.localdate()
    counts = selectors.figures(world.users.district_admin, today)
    assert counts["flagged_this_year"] == 3 and counts["rectifying"] == 1
    assert counts["applied"] == 1 and counts["delisted"] == 1 and counts["open"] == 3
    counts = selectors.figures(world.users.subdistrict_admin, today)
    assert counts["applied"] == 0 and counts["flagged_this_year"] == 2
    assert selectors.figures(world.users.community_worker_outsider, today)["applied"] == 1


def test_the_chart_counts_cases_by_status_per_subdistrict_or_per_community(world, make_case):
    make_case(world.eb, S.RECTIFYING)
    make_case(world.ub, S.FLAGGED)
    make_case(world.eb3, S.FLAGGED)
    make_case(world.wc1, S.FLAGGED, responsible=world.users.district_admin)  # at the subdistrict level
    admin = world.users.district_admin
    chart = selectors.chart_for(admin, selectors.subdistricts_for(admin))
    assert chart["title"] == "各街道整顿情况" and chart["categories"] == ["拱北街道", "吉大街道"]
    by_key = {s["key"]: s["data"] for s in chart["series"]}
    assert by_key[S.FLAGGED] == [2, 1] and by_key[S.RECTIFYING] == [1, 0] and by_key[S.DELISTED] == [0, 0]
    # Inside one subdistrict: per community, only those with cases, plus the subdistrict's own orgs.
    sub_admin = world.users.subdistrict_admin
    assert [s.name for s in selectors.subdistricts_for(sub_admin)] == ["拱北街道"]
    chart = selectors.chart_for(sub_admin, selectors.subdistricts_for(sub_admin))
    assert chart["title"] == "各社区整顿情况" and chart["categories"] == ["婆石社区", "街道直属"]
    by_key = {s["key"]: s["data"] for s in chart["series"]}
    assert by_key[S.FLAGGED] == [1, 1] and by_key[S.RECTIFYING] == [1, 0]
    worker = world.users.community_worker
    assert [s.name for s in selectors.subdistricts_for(worker)] == ["拱北街道"]
    assert selectors.chart_for(worker, selectors.subdistricts_for(worker))["categories"] == ["婆石社区"]
    # A deployment-wide account over several districts: per district.
    territory_services.area_create(actor=None, level="district", name="金湾区", parent=None)
    root = User.objects.create_superuser("root")
    chart = selectors.chart_for(root, selectors.subdistricts_for(root))
    assert chart["title"] == "各区整顿情况" and chart["categories"] == ["香洲区", "金湾区"]
    assert {s["key"]: s["data"] for s in chart["series"]}[S.FLAGGED] == [3, 0]


def test_the_list_filters_by_status_subdistrict_search_and_my_steps(world, make_case):
    u = world.users
    make_case(world.eb, S.RECTIFYING, responsible=u.community_worker_colleague)
    make_case(world.ub, S.FLAGGED)
    make_case(world.eb3, S.FLAGGED, responsible=u.district_admin)
    admin, today = u.district_admin, timezone.localdate()

    def names(user=admin, **filters):
        return sorted(c.org.name for c in selectors.case_list(user, today=today, **filters))

    assert names(status=S.FLAGGED) == ["口岸中心党支部", "海虹花园小区党支部"]
    assert names(subdistrict=world.s2) == ["海虹花园小区党支部"]
    assert names(query="zzxc") == ["中珠新村小区党支部"]
    assert names(query="口岸") == ["口岸中心党支部"]
    assert names(u.community_worker_colleague, mine=True) == ["中珠新村小区党支部"]
    assert names(u.community_worker_outsider) == ["海虹花园小区党支部"]
    [row] = selectors.case_rows(
        selectors.case_list(admin, today=today, query="zzxc"), today=today, subdistricts=[world.s1, world.s2]
    )
    assert (row.steps_total, row.steps_done, row.next_deadline, row.subdistrict) == (1, 0, today + 10 * DAY, world.s1)


def test_the_actions_offered_follow_the_table_the_role_and_the_guards(world, make_case):
    u = world.users
    case = make_case(world.eb, S.RECTIFYING)
    assert selectors.case_actions(u.subdistrict_admin, make_case(world.ub, S.FLAGGED))[0].transition.action == (
        "approve_plan"
    )
    assert selectors.case_actions(u.community_worker, make_case(world.cc1, S.FLAGGED)) == []
    [apply] = selectors.case_actions(u.community_worker, case)
    assert apply.transition.action == "apply" and "还有 1 项整改措施未完成" in apply.blocked
    services.weak_step_done(actor=u.community_worker, step=case.steps.get(), note="已完成")
    [apply] = selectors.case_actions(u.community_worker, case)
    assert apply.blocked is None
    services.weak_case_transition(actor=u.community_worker, case=case, action="apply")
    case.refresh_from_db()
    assert selectors.case_actions(u.community_worker, case) == []
    assert [a.transition.action for a in selectors.case_actions(u.district_admin, case)] == ["send_back", "delist"]


def test_roles_without_a_territory_see_no_case_nor_step(world, make_case):
    make_case(world.eb, S.RECTIFYING)
    u = world.users
    for user in (u.member, u.resident, u.unit_contact, u.department_staff, u.nobody):
        assert not selectors.cases_for(user).exists() and not selectors.steps_for(user).exists(), user.username
    assert selectors.cases_for(u.community_worker).count() == selectors.steps_for(u.community_worker).count() == 1
    assert not selectors.cases_for(u.community_worker_outsider).exists()
