"""Each role's phone bar leads with the work that person does every day; the rest is under 更多."""

from dangjian.core.navigation import nav_for


def bar(user):
    return [item["key"] for item in nav_for(user) if item["primary"]]


def test_each_roles_phone_bar_leads_with_its_daily_work(world):
    u = world.users
    assert bar(u.resident) == ["home", "demand_new", "case_report", "demand_mine"]
    assert bar(u.member) == ["home", "demand_board", "demand_tasks", "points_mine"]
    assert bar(u.community_worker) == ["home", "cases_desk", "demands_desk", "whistles"]
    assert bar(u.grid_worker) == ["home", "case_patrol", "cases_desk", "volunteering"]
    assert bar(u.unit_contact) == ["home", "demand_board", "demand_tasks", "registration"]
    # A department sends tasks down to communities through 清单与准入; its yearly appraisal comes last.
    assert bar(u.department_staff) == ["home", "cases_desk", "whistles", "duties"]
