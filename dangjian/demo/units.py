"""Demo data for resident units: credit codes, staff and members, formation and coverage, the
district's coverage rule, adjunct members on 婆石社区大党委 and an alliance in 拱北街道.

The demo district shows believable rates that are not all 100 %, and a few blank spots:
an enterprise with 4 members and no organization, a 35-staff social organization uncovered,
an enterprise with one member and only an instructor; one owners' committee red, one not.
Everything goes through the services (actor None: "系统"), deterministically from `rng`.
"""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING

from dangjian.core.validators import credit_code_check_char
from dangjian.orgs.models import OrgType
from dangjian.orgs.services import org_create
from dangjian.units import services
from dangjian.units.models import ResidentUnit, UnitKind

from .names import person_name

if TYPE_CHECKING:
    from .builder import Built

REGION = "440402"  # 香洲区
# GB 32100: registration department + organization type, by kind.
REGISTRATION = {
    UnitKind.AGENCY: "11",
    UnitKind.ENTERPRISE: "91",
    UnitKind.STATE_ENTERPRISE: "91",
    UnitKind.SOCIAL_ORGANIZATION: "52",
    UnitKind.SCHOOL: "12",
    UnitKind.HOSPITAL: "12",
    UnitKind.PROPERTY_COMPANY: "91",
    UnitKind.OWNERS_COMMITTEE: "Y1",
    UnitKind.OTHER: "Y1",
}
ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]  # GB 11714


