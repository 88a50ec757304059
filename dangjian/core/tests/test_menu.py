"""The menu each app declares (its navigation.py), as each role sees it: order, labels and visibility."""

import pytest
from django.urls import reverse

from dangjian.core.navigation import menu, nav_for
from dangjian.core.scoping import Scope

# key: (label, url name, icon), in menu order.
ITEMS = {
    "home": ("首页", "dashboard:home", "house"),
    "case_patrol": ("巡查上报", "cases:patrol", "clipboard-pen"),
    "cases_desk": ("接诉即办", "cases:list", "phone-call"),
    "demands_desk": ("需求派单", "demands:desk", "send"),
    "demand_new": ("我要点单", "demands:new", "circle-plus"),
    "demand_board": ("认领需求", "demands:board", "hand"),
    "demand_tasks": ("我的接单", "demands:tasks", "list-checks"),
    "points_mine": ("我的积分", "points:mine", "award"),
    "case_report": ("我要反映", "cases:report", "message-square-warning"),
    "demand_mine": ("我的需求", "demands:mine", "list"),
    "case_mine": ("我的诉求", "cases:mine", "message-square-text"),
    "whistles": ("吹哨报到", "cases:whistle_board", "megaphone"),
    "mobilization": ("应急动员", "mobilization:home", "triangle-alert"),
    "notices": ("通知公告", "notices:list", "megaphone"),
    "notice_mine": ("我的通知", "notices:mine", "list"),
    "orglife": ("组织生活", "orglife:home", "calendar-clock"),
    "orglife_behind": ("滞后支部", "orglife:behind", "triangle-alert"),
    "orglife_guidance": ("重点动作指引", "orglife:guidance_list", "scroll-text"),
    "registration": ("双报到", "registration:home", "user-check"),
    "recruitment": ("发展党员", "recruitment:board", "user-check"),
    "assessment": ("考核评议", "assessment:home", "list-checks"),
    "assessment_mine": ("我的述职", "assessment:mine", "scroll-text"),
    "duties": ("清单与准入", "duties:home", "scroll-text"),
    "duties_inbox": ("上级任务", "duties:inbox", "list-checks"),
    "volunteering": ("志愿服务", "volunteering:home", "heart-handshake"),
    "deliberation": ("议事协商", "deliberation:home", "landmark"),
    "deliberation_topics": ("我要议事", "deliberation:topics", "message-square-text"),
    "cobuilding": ("共驻共建", "cobuilding:home", "handshake"),
    "cobuilding_tasks": ("共建任务", "cobuilding:tasks", "list-checks"),
    "cobuilding_mine": ("我的包联", "cobuilding:mine", "map"),
    "timebank_mine": ("时间银行", "timebank:mine", "hourglass"),
    "dues_mine": ("我的党费", "dues:mine", "landmark"),
    "microprojects": ("民生微实事", "microprojects:list", "clipboard-pen"),
    "microprojects_propose": ("微实事提议", "microprojects:mine", "circle-plus"),
    "microprojects_claims": ("双认领", "microprojects:claims", "hand-helping"),
    "timebank_community": ("时间银行", "timebank:community", "hourglass"),
    "dues_branches": ("党费收缴", "dues:branches", "landmark"),
    "points_manage": ("积分管理", "points:ranking", "award"),
    "funds": ("经费管理", "funds:overview", "landmark"),
    "funds_allocations": ("经费拨付审批", "funds:allocations", "list-checks"),
    "funds_settings": ("经费类别与保底", "funds:settings", "settings"),
    "demand_insight": ("服务清单", "demands:figures", "chart-column"),
    "notice_figures": ("签收统计", "notices:figures", "chart-bar"),
    "funds_figures": ("经费统计", "funds:figures", "chart-bar"),
    "dues_figures": ("党费统计", "dues:figures", "chart-column"),
    "orglife_figures": ("组织生活统计", "orglife:figures", "chart-bar"),
    "assessment_figures": ("考核统计", "assessment:figures", "chart-bar"),
    "cases_claim": ("认领事件", "cases:claim_board", "hand-helping"),
    "workforce": ("社工队伍", "workforce:home", "id-card"),
    "residents": ("居民", "people:resident_home", "users"),
    "members": ("党员", "people:member_list", "star"),
    "my_member": ("我的党员信息", "people:my_member", "id-card"),
    "territory": ("属地", "territory:tree", "network"),
    "orgs": ("党组织", "orgs:tree", "flag"),
    "map": ("地图", "territory:map_home", "map"),
    "units": ("驻区单位", "units:list", "building-2"),
    "coverage": ("组建覆盖", "units:coverage", "chart-pie"),
    "weak_orgs": ("软弱涣散", "orgs:weak_list", "triangle-alert"),
    "liaisons": ("包联", "people:liaison_list", "handshake"),
    "centers": ("服务中心", "centers:list", "landmark"),
    "imports": ("导入", "imports:home", "upload"),
    "bookings": ("我的预约", "centers:my_bookings", "calendar-clock"),
    "duty": ("权责清单", "cases:duty_list", "scroll-text"),
    "cockpit": ("驾驶舱", "cockpit:home", "chart-pie"),
    "case_figures": ("办件统计", "cases:figures", "chart-bar"),
    "open311_clients": ("接口密钥", "open311:clients", "key-round"),
    "users": ("账号", "accounts:user_list", "user-cog"),
    "audit": ("审计", "audit:list", "shield-check"),
    "workforce_mine": ("我的培训", "workforce:mine", "user-check"),
    "assessment_department": ("部门考评", "assessment:home", "list-checks"),
    "messages": ("消息", "notifications:inbox", "message-square-text"),
    "api_tokens": ("接口令牌", "api_tokens", "key-round"),
}

