"""The demo network: centres at every level, gaps in the circle, rooms, activities and bookings."""

import pytest

from dangjian.centers import selectors
from dangjian.centers.models import Activity, Booking, ServiceCenter, SignUp
from dangjian.territory.models import Area


@pytest.fixture
def demo_network(demo):
    return demo


def test_the_demo_network_has_every_level_and_gaps_in_the_circle(demo_network):
    levels = set(ServiceCenter.objects.values_list("level", flat=True))
    assert levels == {"district", "subdistrict", "community", "estate"}
    assert ServiceCenter.objects.filter(level="community").count() == 9  # 12 communities, 3 without
    district = Area.objects.get(level="district")
    circle = selectors.circle_for(district)
    assert 0 < circle.coverage.covered.sum() < len(circle.estates)
    assert 0 < circle.total.resident_share < 1
    plan = selectors.plan_for(circle, 3, [])
    assert len(plan["picks"]) == 3 and plan["picks"][-1]["share"] > plan["share_before"]


def test_the_demo_has_activities_sign_ups_and_bookings(demo_network):
    opera = Activity.objects.get(title="少儿粤剧公益课")
    statuses = sorted(SignUp.objects.filter(activity=opera).values_list("status", flat=True))
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    assert Booking.objects.filter(status="pending", booked_by__username="dw_contact").exists()
    assert Booking.objects.filter(status="approved", booked_by__username="jm_resident").exists()
