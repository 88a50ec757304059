"""Demo members, households and liaisons for the demo district (a DEMO_EXTENSIONS step).

Everything goes through the services as "系统" (actor None) and is derived from the build's
random.Random in a fixed order, so equal seeds give equal data (dates of the recent past are
counted back from the day of the build).
"""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.validators import citizen_id_check_char
from dangjian.orgs.models import OrgType, PartyOrg
from dangjian.people.models import LiaisonLevel, Member, MemberCategory, MemberStatus, ResidentTag
from dangjian.people.services import liaisons as liaisons_services
from dangjian.people.services import members as members_services
from dangjian.people.services import residents as residents_services
from dangjian.territory.models import Area, Building, BuildingKind

from .names import SURNAMES, person_name

if TYPE_CHECKING:
    from .builder import Built

HOME_COMMUNITY = "婆石社区"
REGISTER_GRID = "婆石社区第一网格"
WORKPLACE = "珠海市拱北口岸中心"
LINKED_MEMBER = ("dy_member", "王建国", "13800000005")
# Where members' ID numbers were issued: mostly 香洲区, some from elsewhere (GB/T 2260).
REGION_CODES = ["440402"] * 6 + ["440403", "440404", "450403", "440104", "441900", "430102", "360102"]
MOBILE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "152", "158", "177", "186", "189")
# Other communities: how many members each of their organizations gets.
MEMBERS_PER_OTHER_COMMUNITY = 3

FLOATING_NOTES = (
    "外出务工（广东深圳），每月电话联系一次",
    "随子女到广州居住，已加入流入地临时党小组",
    "外出经商（浙江义乌），微信保持联系",
)
POCKET_NOTES = (
    "2024年毕业回珠海工作，组织关系仍在原就读高校，未办理转接",
    "原单位改制后组织关系介绍信一直未交，社区走访时发现",
)


class _Unique:
    """Draw values from `make` until one is new (ID numbers and mobiles must not repeat)."""

    def __init__(self, make):
        self.make, self.seen = make, set()

    def __call__(self, *args):
        while True:
            value = self.make(*args)
            if value not in self.seen:
                self.seen.add(value)
                return value


def _id_number(rng: random.Random, birth: datetime.date, sex: str) -> str:
    seq = rng.randint(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if sex == "male" else (0, 2, 4, 6, 8))
    first17 = f"{rng.choice(REGION_CODES)}{birth:%Y%m%d}{seq:03d}"
    return first17 + citizen_id_check_char(first17)


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _birth(rng: random.Random, first_year: int, last_year: int) -> datetime.date:
    start = datetime.date(first_year, 1, 1)
    return start + datetime.timedelta(days=rng.randrange((datetime.date(last_year, 12, 31) - start).days))


def _after(rng: random.Random, day: datetime.date, min_days: int, max_days: int, today: datetime.date):
    return min(day + datetime.timedelta(days=rng.randint(min_days, max_days)), today)


def _years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class _MemberMaker:
    def __init__(self, rng: random.Random, built: Built):
        self.rng, self.built = rng, built
        self.today = timezone.localdate()
        self.ids = _Unique(lambda birth, sex: _id_number(rng, birth, sex))
        self.mobiles = _Unique(lambda: _mobile(rng))
        self.names = _Unique(lambda: person_name(rng))
        self.names.seen.add(LINKED_MEMBER[1])

    def make(
        self,
        *,
        org: PartyOrg | None,
        kind: str = "in_service",  # in_service, retired, probationary, pocket
        home: Area | None = None,
        estate_index: int | None = None,
        workplace_name: str = "",
        name: str = "",
        mobile: str = "",
        user: User | None = None,
        birth_years: tuple[int, int] | None = None,
        sex: str = "",
    ) -> Member:
        rng, today = self.rng, self.today
        sex = sex or rng.choice(("male", "female"))
        if birth_years is None:
            birth_years = {"retired": (1946, 1962), "probationary": (1993, 2003)}.get(kind, (1968, 1995))
        birth = _birth(rng, *birth_years)
        adult = _years_later(birth, 18)
        if kind == "probationary":
            joined = today - datetime.timedelta(days=rng.randint(30, 330))
            confirmed = None
        else:
            joined = _after(rng, adult, 200, 365 * 15, today - datetime.timedelta(days=400))
            confirmed = _after(rng, joined, 365, 380, today)
        estate = building = None
        if home is not None and estate_index is not None:
            estates = self.built.estates[home.name]
            estate = estates[estate_index % len(estates)]
            building = rng.choice(self.built.buildings[estate.pk])
        status = {"retired": MemberStatus.RETIRED, "pocket": MemberStatus.POCKET}.get(kind, MemberStatus.IN_SERVICE)
        return members_services.member_create(
            actor=None,
            name=name or self.names(),
            id_number=self.ids(birth, sex),
            mobile=mobile or self.mobiles(),
            category=MemberCategory.PROBATIONARY if kind == "probationary" else MemberCategory.FULL,
            joined_on=joined,
            confirmed_on=confirmed,
            status=status,
            org=org,
            workplace=self.built.units[workplace_name] if workplace_name else None,
            home_community=home,
            home_estate=estate,
            home_building=building,
            user=user,
        )


