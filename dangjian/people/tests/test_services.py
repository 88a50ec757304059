"""Services: ID and phone validation, member facts, transfers with history, the status workflow,
the household register and liaisons. Every write leaves an audit row without personal data."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dangjian.audit.models import Action, AuditEvent
from dangjian.people.models import Liaison, Member, MemberStatusChange, MemberTransfer, Resident
from dangjian.people.services import liaisons as liaisons_services
from dangjian.people.services import members as members_services
from dangjian.people.services import residents as residents_services

from .conftest import make_id

TODAY = datetime.date.today()


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


# --- members -------------------------------------------------------------------------------


def test_it_fills_birth_date_and_sex_from_the_id_number(world):
    number = make_id(datetime.date(1990, 2, 28), 124).lower()  # a lower-case x is accepted too
    member = members_services.member_create(actor=None, name=" 刘芳 ", id_number=number, org=world.eb)
    assert member.name == "刘芳" and member.pinyin == "lf"
    assert member.birth_date == datetime.date(1990, 2, 28) and member.sex == "female"
    assert member.id_number == number.upper()


def test_it_refuses_a_wrong_id_number_with_a_chinese_message(world):
    good = make_id(datetime.date(1990, 2, 28), 124)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        members_services.member_create(actor=None, name="刘芳", id_number=bad, org=world.eb)
    assert "校验位错误" in errors_of(exc)["id_number"][0]
    with pytest.raises(ValidationError) as exc:
        members_services.member_create(actor=None, name="刘芳", id_number="1234", org=world.eb)
    assert "18 位" in errors_of(exc)["id_number"][0]
    assert not Member.objects.exists()


def test_it_refuses_a_second_member_with_the_same_id_number(world):
    number = make_id(datetime.date(1980, 1, 1))
    members_services.member_create(actor=None, name="甲", id_number=number, org=world.eb)
    with pytest.raises(ValidationError) as exc:
        members_services.member_create(actor=None, name="乙", id_number=number, org=world.eb3)
    assert "已有党员记录" in errors_of(exc)["id_number"][0]
    assert "甲" not in errors_of(exc)["id_number"][0]  # the other record may be outside the user's scope


def test_it_validates_the_mobile(world):
    member = members_services.member_create(actor=None, name="甲", mobile="139-1234 5678", org=world.eb)
    assert member.mobile == "13912345678"
    with pytest.raises(ValidationError) as exc:
        members_services.member_create(actor=None, name="乙", mobile="12345678901", org=world.eb)
    assert "手机号" in errors_of(exc)["mobile"][0]


def test_a_probationary_member_cannot_have_a_confirmation_date(world):
    with pytest.raises(ValidationError) as exc:
        members_services.member_create(
            actor=None,
            name="甲",
            category="probationary",
            joined_on=TODAY - datetime.timedelta(days=30),
            confirmed_on=TODAY,
            org=world.eb,
        )
    assert "预备党员尚未转正" in errors_of(exc)["confirmed_on"][0]
    # The database refuses it too, whatever writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(name="乙", category="probationary", confirmed_on=TODAY, org=world.eb)


def test_it_checks_the_dates_of_membership(world):
    birth = datetime.date(2000, 6, 1)
    with pytest.raises(ValidationError) as exc:
        members_services.member_create(
            actor=None, name="甲", id_number=make_id(birth), joined_on=datetime.date(2017, 6, 1), org=world.eb
        )
    assert "年满 18 周岁" in errors_of(exc)["joined_on"][0]
    with pytest.raises(ValidationError) as exc:
        members_services.member_create(
            actor=None,
            name="甲",
            joined_on=datetime.date(2020, 1, 1),
            confirmed_on=datetime.date(2019, 1, 1),
            org=world.eb,
        )
    assert "不能早于入党日期" in errors_of(exc)["confirmed_on"][0]
    with pytest.raises(ValidationError) as exc:
        members_services.member_create(
            actor=None, name="甲", joined_on=TODAY + datetime.timedelta(days=1), org=world.eb
        )
    assert "joined_on" in errors_of(exc)


def test_a_member_on_the_books_needs_an_organization_but_a_pocket_member_may_not(world):
    with pytest.raises(ValidationError) as exc:
        members_services.member_create(actor=None, name="甲", status="in_service", org=None)
    assert "口袋党员" in errors_of(exc)["org"][0]
    pocket = members_services.member_create(actor=None, name="乙", status="pocket", org=None, home_community=world.c1)
    assert pocket.org is None
    with pytest.raises(ValidationError):
        members_services.member_create(actor=None, name="丙", status="deceased", org=world.eb)  # not at creation
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(name="丁", status="in_service", org=None)


def test_the_home_is_filled_upwards_and_must_agree(world):
    member = members_services.member_create(actor=None, name="甲", org=world.eb, home_building=world.building)
    assert member.home_estate == world.estate and member.home_community == world.c1
    with pytest.raises(ValidationError) as exc:
        members_services.member_create(
            actor=None, name="乙", org=world.eb, home_community=world.c3, home_estate=world.estate
        )
    assert "不在居住社区" in errors_of(exc)["home_estate"][0]
    with pytest.raises(ValidationError) as exc:
        members_services.member_create(
            actor=None, name="丙", org=world.eb, home_estate=world.estate3, home_building=world.building
        )
    assert "home_building" in errors_of(exc)


def test_an_actor_can_only_place_a_member_in_an_organization_they_see(world):
    with pytest.raises(ValidationError) as exc:
        members_services.member_create(actor=world.users.community_worker, name="甲", org=world.eb3)
    assert "管理范围" in errors_of(exc)["org"][0]


def test_audit_rows_never_hold_the_id_number_or_mobile(people, world):
    number = make_id(datetime.date(1970, 1, 1), 555)
    members_services.member_update(
        actor=world.users.community_worker, member=people.own, id_number=number, mobile="13311112222"
    )
    row = AuditEvent.objects.filter(object_id=str(people.own.public_id), action=Action.UPDATE).latest("pk")
    assert row.changes["id_number"] == ["***", "***"] and row.changes["mobile"] == ["***", "***"]
    text = str(list(AuditEvent.objects.values_list("changes", flat=True)))
    for secret in (number, "13311112222", "13912345678", people.own.id_number):
        assert secret not in text


def test_update_changes_facts_but_not_the_organization_or_status(people, world):
    member = members_services.member_update(
        actor=None, member=people.probationary, category="full", confirmed_on=TODAY, home_community=world.c1
    )
    assert member.category == "full" and member.confirmed_on == TODAY and member.home_community == world.c1
    with pytest.raises(TypeError):
        members_services.member_update(actor=None, member=member, org=world.eb)  # the org moves only by a transfer
    unchanged = AuditEvent.objects.count()
    members_services.member_update(actor=None, member=member, name="孙预备")
    assert AuditEvent.objects.count() == unchanged  # nothing changed, nothing recorded
    # Clearing the ID number clears what was read from it.
    cleared = members_services.member_update(actor=None, member=people.own, id_number="")
    assert cleared.id_number is None and cleared.birth_date is None and cleared.sex == ""


# --- transfers -----------------------------------------------------------------------------


def test_a_transfer_moves_the_member_and_keeps_history_and_audit(people, world):
    actor = world.users.subdistrict_admin
    first = members_services.member_transfer(actor=actor, member=people.own, to_org=world.ub, reason="工作调动")
    second = members_services.member_transfer(actor=actor, member=people.own, to_org=world.eb, reason="回小区支部")
    people.own.refresh_from_db()
    assert people.own.org == world.eb
    history = list(MemberTransfer.objects.filter(member=people.own).order_by("at", "pk"))
    assert history == [first, second]
    assert (first.from_org, first.to_org, first.actor) == (world.eb, world.ub, actor)
    assert (second.from_org, second.to_org, second.reason) == (world.ub, world.eb, "回小区支部")
    rows = AuditEvent.objects.filter(object_id=str(people.own.public_id), action=Action.MOVE).order_by("pk")
    assert [r.changes["org"] for r in rows] == [
        ["中珠新村小区党支部", "口岸中心党支部"],
        ["口岸中心党支部", "中珠新村小区党支部"],
    ]


def test_a_transfer_to_the_same_organization_is_refused(people):
    with pytest.raises(ValidationError) as exc:
        members_services.member_transfer(actor=None, member=people.own, to_org=people.own.org)
    assert "相同" in errors_of(exc)["to_org"][0]
    assert not MemberTransfer.objects.exists()


@pytest.mark.parametrize("status", ["moved_out", "deceased"])
def test_moved_out_and_deceased_members_cannot_be_transferred(people, world, status):
    members_services.member_set_status(actor=None, member=people.own, status=status, note="说明")
    with pytest.raises(ValidationError) as exc:
        members_services.member_transfer(actor=None, member=people.own, to_org=world.ub)
    assert "不能转接组织关系" in errors_of(exc)["to_org"][0]


def test_a_transfer_goes_only_to_an_organization_the_actor_sees(people, world):
    with pytest.raises(ValidationError) as exc:
        members_services.member_transfer(actor=world.users.community_worker, member=people.own, to_org=world.eb3)
    assert "管理范围" in errors_of(exc)["to_org"][0]
    members_services.member_transfer(actor=world.users.district_admin, member=people.own, to_org=world.eb3)


# --- the status workflow -------------------------------------------------------------------


def test_status_changes_follow_the_table_and_are_logged(people, world):
    actor = world.users.community_worker
    change = members_services.member_set_status(actor=actor, member=people.own, status="retired", note="2026年退休")
    assert (change.from_status, change.to_status, change.note, change.actor) == (
        "in_service",
        "retired",
        "2026年退休",
        actor,
    )
    with pytest.raises(ValidationError) as exc:
        members_services.member_set_status(actor=actor, member=people.own, status="retired", note="再次")
    assert "已经是" in errors_of(exc)["status"][0]
    with pytest.raises(ValidationError) as exc:
        members_services.member_set_status(actor=actor, member=people.own, status="floating", note="")
    assert "note" in errors_of(exc)
    members_services.member_set_status(actor=actor, member=people.own, status="deceased", note="病故")
    with pytest.raises(ValidationError) as exc:
        members_services.member_set_status(actor=actor, member=people.own, status="in_service", note="误操作")
    assert "不能再变更" in errors_of(exc)["status"][0]
    assert MemberStatusChange.objects.filter(member=people.own).count() == 2


def test_a_moved_out_member_may_only_come_back_in_service_or_retired(people):
    members_services.member_set_status(actor=None, member=people.own, status="moved_out", note="转往广州")
    with pytest.raises(ValidationError) as exc:
        members_services.member_set_status(actor=None, member=people.own, status="floating", note="x")
    assert "可改为：在职、退休" in errors_of(exc)["status"][0]
    members_services.member_set_status(actor=None, member=people.own, status="in_service", note="转回本区")


def test_a_pocket_member_without_organization_cannot_just_be_set_in_service(people):
    with pytest.raises(ValidationError) as exc:
        members_services.member_set_status(actor=None, member=people.pocket, status="in_service", note="已联系")
    assert "先转入" in errors_of(exc)["status"][0]


def test_bringing_under_management_transfers_in_when_needed(people, world):
    actor = world.users.community_worker
    with pytest.raises(ValidationError) as exc:
        members_services.member_bring_under_management(
            actor=actor, member=people.pocket, status="in_service", note="已联系"
        )
    assert "请选择接收的党组织" in errors_of(exc)["org"][0]
    member = members_services.member_bring_under_management(
        actor=actor, member=people.pocket, status="in_service", note="介绍信已交，转入小区支部", org=world.eb
    )
    assert (member.status, member.org) == ("in_service", world.eb)
    transfer = MemberTransfer.objects.get(member=member)
    assert transfer.from_org is None and transfer.to_org == world.eb
    floating = members_services.member_bring_under_management(
        actor=actor, member=people.floating, status="retired", note="回社区居住"
    )
    assert (floating.status, floating.org) == ("retired", world.eb)
    with pytest.raises(ValidationError):  # only floating and pocket members are brought under management
        members_services.member_bring_under_management(actor=actor, member=people.own, status="retired", note="x")


def test_reveal_returns_the_value_and_writes_an_audit_row(people, world):
    actor = world.users.community_worker
    assert members_services.member_reveal(actor=actor, member=people.own, field="id_number") == people.own.id_number
    row = AuditEvent.objects.get(action=Action.REVEAL)
    assert row.changes == {"field": "id_number"} and row.actor == actor and row.area_path == world.c1.path
    with pytest.raises(ValidationError):
        members_services.member_reveal(actor=actor, member=people.own, field="name")


# --- the household register ----------------------------------------------------------------


def test_phones_may_be_mobiles_or_landlines_with_area_code(world):
    assert residents_services.normalize_phone("0756-2123456") == "07562123456"
    assert residents_services.normalize_phone(" 139 1234 5678 ") == "13912345678"
    assert residents_services.normalize_phone("") == ""
    with pytest.raises(ValidationError) as exc:
        residents_services.normalize_phone("12345")
    assert "固定电话" in exc.value.messages[0]


def test_households_have_unique_rooms_per_building(people, world):
    with pytest.raises(ValidationError) as exc:
        residents_services.household_create(actor=None, building=world.building, room=" 301 ")
    assert "已有房号「301」" in errors_of(exc)["room"][0]
    with pytest.raises(ValidationError):
        residents_services.household_create(actor=None, building=world.building, room="  ")


def test_residents_keep_known_tags_in_a_fixed_order(people):
    resident = residents_services.resident_create(
        actor=None, household=people.household, name="王伯", tags=["veteran", "elderly_alone", "veteran"]
    )
    assert resident.tags == ["elderly_alone", "veteran"]
    assert resident.tag_labels == ["独居老人", "退役军人"]
    with pytest.raises(ValidationError) as exc:
        residents_services.resident_create(actor=None, household=people.household, name="王伯", tags=["vip"])
    assert "未知的标签" in errors_of(exc)["tags"][0]
    updated = residents_services.resident_update(
        actor=None, resident=resident, tags=["in_hardship"], mobile="0756-3000000"
    )
    assert updated.tags == ["in_hardship"] and updated.mobile == "07563000000"


def test_a_household_with_residents_cannot_be_deleted(people):
    with pytest.raises(ValidationError):
        residents_services.household_delete(actor=None, household=people.household)
    for resident in list(people.household.residents.all()):
        residents_services.resident_delete(actor=None, resident=resident)
    residents_services.household_delete(actor=None, household=people.household)
    assert not Resident.objects.filter(household_id=people.household.pk).exists()
    deleted = AuditEvent.objects.filter(action=Action.DELETE).values_list("object_type", flat=True)
    assert sorted(deleted) == ["people.household", "people.resident", "people.resident"]


def test_resident_audit_rows_hide_the_phone(people):
    residents_services.resident_update(actor=None, resident=people.resident, mobile="13300009999")
    text = str(list(AuditEvent.objects.filter(object_type="people.resident").values_list("changes", flat=True)))
    assert "13300009999" not in text and "13700001111" not in text


# --- liaisons ------------------------------------------------------------------------------


def test_a_liaison_has_exactly_one_target_of_the_right_kind(world):
    with pytest.raises(ValidationError) as exc:
        liaisons_services.liaison_assign(actor=None, leader_name="甲", post="乙", level="district")
    assert "area" in errors_of(exc)
    with pytest.raises(ValidationError):
        liaisons_services.liaison_assign(
            actor=None, leader_name="甲", post="乙", level="district", area=world.c1, estate=world.estate
        )
    with pytest.raises(ValidationError) as exc:
        liaisons_services.liaison_assign(actor=None, leader_name="甲", post="乙", level="district", area=world.s1)
    assert "社区或网格" in errors_of(exc)["area"][0]
    with pytest.raises(ValidationError) as exc:
        liaisons_services.liaison_assign(
            actor=world.users.subdistrict_admin, leader_name="甲", post="乙", level="district", area=world.c3
        )
    assert "管理范围" in errors_of(exc)["area"][0]


def test_the_same_leader_is_not_assigned_twice_to_a_node_until_the_first_ends(people, world):
    with pytest.raises(ValidationError) as exc:
        liaisons_services.liaison_assign(
            actor=None, leader_name="林国栋", post="区委常委", level="district", area=world.c1
        )
    assert "已在包联" in errors_of(exc)["leader_name"][0]
    ended = liaisons_services.liaison_end(actor=world.users.district_admin, liaison=people.liaison_c1)
    assert ended.is_active is False and ended.ended_on == datetime.date.today()
    with pytest.raises(ValidationError):
        liaisons_services.liaison_end(actor=world.users.district_admin, liaison=people.liaison_c1)
    again = liaisons_services.liaison_assign(
        actor=None, leader_name="林国栋", post="区委常委", level="district", area=world.c1
    )
    assert again.is_active
    assert Liaison.objects.filter(leader_name="林国栋").count() == 2
