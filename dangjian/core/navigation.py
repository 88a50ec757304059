"""The workbench menu: which pages each role reaches."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import ADMIN_ROLES, AUDIT_ROLES, TREE_ROLES, Role, active_role
from dangjian.people.selectors import LIAISON_ROLES, MEMBER_ROLES, RESIDENT_ROLES


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    icon: str  # a Lucide icon's name (static/vendor/lucide/, rendered by {% icon %})
    roles: frozenset | None = None  # None: every signed-in role

    def allows(self, role: str) -> bool:
        return role == "superuser" or self.roles is None or role in self.roles


MANAGERS = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})

# In the order a phone shows them: the first items of a role fill its bottom bar.
NAV = [
    NavItem("home", _("首页"), "dashboard:home", "house"),
    NavItem("case_patrol", _("巡查上报"), "cases:patrol", "clipboard-pen", frozenset({Role.GRID_WORKER})),
    NavItem(
        "cases_desk",
        _("接诉即办"),
        "cases:list",
        "phone-call",
        frozenset({*MANAGERS, Role.GRID_WORKER, Role.DEPARTMENT_STAFF}),
    ),
    NavItem(
        "demands_desk",
        _("需求派单"),
        "demands:desk",
        "send",
        frozenset({Role.COMMUNITY_WORKER, Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN}),
    ),
    NavItem("demand_new", _("我要点单"), "demands:new", "circle-plus", frozenset({Role.RESIDENT})),
    NavItem("demand_board", _("认领需求"), "demands:board", "hand", frozenset({Role.PARTY_MEMBER, Role.UNIT_CONTACT})),
    NavItem(
        "demand_tasks", _("我的接单"), "demands:tasks", "list-checks", frozenset({Role.PARTY_MEMBER, Role.UNIT_CONTACT})
    ),
    NavItem("points_mine", _("我的积分"), "points:mine", "award", frozenset({Role.PARTY_MEMBER})),
    NavItem(
        "case_report",
        _("我要反映"),
        "cases:report",
        "message-square-warning",
        frozenset({Role.RESIDENT, Role.PARTY_MEMBER}),
    ),
    NavItem("demand_mine", _("我的需求"), "demands:mine", "list", frozenset({Role.RESIDENT})),
    NavItem("case_mine", _("我的诉求"), "cases:mine", "message-square-text", frozenset({Role.RESIDENT})),
    NavItem(
        "whistles",
        _("吹哨报到"),
        "cases:whistle_board",
        "megaphone",
        frozenset({Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.DEPARTMENT_STAFF}),
    ),
    NavItem(
        "registration",
        _("双报到"),
        "registration:home",
        "user-check",
        frozenset({*MANAGERS, Role.PARTY_MEMBER, Role.UNIT_CONTACT}),
    ),
    NavItem(
        "volunteering",
        _("志愿服务"),
        "volunteering:home",
        "heart-handshake",
        frozenset(
            {
                Role.COMMUNITY_WORKER,
                Role.SUBDISTRICT_ADMIN,
                Role.DISTRICT_ADMIN,
                Role.PARTY_MEMBER,
                Role.RESIDENT,
                Role.GRID_WORKER,
            }
        ),
    ),
    NavItem(
        "timebank_mine", _("时间银行"), "timebank:mine", "hourglass", frozenset({Role.PARTY_MEMBER, Role.RESIDENT})
    ),
    NavItem("timebank_community", _("时间银行"), "timebank:community", "hourglass", frozenset({Role.COMMUNITY_WORKER})),
    NavItem("points_manage", _("积分管理"), "points:ranking", "award", MANAGERS),
    NavItem(
        "demand_insight",
        _("服务清单"),
        "demands:figures",
        "chart-column",
        frozenset({Role.COMMUNITY_WORKER, Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN}),
    ),
    NavItem(
        "cases_claim",
        _("认领事件"),
        "cases:claim_board",
        "hand-helping",
        frozenset({Role.PARTY_MEMBER, Role.UNIT_CONTACT}),
    ),
    NavItem("residents", _("居民"), "people:resident_home", "users", frozenset(RESIDENT_ROLES)),
    NavItem("members", _("党员"), "people:member_list", "star", frozenset(MEMBER_ROLES)),
    NavItem("my_member", _("我的党员信息"), "people:my_member", "id-card", frozenset({Role.PARTY_MEMBER})),
    NavItem("territory", _("属地"), "territory:tree", "network", frozenset(TREE_ROLES)),
    NavItem("orgs", _("党组织"), "orgs:tree", "flag", frozenset(TREE_ROLES)),
    NavItem("map", _("地图"), "territory:map_home", "map", frozenset(TREE_ROLES)),
    NavItem("units", _("驻区单位"), "units:list", "building-2", frozenset({*MANAGERS, Role.UNIT_CONTACT})),
    NavItem("coverage", _("组建覆盖"), "units:coverage", "chart-pie", MANAGERS),
    NavItem("weak_orgs", _("软弱涣散"), "orgs:weak_list", "triangle-alert", MANAGERS),
    NavItem("liaisons", _("包联"), "people:liaison_list", "handshake", frozenset(LIAISON_ROLES)),
    NavItem("centers", _("服务中心"), "centers:list", "landmark", MANAGERS),
    NavItem("imports", _("导入"), "imports:home", "upload", frozenset(TREE_ROLES)),
    NavItem("bookings", _("我的预约"), "centers:my_bookings", "calendar-clock"),
    NavItem("duty", _("权责清单"), "cases:duty_list", "scroll-text", MANAGERS),
    NavItem("case_figures", _("办件统计"), "cases:figures", "chart-bar", frozenset({*MANAGERS, Role.DEPARTMENT_STAFF})),
    NavItem("open311_clients", _("接口密钥"), "open311:clients", "key-round", frozenset({Role.DISTRICT_ADMIN})),
    NavItem("users", _("账号"), "accounts:user_list", "user-cog", frozenset(ADMIN_ROLES)),
    NavItem("audit", _("审计"), "audit:list", "shield-check", frozenset(AUDIT_ROLES)),
]


# How many menu items fit the phone's bottom bar; the rest open from "更多".
PHONE_SLOTS = 4


def nav_for(user) -> list[dict]:
    role = active_role(user)
    items = [i for i in NAV if i.allows(role)]
    # With one item too many, "更多" would take its slot for nothing: show them all.
    slots = len(items) if len(items) <= PHONE_SLOTS + 1 else PHONE_SLOTS
    return [
        {"key": i.key, "label": i.label, "url": reverse(i.url_name), "icon": i.icon, "primary": n < slots}
        for n, i in enumerate(items)
    ]
