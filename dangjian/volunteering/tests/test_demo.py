"""The demo step on the demo district."""

import random
from decimal import Decimal

from dangjian.demo import volunteering as demo_data
from dangjian.demo.builder import Built
from dangjian.territory.models import Area
from dangjian.timebank import services as timebank
from dangjian.volunteering.models import Attendance, Shift, Team, TeamActivity


def with_volunteering() -> None:
    """The demo's volunteering, unless the demo command already made it (once in DEMO_EXTENSIONS)."""
    if TeamActivity.objects.exists():
        return
    built = Built()
    built.areas = {a.name: a for a in Area.objects.all()}
    demo_data.build(random.Random(0), built)


def test_it_builds_fixed_teams_activities_and_credited_hours(demo):
    with_volunteering()
    communities = Area.objects.filter(level="community")
    assert Team.objects.exclude(fixed_group="").count() == 5 * communities.count()
    verified = Attendance.objects.filter(user__username="dy_member", verified=True)
    assert verified.count() == 3  # two past activities and one post shift
    hours = sum((a.hours for a in verified), Decimal("0"))
    assert hours > 0 and all(a.credited_hours == a.hours for a in verified)
    assert timebank.balance(verified.first().user) >= hours
    assert TeamActivity.objects.filter(activity__start__gt=verified.first().checked_out_at).count() >= 2
    assert Shift.objects.filter(start__gt=verified.last().checked_out_at).count() >= 6
