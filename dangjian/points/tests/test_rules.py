from decimal import Decimal

import pytest
from django.utils import timezone

from dangjian.audit.models import AuditEvent
from dangjian.points import services
from dangjian.points.models import PointRule
from dangjian.territory import services as territory_services

YEAR = timezone.localdate().year


def test_it_seeds_the_default_rules_for_the_current_year(db):
    codes = set(PointRule.objects.filter(district=None, year=YEAR).values_list("code", flat=True))
    assert {"registration", "service_hour", "demand_done", "good_rating", "activity_attendance"} <= codes


def test_it_copies_the_nearest_year_on_first_use_of_a_new_year(world):
    rule = services.rule_for(world.district, YEAR, "service_hour")
    services.rule_update(
        actor=world.users.district_admin, district=world.district, rule=rule, points=Decimal("4"), is_active=True
    )
    assert not PointRule.objects.filter(year=YEAR + 1).exists()
    next_year = {r.code: r for r in services.rules_for_year(world.district, YEAR + 1)}
    # The district's own change carries over to next year, as its own row for that year.
    assert next_year["service_hour"].points == Decimal("4") and next_year["service_hour"].district == world.district
    assert next_year["demand_done"].district is None and next_year["demand_done"].year == YEAR + 1
    copied = PointRule.objects.filter(year=YEAR + 1).count()
    services.rules_for_year(world.district, YEAR + 1)
    assert PointRule.objects.filter(year=YEAR + 1).count() == copied  # a second use copies nothing


def test_it_keeps_each_district_and_year_apart(world):
    other = territory_services.area_create(actor=None, level="district", name="金湾区", parent=None, code="440404")
    rule = services.rule_for(world.district, YEAR, "demand_done")
    default_points = rule.points
    services.rule_update(
        actor=world.users.district_admin, district=world.district, rule=rule, points=Decimal("8"), is_active=True
    )
    assert services.rule_for(world.district, YEAR, "demand_done").points == Decimal("8")
    assert services.rule_for(other, YEAR, "demand_done").points == default_points
    assert services.rule_for(None, YEAR, "demand_done").points == default_points
    # Last year's rules (copied from the defaults) are untouched by this year's change.
    assert services.rule_for(world.district, YEAR - 1, "demand_done").points == default_points


def test_it_applies_the_members_district_rule_and_year(pts):
    rule = services.rule_for(pts.district, YEAR, "registration")
    services.rule_update(
        actor=pts.users.district_admin, district=pts.district, rule=rule, points=Decimal("12.5"), is_active=True
    )
    entry = services.award(user=pts.users.member, rule_code="registration", event_key="registration:1")
    assert entry.points == Decimal("12.5") and entry.rule.district == pts.district
    last_year = timezone.now().replace(year=YEAR - 1)
    old = services.award(
        user=pts.users.member, rule_code="registration", event_key="registration:0", occurred_at=last_year
    )
    assert (
        old.year == YEAR - 1
        and old.points == PointRule.objects.get(district=None, year=YEAR, code="registration").points
    )


def test_it_audits_a_rule_change_and_only_lets_district_admins_make_it(world):
    rule = services.rule_for(world.district, YEAR, "good_rating")
    with pytest.raises(services.PointsRefused):
        services.rule_update(
            actor=world.users.community_worker, district=world.district, rule=rule, points=Decimal(1), is_active=True
        )
    changed = services.rule_update(
        actor=world.users.district_admin, district=world.district, rule=rule, points=Decimal(1), is_active=False
    )
    event = AuditEvent.objects.get(object_type="points.pointrule", object_id=str(changed.public_id))
    assert event.changes["is_active"] == [True, False]
    assert PointRule.objects.get(pk=rule.pk).is_active  # the default row itself is unchanged


def test_it_keeps_the_award_once_even_after_the_district_overrides_the_rule(pts):
    first = services.award(user=pts.users.member, rule_code="demand_done", event_key="demand:1")
    rule = services.rule_for(pts.district, YEAR, "demand_done")
    services.rule_update(
        actor=pts.users.district_admin, district=pts.district, rule=rule, points=Decimal(9), is_active=True
    )
    again = services.award(user=pts.users.member, rule_code="demand_done", event_key="demand:1")
    assert again.pk == first.pk
