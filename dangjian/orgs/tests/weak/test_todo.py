"""今日待办 from weak-organization cases."""

import datetime

from django.urls import reverse
from django.utils import timezone

from dangjian.orgs import todo
from dangjian.orgs.models import RectificationStep, WeakCaseStatus
from dangjian.orgs.weak import services

S = WeakCaseStatus
DAY = datetime.timedelta(days=1)


def titles(items):
    return [item.title for item in items]


def test_the_responsible_person_sees_overdue_steps_as_urgent_and_steps_due_within_a_week(world, make_case):
    u = world.users
    today = timezone.localdate()
    case = make_case(world.eb, S.RECTIFYING, steps=3)
    overdue, soon, later = case.steps.order_by("pk")
    RectificationStep.objects.filter(pk=overdue.pk).update(deadline=today - 2 * DAY)
    RectificationStep.objects.filter(pk=soon.pk).update(deadline=today + 7 * DAY)
    RectificationStep.objects.filter(pk=later.pk).update(deadline=today + 8 * DAY)
    items = todo.weak_org_todos(u.community_worker)
    assert titles(items) == [
        "整改措施已超期 2 天：整改措施1（中珠新村小区党支部）",
        "整改措施7 天后到期：整改措施2（中珠新村小区党支部）",
    ]
    assert [i.urgent for i in items] == [True, False]
    assert items[0].url == f"{case.get_absolute_url()}#step-{overdue.public_id}"
    # The same steps on another day: the selector takes the day as an argument.
    assert len(todo.step_items(u.community_worker, today + 2 * DAY)) == 3
    assert todo.step_items(u.community_worker, today - 10 * DAY) == []


def test_outsiders_colleagues_and_people_in_other_roles_see_none_of_them(world, make_case):
    u = world.users
    case = make_case(world.eb, S.RECTIFYING)
    RectificationStep.objects.filter(case=case).update(deadline=timezone.localdate() - DAY)
    assert len(todo.weak_org_todos(u.community_worker)) == 1
    for user in (u.community_worker_colleague, u.community_worker_outsider, u.grid_worker, u.member, u.resident):
        assert todo.weak_org_todos(user) == [], user.username


def test_steps_of_cases_not_under_way_are_not_todos(world, make_case):
    make_case(world.eb, S.FLAGGED, deadline=timezone.localdate())
    make_case(world.ub, S.APPLIED, deadline=timezone.localdate())
    assert todo.weak_org_todos(world.users.community_worker) == []


def test_admins_see_the_cases_waiting_for_their_approval(world, make_case, reasons):
    u = world.users
    make_case(world.eb, S.APPLIED)
    make_case(world.ub, S.FLAGGED, responsible=u.subdistrict_admin)
    services.weak_case_flag(actor=u.district_admin, org=world.cc1, reasons=[reasons["members_lax"]])
    items = {i.title: i for i in todo.weak_org_todos(u.subdistrict_admin)}
    assert items["软弱涣散组织摘帽申请待审批"].count == 1
    assert items["软弱涣散组织摘帽申请待审批"].url == reverse("orgs:weak_list") + "?status=applied_for_delisting"
    assert items["软弱涣散组织整改方案待批准"].count == 1
    assert items["新列入的软弱涣散组织待制定整改方案"].count == 1
    assert todo.weak_org_todos(u.subdistrict_admin_outsider) == []
    assert "软弱涣散组织摘帽申请待审批" not in titles(todo.weak_org_todos(u.community_worker))


def test_many_steps_end_in_a_link_to_the_persons_list(world, make_case):
    case = make_case(world.eb, S.RECTIFYING, steps=12)
    RectificationStep.objects.filter(case=case).update(deadline=timezone.localdate() - DAY)
    items = todo.weak_org_todos(world.users.community_worker)
    assert len(items) == todo.MAX_STEP_ITEMS + 1
    # Counted as the list it opens counts: the one organization whose steps these are.
    assert items[-1].count == 1 and items[-1].url.endswith("?mine=1&status=rectifying")


def test_the_home_page_shows_the_step_to_its_responsible_person(world, make_case, login):
    case = make_case(world.eb, S.RECTIFYING)
    RectificationStep.objects.filter(case=case).update(deadline=timezone.localdate() - 3 * DAY)
    body = login(world.users.community_worker).get(reverse("dashboard:home")).content.decode()
    assert "整改措施已超期 3 天：整改措施1" in body
    body = login(world.users.community_worker_outsider).get(reverse("dashboard:home")).content.decode()
    assert "整改措施已超期" not in body