def _estate_branches(community: Area) -> list[PartyOrg]:
    return list(PartyOrg.objects.filter(area=community, org_type=OrgType.ESTATE_BRANCH).order_by("path"))


def build(rng: random.Random, built: Built) -> None:
    maker = _MemberMaker(rng, built)
    _build_home_community_members(maker, built)
    _build_other_members(maker, built)
    _build_register(rng, built)
    _build_liaisons(built)


def _build_home_community_members(maker: _MemberMaker, built: Built) -> None:
    """婆石社区: the linked demo member, estate branch members, in-service members of the port centre,
    retired and probationary members, floating and pocket ones, a transfer history."""
    home = built.areas[HOME_COMMUNITY]
    branches = _estate_branches(home)
    port_branch = built.orgs[f"{WORKPLACE}党支部"]
    username, name, mobile = LINKED_MEMBER
    user = User.objects.get(username=username)
    # The demo Party member's account: in-service at the port centre, living in the first estate.
    linked = maker.make(
        org=branches[0],
        home=home,
        estate_index=0,
        workplace_name=WORKPLACE,
        name=name,
        mobile=mobile,
        user=user,
        birth_years=(1975, 1975),
        sex="male",
    )
    # In-service members of the port centre who live here (their organization is the unit's branch).
    for k in range(5):
        maker.make(org=port_branch, home=home, estate_index=k, workplace_name=WORKPLACE)
    made: list[Member] = []
    plan = ["in_service"] * 5 + ["retired"] * 4 + ["probationary"] * 3
    for k, kind in enumerate(plan):
        made.append(maker.make(org=branches[k % len(branches)], kind=kind, home=home, estate_index=k))
    # Floating: two members who went away for work or family; pocket: two whose letters never arrived.
    for k, note in enumerate(FLOATING_NOTES[:2]):
        member = maker.make(org=branches[k % len(branches)], home=home, estate_index=k)
        members_services.member_set_status(actor=None, member=member, status=MemberStatus.FLOATING, note=note)
    for k, _note in enumerate(POCKET_NOTES):
        maker.make(org=None, kind="pocket", home=home, estate_index=k + 1)
    # A member of the property company's branch found to be a pocket member (organization known).
    property_branch = built.orgs["珠海粤海物业服务有限公司拱北分公司党支部"]
    pocket = maker.make(org=property_branch, home=home, estate_index=2)
    members_services.member_set_status(actor=None, member=pocket, status=MemberStatus.POCKET, note=POCKET_NOTES[1])
    # Moves within the community, and one member who left the district, one who died.
    if len(branches) > 1:
        members_services.member_transfer(actor=None, member=made[0], to_org=branches[1], reason="搬迁至新小区居住")
        members_services.member_transfer(actor=None, member=made[1], to_org=branches[0], reason="按居住地调整所在支部")
    members_services.member_transfer(actor=None, member=linked, to_org=port_branch, reason="按工作单位转入单位党支部")
    members_services.member_transfer(
        actor=None, member=linked, to_org=branches[0], reason="退出单位支部，回居住小区党支部"
    )
    members_services.member_set_status(
        actor=None, member=made[2], status=MemberStatus.MOVED_OUT, note="组织关系转往广州市天河区"
    )
    members_services.member_set_status(actor=None, member=made[5], status=MemberStatus.DECEASED, note="因病去世")


def _build_other_members(maker: _MemberMaker, built: Built) -> None:
    """A few members in every other community's estate branches, the unit branches and the agencies."""
    communities = Area.objects.filter(level="community").exclude(name=HOME_COMMUNITY).order_by("path")
    for n, community in enumerate(communities):
        branches = _estate_branches(community)
        kinds = ("in_service", "retired", "probationary") if n % 3 == 0 else ("in_service", "in_service", "retired")
        for k, kind in enumerate(kinds[:MEMBERS_PER_OTHER_COMMUNITY]):
            maker.make(org=branches[k % len(branches)], kind=kind, home=community, estate_index=k)
    # Teachers of the 茂盛 school who live in 婆石社区 (seen there, managed by the school's branch).
    school_branch = built.orgs["珠海市香洲区拱北小学党支部"]
    for k in range(2):
        maker.make(org=school_branch, home=built.areas[HOME_COMMUNITY], estate_index=k + 2)
    for branch_name in ("拱北街道机关第一党支部", "拱北街道机关第二党支部"):
        maker.make(org=built.orgs[branch_name], home=built.areas["茂盛社区"], estate_index=0)
    # One floating member elsewhere, so the district's list is not only 婆石's.
    far = maker.make(org=_estate_branches(built.areas["海虹社区"])[0], home=built.areas["海虹社区"], estate_index=1)
    members_services.member_set_status(actor=None, member=far, status=MemberStatus.FLOATING, note=FLOATING_NOTES[2])


