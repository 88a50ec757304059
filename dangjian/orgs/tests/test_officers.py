import datetime

import pytest

from dangjian.orgs.models import OfficerPost, OrgOfficer, PartyOrg
from dangjian.orgs.selectors import is_secretary_of, officer_posts, orgs_led_by

pytestmark = pytest.mark.django_db


def test_it_lists_the_orgs_a_person_sits_on_during_their_term(world):
    member = world.users.member
    OrgOfficer.objects.create(
        org=world.eb, user=member, name="张书记", post=OfficerPost.SECRETARY, started_on=datetime.date(2026, 1, 1)
    )
    OrgOfficer.objects.create(
        org=world.ub,
        user=member,
        name="张书记",
        post=OfficerPost.PROPAGANDA,
        started_on=datetime.date(2025, 1, 1),
        ended_on=datetime.date(2025, 12, 31),
    )
    today = datetime.date(2026, 3, 1)
    assert list(orgs_led_by(member, on=today)) == [world.eb]
    assert set(orgs_led_by(member, on=datetime.date(2025, 6, 1))) == {world.ub}
    assert not orgs_led_by(member, posts={OfficerPost.ORGANIZATION}, on=today).exists()
    assert officer_posts(member, on=datetime.date(2024, 6, 1)).count() == 0
    assert is_secretary_of(member, world.eb) is True
    assert is_secretary_of(member, world.ub) is False
    assert not orgs_led_by(world.users.resident).exists()


def test_it_scopes_officers_by_the_orgs_territory(world):
    OrgOfficer.objects.create(org=world.eb, name="甲", post=OfficerPost.SECRETARY)
    OrgOfficer.objects.create(org=world.eb3, name="乙", post=OfficerPost.SECRETARY)
    seen = set(OrgOfficer.objects.visible_to(world.users.community_worker).values_list("name", flat=True))
    assert seen == {"甲"}
    assert PartyOrg.objects.filter(officers__name="乙").get() == world.eb3
