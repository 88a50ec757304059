import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dangjian.audit.models import AuditEvent
from dangjian.core.validators import credit_code_check_char
from dangjian.orgs import services as org_services
from dangjian.units import services
from dangjian.units.models import AdjunctMember, AllianceMembership, CoverageRule, ResidentUnit


def code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


def create(world, **kwargs):
    args = {"name": "珠海新单位有限公司", "kind": "enterprise", "community": world.c1}
    return services.unit_create(actor=world.users.community_worker, **{**args, **kwargs})


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


def test_it_checks_the_credit_code_and_says_what_is_wrong(world):
    with pytest.raises(ValidationError) as exc:
        create(world, credit_code="91440402MA4UPE2X1")
    assert errors_of(exc)["credit_code"] == ["统一社会信用代码应为 18 位（当前 17 位）。"]
    with pytest.raises(ValidationError) as exc:
        create(world, credit_code="91440402MA4UPE2XIO")
    assert "不允许的字符：I、O" in errors_of(exc)["credit_code"][0]
    good = code("91440402MA4UPE2X1")
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        create(world, credit_code=wrong)
    assert errors_of(exc)["credit_code"] == [f"统一社会信用代码校验位错误（应为 {good[17]}），请核对。"]
    unit = create(world, credit_code=good.lower())
    assert unit.credit_code == good and unit.pinyin == "zhxdwyxgs"
    assert AuditEvent.objects.filter(object_id=str(unit.public_id), action="create").exists()


def test_a_credit_code_and_a_name_belong_to_one_unit(world):
    first = create(world, credit_code=code("91440402MA4UPE2X1"))
    with pytest.raises(ValidationError) as exc:
        create(world, name="另一家公司", credit_code=first.credit_code)
    assert "已被其他单位登记" in errors_of(exc)["credit_code"][0]
    with pytest.raises(ValidationError) as exc:
        create(world, name=first.name, community=world.c1)
    assert errors_of(exc)["name"] == ["「婆石社区」已有名为「珠海新单位有限公司」的单位。"]
    assert create(world, name=first.name, community=world.c2).community == world.c2  # another community
    # And the database holds the line if two writers race past the check.
    with pytest.raises(IntegrityError), transaction.atomic():
        ResidentUnit.objects.create(name="抢先", kind="other", community=world.c3, credit_code=first.credit_code)


def test_it_refuses_impossible_counts_and_a_non_community(world):
    with pytest.raises(ValidationError) as exc:
        create(world, staff_count=3, member_count=5)
    assert errors_of(exc)["member_count"] == ["党员人数（5）不能多于从业人员数（3）。"]
    with pytest.raises(ValidationError) as exc:
        create(world, community=world.s1)
    assert "应选择一个社区" in errors_of(exc)["community"][0]
    with pytest.raises(ValidationError) as exc:
        create(world, name="  ", kind="spaceship")
    assert set(errors_of(exc)) == {"name", "kind"}


def test_an_update_is_audited_with_its_changes(world):
    unit = create(world, staff_count=10)
    services.unit_update(
        actor=world.users.community_worker,
        unit=unit,
        name=unit.name,
        kind="enterprise",
        community=world.c1,
        staff_count=12,
        member_count=3,
    )
    event = AuditEvent.objects.filter(object_id=str(unit.public_id), action="update").get()
    assert event.changes == {"staff_count": [10, 12], "member_count": [0, 3]}


def test_formation_choices_are_checked(world):
    unit = world.unit  # 拱北口岸中心 in 婆石社区, its own branch world.ub
    own = services.unit_set_formation(actor=None, unit=unit, party_org=world.ub, instructor=" 陈指导 ")
    assert own.party_org == world.ub and own.instructor == "陈指导"
    joint = org_services.org_create(
        actor=None, org_type="joint_branch", name="婆石联合支部", parent=world.cc1, area=world.c1
    )
    other = ResidentUnit.objects.create(name="婆石小店", kind="enterprise", community=world.c1)
    assert services.unit_set_formation(actor=None, unit=other, party_org=joint).party_org == joint
    with pytest.raises(ValidationError) as exc:
        services.unit_set_formation(actor=None, unit=other, party_org=world.ub)
    assert errors_of(exc)["party_org"] == [
        "「口岸中心党支部」是「拱北口岸中心」单独组建的党组织，不能作为本单位的党组织。"
    ]
    far = ResidentUnit.objects.create(name="海虹小店", kind="enterprise", community=world.c3)
    with pytest.raises(ValidationError) as exc:
        services.unit_set_formation(actor=None, unit=far, party_org=joint)
    assert "不覆盖本单位所在的海虹社区" in errors_of(exc)["party_org"][0]
    with pytest.raises(ValidationError) as exc:  # an estate branch covers owners' committees, not shops
        services.unit_set_formation(actor=None, unit=other, party_org=world.eb)
    assert "不能作为本单位的党组织" in errors_of(exc)["party_org"][0]
    committee = ResidentUnit.objects.create(name="中珠新村业委会", kind="owners_committee", community=world.c1)
    assert services.unit_set_formation(actor=None, unit=committee, party_org=world.eb).party_org == world.eb
    cleared = services.unit_set_formation(actor=None, unit=other, party_org=None)
    assert cleared.party_org is None
    events = AuditEvent.objects.filter(object_id=str(other.public_id)).order_by("pk")
    assert [e.changes["party_org"] for e in events] == [[None, "婆石联合支部"], ["婆石联合支部", None]]