# Tags and how often each is drawn for a resident (独居老人 is given to people living alone).
TAG_ODDS = (
    (ResidentTag.IN_HARDSHIP, 0.08),
    (ResidentTag.VETERAN, 0.06),
    (ResidentTag.DISABLED, 0.04),
    (ResidentTag.LEFT_BEHIND_CHILD, 0.03),
)


def _build_register(rng: random.Random, built: Built) -> None:
    """Households and residents for the buildings of the demo grid worker's grid."""
    grid = built.areas[REGISTER_GRID]
    buildings = Building.objects.filter(grid=grid, kind=BuildingKind.RESIDENTIAL).order_by("pk")
    mobiles = _Unique(lambda: _mobile(rng))
    for building in buildings:
        floors = building.floors or 6
        rooms = sorted(
            {f"{rng.randint(1, floors)}{rng.randint(1, 4):02d}" for _i in range(rng.randint(4, 7))},
            key=lambda r: (len(r), r),
        )
        for room in rooms:
            household = residents_services.household_create(actor=None, building=building, room=room)
            surname = rng.choice(SURNAMES)
            size = rng.choice((1, 1, 2, 2, 3, 3, 4))
            for k in range(size):
                tags = [tag for tag, odds in TAG_ODDS if rng.random() < odds]
                if size == 1 and rng.random() < 0.45:
                    tags.append(ResidentTag.ELDERLY_ALONE)
                if rng.random() < 0.15:
                    phone = f"0756{rng.randint(2000000, 8999999)}"  # a landline, as many elderly have
                elif rng.random() < 0.8:
                    phone = mobiles()
                else:
                    phone = ""
                given = person_name(rng)[1:]
                residents_services.resident_create(
                    actor=None,
                    household=household,
                    name=(surname if k < 2 or rng.random() < 0.7 else rng.choice(SURNAMES)) + given,
                    mobile=phone,
                    tags=tags,
                )


def _build_liaisons(built: Built) -> None:
    """Leaders at three levels responsible for 婆石社区, its first grid and one of its estates."""
    home = built.areas[HOME_COMMUNITY]
    estate = built.estates[HOME_COMMUNITY][0]
    users = {u.username: u for u in User.objects.filter(username__in=["jd_admin", "sq_worker"])}
    rows = [
        ("林国栋", "区委常委、组织部部长", LiaisonLevel.DISTRICT, home, None, datetime.date(2024, 3, 1), None),
        (
            "陈静",
            "拱北街道党工委副书记",
            LiaisonLevel.SUBDISTRICT,
            built.areas[REGISTER_GRID],
            None,
            datetime.date(2024, 6, 1),
            users.get("jd_admin"),
        ),
        (
            "李红",
            "婆石社区党委副书记",
            LiaisonLevel.COMMUNITY,
            None,
            estate,
            datetime.date(2025, 1, 6),
            users.get("sq_worker"),
        ),
        (
            "郑海涛",
            "区人大常委会副主任",
            LiaisonLevel.DISTRICT,
            built.areas["海虹社区"],
            None,
            datetime.date(2024, 3, 1),
            None,
        ),
        (
            "许文辉",
            "拱北街道办事处副主任",
            LiaisonLevel.SUBDISTRICT,
            built.areas["茂盛社区"],
            None,
            datetime.date(2024, 6, 1),
            None,
        ),
    ]
    for leader, post, level, area, target_estate, since, user in rows:
        liaisons_services.liaison_assign(
            actor=None,
            leader_name=leader,
            post=post,
            level=level,
            area=area,
            estate=target_estate,
            since=since,
            user=user,
        )
    # An assignment that ended when its leader changed post, kept as history.
    ended = liaisons_services.liaison_assign(
        actor=None,
        leader_name="何志强",
        post="原拱北街道党工委委员",
        level=LiaisonLevel.SUBDISTRICT,
        area=home,
        since=datetime.date(2022, 3, 1),
    )
    liaisons_services.liaison_end(actor=None, liaison=ended, ended_on=datetime.date(2024, 5, 31))
