"""The demo step (dangjian/demo/dues.py) on a small district: every active member charged for each
month of this year so far, some arrears, a mid-year raise carried as an adjustment, remittances up the
tree; the books and the figures store reconcile. (The full demo build runs it in dangjian/demo/tests.)"""

import random

from django.utils import timezone

from dangjian.core.figures import facts as store
from dangjian.core.testing import integrity_findings as found
from dangjian.demo import dues as demo_dues
from dangjian.dues.facts import DUE, PAID
from dangjian.dues.models import DuesAdjustment, DuesMonth, Remittance
from dangjian.people.models import ACTIVE_STATUSES, Member


def test_the_demo_step_builds_a_year_of_dues_that_reconcile(world):
    for i in range(60):
        org = (world.eb, world.ub, world.eb3)[i % 3]
        Member.objects.create(name=f"党员{i:02d}", org=org, status="retired" if i % 5 == 0 else "in_service")
    demo_dues.build(random.Random(7), None)
    today = timezone.localdate()
    members = Member.objects.filter(status__in=ACTIVE_STATUSES, org__isnull=False).count()
    assert DuesMonth.objects.filter(month=today.replace(day=1)).count() == members
    assert DuesMonth.objects.count() >= members * today.month
    unsettled = [d for d in DuesMonth.objects.all() if not d.settled]
    assert unsettled and len(unsettled) < DuesMonth.objects.count() / 4
    if today.month >= 2:
        assert DuesAdjustment.objects.exists()
        assert Remittance.objects.exists()
    assert found("dues") == {}
    for subject in (DUE, PAID):
        assert store.differences(subject, store.stored(subject, None, None), store.recompute(subject).facts) == []
