"""The demo district, modelled on 珠海市香洲区, built through the services (as "系统").

Everything is derived from one seeded random.Random, in a fixed order, so two builds on
empty databases give the same names, codes, paths, boundaries and points.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils.module_loading import import_string

from dangjian.accounts.models import RoleAssignment, User
from dangjian.accounts.roles import AREA_ROLES, Role
from dangjian.accounts.services import role_assign, user_create
from dangjian.audit.models import AuditEvent
from dangjian.audit.services import Action, audit_record
from dangjian.orgs.models import OrgType, PartyOrg
from dangjian.orgs.services import org_create
from dangjian.territory.models import Area, Building, BuildingKind, Estate, Level
from dangjian.territory.services import area_create, building_save, estate_save
from dangjian.units.models import Department, DepartmentKind, ResidentUnit, UnitKind

from .accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, EXTRA_ROLES
from .lattice import Lattice
from .names import ESTATE_NAMES, OWN_ESTATE_SUFFIXES, grid_name, person_name

DEFAULT_SEED = 440402

DISTRICT_NAME, DISTRICT_CODE = "香洲区", "440402"
# The district is an 8 × 8 cell lattice around 22.27 N 113.57 E; each community is a 2 × 2
# cell block, each subdistrict a 2 × 2 block of community slots (one slot left empty: hills,
# parks, the port).
CENTER_LAT, CENTER_LNG = 22.27, 113.57
CELL_LNG, CELL_LAT = 0.006, 0.0055  # about 620 m × 610 m at this latitude
LATTICE_CELLS = 8


@dataclass(frozen=True)
class CommunitySpec:
    name: str
    code_suffix: str
    slot: tuple[int, int]  # (column, row) of its 2 × 2 block inside the subdistrict's block
    grids: int = 3  # 3 or 4, fixed here (not drawn at random) so every seed has the same grid names
    zone: str = ""  # name of the zone (片区) it sits in, if any


@dataclass(frozen=True)
class SubdistrictSpec:
    name: str
    code_suffix: str
    block: tuple[int, int]  # (column, row) of its community slots block in the district
    roads: tuple[str, ...]
    communities: tuple[CommunitySpec, ...]


SUBDISTRICTS = (
    SubdistrictSpec(
        "拱北街道",
        "001",
        (0, 0),
        ("迎宾南路", "粤海东路", "侨光路", "昌盛路"),
        (
            CommunitySpec("婆石社区", "001", (0, 1)),
            CommunitySpec("茂盛社区", "002", (1, 1)),
            CommunitySpec("桂花社区", "003", (1, 0)),
        ),
    ),
    SubdistrictSpec(
        "吉大街道",
        "002",
        (2, 0),
        ("景山路", "九洲大道中", "园林路", "海滨南路"),
        (
            CommunitySpec("景山社区", "001", (0, 0)),
            CommunitySpec("海滨社区", "002", (1, 1), zone="吉大海滨片区"),
            CommunitySpec("园林社区", "003", (1, 0), zone="吉大海滨片区"),
        ),
    ),
    SubdistrictSpec(
        "香湾街道",
        "003",
        (2, 2),
        ("情侣北路", "海虹路", "港湾大道", "碧涛路"),
        (
            CommunitySpec("碧涛社区", "001", (0, 0)),
            CommunitySpec("海虹社区", "002", (1, 0), grids=4),
            CommunitySpec("港湾社区", "003", (1, 1), grids=4),
        ),
    ),
    SubdistrictSpec(
        "梅华街道",
        "004",
        (0, 2),
        ("梅华西路", "翠前北路", "白石路", "康宁路"),
        (
            CommunitySpec("翠前社区", "001", (0, 1), grids=4),
            CommunitySpec("梅华社区", "002", (1, 1), grids=4),
            CommunitySpec("白石社区", "003", (0, 0)),
        ),
    ),
)

# A community's grids as blocks of its 2 × 2 cells: (i0, j0, i1, j1), numbered in this order.
FOUR_GRIDS = ((0, 1, 1, 2), (1, 1, 2, 2), (0, 0, 1, 1), (1, 0, 2, 1))
THREE_GRIDS = (
    ((0, 1, 1, 2), (1, 1, 2, 2), (0, 0, 2, 1)),  # south half as one grid
    ((0, 1, 2, 2), (0, 0, 1, 1), (1, 0, 2, 1)),  # north half as one grid
    ((0, 0, 1, 2), (1, 1, 2, 2), (1, 0, 2, 1)),  # west half as one grid
    ((0, 1, 1, 2), (0, 0, 1, 1), (1, 0, 2, 2)),  # east half as one grid
)
# Where estates sit inside a cell, (u, v); their buildings scatter ±BUILDING_SPREAD around.
ESTATE_SITES = ((0.3, 0.3), (0.7, 0.7), (0.3, 0.7), (0.7, 0.3))
BUILDING_SPREAD = 0.12

# (name, kind, community, has its own branch)
UNITS = (
    ("珠海市拱北口岸中心", UnitKind.AGENCY, "婆石社区", True),
    ("珠海粤海物业服务有限公司拱北分公司", UnitKind.PROPERTY_COMPANY, "婆石社区", True),
    ("珠海市香洲区拱北小学", UnitKind.SCHOOL, "茂盛社区", True),
    ("珠海拱北华联商贸有限公司", UnitKind.ENTERPRISE, "茂盛社区", True),
    ("珠海景山信息科技有限公司", UnitKind.ENTERPRISE, "景山社区", False),
    ("珠海吉大海鲜餐饮有限公司", UnitKind.ENTERPRISE, "景山社区", False),
    ("珠海市香洲区吉大社区卫生服务中心", UnitKind.HOSPITAL, "园林社区", True),
    ("珠海港湾物业管理有限公司", UnitKind.PROPERTY_COMPANY, "港湾社区", True),
    ("香湾社会工作服务中心", UnitKind.SOCIAL_ORGANIZATION, "碧涛社区", True),
    ("珠海市香洲区梅华城市服务有限公司", UnitKind.STATE_ENTERPRISE, "梅华社区", True),
    ("珠海市香洲区梅华中学", UnitKind.SCHOOL, "翠前社区", True),
)
# The 景山 enterprises' members form one joint branch.
JOINT_BRANCH = ("景山社区非公企业联合党支部", "景山社区")
# The first estate of 婆石社区 gets an owners' committee ("<estate>业主委员会").
OWNERS_COMMITTEE_COMMUNITY = "婆石社区"

DEPARTMENTS = (
    ("香洲区城市管理和综合执法局", DepartmentKind.CITY_MANAGEMENT, DISTRICT_NAME),
    ("香洲区公安分局", DepartmentKind.POLICE, DISTRICT_NAME),
    ("香洲区交警大队", DepartmentKind.TRAFFIC_POLICE, DISTRICT_NAME),
    ("香洲区消防救援大队", DepartmentKind.FIRE, DISTRICT_NAME),
    ("香洲区市场监督管理局", DepartmentKind.MARKET_REGULATION, DISTRICT_NAME),
    ("香洲区环卫中心", DepartmentKind.SANITATION, DISTRICT_NAME),
    ("拱北街道综合行政执法办公室", DepartmentKind.CITY_MANAGEMENT, "拱北街道"),
)
OFFICE_TOWER = ("拱北国际商务大厦", "婆石社区", 28)  # name, community, floors
EXPANDED_COMMITTEE = "婆石社区"  # whose community committee is a 大党委
GENERAL_BRANCH = ("拱北街道机关党总支", "拱北街道", ("拱北街道机关第一党支部", "拱北街道机关第二党支部"))
# Apps whose model permissions qu_admin gets, so the scoped Django admin works for them.
ADMIN_APPS = ("territory", "orgs", "units", "accounts", "audit")


# Each domain's demo data (members, units' formation, registrations...) is a module of this
# package: a function build(rng, built) run after the district, organizations and accounts.
DEMO_EXTENSIONS: list[str] = [
    "dangjian.demo.people.build",
    "dangjian.demo.units.build",
    "dangjian.demo.registration.build",
    "dangjian.demo.orgs.build",
    "dangjian.demo.centers.build",
    "dangjian.demo.cases.build",
    "dangjian.demo.demands.build",
    "dangjian.demo.volunteering.build",
    "dangjian.demo.notices.build",
    "dangjian.demo.deliberation.build",
    "dangjian.demo.funds.build",
    "dangjian.demo.microprojects.build",
    "dangjian.demo.orglife.build",
    "dangjian.demo.dues.build",
    "dangjian.demo.recruitment.build",
    "dangjian.demo.cobuilding.build",
    "dangjian.demo.mobilization.build",
    "dangjian.demo.workforce.build",
    "dangjian.demo.assessment.build",  # after the steps whose figures its automatic items read
    "dangjian.demo.duties.build",
    "dangjian.demo.seed_figures.build",  # a whistle and a liaison's problem seen through (cockpit)
    "dangjian.demo.notifications.build",  # last: marks the back-dated history's messages as in-app only
]


@dataclass
class Built:
    """What the build made, by name, for the steps that follow (and for tests)."""

    areas: dict[str, Area] = field(default_factory=dict)
    units: dict[str, ResidentUnit] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    orgs: dict[str, PartyOrg] = field(default_factory=dict)
    estates: dict[str, list[Estate]] = field(default_factory=dict)  # by community name
    buildings: dict[int, list[Building]] = field(default_factory=dict)  # by estate pk
    # Where estates may stand in each grid: ((cell i, cell j), (u, v)), by grid name.
    grid_sites: dict[str, list[tuple[tuple[int, int], tuple[float, float]]]] = field(default_factory=dict)


def existing_district() -> Area | None:
    """The first district already in the database, if any (the demo is then not built)."""
    return Area.objects.filter(level=Level.DISTRICT).order_by("path").first()


def demo_lattice(rng: random.Random) -> Lattice:
    return Lattice(
        origin_lng=round(CENTER_LNG - LATTICE_CELLS / 2 * CELL_LNG, 6),
        origin_lat=round(CENTER_LAT - LATTICE_CELLS / 2 * CELL_LAT, 6),
        cell_lng=CELL_LNG,
        cell_lat=CELL_LAT,
        cols=LATTICE_CELLS,
        rows=LATTICE_CELLS,
        rng=rng,
    )


@transaction.atomic
def build_demo_district(*, seed: int = DEFAULT_SEED, extensions: bool = True) -> Built:
    """The district, its organizations and accounts; then (unless `extensions` is off) each app's
    demo step in DEMO_EXTENSIONS order."""
    rng = random.Random(seed)
    lattice = demo_lattice(rng)
    built = Built()
    _build_territory(rng, lattice, built)
    _build_units(built)
    _build_departments(built)
    _build_orgs(rng, built)
    _build_accounts(built)
    for step in DEMO_EXTENSIONS if extensions else ():
        import_string(step)(rng, built)
    return built


def _build_territory(rng: random.Random, lattice: Lattice, built: Built) -> None:
    district = area_create(actor=None, level=Level.DISTRICT, name=DISTRICT_NAME, parent=None, code=DISTRICT_CODE)
    built.areas[district.name] = district
    estate_names = list(ESTATE_NAMES)
    rng.shuffle(estate_names)
    for sub in SUBDISTRICTS:
        # Subdistricts and communities carry the outline of their cells, so grids must lie inside them.
        si, sj = 2 * sub.block[0], 2 * sub.block[1]
        subdistrict = area_create(
            actor=None,
            level=Level.SUBDISTRICT,
            name=sub.name,
            parent=district,
            code=DISTRICT_CODE + sub.code_suffix,
            boundary=lattice.block_polygon(si, sj, si + 4, sj + 4),
        )
        built.areas[sub.name] = subdistrict
        for spec in sub.communities:
            parent = subdistrict
            if spec.zone:
                if spec.zone not in built.areas:
                    built.areas[spec.zone] = area_create(
                        actor=None, level=Level.ZONE, name=spec.zone, parent=subdistrict
                    )
                parent = built.areas[spec.zone]
            # The community's 2 × 2 cells in the district lattice.
            ci = 2 * (sub.block[0] + spec.slot[0])
            cj = 2 * (sub.block[1] + spec.slot[1])
            community = area_create(
                actor=None,
                level=Level.COMMUNITY,
                name=spec.name,
                parent=parent,
                code=subdistrict.code + spec.code_suffix,
                boundary=lattice.block_polygon(ci, cj, ci + 2, cj + 2),
            )
            built.areas[spec.name] = community
            layout = FOUR_GRIDS if spec.grids == 4 else rng.choice(THREE_GRIDS)
            grids = []
            for n, (i0, j0, i1, j1) in enumerate(layout, start=1):
                grid = area_create(
                    actor=None,
                    level=Level.GRID,
                    name=grid_name(spec.name, n),
                    parent=community,
                    boundary=lattice.block_polygon(ci + i0, cj + j0, ci + i1, cj + j1),
                )
                built.areas[grid.name] = grid
                cells = [(ci + i, cj + j) for i in range(i0, i1) for j in range(j0, j1)]
                built.grid_sites[grid.name] = [(cell, site) for site in ESTATE_SITES for cell in cells]
                grids.append(built.grid_sites[grid.name])
            _build_estates(rng, lattice, built, sub, community, grids, estate_names)
    office_name, office_community, floors = OFFICE_TOWER
    # The tower stands in the middle of the community's first grid, clear of the estates' buildings.
    (i, j), _site = built.grid_sites[grid_name(office_community, 1)][0]
    lat, lng = lattice.point(i, j, 0.5, 0.5)
    building_save(
        actor=None,
        community=built.areas[office_community],
        name=office_name,
        kind=BuildingKind.OFFICE,
        floors=floors,
        lat=lat,
        lng=lng,
    )


def _build_estates(
    rng: random.Random,
    lattice: Lattice,
    built: Built,
    sub: SubdistrictSpec,
    community: Area,
    grid_sites: list[list[tuple[tuple[int, int], tuple[float, float]]]],
    estate_names: list[str],
) -> None:
    order = list(range(len(grid_sites)))
    rng.shuffle(order)
    estates = []
    for k in range(rng.randint(2, 4)):
        grid_no = order[k % len(order)]
        (i, j), (su, sv) = grid_sites[grid_no][k // len(order)]
        lat, lng = lattice.point(i, j, su, sv)
        name = community.name.removesuffix("社区") + rng.choice(OWN_ESTATE_SUFFIXES) if k == 0 else estate_names.pop()
        estate = estate_save(
            actor=None,
            community=community,
            name=name,
            address=f"珠海市香洲区{rng.choice(sub.roads)}{rng.randint(1, 300)}号",
            lat=lat,
            lng=lng,
            households=rng.randrange(240, 1800, 10),
        )
        estates.append(estate)
        buildings = []
        floors = rng.choice((7, 8, 9, 11, 18, 26, 32))
        for b in range(1, rng.randint(3, 6) + 1):
            blat, blng = lattice.point(
                i,
                j,
                su + rng.uniform(-BUILDING_SPREAD, BUILDING_SPREAD),
                sv + rng.uniform(-BUILDING_SPREAD, BUILDING_SPREAD),
            )
            buildings.append(
                building_save(
                    actor=None,
                    community=community,
                    estate=estate,
                    name=f"{b}栋",
                    kind=BuildingKind.RESIDENTIAL,
                    floors=floors,
                    lat=blat,
                    lng=blng,
                )
            )
        built.buildings[estate.pk] = buildings
    built.estates[community.name] = estates


def _build_units(built: Built) -> None:
    rows = [(name, kind, community) for name, kind, community, _branch in UNITS]
    first_estate = built.estates[OWNERS_COMMITTEE_COMMUNITY][0]
    rows.append((f"{first_estate.name}业主委员会", UnitKind.OWNERS_COMMITTEE, OWNERS_COMMITTEE_COMMUNITY))
    for name, kind, community_name in rows:
        community = built.areas[community_name]
        unit = ResidentUnit.objects.create(name=name, kind=kind, community=community)
        audit_record(
            actor=None,
            action=Action.CREATE,
            obj=unit,
            changes={"name": [None, name], "kind": [None, str(kind)], "community": [None, community.name]},
            area_path=community.path,
        )
        built.units[name] = unit


def _build_departments(built: Built) -> None:
    for name, kind, area_name in DEPARTMENTS:
        area = built.areas[area_name]
        department = Department.objects.create(name=name, kind=kind, area=area)
        audit_record(
            actor=None,
            action=Action.CREATE,
            obj=department,
            changes={"name": [None, name], "kind": [None, str(kind)], "area": [None, area.name]},
            area_path=area.path,
        )
        built.departments[name] = department


def _org(built: Built, rng: random.Random, **kwargs) -> PartyOrg:
    org = org_create(actor=None, secretary=person_name(rng), **kwargs)
    built.orgs[org.name] = org
    return org


def _build_orgs(rng: random.Random, built: Built) -> None:
    district = built.areas[DISTRICT_NAME]
    top = _org(
        built, rng, org_type=OrgType.DISTRICT_COMMITTEE, name="中共珠海市香洲区委员会", parent=None, area=district
    )
    for sub in SUBDISTRICTS:
        subdistrict = built.areas[sub.name]
        working = _org(
            built,
            rng,
            org_type=OrgType.WORKING_COMMITTEE,
            name=f"中共{sub.name}工作委员会",
            parent=top,
            area=subdistrict,
        )
        if sub.name == GENERAL_BRANCH[1]:
            general = _org(
                built, rng, org_type=OrgType.GENERAL_BRANCH, name=GENERAL_BRANCH[0], parent=working, area=subdistrict
            )
            for branch_name in GENERAL_BRANCH[2]:
                _org(built, rng, org_type=OrgType.BRANCH, name=branch_name, parent=general, area=subdistrict)
        for spec in sub.communities:
            community = built.areas[spec.name]
            expanded = spec.name == EXPANDED_COMMITTEE
            committee = _org(
                built,
                rng,
                org_type=OrgType.EXPANDED_COMMITTEE if expanded else OrgType.COMMUNITY_COMMITTEE,
                name=f"{spec.name}大党委" if expanded else f"{spec.name}党委",
                parent=working,
                area=community,
            )
            for estate in built.estates[spec.name]:
                _build_estate_orgs(rng, built, committee, community, estate)
            for name, _kind, community_name, has_branch in UNITS:
                if community_name == spec.name and has_branch:
                    _org(
                        built,
                        rng,
                        org_type=OrgType.BRANCH,
                        name=f"{name}党支部",
                        parent=committee,
                        area=community,
                        unit=built.units[name],
                    )
            if spec.name == JOINT_BRANCH[1]:
                _org(built, rng, org_type=OrgType.JOINT_BRANCH, name=JOINT_BRANCH[0], parent=committee, area=community)


def _build_estate_orgs(rng: random.Random, built: Built, committee: PartyOrg, community: Area, estate: Estate) -> None:
    branch = _org(
        built,
        rng,
        org_type=OrgType.ESTATE_BRANCH,
        name=f"{estate.name}党支部",
        parent=committee,
        area=community,
        estate=estate,
    )
    buildings = built.buildings[estate.pk]
    # One building group per one or two buildings; every other group has a member hub household.
    k, group_no = 0, 0
    while k < len(buildings):
        size = 1 if k == len(buildings) - 1 else rng.choice((1, 2, 2))
        covered = buildings[k : k + size]
        k += size
        label = covered[0].name if size == 1 else f"{covered[0].name[:-1]}-{covered[-1].name}"
        group = _org(
            built,
            rng,
            org_type=OrgType.BUILDING_GROUP,
            name=f"{estate.name}{label}楼宇党小组",
            parent=branch,
            area=community,
            estate=estate,
            building=covered[0],
        )
        if group_no % 2 == 0:
            home = rng.choice(covered)
            room = f"{rng.randint(2, home.floors or 6)}{rng.randint(1, 4):02d}"
            _org(
                built,
                rng,
                org_type=OrgType.HUB_HOUSEHOLD,
                name=f"{estate.name}{home.name}{room}室党员中心户",
                parent=group,
                area=community,
                estate=estate,
                building=home,
            )
        group_no += 1


def _build_accounts(built: Built) -> None:
    for account in DEMO_ACCOUNTS:
        user = user_create(
            actor=None,
            username=account.username,
            password=DEMO_PASSWORD,
            full_name=account.full_name,
            mobile=account.mobile,
            validate=False,
        )
        _assign(built, user, account.role, account.scope)
        if account.username in EXTRA_ROLES:
            role, scope = EXTRA_ROLES[account.username]
            _assign(built, user, role, scope)
        if account.role == Role.DISTRICT_ADMIN:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))


def _assign(built: Built, user: User, role: str, scope: str) -> RoleAssignment:
    if role in AREA_ROLES:
        return role_assign(actor=None, user=user, role=role, area=built.areas[scope])
    if role == Role.UNIT_CONTACT:
        return role_assign(actor=None, user=user, role=role, unit=built.units[scope])
    if role == Role.DEPARTMENT_STAFF:
        return role_assign(actor=None, user=user, role=role, department=built.departments[scope])
    if role in {Role.PARTY_MEMBER, Role.RESIDENT}:
        community = built.areas[scope]
        # A member also belongs to an organization: the first estate branch of their community.
        org = None
        if role == Role.PARTY_MEMBER:
            org = PartyOrg.objects.filter(area=community, org_type=OrgType.ESTATE_BRANCH).order_by("path").first()
        return role_assign(actor=None, user=user, role=role, org=org, home_community=community)
    raise ValueError(f"unknown demo role: {role}")


def summary() -> list[tuple[str, int]]:
    """Row counts for the closing message."""
    rows = [(str(level.label), Area.objects.filter(level=level).count()) for level in Level]
    rows += [
        ("小区", Estate.objects.count()),
        ("楼栋", Building.objects.count()),
        ("驻区单位", ResidentUnit.objects.count()),
        ("职能部门", Department.objects.count()),
        ("党组织", PartyOrg.objects.count()),
        ("用户", User.objects.count()),
        ("角色分配", RoleAssignment.objects.count()),
        ("审计记录", AuditEvent.objects.count()),
    ]
    return rows