def test_a_unit_can_form_its_own_branch_in_one_step(world):
    shop = ResidentUnit.objects.create(
        name="婆石书店", kind="enterprise", community=world.c1, member_count=3, staff_count=9
    )
    branch = services.unit_form_own_branch(actor=None, unit=shop, parent=world.cc1, secretary="周书记")
    shop.refresh_from_db()
    assert branch.name == "婆石书店党支部" and branch.unit == shop and branch.parent == world.cc1
    assert shop.party_org == branch
    with pytest.raises(ValidationError) as exc:
        services.unit_form_own_branch(actor=None, unit=shop, parent=world.cc3)
    assert "不覆盖本单位所在的婆石社区" in errors_of(exc)["parent"][0]


def test_moving_a_unit_away_from_its_joint_branch_is_refused(world):
    joint = org_services.org_create(
        actor=None, org_type="joint_branch", name="婆石联合支部", parent=world.cc1, area=world.c1
    )
    shop = ResidentUnit.objects.create(name="婆石小店", kind="enterprise", community=world.c1, party_org=joint)
    with pytest.raises(ValidationError) as exc:
        services.unit_update(actor=None, unit=shop, name=shop.name, kind=shop.kind, community=world.c3)
    assert "请先调整组建方式" in errors_of(exc)["community"][0]


def test_the_rule_is_saved_per_district_within_bounds(world):
    rule = services.coverage_rule_save(
        actor=world.users.district_admin, district=world.district, min_members_for_single=5, min_staff_social_org=50
    )
    assert (rule.min_members_for_single, rule.min_staff_social_org) == (5, 50)
    services.coverage_rule_save(actor=None, district=world.district, min_members_for_single=3, min_staff_social_org=50)
    assert CoverageRule.objects.get().min_members_for_single == 3
    assert list(
        AuditEvent.objects.filter(object_type="units.coveragerule").order_by("pk").values_list("action", flat=True)
    ) == [
        "create",
        "update",
    ]
    with pytest.raises(ValidationError) as exc:
        services.coverage_rule_save(
            actor=None, district=world.district, min_members_for_single=0, min_staff_social_org=50
        )
    assert errors_of(exc)["min_members_for_single"] == ["单独组建所需党员数应在 1 到 50 之间。"]
    with pytest.raises(ValidationError):
        services.coverage_rule_save(actor=None, district=world.s1, min_members_for_single=3, min_staff_social_org=30)


def test_adjunct_members_sit_once_and_end_once(world):
    seat = services.adjunct_add(
        actor=None, committee=world.cc1, unit=world.unit, name="陈主任", post="主任", since=datetime.date(2022, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.adjunct_add(actor=None, committee=world.cc1, unit=world.unit, name="陈主任")
    assert errors_of(exc)["name"] == ["陈主任（拱北口岸中心）已是「婆石社区大党委」的在任兼职委员。"]
    with pytest.raises(ValidationError) as exc:
        services.adjunct_add(actor=None, committee=world.cc3, unit=world.unit, name="陈主任")
    assert "不是社区大党委" in exc.value.messages[0]
    far = ResidentUnit.objects.create(name="海虹小店", kind="enterprise", community=world.c3)
    with pytest.raises(ValidationError) as exc:
        services.adjunct_add(actor=None, committee=world.cc1, unit=far, name="赵经理")
    assert "不在拱北街道" in errors_of(exc)["unit"][0]
    ended = services.adjunct_end(actor=None, adjunct=seat, ended_on=datetime.date(2024, 6, 30))
    assert not ended.is_active and ended.ended_on == datetime.date(2024, 6, 30)
    with pytest.raises(ValidationError, match="已经卸任"):
        services.adjunct_end(actor=None, adjunct=seat)
    again = services.adjunct_add(actor=None, committee=world.cc1, unit=world.unit, name="陈主任")  # a new term
    assert AdjunctMember.objects.filter(name="陈主任").count() == 2 and again.is_active


def test_alliances_take_member_units_with_covenants(world):
    alliance = services.alliance_create(
        actor=None, name="拱北区域党建联盟", area=world.s1, lead_org=world.wc1, founded_on=datetime.date(2021, 6, 1)
    )
    membership = services.alliance_add_unit(actor=None, alliance=alliance, unit=world.unit, covenant=" 开放场地 ")
    assert membership.covenant == "开放场地"
    with pytest.raises(ValidationError, match="已是该联盟的成员单位"):
        services.alliance_add_unit(actor=None, alliance=alliance, unit=world.unit)
    far = ResidentUnit.objects.create(name="海虹小店", kind="enterprise", community=world.c3)
    with pytest.raises(ValidationError, match="不在联盟所在的拱北街道"):
        services.alliance_add_unit(actor=None, alliance=alliance, unit=far)
    with pytest.raises(ValidationError) as exc:
        services.alliance_create(actor=None, name="错位联盟", area=world.s1, lead_org=world.wc2)
    assert "不在拱北街道范围内" in errors_of(exc)["lead_org"][0]
    with pytest.raises(ValidationError) as exc:
        services.alliance_create(actor=None, name="拱北区域党建联盟", area=world.s1, lead_org=world.wc1)
    assert "已有名为" in errors_of(exc)["name"][0]
    services.alliance_remove_unit(actor=None, alliance=alliance, unit=world.unit)
    assert not AllianceMembership.objects.exists()
    with pytest.raises(ValidationError, match="已不是该联盟的成员单位"):
        services.alliance_remove_unit(actor=None, alliance=alliance, unit=world.unit)
    assert AuditEvent.objects.filter(object_type="units.alliancemembership", action="delete").count() == 1
