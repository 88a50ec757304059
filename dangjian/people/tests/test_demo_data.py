"""The people demo step: members across the demo district, the register of one grid, liaisons."""

from collections import Counter

from dangjian.core.validators import validate_citizen_id, validate_mobile
from dangjian.people.models import Household, Liaison, Member, MemberStatusChange, MemberTransfer, Resident
from dangjian.territory.models import Area, Building


def test_the_demo_has_members_of_every_status_with_valid_personal_data(people_demo):
    members = list(Member.objects.select_related("org", "home_community", "workplace"))
    assert 55 <= len(members) <= 70
    statuses = Counter(m.status for m in members)
    assert statuses["floating"] >= 3 and statuses["pocket"] >= 3
    assert statuses["moved_out"] >= 1 and statuses["deceased"] >= 1 and statuses["retired"] >= 5
    assert sum(m.category == "probationary" for m in members) >= 5
    for m in members:
        assert validate_citizen_id(m.id_number) == m.id_number
        assert validate_mobile(m.mobile) == m.mobile
        assert m.birth_date is not None and m.sex
    assert len({m.org.area_id for m in members if m.org_id}) >= 10  # spread across the district
    in_service_here = [
        m
        for m in members
        if m.status == "in_service" and m.workplace_id and m.home_community and m.home_community.name == "婆石社区"
    ]
    assert len(in_service_here) >= 5
    assert MemberTransfer.objects.count() >= 4
    assert MemberStatusChange.objects.filter(to_status="floating").exclude(note="").count() >= 3


def test_the_demo_member_account_is_linked_to_wang_jianguo(people_demo):
    member = Member.objects.select_related("user", "home_community", "org").get(user__username="dy_member")
    assert member.name == "王建国" and member.status == "in_service" and member.home_community.name == "婆石社区"
    assert member.org.org_type == "estate_branch" and member.transfers.count() == 2
    assert Member.objects.filter(name="王建国").count() == 1


def test_the_demo_grid_has_a_household_register_with_tags(people_demo):
    grid = Area.objects.get(name="婆石社区第一网格")
    buildings = Building.objects.filter(grid=grid, kind="residential")
    assert buildings.exists()
    households = Household.objects.filter(building__in=buildings)
    assert households.count() >= 4 * buildings.count()
    residents = list(Resident.objects.filter(household__in=households))
    tags = Counter(t for r in residents for t in r.tags)
    assert tags["elderly_alone"] >= 2 and tags["in_hardship"] >= 1 and tags["veteran"] >= 1
    assert not Household.objects.exclude(building__in=buildings).exists()


def test_the_demo_has_liaisons_at_three_levels(people_demo):
    active = Liaison.objects.filter(is_active=True).select_related("area", "estate")
    by_level = {(lia.level, (lia.area or lia.estate).name) for lia in active}
    assert ("district", "婆石社区") in by_level
    assert ("subdistrict", "婆石社区第一网格") in by_level
    assert any(level == "community" and lia.estate_id for lia in active for level in [lia.level])
    assert Liaison.objects.filter(is_active=False, ended_on__isnull=False).exists()