def organization_code(body: str) -> str:
    """An 8-digit body with its GB 11714 check character (the code's 9th character)."""
    check = 11 - sum(int(d) * w for d, w in zip(body, ORG_CODE_WEIGHTS, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_credit_code(rng: random.Random, kind: str, used: set[str]) -> str:
    while True:
        first17 = REGISTRATION[UnitKind(kind)] + REGION + organization_code(f"{rng.randrange(10**8):08d}")
        code = first17 + credit_code_check_char(first17)
        if code not in used:
            used.add(code)
            return code


# Existing units (built by the demo builder): staff, members reported, how they are covered.
# formation: "own" = their own branch (built as "<name>党支部"); "joint:<org>"; "estate" = the
# estate branch of their estate; "" = none. instructor: True = a Party-building instructor.
EXISTING = {
    "珠海市拱北口岸中心": (320, 46, "own", False),
    "珠海粤海物业服务有限公司拱北分公司": (86, 7, "own", False),
    "珠海市香洲区拱北小学": (120, 28, "own", False),
    "珠海拱北华联商贸有限公司": (64, 5, "own", False),
    "珠海景山信息科技有限公司": (45, 2, "joint:景山社区非公企业联合党支部", False),
    "珠海吉大海鲜餐饮有限公司": (22, 1, "joint:景山社区非公企业联合党支部", False),
    "珠海市香洲区吉大社区卫生服务中心": (58, 12, "own", False),
    "珠海港湾物业管理有限公司": (140, 6, "own", False),
    "香湾社会工作服务中心": (42, 4, "own", False),
    "珠海市香洲区梅华城市服务有限公司": (260, 31, "own", False),
    "珠海市香洲区梅华中学": (150, 38, "own", False),
}
MEIHUA_JOINT = ("梅华街道商圈联合党支部", "梅华街道", "中共梅华街道工作委员会")
# New units: name, kind, community, staff, members, formation, instructor.
NEW_UNITS = (
    # Blank spot: 4 members, no organization (should form its own).
    ("珠海拱北跨境电商有限公司", UnitKind.ENTERPRISE, "婆石社区", 38, 4, "", False),
    # Covered by its own new branch: a 33-staff social organization with 3 members.
    ("珠海市香洲区拱北义工服务中心", UnitKind.SOCIAL_ORGANIZATION, "婆石社区", 33, 3, "new_own", False),
    # Blank spot: a 35-staff social organization without members or organization.
    ("珠海香湾长者关爱服务中心", UnitKind.SOCIAL_ORGANIZATION, "海虹社区", 35, 0, "", False),
    # Blank spot with work coverage only: one member, an instructor, no organization.
    ("珠海茂盛文化传媒有限公司", UnitKind.ENTERPRISE, "茂盛社区", 16, 1, "", True),
    # Two small enterprises in the subdistrict's joint branch.
    ("珠海梅华电子商务有限公司", UnitKind.ENTERPRISE, "梅华社区", 12, 1, f"joint:{MEIHUA_JOINT[0]}", False),
    ("珠海白石餐饮管理有限公司", UnitKind.ENTERPRISE, "白石社区", 9, 1, f"joint:{MEIHUA_JOINT[0]}", False),
    # Work coverage by an instructor only.
    ("珠海市香洲区景山志愿者协会", UnitKind.SOCIAL_ORGANIZATION, "景山社区", 12, 0, "", True),
    # Not covered at all (and not a blank spot: no members, few staff).
    ("珠海碧涛家政服务有限公司", UnitKind.ENTERPRISE, "碧涛社区", 25, 0, "", False),
    # Not a red property service: no members, no organization.
    ("珠海桂花物业管理有限公司", UnitKind.PROPERTY_COMPANY, "桂花社区", 30, 0, "", False),
)
# The first estate's owners' committee of 婆石社区 (built by the builder) is red: two members,
# organized into its estate branch. 海虹社区's first estate gets one that is not.
RED_OWNERS_COMMITTEE_MEMBERS = 2
PLAIN_OWNERS_COMMITTEE_COMMUNITY = "海虹社区"
EXPANDED_COMMITTEE = "婆石社区大党委"
ADJUNCTS = (
    ("珠海市拱北口岸中心", "副主任", datetime.date(2021, 7, 1)),
    ("珠海粤海物业服务有限公司拱北分公司", "总经理", datetime.date(2021, 7, 1)),
    ("珠海市香洲区拱北小学", "校长", datetime.date(2022, 3, 15)),
    ("珠海拱北华联商贸有限公司", "党支部书记", datetime.date(2023, 1, 10)),
)
FORMER_ADJUNCT = ("珠海市拱北口岸中心", "原主任", datetime.date(2019, 5, 1), datetime.date(2021, 6, 30))
ALLIANCE = ("拱北口岸区域党建联盟", "拱北街道", "中共拱北街道工作委员会", datetime.date(2021, 6, 18))
COVENANTS = (
    ("珠海市拱北口岸中心", datetime.date(2021, 6, 18), "开放口岸党员教育基地；每季度与社区开展一次联合主题党日。"),
    (
        "珠海粤海物业服务有限公司拱北分公司",
        datetime.date(2021, 6, 18),
        "参与社区党委、业委会、物业协调机制；物业矛盾先行调处。",
    ),
    ("珠海市香洲区拱北小学", datetime.date(2021, 9, 1), "节假日开放运动场地；每学期为社区青少年开设两次公益课堂。"),
    (
        "珠海拱北华联商贸有限公司",
        datetime.date(2022, 4, 20),
        "每年认领不少于 2 个民生微实事项目，提供共建资源 2 万元。",
    ),
)


def build(rng: random.Random, built: Built) -> None:
    local = random.Random(rng.getrandbits(64))
    used: set[str] = set(ResidentUnit.objects.exclude(credit_code="").values_list("credit_code", flat=True))
    district = built.areas["香洲区"]
    services.coverage_rule_save(actor=None, district=district, min_members_for_single=3, min_staff_social_org=30)

    joint = built.orgs.get(MEIHUA_JOINT[0]) or org_create(
        actor=None,
        org_type=OrgType.JOINT_BRANCH,
        name=MEIHUA_JOINT[0],
        parent=built.orgs[MEIHUA_JOINT[2]],
        area=built.areas[MEIHUA_JOINT[1]],
        secretary=person_name(local),
    )
    built.orgs[joint.name] = joint

    def address(unit_community: str) -> str:
        from .builder import SUBDISTRICTS

        for sub in SUBDISTRICTS:
            if any(c.name == unit_community for c in sub.communities):
                return f"珠海市香洲区{local.choice(sub.roads)}{local.randint(1, 300)}号"
        return ""

    def organize(unit: ResidentUnit, formation: str, instructor: bool) -> None:
        org = None
        if formation == "own":
            org = built.orgs[f"{unit.name}党支部"]
        elif formation == "new_own":
            org = services.unit_form_own_branch(
                actor=None,
                unit=unit,
                parent=built.orgs[f"{unit.community.name}大党委"]
                if f"{unit.community.name}大党委" in built.orgs
                else built.orgs[f"{unit.community.name}党委"],
                secretary=person_name(local),
            )
            built.orgs[org.name] = org
        elif formation.startswith("joint:"):
            org = built.orgs[formation.removeprefix("joint:")]
        services.unit_set_formation(
            actor=None, unit=unit, party_org=org, instructor=person_name(local) if instructor else ""
        )

    for name, (staff, members, formation, instructor) in EXISTING.items():
        unit = built.units[name]
        updated = services.unit_update(
            actor=None,
            unit=unit,
            name=unit.name,
            kind=unit.kind,
            community=unit.community,
            credit_code=make_credit_code(local, unit.kind, used),
            address=address(unit.community.name),
            staff_count=staff,
            member_count=members,
        )
        built.units[name] = updated
        organize(updated, formation, instructor)

    # Owners' committees: the builder's one in 婆石社区 (red), a new one in 海虹社区 (not red).
    for unit in [u for u in built.units.values() if u.kind == UnitKind.OWNERS_COMMITTEE]:
        estate = next(e for e in built.estates[unit.community.name] if unit.name.startswith(e.name))
        updated = services.unit_update(
            actor=None,
            unit=unit,
            name=unit.name,
            kind=unit.kind,
            community=unit.community,
            credit_code=make_credit_code(local, unit.kind, used),
            address=estate.address,
            staff_count=0,
            member_count=RED_OWNERS_COMMITTEE_MEMBERS,
        )
        built.units[unit.name] = updated
        services.unit_set_formation(actor=None, unit=updated, party_org=built.orgs[f"{estate.name}党支部"])
    plain_estate = built.estates[PLAIN_OWNERS_COMMITTEE_COMMUNITY][0]
    plain = services.unit_create(
        actor=None,
        name=f"{plain_estate.name}业主委员会",
        kind=UnitKind.OWNERS_COMMITTEE,
        community=built.areas[PLAIN_OWNERS_COMMITTEE_COMMUNITY],
        credit_code=make_credit_code(local, UnitKind.OWNERS_COMMITTEE, used),
        address=plain_estate.address,
    )
    built.units[plain.name] = plain

    for name, kind, community_name, staff, members, formation, instructor in NEW_UNITS:
        unit = services.unit_create(
            actor=None,
            name=name,
            kind=kind,
            community=built.areas[community_name],
            credit_code=make_credit_code(local, kind, used),
            address=address(community_name),
            staff_count=staff,
            member_count=members,
        )
        built.units[name] = unit
        organize(unit, formation, instructor)

    committee = built.orgs[EXPANDED_COMMITTEE]
    unit_name, post, since, ended = FORMER_ADJUNCT
    former = services.adjunct_add(
        actor=None, committee=committee, unit=built.units[unit_name], name=person_name(local), post=post, since=since
    )
    services.adjunct_end(actor=None, adjunct=former, ended_on=ended)
    for unit_name, post, since in ADJUNCTS:
        services.adjunct_add(
            actor=None,
            committee=committee,
            unit=built.units[unit_name],
            name=person_name(local),
            post=post,
            since=since,
        )

    name, area_name, lead, founded = ALLIANCE
    alliance = services.alliance_create(
        actor=None, name=name, area=built.areas[area_name], lead_org=built.orgs[lead], founded_on=founded
    )
    for unit_name, joined, covenant in COVENANTS:
        services.alliance_add_unit(
            actor=None, alliance=alliance, unit=built.units[unit_name], covenant=covenant, joined_on=joined
        )