MENUS = {
    "district_admin": (
        "home cases_desk demands_desk whistles mobilization notices orglife orglife_behind "
        "orglife_guidance registration recruitment assessment duties volunteering deliberation cobuilding "
        "cobuilding_mine microprojects dues_branches points_manage funds funds_allocations "
        "funds_settings demand_insight notice_figures funds_figures dues_figures "
        "orglife_figures assessment_figures workforce residents members territory orgs map units coverage "
        "weak_orgs liaisons centers imports bookings duty cockpit case_figures open311_clients users "
        "audit messages api_tokens"
    ),
    "subdistrict_admin": (
        "home cases_desk demands_desk whistles mobilization notices orglife orglife_behind "
        "orglife_guidance registration recruitment assessment duties volunteering deliberation cobuilding "
        "cobuilding_mine microprojects dues_branches points_manage funds demand_insight "
        "notice_figures funds_figures dues_figures orglife_figures assessment_figures workforce residents "
        "members territory orgs map units coverage weak_orgs liaisons centers imports "
        "bookings duty cockpit case_figures users messages api_tokens"
    ),
    "community_worker": (
        "home cases_desk demands_desk whistles mobilization notices notice_mine orglife "
        "orglife_behind orglife_guidance registration recruitment assessment duties_inbox volunteering deliberation "
        "cobuilding cobuilding_mine microprojects timebank_community dues_branches "
        "points_manage funds demand_insight notice_figures funds_figures dues_figures "
        "orglife_figures assessment_figures workforce residents members territory orgs map units coverage "
        "weak_orgs liaisons centers imports bookings duty cockpit case_figures workforce_mine "
        "messages api_tokens"
    ),
    "grid_worker": (
        "home case_patrol cases_desk volunteering deliberation_topics microprojects_propose "
        "residents territory orgs map liaisons imports bookings workforce_mine messages"
    ),
    "party_member": (
        "home demand_board demand_tasks points_mine case_report mobilization notice_mine "
        "orglife orglife_guidance registration recruitment assessment_mine volunteering deliberation_topics "
        "timebank_mine dues_mine microprojects_claims dues_branches cases_claim my_member "
        "bookings messages"
    ),
    "unit_contact": (
        "home demand_board demand_tasks registration cobuilding_tasks microprojects_claims "
        "cases_claim units bookings messages"
    ),
    "department_staff": (
        "home cases_desk whistles duties bookings case_figures assessment_department messages api_tokens"
    ),
    "resident": (
        "home demand_new case_report demand_mine case_mine volunteering deliberation_topics "
        "timebank_mine microprojects_propose bookings messages"
    ),
    "superuser": " ".join(ITEMS),
}


def test_the_declared_menu_is_every_item_in_order_with_its_label_url_and_icon():
    assert [(i.key, str(i.label), i.url_name, i.icon) for i in menu()] == [(k, *v) for k, v in ITEMS.items()]


@pytest.mark.parametrize("role", sorted(MENUS))
def test_each_role_sees_its_menu(role):
    assert [i.key for i in menu() if i.allows(role)] == MENUS[role].split()


def test_the_rendered_menu_follows_the_active_role(world):
    worker = world.users.community_worker
    items = nav_for(worker)
    assert [i["key"] for i in items] == MENUS["community_worker"].split()
    assert items[1] == {
        "key": "cases_desk",
        "label": "接诉即办",
        "url": reverse("cases:list"),
        "icon": "phone-call",
        "primary": True,
    }
    assert [i["key"] for i in nav_for(world.users.resident)] == MENUS["resident"].split()


def test_a_superuser_without_a_role_sees_everything_and_with_one_sees_that_roles_menu(db, monkeypatch):
    from dangjian.conftest import make_user

    root = make_user("root")
    root.is_superuser = True
    assert [i["key"] for i in nav_for(root)] == list(ITEMS)
    monkeypatch.setattr("dangjian.core.scoping._resolver", lambda user: Scope(role="resident"))
    assert [i["key"] for i in nav_for(root)] == MENUS["resident"].split()
