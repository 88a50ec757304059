"""A hand-counted set of units on top of `world`, whose every figure is worked out in
test_coverage.py by hand (the table below), and the demo district with this app's demo data."""

from types import SimpleNamespace

import pytest

from dangjian.core.figures import facts
from dangjian.orgs import services as org_services
from dangjian.people.models import Member
from dangjian.units.models import ResidentUnit

# name, kind, community, staff, members reported, members on record, formation, instructor
#   formation: "own" (its own branch), "J1" (joint branch in 婆石), "J2" (joint branch of 拱北街道), "" none
#
#  unit  kind   comm  staff rep rec  eff  org      instr  notes
#  U1    agency c1     80    5   0    5   own       -     (world.unit 拱北口岸中心, branch world.ub)
#  U2    ent    c1     20    4   0    4   -         -     blank: ≥3 members
#  U3    ent    c1      8    1   0    1   J1        -
#  U4    ent    c1     15    1   3    3   J1        -     3 on record (+1 moved out): due single, joint
#  U5    soc    c1     35    0   0    0   -         -     blank: social ≥30 staff
#  U6    oc     c1      0    0   1    1   -         -     red (member on record); blank: members
#  U7    oc     c1      0    0   0    0   -         yes   not red
#  U8    ent    c2     10    0   0    0   -         yes
#  U9    pc     c2     40    2   0    2   -         -     red; blank: members
#  U10   soc    c2     50    2   0    2   J2        -     social ≥30 covered
#  U11   ent    c3    100    3   0    3   own       -
#  U12   soc    c3     30    0   0    0   -         yes   blank: social staff == 30
#  U13   hosp   c3      0    0   0    0   -         -
#  U14   pc     c3      0    0   0    0   -         -     red: a PartyOrg located at it (party_org unset)
SPECS = [
    ("U2", "婆石甲科技有限公司", "enterprise", "c1", 20, 4, 0, "", ""),
    ("U3", "婆石乙商贸有限公司", "enterprise", "c1", 8, 1, 0, "J1", ""),
    ("U4", "婆石丙餐饮有限公司", "enterprise", "c1", 15, 1, 3, "J1", ""),
    ("U5", "婆石长者服务中心", "social_organization", "c1", 35, 0, 0, "", ""),
    ("U6", "中珠新村业主委员会", "owners_committee", "c1", 0, 0, 1, "", ""),
    ("U7", "婆石花园业主委员会", "owners_committee", "c1", 0, 0, 0, "", "张指导"),
    ("U8", "茂盛丁贸易有限公司", "enterprise", "c2", 10, 0, 0, "", "李指导"),
    ("U9", "茂盛物业管理有限公司", "property_company", "c2", 40, 2, 0, "", ""),
    ("U10", "茂盛义工协会", "social_organization", "c2", 50, 2, 0, "J2", ""),
    ("U11", "海虹戊制造有限公司", "enterprise", "c3", 100, 3, 0, "own", ""),
    ("U12", "海虹社工站", "social_organization", "c3", 30, 0, 0, "", "王指导"),
    ("U13", "海虹医院", "hospital", "c3", 0, 0, 0, "", ""),
    ("U14", "海虹物业服务有限公司", "property_company", "c3", 0, 0, 0, "", ""),
]


@pytest.fixture
def cov(world):
    w = world
    o = org_services.org_create
    j1 = o(actor=None, org_type="joint_branch", name="婆石非公企业联合党支部", parent=w.cc1, area=w.c1)
    j2 = o(actor=None, org_type="joint_branch", name="拱北街道社会组织联合党支部", parent=w.wc1, area=w.s1)
    units = {"U1": w.unit}
    ResidentUnit.objects.filter(pk=w.unit.pk).update(staff_count=80, member_count=5, party_org=w.ub)
    orgs = {"J1": j1, "J2": j2}
    for key, name, kind, comm, staff, reported, on_record, formation, instructor in SPECS:
        unit = ResidentUnit.objects.create(
            name=name,
            kind=kind,
            community=getattr(w, comm),
            staff_count=staff,
            member_count=reported,
            instructor=instructor,
        )
        if formation == "own":
            parent = w.cc3 if comm == "c3" else w.cc1
            own = o(actor=None, org_type="branch", name=f"{name}党支部", parent=parent, area=unit.community, unit=unit)
            formation_org = own
        else:
            formation_org = orgs.get(formation)
        if formation_org is not None:
            ResidentUnit.objects.filter(pk=unit.pk).update(party_org=formation_org)
        for n in range(on_record):
            Member.objects.create(name=f"{name}党员{n + 1}", workplace=unit, org=w.eb, status="in_service")
        units[key] = unit
    # A member who moved out does not count; one with no workplace neither.
    Member.objects.create(name="已转出党员", workplace=units["U4"], org=w.eb, status="moved_out")
    Member.objects.create(name="无单位党员", org=w.eb, status="retired")
    # U14: an organization located at the unit, though the unit's party_org is not set.
    o(actor=None, org_type="branch", name="海虹物业党支部", parent=w.cc3, area=w.c3, unit=units["U14"])
    for unit in units.values():
        unit.refresh_from_db()
    # The formations above are written with update() (no signals), like a bulk load: the figures
    # store is rebuilt from the rows, as after one.
    facts.rebuild(["units", "units_org"])
    return SimpleNamespace(world=w, units=units, j1=j1, j2=j2)


@pytest.fixture
def units_demo(demo):
    """The demo district (its extensions include this app's step)."""
    return demo
