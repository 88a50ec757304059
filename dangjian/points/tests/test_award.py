import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from dangjian.audit.models import AuditEvent
from dangjian.points import services
from dangjian.points.models import PointEntry, PointRule, PointTotal


def test_it_awards_the_rule_points_times_the_quantity(pts):
    entry = services.award(
        user=pts.users.member, rule_code="service_hour", event_key="demand:1", quantity=Decimal("2.5")
    )
    rule = PointRule.objects.get(district=None, year=timezone.localdate().year, code="service_hour")
    assert entry.member == pts.people.wang
    assert entry.points == rule.points * Decimal("2.5")
    assert entry.category.code == "service"
    assert AuditEvent.objects.filter(object_type="points.pointentry", object_id=str(entry.public_id)).exists()


def test_it_awards_once_per_event_however_often_it_is_retried(pts):
    first = services.award(user=pts.users.member, rule_code="demand_done", event_key="demand:abc")
    again = services.award(user=pts.users.member, rule_code="demand_done", event_key="demand:abc")
    other = services.award(user=pts.users.member, rule_code="demand_done", event_key="demand:xyz")
    assert again.pk == first.pk and other.pk != first.pk
    assert PointEntry.objects.filter(member=pts.people.wang).count() == 2
    year = timezone.localdate().year
    assert services.totals(pts.people.wang, year).total == first.points + other.points


def test_it_writes_nothing_for_a_user_who_is_not_a_member(pts):
    assert services.award(user=pts.users.resident, rule_code="registration", event_key="x") is None
    assert services.award(user=None, rule_code="registration", event_key="x") is None
    assert not PointEntry.objects.exists()


def test_it_writes_nothing_when_the_district_switched_the_rule_off(pts):
    year = timezone.localdate().year
    rule = services.rule_for(pts.district, year, "good_rating")
    services.rule_update(
        actor=pts.users.district_admin, district=pts.district, rule=rule, points=rule.points, is_active=False
    )
    assert services.award(user=pts.users.member, rule_code="good_rating", event_key="demand:1") is None
    assert not PointEntry.objects.exists()


def test_it_refuses_an_unknown_rule_code(pts):
    with pytest.raises(LookupError):
        services.award(user=pts.users.member, rule_code="no_such_rule", event_key="x")


@pytest.mark.django_db(transaction=True)
def test_it_awards_once_when_two_retries_race(pts):
    user = pts.users.member
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(services.award(user=user, rule_code="demand_done", event_key="demand:race"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len({r.pk for r in results}) == 1
    assert PointEntry.objects.filter(event_key="demand:race").count() == 1
    year = timezone.localdate().year
    rule_points = services.rule_for(pts.district, year, "demand_done").points
    assert PointTotal.objects.get(member=pts.people.wang, year=year, category=None).points == rule_points
