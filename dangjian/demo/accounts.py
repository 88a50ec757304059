"""The demo district's accounts: one per role (printed by `make run`).

Shared by the demo command, `make run` and the browser tests.
"""

from dataclasses import dataclass

DEMO_PASSWORD = "Dangjian@2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    mobile: str
    role: str
    role_label: str
    scope: str  # what the role is bound to, by name


DEMO_ACCOUNTS = [
    DemoAccount("qu_admin", "周明", "13800000001", "district_admin", "区级管理员", "香洲区"),
    DemoAccount("jd_admin", "陈静", "13800000002", "subdistrict_admin", "街道管理员", "拱北街道"),
    DemoAccount("sq_worker", "李红", "13800000003", "community_worker", "社区工作者", "婆石社区"),
    DemoAccount("wg_worker", "黄志强", "13800000004", "grid_worker", "网格员", "婆石社区第一网格"),
    DemoAccount("dy_member", "王建国", "13800000005", "party_member", "党员", "婆石社区"),
    DemoAccount("dw_contact", "刘洋", "13800000006", "unit_contact", "驻区单位联络员", "珠海市拱北口岸中心"),
    DemoAccount("bm_staff", "赵刚", "13800000007", "department_staff", "职能部门人员", "香洲区城市管理和综合执法局"),
    DemoAccount("jm_resident", "张阿姨", "13800000008", "resident", "居民", "婆石社区"),
]
# sq_worker also holds the party_member role, to show switching between roles.
EXTRA_ROLES = {"sq_worker": ("party_member", "婆石社区")}
